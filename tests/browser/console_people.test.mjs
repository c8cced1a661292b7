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
import { before } from 'node:test';

import { dbQuery, moneyLogin } from '../http/lib/money.mjs';
import { accountByUsername } from '../idp/accounts.mjs';
import {
	browserDescribe, follow, pageCheck, suiteDeclare, suiteIt, suitePersonOpen, suitePhoneCheck,
} from './lib/browser.mjs';

const CSV = 'employee_id,name,email,department,site,hire_date,manager_employee_id\n'
	+ 'E8001,Zoé Laurent,zoe.laurent@example.com,Retail Banking,Lyon Part-Dieu branch,2026-01-05,E1005\n'
	+ 'E8002,"Roux, Paul",paul.roux@example.com,Warehouse,Rotterdam distribution centre,2026-02-02,E1004\n';
const REASON = 'Parental leave until March';

browserDescribe('the console: HR imports employees and puts one on leave', () => {
	const s = suiteDeclare();
	const it = suiteIt(s);
	const bob = accountByUsername('bob').claims;

	before(async () => {
		await moneyLogin(s.stack, 'bob'); /* bob has signed in once */
	});

	it('carol imports a file of two new employees with the file input', async () => {
		s.carol = await suitePersonOpen(s, 'carol');
		const { page } = s.carol;
		await page.goto(`${s.base}/admin`);
		await follow(page, page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'People' }),
			`${s.base}/admin/people`);
		await page.getByRole('heading', { level: 1, name: 'People' }).waitFor();
		await pageCheck(s.carol, 'en', 'console-people-list');
		await follow(page, page.getByRole('link', { name: 'Import employees' }), `${s.base}/admin/people/import`);
		await page.getByRole('heading', { level: 1, name: 'Import employees' }).waitFor();
		await pageCheck(s.carol, 'en', 'console-people-import');
		await page.getByLabel(/The CSV file/).setInputFiles({
			name: 'new-hires.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV),
		});
		await follow(page, page.getByRole('button', { name: 'Import' }),
			`${s.base}/admin/people?done=imported&inserted=2&updated=0&unchanged=0`);
		await page.getByText('The file is imported: 2 new employees, 0 updated, 0 unchanged.').waitFor();
		for (const name of ['Zoé Laurent', 'Roux, Paul']) {
			const row = page.locator('main tbody tr', { has: page.getByRole('link', { name }) });
			assert.match(await row.innerText(), /Not signed in yet/, `${name} is listed, not signed in yet`);
		}
		assert.equal(dbQuery(s.stack.livery, "SELECT count(*) FROM employees WHERE employee_id IN ('E8001', 'E8002')"
			+ ' AND iss IS NULL'), '2');
		await pageCheck(s.carol, 'en', 'console-people-imported');
	});

	it('carol opens one of them', async () => {
		const { page } = s.carol;
		await follow(page, page.getByRole('link', { name: 'Zoé Laurent' }), `${s.base}/admin/people/E8001`);
		await page.getByRole('heading', { level: 1, name: 'Zoé Laurent' }).waitFor();
		const facts = await page.locator('main .facts').first().innerText();
		assert.ok(facts.includes('Retail Banking') && facts.includes('5 January 2026'), `the facts: ${facts}`);
		assert.ok(facts.includes('Not signed in yet: imported by HR'), `the facts: ${facts}`);
		await pageCheck(s.carol, 'en', 'console-people-employee');
	});

	it('carol sets bob on leave: a reason is required, then the change is in his history', async () => {
		const { page, watch } = s.carol;
		await page.goto(`${s.base}/admin/people?q=${bob.employee_id}`);
		await follow(page, page.getByRole('link', { name: bob.name }), `${s.base}/admin/people/${bob.employee_id}`);
		await page.getByRole('heading', { level: 1, name: bob.name }).waitFor();
		await page.getByLabel('New status').selectOption('on_leave');
		/* blanks pass the browser's own check (required), not the server's */
		await page.getByLabel('Reason (kept in the history)').fill('   ');
		await follow(page, page.getByRole('button', { name: 'Change the status' }),
			`${s.base}/admin/people/${bob.employee_id}/status`);
		const field = page.getByLabel('Reason (kept in the history)');
		const error = page.locator('#person-reason-error');
		assert.match(await error.innerText(), /Say why the status changes/);
		assert.equal(await field.getAttribute('aria-invalid'), 'true');
		assert.equal(await field.getAttribute('aria-describedby'), 'person-reason-error');
		assert.equal(await page.locator('.field-invalid').filter({ has: field }).filter({ has: error }).count(), 1);
		assert.equal(await page.getByLabel('New status').inputValue(), 'on_leave', 'the status chosen is kept');
		const seen = watch.take();
		assert.ok(seen.length >= 1 && seen.every((x) => /\b400\b/.test(x)), `only the refused form's 400: ${seen}`);
		await pageCheck(s.carol, 'en', 'console-people-status-error');

		await field.fill(REASON);
		await follow(page, page.getByRole('button', { name: 'Change the status' }),
			`${s.base}/admin/people/${bob.employee_id}?done=status`);
		await page.getByText('The status is changed.', { exact: false }).waitFor();
		const header = await page.locator('main .page-header').innerText();
		assert.match(header, /On leave/);
		const history = page.getByRole('region', { name: 'Changes' });
		const entry = history.locator('li', { hasText: 'Status changed' });
		const text = await entry.innerText();
		assert.ok(text.includes(REASON) && text.includes('Carol Diaz'), `the audit entry: ${text}`);
		assert.match(text, /status: active → on_leave/, `the change, field by field: ${text}`);
		assert.equal(dbQuery(s.stack.livery, `SELECT status FROM employees WHERE employee_id = '${bob.employee_id}'`),
			'on_leave');
		await pageCheck(s.carol, 'en', 'console-people-on-leave');
	});

	it('at phone width the list, the import and the employee fit the screen', async () => {
		await suitePhoneCheck(s, s.carol, 'en', [['/admin/people', 'console-people-phone'],
			['/admin/people/import', 'console-people-import-phone'],
			[`/admin/people/${bob.employee_id}`, 'console-people-employee-phone']]);
	});
});
