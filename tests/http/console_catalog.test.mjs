// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * console_catalog.test.mjs - the console's Catalog area against the real
 * binary: dave (store_admin) creates a product on the page, adds variants
 * (a bad price and a used SKU refused next to the field, nothing changed),
 * changes price and stock (audited before/after), uploads a good picture
 * and is refused a bad one with a sentence naming the allowed types and
 * the size limit, marks the product restricted and alice (no policy
 * admits her) stops seeing it at once; categories refuse deletion while
 * they hold products; the CSV import reports every error with line and
 * column, and export → import through the API gives the same file. grace
 * (auditor) reads every page without a form that changes anything and is
 * refused every change.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { auditCount, consoleIt, consoleSuiteDeclare, formPost, multipartPost, pageGet, uploadPost } from './lib/console.mjs';
import { skipReason } from './lib/harness.mjs';
import { dbInt } from './lib/money.mjs';

const CSV = [
	'category,category_name,product_slug,product_name,description,tags,restricted,sku,size,colour,fit,price,stock,image',
	'uniforms,Uniforms,cc-blazer,Blazer,Wool,uniform,0,CC-BLZ-NV,M,Navy,Regular,100.00,100,',
	'accessories,Accessories,cc-mug,Mug,Stoneware,logo,0,CC-MUG,,White,,9.90,40,',
].join('\n') + '\n';
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#123"/></svg>';

