// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * policies.test.mjs - HR's catalog policies as employees meet them, in
 * headless Chromium against the real livery binary and the real test
 * provider, with the demo catalog and the example policies of
 * catalog-policies/examples/ imported by `livery policy import` (as
 * scripts/demo does) and an allowance programme that pays for everything:
 *   - alice (branch teller, bank example, French): a product only other
 *     sites' policies admit is not on its category's pages, not found by
 *     the search (which finds it for someone it is meant for), and its
 *     address gives the same not-found page as a product that does not
 *     exist; the blazer's picker offers only the colours and fits of its
 *     dress-code rule, and a uniform sold in other colours too offers only
 *     the approved ones with its rule's note; she orders the yearly number of shirts from the
 *     shirt's page and the checkout refuses one more, saying how many of
 *     how many and on what date the next one becomes possible; a forced
 *     submission is refused as well and places no order;
 *   - bob (warehouse): /kits shows the starter kit (the hi-vis vest only in
 *     its dress-code colour); one click puts every item of it in his empty
 *     cart; once ordered, a second pair of boots is refused by the
 *     once-a-year limit;
 *   - frank (park cast member, part time): what the store does with a
 *     costume piece follows from park.json's days-of-service rule and the
 *     hire date the demo gives him (read back with `livery policy
 *     explain`): listed or not as the engine decides, and refused with the
 *     reason on its page and in the quick order when he may not order it.
 * The blazer's page says its dress code (the product rule's note, not the
 * category's) although every variant of it is approved, and a checkout
 * that refused a forced submission does not enable "Place order" again.
 *
 * Every page is checked for console errors, CSP violations and failed
 * requests (the expected 4xx answers are taken out one by one), the
 * accessibility contract, and sideways scrolling at phone width (360 px);
 * screenshots of the blazer page, the kits page and the refused checkouts
 * go to $LV_BUILD_DIR/artifacts/.
 *
 * Expected values come from the example policy files, the demo catalog,
 * the demo accounts and po/fr.po. Refusal sentences are matched on what
 * they must say (the numbers, HR's label, the date), not on their wording,
 * so that a rewording or a new translation does not break the test.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { env, skipReason, startStack, withLogs } from '../http/lib/harness.mjs';
import { moneyLogin, orderCount } from '../http/lib/money.mjs';
import { DEMO_PASSWORD, accountByUsername } from '../idp/accounts.mjs';
import {
	a11yAssert, browserLaunch, browserSkipReason, failureSave, noSideScrollAssert, personOpen, shot,
} from './lib/browser.mjs';
import { catalogLoad, demoCatalogPath, examplePoliciesImport, poLoad } from './lib/demo.mjs';

const T = { timeout: 120000 };
const PHONE = { width: 360, height: 800 };
const DESKTOP = { width: 1280, height: 900 };
const EXAMPLES = path.join(env.sourceDir, 'catalog-policies', 'examples');
const example = (name) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, `${name}.json`), 'utf8'));
const bank = example('bank');
const warehouse = example('warehouse');
const park = example('park');
const catalog = catalogLoad();
const fr = poLoad('fr');
/* the languages the store has: English and one per po/<lang>.po */
const LANGS = new Set(['en', ...fs.readdirSync(path.join(env.sourceDir, 'po'))
	.filter((f) => f.endsWith('.po')).map((f) => f.slice(0, -3))]);
/* the month names the store writes dates with (the msgids of store/domain/say.c) */
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
	'October', 'November', 'December'];
/* a date as the store writes it in any of its languages: "1 January 2027", "1 janvier 2027" */
const DATE_RE = /\b(\d{1,2}) (\p{L}+) (\d{4})\b/u;
const DAY_MS = 86400000;

const squash = (s) => s.replace(/\s+/g, ' ').trim();

/* The store's language for username: their account's locale when the store has it, else English. */
const langOf = (username) => {
	const locale = accountByUsername(username).claims.locale || 'en';
	return LANGS.has(locale) ? locale : 'en';
};

/* The word for month m (1-12) in lang. */
const monthWord = (lang, m) => {
	if (lang === 'en')
		return MONTHS[m - 1];
	assert.equal(lang, 'fr', `the test knows the months of en and fr, not ${lang}`);
	const w = fr.get(MONTHS[m - 1]);
	assert.ok(w, `po/fr.po translates ${MONTHS[m - 1]}`);
	return w;
};

