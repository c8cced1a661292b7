/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * metrics.c - the counters of GET /metrics and their exposition (see
 * metrics.h).
 *
 * Every counter is an atomic_uint_fast64_t changed with relaxed order: a
 * scrape needs each number to be right, not a snapshot in which all of
 * them agree at one instant. The per-route rows are made once, sized from
 * the route table; routes that share a name share a row, so that each
 * series is printed once. The histogram keeps a count per bucket (not
 * cumulative, one increment per request) and adds them up when scraped;
 * its _count is that same sum, so it always equals the +Inf bucket.
 */
#include "metrics.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "lv_db.h"
#include "lv_err.h"
#include "lv_mem.h"
#include "routes.h"
#include "sso.h"

#define METRICS_CLASSES 5 /* 1xx .. 5xx */

/* Upper bounds of the latency buckets, in seconds (the last bucket: +Inf). */
static const double metrics_le[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
				     0.25, 0.5, 1, 2.5, 5 };
#define METRICS_BUCKETS (sizeof(metrics_le) / sizeof(metrics_le[0]))

static const char *const metrics_results[] = { "placed", "refused", "failed" };
#define METRICS_RESULTS (sizeof(metrics_results) / sizeof(metrics_results[0]))

/* Refusals of the store's own, after the sign-in layer's SSO_R_* names. */
static const char *const metrics_login_own[] = { "employee_refused", "employee_conflict",
						 "other" };
#define METRICS_LOGIN_OWN (sizeof(metrics_login_own) / sizeof(metrics_login_own[0]))
#define METRICS_LOGINS ((size_t)SSO_R_COUNT + METRICS_LOGIN_OWN)

struct metrics {
	size_t nroutes;                  /* route_total() when made */
	size_t *row;                     /* route index -> its row: the first route of its name */
	atomic_uint_fast64_t *requests;  /* [(nroutes + 1) * METRICS_CLASSES]; last row: no route */
	atomic_uint_fast64_t buckets[METRICS_BUCKETS + 1];
	atomic_uint_fast64_t sum_us;     /* total time, in microseconds */
	atomic_uint_fast64_t checkouts[METRICS_RESULTS];
	atomic_uint_fast64_t logins[METRICS_LOGINS]; /* by enum sso_reason, then metrics_login_own */
	double started;                  /* seconds since the epoch */
};

static void metrics_bump(atomic_uint_fast64_t *c, uint_fast64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static uint_fast64_t metrics_read(const atomic_uint_fast64_t *c)
{
	return atomic_load_explicit((atomic_uint_fast64_t *)c, memory_order_relaxed);
}

struct metrics *metrics_new(void)
{
	struct metrics *m = lv_calloc(1, sizeof(*m));
	struct timespec now;
	size_t i, j, n;

	m->nroutes = route_total();
	m->row = lv_calloc(m->nroutes + 1, sizeof(*m->row));
	n = (m->nroutes + 1) * METRICS_CLASSES;
	m->requests = lv_calloc(n, sizeof(*m->requests));
	for (i = 0; i < n; i++)
		atomic_init(&m->requests[i], 0);
	for (i = 0; i <= METRICS_BUCKETS; i++)
		atomic_init(&m->buckets[i], 0);
	atomic_init(&m->sum_us, 0);
	for (i = 0; i < METRICS_RESULTS; i++)
		atomic_init(&m->checkouts[i], 0);
	for (i = 0; i < METRICS_LOGINS; i++)
		atomic_init(&m->logins[i], 0);
	/* once, at start: O(routes^2) string compares of a table of ~150 */
	for (i = 0; i < m->nroutes; i++) {
		const char *name = route_at(i)->name;

		m->row[i] = i;
		for (j = 0; j < i; j++) {
			if (strcmp(route_at(j)->name, name) == 0) {
				m->row[i] = m->row[j];
				break;
			}
		}
	}
	m->row[m->nroutes] = m->nroutes;
	clock_gettime(CLOCK_REALTIME, &now);
	m->started = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
	return m;
}

void metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	lv_free(m->requests);
	lv_free(m->row);
	lv_free(m);
}

