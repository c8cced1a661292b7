// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * money.test.mjs - the money JSON API over HTTP, against the real livery
 * binary, the real test provider and a small catalog with exact prices:
 * the cart and its refusals; the quote agreeing with the checkout; the
 * balance dropping by exactly what the allowance covered; idempotent
 * replays (same bytes, Idempotent-Replayed), a reused key with other
 * content (422), a missing or malformed key (400) and refused checkouts
 * that store nothing so that a corrected retry with the same key succeeds;
 * payroll overage and its consent; approval by the manager (not by a
 * stranger, not by the employee), refusal that restores balance and stock;
 * fulfilment by the store admin and returns per line credited to the
 * ledger; the admin API (programmes, adjustments, orders, exports) and
 * its roles; CSRF.
 *
 * The steps share one stack and build on each other (balances carry over),
 * so they run in order. Programmes: frank "deny" 100.00, bob "payroll"
 * 50.00, alice "approval" 100.00, all for uniforms; the cap (logo wear)
 * is covered by no programme, and [store] uncovered_overage is deny.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { skipReason, startStack, withLogs } from './lib/harness.mjs';
import {
	CATALOG, MONEY_CSV, MoneyApi, assertApiError, dbInt, keyNew, moneyLogin, orderCount,
	programmeCreate, stockOf,
} from './lib/money.mjs';

const T = { timeout: 90000 };
const SITE = { method: 'site' };
const HOME = {
	method: 'home',
	address: { name: 'Frank Weber', line1: '1 rue de la Paix', postcode: '75002', city: 'Paris', country: 'FR' },
};

function programme(slug, eid, amount, overage) {
	return {
		slug, name: `Uniform (${eid})`, unit: 'money', amount, period: 'yearly', reset: 'calendar',
		prorate: false, rollover_cap: 0, eligibility_days: 0, audience: { employee_ids: [eid] },
		categories: ['uniforms'], tags: [], overage, position: 1,
	};
}

