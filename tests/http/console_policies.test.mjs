// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * console_policies.test.mjs - the console's Policies area against the real
 * binary and the real provider: carol (hr_admin) creates a policy, edits
 * its common rules in the form, sees the form's own refusals and the
 * engine's next to the fields they belong to (a rule row counted past an
 * empty row), previews what alice would see without saving anything,
 * saves and alice's catalog changes at once, loses a race against another
 * edit without overwriting it, edits the JSON, reads the history with its
 * diff, and deletes with a typed confirmation. grace (auditor) reads the
 * pages without a single form that changes anything.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { formPost, pageGet } from './lib/console.mjs';
import { skipReason, startStack } from './lib/harness.mjs';
import { moneyLogin } from './lib/money.mjs';

const T = { timeout: 120000 };
const CSV = [
	'category,category_name,product_slug,product_name,description,tags,restricted,sku,size,colour,fit,price,stock,image',
	'uniforms,Uniforms,cp-blazer,Blazer,Wool,uniform,0,CP-BLZ-NV,M,Navy,Regular,100.00,100,',
	'uniforms,Uniforms,cp-blazer,Blazer,Wool,uniform,0,CP-BLZ-GR,M,Grey,Regular,100.00,100,',
	'uniforms,Uniforms,cp-shirt,Shirt,Cotton,uniform|shirt,0,CP-SHT,M,White,Regular,30.00,100,',
	'casual,Casual,cp-hoodie,Hoodie,Logo hoodie,casual,0,CP-HOOD,M,Green,Regular,40.00,100,',
].join('\n') + '\n';
const NAME = 'console-test';