void metrics_request_count(struct metrics *m, const struct route *rt, int status, double seconds)
{
	size_t i = rt ? route_index(rt) : SIZE_MAX, row, b;
	int cls = status / 100 - 1;

	if (m == NULL)
		return;
	row = i < m->nroutes ? m->row[i] : m->nroutes;
	if (cls < 0 || cls >= METRICS_CLASSES)
		cls = METRICS_CLASSES - 1; /* never sent; counted where it shows */
	metrics_bump(&m->requests[row * METRICS_CLASSES + (size_t)cls], 1);
	if (!(seconds >= 0)) /* NaN too */
		seconds = 0;
	for (b = 0; b < METRICS_BUCKETS && seconds > metrics_le[b]; b++)
		;
	metrics_bump(&m->buckets[b], 1);
	metrics_bump(&m->sum_us, seconds < 1e9 ? (uint_fast64_t)(seconds * 1e6 + 0.5) : 0);
}

void metrics_checkout_count(struct metrics *m, int rc, int status, int replayed)
{
	size_t i;

	if (m == NULL || replayed)
		return;
	if (rc == LV_OK && status > 0 && status < 400)
		i = 0;
	else if (rc == LV_OK && status >= 400 && status < 500)
		i = 1;
	else
		i = 2;
	metrics_bump(&m->checkouts[i], 1);
}

/* The reason name of logins[i]. */
static const char *metrics_login_name(size_t i)
{
	return i < SSO_R_COUNT ? sso_reason_name((enum sso_reason)i)
			       : metrics_login_own[i - SSO_R_COUNT];
}

/* Reasons that never refuse a sign-in, left out of the exposition. */
static int metrics_login_shown(size_t i)
{
	return i != SSO_R_NONE && i != SSO_R_LOGOUT_TOKEN_INVALID;
}

void metrics_login_failure_count(struct metrics *m, const char *reason)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < METRICS_LOGINS - 1; i++)
		if (metrics_login_shown(i) && reason && strcmp(metrics_login_name(i), reason) == 0)
			break;
	metrics_bump(&m->logins[i], 1); /* not found: the last, "other" */
}

/* "# HELP" and "# TYPE" of one metric. */
static int metrics_head(struct lv_buf *out, const char *name, const char *type, const char *help)
{
	return lv_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Appends s as a label value: \, " and newline escaped. */
static int metrics_label(struct lv_buf *out, const char *s)
{
	int rc = LV_OK;

	for (; *s && rc == LV_OK; s++) {
		if (*s == '\\' || *s == '"')
			rc = lv_buf_printf(out, "\\%c", *s);
		else if (*s == '\n')
			rc = lv_buf_append_str(out, "\\n");
		else
			rc = lv_buf_append_char(out, *s);
	}
	return rc;
}

/* page_count * page_size of db. OUT: *bytes. LV_OK or LV_EINTERNAL. */
static int metrics_db_size(struct lv_db *db, long long *bytes)
{
	sqlite3_stmt *st = NULL;
	int rc = LV_EINTERNAL;

	if (db == NULL || lv_db_stmt(db, "SELECT p.page_count * s.page_size"
				     " FROM pragma_page_count() AS p, pragma_page_size() AS s",
				     &st) != LV_OK)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*bytes = sqlite3_column_int64(st, 0);
		rc = LV_OK;
	}
	lv_db_done(st);
	return rc;
}

