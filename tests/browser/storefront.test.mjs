// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * storefront.test.mjs - the store as a person uses it, in headless
 * Chromium (Debian's, driven by playwright-core) against the real livery
 * binary and the real test provider (tests/idp/provider.mjs), with the
 * demo catalog imported. Bob signs in through the provider's login page,
 * lands on the catalog greeted by his first name, opens a category and
 * filters it, searches for a product that exists and for one that does
 * not, opens a product and picks a size and colour (the price, stock and
 * item number follow), sees his profile, uses the store at phone width,
 * switches to French (which sticks on the next page) and back, and signs
 * out through the provider's end-session page (a copy of his old cookie
 * no longer opens the store). Carol browses and searches with JavaScript
 * disabled. Every store page is checked for console errors, CSP
 * violations, failed requests and a small accessibility contract, and
 * livery must exit cleanly at the end (which is where the sanitizers speak).
 * Screenshots go to $LV_BUILD_DIR/artifacts/. One browser context is open
 * at a time: two at once is concurrency.test.mjs's subject.
 *
 * Expected values come from the demo data itself (demo/catalog/catalog.csv,
 * tests/idp/accounts.mjs, po/fr.po), so a wrong page cannot pass.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { skipReason, startStack, withLogs } from '../http/lib/harness.mjs';
import { DEMO_PASSWORD, accountByUsername } from '../idp/accounts.mjs';
import {
	a11yAssert, browserLaunch, browserSkipReason, contextNew, failureSave, imagesLoad, noSideScrollAssert,
	pageWatch, shot, signIn, signOut,
} from './lib/browser.mjs';
import { catalogLoad, demoCatalogPath, poLoad, priceDigits, variantValues } from './lib/demo.mjs';

const T = { timeout: 90000 };
const NO_SUCH_PRODUCT = 'qqxyzzy';

const catalog = catalogLoad();
const fr = poLoad('fr');

/* The French of an English UI string (from po/fr.po); fails when it is untranslated. */
function french(msgid, vars = {}) {
	const s = fr.get(msgid);
	assert.ok(s && s !== msgid, `po/fr.po has no French for ${JSON.stringify(msgid)}`);
	return s.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (m, k) => vars[k] ?? m);
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/* The accessible name of a variant chip: its value, and a hidden note when that value is not available. */
const chipName = (value) => new RegExp(`^${escapeRe(value)}( \\(not available\\))?$`);

/*
 * The product the variant test uses: visible to everyone, no fit, at least
 * two sizes and two colours, with one variant well in stock and one out of
 * stock that differ in both size and colour, so that picking size and
 * colour alone selects each and both change.
 */
function productForVariants() {
	for (const p of catalog.products) {
		if (p.restricted || variantValues(p, 'fit').length > 0 ||
		    variantValues(p, 'size').length < 2 || variantValues(p, 'colour').length < 2)
			continue;
		const a = p.variants.find((v) => v.stock >= 20);
		const b = a && p.variants.find((v) => v.stock === 0 && v.size !== a.size && v.colour !== a.colour);
		if (b)
			return { product: p, a, b };
	}
	throw new Error(`${demoCatalogPath()}: no product fits the variant test`);
}

/* A word of the product's name to search for: its longest word of letters. */
function searchWord(product) {
	return product.name.split(/[^A-Za-z]+/).sort((x, y) => y.length - x.length)[0].toLowerCase();
}

const skip = skipReason || browserSkipReason();
/* a skipped suite would count no test at all: say it as one skipped test */
const suite = skip ? (name, fn) => test(name, { skip }, () => {}) : describe;

