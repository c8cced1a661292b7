/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_sso_session.c - sessions (sso/session.c) on an in-memory database
 * made from sso_schema_v1: create, lookup, the once-a-minute touch, idle
 * and absolute timeouts, destroy, destroy by subject and by principal,
 * purge, and the CSRF check. Time moves with lv_clock_set().
 */
#include <sodium.h>
#include <string.h>

#include "lv_db.h"
#include "lv_err.h"
#include "lv_test.h"
#include "lv_time.h"
#include "session.h"
#include "sso_int.h"
#include "testkit.h"

#define T0 1700000000

static struct lv_db *db;
static struct sso_rp *rp;

static void setup(void)
{
	struct sso_config cfg;
	char msg[256];

	lv_clock_set(T0);
	if (lv_db_open(":memory:", 1, 1000, &db, msg, sizeof(msg)) != LV_OK ||
	    lv_db_exec(db, sso_schema_v1) != LV_OK) {
		fprintf(stderr, "db: %s\n", msg);
		exit(1);
	}
	sso_config_init(&cfg);
	cfg.issuer = SSO_TESTKIT_ISSUER;
	cfg.client_id = "c";
	cfg.client_secret = "s";
	cfg.redirect_uri = "https://store.test/cb";
	cfg.session_idle_seconds = 1800;
	cfg.session_max_seconds = 43200;
	if (sso_rp_new(&cfg, &rp, msg, sizeof(msg)) != LV_OK) {
		fprintf(stderr, "rp: %s\n", msg);
		exit(1);
	}
}

