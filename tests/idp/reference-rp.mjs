#!/usr/bin/env node
// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * reference-rp.mjs - a stand-in for the livery binary that implements only
 * the authentication contract the HTTP tests check (healthz, the login gate,
 * /auth/login, /auth/callback, /api/v1/me, /auth/logout,
 * /auth/backchannel-logout, security headers), written to test the tests:
 * a suite that fails against it has a bug of its own, or the contract
 * changed. It is not Livery and nothing ships it.
 *
 *   LIVERY_BIN=tests/idp/reference-rp.mjs node --test tests/http/
 *
 * It takes the livery command line (serve --config F, import-catalog
 * --config F CSV) and the [server], [oidc] and [roles] keys of the INI file.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

import { bodyRead, formParse, htmlEscape } from './util.mjs';

const SKEW = 60;
const BCL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

function iniRead(file) {
	const out = {};
	let sec = null;
	for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
		const line = raw.trim();
		if (!line || line.startsWith('#') || line.startsWith(';'))
			continue;
		const m = /^\[(.+)\]$/.exec(line);
		if (m) {
			sec = out[m[1]] ||= {};
			continue;
		}
		const i = line.indexOf('=');
		sec[line.slice(0, i).trim()] = line.slice(i + 1).trim();
	}
	return out;
}

class Refusal extends Error {
	constructor(status, reason) {
		super(reason);
		this.status = status;
		this.reason = reason;
	}
}

const b64json = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

class Rp {
	constructor(cfg) {
		this.cfg = cfg;
		this.public = cfg.server.public_url.replace(/\/+$/, '');
		this.issuer = cfg.oidc.issuer;
		this.clientId = cfg.oidc.client_id;
		this.secret = cfg.oidc.client_secret;
		this.roles = cfg.roles || {};
		this.disco = null;
		this.jwks = null;
		this.pending = new Map();
		this.sessions = new Map();
		this.jtis = new Set();
	}

