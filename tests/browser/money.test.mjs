// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * money.test.mjs - the money path as employees use it, in headless
 * Chromium against the real livery binary and the real test provider,
 * with the demo catalog imported and allowance programmes created with
 * the command line (`livery allowance programme-create`). Alice signs in,
 * adds a product from its page in a chosen size, changes the quantity in
 * her cart, adds another item with the quick order (after a list it
 * refuses, shown with its line and kept), reviews the checkout (what her
 * allowance pays and the balance after), places the order with a double
 * click (one order results, and the same form sent again gets the same
 * redirect), finds it in her orders and orders it again. Two orders over
 * her allowance wait for approval: Erin, her manager, approves one and
 * refuses the other with a reason (a refusal without a reason is sent
 * back), and Alice reads the reason on the refused order. Every page is
 * checked for console errors, CSP violations and failed requests, for the
 * small accessibility contract, and at phone width for sideways
 * scrolling; screenshots of the cart, checkout, order and approvals go to
 * $LV_BUILD_DIR/artifacts/.
 *
 * Expected values come from the demo data (demo/catalog/catalog.csv,
 * tests/idp/accounts.mjs, po/fr.po) and the programmes defined here.
 */
import assert from 'node:assert/strict';
import { before } from 'node:test';

import { programmeCreate } from '../http/lib/money.mjs';
import { accountByUsername } from '../idp/accounts.mjs';
import {
	a11yAssert, browserDescribe, follow, noSideScrollAssert, shot, suiteDeclare, suiteIt, suitePersonOpen,
	suitePhoneOpen,
} from './lib/browser.mjs';
import { catalogLoad, demoCatalogPath, poLoad, priceDigits, variantValues } from './lib/demo.mjs';

const UNIFORM = 30000; /* the uniform allowance, in cents */
const REFUSAL = 'Two blazers this year already';

const catalog = catalogLoad();
const fr = poLoad('fr');
const cents = (price) => Math.round(Number(price) * 100);
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const chipName = (value) => new RegExp(`^${escapeRe(value)}( \\(not available\\))?$`);

/* The French of an English UI string (from po/fr.po). */
function french(msgid) {
	const s = fr.get(msgid);
	assert.ok(s && s !== msgid, `po/fr.po has no French for ${JSON.stringify(msgid)}`);
	return s;
}

/*
 * The items the test orders, from the demo catalog: a (picked on its page
 * by size and colour: a product without fits, with two sizes or more, well
 * in stock and cheap enough that two of it and one b stay within the
 * allowance), b (another product's variant, for the quick order) and c
 * (an expensive one, to go over the allowance).
 */
function itemsPick() {
	const open = catalog.products.filter((p) => !p.restricted);
	let a;
	for (const p of open) {
		if (variantValues(p, 'fit').length > 0 || variantValues(p, 'size').length < 2)
			continue;
		const v = p.variants.find((x) => x.stock >= 20 && cents(x.price) <= 6000);
		if (v) {
			a = { product: p, variant: v };
			break;
		}
	}
	assert.ok(a, `${demoCatalogPath()}: no product fits the add-to-cart test`);
	const other = (max, min, stock) => {
		for (const p of open) {
			if (p === a.product)
				continue;
			const v = p.variants.find((x) => x.stock >= stock && cents(x.price) <= max && cents(x.price) >= min);
			if (v)
				return { product: p, variant: v };
		}
		throw new Error(`${demoCatalogPath()}: no variant priced ${min}..${max} cents with stock ${stock}`);
	};
	const b = other(6000, 100, 20);
	const c = other(100000, 10000, 10);
	return { a, b, c };
}