describe('the console: catalog', { skip: skipReason }, () => {
	const s = consoleSuiteDeclare({ stack: { livery: { catalogCsv: CSV } }, users: ['dave', 'grace', 'alice'] });
	const { u } = s;
	const it = consoleIt(s);

	/* the page's forms send the CSRF token in their fields too */
	const form = (api, path, fields) => formPost(api, path, { csrf: api.csrf, ...fields });
	const audits = (action) => auditCount(s.livery, { action });
	const found = async (api, q) => {
		const r = await api.get(`/api/v1/products?q=${encodeURIComponent(q)}`);
		assert.equal(r.status, 200, r.body);
		return (r.json().items || r.json().products).map((p) => p.slug);
	};

	it('dave creates a product and its variants; refusals are next to the field and change nothing', async () => {
		let r = await pageGet(u.dave, '/admin/catalog');
		assert.equal(r.status, 200);
		assert.match(r.body, /href="\/admin\/catalog\/products\/cc-blazer"/);
		r = await form(u.dave, '/admin/catalog/products', { slug: 'Bad Slug', name: 'Rain jacket', category: 'uniforms' });
		assert.equal(r.status, 422);
		assert.match(r.body, /id="new-slug-error"/);
		r = await form(u.dave, '/admin/catalog/products', { slug: 'cc-rain', name: 'Rain jacket', category: 'uniforms' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(r.headers.get('location'), '/admin/catalog/products/cc-rain?done=created');
		assert.equal(audits('catalog.product.create'), 1);

		r = await form(u.dave, '/admin/catalog/products/cc-rain/variants',
			{ sku: 'CC-RAIN-M', size: 'M', colour: 'Yellow', price: '89,50', stock: '7' });
		assert.equal(r.status, 422);
		assert.match(r.body, /id="nv-price-error"[^>]*>[^<]*89.50/);
		assert.match(r.body, /id="nv-price"[^>]*aria-invalid="true"/);
		r = await form(u.dave, '/admin/catalog/products/cc-rain/variants',
			{ sku: 'CC-BLZ-NV', size: 'L', price: '1.00', stock: '1' });
		assert.equal(r.status, 409);
		assert.match(r.body, /id="nv-sku-error"[^>]*>[^<]*cc-blazer/);
		assert.equal(dbInt(s.livery, "SELECT count(*) FROM variants v JOIN products p ON p.id = v.product_id WHERE p.slug = 'cc-rain'"), 0);
		assert.deepEqual(await found(u.alice, 'rain'), [], 'no active variant: not listed');

		r = await form(u.dave, '/admin/catalog/products/cc-rain/variants',
			{ sku: 'CC-RAIN-M', size: 'M', colour: 'Yellow', price: '89.50', stock: '7' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.deepEqual(await found(u.alice, 'rain'), ['cc-rain'], 'listed and found at once');

		r = await form(u.dave, '/admin/catalog/products/cc-rain/variants/CC-RAIN-M',
			{ action: 'save', size: 'M', colour: 'Yellow', price: '79.00', stock: '3' });
		assert.equal(r.status, 303);
		assert.equal(dbInt(s.livery, "SELECT count(*) FROM audit_log WHERE action = 'catalog.variant.update'"
			+ " AND json_extract(before, '$.price') = 8950 AND json_extract(after, '$.price') = 7900"
			+ " AND json_extract(before, '$.stock') = 7 AND json_extract(after, '$.stock') = 3"
			+ " AND address IS NOT NULL"), 1);
		r = await pageGet(u.dave, '/admin/catalog?low=1');
		assert.match(r.body, /cc-rain/);
		assert.doesNotMatch(r.body, /cc-blazer/);
	});

	it('pictures: a good one is stored and shown, a bad one refused with what is accepted', async () => {
		let r = await uploadPost(u.dave, '/admin/catalog/products/cc-rain/images', { name: 'rain.svg', text: SVG, type: 'image/svg+xml' });
		assert.equal(r.status, 303, r.body.slice(0, 400));
		r = await pageGet(u.dave, '/admin/catalog/products/cc-rain');
		const m = r.body.match(/<img src="(\/media\/[^"]+)"/);
		assert.ok(m, 'the picture is on the product page');
		const media = await u.alice.get(m[1]);
		assert.equal(media.status, 200);
		r = await uploadPost(u.dave, '/admin/catalog/products/cc-rain/images', { name: 'evil.svg', text: '<svg><script>alert(1)</script></svg>' });
		assert.equal(r.status, 422);
		assert.match(r.body, /PNG, JPEG, WebP or SVG/);
		assert.match(r.body, /2 MiB/);
		r = await uploadPost(u.dave, '/admin/catalog/products/cc-rain/images', { name: 'notes.txt', text: 'hello' });
		assert.equal(r.status, 422);
		assert.equal(dbInt(s.livery, "SELECT count(*) FROM images i JOIN products p ON p.id = i.product_id WHERE p.slug = 'cc-rain'"), 1);
		assert.equal(audits('catalog.image.add'), 1);
		r = await u.alice.get('/api/v1/products?q=rain');
		assert.match(r.body, /\/media\//, 'the storefront lists the picture');
	});

	it('restricted: the product disappears at once for an employee no policy admits', async () => {
		let r = await form(u.dave, '/admin/catalog/products/cc-rain', {
			name: 'Rain jacket', description: 'Shell', category: 'uniforms', tags: 'outdoor, hi-vis', restricted: '1', active: '1',
		});
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.deepEqual(await found(u.alice, 'rain'), []);
		r = await form(u.dave, '/admin/catalog/products/cc-rain', {
			name: 'Rain jacket', description: 'Shell', category: 'uniforms', tags: 'outdoor, hi-vis', active: '1',
		});
		assert.equal(r.status, 303);
		assert.deepEqual(await found(u.alice, 'outdoor'), ['cc-rain'], 'tags are searched');
		r = await form(u.dave, '/admin/catalog/products/cc-rain', { name: 'Rain jacket', category: 'uniforms', tags: 'Bad Tag!', active: '1' });
		assert.equal(r.status, 422);
		assert.match(r.body, /id="p-tags-error"/);
	});

	it('categories: created, renamed; one that holds products is not deleted', async () => {
		let r = await form(u.dave, '/admin/catalog/categories/uniforms', { action: 'delete' });
		assert.equal(r.status, 409);
		assert.match(r.body, /cannot be deleted/);
		r = await form(u.dave, '/admin/catalog/categories', { slug: 'bags', name: 'Bags' });
		assert.equal(r.status, 303);
		r = await form(u.dave, '/admin/catalog/categories/bags', { action: 'save', name: 'Bags & cases', position: '0' });
		assert.equal(r.status, 303);
		r = await u.dave.del('/api/v1/admin/categories/bags');
		assert.equal(r.status, 200, r.body);
		r = await u.dave.del('/api/v1/admin/categories/uniforms');
		assert.equal(r.status, 409);
		r = await pageGet(u.dave, '/admin/catalog/categories');
		assert.match(r.body, /outdoor/, 'tags listed');
	});

	it('CSV: errors with line and column, nothing changed; export → import gives the same file', async () => {
		const bad = 'category,category_name,product_slug,product_name,description,tags,restricted,sku,size,colour,fit,price,stock,image\n'
			+ 'uniforms,Uniforms,cc-blazer,Blazer,Wool,uniform,0,CC-BLZ-NV,M,Navy,Regular,"100,00",100,\n'
			+ 'uniforms,Uniforms,cc-blazer,Blazer,Wool,uniform,0,CC-BLZ-GR,M,Grey,Regular,100.00,-3,\n';
		let r = await uploadPost(u.dave, '/admin/catalog/import', { name: 'bad.csv', text: bad, type: 'text/csv' });
		assert.equal(r.status, 422);
		assert.match(r.body, /line 2, column price/);
		assert.match(r.body, /line 3, column stock/);
		assert.equal(dbInt(s.livery, 'SELECT count(*) FROM variants WHERE active = 1'), 3);

		const imports = audits('catalog.import');
		const exp = await u.dave.get('/api/v1/admin/catalog/export');
		assert.equal(exp.status, 200);
		assert.match(exp.headers.get('content-type'), /text\/csv/);
		assert.match(exp.body, /^category,category_name,product_slug,product_name,description,tags,restricted,sku,size,colour,fit,price,stock,image,logo\n/);
		assert.match(exp.body, /cc-rain,Rain jacket,Shell,hi-vis\|outdoor,0,CC-RAIN-M,M,Yellow,,79.00,3,uploads\/cc-rain-/);
		r = await u.dave.request('POST', '/api/v1/admin/catalog/import', { body: exp.body, type: 'text/csv' });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().deactivated_variants, 0);
		const again = await u.dave.get('/api/v1/admin/catalog/export');
		assert.equal(again.body, exp.body);
		assert.equal(audits('catalog.import'), imports + 1);
		r = await u.dave.request('POST', '/api/v1/admin/catalog/import', { body: bad, type: 'text/csv' });
		assert.equal(r.status, 422);
		assert.ok(r.json().error.errors.some((e) => /line 2, column price/.test(e.text)));
		r = await uploadPost(u.dave, '/admin/catalog/import', { name: 'good.csv', text: exp.body, type: 'text/csv' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
	});

	it('the API: products and variants with field errors; the auditor reads and changes nothing', async () => {
		let r = await u.dave.post('/api/v1/admin/products', { slug: 'cc-cap', name: 'Cap', category: 'accessories', tags: ['logo'] });
		assert.equal(r.status, 201, r.body);
		r = await u.dave.post('/api/v1/admin/products/cc-cap/variants', { sku: 'CC-CAP', price: '12.345', stock: 4 });
		assert.equal(r.status, 422);
		assert.equal(r.json().error.errors[0].field, 'price');
		r = await u.dave.post('/api/v1/admin/products/cc-cap/variants', { sku: 'CC-CAP', price: '12.50', stock: 4 });
		assert.equal(r.status, 201, r.body);
		r = await u.dave.put('/api/v1/admin/products/cc-cap/variants/CC-CAP', { stock: 9 });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().variants[0].stock, 9);
		r = await u.grace.get('/api/v1/admin/products?q=cap');
		assert.equal(r.status, 200);
		assert.equal(r.json().items[0].slug, 'cc-cap');
		r = await u.grace.put('/api/v1/admin/products/cc-cap', { name: 'x' });
		assert.equal(r.status, 403);
		for (const p of ['/admin/catalog', '/admin/catalog/products/cc-cap', '/admin/catalog/categories', '/admin/catalog/import']) {
			r = await pageGet(u.grace, p);
			assert.equal(r.status, 200, p);
			assert.doesNotMatch(r.body, /method="post" action="\/admin\/catalog/, `${p}: no form that changes`);
		}
		r = await pageGet(u.alice, '/admin/catalog');
		assert.equal(r.status, 403);
	});

	it('the API: pictures are added, replaced and removed; bad files and other roles are refused', async () => {
		const stored = () => dbInt(s.livery, "SELECT count(*) FROM images i JOIN products p"
			+ " ON p.id = i.product_id WHERE p.slug = 'cc-cap'");
		let r = await multipartPost(u.dave, '/api/v1/admin/products/cc-cap/images', { name: 'cap.svg', text: SVG });
		assert.equal(r.status, 201, r.body);
		const images = r.json().images;
		assert.equal(images.length, 1);
		assert.match(images[0].url, /^\/media\//);
		assert.equal(audits('catalog.image.add'), 2);
		/* replacing keeps the id */
		const other = SVG.replace('#123', '#456');
		r = await multipartPost(u.dave, '/api/v1/admin/products/cc-cap/images', { name: 'cap2.svg', text: other },
			{ replace: String(images[0].id) });
		assert.equal(r.status, 201, r.body);
		assert.deepEqual(r.json().images.map((i) => i.id), [images[0].id]);
		assert.notEqual(r.json().images[0].url, images[0].url);
		/* refused, and nothing changes */
		const refusals = [
			[{ name: 'evil.svg', text: '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>' }, {}, 422, 'image_invalid'],
			[{ name: 'notes.txt', text: 'hello' }, {}, 422, 'image_invalid'],
			[null, {}, 422, 'image_invalid'],
			[{ name: 'cap.svg', text: SVG }, { replace: 'x' }, 422, 'image_invalid'],
			[{ name: 'cap.svg', text: SVG }, { replace: '999999' }, 404, 'image_not_found'],
		];
		for (const [file, fields, status, code] of refusals) {
			r = await multipartPost(u.dave, '/api/v1/admin/products/cc-cap/images', file, fields);
			assert.equal(r.status, status, `${file?.name} ${JSON.stringify(fields)}: ${r.body}`);
			assert.equal(r.json().error.code, code);
		}
		r = await multipartPost(u.dave, '/api/v1/admin/products/nothing-here/images', { name: 'cap.svg', text: SVG });
		assert.equal(r.status, 404);
		r = await u.dave.request('POST', '/api/v1/admin/products/cc-cap/images', { json: { file: 'x' } });
		assert.equal(r.status, 415);
		r = await multipartPost(u.grace, '/api/v1/admin/products/cc-cap/images', { name: 'cap.svg', text: SVG });
		assert.equal(r.status, 403);
		r = await multipartPost(u.dave, '/api/v1/admin/products/cc-cap/images', { name: 'cap.svg', text: SVG }, {},
			{ csrf: false });
		assert.equal(r.status, 403, 'no CSRF token');
		assert.equal(r.json().error.code, 'csrf_invalid');
		assert.equal(stored(), 1);
		/* removed */
		r = await u.grace.request('DELETE', `/api/v1/admin/products/cc-cap/images/${images[0].id}`);
		assert.equal(r.status, 403);
		r = await u.dave.request('DELETE', `/api/v1/admin/products/cc-cap/images/${images[0].id}`);
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json().images, []);
		r = await u.dave.request('DELETE', `/api/v1/admin/products/cc-cap/images/${images[0].id}`);
		assert.equal(r.status, 404);
		assert.equal(stored(), 0);
		assert.equal(audits('catalog.image.remove'), 1);
	});
});
