/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * allowance_admin.h - HR's work on allowance programmes, for the console's
 * Allowances area and the admin API alike (so they cannot disagree):
 * validating a definition field by field, creating, changing (from the
 * next period), retiring, previewing what a creation or a change would
 * grant, closing an ended period exactly once, adjusting a balance, and
 * the reads behind the pages (the list, one programme with its grants by
 * period, the employees it covers).
 *
 * The rules themselves (periods, versions, grants, the ledger) are
 * allowance.c's; docs/allowances.md says what a change, a retirement and
 * a close do. Every change writes its audit entry (who, when, from which
 * address, what, before and after) in the transaction that makes it.
 *
 * Field errors: functions that validate fill an object the caller made,
 * {field: sentence}, one entry per field in error. The fields are those of
 * a definition ("slug", "amount", "audience.sites"...), or of a form
 * ("employee", "reason", "period"), or "_form" for what belongs to no
 * field. The sentences are English literals marked N_() (the console
 * translates them with req_tr; the API returns them as they are).
 */
#ifndef LV_ALLOWANCE_ADMIN_H
#define LV_ALLOWANCE_ADMIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "lv_db.h"
#include "lv_http_parse.h"

/* The most periods the programme page lists (grants by period, closes, periods to close). */
#define ALLOWANCE_ADMIN_PERIODS 36

/*
 * Checks def (a definition as allowance_programme_create takes it) field
 * by field. With cur (a programme as allowance_programme_load gives it),
 * def is a change of cur: slug, unit, period and reset may be left out
 * and must otherwise be cur's (they never change). OUT: errors gets every
 * field in error; *norm (when not NULL and the definition is good), a new
 * object: the definition as it would be stored, every field present.
 * Returns LV_OK or LV_EINVAL.
 */
int allowance_admin_check(const json_t *def, const json_t *cur, json_t *errors, json_t **norm);

/*
 * The programme form as a definition (fields slug, name, unit, amount,
 * points_rate, period, reset, prorate, rollover_cap, eligibility_days,
 * aud_departments, aud_sites, aud_job_titles, aud_groups,
 * aud_employment_types, aud_employee_ids, categories, tags, overage,
 * position): money typed in major units of currency ("300", "300.00"),
 * points as whole numbers, lists separated by commas, empty fields left
 * out (their defaults). With cur (a change), unit, period and reset are
 * cur's. OUT: *def (new); errors gets the values that cannot be read (an
 * amount that is not one), which allowance_admin_check keeps.
 */
void allowance_admin_form_def(const struct lv_kvlist *form, const json_t *cur,
			      const char *currency, json_t **def, json_t *errors);

/* The form's values for a programme's newest definition (a new object of strings). */
json_t *allowance_admin_form_values(const json_t *prog, const char *currency);

/*
 * The digest of what a preview showed: the stored form of the definition
 * (norm), the programme it changes (NULL: a creation) and the version it
 * was made from. OUT: hex (65 bytes: 64 hex digits and NUL).
 */
void allowance_admin_digest(const json_t *norm, const char *slug, int64_t base, char *hex);

/*
 * Creates the programme def (checked by allowance_admin_check) and its
 * audit entry "allowance.programme_create", in one transaction. OUT: *id.
 * Returns LV_OK, LV_EINVAL (errors), LV_ECONFLICT (the slug is taken:
 * errors.slug), LV_EUNAVAIL (the database stayed busy), LV_EINTERNAL.
 */
int allowance_admin_create(struct lv_db *db, const json_t *def, const struct audit_actor *who,
			   json_t *errors, int64_t *id);

/*
 * Saves def as a new version of programme slug, in force for the periods
 * that start at or after at (each employee's next period; the current
 * one keeps its definition), shown by the programme's row from now on,
 * with an audit entry "allowance.programme_change" {before, after}, in
 * one transaction. base, when not 0, is the version the change was made
 * from: a change saved since gives LV_ECONFLICT (errors._form). OUT:
 * *changed, 0 when def is the newest version already (nothing written),
 * else the new version's id. Returns LV_OK, LV_EINVAL (errors),
 * LV_ENOTFOUND, LV_ECONFLICT (changed since, or retired: errors._form),
 * LV_EUNAVAIL, LV_EINTERNAL.
 */
int allowance_admin_change(struct lv_db *db, const char *slug, const json_t *def, int64_t base,
			   const struct audit_actor *who, int64_t at, json_t *errors,
			   int64_t *changed);

/*
 * Retires programme slug at at: first every grant due up to then is
 * written for everyone it selects (allowance_programme_settle), then it
 * grants nothing more; what is left is spent until each employee's period
 * ends, then expires (nothing rolls over). Audit entry
 * "allowance.programme_retire". OUT: *result (new) {retired_at, settled,
 * spendable_until (the current period's end for a calendar programme,
 * else null)}. Returns LV_OK, LV_ENOTFOUND, LV_ECONFLICT (already
 * retired), LV_EUNAVAIL, LV_EINTERNAL.
 */
int allowance_admin_retire(struct lv_db *db, const char *slug, const struct audit_actor *who,
			   int64_t at, json_t **result);

