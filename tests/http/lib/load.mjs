// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * load.mjs - what the checkout load and crash tests share: a small catalog
 * with exact prices and stock, programmes created with the command line,
 * employees signed in through the real provider, a pool of client
 * processes (load-worker.mjs) that hammer POST /api/v1/checkout, a
 * livery that can be killed with SIGKILL and started again on the same
 * data, and the checks of the money invariants: read from the database
 * file itself with the sqlite3 command line (read-only, one SELECT, so one
 * consistent snapshot even while the server writes) and compared with
 * what the clients were told and what GET /api/v1/me/allowances says.
 */
import assert from 'node:assert/strict';
import { execFileSync, fork, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { DEMO_PASSWORD, accountByUsername } from '../../idp/accounts.mjs';
import { csrfToken, env, loginOk, startStack } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WORKER = path.join(HERE, 'load-worker.mjs');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* ---------------------------------------------------------------- catalog */

/* The variants of the load catalog: SKU -> { price (minor units), stock }. */
export const ITEMS = {
	'LOAD-TEE': { price: 3000, stock: 100000, slug: 'load-tee', name: 'Load test tee' },
	'LOAD-CAP': { price: 1250, stock: 100000, slug: 'load-cap', name: 'Load test cap' },
	'LOAD-SCARCE': { price: 1000, stock: 5, slug: 'load-scarce', name: 'Scarce badge' },
};

const CSV_HEADER = 'category,category_name,product_slug,product_name,description,tags,restricted,'
	+ 'sku,size,colour,fit,price,stock,image';

/* The catalog CSV of ITEMS (stock of each SKU overridable). */
export function catalogCsv(stock = {}) {
	const rows = Object.entries(ITEMS).map(([sku, it]) => {
		const major = `${Math.floor(it.price / 100)}.${String(it.price % 100).padStart(2, '0')}`;
		return `uniforms,Uniforms,${it.slug},${it.name},For the load test,load,0,${sku},M,Navy,Regular,`
			+ `${major},${stock[sku] ?? it.stock},`;
	});
	return `${CSV_HEADER}\n${rows.join('\n')}\n`;
}

/* The body of a checkout of lines [[sku, quantity], ...] delivered to the site. */
export function checkoutBody(lines) {
	return JSON.stringify({
		lines: lines.map(([sku, quantity]) => ({ sku, quantity })),
		delivery: { method: 'site' },
	});
}

/* The total of lines in minor units. */
export function linesTotal(lines) {
	return lines.reduce((n, [sku, q]) => n + ITEMS[sku].price * q, 0);
}

/* A small seeded PRNG (mulberry32), so that a failing run can be replayed with its seed. */
export function rng(seed) {
	let a = seed >>> 0;
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	return {
		next,
		int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
		pick: (arr) => arr[Math.floor(next() * arr.length)],
	};
}

/* --------------------------------------------------------------- the stack */

/*
 * Starts the real provider and livery with the load catalog (stock
 * overrides in options.stock) and options.threads CivetWeb threads.
 */
export function loadStackStart(options = {}) {
	return startStack({
		provider: 'real',
		livery: {
			catalogCsv: catalogCsv(options.stock),
			config: { server: { threads: options.threads || 16 } },
		},
	});
}

/* Runs `livery allowance programme-create --config F def.json`; throws on failure. */
export function programmeCreate(livery, def) {
	const file = path.join(livery.tmpDir, `programme-${def.slug}.json`);
	fs.writeFileSync(file, JSON.stringify(def));
	const r = spawnSync(env.bin, ['allowance', 'programme-create', '--config', livery.configPath, file],
		{ encoding: 'utf8' });
	if (r.status !== 0)
		throw new Error(`programme-create ${def.slug} failed (${r.status}): ${r.stderr}${r.stdout}`);
}

/* A money programme of amount minor units, once, overage deny, for the given employee ids. */
export function programmeOnce(slug, amount, employeeIds) {
	return {
		slug, name: `Load ${slug}`, unit: 'money', amount, period: 'once',
		audience: { employee_ids: employeeIds }, categories: [], tags: [], overage: 'deny',
	};
}

/*
 * Signs each of usernames in through the provider. Returns { username: {
 * username, employeeId, cookie (the Cookie header), csrf, client } }.
 */
export async function sessionsOpen(stack, usernames) {
	const out = {};
	for (const u of usernames) {
		const client = stack.client();
		const r = await loginOk(client, stack.base, stack.idp, u, DEMO_PASSWORD);
		const csrf = await csrfToken(client, stack.base);
		out[u] = {
			username: u,
			employeeId: accountByUsername(u).claims.employee_id,
			cookie: `livery_session=${r.session}`,
			csrf,
			client,
		};
	}
	return out;
}

/* GET /api/v1/me/allowances as session; returns the parsed array (asserts 200). */
export async function allowancesGet(stack, session) {
	const r = await session.client.get(`${stack.base}/api/v1/me/allowances`, { accept: 'json' });
	assert.equal(r.status, 200, `GET /api/v1/me/allowances as ${session.username}: ${r.status} ${r.body}`);
	const v = r.json();
	const list = Array.isArray(v) ? v : (v.allowances || v.balances || v.programmes);
	assert.ok(Array.isArray(list), `GET /api/v1/me/allowances should give a list: ${r.body}`);
	return list;
}

/* ------------------------------------------------------------ the workers */

/*
 * count client processes. run(tasksPerWorker, opts) gives worker i the
 * tasks tasksPerWorker[i], starts them all at once and resolves { results,
 * faults } when every worker is done; opts: { concurrency (per worker),
 * crashes (connection errors are "unknown" and retried), deadlineMs,
 * onResult(rec) (called as each final answer arrives) }. stop() asks
 * running workers to start no new task; close() ends the processes.
 */
export class WorkerPool {
	constructor(url, count) {
		this.url = url;
		this.workers = [];
		for (let i = 0; i < count; i++) {
			const w = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
			w.on('error', () => { /* reported by run() as a missing answer */ });
			this.workers.push(w);
		}
		process.on('exit', () => this.close());
	}

	#wait(w, type, ms, onOther) {
		return new Promise((resolve, reject) => {
			const t = setTimeout(() => {
				cleanup();
				reject(new Error(`worker ${w.pid}: no "${type}" in ${ms} ms`));
			}, ms);
			const onMsg = (m) => {
				if (m.type === type) {
					cleanup();
					resolve(m);
				} else if (onOther) {
					onOther(m);
				}
			};
			const onExit = (code) => {
				cleanup();
				reject(new Error(`worker ${w.pid} exited (${code}) waiting for "${type}"`));
			};
			const cleanup = () => {
				clearTimeout(t);
				w.off('message', onMsg);
				w.off('exit', onExit);
			};
			w.on('message', onMsg);
			w.once('exit', onExit);
		});
	}

	async run(tasksPerWorker, opts = {}) {
		const deadlineMs = opts.deadlineMs || 120000;
		await Promise.all(this.workers.map((w, i) => {
			const p = this.#wait(w, 'ready', 30000);
			w.send({
				type: 'tasks', url: this.url, tasks: tasksPerWorker[i] || [],
				concurrency: opts.concurrency || 1, crashes: !!opts.crashes, deadlineMs,
			});
			return p;
		}));
		const done = this.workers.map((w) => this.#wait(w, 'done', deadlineMs + 30000,
			(m) => (m.type === 'result' && opts.onResult ? opts.onResult(m.rec) : undefined)));
		for (const w of this.workers)
			w.send({ type: 'go' });
		const all = await Promise.all(done);
		return {
			results: all.flatMap((m) => m.results),
			faults: all.flatMap((m) => m.faults),
		};
	}

	stop() {
		for (const w of this.workers) {
			if (w.connected)
				w.send({ type: 'stop' });
		}
	}

	close() {
		for (const w of this.workers) {
			if (w.exitCode === null && w.signalCode === null)
				w.kill('SIGKILL');
		}
	}
}

