// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * load-worker.mjs - one client process of the checkout load and crash
 * tests (forked by load.mjs, one per simulated client). The parent sends
 * it the server's address and a list of tasks over the IPC channel; on
 * "go" it runs them, at most `concurrency` at a time, and sends back what
 * it saw, byte for byte.
 *
 * A task is one idempotency key of one employee and one or more request
 * bodies sent with it, one after the other (the same body again is a
 * sequential replay; another body is a key reused with other content).
 * Every request is a POST /api/v1/checkout on its own connection, with the
 * employee's session cookie, the CSRF header and the Idempotency-Key.
 *
 * What is retried, with the same key and the same body:
 * - 503 (the server is busy): after its Retry-After (at most 1 s here),
 *   and a 503 without Retry-After is recorded as a fault;
 * - 409 idempotency_key_in_use (the same key is being served elsewhere);
 * - a connection error or a cut response, when the parent said the server
 *   may be killed (`crashes`): the outcome is unknown, so the request is
 *   sent again once the server is back. Without `crashes` it is a fault.
 * Everything else is final and reported.
 *
 * A task: { id, employee (username), cookie, csrf, key, bodies: [JSON
 * text], bodyIds: [a name per body, equal names for equal bodies], gapMs
 * (pause before each request) }.
 *
 * Messages in: { type: 'tasks', url, tasks, concurrency, crashes,
 * deadlineMs }, { type: 'go' }, { type: 'stop' } (start no new task),
 * { type: 'exit' }. Messages out: { type: 'ready' }, { type: 'result',
 * rec } as each final answer arrives, { type: 'done', results, faults }.
 */
import http from 'node:http';

const REQUEST_TIMEOUT_MS = 30000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let job = null;
let stopped = false;

/* One POST; resolves { status, headers, body } or { error } (never rejects). */
function checkoutPost(url, task, body) {
	return new Promise((resolve) => {
		const u = new URL('/api/v1/checkout', url);
		const data = Buffer.from(body, 'utf8');
		let settled = false;
		const done = (v) => {
			if (!settled) {
				settled = true;
				resolve(v);
			}
		};
		const req = http.request({
			host: u.hostname,
			port: u.port,
			path: u.pathname,
			method: 'POST',
			agent: false, /* a connection per request, closed after it */
			headers: {
				'content-type': 'application/json',
				'content-length': data.length,
				accept: 'application/json',
				cookie: task.cookie,
				'x-csrf-token': task.csrf,
				'idempotency-key': task.key,
			},
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				if (!res.complete) {
					done({ error: 'response cut short' });
					return;
				}
				done({
					status: res.statusCode,
					headers: res.headers,
					body: Buffer.concat(chunks).toString('utf8'),
				});
			});
			res.on('error', (err) => done({ error: err.code || err.message }));
			res.on('aborted', () => done({ error: 'response aborted' }));
		});
		req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
		req.on('error', (err) => done({ error: err.code || err.message }));
		req.end(data);
	});
}

function errorCode(body) {
	try {
		return JSON.parse(body)?.error?.code ?? null;
	} catch {
		return null;
	}
}

/*
 * Sends body with task's key until a final answer. Returns the result
 * record; pushes what must never happen to faults.
 */
async function requestFinal(task, step, body, faults) {
	const rec = {
		task: task.id, step, employee: task.employee, key: task.key, bodyId: task.bodyIds[step],
		status: 0, code: null, body: '', replayed: false, attempts: [], unknown: 0, t0: Date.now(), ms: 0,
	};
	for (;;) {
		if (Date.now() > job.deadline) {
			faults.push(`${task.id}/${step}: no final answer before the deadline (${JSON.stringify(rec.attempts.slice(-5))})`);
			rec.status = -1;
			break;
		}
		const r = await checkoutPost(job.url, task, body);
		if (r.error) {
			rec.attempts.push(r.error);
			if (!job.crashes) {
				faults.push(`${task.id}/${step}: connection error ${r.error}`);
				rec.status = -1;
				break;
			}
			/* unknown outcome: try again once the server is back */
			rec.unknown++;
			await sleep(50 + Math.floor(Math.random() * 100));
			continue;
		}
		rec.attempts.push(r.status);
		const code = errorCode(r.body);
		if (r.status === 503) {
			const ra = r.headers['retry-after'];
			if (ra === undefined || !/^\d+$/.test(ra))
				faults.push(`${task.id}/${step}: 503 without a Retry-After of whole seconds (${ra})`);
			const s = Number(ra) || 1;
			await sleep(Math.min(1000, s * 1000) * (0.5 + Math.random() / 2));
			continue;
		}
		if (r.status === 409 && code === 'idempotency_key_in_use') {
			await sleep(20 + Math.floor(Math.random() * 60));
			continue;
		}
		if (r.status >= 500)
			faults.push(`${task.id}/${step}: ${r.status} ${r.body.slice(0, 300)}`);
		else if (!/^application\/json/.test(r.headers['content-type'] || ''))
			faults.push(`${task.id}/${step}: a ${r.status} that is not livery's JSON `
				+ `(${r.headers['content-type']}: ${r.body.slice(0, 100)}), after ${rec.unknown} cut attempts`);
		rec.status = r.status;
		rec.code = code;
		rec.body = r.body;
		rec.replayed = r.headers['idempotent-replayed'] === 'true';
		rec.contentType = r.headers['content-type'] || '';
		break;
	}
	rec.ms = Date.now() - rec.t0;
	return rec;
}

async function taskRun(task, results, faults) {
	for (let step = 0; step < task.bodies.length; step++) {
		if (task.gapMs)
			await sleep(task.gapMs);
		const rec = await requestFinal(task, step, task.bodies[step], faults);
		results.push(rec);
		process.send({ type: 'result', rec });
	}
}

async function jobRun() {
	const results = [];
	const faults = [];
	const queue = job.tasks.slice();
	const lanes = [];
	for (let i = 0; i < Math.max(1, job.concurrency); i++) {
		lanes.push((async () => {
			while (queue.length && !stopped)
				await taskRun(queue.shift(), results, faults);
		})());
	}
	await Promise.all(lanes);
	process.send({ type: 'done', results, faults });
}

process.on('message', (m) => {
	if (m.type === 'tasks') {
		stopped = false;
		job = { ...m, deadline: Date.now() + (m.deadlineMs || 120000) };
		process.send({ type: 'ready' });
	} else if (m.type === 'go') {
		job.deadline = Date.now() + (job.deadlineMs || 120000);
		jobRun().catch((err) => process.send({ type: 'done', results: [], faults: [`worker: ${err.stack}`] }));
	} else if (m.type === 'stop') {
		stopped = true;
	} else if (m.type === 'exit') {
		process.exit(0);
	}
});
process.on('disconnect', () => process.exit(0));
