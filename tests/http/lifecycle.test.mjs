// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * lifecycle.test.mjs - livery serve's life under systemd, against the real
 * binary: readiness and stop notifications on a NOTIFY_SOCKET the test
 * listens on (tests/tools/notify_listen, since node cannot bind a unix
 * datagram socket); a request in flight when SIGTERM arrives finishes with
 * its 200 while new connections are refused, then the process exits 0 with
 * the database closed cleanly; a request that outlives
 * [server] shutdown_timeout_seconds does not hold the stop; SIGHUP reloads
 * a changed theme (templates and static files) without closing a kept-alive
 * connection, keeps the old theme's static files served, and keeps the
 * theme in use when the new one does not load.
 *
 * Each test starts its own livery, since each ends it.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

import {
	env, exitWait, freePort, logsFormat, loginOk, skipReason, startLivery, startStack,
} from './lib/harness.mjs';
import { MONEY_CSV, moneyLogin } from './lib/money.mjs';
import { DEMO_PASSWORD } from '../idp/accounts.mjs';

const T = { timeout: 120000 };
const LISTEN_BIN = path.join(env.buildDir || path.join(env.sourceDir, 'build'), 'tests', 'notify_listen');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* ------------------------------------------------------------ helpers */

/*
 * Starts notify_listen on address (a path or @name). Returns { messages
 * (each { pid, vars, raw, at }), waitFor(pred, ms, from), stop() }.
 */
async function notifyListen(address) {
	assert.ok(fs.existsSync(LISTEN_BIN), `${LISTEN_BIN} is missing (the notify_listen target builds it)`);
	const child = spawn(LISTEN_BIN, [address], { stdio: ['pipe', 'pipe', 'pipe'] });
	const messages = [];
	const wake = new Set();
	let out = '';
	let err = '';
	child.stderr.on('data', (d) => {
		err += d;
	});
	await new Promise((resolve, reject) => {
		const t = setTimeout(() => reject(new Error(`notify_listen did not start: ${err}`)), 5000);
		child.once('exit', (code) => reject(new Error(`notify_listen exited (${code}): ${err}`)));
		child.stdout.on('data', (d) => {
			out += d;
			for (let i = out.indexOf('\n'); i >= 0; i = out.indexOf('\n')) {
				const line = out.slice(0, i);
				out = out.slice(i + 1);
				if (line === 'listening') {
					clearTimeout(t);
					resolve();
					continue;
				}
				const [pid, ...fields] = line.split('\t');
				const vars = {};
				for (const f of fields) {
					const eq = f.indexOf('=');
					vars[f.slice(0, eq)] = f.slice(eq + 1);
				}
				messages.push({ pid: Number(pid.replace(/^pid=/, '')), vars, raw: fields, at: Date.now() });
				for (const w of wake)
					w();
			}
		});
	});
	return {
		messages,
		/* The first message from index `from` on that satisfies pred (waits up to ms). */
		waitFor(pred, ms = 15000, from = 0) {
			return new Promise((resolve, reject) => {
				const check = () => {
					const m = messages.slice(from).find(pred);
					if (m) {
						wake.delete(check);
						clearTimeout(t);
						resolve(m);
					}
				};
				const t = setTimeout(() => {
					wake.delete(check);
					reject(new Error(`no such notification in ${ms} ms; got ${JSON.stringify(messages.map((m) => m.raw))}`));
				}, ms);
				wake.add(check);
				check();
			});
		},
		stop() {
			child.stdin.end();
			child.kill('SIGTERM');
		},
	};
}

/* Runs start() with NOTIFY_SOCKET=address in the environment livery inherits. */
async function withNotifySocket(address, start) {
	const saved = process.env.NOTIFY_SOCKET;
	process.env.NOTIFY_SOCKET = address;
	try {
		return await start();
	} finally {
		if (saved === undefined)
			delete process.env.NOTIFY_SOCKET;
		else
			process.env.NOTIFY_SOCKET = saved;
	}
}

