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
import { before } from 'node:test';

import { keyNew, moneyLogin, programmeCreate } from '../http/lib/money.mjs';
import { accountByUsername } from '../idp/accounts.mjs';
import {
	browserDescribe, follow, pageCheck, shot, suiteDeclare, suiteIt, suitePersonOpen, suitePhoneCheck,
} from './lib/browser.mjs';
import { catalogLoad, itemInStock } from './lib/demo.mjs';

const CARRIER = 'DHL Express';
const TRACKING = 'JD014600003SE';
const catalog = catalogLoad();

browserDescribe('the console: a store administrator picks and ships an order', () => {
	const s = suiteDeclare();
	const it = suiteIt(s);
	const alice = accountByUsername('alice').claims;
	/* an item of the demo catalog, well in stock: two of it */
	const item = itemInStock(catalog, 10);

	before(async () => {
		programmeCreate(s.stack.livery, {
			slug: 'alice-all', name: 'Everything allowance', unit: 'money', amount: 1000000, period: 'yearly',
			reset: 'calendar', audience: { employee_ids: [alice.employee_id] }, overage: 'approval', position: 1,
		});
		const api = await moneyLogin(s.stack, 'alice');
		const r = await api.checkout({ lines: [{ sku: item.variant.sku, quantity: 2 }], delivery: { method: 'site' } },
			keyNew());
		assert.equal(r.status, 201, r.body);
		assert.equal(r.json().status, 'placed', r.body);
		s.ref = r.json().ref;
	});

	it('dave finds alice\'s order in the placed queue', async () => {
		s.dave = await suitePersonOpen(s, 'dave');
		const { page } = s.dave;
		await follow(page, page.getByRole('link', { name: 'Console' }), `${s.base}/admin`);
		await follow(page, page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Orders' }),
			`${s.base}/admin/orders`);
		await page.getByRole('heading', { level: 1, name: 'Orders' }).waitFor();
		const tab = page.getByRole('navigation', { name: 'Order states' }).getByRole('link', { name: /^Placed/ });
		assert.equal(await tab.getAttribute('aria-current'), 'page', 'the placed orders are shown first');
		assert.match(await tab.innerText(), /Placed\s+1/);
		const row = page.locator('main tbody tr', { has: page.getByRole('link', { name: s.ref }) });
		const text = await row.innerText();
		assert.ok(text.includes(alice.name) && text.includes(alice.employee_id), `the row names alice: ${text}`);
		assert.ok(text.includes(`Site: ${alice.site}`), `the row says where it goes: ${text}`);
		await pageCheck(s.dave, 'en', 'console-orders-queue');
	});

	it('dave opens the pick list; printed, it has no navigation and is black on white', async () => {
		const { page } = s.dave;
		await follow(page, page.getByRole('link', { name: 'Pick list' }), `${s.base}/admin/orders/pick-list?status=placed`);
		await page.getByRole('heading', { level: 1, name: 'Pick list' }).waitFor();
		const site = page.getByRole('region', { name: `Site: ${alice.site}` });
		await site.waitFor();
		const row = site.locator('tbody tr', { hasText: item.variant.sku });
		assert.equal((await row.locator('.pick-qty').innerText()).trim(), '2', 'two to take from the shelf');
		assert.ok((await row.innerText()).includes(s.ref), 'the order it goes to');
		await pageCheck(s.dave, 'en', 'console-orders-pick-list');

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
			`${s.base}/admin/orders?status=picking&done=picking&n=1`);
		await page.getByText('Orders marked as picking: 1.').waitFor();
		const tab = page.getByRole('navigation', { name: 'Order states' }).getByRole('link', { name: /^Picking/ });
		assert.equal(await tab.getAttribute('aria-current'), 'page');
		await page.getByRole('link', { name: s.ref }).waitFor();
		await pageCheck(s.dave, 'en', 'console-orders-picking');
	});

	it('dave ships it: without a tracking number the error is next to the field; then with it', async () => {
		const { page, watch } = s.dave;
		await follow(page, page.getByRole('link', { name: s.ref }), `${s.base}/admin/orders/${s.ref}`);
		await page.getByRole('heading', { level: 1, name: `Order ${s.ref}` }).waitFor();
		await page.getByLabel('Carrier').fill(CARRIER);
		await follow(page, page.getByRole('button', { name: 'Mark as shipped' }), `${s.base}/admin/orders/${s.ref}/advance`);
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
		await pageCheck(s.dave, 'en', 'console-order-ship-error');

		await field.fill(TRACKING);
		await follow(page, page.getByRole('button', { name: 'Mark as shipped' }), `${s.base}/admin/orders/${s.ref}?done=shipped`);
		await page.getByText(/The order is shipped/).waitFor();
		const facts = await page.locator('main .facts').innerText();
		assert.ok(facts.includes(CARRIER) && facts.includes(TRACKING), `the tracking is shown: ${facts}`);
		await page.getByRole('button', { name: 'Mark as delivered' }).waitFor();
		await pageCheck(s.dave, 'en', 'console-order-shipped');
	});

	it('at phone width the queue, the pick list and the order fit the screen', async () => {
		await suitePhoneCheck(s, s.dave, 'en', [['/admin/orders?status=shipped', 'console-orders-phone'],
			['/admin/orders/pick-list?status=picking', 'console-orders-pick-list-phone'],
			[`/admin/orders/${s.ref}`, 'console-order-phone']]);
	});

	it('alice reads the carrier and the tracking number on her order', async () => {
		s.alice = await suitePersonOpen(s, 'alice');
		const { page } = s.alice;
		await page.goto(`${s.base}/orders/${s.ref}`);
		const main = await page.locator('main').innerText();
		assert.ok(main.includes(TRACKING), `the tracking number is shown:\n${main}`);
		assert.ok(main.includes(CARRIER), `the carrier is shown:\n${main}`);
		await pageCheck(s.alice, 'fr', 'order-shipped-tracking');
	});
});
