// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * console_allowances.test.mjs - the console's Allowances area against the
 * real binary and the real provider. carol (hr_admin) creates a programme
 * in the form: every field in error is named next to its field and
 * nothing is stored; a good form is previewed with the numbers the
 * audience gives, and saved only with the digest of that preview; alice
 * then has the allowance. A change is previewed ("adds … to the next grant
 * of …"), applies from the next period (alice's balance now is unchanged,
 * the programme says what waits) and is audited with before and after.
 * The JSON API: one programme, a change with every field error (422) or a
 * stale version (412), the preview, the covered employees. Adjustments
 * need a reason and are audited with the address. A period close, offered
 * for the ended periods of a programme that began last year, runs once
 * (the page, the API and `livery allowance close` all refuse a second one,
 * naming when and by whom) and leaves every closed balance at zero.
 * Retirement needs the identifier typed, keeps the current balance and
 * refuses every later change. grace (auditor) reads every page without a
 * single form that changes anything.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe } from 'node:test';

import { auditCount, consoleIt, consoleSuiteDeclare, formPost, pageGet } from './lib/console.mjs';
import { env, skipReason } from './lib/harness.mjs';
import { MONEY_CSV, assertApiError, dbInt, dbQuery } from './lib/money.mjs';

describe('the console: allowances', { skip: skipReason }, () => {
	const s = consoleSuiteDeclare({
		stack: { livery: { catalogCsv: MONEY_CSV } }, users: ['carol', 'alice', 'bob', 'grace', 'erin'],
	});
	const { u } = s;
	const it = consoleIt(s);

	const programmes = () => dbInt(s.livery, 'SELECT count(*) FROM allowance_programmes');
	const audits = (action, slug) => auditCount(s.livery,
		{ action, entity: 'allowance_programme', entity_id: slug, actor_label: 'Carol Diaz' }, 'address IS NOT NULL');
	const retail = () => dbInt(s.livery, "SELECT count(*) FROM employees WHERE department = 'Retail Banking' AND status = 'active'");
	const UNIFORM = {
		slug: 'console-uniform', name: 'Console uniform', unit: 'money', amount: '300.00', period: 'yearly',
		reset: 'calendar', rollover_cap: '0', eligibility_days: '0', aud_departments: 'Retail Banking',
		categories: 'uniforms', overage: 'approval', position: '1',
	};

	it('the form names every field in error and stores nothing', async () => {
		const r = await formPost(u.carol, '/admin/allowances/new', {
			...UNIFORM, slug: 'Bad Slug', name: '', amount: 'lots', period: 'weekly', aud_sites: `${'x'.repeat(300)}`,
			eligibility_days: '-4', action: 'preview',
		});
		assert.equal(r.status, 400, r.body.slice(0, 400));
		for (const id of ['a-slug-error', 'a-name-error', 'a-amount-error', 'a-period-error', 'aud-sites-error', 'a-days-error'])
			assert.match(r.body, new RegExp(`id="${id}"`), `${id} is shown`);
		assert.match(r.body, /aria-invalid="true"/);
		assert.match(r.body, /value="lots"/, 'what was typed is kept');
		assert.doesNotMatch(r.body, /name="action" value="save"/, 'no save without a preview');
		assert.equal(programmes(), 0);
	});

	let digest;
	it('a good form is previewed with the audience\'s numbers, and saved only with that preview\'s digest', async () => {
		let r = await formPost(u.carol, '/admin/allowances/new', { ...UNIFORM, action: 'preview' });
		assert.equal(r.status, 200, r.body.slice(0, 400));
		const n = retail();
		assert.ok(n >= 2, 'alice and erin are in Retail Banking');
		assert.match(r.body, new RegExp(`Saving gives ${n} employees €300\\.00 each now, for \\d{4}\\.`));
		assert.match(r.body, /Then €300\.00 again on 1 January \d{4}/);
		digest = r.body.match(/name="digest" value="([0-9a-f]{64})"/)[1];
		assert.match(r.body, /name="action" value="save"/);
		assert.equal(programmes(), 0, 'the preview stored nothing');
		/* a changed form with the old digest is previewed again, not saved */
		r = await formPost(u.carol, '/admin/allowances/new', { ...UNIFORM, amount: '310.00', digest, action: 'save' });
		assert.equal(r.status, 200, r.body.slice(0, 400));
		assert.match(r.body, /The form changed after its preview/);
		assert.match(r.body, /€310\.00 each/);
		assert.equal(programmes(), 0);
		r = await formPost(u.carol, '/admin/allowances/new', { ...UNIFORM, digest, action: 'save' });
		assert.equal(r.status, 303, r.body.slice(0, 400));
		assert.equal(r.headers.get('location'), '/admin/allowances/programmes/console-uniform?done=created');
		assert.equal(audits('allowance.programme_create', 'console-uniform'), 1);
		/* the same identifier again: said next to the field */
		r = await formPost(u.carol, '/admin/allowances/new', { ...UNIFORM, action: 'preview' });
		assert.equal(r.status, 422);
		assert.match(r.body, /id="a-slug-error"[^>]*>A programme with this identifier exists already/);
		/* alice has it now */
		assert.equal(await u.alice.balance('console-uniform'), 30000);
		r = await pageGet(u.carol, '/admin/allowances');
		assert.equal(r.status, 200);
		assert.match(r.body, /href="\/admin\/allowances\/programmes\/console-uniform">Console uniform</);
	});

	it('a change is previewed, applies from the next period and is audited', async () => {
		const n = retail();
		const fields = { ...UNIFORM, amount: '350.00', name: 'Console uniform 2' };
		delete fields.slug;
		let r = await formPost(u.carol, '/admin/allowances/programmes/console-uniform/edit', { ...fields, action: 'preview' });
		assert.equal(r.status, 200, r.body.slice(0, 400));
		assert.match(r.body, new RegExp(`It adds €50\\.00 to the next grant of ${n} employees, on 1 January \\d{4}\\.`));
		assert.match(r.body, /<th scope="row">Name<\/th><td>Console uniform<\/td><td>Console uniform 2<\/td>/);
		const d = r.body.match(/name="digest" value="([0-9a-f]{64})"/)[1];
		r = await formPost(u.carol, '/admin/allowances/programmes/console-uniform/edit', { ...fields, digest: d, action: 'save' });
		assert.equal(r.status, 303, r.body.slice(0, 400));
		assert.equal(r.headers.get('location'), '/admin/allowances/programmes/console-uniform?done=changed');
		/* this period keeps its grant and its name */
		assert.equal(await u.alice.balance('console-uniform'), 30000);
		const mine = (await u.alice.get('/api/v1/me/allowances')).json().allowances.find((a) => a.programme === 'console-uniform');
		assert.equal(mine.name, 'Console uniform');
		r = await pageGet(u.carol, '/admin/allowances/programmes/console-uniform?done=changed');
		assert.match(r.body, /The change is saved/);
		assert.match(r.body, /applies from the next period/);
		assert.match(r.body, /<td>€300\.00<\/td><td>€350\.00<\/td>/);
		assert.equal(dbInt(s.livery, "SELECT count(*) FROM audit_log WHERE action = 'allowance.programme_change'"
			+ ` AND before LIKE '%"amount":30000%' AND after LIKE '%"amount":35000%' AND address IS NOT NULL`), 1);
		/* the history on the page says who and what */
		assert.match(r.body, /Changed, for the periods that start from/);
	});

	it('the API: one programme, a change with every field error, a stale version, the preview, the people', async () => {
		let r = await u.carol.get('/api/v1/admin/allowance-programmes/console-uniform');
		assert.equal(r.status, 200, r.body);
		const p = r.json();
		assert.equal(p.in_force.amount, 30000);
		assert.equal(p.pending.amount, 35000);
		assert.equal(p.versions.length, 2);
		r = await u.carol.put('/api/v1/admin/allowance-programmes/console-uniform',
			{ name: '', amount: -1, unit: 'points', overage: 'maybe', colour: 'red' });
		assert.equal(r.status, 422, r.body);
		const fields = r.json().error.errors.map((e) => e.field).sort();
		assert.deepEqual(fields, ['amount', 'colour', 'name', 'overage', 'unit']);
		r = await u.carol.put('/api/v1/admin/allowance-programmes/console-uniform', { name: 'x', amount: 1 },
			{ headers: { 'if-match': `"${p.versions[0].version}"` } });
		assertApiError(r, 412, 'version_conflict');
		assertApiError(await u.carol.put('/api/v1/admin/allowance-programmes/nope', { name: 'x', amount: 1 }), 404,
			'programme_not_found');
		r = await u.carol.post('/api/v1/admin/allowance-programmes/preview',
			{ slug: 'console-uniform', name: 'Console uniform 2', amount: 25000, audience: { departments: ['Retail Banking'] },
				categories: ['uniforms'], overage: 'approval', position: 1 });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().kind, 'change');
		assert.equal(r.json().groups.less.employees, retail());
		assert.equal(r.json().groups.less.amount, 10000);
		r = await u.carol.post('/api/v1/admin/allowance-programmes/preview',
			{ slug: 'brand-new', name: 'N', unit: 'points', points_rate: 5, amount: 10, period: 'monthly' });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().kind, 'create');
		assert.equal(r.json().groups.now.employees, dbInt(s.livery, "SELECT count(*) FROM employees WHERE status = 'active'"));
		assert.equal(programmes(), 1, 'previews store nothing');
		r = await u.grace.get('/api/v1/admin/allowance-programmes/console-uniform/employees?per_page=1');
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().total, retail());
		assert.equal(r.json().employees.length, 1);
	});

	it('adjustments need a reason and are audited with the address', async () => {
		let r = await formPost(u.carol, '/admin/allowances/adjustments', {
			employee: 'E1001', programme: 'console-uniform', amount: '-12.50', reason: '  ',
		});
		assert.equal(r.status, 422, r.body.slice(0, 400));
		assert.match(r.body, /id="j-reason-error"/);
		r = await formPost(u.carol, '/admin/allowances/adjustments', {
			employee: 'E1002', programme: 'console-uniform', amount: '5', reason: 'goodwill',
		});
		assert.equal(r.status, 422);
		assert.match(r.body, /id="j-programme-error"[^>]*>This employee does not have this programme now/);
		r = await formPost(u.carol, '/admin/allowances/adjustments', {
			employee: 'E1001', programme: 'console-uniform', amount: '-12.50', reason: 'Lost badge holder',
		});
		assert.equal(r.status, 303, r.body.slice(0, 400));
		assert.equal(await u.alice.balance('console-uniform'), 28750);
		assert.equal(dbInt(s.livery, "SELECT count(*) FROM audit_log WHERE action = 'allowance.adjust' AND address IS NOT NULL"
			+ " AND actor_label = 'Carol Diaz' AND after LIKE '%Lost badge holder%'"), 1);
		r = await pageGet(u.grace, '/admin/allowances/adjustments');
		assert.equal(r.status, 200);
		assert.match(r.body, /Lost badge holder/);
		assert.doesNotMatch(r.body, /method="post" action="\/admin\/allowances/);
	});

	it('a period closes once: page, API and command line agree, and every closed balance is zero', async () => {
		/* a monthly programme that began about 400 days ago, with alice's balances read now */
		const since = Math.floor(Date.now() / 1000) - 400 * 86400;
		dbQuery(s.livery, 'INSERT INTO allowance_programmes (slug, name, audience, unit, amount, period, reset, prorate, '
			+ `rollover_cap, overage, position, created_at) VALUES ('monthly-cafe', 'Café', '{"employee_ids":["E1001","E1005"]}', `
			+ `'money', 1000, 'monthly', 'calendar', 0, 400, 'deny', 5, ${since})`);
		assert.equal(await u.alice.balance('monthly-cafe'), 1400, '1000 this month and 400 rolled in');
		let r = await u.carol.get('/api/v1/admin/allowance-programmes/monthly-cafe');
		const info = r.json();
		const toClose = info.to_close.map((x) => x.key);
		assert.ok(toClose.length >= 12, `ended periods are offered: ${toClose}`);
		const [last, before] = toClose;
		r = await pageGet(u.carol, '/admin/allowances/programmes/monthly-cafe');
		assert.match(r.body, new RegExp(`name="period" value="${last}"`));
		r = await formPost(u.carol, '/admin/allowances/programmes/monthly-cafe/close', { period: last });
		assert.equal(r.status, 303, r.body.slice(0, 400));
		assert.equal(r.headers.get('location'), `/admin/allowances/programmes/monthly-cafe?done=closed&period=${last}`);
		/* again: refused everywhere, saying when and by whom */
		r = await formPost(u.carol, '/admin/allowances/programmes/monthly-cafe/close', { period: last });
		assert.equal(r.status, 409);
		assert.match(r.body, new RegExp(`${last} was already closed on [^<]+ by Carol Diaz`));
		r = await u.carol.post('/api/v1/admin/allowance-programmes/monthly-cafe/close', { period: last });
		const err = assertApiError(r, 409, 'already_closed', /already closed on .* by Carol Diaz/);
		assert.equal(err.close.period, last);
		let cli = spawnSync(env.bin, ['allowance', 'close', '--config', s.livery.configPath, 'monthly-cafe', last], { encoding: 'utf8' });
		assert.equal(cli.status, 1, cli.stderr);
		assert.match(cli.stderr, /already closed on .* by Carol Diaz/);
		/* the command line closes another */
		cli = spawnSync(env.bin, ['allowance', 'close', '--config', s.livery.configPath, 'monthly-cafe', before], { encoding: 'utf8' });
		assert.equal(cli.status, 0, cli.stderr);
		assert.match(cli.stdout, new RegExp(`monthly-cafe ${before} closed: \\d+ balances`));
		assertApiError(await u.carol.post('/api/v1/admin/allowance-programmes/monthly-cafe/close', { period: before }),
			409, 'already_closed', /by cli/);
		/* refusals */
		assertApiError(await u.carol.post('/api/v1/admin/allowance-programmes/monthly-cafe/close',
			{ period: info.current.key }), 422, 'period_invalid', /has not ended yet/);
		assertApiError(await u.carol.post('/api/v1/admin/allowance-programmes/monthly-cafe/close', { period: '2001' }),
			422, 'period_invalid', /is not a period of monthly-cafe/);
		assertApiError(await u.carol.post('/api/v1/admin/allowance-programmes/monthly-cafe/close', {}), 400, 'invalid_field');
		/* one close row each, and every closed balance is zero (alice's read them lazily before) */
		assert.equal(dbInt(s.livery, "SELECT count(*) FROM period_closes c JOIN allowance_programmes p ON p.id = c.programme WHERE p.slug = 'monthly-cafe'"), 2);
		assert.equal(dbInt(s.livery, 'SELECT count(*) FROM (SELECT l.employee, l.period_key FROM allowance_ledger l JOIN allowance_programmes p '
			+ `ON p.id = l.programme WHERE p.slug = 'monthly-cafe' AND l.period_key IN ('${last}', '${before}') `
			+ 'GROUP BY 1, 2 HAVING sum(l.amount) <> 0)'), 0);
		/* erin never read hers: the close wrote them, exactly once */
		assert.equal(dbInt(s.livery, "SELECT count(*) FROM allowance_ledger l JOIN employees e ON e.id = l.employee JOIN allowance_programmes p "
			+ `ON p.id = l.programme WHERE p.slug = 'monthly-cafe' AND e.employee_id = 'E1005' AND l.period_key = '${last}' AND l.kind = 'expiry'`), 1);
		assert.equal(audits('allowance.period_close', 'monthly-cafe'), 1);
		r = await pageGet(u.carol, '/admin/allowances/programmes/monthly-cafe');
		assert.doesNotMatch(r.body, new RegExp(`name="period" value="${last}"`), 'no longer offered');
	});

	it('retiring needs the identifier typed; the balance stays until the period ends; no change after', async () => {
		let r = await formPost(u.carol, '/admin/allowances/programmes/console-uniform/retire', { confirm: 'console' });
		assert.equal(r.status, 400);
		assert.match(r.body, /id="r-confirm-error"/);
		r = await formPost(u.carol, '/admin/allowances/programmes/console-uniform/retire', { confirm: 'console-uniform' });
		assert.equal(r.status, 303, r.body.slice(0, 400));
		assert.equal(audits('allowance.programme_retire', 'console-uniform'), 1);
		assert.equal(await u.alice.balance('console-uniform'), 28750, 'spendable until the period ends');
		assertApiError(await u.carol.post('/api/v1/admin/allowance-programmes/console-uniform/retire', {}), 409, 'already_retired');
		assertApiError(await u.carol.put('/api/v1/admin/allowance-programmes/console-uniform', { name: 'x', amount: 1 }), 409,
			'programme_retired');
		r = await pageGet(u.carol, '/admin/allowances/programmes/console-uniform/edit');
		assert.equal(r.status, 409);
		r = await pageGet(u.carol, '/admin/allowances');
		assert.match(r.body, /Retired/);
	});

	it('the auditor reads every page and has no form that changes anything', async () => {
		for (const p of ['/admin/allowances', '/admin/allowances/new', '/admin/allowances/adjustments',
			'/admin/allowances/programmes/console-uniform', '/admin/allowances/programmes/monthly-cafe',
			'/admin/allowances/programmes/monthly-cafe/edit']) {
			const r = await pageGet(u.grace, p);
			assert.equal(r.status, 200, `${p}: ${r.status}`);
			assert.doesNotMatch(r.body, /method="post" action="\/admin\/allowances/, `${p} offers no change`);
		}
		const r = await formPost(u.grace, '/admin/allowances/programmes/monthly-cafe/close', { period: '2001-01' });
		assert.equal(r.status, 403);
		assert.equal((await pageGet(u.bob, '/admin/allowances')).status, 403);
		assert.equal((await pageGet(u.carol, '/admin/allowances/programmes/nope')).status, 404);
	});
});
