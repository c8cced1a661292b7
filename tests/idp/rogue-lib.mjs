// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * rogue-lib.mjs - the "rogue" identity provider: a deliberately misbehaving
 * OpenID provider written with node:http and node:crypto only, reproducing
 * the OpenID Foundation's relying-party conformance cases (bad nonce, wrong
 * audience, missing claims, forged or unsigned tokens, key rotation...).
 *
 * It serves discovery, a JWKS, an authorization endpoint that redirects back
 * at once with a code (no login page), a token endpoint (client_secret_basic
 * and PKCE S256 checked; the id_token is crafted for the current scenario), a
 * userinfo endpoint (Bearer) and an end-session endpoint. Tests steer it
 * through control endpoints:
 *   POST /_scenario {"name": "...", "user": "alice"}   scenario for following flows
 *   GET  /_scenario                                   the current one
 *   GET  /_calls   POST /_reset                        per-endpoint call counters
 *   POST /_rotate                                     a new signing key, alone in the JWKS
 *   GET  /_last                                       the last authorize/token requests seen
 *   POST /_logout_token {"claims": {...}, "options": {...}}  a signed back-channel logout token
 * rogueStart() runs it in-process; rogue.mjs is the command-line wrapper.
 * Client secrets here are DEMO-ONLY.
 */
import crypto from 'node:crypto';
import http from 'node:http';

import { ACCOUNTS, accountByUsername } from './accounts.mjs';
import {
	b64url, bodyRead, formParse, htmlEscape, htmlSend, jsonSend, redirectSend, strEqual,
} from './util.mjs';

/*
 * Every scenario, with what a correct relying party must do with it. The
 * last group is beyond the OpenID list and exercises the remaining error
 * paths of a relying party.
 */
export const SCENARIOS = Object.freeze({
	ok: 'accept',
	nonce_invalid: 'refuse',
	aud_invalid: 'refuse',
	aud_missing: 'refuse',
	aud_multi_no_azp: 'refuse',
	azp_invalid: 'refuse',
	iss_invalid: 'refuse',
	iat_missing: 'refuse',
	exp_missing: 'refuse',
	expired: 'refuse',
	sub_missing: 'refuse',
	bad_signature: 'refuse',
	alg_none: 'refuse',
	hs256_with_public_key: 'refuse',
	kid_absent_one_key: 'accept',
	kid_absent_several_keys: 'refuse',
	rotation: 'accept',
	userinfo_sub_mismatch: 'refuse',
	discovery_issuer_mismatch: 'refuse',
	es256: 'accept',
	/* extra error paths */
	kid_unknown: 'refuse',
	provider_error: 'refuse',
	token_error: 'refuse',
	id_token_missing: 'refuse',
	id_token_malformed: 'refuse',
	userinfo_error: 'refuse',
	discovery_error: 'refuse',
});

export const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

const CODE_TTL = 60;
const TOKEN_TTL = 300;

function rsaKeyNew(prefix) {
	const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
	const kid = `${prefix}-${crypto.randomBytes(6).toString('hex')}`;
	return {
		kid, alg: 'RS256', privateKey, publicKey,
		jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
	};
}

function ecKeyNew() {
	const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
	const kid = `ec-${crypto.randomBytes(6).toString('hex')}`;
	return {
		kid, alg: 'ES256', privateKey, publicKey,
		jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' },
	};
}

/*
 * Signs a compact JWS. key: a key from rsaKeyNew/ecKeyNew, or
 * { hmac: Buffer } for HS256, or null for alg "none". header is used as given.
 */
export function jwsSign(header, payload, key) {
	const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
	let sig = Buffer.alloc(0);
	if (key && key.hmac)
		sig = crypto.createHmac('sha256', key.hmac).update(input).digest();
	else if (key && key.alg === 'ES256')
		sig = crypto.sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
	else if (key)
		sig = crypto.sign('sha256', Buffer.from(input), key.privateKey);
	return `${input}.${b64url(sig)}`;
}

/* Flips bits in the middle of a JWS signature so that it no longer verifies. */
export function jwsCorrupt(jws) {
	const [h, p, s] = jws.split('.');
	const sig = Buffer.from(s, 'base64url');
	sig[sig.length >> 1] ^= 0x5a;
	sig[0] ^= 0x01;
	return `${h}.${p}.${b64url(sig)}`;
}

