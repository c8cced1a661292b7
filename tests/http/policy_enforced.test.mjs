// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * policy_enforced.test.mjs - catalog policies are enforced everywhere, by
 * the same decisions: the catalog API and pages hide what a policy hides
 * (restricted products included), the product page offers only approved
 * variants (colours and logo options) at the employee's price, pictures of
 * hidden products are not served, the cart refuses crafted additions, the
 * checkout re-checks every line inside its transaction (dress code, limits
 * with the date the next one becomes possible, subsidies), and the cart,
 * checkout and order pages name a line's logo option. Then a property: for random
 * employees and random carts, the checkout never accepts a line that
 * `livery policy explain` refuses.
 *
 * Policies are created through the admin API by carol (hr_admin), so the
 * running server switches to them at once.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { env, skipReason, startStack } from './lib/harness.mjs';
import { assertApiError, keyNew, moneyLogin, programmeCreate } from './lib/money.mjs';
import { rng } from './lib/load.mjs';
import { poLoad } from '../browser/lib/demo.mjs';

const T = { timeout: 120000 };

const CSV = [
	'category,category_name,product_slug,product_name,description,tags,restricted,sku,size,colour,fit,price,stock,image,logo',
	'uniforms,Uniforms,pol-blazer,Blazer,Wool,uniform,0,POL-BLZ-NV,M,Navy,Regular,100.00,100,,',
	'uniforms,Uniforms,pol-blazer,Blazer,Wool,uniform,0,POL-BLZ-GR,M,Grey,Regular,100.00,100,,',
	'uniforms,Uniforms,pol-shirt,Shirt,Cotton,uniform|shirt,0,POL-SHT,M,White,Regular,30.00,100,,',
	'casual,Casual,pol-hoodie,Hoodie,Logo hoodie,casual,0,POL-HOOD,M,Green,Regular,40.00,100,,',
	'casual,Casual,pol-vip,VIP jacket,Only for some,vip,1,POL-VIP,M,Black,Regular,200.00,100,,',
	'uniforms,Uniforms,pol-polo,Polo,Logo polo,uniform,0,POL-POLO-E,M,Navy,Regular,30.00,100,,Embroidered',
	'uniforms,Uniforms,pol-polo,Polo,Logo polo,uniform,0,POL-POLO-P,M,Navy,Regular,25.00,100,,Printed',
].join('\n') + '\n';

const POLICIES = [
	{
		name: 'branch',
		title: 'Branch staff',
		audience: { department: ['Retail Banking'] },
		visibility: { allow: { categories: ['uniforms'], products: ['pol-vip'] } },
		dress_code: [{ product: 'pol-blazer', colours: ['Navy'] }, { product: 'pol-polo', logos: ['Embroidered'] }],
		limits: [{ product: 'pol-shirt', max: 2, per: 'year', label: 'shirts' }],
		price: [{ category: 'uniforms', company_pays_percent: 50 }],
	},
	{
		name: 'warehouse',
		title: 'Warehouse',
		audience: { department: ['Warehouse'] },
		visibility: { deny: { products: ['pol-hoodie'] } },
	},
];

const SKUS = ['POL-BLZ-NV', 'POL-BLZ-GR', 'POL-SHT', 'POL-HOOD', 'POL-VIP', 'POL-POLO-E', 'POL-POLO-P'];

