/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_audit.c - the audit log read back (store/domain/audit_read.c) and
 * its append-only guarantee: the schema's triggers refuse UPDATE and
 * DELETE whatever SQL tries; the search's filters one by one (actor by
 * part of the name, by employee id or email; an action or every action
 * under its prefix; entity and entity id; free text in before or after,
 * with LIKE's wildcards taken literally; a date range of local days),
 * keyset pages that give every entry once, newest first, even while new
 * entries arrive; one entry; the vocabulary of actions and entities; the
 * CSV export with its quoting and its bound; the parameters' refusals;
 * and the diff of an entry's before and after, pretty-printed so that one
 * changed field is one changed line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "audit_read.h"
#include "lv_buf.h"
#include "lv_err.h"
#include "lv_fixture.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "lv_time.h"

static struct lv_db *db;
static int64_t carol_id;

/* Appends an entry at local time t. */
static void add(const struct audit_actor *who, const char *action, const char *entity,
		const char *entity_id, const char *before, const char *after, int64_t t)
{
	json_t *b = before ? json_loads(before, JSON_DECODE_ANY, NULL) : NULL;
	json_t *a = after ? json_loads(after, JSON_DECODE_ANY, NULL) : NULL;

	lv_clock_set(t);
	if (audit_append(db, who, action, entity, entity_id, b, a) != LV_OK) {
		fprintf(stderr, "audit_append %s failed\n", action);
		exit(1);
	}
	lv_clock_set(0);
	json_decref(b);
	json_decref(a);
}

static void dataset(void)
{
	struct fixture_employee carol = { .hr_id = "E2001", .name = "Carol Dupont" };
	struct audit_actor c = { 0, "Carol Dupont", "192.0.2.7" };
	struct audit_actor cli = { 0, "cli", NULL };
	struct audit_actor dave = { 0, "Dave Martin", "2001:db8::5" };
	char sql[128];

	db = fixture_db_new("audit", 1000, NULL);
	carol_id = fixture_employee_add(db, &carol);
	lv_snprintf(sql, sizeof(sql), "UPDATE employees SET email = 'carol@example.com' WHERE id = %lld",
		    (long long)carol_id);
	if (lv_db_exec(db, sql) != LV_OK)
		exit(1);
	c.employee = carol_id;
	/* ids 1..8, in time order */
	add(&cli, "catalog.import", "catalog", NULL, NULL, "{\"products\":3}",
	    fixture_lt(2026, 3, 31, 23, 59, 59));
	add(&c, "allowance.programme_create", "allowance_programme", "uni", NULL,
	    "{\"slug\":\"uni\",\"amount\":10000}", fixture_lt(2026, 4, 1, 0, 0, 0));
	add(&dave, "order.advance", "order", "LV-000001", "{\"status\":\"placed\"}",
	    "{\"status\":\"picking\"}", fixture_lt(2026, 4, 2, 10, 0, 0));
	add(&dave, "order.cancel", "order", "LV-000002", "{\"status\":\"placed\"}",
	    "{\"status\":\"cancelled\",\"reason\":\"50% off_elsewhere\"}",
	    fixture_lt(2026, 4, 3, 10, 0, 0));
	add(&c, "policy.update", "policy", "bank", "{\"a\":1,\"b\":2,\"c\":3}",
	    "{\"a\":1,\"b\":20,\"c\":3}", fixture_lt(2026, 4, 4, 10, 0, 0));
	add(&c, "allowance.adjust", "employee", "7", NULL,
	    "{\"amount\":-500,\"reason\":\"=HYPERLINK(\\\"x\\\")\"}",
	    fixture_lt(2026, 4, 30, 23, 59, 59));
	add(&dave, "order.cancel", "order", "LV-000003", "{\"status\":\"placed\"}",
	    "{\"status\":\"cancelled\",\"reason\":\"500 offices\"}",
	    fixture_lt(2026, 5, 1, 0, 0, 0));
	add(&cli, "policy.import", "policy", NULL, NULL, "[\"bank\",\"hq\"]",
	    fixture_lt(2026, 5, 2, 8, 0, 0));
}

