// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * console_catalog.test.mjs - a store administrator looks after the catalog
 * in the console, in headless Chromium against the real binary and the
 * real test provider (demo catalog): dave (store_admin) opens the Catalog
 * from the header and finds the demo products, searching and filtering the
 * list; he creates a product - a bad identifier refused next to its field,
 * nothing created, then correctly - and gives it a description and tags;
 * adds a variant - a price with three decimals refused next to the field,
 * then with a right one; uploads a picture (an SVG) with the file input
 * and sees it, then is refused a text file with a sentence saying which
 * types and sizes are accepted; marks the product restricted, and alice
 * (no role, no policy admits her), who found it in the store's search just
 * before, no longer does; he downloads the catalog as CSV and finds his
 * product's line, then imports the file with a price written with a comma
 * and reads the error with its line and column, nothing changed. grace
 * (auditor) reads the Catalog pages, dave's tags among them, without a
 * form that changes anything. Every page passes the accessibility contract
 * with no console errors and no sideways scrolling, at desktop and phone
 * width; screenshots go to $LV_BUILD_DIR/artifacts/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';

import { skipReason } from '../http/lib/harness.mjs';
import { dbInt, dbQuery } from '../http/lib/money.mjs';
import {
	browserSkipReason, follow, imagesLoad, pageCheck, suiteDeclare, suiteIt, suitePersonOpen, suitePhoneOpen,
} from './lib/browser.mjs';
import { catalogLoad, csvParse, demoCatalogPath } from './lib/demo.mjs';

const SLUG = 'thermos-flask';
const NAME = 'Thermos flask';
const CATEGORY = 'accessories';
const DESCRIPTION = 'Double-walled steel flask: keeps coffee hot for twelve hours.';
const SKU = 'NW-900-ST';
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40">'
	+ '<rect width="40" height="40" fill="#1d3557"/><circle cx="20" cy="20" r="12" fill="#f1faee"/></svg>';
/* the forms that change nothing of the catalog: signing out, the page's language */
const HARMLESS_FORMS = ['/auth/logout', '/profile/language'];

const catalog = catalogLoad();

const skip = skipReason || browserSkipReason();
const suite = skip ? (name, fn) => test(name, { skip }, () => {}) : describe;