/* Waits until livery's log matches re (up to ms). */
async function logWait(livery, re, ms = 15000) {
	const end = Date.now() + ms;
	while (!re.test(livery.log())) {
		if (Date.now() > end)
			throw new Error(`the log never matched ${re}`);
		await sleep(20);
	}
}

/*
 * One HTTP/1.1 connection kept open by the test, to send a request in
 * pieces or several requests in a row. response() parses the next
 * response (Content-Length bodies only, as livery sends).
 */
class RawConn {
	static open(port) {
		return new Promise((resolve, reject) => {
			const c = new RawConn();
			c.sock = net.connect({ port, host: '127.0.0.1' }, () => resolve(c));
			c.sock.once('error', reject);
		});
	}

	constructor() {
		this.buf = Buffer.alloc(0);
		this.closed = false;
		this.waiting = null;
	}

	get sock() {
		return this._sock;
	}

	set sock(s) {
		this._sock = s;
		s.on('data', (d) => {
			this.buf = Buffer.concat([this.buf, d]);
			this.waiting?.();
		});
		s.on('close', () => {
			this.closed = true;
			this.waiting?.();
		});
		s.on('error', () => {});
	}

	write(text) {
		this.sock.write(text);
	}

	response(ms = 15000) {
		return new Promise((resolve, reject) => {
			const t = setTimeout(() => {
				this.waiting = null;
				reject(new Error(`no response in ${ms} ms (got ${this.buf.length} bytes)`));
			}, ms);
			const parse = () => {
				const end = this.buf.indexOf('\r\n\r\n');
				if (end >= 0) {
					const head = this.buf.subarray(0, end).toString('latin1').split('\r\n');
					const status = Number(head[0].split(' ')[1]);
					const headers = {};
					for (const h of head.slice(1)) {
						const i = h.indexOf(':');
						headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
					}
					const len = Number(headers['content-length'] || 0);
					if (this.buf.length >= end + 4 + len) {
						const body = this.buf.subarray(end + 4, end + 4 + len).toString('utf8');
						this.buf = this.buf.subarray(end + 4 + len);
						clearTimeout(t);
						this.waiting = null;
						resolve({ status, headers, body });
						return;
					}
				}
				if (this.closed) {
					clearTimeout(t);
					this.waiting = null;
					reject(new Error(`connection closed before a whole response (${this.buf.length} bytes)`));
				}
			};
			this.waiting = parse;
			parse();
		});
	}

	async get(p, headers = {}) {
		const lines = Object.entries({ host: '127.0.0.1', accept: 'text/html', ...headers })
			.map(([k, v]) => `${k}: ${v}\r\n`).join('');
		this.write(`GET ${p} HTTP/1.1\r\n${lines}\r\n`);
		return this.response();
	}

	end() {
		this.sock.destroy();
	}
}

/* How a fresh TCP connection to port fares: 'refused', 'reset' or 'accepted'. */
function connectOutcome(port) {
	return new Promise((resolve) => {
		const s = net.connect({ port, host: '127.0.0.1' });
		s.once('error', (e) => resolve(e.code === 'ECONNREFUSED' ? 'refused' : 'reset'));
		s.once('connect', () => {
			/* accepted by the kernel: is anyone serving it? */
			s.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
			s.once('data', () => {
				s.destroy();
				resolve('accepted');
			});
			s.once('close', () => resolve('reset'));
		});
	});
}

/* The files SQLite leaves beside a database that was not closed cleanly. */
function walLeftover(dataDir) {
	const wal = path.join(dataDir, 'livery.db-wal');
	return fs.existsSync(wal) && fs.statSync(wal).size > 0 ? wal : null;
}

/* --------------------------------------------------------------- tests */

