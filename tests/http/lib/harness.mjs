// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * harness.mjs - what the HTTP tests stand on: free ports, the two test
 * identity providers (the real oidc-provider one as a child process, the
 * rogue one in this process), the livery binary started on loopback with a
 * temporary data directory and an INI config, the browser-like client from
 * client.mjs, and the full login flow through the provider's pages.
 *
 * Environment (set by CTest): LIVERY_BIN (the built binary), LV_SOURCE_DIR
 * (repository root), LV_BUILD_DIR (build directory). LV_KEEP_TMP=1 keeps the
 * temporary directories for inspection.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { accountByUsername } from '../../idp/accounts.mjs';
import { rogueStart } from '../../idp/rogue-lib.mjs';
import { Client, CookieJar, formsParse } from './client.mjs';

export { Client, CookieJar, formsParse };

const HERE = path.dirname(fileURLToPath(import.meta.url));
const IDP_DIR = path.resolve(HERE, '../../idp');

export const SESSION_COOKIE = 'livery_session';
export const CLIENT_ID = 'livery';
const LOG_MAX = 2 * 1024 * 1024;

export const env = {
	bin: process.env.LIVERY_BIN || '',
	sourceDir: process.env.LV_SOURCE_DIR || path.resolve(HERE, '../../..'),
	buildDir: process.env.LV_BUILD_DIR || '',
};

/*
 * Why the suites are skipped, or false. Only a missing LIVERY_BIN skips: a
 * binary that is named but absent or broken must fail the tests loudly.
 */
export const skipReason = env.bin ? false : 'LIVERY_BIN is not set (run through ctest, or export it)';

/* Children still running when this process exits are killed. */
const children = new Set();
process.on('exit', () => {
	for (const c of children) {
		try {
			c.kill('SIGKILL');
		} catch {
			/* already gone */
		}
	}
});

/*
 * Ports for the servers the tests start are picked at random from
 * PORT_LOW..PORT_HIGH minus Linux's ephemeral range: a port picked there and
 * bound a moment later cannot be taken meanwhile by an outgoing connection
 * of another process (those get ephemeral ports), only by another test that
 * drew the same number, which startStack's retry covers.
 */
const PORT_LOW = 20000;
const PORT_HIGH = 32000;
const START_TRIES = 3;

/* The [low, high] of net.ipv4.ip_local_port_range (the kernel's default if unreadable). */
function ephemeralRange() {
	try {
		const [lo, hi] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
			.trim().split(/\s+/).map(Number);
		if (Number.isInteger(lo) && Number.isInteger(hi) && lo <= hi)
			return [lo, hi];
	} catch {
		/* not Linux, or no /proc */
	}
	return [32768, 60999];
}

/* The ports of PORT_LOW..PORT_HIGH outside the ephemeral range, as [low, high] pieces. */
function portPieces() {
	const [elo, ehi] = ephemeralRange();
	const pieces = [];
	if (elo > PORT_LOW)
		pieces.push([PORT_LOW, Math.min(PORT_HIGH, elo - 1)]);
	if (ehi < PORT_HIGH)
		pieces.push([Math.max(PORT_LOW, ehi + 1), PORT_HIGH]);
	return pieces.filter(([lo, hi]) => lo <= hi);
}

/* Resolves true when port can be bound on 127.0.0.1 right now. */
function portFree(port) {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.unref();
		srv.once('error', () => resolve(false));
		srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
	});
}

/*
 * A TCP port free on 127.0.0.1 right now, drawn at random outside the
 * ephemeral range (see PORT_LOW). Falls back to a kernel-chosen port only
 * when the ephemeral range covers the whole of PORT_LOW..PORT_HIGH.
 */
