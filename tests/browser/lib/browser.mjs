// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * browser.mjs - what the browser tests stand on, above the HTTP harness
 * (tests/http/lib/harness.mjs, which starts the provider and livery):
 * finding and launching Debian's Chromium through playwright-core (a
 * missing browser skips outside CI and fails under CI=true), signing in
 * and out through the real provider's pages as a person would, watching a
 * page for console errors, uncaught exceptions, CSP violations and failed
 * requests, a small accessibility check of the page shown, and saving
 * screenshots into $LV_BUILD_DIR/artifacts/. And the frame of a suite of
 * steps against the real binary and the real provider with the demo
 * catalog (browserDescribe, suiteDeclare, suiteIt): its before() and
 * after(), its steps (livery's logs and the page shown saved when one
 * fails, the later ones skipped), the people it signs in, its phone-sized
 * browser, and the contract every page it shows is checked against
 * (pageCheck).
 *
 * Environment: LV_CHROMIUM overrides /usr/bin/chromium; CI=true turns a
 * missing browser into a failure.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { env, skipReason, startStack, withLogs } from '../../http/lib/harness.mjs';
import { DEMO_PASSWORD } from '../../idp/accounts.mjs';
import { demoCatalogPath } from './demo.mjs';

export const CHROMIUM = process.env.LV_CHROMIUM || '/usr/bin/chromium';

/* The flags every test browser runs with: headless, no network of its own. */
export const CHROMIUM_ARGS = [
	'--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
	'--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic',
];

/* Playwright's waits, in ms: a page of ours answers in well under a second. */
export const WAIT = { action: 15000, navigation: 20000 };

/* Why Chromium cannot be run (a sentence), or false when it can. */
export function browserMissing() {
	try {
		fs.accessSync(CHROMIUM, fs.constants.X_OK);
		return false;
	} catch {
		return `${CHROMIUM} is missing (apt-get install chromium)`;
	}
}

/*
 * Decides what a missing browser means, before any test is declared.
 * Returns false when the browser is there, or under CI=true (where the
 * launch then fails loudly); otherwise the reason to skip. Run directly
 * (node FILE, not under `node --test`), it exits with 77 so that CTest
 * counts a skip; under `node --test` the runner's child cannot choose the
 * runner's exit code, so the suite is reported as skipped instead.
 */
export function browserSkipReason() {
	const missing = browserMissing();
	if (!missing || process.env.CI === 'true')
		return false;
	if (!process.env.NODE_TEST_CONTEXT) {
		console.log(`# SKIP browser tests: ${missing}`);
		process.exit(77);
	}
	return missing;
}

/* Launches headless Chromium. The caller closes the returned Browser. */
export async function browserLaunch() {
	const missing = browserMissing();
	if (missing)
		throw new Error(`cannot run the browser tests: ${missing}` +
			(process.env.CI === 'true' ? ' (CI=true: a missing browser is a failure)' : ''));
	return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60000 });
}

/*
 * Opens a context with the test defaults (English, a fixed time zone, the
 * waits above) merged with options (viewport, javaScriptEnabled,
 * storageState...). The caller closes it.
 */
export async function contextNew(browser, options = {}) {
	const ctx = await browser.newContext({
		locale: 'en-GB',
		timezoneId: 'Europe/Amsterdam',
		viewport: { width: 1280, height: 900 },
		...options,
	});
	ctx.setDefaultTimeout(WAIT.action);
	ctx.setDefaultNavigationTimeout(WAIT.navigation);
	return ctx;
}

/* ------------------------------------------------------------- artifacts */

/* $LV_BUILD_DIR/artifacts (created), or a folder under the temporary directory. */
export function artifactsDir() {
	const dir = env.buildDir ? path.join(env.buildDir, 'artifacts') : path.join(os.tmpdir(), 'livery-artifacts');
	fs.mkdirSync(dir, { recursive: true });
	return dir;
}

/* Saves a PNG of page as artifacts/<name>.png (options: Playwright's, e.g. fullPage). Returns its path. */
export async function shot(page, name, options = {}) {
	const file = path.join(artifactsDir(), `${name}.png`);
	await page.screenshot({ path: file, animations: 'disabled', caret: 'hide', ...options });
	return file;
}

