// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * console.mjs - what the HTTP tests of the console stand on, above
 * money.mjs's MoneyApi: the frame of a suite (its before(), which starts
 * the stack and signs its people in, its after(), which stops livery and
 * asserts that it exited cleanly on SIGTERM with no sanitizer report in
 * its log, and its tests, with livery's logs added to a failure), a page
 * asked for as HTML, a form posted as the page's form would post it
 * (urlencoded, or multipart/form-data with one file), and the entries of
 * the audit log counted in the test database.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startStack, withLogs } from './harness.mjs';
import { dbInt, moneyLogin } from './money.mjs';

const BOUNDARY = 'ConsoleTestBoundary7MA4YWxkTrZu0gW';

/* GET path as api, asking for HTML. */
export function pageGet(api, path) {
	return api.request('GET', path, { headers: { accept: 'text/html' } });
}

/*
 * POSTs fields ({name: value}) to path as api, urlencoded and asking for
 * HTML. The CSRF token goes in api's header only: a field csrf in fields
 * puts it in the body too, as the page's form does.
 */
export function formPost(api, path, fields) {
	return api.request('POST', path, {
		body: new URLSearchParams(fields).toString(), type: 'application/x-www-form-urlencoded',
		headers: { accept: 'text/html' },
	});
}

/*
 * A multipart/form-data body: fields {name: value}, then file (when not
 * null) as the part "file": { name (its file name), text (a string or a
 * Buffer), type (its Content-Type, application/octet-stream when not
 * given) }.
 */
export function multipartBody(fields, file) {
	const parts = [];
	for (const [k, v] of Object.entries(fields))
		parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
	if (file) {
		parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n`
			+ `Content-Type: ${file.type || 'application/octet-stream'}\r\n\r\n`));
		parts.push(Buffer.from(file.text));
		parts.push(Buffer.from('\r\n'));
	}
	parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
	return Buffer.concat(parts);
}

/*
 * POSTs multipartBody(fields, file) to path as api; opts are MoneyApi's
 * request options (headers, csrf: false to send no token in the header).
 */
export function multipartPost(api, path, file, fields = {}, opts = {}) {
	return api.request('POST', path, {
		...opts, body: multipartBody(fields, file), type: `multipart/form-data; boundary=${BOUNDARY}`,
	});
}

/*
 * POSTs file to path as the page's upload form does: multipart, asking
 * for HTML, the CSRF token in the body's fields (api's own by default)
 * and not in a header.
 */
export function uploadPost(api, path, file, fields = { csrf: api.csrf }) {
	return multipartPost(api, path, file, fields, { headers: { accept: 'text/html' }, csrf: false });
}

/*
 * The number of entries of livery's audit log whose columns have the
 * values of match ({column: value}; an undefined value is no condition),
 * and for which the SQL condition extra holds, when given.
 */
export function auditCount(livery, match, extra) {
	const where = Object.entries(match).filter(([, v]) => v !== undefined)
		.map(([k, v]) => `${k} = '${String(v).replace(/'/g, "''")}'`);
	if (extra)
		where.push(extra);
	return dbInt(livery, `SELECT count(*) FROM audit_log${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`);
}

/*
 * The after() of a suite on startStack's stack (undefined when it never
 * started): stops it and asserts that livery exited with 0 on SIGTERM and
 * that its log holds no sanitizer report.
 */
export async function stackStopAssert(stack) {
	const r = await stack?.stop();
	if (r)
		assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null },
			`livery's exit after SIGTERM: ${JSON.stringify(r)}\n${stack.logs()}`);
	assert.doesNotMatch(stack?.livery?.log() || '', /runtime error|AddressSanitizer|LeakSanitizer/, 'no sanitizer report');
}

/*
 * Declares the before() and after() of a suite of console tests: call it
 * in the describe() callback, ahead of the suite's own before(), which
 * runs after this one. before() starts the stack (stack: startStack's
 * options), runs setup(s) (what must be there before anyone signs in) and
 * signs users in (moneyLogin), one after the other; after() is
 * stackStopAssert. Returns the suite's state s, which before() fills in:
 * { stack, livery (stack.livery), u ({ username: MoneyApi }) }.
 */
export function consoleSuiteDeclare({ stack = {}, users = [], setup = () => {} } = {}) {
	const s = { stack: null, livery: null, u: {} };
	before(async () => {
		s.stack = await startStack(stack);
		s.livery = s.stack.livery;
		await setup(s);
		for (const name of users)
			s.u[name] = await moneyLogin(s.stack, name);
	});
	after(() => stackStopAssert(s.stack));
	return s;
}

/* The `it` of a suite of consoleSuiteDeclare's: test(name, fn) with timeout ms, livery's logs added to a failure. */
export function consoleIt(s, timeout = 120000) {
	return (name, fn) => test(name, { timeout }, withLogs(() => s.stack, fn));
}