export async function freePort() {
	const pieces = portPieces();
	const total = pieces.reduce((n, [lo, hi]) => n + hi - lo + 1, 0);
	for (let i = 0; total > 0 && i < 200; i++) {
		let k = crypto.randomInt(total);
		let port = 0;
		for (const [lo, hi] of pieces) {
			if (k <= hi - lo) {
				port = lo + k;
				break;
			}
			k -= hi - lo + 1;
		}
		if (await portFree(port))
			return port;
	}
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

/* True when err says a server could not bind its port (someone took it first). */
function bindFailed(err) {
	return !!err && (err.bindFailed === true
		|| /EADDRINUSE|Failed to setup server ports|cannot listen on/.test(String(err.message)));
}

/* A random DEMO-ONLY client secret for one test stack. */
export function secretNew() {
	return `test-${crypto.randomBytes(18).toString('base64url')}`;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* Keeps a bounded text log of a child's output. */
function logCapture(child) {
	let text = '';
	const add = (chunk) => {
		text += chunk.toString('utf8');
		if (text.length > LOG_MAX)
			text = text.slice(text.length - LOG_MAX);
	};
	child.stdout?.on('data', add);
	child.stderr?.on('data', add);
	return { log: () => text, add };
}

function tail(text, n = 8000) {
	return text.length > n ? `[...]\n${text.slice(text.length - n)}` : text;
}

/* Waits for child to exit, up to ms; resolves { code, signal } or null on timeout. */
export function exitWait(child, ms) {
	if (child.exitCode !== null || child.signalCode !== null)
		return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
	return new Promise((resolve) => {
		const t = setTimeout(() => resolve(null), ms);
		child.once('exit', (code, signal) => {
			clearTimeout(t);
			resolve({ code, signal });
		});
	});
}

/* SIGTERM, then SIGKILL after graceMs. Resolves { code, signal }. */
async function childStop(child, graceMs = 10000) {
	if (child.exitCode !== null || child.signalCode !== null)
		return { code: child.exitCode, signal: child.signalCode };
	child.kill('SIGTERM');
	let r = await exitWait(child, graceMs);
	if (!r) {
		child.kill('SIGKILL');
		r = await exitWait(child, 5000);
		r = { ...(r || {}), killed: true };
	}
	children.delete(child);
	return r;
}

/* ------------------------------------------------------------- providers */

/*
 * Starts tests/idp/provider.mjs (oidc-provider) as a child process.
 * options: { liveryUrl (required), clientId, clientSecret, port }.
 * Returns { name, issuer, url, clientId, clientSecret, endSessionUrl,
 * stop(), log() }.
 */
export async function startRealProvider(options) {
	const clientId = options.clientId || CLIENT_ID;
	const clientSecret = options.clientSecret || secretNew();
	/* 0: the provider binds a port the kernel picks and prints its issuer, so there is no race */
	const port = options.port || 0;
	const child = spawn(process.execPath, [
		path.join(IDP_DIR, 'provider.mjs'),
		'--port', String(port),
		'--client-id', clientId,
		'--client-secret', clientSecret,
		'--livery-url', options.liveryUrl,
	], { stdio: ['ignore', 'pipe', 'pipe'] });
	children.add(child);
	const cap = logCapture(child);
	const issuer = await new Promise((resolve, reject) => {
		const t = setTimeout(() => reject(new Error(`provider did not start in 15 s:\n${cap.log()}`)), 15000);
		const onData = () => {
			const m = /^provider ready (\S+)$/m.exec(cap.log());
			if (m) {
				clearTimeout(t);
				child.stdout.off('data', onData);
				resolve(m[1]);
			}
		};
		child.stdout.on('data', onData);
		child.once('exit', (code) => {
			clearTimeout(t);
			reject(new Error(`provider exited with ${code}:\n${cap.log()}`));
		});
	});
	child.removeAllListeners('exit');
	return {
		name: 'provider',
		kind: 'real',
		issuer,
		url: issuer,
		clientId,
		clientSecret,
		endSessionUrl: `${issuer}/session/end`,
		stop: () => childStop(child),
		log: cap.log,
	};
}

async function controlCall(base, method, p, body) {
	const r = await fetch(`${base}${p}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const value = await r.json();
	if (r.status !== 200)
		throw new Error(`rogue ${method} ${p} answered ${r.status}: ${JSON.stringify(value)}`);
	return value;
}

/*
 * Starts the rogue provider (tests/idp/rogue-lib.mjs) in this process.
 * options: { liveryUrl (required), clientId, clientSecret, scenario, user }.
 * Returns { name, issuer, url, clientId, clientSecret, stop(), log(), and
 * the control helpers over HTTP: scenario(name, user), calls(),
 * resetCalls(), rotate(), last(), logoutToken(claims, options) }.
 */
export async function startRogueProvider(options) {
	const clientId = options.clientId || CLIENT_ID;
	const clientSecret = options.clientSecret || secretNew();
	const rogue = await rogueStart({
		liveryUrl: options.liveryUrl,
		clientId,
		clientSecret,
		scenario: options.scenario || 'ok',
		user: options.user || 'alice',
	});
	const base = rogue.url;
	const wire = (claims) => Object.fromEntries(Object.entries(claims || {})
		.map(([k, v]) => [k, v === undefined ? null : v]));
	return {
		name: 'rogue',
		kind: 'rogue',
		issuer: rogue.issuer,
		url: base,
		clientId,
		clientSecret,
		rogue,
		stop: () => rogue.close(),
		log: () => `rogue scenario ${rogue.scenario}, calls ${JSON.stringify(rogue.calls)}, last ${JSON.stringify(rogue.last)}`,
		scenario: (name, user) => controlCall(base, 'POST', '/_scenario', user ? { name, user } : { name }),
		calls: () => controlCall(base, 'GET', '/_calls'),
		resetCalls: () => controlCall(base, 'POST', '/_reset', {}),
		rotate: () => controlCall(base, 'POST', '/_rotate', {}),
		last: () => controlCall(base, 'GET', '/_last'),
		logoutToken: async (claims = {}, opts = {}) =>
			(await controlCall(base, 'POST', '/_logout_token', { claims: wire(claims), options: opts })).logout_token,
	};
}

/* ---------------------------------------------------------------- livery */

function iniWrite(sections) {
	let out = '';
	for (const [name, keys] of Object.entries(sections)) {
		out += `[${name}]\n`;
		for (const [k, v] of Object.entries(keys)) {
			if (v !== undefined && v !== null)
				out += `${k} = ${v}\n`;
		}
		out += '\n';
	}
	return out;
}

/* Set once a start timed out, so that a hung binary costs 15 s once, not per test. */
let liveryHung = null;

/*
 * Starts `$LIVERY_BIN serve --config F` on 127.0.0.1. options: { issuer,
 * clientId, clientSecret, port (free one by default), publicUrl (default
 * http://127.0.0.1:<port>), config ({ section: { key: value } } merged over
 * the defaults; null removes a key), catalogCsv (CSV text or a path: run
 * `import-catalog` first), timeoutMs (15000) }. Waits until GET /healthz
 * answers 200. Returns { name, url, port, publicUrl, dataDir, configPath,
 * tmpDir, stop() (SIGTERM, resolves { code, signal }), log(), child }.
 * When it picked the port itself and livery could not bind it, it starts
 * again on another one (START_TRIES in all); an error thrown for a port
 * someone else took has err.bindFailed set.
 */
export async function startLivery(options) {
	for (let attempt = 1; ; attempt++) {
		try {
			return await liveryStartOnce(options);
		} catch (err) {
			if (options.port || attempt >= START_TRIES || !bindFailed(err))
				throw err;
		}
	}
}

async function liveryStartOnce(options) {
	if (!env.bin)
		throw new Error('LIVERY_BIN is not set');
	if (liveryHung)
		throw new Error(`not starting livery: an earlier start hung (${liveryHung})`);
	const port = options.port || await freePort();
	const url = `http://127.0.0.1:${port}`;
	const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'livery-http-'));
	const dataDir = path.join(tmpDir, 'data');
	fs.mkdirSync(dataDir, { recursive: true });
	const sections = {
		server: {
			listen: `127.0.0.1:${port}`,
			public_url: options.publicUrl || url,
			data_dir: dataDir,
			themes_dir: path.join(env.sourceDir, 'themes'),
			locale_dir: path.join(env.buildDir || path.join(env.sourceDir, 'build'), 'locale'),
			threads: 4,
		},
		oidc: {
			issuer: options.issuer,
			client_id: options.clientId || CLIENT_ID,
			client_secret: options.clientSecret,
		},
		roles: {
			hr_admin: 'hr',
			store_admin: 'store-admins',
			approver: 'managers',
			auditor: 'auditors',
		},
	};
	for (const [sec, keys] of Object.entries(options.config || {}))
		sections[sec] = { ...(sections[sec] || {}), ...keys };
	const configPath = path.join(tmpDir, 'livery.ini');
	fs.writeFileSync(configPath, iniWrite(sections), { mode: 0o600 });

	let early = '';
	if (options.catalogCsv !== undefined) {
		let csv = options.catalogCsv;
		if (csv.includes('\n') || !fs.existsSync(csv)) {
			const p = path.join(tmpDir, 'catalog.csv');
			fs.writeFileSync(p, csv);
			csv = p;
		}
		const imp = spawn(env.bin, ['import-catalog', '--config', configPath, csv],
			{ stdio: ['ignore', 'pipe', 'pipe'] });
		children.add(imp);
		const cap = logCapture(imp);
		const r = await exitWait(imp, 60000);
		children.delete(imp);
		early = `$ livery import-catalog\n${cap.log()}`;
		if (!r || r.code !== 0)
			throw new Error(`livery import-catalog failed (${JSON.stringify(r)}):\n${tail(cap.log())}`);
	}

	const child = spawn(env.bin, ['serve', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
	children.add(child);
	const cap = logCapture(child);
	if (early)
		cap.add(`${early}\n$ livery serve\n`);
	let spawnError = null;
	child.once('error', (err) => {
		spawnError = err;
	});
	const stop = async () => {
		const r = await childStop(child);
		if (process.env.LV_KEEP_TMP !== '1')
			fs.rmSync(tmpDir, { recursive: true, force: true });
		return r;
	};

	const deadline = Date.now() + (options.timeoutMs || 15000);
	for (;;) {
		if (spawnError) {
			await stop();
			throw new Error(`cannot run ${env.bin}: ${spawnError.message}`);
		}
		if (child.exitCode !== null || child.signalCode !== null) {
			await stop();
			const err = new Error(`livery exited (${child.exitCode ?? child.signalCode}) before /healthz answered:\n${tail(cap.log())}`);
			err.bindFailed = /cannot listen on|Failed to setup server ports/.test(cap.log());
			throw err;
		}
		try {
			const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
			await r.arrayBuffer();
			/* a 200 from whoever else holds the port does not count */
			if (r.status === 200 && child.exitCode === null && child.signalCode === null
				&& !/cannot listen on|Failed to setup server ports/.test(cap.log()))
				break;
		} catch {
			/* not listening yet */
		}
		if (Date.now() > deadline) {
			liveryHung = `${url}/healthz not 200 after ${options.timeoutMs || 15000} ms`;
			await stop();
			throw new Error(`livery did not answer /healthz with 200 in time:\n${tail(cap.log())}`);
		}
		await sleep(100);
	}
	return {
		name: 'livery',
		url,
		port,
		publicUrl: sections.server.public_url,
		dataDir,
		configPath,
		tmpDir,
		child,
		stop,
		log: cap.log,
	};
}

/*
 * Starts a provider and a livery that trust each other. options: { provider:
 * 'real' | 'rogue', scenario, user (rogue), publicUrl (livery's public_url:
 * its port is kept; an https one is reached over http through
 * stack.client()), livery: extra startLivery options }. Returns { idp,
 * livery, client(), stop(), logs() }. When livery (or the provider) could not
 * bind its port, the whole start is done again with a new port and a new
 * provider, START_TRIES times in all.
 */
export async function startStack(options = {}) {
	for (let attempt = 1; ; attempt++) {
		try {
			return await stackStartOnce(options);
		} catch (err) {
			/* the port was taken between picking and binding: new port, new provider */
			if (attempt >= START_TRIES || !bindFailed(err))
				throw err;
		}
	}
}

async function stackStartOnce(options) {
	const port = await freePort();
	const publicUrl = options.publicUrl ? options.publicUrl.replace('{port}', String(port)) : `http://127.0.0.1:${port}`;
	const clientSecret = secretNew();
	const idp = options.provider === 'rogue'
		? await startRogueProvider({ liveryUrl: publicUrl, clientSecret, scenario: options.scenario, user: options.user })
		: await startRealProvider({ liveryUrl: publicUrl, clientSecret });
	let livery;
	try {
		livery = await startLivery({
			issuer: idp.issuer, clientSecret, port, publicUrl, ...(options.livery || {}),
		});
	} catch (err) {
		await idp.stop();
		throw err;
	}
	const publicOrigin = new URL(publicUrl).origin;
	const rewrite = publicOrigin === livery.url ? undefined
		: (u) => (u.startsWith(publicOrigin) ? livery.url + u.slice(publicOrigin.length) : u);
	return {
		idp,
		livery,
		/* the URL tests should use for livery: its public one */
		base: publicOrigin,
		client: (opts = {}) => new Client({ rewrite, ...opts }),
		logs: () => logsFormat([livery, idp]),
		stop: async () => {
			const r = await livery.stop();
			await idp.stop();
			return r;
		},
	};
}

/* Formats the tails of the logs of sources ({ name, log() }), for failure messages. */
export function logsFormat(sources) {
	return sources.filter(Boolean)
		.map((s) => `----- ${s.name} log (tail) -----\n${tail(s.log(), 6000)}`)
		.join('\n');
}

/*
 * Wraps a test body so that when it fails the logs of the stack (or of the
 * sources returned by getSources()) are appended to the error message.
 */
export function withLogs(getSources, fn) {
	return async (t) => {
		try {
			await fn(t);
		} catch (err) {
			const src = getSources();
			if (src && typeof src.logs === 'function')
				err.message += `\n${src.logs()}`;
			else if (src)
				err.message += `\n${logsFormat([].concat(src))}`;
			throw err;
		}
	};
}

/* ----------------------------------------------------------------- flows */

/* The data-reason="..." of an error page, or null. */
export function dataReason(html) {
	const m = /data-reason\s*=\s*["']([^"']*)["']/.exec(html || '');
	return m ? m[1] : null;
}

/* The livery_session cookie this client would send to base, or undefined. */
export function sessionCookie(client, base) {
	return client.jar.get(SESSION_COOKIE, `${base}/`);
}

/*
 * Performs the whole login: GET <livery>/<start> as a browser -> /auth/login
 * -> the provider (its login form is filled with username/password; the rogue
 * has none) -> <livery>/auth/callback. Stops after the callback (or at the
 * first page that is neither a redirect nor a login form).
 * livery: { url } or a stack's base URL string; provider: the idp object.
 * opts: { start ('/'), loginUrl (start at this livery URL instead, e.g.
 * '/auth/login?return_to=...') }.
 * Returns { ok (303 from the callback with a livery_session cookie), session
 * (the cookie value), sessionCookie (parsed), callback (its response),
 * callbackUrl, response (the last response), steps (every response),
 * authorizeUrl, loginPage }. Never throws for a refused login.
 */
export async function login(client, livery, provider, username, password, opts = {}) {
	const base = typeof livery === 'string' ? livery : (livery.base || livery.url);
	const baseOrigin = new URL(base).origin;
	const steps = [];
	const out = {
		ok: false, session: undefined, sessionCookie: undefined, callback: null, callbackUrl: null,
		response: null, steps, authorizeUrl: null, loginPage: null,
	};
	let res = await client.get(opts.loginUrl ? new URL(opts.loginUrl, base).href : new URL(opts.start || '/', base).href);
	steps.push(res);
	let submitted = false;
	for (let hop = 0; hop < 30; hop++) {
		if (res.location && res.status >= 300 && res.status < 400) {
			const next = new URL(res.location);
			if (!out.authorizeUrl && provider && next.origin === new URL(provider.url).origin)
				out.authorizeUrl = next.href;
			if (next.origin === baseOrigin && next.pathname === '/auth/callback') {
				out.callbackUrl = next.href;
				res = await client.get(next.href);
				steps.push(res);
				out.callback = res;
				break;
			}
			res = await client.get(next.href);
			steps.push(res);
			continue;
		}
		if (res.status !== 200 || new URL(res.url).origin === baseOrigin)
			break;
		const forms = res.forms();
		const loginForm = forms.find((f) => f.fields.some(([k]) => k === 'password'));
		if (loginForm) {
			if (submitted)
				break; /* the provider refused the password */
			submitted = true;
			out.loginPage = res;
			res = await client.submit(res, {
				form: (f) => f === loginForm || f.action === loginForm.action,
				values: { username, password },
			});
			steps.push(res);
			continue;
		}
		if (forms.length === 1 && forms[0].method === 'post' && /\.submit\(\)/.test(res.body)) {
			/* an auto-submitting form_post page */
			res = await client.submit(res);
			steps.push(res);
			continue;
		}
		break;
	}
	out.response = res;
	const c = out.callback;
	if (c) {
		out.sessionCookie = c.cookies.find((k) => k.name === SESSION_COOKIE && k.value);
		out.session = out.sessionCookie?.value;
		out.ok = c.status === 303 && !!out.session;
	}
	return out;
}

/* login() that must succeed; throws with the steps taken otherwise. */
export async function loginOk(client, livery, provider, username, password, opts = {}) {
	const r = await login(client, livery, provider, username, password, opts);
	if (!r.ok) {
		const trail = r.steps.map((s) => `${s.method} ${s.url} -> ${s.status}${s.location ? ` ${s.location}` : ''}`).join('\n');
		const last = r.response ? r.response.body.slice(0, 800) : '';
		throw new Error(`login as ${username} failed:\n${trail}\nlast body: ${last}`);
	}
	return r;
}

/* GET /api/v1/me as an XHR. Returns the response (status 200 with JSON when logged in). */
export function me(client, base) {
	return client.get(`${base}/api/v1/me`, { accept: 'json' });
}

/* The csrf_token of the session of client (from /api/v1/me). */
export async function csrfToken(client, base) {
	const r = await me(client, base);
	assert.equal(r.status, 200, `/api/v1/me should answer 200 for a logged-in client, got ${r.status}: ${r.body}`);
	const token = r.json().csrf_token;
	assert.ok(typeof token === 'string' && token.length >= 16, `csrf_token should be a string of 16+ characters, got ${token}`);
	return token;
}

/* POST /auth/logout with the given form fields (as a form from a livery page). */
export function logoutPost(client, base, fields) {
	return client.post(`${base}/auth/logout`, { form: fields, origin: new URL(base).origin });
}

/* POST /auth/backchannel-logout as the provider would (no cookies). */
export function backchannelPost(base, logoutToken) {
	return new Client().post(`${base}/auth/backchannel-logout`,
		{ form: { logout_token: logoutToken }, accept: 'application/json', cookies: false });
}

/*
 * Asserts the headers every livery response must carry: a CSP whose
 * script policy has no 'unsafe-inline' and with frame-ancestors 'none',
 * X-Content-Type-Options: nosniff and a Referrer-Policy.
 */
export function assertSecurityHeaders(res, what = `${res.method} ${res.url}`) {
	const csp = res.headers.get('content-security-policy');
	assert.ok(csp, `${what}: Content-Security-Policy missing`);
	const dirs = Object.fromEntries(csp.split(';').map((d) => d.trim()).filter(Boolean)
		.map((d) => {
			const [name, ...vals] = d.split(/\s+/);
			return [name.toLowerCase(), vals.join(' ')];
		}));
	const scripts = dirs['script-src'] ?? dirs['default-src'];
	assert.ok(scripts !== undefined, `${what}: CSP has neither script-src nor default-src: ${csp}`);
	assert.ok(!/'unsafe-inline'/.test(scripts), `${what}: CSP allows inline scripts: ${csp}`);
	assert.ok(!/'unsafe-eval'/.test(scripts), `${what}: CSP allows eval: ${csp}`);
	assert.equal(dirs['frame-ancestors'], "'none'", `${what}: CSP needs frame-ancestors 'none': ${csp}`);
	assert.equal((res.headers.get('x-content-type-options') || '').toLowerCase(), 'nosniff',
		`${what}: X-Content-Type-Options should be nosniff`);
	assert.ok(res.headers.get('referrer-policy'), `${what}: Referrer-Policy missing`);
}

/*
 * Asserts a refused callback: status, a data-reason among reasons, and no
 * livery_session cookie set or kept.
 */
export function assertRefused(res, { status, reasons }, client, base) {
	assert.ok(res, 'the flow never reached an error page');
	const reason = dataReason(res.body);
	if (status !== undefined) {
		assert.equal(res.status, status, `expected status ${status} (reason ${reasons.join('|')}), got ${res.status} with data-reason=${reason}: ${res.body.slice(0, 500)}`);
	} else {
		assert.ok(res.status >= 400, `expected an error status (reason ${reasons.join('|')}), got ${res.status}: ${res.body.slice(0, 500)}`);
	}
	assert.ok(reasons.includes(reason), `expected data-reason ${reasons.join(' or ')}, got ${reason}`);
	assert.match(res.headers.get('content-type') || '', /text\/html/, 'an error page is HTML');
	const set = res.cookies.find((c) => c.name === SESSION_COOKIE && c.value && c.expires !== 0);
	assert.equal(set, undefined, `no ${SESSION_COOKIE} cookie may be set on a refusal: ${set?.raw}`);
	if (client)
		assert.equal(sessionCookie(client, base), undefined, `the client must hold no ${SESSION_COOKIE} cookie`);
}

/* The fields of /api/v1/me's "employee" the contract names, as the providers release them for username. */
export function employeeExpected(username) {
	const c = accountByUsername(username).claims;
	return {
		employee_id: c.employee_id, name: c.name, email: c.email, department: c.department,
		cost_center: c.cost_center, site: c.site, locale: c.locale, groups: [...c.groups],
	};
}

/*
 * Asserts that a /api/v1/me body describes username: every contract field
 * equal (groups compared as a set); other fields may be present.
 */
export function assertEmployee(body, username) {
	const want = employeeExpected(username);
	const got = body?.employee;
	assert.ok(got && typeof got === 'object', `/api/v1/me has no employee object: ${JSON.stringify(body)}`);
	for (const [k, v] of Object.entries(want)) {
		if (k === 'groups') {
			assert.ok(Array.isArray(got.groups), `${username}: employee.groups is an array`);
			assert.deepEqual([...got.groups].sort(), [...v].sort(), `${username}: employee.groups`);
		} else {
			assert.equal(got[k], v, `${username}: employee.${k}`);
		}
	}
}