/*
 * What saving def would do, counted over the active employees its
 * audience selects (one query over the employees; those on leave are
 * counted apart). slug NULL: a creation at `at`, whose first grants are
 * those of the period running at `at`; otherwise a change of programme
 * slug: each employee's next grant under the version that would govern
 * their next period without the change, against def's. OUT: *out (new):
 *   {kind: "create"|"change", unit, period, reset, at,
 *    current {key, start, end} (creation, calendar), next {key, start}
 *    (calendar), groups: {name: {employees, total, amount (the same for
 *    each, or null), first, last (when: the earliest and latest dates)}}
 *    with names now, later, never (creation) or gain, more, less, lose,
 *    same, never (change), on_leave (employees), changed [{field, before,
 *    after}] (change), norm (the definition checked), digest}
 * Returns LV_OK, LV_EINVAL (errors), LV_ENOTFOUND, LV_ECONFLICT
 * (retired), LV_EINTERNAL.
 */
int allowance_admin_preview(struct lv_db *db, const char *slug, const json_t *def, int64_t at,
			    json_t *errors, json_t **out);

/*
 * Closes period `period` ("2026", "2026-Q4", "2026-11": a key of the
 * programme's periods) of calendar programme slug, which must have ended
 * by at: every employee's balance in it expires or rolls over as the
 * programme says (allowance_period_settle), a row of period_closes
 * records it (UNIQUE per programme and period start) and an audit entry
 * "allowance.period_close", all in one transaction. OUT: *result (new)
 * {programme, period, start, end, employees, expired, rolled_over,
 * entries, closed_at, by, unit} — on LV_ECONFLICT, the earlier close's; msg (a
 * sentence in English). Returns LV_OK; LV_EINVAL (not a period of this
 * programme, not ended, before the programme, an anniversary or 'once'
 * programme); LV_ENOTFOUND; LV_ECONFLICT ("already closed on <date> by
 * <who>"); LV_EUNAVAIL (busy); LV_EINTERNAL.
 */
int allowance_admin_close(struct lv_db *db, const char *slug, const char *period,
			  const struct audit_actor *who, int64_t at, json_t **result, char *msg,
			  size_t msglen);

/*
 * Parses HR's signed amount in unit ("money": major units of currency,
 * "-12.50", "+5", "30"; "points": a whole number). OUT: *out. Returns
 * LV_OK, or LV_EINVAL (also for 0).
 */
int allowance_admin_amount_parse(const char *s, const char *unit, const char *currency,
				 int64_t *out);

/*
 * HR's adjustment of the balance of employee employee_id (HR's number) in
 * programme slug, which must be one they have now: amount (signed, in the
 * programme's unit, not 0) with reason (1 to 500 bytes), audited with
 * who's address (allowance_adjust_as). OUT: *balance after; errors
 * {employee, programme, amount, reason}. Returns LV_OK, LV_EINVAL
 * (errors), LV_ECONFLICT (below zero: errors.amount), LV_EUNAVAIL,
 * LV_EINTERNAL.
 */
int allowance_admin_adjust(struct lv_db *db, const char *employee_id, const char *slug,
			   int64_t amount, const char *reason, const struct audit_actor *who,
			   int64_t at, json_t *errors, int64_t *balance);

/*
 * Every programme, active first (checkout order), then retired (newest
 * retirement first), each as allowance_programme_load gives it, plus
 * in_force (the version of the period running at `at` for a calendar
 * programme, else the newest), pending (the newest version when it is not
 * in force yet, else null) and covers (the employees who have not left
 * that in_force selects; null when retired), counted in one query. OUT:
 * *out (new array). Returns LV_OK or LV_EINTERNAL.
 */
int allowance_admin_list(struct lv_db *db, int64_t at, json_t **out);

/*
 * Programme slug as the list gives it, plus: current {key, start, end}
 * (calendar; null otherwise), grants [{period, employees, granted,
 * rolled_in, spent, refunded, adjusted, expired, close}] by period
 * (anniversary programmes: by the month periods start in), newest first,
 * at most ALLOWANCE_ADMIN_PERIODS; to_close [{key, start, end}], the ended
 * periods not closed yet (calendar), newest first; closes [...] as
 * allowance_admin_close gives them, newest first. OUT: *out (new).
 * Returns LV_OK, LV_ENOTFOUND, LV_EINTERNAL.
 */
int allowance_admin_programme_get(struct lv_db *db, const char *slug, int64_t at, json_t **out);

/*
 * A page of the employees (not left) that programme slug's in_force
 * version selects, by name: [{employee_id, name, department, site,
 * job_title, status, hire_date}], offset/limit, with *total, in one
 * query. Returns LV_OK, LV_ENOTFOUND, LV_EINTERNAL.
 */
int allowance_admin_covered(struct lv_db *db, const char *slug, int64_t at, int64_t offset,
			    int64_t limit, json_t **out, int64_t *total);

/*
 * The newest HR adjustments of every programme, at most limit, in one
 * query: [{at, employee_id, name, programme, programme_name, unit, amount,
 * reason, by}]. OUT: *out (new). Returns LV_OK or LV_EINTERNAL.
 */
int allowance_admin_adjustments(struct lv_db *db, int64_t limit, json_t **out);

/*
 * Programme slug's audit trail, newest first, at most limit: who created,
 * changed, retired it and closed its periods, with before and after:
 * [{at, by, address, action, before, after}]. OUT: *out (new). Returns
 * LV_OK or LV_EINTERNAL.
 */
int allowance_admin_history(struct lv_db *db, const char *slug, int64_t limit, json_t **out);

#endif
