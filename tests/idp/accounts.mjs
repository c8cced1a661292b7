// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * accounts.mjs - the demo employees known to the test identity providers.
 *
 * Both providers (provider.mjs, the real one, and rogue.mjs, the misbehaving
 * one) release these claims, so the HTTP tests and the demo see the same
 * people. Every value here is demo data: the shared password below is
 * DEMO-ONLY and must never be used for anything else. The subject
 * identifiers are opaque and fixed so that a person keeps the same sub across
 * provider restarts, as with a real corporate identity provider.
 */

/* DEMO-ONLY password shared by every demo account. */
export const DEMO_PASSWORD = 'livery-demo';

/* The claim names the providers release under the "profile" scope. */
export const PROFILE_CLAIMS = [
	'name', 'given_name', 'family_name', 'locale', 'employee_id', 'department',
	'cost_center', 'site', 'groups', 'job_title', 'employment_type', 'manager',
	'email', 'email_verified',
];

function account(username, sub, given, family, extra) {
	return Object.freeze({
		username,
		claims: Object.freeze({
			sub,
			name: `${given} ${family}`,
			given_name: given,
			family_name: family,
			email: `${username}.${family.toLowerCase()}@example.com`,
			email_verified: true,
			...extra,
			groups: Object.freeze([...extra.groups]),
		}),
	});
}

export const ACCOUNTS = Object.freeze([
	account('alice', 'u-7f3a9c21d4e8', 'Alice', 'Martin', {
		employee_id: 'E1001', department: 'Retail Banking', cost_center: 'CC-410',
		site: 'Lyon Part-Dieu branch', locale: 'fr', job_title: 'Branch teller',
		employment_type: 'full_time', groups: ['staff', 'branch'], manager: 'E1005',
	}),
	account('bob', 'u-2b91e6f0a7c3', 'Bob', 'Okafor', {
		employee_id: 'E1002', department: 'Warehouse', cost_center: 'CC-720',
		site: 'Rotterdam distribution centre', locale: 'en', job_title: 'Picker',
		employment_type: 'full_time', groups: ['staff', 'warehouse'], manager: 'E1004',
	}),
	account('carol', 'u-c4d05a8e3f16', 'Carol', 'Diaz', {
		employee_id: 'E1003', department: 'Human Resources', cost_center: 'CC-100',
		site: 'Head office', locale: 'en', job_title: 'HR partner',
		employment_type: 'full_time', groups: ['staff', 'hr'],
	}),
	account('dave', 'u-9e17b3c6d250', 'Dave', 'Lindqvist', {
		employee_id: 'E1004', department: 'Operations', cost_center: 'CC-300',
		site: 'Head office', locale: 'en', job_title: 'Store administrator',
		employment_type: 'full_time', groups: ['staff', 'store-admins'],
	}),
	account('erin', 'u-51f8d2a94b07', 'Erin', 'Dubois', {
		employee_id: 'E1005', department: 'Retail Banking', cost_center: 'CC-410',
		site: 'Lyon Part-Dieu branch', locale: 'fr', job_title: 'Branch manager',
		employment_type: 'full_time', groups: ['staff', 'branch', 'managers'],
	}),
	account('frank', 'u-a03c7e5f81d9', 'Frank', 'Weber', {
		employee_id: 'E1006', department: 'Guest Services', cost_center: 'CC-510',
		site: 'Paris park', locale: 'de', job_title: 'Cast member',
		employment_type: 'part_time', groups: ['staff', 'cast'],
	}),
	account('grace', 'u-6d2e94c1b8a7', 'Grace', 'Nakamura', {
		employee_id: 'E1007', department: 'Internal Audit', cost_center: 'CC-120',
		site: 'Head office', locale: 'en', job_title: 'Internal auditor',
		employment_type: 'full_time', groups: ['staff', 'auditors'],
	}),
]);

/* Returns the account whose login name is username, or undefined. */
export function accountByUsername(username) {
	return ACCOUNTS.find((a) => a.username === username);
}

/* Returns the account whose subject identifier is sub, or undefined. */
export function accountBySub(sub) {
	return ACCOUNTS.find((a) => a.claims.sub === sub);
}