describe('catalog policies, enforced everywhere', { skip: skipReason }, () => {
	let stack;
	let alice;
	let bob;
	let carol;

	before(async () => {
		stack = await startStack({
			livery: { catalogCsv: CSV, config: { store: { uncovered_overage: 'payroll' } } },
		});
		programmeCreate(stack.livery, {
			slug: 'all', name: 'Everything', unit: 'money', amount: 10000000, period: 'yearly', overage: 'payroll',
		});
		[alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((u) => moneyLogin(stack, u)));
		for (const p of POLICIES) {
			const r = await carol.post('/api/v1/admin/policies', p);
			assert.equal(r.status, 201, `create policy ${p.name}: ${r.status} ${r.body}`);
		}
	});

	after(async () => {
		if (stack)
			await stack.stop();
	});

	const productSlugs = async (api) => {
		const r = await api.get('/api/v1/products?per_page=48');
		assert.equal(r.status, 200, r.body);
		const body = r.json();
		return (body.items || body.products).map((p) => p.slug).sort();
	};

	const checkout = (api, lines) => api.checkout({
		lines: lines.map(([sku, quantity]) => ({ sku, quantity })),
		delivery: { method: 'site' }, payroll_consent: true,
	}, keyNew());

	test('the catalog shows each employee what their policies allow', T, async () => {
		assert.deepEqual(await productSlugs(alice), ['pol-blazer', 'pol-polo', 'pol-shirt', 'pol-vip'],
			'alice: uniforms and the admitted restricted jacket only');
		assert.deepEqual(await productSlugs(bob), ['pol-blazer', 'pol-polo', 'pol-shirt'],
			'bob: everything but the denied hoodie and the restricted jacket');
		assert.deepEqual(await productSlugs(carol), ['pol-blazer', 'pol-hoodie', 'pol-polo', 'pol-shirt'],
			'carol: no policy, so everything not restricted');
	});

	test('the product page offers only approved variants; hidden products do not exist', T, async () => {
		let r = await alice.client.get(`${stack.base}/p/pol-blazer`);
		assert.equal(r.status, 200);
		assert.ok(r.body.includes('POL-BLZ-NV'), 'the navy blazer is offered');
		assert.ok(!r.body.includes('POL-BLZ-GR'), 'the grey blazer is not');
		r = await alice.client.get(`${stack.base}/p/pol-hoodie`);
		assert.equal(r.status, 404, 'a hidden product is not found');
		r = await bob.client.get(`${stack.base}/p/pol-vip`);
		assert.equal(r.status, 404, 'a restricted product is not found for someone no policy admits');
		r = await bob.client.get(`${stack.base}/p/pol-blazer`);
		assert.ok(r.body.includes('POL-BLZ-GR'), 'bob has no dress code: grey is offered');
		/* logo options: only the embroidered polo for alice (no choice, so no logo
		 * chips, but the variants table says which logo), both for bob */
		r = await alice.client.get(`${stack.base}/p/pol-polo`);
		assert.equal(r.status, 200);
		assert.ok(r.body.includes('POL-POLO-E') && !r.body.includes('POL-POLO-P'), 'alice: the embroidered polo only');
		assert.doesNotMatch(r.body, /name="logo"/, 'one logo option is no choice: no logo chips');
		assert.match(r.body, /<td>Embroidered<\/td>/, 'the variants table has the logo column');
		assert.doesNotMatch(r.body, /Printed/);
		r = await bob.client.get(`${stack.base}/p/pol-polo`);
		assert.match(r.body, /name="logo" value="Embroidered"/);
		assert.match(r.body, /name="logo" value="Printed"/);
		/* choosing a logo (with the other options) selects that one variant */
		r = await bob.client.get(`${stack.base}/p/pol-polo?size=M&colour=Navy&fit=Regular&logo=Printed`);
		assert.match(r.body, /name="logo" value="Printed" checked/);
		assert.match(r.body, /name="sku" value="POL-POLO-P"/);
		/* a product without logo options has neither chips nor the column */
		r = await bob.client.get(`${stack.base}/p/pol-blazer`);
		assert.doesNotMatch(r.body, /name="logo"|<th scope="col">Logo<\/th>/);
	});

	test('the cart refuses crafted additions', T, async () => {
		assertApiError(await alice.post('/api/v1/cart/lines', { sku: 'POL-BLZ-GR', quantity: 1 }),
			403, 'policy_refused', /Navy/);
		assertApiError(await alice.post('/api/v1/cart/lines', { sku: 'POL-HOOD', quantity: 1 }),
			422, 'unknown_sku');
		const ok = await alice.post('/api/v1/cart/lines', { sku: 'POL-BLZ-NV', quantity: 1 });
		assert.equal(ok.status, 200, ok.body);
		await alice.del('/api/v1/cart');
	});

	test('the checkout re-checks every line: dress code, hidden, limits with the next date, subsidy', T, async () => {
		assertApiError(await checkout(alice, [['POL-BLZ-GR', 1]]), 422, 'not_approved', /Navy/);
		assertApiError(await checkout(alice, [['POL-POLO-P', 1]]), 422, 'not_approved', /Embroidered/);
		assertApiError(await checkout(alice, [['POL-HOOD', 1]]), 422, 'unknown_sku');
		assertApiError(await checkout(bob, [['POL-VIP', 1]]), 422, 'unknown_sku');
		assertApiError(await checkout(alice, [['POL-SHT', 3]]), 422, 'limit_reached', /2/);

		/* the subsidy: the allowance pays 50% of uniforms, the rest is payroll */
		let r = await checkout(alice, [['POL-BLZ-NV', 1], ['POL-SHT', 2]]);
		assert.equal(r.status, 201, r.body);
		const order = r.json();
		assert.equal(order.total, 16000);
		assert.equal(order.covered, 8000);
		assert.equal(order.overage_payroll, 8000);

		/* the limit is reached: the next shirt becomes possible next year, said in
		 * the employee's language (alice's is French; the English is in test_say.c) */
		const err = assertApiError(await checkout(alice, [['POL-SHT', 1]]), 422, 'limit_reached');
		const next = new Date().getFullYear() + 1;
		const fr = poLoad('fr');
		const tr = (s) => { assert.ok(fr.get(s), `po/fr.po translates ${s}`); return fr.get(s); };
		const fill = (t, v) => t.replace(/\{(\w+)\}/g, (m, k) => (k in v ? String(v[k]) : m));
		const LIMIT = 'You have ordered {used} of {limit} {what} allowed {per}; the next one becomes available on {date}.';
		assert.equal(err.message, fill(tr(LIMIT), {
			used: 2, limit: 2, what: 'shirts', per: tr('per year'), date: `1 ${tr('January')} ${next}`,
		}));
		/* the restricted jacket is admitted for alice */
		r = await checkout(alice, [['POL-VIP', 1]]);
		assert.equal(r.status, 201, r.body);
	});

	test('the cart, checkout and order pages name the logo option of a line', T, async () => {
		const added = await bob.post('/api/v1/cart/lines', { sku: 'POL-POLO-P', quantity: 1 });
		assert.equal(added.status, 200, added.body);
		const line = (await bob.cart()).lines.find((l) => l.sku === 'POL-POLO-P');
		assert.equal(line.logo, 'Printed');
		let r = await bob.client.get(`${stack.base}/cart`);
		assert.equal(r.status, 200);
		assert.match(r.body, /Logo: Printed/);
		r = await bob.client.get(`${stack.base}/checkout`);
		assert.equal(r.status, 200);
		assert.match(r.body, /Logo: Printed/);
		r = await checkout(bob, [['POL-POLO-P', 1]]);
		assert.equal(r.status, 201, r.body);
		const { ref } = r.json();
		r = await bob.get(`/api/v1/orders/${ref}`);
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().lines[0].logo, 'Printed');
		r = await bob.client.get(`${stack.base}/orders/${ref}`);
		assert.equal(r.status, 200);
		assert.match(r.body, /Printed/);
		/* lines without a logo option say nothing about it */
		await bob.del('/api/v1/cart');
		assert.equal((await bob.post('/api/v1/cart/lines', { sku: 'POL-BLZ-GR', quantity: 1 })).status, 200);
		r = await bob.client.get(`${stack.base}/cart`);
		assert.match(r.body, /POL-BLZ-GR|Blazer/);
		assert.doesNotMatch(r.body, /Logo:/);
		await bob.del('/api/v1/cart');
	});

	test('property: the checkout never accepts a line that policy explain refuses', T, async () => {
		const seed = Number(process.env.LV_POLICY_SEED || Date.now() % 1000000);
		const rand = rng(seed);
		console.log(`# LV_POLICY_SEED=${seed} replays this run's carts`);
		const people = { E1001: alice, E1002: bob, E1003: carol };
		const explain = new Map();
		const allowed = (eid, sku) => {
			const k = `${eid} ${sku}`;
			if (!explain.has(k)) {
				const out = spawnSync(env.bin, ['policy', 'explain', '--config', stack.livery.configPath,
					'--employee', eid, '--product', sku], { encoding: 'utf8' });
				assert.equal(out.status, 0, `explain ${k}: ${out.stderr}`);
				/* the block of this variant, or "not visible" for the product */
				const block = out.stdout.split(/\n(?=variant )/).find((b) => b.startsWith(`variant ${sku} `));
				const ok = block !== undefined
					&& /may be ordered \(visible, eligible, approved\): yes/.test(block)
					&& /one more in an order today: yes/.test(block);
				explain.set(k, ok);
			}
			return explain.get(k);
		};
		let accepted = 0;
		for (let i = 0; i < 40; i++) {
			const eid = rand.pick(Object.keys(people));
			const n = rand.int(1, 3);
			const lines = [];
			for (const sku of SKUS) {
				if (lines.length < n && rand.next() < 0.5)
					lines.push([sku, 1]);
			}
			if (lines.length === 0)
				lines.push([rand.pick(SKUS), 1]);
			const verdicts = lines.map(([sku]) => allowed(eid, sku));
			const r = await checkout(people[eid], lines);
			if (r.status === 201) {
				accepted++;
				explain.clear(); /* an order changes what limits allow */
				assert.ok(verdicts.every(Boolean),
					`seed ${seed}: checkout accepted ${JSON.stringify(lines)} for ${eid}, explain refused one`);
			} else {
				assert.ok([409, 422].includes(r.status), `seed ${seed}: ${r.status} ${r.body}`);
			}
		}
		assert.ok(accepted > 0, `seed ${seed}: some random carts should pass`);
	});
});
