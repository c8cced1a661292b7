// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * concurrency.test.mjs - two people using the store at the same time, each
 * in their own headless Chromium browser, against the real livery binary
 * with its shipped number of server threads and the real test provider. A
 * browser opens several connections to a site and keeps them open between
 * pages; the second person must still sign in and see every picture while
 * the first one's browser is open, and the first one get their next page
 * while the second one's is. How long each took is printed, not asserted
 * (speed goals live in bench/): that one person's idle connections never
 * make another wait is proven without a clock in
 * tests/http/keepalive.test.mjs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { skipReason, startStack, withLogs } from '../http/lib/harness.mjs';
import { DEMO_PASSWORD, accountByUsername } from '../idp/accounts.mjs';
import {
	browserLaunch, browserSkipReason, contextNew, failureSave, imagesLoad, pageWatch, signIn,
} from './lib/browser.mjs';
import { catalogLoad, demoCatalogPath } from './lib/demo.mjs';

const T = { timeout: 90000 };

const skip = skipReason || browserSkipReason();
/* a skipped suite would count no test at all: say it as one skipped test */
const suite = skip ? (name, fn) => test(name, { skip }, () => {}) : describe;

suite('two people in the store at once', () => {
	let stack;
	let base;
	let idpOrigin;
	let browser;
	const contexts = [];
	let current = null;
	const catalog = catalogLoad();

	before(async () => {
		browser = await browserLaunch();
		stack = await startStack({
			provider: 'real',
			livery: { catalogCsv: demoCatalogPath(), config: { server: { threads: null } } },
		});
		base = stack.base;
		idpOrigin = new URL(stack.idp.url).origin;
	});
	after(async () => {
		for (const c of contexts)
			await c.close().catch(() => {});
		await browser?.close().catch(() => {});
		await stack?.stop();
	});

	/*
	 * Signs username in, in a browser of their own, and waits for the
	 * catalog with all its pictures (which makes the browser open as many
	 * connections to the store as it will). Returns { page, watch, ms (from
	 * sign-in to the last picture), unloaded (pictures still missing after
	 * WAIT.action ms, or that failed) }.
	 */
	const personIn = async (username) => {
		const ctx = await contextNew(browser);
		contexts.push(ctx);
		const page = await ctx.newPage();
		const watch = pageWatch(page, base);
		current = page;
		const t0 = Date.now();
		await signIn(page, { start: `${base}/`, storeOrigin: base, idpOrigin, username, password: DEMO_PASSWORD });
		const first = accountByUsername(username).claims.given_name;
		await page.getByText(`Welcome, ${first}`, { exact: true }).waitFor();
		const unloaded = await imagesLoad(page).catch((err) => [`(${err.message.split('\n')[0]})`]);
		return { page, watch, ms: Date.now() - t0, unloaded };
	};

	test('each person gets their pages while the other\'s browser is open', T,
		withLogs(() => stack, async (t) => {
			try {
				const bob = await personIn('bob');
				t.diagnostic(`bob, alone: signed in and saw the catalog in ${bob.ms} ms`);
				assert.deepEqual(bob.unloaded, [], 'bob, alone: pictures that did not load');

				/* bob's browser keeps its connections open; carol comes in */
				const carol = await personIn('carol');
				t.diagnostic(`carol, with bob's browser open: signed in and saw the catalog in ${carol.ms} ms`);
				assert.deepEqual(carol.unloaded, [], 'carol, with bob\'s browser open: pictures that did not load');

				const cat = catalog.products[0].category;
				current = bob.page;
				const t0 = Date.now();
				const res = await bob.page.goto(`${base}/c/${cat}`);
				assert.equal(res.status(), 200, 'bob\'s next page, with carol\'s browser open');
				t.diagnostic(`bob's next page, with carol's browser open: ${Date.now() - t0} ms`);
				bob.watch.assertNone('bob\'s pages');
				carol.watch.assertNone('carol\'s pages');
			} catch (err) {
				await failureSave(current, 'two people at once');
				throw err;
			}
		}));
});