	async discovery() {
		if (this.disco)
			return this.disco;
		let d;
		try {
			const r = await fetch(`${this.issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(3000) });
			if (r.status !== 200)
				throw new Error(`status ${r.status}`);
			d = await r.json();
		} catch {
			throw new Refusal(502, 'discovery_failed');
		}
		if (d.issuer !== this.issuer)
			throw new Refusal(502, 'issuer_mismatch');
		this.disco = d;
		return d;
	}

	async jwksFetch() {
		const r = await fetch(this.disco.jwks_uri, { signal: AbortSignal.timeout(3000) });
		this.jwks = (await r.json()).keys || [];
	}

	/* Verifies a JWS from the provider; returns its payload or throws a Refusal. */
	async jwsVerify(jwt, status, malformed) {
		const parts = String(jwt).split('.');
		let header;
		let payload;
		try {
			if (parts.length !== 3)
				throw new Error('parts');
			header = b64json(parts[0]);
			payload = b64json(parts[1]);
		} catch {
			throw new Refusal(status, malformed);
		}
		if (header.alg !== 'RS256' && header.alg !== 'ES256')
			throw new Refusal(status, 'alg_not_allowed');
		const kty = header.alg === 'RS256' ? 'RSA' : 'EC';
		const pick = () => {
			const keys = (this.jwks || []).filter((k) => k.kty === kty && (!k.use || k.use === 'sig'));
			if (header.kid === undefined)
				return keys.length === 1 ? keys[0] : null;
			return keys.find((k) => k.kid === header.kid) || null;
		};
		let jwk = this.jwks ? pick() : null;
		if (!jwk) {
			await this.jwksFetch();
			jwk = pick();
		}
		if (!jwk)
			throw new Refusal(status, 'key_not_found');
		const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
		const input = Buffer.from(`${parts[0]}.${parts[1]}`);
		const sig = Buffer.from(parts[2], 'base64url');
		const ok = header.alg === 'RS256'
			? crypto.verify('sha256', input, key, sig)
			: crypto.verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, sig);
		if (!ok)
			throw new Refusal(status, 'signature_invalid');
		return payload;
	}

	audCheck(p, status) {
		const aud = Array.isArray(p.aud) ? p.aud : p.aud === undefined ? [] : [p.aud];
		if (!aud.includes(this.clientId))
			throw new Refusal(status, 'aud_invalid');
		if (aud.length > 1 && p.azp === undefined)
			throw new Refusal(status, 'azp_invalid');
		if (p.azp !== undefined && p.azp !== this.clientId)
			throw new Refusal(status, 'azp_invalid');
	}

	async login(req, res, url) {
		let to = url.searchParams.get('return_to') || '/';
		if (!/^\/(?![/\\])[^\\\s]*$/.test(to))
			to = '/';
		const d = await this.discovery();
		const state = crypto.randomBytes(24).toString('base64url');
		const nonce = crypto.randomBytes(24).toString('base64url');
		const verifier = crypto.randomBytes(32).toString('base64url');
		this.pending.set(state, { nonce, verifier, to, exp: Date.now() + 600000 });
		const u = new URL(d.authorization_endpoint);
		u.search = new URLSearchParams({
			response_type: 'code', client_id: this.clientId, redirect_uri: `${this.public}/auth/callback`,
			scope: 'openid profile email', state, nonce,
			code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
			code_challenge_method: 'S256',
		}).toString();
		return { status: 302, headers: { location: u.href } };
	}

	async callback(req, res, url) {
		const q = url.searchParams;
		const p = this.pending.get(q.get('state') || '');
		this.pending.delete(q.get('state') || '');
		if (!p || p.exp < Date.now())
			throw new Refusal(400, 'state_invalid');
		if (q.get('error'))
			throw new Refusal(400, 'provider_error');
		const d = await this.discovery();
		let tokens;
		try {
			const r = await fetch(d.token_endpoint, {
				method: 'POST',
				headers: {
					authorization: `Basic ${Buffer.from(`${encodeURIComponent(this.clientId)}:${encodeURIComponent(this.secret)}`).toString('base64')}`,
					'content-type': 'application/x-www-form-urlencoded',
				},
				body: new URLSearchParams({
					grant_type: 'authorization_code', code: q.get('code') || '',
					redirect_uri: `${this.public}/auth/callback`, code_verifier: p.verifier,
				}),
			});
			if (r.status !== 200)
				throw new Error(`token ${r.status}`);
			tokens = await r.json();
		} catch {
			throw new Refusal(502, 'token_request_failed');
		}
		if (!tokens.id_token)
			throw new Refusal(401, 'id_token_missing');
		const c = await this.jwsVerify(tokens.id_token, 401, 'id_token_malformed');
		const now = Date.now() / 1000;
		if (c.iss !== this.issuer)
			throw new Refusal(401, 'iss_invalid');
		this.audCheck(c, 401);
		if (typeof c.exp !== 'number' || c.exp + SKEW < now)
			throw new Refusal(401, 'exp_invalid');
		if (typeof c.iat !== 'number' || c.iat - SKEW > now)
			throw new Refusal(401, 'iat_invalid');
		if (c.nonce !== p.nonce)
			throw new Refusal(401, 'nonce_invalid');
		if (!c.sub)
			throw new Refusal(401, 'sub_missing');
		let ui;
		try {
			const r = await fetch(d.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } });
			if (r.status !== 200)
				throw new Error(`userinfo ${r.status}`);
			ui = await r.json();
		} catch {
			throw new Refusal(502, 'userinfo_failed');
		}
		if (ui.sub !== c.sub)
			throw new Refusal(401, 'userinfo_sub_mismatch');
		const id = crypto.randomBytes(32).toString('base64url');
		this.sessions.set(id, { sub: c.sub, claims: ui, idToken: tokens.id_token, csrf: crypto.randomBytes(24).toString('base64url') });
		const secure = this.public.startsWith('https:') ? '; Secure' : '';
		return {
			status: 303,
			headers: {
				location: p.to,
				'set-cookie': `livery_session=${id}; Path=/; HttpOnly; SameSite=Lax${secure}`,
			},
		};
	}

	async backchannel(req) {
		const form = formParse(await bodyRead(req));
		await this.discovery();
		const c = await this.jwsVerify(form.logout_token || '', 400, 'logout_token_invalid');
		if (c.iss !== this.issuer || typeof c.iat !== 'number' || c.nonce !== undefined
		    || !c.events || typeof c.events[BCL_EVENT] !== 'object' || (!c.sub && !c.sid)
		    || !c.jti || this.jtis.has(c.jti))
			throw new Refusal(400, 'logout_token_invalid');
		this.audCheck(c, 400);
		this.jtis.add(c.jti);
		for (const [id, s] of this.sessions) {
			if (s.sub === c.sub)
				this.sessions.delete(id);
		}
		return { status: 200, headers: { 'cache-control': 'no-store' }, body: '' };
	}

	me(s) {
		const ui = s.claims;
		const groups = Array.isArray(ui.groups) ? ui.groups : [];
		return {
			status: 200,
			json: {
				employee: {
					employee_id: ui.employee_id, name: ui.name, email: ui.email, department: ui.department,
					cost_center: ui.cost_center, site: ui.site, locale: ui.locale, groups,
				},
				roles: Object.entries(this.roles).filter(([, g]) => groups.includes(g)).map(([r]) => r),
				csrf_token: s.csrf,
			},
		};
	}

	async route(req, res) {
		const url = new URL(req.url, this.public);
		const p = url.pathname;
		const m = `${req.method} ${p}`;
		if (m === 'GET /healthz')
			return { status: 200, json: { status: 'ok' } };
		if (m === 'GET /auth/login')
			return this.login(req, res, url);
		if (m === 'GET /auth/callback')
			return this.callback(req, res, url);
		if (m === 'POST /auth/backchannel-logout')
			return this.backchannel(req);
		const sid = /(?:^|;\s*)livery_session=([^;]*)/.exec(req.headers.cookie || '')?.[1];
		const s = sid && this.sessions.get(sid);
		if (!s) {
			if (p.startsWith('/api/') || !/text\/html/.test(req.headers.accept || ''))
				return { status: 401, json: { error: { code: 'unauthenticated', message: 'log in first' } } };
			return { status: 302, headers: { location: `/auth/login?return_to=${encodeURIComponent(p + url.search)}` } };
		}
		if (m === 'POST /auth/logout') {
			const form = formParse(await bodyRead(req));
			if (!form.csrf || form.csrf !== s.csrf)
				return { status: 403, html: '<p data-reason="csrf_invalid">forbidden</p>' };
			this.sessions.delete(sid);
			const d = await this.discovery();
			const u = new URL(d.end_session_endpoint);
			u.search = new URLSearchParams({ id_token_hint: s.idToken, post_logout_redirect_uri: `${this.public}/` }).toString();
			return { status: 303, headers: { location: u.href, 'set-cookie': 'livery_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0' } };
		}
		if (m === 'GET /api/v1/me')
			return this.me(s);
		if (p.startsWith('/api/'))
			return { status: 404, json: { error: { code: 'not_found', message: 'no such API' } } };
		if (req.method === 'GET' && (p === '/' || p === '/orders'))
			return { status: 200, html: `<h1>Hello ${htmlEscape(s.claims.name)}</h1>` };
		return { status: 404, html: '<h1>Not found</h1>' };
	}

	async handle(req, res) {
		let out;
		try {
			out = await this.route(req, res);
		} catch (err) {
			if (!(err instanceof Refusal))
				throw err;
			out = { status: err.status, html: `<h1>Sign-in failed</h1><p data-reason="${htmlEscape(err.reason)}">${htmlEscape(err.reason)}</p>` };
		}
		const headers = {
			'content-security-policy': "default-src 'self'; frame-ancestors 'none'; base-uri 'none'",
			'x-content-type-options': 'nosniff',
			'referrer-policy': 'same-origin',
			'cache-control': 'no-store',
			...(out.headers || {}),
		};
		let body = out.body ?? '';
		if (out.json !== undefined) {
			body = JSON.stringify(out.json);
			headers['content-type'] = 'application/json';
		} else if (out.html !== undefined) {
			body = `<!DOCTYPE html><title>rp</title>${out.html}`;
			headers['content-type'] = 'text/html; charset=utf-8';
		}
		res.writeHead(out.status, headers);
		res.end(body);
	}
}

async function main(argv) {
	const ci = argv.indexOf('--config');
	if (ci < 0 || !argv[ci + 1])
		throw new Error('usage: reference-rp.mjs serve|import-catalog --config FILE');
	const cfg = iniRead(argv[ci + 1]);
	if (argv[0] === 'import-catalog')
		return;
	if (argv[0] !== 'serve')
		throw new Error(`unknown command ${argv[0]}`);
	const rp = new Rp(cfg);
	const [host, port] = cfg.server.listen.split(':');
	const server = http.createServer((req, res) => {
		rp.handle(req, res).catch((err) => {
			console.error(err);
			res.writeHead(500);
			res.end();
		});
	});
	server.listen(Number(port), host);
	process.on('SIGTERM', () => {
		server.close(() => process.exit(0));
		server.closeAllConnections?.();
	});
	console.error(`reference-rp listening on ${cfg.server.listen}`);
}

main(process.argv.slice(2)).catch((err) => {
	console.error(err.message);
	process.exit(1);
});