/*
 * Loads every image of the page now, lazy ones included (a full-page
 * screenshot would show them blank), and waits until each has loaded or
 * failed. Returns the addresses of those that failed or did not decode.
 * Needs JavaScript enabled in the page.
 */
export async function imagesLoad(page) {
	await page.locator('img').evaluateAll((imgs) => imgs.forEach((i) => {
		i.loading = 'eager';
	}));
	await page.waitForFunction(() => [...document.images].every((i) => i.complete), null,
		{ polling: 100, timeout: WAIT.action });
	return page.locator('img').evaluateAll((imgs) => imgs
		.filter((i) => i.naturalWidth === 0 || i.naturalHeight === 0).map((i) => i.currentSrc || i.src));
}

/*
 * Saves what page showed when a test failed: artifacts/failed-<name>.png
 * and .html. Never throws (the page may be gone).
 */
export async function failureSave(page, name) {
	if (!page || page.isClosed())
		return;
	const base = `failed-${name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60)}`;
	try {
		await page.screenshot({ path: path.join(artifactsDir(), `${base}.png`), fullPage: true, timeout: 5000 });
		fs.writeFileSync(path.join(artifactsDir(), `${base}.html`), `<!-- ${page.url()} -->\n${await page.content()}`);
	} catch {
		/* nothing to save */
	}
}

/* --------------------------------------------------------------- watching */

const originOf = (u) => {
	try {
		return new URL(u).origin;
	} catch {
		return '';
	}
};

/*
 * Watches page for what a person would never see but must not happen:
 * console errors (Chromium reports CSP violations and failed loads there,
 * even with JavaScript off), uncaught exceptions, requests that fail, and
 * responses of 400 or more. Only what concerns storeOrigin counts (the
 * provider's pages are not ours); the rest is kept in `other` for the
 * record. Returns { problems, other, take() (returns and forgets the
 * problems), assertNone(what) }.
 */
export function pageWatch(page, storeOrigin) {
	const w = { problems: [], other: [] };
	const add = (where, text) => {
		const ours = where.some((u) => originOf(u) === storeOrigin);
		(ours ? w.problems : w.other).push(`${text} [${where.filter(Boolean).join(' | ')}]`);
	};
	page.on('console', (msg) => {
		const text = msg.text();
		if (msg.type() === 'error' || /Content[- ]Security[- ]Policy/i.test(text))
			add([msg.location()?.url, page.url()], `console ${msg.type()}: ${text}`);
	});
	page.on('pageerror', (err) => add([page.url()], `uncaught exception: ${err.message}`));
	page.on('requestfailed', (req) => {
		const why = req.failure()?.errorText || 'failed';
		/* a navigation replaced by the next one is not a fault */
		if (why !== 'net::ERR_ABORTED')
			add([req.url()], `request ${req.method()} ${req.url()} failed: ${why}`);
	});
	page.on('response', (res) => {
		if (res.status() >= 400)
			add([res.url()], `response ${res.status()} for ${res.request().method()} ${res.url()}`);
	});
	w.take = () => w.problems.splice(0);
	w.assertNone = (what) => {
		const p = w.take();
		assert.deepEqual(p, [], `${what}: the page reported problems:\n${p.join('\n')}`);
	};
	return w;
}

/* ---------------------------------------------------------- accessibility */

/*
 * Runs in the page: returns { lang, h1, problems: [sentence] } for images
 * without an alt attribute, form controls without a label or name,
 * buttons without a name, and ids used more than once. Works with
 * JavaScript disabled (Playwright's evaluation does not need the page's
 * scripts).
 */