static int64_t count(const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db->conn, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

static struct sso_identity ident(const char *sub, const char *sid)
{
	struct sso_identity id = { .iss = SSO_TESTKIT_ISSUER,
				   .sub = (char *)sub,
				   .sid = (char *)sid,
				   .id_token = "eyJ.fake.token" };

	return id;
}

static void test_create_lookup(void)
{
	struct sso_identity id = ident("alice", "sid-a");
	struct sso_session_token t1, t2;
	struct sso_session s;
	sqlite3_stmt *stmt = NULL;

	CHECK_INT(sso_session_create(rp, db, 42, &id, &t1), LV_OK);
	CHECK_INT(sso_session_create(rp, db, 42, &id, &t2), LV_OK);
	CHECK_INT(strlen(t1.cookie), SSO_TOKEN_LEN);
	CHECK_INT(strlen(t1.csrf), SSO_TOKEN_LEN);
	CHECK(strcmp(t1.cookie, t2.cookie) != 0);
	CHECK(strcmp(t1.csrf, t2.csrf) != 0);
	CHECK(strcmp(t1.cookie, t1.csrf) != 0);

	CHECK_INT(sso_session_lookup(rp, db, t1.cookie, &s), LV_OK);
	CHECK_INT(s.principal_id, 42);
	CHECK_STR(s.csrf, t1.csrf);
	CHECK_STR(s.iss, SSO_TESTKIT_ISSUER);
	CHECK_STR(s.sub, "alice");
	CHECK_STR(s.sid, "sid-a");
	CHECK_STR(s.id_token, "eyJ.fake.token");
	CHECK_INT(s.created_at, T0);
	sso_session_cleanup(&s);

	/* The cookie value itself is nowhere in the database. */
	CHECK(sqlite3_prepare_v2(db->conn,
				 "SELECT count(*) FROM sso_session WHERE "
				 "id_hash = ?1 OR CAST(id_hash AS TEXT) = ?1 "
				 "OR csrf = ?1",
				 -1, &stmt, NULL) == SQLITE_OK);
	sqlite3_bind_text(stmt, 1, t1.cookie, -1, SQLITE_STATIC);
	CHECK(sqlite3_step(stmt) == SQLITE_ROW);
	CHECK_INT(sqlite3_column_int64(stmt, 0), 0);
	sqlite3_finalize(stmt);
	CHECK_INT(count("SELECT count(*) FROM sso_session WHERE "
			"length(id_hash) = 32"),
		  2);

	/* Unknown, altered, malformed cookies find nothing. */
	{
		char bad[SSO_TOKEN_LEN + 2];

		memcpy(bad, t1.cookie, sizeof(t1.cookie));
		bad[0] = bad[0] == 'A' ? 'B' : 'A';
		CHECK_INT(sso_session_lookup(rp, db, bad, &s), LV_ENOTFOUND);
		CHECK(s.iss == NULL);
		memcpy(bad, t1.cookie, sizeof(t1.cookie));
		bad[SSO_TOKEN_LEN] = 'x';
		bad[SSO_TOKEN_LEN + 1] = '\0';
		CHECK_INT(sso_session_lookup(rp, db, bad, &s), LV_ENOTFOUND);
		CHECK_INT(sso_session_lookup(rp, db, "", &s), LV_ENOTFOUND);
		CHECK_INT(sso_session_lookup(rp, db, NULL, &s), LV_ENOTFOUND);
		CHECK_INT(sso_session_lookup(rp, db, "a'b", &s), LV_ENOTFOUND);
	}
	{
		struct sso_identity none = { 0 };

		CHECK_INT(sso_session_create(rp, db, 1, &none, &t2), LV_EINVAL);
	}
	lv_db_exec(db, "DELETE FROM sso_session");
}

static int64_t last_seen(void)
{
	return count("SELECT max(last_seen_at) FROM sso_session");
}

static void test_touch_once_a_minute(void)
{
	struct sso_identity id = ident("bob", NULL);
	struct sso_session_token t;
	struct sso_session s;

	lv_clock_set(T0);
	CHECK_INT(sso_session_create(rp, db, 7, &id, &t), LV_OK);
	lv_clock_set(T0 + 30);
	CHECK_INT(sso_session_lookup(rp, db, t.cookie, &s), LV_OK);
	CHECK(s.sid == NULL);
	sso_session_cleanup(&s);
	CHECK_INT(last_seen(), T0);
	lv_clock_set(T0 + 59);
	CHECK_INT(sso_session_lookup(rp, db, t.cookie, &s), LV_OK);
	sso_session_cleanup(&s);
	CHECK_INT(last_seen(), T0);
	lv_clock_set(T0 + 60);
	CHECK_INT(sso_session_lookup(rp, db, t.cookie, &s), LV_OK);
	CHECK_INT(s.last_seen_at, T0 + 60);
	sso_session_cleanup(&s);
	CHECK_INT(last_seen(), T0 + 60);
	lv_db_exec(db, "DELETE FROM sso_session");
	lv_clock_set(T0);
}

static void test_idle_timeout(void)
{
	struct sso_identity id = ident("carol", NULL);
	struct sso_session_token t;
	struct sso_session s;

	lv_clock_set(T0);
	CHECK_INT(sso_session_create(rp, db, 8, &id, &t), LV_OK);
	lv_clock_set(T0 + 1799);
	CHECK_INT(sso_session_lookup(rp, db, t.cookie, &s), LV_OK);
	sso_session_cleanup(&s);
	/* idle counts from the last touch (T0 + 1799) */
	lv_clock_set(T0 + 1799 + 1799);
	CHECK_INT(sso_session_lookup(rp, db, t.cookie, &s), LV_OK);
	sso_session_cleanup(&s);
	lv_clock_set(T0 + 1799 + 1799 + 1800);
	CHECK_INT(sso_session_lookup(rp, db, t.cookie, &s), LV_ENOTFOUND);
	CHECK(s.iss == NULL);
	/* and the expired row is gone */
	CHECK_INT(count("SELECT count(*) FROM sso_session"), 0);
	lv_clock_set(T0);
}

static void test_absolute_timeout(void)
{
	struct sso_identity id = ident("dave", NULL);
	struct sso_session_token t;
	struct sso_session s;
	int64_t at;

	lv_clock_set(T0);
	CHECK_INT(sso_session_create(rp, db, 9, &id, &t), LV_OK);
	/* busy all day: a request every 20 minutes */
	for (at = T0 + 1200; at < T0 + 43200; at += 1200) {
		lv_clock_set(at);
		CHECK_INT(sso_session_lookup(rp, db, t.cookie, &s), LV_OK);
		sso_session_cleanup(&s);
	}
	lv_clock_set(T0 + 43199);
	CHECK_INT(sso_session_lookup(rp, db, t.cookie, &s), LV_OK);
	sso_session_cleanup(&s);
	lv_clock_set(T0 + 43200);
	CHECK_INT(sso_session_lookup(rp, db, t.cookie, &s), LV_ENOTFOUND);
	CHECK_INT(count("SELECT count(*) FROM sso_session"), 0);
	lv_clock_set(T0);
}

static void test_destroy(void)
{
	struct sso_identity id = ident("erin", NULL);
	struct sso_session_token t, u;
	struct sso_session s;

	CHECK_INT(sso_session_create(rp, db, 10, &id, &t), LV_OK);
	CHECK_INT(sso_session_create(rp, db, 10, &id, &u), LV_OK);
	CHECK_INT(sso_session_destroy(rp, db, t.cookie), LV_OK);
	CHECK_INT(sso_session_lookup(rp, db, t.cookie, &s), LV_ENOTFOUND);
	CHECK_INT(sso_session_lookup(rp, db, u.cookie, &s), LV_OK);
	sso_session_cleanup(&s);
	CHECK_INT(sso_session_destroy(rp, db, t.cookie), LV_OK);
	CHECK_INT(sso_session_destroy(rp, db, "garbage"), LV_OK);
	lv_db_exec(db, "DELETE FROM sso_session");
}

static void test_destroy_for_subject(void)
{
	struct sso_identity a1 = ident("frank", "sid-1");
	struct sso_identity a2 = ident("frank", "sid-2");
	struct sso_identity b = ident("grace", "sid-3");
	struct sso_session_token t1, t2, t3, t4;
	struct sso_session s;
	int64_t n = -1;

	CHECK_INT(sso_session_create(rp, db, 11, &a1, &t1), LV_OK);
	CHECK_INT(sso_session_create(rp, db, 11, &a2, &t2), LV_OK);
	CHECK_INT(sso_session_create(rp, db, 12, &b, &t3), LV_OK);

	/* by sid: only that provider session */
	CHECK_INT(sso_session_destroy_for_subject(rp, db, SSO_TESTKIT_ISSUER,
						  NULL, "sid-1", &n),
		  LV_OK);
	CHECK_INT(n, 1);
	CHECK_INT(sso_session_lookup(rp, db, t1.cookie, &s), LV_ENOTFOUND);
	CHECK_INT(sso_session_lookup(rp, db, t2.cookie, &s), LV_OK);
	sso_session_cleanup(&s);
	/* sub + sid that do not belong together: nothing */
	CHECK_INT(sso_session_destroy_for_subject(rp, db, SSO_TESTKIT_ISSUER,
						  "grace", "sid-2", &n),
		  LV_OK);
	CHECK_INT(n, 0);
	/* another issuer: nothing */
	CHECK_INT(sso_session_destroy_for_subject(rp, db, "https://other",
						  "frank", NULL, &n),
		  LV_OK);
	CHECK_INT(n, 0);
	/* by sub: every session of frank */
	CHECK_INT(sso_session_create(rp, db, 11, &a1, &t4), LV_OK);
	CHECK_INT(sso_session_destroy_for_subject(rp, db, SSO_TESTKIT_ISSUER,
						  "frank", NULL, &n),
		  LV_OK);
	CHECK_INT(n, 2);
	CHECK_INT(sso_session_lookup(rp, db, t2.cookie, &s), LV_ENOTFOUND);
	CHECK_INT(sso_session_lookup(rp, db, t4.cookie, &s), LV_ENOTFOUND);
	CHECK_INT(sso_session_lookup(rp, db, t3.cookie, &s), LV_OK);
	sso_session_cleanup(&s);
	CHECK_INT(sso_session_destroy_for_subject(rp, db, SSO_TESTKIT_ISSUER,
						  NULL, NULL, &n),
		  LV_EINVAL);

	/* by principal */
	CHECK_INT(sso_session_destroy_for_principal(rp, db, 12, &n), LV_OK);
	CHECK_INT(n, 1);
	CHECK_INT(sso_session_lookup(rp, db, t3.cookie, &s), LV_ENOTFOUND);
	lv_db_exec(db, "DELETE FROM sso_session");
}

static void test_purge(void)
{
	struct sso_identity id = ident("heidi", NULL);
	struct sso_session_token t, u;
	struct sso_session s;
	int64_t n = -1;

	lv_clock_set(T0);
	CHECK_INT(sso_session_create(rp, db, 13, &id, &t), LV_OK);
	lv_clock_set(T0 + 1000);
	CHECK_INT(sso_session_create(rp, db, 13, &id, &u), LV_OK);
	lv_clock_set(T0 + 1800);
	CHECK_INT(sso_session_purge(rp, db, &n), LV_OK);
	CHECK_INT(n, 1);
	CHECK_INT(sso_session_lookup(rp, db, u.cookie, &s), LV_OK);
	sso_session_cleanup(&s);
	lv_clock_set(T0 + 1800 + 1800);
	CHECK_INT(sso_purge(rp, db), LV_OK);
	CHECK_INT(count("SELECT count(*) FROM sso_session"), 0);
	lv_clock_set(T0);
}

static void test_csrf(void)
{
	struct sso_identity id = ident("ivan", NULL);
	struct sso_session_token t;
	struct sso_session s;
	char other[SSO_TOKEN_LEN + 1];

	CHECK_INT(sso_session_create(rp, db, 14, &id, &t), LV_OK);
	CHECK_INT(sso_session_lookup(rp, db, t.cookie, &s), LV_OK);
	CHECK_INT(sso_csrf_check(&s, t.csrf), LV_OK);
	memcpy(other, t.csrf, sizeof(other));
	other[10] = other[10] == 'x' ? 'y' : 'x';
	CHECK_INT(sso_csrf_check(&s, other), LV_EFORBIDDEN);
	other[SSO_TOKEN_LEN - 1] = '\0';
	memcpy(other, t.csrf, SSO_TOKEN_LEN - 1);
	CHECK_INT(sso_csrf_check(&s, other), LV_EFORBIDDEN); /* a prefix */
	CHECK_INT(sso_csrf_check(&s, ""), LV_EFORBIDDEN);
	CHECK_INT(sso_csrf_check(&s, NULL), LV_EFORBIDDEN);
	CHECK_INT(sso_csrf_check(NULL, t.csrf), LV_EFORBIDDEN);
	CHECK_INT(sso_csrf_check(&s, t.cookie), LV_EFORBIDDEN);
	sso_session_cleanup(&s);
	CHECK_INT(sso_csrf_check(&s, ""), LV_EFORBIDDEN); /* after cleanup */
	lv_db_exec(db, "DELETE FROM sso_session");
}

int main(void)
{
	setup();
	LV_RUN(test_create_lookup);
	LV_RUN(test_touch_once_a_minute);
	LV_RUN(test_idle_timeout);
	LV_RUN(test_absolute_timeout);
	LV_RUN(test_destroy);
	LV_RUN(test_destroy_for_subject);
	LV_RUN(test_purge);
	LV_RUN(test_csrf);
	sso_rp_free(rp);
	lv_db_close(db);
	return lv_test_done();
}
