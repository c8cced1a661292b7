// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * backup.test.mjs - `livery backup` and `livery restore` against the real
 * server (issue 6, point 4): a backup taken while an employee's checkouts
 * keep arriving opens, passes SQLite's integrity check and holds every
 * order that was answered before it started, each with its lines; an
 * existing file is replaced only with --force. A restore while the store
 * serves is refused and changes nothing. Once the store is stopped, the
 * restore keeps the replaced database aside and the store, started again,
 * has the backup's orders (and not the one placed after it), with the
 * employee's session of the time still valid.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { env, skipReason, startStack, withLogs } from './lib/harness.mjs';
import { dbQuery, keyNew, moneyLogin, programmeCreate } from './lib/money.mjs';

const T = { timeout: 90000 };
const SITE = { method: 'site' };
const CSV = [
	'category,category_name,product_slug,product_name,description,tags,restricted,'
		+ 'sku,size,colour,fit,price,stock,image',
	'uniforms,Uniforms,bk-tee,Backup tee,Plain tee,uniform,0,BK-TEE,M,White,,1.00,100000,',
	'',
].join('\n');
const ORDER = { lines: [{ sku: 'BK-TEE', quantity: 1 }], delivery: SITE };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* Runs livery with args without blocking the event loop; resolves { status, stdout, stderr }. */
function liveryRun(args) {
	return new Promise((resolve, reject) => {
		const child = spawn(env.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (b) => {
			stdout += b;
		});
		child.stderr.on('data', (b) => {
			stderr += b;
		});
		child.once('error', reject);
		child.once('close', (status) => resolve({ status, stdout, stderr }));
	});
}

/* One sqlite3 query on the database file db (not livery's own). */
function fileQuery(db, sql) {
	const r = spawnSync('sqlite3', ['-readonly', db, sql], { encoding: 'utf8' });
	assert.equal(r.status, 0, `sqlite3 ${db} ${sql}: ${r.stderr}`);
	return r.stdout.trim();
}

/* The refs of the orders in the database file db. */
const refsIn = (db) => new Set(fileQuery(db, 'SELECT ref FROM orders ORDER BY id').split('\n').filter(Boolean));

