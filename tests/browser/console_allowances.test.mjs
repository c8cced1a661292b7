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
import { before } from 'node:test';

import { dbInt, moneyLogin } from '../http/lib/money.mjs';
import { accountByUsername } from '../idp/accounts.mjs';
import { browserDescribe, pageCheck, suiteDeclare, suiteIt, suitePersonOpen } from './lib/browser.mjs';

const SLUG = 'safety-shoes-2026';
const NAME = 'Safety shoes';

browserDescribe('the console: HR creates an allowance programme and the employee has it', () => {
	const s = suiteDeclare();
	const alice = accountByUsername('alice').claims;
	/* each step runs, whatever the one before it did */
	const it = suiteIt(s, { chain: false });

	const programmes = () => dbInt(s.stack.livery, `SELECT count(*) FROM allowance_programmes WHERE slug = '${SLUG}'`);
	/* the active employees of alice's department: whom the programme will select */
	const selected = () => dbInt(s.stack.livery,
		`SELECT count(*) FROM employees WHERE department = '${alice.department}' AND status = 'active'`);

	before(async () => {
		/* alice and her manager exist in the store before the programme */
		await moneyLogin(s.stack, 'alice');
		await moneyLogin(s.stack, 'erin');
	});

	it('carol opens the Allowances area', async () => {
		s.carol = await suitePersonOpen(s, 'carol');
		const { page } = s.carol;
		await page.goto(`${s.base}/admin`);
		await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Allowances' }).click();
		await page.getByRole('heading', { level: 1, name: 'Allowances' }).waitFor();
		await page.getByRole('heading', { level: 2, name: 'No allowance programme yet' }).waitFor();
		await pageCheck(s.carol, 'en', 'console-allowances-empty');
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
		await pageCheck(s.carol, 'en', 'console-allowance-form-error');
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
		await pageCheck(s.carol, 'en', 'console-allowance-form-preview');
		assert.equal(programmes(), 0, 'the preview saved nothing');
	});

	it('carol saves; the programme page says so', async () => {
		const { page } = s.carol;
		await Promise.all([page.waitForURL(`${s.base}/admin/allowances/programmes/${SLUG}?done=created`),
			page.getByRole('button', { name: 'Create the programme' }).click()]);
		await page.getByText('The programme is created.').waitFor();
		await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
		assert.equal(programmes(), 1);
		await pageCheck(s.carol, 'en', 'console-allowance-programme');
		await page.locator('.breadcrumbs').getByRole('link', { name: 'Allowances' }).click();
		await page.getByRole('link', { name: NAME }).waitFor();
		await pageCheck(s.carol, 'en', 'console-allowances');
	});

	it('alice, in her own browser, sees the new allowance', async () => {
		s.alice = await suitePersonOpen(s, 'alice');
		const { page } = s.alice;
		await page.goto(`${s.base}/allowances`);
		const item = page.locator('li.allowance', { hasText: NAME });
		await item.waitFor();
		assert.match(await item.locator('.allowance-balance').innerText(), /120,00\s€/);
		await pageCheck(s.alice, 'fr', 'console-allowance-alice');
	});
});