/* Applies overrides to claims: a key whose value is undefined or null is removed. */
function claimsOverride(claims, overrides) {
	const out = { ...claims };
	for (const [k, v] of Object.entries(overrides || {})) {
		if (v === undefined || v === null)
			delete out[k];
		else
			out[k] = v;
	}
	return out;
}

function callsZero() {
	return { discovery: 0, jwks: 0, authorize: 0, token: 0, userinfo: 0, end_session: 0 };
}

/* Decodes an HTTP Basic credential into [id, secret] (RFC 6749 2.3.1 form-encoding), or null. */
function basicDecode(header) {
	const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header || '');
	if (!m)
		return null;
	const raw = Buffer.from(m[1], 'base64').toString('utf8');
	const i = raw.indexOf(':');
	if (i < 0)
		return null;
	const dec = (s) => {
		try {
			return decodeURIComponent(s.replace(/\+/g, ' '));
		} catch {
			return null;
		}
	};
	return [dec(raw.slice(0, i)), dec(raw.slice(i + 1))];
}

class Rogue {
	constructor(opt) {
		this.opt = opt;
		this.scenario = opt.scenario || 'ok';
		this.user = accountByUsername(opt.user || 'alice');
		this.calls = callsZero();
		this.codes = new Map();
		this.tokens = new Map();
		this.last = { authorize: null, token: null, userinfo: null };
		this.rsa = rsaKeyNew('rsa');
		this.rsaOther = null;
		this.ec = null;
		this.rotationTokens = 0;
		this.issuer = '';
	}

	/* The keys published in the JWKS for the current scenario. */
	jwksKeys() {
		const keys = [this.rsa.jwk];
		if (this.scenario === 'kid_absent_several_keys') {
			this.rsaOther ||= rsaKeyNew('rsa-other');
			keys.push(this.rsaOther.jwk);
		}
		if (this.scenario === 'es256') {
			this.ec ||= ecKeyNew();
			keys.push(this.ec.jwk);
		}
		return keys;
	}

	rotate() {
		this.rsa = rsaKeyNew('rsa');
		return this.rsa.kid;
	}

	discovery() {
		const base = this.issuer;
		return {
			issuer: this.scenario === 'discovery_issuer_mismatch' ? `${base}/other` : base,
			authorization_endpoint: `${base}/authorize`,
			token_endpoint: `${base}/token`,
			userinfo_endpoint: `${base}/userinfo`,
			jwks_uri: `${base}/jwks`,
			end_session_endpoint: `${base}/logout`,
			response_types_supported: ['code'],
			response_modes_supported: ['query'],
			grant_types_supported: ['authorization_code'],
			subject_types_supported: ['public'],
			id_token_signing_alg_values_supported: ['RS256', 'ES256'],
			token_endpoint_auth_methods_supported: ['client_secret_basic'],
			code_challenge_methods_supported: ['S256'],
			scopes_supported: ['openid', 'profile', 'email'],
			claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', ...Object.keys(ACCOUNTS[0].claims)],
			backchannel_logout_supported: true,
			backchannel_logout_session_supported: false,
		};
	}