describe('livery under systemd', { skip: skipReason }, () => {
	test('READY=1 only once /healthz answers, STOPPING=1 at SIGTERM, exit 0 with the database closed', T, async () => {
		const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'livery-life-'));
		const address = path.join(tmp, 'notify.sock');
		const nl = await notifyListen(address);
		/* an identity provider that accepts connections and never answers:
		 * discovery at start-up holds `serve` for http_timeout_seconds
		 * before it listens, so a READY=1 sent too early would show */
		const silent = net.createServer(() => {});
		await new Promise((r) => silent.listen(0, '127.0.0.1', r));
		const port = await freePort();
		const probes = [];
		let probing = true;
		const prober = (async () => {
			while (probing) {
				const at = Date.now();
				let ok = false;
				try {
					const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(500) });
					await r.arrayBuffer();
					ok = r.status === 200;
				} catch {
					/* not listening yet */
				}
				probes.push({ at, ok });
				if (ok)
					break;
				await sleep(25);
			}
		})();
		let livery;
		try {
			livery = await withNotifySocket(address, () => startLivery({
				issuer: `http://127.0.0.1:${silent.address().port}`,
				clientSecret: 'test-secret-not-used',
				port,
				config: { oidc: { http_timeout_seconds: 2 } },
			}));
			const ready = await nl.waitFor((m) => m.vars.READY === '1');
			const health = await fetch(`${livery.url}/healthz`);
			assert.equal(health.status, 200, 'READY=1 was sent: /healthz answers');
			probing = false;
			await prober;
			const lastFailed = probes.filter((p) => !p.ok).pop();
			assert.ok(lastFailed, 'the port was not open at first (discovery held the start)');
			assert.ok(ready.at > lastFailed.at,
				`READY=1 (at ${ready.at}) came after the last moment the port was closed (${lastFailed.at})`);
			assert.equal(ready.pid, livery.child.pid, 'the main process itself says READY=1 (NotifyAccess=main)');
			assert.match(ready.vars.STATUS, new RegExp(`^Serving on 127\\.0\\.0\\.1:${port}`));
			assert.equal(nl.messages.filter((m) => m.vars.READY === '1').length, 1, 'READY=1 once');

			livery.child.kill('SIGTERM');
			const stopping = await nl.waitFor((m) => m.vars.STOPPING === '1');
			assert.equal(stopping.pid, livery.child.pid);
			assert.ok(stopping.vars.STATUS, 'STOPPING=1 comes with a STATUS');
			const r = await exitWait(livery.child, 15000);
			assert.deepEqual(r, { code: 0, signal: null }, 'exit 0 after SIGTERM');
			assert.equal(walLeftover(livery.dataDir), null, 'every connection closed: the WAL was checkpointed away');
			await logWait(livery, /event=stopped /);
			const seq = nl.messages.map((m) => Object.keys(m.vars)[0]);
			assert.deepEqual(seq, ['READY', 'STOPPING'], 'nothing else was said');
		} catch (err) {
			if (livery)
				err.message += `\n${logsFormat([livery])}`;
			throw err;
		} finally {
			probing = false;
			await livery?.stop();
			silent.close();
			nl.stop();
			fs.rmSync(tmp, { recursive: true, force: true });
		}
	});

	test('without NOTIFY_SOCKET nothing is sent and serve runs as before', T, async () => {
		delete process.env.NOTIFY_SOCKET;
		const stack = await startStack({ provider: 'rogue' });
		try {
			const r = await fetch(`${stack.livery.url}/healthz`);
			assert.equal(r.status, 200);
			assert.doesNotMatch(stack.livery.log(), /event=notify/);
		} finally {
			const r = await stack.stop();
			assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null });
		}
	});

	test('SIGTERM: the request in flight finishes with 200, new connections are refused, then exit 0', T, async () => {
		const stack = await startStack({ provider: 'real', livery: { catalogCsv: MONEY_CSV } });
		const { livery } = stack;
		try {
			const api = await moneyLogin(stack, 'frank');
			const cookie = api.client.jar.header(`${stack.base}/api/v1/cart`);
			const body = JSON.stringify({ sku: 'T-CAP', quantity: 2 });
			const half = Math.floor(body.length / 2);
			const conn = await RawConn.open(livery.port);
			/* the headers and half the body: the handler is now reading the
			 * rest, as behind a slow client */
			conn.write(`POST /api/v1/cart/lines HTTP/1.1\r\nhost: 127.0.0.1:${livery.port}\r\n`
				+ `cookie: ${cookie}\r\nx-csrf-token: ${api.csrf}\r\naccept: application/json\r\n`
				+ `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`
				+ body.slice(0, half));
			await sleep(500);

			livery.child.kill('SIGTERM');
			await logWait(livery, /event=stopping/);
			await sleep(200);
			assert.equal(await connectOutcome(livery.port), 'refused', 'no new connections once stopping');
			assert.equal(livery.child.exitCode, null, 'still running: a request is in flight');

			conn.write(body.slice(half));
			const res = await conn.response();
			assert.equal(res.status, 200, res.body);
			assert.equal(res.headers.connection, 'close', 'the last response closes its connection');
			const cart = JSON.parse(res.body);
			assert.deepEqual(cart.lines.map((l) => [l.sku, l.quantity]), [['T-CAP', 2]]);

			const r = await exitWait(livery.child, 15000);
			assert.deepEqual(r, { code: 0, signal: null }, 'exit 0 once the request finished');
			await logWait(livery, /event=stopped /);
			assert.doesNotMatch(livery.log(), /what=timeout/);
			assert.equal(walLeftover(livery.dataDir), null, 'the database was closed cleanly');
			const stored = execFileSync('sqlite3', ['-readonly', path.join(livery.dataDir, 'livery.db'),
				"SELECT c.quantity FROM cart_lines c JOIN variants v ON v.id = c.variant WHERE v.sku = 'T-CAP'"])
				.toString().trim();
			assert.equal(stored, '2', 'what the request did is in the database');
			conn.end();
		} catch (err) {
			err.message += `\n${stack.logs()}`;
			throw err;
		} finally {
			await stack.stop();
		}
	});

	test('a request that outlives shutdown_timeout_seconds does not hold the stop', T, async () => {
		const stack = await startStack({
			provider: 'real',
			livery: { catalogCsv: MONEY_CSV, config: { server: { shutdown_timeout_seconds: 1 } } },
		});
		const { livery } = stack;
		try {
			const api = await moneyLogin(stack, 'frank');
			const cookie = api.client.jar.header(`${stack.base}/api/v1/cart`);
			const conn = await RawConn.open(livery.port);
			conn.write(`POST /api/v1/cart/lines HTTP/1.1\r\nhost: 127.0.0.1\r\ncookie: ${cookie}\r\n`
				+ `x-csrf-token: ${api.csrf}\r\ncontent-type: application/json\r\ncontent-length: 40\r\n\r\n{"sku":`);
			await sleep(500);
			const t0 = Date.now();
			livery.child.kill('SIGTERM');
			const r = await exitWait(livery.child, 15000);
			assert.deepEqual(r, { code: 0, signal: null });
			const took = Date.now() - t0;
			assert.ok(took >= 900, `the stop waited for the request (${took} ms)`);
			assert.ok(took < 8000, `and no longer than the timeout and CivetWeb's stop (${took} ms)`);
			await logWait(livery, /event=stopping what=timeout in_flight=1 timeout_seconds=1/);
			assert.equal(walLeftover(livery.dataDir), null, 'the database was closed cleanly');
			conn.end();
		} catch (err) {
			err.message += `\n${stack.logs()}`;
			throw err;
		} finally {
			await stack.stop();
		}
	});

	test('SIGHUP reloads the theme without dropping a kept-alive connection; a broken theme keeps the old one', T, async () => {
		const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'livery-theme-'));
		const themes = path.join(tmp, 'themes');
		fs.cpSync(path.join(env.sourceDir, 'themes', 'default'), path.join(themes, 'default'), { recursive: true });
		const footer = path.join(themes, 'default', 'templates', 'footer.mustache');
		const css = path.join(themes, 'default', 'static', 'style.css');
		const address = `@livery-life-${crypto.randomBytes(6).toString('hex')}`; /* the abstract namespace */
		const nl = await notifyListen(address);
		const stack = await withNotifySocket(address, () => startStack({
			provider: 'real',
			livery: { catalogCsv: MONEY_CSV, config: { server: { themes_dir: themes } } },
		}));
		const { livery } = stack;
		try {
			await nl.waitFor((m) => m.vars.READY === '1');
			const client = stack.client();
			await loginOk(client, stack.base, stack.idp, 'frank', DEMO_PASSWORD);
			const cookie = client.jar.header(`${stack.base}/`);
			const cssOf = (html) => html.match(/href="(\/static\/[0-9a-f]{8}\/style\.css)"/)[1];

			/* the files change on disk: nothing shows until SIGHUP */
			fs.appendFileSync(footer, '<!-- reload-marker-v2 -->\n');
			fs.appendFileSync(css, '\n/* reload-marker-v2 */\n');
			const conn = await RawConn.open(livery.port);
			const before = await conn.get('/', { cookie });
			assert.equal(before.status, 200, before.body.slice(0, 300));
			assert.doesNotMatch(before.body, /reload-marker-v2/, 'the theme is read at start, not per request');
			const oldCss = cssOf(before.body);

			const from = nl.messages.length;
			livery.child.kill('SIGHUP');
			let reloaded = false;
			const readyWait = nl.waitFor((m) => m.vars.READY === '1', 15000, from).then((m) => {
				reloaded = true;
				return m;
			});
			/* requests on the connection while the reload runs (which also
			 * keeps it from idling past the 2 s keep-alive) */
			while (!reloaded) {
				const h = await conn.get('/healthz', { accept: 'application/json' });
				assert.equal(h.status, 200, 'served during the reload');
				await Promise.race([readyWait, sleep(150)]);
			}
			const ready = await readyWait;
			const reloading = nl.messages.slice(from).find((m) => m.vars.RELOADING === '1');
			assert.ok(reloading && nl.messages.indexOf(reloading) < nl.messages.indexOf(ready), 'RELOADING=1 before READY=1');
			assert.match(reloading.vars.MONOTONIC_USEC, /^[0-9]+$/);
			assert.match(ready.vars.STATUS, /reloaded/);

			const after = await conn.get('/', { cookie });
			assert.equal(conn.closed, false, 'the connection opened before SIGHUP is still open');
			assert.equal(after.status, 200);
			assert.match(after.body, /reload-marker-v2/, 'the next page shows the changed template');
			const newCss = cssOf(after.body);
			assert.notEqual(newCss, oldCss, 'a changed static file gets a new URL');
			const n = await fetch(`${livery.url}${newCss}`);
			assert.equal(n.status, 200);
			assert.match(await n.text(), /reload-marker-v2/);
			const o = await fetch(`${livery.url}${oldCss}`);
			assert.equal(o.status, 200, 'a page shown before the reload keeps its styles');
			assert.doesNotMatch(await o.text(), /reload-marker-v2/);
			await logWait(livery, /event=reload policies=(reloaded|unchanged) generation=\d+ count=\d+ theme=reloaded name=default/);
			conn.end();

			/* a template that does not parse: the theme in use stays */
			fs.writeFileSync(footer, '<footer>{{#never_closed}}</footer>\n');
			const from2 = nl.messages.length;
			livery.child.kill('SIGHUP');
			await nl.waitFor((m) => m.vars.RELOADING === '1', 15000, from2);
			const kept = await nl.waitFor((m) => m.vars.READY === '1', 15000, from2);
			assert.match(kept.vars.STATUS, /kept the previous theme: .*footer\.mustache/);
			await logWait(livery, /level=warn event=reload .*theme=kept .*theme_error=".*footer\.mustache/);
			const still = await client.get(`${stack.base}/`);
			assert.equal(still.status, 200);
			assert.match(still.body, /reload-marker-v2/, 'the last good theme is still served');
			assert.equal(livery.child.exitCode, null, 'a broken theme does not stop the store');
		} catch (err) {
			err.message += `\n${stack.logs()}`;
			throw err;
		} finally {
			const r = await stack.stop();
			nl.stop();
			fs.rmSync(tmp, { recursive: true, force: true });
			assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null });
		}
	});
});