browserDescribe('the money path in a browser', () => {
	const s = suiteDeclare({ config: { store: { uncovered_overage: 'approval' } } });
	const it = suiteIt(s);
	const items = itemsPick();
	const alice = accountByUsername('alice').claims;
	const erin = accountByUsername('erin').claims;

	/* Opens a browser for one person, signs them in (suitePersonOpen) and turns the store to English. */
	const personOpen = async (username) => {
		const who = await suitePersonOpen(s, username);
		const { page } = who;
		/* alice and erin's accounts say French; the tests read English */
		const english = page.getByRole('group', { name: french('Language') }).getByRole('button', { name: 'English' });
		if (await english.count()) {
			await english.click();
			await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
		}
		return who;
	};

	/* Submits a form with its button and waits for the page that answers. */
	const submit = follow;

	/* The number in the header's cart link ("Cart, items: N"). */
	const cartCount = async (page) => {
		const label = await page.getByRole('link', { name: /^Cart, items: \d+$/ }).getAttribute('aria-label');
		return Number(/(\d+)$/.exec(label)[1]);
	};

	/* Places the order shown on the checkout page; returns its ref. */
	const checkoutPlace = async (page, buttonName) => {
		await submit(page, page.getByRole('button', { name: buttonName, exact: true }), /\/orders\/LV-\d+$/);
		return new URL(page.url()).pathname.split('/').pop();
	};

	before(async () => {
		programmeCreate(s.stack.livery, {
			slug: 'uniform', name: 'Uniform allowance', unit: 'money', amount: UNIFORM, period: 'yearly',
			reset: 'calendar', audience: { employee_ids: [alice.employee_id] }, overage: 'approval', position: 1,
		});
		/* points for a category none of the ordered items is in, so that the uniform allowance alone pays */
		const used = new Set([items.a, items.b, items.c].map((i) => i.product.category));
		const free = [...catalog.categories.keys()].find((c) => !used.has(c));
		assert.ok(free, 'a category none of the test items is in');
		programmeCreate(s.stack.livery, {
			slug: 'casual', name: 'Casual points', unit: 'points', amount: 40, points_rate: 100,
			period: 'quarterly', audience: { employee_ids: [alice.employee_id] },
			categories: [free], overage: 'approval', position: 2,
		});
	});

	it('alice signs in; her allowances are shown with their next renewal', async () => {
		s.alice = await personOpen('alice');
		const { page, watch } = s.alice;
		assert.equal(await cartCount(page), 0, 'an empty cart in the header');
		await submit(page, page.getByRole('navigation', { name: 'Your orders and allowances' })
			.getByRole('link', { name: 'Allowances' }), `${s.base}/allowances`);
		await page.getByRole('heading', { level: 1, name: 'My allowances' }).waitFor();
		const main = await page.locator('main').innerText();
		assert.match(main, /Uniform allowance/);
		assert.ok(main.includes('300.00'), `the uniform allowance shows 300.00:\n${main}`);
		assert.match(main, /40 points \(= €40\.00\)/, 'points are shown with what they are worth');
		assert.match(main, /Next renewal\s+1 January \d{4}/, 'a yearly allowance renews on 1 January');
		assert.match(main, /needs your manager's approval/);
		await a11yAssert(page, 'en', 'allowances');
		watch.assertNone('allowances');
	});

	it('alice adds a product from its page in a chosen size', async () => {
		const { page, watch } = s.alice;
		const { product, variant } = items.a;
		await page.goto(`${s.base}/p/${product.slug}`);
		assert.ok(await page.getByRole('button', { name: 'Add to cart' }).isDisabled(),
			'no variant chosen: the button waits for a choice');
		for (const [legend, value] of [['Size', variant.size], ['Colour', variant.colour]])
			await page.getByRole('group', { name: legend, exact: true }).getByRole('radio', { name: chipName(value) }).check();
		await submit(page, page.getByRole('button', { name: 'Show price and stock' }),
			(u) => u.searchParams.get('size') === variant.size);
		await page.getByText(`Item no. ${variant.sku}`).waitFor();
		await submit(page, page.getByRole('button', { name: 'Add to cart' }),
			(u) => u.pathname === `/p/${product.slug}` && u.searchParams.get('added') === variant.sku);
		await page.getByText('Added to your cart.').waitFor();
		assert.equal(await cartCount(page), 1, 'the header counts the item');
		assert.ok(await page.getByRole('group', { name: 'Size', exact: true })
			.getByRole('radio', { name: chipName(variant.size) }).isChecked(), 'the size stays chosen');
		await a11yAssert(page, 'en', 'product after adding');
		watch.assertNone('add to cart');
	});

	it('alice changes the quantity in her cart', async () => {
		const { page, watch } = s.alice;
		const { product, variant } = items.a;
		await submit(page, page.getByRole('link', { name: /^Cart, items:/ }), `${s.base}/cart`);
		await page.getByRole('heading', { level: 1, name: 'Your cart' }).waitFor();
		await page.getByRole('heading', { level: 3, name: product.name }).waitFor();
		const qty = page.getByRole('spinbutton', { name: `Quantity ${product.name}` });
		assert.equal(await qty.inputValue(), '1');
		await qty.fill('2');
		await submit(page, page.getByRole('button', { name: 'Update' }), (u) => u.pathname === '/cart');
		await page.getByText('The quantity is updated.').waitFor();
		assert.equal(await page.getByRole('spinbutton', { name: `Quantity ${product.name}` }).inputValue(), '2');
		assert.equal(await cartCount(page), 2);
		const total = await page.locator('.line-total').first().innerText();
		assert.equal(priceDigits(total), String(2 * cents(variant.price)), `line total ${total} is 2 × ${variant.price}`);
		await a11yAssert(page, 'en', 'cart');
		watch.assertNone('cart');
	});

	it('the quick order refuses a bad list with its line, keeps the text, then adds a good one', async () => {
		const { page, watch } = s.alice;
		await submit(page, page.getByRole('link', { name: 'Quick order' }).first(), `${s.base}/cart/quick`);
		const box = page.getByRole('textbox', { name: /one item number and quantity per line/ });
		const bad = `${items.b.variant.sku} 1\nNO-SUCH-SKU 2`;
		await box.fill(bad);
		await submit(page, page.getByRole('button', { name: 'Add to cart' }), `${s.base}/cart/quick`);
		const error = await page.getByRole('alert').innerText();
		assert.match(error, /line 2/i, `the error names the line: ${error}`);
		assert.equal(await page.getByRole('textbox', { name: /one item number/ }).inputValue(), bad, 'the text is kept');
		assert.equal(await page.getByRole('textbox', { name: /one item number/ }).getAttribute('aria-invalid'), 'true');
		await a11yAssert(page, 'en', 'quick order refused');
		const refused = watch.take();
		assert.ok(refused.length >= 1 && refused.every((p) => /response 400 for POST|status of 400/.test(p)),
			`only the refused POST is reported: ${refused.join('\n')}`);
		await page.getByRole('textbox', { name: /one item number/ }).fill(`${items.b.variant.sku} 1`);
		await submit(page, page.getByRole('button', { name: 'Add to cart' }), (u) => u.pathname === '/cart');
		await page.getByText('Lines added from your list: 1.').waitFor();
		assert.equal(await cartCount(page), 3);
		await t_shot(page, 'cart-desktop');
		watch.assertNone('quick order');
	});

	/* screenshots are best effort: a failed one must not hide the real result */
	const t_shot = (page, name) => shot(page, name, { fullPage: true }).catch(() => {});

	it('the checkout shows what the allowance pays and the balance after; a double click places one order', async () => {
		const { page, watch } = s.alice;
		const total = 2 * cents(items.a.variant.price) + cents(items.b.variant.price);
		await submit(page, page.getByRole('link', { name: 'Review order' }), `${s.base}/checkout`);
		await page.getByRole('heading', { level: 1, name: 'Review your order' }).waitFor();
		const main = await page.locator('main').innerText();
		assert.match(main, /Paid by Uniform allowance/);
		const after = await page.locator('.balance-table tbody tr', { hasText: 'Uniform allowance' }).locator('.balance-after').innerText();
		assert.equal(priceDigits(after), String(UNIFORM - total), `balance after ${after} is 300.00 minus ${total / 100}`);
		assert.equal(await page.getByText(/not covered/i).count(), 0, 'nothing is left over');
		assert.ok(await page.getByRole('radio', { name: new RegExp(`To my site\\s*${escapeRe(alice.site)}`) }).isChecked(),
			'delivery to her site is proposed');
		await a11yAssert(page, 'en', 'checkout');
		await t_shot(page, 'checkout-desktop');

		/* what the form sends, to send it once more afterwards as a third click would */
		const form = await page.locator('form.checkout-form').evaluate((f) => Object.fromEntries(new FormData(f)));
		assert.match(form.idem_key, /^[0-9a-f]{32}$/, 'a 32-hex idempotency key');
		/* The second click aborts the navigation of the first (the browser
		 * follows the last submission only), which waitForURL reports as
		 * net::ERR_ABORTED when it sees the first: wait past that. */
		const placed = page.waitForURL(/\/orders\/LV-\d+$/, { waitUntil: 'load' }).catch((e) => e);
		await page.getByRole('button', { name: 'Place order', exact: true }).dblclick();
		for (let i = 0; i < 3; i++) {
			const r = i === 0 ? await placed
				: await page.waitForURL(/\/orders\/LV-\d+$/, { waitUntil: 'load' }).catch((e) => e);
			if (!(r instanceof Error))
				break;
			if (!/ERR_ABORTED|frame was detached/.test(r.message) || i === 2)
				throw r;
		}
		const ref = new URL(page.url()).pathname.split('/').pop();
		s.first = ref;
		const again = await page.request.post(`${s.base}/checkout`, {
			form, maxRedirects: 0, headers: { Origin: s.base },
		});
		assert.equal(again.status(), 303, 'the same form again is answered like the first');
		assert.equal(again.headers().location, `/orders/${ref}`, 'with the same redirect');

		await page.goto(`${s.base}/orders`);
		const cards = page.locator('main .order-card');
		assert.equal(await cards.count(), 1, 'exactly one order for the double click');
		assert.match(await cards.first().innerText(), new RegExp(`Order ${ref}[\\s\\S]*Placed`));
		assert.equal(await cartCount(page), 0, 'the cart is empty after the order');
		await a11yAssert(page, 'en', 'orders');
		watch.assertNone('checkout');
	});

	it('alice sees the order and orders it again', async () => {
		const { page, watch } = s.alice;
		await submit(page, page.getByRole('link', { name: `Order ${s.first}` }), `${s.base}/orders/${s.first}`);
		await page.getByRole('heading', { level: 1, name: `Order ${s.first}` }).waitFor();
		const main = await page.locator('main').innerText();
		assert.ok(main.includes(items.a.product.name) && main.includes(items.b.product.name), 'both items are listed');
		assert.match(main, /Placed/);
		assert.ok(main.includes(`To your site: ${alice.site}`), 'the delivery is shown');
		assert.match(main, /History/);
		await page.getByRole('button', { name: 'Cancel order' }).waitFor();
		await a11yAssert(page, 'en', 'order');
		await t_shot(page, 'order-desktop');
		await submit(page, page.getByRole('button', { name: 'Order again' }), (u) => u.pathname === '/cart');
		await page.getByText('Lines added to your cart from the order: 2.').waitFor();
		assert.equal(await cartCount(page), 3);
		watch.assertNone('order again');
	});

	it('two orders over the allowance wait for approval', async () => {
		const { page, watch } = s.alice;
		/* the reordered lines plus two expensive ones: more than the rest of the allowance */
		await page.goto(`${s.base}/cart/quick`);
		await page.getByRole('textbox', { name: /one item number/ }).fill(`${items.c.variant.sku} 2`);
		await submit(page, page.getByRole('button', { name: 'Add to cart' }), (u) => u.pathname === '/cart');
		await submit(page, page.getByRole('link', { name: 'Review order' }), `${s.base}/checkout`);
		const note = await page.locator('main .notice-info').first().innerText();
		assert.match(note, /Your manager must approve the .+ not covered/);
		s.second = await checkoutPlace(page, 'Send for approval');
		await page.getByText('Waiting for approval').first().waitFor();

		/* the allowance is spent now: all of the next one waits */
		await page.goto(`${s.base}/cart/quick`);
		await page.getByRole('textbox', { name: /one item number/ }).fill(`${items.b.variant.sku} 1`);
		await submit(page, page.getByRole('button', { name: 'Add to cart' }), (u) => u.pathname === '/cart');
		await submit(page, page.getByRole('link', { name: 'Review order' }), `${s.base}/checkout`);
		s.third = await checkoutPlace(page, 'Send for approval');
		assert.notEqual(s.second, s.third);
		watch.assertNone('orders waiting for approval');
	});

	it('erin approves one order and refuses the other with a reason', async () => {
		s.erin = await personOpen('erin');
		const { page, watch } = s.erin;
		await submit(page, page.getByRole('link', { name: 'Approvals' }), `${s.base}/approvals`);
		await page.getByRole('heading', { level: 1, name: 'Approvals' }).waitFor();
		const second = page.getByRole('article', { name: `Order ${s.second}` });
		const third = page.getByRole('article', { name: `Order ${s.third}` });
		for (const a of [second, third])
			assert.match(await a.innerText(), new RegExp(`From ${escapeRe(alice.name)}`));
		assert.ok((await second.innerText()).includes(items.c.product.name), 'the lines are shown');
		await a11yAssert(page, 'en', 'approvals');
		await t_shot(page, 'approvals-desktop');

		/* a refusal without a reason is sent back */
		await submit(page, third.getByRole('button', { name: `Refuse ${s.third}` }), `${s.base}/approvals/${s.third}`);
		await page.getByRole('article', { name: `Order ${s.third}` }).getByText('Give a reason for the refusal').waitFor();
		const refused = watch.take();
		assert.ok(refused.every((p) => /response 400 for POST|status of 400/.test(p)), refused.join('\n'));
		await a11yAssert(page, 'en', 'approvals with an error');

		await submit(page, page.getByRole('article', { name: `Order ${s.second}` })
			.getByRole('button', { name: `Approve ${s.second}` }), (u) => u.pathname === '/approvals');
		await page.getByText(`Order ${s.second} is approved.`).waitFor();
		const t3 = page.getByRole('article', { name: `Order ${s.third}` });
		await t3.getByRole('textbox', { name: /Reason/ }).fill(REFUSAL);
		await submit(page, t3.getByRole('button', { name: `Refuse ${s.third}` }), (u) => u.pathname === '/approvals');
		await page.getByText(`Order ${s.third} is refused`).waitFor();
		assert.equal(await page.locator('main article').count(), 0, 'nothing is left to decide');
		await page.getByRole('heading', { name: 'Nothing to decide' }).waitFor();
		watch.assertNone('approvals');
	});

	it('alice sees the approval and reads the reason of the refusal', async () => {
		const { page, watch } = s.alice;
		await page.goto(`${s.base}/orders/${s.second}`);
		assert.match(await page.locator('main').innerText(), /Placed/);
		await page.goto(`${s.base}/orders/${s.third}`);
		const main = await page.locator('main').innerText();
		assert.match(main, /Refused/);
		assert.match(main, /Your manager refused this order/);
		assert.ok(main.includes(`Reason: ${REFUSAL}`), `the reason is shown:\n${main}`);
		assert.equal(await page.getByRole('button', { name: 'Cancel order' }).count(), 0, 'a refused order cannot be cancelled');
		await a11yAssert(page, 'en', 'refused order');
		await t_shot(page, 'order-refused-desktop');
		watch.assertNone('refused order');
	});

	it('at phone width (360x800) the money pages fit the screen; phone screenshots', async () => {
		const { page, watch } = await suitePhoneOpen(s, s.alice);
		await page.goto(`${s.base}/p/${items.a.product.slug}?added=${encodeURIComponent(items.a.variant.sku)}`);
		await submit(page, page.getByRole('button', { name: 'Add to cart' }),
			(u) => u.searchParams.get('added') === items.a.variant.sku);
		await noSideScrollAssert(page, 'product at 360px');
		for (const [url, name] of [['/cart', 'cart'], ['/checkout', 'checkout'], ['/orders', 'orders'],
			[`/orders/${s.third}`, 'order'], ['/allowances', 'allowances'], ['/approvals', 'approvals'],
			['/cart/quick', 'quick-order']]) {
			await page.goto(`${s.base}${url}`);
			await noSideScrollAssert(page, `${url} at 360px`);
			await a11yAssert(page, 'en', `${url} on a phone`);
			await t_shot(page, `${name}-phone`);
		}
		assert.match(await page.locator('main').innerText(), /Quick order/);
		await page.goto(`${s.base}/approvals`);
		assert.match(await page.locator('main').innerText(), /You are neither/,
			'alice approves nobody: the empty queue says why');
		watch.assertNone('pages at phone width');
	});

	it('livery stops cleanly on SIGTERM after all this', async () => {
		for (const c of [s.alice?.ctx, s.erin?.ctx, s.phone?.ctx])
			await c?.close().catch(() => {});
		const r = await s.stack.stop();
		s.stopped = true;
		assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null });
	});
});
