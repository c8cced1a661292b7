/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * allowance.h - allowance programmes and their append-only ledger.
 *
 * A programme grants an amount per period (in minor units of the store
 * currency, or in points worth points_rate minor units each) to the
 * employees its audience selects. Every movement is one row of
 * allowance_ledger (grant, debit, refund, expiry, rollover, adjustment);
 * a balance is the sum of one (employee, programme, period) and is never
 * stored. Grants, and the expiry and rollover that close a period, are
 * materialised lazily and exactly once (unique index) whenever balances
 * are read or money is moved at a time `at`. docs/allowances.md has the
 * rules (periods, proration, rounding, order of application).
 *
 * Versions: a programme's definition changes from the next period. Each
 * change is a version (0011's allowance_programme_versions) in force for
 * the periods that start at or after it was saved; every period of every
 * employee is governed by one version (allowance_version_for): whether it
 * selects them, what it grants, what rolls over when it closes, and, while
 * it is the current period, how its balance is spent (name, categories,
 * tags, overage, position, points_rate). A retired programme grants
 * nothing more; what is left is spent until the period ends, then expires.
 * store/domain/allowance_admin.c changes, retires and closes programmes.
 *
 * Transactions: every function that writes runs inside the caller's
 * transaction when there is one (the checkout's single BEGIN IMMEDIATE),
 * and otherwise opens and commits its own, so the ledger and audit_log
 * entries of one call always commit together.
 */
#ifndef LV_ALLOWANCE_H
#define LV_ALLOWANCE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "lv_db.h"

enum allowance_period_kind {
	ALLOWANCE_MONTHLY,
	ALLOWANCE_QUARTERLY,
	ALLOWANCE_YEARLY,
	ALLOWANCE_ONCE
};

enum allowance_reset {
	ALLOWANCE_RESET_CALENDAR,
	ALLOWANCE_RESET_ANNIVERSARY
};

/* The period rule of a programme: all that allowance_period_at needs. */
struct allowance_rule {
	enum allowance_period_kind period;
	enum allowance_reset reset;
};

/* One period. A 'once' period has start 0 and end 0 (it never ends). */
struct allowance_period {
	char key[16];  /* "2026-11", "2026-Q4", "2026", "once", "2026-03-14" */
	int64_t start; /* local midnight of its first day, inclusive */
	int64_t end;   /* local midnight of the next period's first day */
};

/*
 * The period of rule that contains at, in the process's local time zone.
 * hire_date ("YYYY-MM-DD", may be NULL) is needed by anniversary resets:
 * their periods start on the hire date's day of the month, every 1, 3 or
 * 12 months, on the month's last day when it is shorter (a 29 February
 * hire renews on 28 February in common years). OUT: *out. Returns LV_OK;
 * LV_ENOTFOUND for an anniversary rule when hire_date is NULL or after at;
 * LV_EINVAL for a malformed hire_date.
 */
int allowance_period_at(const struct allowance_rule *rule, const char *hire_date,
			int64_t at, struct allowance_period *out);

/*
 * amount * days / period_days, rounded half up on the unit (never down in
 * the employee's disfavour): the prorated grant of an employee who joins
 * with `days` days (inclusive) left in a period of period_days days.
 * Requires 0 <= days <= period_days, period_days > 0, amount >= 0.
 */
int64_t allowance_prorate(int64_t amount, int64_t days, int64_t period_days);

/*
 * Validates def (not stolen) and creates the programme. def's fields:
 * slug, name, unit ("money"|"points"), amount (integer > 0: minor units, or
 * points), points_rate (points only), period, reset, prorate (bool),
 * rollover_cap, eligibility_days, audience (object of string arrays:
 * departments, sites, job_titles, groups, employment_types, employee_ids),
 * categories, tags (arrays of strings), overage, position. OUT: *id.
 * Returns LV_OK; LV_EINVAL with msg naming the field and why
 * ("period: must be one of monthly, quarterly, yearly, once"); LV_ECONFLICT
 * when the slug is taken; LV_EINTERNAL.
 */
int allowance_programme_create(struct lv_db *db, const json_t *def, int64_t *id,
			       char *msg, size_t msglen);

/*
 * OUT: *out, a new JSON object (caller decrefs): programme id as
 * allowance_programme_list gives it, plus "versions", every version
 * oldest first: {version, valid_from, saved_at, and the fields a change
 * may set: name, audience, amount, points_rate, prorate, rollover_cap,
 * eligibility_days, categories, tags, overage, position}. The first has
 * valid_from 0. Returns LV_OK, LV_ENOTFOUND or LV_EINTERNAL.
 */
int allowance_programme_load(struct lv_db *db, int64_t id, json_t **out);

/* Every programme as allowance_programme_load gives it, in id order. OUT: *out (new array). */
int allowance_programmes_load(struct lv_db *db, json_t **out);

/*
 * The version of prog (as allowance_programme_load gives it; borrowed
 * from it) that governs period per of an employee hired on hire_date
 * (may be NULL): the newest saved at or before the period's start; for
 * a 'once' programme, whose period has no start, the newest saved at or
 * before the moment the employee became eligible under it.
 */
const json_t *allowance_version_for(const json_t *prog, const char *hire_date,
				    const struct allowance_period *per);

/*
 * What version v of prog grants an employee hired on hire_date (may be
 * NULL) for period per, audience aside: 0 when they are not eligible
 * during per, the amount prorated when they become eligible within it
 * (see allowance_prorate). OUT: *due, when the grant is due: the later of
 * the period's start and the employee's eligibility (0 when none).
 */
int64_t allowance_grant_for(const json_t *prog, const json_t *v, const char *hire_date,
			    const struct allowance_period *per, int64_t *due);

/*
 * Materialises programme up to at for every employee one of its versions
 * selects (one query over the employees), as each one's own reading at
 * `at` would, inside the caller's transaction or its own. Retirement uses
 * it so that every grant due is written before the programme stops
 * granting. OUT: *n, the employees looked at. Returns LV_OK, LV_ENOTFOUND
 * or LV_EINTERNAL.
 */
int allowance_programme_settle(struct lv_db *db, int64_t programme, int64_t at, int64_t *n);

/*
 * Closes period per (of a calendar programme, ended) for every employee:
 * allowance_programme_settle up to per's end, which writes the rollover
 * and expiry of per exactly as each employee's own reading would (the
 * same statements, the same unique index: never twice), then expires in
 * full the balances left in per of employees the programme never granted
 * (HR adjustments), except those who have left (frozen). The entries carry
 * the period's end as their time. Runs in the caller's transaction or its
 * own. OUT: *n, the employees settled. Returns LV_OK, LV_EINVAL (an
 * anniversary or 'once' programme), LV_ENOTFOUND, LV_EINTERNAL.
 */
int allowance_period_settle(struct lv_db *db, int64_t programme,
			    const struct allowance_period *per, int64_t *n);

/* OUT: *id of the programme with that slug. LV_OK or LV_ENOTFOUND. */
int allowance_programme_find(struct lv_db *db, const char *slug, int64_t *id);

/*
 * OUT: *out, a new JSON array (caller decrefs) of every programme, in
 * checkout order (position, id), each as the object create takes plus id,
 * active, created_at, retired_at. Returns LV_OK or LV_EINTERNAL.
 */
int allowance_programme_list(struct lv_db *db, json_t **out);

/*
 * OUT: *out, a new JSON array (caller decrefs) of the programmes employee
 * has at time at, each as the version in force for their period then
 * (with "version", its id), in checkout order (position, id): those whose
 * version selects them, and a retired one only while their period began
 * before the retirement. An empty selector selects everyone; otherwise
 * every list given must contain the employee's value (groups: any of
 * theirs). Returns LV_OK, LV_ENOTFOUND (no such employee) or LV_EINTERNAL.
 */
int allowance_programmes_for_employee(struct lv_db *db, int64_t employee, int64_t at,
				      json_t **out);

/*
 * Writes every grant, expiry and rollover due up to at for employee's
 * programmes, in period order. Idempotent and safe against a concurrent
 * caller (each entry is one INSERT ... ON CONFLICT DO NOTHING whose amount
 * is computed by the same statement). A period whose grant falls due while
 * the employee is on leave (or gone: employee_status_changes, 0010) is not
 * granted; for an employee who has left nothing is written at all (their
 * balance is frozen). Returns LV_OK, LV_ENOTFOUND (no such
 * employee), LV_ECONFLICT (the database stayed locked past the busy
 * timeout: retry) or LV_EINTERNAL.
 */
int allowance_materialise(struct lv_db *db, int64_t employee, int64_t at);

/*
 * Materialises, then OUT: *out, a new JSON array (caller decrefs), one
 * object per programme of employee (allowance_programmes_for_employee: the
 * version in force), in checkout order: {programme (slug), id, name, unit,
 * balance, points_rate (null for money), overage, position, categories,
 * tags, period {key, start, end}, next_reset (= period end; null when it
 * never resets), retired_at (null while active)}. A programme for
 * which the employee is not (yet) eligible is listed with balance 0 and
 * period null. Returns LV_OK, LV_ENOTFOUND or LV_EINTERNAL.
 */
int allowance_balances(struct lv_db *db, int64_t employee, int64_t at, json_t **out);

/*
 * OUT: *balance of employee in programme for the period containing at,
 * after materialising. Returns LV_OK, LV_ENOTFOUND (no such employee or
 * programme, or no current period) or LV_EINTERNAL.
 */
int allowance_balance_get(struct lv_db *db, int64_t employee, int64_t programme,
			  int64_t at, int64_t *balance);

/* Who makes an HR adjustment (see struct audit_actor). */
struct allowance_actor {
	int64_t employee;  /* employees.id, or 0 (the command line) */
	const char *label; /* "cli" or the HR user's name; never NULL */
};

/*
 * Adds amount (signed, non-zero, in the programme's unit) to employee's
 * balance in programme's current period, with reason (mandatory, at most
 * 500 bytes), and an audit_log entry "allowance.adjust" in the same
 * transaction. Returns
 * LV_OK; LV_EINVAL (no reason, zero amount); LV_ENOTFOUND (no employee,
 * programme or current period); LV_ECONFLICT when the balance would go
 * below zero; LV_EINTERNAL.
 */
int allowance_adjust(struct lv_db *db, int64_t employee, int64_t programme, int64_t amount,
		     const char *reason, const struct allowance_actor *actor, int64_t at);

/*
 * allowance_adjust with the audit entry's actor given whole, with the
 * client's address (the console and the API).
 */
int allowance_adjust_as(struct lv_db *db, int64_t employee, int64_t programme, int64_t amount,
			const char *reason, const struct audit_actor *who, int64_t at);

/*
 * Debits amount (> 0, in the programme's unit) for order_ref from the
 * current period. Returns LV_OK; LV_EINVAL; LV_ENOTFOUND; LV_ECONFLICT
 * when the balance is short or this order was already debited for this
 * programme; LV_EINTERNAL.
 */
int allowance_debit(struct lv_db *db, int64_t employee, int64_t programme, int64_t amount,
		    const char *order_ref, int64_t at);

/*
 * Credits amount (> 0) of order_ref's debit back: to the debit's period
 * while that period is still the current one, otherwise to the current
 * period (a closed period is never reopened). Returns LV_OK; LV_EINVAL;
 * LV_ENOTFOUND (no debit for that order); LV_ECONFLICT when the refunds
 * would exceed the debit; LV_EINTERNAL.
 */
int allowance_refund(struct lv_db *db, int64_t employee, int64_t programme, int64_t amount,
		     const char *order_ref, int64_t at);

#endif
