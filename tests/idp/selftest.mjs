// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * selftest.mjs - proves the two test identity providers work, without
 * Livery: a minimal relying party written here plays the code flow against
 * each (discovery -> authorize -> login form -> token with
 * client_secret_basic and PKCE -> id_token checked against the JWKS ->
 * userinfo), and checks RP-initiated and back-channel logout of the real
 * provider and every scenario and control endpoint of the rogue one.
 *
 *   node tests/idp/selftest.mjs
 *
 * Both providers run as child processes through their command lines, as the
 * demo runs them. A small server stands in for Livery to receive the
 * back-channel logout POSTs.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { Client } from '../http/lib/client.mjs';
import { ACCOUNTS, DEMO_PASSWORD, accountByUsername } from './accounts.mjs';
import { BACKCHANNEL_EVENT, SCENARIOS } from './rogue-lib.mjs';
import { bodyRead, formParse } from './util.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SECRET = 'selftest-secret:with/odd+chars';	/* exercises form-encoding in Basic auth */
const children = new Set();
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

function portFree() {
	return new Promise((resolve) => {
		const s = http.createServer().listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

/* Runs one of the provider command lines; resolves { issuer, stop(), log() } when it says ready. */
function providerRun(script, word, args) {
	const child = spawn(process.execPath, [path.join(HERE, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
	children.add(child);
	let log = '';
	child.stderr.on('data', (d) => { log += d; });
	return new Promise((resolve, reject) => {
		const t = setTimeout(() => reject(new Error(`${script} not ready:\n${log}`)), 15000);
		child.stdout.on('data', (d) => {
			log += d;
			const m = new RegExp(`^${word} ready (\\S+)$`, 'm').exec(log);
			if (m) {
				clearTimeout(t);
				resolve({
					issuer: m[1],
					log: () => log,
					stop: () => new Promise((r) => {
						child.once('exit', r);
						child.kill('SIGTERM');
					}),
				});
			}
		});
		child.once('exit', (code) => reject(new Error(`${script} exited ${code}:\n${log}`)));
	});
}

/* The stand-in for Livery: records back-channel logout POSTs. */
async function rpServerStart(port) {
	const received = [];
	const server = http.createServer(async (req, res) => {
		if (req.method === 'POST' && req.url === '/auth/backchannel-logout') {
			received.push(formParse(await bodyRead(req)));
			res.writeHead(200, { 'cache-control': 'no-store' });
			res.end();
			return;
		}
		res.writeHead(200, { 'content-type': 'text/html' });
		res.end('<!DOCTYPE html><title>stand-in livery</title>');
	});
	await new Promise((r) => server.listen(port, '127.0.0.1', r));
	return { received, close: () => new Promise((r) => server.close(r)) };
}

function b64json(part) {
	return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/* Decodes a compact JWS without checking it: { header, payload, input, sig }. */
function jwtDecode(jwt) {
	const [h, p, s] = jwt.split('.');
	return { header: b64json(h), payload: b64json(p), input: `${h}.${p}`, sig: Buffer.from(s || '', 'base64url') };
}

/* Verifies an RS256/ES256 JWS against a JWK; returns true or false. */
function jwsVerify(jwt, jwk) {
	const { header, input, sig } = jwtDecode(jwt);
	const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
	if (header.alg === 'RS256' && jwk.kty === 'RSA')
		return crypto.verify('sha256', Buffer.from(input), key, sig);
	if (header.alg === 'ES256' && jwk.kty === 'EC')
		return crypto.verify('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }, sig);
	return false;
}

/*
 * The relying party: runs the code flow with client; returns { code, state,
 * params (callback query), tokens (token response), nonce, verifier, steps }.
 * username: filled into the provider's login form when one appears.
 */
async function rpFlow(client, disco, { clientId, secret, redirectUri, username, password, scope, redeem = true }) {
	const state = crypto.randomBytes(16).toString('base64url');
	const nonce = crypto.randomBytes(16).toString('base64url');
	const verifier = crypto.randomBytes(32).toString('base64url');
	const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
	const auth = new URL(disco.authorization_endpoint);
	auth.search = new URLSearchParams({
		response_type: 'code', client_id: clientId, redirect_uri: redirectUri,
		scope: scope || 'openid profile email', state, nonce,
		code_challenge: challenge, code_challenge_method: 'S256',
	}).toString();
	let res = await client.get(auth.href);
	const steps = [res];
	for (let i = 0; i < 20 && !(res.location || '').startsWith(redirectUri); i++) {
		if (res.location) {
			res = await client.get(res.location);
		} else if (res.status === 200 && res.forms().some((f) => f.fields.some(([k]) => k === 'password'))) {
			res = await client.submit(res, { values: { username, password } });
		} else {
			break;
		}
		steps.push(res);
	}
	assert.ok((res.location || '').startsWith(redirectUri),
		`flow should end at the redirect_uri, ended at ${res.status} ${res.url}: ${res.body.slice(0, 300)}`);
	const params = Object.fromEntries(new URL(res.location).searchParams);
	const out = { params, state, nonce, verifier, steps };
	if (!params.code || !redeem)
		return out;
	assert.equal(params.state, state, 'state comes back unchanged');
	const tr = await fetch(disco.token_endpoint, {
		method: 'POST',
		headers: {
			authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
			'content-type': 'application/x-www-form-urlencoded',
		},
		body: new URLSearchParams({
			grant_type: 'authorization_code', code: params.code, redirect_uri: redirectUri, code_verifier: verifier,
		}),
	});
	out.tokenStatus = tr.status;
	out.tokens = await tr.json();
	return out;
}

async function jsonGet(url, headers = {}) {
	const r = await fetch(url, { headers });
	return { status: r.status, body: await r.json() };
}

/* ------------------------------------------------------------- real */

describe('real provider (oidc-provider)', () => {
	let idp;
	let rp;
	let disco;
	let liveryUrl;
	const redirect = () => `${liveryUrl}/auth/callback`;

	before(async () => {
		const rpPort = await portFree();
		liveryUrl = `http://127.0.0.1:${rpPort}`;
		rp = await rpServerStart(rpPort);
		idp = await providerRun('provider.mjs', 'provider', [
			'--port', String(await portFree()), '--client-id', 'livery',
			'--client-secret', SECRET, '--livery-url', liveryUrl,
		]);
		disco = (await jsonGet(`${idp.issuer}/.well-known/openid-configuration`)).body;
	});
	after(async () => {
		await idp?.stop();
		await rp?.close();
	});

	test('discovery names the issuer, endpoints and logout support', () => {
		assert.equal(disco.issuer, idp.issuer);
		assert.match(idp.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
		for (const k of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint'])
			assert.ok(disco[k]?.startsWith(idp.issuer), `${k} on the issuer: ${disco[k]}`);
		assert.equal(disco.backchannel_logout_supported, true);
		assert.ok(disco.code_challenge_methods_supported.includes('S256'));
		assert.ok(disco.claims_supported.includes('employee_id'));
	});

	test('alice: login form, token, id_token signature, userinfo with the profile claims', async () => {
		const client = new Client();
		const r = await rpFlow(client, disco, {
			clientId: 'livery', secret: SECRET, redirectUri: redirect(), username: 'alice', password: DEMO_PASSWORD,
		});
		const loginPage = r.steps.find((s) => /name="password"/.test(s.body));
		assert.ok(loginPage, 'the provider showed its own login page');
		assert.doesNotMatch(loginPage.body, /devInteractions|oidc-provider/i, 'not the development login page');
		assert.equal(r.params.iss, idp.issuer, 'RFC 9207 iss in the authorization response');
		assert.equal(r.tokenStatus, 200, JSON.stringify(r.tokens));
		assert.equal(r.tokens.token_type, 'Bearer');
		const { header, payload } = jwtDecode(r.tokens.id_token);
		assert.equal(header.alg, 'RS256');
		const jwks = (await jsonGet(disco.jwks_uri)).body;
		const jwk = jwks.keys.find((k) => k.kid === header.kid);
		assert.ok(jwk, 'id_token kid is in the JWKS');
		assert.equal(jwk.d, undefined, 'JWKS publishes no private part');
		assert.ok(jwsVerify(r.tokens.id_token, jwk), 'id_token signature verifies');
		const alice = accountByUsername('alice').claims;
		assert.equal(payload.iss, idp.issuer);
		assert.equal(payload.aud, 'livery');
		assert.equal(payload.sub, alice.sub);
		assert.equal(payload.nonce, r.nonce);
		assert.ok(payload.exp > Date.now() / 1000 && payload.iat <= Date.now() / 1000 + 5);

		const ui = await jsonGet(disco.userinfo_endpoint, { authorization: `Bearer ${r.tokens.access_token}` });
		assert.equal(ui.status, 200);
		assert.deepEqual(ui.body, { ...alice, groups: [...alice.groups] });
	});

	test('every demo account logs in and gets its claims', async () => {
		for (const account of ACCOUNTS) {
			const r = await rpFlow(new Client(), disco, {
				clientId: 'livery', secret: SECRET, redirectUri: redirect(), username: account.username, password: DEMO_PASSWORD,
			});
			assert.equal(r.tokenStatus, 200, account.username);
			const ui = await jsonGet(disco.userinfo_endpoint, { authorization: `Bearer ${r.tokens.access_token}` });
			assert.equal(ui.body.employee_id, account.claims.employee_id);
			assert.deepEqual(ui.body.groups, [...account.claims.groups]);
		}
	});

	test('wrong password shows the form again with an error', async () => {
		const client = new Client();
		const auth = new URL(disco.authorization_endpoint);
		auth.search = new URLSearchParams({
			response_type: 'code', client_id: 'livery', redirect_uri: redirect(), scope: 'openid',
			state: 's', nonce: 'n', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256',
		}).toString();
		const page = await client.get(auth.href, { follow: true });
		const res = await client.submit(page, { values: { username: 'alice', password: 'wrong' } });
		assert.equal(res.status, 200);
		assert.match(res.body, /data-error="login_failed"/);
		assert.match(res.body, /name="password"/);
	});

	test('cancel at the login page returns access_denied to the client', async () => {
		const client = new Client();
		const auth = new URL(disco.authorization_endpoint);
		auth.search = new URLSearchParams({
			response_type: 'code', client_id: 'livery', redirect_uri: redirect(), scope: 'openid',
			state: 'st', nonce: 'n', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256',
		}).toString();
		const page = await client.get(auth.href, { follow: true });
		let res = await client.submit(page, { submit: 'abort' });
		while (res.location && !res.location.startsWith(redirect()))
			res = await client.get(res.location);
		const q = new URL(res.location).searchParams;
		assert.equal(q.get('error'), 'access_denied');
		assert.equal(q.get('state'), 'st');
	});

	test('PKCE is required and checked; the client secret is checked', async () => {
		const client = new Client();
		const r = await rpFlow(client, disco, {
			clientId: 'livery', secret: SECRET, redirectUri: redirect(), username: 'bob', password: DEMO_PASSWORD,
		});
		assert.equal(r.tokenStatus, 200);
		/* a second flow, redeemed with a wrong verifier */
		const again = await rpFlow(client, disco, {
			clientId: 'livery', secret: SECRET, redirectUri: redirect(), username: 'bob', password: DEMO_PASSWORD, redeem: false,
		});
		assert.ok(again.params?.code, 'got a code');
		const basic = (s) => `Basic ${Buffer.from(`livery:${encodeURIComponent(s)}`).toString('base64')}`;
		const redeem = (secret, verifier) => fetch(disco.token_endpoint, {
			method: 'POST',
			headers: { authorization: basic(secret), 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ grant_type: 'authorization_code', code: again.params.code, redirect_uri: redirect(), code_verifier: verifier }),
		});
		assert.equal((await redeem('not-the-secret', again.verifier)).status, 401);
		const bad = await redeem(SECRET, crypto.randomBytes(32).toString('base64url'));
		assert.equal(bad.status, 400);
		assert.equal((await bad.json()).error, 'invalid_grant');
		/* without PKCE at all the authorization request is refused */
		const auth = new URL(disco.authorization_endpoint);
		auth.search = new URLSearchParams({
			response_type: 'code', client_id: 'livery', redirect_uri: redirect(), scope: 'openid', state: 's', nonce: 'n',
		}).toString();
		const res = await new Client().get(auth.href);
		assert.equal(new URL(res.location).searchParams.get('error'), 'invalid_request');
	});

	test('RP-initiated logout with id_token_hint returns to the post-logout URI and sends a back-channel logout', async () => {
		const client = new Client();
		const r = await rpFlow(client, disco, {
			clientId: 'livery', secret: SECRET, redirectUri: redirect(), username: 'carol', password: DEMO_PASSWORD,
		});
		rp.received.length = 0;
		const end = new URL(disco.end_session_endpoint);
		end.search = new URLSearchParams({
			id_token_hint: r.tokens.id_token, post_logout_redirect_uri: `${liveryUrl}/`, state: 'bye',
		}).toString();
		const confirm = await client.get(end.href);
		assert.equal(confirm.status, 200);
		const done = await client.submit(confirm, { submit: { name: 'logout', value: 'yes' } });
		assert.equal(done.status, 303);
		assert.equal(done.location, `${liveryUrl}/?state=bye`);
		assert.equal(rp.received.length, 1, 'one back-channel logout POST');
		const lt = rp.received[0].logout_token;
		const { header, payload } = jwtDecode(lt);
		const jwks = (await jsonGet(disco.jwks_uri)).body;
		assert.ok(jwsVerify(lt, jwks.keys.find((k) => k.kid === header.kid)), 'logout token verifies');
		assert.equal(payload.sub, accountByUsername('carol').claims.sub);
		assert.equal(payload.aud, 'livery');
		assert.equal(payload.iss, idp.issuer);
		assert.ok(payload.jti);
		assert.deepEqual(payload.events, { [BACKCHANNEL_EVENT]: {} });
		assert.equal(payload.nonce, undefined);
		/* the provider session is gone: the next authorization shows the login form again */
		const again = await client.get(new URL(disco.authorization_endpoint).href + '?' + new URLSearchParams({
			response_type: 'code', client_id: 'livery', redirect_uri: redirect(), scope: 'openid', state: 's', nonce: 'n',
			code_challenge: 'x'.repeat(43), code_challenge_method: 'S256',
		}), { follow: true });
		assert.match(again.body, /name="password"/);
	});

	test('a second login in the same browser skips the form (provider session) ', async () => {
		const client = new Client();
		const opts = { clientId: 'livery', secret: SECRET, redirectUri: redirect(), username: 'dave', password: DEMO_PASSWORD };
		await rpFlow(client, disco, opts);
		const r = await rpFlow(client, disco, { ...opts, username: 'nobody' });
		assert.equal(r.tokenStatus, 200);
		assert.ok(!r.steps.some((s) => /name="password"/.test(s.body)), 'no login form the second time');
	});
});

/* ------------------------------------------------------------ rogue */

describe('rogue provider', () => {
	let idp;
	let disco;
	let liveryUrl;
	const redirect = () => `${liveryUrl}/auth/callback`;
	const control = async (method, p, body) => {
		const r = await fetch(`${idp.issuer}${p}`, {
			method,
			headers: { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return { status: r.status, body: await r.json() };
	};
	const flow = async (scenario) => {
		if (scenario)
			assert.equal((await control('POST', '/_scenario', { name: scenario })).status, 200);
		disco = (await jsonGet(`${idp.issuer}/.well-known/openid-configuration`)).body;
		return rpFlow(new Client(), disco, { clientId: 'livery', secret: SECRET, redirectUri: redirect() });
	};
	const jwks = async () => (await jsonGet(`${idp.issuer}/jwks`)).body.keys;

	before(async () => {
		liveryUrl = `http://127.0.0.1:${await portFree()}`;
		idp = await providerRun('rogue.mjs', 'rogue', [
			'--port', String(await portFree()), '--client-secret', SECRET, '--livery-url', liveryUrl,
		]);
	});
	after(async () => idp?.stop());

	test('ok: a valid flow with PKCE and Basic auth, userinfo matches', async () => {
		await control('POST', '/_reset', {});
		const r = await flow('ok');
		assert.equal(r.tokenStatus, 200, JSON.stringify(r.tokens));
		const { header, payload } = jwtDecode(r.tokens.id_token);
		const keys = await jwks();
		assert.ok(jwsVerify(r.tokens.id_token, keys.find((k) => k.kid === header.kid)));
		assert.equal(payload.iss, idp.issuer);
		assert.equal(payload.aud, 'livery');
		assert.equal(payload.nonce, r.nonce);
		const ui = await jsonGet(disco.userinfo_endpoint, { authorization: `Bearer ${r.tokens.access_token}` });
		assert.equal(ui.status, 200);
		assert.equal(ui.body.sub, payload.sub);
		const calls = (await control('GET', '/_calls')).body;
		assert.deepEqual(calls, { discovery: 1, jwks: 1, authorize: 1, token: 1, userinfo: 1, end_session: 0 });
		assert.deepEqual((await control('POST', '/_reset', {})).body.token, 0);
		const last = (await control('GET', '/_last')).body;
		assert.equal(last.authorize.code_challenge_method, 'S256');
		assert.equal(last.token.basic, true);
	});

	test('the token endpoint refuses a wrong secret, a wrong verifier and a reused code', async () => {
		const r = await flow('ok');
		const redeem = (secret, verifier) => fetch(disco.token_endpoint, {
			method: 'POST',
			headers: {
				authorization: `Basic ${Buffer.from(`livery:${encodeURIComponent(secret)}`).toString('base64')}`,
				'content-type': 'application/x-www-form-urlencoded',
			},
			body: new URLSearchParams({ grant_type: 'authorization_code', code: r.params.code, redirect_uri: redirect(), code_verifier: verifier }),
		});
		assert.equal((await redeem(SECRET, r.verifier)).status, 400, 'code already used by rpFlow');
		const r2 = await flow('ok');
		assert.equal(r2.tokenStatus, 200);
		const r3 = await rpFlow(new Client(), disco,
			{ clientId: 'livery', secret: SECRET, redirectUri: redirect(), redeem: false });
		const again = (secret, verifier) => fetch(disco.token_endpoint, {
			method: 'POST',
			headers: {
				authorization: `Basic ${Buffer.from(`livery:${encodeURIComponent(secret)}`).toString('base64')}`,
				'content-type': 'application/x-www-form-urlencoded',
			},
			body: new URLSearchParams({ grant_type: 'authorization_code', code: r3.params.code, redirect_uri: redirect(), code_verifier: verifier }),
		});
		assert.equal((await again('wrong', r3.verifier)).status, 401);
	});

	test('the authorization endpoint refuses an unknown redirect_uri and a missing PKCE', async () => {
		const auth = (q) => new Client().get(`${idp.issuer}/authorize?${new URLSearchParams(q)}`);
		const base = { response_type: 'code', client_id: 'livery', scope: 'openid', state: 's', nonce: 'n' };
		const bad = await auth({ ...base, redirect_uri: 'http://evil.example/cb', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
		assert.equal(bad.status, 400);
		assert.equal(bad.location, null);
		const nopkce = await auth({ ...base, redirect_uri: redirect() });
		assert.equal(new URL(nopkce.location).searchParams.get('error'), 'invalid_request');
	});

	test('every scenario misbehaves as named', async () => {
		const now = Date.now() / 1000;
		for (const name of Object.keys(SCENARIOS)) {
			if (name === 'discovery_error' || name === 'discovery_issuer_mismatch' || name === 'rotation')
				continue;
			const r = await flow(name);
			if (name === 'provider_error') {
				assert.equal(r.params.error, 'access_denied', name);
				continue;
			}
			if (name === 'token_error') {
				assert.equal(r.tokenStatus, 400, name);
				continue;
			}
			assert.equal(r.tokenStatus, 200, name);
			if (name === 'id_token_missing') {
				assert.equal(r.tokens.id_token, undefined);
				continue;
			}
			if (name === 'id_token_malformed') {
				assert.throws(() => jwtDecode(r.tokens.id_token));
				continue;
			}
			const { header, payload, input, sig } = jwtDecode(r.tokens.id_token);
			const keys = await jwks();
			const byKid = keys.find((k) => k.kid === header.kid);
			const expectValidSig = !['kid_unknown', 'bad_signature', 'alg_none', 'hs256_with_public_key', 'kid_absent_one_key', 'kid_absent_several_keys'].includes(name);
			if (expectValidSig)
				assert.ok(byKid && jwsVerify(r.tokens.id_token, byKid), `${name}: signature verifies`);
			const ui = await jsonGet(disco.userinfo_endpoint, { authorization: `Bearer ${r.tokens.access_token}` });
			switch (name) {
			case 'ok': assert.equal(payload.nonce, r.nonce); break;
			case 'nonce_invalid': assert.notEqual(payload.nonce, r.nonce); break;
			case 'aud_invalid': assert.equal(payload.aud, 'someone-else'); break;
			case 'aud_missing': assert.equal(payload.aud, undefined); break;
			case 'aud_multi_no_azp': assert.deepEqual(payload.aud, ['livery', 'someone-else']); assert.equal(payload.azp, undefined); break;
			case 'azp_invalid': assert.equal(payload.azp, 'someone-else'); break;
			case 'iss_invalid': assert.notEqual(payload.iss, idp.issuer); break;
			case 'iat_missing': assert.equal(payload.iat, undefined); break;
			case 'exp_missing': assert.equal(payload.exp, undefined); break;
			case 'expired': assert.ok(payload.exp < now - 300); break;
			case 'sub_missing': assert.equal(payload.sub, undefined); break;
			case 'bad_signature': assert.equal(jwsVerify(r.tokens.id_token, byKid), false); break;
			case 'alg_none': assert.equal(header.alg, 'none'); assert.equal(sig.length, 0); break;
			case 'hs256_with_public_key': {
				assert.equal(header.alg, 'HS256');
				const pem = crypto.createPublicKey({ key: byKid, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
				const mac = crypto.createHmac('sha256', pem).update(input).digest();
				assert.ok(mac.equals(sig), 'HMAC keyed with the public key PEM');
				break;
			}
			case 'kid_absent_one_key':
				assert.equal(header.kid, undefined);
				assert.equal(keys.length, 1);
				assert.ok(jwsVerify(r.tokens.id_token, keys[0]));
				break;
			case 'kid_absent_several_keys':
				assert.equal(header.kid, undefined);
				assert.equal(keys.filter((k) => k.kty === 'RSA').length, 2);
				assert.equal(keys.filter((k) => jwsVerify(r.tokens.id_token, k)).length, 1);
				break;
			case 'userinfo_sub_mismatch': assert.notEqual(ui.body.sub, payload.sub); break;
			case 'userinfo_error': assert.equal(ui.status, 500); break;
			case 'kid_unknown': assert.ok(!byKid && jwsVerify(r.tokens.id_token, keys[0])); break;
			case 'es256': assert.equal(header.alg, 'ES256'); assert.equal(byKid.kty, 'EC'); break;
			default: assert.fail(`scenario ${name} not checked by the self-test`);
			}
			if (name !== 'userinfo_sub_mismatch' && name !== 'userinfo_error')
				assert.equal(ui.body.sub, payload.sub ?? ui.body.sub, `${name}: userinfo sub`);
		}
	});

	test('discovery scenarios', async () => {
		await control('POST', '/_scenario', { name: 'discovery_issuer_mismatch' });
		const d = await jsonGet(`${idp.issuer}/.well-known/openid-configuration`);
		assert.notEqual(d.body.issuer, idp.issuer);
		await control('POST', '/_scenario', { name: 'discovery_error' });
		assert.equal((await jsonGet(`${idp.issuer}/.well-known/openid-configuration`)).status, 503);
		assert.equal((await control('POST', '/_scenario', { name: 'no_such' })).status, 400);
	});

	test('rotation: the second login is signed with a key unknown to the first JWKS', async () => {
		const r1 = await flow('rotation');
		const keys1 = await jwks();
		const k1 = jwtDecode(r1.tokens.id_token).header.kid;
		assert.ok(keys1.some((k) => k.kid === k1));
		const r2 = await flow();
		const k2 = jwtDecode(r2.tokens.id_token).header.kid;
		assert.notEqual(k2, k1);
		assert.ok(!keys1.some((k) => k.kid === k2), 'new kid not in the old JWKS');
		const keys2 = await jwks();
		assert.deepEqual(keys2.map((k) => k.kid), [k2], 'new key alone in the JWKS');
		assert.ok(jwsVerify(r2.tokens.id_token, keys2[0]));
		const rot = await control('POST', '/_rotate', {});
		assert.deepEqual((await jwks()).map((k) => k.kid), [rot.body.kid]);
	});

	test('back-channel logout tokens are signed with the current key and take overrides', async () => {
		await control('POST', '/_scenario', { name: 'ok', user: 'bob' });
		const lt = (await control('POST', '/_logout_token', { claims: { nonce: 'n', events: null } })).body.logout_token;
		const { header, payload } = jwtDecode(lt);
		assert.equal(header.typ, 'logout+jwt');
		const keys = await jwks();
		assert.ok(jwsVerify(lt, keys.find((k) => k.kid === header.kid)));
		assert.equal(payload.sub, accountByUsername('bob').claims.sub);
		assert.equal(payload.nonce, 'n');
		assert.equal(payload.events, undefined);
		const bad = (await control('POST', '/_logout_token', { options: { badSignature: true } })).body.logout_token;
		const bh = jwtDecode(bad).header;
		assert.equal(jwsVerify(bad, keys.find((k) => k.kid === bh.kid)), false);
		const ok = jwtDecode((await control('POST', '/_logout_token', {})).body.logout_token).payload;
		assert.deepEqual(ok.events, { [BACKCHANNEL_EVENT]: {} });
		assert.equal(ok.aud, 'livery');
		assert.ok(ok.jti && ok.iat && ok.exp > ok.iat);
	});

	test('RP-initiated logout redirects to a registered post-logout URI only', async () => {
		const ok = await new Client().get(`${idp.issuer}/logout?post_logout_redirect_uri=${encodeURIComponent(`${liveryUrl}/`)}&state=x`);
		assert.equal(ok.status, 302);
		assert.equal(ok.location, `${liveryUrl}/?state=x`);
		const bad = await new Client().get(`${idp.issuer}/logout?post_logout_redirect_uri=${encodeURIComponent('http://evil.example/')}`);
		assert.equal(bad.status, 200);
	});
});
