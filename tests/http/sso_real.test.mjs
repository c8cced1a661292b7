// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * sso_real.test.mjs - single sign-on against the real test provider
 * (oidc-provider, tests/idp/provider.mjs): the livery binary on loopback,
 * logged into through the provider's own login page. Covers the session
 * cookie's attributes, /api/v1/me (claims and role mapping), no session
 * fixation, open-redirect attempts in return_to, state reuse, provider
 * errors, logout with and without CSRF token, back-channel logout sent by
 * the provider, unauthenticated page and API requests, and the security
 * headers on every kind of response.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
	SESSION_COOKIE, assertEmployee, assertRefused, assertSecurityHeaders, csrfToken, dataReason,
	loginOk, login, logoutPost, me, sessionCookie, skipReason, startStack, withLogs,
} from './lib/harness.mjs';
import { DEMO_PASSWORD } from '../idp/accounts.mjs';

const T = { timeout: 60000 };

describe('SSO with the real provider', { skip: skipReason }, () => {
	let stack;
	let base;
	const it = (name, fn) => test(name, T, withLogs(() => stack, fn));
	const client = () => stack.client();
	const loginAs = (c, user, opts) => loginOk(c, base, stack.idp, user, DEMO_PASSWORD, opts);

	before(async () => {
		stack = await startStack({ provider: 'real' });
		base = stack.base;
	});
	after(async () => {
		await stack?.stop();
	});

	it('GET /healthz answers without login', async () => {
		const r = await client().get(`${base}/healthz`, { accept: 'json' });
		assert.equal(r.status, 200);
		assert.deepEqual(r.json(), { status: 'ok' });
		assertSecurityHeaders(r);
	});

	it('a page without a session redirects to /auth/login with return_to', async () => {
		const c = client();
		const root = await c.get(`${base}/`);
		assert.equal(root.status, 302);
		assert.equal(root.location, `${base}/auth/login?return_to=%2F`);
		assertSecurityHeaders(root);
		const deep = await c.get(`${base}/orders`);
		assert.equal(deep.status, 302);
		const u = new URL(deep.location);
		assert.equal(u.origin + u.pathname, `${base}/auth/login`);
		assert.equal(u.searchParams.get('return_to'), '/orders');
		assert.equal(sessionCookie(c, base), undefined);
	});

	it('an API or XHR request without a session gets 401 JSON', async () => {
		const c = client();
		for (const [p, accept] of [['/api/v1/me', 'json'], ['/api/v1/me', 'html'], ['/', 'application/json']]) {
			const r = await c.get(`${base}${p}`, { accept });
			assert.equal(r.status, 401, `${p} with Accept ${accept}`);
			assert.match(r.headers.get('content-type') || '', /application\/json/);
			const body = r.json();
			assert.equal(body.error?.code, 'unauthenticated', r.body);
			assert.equal(typeof body.error?.message, 'string');
			assertSecurityHeaders(r);
		}
	});

	it('/auth/login sends the browser to the provider with PKCE, state and nonce', async () => {
		const r = await client().get(`${base}/auth/login?return_to=%2Fx`);
		assert.equal(r.status, 302);
		assertSecurityHeaders(r);
		const u = new URL(r.location);
		assert.equal(u.origin, stack.idp.issuer);
		const q = u.searchParams;
		assert.equal(q.get('response_type'), 'code');
		assert.equal(q.get('client_id'), 'livery');
		assert.equal(q.get('redirect_uri'), `${base}/auth/callback`);
		assert.ok((q.get('scope') || '').split(' ').includes('openid'));
		assert.ok((q.get('state') || '').length >= 16, 'state of 16+ characters');
		assert.ok((q.get('nonce') || '').length >= 16, 'nonce of 16+ characters');
		assert.match(q.get('code_challenge') || '', /^[A-Za-z0-9_-]{43}$/);
		assert.equal(q.get('code_challenge_method'), 'S256');
		const again = new URL((await client().get(`${base}/auth/login?return_to=%2Fx`)).location).searchParams;
		assert.notEqual(again.get('state'), q.get('state'));
		assert.notEqual(again.get('nonce'), q.get('nonce'));
		assert.notEqual(again.get('code_challenge'), q.get('code_challenge'));
	});

	it('alice logs in and lands on / with a HttpOnly, SameSite=Lax session cookie', async () => {
		const c = client();
		const r = await loginAs(c, 'alice');
		assert.ok(r.loginPage, 'the provider showed its login page');
		assert.equal(r.steps[0].location, `${base}/auth/login?return_to=%2F`);
		assert.equal(r.callback.status, 303);
		assert.equal(r.callback.location, `${base}/`);
		assertSecurityHeaders(r.callback);
		const k = r.sessionCookie;
		assert.equal(k.path, '/');
		assert.equal(k.attributes.path, '/', 'explicit Path=/');
		assert.equal(k.httpOnly, true, 'HttpOnly');
		assert.equal((k.sameSite || '').toLowerCase(), 'lax', 'SameSite=Lax');
		assert.equal(k.secure, false, 'no Secure attribute when public_url is http');
		assert.equal(k.hostOnly, true, 'no Domain attribute');
		assert.ok(k.value.length >= 32, 'a session id of 32+ characters');
		const home = await c.get(`${base}/`);
		assert.equal(home.status, 200, `/ after login: ${home.status} ${home.location}`);
		assertSecurityHeaders(home);
	});

	it('/api/v1/me shows alice\'s claims, no roles, and a CSRF token', async () => {
		const c = client();
		await loginAs(c, 'alice');
		const r = await me(c, base);
		assert.equal(r.status, 200);
		assertSecurityHeaders(r);
		const body = r.json();
		assertEmployee(body, 'alice');
		assert.deepEqual(body.roles, []);
		assert.ok(typeof body.csrf_token === 'string' && body.csrf_token.length >= 16);
	});

	it('roles come from the [roles] group mapping', async () => {
		const expect = { carol: ['hr_admin'], dave: ['store_admin'], erin: ['approver'], bob: [], frank: [] };
		for (const [user, roles] of Object.entries(expect)) {
			const c = client();
			await loginAs(c, user);
			const body = (await me(c, base)).json();
			assert.deepEqual([...body.roles].sort(), roles, user);
			assertEmployee(body, user);
		}
	});

	it('each login gets a new session value (no fixation)', async () => {
		const c = client();
		const first = await loginAs(c, 'alice');
		const second = await loginAs(c, 'alice', { loginUrl: '/auth/login?return_to=%2F' });
		assert.notEqual(second.session, first.session, 'same browser, second login');
		/* a cookie planted before login is not adopted */
		const planted = client();
		planted.jar.set(SESSION_COOKIE, 'A'.repeat(43), `${base}/`, 'Path=/');
		const r = await loginAs(planted, 'bob');
		assert.notEqual(r.session, 'A'.repeat(43));
		const other = await loginAs(client(), 'alice');
		assert.notEqual(other.session, first.session, 'another browser');
	});

	it('return_to that is not a local path ends at /', async () => {
		for (const evil of ['//evil.example', 'https://x', '/\\evil', '\\\\evil.example', 'http:/evil.example',
			'javascript:alert(1)', ' //evil.example', '///evil.example']) {
			const r = await loginAs(client(), 'alice', { loginUrl: `/auth/login?return_to=${encodeURIComponent(evil)}` });
			const to = new URL(r.callback.location);
			assert.equal(to.origin, base, `return_to=${evil} left the site: ${r.callback.rawLocation}`);
			assert.equal(to.pathname, '/', `return_to=${evil} gave ${r.callback.rawLocation}`);
			assert.ok(!/evil|javascript/i.test(r.callback.rawLocation), r.callback.rawLocation);
		}
	});

	it('a local return_to is kept', async () => {
		const r = await loginAs(client(), 'alice', { loginUrl: `/auth/login?return_to=${encodeURIComponent('/orders?page=2')}` });
		assert.equal(r.callback.location, `${base}/orders?page=2`);
		const deep = await loginAs(client(), 'alice', { start: '/orders' });
		assert.equal(deep.callback.location, `${base}/orders`);
	});

	it('a callback URL used a second time is refused (state_invalid)', async () => {
		const c = client();
		const r = await loginAs(c, 'alice');
		c.jar.delete(SESSION_COOKIE);
		const again = await c.get(r.callbackUrl);
		assertRefused(again, { status: 400, reasons: ['state_invalid'] }, c, base);
		assertSecurityHeaders(again);
		const other = client();
		const stolen = await other.get(r.callbackUrl);
		assertRefused(stolen, { status: 400, reasons: ['state_invalid'] }, other, base);
	});

	it('a callback with an unknown state or none is refused (state_invalid)', async () => {
		const c = client();
		await c.get(`${base}/auth/login?return_to=%2F`);
		for (const q of ['code=abc&state=not-a-state', 'code=abc', '']) {
			const r = await c.get(`${base}/auth/callback?${q}`);
			assertRefused(r, { status: 400, reasons: ['state_invalid'] }, c, base);
		}
	});

	it('cancelling at the provider gives provider_error', async () => {
		const c = client();
		let r = await c.get(`${base}/auth/login?return_to=%2F`, { follow: true });
		assert.match(r.body, /name="password"/);
		r = await c.submit(r, { submit: 'abort' });
		while (r.location && !r.location.startsWith(`${base}/auth/callback`))
			r = await c.get(r.location);
		const cb = await c.get(r.location);
		assertRefused(cb, { status: 400, reasons: ['provider_error'] }, c, base);
	});

	it('a wrong password keeps the user at the provider', async () => {
		const c = client();
		const r = await login(c, base, stack.idp, 'alice', 'not-the-password');
		assert.equal(r.ok, false);
		assert.equal(r.callback, null);
		assert.match(r.response.body, /data-error="login_failed"/);
		assert.equal(sessionCookie(c, base), undefined);
	});

	it('logout needs the CSRF token; with it the session ends and the provider is told', async () => {
		const c = client();
		const r = await loginAs(c, 'alice');
		const csrf = await csrfToken(c, base);

		const none = await logoutPost(c, base, {});
		assert.equal(none.status, 403, 'logout without csrf');
		assertSecurityHeaders(none);
		const wrong = await logoutPost(c, base, { csrf: `${csrf.slice(0, -2)}xx` });
		assert.equal(wrong.status, 403, 'logout with a wrong csrf');
		const other = client();
		await loginAs(other, 'alice');
		const foreign = await logoutPost(c, base, { csrf: await csrfToken(other, base) });
		assert.equal(foreign.status, 403, 'logout with the csrf token of another session');
		assert.equal((await me(c, base)).status, 200, 'the session stays after refused logouts');

		const out = await logoutPost(c, base, { csrf });
		assert.equal(out.status, 303);
		assertSecurityHeaders(out);
		const end = new URL(out.location);
		assert.equal(`${end.origin}${end.pathname}`, stack.idp.endSessionUrl);
		assert.ok(end.searchParams.get('id_token_hint'), 'id_token_hint');
		assert.equal(end.searchParams.get('post_logout_redirect_uri'), `${base}/`);

		const replay = stack.client();
		replay.jar.set(SESSION_COOKIE, r.session, `${base}/`, 'Path=/');
		assert.equal((await me(replay, base)).status, 401, 'the old cookie no longer works');
		assert.equal((await me(c, base)).status, 401);

		/* finish at the provider: confirm, then back to livery's / */
		const confirm = await c.get(out.location);
		assert.equal(confirm.status, 200);
		const back = await c.submit(confirm, { submit: { name: 'logout', value: 'yes' } });
		assert.equal(back.status, 303);
		const home = new URL(back.location);
		assert.equal(`${home.origin}${home.pathname}`, `${base}/`);
		const landing = await c.get(back.location);
		assert.equal(landing.status, 302, 'no session any more: / redirects to login');
		assert.equal((await me(other, base)).status, 401,
			'the provider\'s back-channel logout ended alice\'s other session too');
	});

	it('back-channel logout sent by the provider ends all of alice\'s sessions', async () => {
		const a1 = client();
		const a2 = client();
		const b = client();
		await loginAs(a1, 'alice');
		await loginAs(a2, 'alice');
		await loginAs(b, 'bob');
		assert.equal((await me(a2, base)).status, 200);
		/* alice signs out at the provider itself (not through livery) */
		const confirm = await a1.get(stack.idp.endSessionUrl);
		assert.equal(confirm.status, 200);
		const done = await a1.submit(confirm, { submit: { name: 'logout', value: 'yes' } });
		assert.equal(done.status, 303);
		assert.match(stack.idp.log(), /back-channel logout sent to livery/,
			'the provider reached /auth/backchannel-logout');
		assert.equal((await me(a1, base)).status, 401, 'alice, first browser');
		assert.equal((await me(a2, base)).status, 401, 'alice, second browser');
		assert.equal((await me(b, base)).status, 200, 'bob stays');
	});

	it('security headers are on error pages and unknown routes too', async () => {
		const c = client();
		const bad = await c.get(`${base}/auth/callback?state=nope&code=x`);
		assertSecurityHeaders(bad);
		assert.equal(dataReason(bad.body), 'state_invalid');
		await loginAs(c, 'alice');
		const missing = await c.get(`${base}/no-such-page-${Date.now()}`);
		assert.equal(missing.status, 404);
		assertSecurityHeaders(missing);
		const api404 = await c.get(`${base}/api/v1/no-such-thing`, { accept: 'json' });
		assert.equal(api404.status, 404);
		assertSecurityHeaders(api404);
	});

	it('livery exits cleanly on SIGTERM', async () => {
		const r = await stack.livery.stop();
		assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null },
			`exit after SIGTERM: ${JSON.stringify(r)}`);
	});
});