/* A UTC date (ms) as the store writes it in lang. */
const dateWords = (lang, ms) => {
	const d = new Date(ms);
	return `${d.getUTCDate()} ${monthWord(lang, d.getUTCMonth() + 1)} ${d.getUTCFullYear()}`;
};

/* The first day of the next period of a limit (only calendar years are needed here). */
const nextPeriodStart = (per) => {
	assert.equal(per, 'year', `the test computes the next period of "year" limits, not "${per}"`);
	return Date.UTC(new Date().getUTCFullYear() + 1, 0, 1);
};

/*
 * Checks a limit refusal without depending on its wording: it names HR's
 * label, its numbers (outside the date) are exactly "used" and "limit"
 * (both limit.max: the limit is used up), and it has one date, the
 * expected one, in the shape the store writes dates.
 */
const limitSentenceAssert = (text, limit, lang) => {
	const s = squash(text);
	assert.ok(s.includes(limit.label), `the refusal names what is limited (${limit.label}): ${s}`);
	const m = DATE_RE.exec(s);
	assert.ok(m, `the refusal gives a date ("day month year"): ${s}`);
	assert.equal(m[0], dateWords(lang, nextPeriodStart(limit.per)), `the date the next one becomes available: ${s}`);
	const numbers = s.replace(m[0], ' ').match(/\d+/g)?.map(Number) ?? [];
	assert.deepEqual(numbers, [limit.max, limit.max], `"${limit.max} of ${limit.max}" and no other number: ${s}`);
};

const product = (slug) => {
	const p = catalog.bySlug.get(slug);
	assert.ok(p, `${demoCatalogPath()} has ${slug}`);
	return p;
};
const slugOfSku = (sku) => catalog.products.find((p) => p.variants.some((v) => v.sku === sku))?.slug;
const variantOf = (sku) => catalog.products.flatMap((p) => p.variants).find((v) => v.sku === sku);

/* Does policy (one example file) let p be seen: named by its allow list (tags, categories, products) and not its deny list? */
const admits = (policy, p) => {
	const allow = policy.visibility?.allow || {};
	const deny = policy.visibility?.deny || {};
	const hit = (rule) => (rule.tags || []).some((t) => p.tags.includes(t))
		|| (rule.categories || []).includes(p.category) || (rule.products || []).includes(p.slug);
	return hit(allow) && !hit(deny);
};

const skip = skipReason || browserSkipReason();
const suite = skip ? (name, fn) => test(name, { skip }, () => {}) : describe;

