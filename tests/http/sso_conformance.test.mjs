// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * sso_conformance.test.mjs - Livery as an OpenID relying party against the
 * rogue provider (tests/idp/rogue-lib.mjs), one fresh provider + livery per
 * scenario so that no cached discovery document or key leaks between cases.
 * Accepted scenarios must give a session; refused ones must answer with the
 * expected status and data-reason, set no session cookie, and - for every
 * id_token refusal - never call userinfo. Also: key rotation costs exactly
 * one extra JWKS fetch, an unreachable provider, the Secure cookie behind an
 * https public_url, and the back-channel logout token checks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
	Client, assertEmployee, assertRefused, backchannelPost, freePort, login, loginOk, me,
	secretNew, skipReason, startLivery, startStack, withLogs,
} from './lib/harness.mjs';

const T = { timeout: 60000 };

/*
 * What each refused scenario must produce. status undefined: any 4xx/5xx
 * (the contract does not fix it). idToken: refused while validating the
 * id_token, so userinfo must not have been called. Where the contract's
 * reason names allow two readings, both are listed.
 */
const REFUSED = {
	nonce_invalid: { status: 401, reasons: ['nonce_invalid'], idToken: true },
	aud_invalid: { status: 401, reasons: ['aud_invalid'], idToken: true },
	aud_missing: { status: 401, reasons: ['aud_invalid'], idToken: true },
	aud_multi_no_azp: { status: 401, reasons: ['azp_invalid', 'aud_invalid'], idToken: true },
	azp_invalid: { status: 401, reasons: ['azp_invalid'], idToken: true },
	iss_invalid: { status: 401, reasons: ['iss_invalid'], idToken: true },
	iat_missing: { status: 401, reasons: ['iat_invalid'], idToken: true },
	exp_missing: { status: 401, reasons: ['exp_invalid'], idToken: true },
	expired: { status: 401, reasons: ['exp_invalid'], idToken: true },
	sub_missing: { status: 401, reasons: ['sub_missing'], idToken: true },
	bad_signature: { status: 401, reasons: ['signature_invalid'], idToken: true },
	alg_none: { status: 401, reasons: ['alg_not_allowed'], idToken: true },
	hs256_with_public_key: { status: 401, reasons: ['alg_not_allowed'], idToken: true },
	kid_absent_several_keys: { status: 401, reasons: ['key_not_found'], idToken: true },
	kid_unknown: { status: 401, reasons: ['key_not_found'], idToken: true },
	id_token_missing: { status: 401, reasons: ['id_token_missing'], idToken: true },
	id_token_malformed: { status: 401, reasons: ['id_token_malformed'], idToken: true },
	userinfo_sub_mismatch: { status: 401, reasons: ['userinfo_sub_mismatch'], userinfo: true },
	userinfo_error: { reasons: ['userinfo_failed'], userinfo: true },
	provider_error: { status: 400, reasons: ['provider_error'], noToken: true },
	token_error: { reasons: ['token_request_failed'], idToken: true },
	discovery_issuer_mismatch: { reasons: ['issuer_mismatch'], noToken: true },
	discovery_error: { status: 502, reasons: ['discovery_failed'], noToken: true },
};

const ACCEPTED = ['ok', 'kid_absent_one_key', 'es256'];

/* Runs fn(stack) with a fresh rogue (in the given scenario) and livery, stopping both after. */
function withStack(options, fn) {
	let stack = null;
	return withLogs(() => stack, async (t) => {
		stack = await startStack({ provider: 'rogue', ...options });
		try {
			await fn(stack, t);
		} finally {
			await stack.stop();
		}
	});
}