function a11yScan() {
	const problems = [];
	const text = (el) => (el?.textContent || '').replace(/\s+/g, ' ').trim();
	const named = (el) => {
		const aria = (el.getAttribute('aria-label') || '').trim();
		const by = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
			.map((id) => text(document.getElementById(id))).join(' ').trim();
		return aria || by || (el.getAttribute('title') || '').trim();
	};
	const desc = (el) => {
		const o = el.outerHTML;
		return o.length > 160 ? `${o.slice(0, 160)}...` : o;
	};
	for (const img of document.querySelectorAll('img'))
		if (!img.hasAttribute('alt'))
			problems.push(`img without alt: ${desc(img)}`);
	for (const el of document.querySelectorAll('input, select, textarea')) {
		const type = (el.getAttribute('type') || '').toLowerCase();
		if (type === 'hidden')
			continue;
		let ok;
		if (['submit', 'reset', 'button'].includes(type))
			ok = !!((el.value || '').trim() || named(el));
		else if (type === 'image')
			ok = !!((el.getAttribute('alt') || '').trim() || named(el));
		else
			ok = [...(el.labels || [])].some((l) => text(l)) || !!named(el);
		if (!ok)
			problems.push(`form control without a label: ${desc(el)}`);
	}
	for (const b of document.querySelectorAll('button'))
		if (!text(b) && !named(b))
			problems.push(`button without a name: ${desc(b)}`);
	/* a label or aria reference to a duplicated id points at the wrong element */
	const ids = new Map();
	for (const el of document.querySelectorAll('[id]'))
		ids.set(el.id, (ids.get(el.id) || 0) + 1);
	for (const [id, n] of ids)
		if (n > 1)
			problems.push(`id "${id}" used ${n} times`);
	return {
		lang: document.documentElement.getAttribute('lang'),
		h1: document.querySelectorAll('h1').length,
		problems,
	};
}

/*
 * Asserts the small accessibility contract of the page shown: every img
 * has alt, every form control has a label, exactly one h1, and <html lang>
 * is lang (or a regional form of it, "en-GB" for "en").
 */
export async function a11yAssert(page, lang, what = page.url()) {
	const r = await page.evaluate(a11yScan);
	assert.deepEqual(r.problems, [], `${what}: accessibility problems`);
	assert.equal(r.h1, 1, `${what}: exactly one h1 per page, found ${r.h1}`);
	assert.ok(r.lang === lang || (r.lang || '').toLowerCase().startsWith(`${lang}-`),
		`${what}: <html lang> should be ${lang}, is ${JSON.stringify(r.lang)}`);
}

/* Fails when the page can be scrolled sideways at its current width. */
export async function noSideScrollAssert(page, what = page.url()) {
	const r = await page.evaluate(() => ({
		scroll: document.documentElement.scrollWidth,
		width: window.innerWidth,
		/* the widest offenders, to say what overflows */
		wide: [...document.querySelectorAll('body *')]
			.filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
			.slice(0, 5)
			.map((e) => {
				const cls = String(e.className || '').trim().split(/\s+/).filter(Boolean).map((c) => `.${c}`).join('');
				return `${e.tagName.toLowerCase()}${cls} right=${Math.round(e.getBoundingClientRect().right)}`;
			}),
	}));
	assert.ok(r.scroll <= r.width,
		`${what}: scrolls sideways at ${r.width}px (scrollWidth ${r.scroll}); wider than the screen: ${r.wide.join(', ')}`);
}

/* ------------------------------------------------------------ signing in */

/* The start of the text of the page shown, for error messages. */
async function bodyText(page) {
	return (await page.locator('body').innerText().catch(() => '')).slice(0, 600);
}

const inStore = (u, storeOrigin) => u.origin === storeOrigin && !u.pathname.startsWith('/auth/');

/*
 * Signs in through the provider's own pages as a person would: opens
 * start (a store URL), is sent to the provider, fills the login form with
 * username and password and submits it, answers any consent page with its
 * first non-cancelling button, and waits to be back in the store (outside
 * /auth/). idpOrigin is the provider's origin. Returns { loginPageSeen,
 * consentSteps, url }. Throws with the page's text when it never gets
 * back.
 */
