// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * store.test.mjs - the storefront over HTTP, against the real livery binary
 * with the demo catalog and the real test provider: catalog, category,
 * search, filters, product page and variant choice, restricted products,
 * the JSON API (paging and its refusals), pictures and static files, the
 * language (claim, then Accept-Language, then the default; the employee's
 * own choice wins), an employee who has left, bounded bodies, and the
 * command line (wrong flags, missing files, bad configuration, a bad
 * catalog CSV that imports nothing).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
	SESSION_COOKIE, assertSecurityHeaders, csrfToken, dataReason, env, loginOk, login, me,
	sessionCookie, skipReason, startStack, withLogs,
} from './lib/harness.mjs';
import { DEMO_PASSWORD } from '../idp/accounts.mjs';

const T = { timeout: 60000 };
const demoCsv = () => path.join(env.sourceDir, 'demo', 'catalog', 'catalog.csv');

describe('the storefront', { skip: skipReason }, () => {
	let stack;
	let base;
	const it = (name, fn) => test(name, T, withLogs(() => stack, fn));
	const signedIn = async (user, headers) => {
		const c = stack.client({ headers });
		await loginOk(c, base, stack.idp, user, DEMO_PASSWORD);
		return c;
	};

	before(async () => {
		stack = await startStack({ provider: 'real', livery: { catalogCsv: demoCsv() } });
		base = stack.base;
	});
	after(async () => {
		/* a clean exit also means no leak report under the sanitizers */
		const r = await stack?.stop();
		if (r)
			assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null },
				`livery's exit after SIGTERM: ${JSON.stringify(r)}\n${stack.logs()}`);
	});

	it('the catalog greets the employee by first name, in English for bob', async () => {
		const c = await signedIn('bob');
		const r = await c.get(`${base}/`);
		assert.equal(r.status, 200);
		assert.match(r.body, /<html lang="en"/);
		assert.match(r.body, /Welcome, Bob/);
		assert.match(r.body, /Navy blazer/);
		assertSecurityHeaders(r);
		assert.equal(r.headers.get('cache-control'), 'no-store');
	});

	it('alice has a French locale claim and gets French', async () => {
		const c = await signedIn('alice');
		const r = await c.get(`${base}/`);
		assert.match(r.body, /<html lang="fr"/);
		assert.match(r.body, /Bienvenue, Alice/);
		assert.match(r.body, /129,00\u00a0€|129,00 €/);
	});

	it('without a usable locale claim, Accept-Language decides; else the default', async () => {
		/* frank's claim is "de", which the store does not have */
		const fr = await signedIn('frank', { 'accept-language': 'fr-CH, de;q=0.9, en;q=0.5' });
		assert.equal((await me(fr, base)).json().language, 'fr');
		const none = await signedIn('frank', { 'accept-language': 'ja, de' });
		assert.equal((await me(none, base)).json().language, 'en');
	});

	it('the language an employee chooses wins, and needs the CSRF token', async () => {
		const c = await signedIn('bob');
		const token = await csrfToken(c, base);
		const bad = await c.post(`${base}/profile/language`, { form: { lang: 'fr', return_to: '/search?q=vest' } });
		assert.equal(bad.status, 403);
		assert.equal(dataReason(bad.body), 'csrf_invalid');
		const nope = await c.post(`${base}/profile/language`, { form: { lang: 'xx', csrf: token } });
		assert.equal(nope.status, 400);
		const ok = await c.post(`${base}/profile/language`,
			{ form: { lang: 'fr', return_to: '/search?q=vest', csrf: token } });
		assert.equal(ok.status, 303);
		assert.equal(ok.location, `${base}/search?q=vest`);
		const page = await c.get(`${base}/`);
		assert.match(page.body, /<html lang="fr"/);
		const evil = await c.post(`${base}/profile/language`,
			{ form: { lang: 'en', return_to: '//evil.example/', csrf: token } });
		assert.equal(evil.location, `${base}/`);
	});

	it('category pages list their products; an unknown category is a 404 page', async () => {
		const c = await signedIn('bob');
		const r = await c.get(`${base}/c/safety-gear`);
		assert.equal(r.status, 200);
		assert.match(r.body, /Safety gear/);
		assert.match(r.body, /aria-current|class="[^"]*current/);
		const bad = await c.get(`${base}/c/no-such-category`);
		assert.equal(bad.status, 404);
		assert.equal(dataReason(bad.body), 'not_found');
	});

	it('search finds products, says when nothing matches, and survives FTS syntax', async () => {
		const c = await signedIn('bob');
		const hit = await c.get(`${base}/search?q=blazer`);
		assert.equal(hit.status, 200);
		assert.match(hit.body, /Navy blazer/);
		const miss = await c.get(`${base}/search?q=zzzqqq`);
		assert.equal(miss.status, 200);
		assert.doesNotMatch(miss.body, /Navy blazer/);
		for (const q of ['"', 'NEAR(a b)', 'name:vest', '*', 'a OR b', '-x', '\u00e9\u00e8']) {
			const r = await c.get(`${base}/search?q=${encodeURIComponent(q)}`);
			assert.equal(r.status, 200, `search for ${q}`);
		}
		const xss = await c.get(`${base}/search?q=${encodeURIComponent('<script>alert(1)</script>')}`);
		assert.doesNotMatch(xss.body, /<script>alert/);
		assert.match(xss.body, /&lt;script&gt;/);
	});

	it('filters narrow the list, in the page and the API alike', async () => {
		const c = await signedIn('bob');
		const all = (await c.get(`${base}/api/v1/products?per_page=100`, { accept: 'json' })).json();
		const m = (await c.get(`${base}/api/v1/products?per_page=100&size=M`, { accept: 'json' })).json();
		assert.ok(m.total > 0 && m.total < all.total);
		for (const p of m.items)
			assert.ok(p.sizes.includes('M'), `${p.slug} has size M`);
		const page = await c.get(`${base}/?size=M`);
		assert.equal(page.status, 200);
		assert.doesNotMatch(page.body, /Safety boots S3/);
	});

	it('the product page shows variants; choosing size, colour and fit selects one', async () => {
		const c = await signedIn('bob');
		const r = await c.get(`${base}/p/navy-blazer`);
		assert.equal(r.status, 200);
		assert.match(r.body, /<h1[^>]*>\s*Navy blazer/);
		const one = await c.get(`${base}/p/navy-blazer?size=M&colour=Navy&fit=Slim`);
		assert.equal(one.status, 200);
		assert.match(one.body, /checked/);
		const missing = await c.get(`${base}/p/no-such-product`);
		assert.equal(missing.status, 404);
	});

	it('restricted products are shown to nobody until a policy admits them', async () => {
		const c = await signedIn('carol');
		const r = await c.get(`${base}/p/trench-coat`);
		assert.equal(r.status, 404);
		const api = (await c.get(`${base}/api/v1/products?per_page=100`, { accept: 'json' })).json();
		assert.ok(!api.items.some((p) => p.slug === 'trench-coat'));
		const search = await c.get(`${base}/search?q=trench`);
		assert.doesNotMatch(search.body, /Trench coat/i);
	});

	it('the API pages through products and refuses bad parameters with a clear error', async () => {
		const c = await signedIn('bob');
		const p1 = (await c.get(`${base}/api/v1/products?per_page=5`, { accept: 'json' })).json();
		assert.equal(p1.items.length, 5);
		assert.ok(p1.total >= 40);
		assert.equal(p1.currency, 'EUR');
		const p2 = (await c.get(`${base}/api/v1/products?per_page=5&page=2`, { accept: 'json' })).json();
		assert.notDeepEqual(p2.items.map((p) => p.slug), p1.items.map((p) => p.slug));
		for (const q of ['page=0', 'page=abc', 'per_page=101', 'per_page=-1', 'page=1e3']) {
			const r = await c.get(`${base}/api/v1/products?${q}`, { accept: 'json' });
			assert.equal(r.status, 400, q);
			assert.equal(r.json().error.code, 'bad_parameter');
			assert.match(r.json().error.message, /whole number/);
		}
		const anon = await stack.client().get(`${base}/api/v1/products`, { accept: 'json' });
		assert.equal(anon.status, 401);
	});

	it('pictures are served with an ETag, cached privately, and sandboxed', async () => {
		const c = await signedIn('bob');
		const api = (await c.get(`${base}/api/v1/products?q=blazer`, { accept: 'json' })).json();
		const url = api.items[0].image_url;
		assert.match(url, /^\/media\/\d+-[0-9a-f]{8}\.svg$/);
		const img = await c.get(`${base}${url}`, { accept: 'image/*' });
		assert.equal(img.status, 200);
		assert.equal(img.headers.get('content-type'), 'image/svg+xml');
		assert.match(img.headers.get('cache-control'), /private/);
		const csp = img.headers.get('content-security-policy');
		assert.match(csp, /sandbox/);
		const etag = img.headers.get('etag');
		const again = await c.get(`${base}${url}`, { accept: 'image/*', headers: { 'if-none-match': etag } });
		assert.equal(again.status, 304);
		const stale = await c.get(`${base}${url.replace(/-[0-9a-f]{8}\./, '-00000000.')}`, { accept: 'image/*' });
		assert.equal(stale.status, 404);
		const anon = await stack.client().get(`${base}${url}`, { accept: 'image/*' });
		assert.equal(anon.status, 401);
	});

	it('static files have hashed URLs and are cached for ever; others are 404', async () => {
		const c = await signedIn('bob');
		const page = await c.get(`${base}/`);
		const css = page.body.match(/href="(\/static\/[0-9a-f]{8}\/style\.css)"/)[1];
		const r = await stack.client().get(`${base}${css}`, { accept: 'text/css' });
		assert.equal(r.status, 200);
		assert.match(r.headers.get('content-type'), /^text\/css/);
		assert.match(r.headers.get('cache-control'), /immutable/);
		const bad = await stack.client().get(`${base}/static/00000000/style.css`, { accept: 'text/css' });
		assert.equal(bad.status, 404);
		const trav = await stack.client().get(`${base}/static/${css.split('/')[2]}/..%2f..%2fetc%2fpasswd`, { accept: '*/*' });
		assert.equal(trav.status, 404);
	});

	it('a wrong method is 405 with Allow; an oversized body is 413; a bad form is 400', async () => {
		const c = await signedIn('bob');
		const token = await csrfToken(c, base);
		const del = await c.request(`${base}/`, { method: 'DELETE', accept: 'json' });
		assert.equal(del.status, 405);
		assert.equal(del.headers.get('allow'), 'GET');
		const big = await c.post(`${base}/profile/language`,
			{ accept: 'json', headers: { 'x-csrf-token': token }, form: { lang: 'x'.repeat(1100000) } });
		assert.equal(big.status, 413);
		const pct = await c.request(`${base}/profile/language`, {
			method: 'POST', accept: 'json', headers: { 'x-csrf-token': token, 'content-type': 'application/x-www-form-urlencoded' },
			body: 'lang=%zz',
		});
		assert.equal(pct.status, 400);
	});

	it('an employee who has left is signed out and cannot sign in again', async () => {
		const c = await signedIn('erin');
		assert.equal((await me(c, base)).status, 200);
		const db = path.join(stack.livery.dataDir, 'livery.db');
		execFileSync('sqlite3', [db, "UPDATE employees SET status = 'left' WHERE employee_id = 'E1005'"]);
		const r = await c.get(`${base}/`);
		assert.equal(r.status, 403);
		assert.equal(dataReason(r.body), 'employee_refused');
		assert.equal(sessionCookie(c, base), undefined, 'the cookie is cleared');
		const again = await login(stack.client(), base, stack.idp, 'erin', DEMO_PASSWORD);
		assert.equal(again.ok, false);
		assert.equal(again.response.status, 403);
		assert.equal(dataReason(again.response.body), 'employee_refused');
		execFileSync('sqlite3', [db, "UPDATE employees SET status = 'active' WHERE employee_id = 'E1005'"]);
	});
});