/*
 * Spreads tasks over count workers: round robin, except that the tasks of
 * one group (same key sent concurrently) go to different workers at the
 * same position in their lists. groups: arrays of tasks. Returns an array
 * of count task lists.
 */
export function tasksSpread(count, groups, shuffle) {
	const lists = Array.from({ length: count }, () => []);
	let next = 0;
	for (const g of groups) {
		const start = next;
		g.forEach((task, j) => lists[(start + j) % count].push(task));
		next = (next + (shuffle ? shuffle(g.length) : g.length)) % count;
	}
	return lists;
}

/* ------------------------------------------------------ the crashing server */

/*
 * Kills the livery of stack with SIGKILL and starts it again with the same
 * config and data directory, as many times as asked. The stack's own
 * stop() still works afterwards (it finds its child dead and stops the
 * provider); call stop() here first to end the last restarted one.
 */
export class Restarter {
	constructor(stack) {
		this.stack = stack;
		this.child = stack.livery.child;
		this.log = '';
		this.restarts = 0;
		process.on('exit', () => {
			if (this.child && this.child.exitCode === null && this.child.signalCode === null)
				this.child.kill('SIGKILL');
		});
	}

	#exited() {
		const c = this.child;
		if (c.exitCode !== null || c.signalCode !== null)
			return Promise.resolve();
		return new Promise((resolve) => c.once('exit', () => resolve()));
	}

	/* SIGKILL, then start again and wait for /healthz (15 s at most). */
	async crash() {
		const gone = this.#exited();
		this.child.kill('SIGKILL');
		await gone;
		const child = spawn(env.bin, ['serve', '--config', this.stack.livery.configPath],
			{ stdio: ['ignore', 'pipe', 'pipe'] });
		const add = (b) => {
			this.log += b.toString('utf8');
			if (this.log.length > 200000)
				this.log = this.log.slice(-100000);
		};
		child.stdout.on('data', add);
		child.stderr.on('data', add);
		this.child = child;
		this.restarts++;
		const deadline = Date.now() + 15000;
		for (;;) {
			if (child.exitCode !== null || child.signalCode !== null)
				throw new Error(`restart ${this.restarts}: livery exited (${child.exitCode ?? child.signalCode}):\n${this.log.slice(-4000)}`);
			try {
				const r = await fetch(`${this.stack.livery.url}/healthz`, { signal: AbortSignal.timeout(1000) });
				await r.arrayBuffer();
				if (r.status === 200)
					return;
			} catch {
				/* not yet */
			}
			if (Date.now() > deadline)
				throw new Error(`restart ${this.restarts}: no /healthz in 15 s:\n${this.log.slice(-4000)}`);
			await sleep(20);
		}
	}

	/* SIGTERM to the running livery; resolves its exit. */
	async stop() {
		const c = this.child;
		if (c === this.stack.livery.child)
			return null;
		const gone = new Promise((resolve) => {
			if (c.exitCode !== null || c.signalCode !== null)
				resolve({ code: c.exitCode, signal: c.signalCode });
			else
				c.once('exit', (code, signal) => resolve({ code, signal }));
		});
		c.kill('SIGTERM');
		const t = setTimeout(() => c.kill('SIGKILL'), 10000);
		const r = await gone;
		clearTimeout(t);
		return r;
	}

	logs() {
		return `----- restarted livery log (tail) -----\n${this.log.slice(-6000)}`;
	}
}

