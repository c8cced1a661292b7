// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * policies.test.mjs - HR's catalog policies as employees meet them, in
 * headless Chromium against the real livery binary and the real test
 * provider, with the demo catalog and the example policies of
 * catalog-policies/examples/ imported by `livery policy import`, as
 * scripts/demo does:
 *   - alice (branch teller, bank example, French): a warehouse-only product
 *     is neither listed nor found nor reachable by its address; the
 *     colour picker of a uniform offers only the approved colours and the page
 *     says the dress code; with the yearly shirt limit used up, the
 *     checkout refuses one more shirt with the numbers and the date, in
 *     French;
 *   - bob (warehouse): the starter kit is offered and goes into his cart in
 *     one step; once ordered, a second pair of boots is refused by the
 *     once-a-year limit;
 *   - frank (park cast member, no hire date on record): a costume piece is
 *     refused with the reason (90 days of service, hire date unknown).
 * Every page is checked for console errors, CSP violations and failed
 * requests, the accessibility contract and sideways scrolling at phone
 * width; screenshots go to $LV_BUILD_DIR/artifacts/.
 *
 * Expected values come from the example policy files, the demo catalog
 * and po/fr.po, never written here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { env, skipReason, startStack, withLogs } from '../http/lib/harness.mjs';
import { keyNew, moneyLogin } from '../http/lib/money.mjs';
import { DEMO_PASSWORD } from '../idp/accounts.mjs';
import {
	a11yAssert, browserLaunch, browserSkipReason, failureSave, noSideScrollAssert, personOpen, shot,
} from './lib/browser.mjs';
import { catalogLoad, demoCatalogPath, examplePoliciesImport, poLoad } from './lib/demo.mjs';

const T = { timeout: 120000 };
const EXAMPLES = path.join(env.sourceDir, 'catalog-policies', 'examples');
const example = (name) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, `${name}.json`), 'utf8'));
const bank = example('bank');
const warehouse = example('warehouse');
const park = example('park');
const catalog = catalogLoad();
const fr = poLoad('fr');
const tr = (s) => { assert.ok(fr.get(s), `po/fr.po translates ${JSON.stringify(s)}`); return fr.get(s); };
const fill = (t, v) => t.replace(/\{(\w+)\}/g, (m, k) => (k in v ? String(v[k]) : m));
const NEXT_YEAR = new Date().getFullYear() + 1;
const LIMIT_NEXT = 'You have ordered {used} of {limit} {what} allowed {per}; the next one becomes available on {date}.';

const product = (slug) => {
	const p = catalog.products.find((x) => x.slug === slug);
	assert.ok(p, `${demoCatalogPath()} has ${slug}`);
	return p;
};

const skip = skipReason || browserSkipReason();
const suite = skip ? (name, fn) => test(name, { skip }, () => {}) : describe;

