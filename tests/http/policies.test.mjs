// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * policies.test.mjs - HR's catalog policies in the store, over HTTP and on
 * the command line, against the real livery binary and test provider:
 * the policies admin API (/api/v1/admin/policies) and its roles (carol,
 * hr_admin, may; alice gets 403; anonymous 401; changes need the CSRF
 * token); create, update (with If-Match), delete and the history with
 * before and after; a broken policy refused with 422 and every error's
 * JSON path, changing nothing; `livery policy check / import / list /
 * export / explain` spawned as a user would run them; and an import run
 * while the store serves, which the store takes up within seconds (a
 * refused one changes nothing).
 *
 * The steps share one stack and build on each other, so they run in order.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { env, skipReason, startStack, withLogs } from './lib/harness.mjs';
import { MONEY_CSV, MoneyApi, assertApiError, dbInt, moneyLogin } from './lib/money.mjs';

const T = { timeout: 90000 };
const BASE = '/api/v1/admin/policies';

const BRANCH = {
	name: 'branch-staff',
	title: 'Branch staff: uniforms',
	audience: { department: ['Retail Banking'] },
	visibility: { allow: { categories: ['uniforms'] } },
};
const BRANCH2 = { ...BRANCH, title: 'Branch staff: uniforms and logo wear',
	visibility: { allow: { categories: ['uniforms', 'logo-wear'] } } };
const WAREHOUSE = {
	name: 'warehouse',
	title: 'Warehouse',
	audience: { department: ['Warehouse'] },
	limits: [{ tag: 'uniform', max: 5, per: 'year', label: 'uniform items' }],
};
/* two errors: a maximum below 1 and a period that does not exist */
const BROKEN_LIMITS = [{ tag: 'uniform', max: 0, per: 'fortnight' }];