describe('the console: policies', { skip: skipReason }, () => {
	let stack;
	let carol;
	let alice;
	let grace;

	before(async () => {
		stack = await startStack({ livery: { catalogCsv: CSV } });
		[carol, alice, grace] = await Promise.all(['carol', 'alice', 'grace'].map((u) => moneyLogin(stack, u)));
	});

	after(async () => {
		if (stack)
			await stack.stop();
	});

	const slugs = async (api) => {
		const r = await api.get('/api/v1/products?per_page=48');
		assert.equal(r.status, 200, r.body);
		return (r.json().items || r.json().products).map((p) => p.slug).sort();
	};
	const version = async () => {
		const r = await carol.get(`/api/v1/admin/policies/${NAME}`);
		assert.equal(r.status, 200, r.body);
		return r.json().version;
	};
	/* the form as the page would post it: rows 0..n with the given values */
	const edit = (v, extra = {}) => ({
		version: String(v), title: 'Console test', aud_department: 'Retail Banking',
		dress_kind_0: 'product', dress_target_0: '', limit_kind_0: 'product', limit_target_0: '',
		limit_max_0: '', limit_per_0: 'year', ...extra,
	});

	test('create: a name the engine refuses is shown next to the name field; a good one opens the policy', T, async () => {
		let r = await formPost(carol, '/admin/policies', { name: 'Bad Name!', title: 'x' });
		assert.equal(r.status, 422, r.body.slice(0, 300));
		assert.match(r.body, /id="new-name-error"/);
		r = await formPost(carol, '/admin/policies', { name: NAME, title: 'Console test' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(r.headers.get('location'), `/admin/policies/${NAME}?done=created`);
		r = await formPost(carol, '/admin/policies', { name: NAME, title: 'again' });
		assert.equal(r.status, 409);
		r = await pageGet(carol, '/admin/policies');
		assert.equal(r.status, 200);
		assert.ok(r.body.includes(`href="/admin/policies/${NAME}"`), 'listed');
	});

	test('the form refuses bad values next to their fields and saves nothing', T, async () => {
		const v = await version();
		let r = await formPost(carol, `/admin/policies/${NAME}`, edit(v, {
			action: 'save', limit_kind_0: 'tag', limit_target_0: 'shirt', limit_max_0: 'five',
		}));
		assert.equal(r.status, 400, r.body.slice(0, 300));
		assert.match(r.body, /id="limit-error-0"[^>]*>[^<]*whole number/);
		assert.match(r.body, /value="five"/, 'what was typed is shown again');
		/* the engine's error for the second row (the first left empty) lands on that row */
		r = await formPost(carol, `/admin/policies/${NAME}`, edit(v, {
			action: 'save', limit_kind_1: 'tag', limit_target_1: 'shirt', limit_max_1: '2',
			limit_per_1: 'year', limit_label_1: 'x'.repeat(80),
		}));
		assert.equal(r.status, 422, r.body.slice(0, 300));
		assert.match(r.body, /id="limit-error-1"/);
		assert.equal(await version(), v, 'nothing saved');
	});

	test('the preview shows what alice would see and changes nothing', T, async () => {
		const v = await version();
		assert.ok((await slugs(alice)).includes('cp-hoodie'));
		const r = await formPost(carol, `/admin/policies/${NAME}`, edit(v, {
			action: 'preview', employee: 'E1001', deny_products: 'cp-hoodie',
			dress_kind_0: 'product', dress_target_0: 'cp-blazer', dress_colours_0: 'Navy',
		}));
		assert.equal(r.status, 200, r.body.slice(0, 300));
		assert.match(r.body, /class="panel preview"/);
		assert.match(r.body, /<li>Hoodie <span class="mono">cp-hoodie<\/span><\/li>/);
		assert.match(r.body, /CP-BLZ-GR/, 'the grey blazer is listed as no longer allowed');
		assert.doesNotMatch(r.body, /CP-BLZ-NV/, 'the navy one stays allowed');
		assert.equal(await version(), v, 'the preview saved nothing');
		assert.ok((await slugs(alice)).includes('cp-hoodie'), 'alice still sees the hoodie');
		const bad = await formPost(carol, `/admin/policies/${NAME}`, edit(v, { action: 'preview', employee: 'E9999' }));
		assert.equal(bad.status, 404);
		assert.match(bad.body, /id="p-employee-error"/);
	});

	test('the same preview in the JSON API (GET: what the saved policy changes; POST: an edited one)', T, async () => {
		const stored = (await carol.get(`/api/v1/admin/policies/${NAME}`)).json().policy;
		let r = await carol.post(`/api/v1/admin/policies/${NAME}/preview`, {
			employee: 'E1001', policy: { ...stored, visibility: { deny: { products: ['cp-hoodie'] } } },
		});
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json().hidden.map((x) => x.slug), ['cp-hoodie']);
		assert.equal(r.json().visible_before - r.json().visible_after, 1);
		r = await carol.post(`/api/v1/admin/policies/${NAME}/preview`, {
			employee: 'E1001', policy: { ...stored, limits: [{ tag: 'shirt', max: 0, per: 'year' }] },
		});
		assert.equal(r.status, 422, r.body);
		assert.ok(r.json().error.errors.some((e) => e.path.startsWith('$.limits[0]')));
		r = await carol.post(`/api/v1/admin/policies/${NAME}/preview`, { employee: 'E1001', policy: { name: 'other' } });
		assert.equal(r.status, 400);
		r = await grace.get(`/api/v1/admin/policies/${NAME}/preview?employee=E1001`);
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().employee.employee_id, 'E1001');
		r = await grace.get(`/api/v1/admin/policies/${NAME}/preview?employee=E0000`);
		assert.equal(r.status, 404);
		assert.ok((await slugs(alice)).includes('cp-hoodie'), 'nothing was saved');
	});

	test('save: the store applies it at once; a stale version is not overwritten', T, async () => {
		const v = await version();
		let r = await formPost(carol, `/admin/policies/${NAME}`, edit(v, {
			action: 'save', deny_products: 'cp-hoodie',
			limit_kind_0: 'tag', limit_target_0: 'shirt', limit_max_0: '5', limit_per_0: 'year', limit_label_0: 'shirts',
		}));
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(r.headers.get('location'), `/admin/policies/${NAME}?done=saved`);
		assert.ok(!(await slugs(alice)).includes('cp-hoodie'), 'hidden from alice now');
		const stored = (await carol.get(`/api/v1/admin/policies/${NAME}`)).json();
		assert.deepEqual(stored.policy.audience, { department: ['Retail Banking'] });
		assert.deepEqual(stored.policy.limits, [{ tag: 'shirt', max: 5, per: 'year', label: 'shirts' }]);
		/* the page shows the saved rules back in the form */
		r = await pageGet(carol, `/admin/policies/${NAME}`);
		assert.match(r.body, /name="limit_label_0" value="shirts"/);
		assert.match(r.body, /name="deny_products" value="cp-hoodie"/);
		/* someone saved meanwhile: the old version is refused and theirs is shown */
		r = await formPost(carol, `/admin/policies/${NAME}`, edit(v, { action: 'save', deny_products: '' }));
		assert.equal(r.status, 409, r.body.slice(0, 300));
		assert.match(r.body, /name="deny_products" value="cp-hoodie"/);
		assert.ok(!(await slugs(alice)).includes('cp-hoodie'), 'still hidden');
	});

	test('the JSON editor: errors by path; kits kept by the form', T, async () => {
		let v = await version();
		const stored = (await carol.get(`/api/v1/admin/policies/${NAME}`)).json().policy;
		let r = await formPost(carol, `/admin/policies/${NAME}/json`, {
			version: String(v), action: 'save',
			text: JSON.stringify({ ...stored, limits: [{ tag: 'shirt', max: 5, per: 'week' }] }),
		});
		assert.equal(r.status, 422, r.body.slice(0, 300));
		assert.match(r.body, /\$\.limits\[0\]\.per/);
		r = await formPost(carol, `/admin/policies/${NAME}/json`, {
			version: String(v), action: 'save',
			text: JSON.stringify({ ...stored, kits: [{ name: 'Starter', items: [{ product: 'cp-shirt' }] }] }, null, 2),
		});
		assert.equal(r.status, 303, r.body.slice(0, 300));
		v = await version();
		r = await pageGet(carol, `/admin/policies/${NAME}`);
		assert.match(r.body, /<span class="badge badge-muted">kits<\/span>/, 'the form says it keeps the kits');
		r = await formPost(carol, `/admin/policies/${NAME}`, edit(v, { action: 'save', title: 'Renamed title', deny_products: 'cp-hoodie' }));
		assert.equal(r.status, 303, r.body.slice(0, 300));
		const after = (await carol.get(`/api/v1/admin/policies/${NAME}`)).json().policy;
		assert.equal(after.title, 'Renamed title');
		assert.deepEqual(after.kits, [{ name: 'Starter', items: [{ product: 'cp-shirt' }] }]);
	});

	test('the history shows every version with a diff', T, async () => {
		const r = await pageGet(carol, `/admin/policies/${NAME}/history`);
		assert.equal(r.status, 200);
		const versions = [...r.body.matchAll(/id="v-(\d+)"/g)].map((m) => Number(m[1]));
		assert.deepEqual(versions, [...versions].sort((a, b) => b - a), 'newest first');
		assert.equal(versions[0], await version());
		assert.match(r.body, /<span class="diff-add">\+ +&quot;title&quot;: &quot;Renamed title&quot;,?<\/span>/);
		assert.match(r.body, /<span class="diff-del">- +&quot;title&quot;: &quot;Console test&quot;,?<\/span>/);
	});

	test('the auditor reads and cannot change', T, async () => {
		for (const p of ['/admin/policies', `/admin/policies/${NAME}`, `/admin/policies/${NAME}/json`,
			`/admin/policies/${NAME}/history`]) {
			const r = await pageGet(grace, p);
			assert.equal(r.status, 200, `${p}: ${r.status}`);
			assert.doesNotMatch(r.body, /method="post" action="\/admin\/policies/, `${p} offers no change`);
		}
		const r = await pageGet(grace, `/admin/policies/${NAME}?employee=E1001`);
		assert.equal(r.status, 200);
		assert.match(r.body, /class="panel preview"/, 'the auditor may see what a policy changes');
	});

	test('delete: a typed confirmation, then the policy is gone and alice sees the hoodie again', T, async () => {
		const v = await version();
		let r = await formPost(carol, `/admin/policies/${NAME}/delete`, { version: String(v), confirm: 'nope' });
		assert.equal(r.status, 400);
		assert.match(r.body, /id="p-confirm-error"/);
		r = await formPost(carol, `/admin/policies/${NAME}/delete`, { version: String(v), confirm: NAME });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(r.headers.get('location'), '/admin/policies?done=deleted');
		assert.ok((await slugs(alice)).includes('cp-hoodie'));
		r = await pageGet(carol, `/admin/policies/${NAME}`);
		assert.equal(r.status, 404);
	});
});
