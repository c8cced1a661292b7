// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * console_guard.test.mjs - every role against every guarded route, driven
 * by the route table itself (`livery routes` prints it), so a route added
 * to the console or the admin API cannot be left unguarded or be tested
 * by nobody.
 *
 * The rules checked for the whole table:
 *   - every route under /admin or /api/v1/admin names its roles, needs a
 *     session, and (when it is not a GET) needs the CSRF token;
 *   - every state-changing route needs the CSRF token;
 *   - the auditor is admitted to every GET of the console and the admin
 *     API, and to no state-changing route;
 * and, on the real server with the real provider, for each guarded route
 * and each of alice (no role), carol (hr_admin), dave (store_admin), erin
 * (approver) and grace (auditor): a user whose role the route does not
 * admit gets 403 "forbidden" (sending a valid CSRF token, so the refusal
 * is the role's), one it admits never does; without a session the answer
 * is 401 (API) or a redirect to sign-in (page).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { env, skipReason, startStack } from './lib/harness.mjs';
import { MoneyApi, moneyLogin } from './lib/money.mjs';

const T = { timeout: 300000 };
const USERS = { alice: [], carol: ['hr_admin'], dave: ['store_admin'], erin: ['approver'], grace: ['auditor'] };

function routesLoad() {
	const r = spawnSync(env.bin, ['routes'], { encoding: 'utf8' });
	assert.equal(r.status, 0, `livery routes: ${r.stderr}`);
	return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

const isAdmin = (rt) => rt.pattern === '/admin' || rt.pattern.startsWith('/admin/')
	|| rt.pattern.startsWith('/api/v1/admin/');
const pathOf = (rt) => rt.pattern.replace(/:[a-z_]+/g, 'zz-guard-test');

describe('the console and the admin API are guarded route by route', { skip: skipReason }, () => {
	let stack;
	const api = {};
	const routes = skipReason ? [] : routesLoad();

	before(async () => {
		stack = await startStack();
		for (const u of Object.keys(USERS))
			api[u] = await moneyLogin(stack, u);
		api.anonymous = new MoneyApi(stack.client(), stack.base, null);
	});

	after(async () => {
		if (stack)
			await stack.stop();
	});

	test('the table: admin routes name their roles; changes need CSRF; the auditor only reads', () => {
		assert.ok(routes.length > 50, `livery routes printed ${routes.length} routes`);
		for (const rt of routes) {
			const what = `${rt.method} ${rt.pattern}`;
			if (rt.method !== 'GET' && rt.session)
				assert.ok(rt.csrf, `${what} changes state without the CSRF check`);
			if (!isAdmin(rt))
				continue;
			assert.ok(rt.session, `${what} is public`);
			assert.ok(rt.roles.length > 0, `${what} has no roles`);
			if (rt.method === 'GET')
				assert.ok(rt.roles.includes('auditor'), `${what}: the auditor cannot read it`);
			else
				assert.ok(!rt.roles.includes('auditor'), `${what}: the auditor could change something`);
		}
	});

	test('files are accepted only by routes that take them', async () => {
		const boundary = 'GuardTestBoundary';
		const body = `--${boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${api.carol.csrf}\r\n`
			+ `--${boundary}\r\nContent-Disposition: form-data; name="sku"\r\n\r\nX\r\n--${boundary}--\r\n`;
		const takesFiles = routes.filter((rt) => rt.upload);
		for (const rt of takesFiles)
			assert.ok(rt.csrf && rt.session && rt.method === 'POST', `${rt.pattern}: uploads need a session and CSRF`);
		const res = await api.carol.request('POST', '/cart/add', {
			body, type: `multipart/form-data; boundary=${boundary}`, csrf: false,
		});
		assert.equal(res.status, 415, `multipart to /cart/add: ${res.status} ${res.body.slice(0, 200)}`);
		assert.match(res.body, /upload_not_accepted/);
	});

	test('each role against each guarded route', T, async () => {
		const guarded = routes.filter((rt) => rt.roles.length > 0);
		assert.ok(guarded.length >= 20, `${guarded.length} guarded routes`);
		for (const rt of guarded) {
			const p = pathOf(rt);
			const json = rt.method === 'GET' ? undefined : {};
			for (const [user, roles] of Object.entries(USERS)) {
				const res = await api[user].request(rt.method, p, json === undefined ? {} : { json });
				const what = `${user} (${roles.join(',') || 'no role'}) ${rt.method} ${p}`;
				const admitted = roles.some((x) => rt.roles.includes(x));
				if (admitted) {
					assert.notEqual(res.status, 403, `${what} is admitted but got 403: ${res.body.slice(0, 300)}`);
					assert.notEqual(res.status, 401, `${what}: 401`);
					assert.ok(res.status < 500, `${what}: ${res.status} ${res.body.slice(0, 300)}`);
				} else {
					assert.equal(res.status, 403, `${what} must be refused: ${res.status} ${res.body.slice(0, 300)}`);
					assert.match(res.body, /forbidden/, `${what}: refused for the role, not for something else`);
				}
			}
			const anon = await api.anonymous.request(rt.method, p, json === undefined ? {} : { json });
			assert.ok(anon.status === 401 || (rt.kind === 'page' && anon.status === 302),
				`anonymous ${rt.method} ${p}: ${anon.status}`);
		}
	});
});
