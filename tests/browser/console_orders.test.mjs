// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * console_orders.test.mjs - a store administrator fulfils an order in the
 * console, in headless Chromium against the real binary and the real test
 * provider (demo catalog): alice places an order through the checkout API
 * (as the money tests do); dave opens the console, finds it in the placed
 * queue, opens the pick list (its site and SKU with the quantity, then the
 * same page as it prints: no navigation, no buttons, black on white),
 * marks the list as picking in one step, opens the order and ships it -
 * first without the tracking number, which is refused with the error next
 * to the field, then with it - and alice, in her own browser, reads the
 * carrier and the tracking number on her order. Every page passes the
 * accessibility contract with no console errors and no sideways
 * scrolling, at desktop and phone width; screenshots go to
 * $LV_BUILD_DIR/artifacts/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { skipReason, startStack, withLogs } from '../http/lib/harness.mjs';
import { keyNew, moneyLogin, programmeCreate } from '../http/lib/money.mjs';
import { DEMO_PASSWORD, accountByUsername } from '../idp/accounts.mjs';
import {
	a11yAssert, browserLaunch, browserSkipReason, contextNew, failureSave, noSideScrollAssert, pageWatch,
	personOpen, shot,
} from './lib/browser.mjs';
import { catalogLoad, demoCatalogPath } from './lib/demo.mjs';

const T = { timeout: 120000 };
const CARRIER = 'DHL Express';
const TRACKING = 'JD014600003SE';
const catalog = catalogLoad();

const skip = skipReason || browserSkipReason();
const suite = skip ? (name, fn) => test(name, { skip }, () => {}) : describe;