struct kv {
	const char *const *v;
};

static const char *kv_get(void *arg, const char *key)
{
	const struct kv *kv = arg;
	size_t i, n = strlen(key);

	for (i = 0; kv->v && kv->v[i]; i++)
		if (strncmp(kv->v[i], key, n) == 0 && kv->v[i][n] == '=')
			return kv->v[i] + n + 1;
	return NULL;
}

/* The ids a search finds on its first page, as "8,7,...". OUT: *next. */
static void ids(const char *const *params, char *out, size_t len, int64_t *next)
{
	struct kv kv = { params };
	struct audit_query q;
	const char *field = NULL, *why = NULL;
	json_t *list = NULL, *e;
	size_t i, o = 0;
	int64_t nx = 0;

	out[0] = '\0';
	CHECK_INT(audit_query_parse(kv_get, &kv, &q, &field, &why), LV_OK);
	CHECK_INT(audit_search(db, &q, &list, &nx), LV_OK);
	json_array_foreach(list, i, e)
		o += (size_t)lv_snprintf(out + o, len - o, "%s%lld", i ? "," : "",
					 (long long)json_integer_value(json_object_get(e, "id")));
	json_decref(list);
	if (next)
		*next = nx;
}

static void check_ids(const char *const *params, const char *expect)
{
	char s[256];

	ids(params, s, sizeof(s), NULL);
	CHECK_STR(s, expect);
}

static void test_append_only(void)
{
	char *err = NULL;
	int rc;

	rc = sqlite3_exec(db->conn, "UPDATE audit_log SET actor_label = 'someone else' WHERE id = 3",
			  NULL, NULL, &err);
	CHECK_INT(rc & 0xff, SQLITE_CONSTRAINT);
	CHECK(err != NULL && strstr(err, "append-only") != NULL);
	sqlite3_free(err);
	err = NULL;
	rc = sqlite3_exec(db->conn, "DELETE FROM audit_log WHERE id = 3", NULL, NULL, &err);
	CHECK_INT(rc & 0xff, SQLITE_CONSTRAINT);
	CHECK(err != NULL && strstr(err, "append-only") != NULL);
	sqlite3_free(err);
	err = NULL;
	rc = sqlite3_exec(db->conn, "DELETE FROM audit_log", NULL, NULL, &err);
	CHECK_INT(rc & 0xff, SQLITE_CONSTRAINT);
	sqlite3_free(err);
	/* nothing changed */
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM audit_log", NULL), 8);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM audit_log WHERE actor_label = 'Dave Martin'",
				NULL), 3);
}

static void test_filters(void)
{
	static const char *const all[] = { NULL };
	static const char *const by_name[] = { "actor=carol", NULL };
	static const char *const by_hr_id[] = { "actor=E2001", NULL };
	static const char *const by_email[] = { "actor=Carol@Example.com", NULL };
	static const char *const by_cli[] = { "actor=cli", NULL };
	static const char *const cancel[] = { "action=order.cancel", NULL };
	static const char *const order_any[] = { "action=order", NULL };
	static const char *const ord[] = { "action=ord", NULL };
	static const char *const entity[] = { "entity=order", NULL };
	static const char *const entity_id[] = { "entity=order", "entity_id=LV-000002", NULL };
	static const char *const id_only[] = { "entity_id=bank", NULL };
	static const char *const ent_act[] = { "entity=policy", "action=policy.update", NULL };
	static const char *const percent[] = { "q=50%", NULL };
	static const char *const underscore[] = { "q=off_", NULL };
	static const char *const text[] = { "q=picking", NULL };
	static const char *const april[] = { "from=2026-04-01", "to=2026-04-30", NULL };
	static const char *const march[] = { "to=2026-03-31", NULL };
	static const char *const may[] = { "from=2026-05-01", NULL };
	static const char *const mixed[] = { "actor=dave", "q=cancelled", "from=2026-04-03",
					     "to=2026-04-03", NULL };
	static const char *const nothing[] = { "actor=nobody", NULL };

	check_ids(all, "8,7,6,5,4,3,2,1");
	check_ids(by_name, "6,5,2");
	check_ids(by_hr_id, "6,5,2");
	check_ids(by_email, "6,5,2");
	check_ids(by_cli, "8,1");
	check_ids(cancel, "7,4");
	check_ids(order_any, "7,4,3");
	check_ids(ord, "");
	check_ids(entity, "7,4,3");
	check_ids(entity_id, "4");
	check_ids(id_only, "5");
	check_ids(ent_act, "5");
	/* % and _ are the characters typed, not wildcards: "500 offices" does not match */
	check_ids(percent, "4");
	check_ids(underscore, "4");
	check_ids(text, "3");
	/* local days: 2026-04-01 00:00:00 Paris is 2026-03-31 22:00 UTC */
	check_ids(april, "6,5,4,3,2");
	check_ids(march, "1");
	check_ids(may, "8,7");
	check_ids(mixed, "4");
	check_ids(nothing, "");
}

