// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * console_reports.test.mjs - the console's Reports and Audit log areas
 * against the real binary and the real provider. alice and bob order
 * through the checkout API; dave (store_admin) cancels one of alice's
 * shirts, ships bob's caps and takes one back. Then carol (hr_admin) and
 * grace (auditor) read:
 *   - every report page, with its charts (inline SVG, role="img") and its
 *     table, and no form that changes anything;
 *   - the JSON of each report, whose numbers are the ones worked out here
 *     from the catalog's prices (cancellations and returns netted, the
 *     allowances' share rounded as the refunds are), and the CSV download
 *     of the same choices, cell for cell the same numbers;
 *   - refused choices: the form again with a sentence next to the field
 *     (400), the API's invalid_parameter, an unknown report (404);
 *   - the audit log: searched by action, actor (name or employee id),
 *     free text taken literally, dates; every page of a keyset walk once;
 *     one entry with its diff; the export with the same entries as the
 *     API, and refused when too big; no route that edits or deletes an
 *     entry, and the database's own refusal; every change made through
 *     the web carries the address it came from.
 * Roles are console_guard.test.mjs's (every route as every user).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { before, describe } from 'node:test';

import { consoleIt, consoleSuiteDeclare, pageGet } from './lib/console.mjs';
import { env, skipReason } from './lib/harness.mjs';
import { MONEY_CSV, assertApiError, dbInt, dbQuery, keyNew, programmeCreate } from './lib/money.mjs';

const SITE = { method: 'site' };
const REPORTS = ['spend', 'allowances', 'products', 'orders'];

