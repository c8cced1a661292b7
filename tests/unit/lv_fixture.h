/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lv_fixture.h - what the unit tests of the money path set up again and
 * again: a fresh migrated database in its own temporary folder (with a
 * catalog imported from CSV text when the test wants one) and its removal,
 * local times, employees, allowance programmes, orders placed through the
 * real checkout, and one integer read back with SQL.
 *
 * The fixture is built once into a small static library linked by every
 * unit test, so it cannot use lv_test.h's CHECK counters (they are static
 * to each test file): what it sets up is not what a test checks, so a
 * setup step that fails prints why and aborts the test process, which
 * CTest reports as a failure. Results a test checks (a status, a count)
 * are returned for the test's own CHECKs.
 *
 * One fixture database at a time per process: fixture_db_path() and
 * fixture_dir() name the newest one until fixture_db_drop().
 */
#ifndef LV_FIXTURE_H
#define LV_FIXTURE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "lv_db.h"

/* What fixture_q_int returns when the statement yields no row. */
#define FIXTURE_NO_ROW (-424242)

/* The local time y-m-d h:mi:s (m from 1; the C library decides DST). */
int64_t fixture_lt(int y, int m, int d, int h, int mi, int s);

/*
 * A new folder /tmp/lv-<tag>-XXXXXX holding a database "test.db" opened
 * with busy timeout busy_ms and migrated to the newest schema. When
 * catalog_csv is not NULL it is written to the folder as catalog.csv and
 * imported (currency EUR; the import's row errors are printed). Returns
 * the connection, which the caller releases with fixture_db_drop().
 * Aborts when any of this fails.
 */
struct lv_db *fixture_db_new(const char *tag, int busy_ms, const char *catalog_csv);

/* The path of the current fixture database ("" when there is none). */
const char *fixture_db_path(void);

/* The current fixture folder, for a test's own files ("" when there is none). */
const char *fixture_dir(void);

/*
 * Closes db (may be NULL, or another connection than the fixture's) and
 * removes the current fixture folder with everything in it.
 */
void fixture_db_drop(struct lv_db *db);

/* An employee row; every NULL field is stored as NULL unless said otherwise. */
struct fixture_employee {
	const char *hr_id;           /* employee_id */
	const char *name;            /* NULL: hr_id */
	const char *department;
	const char *site;
	const char *cost_center;
	const char *job_title;
	const char *employment_type;
	const char *groups;          /* JSON array text; NULL: "[]" */
	const char *status;          /* NULL: "active" */
	const char *hire_date;       /* YYYY-MM-DD */
	const char *manager;         /* the manager's employee_id */
};

/* Inserts e (created and updated at 0). Returns its id; aborts on failure. */
int64_t fixture_employee_add(struct lv_db *db, const struct fixture_employee *e);

/*
 * Creates the allowance programme defined by json with the clock at `at`
 * (the clock is reset afterwards). Returns its id; aborts when the
 * definition does not parse or is refused (the reason is printed).
 */
int64_t fixture_programme_add(struct lv_db *db, const char *json, int64_t at);

/* An order to place through order_checkout(). */
struct fixture_order {
	int64_t employee;            /* the buyer, also the actor ("buyer") */
	const char *const *skus;     /* n SKUs ... */
	const int64_t *qty;          /* ... and their quantities (n <= 8) */
	size_t n;
	const char *uncovered;       /* uncovered_overage; NULL: "deny" */
	int consent;                 /* payroll consent */
	const json_t *home;          /* the home address; NULL: delivery to the site */
	int64_t at;
};

/*
 * Places o with a new idempotency key (currency EUR). OUT: ref (33 bytes),
 * the order's ref ("" when refused). Returns the status the checkout
 * answered (a refusal's code and message are printed), or -1 when
 * order_checkout itself fails.
 */
int fixture_order_place(struct lv_db *db, const struct fixture_order *o, char *ref);

/*
 * One integer: the first column of the first row of sql, whose parameter
 * ?1, when it has one, is bound to text (NULL binds NULL). Returns
 * FIXTURE_NO_ROW when there is no row; aborts when sql does not prepare.
 */
int64_t fixture_q_int(struct lv_db *db, const char *sql, const char *text);

/* As fixture_q_int, with integers ?1 = a, ?2 = b and text ?3 (each if present). */
int64_t fixture_q_int3(struct lv_db *db, const char *sql, int64_t a, int64_t b,
		       const char *text);

#endif