static void test_pages(void)
{
	static const char *const first[] = { "limit=3", NULL };
	struct audit_actor late = { 0, "system", NULL };
	const char *p2[3] = { "limit=3", NULL, NULL };
	char s[64], before[32];
	int64_t next = 0;

	ids(first, s, sizeof(s), &next);
	CHECK_STR(s, "8,7,6");
	CHECK_INT(next, 6);
	/* an entry arriving meanwhile does not shift the next page */
	add(&late, "order.place", "order", "LV-000009", NULL, "{}", fixture_lt(2026, 5, 3, 8, 0, 0));
	lv_snprintf(before, sizeof(before), "before=%lld", (long long)next);
	p2[1] = before;
	ids(p2, s, sizeof(s), &next);
	CHECK_STR(s, "5,4,3");
	lv_snprintf(before, sizeof(before), "before=%lld", (long long)next);
	ids(p2, s, sizeof(s), &next);
	CHECK_STR(s, "2,1");
	CHECK_INT(next, 0);
	/* exactly a page left: the last page says there is no more */
	lv_snprintf(before, sizeof(before), "before=%d", 4);
	ids(p2, s, sizeof(s), &next);
	CHECK_STR(s, "3,2,1");
	CHECK_INT(next, 0);
}

static void test_get(void)
{
	json_t *e = NULL;

	CHECK_INT(audit_get(db, 2, &e), LV_OK);
	CHECK_STR(json_string_value(json_object_get(e, "action")), "allowance.programme_create");
	CHECK_STR(json_string_value(json_object_get(e, "address")), "192.0.2.7");
	CHECK_STR(json_string_value(json_object_get(json_object_get(e, "actor"), "employee_id")),
		  "E2001");
	CHECK_STR(json_string_value(json_object_get(json_object_get(e, "actor"), "name")),
		  "Carol Dupont");
	CHECK_INT(json_integer_value(json_object_get(json_object_get(e, "actor"), "id")), carol_id);
	CHECK_INT(json_integer_value(json_object_get(e, "at")), fixture_lt(2026, 4, 1, 0, 0, 0));
	CHECK(json_is_null(json_object_get(e, "before")));
	CHECK_INT(json_integer_value(json_object_get(json_object_get(e, "after"), "amount")), 10000);
	json_decref(e);
	CHECK_INT(audit_get(db, 1, &e), LV_OK);
	CHECK(json_is_null(json_object_get(e, "address")));
	CHECK(json_is_null(json_object_get(json_object_get(e, "actor"), "id")));
	json_decref(e);
	e = NULL;
	CHECK_INT(audit_get(db, 999, &e), LV_ENOTFOUND);
	CHECK(e == NULL);
}