suite('the console: a store administrator picks and ships an order', () => {
	let stack;
	let base;
	let browser;
	let current = null;
	const s = {};
	const alice = accountByUsername('alice').claims;
	/* an item of the demo catalog, well in stock: two of it */
	const item = (() => {
		for (const p of catalog.products) {
			if (p.restricted)
				continue;
			const v = p.variants.find((x) => x.stock >= 10);
			if (v)
				return { product: p, variant: v };
		}
		throw new Error(`${demoCatalogPath()}: no variant with stock`);
	})();

	const it = (name, fn) => test(name, T, async (t) => {
		if (s.broken) {
			t.skip(`an earlier step failed: ${s.broken}`);
			return;
		}
		try {
			await withLogs(() => stack, fn)(t);
		} catch (err) {
			s.broken = name;
			await failureSave(current, name);
			throw err;
		}
	});

	const open = async (username) => {
		const who = await personOpen(browser, stack, username, DEMO_PASSWORD);
		current = who.page;
		return who;
	};

	/* The page's contract: accessibility, no sideways scrolling, nothing reported; a screenshot. */
	const check = async (who, lang, name) => {
		await a11yAssert(who.page, lang, name);
		await noSideScrollAssert(who.page, name);
		who.watch.assertNone(name);
		await shot(who.page, name, { fullPage: true });
	};

	/* Clicks what and waits for the page it leads to. */
	const follow = async (page, what, url) => {
		await Promise.all([page.waitForURL(url, { waitUntil: 'load' }), what.click()]);
	};

	before(async () => {
		browser = await browserLaunch();
		stack = await startStack({
			provider: 'real',
			livery: { catalogCsv: demoCatalogPath(), config: { server: { threads: null } } },
		});
		base = stack.base;
		programmeCreate(stack.livery, {
			slug: 'alice-all', name: 'Everything allowance', unit: 'money', amount: 1000000, period: 'yearly',
			reset: 'calendar', audience: { employee_ids: [alice.employee_id] }, overage: 'approval', position: 1,
		});
		const api = await moneyLogin(stack, 'alice');
		const r = await api.checkout({ lines: [{ sku: item.variant.sku, quantity: 2 }], delivery: { method: 'site' } },
			keyNew());
		assert.equal(r.status, 201, r.body);
		assert.equal(r.json().status, 'placed', r.body);
		s.ref = r.json().ref;
	});
	after(async () => {
		for (const who of [s.dave, s.alice, s.phone])
			await who?.ctx?.close().catch(() => {});
		await browser?.close().catch(() => {});
		await stack?.stop();
	});

	it('dave finds alice\'s order in the placed queue', async () => {
		s.dave = await open('dave');
		const { page } = s.dave;
		await follow(page, page.getByRole('link', { name: 'Console' }), `${base}/admin`);
		await follow(page, page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Orders' }),
			`${base}/admin/orders`);
		await page.getByRole('heading', { level: 1, name: 'Orders' }).waitFor();
		const tab = page.getByRole('navigation', { name: 'Order states' }).getByRole('link', { name: /^Placed/ });
		assert.equal(await tab.getAttribute('aria-current'), 'page', 'the placed orders are shown first');
		assert.match(await tab.innerText(), /Placed\s+1/);
		const row = page.locator('main tbody tr', { has: page.getByRole('link', { name: s.ref }) });
		const text = await row.innerText();
		assert.ok(text.includes(alice.name) && text.includes(alice.employee_id), `the row names alice: ${text}`);
		assert.ok(text.includes(`Site: ${alice.site}`), `the row says where it goes: ${text}`);
		await check(s.dave, 'en', 'console-orders-queue');
	});

	it('dave opens the pick list; printed, it has no navigation and is black on white', async () => {
		const { page } = s.dave;
		await follow(page, page.getByRole('link', { name: 'Pick list' }), `${base}/admin/orders/pick-list?status=placed`);
		await page.getByRole('heading', { level: 1, name: 'Pick list' }).waitFor();
		const site = page.getByRole('region', { name: `Site: ${alice.site}` });
		await site.waitFor();
		const row = site.locator('tbody tr', { hasText: item.variant.sku });
		assert.equal((await row.locator('.pick-qty').innerText()).trim(), '2', 'two to take from the shelf');
		assert.ok((await row.innerText()).includes(s.ref), 'the order it goes to');
		await check(s.dave, 'en', 'console-orders-pick-list');

		await page.emulateMedia({ media: 'print' });
		for (const hidden of ['.site-header', '.console-nav', '.site-footer', 'form[action="/admin/orders/pick-list"]'])
			assert.equal(await page.locator(hidden).first().isVisible(), false, `${hidden} is not printed`);
		assert.ok(await site.isVisible(), 'the site is printed');
		const colours = await page.evaluate(() => {
			const body = getComputedStyle(document.body);
			const cell = getComputedStyle(document.querySelector('.pick-table td'));
			return { bg: body.backgroundColor, fg: body.color, cell: cell.color };
		});
		assert.deepEqual(colours, { bg: 'rgb(255, 255, 255)', fg: 'rgb(0, 0, 0)', cell: 'rgb(0, 0, 0)' });
		await shot(page, 'console-orders-pick-list-print', { fullPage: true });
		await page.emulateMedia({ media: 'screen' });
	});

	it('dave marks the pick list as picking in one step', async () => {
		const { page } = s.dave;
		await follow(page, page.getByRole('button', { name: /^Mark every order of this list as picking/ }),
			`${base}/admin/orders?status=picking&done=picking&n=1`);
		await page.getByText('Orders marked as picking: 1.').waitFor();
		const tab = page.getByRole('navigation', { name: 'Order states' }).getByRole('link', { name: /^Picking/ });
		assert.equal(await tab.getAttribute('aria-current'), 'page');
		await page.getByRole('link', { name: s.ref }).waitFor();
		await check(s.dave, 'en', 'console-orders-picking');
	});

	it('dave ships it: without a tracking number the error is next to the field; then with it', async () => {
		const { page, watch } = s.dave;
		await follow(page, page.getByRole('link', { name: s.ref }), `${base}/admin/orders/${s.ref}`);
		await page.getByRole('heading', { level: 1, name: `Order ${s.ref}` }).waitFor();
		await page.getByLabel('Carrier').fill(CARRIER);
		await follow(page, page.getByRole('button', { name: 'Mark as shipped' }), `${base}/admin/orders/${s.ref}/advance`);
		const field = page.getByLabel('Tracking number');
		const error = page.locator('#ship-tracking-error');
		assert.match(await error.innerText(), /Write the tracking number the carrier gave/);
		assert.equal(await field.getAttribute('aria-invalid'), 'true');
		assert.equal(await field.getAttribute('aria-describedby'), 'ship-tracking-error');
		/* the error sits right below its field, inside the same field box */
		assert.equal(await page.locator('.field-invalid').filter({ has: field }).filter({ has: error }).count(), 1);
		assert.equal(await page.getByLabel('Carrier').inputValue(), CARRIER, 'the carrier typed is kept');
		const seen = watch.take();
		assert.ok(seen.length >= 1 && seen.every((x) => /\b400\b/.test(x)), `only the refused form's 400: ${seen}`);
		await check(s.dave, 'en', 'console-order-ship-error');

		await field.fill(TRACKING);
		await follow(page, page.getByRole('button', { name: 'Mark as shipped' }), `${base}/admin/orders/${s.ref}?done=shipped`);
		await page.getByText(/The order is shipped/).waitFor();
		const facts = await page.locator('main .facts').innerText();
		assert.ok(facts.includes(CARRIER) && facts.includes(TRACKING), `the tracking is shown: ${facts}`);
		await page.getByRole('button', { name: 'Mark as delivered' }).waitFor();
		await check(s.dave, 'en', 'console-order-shipped');
	});

	it('at phone width the queue, the pick list and the order fit the screen', async () => {
		s.phone = { ctx: await contextNew(browser, {
			viewport: { width: 360, height: 800 }, isMobile: true, hasTouch: true,
			storageState: await s.dave.ctx.storageState(),
		}) };
		const page = await s.phone.ctx.newPage();
		const watch = pageWatch(page, base);
		current = page;
		for (const [p, name] of [['/admin/orders?status=shipped', 'console-orders-phone'],
			['/admin/orders/pick-list?status=picking', 'console-orders-pick-list-phone'],
			[`/admin/orders/${s.ref}`, 'console-order-phone']]) {
			await page.goto(`${base}${p}`);
			await check({ page, watch }, 'en', name);
		}
	});

	it('alice reads the carrier and the tracking number on her order', async () => {
		s.alice = await open('alice');
		const { page } = s.alice;
		await page.goto(`${base}/orders/${s.ref}`);
		const main = await page.locator('main').innerText();
		assert.ok(main.includes(TRACKING), `the tracking number is shown:\n${main}`);
		assert.ok(main.includes(CARRIER), `the carrier is shown:\n${main}`);
		await check(s.alice, 'fr', 'order-shipped-tracking');
	});
});