export async function signIn(page, { start, storeOrigin, idpOrigin, username, password }) {
	const out = { loginPageSeen: false, consentSteps: 0, url: null };
	await page.goto(start);
	for (let step = 0; step < 6; step++) {
		const here = new URL(page.url());
		if (inStore(here, storeOrigin)) {
			out.url = page.url();
			return out;
		}
		if (here.origin === storeOrigin)
			throw new Error(`sign-in stopped at ${page.url()}:\n${await bodyText(page)}`);
		if (here.origin !== idpOrigin)
			throw new Error(`sign-in went to ${page.url()}, neither the store nor the provider:\n${await bodyText(page)}`);
		const password_ = page.getByLabel('Password', { exact: true });
		let submit;
		if (await password_.count()) {
			if (out.loginPageSeen)
				throw new Error(`the provider refused ${username}'s password: ${await bodyText(page)}`);
			out.loginPageSeen = true;
			await page.getByLabel('Username', { exact: true }).fill(username);
			await password_.fill(password);
			submit = page.getByRole('button', { name: 'Sign in', exact: true });
		} else {
			/* a consent (or any confirmation) page: accept with its first button that does not cancel */
			const buttons = page.locator('form').getByRole('button');
			const n = await buttons.count();
			for (let i = 0; i < n && !submit; i++) {
				const b = buttons.nth(i);
				const name = `${await b.innerText()} ${await b.getAttribute('name') || ''}`;
				if (!/cancel|abort|deny|no\b/i.test(name))
					submit = b;
			}
			if (!submit)
				throw new Error(`the provider shows a page without a way forward at ${page.url()}:\n${await bodyText(page)}`);
			out.consentSteps++;
		}
		/* wait for the redirect chain to settle: back in the store, or a page of the provider */
		await Promise.all([
			page.waitForURL((u) => u.href !== here.href && (u.origin === storeOrigin || u.origin === idpOrigin),
				{ waitUntil: 'load' }),
			submit.click(),
		]);
	}
	throw new Error(`sign-in did not come back to the store; last page ${page.url()}`);
}

/*
 * Signs out as a person would: clicks the store's sign-out button
 * (buttonName, in the page's language), confirms on the provider's
 * end-session page with its first button that does not keep the session,
 * and waits until the browser has left the provider's /session/end pages.
 * Returns { confirmSeen, url (where the browser ended) }.
 */
export async function signOut(page, { storeOrigin, idpOrigin, buttonName }) {
	const out = { confirmSeen: false, url: null };
	const settled = (u) => (u.origin === storeOrigin && u.pathname !== '/auth/logout') ||
		(u.origin === idpOrigin);
	const from = page.url();
	await Promise.all([
		page.waitForURL((u) => u.href !== from && settled(u), { waitUntil: 'load' }),
		page.getByRole('button', { name: buttonName, exact: true }).click(),
	]);
	for (let step = 0; step < 3; step++) {
		const here = new URL(page.url());
		if (here.origin !== idpOrigin || !here.pathname.startsWith('/session/end'))
			break;
		const buttons = page.locator('form').getByRole('button');
		const n = await buttons.count();
		if (n === 0)
			break; /* a "you are signed out" page of the provider */
		let yes;
		for (let i = 0; i < n && !yes; i++) {
			const b = buttons.nth(i);
			if (!/\bno\b|stay|cancel/i.test(await b.innerText()))
				yes = b;
		}
		if (!yes)
			throw new Error(`the provider's sign-out page has no confirming button:\n${await bodyText(page)}`);
		out.confirmSeen = true;
		await Promise.all([
			page.waitForURL((u) => u.href !== here.href, { waitUntil: 'load' }),
			yes.click(),
		]);
	}
	out.url = page.url();
	return out;
}

/*
 * Opens a browser context (options: contextNew's) with one page, watched
 * for what concerns storeOrigin (pageWatch). Returns { ctx, page, watch };
 * the caller closes ctx.
 */
export async function watchedOpen(browser, storeOrigin, options = {}) {
	const ctx = await contextNew(browser, options);
	const page = await ctx.newPage();
	return { ctx, page, watch: pageWatch(page, storeOrigin) };
}

/* signIn to the store of stack (startStack's), starting from its home page. */
function stackSignIn(page, stack, username, password) {
	return signIn(page, {
		start: `${stack.base}/`, storeOrigin: stack.base, idpOrigin: new URL(stack.idp.url).origin,
		username, password,
	});
}

/*
 * Opens a browser context for username on stack (startStack's), watches it
 * (pageWatch) and signs in. Returns { ctx, page, watch }.
 */
export async function personOpen(browser, stack, username, password, options = {}) {
	const who = await watchedOpen(browser, stack.base, options);
	await stackSignIn(who.page, stack, username, password);
	return who;
}

/* Clicks what (a Locator) and waits for the page it leads to (url: as page.waitForURL takes it). */
export async function follow(page, what, url) {
	await Promise.all([page.waitForURL(url, { waitUntil: 'load' }), what.click()]);
}

/* ----------------------------------------------------------------- suites */

/*
 * describe(name, fn) for a suite of browser tests; when they cannot run
 * (no livery binary, or no browser: browserSkipReason, which may end the
 * process), one skipped test named name in its place, since a skipped
 * suite would count no test at all.
 */