describe('OpenID RP conformance against the rogue provider', { skip: skipReason }, () => {
	for (const name of ACCEPTED) {
		test(`${name}: accepted`, T, withStack({ scenario: name }, async (stack) => {
			const c = stack.client();
			const r = await loginOk(c, stack.base, stack.idp, 'alice', '');
			assert.equal(r.callback.location, `${stack.base}/`);
			const body = (await me(c, stack.base)).json();
			assertEmployee(body, 'alice');
			const calls = await stack.idp.calls();
			assert.ok(calls.userinfo >= 1, 'userinfo was called for the profile claims');
			const last = await stack.idp.last();
			assert.equal(last.token.basic, true, 'client_secret_basic');
			assert.equal(last.token.form.code_verifier, '(present)', 'PKCE code_verifier sent');
			assert.equal(last.authorize.code_challenge_method, 'S256');
			assert.ok(last.authorize.nonce, 'nonce sent');
		}));
	}

	for (const [name, want] of Object.entries(REFUSED)) {
		test(`${name}: refused with ${want.reasons.join('|')}`, T, withStack({ scenario: name }, async (stack) => {
			const c = stack.client();
			const r = await login(c, stack.base, stack.idp, 'alice', '');
			assert.equal(r.ok, false, 'login must not succeed');
			const page = r.callback || r.response;
			assertRefused(page, want, c, stack.base);
			assert.equal((await me(c, stack.base)).status, 401, 'no session after a refusal');
			const calls = await stack.idp.calls();
			if (want.idToken)
				assert.equal(calls.userinfo, 0, 'an id_token refusal must come before any userinfo call');
			if (want.userinfo)
				assert.equal(calls.userinfo, 1, 'userinfo was called once');
			if (want.noToken)
				assert.equal(calls.token, 0, 'the token endpoint must not be called');
		}));
	}

	test('rotation: a token signed with a new key is accepted after exactly one extra JWKS fetch', T,
		withStack({ scenario: 'ok' }, async (stack) => {
			const { idp, base } = stack;
			await loginOk(stack.client(), base, idp, 'alice', '');
			const c0 = await idp.calls();
			await loginOk(stack.client(), base, idp, 'alice', '');
			const c1 = await idp.calls();
			const usual = c1.jwks - c0.jwks;
			/* the rogue's "rotation": the first login keeps the key, every later one meets a new key */
			await idp.scenario('rotation');
			const first = stack.client();
			await loginOk(first, base, idp, 'alice', '');
			const c2 = await idp.calls();
			assert.equal(c2.jwks - c1.jwks, usual, 'same key: JWKS fetched as usual');
			const second = stack.client();
			const r = await loginOk(second, base, idp, 'alice', '');
			const c3 = await idp.calls();
			assert.equal(c3.jwks - c2.jwks, usual + 1, `one extra JWKS fetch after rotation (usual ${usual})`);
			assertEmployee((await me(second, base)).json(), 'alice');
			assert.ok(r.session);
			assert.equal((await me(first, base)).status, 200, 'earlier sessions survive a key rotation');
		}));

	test('JWKS and discovery are not fetched again for every login', T, withStack({ scenario: 'ok' }, async (stack) => {
		const { idp, base } = stack;
		await loginOk(stack.client(), base, idp, 'alice', '');
		const c0 = await idp.calls();
		await loginOk(stack.client(), base, idp, 'alice', '');
		await loginOk(stack.client(), base, idp, 'alice', '');
		const c1 = await idp.calls();
		assert.equal(c1.jwks - c0.jwks, 0, 'JWKS cached while the kid is known');
		assert.ok(c1.discovery - c0.discovery <= 1, 'discovery document cached');
	}));

	test('an unknown kid costs at most one JWKS re-fetch per login', T,
		withStack({ scenario: 'ok' }, async (stack) => {
			const { idp, base } = stack;
			await loginOk(stack.client(), base, idp, 'alice', '');
			await idp.scenario('kid_unknown');
			const c0 = await idp.calls();
			for (let i = 0; i < 3; i++) {
				const c = stack.client();
				const r = await login(c, base, idp, 'alice', '');
				assertRefused(r.callback, REFUSED.kid_unknown, c, base);
			}
			const c1 = await idp.calls();
			assert.ok(c1.jwks - c0.jwks <= 3, `JWKS fetched ${c1.jwks - c0.jwks} times for 3 logins`);
			assert.equal(c1.userinfo - c0.userinfo, 0);
		}));

	let unreachable = null;
	test('provider unreachable: /auth/login answers 502 discovery_failed', T, withLogs(() => unreachable, async () => {
		const port = await freePort();
		unreachable = await startLivery({ issuer: `http://127.0.0.1:${port}`, clientSecret: secretNew() });
		try {
			const c = new Client();
			const r = await c.get(`${unreachable.url}/auth/login?return_to=%2F`);
			assertRefused(r, { status: 502, reasons: ['discovery_failed'] }, c, unreachable.url);
		} finally {
			await unreachable.stop();
		}
	}));

	test('with an https public_url the session cookie is Secure', T,
		withStack({ scenario: 'ok', publicUrl: 'https://127.0.0.1:{port}' }, async (stack) => {
			assert.match(stack.base, /^https:/);
			const c = stack.client();
			const r = await loginOk(c, stack.base, stack.idp, 'alice', '');
			assert.equal(r.sessionCookie.secure, true, `Secure expected: ${r.sessionCookie.raw}`);
			assert.equal(r.sessionCookie.httpOnly, true);
			assert.equal((r.sessionCookie.sameSite || '').toLowerCase(), 'lax');
			assert.equal(r.callback.location, `${stack.base}/`);
		}));
});

