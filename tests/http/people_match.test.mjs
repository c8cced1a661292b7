// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * people_match.test.mjs - `[people] match_login = email` on the real
 * server with the real provider: HR imports frank under a provisional
 * employee id with his email (`livery people import`); his first sign-in
 * takes that record (no second frank), the audit log says it was matched
 * by email, and his claims then fill in what the provider knows (his
 * employee id). An imported record whose email matches nobody who signs
 * in stays unlinked. (Matching by employee id, the default, is in
 * console_people.test.mjs; the rules themselves in test_people_admin.c.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { accountByUsername } from '../idp/accounts.mjs';
import { stackStopAssert } from './lib/console.mjs';
import { env, skipReason, startStack, withLogs } from './lib/harness.mjs';
import { MONEY_CSV, dbInt, dbQuery, moneyLogin } from './lib/money.mjs';

const T = { timeout: 120000 };

describe('[people] match_login = email', { skip: skipReason }, () => {
	let stack;
	let livery;
	const it = (name, fn) => test(name, T, withLogs(() => stack, fn));
	const frank = accountByUsername('frank').claims;

	before(async () => {
		stack = await startStack({
			livery: { catalogCsv: MONEY_CSV, config: { people: { match_login: 'email' } } },
		});
		livery = stack.livery;
	});
	after(() => stackStopAssert(stack));

	it('HR imports frank under a provisional id; his first sign-in takes that record by email', async () => {
		const file = path.join(livery.tmpDir, 'people.csv');
		fs.writeFileSync(file, 'employee_id,name,email,department,site,hire_date\n'
			+ `NEW-17,Frank Weber,${frank.email.toUpperCase()},Guest Services,Paris park,2019-04-01\n`
			+ 'NEW-18,Nobody Yet,nobody.yet@example.com,Warehouse,Rotterdam,2026-01-05\n');
		const r = spawnSync(env.bin, ['people', 'import', '--config', livery.configPath, file], { encoding: 'utf8' });
		assert.equal(r.status, 0, r.stderr);
		const id = dbInt(livery, "SELECT id FROM employees WHERE employee_id = 'NEW-17'");
		const before = dbInt(livery, 'SELECT count(*) FROM employees');

		await moneyLogin(stack, 'frank');
		assert.equal(dbInt(livery, 'SELECT count(*) FROM employees'), before, 'no second frank');
		/* the same row, now linked to his sign-in; the provider's employee id replaces the provisional one */
		assert.equal(dbQuery(livery, "SELECT employee_id || ' ' || (iss IS NOT NULL) || ' ' || hire_date"
			+ ` FROM employees WHERE id = ${id}`), `${frank.employee_id} 1 2019-04-01`);
		assert.equal(dbInt(livery, "SELECT count(*) FROM audit_log WHERE action = 'employee.login_linked'"
			+ ` AND entity_id = '${id}' AND json_extract(after, '$.matched_by') = 'email'`), 1);
		/* the one nobody signed in as stays as HR imported it */
		assert.equal(dbQuery(livery, "SELECT (iss IS NULL) || ' ' || name FROM employees WHERE employee_id = 'NEW-18'"),
			'1 Nobody Yet');
	});

	it('a second sign-in finds him by his sign-in, not again by email', async () => {
		const before = dbInt(livery, "SELECT count(*) FROM audit_log WHERE action = 'employee.login_linked'");
		await moneyLogin(stack, 'frank');
		assert.equal(dbInt(livery, "SELECT count(*) FROM audit_log WHERE action = 'employee.login_linked'"), before);
		assert.equal(dbInt(livery, `SELECT count(*) FROM employees WHERE employee_id = '${frank.employee_id}'`), 1);
	});
});
