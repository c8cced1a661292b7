// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * console_reports.test.mjs - an auditor reads the reports and the audit
 * log in the console, in headless Chromium against the real binary and
 * the real test provider (demo catalog): alice places an order through
 * the checkout API and dave cancels one of its items; grace (auditor)
 * opens the console, each of the four reports (charts drawn by the server
 * and their tables; a screenshot of each), changes a report's choices,
 * downloads a report's CSV (the same rows as the report's JSON), searches
 * the audit log for dave's cancellation and opens the entry with its
 * diff. No page shows her a form that would change anything. Every page
 * passes the accessibility contract with no console errors and no
 * sideways scrolling, at desktop and phone width; screenshots go to
 * $LV_BUILD_DIR/artifacts/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { before } from 'node:test';

import { keyNew, moneyLogin, programmeCreate } from '../http/lib/money.mjs';
import { accountByUsername } from '../idp/accounts.mjs';
import {
	a11yAssert, browserDescribe, follow, pageCheck, suiteDeclare, suiteIt, suitePersonOpen, suitePhoneCheck,
} from './lib/browser.mjs';
import { catalogLoad, csvParse, itemInStock } from './lib/demo.mjs';

const REPORTS = [
	{ name: 'spend', title: 'Spend' },
	{ name: 'allowances', title: 'Allowance utilisation' },
	{ name: 'products', title: 'Top products' },
	{ name: 'orders', title: 'Orders by state' },
];
const REASON = 'Wrong size, sorry';
const catalog = catalogLoad();

