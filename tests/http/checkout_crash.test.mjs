// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * checkout_crash.test.mjs - the checkout load while the server dies
 * (issue 3, point 15): 32 client processes post checkouts without pause
 * while livery is killed with SIGKILL at random moments, 15 times, and
 * started again each time on the same configuration and data directory.
 * A client whose connection breaks does not know whether its order was
 * placed; it sends the same request with the same idempotency key once
 * the server is back, as a careful program would.
 *
 * After every restart the database (read with the sqlite3 command line,
 * one snapshot) must satisfy the money invariants, and every 201 a client
 * has been given so far must name an order that is there with the very
 * bytes it was told: no committed order is lost. At the end, each key
 * that got a 201 has exactly one order (however many times it was sent
 * after an unknown outcome), and no order exists that no client was told
 * about.
 *
 * LV_LOAD_SEED=<n> replays a run's random plan (the seed is printed).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { logsFormat, skipReason } from './lib/harness.mjs';
import {
	ITEMS, Restarter, WorkerPool, attemptsCount, balancesApiAssert, checkoutBody, invariantsAssert,
	ledgerAssert, loadStackStart, outcomes, programmeCreate, programmeOnce, resultsAssert, rng,
	sessionsOpen, snapshotRead, tasksSpread,
} from './lib/load.mjs';

const WORKERS = 32;
const KILLS = 15;
const USERS = ['alice', 'bob', 'frank', 'erin'];
const AMOUNT = 400000; /* 4000.00 each: runs out part of the way through */
const STOCK = { 'LOAD-SCARCE': 20 };
const INITIAL_STOCK = Object.fromEntries(Object.entries(ITEMS).map(([sku, it]) => [sku, STOCK[sku] ?? it.stock]));
const ALLOWED = { 409: ['out_of_stock'], 422: ['overage_denied', 'idempotency_key_reused'] };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('checkout while the server is killed', { skip: skipReason }, () => {
	let stack;
	let sessions;
	let pool;
	let restarter;
	const seed = Number(process.env.LV_LOAD_SEED) || crypto.randomInt(1, 2 ** 31);
	const rand = rng(seed);
	let nextTask = 0;

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
		() => [['LOAD-TEE', rand.int(1, 2)]],
		() => [['LOAD-CAP', rand.int(1, 3)]],
		() => [['LOAD-SCARCE', 1]],
		() => [['LOAD-TEE', 1], ['LOAD-CAP', 1]],
	])();

	before(async () => {
		console.log(`# LV_LOAD_SEED=${seed}`);
		stack = await loadStackStart({ threads: 16, stock: STOCK });
		programmeCreate(stack.livery, programmeOnce('crash', AMOUNT, ['E1001', 'E1002', 'E1005', 'E1006']));
		sessions = await sessionsOpen(stack, USERS);
		pool = new WorkerPool(stack.livery.url, WORKERS);
		restarter = new Restarter(stack);
	});
	after(async () => {
		pool?.close();
		const r = await restarter?.stop();
		await stack?.stop();
		if (r)
			assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null },
				`the last livery's exit after SIGTERM: ${JSON.stringify(r)}\n${restarter.logs()}`);
	});

	test(`${KILLS} SIGKILLs under load: no committed order lost, the money adds up after each`, { timeout: 120000 }, async () => {
		try {
			/* far more work than the run will do: the workers are stopped after the last kill */
			const groups = [];
			for (let i = 0; i < WORKERS * 60; i++) {
				const user = rand.pick(USERS);
				const lines = someLines();
				const kind = rand.int(0, 9);
				if (kind === 0) {
					/* one key sent by two clients at once */
					const key = crypto.randomUUID();
					groups.push([task(user, [lines], key), task(user, [lines], key)]);
				} else if (kind === 1) {
					/* one key sent again after its answer */
					groups.push([task(user, [lines, lines])]);
				} else if (kind === 2) {
					/* one key reused with another body */
					groups.push([task(user, [lines, [['LOAD-TEE', 3]]])]);
				} else {
					groups.push([task(user, [lines])]);
				}
			}
			const seen = [];
			const running = pool.run(tasksSpread(WORKERS, groups), {
				concurrency: 1, crashes: true, deadlineMs: 90000, onResult: (rec) => seen.push(rec),
			});
			let failed = null;
			running.catch((err) => {
				failed = err;
			});

			for (let k = 1; k <= KILLS && !failed; k++) {
				await sleep(rand.int(100, 400));
				await restarter.crash();
				/* what clients were told before this snapshot was committed before it */
				const told = seen.slice();
				const snap = snapshotRead(stack.livery.dataDir);
				const where = `after restart ${k}, ${told.length} answers so far`;
				invariantsAssert(snap, INITIAL_STOCK, where);
				resultsAssert(told, snap, sessions, { crashes: true, allowed: ALLOWED });
			}
			pool.stop();
			const { results, faults } = await running;
			assert.deepEqual(faults, [], 'no 5xx but 503, every request answered in the end');

			const snap = snapshotRead(stack.livery.dataDir);
			const summary = `${results.length} answers: ${JSON.stringify(outcomes(results))}; attempts ${JSON.stringify(attemptsCount(results))}`;
			console.log(`# ${summary}`);
			invariantsAssert(snap, INITIAL_STOCK, `at the end; ${summary}`);
			resultsAssert(results, snap, sessions, { complete: true, crashes: true, allowed: ALLOWED });
			ledgerAssert(snap, sessions, Object.fromEntries(USERS.map((u) => [u, { slug: 'crash', amount: AMOUNT }])));
			await balancesApiAssert(stack, snap, sessions);

			/* the crashes really cut requests, and their retries found their orders */
			const unknown = results.filter((r) => r.unknown > 0);
			assert.ok(unknown.length > 0, `some requests had an unknown outcome: ${summary}`);
			assert.ok(results.filter((r) => r.status === 201).length > 0, 'orders were placed');
			console.log(`# ${restarter.restarts} restarts; ${unknown.length} requests retried after a cut, `
				+ `${unknown.filter((r) => r.status === 201 && r.replayed).length} of them found their order already placed`);
		} catch (err) {
			err.message += `\n${logsFormat([stack.livery, stack.idp])}\n${restarter.logs()}`;
			throw err;
		}
	});
});