/* Today and the dates around it, local (the server runs in the same time zone). */
const now = new Date();
const year = now.getFullYear();
const pad = (n) => String(n).padStart(2, '0');
const TODAY = `${year}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
const RANGE = `from=${year - 1}-01-01&to=${year + 1}-12-31`;

/* RFC 4180 CSV (quoted cells, doubled quotes, CRLF) into rows of cells. */
function csvParse(text) {
	const rows = [];
	let row = [], cell = '', q = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (q) {
			if (c === '"' && text[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (c === '"') {
				q = false;
			} else {
				cell += c;
			}
		} else if (c === '"') {
			q = true;
		} else if (c === ',') {
			row.push(cell);
			cell = '';
		} else if (c === '\r' && text[i + 1] === '\n') {
			row.push(cell);
			rows.push(row);
			row = [];
			cell = '';
			i++;
		} else {
			cell += c;
		}
	}
	assert.equal(cell + row.join(''), '', 'the CSV ends with CRLF');
	return rows;
}

describe('the console: reports and audit log', { skip: skipReason }, () => {
	const s = consoleSuiteDeclare({
		stack: { livery: { catalogCsv: MONEY_CSV } },
		setup: ({ livery }) => {
			programmeCreate(livery, {
				slug: 'rep-alice', name: 'Uniform allowance', unit: 'money', amount: 20000, period: 'yearly',
				reset: 'calendar', audience: { employee_ids: ['E1001'] }, categories: ['uniforms'],
				overage: 'payroll', position: 1,
			});
			programmeCreate(livery, {
				slug: 'rep-bob', name: 'Logo points', unit: 'points', amount: 50, points_rate: 100,
				period: 'quarterly', reset: 'calendar', audience: { employee_ids: ['E1002'] }, tags: ['logo'],
				overage: 'payroll', position: 1,
			});
		},
		users: ['alice', 'bob', 'carol', 'dave', 'grace'],
	});
	const { u } = s;
	const refs = {};
	const it = consoleIt(s);

	before(async () => {
		const place = async (api, lines) => {
			const r = await api.checkout({ lines, delivery: SITE, payroll_consent: true }, keyNew());
			assert.equal(r.status, 201, r.body);
			return r.json().ref;
		};
		/* A1: 2 shirts + a jacket = 180.00, all paid by the allowance (20.00 left) */
		refs.a1 = await place(u.alice, [{ sku: 'T-SHIRT-M', quantity: 2 }, { sku: 'T-JACKET-M', quantity: 1 }]);
		/* A2: 3 shirts = 90.00: 20.00 by the allowance, 70.00 to payroll; one shirt cancelled */
		refs.a2 = await place(u.alice, [{ sku: 'T-SHIRT-L', quantity: 3 }]);
		let r = await u.dave.post(`/api/v1/admin/orders/${refs.a2}/cancel`,
			{ lines: [{ line: 1, quantity: 1 }], reason: 'Wrong size: 50%_off elsewhere' });
		assert.equal(r.status, 200, r.body);
		/* B1: 2 caps = 30.00 in 30 points; shipped; one cap comes back */
		refs.b1 = await place(u.bob, [{ sku: 'T-CAP', quantity: 2 }]);
		r = await u.dave.post(`/api/v1/admin/orders/${refs.b1}/status`, { status: 'picking' });
		assert.equal(r.status, 200, r.body);
		r = await u.dave.post(`/api/v1/admin/orders/${refs.b1}/status`,
			{ status: 'shipped', carrier: 'DHL', tracking: 'JD0001' });
		assert.equal(r.status, 200, r.body);
		r = await u.dave.post(`/api/v1/admin/orders/${refs.b1}/returns`,
			{ lines: [{ line: 1, quantity: 1 }], reason: 'Too small' });
		assert.equal(r.status, 200, r.body);
	});

	const json = async (api, p) => {
		const r = await api.get(p);
		assert.equal(r.status, 200, `${p}: ${r.status} ${r.body}`);
		return r.json();
	};
	/* The forms of a page that would change something: POST forms other than sign-out and language. */
	const changingForms = (html) => [...html.matchAll(/<form\b[^>]*>/g)].map((m) => m[0])
		.filter((f) => /method="post"/i.test(f) && !/action="\/(auth\/logout|profile\/language)"/.test(f));

	it('the reports index lists the four reports', async () => {
		for (const who of ['carol', 'grace']) {
			const r = await pageGet(u[who], '/admin/reports');
			assert.equal(r.status, 200, r.body);
			for (const name of REPORTS)
				assert.match(r.body, new RegExp(`href="/admin/reports/${name}"`), `${who}: ${name}`);
		}
	});

	it('each report page: its charts, its table, the downloads, and nothing that changes anything', async () => {
		for (const name of REPORTS) {
			for (const who of ['carol', 'grace']) {
				const r = await pageGet(u[who], `/admin/reports/${name}?${RANGE}`);
				assert.equal(r.status, 200, `${who} ${name}: ${r.body}`);
				const svgs = [...r.body.matchAll(/<svg class="chart-svg"[^>]*>/g)].map((m) => m[0]);
				assert.ok(svgs.length >= 1, `${name}: a chart`);
				for (const s of svgs) {
					assert.match(s, /role="img"/);
					assert.match(s, /aria-label="[^"]{10,}"/);
				}
				assert.match(r.body, /<table class="data-table">/);
				assert.match(r.body, new RegExp(`href="/admin/reports/${name}/download\\?`));
				assert.deepEqual(changingForms(r.body), [], `${who} ${name}: no form that changes anything`);
				assert.doesNotMatch(r.body, /style=/, 'no inline style (the charts take the theme\'s classes)');
			}
		}
		/* the charts carry the data: alice's department is the largest spender */
		const r = await pageGet(u.carol, `/admin/reports/spend?${RANGE}&period=year`);
		assert.match(r.body, /aria-label="[^"]*Retail Banking/);
		assert.match(r.body, /<rect class="chart-bar"[^>]*><title>Retail Banking: €240\.00<\/title>/);
	});

	it('spend: net of the cancelled shirt and the returned cap, split between allowances and overage', async () => {
		const rep = await json(u.carol, `/api/v1/admin/reports/spend?${RANGE}&period=year&by=department`);
		assert.equal(rep.report, 'spend');
		assert.equal(rep.currency, 'EUR');
		assert.deepEqual(rep.params, { by: 'department', period: 'year', from: `${year - 1}-01-01`, to: `${year + 1}-12-31` });
		const rows = Object.fromEntries(rep.rows.map((x) => [x.department, x]));
		/* alice: 180.00 + 2 of 3 shirts (60.00); the allowance paid 180.00 + 20.00 - floor(20.00 / 3) */
		assert.deepEqual(rows['Retail Banking'], {
			period: String(year), department: 'Retail Banking', orders: 2, quantity: 5, total: 24000,
			allowances: 19334, overage: 4666,
		});
		/* bob: one cap of two, 15 of his 30 points back */
		assert.deepEqual(rows.Warehouse, {
			period: String(year), department: 'Warehouse', orders: 1, quantity: 1, total: 1500,
			allowances: 1500, overage: 0,
		});
		assert.equal(rep.rows.length, 2);
		assert.deepEqual(rep.totals.all, { orders: 3, quantity: 6, total: 25500, allowances: 20834, overage: 4666 });
		/* by site and by cost centre: the same money, other groups */
		const site = await json(u.grace, `/api/v1/admin/reports/spend?${RANGE}&period=year&by=site`);
		assert.deepEqual(site.totals.groups.map((g) => [g.site, g.total]),
			[['Lyon Part-Dieu branch', 24000], ['Rotterdam distribution centre', 1500]]);
		const cc = await json(u.grace, `/api/v1/admin/reports/spend?${RANGE}&period=quarter&by=cost_center`);
		assert.deepEqual(cc.totals.all, rep.totals.all);
		assert.deepEqual(cc.rows.map((x) => x.cost_center).sort(), ['CC-410', 'CC-720']);
	});

	it('allowance utilisation, top products and orders by state', async () => {
		const ut = await json(u.carol, '/api/v1/admin/reports/allowances');
		const alice = ut.rows.find((x) => x.programme === 'rep-alice');
		assert.deepEqual([alice.unit, alice.period, alice.employees, alice.granted, alice.spent, alice.expired,
			alice.balance, alice.used_percent], ['money', String(year), 1, 20000, 19334, 0, 666, 97]);
		const bob = ut.rows.find((x) => x.programme === 'rep-bob');
		assert.match(bob.period, new RegExp(`^${year}-Q[1-4]$`));
		assert.deepEqual([bob.unit, bob.granted, bob.spent, bob.balance], ['points', 50, 15, 35]);
		const one = await json(u.carol, '/api/v1/admin/reports/allowances?programme=rep-bob');
		assert.deepEqual(one.rows.map((x) => x.programme), ['rep-bob']);
		/* the page writes points as points */
		const pg = await pageGet(u.carol, '/admin/reports/allowances?programme=rep-bob');
		assert.match(pg.body, />50 points</);

		const top = await json(u.grace, `/api/v1/admin/reports/products?${RANGE}`);
		/* shirts 2 + 2 kept = 120.00 (4), the jacket 120.00 (1), one cap 15.00 */
		assert.deepEqual(top.rows.map((x) => [x.rank, x.product, x.quantity, x.amount]),
			[[1, 'test-shirt', 4, 12000], [2, 'test-jacket', 1, 12000], [3, 'test-cap', 1, 1500]]);
		const byQty = await json(u.grace, `/api/v1/admin/reports/products?${RANGE}&rank=quantity&limit=1`);
		assert.deepEqual(byQty.rows.map((x) => x.product), ['test-shirt']);

		const st = await json(u.grace, `/api/v1/admin/reports/orders?${RANGE}`);
		assert.deepEqual(st.totals.now.placed, { orders: 2, amount: 27000 });
		assert.deepEqual(st.totals.now.shipped, { orders: 1, amount: 3000 });
		assert.deepEqual(st.totals.now.delivered, { orders: 0, amount: 0 });
		const month = `${year}-${pad(now.getMonth() + 1)}`;
		assert.deepEqual(st.rows.filter((x) => x.period === month).map((x) => [x.status, x.orders]),
			[['placed', 2], ['shipped', 1]]);
	});

	it('each CSV download holds the same numbers as the JSON, money in minor units with the currency', async () => {
		const choices = {
			spend: `${RANGE}&period=quarter&by=site`, allowances: '', products: `${RANGE}&rank=quantity`,
			orders: `${RANGE}&period=month`,
		};
		for (const name of REPORTS) {
			const rep = await json(u.grace, `/api/v1/admin/reports/${name}?${choices[name]}`);
			const r = await pageGet(u.grace, `/admin/reports/${name}/download?${choices[name]}`);
			assert.equal(r.status, 200, r.body);
			assert.match(r.headers.get('content-type'), /^text\/csv/);
			assert.match(r.headers.get('content-disposition'), new RegExp(`attachment; filename="report-${name}`));
			const [head, ...rows] = csvParse(r.body);
			const keys = rep.columns.map((c) => c.key);
			const money = rep.columns.some((c) => c.type === 'money' || c.type === 'units');
			assert.deepEqual(head, money ? [...keys, 'currency'] : keys, `${name}: header`);
			assert.equal(rows.length, rep.rows.length, `${name}: rows`);
			rep.rows.forEach((row, i) => {
				keys.forEach((k, j) => assert.equal(rows[i][j], row[k] === null ? '' : String(row[k]),
					`${name} row ${i} ${k}`));
				if (money)
					assert.equal(rows[i][keys.length], row.unit === 'points' ? '' : rep.currency);
			});
		}
	});

	it('refused choices: the form again with the reason next to the field, and nothing else', async () => {
		let r = await pageGet(u.carol, '/admin/reports/spend?from=2026-02-30');
		assert.equal(r.status, 400);
		assert.match(r.body, /id="report-from" name="from" value="2026-02-30" aria-invalid="true" aria-describedby="report-from-error"/);
		assert.match(r.body, /id="report-from-error">Write the first day as YYYY-MM-DD/);
		assert.doesNotMatch(r.body, /chart-svg/);
		r = await pageGet(u.carol, `/admin/reports/orders?from=${year}-05-01&to=${year}-04-01`);
		assert.equal(r.status, 400);
		assert.match(r.body, /id="report-to-error">The first day must come before the last day/);
		r = await pageGet(u.carol, '/admin/reports/products?limit=1000');
		assert.equal(r.status, 400);
		assert.match(r.body, /id="report-limit-error">Show from 1 to 100 products/);
		assertApiError(await u.carol.get('/api/v1/admin/reports/spend?period=week'), 400, 'invalid_parameter', /^period: /);
		assertApiError(await u.carol.get('/api/v1/admin/reports/spend?from=2000-01-01&to=2020-12-31'), 400,
			'invalid_parameter', /^range: /);
		assertApiError(await u.carol.get('/api/v1/admin/reports/salaries'), 404, 'report_not_found');
		r = await pageGet(u.carol, '/admin/reports/salaries');
		assert.equal(r.status, 404);
		r = await pageGet(u.carol, '/admin/reports/spend/download?by=team');
		assert.equal(r.status, 400);
		assert.doesNotMatch(r.headers.get('content-disposition') || '', /attachment/);
	});

	/* ---- the audit log ---- */

	it('the audit log finds dave\'s cancellation by action, actor and text, with who, when and from where', async () => {
		let res = await json(u.grace, '/api/v1/admin/audit?action=order.cancel');
		assert.equal(res.entries.length, 1);
		const e = res.entries[0];
		assert.equal(e.entity, 'order');
		assert.equal(e.entity_id, refs.a2);
		assert.equal(e.actor.name, 'Dave Lindqvist');
		assert.equal(e.actor.employee_id, 'E1004');
		assert.equal(e.address, '127.0.0.1');
		assert.ok(Math.abs(e.at - Date.now() / 1000) < 600, 'when');
		assert.equal(e.after.reason, 'Wrong size: 50%_off elsewhere');
		assert.equal(res.next_before, null);
		/* every action under "order", and by name or employee id */
		res = await json(u.grace, '/api/v1/admin/audit?action=order&limit=200');
		assert.deepEqual(new Set(res.entries.map((x) => x.action)),
			new Set(['order.place', 'order.cancel', 'order.advance', 'order.return']));
		const byName = await json(u.carol, '/api/v1/admin/audit?actor=lindqvist&limit=200');
		const byId = await json(u.carol, '/api/v1/admin/audit?actor=E1004&limit=200');
		assert.deepEqual(byName.entries.map((x) => x.id), byId.entries.map((x) => x.id));
		assert.equal(byName.entries.length, 4); /* cancel, picking, shipped, return */
		/* free text is taken literally: % and _ are not wildcards */
		res = await json(u.carol, `/api/v1/admin/audit?q=${encodeURIComponent('50%_off')}`);
		assert.deepEqual(res.entries.map((x) => x.id), [e.id]);
		res = await json(u.carol, `/api/v1/admin/audit?q=${encodeURIComponent('50%_offx')}`);
		assert.equal(res.entries.length, 0);
		/* dates: today has them all, tomorrow none */
		res = await json(u.carol, `/api/v1/admin/audit?action=order.cancel&from=${TODAY}&to=${TODAY}`);
		assert.equal(res.entries.length, 1);
		const t = new Date(Date.now() + 86400000);
		res = await json(u.carol, `/api/v1/admin/audit?from=${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`);
		assert.equal(res.entries.length, 0);

		/* the page: the entry in the list, its own page with the diff */
		let r = await pageGet(u.grace, '/admin/audit?action=order.cancel');
		assert.equal(r.status, 200, r.body);
		assert.match(r.body, new RegExp(`href="/admin/orders/${refs.a2}"`));
		assert.match(r.body, new RegExp(`href="/admin/audit/${e.id}"`));
		assert.match(r.body, /Dave Lindqvist/);
		assert.match(r.body, /127\.0\.0\.1/);
		assert.deepEqual(changingForms(r.body), []);
		r = await pageGet(u.grace, `/admin/audit/${e.id}`);
		assert.equal(r.status, 200, r.body);
		assert.match(r.body, /<pre class="diff"/);
		/* part of the order was cancelled: its status is kept, the lines, reason and refunds added */
		assert.match(r.body, /<\/span> {4}&quot;status&quot;: &quot;placed&quot;\n/);
		assert.match(r.body, /<span class="diff-add">\+ {7}&quot;amount&quot;: 666,<\/span>/);
		assert.match(r.body, /<span class="diff-add">\+ {3}&quot;reason&quot;: &quot;Wrong size: 50%_off elsewhere&quot;,<\/span>/);
		assert.match(r.body, new RegExp(`href="/admin/audit\\?entity=order&amp;entity_id=${refs.a2}"`));
		assert.deepEqual(changingForms(r.body), []);
		const api = await json(u.grace, `/api/v1/admin/audit/${e.id}`);
		assert.equal(api.id, e.id);
		assert.ok(api.diff.some((l) => l.kind === 'same' && /"status": "placed"/.test(l.text)));
		assert.ok(api.diff.some((l) => l.kind === 'add' && /"reason": "Wrong size/.test(l.text)));
		assert.equal(api.diff_truncated, false);
	});

	it('pages of the log: a keyset walk gives every entry once, newest first', async () => {
		const all = (await json(u.carol, '/api/v1/admin/audit?limit=200')).entries.map((x) => x.id);
		assert.ok(all.length >= 8);
		assert.deepEqual(all, [...all].sort((a, b) => b - a));
		const walked = [];
		let before = '';
		for (let i = 0; i < 100; i++) {
			const res = await json(u.carol, `/api/v1/admin/audit?limit=3${before}`);
			walked.push(...res.entries.map((x) => x.id));
			if (res.next_before === null)
				break;
			before = `&before=${res.next_before}`;
		}
		assert.deepEqual(walked, all);
		/* the page links to the next one with the same filters */
		const r = await pageGet(u.carol, '/admin/audit?action=order&limit=2');
		assert.match(r.body, /href="\/admin\/audit\?action=order&amp;limit=2&amp;before=\d+"/);
	});

	it('the export holds what the search finds, quoted, and says when it is too big', async () => {
		const res = await json(u.grace, '/api/v1/admin/audit?action=order&limit=200');
		const r = await pageGet(u.grace, '/admin/audit/export?action=order');
		assert.equal(r.status, 200, r.body);
		assert.match(r.headers.get('content-disposition'), /attachment; filename="audit-log.csv"/);
		const [head, ...rows] = csvParse(r.body);
		assert.deepEqual(head, ['id', 'at', 'actor', 'actor_employee_id', 'address', 'action', 'entity', 'entity_id',
			'before', 'after']);
		assert.deepEqual(rows.map((x) => Number(x[0])), res.entries.map((x) => x.id));
		const cancel = rows.find((x) => x[5] === 'order.cancel');
		assert.deepEqual([cancel[2], cancel[3], cancel[4], cancel[7]], ['Dave Lindqvist', 'E1004', '127.0.0.1', refs.a2]);
		assert.equal(JSON.parse(cancel[9]).reason, 'Wrong size: 50%_off elsewhere');
		assert.match(cancel[1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);

		let bad = await pageGet(u.grace, '/admin/audit/export?from=yesterday');
		assert.equal(bad.status, 400);
		/* 50,001 entries of one action: refused, with a sentence, and no file */
		dbQuery(s.livery, 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50001) '
			+ "INSERT INTO audit_log (at, actor_label, action, entity) SELECT strftime('%s','now'), 'test', 'test.bulk', 'test' FROM n");
		bad = await pageGet(u.grace, '/admin/audit/export?action=test.bulk');
		assert.equal(bad.status, 422, bad.body.slice(0, 300));
		assert.match(bad.body, /data-reason="export_too_big"/);
		assert.doesNotMatch(bad.headers.get('content-disposition') || '', /attachment/);
		/* the search itself stays one page */
		const first = await json(u.grace, '/api/v1/admin/audit?action=test.bulk');
		assert.equal(first.entries.length, 50);
		assert.ok(first.next_before > 0);
	});

	it('refused searches, unknown entries, and no way to edit or delete an entry', async () => {
		let r = await pageGet(u.carol, '/admin/audit?from=2026-02-30&action=order');
		assert.equal(r.status, 400);
		assert.match(r.body, /id="audit-from" name="from" value="2026-02-30" aria-invalid="true"/);
		assert.match(r.body, /id="audit-from-error">Write the first day as YYYY-MM-DD/);
		assertApiError(await u.carol.get('/api/v1/admin/audit?limit=500'), 400, 'invalid_parameter', /^limit: /);
		assertApiError(await u.carol.get('/api/v1/admin/audit?action=DROP%20TABLE'), 400, 'invalid_parameter', /^action: /);
		assertApiError(await u.carol.get('/api/v1/admin/audit/999999'), 404, 'audit_entry_not_found');
		assertApiError(await u.carol.get('/api/v1/admin/audit/abc'), 404, 'audit_entry_not_found');
		r = await pageGet(u.carol, '/admin/audit/999999');
		assert.equal(r.status, 404);

		/* the route table has nothing but GET for the log */
		const routes = spawnSync(env.bin, ['routes'], { encoding: 'utf8' });
		assert.equal(routes.status, 0, routes.stderr);
		const audit = routes.stdout.trim().split('\n').map((l) => JSON.parse(l))
			.filter((x) => /\/audit(\/|$)/.test(x.pattern));
		assert.ok(audit.length >= 5);
		assert.deepEqual([...new Set(audit.map((x) => x.method))], ['GET']);
		const id = dbInt(s.livery, "SELECT min(id) FROM audit_log WHERE action = 'order.cancel'");
		for (const method of ['DELETE', 'PUT', 'PATCH', 'POST']) {
			const res = await u.carol.request(method, `/api/v1/admin/audit/${id}`, { json: {} });
			assert.equal(res.status, 405, `${method}: ${res.status}`);
		}
		/* and the database refuses whoever tries */
		const db = path.join(s.livery.dataDir, 'livery.db');
		for (const sql of [`UPDATE audit_log SET actor_label = 'x' WHERE id = ${id}`, `DELETE FROM audit_log WHERE id = ${id}`]) {
			const s = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
			assert.notEqual(s.status, 0, sql);
			assert.match(s.stderr, /append-only/);
		}
		assert.equal(dbQuery(s.livery, `SELECT actor_label FROM audit_log WHERE id = ${id}`), 'Dave Lindqvist');
	});

	it('every change made through the web records the address it came from', async () => {
		const n = dbInt(s.livery, "SELECT count(*) FROM audit_log WHERE action LIKE 'order.%'");
		assert.ok(n >= 7, `order entries: ${n}`); /* 3 placed, a cancel, 2 steps, a return */
		assert.equal(dbInt(s.livery, "SELECT count(*) FROM audit_log WHERE action LIKE 'order.%'"
			+ " AND (address IS NULL OR address = '')"), 0);
	});
});