describe('backup and restore', { skip: skipReason }, () => {
	let stack;
	let livery;
	let frank;
	let restarted = null;
	let restartedLog = '';
	const it = (name, fn) => test(name, T, withLogs(() => ({
		logs: () => `${stack.logs()}\n----- restarted livery -----\n${restartedLog.slice(-6000)}`,
	}), fn));
	const refs = {};
	let out;

	const checkout = async () => {
		const r = await frank.checkout(ORDER, keyNew());
		assert.equal(r.status, 201, r.body);
		return r.json().ref;
	};

	before(async () => {
		stack = await startStack({ provider: 'real', livery: { catalogCsv: CSV } });
		livery = stack.livery;
		programmeCreate(livery, {
			slug: 'bk-uniform', name: 'Uniform', unit: 'money', amount: 100000000, period: 'yearly',
			reset: 'calendar', prorate: false, rollover_cap: 0, eligibility_days: 0,
			audience: { employee_ids: ['E1006'] }, categories: ['uniforms'], tags: [],
			overage: 'deny', position: 1,
		});
		frank = await moneyLogin(stack, 'frank');
		out = path.join(livery.tmpDir, 'backup.db');
	});
	after(async () => {
		if (restarted && restarted.exitCode === null && restarted.signalCode === null) {
			const gone = new Promise((resolve) => restarted.once('exit', resolve));
			restarted.kill('SIGTERM');
			await gone;
		}
		await stack?.stop();
	});

	it('a backup taken while checkouts run holds every order answered before it started', async () => {
		refs.first = await checkout();
		/* two streams of checkouts, each waiting for its answer before the next */
		const answered = [refs.first];
		let stop = false;
		const stream = async () => {
			while (!stop)
				answered.push(await checkout());
		};
		const streams = [stream(), stream()];
		while (answered.length < 6)
			await sleep(10);

		const before = new Set(answered);
		const r = await liveryRun(['backup', '--config', livery.configPath, out]);
		const atEnd = answered.length;
		while (answered.length < atEnd + 4)
			await sleep(10);
		stop = true;
		await Promise.all(streams);
		console.log(`# ${before.size} orders answered before the backup, ${atEnd - before.size} while it ran`);

		assert.equal(r.status, 0, `livery backup: ${r.stderr}`);
		const version = Number(dbQuery(livery, 'PRAGMA user_version'));
		assert.match(r.stdout, new RegExp(`^wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ bytes, `
			+ `schema version ${version}, integrity ok\\n$`));
		assert.equal(fs.statSync(out).mode & 0o777, 0o600);
		assert.ok(!fs.existsSync(`${out}.tmp`) && !fs.existsSync(`${out}-wal`));
		assert.equal(fileQuery(out, 'PRAGMA integrity_check'), 'ok');
		assert.equal(Number(fileQuery(out, 'PRAGMA user_version')), version);

		const inBackup = refsIn(out);
		for (const ref of before)
			assert.ok(inBackup.has(ref), `order ${ref} was answered before the backup started`);
		/* a snapshot of the live orders: nothing the store does not have, nothing half-written */
		const live = refsIn(path.join(livery.dataDir, 'livery.db'));
		for (const ref of inBackup)
			assert.ok(live.has(ref), `the backup has ${ref}, which the store does not`);
		assert.ok(inBackup.size < live.size, 'the orders after the backup are not in it');
		assert.equal(fileQuery(out, 'SELECT count(*) FROM orders o WHERE NOT EXISTS '
			+ '(SELECT 1 FROM order_lines l WHERE l.order_id = o.id)'), '0');
		assert.equal(fileQuery(out, 'SELECT count(*) FROM orders WHERE total <> '
			+ '(SELECT sum(total) FROM order_lines WHERE order_id = orders.id)'), '0');
		refs.inBackup = inBackup;
	});

	it('an existing backup file is replaced only with --force', async () => {
		const size = fs.statSync(out).size;
		let r = await liveryRun(['backup', '--config', livery.configPath, out]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /already exists \(use --force to replace it\)/);
		assert.equal(fs.statSync(out).size, size);
		const again = path.join(livery.tmpDir, 'backup-again.db');
		fs.copyFileSync(out, again);
		r = await liveryRun(['backup', '--config', livery.configPath, '--force', again]);
		assert.equal(r.status, 0, r.stderr);
		assert.equal(fileQuery(again, 'PRAGMA integrity_check'), 'ok');
		r = await liveryRun(['backup', '--config', livery.configPath]);
		assert.equal(r.status, 2, 'OUT is required');
	});

	it('a restore while the store serves is refused and changes nothing', async () => {
		refs.after = await checkout();
		const db = path.join(livery.dataDir, 'livery.db');
		const count = refsIn(db).size;
		const r = await liveryRun(['restore', '--config', livery.configPath, out]);
		assert.equal(r.status, 1, r.stdout);
		assert.match(r.stderr, /is in use by another process/);
		assert.equal(refsIn(db).size, count);
		assert.deepEqual(fs.readdirSync(livery.dataDir).filter((f) => f.includes('before-restore')), []);
		/* the store did not notice */
		const res = await frank.get(`/api/v1/orders/${refs.after}`);
		assert.equal(res.status, 200, res.body);
	});

	it('stopped, restored and started again, the store has the backup\'s orders', async () => {
		/* a graceful stop of the serving store (its data directory stays) */
		const child = livery.child;
		const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
		child.kill('SIGTERM');
		assert.deepEqual(await exited, { code: 0, signal: null });

		/* a file that is not a backup is refused before anything changes */
		const junk = path.join(livery.tmpDir, 'junk.db');
		fs.writeFileSync(junk, 'not a database\n');
		let r = await liveryRun(['restore', '--config', livery.configPath, junk]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /is not an SQLite database/);

		r = await liveryRun(['restore', '--config', livery.configPath, out]);
		assert.equal(r.status, 0, r.stderr);
		const m = /^kept the database it replaced as (.+)$/m.exec(r.stdout);
		assert.ok(m, r.stdout);
		assert.match(r.stdout, /^restored .* schema version (\d+) -> \1$/m);
		assert.ok(refsIn(m[1]).has(refs.after), 'the replaced database, kept aside, has the later order');
		assert.equal(fs.statSync(m[1]).mode & 0o777, 0o600);

		restarted = spawn(env.bin, ['serve', '--config', livery.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
		restarted.stdout.on('data', (b) => {
			restartedLog += b;
		});
		restarted.stderr.on('data', (b) => {
			restartedLog += b;
		});
		const deadline = Date.now() + 15000;
		for (;;) {
			assert.ok(restarted.exitCode === null, `livery exited:\n${restartedLog}`);
			try {
				const h = await fetch(`${livery.url}/healthz`, { signal: AbortSignal.timeout(1000) });
				await h.arrayBuffer();
				if (h.status === 200)
					break;
			} catch {
				/* not yet */
			}
			assert.ok(Date.now() < deadline, `no /healthz in 15 s:\n${restartedLog}`);
			await sleep(50);
		}

		/* the session frank had when the backup was taken is in it */
		let res = await frank.get(`/api/v1/orders/${refs.first}`);
		assert.equal(res.status, 200, res.body);
		assert.equal(res.json().ref, refs.first);
		res = await frank.get(`/api/v1/orders/${refs.after}`);
		assert.equal(res.status, 404, res.body);
		assert.deepEqual(refsIn(path.join(livery.dataDir, 'livery.db')), refs.inBackup);
		/* and the store takes orders again */
		const ref = await checkout();
		assert.ok(!refs.inBackup.has(ref));
	});
});
