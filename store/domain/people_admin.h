/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * people_admin.h - the console's People area in the domain (docs/console.md,
 * "People"): the list of employees with their balances, one employee with
 * their ledger, history and policies, their status (active, on leave,
 * left) and the import of employees from HR's CSV file before they ever
 * sign in. The console's pages, the admin API and `livery people import`
 * call these same functions.
 *
 * Statuses: an employee on leave may sign in and look, but the checkout
 * refuses them and no allowance is granted for a period that starts while
 * they are away; an employee who has left cannot sign in and their ledger
 * is frozen (no grant, no expiry, no debit). A change is written with a
 * mandatory reason in the same transaction as its audit entry and a row
 * of employee_status_changes (0010), after the employee's ledger has been
 * brought up to that moment, so nothing due before it is lost or re-dated.
 *
 * The import (docs/console.md, "Importing employees") reads the whole file
 * with libcsv, checks every line and reports every error at once (line,
 * column, what is wrong and what to write instead); only a file without
 * any error is written, in one transaction with its audit entries.
 * Employees are matched by employee_id: new ones are inserted without a
 * sign-in (iss and sub NULL), existing ones get the HR attributes of the
 * columns the file has. Their sign-in, their language and (unless the
 * file has a status column) their status are never touched.
 */
#ifndef LV_PEOPLE_ADMIN_H
#define LV_PEOPLE_ADMIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "lv_db.h"
#include "policy.h"

struct lv_i18n_catalog;

#define PEOPLE_PER_PAGE 50                   /* the list's page */
#define PEOPLE_PER_PAGE_MAX 200              /* the most the API gives at once */
#define PEOPLE_LEDGER_PER_PAGE 25            /* one employee's ledger */
#define PEOPLE_REASON_MAX 500                /* bytes of a status change's reason */
#define PEOPLE_IMPORT_MAX_BYTES (64u << 20)  /* the CSV file itself */
#define PEOPLE_IMPORT_MAX_ROWS 200000
#define PEOPLE_IMPORT_MAX_ERRORS 1000        /* listed; the rest are counted */

/* A search of the list; NULL or "" filters nothing. */
struct people_filter {
	const char *q;          /* part of the name, the email or the employee id */
	const char *department; /* exactly this department */
	const char *site;       /* exactly this site */
	const char *status;     /* active, on_leave, left or suspended */
};

/* 1 when s is a status an employee may have (active, on_leave, left, suspended). */
int people_status_known(const char *s);

/*
 * Page `page` (from 1) of the employees f selects, per_page (1 to
 * PEOPLE_PER_PAGE_MAX) a page, by name then id, in ONE query. OUT: *out
 * (new) {total, page, pages, per_page, employees: [{id, employee_id,
 * name, email, department, site, cost_center, job_title, status,
 * signed_in (has a sign-in linked), hire_date, balances: [{programme
 * (slug), name, unit, points_rate, balance}]}]}. A balance is the sum of
 * the employee's ledger entries in that programme, as last written: every
 * period that has closed sums to zero, so it is what they can spend now,
 * except a grant or an expiry that fell due since the ledger was last
 * written for them (it is written when they next use the store, or when
 * their page is opened). Returns LV_OK, LV_EINVAL (bad status, page or
 * per_page) or LV_EINTERNAL.
 */
int people_admin_list(struct lv_db *db, const struct people_filter *f, int64_t page,
		      int per_page, json_t **out);

/*
 * The departments and sites employees have, for the list's filters.
 * OUT: *out (new) {departments: [...], sites: [...]}, sorted, at most 500
 * of each. Returns LV_OK or LV_EINTERNAL.
 */
int people_admin_facets(struct lv_db *db, json_t **out);

/*
 * The employee whose HR employee id is employee_id, brought up to date
 * (their ledger materialised up to `at`, allowance_materialise; nothing
 * for someone who has left). OUT: *out (new) {id, employee_id, name,
 * email, department, cost_center, site, job_title, employment_type,
 * hire_date, manager {employee_id, name (null when not known)} or null,
 * status, signed_in, last_login_at, created_at, updated_at, groups,
 * balances (as the list), statuses: [{at, previous, status, reason, by}]
 * newest first (at most 50)}. Returns LV_OK, LV_ENOTFOUND or
 * LV_EINTERNAL.
 */
int people_admin_get(struct lv_db *db, const char *employee_id, int64_t at, json_t **out);

/*
 * Page `page` (from 1) of employee's (employees.id) ledger, newest first.
 * OUT: *out (new) {total, page, pages, per_page, entries: [{at,
 * programme, name, unit, points_rate, period, kind, amount, order_ref,
 * reason, by}]}. Returns LV_OK, LV_EINVAL (page) or LV_EINTERNAL.
 */
