// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * console_people.test.mjs - the console's People area against the real
 * binary and the real provider. carol (hr_admin) lists and searches the
 * employees with their balances (the API agrees); uploads HR's file
 * through the page's form (multipart), then through the API (text/csv),
 * which adds employees who have never signed in, one audit entry with the
 * file's name and SHA-256; a broken file is refused with every bad line
 * and nothing written; frank then signs in for the first time and is the
 * employee HR imported (same row, HR's hire date kept); one employee's
 * page shows their facts, balances, ledger, orders and policies; the
 * status form refuses a change without a reason (next to the field) and
 * then sets alice on leave, which is audited, shown on her page, keeps
 * her signed in and refuses her checkout; the API sets bob as left, whose
 * session ends at once. grace (auditor) reads every page with no form
 * that changes anything and is refused every change; dave (store_admin)
 * is refused the whole area.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe } from 'node:test';

import { auditCount, consoleIt, consoleSuiteDeclare, formPost, pageGet, uploadPost } from './lib/console.mjs';
import { skipReason } from './lib/harness.mjs';
import { MONEY_CSV, assertApiError, dbInt, dbQuery, keyNew, moneyLogin, programmeCreate } from './lib/money.mjs';

describe('the console: people', { skip: skipReason }, () => {
	const s = consoleSuiteDeclare({
		stack: { livery: { catalogCsv: MONEY_CSV } },
		setup: ({ livery }) => programmeCreate(livery, {
			slug: 'uniform', name: 'Uniform allowance', unit: 'money', amount: 20000, period: 'yearly',
			reset: 'calendar', categories: ['uniforms'], overage: 'deny', position: 1,
		}),
		users: ['carol', 'grace', 'alice', 'bob', 'dave'],
	});
	const { u } = s;
	const it = consoleIt(s);

	/* HR's file (a CSV), as the import page's form sends it; fields: api's CSRF token unless given */
	const upload = (api, file, fields) => uploadPost(api, '/admin/people/import', file && { ...file, type: 'text/csv' }, fields);
	const employees = () => dbInt(s.livery, 'SELECT count(*) FROM employees');
	const audits = (action) => auditCount(s.livery, { action });

	it('the list: every employee with their balance, searched and filtered; the API agrees', async () => {
		/* alice opens her allowances once: her grant is written */
		assert.equal(await u.alice.balance('uniform'), 20000);
		let r = await pageGet(u.carol, '/admin/people');
		assert.equal(r.status, 200, r.body.slice(0, 300));
		assert.match(r.body, /<a href="\/admin\/people\/E1001">Alice Martin<\/a> <span class="mono">E1001<\/span>/);
		assert.match(r.body, /Uniform allowance: €200\.00/);
		assert.match(r.body, /href="\/admin\/people\/import">Import employees</);
		r = await pageGet(u.carol, '/admin/people?q=okafor');
		assert.match(r.body, /Bob Okafor/);
		assert.doesNotMatch(r.body, /Alice Martin/);
		r = await pageGet(u.carol, `/admin/people?department=${encodeURIComponent('Retail Banking')}`);
		assert.match(r.body, /Alice Martin/);
		assert.doesNotMatch(r.body, /Bob Okafor/);
		assert.match(r.body, /<option value="Retail Banking" selected>/);
		r = await pageGet(u.carol, '/admin/people?q=nobody-at-all');
		assert.match(r.body, /No employee matches this search/);
		assert.equal((await pageGet(u.carol, '/admin/people?status=gone')).status, 400);
		const a = await u.carol.get('/api/v1/admin/employees?q=E100&per_page=2');
		assert.equal(a.status, 200, a.body);
		assert.equal(a.json().total, 5);
		assert.equal(a.json().pages, 3);
		assert.equal(a.json().employees.length, 2);
		const alice = (await u.carol.get('/api/v1/admin/employees?q=alice')).json().employees[0];
		assert.equal(alice.employee_id, 'E1001');
		assert.deepEqual(alice.balances.map((b) => [b.programme, b.balance]), [['uniform', 20000]]);
		assertApiError(await u.carol.get('/api/v1/admin/employees?status=gone'), 400, 'bad_parameter');
		assertApiError(await u.carol.get('/api/v1/admin/employees?per_page=201'), 400, 'bad_parameter');
	});

	it('the import form adds employees before they sign in, with one audit entry', async () => {
		const text = '\ufeffemployee_id,name,email,department,site,hire_date,manager_employee_id\r\n'
			+ 'E3001,"Laurent, Zoé",zoe.laurent@example.com,Retail Banking,Lyon Part-Dieu branch,2026-01-05,E1005\r\n'
			+ 'E3002,Paul Roux,,Warehouse,Rotterdam distribution centre,,E1004\r\n'
			+ 'E1006,Frank Weber,frank.weber@example.com,Guest Services,Paris park,2019-04-01,\r\n';
		const before = employees();
		const r = await upload(u.carol, { name: 'new-hires.csv', text });
		assert.equal(r.status, 303, r.body.slice(0, 500));
		assert.match(r.rawLocation, /^\/admin\/people\?done=imported&inserted=3&updated=0&unchanged=0$/);
		assert.equal(employees(), before + 3);
		assert.equal(dbInt(s.livery, "SELECT count(*) FROM employees WHERE employee_id IN ('E3001', 'E3002', 'E1006')"
			+ ' AND iss IS NULL AND sub IS NULL'), 3);
		const sha = crypto.createHash('sha256').update(text).digest('hex');
		assert.equal(dbQuery(s.livery, "SELECT json_extract(after, '$.file') || ' ' || json_extract(after, '$.sha256')"
			+ " || ' ' || actor_label FROM audit_log WHERE action = 'people.import'"), `new-hires.csv ${sha} Carol Diaz`);
		const list = await pageGet(u.carol, r.rawLocation);
		assert.match(list.body, /The file is imported: 3 new employees, 0 updated, 0 unchanged\./);
		const q = await pageGet(u.carol, '/admin/people?q=E3001');
		assert.match(q.body, /Laurent, Zoé/);
		assert.match(q.body, /Not signed in yet/);
	});

	it('a broken file is refused with every bad line, and nothing is written', async () => {
		const before = employees();
		const imports = audits('people.import');
		const text = 'employee_id,name,email,hire_date\n'
			+ 'E4001,Ok Person,ok@example.com,2025-01-01\n'
			+ 'E4002,,bad-mail,2025-02-30\n'
			+ 'E4001,Again,,\n'
			+ 'E4003,Latin \xe9,,\n';
		let r = await upload(u.carol, { name: 'broken.csv', text: Buffer.from(text, 'latin1') });
		assert.equal(r.status, 422, r.body.slice(0, 500));
		assert.match(r.body, /What to correct in broken\.csv/);
		assert.match(r.body, /Errors found: 5\./);
		assert.match(r.body, /<td class="num">3<\/td><td class="mono">name<\/td><td>The name is empty/);
		assert.match(r.body, /<td class="num">3<\/td><td class="mono">email<\/td><td>&quot;bad-mail&quot; is not an email address/);
		assert.match(r.body, /<td class="num">3<\/td><td class="mono">hire_date<\/td>/);
		assert.match(r.body, /<td class="num">4<\/td><td class="mono">employee_id<\/td><td>The employee id &quot;E4001&quot; is already on line 2/);
		assert.match(r.body, /<td class="num">5<\/td><td class="mono">name<\/td><td>This value is not valid UTF-8 text/);
		assert.equal(employees(), before);
		assert.equal(audits('people.import'), imports);
		/* no file at all */
		r = await upload(u.carol, null);
		assert.equal(r.status, 400);
		assert.match(r.body, /Choose the CSV file to import/);
		/* the header names its columns */
		r = await upload(u.carol, { name: 'h.csv', text: 'id,name\nE1,x\n' });
		assert.equal(r.status, 422);
		assert.match(r.body, /&quot;id&quot; is not a column of the employee file\. The columns are: employee_id, email, name/);
		/* the CSRF token is required in the multipart body too */
		r = await upload(u.carol, { name: 'x.csv', text: 'employee_id,name\nE9,x\n' }, { csrf: 'forged' });
		assert.equal(r.status, 403);
		assert.equal(employees(), before);
	});

	it('the API takes the file as text/csv: 200 with the counts, 422 with every error', async () => {
		const before = employees();
		let r = await u.carol.request('POST', '/api/v1/admin/employees/import?filename=api.csv', {
			body: 'employee_id,name,department\nE3002,Paul Roux,Logistics\nE3003,Ines Diaz,Retail Banking\n',
			type: 'text/csv',
		});
		assert.equal(r.status, 200, r.body);
		assert.deepEqual({ ...r.json(), sha256: undefined }, {
			rows: 2, inserted: 1, updated: 1, unchanged: 0, status_changes: 0, sha256: undefined,
		});
		assert.equal(employees(), before + 1);
		assert.equal(dbQuery(s.livery, "SELECT department FROM employees WHERE employee_id = 'E3002'"), 'Logistics');
		/* the update is audited with the fields before and after */
		assert.equal(dbInt(s.livery, "SELECT count(*) FROM audit_log WHERE action = 'employee.import_update' AND"
			+ " json_extract(before, '$.department') = 'Warehouse' AND json_extract(after, '$.department') = 'Logistics'"), 1);
		r = await u.carol.request('POST', '/api/v1/admin/employees/import', {
			body: 'employee_id,name,email\nE5001,A,a@example.com\nE5002,B,A@example.com\nE5003,,\n', type: 'text/csv',
		});
		const err = assertApiError(r, 422, 'import_invalid');
		assert.ok(err);
		assert.deepEqual(r.json().errors.map((e) => [e.line, e.column]), [[3, 'email'], [4, 'name']]);
		assert.match(r.json().errors[0].message, /The email "A@example.com" is already on line 2/);
		assert.equal(employees(), before + 1);
		assertApiError(await u.carol.post('/api/v1/admin/employees/import', { csv: 'x' }), 415, 'unsupported_media_type');
		/* an email another employee has, who is not in the file */
		r = await u.carol.request('POST', '/api/v1/admin/employees/import', {
			body: 'employee_id,name,email\nE5004,Copy,alice.martin@example.com\n', type: 'text/csv',
		});
		assert.equal(r.status, 422);
		assert.match(r.json().errors[0].message, /already the email of Alice Martin \(E1001\), who is not in this file/);
	});

	it('frank signs in for the first time and is the employee HR imported', async () => {
		const id = dbInt(s.livery, "SELECT id FROM employees WHERE employee_id = 'E1006'");
		const before = employees();
		u.frank = await moneyLogin(s.stack, 'frank');
		assert.equal(employees(), before, 'no second frank');
		assert.equal(dbQuery(s.livery, "SELECT id || ' ' || hire_date || ' ' || (iss IS NOT NULL) || ' ' || department"
			+ " FROM employees WHERE employee_id = 'E1006'"), `${id} 2019-04-01 1 Guest Services`);
		assert.equal(dbInt(s.livery, "SELECT count(*) FROM audit_log WHERE action = 'employee.login_linked'"
			+ ` AND entity_id = '${id}' AND json_extract(after, '$.matched_by') = 'employee_id'`), 1);
		const r = await pageGet(u.carol, '/admin/people/E1006');
		assert.match(r.body, /Last signed in on/);
		assert.match(r.body, /First sign-in linked to the imported employee/);
	});

	it("one employee's page: facts, balances, ledger, orders, policies", async () => {
		const order = await u.alice.checkout({ lines: [{ sku: 'T-SHIRT-M', quantity: 1 }], delivery: { method: 'site' } }, keyNew());
		assert.equal(order.status, 201, order.body);
		const ref = order.json().ref;
		const r = await pageGet(u.carol, '/admin/people/E1001');
		assert.equal(r.status, 200, r.body.slice(0, 300));
		assert.match(r.body, /<h1>Alice Martin<\/h1>/);
		assert.match(r.body, /<dt>Department<\/dt><dd>Retail Banking<\/dd>/);
		assert.match(r.body, /<dt>Uniform allowance<\/dt><dd>€170\.00<\/dd>/);
		assert.match(r.body, new RegExp(`<span class="mono">${ref}</span>`));
		assert.match(r.body, /<td>Order<\/td>/);
		assert.match(r.body, /<td>Granted<\/td>/);
		assert.match(r.body, /Policies that apply/);
		assert.match(r.body, /action="\/admin\/people\/E1001\/status"/);
		const a = await u.carol.get('/api/v1/admin/employees/E1001');
		assert.equal(a.status, 200, a.body);
		assert.equal(a.json().employee.status, 'active');
		assert.deepEqual(a.json().ledger.entries.map((e) => [e.kind, e.amount]), [['debit', -3000], ['grant', 20000]]);
		assert.equal(a.json().orders[0].ref, ref);
		assert.ok(Array.isArray(a.json().policies));
		assert.equal((await pageGet(u.carol, '/admin/people/E0000')).status, 404);
		assertApiError(await u.carol.get('/api/v1/admin/employees/E0000'), 404, 'employee_not_found');
	});

	it('the status form needs a reason; on leave is audited and stops the checkout, not the sign-in', async () => {
		let r = await formPost(u.carol, '/admin/people/E1001/status', { csrf: u.carol.csrf, status: 'on_leave', reason: ' ' });
		assert.equal(r.status, 400, r.body.slice(0, 300));
		assert.match(r.body, /id="person-reason"[^>]*aria-invalid="true" aria-describedby="person-reason-error"/);
		assert.match(r.body, /<p class="field-error" id="person-reason-error" role="alert">Say why the status changes/);
		assert.match(r.body, /<option value="on_leave" selected>/, 'what was chosen is kept');
		assert.equal(dbQuery(s.livery, "SELECT status FROM employees WHERE employee_id = 'E1001'"), 'active');
		const ledger = dbInt(s.livery, 'SELECT count(*) FROM allowance_ledger');
		r = await formPost(u.carol, '/admin/people/E1001/status', { csrf: u.carol.csrf, status: 'on_leave', reason: 'Parental leave until March' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(r.rawLocation, '/admin/people/E1001?done=status');
		assert.equal(dbQuery(s.livery, "SELECT status FROM employees WHERE employee_id = 'E1001'"), 'on_leave');
		assert.equal(dbInt(s.livery, 'SELECT count(*) FROM allowance_ledger'), ledger, 'the ledger is kept');
		assert.equal(dbQuery(s.livery, "SELECT actor_label || ' ' || json_extract(after, '$.reason') FROM audit_log"
			+ " WHERE action = 'employee.status'"), 'Carol Diaz Parental leave until March');
		r = await pageGet(u.carol, r.rawLocation);
		assert.match(r.body, /The status is changed/);
		assert.match(r.body, /<span class="badge badge-large badge-warning">On leave<\/span>/);
		assert.match(r.body, /<p class="timeline-title">Status changed<\/p>/);
		assert.match(r.body, /<p class="timeline-reason">Parental leave until March<\/p>/);
		/* alice is still signed in, and cannot order */
		assert.equal((await pageGet(u.alice, '/')).status, 200);
		const co = await u.alice.checkout({ lines: [{ sku: 'T-SHIRT-M', quantity: 1 }], delivery: { method: 'site' } }, keyNew());
		assert.equal(co.status, 403, co.body);
		assert.match(co.body, /not_active/);
		/* the same status again changes nothing */
		r = await formPost(u.carol, '/admin/people/E1001/status', { csrf: u.carol.csrf, status: 'on_leave', reason: 'again' });
		assert.equal(r.rawLocation, '/admin/people/E1001?done=unchanged');
		assert.equal(audits('employee.status'), 1);
	});

	it('the API sets bob as left: his session ends, the ledger stays', async () => {
		let r = await u.carol.put('/api/v1/admin/employees/E1002/status', { status: 'left' });
		assert.equal(r.status, 422, r.body);
		assert.deepEqual(r.json().errors.map((e) => e.field), ['reason']);
		r = await u.carol.put('/api/v1/admin/employees/E1002/status', { status: 'retired', reason: 'x' });
		assert.equal(r.status, 422);
		assertApiError(await u.carol.put('/api/v1/admin/employees/E1002/status', { status: 'left', reason: 'x', extra: 1 }), 400, 'invalid_field');
		r = await u.carol.put('/api/v1/admin/employees/E1002/status', { status: 'left', reason: 'Resigned' });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().changed, true);
		assert.equal(r.json().employee.status, 'left');
		const me = await u.bob.get('/api/v1/me');
		assert.equal(me.status, 403, me.body);
		assert.match(me.body, /employee_refused/);
		assertApiError(await u.carol.put('/api/v1/admin/employees/E0000/status', { status: 'left', reason: 'x' }), 404, 'employee_not_found');
	});

	it('grace (auditor) reads everything and changes nothing; dave (store admin) is refused the area', async () => {
		let r = await pageGet(u.grace, '/admin/people');
		assert.equal(r.status, 200);
		assert.match(r.body, /The import file&#39;s format|The import file's format/);
		r = await pageGet(u.grace, '/admin/people/import');
		assert.equal(r.status, 200);
		assert.doesNotMatch(r.body, /<form[^>]*action="\/admin\/people\/import"/);
		r = await pageGet(u.grace, '/admin/people/E1001');
		assert.equal(r.status, 200);
		assert.doesNotMatch(r.body, /<form[^>]*method="post"[^>]*action="\/admin\/people/);
		assert.match(r.body, /Parental leave until March/);
		const before = employees();
		r = await upload(u.grace, { name: 'g.csv', text: 'employee_id,name\nE7001,G\n' });
		assert.equal(r.status, 403);
		r = await formPost(u.grace, '/admin/people/E1001/status', { csrf: u.grace.csrf, status: 'active', reason: 'x' });
		assert.equal(r.status, 403);
		assertApiError(await u.grace.put('/api/v1/admin/employees/E1001/status', { status: 'active', reason: 'x' }), 403, 'forbidden');
		assert.equal((await u.grace.get('/api/v1/admin/employees')).status, 200);
		assert.equal(employees(), before);
		assert.equal(dbQuery(s.livery, "SELECT status FROM employees WHERE employee_id = 'E1001'"), 'on_leave');
		assert.equal((await pageGet(u.dave, '/admin/people')).status, 403);
		assertApiError(await u.dave.get('/api/v1/admin/employees'), 403, 'forbidden');
	});
});