	/* Builds the id_token for the code being redeemed, per the current scenario. */
	idTokenBuild(code) {
		const now = Math.floor(Date.now() / 1000);
		const s = this.scenario;
		let key = this.rsa;
		const header = { alg: 'RS256', typ: 'JWT', kid: key.kid };
		let claims = {
			iss: this.issuer,
			sub: code.user.claims.sub,
			aud: this.opt.clientId,
			exp: now + TOKEN_TTL,
			iat: now,
			auth_time: now,
			nonce: code.nonce,
		};

		if (s === 'rotation' && this.rotationTokens++ > 0) {
			/* Every login after the first in this scenario meets a new key. */
			key = this.rsa = rsaKeyNew('rsa');
			header.kid = key.kid;
		}
		switch (s) {
		case 'nonce_invalid':
			claims.nonce = `x${crypto.randomBytes(8).toString('hex')}`;
			break;
		case 'aud_invalid':
			claims.aud = 'someone-else';
			break;
		case 'aud_missing':
			delete claims.aud;
			break;
		case 'aud_multi_no_azp':
			claims.aud = [this.opt.clientId, 'someone-else'];
			break;
		case 'azp_invalid':
			claims.aud = [this.opt.clientId, 'someone-else'];
			claims.azp = 'someone-else';
			break;
		case 'iss_invalid':
			claims.iss = `${this.issuer}/evil`;
			break;
		case 'iat_missing':
			delete claims.iat;
			break;
		case 'exp_missing':
			delete claims.exp;
			break;
		case 'expired':
			claims = { ...claims, iat: now - 900, auth_time: now - 900, exp: now - 600 };
			break;
		case 'sub_missing':
			delete claims.sub;
			break;
		case 'alg_none':
			return jwsSign({ alg: 'none', typ: 'JWT' }, claims, null);
		case 'hs256_with_public_key':
			return jwsSign({ alg: 'HS256', typ: 'JWT', kid: key.kid }, claims,
				{ hmac: Buffer.from(key.publicKey.export({ type: 'spki', format: 'pem' })) });
		case 'kid_absent_one_key':
			delete header.kid;
			break;
		case 'kid_absent_several_keys':
			this.jwksKeys();
			delete header.kid;
			break;
		case 'kid_unknown':
			header.kid = `unknown-${crypto.randomBytes(6).toString('hex')}`;
			break;
		case 'es256':
			this.jwksKeys();
			key = this.ec;
			header.alg = 'ES256';
			header.kid = key.kid;
			break;
		case 'id_token_malformed':
			return 'this-is.not-a.jwt!';
		default:
			break;
		}
		const jws = jwsSign(header, claims, key);
		return s === 'bad_signature' ? jwsCorrupt(jws) : jws;
	}

	/* The back-channel logout token for claims overrides; options.badSignature, options.alg ('ES256'). */
	logoutTokenSign(overrides = {}, options = {}) {
		const now = Math.floor(Date.now() / 1000);
		const claims = claimsOverride({
			iss: this.issuer,
			sub: this.user.claims.sub,
			aud: this.opt.clientId,
			iat: now,
			exp: now + 120,
			jti: crypto.randomBytes(16).toString('hex'),
			events: { [BACKCHANNEL_EVENT]: {} },
		}, overrides);
		let key = this.rsa;
		if (options.alg === 'ES256') {
			this.ec ||= ecKeyNew();
			key = this.ec;
		}
		const header = claimsOverride({ alg: key.alg, typ: 'logout+jwt', kid: key.kid }, options.header);
		const jws = jwsSign(header, claims, key);
		return options.badSignature ? jwsCorrupt(jws) : jws;
	}

	authorize(req, res, url) {
		const q = Object.fromEntries(url.searchParams);
		this.last.authorize = q;
		const redirectUris = this.opt.redirectUris;
		if (q.client_id !== this.opt.clientId || !redirectUris.includes(q.redirect_uri)) {
			htmlSend(res, 400, `<!DOCTYPE html><title>Error</title><p data-error="invalid_client">unknown client_id or redirect_uri ${htmlEscape(q.redirect_uri || '')}</p>`);
			return;
		}
		const back = new URL(q.redirect_uri);
		if (q.state !== undefined)
			back.searchParams.set('state', q.state);
		let error = null;
		if (q.response_type !== 'code')
			error = ['unsupported_response_type', 'response_type must be code'];
		else if (!String(q.scope || '').split(' ').includes('openid'))
			error = ['invalid_scope', 'scope must contain openid'];
		else if (!q.code_challenge || q.code_challenge_method !== 'S256')
			error = ['invalid_request', 'PKCE with S256 is required'];
		else if (this.scenario === 'provider_error')
			error = ['access_denied', 'the rogue says no'];
		if (error) {
			back.searchParams.set('error', error[0]);
			back.searchParams.set('error_description', error[1]);
			redirectSend(res, 302, back.href);
			return;
		}
		const code = crypto.randomBytes(24).toString('base64url');
		this.codes.set(code, {
			clientId: q.client_id,
			redirectUri: q.redirect_uri,
			nonce: q.nonce,
			challenge: q.code_challenge,
			scope: q.scope,
			user: this.user,
			exp: Date.now() + CODE_TTL * 1000,
		});
		back.searchParams.set('code', code);
		redirectSend(res, 302, back.href);
	}