/* The local month, YYYY-MM, as the server (same machine, same TZ) sees it. */
function monthNow() {
	const d = new Date();
	return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

describe('the money API', { skip: skipReason }, () => {
	let stack;
	let livery;
	const it = (name, fn) => test(name, T, withLogs(() => stack, fn));
	const apis = {};
	const as = async (user) => {
		apis[user] ??= await moneyLogin(stack, user);
		return apis[user];
	};
	const anonymous = () => new MoneyApi(stack.client(), stack.base, null);
	/* refs of the orders made along the way */
	const refs = {};

	before(async () => {
		stack = await startStack({ provider: 'real', livery: { catalogCsv: MONEY_CSV } });
		livery = stack.livery;
		programmeCreate(livery, programme('frank-uniform', 'E1006', 10000, 'deny'));
		programmeCreate(livery, programme('bob-uniform', 'E1002', 5000, 'payroll'));
		programmeCreate(livery, programme('alice-uniform', 'E1001', 10000, 'approval'));
	});
	after(async () => {
		const r = await stack?.stop();
		if (r)
			assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null },
				`livery's exit after SIGTERM: ${JSON.stringify(r)}\n${stack.logs()}`);
	});

	it('an anonymous client gets 401 from the money API', async () => {
		const anon = anonymous();
		assertApiError(await anon.get('/api/v1/cart'), 401, 'unauthenticated');
		assertApiError(await anon.post('/api/v1/cart/lines', { sku: 'T-CAP', quantity: 1 }), 401,
			'unauthenticated');
		assertApiError(await anon.checkout({ delivery: SITE }, keyNew()), 401, 'unauthenticated');
		assertApiError(await anon.get('/api/v1/me/allowances'), 401, 'unauthenticated');
	});

	it('the cart: add, set, remove, quick order and lines, each answering the new cart', async () => {
		const f = await as('frank');
		let cart = await f.cart();
		assert.deepEqual(cart.lines, []);
		assert.equal(cart.total, 0);
		assert.equal(cart.currency, 'EUR');

		let r = await f.post('/api/v1/cart/lines', { sku: 'T-SHIRT-M', quantity: 2 });
		assert.equal(r.status, 200, r.body);
		cart = r.json();
		assert.equal(cart.lines.length, 1);
		assert.equal(cart.lines[0].sku, 'T-SHIRT-M');
		assert.equal(cart.lines[0].quantity, 2);
		assert.equal(cart.lines[0].unit_price, 3000);
		assert.equal(cart.lines[0].total, 6000);
		assert.equal(cart.total, 6000);

		r = await f.post('/api/v1/cart/lines', { sku: 'T-SHIRT-M', quantity: 1 });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().lines[0].quantity, 3);
		assert.equal(r.json().total, 9000);

		r = await f.put('/api/v1/cart/lines/T-CAP', { quantity: 2 });
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json().lines.map((l) => [l.sku, l.quantity]), [['T-SHIRT-M', 3], ['T-CAP', 2]]);
		assert.equal(r.json().total, 12000);

		r = await f.put('/api/v1/cart/lines/T-SHIRT-M', { quantity: 0 });
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json().lines.map((l) => [l.sku, l.quantity]), [['T-CAP', 2]]);
		assert.equal(r.json().total, 3000);

		r = await f.del('/api/v1/cart/lines/T-CAP');
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json().lines, []);
		assert.equal(r.json().total, 0);

		r = await f.post('/api/v1/cart/lines', { text: 'T-SHIRT-M 2\nT-CAP\n# a comment\nT-JACKET-M;1\n' });
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json().lines.map((l) => [l.sku, l.quantity]),
			[['T-SHIRT-M', 2], ['T-CAP', 1], ['T-JACKET-M', 1]]);
		assert.equal(r.json().total, 6000 + 1500 + 12000);

		r = await f.post('/api/v1/cart/lines', { lines: [{ sku: 'T-SOCKS', quantity: 1 }, { sku: 'T-SHIRT-L', quantity: 3 }] });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().lines.length, 5);
		assert.equal(r.json().total, 19500 + 500 + 9000);
	});

	it('the cart refuses bad input by name and stays as it was', async () => {
		const f = await as('frank');
		const before = JSON.stringify((await f.cart()).lines);
		const add = (body) => f.post('/api/v1/cart/lines', body);

		assertApiError(await add({ sku: 'NOPE-1', quantity: 1 }), 422, 'unknown_sku');
		assertApiError(await add({ sku: 'T-CAP', quantity: 100 }), 400, 'invalid_field',
			/^quantity: must be a whole number from 1 to 99$/);
		assertApiError(await add({ sku: 'T-CAP', quantity: '1' }), 400, 'invalid_field', /^quantity:/);
		assertApiError(await add({ sku: 'T-CAP', quantity: 1.5 }), 400, 'invalid_field', /^quantity:/);
		assertApiError(await add({ sku: 'T-CAP' }), 400, 'invalid_field', /^quantity: is required/);
		/* 1 already in the cart: 99 more is over the limit of one line */
		assertApiError(await add({ sku: 'T-CAP', quantity: 99 }), 422, 'cart_refused', /T-CAP/);
		assertApiError(await add({ lines: [{ sku: 'T-CAP', quantity: 1 }, { sku: 'T-CAP', quantity: 0 }] }),
			400, 'invalid_field', /^lines\[1\]\.quantity: must be a whole number from 1 to 99$/);
		assertApiError(await add({ lines: [{ sku: 'T-CAP', quantity: 1, size: 'M' }] }), 400,
			'invalid_field', /^lines\[0\]\.size: unknown field/);
		assertApiError(await add({ lines: [] }), 400, 'invalid_field', /^lines:/);
		/* all or nothing: the good first line is not added either */
		assertApiError(await add({ lines: [{ sku: 'T-CAP', quantity: 1 }, { sku: 'NOPE-2', quantity: 1 }] }),
			422, 'unknown_sku', /NOPE-2/);
		assertApiError(await add({ sku: 'T-CAP', quantity: 1, colour: 'red' }), 400, 'invalid_field',
			/^colour: unknown field/);
		assertApiError(await add({ sku: 'T-CAP', quantity: 1, text: 'T-CAP 1' }), 400, 'invalid_field');
		assertApiError(await add({ text: 'T-CAP 1\nT-SHIRT-M 0' }), 400, 'invalid_field', /^text: line 2/);
		assertApiError(await f.post('/api/v1/cart/lines', undefined, { body: '{"sku": "T-CAP",', type: 'application/json' }),
			400, 'bad_json', /line 1/);
		assertApiError(await f.post('/api/v1/cart/lines', undefined,
			{ body: '{"sku": "T-CAP", "sku": "T-SHIRT-M", "quantity": 1}', type: 'application/json' }), 400, 'bad_json');
		assertApiError(await f.post('/api/v1/cart/lines', undefined, { body: '[1]', type: 'application/json' }),
			400, 'bad_json');
		assertApiError(await f.post('/api/v1/cart/lines', undefined,
			{ body: 'sku=T-CAP&quantity=1', type: 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
		assertApiError(await f.post('/api/v1/cart/lines', undefined, { body: 'T-CAP 1', type: 'text/plain' }),
			415, 'unsupported_media_type');
		assertApiError(await f.put('/api/v1/cart/lines/NOPE-3', { quantity: 1 }), 404, 'unknown_sku');
		assertApiError(await f.put('/api/v1/cart/lines/T-CAP', { quantity: -1 }), 400, 'invalid_field',
			/^quantity: must be a whole number from 0 to 99$/);
		assert.equal(JSON.stringify((await f.cart()).lines), before, 'the cart did not change');

		const r = await f.del('/api/v1/cart');
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json().lines, []);
		assert.equal(r.json().total, 0);
	});

	it('the quote and the checkout agree; the balance drops by exactly what was covered', async () => {
		const f = await as('frank');
		assert.equal(await f.balance('frank-uniform'), 10000);
		const body = { lines: [{ sku: 'T-SHIRT-M', quantity: 2 }], delivery: SITE };
		const q = await f.post('/api/v1/checkout/quote', body);
		assert.equal(q.status, 200, q.body);
		const quote = q.json();
		assert.deepEqual([quote.total, quote.covered, quote.overage, quote.can_checkout], [6000, 6000, 0, true]);
		const qb = quote.balances.find((b) => b.programme === 'frank-uniform');
		assert.deepEqual([qb.before, qb.after], [10000, 4000]);

		const key = keyNew();
		const r = await f.checkout(body, key);
		assert.equal(r.status, 201, r.body);
		assert.match(r.headers.get('content-type'), /^application\/json/);
		assert.equal(r.headers.get('idempotent-replayed'), null, 'a first answer is not a replay');
		const o = r.json();
		assert.match(o.ref, /^LV-\d+$/);
		assert.equal(r.headers.get('location'), `/api/v1/orders/${o.ref}`);
		assert.equal(o.status, 'placed');
		for (const k of ['total', 'covered', 'overage', 'overage_approval', 'overage_payroll'])
			assert.equal(o[k], quote[k], `order.${k} equals the quote's`);
		assert.deepEqual(o.lines.map((l) => [l.sku, l.quantity, l.total, l.covered]),
			quote.lines.map((l) => [l.sku, l.quantity, l.total, l.covered]));
		assert.equal(await f.balance('frank-uniform'), 4000);
		assert.equal(stockOf(livery, 'T-SHIRT-M'), CATALOG['T-SHIRT-M'].stock - 2);
		refs.frank1 = o.ref;
		refs.frank1Key = key;
		refs.frank1Body = r.body;
	});

	it('a replay answers the same bytes with Idempotent-Replayed, and orders nothing more', async () => {
		const f = await as('frank');
		const body = { lines: [{ sku: 'T-SHIRT-M', quantity: 2 }], delivery: SITE };
		const r = await f.checkout(body, refs.frank1Key);
		assert.equal(r.status, 201, r.body);
		assert.equal(r.body, refs.frank1Body, 'byte-identical body');
		assert.equal(r.headers.get('idempotent-replayed'), 'true');
		/* the key as a structured-field string is the same key */
		const q = await f.checkout(body, `"${refs.frank1Key}"`);
		assert.equal(q.status, 201, q.body);
		assert.equal(q.body, refs.frank1Body);
		assert.equal(q.headers.get('idempotent-replayed'), 'true');
		assert.equal(orderCount(livery, 'E1006'), 1);
		assert.equal(await f.balance('frank-uniform'), 4000);

		const other = await f.checkout({ lines: [{ sku: 'T-SHIRT-M', quantity: 1 }], delivery: SITE },
			refs.frank1Key);
		assertApiError(other, 422, 'idempotency_key_reused');
		assert.equal(orderCount(livery, 'E1006'), 1);
		assert.equal(await f.balance('frank-uniform'), 4000);
	});

	it('a missing or malformed Idempotency-Key is a 400 and stores nothing', async () => {
		const f = await as('frank');
		const body = { lines: [{ sku: 'T-SHIRT-M', quantity: 1 }], delivery: SITE };
		const orders = dbInt(livery, 'SELECT count(*) FROM orders');
		const keys = dbInt(livery, 'SELECT count(*) FROM idempotency_keys');
		assertApiError(await f.checkout(body, undefined), 400, 'idempotency_key_missing');
		assertApiError(await f.checkout(body, ''), 400, 'idempotency_key_missing');
		assertApiError(await f.checkout(body, 'two words'), 400, 'idempotency_key_invalid');
		assertApiError(await f.checkout(body, '"unterminated'), 400, 'idempotency_key_invalid');
		assertApiError(await f.checkout(body, '"a"b"'), 400, 'idempotency_key_invalid');
		assertApiError(await f.checkout(body, 'k'.repeat(256)), 400, 'idempotency_key_invalid');
		assertApiError(await f.checkout(body, 'é'), 400, 'idempotency_key_invalid');
		assert.equal(dbInt(livery, 'SELECT count(*) FROM orders'), orders);
		assert.equal(dbInt(livery, 'SELECT count(*) FROM idempotency_keys'), keys);
		assert.equal(await f.balance('frank-uniform'), 4000);
	});

	it('refused checkouts store nothing, so the corrected retry with the same key succeeds', async () => {
		const f = await as('frank');
		const key = keyNew();
		const tries = [
			[{ lines: [{ sku: 'T-SOCKS', quantity: 0 }], delivery: SITE }, 400, 'invalid_field',
				/^lines\[0\]\.quantity: must be a whole number from 1 to 99$/],
			[{ lines: [{ sku: 'T-SOCKS', quantity: 1 }], delivery: SITE, gift: true }, 400, 'invalid_field',
				/^gift: unknown field/],
			[{ lines: [{ sku: 'T-SOCKS', quantity: 1 }] }, 400, 'invalid_field', /^delivery: is required/],
			[{ lines: [{ sku: 'T-SOCKS', quantity: 1 }], delivery: { method: 'drone' } }, 400, 'invalid_field',
				/^delivery\.method:/],
			[{ lines: [{ sku: 'T-SOCKS', quantity: 1 }], delivery: SITE, payroll_consent: 'yes' }, 400,
				'invalid_field', /^payroll_consent:/],
			[{ lines: new Array(101).fill(0).map((_, i) => ({ sku: `X-${i}`, quantity: 1 })), delivery: SITE }, 400,
				'invalid_field', /^lines: must be an array of 1 to 100 lines$/],
			/* 120.00 with 40.00 left, and the programme's overage is deny */
			[{ lines: [{ sku: 'T-JACKET-M', quantity: 1 }], delivery: SITE }, 422, 'overage_denied'],
			/* the cap is covered by no programme: [store] uncovered_overage = deny */
			[{ lines: [{ sku: 'T-CAP', quantity: 1 }], delivery: SITE }, 422, 'overage_denied'],
			[{ lines: [{ sku: 'T-SOCKS', quantity: 2 }], delivery: SITE }, 409, 'out_of_stock'],
			[{ lines: [{ sku: 'T-SHIRT-M', quantity: 1, unit_price: 2500 }], delivery: SITE }, 409, 'price_changed'],
			[{ lines: [{ sku: 'NOPE-9', quantity: 1 }], delivery: SITE }, 422, 'unknown_sku'],
			[{ lines: [{ sku: 'T-SOCKS', quantity: 1 }], delivery: { ...HOME, address: { ...HOME.address, country: 'fr' } } },
				400, 'bad_address'],
		];
		for (const [body, status, code, re] of tries) {
			const err = assertApiError(await f.checkout(body, key), status, code, re);
			if (code === 'out_of_stock')
				assert.equal(err.sku, 'T-SOCKS');
			if (code === 'price_changed')
				assert.equal(err.sku, 'T-SHIRT-M');
		}
		assert.equal(orderCount(livery, 'E1006'), 1);
		assert.equal(dbInt(livery, `SELECT count(*) FROM idempotency_keys WHERE key = '${key}'`), 0);
		assert.equal(await f.balance('frank-uniform'), 4000);
		assert.equal(stockOf(livery, 'T-SOCKS'), 1);

		const r = await f.checkout({ lines: [{ sku: 'T-SOCKS', quantity: 1, unit_price: 500 }], delivery: HOME }, key);
		assert.equal(r.status, 201, r.body);
		const o = r.json();
		assert.equal(o.status, 'placed');
		assert.equal(o.delivery, 'home');
		assert.deepEqual([o.total, o.covered, o.overage], [500, 500, 0]);
		assert.equal(await f.balance('frank-uniform'), 3500);
		assert.equal(stockOf(livery, 'T-SOCKS'), 0);
		assert.equal(orderCount(livery, 'E1006'), 2);
		refs.frank2 = o.ref;
	});

	it('a cart checkout uses the digest the employee reviewed and empties the cart', async () => {
		const f = await as('frank');
		let r = await f.post('/api/v1/cart/lines', { sku: 'T-SHIRT-L', quantity: 1 });
		assert.equal(r.status, 200, r.body);
		/* an empty body quotes the cart */
		r = await f.post('/api/v1/checkout/quote');
		assert.equal(r.status, 200, r.body);
		const q = r.json();
		assert.deepEqual([q.total, q.covered, q.overage], [3000, 3000, 0]);
		assert.match(q.cart_digest, /^[0-9a-f]{64}$/);

		r = await f.post('/api/v1/cart/lines', { sku: 'T-SHIRT-M', quantity: 1 });
		assert.equal(r.status, 200, r.body);
		const key = keyNew();
		assertApiError(await f.checkout({ cart_digest: q.cart_digest, delivery: SITE }, key), 409, 'cart_changed');
		assert.equal((await f.cart()).lines.length, 2, 'a refused checkout keeps the cart');
		r = await f.del('/api/v1/cart/lines/T-SHIRT-M');
		assert.equal(r.status, 200, r.body);

		r = await f.checkout({ cart_digest: q.cart_digest, delivery: SITE }, key);
		assert.equal(r.status, 201, r.body);
		assert.deepEqual([r.json().total, r.json().covered], [3000, 3000]);
		assert.deepEqual((await f.cart()).lines, [], 'the checked-out cart is empty');
		assert.equal(await f.balance('frank-uniform'), 500);
		refs.frank3 = r.json().ref;
	});

	it('own orders: list and pages, one order, reorder, cancel with its refund', async () => {
		const f = await as('frank');
		const b = await as('bob');
		let r = await f.get('/api/v1/orders');
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json().orders.map((o) => o.ref), [refs.frank3, refs.frank2, refs.frank1]);
		assert.equal(r.json().next_before, null);
		r = await f.get('/api/v1/orders?limit=2');
		assert.deepEqual(r.json().orders.map((o) => o.ref), [refs.frank3, refs.frank2]);
		assert.equal(r.json().next_before, refs.frank2);
		r = await f.get(`/api/v1/orders?limit=2&before=${r.json().next_before}`);
		assert.deepEqual(r.json().orders.map((o) => o.ref), [refs.frank1]);
		r = await f.get('/api/v1/orders?status=placed');
		assert.equal(r.json().orders.length, 3);
		r = await f.get('/api/v1/orders?status=shipped');
		assert.deepEqual(r.json().orders, []);
		assertApiError(await f.get('/api/v1/orders?status=lost'), 400, 'bad_parameter', /^status:/);
		assertApiError(await f.get('/api/v1/orders?limit=0'), 400, 'bad_parameter', /^limit:/);
		assertApiError(await f.get('/api/v1/orders?before=LV-999999'), 400, 'bad_parameter', /^before:/);

		r = await f.get(`/api/v1/orders/${refs.frank1}`);
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().ref, refs.frank1);
		assert.deepEqual(r.json().lines.map((l) => [l.line_no, l.sku, l.quantity]), [[1, 'T-SHIRT-M', 2]]);
		assertApiError(await b.get(`/api/v1/orders/${refs.frank1}`), 404, 'order_not_found');
		assertApiError(await f.get('/api/v1/orders/LV-999999'), 404, 'order_not_found');

		r = await f.post(`/api/v1/orders/${refs.frank1}/reorder`);
		assert.equal(r.status, 200, r.body);
		assert.deepEqual([r.json().added, r.json().skipped], [1, 0]);
		assert.deepEqual(r.json().cart.lines.map((l) => [l.sku, l.quantity]), [['T-SHIRT-M', 2]]);
		assertApiError(await b.post(`/api/v1/orders/${refs.frank1}/reorder`), 404, 'order_not_found');
		assert.equal((await f.del('/api/v1/cart')).status, 200);

		assertApiError(await b.post(`/api/v1/orders/${refs.frank1}/cancel`, { reason: 'not mine' }), 404,
			'order_not_found');
		assertApiError(await f.post(`/api/v1/orders/${refs.frank1}/cancel`, { lines: [{ line: 1, quantity: 3 }] }),
			400, 'invalid_field');
		assertApiError(await f.post(`/api/v1/orders/${refs.frank1}/cancel`, { lines: [{ sku: 'T-SHIRT-M', quantity: 1 }] }),
			400, 'invalid_field', /^lines\[0\]\.sku: unknown field/);
		const stock = stockOf(livery, 'T-SHIRT-M');
		r = await f.post(`/api/v1/orders/${refs.frank1}/cancel`, { reason: 'changed my mind' });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().status, 'cancelled');
		assert.equal(await f.balance('frank-uniform'), 500 + 6000);
		assert.equal(stockOf(livery, 'T-SHIRT-M'), stock + 2);
		assertApiError(await f.post(`/api/v1/orders/${refs.frank1}/cancel`), 409, 'status_conflict');
	});

	it('payroll overage: refused without consent, placed with it, and in the payroll export', async () => {
		const b = await as('bob');
		assert.equal(await b.balance('bob-uniform'), 5000);
		const body = { lines: [{ sku: 'T-SHIRT-M', quantity: 2 }], delivery: SITE };
		const q = (await b.post('/api/v1/checkout/quote', body)).json();
		assert.deepEqual([q.total, q.covered, q.overage, q.overage_payroll, q.needs_payroll_consent],
			[6000, 5000, 1000, 1000, true]);
		const key = keyNew();
		assertApiError(await b.checkout(body, key), 422, 'payroll_consent_required');
		assertApiError(await b.checkout({ ...body, payroll_consent: false }, key), 422, 'payroll_consent_required');
		assert.equal(orderCount(livery, 'E1002'), 0);
		assert.equal(await b.balance('bob-uniform'), 5000);

		const r = await b.checkout({ ...body, payroll_consent: true }, key);
		assert.equal(r.status, 201, r.body);
		const o = r.json();
		assert.equal(o.status, 'placed');
		assert.deepEqual([o.total, o.covered, o.overage, o.overage_payroll, o.overage_approval],
			[6000, 5000, 1000, 1000, 0]);
		assert.equal(await b.balance('bob-uniform'), 0);
		refs.bob1 = o.ref;

		const c = await as('carol');
		const csv = await c.get(`/api/v1/admin/exports/payroll?period=${monthNow()}`);
		assert.equal(csv.status, 200, csv.body);
		assert.match(csv.headers.get('content-type'), /^text\/csv/);
		assert.match(csv.headers.get('content-disposition') || '', /attachment; filename="payroll-\d{4}-\d{2}\.csv"/);
		const row = csv.body.split(/\r?\n/).find((l) => l.includes('E1002'));
		assert.ok(row, `bob is in the payroll export:\n${csv.body}`);
		assert.match(row, /(^|,)"?10\.00"?(,|$)/);
		assert.ok(row.includes(refs.bob1), row);
		assert.ok(!csv.body.includes('E1006'), 'frank has no payroll overage');
		assertApiError(await c.get('/api/v1/admin/exports/payroll?period=2026-13'), 400, 'bad_parameter');
		assertApiError(await c.get('/api/v1/admin/exports/payroll'), 400, 'bad_parameter');

		const d = await as('dave');
		const ful = await d.get('/api/v1/admin/exports/orders?status=placed');
		assert.equal(ful.status, 200, ful.body);
		assert.match(ful.headers.get('content-type'), /^text\/csv/);
		assert.ok(ful.body.includes(refs.bob1) && ful.body.includes('T-SHIRT-M'), ful.body);
		assert.ok(!ful.body.includes(refs.frank1), 'a cancelled order is not to be picked');
		assertApiError(await d.get('/api/v1/admin/exports/orders?status=lost'), 400, 'bad_parameter');
	});

	it('approval overage: waits for the manager, not a stranger nor the employee; refusal restores all', async () => {
		const a = await as('alice');
		const e = await as('erin');
		const b = await as('bob');
		const d = await as('dave');
		assert.equal(await a.balance('alice-uniform'), 10000);
		const jacket = stockOf(livery, 'T-JACKET-M');
		const shirt = stockOf(livery, 'T-SHIRT-M');
		const body = { lines: [{ sku: 'T-SHIRT-M', quantity: 1 }, { sku: 'T-JACKET-M', quantity: 1 }], delivery: SITE };
		const r = await a.checkout(body, keyNew());
		assert.equal(r.status, 201, r.body);
		const o = r.json();
		assert.equal(o.status, 'pending_approval');
		assert.deepEqual([o.total, o.covered, o.overage, o.overage_approval, o.overage_payroll],
			[15000, 10000, 5000, 5000, 0]);
		assert.deepEqual(o.lines.map((l) => l.covered), [3000, 7000]);
		assert.equal(await a.balance('alice-uniform'), 0);
		assert.equal(stockOf(livery, 'T-JACKET-M'), jacket - 1);
		const ref = o.ref;

		const queue = async (api) => {
			const q = await api.get('/api/v1/approvals');
			assert.equal(q.status, 200, q.body);
			return q.json().approvals.map((x) => x.ref);
		};
		assert.deepEqual(await queue(e), [ref], 'erin (approver, alice\'s manager) sees it');
		assert.deepEqual(await queue(b), [], 'bob does not');
		assert.deepEqual(await queue(a), [], 'alice does not see her own');

		assertApiError(await a.post(`/api/v1/approvals/${ref}`, { decision: 'approve' }), 403, 'forbidden');
		/* bob is nobody's approver; dave is bob's manager, not alice's */
		assertApiError(await b.post(`/api/v1/approvals/${ref}`, { decision: 'approve' }), 403, 'forbidden');
		assertApiError(await d.post(`/api/v1/approvals/${ref}`, { decision: 'approve' }), 403, 'forbidden');
		assertApiError(await e.post('/api/v1/approvals/LV-999999', { decision: 'approve' }), 404, 'order_not_found');
		assertApiError(await e.post(`/api/v1/approvals/${ref}`, { decision: 'maybe' }), 400, 'invalid_field',
			/^decision:/);
		assertApiError(await e.post(`/api/v1/approvals/${ref}`, { decision: 'refuse' }), 400, 'reason_required');
		assertApiError(await e.post(`/api/v1/approvals/${ref}`, { decision: 'refuse', reason: '  ' }), 400,
			'reason_required');
		assert.equal(await a.balance('alice-uniform'), 0, 'nothing changed yet');

		const ref2 = await e.post(`/api/v1/approvals/${ref}`, { decision: 'refuse', reason: 'Over budget this year' });
		assert.equal(ref2.status, 200, ref2.body);
		assert.equal(ref2.json().status, 'refused');
		assert.equal(ref2.json().decision.reason, 'Over budget this year');
		const mine = await a.get(`/api/v1/orders/${ref}`);
		assert.equal(mine.json().status, 'refused');
		assert.equal(mine.json().decision.reason, 'Over budget this year');
		assert.equal(await a.balance('alice-uniform'), 10000);
		assert.equal(stockOf(livery, 'T-JACKET-M'), jacket);
		assert.equal(stockOf(livery, 'T-SHIRT-M'), shirt);
		assert.deepEqual(await queue(e), []);
		assertApiError(await e.post(`/api/v1/approvals/${ref}`, { decision: 'approve' }), 409, 'not_pending');
	});

	it('approval places the order; the store admin ships it; returns per line credit the ledger', async () => {
		const a = await as('alice');
		const e = await as('erin');
		const d = await as('dave');
		const body = { lines: [{ sku: 'T-SHIRT-M', quantity: 1 }, { sku: 'T-JACKET-M', quantity: 1 }], delivery: SITE };
		let r = await a.checkout(body, keyNew());
		assert.equal(r.status, 201, r.body);
		const ref = r.json().ref;
		r = await e.post(`/api/v1/approvals/${ref}`, { decision: 'approve', reason: 'Fine' });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().status, 'placed');
		assert.equal(await a.balance('alice-uniform'), 0);
		refs.alice = ref;

		const status = (to, extra = {}) => d.post(`/api/v1/admin/orders/${ref}/status`, { status: to, ...extra });
		const returns = (json) => d.post(`/api/v1/admin/orders/${ref}/returns`, json);
		assertApiError(await returns({ reason: 'early' }), 409, 'status_conflict');
		r = await status('picking');
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().status, 'picking');
		assertApiError(await status('shipped'), 400, 'invalid_field');
		assertApiError(await status('shipped', { carrier: 'DHL' }), 400, 'invalid_field');
		assertApiError(await status('teleported'), 400, 'invalid_field');
		assertApiError(await status('shipped', { carrier: 'DHL', tracking: 'JD0001', weight: 2 }), 400,
			'invalid_field', /^weight: unknown field/);
		r = await status('shipped', { carrier: 'DHL', tracking: 'JD0001' });
		assert.equal(r.status, 200, r.body);
		assert.deepEqual([r.json().status, r.json().carrier, r.json().tracking], ['shipped', 'DHL', 'JD0001']);
		r = await status('delivered');
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().status, 'delivered');
		assertApiError(await status('picking'), 409, 'status_conflict');
		assertApiError(await a.post(`/api/v1/orders/${ref}/cancel`), 409, 'status_conflict');
		assertApiError(await d.post('/api/v1/admin/orders/LV-999999/status', { status: 'picking' }), 404,
			'order_not_found');

		assertApiError(await returns({ lines: [{ line: 1, quantity: 1 }] }), 400, 'invalid_field');
		const shirt = stockOf(livery, 'T-SHIRT-M');
		r = await returns({ lines: [{ line: 1, quantity: 1 }], reason: 'Too small' });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().status, 'delivered', 'one line is still out');
		assert.deepEqual(r.json().lines.map((l) => l.returned_quantity), [1, 0]);
		assert.equal(await a.balance('alice-uniform'), 3000, 'the shirt\'s covered 30.00 is back');
		assert.equal(stockOf(livery, 'T-SHIRT-M'), shirt + 1);
		r = await returns({ lines: [{ line: 2, quantity: 1 }], reason: 'Wrong colour' });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().status, 'returned');
		assert.equal(await a.balance('alice-uniform'), 10000, 'the jacket\'s covered 70.00 is back too');

		r = await d.get('/api/v1/admin/orders?status=returned');
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json().orders.map((o) => o.ref), [ref]);
		r = await d.get(`/api/v1/admin/orders/${ref}`);
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().employee.employee_id, 'E1001');
		assertApiError(await d.get('/api/v1/admin/orders/LV-999999'), 404, 'order_not_found');
		/* frank's 3, bob's 1, alice's 2 */
		r = await d.get('/api/v1/admin/orders');
		assert.equal(r.json().orders.length, 6, 'everyone\'s orders');
	});

	it('the store admin cancels part of an order; the refund is exact', async () => {
		const b = await as('bob');
		const d = await as('dave');
		/* bob's payroll order: 2 shirts, 50.00 covered, 10.00 payroll */
		let r = await d.post(`/api/v1/admin/orders/${refs.bob1}/cancel`, { lines: [{ line: 1, quantity: 1 }] });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().status, 'placed');
		assert.equal(r.json().lines[0].cancelled_quantity, 1);
		assert.equal(await b.balance('bob-uniform'), 2500, 'one shirt of two: half of the 50.00 covered');
		r = await d.post(`/api/v1/admin/orders/${refs.bob1}/cancel`, { reason: 'Out of season' });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().status, 'cancelled');
		assert.equal(await b.balance('bob-uniform'), 5000, 'everything the allowance paid is back');
		assertApiError(await d.post(`/api/v1/admin/orders/${refs.bob1}/cancel`), 409, 'status_conflict');
	});

	it('the admin API: programmes and adjustments, for HR', async () => {
		const c = await as('carol');
		let r = await c.get('/api/v1/admin/allowance-programmes');
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json().programmes.map((p) => p.slug).sort(), ['alice-uniform', 'bob-uniform', 'frank-uniform']);

		const casual = {
			slug: 'erin-casual', name: 'Casual points', unit: 'points', amount: 50, points_rate: 100,
			period: 'quarterly', audience: { employee_ids: ['E1005'] }, tags: ['logo'], overage: 'deny',
		};
		r = await c.post('/api/v1/admin/allowance-programmes', casual);
		assert.equal(r.status, 201, r.body);
		assert.equal(r.json().slug, 'erin-casual');
		assert.equal(r.json().amount, 50);
		assert.equal(typeof r.json().id, 'number');
		assertApiError(await c.post('/api/v1/admin/allowance-programmes', casual), 409, 'slug_taken');
		/* every field in error at once, and nothing created */
		r = await c.post('/api/v1/admin/allowance-programmes', { ...casual, slug: 'x', period: 'weekly', amount: -5 });
		assertApiError(r, 422, 'programme_invalid');
		assert.deepEqual(r.json().error.errors.map((e) => e.field).sort(), ['amount', 'period']);
		assertApiError(await c.post('/api/v1/admin/allowance-programmes', undefined, { body: 'slug=x', type: 'text/plain' }),
			415, 'unsupported_media_type');
		assert.equal(dbInt(livery, "SELECT count(*) FROM audit_log WHERE action = 'allowance.programme_create'"
			+ " AND entity_id = 'erin-casual'"), 1);
		/* the API's one, with carol and her address; the command line's (the suite's set-up) say "cli" */
		assert.equal(dbInt(livery, "SELECT count(*) FROM audit_log WHERE action = 'allowance.programme_create'"
			+ " AND actor_label <> 'cli'"), 1);
		assert.equal(dbInt(livery, "SELECT count(*) FROM audit_log WHERE action = 'allowance.programme_create'"
			+ " AND entity_id = 'erin-casual' AND actor_employee IS NOT NULL AND address IS NOT NULL"), 1);
		assert.equal(dbInt(livery, "SELECT count(*) FROM audit_log WHERE action = 'allowance.programme_create'"
			+ " AND actor_label = 'cli'"), 3);

		const e = await as('erin');
		r = await e.get('/api/v1/me/allowances');
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().currency, 'EUR');
		const pts = r.json().allowances.find((x) => x.programme === 'erin-casual');
		assert.deepEqual([pts.balance, pts.unit, pts.points_rate], [50, 'points', 100]);
		assert.ok('next_reset' in pts);

		r = await c.get('/api/v1/admin/employees/E1006/allowances');
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().employee.employee_id, 'E1006');
		assert.equal(r.json().allowances.find((x) => x.programme === 'frank-uniform').balance, 6500);
		assertApiError(await c.get('/api/v1/admin/employees/E9999/allowances'), 404, 'employee_not_found');

		const adjust = (eid, json) => c.post(`/api/v1/admin/employees/${eid}/adjustments`, json);
		r = await adjust('E1006', { programme: 'frank-uniform', amount: -500, reason: 'Lost badge' });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().allowances.find((x) => x.programme === 'frank-uniform').balance, 6000);
		assert.equal(dbInt(livery, "SELECT count(*) FROM audit_log WHERE action = 'allowance.adjust'"
			+ " AND actor_label = 'Carol Diaz' AND address = '127.0.0.1'"), 1, 'audited with who and from where');
		assertApiError(await adjust('E1006', { programme: 'frank-uniform', amount: -500 }), 400, 'invalid_field', /^reason:/);
		assertApiError(await adjust('E1006', { programme: 'frank-uniform', amount: 0, reason: 'x' }), 400, 'invalid_field',
			/^amount:/);
		assertApiError(await adjust('E1006', { programme: 'frank-uniform', amount: '5', reason: 'x' }), 400, 'invalid_field',
			/^amount:/);
		assertApiError(await adjust('E1006', { programme: 'nope', amount: 5, reason: 'x' }), 400, 'invalid_field',
			/^programme:/);
		assertApiError(await adjust('E9999', { programme: 'frank-uniform', amount: 5, reason: 'x' }), 404,
			'employee_not_found');
		assertApiError(await adjust('E1006', { programme: 'frank-uniform', amount: -6001, reason: 'Too much' }), 409,
			'balance_negative');
		assert.equal(await (await as('frank')).balance('frank-uniform'), 6000);
		assert.equal(dbInt(livery, "SELECT count(*) FROM audit_log WHERE action = 'allowance.adjust'"), 1);
	});

	it('every admin route refuses a non-admin with 403 and an anonymous client with 401', async () => {
		const hr = [
			['GET', '/api/v1/admin/allowance-programmes'],
			['POST', '/api/v1/admin/allowance-programmes'],
			['GET', '/api/v1/admin/employees/E1006/allowances'],
			['POST', '/api/v1/admin/employees/E1006/adjustments'],
			['GET', '/api/v1/admin/exports/payroll?period=2026-01'],
		];
		const store = [
			['GET', '/api/v1/admin/orders'],
			['GET', `/api/v1/admin/orders/${refs.alice}`],
			['POST', `/api/v1/admin/orders/${refs.frank2}/status`],
			['POST', `/api/v1/admin/orders/${refs.frank2}/cancel`],
			['POST', `/api/v1/admin/orders/${refs.frank2}/returns`],
			['GET', '/api/v1/admin/exports/orders?status=placed'],
		];
		const call = (api, [method, p]) => (method === 'GET' ? api.get(p)
			: api.post(p, { status: 'picking', programme: 'frank-uniform', amount: 100000, reason: 'x' }));
		const anon = anonymous();
		const f = await as('frank');
		const c = await as('carol');
		const d = await as('dave');
		for (const route of [...hr, ...store]) {
			assertApiError(await call(anon, route), 401, 'unauthenticated');
			assertApiError(await call(f, route), 403, 'forbidden');
		}
		for (const route of hr)
			assertApiError(await call(d, route), 403, 'forbidden');
		for (const route of store)
			assertApiError(await call(c, route), 403, 'forbidden');
		/* nothing of that changed anything */
		assert.equal(await f.balance('frank-uniform'), 6000);
		const r = await f.get(`/api/v1/orders/${refs.frank2}`);
		assert.equal(r.json().status, 'placed');
	});

	it('a state-changing call without the CSRF token is refused and changes nothing', async () => {
		const f = await as('frank');
		const orders = orderCount(livery, 'E1006');
		assertApiError(await f.post('/api/v1/cart/lines', { sku: 'T-CAP', quantity: 1 }, { csrf: false }), 403,
			'csrf_invalid');
		assertApiError(await f.post('/api/v1/cart/lines', { sku: 'T-CAP', quantity: 1 }, { csrf: 'x'.repeat(43) }), 403,
			'csrf_invalid');
		assert.deepEqual((await f.cart()).lines, []);
		assertApiError(await f.checkout({ lines: [{ sku: 'T-SHIRT-M', quantity: 1 }], delivery: SITE }, keyNew(),
			{ csrf: false }), 403, 'csrf_invalid');
		assert.equal(orderCount(livery, 'E1006'), orders);
		assertApiError(await f.post(`/api/v1/orders/${refs.frank2}/cancel`, {}, { csrf: false }), 403, 'csrf_invalid');
		assert.equal((await f.get(`/api/v1/orders/${refs.frank2}`)).json().status, 'placed');
		const e = await as('erin');
		assertApiError(await e.post(`/api/v1/approvals/${refs.alice}`, { decision: 'approve' }, { csrf: false }), 403,
			'csrf_invalid');
		const c = await as('carol');
		assertApiError(await c.post('/api/v1/admin/employees/E1006/adjustments',
			{ programme: 'frank-uniform', amount: 100, reason: 'x' }, { csrf: false }), 403, 'csrf_invalid');
		assert.equal(await f.balance('frank-uniform'), 6000);
	});
});