describe('the command line', { skip: skipReason }, () => {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'livery-cli-'));
	const run = (...args) => spawnSync(env.bin, args, { encoding: 'utf8', env: { ...process.env, LIVERY_OIDC_CLIENT_SECRET: '' } });
	const conf = (name, text) => {
		const p = path.join(tmp, name);
		fs.writeFileSync(p, text);
		return p;
	};
	const good = () => conf('good.conf', `[server]\npublic_url = http://127.0.0.1:1\ndata_dir = ${tmp}/data\n`
		+ `themes_dir = ${env.sourceDir}/themes\n[oidc]\nissuer = http://127.0.0.1:2\nclient_id = x\nclient_secret = y\n`);
	const oneLine = (r) => {
		const lines = r.stderr.trim().split('\n');
		assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
		assert.match(lines[0], /^livery: /);
		return lines[0];
	};

	test('--version and --help', () => {
		assert.match(run('--version').stdout, /^livery \d+\.\d+\.\d+/);
		const h = run('--help');
		assert.equal(h.status, 0);
		for (const c of ['serve --config FILE', 'check-config FILE', 'migrate --config FILE', 'import-catalog --config FILE CSV'])
			assert.ok(h.stdout.includes(c), c);
	});

	test('wrong commands, flags and files get one clear line and a non-zero exit', () => {
		assert.match(oneLine(run('bogus')), /unknown command "bogus"/);
		assert.equal(run('bogus').status, 2);
		assert.match(oneLine(run('serve')), /needs --config FILE/);
		assert.match(oneLine(run('serve', '--config')), /--config needs a file name/);
		assert.match(oneLine(run('serve', '--config', '/nonexistent/livery.conf')), /no such configuration file/);
		assert.match(oneLine(run('serve', '--verbose', '--config', good())), /unknown option "--verbose"/);
		assert.match(oneLine(run('check-config')), /missing argument/);
		assert.match(oneLine(run('import-catalog', '--config', good(), '/nonexistent.csv')), /no such file/);
		assert.match(oneLine(run('migrate', '--config', good(), 'extra')), /unexpected argument/);
	});

	test('check-config names the file, the line and what is allowed', () => {
		assert.equal(run('check-config', good()).status, 0);
		const r = run('check-config', conf('bad.conf', '[server]\npublic_url = http://127.0.0.1:1\nthreads = 1000\n'));
		assert.equal(r.status, 1);
		assert.match(oneLine(r), /bad\.conf:3: server\.threads = "1000": expected a whole number from 1 to 256/);
		const secret = run('check-config', conf('nosecret.conf', '[server]\npublic_url = http://127.0.0.1:1\n'
			+ '[oidc]\nissuer = http://127.0.0.1:2\nclient_id = x\n'));
		assert.match(oneLine(secret), /client_secret is required.*LIVERY_OIDC_CLIENT_SECRET/);
	});

	test('migrate creates the database once; a newer database is refused', () => {
		const c = good();
		const first = run('migrate', '--config', c);
		assert.equal(first.status, 0, first.stderr);
		assert.match(first.stdout, /schema version 0 -> \d+/);
		const second = run('migrate', '--config', c);
		assert.match(second.stdout, /schema version (\d+) -> \1/);
		execFileSync('sqlite3', [path.join(tmp, 'data', 'livery.db'), 'PRAGMA user_version = 9999']);
		const newer = run('migrate', '--config', c);
		assert.equal(newer.status, 1);
		assert.match(newer.stderr, /schema version 9999.*newer livery/);
		fs.rmSync(path.join(tmp, 'data'), { recursive: true });
	});

	test('allowance commands: create a programme, see a balance, adjust with a reason', () => {
		const c = good();
		assert.equal(run('migrate', '--config', c).status, 0);
		const db = path.join(tmp, 'data', 'livery.db');
		execFileSync('sqlite3', [db, "INSERT INTO employees (iss, sub, employee_id, name, department,"
			+ " hire_date, created_at, updated_at) VALUES ('i', 's', 'E9001', 'Test Person', 'Warehouse',"
			+ " '2020-01-15', 0, 0)"]);
		const prog = conf('uniform.json', JSON.stringify({
			slug: 'uniform', name: 'Uniform allowance', unit: 'money', amount: 30000, period: 'yearly',
			reset: 'calendar', prorate: false, rollover_cap: 0, eligibility_days: 0,
			audience: { departments: ['Warehouse'] }, categories: [], tags: [], overage: 'deny', position: 1,
		}));
		const created = run('allowance', 'programme-create', '--config', c, prog);
		assert.equal(created.status, 0, created.stderr);
		const again = run('allowance', 'programme-create', '--config', c, prog);
		assert.notEqual(again.status, 0, 'a second programme with the same slug is refused');
		const bad = run('allowance', 'programme-create', '--config', c,
			conf('bad.json', JSON.stringify({ slug: 'x', name: 'X', unit: 'money', amount: 1, period: 'weekly' })));
		assert.notEqual(bad.status, 0);
		assert.match(bad.stderr, /period/);
		assert.match(bad.stderr, /nothing was created/);
		const bal = run('allowance', 'balance', '--config', c, 'E9001');
		assert.equal(bal.status, 0, bal.stderr);
		assert.match(bal.stdout, /uniform/);
		assert.match(bal.stdout, /300[.,]00/);
		const noReason = run('allowance', 'adjust', '--config', c, 'E9001', 'uniform', '-10.00');
		assert.notEqual(noReason.status, 0);
		const adj = run('allowance', 'adjust', '--config', c, 'E9001', 'uniform', '-10.00', '--reason', 'lost badge');
		assert.equal(adj.status, 0, adj.stderr);
		assert.match(run('allowance', 'balance', '--config', c, 'E9001').stdout, /290[.,]00/);
		const over = run('allowance', 'adjust', '--config', c, 'E9001', 'uniform', '-1000.00', '--reason', 'too much');
		assert.notEqual(over.status, 0, 'an adjustment below zero is refused');
		const audit = execFileSync('sqlite3', [db, "SELECT count(*) FROM audit_log WHERE action = 'allowance.adjust'"]).toString().trim();
		assert.equal(audit, '1');
		const createdBy = execFileSync('sqlite3', [db, "SELECT actor_label || ' ' || entity_id FROM audit_log"
			+ " WHERE action = 'allowance.programme_create'"]).toString().trim();
		assert.equal(createdBy, 'cli uniform', 'the command line\'s programme is audited, the refused ones are not');
		fs.rmSync(path.join(tmp, 'data'), { recursive: true });
	});

	test('a catalog CSV with bad rows reports each with its line and imports nothing', () => {
		const c = good();
		const header = 'category,category_name,product_slug,product_name,description,tags,restricted,sku,size,colour,fit,price,stock,image';
		const csv = conf('bad.csv', `${header}\n`
			+ 'uniforms,Uniforms,polo,Polo,A polo,logo,0,POLO-M,M,Navy,,24.90,5,\n'
			+ 'uniforms,Uniforms,polo,Polo,A polo,logo,0,POLO-L,L,Navy,,"24,90",5,\n'
			+ 'uniforms,Uniforms,polo,Polo,A polo,logo,0,POLO-M,S,Navy,,24.90,-1,\n');
		const r = run('import-catalog', '--config', c, csv);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /line 3, column price/);
		assert.match(r.stderr, /line 4/);
		assert.match(r.stderr, /nothing was imported/);
		const count = execFileSync('sqlite3', [path.join(tmp, 'data', 'livery.db'), 'SELECT count(*) FROM variants']).toString().trim();
		assert.equal(count, '0');
		const ok = run('import-catalog', '--config', c, demoCsv());
		assert.equal(ok.status, 0, ok.stderr);
		assert.match(ok.stdout, /imported 5 categories, \d+ products/);
		const audit = execFileSync('sqlite3', [path.join(tmp, 'data', 'livery.db'),
			"SELECT actor_label || ' ' || action || ' ' || json_extract(after, '$.products') FROM audit_log"]).toString().trim();
		assert.match(audit, /^cli catalog\.import \d+$/, 'one audit entry, for the import that changed something');
	});
});
