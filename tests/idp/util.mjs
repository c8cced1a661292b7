// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * util.mjs - small helpers shared by the test identity providers: reading a
 * bounded request body, answering with JSON or HTML, HTML escaping, base64url
 * and constant-time string comparison, and the command-line/env option parser
 * both providers use. Node built-ins only.
 */
import crypto from 'node:crypto';

/* Largest request body the providers accept (forms and JSON are tiny). */
export const BODY_LIMIT = 64 * 1024;

/*
 * Reads the whole request body, refusing more than limit bytes.
 * Returns a promise of the body as a string; rejects on overflow (the
 * request is then answered 413 by the caller).
 */
export function bodyRead(req, limit = BODY_LIMIT) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let n = 0;
		req.on('data', (chunk) => {
			n += chunk.length;
			if (n > limit) {
				reject(Object.assign(new Error('request body too large'), { status: 413 }));
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

/* Parses an application/x-www-form-urlencoded body into a plain object. */
export function formParse(body) {
	return Object.fromEntries(new URLSearchParams(body));
}

/* Answers with a JSON document; extra headers may be given. */
export function jsonSend(res, status, value, headers = {}) {
	const body = JSON.stringify(value);
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'cache-control': 'no-store',
		'content-length': Buffer.byteLength(body),
		...headers,
	});
	res.end(body);
}

/* Answers with an HTML page; the caller has escaped what it interpolated. */
export function htmlSend(res, status, html, headers = {}) {
	res.writeHead(status, {
		'content-type': 'text/html; charset=utf-8',
		'cache-control': 'no-store',
		'content-length': Buffer.byteLength(html),
		...headers,
	});
	res.end(html);
}

/* Answers with a redirect to location. */
export function redirectSend(res, status, location) {
	res.writeHead(status, { location, 'cache-control': 'no-store', 'content-length': 0 });
	res.end();
}

/* Escapes text for HTML element content and quoted attribute values. */
export function htmlEscape(value) {
	return String(value)
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}

/* base64url without padding, of a Buffer or a string (UTF-8). */
export function b64url(data) {
	return Buffer.from(data).toString('base64url');
}

/* Compares two strings in time independent of where they differ. */
export function strEqual(a, b) {
	const ha = crypto.createHash('sha256').update(String(a)).digest();
	const hb = crypto.createHash('sha256').update(String(b)).digest();
	return crypto.timingSafeEqual(ha, hb) && String(a) === String(b);
}

/*
 * Reads options from argv ("--name value" or "--name=value"), falling back to
 * the environment variable given for each option, then to its default.
 * spec: { name: { env: 'VAR', def: 'value' } }. Returns { name: value }.
 * Throws on an unknown option so that typos do not pass silently.
 */
export function optionsParse(argv, spec) {
	const out = {};
	for (const [name, { env, def }] of Object.entries(spec))
		out[name] = (env && process.env[env] !== undefined && process.env[env] !== '') ? process.env[env] : def;
	for (let i = 0; i < argv.length; i++) {
		const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(argv[i]);
		if (!m || !(m[1] in spec))
			throw new Error(`unknown option ${argv[i]} (known: ${Object.keys(spec).map((k) => `--${k}`).join(' ')})`);
		let value = m[2];
		if (value === undefined) {
			if (i + 1 >= argv.length)
				throw new Error(`option --${m[1]} needs a value`);
			value = argv[++i];
		}
		out[m[1]] = value;
	}
	return out;
}

/* Parses a TCP port number (0 allowed: pick a free one). Throws if invalid. */
export function portParse(value) {
	const s = String(value);
	if (!/^[0-9]{1,5}$/.test(s) || Number(s) > 65535)
		throw new Error(`invalid port: ${s}`);
	return Number(s);
}