	async token(req, res) {
		if (req.method !== 'POST') {
			jsonSend(res, 405, { error: 'invalid_request' }, { allow: 'POST' });
			return;
		}
		const form = formParse(await bodyRead(req));
		const cred = basicDecode(req.headers.authorization);
		this.last.token = { form: { ...form, code_verifier: form.code_verifier ? '(present)' : undefined }, basic: !!cred };
		if (!cred || cred[0] !== this.opt.clientId || !strEqual(cred[1] ?? '', this.opt.clientSecret)) {
			jsonSend(res, 401, { error: 'invalid_client', error_description: 'client_secret_basic authentication failed' },
				{ 'www-authenticate': 'Basic realm="rogue"' });
			return;
		}
		const code = this.codes.get(form.code || '');
		this.codes.delete(form.code || '');
		const bad = (why) => jsonSend(res, 400, { error: 'invalid_grant', error_description: why });
		if (form.grant_type !== 'authorization_code')
			return jsonSend(res, 400, { error: 'unsupported_grant_type' });
		if (!code || code.exp < Date.now())
			return bad('unknown, used or expired code');
		if (code.clientId !== cred[0])
			return bad('code issued to another client');
		if (form.redirect_uri !== code.redirectUri)
			return bad('redirect_uri differs from the authorization request');
		const verifier = form.code_verifier || '';
		if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)
		    || crypto.createHash('sha256').update(verifier).digest('base64url') !== code.challenge)
			return bad('PKCE code_verifier does not match the code_challenge');
		if (this.scenario === 'token_error')
			return bad('the rogue refuses this code');

		const accessToken = crypto.randomBytes(24).toString('base64url');
		this.tokens.set(accessToken, { user: code.user, exp: Date.now() + TOKEN_TTL * 1000 });
		const body = {
			access_token: accessToken,
			token_type: 'Bearer',
			expires_in: TOKEN_TTL,
			scope: code.scope,
		};
		if (this.scenario !== 'id_token_missing')
			body.id_token = this.idTokenBuild(code);
		jsonSend(res, 200, body, { pragma: 'no-cache' });
	}

	userinfo(req, res) {
		const m = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(req.headers.authorization || '');
		const tok = m && this.tokens.get(m[1]);
		this.last.userinfo = { bearer: !!m };
		if (!tok || tok.exp < Date.now()) {
			jsonSend(res, 401, { error: 'invalid_token' },
				{ 'www-authenticate': 'Bearer error="invalid_token"' });
			return;
		}
		if (this.scenario === 'userinfo_error') {
			jsonSend(res, 500, { error: 'server_error' });
			return;
		}
		const claims = { ...tok.user.claims, groups: [...tok.user.claims.groups] };
		if (this.scenario === 'userinfo_sub_mismatch')
			claims.sub = 'u-000000000000';
		jsonSend(res, 200, claims);
	}

	endSession(req, res, url) {
		const q = Object.fromEntries(url.searchParams);
		const target = q.post_logout_redirect_uri;
		if (target && this.opt.postLogoutRedirectUris.includes(target)) {
			const u = new URL(target);
			if (q.state !== undefined)
				u.searchParams.set('state', q.state);
			redirectSend(res, 302, u.href);
			return;
		}
		htmlSend(res, 200, '<!DOCTYPE html><title>Signed out</title><h1>Signed out (rogue)</h1>');
	}

	async control(req, res, url) {
		const body = req.method === 'POST' ? await bodyRead(req) : '';
		let input = {};
		if (body) {
			try {
				input = JSON.parse(body);
			} catch {
				jsonSend(res, 400, { error: 'body must be JSON' });
				return;
			}
		}
		const route = `${req.method} ${url.pathname}`;
		switch (route) {
		case 'POST /_scenario':
			if (!Object.hasOwn(SCENARIOS, input.name)) {
				jsonSend(res, 400, { error: `unknown scenario ${input.name}`, known: Object.keys(SCENARIOS) });
				return;
			}
			if (input.user !== undefined && !accountByUsername(input.user)) {
				jsonSend(res, 400, { error: `unknown user ${input.user}` });
				return;
			}
			this.scenario = input.name;
			this.rotationTokens = 0;
			if (input.user !== undefined)
				this.user = accountByUsername(input.user);
			jsonSend(res, 200, { scenario: this.scenario, user: this.user.username });
			return;
		case 'GET /_scenario':
			jsonSend(res, 200, { scenario: this.scenario, user: this.user.username });
			return;
		case 'GET /_calls':
			jsonSend(res, 200, this.calls);
			return;
		case 'POST /_reset':
			this.calls = callsZero();
			jsonSend(res, 200, this.calls);
			return;
		case 'POST /_rotate':
			jsonSend(res, 200, { kid: this.rotate() });
			return;
		case 'GET /_last':
			jsonSend(res, 200, this.last);
			return;
		case 'POST /_logout_token':
			jsonSend(res, 200, { logout_token: this.logoutTokenSign(input.claims || {}, input.options || {}) });
			return;
		default:
			jsonSend(res, 404, { error: 'no such control endpoint' });
		}
	}

	async handle(req, res) {
		const url = new URL(req.url, this.issuer);
		const p = url.pathname;
		if (p.startsWith('/_')) {
			await this.control(req, res, url);
			return;
		}
		switch (p) {
		case '/.well-known/openid-configuration':
			this.calls.discovery++;
			if (this.scenario === 'discovery_error')
				jsonSend(res, 503, { error: 'temporarily_unavailable' });
			else
				jsonSend(res, 200, this.discovery());
			return;
		case '/jwks':
			this.calls.jwks++;
			jsonSend(res, 200, { keys: this.jwksKeys() }, { 'content-type': 'application/jwk-set+json' });
			return;
		case '/authorize':
			this.calls.authorize++;
			this.authorize(req, res, url);
			return;
		case '/token':
			this.calls.token++;
			await this.token(req, res);
			return;
		case '/userinfo':
			this.calls.userinfo++;
			this.userinfo(req, res);
			return;
		case '/logout':
			this.calls.end_session++;
			this.endSession(req, res, url);
			return;
		default:
			jsonSend(res, 404, { error: 'not_found' });
		}
	}
}