/* ------------------------------------------------------------- the checks */

/* Runs one SQL query read-only with the sqlite3 command line; returns the rows. */
export function sqlRows(dataDir, sql) {
	const out = execFileSync('sqlite3', ['-readonly', '-json', path.join(dataDir, 'livery.db'), sql],
		{ encoding: 'utf8', maxBuffer: 64 << 20 }).trim();
	return out ? JSON.parse(out) : [];
}

/* Everything the checks need, in ONE statement: one snapshot of the database. */
const SNAPSHOT_SQL = `
WITH sums AS (
	SELECT employee, programme, period_key, sum(amount) AS s,
		sum(CASE WHEN kind = 'grant' THEN amount ELSE 0 END) AS granted,
		sum(CASE WHEN kind = 'debit' THEN amount ELSE 0 END) AS debited,
		count(*) AS entries
	FROM allowance_ledger GROUP BY employee, programme, period_key),
pay AS (
	SELECT o.ref, p.programme, sum(p.amount) AS amt
	FROM order_payments p JOIN orders o ON o.id = p.order_id GROUP BY o.ref, p.programme),
deb AS (
	SELECT order_ref AS ref, programme, sum(amount) AS amt, count(*) AS n
	FROM allowance_ledger WHERE kind = 'debit' GROUP BY order_ref, programme),
pairs AS (SELECT ref, programme FROM pay UNION SELECT ref, programme FROM deb)
SELECT json_object(
	'balances', (SELECT json_group_array(json_object('employee_id', e.employee_id,
			'programme', p.slug, 'period', s.period_key, 'sum', s.s,
			'granted', s.granted, 'debited', s.debited))
		FROM sums s JOIN employees e ON e.id = s.employee
		JOIN allowance_programmes p ON p.id = s.programme),
	'negative', (SELECT json_group_array(json_object('employee', employee,
			'programme', programme, 'period', period_key, 'sum', s))
		FROM sums WHERE s < 0),
	'debit_mismatch', (SELECT json_group_array(json_object('ref', k.ref,
			'programme', k.programme, 'paid', pay.amt, 'debit', deb.amt, 'debits', deb.n))
		FROM pairs k LEFT JOIN pay ON pay.ref = k.ref AND pay.programme = k.programme
		LEFT JOIN deb ON deb.ref = k.ref AND deb.programme = k.programme
		WHERE coalesce(deb.amt, 0) <> -coalesce(pay.amt, 0) OR coalesce(deb.n, 0) <> 1),
	'order_mismatch', (SELECT json_group_array(json_object('ref', o.ref, 'total', o.total,
			'covered', o.covered, 'lines_total', lt.total, 'lines_covered', lt.covered,
			'paid', coalesce(pv.value, 0)))
		FROM orders o
		LEFT JOIN (SELECT order_id, sum(total) AS total, sum(covered) AS covered
			FROM order_lines GROUP BY order_id) lt ON lt.order_id = o.id
		LEFT JOIN (SELECT order_id, sum(value) AS value FROM order_payments
			GROUP BY order_id) pv ON pv.order_id = o.id
		WHERE lt.total IS NOT o.total OR lt.covered IS NOT o.covered
			OR coalesce(pv.value, 0) <> o.covered),
	'line_mismatch', (SELECT json_group_array(json_object('line', l.id, 'covered', l.covered,
			'paid', (SELECT coalesce(sum(value), 0) FROM order_payments WHERE line_id = l.id)))
		FROM order_lines l
		WHERE l.covered <> (SELECT coalesce(sum(value), 0) FROM order_payments WHERE line_id = l.id)),
	'stock', (SELECT json_group_array(json_object('sku', v.sku, 'stock', v.stock,
			'ordered', (SELECT coalesce(sum(quantity - cancelled_quantity - returned_quantity), 0)
				FROM order_lines WHERE variant = v.id)))
		FROM variants v),
	'orders', (SELECT json_group_array(json_object('ref', o.ref, 'employee_id', e.employee_id,
			'status', o.status, 'total', o.total, 'covered', o.covered, 'overage', o.overage,
			'key', k.key, 'kstatus', k.status, 'response', k.response))
		FROM orders o JOIN employees e ON e.id = o.employee
		LEFT JOIN idempotency_keys k ON k.order_id = o.id),
	'keys', (SELECT count(*) FROM idempotency_keys)
) AS snap;`;