suite('the storefront in a browser', () => {
	let stack;
	let base;
	let idpOrigin;
	let browser;
	const s = {}; /* contexts, pages and watches shared by the steps below */
	let current = null; /* the page a failing step saves */
	const pick = productForVariants();
	const bob = accountByUsername('bob').claims;
	const carol = accountByUsername('carol').claims;

	const it = (name, fn) => test(name, T, async (t) => {
		try {
			await withLogs(() => stack, fn)(t);
		} catch (err) {
			await failureSave(current, name);
			throw err;
		}
	});
	const needSignedIn = (t) => {
		if (!s.signedIn)
			t.skip('bob could not sign in (see the first failure)');
		return !s.signedIn;
	};

	/* The names of the product cards on the page shown. */
	const cardNames = (page) => page.locator('main ul.product-grid').getByRole('heading', { level: 3 }).allInnerTexts();
	/* Asserts that every card names a product of products (a list from the CSV), and that there is one at least. */
	const cardsAssert = async (page, products, what) => {
		const names = await cardNames(page);
		assert.ok(names.length > 0, `${what}: no product cards`);
		const known = new Set(products.map((p) => p.name));
		const stray = names.filter((n) => !known.has(n.trim()));
		assert.deepEqual(stray, [], `${what}: cards that should not be there`);
		return names.map((n) => n.trim());
	};

	/* Closes bob's desktop browser (its connections to the store go with it). */
	const desktopClose = async () => {
		await s.ctx?.close();
		s.ctx = null;
		s.page = null;
		current = null;
	};
	/* Opens bob's desktop browser again, with the cookies of state (a storageState). */
	const desktopOpen = async (state) => {
		s.ctx = await contextNew(browser, state ? { storageState: state } : {});
		s.page = await s.ctx.newPage();
		s.watch = pageWatch(s.page, base);
		current = s.page;
	};

	before(async () => {
		browser = await browserLaunch();
		/* the shipped number of server threads (the harness's 4 is for the HTTP tests' single client) */
		stack = await startStack({
			provider: 'real',
			livery: { catalogCsv: demoCatalogPath(), config: { server: { threads: null } } },
		});
		base = stack.base;
		idpOrigin = new URL(stack.idp.url).origin;
		await desktopOpen(null);
	});
	after(async () => {
		for (const c of [s.nojs, s.ctx])
			await c?.close().catch(() => {});
		await browser?.close().catch(() => {});
		if (!s.stopped)
			await stack?.stop();
	});

	it('bob signs in through the provider\'s login page and is greeted by his first name', async () => {
		const { page, watch } = s;
		const r = await signIn(page, {
			start: `${base}/`, storeOrigin: base, idpOrigin, username: 'bob', password: DEMO_PASSWORD,
		});
		assert.ok(r.loginPageSeen, 'the provider showed its login page');
		assert.equal(new URL(page.url()).pathname, '/', 'back on the catalog home');
		s.signedIn = true;
		s.bobState = await s.ctx.storageState();
		await page.getByText(`Welcome, ${bob.given_name}`, { exact: true }).waitFor();
		assert.equal(await page.getByText(`Welcome, ${bob.family_name}`).count(), 0, 'greeted by first name only');
		const cookies = await s.ctx.cookies(base);
		const session = cookies.find((c) => c.name === 'livery_session');
		assert.ok(session?.httpOnly, 'a HttpOnly livery_session cookie');
		watch.assertNone('catalog home after sign-in');
	});

	it('the catalog home shows the demo products; desktop screenshot', async (t) => {
		if (needSignedIn(t))
			return;
		const { page, watch } = s;
		await page.goto(`${base}/`);
		const names = await cardsAssert(page, catalog.products, 'catalog home');
		const total = Number(/Products found: (\d+)/.exec(await page.locator('main').innerText())?.[1]);
		assert.ok(total >= names.length, `"Products found: N" (${total}) counts at least the ${names.length} cards shown`);
		await a11yAssert(page, 'en', 'catalog home');
		await page.getByRole('navigation', { name: 'Categories' }).waitFor();
		t.diagnostic(`screenshot ${await shot(page, 'catalog-desktop')}`);
		assert.deepEqual(await imagesLoad(page), [], 'catalog home: images that did not load');
		t.diagnostic(`screenshot ${await shot(page, 'catalog-desktop-full', { fullPage: true })}`);
		watch.assertNone('catalog home');
	});

	it('a category page lists only that category, and its filters narrow it', async (t) => {
		if (needSignedIn(t))
			return;
		const { page, watch } = s;
		const cat = catalog.categories.get(pick.product.category);
		await page.goto(`${base}/`);
		await Promise.all([
			page.waitForURL(`${base}/c/${cat.slug}`),
			page.getByRole('navigation', { name: 'Categories' }).getByRole('link', { name: cat.name, exact: true }).click(),
		]);
		assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), cat.name);
		assert.equal(await page.getByRole('navigation', { name: 'Categories' })
			.getByRole('link', { name: cat.name, exact: true }).getAttribute('aria-current'), 'page',
			'the category is marked current in the navigation');
		await cardsAssert(page, cat.products, `category ${cat.slug}`);
		await a11yAssert(page, 'en', `category ${cat.slug}`);

		/* a colour that some products of the category have and others lack, if there is one */
		const colours = [...new Set(cat.products.flatMap((p) => variantValues(p, 'colour')))];
		const has = (p, c) => p.variants.some((v) => v.colour === c);
		const colour = colours.find((c) => cat.products.some((p) => !has(p, c))) || colours[0];
		const filters = page.getByRole('complementary', { name: 'Filters' });
		await filters.getByRole('checkbox', { name: colour, exact: true }).check();
		await Promise.all([
			page.waitForURL((u) => u.searchParams.getAll('colour').includes(colour)),
			filters.getByRole('button', { name: 'Apply filters' }).click(),
		]);
		assert.equal(new URL(page.url()).pathname, `/c/${cat.slug}`, 'the filter form stays on the category');
		await cardsAssert(page, cat.products.filter((p) => has(p, colour)), `category ${cat.slug} filtered by ${colour}`);
		assert.ok(await page.getByRole('complementary', { name: 'Filters' })
			.getByRole('checkbox', { name: colour, exact: true }).isChecked(), 'the chosen colour stays ticked');
		await a11yAssert(page, 'en', `category ${cat.slug} filtered`);
		watch.assertNone(`category ${cat.slug}`);
	});

	it('search finds a product that exists and says clearly when nothing matches', async (t) => {
		if (needSignedIn(t))
			return;
		const { page, watch } = s;
		const word = searchWord(pick.product);
		const box = page.getByRole('searchbox', { name: 'Search the store' });
		await box.fill(word);
		await Promise.all([page.waitForURL((u) => u.pathname === '/search'), box.press('Enter')]);
		assert.equal(new URL(page.url()).searchParams.get('q'), word);
		const names = await cardsAssert(page, catalog.products, `search ${word}`);
		assert.ok(names.includes(pick.product.name), `searching "${word}" shows ${pick.product.name}; shown: ${names.join(', ')}`);
		assert.equal(await page.getByRole('searchbox', { name: 'Search the store' }).inputValue(), word,
			'the search box keeps the query');
		await page.getByText(`Search results for “${word}”`).waitFor();
		await a11yAssert(page, 'en', `search ${word}`);

		await page.getByRole('searchbox', { name: 'Search the store' }).fill(NO_SUCH_PRODUCT);
		await Promise.all([
			page.waitForURL((u) => u.searchParams.get('q') === NO_SUCH_PRODUCT),
			page.getByRole('button', { name: 'Search', exact: true }).click(),
		]);
		await page.getByRole('heading', { name: 'No products found' }).waitFor();
		assert.match(await page.locator('main').innerText(), /Products found: 0/);
		assert.equal((await cardNames(page)).length, 0, 'no product cards for a search without results');
		await page.getByRole('link', { name: 'Back to the store' }).waitFor();
		await a11yAssert(page, 'en', 'search without results');
		t.diagnostic(`screenshot ${await shot(page, 'search-empty-desktop')}`);
		watch.assertNone('search');
	});

	it('a product page: picking a size and a colour shows that variant\'s price, stock and item number', async (t) => {
		if (needSignedIn(t))
			return;
		const { page, watch } = s;
		const { product, a, b } = pick;
		await page.goto(`${base}/search?q=${encodeURIComponent(searchWord(product))}`);
		await Promise.all([
			page.waitForURL(`${base}/p/${product.slug}`),
			page.locator('main ul.product-grid').getByRole('link', { name: product.name, exact: true }).click(),
		]);
		assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), product.name);
		await a11yAssert(page, 'en', `product ${product.slug}`);

		const choose = async (v) => {
			for (const [legend, value] of [['Size', v.size], ['Colour', v.colour]]) {
				await page.getByRole('group', { name: legend, exact: true })
					.getByRole('radio', { name: chipName(value) })
					.check();
			}
			await Promise.all([
				page.waitForURL((u) => u.searchParams.get('size') === v.size && u.searchParams.get('colour') === v.colour),
				page.getByRole('button', { name: 'Show price and stock' }).click(),
			]);
			assert.equal(new URL(page.url()).pathname, `/p/${product.slug}`, 'the picker reloads the same product');
			for (const [legend, value] of [['Size', v.size], ['Colour', v.colour]]) {
				assert.ok(await page.getByRole('group', { name: legend, exact: true })
					.getByRole('radio', { name: chipName(value) })
					.isChecked(), `${legend} ${value} stays chosen after the reload`);
			}
			const info = await page.locator('main').innerText();
			assert.ok(info.includes(`Item no. ${v.sku}`), `the page shows item no. ${v.sku}:\n${info.slice(0, 800)}`);
			const price = await page.locator('main .product-price').innerText();
			assert.equal(priceDigits(price), priceDigits(v.price), `price ${price} is ${v.price}`);
			return info;
		};

		const infoA = await choose(a);
		assert.ok(/\bIn stock\b/.test(infoA) || infoA.includes(`Only ${a.stock} left`),
			`${a.sku} (stock ${a.stock}) is shown in stock`);
		assert.ok(!/Out of stock/.test(await page.locator('main .product-availability').innerText()),
			`${a.sku} is not shown out of stock`);
		await a11yAssert(page, 'en', `product ${product.slug}, ${a.sku}`);
		assert.deepEqual(await imagesLoad(page), [], `product ${product.slug}: images that did not load`);
		t.diagnostic(`screenshot ${await shot(page, 'product-desktop')}`);
		t.diagnostic(`screenshot ${await shot(page, 'product-desktop-full', { fullPage: true })}`);

		await choose(b);
		assert.match(await page.locator('main .product-availability').innerText(), /Out of stock/,
			`${b.sku} (stock 0) is shown out of stock`);
		t.diagnostic(`screenshot ${await shot(page, 'product-out-of-stock-desktop')}`);
		watch.assertNone(`product ${product.slug}`);
	});

	it('the profile page shows bob as the provider describes him', async (t) => {
		if (needSignedIn(t))
			return;
		const { page, watch } = s;
		await Promise.all([page.waitForURL(`${base}/profile`), page.getByRole('link', { name: /My profile/ }).click()]);
		await page.getByRole('heading', { level: 1, name: 'My profile' }).waitFor();
		const main = await page.locator('main').innerText();
		for (const v of [bob.name, bob.email, bob.employee_id, bob.department])
			assert.ok(main.includes(v), `the profile shows ${v}`);
		await a11yAssert(page, 'en', 'profile');
		t.diagnostic(`screenshot ${await shot(page, 'profile-desktop', { fullPage: true })}`);
		watch.assertNone('profile');
	});

	it('at phone width (360x800) the catalog and a product fit the screen; phone screenshots', async (t) => {
		if (needSignedIn(t))
			return;
		/* bob puts the laptop away and takes his phone: one browser open at a time */
		s.bobState = await s.ctx.storageState();
		await desktopClose();
		const phone = await contextNew(browser, {
			viewport: { width: 360, height: 800 }, isMobile: true, hasTouch: true, storageState: s.bobState,
		});
		try {
			const page = await phone.newPage();
			const watch = pageWatch(page, base);
			current = page;
			await page.goto(`${base}/`);
			await page.getByText(`Welcome, ${bob.given_name}`, { exact: true }).waitFor();
			await cardsAssert(page, catalog.products, 'catalog home on a phone');
			await noSideScrollAssert(page, 'catalog home at 360px');
			await a11yAssert(page, 'en', 'catalog home on a phone');
			t.diagnostic(`screenshot ${await shot(page, 'catalog-phone')}`);
			assert.deepEqual(await imagesLoad(page), [], 'catalog home on a phone: images that did not load');
			t.diagnostic(`screenshot ${await shot(page, 'catalog-phone-full', { fullPage: true })}`);

			await page.getByRole('searchbox', { name: 'Search the store' }).fill(searchWord(pick.product));
			await Promise.all([
				page.waitForURL((u) => u.pathname === '/search'),
				page.getByRole('button', { name: 'Search', exact: true }).click(),
			]);
			await noSideScrollAssert(page, 'search at 360px');

			const q = new URLSearchParams({ size: pick.a.size, colour: pick.a.colour });
			await page.goto(`${base}/p/${pick.product.slug}?${q}`);
			await page.getByText(`Item no. ${pick.a.sku}`).waitFor();
			await noSideScrollAssert(page, 'product at 360px');
			t.diagnostic(`screenshot ${await shot(page, 'product-phone-full', { fullPage: true })}`);
			watch.assertNone('pages at phone width');
		} finally {
			await phone.close();
			await desktopOpen(s.bobState);
		}
	});

	it('switching to French changes the interface and sticks on the next page; and back to English', async (t) => {
		if (needSignedIn(t))
			return;
		const { page, watch } = s;
		const cat = catalog.categories.get(pick.product.category);
		await page.goto(`${base}/`);
		/* the switcher posts and comes back to the same page: wait for the French one */
		await page.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'Français' }).click();
		await page.getByRole('button', { name: french('Sign out'), exact: true }).waitFor();
		assert.equal(page.url(), `${base}/`, 'the switcher comes back to the page it was used on');
		await page.getByRole('button', { name: french('Search'), exact: true }).waitFor();
		await page.getByText(french('Welcome, {{user.first_name}}', { 'user.first_name': bob.given_name }), { exact: true }).waitFor();
		assert.equal(await page.getByRole('button', { name: 'Sign out', exact: true }).count(), 0,
			'no English left on the sign-out button');
		assert.equal(await page.getByRole('button', { name: 'Français' }).getAttribute('aria-pressed'), 'true',
			'the switcher marks French as the current language');
		await a11yAssert(page, 'fr', 'catalog home in French');
		t.diagnostic(`screenshot ${await shot(page, 'catalog-fr-desktop')}`);

		/* the next page, reached by a plain link, is French too */
		await Promise.all([
			page.waitForURL(`${base}/c/${cat.slug}`),
			page.getByRole('navigation', { name: french('Categories') }).getByRole('link', { name: cat.name, exact: true }).click(),
		]);
		await page.getByRole('button', { name: french('Sign out'), exact: true }).waitFor();
		await a11yAssert(page, 'fr', `category ${cat.slug} in French`);

		await page.getByRole('group', { name: french('Language') }).getByRole('button', { name: 'English' }).click();
		await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
		assert.equal(page.url(), `${base}/c/${cat.slug}`, 'the switcher comes back to the page it was used on');
		await a11yAssert(page, 'en', `category ${cat.slug} back in English`);
		watch.assertNone('language switch');
	});

	it('bob signs out through the provider, and / then leads to the provider\'s login page', async (t) => {
		if (needSignedIn(t))
			return;
		const { page, watch } = s;
		await page.goto(`${base}/`);
		const r = await signOut(page, { storeOrigin: base, idpOrigin, buttonName: 'Sign out' });
		assert.ok(r.confirmSeen, `the provider asked to confirm the sign-out (ended at ${r.url})`);
		const left = (await s.ctx.cookies(base)).filter((c) => c.name === 'livery_session' && c.value);
		assert.deepEqual(left, [], 'the store cleared its session cookie');

		await page.goto(`${base}/`);
		assert.equal(new URL(page.url()).origin, idpOrigin, `/ after sign-out leads to the provider, not ${page.url()}`);
		await page.getByLabel('Password', { exact: true }).waitFor();
		await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();

		watch.assertNone('sign-out');
		await desktopClose();

		/* a copy of the cookie taken before signing out (the phone's) must be refused by the server */
		if (s.bobState) {
			const copy = await contextNew(browser, { storageState: s.bobState });
			try {
				const p = await copy.newPage();
				current = p;
				await p.goto(`${base}/`);
				assert.equal(new URL(p.url()).origin, idpOrigin,
					`a copy of the signed-out session cookie still opens the store (${p.url()})`);
			} finally {
				current = null;
				await copy.close();
			}
		}
	});
	it('with JavaScript disabled, carol signs in, browses, searches and picks a variant', async (t) => {
		/* alone in the browser (bob has signed out and closed his) */
		s.nojs = await contextNew(browser, { javaScriptEnabled: false });
		const page = await s.nojs.newPage();
		const watch = pageWatch(page, base);
		current = page;
		await signIn(page, { start: `${base}/`, storeOrigin: base, idpOrigin, username: 'carol', password: DEMO_PASSWORD });
		await page.getByText(`Welcome, ${carol.given_name}`, { exact: true }).waitFor();
		await cardsAssert(page, catalog.products, 'catalog home without JavaScript');
		await a11yAssert(page, 'en', 'catalog home without JavaScript');

		const cat = catalog.categories.get(pick.product.category);
		await Promise.all([
			page.waitForURL(`${base}/c/${cat.slug}`),
			page.getByRole('navigation', { name: 'Categories' }).getByRole('link', { name: cat.name, exact: true }).click(),
		]);
		await cardsAssert(page, cat.products, `category ${cat.slug} without JavaScript`);

		const word = searchWord(pick.product);
		await page.getByRole('searchbox', { name: 'Search the store' }).fill(word);
		await Promise.all([page.waitForURL((u) => u.searchParams.get('q') === word),
			page.getByRole('searchbox', { name: 'Search the store' }).press('Enter')]);
		const names = await cardsAssert(page, catalog.products, `search ${word} without JavaScript`);
		assert.ok(names.includes(pick.product.name), `searching "${word}" without JavaScript shows ${pick.product.name}`);

		await Promise.all([
			page.waitForURL(`${base}/p/${pick.product.slug}`),
			page.locator('main ul.product-grid').getByRole('link', { name: pick.product.name, exact: true }).click(),
		]);
		const v = pick.a;
		for (const [legend, value] of [['Size', v.size], ['Colour', v.colour]]) {
			await page.getByRole('group', { name: legend, exact: true })
				.getByRole('radio', { name: chipName(value) }).check();
		}
		await Promise.all([
			page.waitForURL((u) => u.searchParams.get('size') === v.size && u.searchParams.get('colour') === v.colour),
			page.getByRole('button', { name: 'Show price and stock' }).click(),
		]);
		await page.getByText(`Item no. ${v.sku}`).waitFor();
		await a11yAssert(page, 'en', 'product without JavaScript');
		t.diagnostic(`screenshot ${await shot(page, 'product-nojs-desktop')}`);
		watch.assertNone('browsing without JavaScript');
		await s.nojs.close();
		s.nojs = null;
		current = null;
	});

	it('livery stops cleanly on SIGTERM after all this browsing', async () => {
		const r = await stack.stop();
		s.stopped = true;
		assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null },
			'livery should exit with status 0 (under the sanitizers, a leak or an error found late shows here)');
	});
});
