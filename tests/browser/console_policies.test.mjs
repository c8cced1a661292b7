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
import { before } from 'node:test';

import { moneyLogin } from '../http/lib/money.mjs';
import { accountByUsername } from '../idp/accounts.mjs';
import { browserDescribe, pageCheck, suiteDeclare, suiteIt, suitePersonOpen } from './lib/browser.mjs';
import { catalogLoad, examplePoliciesImport } from './lib/demo.mjs';

const NAME = 'hide-for-branch';
const catalog = catalogLoad();

browserDescribe('the console: HR edits a policy and the employee view changes', () => {
	const s = suiteDeclare();
	/* each step runs, whatever the one before it did */
	const it = suiteIt(s, { chain: false });
	let item;
	const alice = accountByUsername('alice').claims;

	/* The page's contract (pageCheck), with a screenshot of the window only. */
	const check = (who, lang, name) => pageCheck(who, lang, name, { fullPage: false });

	/* Does alice's search find item (through her own browser)? */
	const aliceFinds = async () => {
		const { page } = s.alice;
		await page.goto(`${s.base}/search?q=${encodeURIComponent(item.name)}`);
		return (await page.locator(`main a[href="/p/${item.slug}"]`).count()) > 0;
	};

	before(async () => {
		const api = await moneyLogin(s.stack, 'alice');
		await examplePoliciesImport(s.stack, api, catalog.bySlug.get('safety-boots-s3'));
		/* a product alice finds today, outside the uniforms */
		const res = await api.get('/api/v1/products?per_page=48');
		const slugs = new Set((res.json().items || res.json().products).map((p) => p.slug));
		item = catalog.products.find((p) => slugs.has(p.slug) && p.category !== 'uniforms');
		assert.ok(item, 'alice sees a product outside the uniforms');
	});

	it('alice finds the product today', async () => {
		s.alice = await suitePersonOpen(s, 'alice');
		assert.ok(await aliceFinds(), `alice finds ${item.slug}`);
	});

	it('carol creates a policy, and the form refuses a mistake next to its field', async () => {
		s.carol = await suitePersonOpen(s, 'carol');
		const { page } = s.carol;
		await page.getByRole('link', { name: 'Console' }).click();
		await page.getByRole('heading', { level: 1, name: 'Console' }).waitFor();
		await check(s.carol, 'en', 'console-home');
		await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Policies' }).click();
		await page.getByRole('heading', { level: 1, name: 'Policies' }).waitFor();
		await page.getByLabel('Name (lowercase letters, digits and dashes)').fill(NAME);
		await page.getByLabel('Title, for people').fill('Branch: no mugs');
		await Promise.all([page.waitForURL(`${s.base}/admin/policies/${NAME}?done=created`),
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
