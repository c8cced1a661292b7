// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * checkout_load.test.mjs - the checkout under concurrency (issue 3, point
 * 14): 32 client processes (lib/load-worker.mjs) post to /api/v1/checkout
 * at once for the same few employees, with totals that together exceed
 * their allowances, some sending one idempotency key concurrently or again
 * after its answer, some reusing a key with another body. Afterwards the
 * database file itself (read-only, with the sqlite3 command line) must
 * show: no balance below zero, one ledger debit per order and programme
 * equal to what its lines' payments say, balances that the API repeats,
 * stock never negative and fully accounted for, one order per key, and
 * every answer a client got agreeing with what is stored. The exact case
 * first: 100.00 of allowance and 50 simultaneous checkouts of 30.00 give
 * 3 orders, 47 refusals and 10.00 left.
 *
 * LV_LOAD_SEED=<n> replays a run's random plan (the seed is printed).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { skipReason, withLogs } from './lib/harness.mjs';
import {
	ITEMS, WorkerPool, attemptsCount, balancesApiAssert, checkoutBody, invariantsAssert, ledgerAssert, linesTotal,
	loadStackStart, outcomes, programmeCreate, programmeOnce, resultsAssert, rng, sessionsOpen,
	snapshotRead, tasksSpread,
} from './lib/load.mjs';

const T = { timeout: 240000 };
const WORKERS = 32;
const PROGRAMMES = {
	alice: { slug: 'exact', amount: 10000 },   /* the exact case */
	bob: { slug: 'pool', amount: 10000 },
	frank: { slug: 'pool', amount: 10000 },
	erin: { slug: 'roomy', amount: 1000000 },  /* never runs out: key reuse is exact */
};
const INITIAL_STOCK = Object.fromEntries(Object.entries(ITEMS).map(([sku, it]) => [sku, it.stock]));
/* the refusals this load may meet, by status */
const ALLOWED = { 409: ['out_of_stock'], 422: ['overage_denied', 'idempotency_key_reused'] };

