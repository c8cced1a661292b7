// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * demo.mjs - what the browser tests know about the demo data, read from
 * the files themselves rather than written down twice: the demo catalog
 * (demo/catalog/catalog.csv, grouped into products with their variants and
 * categories) and the translations of the user interface (po/<lang>.po),
 * so that an expectation follows the data it checks. Node built-ins only.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { env } from '../../http/lib/harness.mjs';

/* Path of the demo catalog that the tests import. */
export function demoCatalogPath() {
	return path.join(env.sourceDir, 'demo', 'catalog', 'catalog.csv');
}

/*
 * Parses CSV text (RFC 4180: quoted fields, "" inside quotes, line breaks
 * inside quotes, CRLF or LF). Returns an array of rows, each an array of
 * strings; a trailing empty line gives no row.
 */
export function csvParse(text) {
	const rows = [];
	let row = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				field += '"';
				i++;
			} else if (c === '"') {
				quoted = false;
			} else {
				field += c;
			}
		} else if (c === '"') {
			quoted = true;
		} else if (c === ',') {
			row.push(field);
			field = '';
		} else if (c === '\n' || c === '\r') {
			if (c === '\r' && text[i + 1] === '\n')
				i++;
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
		} else {
			field += c;
		}
	}
	if (field !== '' || row.length > 0) {
		row.push(field);
		rows.push(row);
	}
	return rows;
}

/*
 * Reads a catalog CSV (default: the demo one). Returns { products (in file
 * order: { slug, name, category, categoryName, restricted, description, tags,
 * variants: [{ sku, size, colour, fit, price (the CSV text, e.g. "54.00"),
 * stock (a number) }] }), bySlug (Map), categories (Map slug -> { slug,
 * name, products: [product] }) }.
 */
export function catalogLoad(file = demoCatalogPath()) {
	const [header, ...rows] = csvParse(fs.readFileSync(file, 'utf8'));
	const col = Object.fromEntries(header.map((h, i) => [h.trim(), i]));
	for (const need of ['category', 'category_name', 'product_slug', 'product_name', 'sku', 'size',
		'colour', 'fit', 'price', 'stock'])
		if (col[need] === undefined)
			throw new Error(`${file}: no column ${need} in the header`);
	const bySlug = new Map();
	const categories = new Map();
	for (const r of rows) {
		if (r.length === 1 && r[0] === '')
			continue;
		const slug = r[col.product_slug];
		let p = bySlug.get(slug);
		if (!p) {
			p = {
				slug,
				name: r[col.product_name],
				category: r[col.category],
				categoryName: r[col.category_name],
				restricted: col.restricted !== undefined && r[col.restricted] === '1',
				description: col.description !== undefined ? r[col.description] : '',
				tags: col.tags !== undefined ? r[col.tags].split('|').filter(Boolean) : [],
				variants: [],
			};
			bySlug.set(slug, p);
			if (!categories.has(p.category))
				categories.set(p.category, { slug: p.category, name: p.categoryName, products: [] });
			categories.get(p.category).products.push(p);
		}
		p.variants.push({
			sku: r[col.sku],
			size: r[col.size],
			colour: r[col.colour],
			fit: r[col.fit],
			price: r[col.price],
			stock: Number(r[col.stock]),
		});
	}
	return { products: [...bySlug.values()], bySlug, categories };
}

/*
 * The first variant, in file order, of an unrestricted product of catalog
 * (catalogLoad's of the demo catalog) with at least stock of it in stock:
 * { product, variant }. Throws when there is none.
 */
export function itemInStock(catalog, stock) {
	for (const p of catalog.products) {
		if (p.restricted)
			continue;
		const v = p.variants.find((x) => x.stock >= stock);
		if (v)
			return { product: p, variant: v };
	}
	throw new Error(`${demoCatalogPath()}: no variant with stock ${stock} or more`);
}

/* The distinct non-empty values of attr ('size', 'colour', 'fit') among a product's variants. */
export function variantValues(product, attr) {
	return [...new Set(product.variants.map((v) => v[attr]).filter(Boolean))];
}

/* The digits of a price, "54.00" or "54,00 €" -> "5400": compares prices whatever their format. */
export function priceDigits(text) {
	return String(text).replace(/\D+/g, '');
}

/* Decodes one PO string literal body (the text between the quotes). */
function poUnquote(s) {
	return s.replace(/\\(.)/g, (m, c) => ({ n: '\n', t: '\t', '"': '"', '\\': '\\' })[c] ?? c);
}

/*
 * Reads po/<lang>.po. Returns a Map msgid -> msgstr of the translated,
 * non-fuzzy, singular entries (msgctxt and plural forms are left out).
 */
export function poLoad(lang) {
	const text = fs.readFileSync(path.join(env.sourceDir, 'po', `${lang}.po`), 'utf8');
	const out = new Map();
	for (const block of text.split(/\r?\n\s*\r?\n/)) {
		if (/^#,.*\bfuzzy\b/m.test(block) || /^msgctxt/m.test(block) || /^msgid_plural/m.test(block))
			continue;
		const entry = {};
		let key = null;
		for (const line of block.split(/\r?\n/)) {
			const m = /^(msgid|msgstr)\s+"(.*)"\s*$/.exec(line);
			if (m) {
				key = m[1];
				entry[key] = poUnquote(m[2]);
			} else if (key && /^\s*"(.*)"\s*$/.test(line)) {
				entry[key] += poUnquote(/^\s*"(.*)"\s*$/.exec(line)[1]);
			} else if (!line.startsWith('#')) {
				key = null;
			}
		}
		if (entry.msgid && entry.msgstr)
			out.set(entry.msgid, entry.msgstr);
	}
	return out;
}

/*
 * Imports the example policies (catalog-policies/examples/) into stack's
 * database with `livery policy import`, as scripts/demo does, and waits
 * until the running server applies them (it reloads within seconds): api
 * (a MoneyApi of an employee) stops finding the product gone ({slug, name})
 * by its name.
 */
export async function examplePoliciesImport(stack, api, gone) {
	const dir = path.join(env.sourceDir, 'catalog-policies', 'examples');
	const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f));
	const r = spawnSync(env.bin, ['policy', 'import', '--config', stack.livery.configPath, ...files],
		{ encoding: 'utf8' });
	if (r.status !== 0)
		throw new Error(`livery policy import: ${r.stderr}`);
	for (let i = 0; i < 100; i++) {
		const res = await api.get(`/api/v1/products?q=${encodeURIComponent(gone.name)}&per_page=48`);
		const body = res.json();
		if (!(body.items || body.products).some((p) => p.slug === gone.slug))
			return;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`the server did not apply the imported policies within 10 s (${gone.slug} still found)`);
}