/* Runs `livery ARGS...`; returns { status, stdout, stderr }. */
function livery(args) {
	const r = spawnSync(env.bin, args, { encoding: 'utf8', timeout: 30000 });
	return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('catalog policies in the store', { skip: skipReason }, () => {
	let stack;
	let carol;
	let alice;
	let dir;
	const it = (name, fn) => test(name, T, withLogs(() => stack, fn));
	const historyCount = () => dbInt(stack.livery, 'SELECT count(*) FROM policy_history');

	before(async () => {
		stack = await startStack({ provider: 'real', livery: { catalogCsv: MONEY_CSV } });
		dir = stack.livery.tmpDir;
		carol = await moneyLogin(stack, 'carol');
		alice = await moneyLogin(stack, 'alice');
	});
	after(async () => {
		const r = await stack?.stop();
		if (r)
			assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null },
				`livery's exit after SIGTERM: ${JSON.stringify(r)}\n${stack.logs()}`);
	});

	it('anonymous clients get 401, employees without hr_admin 403', async () => {
		const anon = new MoneyApi(stack.client(), stack.base, null);
		assertApiError(await anon.get(BASE), 401, 'unauthenticated');
		assertApiError(await anon.post(BASE, BRANCH), 401, 'unauthenticated');
		assertApiError(await alice.get(BASE), 403, 'forbidden');
		assertApiError(await alice.post(BASE, BRANCH), 403, 'forbidden');
		assertApiError(await alice.get(`${BASE}/branch-staff/history`), 403, 'forbidden');
		assert.equal(dbInt(stack.livery, 'SELECT count(*) FROM policies'), 0);
	});

	it('carol lists (none yet) and creates a policy', async () => {
		let r = await carol.get(BASE);
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json(), { policies: [] });

		assertApiError(await carol.post(BASE, BRANCH, { csrf: false }), 403, 'csrf_invalid');
		r = await carol.post(BASE, BRANCH);
		assert.equal(r.status, 201, r.body);
		const p = r.json();
		assert.equal(p.name, 'branch-staff');
		assert.equal(p.version, 1);
		assert.equal(p.change, 'created');
		assert.deepEqual(p.policy, BRANCH);
		assert.equal(p.updated_by.label.length > 0, true);
		assert.equal(r.headers.get('location'), `${BASE}/branch-staff`);
		assert.equal(r.headers.get('etag'), '"1"');

		assertApiError(await carol.post(BASE, BRANCH), 409, 'policy_exists');
		r = await carol.get(BASE);
		assert.deepEqual(r.json().policies.map((x) => [x.name, x.title, x.version]),
			[['branch-staff', BRANCH.title, 1]]);
		assert.equal(dbInt(stack.livery,
			"SELECT count(*) FROM audit_log WHERE action = 'policy.create'"), 1);
	});

	it('carol updates it; a stale If-Match is refused with 412', async () => {
		let r = await carol.put(`${BASE}/branch-staff`, BRANCH2, { headers: { 'if-match': '"1"' } });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().version, 2);
		assert.equal(r.json().change, 'updated');
		assert.equal(r.json().policy.title, BRANCH2.title);

		assertApiError(await carol.put(`${BASE}/branch-staff`, BRANCH,
			{ headers: { 'if-match': '"1"' } }), 412, 'policy_changed');
		/* the same text again: nothing new */
		r = await carol.put(`${BASE}/branch-staff`, BRANCH2);
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().change, 'unchanged');
		assert.equal(r.json().version, 2);
		assertApiError(await carol.put(`${BASE}/nobody`, { ...BRANCH, name: 'nobody' }), 404,
			'policy_not_found');
		assertApiError(await carol.put(`${BASE}/branch-staff`, BRANCH, { csrf: false }), 403,
			'csrf_invalid');
	});

	it('a broken policy is refused with every path, and changes nothing', async () => {
		const before = historyCount();
		let r = await carol.put(`${BASE}/branch-staff`, { ...BRANCH2, limits: BROKEN_LIMITS });
		let err = assertApiError(r, 422, 'policy_invalid');
		const paths = err.errors.map((e) => e.path);
		assert.ok(paths.some((p) => p.startsWith('$.limits[0].max')), JSON.stringify(err.errors));
		assert.ok(paths.some((p) => p.startsWith('$.limits[0].per')), JSON.stringify(err.errors));
		for (const e of err.errors) {
			assert.equal(typeof e.origin, 'string');
			assert.ok(e.message.length > 0);
			assert.equal(typeof e.hint, 'string');
		}
		/* a new broken policy, and one with no name */
		r = await carol.post(BASE, { ...WAREHOUSE, limits: BROKEN_LIMITS });
		assertApiError(r, 422, 'policy_invalid');
		r = await carol.post(BASE, { title: 'no name' });
		err = assertApiError(r, 422, 'policy_invalid');
		assert.ok(err.errors.length >= 1);
		/* the address and the body name different policies */
		r = await carol.put(`${BASE}/branch-staff`, WAREHOUSE);
		err = assertApiError(r, 422, 'policy_invalid');
		assert.ok(err.errors.some((e) => e.path === '$.name'), JSON.stringify(err.errors));

		r = await carol.get(`${BASE}/branch-staff`);
		assert.equal(r.json().version, 2);
		assert.deepEqual(r.json().policy, BRANCH2);
		assertApiError(await carol.get(`${BASE}/warehouse`), 404, 'policy_not_found');
		assert.equal(historyCount(), before);
	});

	it('the history says who changed what, when, before and after; delete keeps it', async () => {
		let r = await carol.post(BASE, WAREHOUSE);
		assert.equal(r.status, 201, r.body);
		assertApiError(await carol.del(`${BASE}/warehouse`, { headers: { 'if-match': '"7"' } }),
			412, 'policy_changed');
		assertApiError(await alice.del(`${BASE}/warehouse`), 403, 'forbidden');
		r = await carol.del(`${BASE}/warehouse`);
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json(), { name: 'warehouse', deleted: true });
		assertApiError(await carol.get(`${BASE}/warehouse`), 404, 'policy_not_found');
		assertApiError(await carol.del(`${BASE}/warehouse`), 404, 'policy_not_found');

		r = await carol.get(`${BASE}/warehouse/history`);
		assert.equal(r.status, 200, r.body);
		const h = r.json().history;
		assert.deepEqual(h.map((e) => [e.version, e.action]), [[1, 'create'], [2, 'delete']]);
		assert.equal(h[0].before, null);
		assert.deepEqual(h[0].after, WAREHOUSE);
		assert.deepEqual(h[1].before, WAREHOUSE);
		assert.equal(h[1].after, null);
		assert.equal(typeof h[1].at, 'number');
		assert.equal(typeof h[1].actor.employee, 'number');
		assert.ok(h[1].actor.label.length > 0);

		r = await carol.get(`${BASE}/branch-staff/history`);
		assert.deepEqual(r.json().history.map((e) => e.action), ['create', 'update']);
		assert.deepEqual(r.json().history[1].before, BRANCH);
		assertApiError(await carol.get(`${BASE}/nobody/history`), 404, 'policy_not_found');
	});

	it('livery policy check: every error with file and path, exit 1; a good set, exit 0', () => {
		const good = path.join(dir, 'warehouse.json');
		const bad = path.join(dir, 'broken.json');
		fs.writeFileSync(good, JSON.stringify(WAREHOUSE, null, 2));
		fs.writeFileSync(bad, JSON.stringify({ ...BRANCH, name: 'broken', limits: BROKEN_LIMITS }));
		let r = livery(['policy', 'check', good, bad]);
		assert.equal(r.status, 1, r.stderr);
		assert.match(r.stderr, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\$\\.limits\\[0\\]\\.per: .+`, 'm'));
		assert.match(r.stderr, /\$\.limits\[0\]\.max: /);
		assert.match(r.stderr, /\(hint: /);
		r = livery(['policy', 'check', good]);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^1 policy OK$/m);
		r = livery(['policy', 'check']);
		assert.equal(r.status, 2);
		r = livery(['policy', 'check', path.join(dir, 'no-such.json')]);
		assert.equal(r.status, 2);
	});

	it('livery policy import (all or nothing), list, export', async () => {
		const cfg = stack.livery.configPath;
		const good = path.join(dir, 'warehouse.json');
		const bad = path.join(dir, 'broken.json');
		const before = historyCount();
		let r = livery(['policy', 'import', '--config', cfg, good, bad]);
		assert.equal(r.status, 1, r.stdout);
		assert.match(r.stderr, /nothing was imported/);
		assert.equal(historyCount(), before);

		r = livery(['policy', 'import', '--config', cfg, good]);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /warehouse\.json: created warehouse \(version 3\)/);
		assert.match(r.stdout, /1 created, 0 updated, 0 unchanged/);
		r = await carol.get(`${BASE}/warehouse/history`);
		assert.equal(r.json().history.at(-1).action, 'import');

		r = livery(['policy', 'list', '--config', cfg]);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^branch-staff\tversion 2\t/m);
		assert.match(r.stdout, /^warehouse\tversion 3\t.* by cli\tWarehouse$/m);

		const out = path.join(dir, 'exported');
		fs.mkdirSync(out);
		r = livery(['policy', 'export', '--config', cfg, out]);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /exported 2 policies/);
		assert.deepEqual(fs.readdirSync(out).sort(), ['branch-staff.json', 'warehouse.json']);
		assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, 'branch-staff.json'), 'utf8')),
			BRANCH2);
		r = livery(['policy', 'export', '--config', cfg]);
		assert.equal(r.status, 2);
	});

	it('livery policy explain prints the applicable policies and the decisions', () => {
		const cfg = stack.livery.configPath;
		let r = livery(['policy', 'explain', '--config', cfg, '--employee', 'E1001',
			'--product', 'test-shirt']);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^employee E1001: department Retail Banking/m);
		assert.match(r.stdout, /^policies that apply \(1 of 2\): branch-staff$/m);
		assert.match(r.stdout, /^product test-shirt "Test shirt" \(category uniforms/m);
		assert.match(r.stdout, /^ {2}visible: yes$/m);
		assert.match(r.stdout, /^variant T-SHIRT-M /m);
		assert.match(r.stdout, /^variant T-SHIRT-L /m);
		assert.match(r.stdout, /^ {2}price: list /m);
		/* carol (HR) is in no policy's audience */
		r = livery(['policy', 'explain', '--config', cfg, '--employee', 'E1003',
			'--product', 'T-CAP']);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^policies that apply \(0 of 2\): none$/m);
		assert.match(r.stdout, /^variant T-CAP /m);
		r = livery(['policy', 'explain', '--config', cfg, '--employee', 'E1001',
			'--product', 'T-JACKET-M']);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^variant T-JACKET-M /m);
		r = livery(['policy', 'explain', '--config', cfg, '--employee', 'E9999',
			'--product', 'test-shirt']);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /no employee/);
		r = livery(['policy', 'explain', '--config', cfg, '--employee', 'E1001']);
		assert.equal(r.status, 2);
	});

	it('an import run while the store serves takes effect without a restart', async () => {
		const cfg = stack.livery.configPath;
		const slugs = async () => {
			const r = await alice.get('/api/v1/products?per_page=48');
			assert.equal(r.status, 200, r.body);
			const body = r.json();
			return (body.items || body.products).map((p) => p.slug);
		};
		const capPage = async () => (await alice.client.get(`${stack.base}/p/test-cap`)).status;
		const reloads = () => [...stack.livery.log().matchAll(
			/event=policies what=reload generation=(\d+) count=(\d+)/g)]
			.map((m) => ({ generation: Number(m[1]), count: Number(m[2]) }));
		const stored = () => dbInt(stack.livery, 'SELECT count(*) FROM policies');
		const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
		/* the import of the step before may still be on its way in: wait
		 * until the active set is the stored generation's */
		const current = dbInt(stack.livery, 'SELECT n FROM policy_generation');
		const active = new RegExp(`event=policies_active policies=\\d+ generation=${current}\\b`);
		for (let t = Date.now(); !active.test(stack.livery.log()) && Date.now() - t < 10000;)
			await sleep(200);
		assert.match(stack.livery.log(), active, 'the store has loaded the stored policies');
		/* alice (Retail Banking) may see logo wear: branch-staff admits it */
		assert.ok((await slugs()).includes('test-cap'), 'alice sees the cap before the import');
		assert.equal(await capPage(), 200);

		const noCaps = {
			name: 'no-caps',
			title: 'Branch staff: no caps',
			audience: { department: ['Retail Banking'] },
			visibility: { deny: { products: ['test-cap'] } },
		};
		const file = path.join(dir, 'no-caps.json');
		fs.writeFileSync(file, JSON.stringify(noCaps, null, 2));
		let r = livery(['policy', 'import', '--config', cfg, file]);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /no-caps\.json: created no-caps/);
		const generation = dbInt(stack.livery, 'SELECT n FROM policy_generation');

		/* the server checks every 2 s: within ~10 s the cap is gone */
		const deadline = Date.now() + 10000;
		let seen = await slugs();
		while (seen.includes('test-cap') && Date.now() < deadline) {
			await sleep(200);
			seen = await slugs();
		}
		assert.ok(!seen.includes('test-cap'), `alice still sees the cap after 10 s: ${seen}`);
		assert.ok(seen.includes('test-shirt'), `the rest stays visible: ${seen}`);
		assert.equal(await capPage(), 404, 'the product page follows the same set');
		/* the reload line of the step before is written just after its
		 * policies_active line: count only the generations this import made */
		const after = reloads().filter((x) => x.generation > current);
		assert.deepEqual(after, [{ generation, count: stored() }],
			'one reload line, at the imported generation, with every stored policy');

		/* a broken file that, were it taken, would show the cap again: refused */
		const broken = path.join(dir, 'no-caps-broken.json');
		fs.writeFileSync(broken, JSON.stringify({ ...noCaps, visibility: undefined,
			limits: BROKEN_LIMITS }));
		r = livery(['policy', 'import', '--config', cfg, broken]);
		assert.equal(r.status, 1, r.stdout);
		assert.match(r.stderr, /nothing was imported/);
		assert.equal(dbInt(stack.livery, 'SELECT n FROM policy_generation'), generation);
		/* two checks later, nothing changed in the running store either */
		await sleep(4500);
		assert.ok(!(await slugs()).includes('test-cap'), 'the cap stays hidden');
		assert.equal(await capPage(), 404);
		assert.deepEqual(reloads().filter((x) => x.generation > current), after,
			'no reload after a refused import');
		assert.doesNotMatch(stack.livery.log(), /what=reload_failed/);
	});
});