/* One consistent snapshot of the money tables (see SNAPSHOT_SQL). */
export function snapshotRead(dataDir) {
	const rows = sqlRows(dataDir, SNAPSHOT_SQL);
	return JSON.parse(rows[0].snap);
}

/*
 * Asserts the invariants that hold at every commit: no (employee,
 * programme, period) below zero; for every order and programme exactly one
 * ledger debit, equal to -(sum of order_payments.amount); each order's
 * total and covered equal to its lines' and to what the programmes paid;
 * stock never negative and initial = current + ordered (initialStock: SKU
 * -> stock at import); every order has its idempotency key, and each key
 * its order. where names the moment for the messages.
 */
export function invariantsAssert(snap, initialStock, where = '') {
	const at = where ? ` (${where})` : '';
	assert.deepEqual(snap.negative, [], `no balance may be below zero${at}`);
	assert.deepEqual(snap.debit_mismatch, [], `each order's ledger debit per programme equals -(its payments)${at}`);
	assert.deepEqual(snap.order_mismatch, [], `each order's total/covered match its lines and payments${at}`);
	assert.deepEqual(snap.line_mismatch, [], `each line's covered equals what the programmes paid for it${at}`);
	for (const s of snap.stock) {
		if (!(s.sku in initialStock))
			continue;
		assert.ok(s.stock >= 0, `stock of ${s.sku} is ${s.stock}${at}`);
		assert.equal(s.stock + s.ordered, initialStock[s.sku],
			`${s.sku}: initial stock ${initialStock[s.sku]} = current ${s.stock} + ordered ${s.ordered}${at}`);
	}
	const noKey = snap.orders.filter((o) => !o.key);
	assert.deepEqual(noKey, [], `every order placed through the API has its idempotency key${at}`);
	assert.equal(snap.keys, snap.orders.length, `one idempotency key per order${at}`);
	for (const o of snap.orders)
		assert.equal(o.kstatus, 201, `order ${o.ref}: the stored answer is a 201${at}`);
}