/*
 * Starts a rogue provider in this process. options: { host ('127.0.0.1'),
 * port (0 = any free port), clientId ('livery'), clientSecret, liveryUrl
 * (registers <liveryUrl>/auth/callback and <liveryUrl>/), scenario ('ok'),
 * user ('alice') }. Returns a promise of the rogue: { issuer, url, port,
 * scenario, calls, rotate(), logoutTokenSign(), close() }.
 */
export async function rogueStart(options = {}) {
	const opt = {
		host: '127.0.0.1', port: 0, clientId: 'livery', clientSecret: 'livery-demo-secret',
		liveryUrl: 'http://127.0.0.1:8080', ...options,
	};
	const livery = opt.liveryUrl.replace(/\/+$/, '');
	opt.redirectUris ||= [`${livery}/auth/callback`];
	opt.postLogoutRedirectUris ||= [`${livery}/`];
	if (!Object.hasOwn(SCENARIOS, opt.scenario || 'ok'))
		throw new Error(`unknown scenario ${opt.scenario}`);
	const rogue = new Rogue(opt);
	const server = http.createServer((req, res) => {
		rogue.handle(req, res).catch((err) => {
			if (!res.headersSent)
				jsonSend(res, err.status || 500, { error: 'server_error', error_description: err.message });
			else
				res.end();
		});
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(opt.port, opt.host, resolve);
	});
	rogue.port = server.address().port;
	rogue.issuer = `http://${opt.host}:${rogue.port}`;
	rogue.url = rogue.issuer;
	rogue.close = () => new Promise((resolve) => {
		server.close(() => resolve());
		server.closeAllConnections?.();
	});
	return rogue;
}

/*
 * Signs a back-channel logout token with the rogue's current key. claims
 * overrides the defaults (iss, sub of the current user, aud, iat, exp, a
 * fresh jti, the back-channel event); a value of undefined/null removes a
 * claim. options: { badSignature: true } corrupts the signature,
 * { alg: 'ES256' } signs with the EC key, { header: {...} } overrides header
 * fields. rogue is either the object from rogueStart() or the base URL of a
 * rogue running elsewhere (then the token is fetched from /_logout_token and
 * a promise is returned).
 */
export function logoutTokenSign(rogue, claims = {}, options = {}) {
	if (typeof rogue !== 'string')
		return rogue.logoutTokenSign(claims, options);
	/* JSON cannot carry undefined: send removals as null. */
	const wire = Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, v === undefined ? null : v]));
	return fetch(`${rogue.replace(/\/+$/, '')}/_logout_token`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ claims: wire, options }),
	}).then(async (r) => {
		if (r.status !== 200)
			throw new Error(`rogue /_logout_token answered ${r.status}`);
		return (await r.json()).logout_token;
	});
}
