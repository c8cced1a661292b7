/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_policy_generation.c - the stored policies' generation (migration
 * 0008) and the running store's use of it (store/domain/policy_runtime.c,
 * app_policies_load): every stored change moves the counter and a refused
 * one does not; a load remembers the generation its rows were read at,
 * keeps the active set when nothing changed, reads the counter and the
 * rows from the same snapshot (inside a caller's transaction, another
 * connection's import is not half seen), and a stored set that does not
 * load leaves the last good set and its generation active.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "lv_err.h"
#include "lv_fixture.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "policy_runtime.h"
#include "policy_store.h"

static const char pol_branch[] =
	"{\"name\": \"branch-staff\", \"title\": \"Branch staff\","
	" \"audience\": {\"department\": [\"Branch\"]},"
	" \"visibility\": {\"allow\": {\"categories\": [\"uniforms\"]}}}";
static const char pol_branch2[] =
	"{\"name\": \"branch-staff\", \"title\": \"Branch staff, more\","
	" \"audience\": {\"department\": [\"Branch\"]},"
	" \"visibility\": {\"allow\": {\"categories\": [\"uniforms\", \"accessories\"]}}}";
static const char pol_ware[] =
	"{\"name\": \"warehouse\", \"title\": \"Warehouse\","
	" \"audience\": {\"site\": [\"Rotterdam\"]},"
	" \"limits\": [{\"tag\": \"uniform\", \"max\": 5, \"per\": \"year\"}]}";
/* a maximum below 1 and an unknown period */
static const char pol_broken[] =
	"{\"name\": \"broken\", \"audience\": {},"
	" \"limits\": [{\"tag\": \"uniform\", \"max\": 0, \"per\": \"fortnight\"}]}";

static const struct audit_actor cli_actor = { 0, "cli", NULL };

/* The counter as stored, read with plain SQL (not the code under test). */
static int64_t stored_gen(struct lv_db *db)
{
	return fixture_q_int(db, "SELECT n FROM policy_generation WHERE id = 1", NULL);
}

static int import(struct lv_db *db, const struct policy_source *src, size_t n)
{
	struct policy_errors errs;
	json_t *rep = NULL;
	int rc;

	policy_errors_init(&errs);
	rc = policy_store_import(db, &cli_actor, src, n, &rep, &errs);
	json_decref(rep);
	policy_errors_cleanup(&errs);
	return rc;
}

static int put(struct lv_db *db, const char *text)
{
	struct policy_errors errs;
	int rc;

	policy_errors_init(&errs);
	rc = policy_store_put(db, &cli_actor, NULL, text, strlen(text), POLICY_PUT_UPSERT, 0,
			      NULL, NULL, &errs);
	policy_errors_cleanup(&errs);
	return rc;
}

static void test_counter(void)
{
	struct lv_db *db = fixture_db_new("pgen", 2000, NULL);
	struct policy_source src[2] = {
		{ "a.json", pol_branch, sizeof(pol_branch) - 1 },
		{ "b.json", pol_ware, sizeof(pol_ware) - 1 },
	};
	struct policy_errors errs;
	int64_t n = -7, g;

	CHECK_INT(stored_gen(db), 0);
	CHECK_INT(policy_generation_read(db, &n), LV_OK);
	CHECK_INT(n, 0);

	/* an import of two new policies: two inserts */
	CHECK_INT(import(db, src, 2), LV_OK);
	g = stored_gen(db);
	CHECK(g > 0);
	CHECK_INT(policy_generation_read(db, &n), LV_OK);
	CHECK_INT(n, g);

	/* the same files again: nothing written, nothing moves */
	CHECK_INT(import(db, src, 2), LV_OK);
	CHECK_INT(stored_gen(db), g);

	/* a refused import (one broken file) writes nothing */
	src[1].origin = "c.json";
	src[1].text = pol_broken;
	src[1].len = sizeof(pol_broken) - 1;
	CHECK_INT(import(db, src, 2), LV_EINVAL);
	CHECK_INT(stored_gen(db), g);
	/* and neither does a refused put */
	CHECK_INT(put(db, pol_broken), LV_EINVAL);
	CHECK_INT(stored_gen(db), g);

	/* an import that changes one policy's text */
	src[0].text = pol_branch2;
	src[0].len = sizeof(pol_branch2) - 1;
	CHECK_INT(import(db, src, 1), LV_OK);
	CHECK(stored_gen(db) > g);
	g = stored_gen(db);

	/* the admin API's paths: put and delete */
	CHECK_INT(put(db, pol_branch), LV_OK);
	CHECK(stored_gen(db) > g);
	g = stored_gen(db);
	policy_errors_init(&errs);
	CHECK_INT(policy_store_delete(db, &cli_actor, "warehouse", 0, &errs), LV_OK);
	policy_errors_cleanup(&errs);
	CHECK(stored_gen(db) > g);
	fixture_db_drop(db);
}

static void test_runtime_load(void)
{
	struct lv_db *db = fixture_db_new("pgen", 2000, NULL);
	struct policy_source src[1] = { { "b.json", pol_ware, sizeof(pol_ware) - 1 } };
	struct policy_runtime *rt = NULL;
	struct policy_errors errs;
	struct policy_set *s1, *s2, *empty;
	int64_t g;

	policy_runtime_new(&rt);
	CHECK_INT(policy_runtime_generation(rt), POLICY_GENERATION_UNKNOWN);
	CHECK_INT(put(db, pol_branch), LV_OK);

	policy_errors_init(&errs);
	CHECK_INT(policy_runtime_load(rt, db, &errs), LV_OK);
	CHECK_INT(errs.n, 0);
	CHECK_INT(policy_runtime_generation(rt), stored_gen(db));
	s1 = policy_runtime_get_at(rt, &g);
	CHECK_INT(g, stored_gen(db));
	CHECK_INT(policy_set_count(s1), 1);

	/* nothing changed: the same set stays active */
	CHECK_INT(policy_runtime_load(rt, db, &errs), LV_OK);
	s2 = policy_runtime_get(rt);
	CHECK(s2 == s1);
	policy_set_unref(s2);

	/* a change (as another process would make it) is seen as a new generation */
	CHECK_INT(import(db, src, 1), LV_OK);
	CHECK(stored_gen(db) != policy_runtime_generation(rt));
	CHECK_INT(policy_runtime_load(rt, db, &errs), LV_OK);
	CHECK_INT(policy_runtime_generation(rt), stored_gen(db));
	s2 = policy_runtime_get(rt);
	CHECK(s2 != s1);
	CHECK_INT(policy_set_count(s2), 2);
	policy_set_unref(s2);
	policy_set_unref(s1);

	/* a set swapped in without a generation is loaded again */
	empty = policy_set_empty();
	policy_runtime_set(rt, empty);
	policy_set_unref(empty);
	CHECK_INT(policy_runtime_generation(rt), POLICY_GENERATION_UNKNOWN);
	CHECK_INT(policy_runtime_load(rt, db, &errs), LV_OK);
	CHECK_INT(policy_runtime_generation(rt), stored_gen(db));
	policy_errors_cleanup(&errs);
	policy_runtime_free(rt);
	fixture_db_drop(db);
}

/*
 * Inside a transaction the caller opened on connection a, a load reads
 * the snapshot of that transaction: an import committed meanwhile on
 * connection b is not seen, neither its rows nor its generation.
 */
static void test_runtime_snapshot(void)
{
	struct lv_db *a = fixture_db_new("pgen", 2000, NULL), *b = NULL;
	struct policy_source src[1] = { { "b.json", pol_ware, sizeof(pol_ware) - 1 } };
	struct policy_runtime *rt = NULL;
	struct policy_errors errs;
	struct policy_set *set;
	int64_t g0, g;
	char msg[256];

	CHECK_INT(put(a, pol_branch), LV_OK);
	g0 = stored_gen(a);
	CHECK_INT(lv_db_open(fixture_db_path(), 0, 2000, &b, msg, sizeof(msg)), LV_OK);
	policy_runtime_new(&rt);
	policy_errors_init(&errs);

	CHECK_INT(lv_db_exec(a, "BEGIN"), LV_OK);
	CHECK_INT(stored_gen(a), g0); /* the snapshot starts here */
	CHECK_INT(import(b, src, 1), LV_OK);
	CHECK(stored_gen(b) > g0);
	CHECK_INT(policy_runtime_load(rt, a, &errs), LV_OK);
	set = policy_runtime_get_at(rt, &g);
	CHECK_INT(g, g0);
	CHECK_INT(policy_set_count(set), 1);
	policy_set_unref(set);
	CHECK(!sqlite3_get_autocommit(a->conn)); /* the caller's transaction is still open */
	CHECK_INT(lv_db_commit(a), LV_OK);

	CHECK_INT(policy_runtime_load(rt, a, &errs), LV_OK);
	set = policy_runtime_get_at(rt, &g);
	CHECK_INT(g, stored_gen(b));
	CHECK_INT(policy_set_count(set), 2);
	policy_set_unref(set);
	CHECK(sqlite3_get_autocommit(a->conn)); /* its own read transaction is closed */

	policy_errors_cleanup(&errs);
	policy_runtime_free(rt);
	lv_db_close(b);
	fixture_db_drop(a);
}

/*
 * A stored set that does not load (written behind the store's back: the
 * store itself never writes one) is refused with every error, and the
 * last good set stays active with its generation.
 */
static void test_broken_stays(void)
{
	struct lv_db *db = fixture_db_new("pgen", 2000, NULL);
	struct livery app;
	struct policy_set *before, *after;
	sqlite3_stmt *st = NULL;
	int64_t g_before, g_after;
	char msg[1024];

	memset(&app, 0, sizeof(app));
	policy_runtime_new(&app.policies);
	CHECK_INT(put(db, pol_branch), LV_OK);
	CHECK_INT(app_policies_load(&app, db, msg, sizeof(msg)), LV_OK);
	before = policy_runtime_get_at(app.policies, &g_before);
	CHECK_INT(g_before, stored_gen(db));

	CHECK_INT(lv_db_stmt(db, "UPDATE policies SET body = ?1 WHERE name = 'branch-staff'", &st),
		  LV_OK);
	CHECK_INT(lv_db_bind_text(st, 1, pol_broken), LV_OK);
	CHECK_INT(sqlite3_step(st), SQLITE_DONE);
	lv_db_done(st);
	CHECK(stored_gen(db) > g_before); /* the trigger saw it */

	msg[0] = '\0';
	CHECK_INT(app_policies_load(&app, db, msg, sizeof(msg)), LV_EINVAL);
	CHECK(strstr(msg, "branch-staff") != NULL);
	CHECK(strstr(msg, "$.limits[0]") != NULL);
	after = policy_runtime_get_at(app.policies, &g_after);
	CHECK(after == before);
	CHECK_INT(g_after, g_before);
	CHECK(sqlite3_get_autocommit(db->conn));
	policy_set_unref(after);
	policy_set_unref(before);

	policy_runtime_free(app.policies);
	fixture_db_drop(db);
}

int main(void)
{
	LV_RUN(test_counter);
	LV_RUN(test_runtime_load);
	LV_RUN(test_runtime_snapshot);
	LV_RUN(test_broken_stays);
	return lv_test_done();
}