static void test_vocabulary(void)
{
	json_t *v = NULL;
	char *s;

	CHECK_INT(audit_vocabulary(db, &v), LV_OK);
	s = json_dumps(v, JSON_COMPACT);
	CHECK_STR(s, "{\"actions\":[\"allowance.adjust\",\"allowance.programme_create\","
		     "\"catalog.import\",\"order.advance\",\"order.cancel\","
		     "\"policy.import\",\"policy.update\"],\"entities\":[\"allowance_programme\","
		     "\"catalog\",\"employee\",\"order\",\"policy\"]}");
	free(s);
	json_decref(v);
}

static void test_export(void)
{
	static const char *const adjust[] = { "action=allowance.adjust", "before=1", NULL };
	static const char *const all[] = { NULL };
	struct kv kv = { adjust };
	struct audit_query q;
	const char *field, *why;
	struct lv_buf out;
	size_t rows = 0;

	/* before is ignored: an export is everything the filters find */
	CHECK_INT(audit_query_parse(kv_get, &kv, &q, &field, &why), LV_OK);
	lv_buf_init(&out, 1u << 20);
	CHECK_INT(audit_export_csv(db, &q, &out, &rows), LV_OK);
	CHECK_INT(rows, 1);
	CHECK_STR(lv_buf_str(&out),
		  "id,at,actor,actor_employee_id,address,action,entity,entity_id,before,after\r\n"
		  "6,2026-04-30T23:59:59+02:00,Carol Dupont,E2001,192.0.2.7,allowance.adjust,"
		  "employee,7,,\"{\"\"amount\"\":-500,\"\"reason\"\":\"\"=HYPERLINK(\\\"\"x\\\"\")\"\"}\"\r\n");
	lv_buf_cleanup(&out);

	kv.v = all;
	CHECK_INT(audit_query_parse(kv_get, &kv, &q, &field, &why), LV_OK);
	lv_buf_init(&out, 1u << 20);
	CHECK_INT(audit_export_csv(db, &q, &out, &rows), LV_OK);
	CHECK_INT(rows, 9);
	/* newest first; the first entry of the file is the newest */
	CHECK(strstr(lv_buf_str(&out), "\r\n9,2026-05-03T08:00:00+02:00,system,,,order.place") !=
	      NULL);
	CHECK(strstr(lv_buf_str(&out), "\r\n1,2026-03-31T23:59:59+02:00,cli,,,catalog.import,"
				       "catalog,,,\"{\"\"products\"\":3}\"\r\n") != NULL);
	lv_buf_cleanup(&out);
	/* too large for the buffer: an error, never a cut file passed off as whole */
	lv_buf_init(&out, 300);
	CHECK_INT(audit_export_csv(db, &q, &out, &rows), LV_ETOOBIG);
	lv_buf_cleanup(&out);
}

static void test_params(void)
{
	static const struct {
		const char *param;
		const char *field;
	} bad[] = {
		{ "action=Order Cancel", "action" },
		{ "entity=order;drop", "entity" },
		{ "from=2026-13-01", "from" },
		{ "to=yesterday", "to" },
		{ "before=0", "before" },
		{ "before=-5", "before" },
		{ "limit=201", "limit" },
		{ "limit=x", "limit" },
		{ "actor=a\tb", "actor" },
	};
	static const char *const reversed[] = { "from=2026-04-02", "to=2026-04-01", NULL };
	static const char *const same_day[] = { "from=2026-04-02", "to=2026-04-02", NULL };
	const char *params[2] = { NULL, NULL };
	struct kv kv = { params };
	struct audit_query q;
	const char *field, *why;
	char longtext[300];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		params[0] = bad[i].param;
		CHECK_INT(audit_query_parse(kv_get, &kv, &q, &field, &why), LV_EINVAL);
		CHECK_STR(field, bad[i].field);
		CHECK(why != NULL && strlen(why) > 10);
	}
	memset(longtext, 'x', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	memcpy(longtext, "q=", 2);
	params[0] = longtext;
	CHECK_INT(audit_query_parse(kv_get, &kv, &q, &field, &why), LV_EINVAL);
	CHECK_STR(field, "q");
	kv.v = reversed;
	CHECK_INT(audit_query_parse(kv_get, &kv, &q, &field, &why), LV_EINVAL);
	CHECK_STR(field, "range");
	kv.v = same_day;
	CHECK_INT(audit_query_parse(kv_get, &kv, &q, &field, &why), LV_OK);
	CHECK_INT(q.from, fixture_lt(2026, 4, 2, 0, 0, 0));
	CHECK_INT(q.to, fixture_lt(2026, 4, 3, 0, 0, 0));
	CHECK_INT(q.limit, AUDIT_PAGE_DEFAULT);
}

