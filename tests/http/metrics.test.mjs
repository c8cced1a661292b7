// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * metrics.test.mjs - GET /metrics and the client address behind a proxy,
 * on the real server with the real provider.
 *
 * One stack trusts 127.0.0.1 as a proxy and lets it read /metrics: after
 * requests, a sign-in, a refused sign-in and checkouts (placed, refused,
 * replayed), /metrics parses as Prometheus text (0.0.4) and its counters
 * moved by what was done; a request carrying X-Forwarded-For: 203.0.113.9
 * is logged and audited with 203.0.113.9; a malformed X-Forwarded-For is
 * ignored and logged once; X-Forwarded-Proto: https makes the session
 * cookie Secure. Another stack trusts no one and allows /metrics only to
 * 10.0.0.0/8: /metrics is an unknown path there (404 like any other, for
 * every method), and X-Forwarded-For and a forged X-Forwarded-Proto change
 * nothing.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { SESSION_COOKIE, skipReason, startStack, withLogs } from './lib/harness.mjs';
import { MONEY_CSV, dbQuery, keyNew, moneyLogin, programmeCreate } from './lib/money.mjs';

const T = { timeout: 120000 };
const FORWARDED = '203.0.113.9';
const SITE = { method: 'site' };
const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/*
 * Parses the text exposition format 0.0.4, asserting every line: HELP,
 * TYPE (counter, gauge, histogram) before a metric's samples, and samples
 * `name{label="value",...} number`. Returns { types: Map(name -> type),
 * samples: Map('name{a="x",b="y"}' with labels sorted -> number) }.
 */
function expositionParse(text) {
	const types = new Map();
	const samples = new Map();
	assert.ok(text.endsWith('\n'), 'the text ends with a newline');
	const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
	const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
	const sampleRe = new RegExp(`^(${NAME})(?:\\{(${LABEL}(?:,${LABEL})*)?\\})? `
		+ '(-?[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|[-+]Inf|NaN)$');
	for (const line of text.slice(0, -1).split('\n')) {
		let m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
		if (m) {
			assert.ok(!types.has(m[1]), `TYPE of ${m[1]} given twice`);
			types.set(m[1], m[2]);
			continue;
		}
		if (new RegExp(`^# HELP ${NAME} .*$`).test(line))
			continue;
		m = sampleRe.exec(line);
		assert.ok(m, `not a line of the exposition format: ${JSON.stringify(line)}`);
		const base = m[1].replace(/_(bucket|sum|count)$/, '');
		assert.ok(types.has(m[1]) || types.get(base) === 'histogram', `${m[1]} has no TYPE before it`);
		const labels = m[2] ? [...m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)]
			.map(([, k, v]) => `${k}="${v}"`).sort() : [];
		const key = labels.length ? `${m[1]}{${labels.join(',')}}` : m[1];
		assert.ok(!samples.has(key), `${key} appears twice`);
		samples.set(key, Number(m[3]));
	}
	return { types, samples };
}

/* A sample's value, 0 when the series does not exist (yet). */
const val = (x, key) => x.samples.get(key) ?? 0;

/* The one request log line of request id rid (waits for it: the log comes after the answer). */
async function requestLine(livery, rid) {
	for (let i = 0; i < 50; i++) {
		const line = livery.log().split('\n').find((l) => l.includes('event=request ') && l.includes(`rid=${rid} `));
		if (line)
			return line;
		await sleep(50);
	}
	assert.fail(`no request log line for rid ${rid}`);
}

/* A session cookie value of the right shape that no session has. */
const cookieUnknown = () => crypto.randomBytes(32).toString('base64url');

/* GET / with an unknown session cookie (so the answer clears it) and extra headers. */
function clearedCookie(stack, headers) {
	return stack.client().get(`${stack.base}/`, {
		cookies: false, accept: 'html', headers: { cookie: `${SESSION_COOKIE}=${cookieUnknown()}`, ...headers },
	});
}

function setCookieOf(res) {
	const c = res.cookies.find((k) => k.name === SESSION_COOKIE);
	assert.ok(c, `${res.method} ${res.url}: the unknown session cookie is cleared (${res.status})`);
	return c;
}

