// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * test-package.mjs - the HTTP half of scripts/test-package: what a browser
 * does against the packaged Livery in the Debian 12 root, through the nginx
 * site of the package, with the HTTP tests' own client and login flow
 * (tests/http/lib) and the real test OpenID provider. One command per run:
 *
 *   catalog                    prints the catalog CSV to import
 *   programme                  prints the allowance programme (JSON) for bob
 *   order --base URL --issuer URL [--plain URL] [--direct URL]
 *       signs bob in, places an order, checks the nginx site on the way
 *       (HSTS, /metrics refused, port-80 redirect) and that carol, in the
 *       IdP group given hr_admin, reaches the console; prints
 *       "ORDER <ref> <total>" last
 *   check --base URL --issuer URL --ref REF --total N
 *       signs bob in again and finds the order, unchanged
 *
 * Exit status 0 when every check passed; 1 with the reason otherwise.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import { csrfToken, loginOk, Client } from '../tests/http/lib/harness.mjs';
import { MONEY_CSV, MoneyApi } from '../tests/http/lib/money.mjs';
import { DEMO_PASSWORD } from '../tests/idp/accounts.mjs';

const SKU = 'T-SHIRT-M';
const PROGRAMME = {
	slug: 'package-test', name: 'Package test', unit: 'money', amount: 10000, period: 'once',
	audience: { employee_ids: ['E1002'] }, categories: [], tags: [], overage: 'deny',
};

function argsParse(argv) {
	const out = {};
	for (let i = 0; i < argv.length; i += 2) {
		if (!argv[i].startsWith('--') || argv[i + 1] === undefined)
			throw new Error(`bad argument ${argv[i]}`);
		out[argv[i].slice(2)] = argv[i + 1];
	}
	return out;
}

/* A signed-in employee: { client, api (MoneyApi) }. */
async function signIn(base, issuer, username) {
	const client = new Client();
	await loginOk(client, base, { url: issuer }, username, DEMO_PASSWORD);
	const csrf = await csrfToken(client, base);
	return { client, api: new MoneyApi(client, base, csrf) };
}

/* What the nginx site adds or refuses in front of Livery. */
async function nginxCheck(a, client) {
	const page = await client.get(`${a.base}/`);
	assert.equal(page.status, 200, `GET / through nginx: ${page.status}`);
	assert.match(page.headers.get('strict-transport-security') || '', /max-age=\d{7,}/,
		'nginx adds Strict-Transport-Security');
	const metrics = await new Client().get(`${a.base}/metrics`, { accept: 'text/plain' });
	assert.equal(metrics.status, 403, `/metrics through nginx must be refused, got ${metrics.status}`);
	if (a.plain) {
		const r = await new Client().get(`${a.plain}/catalog?x=1`);
		assert.equal(r.status, 301, `plain HTTP answers a redirect, got ${r.status}`);
		assert.match(r.location || '', /^https:\/\/[^/]+\/catalog\?x=1$/, `redirect to HTTPS: ${r.location}`);
	}
	if (a.direct) {
		const r = await fetch(`${a.direct}/healthz`);
		await r.arrayBuffer();
		assert.equal(r.status, 200, `Livery itself on loopback: /healthz ${r.status}`);
		/* [server] metrics_allow admits loopback by default: scraped there, not through nginx */
		const m = await fetch(`${a.direct}/metrics`);
		const text = await m.text();
		if (m.status === 200)
			assert.match(text, /^# TYPE /m, 'GET /metrics on loopback is Prometheus text');
		process.stdout.write(`METRICS ${m.status}\n`);
	}
}

async function orderPlace(a) {
	const bob = await signIn(a.base, a.issuer, 'bob');
	await nginxCheck(a, bob.client);
	const body = { lines: [{ sku: SKU, quantity: 1 }], delivery: { method: 'site' } };
	const r = await bob.api.checkout(body, crypto.randomUUID());
	assert.equal(r.status, 201, `checkout: ${r.status} ${r.body}`);
	const order = r.json();
	assert.ok(order.ref, `the order has a ref: ${r.body}`);
	const hr = await signIn(a.base, a.issuer, 'carol');
	const admin = await hr.client.get(`${a.base}/admin`);
	assert.equal(admin.status, 200, `carol (group hr = [roles] hr_admin) opens the console: ${admin.status}`);
	process.stdout.write(`ORDER ${order.ref} ${order.total}\n`);
}

async function orderCheck(a) {
	const bob = await signIn(a.base, a.issuer, 'bob');
	const r = await bob.api.get(`/api/v1/orders/${encodeURIComponent(a.ref)}`);
	assert.equal(r.status, 200, `GET /api/v1/orders/${a.ref}: ${r.status} ${r.body}`);
	const order = r.json();
	assert.equal(order.ref, a.ref);
	assert.equal(String(order.total), String(a.total), `the order's total is unchanged: ${r.body}`);
	const list = await bob.api.get('/api/v1/orders');
	assert.equal(list.status, 200, `GET /api/v1/orders: ${list.status}`);
	assert.ok(list.body.includes(a.ref), `bob's orders list ${a.ref}: ${list.body}`);
	process.stdout.write(`FOUND ${order.ref} ${order.total} ${order.status}\n`);
}

async function main() {
	const [cmd, ...rest] = process.argv.slice(2);
	const a = argsParse(rest);
	if (cmd === 'catalog')
		process.stdout.write(MONEY_CSV);
	else if (cmd === 'programme')
		process.stdout.write(`${JSON.stringify(PROGRAMME)}\n`);
	else if (cmd === 'order')
		await orderPlace(a);
	else if (cmd === 'check')
		await orderCheck(a);
	else
		throw new Error(`unknown command ${cmd}`);
}

main().catch((err) => {
	process.stderr.write(`test-package.mjs: ${err.stack || err}\n`);
	process.exit(1);
});