browserDescribe('the console: an auditor reads the reports and the audit log', () => {
	const s = suiteDeclare();
	const it = suiteIt(s);
	const alice = accountByUsername('alice').claims;
	/* an item of the demo catalog, well in stock: three of it */
	const item = itemInStock(catalog, 10);

	/* The page's contract and a screenshot (pageCheck), and nothing on it that changes anything. */
	const check = async (who, name) => {
		await pageCheck(who, 'en', name);
		const changing = await who.page.locator('form[method="post"]').evaluateAll((forms) => forms
			.map((f) => f.getAttribute('action')).filter((a) => !/^\/(auth\/logout|profile\/language)$/.test(a || '')));
		assert.deepEqual(changing, [], `${name}: no form that changes anything`);
	};

	before(async () => {
		programmeCreate(s.stack.livery, {
			slug: 'alice-all', name: 'Everything allowance', unit: 'money', amount: 1000000, period: 'yearly',
			reset: 'calendar', audience: { employee_ids: [alice.employee_id] }, overage: 'approval', position: 1,
		});
		const api = await moneyLogin(s.stack, 'alice');
		const r = await api.checkout({ lines: [{ sku: item.variant.sku, quantity: 3 }], delivery: { method: 'site' } },
			keyNew());
		assert.equal(r.status, 201, r.body);
		s.ref = r.json().ref;
		const dave = await moneyLogin(s.stack, 'dave');
		const c = await dave.post(`/api/v1/admin/orders/${s.ref}/cancel`,
			{ lines: [{ line: 1, quantity: 1 }], reason: REASON });
		assert.equal(c.status, 200, c.body);
	});

	it('grace opens the reports from the console', async () => {
		s.grace = await suitePersonOpen(s, 'grace');
		const { page } = s.grace;
		await follow(page, page.getByRole('link', { name: 'Console' }), `${s.base}/admin`);
		await follow(page, page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Reports' }),
			`${s.base}/admin/reports`);
		await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
		for (const rep of REPORTS)
			await page.getByRole('link', { name: new RegExp(`^${rep.title}`) }).waitFor();
		await check(s.grace, 'console-reports');
	});

	it('grace opens each report: its charts, drawn by the server, and its table', async () => {
		const { page } = s.grace;
		for (const rep of REPORTS) {
			await page.goto(`${s.base}/admin/reports/${rep.name}`, { waitUntil: 'load' });
			await page.getByRole('heading', { level: 1, name: rep.title }).waitFor();
			const charts = page.getByRole('img');
			const n = await charts.count();
			assert.ok(n >= 1, `${rep.name}: a chart`);
			for (let i = 0; i < n; i++) {
				const label = await charts.nth(i).getAttribute('aria-label');
				assert.ok(label && label.length > 10, `${rep.name}: the chart says what it shows: ${label}`);
			}
			/* the chart is drawn with the theme's colours, not black */
			const fill = await page.locator('svg.chart-svg rect').first()
				.evaluate((el) => getComputedStyle(el).fill).catch(() => null);
			if (fill !== null)
				assert.notEqual(fill, 'rgb(0, 0, 0)', `${rep.name}: bars take the brand's colour`);
			assert.ok(await page.locator('main table.data-table').count() >= 1, `${rep.name}: a table`);
			await check(s.grace, `console-report-${rep.name}`);
		}
		/* alice's order is in the spend of her department */
		await page.goto(`${s.base}/admin/reports/spend?period=year`, { waitUntil: 'load' });
		const row = page.locator('main table tbody tr', { hasText: alice.department });
		assert.equal(await row.count(), 1, 'a row for alice\'s department');
	});

	it('grace changes a report\'s choices; a wrong date is said next to its field', async () => {
		const { page, watch } = s.grace;
		await page.goto(`${s.base}/admin/reports/spend`, { waitUntil: 'load' });
		await page.getByLabel('By', { exact: true }).selectOption('site');
		await page.getByLabel('Per', { exact: true }).selectOption('quarter');
		await follow(page, page.getByRole('button', { name: 'Show' }), /\/admin\/reports\/spend\?period=quarter&by=site/);
		await page.locator('main table tbody tr', { hasText: alice.site }).first().waitFor();
		await check(s.grace, 'console-report-spend-by-site');

		/* a date the calendar does not have, typed into the address */
		await page.goto(`${s.base}/admin/reports/spend?from=2026-02-30`, { waitUntil: 'load' });
		const field = page.getByLabel('From', { exact: true });
		assert.equal(await field.getAttribute('aria-invalid'), 'true');
		assert.equal(await field.getAttribute('aria-describedby'), 'report-from-error');
		assert.match(await page.locator('#report-from-error').innerText(), /YYYY-MM-DD/);
		const seen = watch.take();
		assert.ok(seen.length >= 1 && seen.every((x) => /\b400\b/.test(x)), `only the refused choice's 400: ${seen}`);
		await a11yAssert(page, 'en', 'refused');
	});

	it('grace downloads a report as CSV: the same rows as its JSON', async () => {
		const { page } = s.grace;
		await page.goto(`${s.base}/admin/reports/products?rank=quantity`, { waitUntil: 'load' });
		const [download] = await Promise.all([
			page.waitForEvent('download'),
			page.getByRole('link', { name: 'Download as CSV' }).click(),
		]);
		assert.match(download.suggestedFilename(), /^report-products-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/);
		const text = fs.readFileSync(await download.path(), 'utf8');
		const [head, ...cells] = csvParse(text);
		assert.deepEqual(head, ['rank', 'product', 'name', 'orders', 'quantity', 'amount', 'currency']);
		const rows = cells.map((c) => Object.fromEntries(head.map((k, i) => [k, c[i]])));
		const api = await page.request.get(`${s.base}/api/v1/admin/reports/products?rank=quantity`);
		assert.equal(api.status(), 200);
		const rep = await api.json();
		assert.deepEqual(rows.map((x) => [x.product, Number(x.quantity), Number(x.amount)]),
			rep.rows.map((x) => [x.product, x.quantity, x.amount]));
		assert.ok(rows.some((x) => x.product === item.product.slug && Number(x.quantity) === 2),
			'alice\'s item: three ordered, one cancelled');
		s.grace.watch.assertNone('download');
	});

	it('grace searches the audit log for the cancellation and opens the entry with its diff', async () => {
		const { page } = s.grace;
		await follow(page, page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit log' }),
			`${s.base}/admin/audit`);
		await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
		await check(s.grace, 'console-audit');
		const search = page.getByRole('search', { name: 'Search the audit log' });
		await search.getByLabel('Action', { exact: true }).selectOption('order.cancel');
		await follow(page, search.getByRole('button', { name: 'Search' }), /\/admin\/audit\?.*action=order\.cancel/);
		const rows = page.locator('main table tbody tr');
		assert.equal(await rows.count(), 1, 'one cancellation');
		const text = await rows.first().innerText();
		assert.ok(text.includes('Dave Lindqvist') && text.includes(s.ref) && text.includes('127.0.0.1'),
			`who, what and from where: ${text}`);
		await check(s.grace, 'console-audit-search');
		await Promise.all([page.waitForURL(/\/admin\/audit\/\d+$/, { waitUntil: 'load' }),
			rows.first().getByRole('link', { name: /Before and after/ }).click()]);
		await page.getByRole('heading', { level: 1, name: /order\.cancel/ }).waitFor();
		const added = await page.locator('pre.diff .diff-add').allInnerTexts();
		assert.ok(added.some((l) => l.includes(REASON)), `the reason is an added line: ${added.join('\n')}`);
		/* one item of three cancelled: the order stays placed, a line kept as it was */
		assert.match(await page.locator('pre.diff').innerText(), /^ {4}"status": "placed"$/m);
		assert.equal(await page.locator('main').getByRole('link', { name: s.ref }).count(), 1, 'a link to the order');
		await check(s.grace, 'console-audit-entry');
	});

	it('at phone width the reports and the log fit the screen', async () => {
		await suitePhoneCheck(s, s.grace, 'en', ['/admin/reports/spend', '/admin/reports/orders', '/admin/audit']
			.map((p) => [p, `console-phone${p.replace(/\//g, '-')}`]));
	});
});
