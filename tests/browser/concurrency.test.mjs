// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * concurrency.test.mjs - two people using the store at the same time, each
 * in their own headless Chromium browser, against the real livery binary
 * with its shipped number of server threads and the real test provider. A
 * browser opens several connections to a site and keeps them open between
 * pages; the second person must still get their pages promptly while the
 * first one's browser is open, and the first one their next page while the
 * second one's is. The limits are generous for loopback (a page is served
 * in milliseconds here); what they catch is a server that makes one person
 * wait for another's idle connections to time out.
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
/* ms a person may wait at most, on loopback: signing in through the provider and the first page; one page */
const SLOW = { signIn: 8000, page: 5000 };

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

	test('each person gets their pages promptly while the other\'s browser is open', T,
		withLogs(() => stack, async (t) => {
			try {
				const bob = await personIn('bob');
				t.diagnostic(`bob, alone: signed in and saw the catalog in ${bob.ms} ms`);
				assert.deepEqual(bob.unloaded, [], 'bob, alone: pictures that did not load');
				assert.ok(bob.ms < SLOW.signIn,
					`bob, alone in the store, waited ${bob.ms} ms to sign in and see the catalog (limit ${SLOW.signIn})`);

				/* bob's browser keeps its connections open; carol comes in */
				const carol = await personIn('carol');
				t.diagnostic(`carol, with bob's browser open: signed in and saw the catalog in ${carol.ms} ms`);
				assert.ok(carol.ms < SLOW.signIn && carol.unloaded.length === 0,
					`carol waited ${carol.ms} ms to sign in and see the catalog while bob's browser was open ` +
					`(limit ${SLOW.signIn}; alone, bob needed ${bob.ms} ms): the store seems to serve her only ` +
					'after the idle connections of bob\'s browser time out' +
					(carol.unloaded.length ? `; pictures still missing: ${carol.unloaded.join(', ')}` : ''));

				const cat = catalog.products[0].category;
				current = bob.page;
				const t0 = Date.now();
				await bob.page.goto(`${base}/c/${cat}`);
				const bobMs = Date.now() - t0;
				t.diagnostic(`bob's next page, with carol's browser open: ${bobMs} ms`);
				assert.ok(bobMs < SLOW.page,
					`bob's next page took ${bobMs} ms while carol's browser was open (limit ${SLOW.page})`);
				bob.watch.assertNone('bob\'s pages');
				carol.watch.assertNone('carol\'s pages');
			} catch (err) {
				await failureSave(current, 'two people at once');
				throw err;
			}
		}));
});