describe('back-channel logout tokens', { skip: skipReason }, () => {
	let stack;
	let base;
	let idp;
	const it = (name, fn) => test(name, T, withLogs(() => stack, fn));
	const session = async (user = 'alice') => {
		await idp.scenario('ok', user);
		const c = stack.client();
		await loginOk(c, base, idp, user, '');
		await idp.scenario('ok', 'alice');
		return c;
	};
	const assertStays = async (c, token, what) => {
		const r = await backchannelPost(base, token);
		assert.equal(r.status, 400, `${what}: expected 400, got ${r.status}: ${r.body.slice(0, 300)}`);
		assert.equal((await me(c, base)).status, 200, `${what}: the session stays`);
	};

	before(async () => {
		stack = await startStack({ provider: 'rogue', scenario: 'ok' });
		base = stack.base;
		idp = stack.idp;
	});
	after(async () => {
		await stack?.stop();
	});

	it('a valid token ends every session of that subject, and only those', async () => {
		const a1 = await session('alice');
		const a2 = await session('alice');
		const b = await session('bob');
		const r = await backchannelPost(base, await idp.logoutToken());
		assert.equal(r.status, 200, r.body);
		assert.equal((await me(a1, base)).status, 401, 'alice, first session');
		assert.equal((await me(a2, base)).status, 401, 'alice, second session');
		assert.equal((await me(b, base)).status, 200, 'bob stays');
		assert.equal(r.cookies.length, 0, 'no cookie is set on a back-channel call');
	});

	it('a token with a wrong signature is refused', async () => {
		const c = await session();
		await assertStays(c, await idp.logoutToken({}, { badSignature: true }), 'bad signature');
	});

	it('a token without the back-channel event is refused', async () => {
		const c = await session();
		await assertStays(c, await idp.logoutToken({ events: undefined }), 'missing events');
		await assertStays(c, await idp.logoutToken({ events: { 'http://example.com/other': {} } }), 'other event');
	});

	it('a token with a nonce is refused', async () => {
		const c = await session();
		await assertStays(c, await idp.logoutToken({ nonce: 'n-0123456789' }), 'nonce');
	});

	it('a token for another audience is refused', async () => {
		const c = await session();
		await assertStays(c, await idp.logoutToken({ aud: 'someone-else' }), 'wrong aud');
	});

	it('a token from another issuer is refused', async () => {
		const c = await session();
		await assertStays(c, await idp.logoutToken({ iss: `${idp.issuer}/evil` }), 'wrong iss');
	});

	it('a token with neither sub nor sid is refused', async () => {
		const c = await session();
		await assertStays(c, await idp.logoutToken({ sub: undefined }), 'no sub, no sid');
	});

	it('a replayed token (same jti) is refused', async () => {
		const c1 = await session();
		const token = await idp.logoutToken();
		const first = await backchannelPost(base, token);
		assert.equal(first.status, 200, first.body);
		assert.equal((await me(c1, base)).status, 401);
		const c2 = await session();
		await assertStays(c2, token, 'replayed jti');
	});

	it('garbage and an empty form are refused', async () => {
		const c = await session();
		await assertStays(c, 'not.a.jwt', 'garbage');
		await assertStays(c, '', 'empty');
	});
});