/* The diff as "=a|-b|+c". */
static void diff_show(const json_t *d, char *out, size_t len)
{
	const json_t *l;
	size_t i, o = 0;

	out[0] = '\0';
	json_array_foreach(d, i, l) {
		const char *k = json_string_value(json_object_get(l, "kind"));

		o += (size_t)lv_snprintf(out + o, len - o, "%s%c%s", i ? "|" : "",
					 strcmp(k, "same") == 0 ? '=' : strcmp(k, "del") == 0 ? '-' : '+',
					 json_string_value(json_object_get(l, "text")));
	}
}

static void test_diff(void)
{
	json_t *e = NULL, *d, *big_a, *big_b;
	char s[512];
	int truncated = -1;
	size_t i;

	CHECK_INT(audit_get(db, 5, &e), LV_OK);
	d = audit_diff(json_object_get(e, "before"), json_object_get(e, "after"), &truncated);
	diff_show(d, s, sizeof(s));
	/* one field changed: one line removed, one added, the rest kept */
	CHECK_STR(s, "={|=  \"a\": 1,|-  \"b\": 2,|+  \"b\": 20,|=  \"c\": 3|=}");
	CHECK_INT(truncated, 0);
	json_decref(d);
	json_decref(e);

	/* created: everything added; a value that is not an object; a plain text */
	big_a = json_pack("{s:i}", "x", 1);
	d = audit_diff(NULL, big_a, &truncated);
	diff_show(d, s, sizeof(s));
	CHECK_STR(s, "+{|+  \"x\": 1|+}");
	json_decref(d);
	json_decref(big_a);
	big_a = json_integer(5);
	d = audit_diff(json_null(), big_a, &truncated);
	diff_show(d, s, sizeof(s));
	CHECK_STR(s, "+5");
	json_decref(d);
	json_decref(big_a);
	big_a = json_string("line one\nline two");
	big_b = json_string("line one\nline 2");
	d = audit_diff(big_a, big_b, &truncated);
	diff_show(d, s, sizeof(s));
	CHECK_STR(s, "=line one|-line two|+line 2");
	json_decref(d);
	json_decref(big_a);
	json_decref(big_b);

	/* a huge change is cut at AUDIT_DIFF_LINES_MAX lines and says so */
	big_a = json_array();
	big_b = json_array();
	for (i = 0; i < AUDIT_DIFF_LINES_MAX; i++) {
		json_array_append_new(big_a, json_integer((json_int_t)i));
		json_array_append_new(big_b, json_integer((json_int_t)i + 1000000));
	}
	d = audit_diff(big_a, big_b, &truncated);
	CHECK_INT(truncated, 1);
	CHECK_INT(json_array_size(d), AUDIT_DIFF_LINES_MAX);
	json_decref(d);
	json_decref(big_a);
	json_decref(big_b);
}

int main(void)
{
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	dataset();
	LV_RUN(test_append_only);
	LV_RUN(test_filters);
	LV_RUN(test_get);
	LV_RUN(test_vocabulary);
	LV_RUN(test_params);
	LV_RUN(test_diff);
	LV_RUN(test_pages);
	LV_RUN(test_export);
	fixture_db_drop(db);
	return lv_test_done();
}