describe('GET /metrics and a trusted proxy', { skip: skipReason }, () => {
	let stack;
	let livery;
	const it = (name, fn) => test(name, T, withLogs(() => stack, fn));
	const scrape = async () => {
		const r = await stack.client().get(`${stack.base}/metrics`, { accept: '*/*' });
		assert.equal(r.status, 200, `GET /metrics: ${r.status} ${r.body.slice(0, 300)}`);
		assert.equal(r.headers.get('content-type'), TEXT_FORMAT);
		assert.equal(r.headers.get('cache-control'), 'no-store');
		return expositionParse(r.body);
	};

	before(async () => {
		stack = await startStack({
			livery: {
				catalogCsv: MONEY_CSV,
				config: { server: { trusted_proxies: '127.0.0.1', metrics_allow: '127.0.0.1' } },
			},
		});
		livery = stack.livery;
		programmeCreate(livery, {
			slug: 'frank-uniform', name: 'Uniform (E1006)', unit: 'money', amount: 10000, period: 'yearly',
			reset: 'calendar', prorate: false, rollover_cap: 0, eligibility_days: 0,
			audience: { employee_ids: ['E1006'] }, categories: ['uniforms'], tags: [], overage: 'deny',
			position: 1,
		});
	});
	after(async () => {
		const r = await stack?.stop();
		if (r)
			assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null },
				`livery's exit after SIGTERM: ${JSON.stringify(r)}\n${stack.logs()}`);
		assert.doesNotMatch(livery?.log() || '', /runtime error|AddressSanitizer|LeakSanitizer/, 'no sanitizer report');
	});

	it('the metrics are all there, typed, and parse as Prometheus text', async () => {
		const x = await scrape();
		assert.equal(x.types.get('livery_http_requests_total'), 'counter');
		assert.equal(x.types.get('livery_http_request_duration_seconds'), 'histogram');
		assert.equal(x.types.get('livery_checkouts_total'), 'counter');
		assert.equal(x.types.get('livery_login_failures_total'), 'counter');
		assert.equal(x.types.get('livery_database_size_bytes'), 'gauge');
		assert.equal(x.types.get('livery_build_info'), 'gauge');
		assert.equal(x.types.get('process_start_time_seconds'), 'gauge');
		const info = [...x.samples.keys()].filter((k) => k.startsWith('livery_build_info{'));
		assert.equal(info.length, 1);
		assert.match(info[0], /^livery_build_info\{version="[0-9][^"]*"\}$/);
		const started = x.samples.get('process_start_time_seconds');
		assert.ok(started > Date.now() / 1000 - 600 && started <= Date.now() / 1000 + 1, `start time ${started}`);
		assert.ok(x.samples.get('livery_database_size_bytes') >= 4096, 'the database has a size');
		for (const result of ['placed', 'refused', 'failed'])
			assert.ok(x.samples.has(`livery_checkouts_total{result="${result}"}`), result);
		for (const reason of ['state_invalid', 'signature_invalid', 'employee_refused', 'other'])
			assert.ok(x.samples.has(`livery_login_failures_total{reason="${reason}"}`), reason);
		/* the histogram: cumulative buckets, +Inf equal to the count */
		const buckets = [...x.samples.entries()].filter(([k]) => k.startsWith('livery_http_request_duration_seconds_bucket'));
		assert.equal(buckets.length, 13);
		for (let i = 1; i < buckets.length; i++)
			assert.ok(buckets[i][1] >= buckets[i - 1][1], `${buckets[i][0]} is cumulative`);
		assert.equal(buckets.at(-1)[0], 'livery_http_request_duration_seconds_bucket{le="+Inf"}');
		assert.equal(buckets.at(-1)[1], x.samples.get('livery_http_request_duration_seconds_count'));
		assert.ok(x.samples.get('livery_http_request_duration_seconds_count') > 0, 'the start-up probes counted');
	});

	it('a request relayed by the proxy does not get /metrics, even from an allowed peer', async () => {
		for (const xff of [FORWARDED, '127.0.0.1', 'garbage']) {
			const r = await stack.client().get(`${stack.base}/metrics`, { accept: 'json', headers: { 'x-forwarded-for': xff } });
			assert.equal(r.status, 404, `X-Forwarded-For: ${xff}: ${r.status}`);
		}
	});

	it('requests, sign-ins and checkouts move the counters', async () => {
		const before = await scrape();
		const health = 'livery_http_requests_total{route="health",status_class="2xx"}';
		for (let i = 0; i < 3; i++)
			assert.equal((await stack.client().get(`${stack.base}/healthz`, { accept: 'json' })).status, 200);
		assert.equal((await stack.client().get(`${stack.base}/no-such-path`, { accept: 'json' })).status, 404);
		/* a refused sign-in: a callback nobody started */
		const refused = await stack.client().get(`${stack.base}/auth/callback?code=x&state=bogus-state`);
		assert.equal(refused.status, 400, refused.body.slice(0, 300));

		const frank = await moneyLogin(stack, 'frank');
		const body = { lines: [{ sku: 'T-SHIRT-M', quantity: 1 }], delivery: SITE };
		const key = keyNew();
		const placed = await frank.checkout(body, key);
		assert.equal(placed.status, 201, placed.body);
		const replay = await frank.checkout(body, key);
		assert.equal(replay.headers.get('idempotent-replayed'), 'true');
		/* the cap is covered by no programme, and uncovered_overage is deny */
		const no = await frank.checkout({ lines: [{ sku: 'T-CAP', quantity: 1 }], delivery: SITE }, keyNew());
		assert.ok(no.status >= 400 && no.status < 500, `an uncovered cap: ${no.status} ${no.body}`);

		const now = await scrape();
		const delta = (k) => val(now, k) - val(before, k);
		assert.equal(delta(health), 3);
		assert.equal(delta('livery_http_requests_total{route="unmatched",status_class="4xx"}'), 1);
		assert.equal(delta('livery_http_requests_total{route="callback",status_class="4xx"}'), 1);
		assert.ok(delta('livery_http_requests_total{route="callback",status_class="3xx"}') >= 1, 'frank signed in');
		assert.equal(delta('livery_http_requests_total{route="api_checkout",status_class="2xx"}'), 2);
		assert.equal(delta('livery_http_requests_total{route="api_checkout",status_class="4xx"}'), 1);
		assert.equal(delta('livery_http_requests_total{route="metrics",status_class="2xx"}'), 1);
		assert.equal(delta('livery_checkouts_total{result="placed"}'), 1, 'the replay is not a second order');
		assert.equal(delta('livery_checkouts_total{result="refused"}'), 1);
		assert.equal(delta('livery_checkouts_total{result="failed"}'), 0);
		assert.equal(delta('livery_login_failures_total{reason="state_invalid"}'), 1);
		const requests = [...now.samples.entries()].filter(([k]) => k.startsWith('livery_http_requests_total{'))
			.reduce((n, [k, v]) => n + v - val(before, k), 0);
		assert.equal(delta('livery_http_request_duration_seconds_count'), requests,
			'every request counted is in the histogram');
		assert.ok(delta('livery_http_request_duration_seconds_sum') > 0);
	});

	it('X-Forwarded-For from the trusted proxy names the client in the log and the audit log', async () => {
		const frank = await moneyLogin(stack, 'frank');
		const headers = { 'x-forwarded-for': `198.51.100.77, ${FORWARDED}` };
		const r = await frank.checkout({ lines: [{ sku: 'T-SHIRT-L', quantity: 1 }], delivery: SITE }, keyNew(),
			{ headers });
		assert.equal(r.status, 201, r.body);
		const line = await requestLine(livery, r.headers.get('x-request-id'));
		assert.match(line, / route=api_checkout /);
		assert.match(line, new RegExp(` client=${FORWARDED.replaceAll('.', '\\.')}(\\s|$)`));
		assert.equal(dbQuery(livery, "SELECT address FROM audit_log WHERE action = 'order.place'"
			+ ` AND entity_id = '${r.json().ref}'`), FORWARDED);

		const lang = await frank.request('POST', '/profile/language',
			{ body: 'lang=en&return_to=/', type: 'application/x-www-form-urlencoded', headers });
		assert.equal(lang.status, 303, lang.body.slice(0, 300));
		assert.equal(dbQuery(livery, "SELECT address FROM audit_log WHERE action = 'employee.language'"
			+ ' ORDER BY id DESC LIMIT 1'), FORWARDED);

		/* without the header, the proxy itself */
		const plain = await stack.client().get(`${stack.base}/healthz`, { accept: 'json' });
		assert.match(await requestLine(livery, plain.headers.get('x-request-id')), / client=127\.0\.0\.1(\s|$)/);
	});

	it('a malformed X-Forwarded-For is ignored and logged once', async () => {
		const r = await stack.client().get(`${stack.base}/healthz`,
			{ accept: 'json', headers: { 'x-forwarded-for': `${FORWARDED}, not-an-address` } });
		assert.equal(r.status, 200);
		const rid = r.headers.get('x-request-id');
		assert.match(await requestLine(livery, rid), / client=127\.0\.0\.1(\s|$)/);
		const warnings = livery.log().split('\n').filter((l) => l.includes('event=forwarded_ignored') && l.includes(`rid=${rid} `));
		assert.equal(warnings.length, 1, `one warning for the request:\n${warnings.join('\n')}`);
		assert.match(warnings[0], /level=warn/);
	});

	it('X-Forwarded-Proto: https from the trusted proxy makes the session cookie Secure', async () => {
		assert.equal(setCookieOf(await clearedCookie(stack, { 'x-forwarded-proto': 'https' })).secure, true);
		assert.equal(setCookieOf(await clearedCookie(stack, {})).secure, false, 'public_url is http');
		assert.equal(setCookieOf(await clearedCookie(stack, { 'x-forwarded-proto': 'gopher' })).secure, false);
	});
});