suite('catalog policies in a browser', () => {
	let stack;
	let base;
	let browser;
	let current = null;
	const s = {};

	const it = (name, fn) => test(name, T, async (t) => {
		try {
			await withLogs(() => stack, fn)(t);
		} catch (err) {
			await failureSave(current, name);
			throw err;
		}
	});

	const cli = (args) => {
		const r = spawnSync(env.bin, args, { encoding: 'utf8' });
		assert.equal(r.status, 0, `livery ${args.join(' ')}: ${r.stderr}`);
		return r.stdout;
	};

	const open = async (username) => {
		const who = await personOpen(browser, stack, username, DEMO_PASSWORD);
		current = who.page;
		return who;
	};

	const pageCheck = async (who, lang, name) => {
		await a11yAssert(who.page, lang);
		await noSideScrollAssert(who.page);
		who.watch.assertNone(name || who.page.url());
		if (name)
			await shot(who.page, name);
	};

	/* Orders lines through the API as username (site delivery, payroll consent). */
	const apiOrder = async (username, lines) => {
		const api = await moneyLogin(stack, username);
		const r = await api.checkout({
			lines: lines.map(([sku, quantity]) => ({ sku, quantity })),
			delivery: { method: 'site' }, payroll_consent: true,
		}, keyNew());
		assert.equal(r.status, 201, `${username} orders ${JSON.stringify(lines)}: ${r.body}`);
		return api;
	};

	before(async () => {
		browser = await browserLaunch();
		stack = await startStack({
			provider: 'real',
			livery: {
				catalogCsv: demoCatalogPath(),
				config: { server: { threads: null }, store: { uncovered_overage: 'payroll' } },
			},
		});
		base = stack.base;
		const file = path.join(stack.livery.tmpDir, 'everyone.json');
		fs.writeFileSync(file, JSON.stringify({
			slug: 'everyone', name: 'Work wear', unit: 'money', amount: 100000000, period: 'yearly',
			reset: 'calendar', overage: 'payroll', position: 1,
		}));
		cli(['allowance', 'programme-create', '--config', stack.livery.configPath, file]);
		/* a product only the warehouse admits: gone from alice's catalog once the policies apply */
		const bankTags = new Set(bank.visibility.allow.tags);
		await examplePoliciesImport(stack, await moneyLogin(stack, 'alice'),
			catalog.products.find((p) => !p.restricted && !p.tags.some((t) => bankTags.has(t))));
	});
	after(async () => {
		for (const who of Object.values(s))
			await who?.ctx?.close().catch(() => {});
		await browser?.close().catch(() => {});
		await stack?.stop();
	});

	it('alice: a product her policies hide is not listed, not found and not reachable', async () => {
		/* a product only the warehouse admits: no tag the bank allows */
		const allowed = new Set(bank.visibility.allow.tags);
		const hidden = catalog.products.find((p) => !p.restricted && !p.tags.some((t) => allowed.has(t)));
		assert.ok(hidden, 'the demo catalog has a product the bank policy does not admit');
		s.alice = await open('alice');
		const { page } = s.alice;
		const res = await page.goto(`${base}/search?q=${encodeURIComponent(hidden.name)}`);
		assert.equal(res.status(), 200);
		assert.equal(await page.locator(`a[href="/p/${hidden.slug}"]`).count(), 0, `${hidden.slug} is not found`);
		await pageCheck(s.alice, 'fr');
		const direct = await page.goto(`${base}/p/${hidden.slug}`);
		assert.equal(direct.status(), 404, 'its address answers as if it did not exist');
		const seen = s.alice.watch.take();
		assert.ok(seen.length >= 1 && seen.every((x) => /\b404\b/.test(x)), `only the 404 expected: ${seen}`);
		await page.goto(`${base}/`);
		assert.equal(await page.locator(`a[href="/p/${hidden.slug}"]`).count(), 0, 'not listed on the home page');
	});

	it('alice: a uniform offers only the approved colours and says the dress code', async () => {
		/* a category rule of the bank's dress code, and a product of that category (not named by a
		 * product rule) that the catalog has in approved and other colours */
		const rule = bank.dress_code.find((r) => r.category);
		const named = new Set(bank.dress_code.filter((r) => r.product).map((r) => r.product));
		const allowed = new Set(bank.visibility.allow.tags);
		const item = catalog.products.find((p) => p.category === rule.category && !named.has(p.slug)
			&& p.tags.some((t) => allowed.has(t))
			&& p.variants.some((v) => rule.colours.includes(v.colour))
			&& p.variants.some((v) => !rule.colours.includes(v.colour)));
		assert.ok(item, `the demo catalog has a ${rule.category} product in approved and other colours`);
		const { page } = s.alice;
		await page.goto(`${base}/p/${item.slug}`);
		const colours = await page.locator('input[name="colour"]').evaluateAll((xs) => xs.map((x) => x.value));
		const approved = [...new Set(item.variants.map((v) => v.colour))].filter((c) => rule.colours.includes(c));
		assert.deepEqual(colours.sort(), approved.sort(), `${item.slug}: only the approved colours`);
		const note = await page.locator('.policy-note').innerText();
		assert.ok(note.includes(rule.note), `the dress-code note: ${note}`);
		await pageCheck(s.alice, 'fr', 'policies-dress-code');
	});

	it('alice: one shirt over the yearly limit is refused with the numbers and the date, in French', async () => {
		const limit = bank.limits.find((l) => l.label === 'shirts');
		const shirt = product(limit.products[0]).variants[0].sku;
		const api = await apiOrder('alice', [[shirt, limit.max]]);
		const add = await api.post('/api/v1/cart/lines', { sku: shirt, quantity: 1 });
		assert.equal(add.status, 200, add.body);
		const { page } = s.alice;
		await page.goto(`${base}/checkout`);
		const expected = fill(tr(LIMIT_NEXT), {
			used: limit.max, limit: limit.max, what: limit.label, per: tr('per year'),
			date: `1 ${tr('January')} ${NEXT_YEAR}`,
		});
		const main = await page.locator('main').innerText();
		assert.ok(main.replace(/\s+/g, ' ').includes(expected.replace(/\s+/g, ' ')),
			`the checkout says why:\n${expected}\n---\n${main}`);
		await pageCheck(s.alice, 'fr', 'policies-limit-refused');
	});

	it('bob: the starter kit goes into his cart in one step and counts against the boots limit', async () => {
		const kit = warehouse.kits[0];
		const boots = warehouse.limits.find((l) => l.product === 'safety-boots-s3');
		s.bob = await open('bob');
		const { page } = s.bob;
		await page.goto(`${base}/kits`);
		const panel = page.locator('form.kit', { has: page.getByRole('heading', { name: kit.name }) });
		await panel.waitFor();
		await pageCheck(s.bob, 'en', 'policies-kits');
		await Promise.all([page.waitForURL((u) => u.pathname === '/cart'),
			panel.getByRole('button', { name: 'Add this kit to my cart' }).click()]);
		const cart = await (await moneyLogin(stack, 'bob')).cart();
		const inCart = new Set(cart.lines.map((l) => catalog.products.find((p) => p.variants.some((v) => v.sku === l.sku)).slug));
		for (const item of kit.items)
			assert.ok(inCart.has(item.product), `${item.product} is in the cart`);
		await page.goto(`${base}/checkout`);
		await Promise.all([page.waitForURL(/\/orders\/LV-\d+$/),
			page.getByRole('button', { name: 'Place order', exact: true }).click()]);
		/* a second pair within the year */
		const api = await moneyLogin(stack, 'bob');
		const sku = product('safety-boots-s3').variants[0].sku;
		assert.equal((await api.post('/api/v1/cart/lines', { sku, quantity: 1 })).status, 200);
		await page.goto(`${base}/checkout`);
		const expected = fill(LIMIT_NEXT, {
			used: boots.max, limit: boots.max, what: boots.label, per: 'per year', date: `1 January ${NEXT_YEAR}`,
		});
		const main = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
		assert.ok(main.includes(expected), `the checkout says why:\n${expected}\n---\n${main}`);
		await pageCheck(s.bob, 'en');
	});

	it('frank: a costume piece needs days of service he cannot show yet', async () => {
		const rule = park.eligibility.find((e) => e.tag === 'costume');
		const costume = catalog.products.find((p) => p.tags.includes('costume'));
		s.frank = await open('frank');
		const { page } = s.frank;
		const res = await page.goto(`${base}/p/${costume.slug}`);
		assert.equal(res.status(), 403);
		s.frank.watch.take(); /* the 403 is the point */
		const text = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
		assert.ok(text.includes(`This item needs ${rule.min_days} days of service, and your hire date is not on record: ask HR to add it.`),
			`the reason is shown: ${text}`);
		await shot(page, 'policies-not-eligible');
	});
});
