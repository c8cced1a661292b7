// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * console_allowances.test.mjs - an HR administrator creates an allowance
 * programme in the console and an employee has it, in headless Chromium
 * against the real binary and the real test provider: carol opens the
 * Allowances area, fills in the new programme's form with a mistake and
 * reads the error next to its field (what she typed kept), corrects it,
 * previews what saving would grant ("Saving gives … employees …"), with
 * nothing saved yet, then saves with the button the preview brought; and
 * alice, in her own browser, sees the new allowance with its balance on
 * her allowances page (in French, her language). Every page passes the
 * accessibility contract with no console errors and no sideways scroll;
 * screenshots go to $LV_BUILD_DIR/artifacts/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { skipReason, startStack, withLogs } from '../http/lib/harness.mjs';
import { dbInt, moneyLogin } from '../http/lib/money.mjs';
import { DEMO_PASSWORD, accountByUsername } from '../idp/accounts.mjs';
import {
	a11yAssert, browserLaunch, browserSkipReason, failureSave, noSideScrollAssert, personOpen, shot,
} from './lib/browser.mjs';
import { demoCatalogPath } from './lib/demo.mjs';

const T = { timeout: 120000 };
const SLUG = 'safety-shoes-2026';
const NAME = 'Safety shoes';

const skip = skipReason || browserSkipReason();
const suite = skip ? (name, fn) => test(name, { skip }, () => {}) : describe;

suite('the console: HR creates an allowance programme and the employee has it', () => {
	let stack;
	let base;
	let browser;
	let current = null;
	const s = {};
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
		await shot(who.page, name, { fullPage: true });
	};

	const programmes = () => dbInt(stack.livery, `SELECT count(*) FROM allowance_programmes WHERE slug = '${SLUG}'`);
	/* the active employees of alice's department: whom the programme will select */
	const selected = () => dbInt(stack.livery,
		`SELECT count(*) FROM employees WHERE department = '${alice.department}' AND status = 'active'`);

	before(async () => {
		browser = await browserLaunch();
		stack = await startStack({
			provider: 'real',
			livery: { catalogCsv: demoCatalogPath(), config: { server: { threads: null } } },
		});
		base = stack.base;
		/* alice and her manager exist in the store before the programme */
		await moneyLogin(stack, 'alice');
		await moneyLogin(stack, 'erin');
	});
	after(async () => {
		for (const who of Object.values(s))
			await who?.ctx?.close().catch(() => {});
		await browser?.close().catch(() => {});
		await stack?.stop();
	});

	it('carol opens the Allowances area', async () => {
		s.carol = await open('carol');
		const { page } = s.carol;
		await page.goto(`${base}/admin`);
		await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Allowances' }).click();
		await page.getByRole('heading', { level: 1, name: 'Allowances' }).waitFor();
		await page.getByRole('heading', { level: 2, name: 'No allowance programme yet' }).waitFor();
		await check(s.carol, 'en', 'console-allowances-empty');
	});

	it('carol fills in a new programme with a mistake and reads the error next to the field', async () => {
		const { page } = s.carol;
		await page.getByRole('link', { name: 'New programme' }).click();
		await page.getByRole('heading', { level: 1, name: 'New allowance programme' }).waitFor();
		await page.getByLabel('Identifier').fill(SLUG);
		await page.getByLabel('Name, as employees read it').fill(NAME);
		await page.getByLabel('Unit').selectOption('money');
		await page.getByLabel('Granted').selectOption('yearly');
		await page.getByLabel('Amount each period').fill('120,00');
		await page.getByLabel('Departments').fill(alice.department);
		await page.getByLabel('An order over the allowance').selectOption('approval');
		await page.getByRole('button', { name: 'Preview' }).click();
		const error = page.locator('#a-amount-error');
		await error.waitFor();
		assert.match(await error.innerText(), /Write an amount greater than zero, for example 300\.00\./);
		assert.equal(await page.getByLabel('Amount each period').getAttribute('aria-invalid'), 'true');
		assert.equal(await page.getByLabel('Name, as employees read it').inputValue(), NAME, 'what was typed is kept');
		assert.equal(await page.getByRole('button', { name: 'Create the programme' }).count(), 0, 'no saving without a preview');
		const seen = s.carol.watch.take();
		assert.ok(seen.length > 0 && seen.every((x) => /\b400\b/.test(x)), `only the refused form's 400: ${seen}`);
		await check(s.carol, 'en', 'console-allowance-form-error');
		assert.equal(programmes(), 0);
	});

	it('carol corrects it and sees the preview; nothing is saved yet', async () => {
		const { page } = s.carol;
		await page.getByLabel('Amount each period').fill('120.00');
		await page.getByRole('button', { name: 'Preview' }).click();
		const preview = page.locator('section.allowance-preview');
		await preview.waitFor();
		const text = await preview.innerText();
		const n = selected();
		assert.ok(n >= 2, 'alice and erin');
		assert.match(text, new RegExp(`Saving gives ${n} employees €120\\.00 each now, for \\d{4}\\.`), text);
		assert.match(text, /Then €120\.00 again on 1 January \d{4}/, text);
		await page.getByRole('button', { name: 'Create the programme' }).waitFor();
		await check(s.carol, 'en', 'console-allowance-form-preview');
		assert.equal(programmes(), 0, 'the preview saved nothing');
	});

	it('carol saves; the programme page says so', async () => {
		const { page } = s.carol;
		await Promise.all([page.waitForURL(`${base}/admin/allowances/programmes/${SLUG}?done=created`),
			page.getByRole('button', { name: 'Create the programme' }).click()]);
		await page.getByText('The programme is created.').waitFor();
		await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
		assert.equal(programmes(), 1);
		await check(s.carol, 'en', 'console-allowance-programme');
		await page.locator('.breadcrumbs').getByRole('link', { name: 'Allowances' }).click();
		await page.getByRole('link', { name: NAME }).waitFor();
		await check(s.carol, 'en', 'console-allowances');
	});

	it('alice, in her own browser, sees the new allowance', async () => {
		s.alice = await open('alice');
		const { page } = s.alice;
		await page.goto(`${base}/allowances`);
		const item = page.locator('li.allowance', { hasText: NAME });
		await item.waitFor();
		assert.match(await item.locator('.allowance-balance').innerText(), /120,00\s€/);
		await a11yAssert(page, 'fr');
		await noSideScrollAssert(page, 'console-allowance-alice');
		s.alice.watch.assertNone('console-allowance-alice');
		await shot(page, 'console-allowance-alice', { fullPage: true });
	});
});
