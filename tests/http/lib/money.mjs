// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * money.mjs - what the money-path HTTP tests stand on: a small catalog with
 * exact prices and stock the tests control, a JSON client for the money API
 * (the session's CSRF token in X-CSRF-Token, an Idempotency-Key for
 * checkouts), allowance programmes created with the livery command, and
 * direct reads of the test database (sqlite3) to prove what was, and was
 * not, stored.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { csrfToken, env, loginOk } from './harness.mjs';
import { DEMO_PASSWORD } from '../../idp/accounts.mjs';

const HEADER = 'category,category_name,product_slug,product_name,description,tags,restricted,'
	+ 'sku,size,colour,fit,price,stock,image';

/* Prices (minor units) and stock of the test catalog, as the tests expect them. */
export const CATALOG = Object.freeze({
	'T-SHIRT-M': { price: 3000, stock: 100 },
	'T-SHIRT-L': { price: 3000, stock: 100 },
	'T-JACKET-M': { price: 12000, stock: 10 },
	'T-SOCKS': { price: 500, stock: 1 },
	'T-CAP': { price: 1500, stock: 50 },
});

/* The catalog CSV: uniforms (shirts, jacket, socks) and logo wear (a cap). */
export const MONEY_CSV = [
	HEADER,
	'uniforms,Uniforms,test-shirt,Test shirt,Plain shirt,uniform,0,T-SHIRT-M,M,White,,30.00,100,',
	'uniforms,Uniforms,test-shirt,Test shirt,Plain shirt,uniform,0,T-SHIRT-L,L,White,,30.00,100,',
	'uniforms,Uniforms,test-jacket,Test jacket,Plain jacket,uniform,0,T-JACKET-M,M,Navy,,120.00,10,',
	'uniforms,Uniforms,test-socks,Test socks,Plain socks,uniform,0,T-SOCKS,,Black,,5.00,1,',
	'logo-wear,Logo wear,test-cap,Test cap,Plain cap,logo,0,T-CAP,,Navy,,15.00,50,',
	'',
].join('\n');

/* A fresh idempotency key. */
export const keyNew = () => crypto.randomUUID();

/*
 * The money API as one signed-in employee (or anonymous when csrf is
 * null): every call asks for JSON and sends the CSRF token unless told
 * not to. opts: { json, body (raw), type (its Content-Type), headers,
 * csrf (false: no token; a string: that token) }.
 */
export class MoneyApi {
	constructor(client, base, csrf) {
		this.client = client;
		this.base = base;
		this.csrf = csrf;
	}

	request(method, p, opts = {}) {
		const headers = { ...(opts.headers || {}) };
		const token = typeof opts.csrf === 'string' ? opts.csrf : opts.csrf === false ? null : this.csrf;
		if (token)
			headers['x-csrf-token'] = token;
		let body;
		if (opts.json !== undefined) {
			body = JSON.stringify(opts.json);
			headers['content-type'] = 'application/json';
		} else if (opts.body !== undefined) {
			body = opts.body;
			if (opts.type)
				headers['content-type'] = opts.type;
		}
		return this.client.request(`${this.base}${p}`, { method, body, headers, accept: 'json' });
	}

	get(p, opts) {
		return this.request('GET', p, opts);
	}

	post(p, json, opts = {}) {
		return this.request('POST', p, json === undefined ? opts : { ...opts, json });
	}

	put(p, json, opts = {}) {
		return this.request('PUT', p, json === undefined ? opts : { ...opts, json });
	}

	del(p, opts) {
		return this.request('DELETE', p, opts);
	}

	/* POST /api/v1/checkout with body and the Idempotency-Key key (none when undefined). */
	checkout(body, key, opts = {}) {
		const headers = { ...(opts.headers || {}) };
		if (key !== undefined)
			headers['idempotency-key'] = key;
		return this.post('/api/v1/checkout', body, { ...opts, headers });
	}

	/* The balance in programme slug, from GET /api/v1/me/allowances. */
	async balance(slug) {
		const r = await this.get('/api/v1/me/allowances');
		assert.equal(r.status, 200, `GET /api/v1/me/allowances: ${r.status} ${r.body}`);
		const a = r.json().allowances.find((x) => x.programme === slug);
		assert.ok(a, `no allowance ${slug} in ${r.body}`);
		return a.balance;
	}

	/* The cart (GET /api/v1/cart), asserted 200. */
	async cart() {
		const r = await this.get('/api/v1/cart');
		assert.equal(r.status, 200, `GET /api/v1/cart: ${r.status} ${r.body}`);
		return r.json();
	}
}

/* Signs username in on a new client of stack and returns its MoneyApi. */
export async function moneyLogin(stack, username) {
	const c = stack.client();
	await loginOk(c, stack.base, stack.idp, username, DEMO_PASSWORD);
	return new MoneyApi(c, stack.base, await csrfToken(c, stack.base));
}

/*
 * Asserts an API error: status, {"error": {"code"}} and, when given, a
 * message matching re. Returns the error object.
 */
export function assertApiError(res, status, code, re) {
	const what = `${res.method} ${res.url}`;
	assert.equal(res.status, status, `${what}: expected ${status} ${code}, got ${res.status}: ${res.body}`);
	assert.match(res.headers.get('content-type') || '', /^application\/json/, `${what}: JSON error`);
	const err = res.json().error;
	assert.ok(err && typeof err === 'object', `${what}: no error object: ${res.body}`);
	assert.equal(err.code, code, `${what}: error code: ${res.body}`);
	assert.equal(typeof err.message, 'string');
	if (re)
		assert.match(err.message, re, `${what}: error message`);
	return err;
}

/* Creates an allowance programme with `livery allowance programme-create`. */
export function programmeCreate(livery, def) {
	const file = path.join(livery.tmpDir, `programme-${def.slug}.json`);
	fs.writeFileSync(file, JSON.stringify(def));
	const r = spawnSync(env.bin, ['allowance', 'programme-create', '--config', livery.configPath, file],
		{ encoding: 'utf8' });
	assert.equal(r.status, 0, `programme-create ${def.slug}: ${r.stderr}`);
}

/* Runs one SQL query on livery's database; returns the output, trimmed. */
export function dbQuery(livery, sql) {
	return execFileSync('sqlite3', [path.join(livery.dataDir, 'livery.db'), sql]).toString().trim();
}

/* A single integer from dbQuery. */
export function dbInt(livery, sql) {
	const v = dbQuery(livery, sql);
	assert.match(v, /^-?[0-9]+$/, `${sql} gave ${v}`);
	return Number(v);
}

/* The orders of HR's employee id eid. */
export function orderCount(livery, eid) {
	return dbInt(livery, 'SELECT count(*) FROM orders o JOIN employees e ON e.id = o.employee'
		+ ` WHERE e.employee_id = '${eid}'`);
}

/* The stock of sku. */
export function stockOf(livery, sku) {
	return dbInt(livery, `SELECT stock FROM variants WHERE sku = '${sku}'`);
}
