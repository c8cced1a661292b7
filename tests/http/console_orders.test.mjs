// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * console_orders.test.mjs - the console's Orders area against the real
 * binary and the real provider. Orders are placed by alice and bob through
 * the checkout API; dave (store_admin) works them: the queue of each state
 * with its counts (the same as the API's), oldest first for placed
 * orders, paginated; one order's page with the forms its state allows; a
 * step its state does not allow refused with a sentence and nothing
 * changed; shipping refused without a tracking number (the error next to
 * the field, what was typed kept) and then done, after which alice sees
 * the tracking on her order; returns and cancellations line by line with
 * their field errors, refunds, stock and audit entries; a waiting order
 * says who may approve it; the pick list grouped by site and SKU, printed
 * with its print rules, marked as picking all at once, or not at all when
 * one of its orders was cancelled meanwhile; the packing slip without
 * prices; the admin API for the queue and the pick list; and grace
 * (auditor) reads every page without a single form that changes anything.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { auditCount, consoleIt, consoleSuiteDeclare, formPost, pageGet } from './lib/console.mjs';
import { skipReason } from './lib/harness.mjs';
import { MONEY_CSV, assertApiError, dbInt, dbQuery, keyNew, programmeCreate, stockOf } from './lib/money.mjs';

const SITE = { method: 'site' };
const HOME = {
	method: 'home',
	address: { name: 'Alice Martin', line1: '12 rue de la République', postcode: '69002', city: 'Lyon', country: 'FR' },
};

describe('the console: orders', { skip: skipReason }, () => {
	const s = consoleSuiteDeclare({
		stack: { livery: { catalogCsv: MONEY_CSV } },
		setup: ({ livery }) => {
			programmeCreate(livery, {
				slug: 'alice-uniform', name: 'Uniform allowance', unit: 'money', amount: 20000, period: 'yearly',
				reset: 'calendar', audience: { employee_ids: ['E1001'] }, categories: ['uniforms'],
				overage: 'approval', position: 1,
			});
			programmeCreate(livery, {
				slug: 'bob-uniform', name: 'Bob uniform', unit: 'money', amount: 100000, period: 'yearly',
				reset: 'calendar', audience: { employee_ids: ['E1002'] }, categories: ['uniforms', 'logo-wear'],
				overage: 'approval', position: 1,
			});
		},
		/* erin signs in too, so that the store knows alice's manager by name */
		users: ['alice', 'bob', 'dave', 'grace', 'erin'],
	});
	const { u } = s;
	const it = consoleIt(s);

	/* Places an order as api; returns its ref. */
	const place = async (api, lines, delivery = SITE) => {
		const r = await api.checkout({ lines, delivery }, keyNew());
		assert.equal(r.status, 201, r.body);
		return r.json().ref;
	};
	const statusOf = (ref) => dbQuery(s.livery, `SELECT status FROM orders WHERE ref = '${ref}'`);
	const audits = (ref, action) => auditCount(s.livery, { entity: 'order', entity_id: ref, action });
	const refsIn = (html) => [...html.matchAll(/href="\/admin\/orders\/(LV-\d+)"/g)].map((m) => m[1]);

	const refs = {};

	it('the queue: a tab per state with its count, placed orders oldest first, pages', async () => {
		refs.b1 = await place(u.bob, [{ sku: 'T-SHIRT-M', quantity: 2 }, { sku: 'T-CAP', quantity: 1 }]);
		refs.b2 = await place(u.bob, [{ sku: 'T-SHIRT-L', quantity: 1 }]);
		refs.a1 = await place(u.alice, [{ sku: 'T-SHIRT-M', quantity: 3 }], HOME);
		refs.b3 = await place(u.bob, [{ sku: 'T-JACKET-M', quantity: 1 }, { sku: 'T-SHIRT-M', quantity: 1 }]);
		const r = await pageGet(u.dave, '/admin/orders');
		assert.equal(r.status, 200, r.body.slice(0, 300));
		assert.match(r.body, /<a class="order-tab" href="\/admin\/orders\?status=placed" aria-current="page">Placed <span class="badge badge-muted">4<\/span>/);
		assert.match(r.body, /href="\/admin\/orders\?status=pending_approval">Waiting for approval <span class="badge badge-muted">0</);
		assert.deepEqual(refsIn(r.body), [refs.b1, refs.b2, refs.a1, refs.b3], 'oldest first');
		assert.match(r.body, /Bob Okafor <span class="mono">E1002<\/span>/);
		assert.match(r.body, /Site: Rotterdam distribution centre/);
		assert.match(r.body, /Home: Lyon/);
		assert.match(r.body, /href="\/admin\/orders\/pick-list\?status=placed"/);
		/* the API agrees, and pages */
		let q = await u.dave.get('/api/v1/admin/order-queue?status=placed&per_page=3');
		assert.equal(q.status, 200, q.body);
		assert.equal(q.json().counts.placed, 4);
		assert.equal(q.json().counts.shipped, 0);
		assert.equal(q.json().pages, 2);
		assert.equal(q.json().oldest_first, true);
		assert.deepEqual(q.json().orders.map((o) => o.ref), [refs.b1, refs.b2, refs.a1]);
		assert.equal(q.json().orders[0].lines, 2);
		assert.equal(q.json().orders[0].items, 3);
		assert.equal(q.json().orders[0].employee.employee_id, 'E1002');
		q = await u.dave.get('/api/v1/admin/order-queue?status=placed&per_page=3&page=2');
		assert.deepEqual(q.json().orders.map((o) => o.ref), [refs.b3]);
		assertApiError(await u.dave.get('/api/v1/admin/order-queue?status=lost'), 400, 'bad_parameter');
		assertApiError(await u.dave.get('/api/v1/admin/order-queue?per_page=500'), 400, 'bad_parameter');
		const bad = await pageGet(u.dave, '/admin/orders?status=lost');
		assert.equal(bad.status, 400);
		const empty = await pageGet(u.dave, '/admin/orders?status=refused');
		assert.equal(empty.status, 200);
		assert.match(empty.body, /No order in this state/);
	});

	it('a step the state does not allow is refused with a sentence, and changes nothing', async () => {
		const before = audits(refs.b2);
		let r = await pageGet(u.dave, `/admin/orders/${refs.b2}`);
		assert.equal(r.status, 200);
		assert.match(r.body, /name="to" value="picking"/, 'a placed order can be marked as picking');
		assert.doesNotMatch(r.body, /name="to" value="shipped"/, 'but not shipped yet');
		assert.match(r.body, /action="\/admin\/orders\/LV-\d+\/cancel"/);
		assert.doesNotMatch(r.body, /action="\/admin\/orders\/LV-\d+\/return"/);
		r = await formPost(u.dave, `/admin/orders/${refs.b2}/advance`, { to: 'shipped', carrier: 'DHL', tracking: 'X1' });
		assert.equal(r.status, 409, r.body.slice(0, 300));
		assert.match(r.body, /Nothing was changed: the order is “Placed” now, which does not allow this\./);
		r = await formPost(u.dave, `/admin/orders/${refs.b2}/advance`, { to: 'delivered' });
		assert.equal(r.status, 409);
		r = await formPost(u.dave, `/admin/orders/${refs.b2}/return`, { qty_1: '1', reason: 'too big' });
		assert.equal(r.status, 409, r.body.slice(0, 300));
		r = await formPost(u.dave, `/admin/orders/${refs.b2}/advance`, { to: 'lost' });
		assert.equal(r.status, 400);
		assert.match(r.body, /Choose what happened to the order/);
		assert.equal(statusOf(refs.b2), 'placed');
		assert.equal(audits(refs.b2), before, 'no audit entry for a refusal');
		r = await pageGet(u.dave, '/admin/orders/LV-999999');
		assert.equal(r.status, 404);
	});

	it('pick, ship (the tracking number required, next to its field), deliver; alice sees the tracking', async () => {
		const ref = refs.a1;
		let r = await formPost(u.dave, `/admin/orders/${ref}/advance`, { to: 'picking' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(r.headers.get('location'), `/admin/orders/${ref}?done=picking`);
		assert.equal(statusOf(ref), 'picking');
		r = await pageGet(u.dave, `/admin/orders/${ref}?done=picking`);
		assert.match(r.body, /The order is marked as picking\./);
		assert.match(r.body, /name="to" value="shipped"/);

		r = await formPost(u.dave, `/admin/orders/${ref}/advance`, { to: 'shipped', carrier: 'DHL Express', tracking: '  ' });
		assert.equal(r.status, 400, r.body.slice(0, 300));
		assert.match(r.body, /<input class="input" id="ship-tracking" name="tracking" value="  " maxlength="128" required aria-invalid="true" aria-describedby="ship-tracking-error">/);
		assert.match(r.body, /<p class="field-error" id="ship-tracking-error">Write the tracking number the carrier gave\.<\/p>/);
		assert.match(r.body, /id="ship-carrier" name="carrier" value="DHL Express"/, 'the carrier typed is kept');
		assert.doesNotMatch(r.body, /id="ship-carrier-error"/);
		r = await formPost(u.dave, `/admin/orders/${ref}/advance`, { to: 'shipped', carrier: 'x'.repeat(65), tracking: 'T1' });
		assert.equal(r.status, 400);
		assert.match(r.body, /id="ship-carrier-error">The carrier&#39;s name is too long|id="ship-carrier-error">The carrier's name is too long/);
		assert.equal(statusOf(ref), 'picking');

		r = await formPost(u.dave, `/admin/orders/${ref}/advance`, { to: 'shipped', carrier: 'DHL Express', tracking: 'JD014600003SE' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(statusOf(ref), 'shipped');
		assert.equal(dbInt(s.livery, `SELECT count(*) FROM audit_log WHERE entity_id = '${ref}' AND action = 'order.advance'`
			+ ` AND actor_label = 'Dave Lindqvist' AND address IS NOT NULL AND json_extract(before, '$.status') = 'picking'`
			+ ` AND json_extract(after, '$.tracking') = 'JD014600003SE'`), 1);
		const mine = await u.alice.get(`/api/v1/orders/${ref}`);
		assert.equal(mine.json().carrier, 'DHL Express');
		assert.equal(mine.json().tracking, 'JD014600003SE');
		const hers = await pageGet(u.alice, `/orders/${ref}`);
		assert.match(hers.body, /JD014600003SE/);

		r = await formPost(u.dave, `/admin/orders/${ref}/advance`, { to: 'delivered' });
		assert.equal(r.status, 303);
		assert.equal(statusOf(ref), 'delivered');
		r = await pageGet(u.dave, `/admin/orders/${ref}`);
		assert.match(r.body, /DHL Express <span class="mono">JD014600003SE<\/span>/);
		assert.match(r.body, /<p class="timeline-title">Order placed<\/p>/);
		assert.match(r.body, /<p class="timeline-title">Shipped<\/p><p class="timeline-meta">[^<]* · Dave Lindqvist<\/p>/);
		assert.match(r.body, /Uniform allowance: /, 'what the allowance paid');
	});

	it('return line by line: field errors first, then the refund, the stock and the audit entry', async () => {
		const ref = refs.a1; /* delivered: 3 shirts at 30.00, paid by the uniform allowance */
		const balance = await u.alice.balance('alice-uniform');
		const stock = stockOf(s.livery, 'T-SHIRT-M');
		let r = await formPost(u.dave, `/admin/orders/${ref}/return`, { qty_1: '9', reason: '' });
		assert.equal(r.status, 400, r.body.slice(0, 300));
		assert.match(r.body, /id="release-qty_1" name="qty_1" value="9"[^>]*aria-invalid="true" aria-describedby="release-qty_1-error"/);
		assert.match(r.body, /id="release-qty_1-error">Write a whole number, at most what is left of the line\./);
		assert.match(r.body, /id="release-reason-error">Say why the items come back/);
		r = await formPost(u.dave, `/admin/orders/${ref}/return`, { qty_1: '0', reason: 'Too small' });
		assert.equal(r.status, 400);
		assert.match(r.body, /id="release-lines-error"/);
		assert.equal(await u.alice.balance('alice-uniform'), balance, 'nothing refunded by a refused form');

		r = await formPost(u.dave, `/admin/orders/${ref}/return`, { qty_1: '1', reason: 'Too small' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(r.headers.get('location'), `/admin/orders/${ref}?done=returned`);
		assert.equal(statusOf(ref), 'delivered', 'two shirts are still out');
		assert.equal(await u.alice.balance('alice-uniform'), balance + 3000);
		assert.equal(stockOf(s.livery, 'T-SHIRT-M'), stock + 1);
		assert.equal(dbInt(s.livery, `SELECT count(*) FROM audit_log WHERE entity_id = '${ref}' AND action = 'order.return'`
			+ ` AND json_extract(after, '$.reason') = 'Too small'`), 1);
		r = await pageGet(u.dave, `/admin/orders/${ref}?done=returned`);
		assert.match(r.body, /Returned: 1/);
		assert.match(r.body, /name="qty_1" value="2"/, 'what is left is offered next');
		r = await formPost(u.dave, `/admin/orders/${ref}/return`, { qty_1: '2', reason: 'Wrong size' });
		assert.equal(r.status, 303);
		assert.equal(statusOf(ref), 'returned');
		r = await pageGet(u.dave, `/admin/orders/${ref}`);
		assert.match(r.body, /This order is closed/);
		assert.doesNotMatch(r.body, /method="post" action="\/admin\/orders\//);
	});

	it('cancel with a reason, line by line', async () => {
		const ref = refs.b1; /* placed: 2 shirts and a cap */
		let r = await formPost(u.dave, `/admin/orders/${ref}/cancel`, { qty_1: '1', qty_2: '0', reason: '' });
		assert.equal(r.status, 400);
		assert.match(r.body, /id="release-reason-error">Say why the items are cancelled/);
		assert.match(r.body, /name="qty_1" value="1"/);
		r = await formPost(u.dave, `/admin/orders/${ref}/cancel`, { qty_1: 'one', reason: 'Out of season' });
		assert.equal(r.status, 400);
		assert.match(r.body, /id="release-qty_1-error"/);
		r = await formPost(u.dave, `/admin/orders/${ref}/cancel`, { qty_1: '1', qty_2: '0', reason: 'Out of season' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(statusOf(ref), 'placed');
		assert.equal(dbInt(s.livery, `SELECT cancelled_quantity FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.ref = '${ref}' AND l.line_no = 1`), 1);
		const hers = await u.bob.get(`/api/v1/orders/${ref}`);
		assert.ok(hers.json().history.some((h) => h.action === 'order.cancel' && h.reason === 'Out of season'), 'the employee reads why');
	});

	it('a waiting order says who may approve it; the store admin cannot', async () => {
		/* over alice's allowance: waits for approval */
		refs.wait = await place(u.alice, [{ sku: 'T-JACKET-M', quantity: 2 }]);
		assert.equal(statusOf(refs.wait), 'pending_approval');
		const r = await pageGet(u.dave, `/admin/orders/${refs.wait}`);
		assert.equal(r.status, 200);
		assert.match(r.body, /Store administrators do not approve orders/);
		assert.match(r.body, /The manager: Erin Dubois <span class="mono">E1005<\/span>/);
		assert.doesNotMatch(r.body, /action="\/approvals\//);
		assert.doesNotMatch(r.body, /Decide it in Approvals/, 'dave is neither an approver nor her manager');
		assert.match(r.body, /action="\/admin\/orders\/LV-\d+\/cancel"/, 'a waiting order may be cancelled');
		/* the approvals queue says why it waits: 240.00 of jackets against the 200.00 left */
		const q = (await u.erin.get('/api/v1/approvals')).json().approvals.find((o) => o.ref === refs.wait);
		assert.equal(q.reason, 'Over the allowance by 40.00 (Uniform allowance)');
		assert.deepEqual(q.reasons, [{ programme: 'Uniform allowance', amount: 4000, products: ['Test jacket'] }]);
		assert.equal(q.order_lines[0].sku, 'T-JACKET-M');
		const ap = await pageGet(u.erin, '/approvals');
		assert.equal(ap.status, 200);
		const box = ap.body.split('<article').find((a) => a.includes(`action="/approvals/${refs.wait}"`));
		assert.match(box || '',
			/<div class="notice notice-warning approval-reasons">[\s\S]*<li>Uniform allowance\s?: [^<]*40[.,]00[^<]*Test jacket<\/li>/);
		refs.b4 = await place(u.bob, [{ sku: 'T-SHIRT-M', quantity: 1 }]);
		assert.equal(statusOf(refs.b4), 'placed');
		/* bob's manager is dave: his waiting order sends dave to the approvals page */
		refs.bwait = await place(u.bob, [{ sku: 'T-JACKET-M', quantity: 7 }]);
		assert.equal(statusOf(refs.bwait), 'pending_approval');
		const mine = await pageGet(u.dave, `/admin/orders/${refs.bwait}`);
		assert.match(mine.body, /<a href="\/approvals">Decide it in Approvals<\/a>/);
	});

	it('the pick list: grouped by site and SKU with totals, made to print; marked all at once or not at all', async () => {
		const placed = JSON.parse(JSON.stringify((await u.dave.get('/api/v1/admin/pick-list')).json()));
		let r = await pageGet(u.dave, '/admin/orders/pick-list');
		assert.equal(r.status, 200, r.body.slice(0, 300));
		assert.match(r.body, /<body class="page page-console page-print page-pick-list">/);
		const site = placed.sites.find((s) => s.site === 'Rotterdam distribution centre');
		assert.ok(site, JSON.stringify(placed));
		const shirts = site.skus.find((k) => k.sku === 'T-SHIRT-M');
		/* b1: 2 - 1 cancelled, b3: 1, bwait: 1 */
		assert.equal(shirts.quantity, 3, JSON.stringify(site));
		assert.deepEqual(shirts.orders.map((o) => o.ref), [refs.b1, refs.b3, refs.b4]);
		assert.equal(placed.orders, 4);
		assert.equal(placed.total_orders, 4);
		assert.equal(placed.items, 1 + 1 + 1 + 2 + 1, 'what is left: b1 a shirt and a cap, b2 a shirt, b3 a jacket and a shirt, b4 a shirt');
		assert.match(r.body, /<h2 id="pick-site-1">Site: Rotterdam distribution centre<\/h2>/);
		assert.match(r.body, /<td class="mono">T-SHIRT-M<\/td>\s*<td>Test shirt · M · White<\/td>\s*<td class="num pick-qty">3<\/td>/);
		for (const ref of [refs.b1, refs.b2, refs.b3, refs.b4])
			assert.match(r.body, new RegExp(`<input type="hidden" name="order" value="${ref}">`));
		const css = await u.dave.request('GET', r.body.match(/href="(\/static\/[^"]+\/style\.css)"/)[1]);
		assert.match(css.body, /@media print \{\s*\.page-print \.site-header,\s*\.page-print \.console-nav/);
		assert.match(css.body, /\.pick-site \{\s*break-before: page;/);

		/* b2 is cancelled after the list was printed: nothing is marked */
		const list = [refs.b1, refs.b2, refs.b3, refs.b4];
		assert.equal((await u.bob.post(`/api/v1/orders/${refs.b2}/cancel`, {})).status, 200);
		const before = dbInt(s.livery, "SELECT count(*) FROM audit_log WHERE action = 'order.advance'");
		const body = list.map((ref) => `order=${ref}`).join('&');
		r = await u.dave.request('POST', '/admin/orders/pick-list', {
			body, type: 'application/x-www-form-urlencoded', headers: { accept: 'text/html' },
		});
		assert.equal(r.status, 409, r.body.slice(0, 300));
		assert.match(r.body, new RegExp(`Nothing was marked: order ${refs.b2} is “Cancelled” now, no longer placed\\.`));
		for (const ref of [refs.b1, refs.b3, refs.b4])
			assert.equal(statusOf(ref), 'placed');
		assert.equal(dbInt(s.livery, "SELECT count(*) FROM audit_log WHERE action = 'order.advance'"), before);
		assert.doesNotMatch(r.body, new RegExp(`name="order" value="${refs.b2}"`), 'the list shown again is up to date');

		/* the list as it is now: every order picking, each with its audit entry */
		r = await formPost(u.dave, '/admin/orders/pick-list', [[ 'order', refs.b1 ], [ 'order', refs.b3 ], [ 'order', refs.b4 ]]);
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(r.headers.get('location'), '/admin/orders?status=picking&done=picking&n=3');
		for (const ref of [refs.b1, refs.b3, refs.b4]) {
			assert.equal(statusOf(ref), 'picking');
			assert.equal(audits(ref, 'order.advance'), 1);
		}
		r = await pageGet(u.dave, '/admin/orders?status=picking&done=picking&n=3');
		assert.match(r.body, /Orders marked as picking: 3\./);
		r = await pageGet(u.dave, '/admin/orders/pick-list?status=picking');
		assert.equal(r.status, 200);
		assert.doesNotMatch(r.body, /action="\/admin\/orders\/pick-list"/, 'printed again: nothing to mark');
		r = await pageGet(u.dave, '/admin/orders/pick-list');
		assert.match(r.body, /Nothing to pick/);
		r = await formPost(u.dave, '/admin/orders/pick-list', {});
		assert.equal(r.status, 400);
		assert.match(r.body, /No order was sent/);
		r = await pageGet(u.dave, '/admin/orders/pick-list?status=shipped');
		assert.equal(r.status, 400);
	});

	it('the pick list API: JSON, marking all or none', async () => {
		/* bob's waiting order holds his allowance: cancel it (the admin API) */
		assert.equal((await u.dave.post(`/api/v1/admin/orders/${refs.bwait}/cancel`, { reason: 'Too many' })).status, 200);
		const r1 = await place(u.bob, [{ sku: 'T-SHIRT-L', quantity: 2 }]);
		const r2 = await place(u.bob, [{ sku: 'T-SHIRT-L', quantity: 1 }]);
		const pick = (await u.dave.get('/api/v1/admin/pick-list')).json();
		assert.equal(pick.status, 'placed');
		assert.equal(pick.items, 3);
		assert.equal(pick.sites[0].skus[0].quantity, 3);
		assertApiError(await u.dave.get('/api/v1/admin/pick-list?status=delivered'), 400, 'bad_parameter');
		assertApiError(await u.dave.post('/api/v1/admin/pick-list', { orders: [] }), 400, 'invalid_field');
		assertApiError(await u.dave.post('/api/v1/admin/pick-list', { orders: [r1, r1] }), 400, 'invalid_field', /twice/);
		assertApiError(await u.dave.post('/api/v1/admin/pick-list', { orders: [r1], extra: 1 }), 400, 'invalid_field', /extra: unknown field/);
		let e = assertApiError(await u.dave.post('/api/v1/admin/pick-list', { orders: [r1, 'LV-999999'] }), 404, 'order_not_found');
		assert.equal(e.ref, 'LV-999999');
		e = assertApiError(await u.dave.post('/api/v1/admin/pick-list', { orders: [r1, refs.b1] }), 409, 'status_conflict');
		assert.equal(e.ref, refs.b1);
		assert.equal(e.status, 'picking');
		assert.equal(statusOf(r1), 'placed');
		const ok = await u.dave.post('/api/v1/admin/pick-list', { orders: [r1, r2] });
		assert.equal(ok.status, 200, ok.body);
		assert.deepEqual(ok.json(), { status: 'picking', orders: [r1, r2] });
		assert.equal(statusOf(r2), 'picking');
		assertApiError(await u.grace.post('/api/v1/admin/pick-list', { orders: [r1] }), 403, 'forbidden');
	});

	it('the packing slip: company, order, employee, destination and quantities, no prices', async () => {
		const r = await pageGet(u.dave, `/admin/orders/${refs.b1}/packing-slip`);
		assert.equal(r.status, 200, r.body.slice(0, 300));
		assert.match(r.body, /page-print page-packing-slip/);
		assert.match(r.body, /<p class="slip-company">Northwind Group<\/p>/);
		assert.match(r.body, new RegExp(`Packing slip <span class="mono">${refs.b1}</span>`));
		assert.match(r.body, /Bob Okafor \(E1002\)/);
		assert.match(r.body, /Site: Rotterdam distribution centre/);
		const main = r.body.slice(r.body.indexOf('<main'), r.body.indexOf('</main>'));
		assert.match(main, /<td class="mono">T-SHIRT-M<\/td><td>Test shirt · M · White<\/td><td class="num">1<\/td>/, 'one shirt left of two');
		assert.match(main, /<td class="mono">T-CAP<\/td>/);
		assert.doesNotMatch(main, /€|\d+\.\d\d/, 'no prices');
		assert.equal((await pageGet(u.dave, '/admin/orders/LV-999999/packing-slip')).status, 404);
	});

	it('the auditor reads every page and has no form that changes anything', async () => {
		for (const p of ['/admin/orders', '/admin/orders?status=picking', `/admin/orders/${refs.b1}`,
			`/admin/orders/${refs.wait}`, '/admin/orders/pick-list', '/admin/orders/pick-list?status=picking',
			`/admin/orders/${refs.b1}/packing-slip`]) {
			const r = await pageGet(u.grace, p);
			assert.equal(r.status, 200, `${p}: ${r.status}`);
			assert.doesNotMatch(r.body, /method="post" action="\/admin\/orders/, `${p} offers no change`);
		}
		assert.equal((await u.grace.get('/api/v1/admin/order-queue')).status, 200);
		const r = await formPost(u.grace, `/admin/orders/${refs.b1}/advance`, { to: 'shipped', carrier: 'A', tracking: 'B' });
		assert.equal(r.status, 403);
		assert.equal(statusOf(refs.b1), 'picking');
		assert.equal((await pageGet(u.alice, '/admin/orders')).status, 403);
	});
});