describe('GET /metrics for a peer not allowed, and no trusted proxy', { skip: skipReason }, () => {
	let stack;
	let livery;
	const it = (name, fn) => test(name, T, withLogs(() => stack, fn));

	before(async () => {
		/* trusted_proxies left out: its default trusts no one */
		stack = await startStack({ livery: { config: { server: { metrics_allow: '10.0.0.0/8' } } } });
		livery = stack.livery;
	});
	after(async () => {
		const r = await stack?.stop();
		if (r)
			assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null },
				`livery's exit after SIGTERM: ${JSON.stringify(r)}\n${stack.logs()}`);
		assert.doesNotMatch(livery?.log() || '', /runtime error|AddressSanitizer|LeakSanitizer/, 'no sanitizer report');
	});

	it('/metrics answers exactly as a path that does not exist', async () => {
		const c = stack.client();
		for (const [method, accept] of [['GET', 'json'], ['POST', 'json'], ['HEAD', 'json'], ['GET', '*/*']]) {
			const metrics = await c.request(`${stack.base}/metrics`, { method, accept });
			const none = await c.request(`${stack.base}/no-such-path`, { method, accept });
			assert.equal(metrics.status, 404, `${method} /metrics: ${metrics.status}`);
			assert.equal(metrics.status, none.status);
			assert.equal(metrics.headers.get('content-type'), none.headers.get('content-type'));
			assert.equal(metrics.headers.get('allow'), null);
			if (method !== 'HEAD')
				assert.equal(metrics.body.replace(/"request_id":"[^"]*"/, ''), none.body.replace(/"request_id":"[^"]*"/, ''));
		}
		/* a navigation: sent to sign in first, like any unknown page */
		const nav = await c.get(`${stack.base}/metrics`, { accept: 'html' });
		assert.equal(nav.status, 302);
		assert.match(nav.location, /\/auth\/login\?return_to=%2Fmetrics$/);
		/* and a forwarded address that would be allowed changes nothing */
		const fwd = await c.get(`${stack.base}/metrics`, { accept: 'json', headers: { 'x-forwarded-for': '10.1.2.3' } });
		assert.equal(fwd.status, 404);
	});

	it('X-Forwarded-For from an untrusted peer is not believed', async () => {
		const frank = await moneyLogin(stack, 'frank');
		const headers = { 'x-forwarded-for': FORWARDED };
		const lang = await frank.request('POST', '/profile/language',
			{ body: 'lang=en&return_to=/', type: 'application/x-www-form-urlencoded', headers });
		assert.equal(lang.status, 303, lang.body.slice(0, 300));
		assert.match(await requestLine(livery, lang.headers.get('x-request-id')), / client=127\.0\.0\.1(\s|$)/);
		assert.equal(dbQuery(livery, "SELECT address FROM audit_log WHERE action = 'employee.language'"
			+ ' ORDER BY id DESC LIMIT 1'), '127.0.0.1');
		/* the headers are not even read: nothing to warn about */
		const bad = await stack.client().get(`${stack.base}/healthz`, { accept: 'json', headers: { 'x-forwarded-for': 'garbage' } });
		assert.equal(bad.status, 200);
		await requestLine(livery, bad.headers.get('x-request-id'));
		assert.doesNotMatch(livery.log(), /event=forwarded_ignored/);
	});

	it('a forged X-Forwarded-Proto is ignored', async () => {
		assert.equal(setCookieOf(await clearedCookie(stack, { 'x-forwarded-proto': 'https' })).secure, false);
	});
});