/*
 * Asserts each employee's ledger against their orders: for programme slug
 * given to them (programmes: username -> { slug, amount }), the ledger's
 * sum is amount - sum(covered of their orders), and the grant is amount.
 */
export function ledgerAssert(snap, sessions, programmes) {
	for (const [u, p] of Object.entries(programmes)) {
		const id = sessions[u].employeeId;
		const rows = snap.balances.filter((b) => b.employee_id === id && b.programme === p.slug);
		assert.equal(rows.length, 1, `${u} has one period of ${p.slug} in the ledger: ${JSON.stringify(rows)}`);
		const covered = snap.orders.filter((o) => o.employee_id === id).reduce((n, o) => n + o.covered, 0);
		assert.equal(rows[0].granted, p.amount, `${u}: granted ${p.slug} once`);
		assert.equal(rows[0].debited, -covered, `${u}: the debits equal what their orders' allowances covered`);
		assert.equal(rows[0].sum, p.amount - covered, `${u}: balance = grant - covered`);
	}
}

/* Asserts that GET /api/v1/me/allowances of each session equals the ledger's sums. */
export async function balancesApiAssert(stack, snap, sessions) {
	for (const s of Object.values(sessions)) {
		const list = await allowancesGet(stack, s);
		for (const b of list) {
			const slug = typeof b.programme === 'object' ? b.programme.slug : b.programme;
			const period = b.period?.key;
			const rows = snap.balances.filter((x) => x.employee_id === s.employeeId && x.programme === slug
				&& (period === undefined || x.period === period));
			const sum = rows.reduce((n, x) => n + x.sum, 0);
			assert.equal(b.balance, sum, `${s.username}: /api/v1/me/allowances says ${slug} = ${b.balance}, the ledger ${sum}`);
		}
	}
}

/* The ref in a 201 body. */
function refOf(rec) {
	try {
		return JSON.parse(rec.body).ref;
	} catch {
		return undefined;
	}
}

/*
 * Asserts what the clients saw against the snapshot: every 201 names an
 * order that exists, is the employee's, carries the key and whose stored
 * answer is the same bytes; the answers of one key agree (201s identical
 * and for one body only; another body after a 201 is 422
 * idempotency_key_reused). With complete (every task has ended), the
 * orders are exactly the keys that got a 201, and each key has one answer
 * that was not a replay (at most one when crashes cut some answers);
 * opts.before, a snapshot taken before the load, names the orders that
 * were already there. opts.allowed: the refusal codes accepted, by status.
 */