describe('checkout under load', { skip: skipReason }, () => {
	let stack;
	let sessions;
	let pool;
	const seed = Number(process.env.LV_LOAD_SEED) || crypto.randomInt(1, 2 ** 31);
	const rand = rng(seed);
	let nextTask = 0;
	const it = (name, fn) => test(name, T, withLogs(() => stack, fn));

	/* A task: one key of one employee, its bodies sent one after the other. */
	const task = (user, steps, key = crypto.randomUUID()) => ({
		id: `t${nextTask++}`,
		employee: user,
		cookie: sessions[user].cookie,
		csrf: sessions[user].csrf,
		key,
		bodies: steps.map((lines) => checkoutBody(lines)),
		bodyIds: steps.map((lines) => JSON.stringify(lines)),
	});
	const someLines = () => rand.pick([
		() => [['LOAD-TEE', rand.int(1, 3)]],
		() => [['LOAD-CAP', rand.int(1, 4)]],
		() => [['LOAD-SCARCE', 1]],
		() => [['LOAD-TEE', 1], ['LOAD-SCARCE', rand.int(1, 2)]],
		() => [['LOAD-CAP', 2], ['LOAD-TEE', 1]],
	])();

	before(async () => {
		console.log(`# LV_LOAD_SEED=${seed}`);
		stack = await loadStackStart({ threads: 16 });
		/* the programmes exist before any load */
		programmeCreate(stack.livery, programmeOnce('exact', 10000, ['E1001']));
		programmeCreate(stack.livery, programmeOnce('pool', 10000, ['E1002', 'E1006']));
		programmeCreate(stack.livery, programmeOnce('roomy', 1000000, ['E1005']));
		sessions = await sessionsOpen(stack, ['alice', 'bob', 'frank', 'erin']);
		pool = new WorkerPool(stack.livery.url, WORKERS);
	});
	after(async () => {
		pool?.close();
		const r = await stack?.stop();
		if (r)
			assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null },
				`livery's exit after SIGTERM: ${JSON.stringify(r)}\n${stack.logs()}`);
	});

	it('100.00 and 50 simultaneous checkouts of 30.00: exactly 3 orders, 47 refusals, 10.00 left', async () => {
		const tasks = Array.from({ length: 50 }, () => task('alice', [[['LOAD-TEE', 1]]]));
		const lists = tasksSpread(WORKERS, tasks.map((t) => [t]));
		/* every worker sends all of its (one or two) requests at once */
		const { results, faults } = await pool.run(lists, { concurrency: 2 });
		assert.deepEqual(faults, [], 'no 5xx but 503, no connection errors');
		assert.equal(results.length, 50);
		assert.deepEqual(outcomes(results), { 201: 3, '422 overage_denied': 47 },
			'exactly three 30.00 orders fit in 100.00');
		for (const r of results.filter((x) => x.status === 201)) {
			const o = JSON.parse(r.body);
			assert.equal(o.total, 3000);
			assert.equal(o.covered, 3000);
			assert.equal(r.replayed, false);
		}
		const snap = snapshotRead(stack.livery.dataDir);
		invariantsAssert(snap, INITIAL_STOCK, 'after the exact case');
		resultsAssert(results, snap, sessions, { complete: true, allowed: { 422: ['overage_denied'] } });
		ledgerAssert(snap, sessions, { alice: PROGRAMMES.alice });
		const alice = snap.balances.find((b) => b.employee_id === 'E1001' && b.programme === 'exact');
		assert.equal(alice.sum, 1000, 'the ledger leaves 10.00');
		await balancesApiAssert(stack, snap, { alice: sessions.alice });
		const stock = snap.stock.find((s) => s.sku === 'LOAD-TEE');
		assert.equal(stock.stock, ITEMS['LOAD-TEE'].stock - 3);
	});

	it('32 processes, shared employees, replays and reused keys: the money adds up', async () => {
		const groups = [];
		let wanted = { bob: 0, frank: 0 };
		let scarceWanted = 0;
		const note = (user, lines) => {
			if (user in wanted)
				wanted[user] += linesTotal(lines);
			scarceWanted += lines.filter(([sku]) => sku === 'LOAD-SCARCE').reduce((n, [, q]) => n + q, 0);
		};
		for (const user of ['bob', 'frank']) {
			/* one key sent by three clients at once, same body */
			for (let i = 0; i < 8; i++) {
				const lines = someLines();
				note(user, lines);
				const key = crypto.randomUUID();
				groups.push([0, 1, 2].map(() => task(user, [lines], key)));
			}
			/* one key sent again after its answer, twice */
			for (let i = 0; i < 8; i++) {
				const lines = someLines();
				note(user, lines);
				groups.push([task(user, [lines, lines, lines])]);
			}
			/* distinct keys: together far more than 100.00 */
			for (let i = 0; i < 40; i++) {
				const lines = someLines();
				note(user, lines);
				groups.push([task(user, [lines])]);
			}
		}
		/* erin can afford everything: a key reused with another body is always refused */
		for (let i = 0; i < 16; i++) {
			const a = [['LOAD-TEE', 1]];
			const b = [['LOAD-TEE', 2]];
			groups.push([task('erin', [a, b])]);
		}
		for (let i = 0; i < 8; i++) {
			/* the same key with two bodies at once: one order, one refusal */
			const key = crypto.randomUUID();
			groups.push([task('erin', [[['LOAD-CAP', 1]]], key), task('erin', [[['LOAD-CAP', 3]]], key)]);
		}
		for (let i = 0; i < 8; i++) {
			const key = crypto.randomUUID();
			const lines = [['LOAD-TEE', 1], ['LOAD-CAP', 1]];
			groups.push([task('erin', [lines], key), task('erin', [lines], key)]);
		}
		for (let i = 0; i < 6; i++) {
			note('erin', [['LOAD-SCARCE', 1]]);
			groups.push([task('erin', [[['LOAD-SCARCE', 1]]])]);
		}
		/* interleave the groups so that every employee is hammered at the same time */
		for (let i = groups.length - 1; i > 0; i--) {
			const j = rand.int(0, i);
			[groups[i], groups[j]] = [groups[j], groups[i]];
		}
		assert.ok(wanted.bob > 2 * 10000 && wanted.frank > 2 * 10000,
			`the plan must want far more than the balances: ${JSON.stringify(wanted)}`);
		assert.ok(scarceWanted > ITEMS['LOAD-SCARCE'].stock, 'more scarce items are wanted than exist');

		const before = snapshotRead(stack.livery.dataDir);
		const { results, faults } = await pool.run(tasksSpread(WORKERS, groups), { concurrency: 2 });
		assert.deepEqual(faults, [], 'no 5xx but 503, no connection errors, every request answered');
		const snap = snapshotRead(stack.livery.dataDir);
		const summary = `outcomes ${JSON.stringify(outcomes(results))}`;
		console.log(`# ${results.length} answers: ${summary}; attempts ${JSON.stringify(attemptsCount(results))}`);
		invariantsAssert(snap, INITIAL_STOCK, summary);
		resultsAssert(results, snap, sessions, { complete: true, allowed: ALLOWED, before });
		ledgerAssert(snap, sessions, PROGRAMMES);
		await balancesApiAssert(stack, snap, sessions);

		/* the load really met every case */
		const o = outcomes(results);
		assert.ok(o['422 overage_denied'] > 0, `some checkouts were refused for the allowance: ${summary}`);
		assert.ok(o['422 idempotency_key_reused'] >= 16 + 8, `every reused key was refused: ${summary}`);
		assert.ok(results.some((r) => r.replayed), 'some answers were replays');
		const scarce = snap.stock.find((s) => s.sku === 'LOAD-SCARCE');
		assert.ok(scarce.stock >= 0 && scarce.ordered <= ITEMS['LOAD-SCARCE'].stock);
		/* erin's concurrent two-body keys: exactly one order each */
		const erinKeys = new Set(results.filter((r) => r.employee === 'erin').map((r) => r.key));
		const erinOrders = snap.orders.filter((x) => x.employee_id === 'E1005');
		const newOrders = snap.orders.length - before.orders.length;
		assert.ok(erinOrders.length <= erinKeys.size, 'at most one order per key of erin');
		assert.ok(newOrders > 0, 'orders were placed');
		for (const r of results.filter((x) => x.employee === 'erin' && x.status !== 201))
			assert.ok(r.code === 'idempotency_key_reused' || r.code === 'out_of_stock',
				`erin can afford everything: ${r.status} ${r.body}`);
	});
});
