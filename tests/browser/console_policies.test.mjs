// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * console_policies.test.mjs - an HR administrator edits a catalog policy in
 * the console and an employee's view changes, in headless Chromium against
 * the real binary and the real test provider (demo catalog, example
 * policies imported): carol creates a policy, fills in its form with a
 * mistake and reads the error next to the field, fixes it, previews what
 * alice would see (nothing saved: alice still finds the product), saves,
 * and alice, in her own browser, no longer finds it; the history shows the
 * change as a diff. Every console page passes the accessibility contract
 * with no console errors; screenshots go to $LV_BUILD_DIR/artifacts/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { skipReason, startStack, withLogs } from '../http/lib/harness.mjs';
import { moneyLogin } from '../http/lib/money.mjs';
import { DEMO_PASSWORD, accountByUsername } from '../idp/accounts.mjs';
import {
	a11yAssert, browserLaunch, browserSkipReason, failureSave, noSideScrollAssert, personOpen, shot,
} from './lib/browser.mjs';
import { catalogLoad, demoCatalogPath, examplePoliciesImport } from './lib/demo.mjs';

const T = { timeout: 120000 };
const NAME = 'hide-for-branch';
const catalog = catalogLoad();

const skip = skipReason || browserSkipReason();
const suite = skip ? (name, fn) => test(name, { skip }, () => {}) : describe;

suite('the console: HR edits a policy and the employee view changes', () => {
	let stack;
	let base;
	let browser;
	let current = null;
	const s = {};
	let item;
	const alice = accountByUsername('alice').claims;

	const it = (name, fn) => test(name, T, async (t) => {
		try {
			await withLogs(() => stack, fn)(t);
		} catch (err) {
			await failureSave(current, name);
			throw err;
		}
	});

	const open = async (username) => {
		const who = await personOpen(browser, stack, username, DEMO_PASSWORD);
		current = who.page;
		return who;
	};

	const check = async (who, lang, name) => {
		await a11yAssert(who.page, lang);
		await noSideScrollAssert(who.page);
		who.watch.assertNone(name);
		await shot(who.page, name);
	};

	/* Does alice's search find item (through her own browser)? */
	const aliceFinds = async () => {
		const { page } = s.alice;
		await page.goto(`${base}/search?q=${encodeURIComponent(item.name)}`);
		return (await page.locator(`main a[href="/p/${item.slug}"]`).count()) > 0;
	};

	before(async () => {
		browser = await browserLaunch();
		stack = await startStack({
			provider: 'real',
			livery: { catalogCsv: demoCatalogPath(), config: { server: { threads: null } } },
		});
		base = stack.base;
		const api = await moneyLogin(stack, 'alice');
		await examplePoliciesImport(stack, api, catalog.bySlug.get('safety-boots-s3'));
		/* a product alice finds today, outside the uniforms */
		const res = await api.get('/api/v1/products?per_page=48');
		const slugs = new Set((res.json().items || res.json().products).map((p) => p.slug));
		item = catalog.products.find((p) => slugs.has(p.slug) && p.category !== 'uniforms');
		assert.ok(item, 'alice sees a product outside the uniforms');
	});
	after(async () => {
		for (const who of Object.values(s))
			await who?.ctx?.close().catch(() => {});
		await browser?.close().catch(() => {});
		await stack?.stop();
	});

	it('alice finds the product today', async () => {
		s.alice = await open('alice');
		assert.ok(await aliceFinds(), `alice finds ${item.slug}`);
	});

	it('carol creates a policy, and the form refuses a mistake next to its field', async () => {
		s.carol = await open('carol');
		const { page } = s.carol;
		await page.getByRole('link', { name: 'Console' }).click();
		await page.getByRole('heading', { level: 1, name: 'Console' }).waitFor();
		await check(s.carol, 'en', 'console-home');
		await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Policies' }).click();
		await page.getByRole('heading', { level: 1, name: 'Policies' }).waitFor();
		await page.getByLabel('Name (lowercase letters, digits and dashes)').fill(NAME);
		await page.getByLabel('Title, for people').fill('Branch: no mugs');
		await Promise.all([page.waitForURL(`${base}/admin/policies/${NAME}?done=created`),
			page.getByRole('button', { name: 'Create the policy' }).click()]);
		await page.getByLabel('Departments').fill(alice.department);
		await page.getByLabel('Deny products').fill(item.slug);
		await page.locator('#limit-target-0').fill('mugs');
		await page.locator('#limit-max-0').fill('five');
		await page.getByRole('button', { name: 'Save', exact: true }).click();
		const error = page.locator('#limit-error-0');
		await error.waitFor();
		assert.match(await error.innerText(), /whole number/);
		assert.equal(await page.locator('#limit-max-0').getAttribute('aria-invalid'), 'true');
		assert.equal(await page.getByLabel('Deny products').inputValue(), item.slug, 'what was typed is kept');
		const seen = s.carol.watch.take();
		assert.ok(seen.every((x) => /\b400\b/.test(x)), `only the refused form's 400: ${seen}`);
		await check(s.carol, 'en', 'console-policy-error');
	});

	it('carol previews what alice would see; nothing is saved', async () => {
		const { page } = s.carol;
		await page.locator('#limit-target-0').fill('');
		await page.locator('#limit-max-0').fill('');
		await page.getByLabel('Preview for the employee number').fill(alice.employee_id);
		await page.getByRole('button', { name: 'Preview, without saving' }).click();
		const preview = page.locator('section.preview');
		await preview.waitFor();
		const text = await preview.innerText();
		assert.ok(text.includes(item.name), `the preview lists ${item.name} as no longer visible:\n${text}`);
		await check(s.carol, 'en', 'console-policy-preview');
		assert.ok(await aliceFinds(), 'the preview saved nothing');
	});

	it('carol saves; alice no longer finds the product; the history shows the change', async () => {
		const { page } = s.carol;
		await Promise.all([page.waitForURL(/\?done=saved$/),
			page.getByRole('button', { name: 'Save', exact: true }).click()]);
		await page.getByText('Saved. The store applies the new version now.').waitFor();
		assert.equal(await aliceFinds(), false, 'hidden from alice at once');
		await page.getByRole('link', { name: 'History' }).click();
		await page.getByRole('heading', { level: 1, name: `History of ${NAME}` }).waitFor();
		const added = await page.locator('.diff-add').allInnerTexts();
		assert.ok(added.some((l) => l.includes(item.slug)), `the diff adds ${item.slug}: ${added.join(' | ')}`);
		await check(s.carol, 'en', 'console-policy-history');
	});
});