export function resultsAssert(results, snap, sessions, opts = {}) {
	const byUser = Object.fromEntries(Object.values(sessions).map((s) => [s.username, s.employeeId]));
	const orders = new Map(snap.orders.map((o) => [o.ref, o]));
	const allowed = opts.allowed || {};
	const groups = new Map();
	for (const rec of results) {
		const what = `${rec.employee} key ${rec.key} step ${rec.step} (${rec.bodyId})`;
		if (rec.status === 201) {
			const ref = refOf(rec);
			assert.ok(ref, `${what}: a 201 names its order: ${rec.body.slice(0, 200)}`);
			const o = orders.get(ref);
			assert.ok(o, `${what}: 201 for ${ref}, which is not in the database`);
			assert.equal(o.employee_id, byUser[rec.employee], `${what}: ${ref} is the employee's`);
			assert.equal(o.key, rec.key, `${what}: ${ref} carries the key`);
			assert.equal(o.response, rec.body, `${what}: the stored answer of ${ref} is the bytes the client got`);
			assert.match(rec.contentType, /^application\/json/, `${what}: a 201 is JSON`);
		} else if (rec.status >= 0) {
			assert.ok(rec.status >= 400 && rec.status < 500, `${what}: final status ${rec.status}: ${rec.body.slice(0, 300)}`);
			assert.match(rec.contentType, /^application\/json/, `${what}: a ${rec.status} that is not livery's `
				+ `JSON but ${rec.contentType} "${rec.body.slice(0, 60)}" (after ${rec.unknown} cut attempts: `
				+ 'did the server answer before its request handler was in place?)');
			const codes = allowed[rec.status] || [];
			assert.ok(codes.includes(rec.code), `${what}: ${rec.status} ${rec.code} is not an expected refusal (${JSON.stringify(allowed)}): ${rec.body.slice(0, 300)}`);
		}
		const g = `${rec.employee}\u0000${rec.key}`;
		if (!groups.has(g))
			groups.set(g, []);
		groups.get(g).push(rec);
	}
	for (const [, recs] of groups) {
		const ok = recs.filter((r) => r.status === 201);
		const what = `${recs[0].employee} key ${recs[0].key}`;
		if (ok.length) {
			assert.ok(ok.every((r) => r.body === ok[0].body), `${what}: every 201 of one key has the same bytes`);
			assert.ok(ok.every((r) => r.bodyId === ok[0].bodyId), `${what}: 201s for one body only`);
			const fresh = ok.filter((r) => !r.replayed).length;
			if (opts.complete && !opts.crashes)
				assert.equal(fresh, 1, `${what}: exactly one first answer, the others replays (Idempotent-Replayed: true)`);
			else
				assert.ok(fresh <= 1, `${what}: at most one first answer, got ${fresh}`);
			for (const r of recs) {
				if (r.bodyId !== ok[0].bodyId)
					assert.ok(r.status >= 400, `${what}: another body (${r.bodyId}) must not succeed: ${r.status}`);
			}
		}
		/* in one task, a body sent after a 201 of another body is a reuse */
		const byTask = new Map();
		for (const r of recs)
			byTask.set(r.task, [...(byTask.get(r.task) || []), r]);
		for (const steps of byTask.values()) {
			steps.sort((a, b) => a.step - b.step);
			let won = null;
			for (const r of steps) {
				if (won && r.bodyId !== won) {
					assert.equal(r.status, 422, `${what}: key reused with another body after a 201 -> 422, got ${r.status} ${r.body.slice(0, 200)}`);
					assert.equal(r.code, 'idempotency_key_reused', `${what}: the code of a reused key`);
				}
				if (r.status === 201)
					won = r.bodyId;
			}
		}
	}
	if (opts.complete) {
		const seen = new Set();
		for (const rec of results) {
			if (rec.status === 201)
				seen.add(`${byUser[rec.employee]}\u0000${rec.key}`);
		}
		const earlier = new Set((opts.before?.orders || []).map((o) => o.ref));
		const stored = snap.orders.filter((o) => !earlier.has(o.ref))
			.map((o) => `${o.employee_id}\u0000${o.key}`);
		const stray = stored.filter((k) => !seen.has(k)).map((k) => k.replace('\u0000', ' '));
		assert.deepEqual(stray, [], 'every order in the database is one a client was told about (201)');
		assert.equal(stored.length, seen.size, 'one order per key that got a 201');
	}
}

/* Counts of final statuses/codes, for messages: { "201": n, "422 overage_denied": n, ... }. */
export function outcomes(results) {
	const out = {};
	for (const r of results) {
		const k = r.status === 201 ? '201' : `${r.status} ${r.code}`;
		out[k] = (out[k] || 0) + 1;
	}
	return out;
}

/* Counts of every attempt's status (connection errors by name), retried ones included. */
export function attemptsCount(results) {
	const out = {};
	for (const r of results) {
		for (const a of r.attempts)
			out[a] = (out[a] || 0) + 1;
	}
	return out;
}