export function browserDescribe(name, fn) {
	const skip = skipReason || browserSkipReason();
	return skip ? test(name, { skip }, () => {}) : describe(name, fn);
}

/* Context options (contextNew's) of a phone: a 360x800 touch screen. */
export const PHONE = { viewport: { width: 360, height: 800 }, isMobile: true, hasTouch: true };

/*
 * Declares the before() and after() of a suite of steps against the real
 * binary and the real provider with the demo catalog: call it in the
 * describe() callback ahead of the suite's own before(), which runs after
 * this one. before() launches Chromium and starts the stack (livery's
 * config: config over { server: { threads: null } }, the shipped number
 * of server threads); after() closes the browser context of everything in
 * s that has one (the people the steps opened), the browser, and the
 * stack unless a step stopped it and set s.stopped. Returns the suite's
 * state s, which before() fills in with { browser, stack, base (the
 * store's origin) } and the steps with what they share: the people they
 * open, current (the page a failing step saves; suitePersonOpen and
 * suitePhoneOpen set it) and broken (the step that failed).
 */
export function suiteDeclare({ config = {} } = {}) {
	const s = { current: null };
	before(async () => {
		s.browser = await browserLaunch();
		s.stack = await startStack({
			provider: 'real',
			livery: { catalogCsv: demoCatalogPath(), config: { server: { threads: null }, ...config } },
		});
		s.base = s.stack.base;
	});
	after(async () => {
		for (const who of Object.values(s))
			await who?.ctx?.close().catch(() => {});
		await s.browser?.close().catch(() => {});
		if (!s.stopped)
			await s.stack?.stop();
	});
	return s;
}

/*
 * The `it` of a suite declared with suiteDeclare: it(name, fn) declares
 * test(name, fn) with timeout ms; when fn fails, livery's logs are added
 * to the error (withLogs) and the page s.current shows is saved
 * (failureSave). With chain, each step needs the ones before it: once one
 * has failed, the later ones are skipped, naming it.
 */
export function suiteIt(s, { chain = true, timeout = 120000 } = {}) {
	return (name, fn) => test(name, { timeout }, async (t) => {
		if (chain && s.broken) {
			t.skip(`an earlier step failed: ${s.broken}`);
			return;
		}
		try {
			await withLogs(() => s.stack, fn)(t);
		} catch (err) {
			if (chain)
				s.broken = name;
			await failureSave(s.current, name);
			throw err;
		}
	});
}

/*
 * personOpen on s's stack for username, with the demo password: the new
 * page is the one a failing step saves, from before the sign-in on.
 * Returns { ctx, page, watch }.
 */
export async function suitePersonOpen(s, username, options = {}) {
	const who = await watchedOpen(s.browser, s.base, options);
	s.current = who.page;
	await stackSignIn(who.page, s.stack, username, DEMO_PASSWORD);
	return who;
}

/*
 * Opens s.phone: a phone-sized browser (PHONE) with the cookies of who
 * (a person the steps opened), watched; its page is then the one a
 * failing step saves. Returns it: { ctx, page, watch }.
 */
export async function suitePhoneOpen(s, who) {
	s.phone = await watchedOpen(s.browser, s.base, { ...PHONE, storageState: await who.ctx.storageState() });
	s.current = s.phone.page;
	return s.phone;
}

/*
 * At phone width: opens s.phone with the cookies of who (suitePhoneOpen)
 * and checks each of pages ([path, name]) there in lang (pageCheck).
 */
export async function suitePhoneCheck(s, who, lang, pages) {
	const phone = await suitePhoneOpen(s, who);
	for (const [p, name] of pages) {
		await phone.page.goto(`${s.base}${p}`);
		await pageCheck(phone, lang, name);
	}
}

/*
 * The contract of the page who ({ page, watch }) shows: the accessibility
 * contract in lang, no sideways scrolling and nothing the watch reports,
 * each failure naming name; then a screenshot, artifacts/<name>.png
 * (options: shot's; the whole page unless told otherwise).
 */
export async function pageCheck(who, lang, name, options = {}) {
	await a11yAssert(who.page, lang, name);
	await noSideScrollAssert(who.page, name);
	who.watch.assertNone(name);
	await shot(who.page, name, { fullPage: true, ...options });
}