int people_admin_ledger(struct lv_db *db, int64_t employee, int64_t page, int per_page,
			json_t **out);

/*
 * The audit entries about employee (entity "employee"), newest first, at
 * most limit. OUT: *out (new array) [{at, action, by, address, before,
 * after}] (before and after as the entry stored them, or null).
 */
int people_admin_history(struct lv_db *db, int64_t employee, int limit, json_t **out);

/*
 * The policies of set (borrowed) that apply to employee at `at`, as the
 * store applies them (policy_subject_load, policy_view_new). OUT: *out
 * (new array) [{name, title}]. Returns LV_OK, LV_ENOTFOUND or LV_EINTERNAL.
 */
int people_admin_policies(struct lv_db *db, struct policy_set *set, int64_t employee,
			  int64_t at, json_t **out);

/*
 * The checks of a status change's fields: NULL when the value is fine,
 * else a sentence (an N_() msgid, to translate) saying what to write.
 */
const char *people_status_check(const char *status);
const char *people_reason_check(const char *reason);

/*
 * Sets the status of employee employee_id to status (active, on_leave or
 * left) with reason, at `at`, in one transaction: the employee's ledger
 * materialised up to `at` first, then the status, a row of
 * employee_status_changes and an audit entry "employee.status" (before and
 * after, the reason). The ledger is never touched otherwise. OUT: *changed
 * (0: the employee had that status already; nothing was written).
 * Returns LV_OK, LV_EINVAL (see the checks above), LV_ENOTFOUND,
 * LV_ECONFLICT (the database stayed busy) or LV_EINTERNAL.
 */
int people_admin_status_set(struct lv_db *db, const char *employee_id, const char *status,
			    const char *reason, const struct audit_actor *who, int64_t at,
			    int *changed);

/* ---- the import ---- */

/*
 * One error of an import. The sentence is tmpl (an N_() msgid) with its
 * placeholders {value}, {other}, {n}, {max} and {line} filled in by
 * people_import_error_say, so it can be read in any language.
 */
struct people_import_error {
	unsigned line;    /* the line of the file (1 = the header); 0: the file as a whole */
	char column[24];  /* the column's name, or "" for the line or the file */
	const char *tmpl;
	char *value;      /* owned, may be NULL: the value, quoted */
	char *other;      /* owned, may be NULL */
	long long n, max, other_line;
};

/* What an import did, or why it did nothing. Caller-owned. */
struct people_import {
	size_t rows;              /* employees in the file */
	size_t inserted, updated, unchanged;
	size_t status_changes;    /* existing employees whose status the file changed */
	char sha256[65];          /* of the file, hex */
	struct people_import_error *errors; /* in file order */
	size_t n_errors;          /* listed (at most PEOPLE_IMPORT_MAX_ERRORS) */
	size_t more_errors;       /* found past the listed ones */
};

/* Zeroes im. */
void people_import_init(struct people_import *im);
/* Frees the errors and zeroes im. Accepts NULL. */
void people_import_cleanup(struct people_import *im);

/* Error e as a sentence in cat's language (NULL: English) into out (len bytes). */
void people_import_error_say(const struct people_import_error *e,
			     const struct lv_i18n_catalog *cat, char *out, size_t len);

/*
 * Checks len bytes of CSV text at data as people_import_run does before
 * it reads the database (the header, every line and value, duplicates in
 * the file), without touching any: a dry run, and what the fuzzer reads.
 * im must have been initialised; im->rows is set, and every error found.
 * Returns LV_OK, LV_EINVAL (errors: see im->errors), LV_ETOOBIG or
 * LV_EINTERNAL.
 */
int people_import_check(const void *data, size_t len, struct people_import *im);

/*
 * Imports len bytes of CSV text at data, from a file called filename (for
 * the audit entry; may be NULL), for who at `at` (see the header
 * paragraph): every line is checked first, and only when no line has an
 * error is anything written, in one transaction (BEGIN IMMEDIATE ...
 * COMMIT) with one audit entry "people.import" {file, sha256, bytes, rows,
 * inserted, updated, unchanged, status_changes} and, for each existing
 * employee the file changes, one "employee.import_update" with the fields
 * before and after (and "employee.status" for a status the file changes).
 * im must have been initialised; its counts and sha256 are set on
 * success, its errors on LV_EINVAL. Returns LV_OK; LV_EINVAL (errors in
 * the file: see im->errors; nothing written); LV_ETOOBIG (more than
 * PEOPLE_IMPORT_MAX_BYTES; nothing read); LV_ECONFLICT (the database
 * stayed busy; nothing written); LV_EINTERNAL.
 */
int people_import_run(struct lv_db *db, const void *data, size_t len, const char *filename,
		      const struct audit_actor *who, int64_t at, struct people_import *im);

#endif