suite('the console: the store administrator looks after the catalog', () => {
	const s = suiteDeclare();
	const it = suiteIt(s);

	const products = () => dbInt(s.stack.livery, `SELECT count(*) FROM products WHERE slug = '${SLUG}'`);
	const variants = () => dbInt(s.stack.livery,
		`SELECT count(*) FROM variants v JOIN products p ON p.id = v.product_id WHERE p.slug = '${SLUG}'`);
	const images = () => dbInt(s.stack.livery,
		`SELECT count(*) FROM images i JOIN products p ON p.id = i.product_id WHERE p.slug = '${SLUG}'`);
	/* The page's contract (pageCheck), with a screenshot of the window only, or of the whole page. */
	const check = (who, lang, name, fullPage = false) => pageCheck(who, lang, name, { fullPage });
	/* The watch saw only the refused form's answer (status), and took it. */
	const onlyRefusal = (who, status) => {
		const seen = who.watch.take();
		assert.ok(seen.length >= 1 && seen.every((x) => new RegExp(`\\b${status}\\b`).test(x)),
			`only the refused form's ${status}: ${seen}`);
	};
	/* The rows of the product list shown, as the names of their links. */
	const listed = (page) => page.locator('main table.catalog-products tbody tr').getByRole('link').allInnerTexts();
	/* Does alice's search of the store find the new product (through her own browser)? */
	const aliceFinds = async () => {
		const { page } = s.alice;
		await page.goto(`${s.base}/search?q=thermos`);
		return (await page.getByRole('main').getByRole('link', { name: NAME, exact: true }).count()) > 0;
	};
	/*
	 * The picture of the (now restricted) product loads for who: the
	 * console's roles see every picture, whatever the store's policies
	 * show them (page_media_get).
	 */
	const restrictedPictureLoads = async (who) => {
		const img = who.page.getByRole('img', { name: `Picture of ${NAME}` });
		await img.first().waitFor();
		assert.deepEqual(await imagesLoad(who.page), [], 'every picture of the page loads, the restricted product\'s too');
	};
	/* The actions of the POST forms of the page shown that could change something. */
	const changingForms = (page) => page.locator('form').evaluateAll((forms, harmless) => forms
		.filter((f) => f.method.toLowerCase() === 'post' && !harmless.includes(new URL(f.action).pathname))
		.map((f) => f.getAttribute('action')), HARMLESS_FORMS);

	it('dave opens the Catalog from the header; the list shows the demo catalog', async () => {
		s.dave = await suitePersonOpen(s, 'dave');
		const { page } = s.dave;
		await follow(page, page.getByRole('navigation', { name: 'Your orders and allowances' })
			.getByRole('link', { name: 'Console' }), `${s.base}/admin`);
		await follow(page, page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Catalog' }),
			`${s.base}/admin/catalog`);
		await page.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor();
		const caption = await page.locator('main table.catalog-products caption').innerText();
		assert.equal(caption, `Products found: ${catalog.products.length}`, 'every product of the demo catalog');
		const names = await listed(page);
		const known = new Set(catalog.products.map((p) => p.name));
		assert.equal(names.length, Math.min(25, catalog.products.length), 'a page of 25');
		assert.deepEqual(names.filter((n) => !known.has(n)), [], 'only products of the demo catalog');
		await check(s.dave, 'en', 'console-catalog-list');

		/* the search and a filter: rain, among the outerwear */
		const toolbar = page.getByRole('main').getByRole('search');
		await toolbar.getByLabel('Search', { exact: true }).fill('rain');
		await toolbar.getByLabel('Category', { exact: true }).selectOption('outerwear');
		await follow(page, toolbar.getByRole('button', { name: 'Show' }),
			(u) => u.pathname === '/admin/catalog' && u.searchParams.get('q') === 'rain'
				&& u.searchParams.get('category') === 'outerwear');
		const found = await listed(page);
		const outerwear = new Set(catalog.categories.get('outerwear').products.map((p) => p.name));
		assert.deepEqual(found.filter((n) => !outerwear.has(n)), [], `only outerwear: ${found}`);
		const rain = catalog.categories.get('outerwear').products.filter((x) => /\brain\b/i.test(x.name));
		assert.ok(rain.length > 0, 'the demo catalog has outerwear for the rain');
		for (const p of rain)
			assert.ok(found.includes(p.name), `${p.name} is found: ${found}`);
		assert.ok(found.length < outerwear.size, `the search narrows the category: ${found}`);
		assert.equal(await toolbar.getByLabel('Search', { exact: true }).inputValue(), 'rain', 'the search is kept');
		await check(s.dave, 'en', 'console-catalog-search');
	});

	it('dave creates a product: a bad identifier is refused next to the field, then it is created', async () => {
		const { page } = s.dave;
		const form = page.getByRole('region', { name: 'New product' });
		const slug = form.getByLabel('Identifier (lowercase letters, digits and hyphens)');
		await slug.fill('Thermos Flask');
		await form.getByLabel('Name', { exact: true }).fill(NAME);
		await form.getByLabel('Category', { exact: true }).selectOption(CATEGORY);
		await follow(page, form.getByRole('button', { name: 'Create the product' }),
			`${s.base}/admin/catalog/products`);
		const error = page.locator('#new-slug-error');
		assert.match(await error.innerText(),
			/Write the product's identifier: lowercase letters, digits and single hyphens/);
		assert.equal(await slug.getAttribute('aria-invalid'), 'true');
		assert.equal(await slug.getAttribute('aria-describedby'), 'new-slug-error');
		assert.equal(await page.locator('.field-invalid').filter({ has: page.locator('#new-slug') })
			.filter({ has: error }).count(), 1, 'the error is next to its field');
		assert.equal(await slug.inputValue(), 'Thermos Flask', 'what was typed is kept');
		assert.equal(await form.getByLabel('Name', { exact: true }).inputValue(), NAME);
		assert.equal(await form.getByLabel('Category', { exact: true }).inputValue(), CATEGORY);
		onlyRefusal(s.dave, 422);
		assert.equal(products(), 0, 'nothing created');
		await check(s.dave, 'en', 'console-catalog-create-error', true);

		await slug.fill(SLUG);
		await follow(page, form.getByRole('button', { name: 'Create the product' }),
			`${s.base}/admin/catalog/products/${SLUG}?done=created`);
		await page.getByText('The product is created.', { exact: false }).waitFor();
		await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
		await page.getByText('This product has no variant yet: employees do not see it.').waitFor();
		assert.equal(products(), 1);

		/* its description and tags, on its own page */
		await page.getByLabel('Description').fill(DESCRIPTION);
		await page.getByLabel('Tags, separated by commas').fill('travel, office');
		await follow(page, page.getByRole('button', { name: 'Save the product' }),
			`${s.base}/admin/catalog/products/${SLUG}?done=saved`);
		await page.getByText('The product is saved.', { exact: false }).waitFor();
		assert.equal(await page.getByLabel('Description').inputValue(), DESCRIPTION);
		assert.deepEqual((await page.getByLabel('Tags, separated by commas').inputValue()).split(/,\s*/).sort(),
			['office', 'travel']);
		assert.equal(await page.getByLabel('Category').inputValue(), CATEGORY);
		await check(s.dave, 'en', 'console-catalog-product-new');
	});

	it('dave adds a variant: a price with three decimals is refused next to the field, then it is added', async () => {
		const { page } = s.dave;
		const add = page.getByRole('group', { name: 'New variant' });
		await add.getByLabel('SKU').fill(SKU);
		await add.getByLabel('Colour').fill('Steel');
		await add.getByLabel('Price').fill('12.345');
		await add.getByLabel('Stock').fill('30');
		await follow(page, add.getByRole('button', { name: 'Add the variant' }),
			`${s.base}/admin/catalog/products/${SLUG}/variants`);
		const price = add.getByLabel('Price');
		const error = page.locator('#nv-price-error');
		assert.match(await error.innerText(), /["“]12\.345["”] has more decimals than [A-Z]{3} allows \(2\)/);
		assert.equal(await price.getAttribute('aria-invalid'), 'true');
		assert.equal(await price.getAttribute('aria-describedby'), 'nv-price-error');
		assert.equal(await price.inputValue(), '12.345', 'what was typed is kept');
		assert.equal(await add.getByLabel('SKU').inputValue(), SKU);
		assert.equal(await add.getByLabel('Stock').inputValue(), '30');
		onlyRefusal(s.dave, 422);
		assert.equal(variants(), 0, 'nothing added');
		await check(s.dave, 'en', 'console-catalog-variant-error', true);

		await price.fill('24.50');
		await follow(page, add.getByRole('button', { name: 'Add the variant' }),
			`${s.base}/admin/catalog/products/${SLUG}?done=variant`);
		await page.getByText('The variant is saved.', { exact: false }).waitFor();
		const variant = page.getByRole('group', { name: SKU });
		assert.equal(await variant.getByLabel('Price').inputValue(), '24.50');
		assert.equal(await variant.getByLabel('Stock').inputValue(), '30');
		assert.equal(await variant.getByLabel('Colour').inputValue(), 'Steel');
		assert.equal(await add.getByLabel('SKU').inputValue(), '', 'the new variant form is empty again');
		assert.equal(dbQuery(s.stack.livery, `SELECT price || ' ' || stock FROM variants WHERE sku = '${SKU}'`),
			'2450 30', 'price (cents) and stock');
		await check(s.dave, 'en', 'console-catalog-variant');
	});

	it('dave uploads a picture and sees it; a text file is refused with what is accepted', async () => {
		const { page } = s.dave;
		const pictures = page.getByRole('region', { name: 'Pictures' });
		await pictures.getByText('No picture yet', { exact: false }).waitFor();
		await pictures.getByLabel('Add a picture').setInputFiles({
			name: 'thermos.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(SVG),
		});
		await follow(page, pictures.getByRole('button', { name: 'Upload' }),
			`${s.base}/admin/catalog/products/${SLUG}?done=image`);
		await page.getByText('The picture is saved.').waitFor();
		const img = pictures.getByRole('img', { name: `Picture of ${NAME}` });
		assert.equal(await img.count(), 1);
		assert.match(await img.getAttribute('src'), /^\/media\//);
		assert.deepEqual(await imagesLoad(page), [], 'every picture of the page loads');
		assert.ok(await img.evaluate((i) => i.naturalWidth > 0), 'the picture is drawn');
		assert.equal(images(), 1);
		await check(s.dave, 'en', 'console-catalog-picture', true);

		await pictures.getByLabel('Add a picture').setInputFiles({
			name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('size chart to follow\n'),
		});
		await follow(page, pictures.getByRole('button', { name: 'Upload' }),
			`${s.base}/admin/catalog/products/${SLUG}/images`);
		const refusal = await page.locator('#picture-error').innerText();
		assert.match(refusal, /Upload a PNG, JPEG, WebP or SVG picture of at most 2 MiB/, refusal);
		assert.match(refusal, /\.png, \.jpg, \.jpeg, \.webp or \.svg/, refusal);
		assert.equal(await pictures.getByRole('img', { name: `Picture of ${NAME}` }).count(), 1,
			'the picture is still there');
		onlyRefusal(s.dave, 422);
		assert.equal(images(), 1, 'nothing stored');
		await check(s.dave, 'en', 'console-catalog-picture-refused', true);
	});

	it('dave marks it restricted: alice, who found it in the store, no longer does', async (t) => {
		s.alice = await suitePersonOpen(s, 'alice');
		assert.ok(await aliceFinds(), `alice finds ${NAME} before the restriction`);
		await check(s.alice, 'fr', 'console-catalog-alice-finds');

		s.current = s.dave.page;
		const { page } = s.dave;
		const restricted = page.getByLabel('Restricted', { exact: true });
		assert.equal(await restricted.isChecked(), false);
		await restricted.check();
		await follow(page, page.getByRole('button', { name: 'Save the product' }),
			`${s.base}/admin/catalog/products/${SLUG}?done=saved`);
		await page.getByText('The product is saved.', { exact: false }).waitFor();
		assert.equal(await page.getByLabel('Restricted', { exact: true }).isChecked(), true);
		assert.match(await page.locator('main .page-header').innerText(), /Restricted/);
		assert.equal(dbInt(s.stack.livery, `SELECT restricted FROM products WHERE slug = '${SLUG}'`), 1);
		await restrictedPictureLoads(s.dave);
		await check(s.dave, 'en', 'console-catalog-restricted');

		s.current = s.alice.page;
		assert.equal(await aliceFinds(), false, `alice no longer finds ${NAME}`);
		await check(s.alice, 'fr', 'console-catalog-alice-hidden');
	});

	it('dave downloads the catalog with his product; an import with a bad price changes nothing', async () => {
		s.current = s.dave.page;
		const { page } = s.dave;
		await follow(page, page.locator('.breadcrumbs').getByRole('link', { name: 'Catalog' }),
			`${s.base}/admin/catalog`);
		await follow(page, page.getByRole('link', { name: 'Import and export' }), `${s.base}/admin/catalog/import`);
		await page.getByRole('heading', { level: 1, name: 'Import and export' }).waitFor();
		await check(s.dave, 'en', 'console-catalog-import');

		const [download] = await Promise.all([page.waitForEvent('download'),
			page.getByRole('link', { name: 'Download catalog.csv' }).click()]);
		assert.equal(download.suggestedFilename(), 'catalog.csv');
		const text = fs.readFileSync(await download.path(), 'utf8');
		const [header, ...rows] = csvParse(text);
		assert.deepEqual(header, csvParse(fs.readFileSync(demoCatalogPath(), 'utf8'))[0], 'the import\'s columns');
		const col = Object.fromEntries(header.map((h, i) => [h, i]));
		const mine = rows.filter((r) => r[col.product_slug] === SLUG);
		assert.equal(mine.length, 1, 'one line: its one variant');
		const row = mine[0];
		assert.deepEqual([row[col.category], row[col.product_name], row[col.description], row[col.tags],
			row[col.restricted], row[col.sku], row[col.colour], row[col.price], row[col.stock]],
		[CATEGORY, NAME, DESCRIPTION, 'office|travel', '1', SKU, 'Steel', '24.50', '30']);
		assert.match(row[col.image], new RegExp(`^uploads/${SLUG}-[0-9a-f]+\\.svg$`));
		assert.equal(new Set(rows.map((r) => r[col.product_slug])).size, catalog.products.length + 1,
			'the demo catalog and the new product');

		/* the file, changed as in a spreadsheet that writes a decimal comma */
		const at = text.indexOf(`,${SLUG},`);
		const start = text.lastIndexOf('\n', at) + 1;
		const end = text.indexOf('\n', at);
		const good = text.slice(start, end);
		const bad = good.replace(',24.50,30,', ',"24,50",30,');
		assert.notEqual(bad, good);
		const line = text.slice(0, start).split('\n').length;
		await page.getByLabel(/The CSV file/).setInputFiles({
			name: 'catalog.csv', mimeType: 'text/csv',
			buffer: Buffer.from(text.slice(0, start) + bad + text.slice(end)),
		});
		await follow(page, page.getByRole('button', { name: 'Import', exact: true }), `${s.base}/admin/catalog/import`);
		const errors = page.getByRole('region', { name: 'What to correct' });
		await errors.waitFor();
		await page.getByText('Nothing was imported. Correct every line listed below, then import the file again.')
			.waitFor();
		assert.match(await errors.innerText(), /Errors found: 1\./);
		const lines = await errors.getByRole('listitem').allInnerTexts();
		assert.equal(lines.length, 1, lines.join('\n'));
		assert.match(lines[0],
			new RegExp(`^line ${line}, column price: ["“]24,50["”] is not a price \\(use ["“]24\\.50["”]\\)`));
		onlyRefusal(s.dave, 422);
		const again = await page.request.get(`${s.base}/admin/catalog/export`);
		assert.equal(again.status(), 200);
		assert.equal(await again.text(), text, 'nothing changed: the same export');
		await check(s.dave, 'en', 'console-catalog-import-error', true);
	});

	it('grace (auditor) reads the Catalog pages without a form that changes anything', async (t) => {
		s.grace = await suitePersonOpen(s, 'grace');
		const { page } = s.grace;
		await follow(page, page.getByRole('navigation', { name: 'Your orders and allowances' })
			.getByRole('link', { name: 'Console' }), `${s.base}/admin`);
		await follow(page, page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Catalog' }),
			`${s.base}/admin/catalog`);
		await page.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor();
		assert.equal(await page.getByRole('region', { name: 'New product' }).count(), 0, 'no form creating a product');
		assert.deepEqual(await changingForms(page), [], 'the list');
		await check(s.grace, 'en', 'console-catalog-auditor-list');

		await page.getByRole('main').getByRole('search').getByLabel('Search', { exact: true }).fill('thermos');
		await follow(page, page.getByRole('main').getByRole('button', { name: 'Show' }),
			(u) => u.searchParams.get('q') === 'thermos');
		await follow(page, page.getByRole('main').getByRole('link', { name: NAME }),
			`${s.base}/admin/catalog/products/${SLUG}`);
		await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
		assert.deepEqual(await changingForms(page), [], 'the product');
		assert.equal(await page.getByLabel('Name', { exact: true }).isDisabled(), true,
			'the product is shown, not editable');
		assert.equal(await page.getByRole('group', { name: SKU }).getByLabel('Price').inputValue(), '24.50');
		assert.equal(await page.getByRole('group', { name: SKU }).getByLabel('Price').isDisabled(), true);
		for (const button of ['Save the product', 'Add the variant', 'Upload', 'Remove', 'Deactivate'])
			assert.equal(await page.getByRole('button', { name: button }).count(), 0, `no ${button} button`);
		assert.equal(await page.getByRole('img', { name: `Picture of ${NAME}` }).count(), 1);
		await restrictedPictureLoads(s.grace);
		await check(s.grace, 'en', 'console-catalog-auditor-product');

		await follow(page, page.locator('.breadcrumbs').getByRole('link', { name: 'Catalog' }),
			`${s.base}/admin/catalog`);
		await follow(page, page.getByRole('link', { name: 'Categories and tags' }), `${s.base}/admin/catalog/categories`);
		assert.deepEqual(await changingForms(page), [], 'the categories');
		assert.equal(await page.getByRole('region', { name: 'New category' }).count(), 0);
		/* dave's tags are listed, each with its one product */
		const tags = page.getByRole('region', { name: 'Tags' });
		for (const tag of ['office', 'travel']) {
			const row = tags.getByRole('row').filter({ has: page.getByRole('link', { name: tag, exact: true }) });
			assert.deepEqual((await row.getByRole('cell').allInnerTexts()).slice(1), ['1', '1'], `the tag ${tag}`);
		}
		await check(s.grace, 'en', 'console-catalog-auditor-categories');

		await follow(page, page.locator('.breadcrumbs').getByRole('link', { name: 'Catalog' }),
			`${s.base}/admin/catalog`);
		await follow(page, page.getByRole('link', { name: 'Import and export' }), `${s.base}/admin/catalog/import`);
		assert.deepEqual(await changingForms(page), [], 'the import');
		await page.getByText('You can download the catalog; only store administrators import it.').waitFor();
		await page.getByRole('link', { name: 'Download catalog.csv' }).waitFor();
		await check(s.grace, 'en', 'console-catalog-auditor-import');
	});

	it('at phone width the list, the product, the categories and the import fit the screen', async (t) => {
		const phone = await suitePhoneOpen(s, s.dave);
		for (const [p, name] of [['/admin/catalog', 'console-catalog-list-phone'],
			[`/admin/catalog/products/${SLUG}`, 'console-catalog-product-phone'],
			['/admin/catalog/categories', 'console-catalog-categories-phone'],
			['/admin/catalog/import', 'console-catalog-import-phone']]) {
			await phone.page.goto(`${s.base}${p}`);
			if (p.includes(SLUG))
				await restrictedPictureLoads(phone);
			await check(phone, 'en', name);
		}
	});
});
