// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * keepalive.test.mjs - idle kept-alive connections never make another
 * client wait, proven by order of events rather than by a clock.
 *
 * CivetWeb gives each open connection a worker thread until the connection
 * closes, including while it sits idle between a browser's pages. Were
 * there fewer threads than the connections browsers keep open, a new
 * client would be served only once the server closed an idle one (after
 * SERVER_KEEP_ALIVE_SECONDS). So: IDLE connections each make one request
 * and stay open, idle; then a new connection asks for a page. When its
 * answer arrives, every idle connection must still be open: the server
 * answered without closing one first. IDLE is what two browsers keep open
 * to one site (Chromium: 6 each) twice over, and must stay below the
 * shipped [server] threads (32).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { skipReason, startStack, withLogs } from './lib/harness.mjs';

const T = { timeout: 60000 };
const IDLE = 24;

/*
 * Opens a connection to port, sends one keep-alive GET of path and resolves
 * with { socket, head, closed() } once the whole answer (headers and a
 * Content-Length body) has arrived; the socket stays open.
 */
function keptAlive(port, path) {
	return new Promise((resolve, reject) => {
		const socket = net.connect(port, '127.0.0.1');
		let data = Buffer.alloc(0);
		let closed = false;
		let done = false;
		socket.on('close', () => {
			closed = true;
			if (!done)
				reject(new Error(`the connection closed before its answer: ${data.toString('latin1').slice(0, 200)}`));
		});
		socket.on('error', (err) => {
			if (!done)
				reject(err);
		});
		socket.on('data', (chunk) => {
			data = Buffer.concat([data, chunk]);
			const end = data.indexOf('\r\n\r\n');
			if (done || end < 0)
				return;
			const head = data.subarray(0, end).toString('latin1');
			const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
			if (m && data.length < end + 4 + Number(m[1]))
				return;
			done = true;
			resolve({ socket, head, closed: () => closed });
		});
		socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
	});
}

describe('idle kept-alive connections', { skip: skipReason }, () => {
	let stack;
	const sockets = [];

	before(async () => {
		stack = await startStack({ livery: { config: { server: { threads: null } } } });
	});
	after(async () => {
		for (const s of sockets)
			s.destroy();
		await stack?.stop();
	});

	test(`${IDLE} idle connections open, a new client is answered without one being closed first`, T,
		withLogs(() => stack, async () => {
			const port = Number(new URL(stack.base).port);
			const idle = [];
			for (let i = 0; i < IDLE; i++) {
				const c = await keptAlive(port, '/healthz');
				sockets.push(c.socket);
				assert.match(c.head, /^HTTP\/1\.1 200 /, `idle connection ${i}`);
				assert.doesNotMatch(c.head, /\r\nconnection:\s*close/i, `idle connection ${i} is kept alive`);
				idle.push(c);
			}
			const fresh = await keptAlive(port, '/healthz');
			sockets.push(fresh.socket);
			assert.match(fresh.head, /^HTTP\/1\.1 200 /);
			const closedFirst = idle.map((c, i) => (c.closed() ? i : -1)).filter((i) => i >= 0);
			assert.deepEqual(closedFirst, [],
				'idle connections the server closed before it answered the new client');
		}));
});
