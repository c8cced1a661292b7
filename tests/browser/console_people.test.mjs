// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * console_people.test.mjs - HR imports employees and puts one on leave in
 * the console, in headless Chromium against the real binary and the real
 * test provider: carol (hr_admin) opens People, goes to the import page,
 * chooses a CSV of two new employees with the file input and sends it;
 * the list says what was imported and shows them, not signed in yet; she
 * opens one of them; then she opens bob (who has signed in), sets him on
 * leave - first without a reason, which is refused with the error next to
 * the field, then with one - and reads the change and its reason in the
 * history on his page. Every page passes the accessibility contract with
 * no console errors and no sideways scrolling, at desktop and phone
 * width; screenshots go to $LV_BUILD_DIR/artifacts/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { skipReason, startStack, withLogs } from '../http/lib/harness.mjs';
import { dbQuery, moneyLogin } from '../http/lib/money.mjs';
import { DEMO_PASSWORD, accountByUsername } from '../idp/accounts.mjs';
import {
	a11yAssert, browserLaunch, browserSkipReason, contextNew, failureSave, noSideScrollAssert, pageWatch,
	personOpen, shot,
} from './lib/browser.mjs';
import { demoCatalogPath } from './lib/demo.mjs';

const T = { timeout: 120000 };
const CSV = 'employee_id,name,email,department,site,hire_date,manager_employee_id\n'
	+ 'E8001,Zoé Laurent,zoe.laurent@example.com,Retail Banking,Lyon Part-Dieu branch,2026-01-05,E1005\n'
	+ 'E8002,"Roux, Paul",paul.roux@example.com,Warehouse,Rotterdam distribution centre,2026-02-02,E1004\n';
const REASON = 'Parental leave until March';

const skip = skipReason || browserSkipReason();
const suite = skip ? (name, fn) => test(name, { skip }, () => {}) : describe;

suite('the console: HR imports employees and puts one on leave', () => {
	let stack;
	let base;
	let browser;
	let current = null;
	const s = {};
	const bob = accountByUsername('bob').claims;

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
		await moneyLogin(stack, 'bob'); /* bob has signed in once */
	});
	after(async () => {
		for (const who of [s.carol, s.phone])
			await who?.ctx?.close().catch(() => {});
		await browser?.close().catch(() => {});
		await stack?.stop();
	});

	it('carol imports a file of two new employees with the file input', async () => {
		s.carol = await personOpen(browser, stack, 'carol', DEMO_PASSWORD);
		current = s.carol.page;
		const { page } = s.carol;
		await page.goto(`${base}/admin`);
		await follow(page, page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'People' }),
			`${base}/admin/people`);
		await page.getByRole('heading', { level: 1, name: 'People' }).waitFor();
		await check(s.carol, 'en', 'console-people-list');
		await follow(page, page.getByRole('link', { name: 'Import employees' }), `${base}/admin/people/import`);
		await page.getByRole('heading', { level: 1, name: 'Import employees' }).waitFor();
		await check(s.carol, 'en', 'console-people-import');
		await page.getByLabel(/The CSV file/).setInputFiles({
			name: 'new-hires.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV),
		});
		await follow(page, page.getByRole('button', { name: 'Import' }),
			`${base}/admin/people?done=imported&inserted=2&updated=0&unchanged=0`);
		await page.getByText('The file is imported: 2 new employees, 0 updated, 0 unchanged.').waitFor();
		for (const name of ['Zoé Laurent', 'Roux, Paul']) {
			const row = page.locator('main tbody tr', { has: page.getByRole('link', { name }) });
			assert.match(await row.innerText(), /Not signed in yet/, `${name} is listed, not signed in yet`);
		}
		assert.equal(dbQuery(stack.livery, "SELECT count(*) FROM employees WHERE employee_id IN ('E8001', 'E8002')"
			+ ' AND iss IS NULL'), '2');
		await check(s.carol, 'en', 'console-people-imported');
	});

	it('carol opens one of them', async () => {
		const { page } = s.carol;
		await follow(page, page.getByRole('link', { name: 'Zoé Laurent' }), `${base}/admin/people/E8001`);
		await page.getByRole('heading', { level: 1, name: 'Zoé Laurent' }).waitFor();
		const facts = await page.locator('main .facts').first().innerText();
		assert.ok(facts.includes('Retail Banking') && facts.includes('5 January 2026'), `the facts: ${facts}`);
		assert.ok(facts.includes('Not signed in yet: imported by HR'), `the facts: ${facts}`);
		await check(s.carol, 'en', 'console-people-employee');
	});

	it('carol sets bob on leave: a reason is required, then the change is in his history', async () => {
		const { page, watch } = s.carol;
		await page.goto(`${base}/admin/people?q=${bob.employee_id}`);
		await follow(page, page.getByRole('link', { name: bob.name }), `${base}/admin/people/${bob.employee_id}`);
		await page.getByRole('heading', { level: 1, name: bob.name }).waitFor();
		await page.getByLabel('New status').selectOption('on_leave');
		/* blanks pass the browser's own check (required), not the server's */
		await page.getByLabel('Reason (kept in the history)').fill('   ');
		await follow(page, page.getByRole('button', { name: 'Change the status' }),
			`${base}/admin/people/${bob.employee_id}/status`);
		const field = page.getByLabel('Reason (kept in the history)');
		const error = page.locator('#person-reason-error');
		assert.match(await error.innerText(), /Say why the status changes/);
		assert.equal(await field.getAttribute('aria-invalid'), 'true');
		assert.equal(await field.getAttribute('aria-describedby'), 'person-reason-error');
		assert.equal(await page.locator('.field-invalid').filter({ has: field }).filter({ has: error }).count(), 1);
		assert.equal(await page.getByLabel('New status').inputValue(), 'on_leave', 'the status chosen is kept');
		const seen = watch.take();
		assert.ok(seen.length >= 1 && seen.every((x) => /\b400\b/.test(x)), `only the refused form's 400: ${seen}`);
		await check(s.carol, 'en', 'console-people-status-error');

		await field.fill(REASON);
		await follow(page, page.getByRole('button', { name: 'Change the status' }),
			`${base}/admin/people/${bob.employee_id}?done=status`);
		await page.getByText('The status is changed.', { exact: false }).waitFor();
		const header = await page.locator('main .page-header').innerText();
		assert.match(header, /On leave/);
		const history = page.getByRole('region', { name: 'Changes' });
		const entry = history.locator('li', { hasText: 'Status changed' });
		const text = await entry.innerText();
		assert.ok(text.includes(REASON) && text.includes('Carol Diaz'), `the audit entry: ${text}`);
		assert.match(text, /status: active → on_leave/, `the change, field by field: ${text}`);
		assert.equal(dbQuery(stack.livery, `SELECT status FROM employees WHERE employee_id = '${bob.employee_id}'`),
			'on_leave');
		await check(s.carol, 'en', 'console-people-on-leave');
	});

	it('at phone width the list, the import and the employee fit the screen', async () => {
		s.phone = { ctx: await contextNew(browser, {
			viewport: { width: 360, height: 800 }, isMobile: true, hasTouch: true,
			storageState: await s.carol.ctx.storageState(),
		}) };
		const page = await s.phone.ctx.newPage();
		const watch = pageWatch(page, base);
		current = page;
		for (const [p, name] of [['/admin/people', 'console-people-phone'],
			['/admin/people/import', 'console-people-import-phone'],
			[`/admin/people/${bob.employee_id}`, 'console-people-employee-phone']]) {
			await page.goto(`${base}${p}`);
			await check({ page, watch }, 'en', name);
		}
	});
});