static int metrics_render_requests(const struct metrics *m, struct lv_buf *out)
{
	static const char *const classes[METRICS_CLASSES] = { "1xx", "2xx", "3xx", "4xx", "5xx" };
	uint_fast64_t cum = 0, v;
	size_t i, c;
	int rc;

	rc = metrics_head(out, "livery_http_requests_total", "counter",
			  "HTTP requests answered, by route (its name in the route table, or "
			  "unmatched when no route matched) and status class.");
	for (i = 0; i <= m->nroutes && rc == LV_OK; i++) {
		if (m->row[i] != i)
			continue; /* counted in the row of the first route of its name */
		for (c = 0; c < METRICS_CLASSES && rc == LV_OK; c++) {
			v = metrics_read(&m->requests[i * METRICS_CLASSES + c]);
			if (v == 0)
				continue; /* a series appears once it counts something */
			rc = lv_buf_append_str(out, "livery_http_requests_total{route=\"");
			if (rc == LV_OK)
				rc = metrics_label(out, i < m->nroutes ? route_at(i)->name : "unmatched");
			if (rc == LV_OK)
				rc = lv_buf_printf(out, "\",status_class=\"%s\"} %llu\n", classes[c],
						   (unsigned long long)v);
		}
	}
	if (rc == LV_OK)
		rc = metrics_head(out, "livery_http_request_duration_seconds", "histogram",
				  "Time from reading a request to having sent its answer.");
	for (i = 0; i <= METRICS_BUCKETS && rc == LV_OK; i++) {
		cum += metrics_read(&m->buckets[i]);
		if (i < METRICS_BUCKETS)
			rc = lv_buf_printf(out, "livery_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
					   metrics_le[i], (unsigned long long)cum);
		else
			rc = lv_buf_printf(out, "livery_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
					   (unsigned long long)cum);
	}
	if (rc == LV_OK)
		rc = lv_buf_printf(out, "livery_http_request_duration_seconds_sum %.6f\n"
				   "livery_http_request_duration_seconds_count %llu\n",
				   (double)metrics_read(&m->sum_us) / 1e6, (unsigned long long)cum);
	return rc;
}

static int metrics_render_money(const struct metrics *m, struct lv_buf *out)
{
	size_t i;
	int rc;

	rc = metrics_head(out, "livery_checkouts_total", "counter",
			  "Checkouts by result: placed (an order was made), refused (the store "
			  "said no: rules, allowance, stock, the form), failed (an error of ours).");
	for (i = 0; i < METRICS_RESULTS && rc == LV_OK; i++)
		rc = lv_buf_printf(out, "livery_checkouts_total{result=\"%s\"} %llu\n", metrics_results[i],
				   (unsigned long long)metrics_read(&m->checkouts[i]));
	if (rc == LV_OK)
		rc = metrics_head(out, "livery_login_failures_total", "counter",
				  "Refused sign-ins, by the reason the error page names.");
	for (i = 0; i < METRICS_LOGINS && rc == LV_OK; i++) {
		if (!metrics_login_shown(i))
			continue;
		rc = lv_buf_printf(out, "livery_login_failures_total{reason=\"%s\"} %llu\n",
				   metrics_login_name(i), (unsigned long long)metrics_read(&m->logins[i]));
	}
	return rc;
}

int metrics_render(const struct metrics *m, struct lv_db *db, struct lv_buf *out)
{
	long long bytes = 0;
	int rc;

	rc = metrics_head(out, "livery_build_info", "gauge", "Livery's version, as a label.");
	if (rc == LV_OK)
		rc = lv_buf_append_str(out, "livery_build_info{version=\"");
	if (rc == LV_OK)
		rc = metrics_label(out, LIVERY_VERSION);
	if (rc == LV_OK)
		rc = lv_buf_append_str(out, "\"} 1\n");
	if (rc == LV_OK && m)
		rc = metrics_head(out, "process_start_time_seconds", "gauge",
				  "When the server started, in seconds since the Unix epoch.");
	if (rc == LV_OK && m)
		rc = lv_buf_printf(out, "process_start_time_seconds %.3f\n", m->started);
	if (rc == LV_OK && m)
		rc = metrics_render_requests(m, out);
	if (rc == LV_OK && m)
		rc = metrics_render_money(m, out);
	if (rc == LV_OK)
		rc = metrics_head(out, "livery_database_size_bytes", "gauge",
				  "Size of the database file (page_count * page_size), read now.");
	if (rc == LV_OK && metrics_db_size(db, &bytes) == LV_OK)
		rc = lv_buf_printf(out, "livery_database_size_bytes %lld\n", bytes);
	return rc;
}

int metrics_get(struct req *r)
{
	int rc;

	if (!req_direct_peer_in(r, &r->app->cfg.metrics_allow_net))
		return LV_ENOTFOUND;
	lv_buf_reset(&r->out);
	rc = metrics_render(r->app->metrics, r->db, &r->out);
	if (rc != LV_OK)
		return LV_EINTERNAL;
	r->status = 200;
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return LV_OK;
}