suite('catalog policies in a browser', () => {
	let stack;
	let base;
	let browser;
	let current = null;
	/* the signed-in people by username; placeable: checkouts that offered the order again after refusing it */
	const s = { placeable: [] };

	const it = (name, fn) => test(name, T, async (t) => {
		try {
			await withLogs(() => stack, fn)(t);
		} catch (err) {
			await failureSave(current, name);
			throw err;
		}
	});

	const cli = (args) => {
		const r = spawnSync(env.bin, args, { encoding: 'utf8' });
		assert.equal(r.status, 0, `livery ${args.join(' ')}: ${r.stderr}`);
		return r.stdout;
	};

	/* username's signed-in browser page (opened once), made the one a failure saves. */
	const person = async (username) => {
		s[username] ||= await personOpen(browser, stack, username, DEMO_PASSWORD);
		current = s[username].page;
		return s[username];
	};

	/* screenshots are evidence, not the test: a failed one must not hide the result */
	const snap = (page, name) => shot(page, name, { fullPage: true }).catch(() => {});

	/*
	 * The checks every page gets: the accessibility contract in lang, no
	 * sideways scrolling at phone width, nothing reported by the page; a
	 * full-page screenshot when name is given.
	 */
	const pageCheck = async (who, lang, name) => {
		const { page } = who;
		const what = name || page.url();
		await a11yAssert(page, lang, what);
		if (name)
			await snap(page, name);
		await page.setViewportSize(PHONE);
		try {
			await noSideScrollAssert(page, `${what} at ${PHONE.width}px`);
		} finally {
			await page.setViewportSize(DESKTOP);
		}
		who.watch.assertNone(what);
	};

	/* Takes the problems the page reported; asserts they are all a status in statuses. */
	const expectedOnly = (who, statuses, what) => {
		const seen = who.watch.take();
		const re = new RegExp(`\\b(${statuses.join('|')})\\b`);
		assert.ok(seen.length >= 1, `${what}: the refusal is an HTTP error`);
		assert.ok(seen.every((x) => re.test(x) && !/uncaught|Content[- ]Security/i.test(x)),
			`${what}: only the ${statuses.join('/')} answer expected:\n${seen.join('\n')}`);
	};

	/* The product pages linked as cards from url and its following pages. */
	const listed = async (page, url) => {
		const slugs = new Set();
		let next = url;
		for (let i = 0; next && i < 20; i++) {
			const res = await page.goto(next);
			assert.equal(res.status(), 200, `${next} answers`);
			for (const href of await page.locator('main a.card-link').evaluateAll((as) => as.map((a) => a.getAttribute('href'))))
				slugs.add(href.replace(/^\/p\//, '').replace(/[?#].*$/, ''));
			const more = page.locator('main a[rel="next"]');
			next = (await more.count()) ? new URL(await more.first().getAttribute('href'), page.url()).href : null;
		}
		return slugs;
	};

	/* The number in the header's cart badge. */
	const cartCount = async (page) => Number(squash(await page.locator('header.site-header a.cart-link .cart-count').textContent()) || 0);

	/* The cart's lines as [sku, quantity], from the cart page. */
	const cartLines = async (page) => {
		await page.goto(`${base}/cart`);
		return page.locator('main li.line form.quantity-form').evaluateAll((forms) => forms.map((f) => [f.elements.sku.value, Number(f.elements.quantity.value)]));
	};

	/* Submits the form of button and waits for the page it leads to. */
	const submit = async (page, button, url) => {
		await Promise.all([page.waitForURL(url, { waitUntil: 'load' }), button.click()]);
	};

	/* From a product page: picks variant v with the picker, then adds quantity of it to the cart. */
	const addFromPage = async (page, p, v, quantity) => {
		await page.goto(`${base}/p/${p.slug}`);
		for (const attr of ['size', 'colour', 'fit'])
			if (v[attr])
				await page.locator('form.variant-picker label.chip', { has: page.locator(`input[name="${attr}"][value="${v[attr]}"]`) }).click();
		await submit(page, page.locator('form.variant-picker button[type="submit"]'),
			(u) => u.pathname === `/p/${p.slug}` && u.search.length > 1);
		assert.equal(await page.locator('form.add-to-cart input[name="sku"]').inputValue(), v.sku, 'the picker chose the variant');
		await page.locator('form.add-to-cart input[name="quantity"]').fill(String(quantity));
		await submit(page, page.locator('form.add-to-cart button[type="submit"]'),
			(u) => u.searchParams.get('added') === v.sku);
	};

	/* Places the order shown on /checkout; returns its reference. */
	const orderPlace = async (page) => {
		await page.goto(`${base}/checkout`);
		await submit(page, page.locator('form.checkout-form button[type="submit"]'), /\/orders\/LV-\d+$/);
		return new URL(page.url()).pathname.split('/').pop();
	};

	/*
	 * On /checkout with a cart policies refuse: returns the text of the
	 * refusal of sku (without its item number), after checking that the
	 * order cannot be placed (the page checked and shot as name) and that
	 * submitting the form anyway is refused too and places no order.
	 */
	const checkoutRefused = async (who, username, sku, name) => {
		const { page } = who;
		const res = await page.goto(`${base}/checkout`);
		assert.equal(res.status(), 200);
		const problem = page.locator('main [role="alert"] li', { hasText: sku });
		assert.equal(await problem.count(), 1, `the checkout names the refused line ${sku}`);
		const text = await problem.evaluate((li) => {
			const c = li.cloneNode(true);
			c.querySelectorAll('.sku').forEach((x) => x.remove());
			return c.textContent;
		});
		assert.ok(await page.locator('form.checkout-form button[type="submit"]').isDisabled(), 'the order cannot be placed');
		await pageCheck(who, langOf(username), name);
		/* the button is only the surface: the checkout itself refuses a forced submission */
		const eid = accountByUsername(username).claims.employee_id;
		const orders = orderCount(stack.livery, eid);
		const [post] = await Promise.all([
			page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/checkout'),
			page.waitForEvent('load'),
			page.locator('form.checkout-form').evaluate((f) => f.submit()),
		]);
		assert.ok(post.status() >= 400 && post.status() < 500, `a forced submission is refused (got ${post.status()})`);
		assert.equal(orderCount(stack.livery, eid), orders, 'no order is placed');
		assert.equal(await page.locator('main [role="alert"] li', { hasText: sku }).count(), 1, 'the refusal says why again');
		expectedOnly(who, [String(post.status())], 'forced checkout');
		if (!(await page.locator('form.checkout-form button[type="submit"]').isDisabled()))
			s.placeable.push(`${username}: ${sku}`);
		return text;
	};

	before(async () => {
		browser = await browserLaunch();
		stack = await startStack({
			provider: 'real',
			livery: {
				catalogCsv: demoCatalogPath(),
				config: { server: { threads: null }, store: { uncovered_overage: 'payroll' } },
			},
		});
		base = stack.base;
		/* an allowance that pays for everything, so that only the policies can refuse a checkout */
		const file = path.join(stack.livery.tmpDir, 'everyone.json');
		fs.writeFileSync(file, JSON.stringify({
			slug: 'everyone', name: 'Work wear', unit: 'money', amount: 100000000, period: 'yearly',
			reset: 'calendar', overage: 'payroll', position: 1,
		}));
		cli(['allowance', 'programme-create', '--config', stack.livery.configPath, file]);
		await examplePoliciesImport(stack, await moneyLogin(stack, 'alice'),
			catalog.products.find((p) => !p.restricted && !admits(bank, p)));
	});
	after(async () => {
		for (const who of Object.values(s))
			await who?.ctx?.close?.().catch(() => {});
		await browser?.close().catch(() => {});
		await stack?.stop();
	});

	it('alice: a product her policies hide is not listed, not found and not reachable', async () => {
		/* a product for the park or the warehouse only: open to all without policies, not to the bank */
		const hidden = catalog.products.find((p) => !p.restricted && !admits(bank, p)
			&& admits(park, p) && p.category === bank.dress_code.find((r) => r.category)?.category);
		assert.ok(hidden, 'the demo catalog has a park product in the bank dress code\'s category');
		const shown = product(bank.dress_code.find((r) => r.product).product);
		const lang = langOf('alice');
		const who = await person('alice');
		const { page } = who;

		const inCategory = await listed(page, `${base}/c/${hidden.category}`);
		assert.ok(inCategory.has(shown.slug), `${shown.slug} is listed in ${hidden.category} (the listing works)`);
		assert.ok(!inCategory.has(hidden.slug), `${hidden.slug} is not listed in ${hidden.category}`);
		await pageCheck(who, lang);

		const search = `${base}/search?q=${encodeURIComponent(hidden.name)}`;
		assert.ok(!(await listed(page, search)).has(hidden.slug), `the search for "${hidden.name}" does not find it`);
		await pageCheck(who, lang);
		/* the same search finds it for someone the park policy is for: the query is a good one */
		const frank = await moneyLogin(stack, 'frank');
		const r = await frank.get(`/api/v1/products?q=${encodeURIComponent(hidden.name)}&per_page=48`);
		assert.ok((r.json().items || r.json().products).some((p) => p.slug === hidden.slug),
			`the search for "${hidden.name}" finds ${hidden.slug} for frank`);

		/* its address: the very page of a product that does not exist */
		const notFound = async (slug) => {
			const res = await page.goto(`${base}/p/${slug}`);
			return {
				status: res.status(),
				reason: await page.locator('main').getAttribute('data-reason'),
				h1: squash(await page.locator('h1').innerText()),
				lead: squash(await page.locator('main .lead').innerText()),
			};
		};
		const direct = await notFound(hidden.slug);
		expectedOnly(who, ['404'], `/p/${hidden.slug}`);
		await pageCheck(who, lang);
		const none = await notFound(`${hidden.slug}-does-not-exist`);
		expectedOnly(who, ['404'], 'a product that does not exist');
		assert.equal(direct.status, 404, 'its address answers 404');
		assert.deepEqual(direct, none, 'the same page as for a product that does not exist');

		/* the quick order does not know its item numbers either */
		const sku = hidden.variants[0].sku;
		await page.goto(`${base}/cart/quick`);
		const box = page.locator('main textarea[name="lines"]');
		const said = {};
		for (const [key, line] of [['hidden', sku], ['none', 'NO-SUCH-SKU']]) {
			await box.fill(`${line} 1`);
			await submit(page, page.locator('main form.quick-form button[type="submit"]'), `${base}/cart/quick`);
			said[key] = squash(await page.locator('main [role="alert"]').innerText()).replace(line, 'SKU');
			expectedOnly(who, ['400'], `quick order of ${line}`);
		}
		assert.equal(said.hidden, said.none, 'its item number is refused like one that does not exist');
		assert.equal(await cartCount(page), 0, 'nothing was added');
	});

	it('alice: the blazer offers only the colours and fits its dress-code rule approves', async () => {
		const lang = langOf('alice');
		const rule = bank.dress_code.find((r) => r.product);
		const blazer = product(rule.product);
		const who = await person('alice');
		const { page } = who;
		const res = await page.goto(`${base}/p/${blazer.slug}`);
		assert.equal(res.status(), 200);
		const offered = async (attr) => (await page.locator(`form.variant-picker input[name="${attr}"]`)
			.evaluateAll((xs) => xs.map((x) => x.value))).sort();
		const approved = (attr, list) => [...new Set(blazer.variants.map((v) => v[attr]).filter(Boolean))]
			.filter((x) => !list || list.includes(x)).sort();
		assert.deepEqual(await offered('colour'), approved('colour', rule.colours), 'only the approved colours');
		assert.deepEqual(await offered('fit'), approved('fit', rule.fits), 'only the approved fits');
		await pageCheck(who, lang, 'policies-blazer');
	});

	it('alice: the blazer page says its dress code, the note of its own rule', async () => {
		const rule = bank.dress_code.find((r) => r.product);
		const who = await person('alice');
		const { page } = who;
		await page.goto(`${base}/p/${rule.product}`);
		const note = page.locator('main .policy-note');
		assert.equal(await note.count(), 1, 'the page shows the dress code');
		/* the product's own rule is more specific than its category's: its note is the one shown */
		const text = squash(await note.innerText());
		assert.ok(text.includes(rule.note), `the blazer's dress-code note: ${text}`);
		const general = bank.dress_code.find((r) => r.category === product(rule.product).category);
		if (general)
			assert.ok(!text.includes(general.note), 'not the note of the category rule');
		who.watch.assertNone('blazer');
	});

	it('alice: a uniform sold in other colours too offers only the approved ones', async () => {
		const lang = langOf('alice');
		const rule = bank.dress_code.find((r) => r.category);
		const named = new Set(bank.dress_code.filter((r) => r.product).map((r) => r.product));
		const item = catalog.products.find((p) => p.category === rule.category && !named.has(p.slug)
			&& admits(bank, p) && !p.restricted
			&& p.variants.some((v) => rule.colours.includes(v.colour))
			&& p.variants.some((v) => !rule.colours.includes(v.colour)));
		assert.ok(item, `the demo catalog has a ${rule.category} product in approved and other colours`);
		const who = await person('alice');
		const { page } = who;
		await page.goto(`${base}/p/${item.slug}`);
		const colours = await page.locator('form.variant-picker input[name="colour"]').evaluateAll((xs) => xs.map((x) => x.value));
		const approved = [...new Set(item.variants.map((v) => v.colour))].filter((c) => rule.colours.includes(c));
		assert.deepEqual(colours.sort(), approved.sort(), `${item.slug}: only the approved colours`);
		const rows = await page.locator('main table.variant-table tbody tr td:first-child').allTextContents();
		assert.ok(rows.length > 0 && rows.every((sku) => rule.colours.includes(variantOf(sku.trim())?.colour)),
			`the table of variants lists only approved ones: ${rows}`);
		assert.ok(squash(await page.locator('main .policy-note').innerText()).includes(rule.note), 'the category rule\'s note');
		/* a crafted address asking for a colour the rule does not approve selects nothing */
		const other = item.variants.find((v) => !rule.colours.includes(v.colour));
		await page.goto(`${base}/p/${item.slug}?sku=${encodeURIComponent(other.sku)}&colour=${encodeURIComponent(other.colour)}`);
		assert.equal(await page.locator('form.add-to-cart').count(), 0, `${other.colour} cannot be chosen`);
		await pageCheck(who, lang);
	});

	it('alice: she orders the yearly number of shirts; one more is refused with the numbers and the date', async () => {
		const lang = langOf('alice');
		const limit = bank.limits.find((l) => (l.products || []).some((x) => /shirt/.test(x)));
		assert.ok(limit, 'bank.json limits shirts');
		const rule = bank.dress_code.find((r) => r.category);
		const shirts = (limit.products || []).map(product).filter((p) => p.category !== rule.category
			|| p.variants.some((v) => rule.colours.includes(v.colour)));
		assert.ok(shirts.length > 0, 'a shirt of the limit that the dress code approves');
		const shirt = shirts[0];
		const v = shirt.variants.find((x) => x.stock > limit.max && (shirt.category !== rule.category || rule.colours.includes(x.colour)));
		assert.ok(v, `${shirt.slug} has an approved variant with ${limit.max + 1} in stock`);
		const who = await person('alice');
		const { page } = who;

		await addFromPage(page, shirt, v, limit.max);
		assert.equal(await cartCount(page), limit.max, `${limit.max} shirts in the cart`);
		await orderPlace(page);
		assert.equal(await cartCount(page), 0, 'the order emptied the cart');
		await pageCheck(who, lang);

		await addFromPage(page, shirt, v, 1);
		const text = await checkoutRefused(who, 'alice', v.sku, 'policies-limit-refused');
		limitSentenceAssert(text, limit, lang);
		await pageCheck(who, lang);
	});

	it('bob: the starter kit goes into his cart in one step and counts against the boots limit', async () => {
		const lang = langOf('bob');
		const kit = warehouse.kits[0];
		const limit = warehouse.limits.find((l) => l.product && kit.items.some((i) => i.product === l.product));
		assert.ok(limit, 'warehouse.json limits an item of its kit');
		const who = await person('bob');
		const { page } = who;
		assert.equal(await cartCount(page), 0, 'bob starts with an empty cart');
		await page.goto(`${base}/kits`);
		const panel = page.locator('main form.kit', { has: page.locator('h2', { hasText: kit.name }) });
		assert.equal(await panel.count(), 1, `the kit "${kit.name}" is offered`);

		/* each item with the variants his dress code approves; for the limited one, a variant with stock to spare */
		const chosen = new Map();
		for (const item of kit.items) {
			const p = product(item.product);
			const row = panel.locator('li.kit-item', { has: page.locator(`a[href="/p/${p.slug}"]`) });
			assert.equal(await row.count(), 1, `${p.slug} is in the kit`);
			const skus = await row.locator('select option').evaluateAll((os) => os.map((o) => o.value));
			assert.ok(skus.length > 0 && skus.every((sku) => slugOfSku(sku) === p.slug), `${p.slug}: its own variants`);
			for (const rule of warehouse.dress_code.filter((r) => r.product === p.slug || p.tags.includes(r.tag) || r.category === p.category))
				assert.ok(skus.every((sku) => rule.colours.includes(variantOf(sku).colour)),
					`${p.slug}: only ${rule.colours.join(', ')} (${rule.note})`);
			const pick = skus.find((sku) => variantOf(sku).stock > item.quantity * 2) || skus[0];
			await row.locator('select').selectOption(pick);
			chosen.set(pick, item.quantity);
		}
		await pageCheck(who, lang, 'policies-kits');

		await submit(page, panel.locator('button[type="submit"]'), (u) => u.pathname === '/cart');
		const lines = await cartLines(page);
		assert.deepEqual(new Map(lines), chosen, 'the cart holds the kit, each item in its quantity, nothing else');
		assert.equal(await cartCount(page), kit.items.reduce((n, i) => n + i.quantity, 0));
		await pageCheck(who, lang);
		await orderPlace(page);
		await pageCheck(who, lang);

		/* a second pair within the year */
		const boots = product(limit.product);
		const sku = [...chosen.keys()].find((x) => slugOfSku(x) === boots.slug);
		await addFromPage(page, boots, variantOf(sku), 1);
		const text = await checkoutRefused(who, 'bob', sku, 'policies-kit-limit-refused');
		limitSentenceAssert(text, limit, lang);
		await pageCheck(who, lang);
	});

	it('a checkout that refused a submission does not offer to place the order again', async () => {
		assert.ok(s.alice && s.bob, 'the refused checkouts above ran');
		assert.deepEqual(s.placeable, [], 'after the refusal, the button is still disabled');
	});

	it('frank: a costume piece follows the days-of-service rule and the hire date he has', async () => {
		const lang = langOf('frank');
		const rule = park.eligibility.find((e) => e.min_days);
		assert.ok(rule, 'park.json has a days-of-service rule');
		const costume = catalog.products.find((p) => (rule.tag ? p.tags.includes(rule.tag) : p.slug === rule.product)
			&& admits(park, p));
		assert.ok(costume, `the demo catalog has a product the rule (${JSON.stringify(rule)}) covers`);
		const who = await person('frank');
		const { page } = who;

		/* what the demo gives him: the provider's claims, as stored, read back by the engine */
		const claims = accountByUsername('frank').claims;
		const out = cli(['policy', 'explain', '--config', stack.livery.configPath, '--employee', claims.employee_id,
			'--product', costume.slug]);
		const m = /hired (\d{4}-\d\d-\d\d|\(unknown\)), today (\d{4}-\d\d-\d\d)/.exec(out);
		assert.ok(m, `policy explain says his hire date:\n${out}`);
		const hired = m[1] === '(unknown)' ? null : Date.parse(`${m[1]}T00:00:00Z`);
		assert.equal(hired === null ? undefined : m[1], claims.hire_date, 'the hire date is the one the demo gives');
		const from = hired === null ? null : hired + rule.min_days * DAY_MS;
		const eligible = from !== null && from <= Date.parse(`${m[2]}T00:00:00Z`);
		const verdicts = [...out.matchAll(/may be ordered \([^)]*\): (.*)/g)].map((x) => x[1]);
		assert.ok(verdicts.length > 0 && verdicts.every((x) => (eligible ? x === 'yes' : /not eligible/.test(x))),
			`the engine agrees with park.json (${rule.min_days} days, hired ${m[1]}):\n${out}`);
		const visible = /^ {2}visible: yes$/m.test(out);

		const found = await listed(page, `${base}/search?q=${encodeURIComponent(costume.name)}`);
		assert.equal(found.has(costume.slug), visible, `the search ${visible ? 'finds' : 'does not find'} ${costume.slug}, as the engine decides`);
		await pageCheck(who, lang);

		const res = await page.goto(`${base}/p/${costume.slug}`);
		if (eligible) {
			assert.equal(res.status(), 200);
			assert.equal(await page.locator('main .policy-note').count(), 0);
			await pageCheck(who, lang);
			return;
		}
		if (!visible) {
			assert.equal(res.status(), 404, 'hidden: not found');
			expectedOnly(who, ['404'], costume.slug);
			return;
		}
		/* refused with the reason: the number of days, and the date when he will have them, if known */
		assert.equal(res.status(), 403, `${costume.slug} is refused`);
		expectedOnly(who, ['403'], costume.slug);
		const why = squash(await page.locator('main .lead').innerText());
		assert.match(why, new RegExp(`\\b${rule.min_days}\\b`), `the reason gives the ${rule.min_days} days: ${why}`);
		if (from === null)
			assert.ok(!DATE_RE.test(why), `without a hire date, no date is promised: ${why}`);
		else
			assert.ok(why.includes(dateWords(lang, from)), `the date he becomes eligible: ${why}`);
		await pageCheck(who, lang, 'policies-not-eligible');

		/* the quick order refuses it with the same reason */
		await page.goto(`${base}/cart/quick`);
		await page.locator('main textarea[name="lines"]').fill(`${costume.variants[0].sku} 1`);
		await submit(page, page.locator('main form.quick-form button[type="submit"]'), `${base}/cart/quick`);
		const alert = squash(await page.locator('main [role="alert"]').innerText());
		assert.ok(alert.includes(why), `the quick order says why: ${alert}`);
		expectedOnly(who, ['400'], 'quick order of a costume piece');
		assert.equal(await cartCount(page), 0, 'nothing was added');
		await pageCheck(who, lang);
	});
});
