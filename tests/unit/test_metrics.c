/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_metrics.c - GET /metrics and who a request comes from, without a
 * server: the counters (requests by route and status class, the latency
 * histogram, checkouts by result, refused sign-ins by reason) as the
 * Prometheus text shows them, every line of it well-formed; the database
 * size; the route being there only for a peer in [server] metrics_allow
 * asking for itself;
 * and [server] trusted_proxies / metrics_allow as the configuration reads
 * them (defaults, a list, a refusal naming the file and the line).
 */
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "lv_err.h"
#include "lv_fixture.h"
#include "lv_test.h"
#include "metrics.h"
#include "routes.h"

/* Does text hold line as one whole line? */
static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += n;
	}
	fprintf(stderr, "no line \"%s\" in:\n%s\n", line, text);
	return 0;
}

/*
 * Checks every line of text against the exposition format 0.0.4: "# HELP
 * name text", "# TYPE name counter|gauge|histogram", or a sample "name" or
 * "name{label="value",...}" and a number; each sample's metric has had
 * its TYPE (a histogram's _bucket, _sum, _count count as it). Returns the
 * number of samples, -1 at the first bad line.
 */
static int exposition_check(const char *text)
{
	regex_t help, type, sample;
	char typed[64][96];
	size_t ntyped = 0, k;
	const char *p = text;
	int samples = 0, ok = 1;

	CHECK(regcomp(&help, "^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* [^\n]*$", REG_NOSUB) == 0);
	CHECK(regcomp(&type, "^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$", REG_EXTENDED) == 0);
	CHECK(regcomp(&sample,
		      "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\""
		      "(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\")*\\})? "
		      "(-?[0-9]+(\\.[0-9]+)?(e[-+]?[0-9]+)?|\\+Inf|NaN)$", REG_EXTENDED) == 0);
	while (ok && *p) {
		const char *nl = strchr(p, '\n');
		char line[512];
		regmatch_t m[2];
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (nl == NULL || n >= sizeof(line)) {
			fprintf(stderr, "line without newline or too long: %.80s\n", p);
			ok = 0;
			break;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		if (regexec(&type, line, 2, m, 0) == 0) {
			if (ntyped < 64)
				snprintf(typed[ntyped++], sizeof(typed[0]), "%.*s",
					 (int)(m[1].rm_eo - m[1].rm_so), line + m[1].rm_so);
		} else if (regexec(&help, line, 0, NULL, 0) == 0) {
			/* fine */
		} else if (regexec(&sample, line, 2, m, 0) == 0) {
			char name[96];
			int found = 0;

			snprintf(name, sizeof(name), "%.*s", (int)(m[1].rm_eo - m[1].rm_so),
				 line + m[1].rm_so);
			for (k = 0; k < ntyped && !found; k++) {
				size_t tl = strlen(typed[k]);

				found = strcmp(name, typed[k]) == 0 ||
					(strncmp(name, typed[k], tl) == 0 &&
					 (strcmp(name + tl, "_bucket") == 0 || strcmp(name + tl, "_sum") == 0 ||
					  strcmp(name + tl, "_count") == 0));
			}
			if (!found) {
				fprintf(stderr, "sample before its TYPE: %s\n", line);
				ok = 0;
			}
			samples++;
		} else {
			fprintf(stderr, "not exposition format: %s\n", line);
			ok = 0;
		}
		p = nl + 1;
	}
	regfree(&help);
	regfree(&type);
	regfree(&sample);
	return ok ? samples : -1;
}

static const struct route *route_named(const char *name)
{
	const struct route *rt;
	size_t i;

	for (i = 0; (rt = route_at(i)) != NULL; i++)
		if (strcmp(rt->name, name) == 0)
			return rt;
	return NULL;
}

static void test_route_index(void)
{
	struct route outside = { "GET", "/x", ROUTE_API, ROUTE_PUBLIC, 0, 0, NULL, "x" };
	size_t i;

	CHECK(route_total() > 50);
	for (i = 0; i < route_total(); i++)
		CHECK_INT(route_index(route_at(i)), i);
	CHECK_INT(route_index(&outside), route_total());
	CHECK(route_named("metrics") != NULL);
	CHECK(route_named("metrics")->access == ROUTE_MONITOR);
}

static void test_counters_render(void)
{
	struct lv_db *db = fixture_db_new("metrics", 2000, NULL);
	struct metrics *m = metrics_new();
	const struct route *health = route_named("health"), *checkout = route_named("api_checkout");
	struct lv_buf out;
	sqlite3_stmt *st = NULL;
	long long pages = 0, size = 0;
	char line[160];

	CHECK(health != NULL && checkout != NULL);
	metrics_request_count(m, health, 200, 0.0005);
	metrics_request_count(m, health, 200, 0.001); /* le is "less or equal" */
	metrics_request_count(m, health, 503, 0.3);
	metrics_request_count(m, checkout, 201, 2.0);
	metrics_request_count(m, NULL, 404, 7.0);     /* past the last bucket */
	metrics_request_count(m, NULL, 0, -1.0);       /* never sent; counted all the same */

	metrics_checkout_count(m, LV_OK, 201, 0);
	metrics_checkout_count(m, LV_OK, 303, 0);
	metrics_checkout_count(m, LV_OK, 201, 1);        /* a replay: not again */
	metrics_checkout_count(m, LV_OK, 422, 0);
	metrics_checkout_count(m, LV_OK, 409, 1);
	metrics_checkout_count(m, LV_ECONFLICT, 0, 0);
	metrics_checkout_count(m, LV_OK, 503, 0);
	metrics_checkout_count(m, LV_EINTERNAL, 0, 0);

	metrics_login_failure_count(m, "state_invalid");
	metrics_login_failure_count(m, "state_invalid");
	metrics_login_failure_count(m, "employee_refused");
	metrics_login_failure_count(m, "employee_conflict");
	metrics_login_failure_count(m, "no-such-reason");
	metrics_login_failure_count(m, "none");          /* never a refusal */
	metrics_login_failure_count(m, NULL);

	/* a set that is not there counts nothing and does not crash */
	metrics_request_count(NULL, health, 200, 0.1);
	metrics_checkout_count(NULL, LV_OK, 201, 0);
	metrics_login_failure_count(NULL, "state_invalid");
	metrics_free(NULL);

	lv_buf_init(&out, 1 << 20);
	CHECK_INT(metrics_render(m, db, &out), LV_OK);
	CHECK(exposition_check(lv_buf_str(&out)) > 20);
	CHECK(has_line(lv_buf_str(&out), "livery_http_requests_total{route=\"health\",status_class=\"2xx\"} 2"));
	CHECK(has_line(lv_buf_str(&out), "livery_http_requests_total{route=\"health\",status_class=\"5xx\"} 1"));
	CHECK(has_line(lv_buf_str(&out), "livery_http_requests_total{route=\"api_checkout\",status_class=\"2xx\"} 1"));
	CHECK(has_line(lv_buf_str(&out), "livery_http_requests_total{route=\"unmatched\",status_class=\"4xx\"} 1"));
	CHECK(has_line(lv_buf_str(&out), "livery_http_requests_total{route=\"unmatched\",status_class=\"5xx\"} 1"));
	CHECK(strstr(lv_buf_str(&out), "route=\"home\"") == NULL); /* nothing counted: no series */
	CHECK(has_line(lv_buf_str(&out), "livery_http_request_duration_seconds_bucket{le=\"0.001\"} 3"));
	CHECK(has_line(lv_buf_str(&out), "livery_http_request_duration_seconds_bucket{le=\"0.25\"} 3"));
	CHECK(has_line(lv_buf_str(&out), "livery_http_request_duration_seconds_bucket{le=\"0.5\"} 4"));
	CHECK(has_line(lv_buf_str(&out), "livery_http_request_duration_seconds_bucket{le=\"2.5\"} 5"));
	CHECK(has_line(lv_buf_str(&out), "livery_http_request_duration_seconds_bucket{le=\"5\"} 5"));
	CHECK(has_line(lv_buf_str(&out), "livery_http_request_duration_seconds_bucket{le=\"+Inf\"} 6"));
	CHECK(has_line(lv_buf_str(&out), "livery_http_request_duration_seconds_count 6"));
	CHECK(has_line(lv_buf_str(&out), "livery_http_request_duration_seconds_sum 9.301500"));
	CHECK(has_line(lv_buf_str(&out), "livery_checkouts_total{result=\"placed\"} 2"));
	CHECK(has_line(lv_buf_str(&out), "livery_checkouts_total{result=\"refused\"} 1"));
	CHECK(has_line(lv_buf_str(&out), "livery_checkouts_total{result=\"failed\"} 3"));
	CHECK(has_line(lv_buf_str(&out), "livery_login_failures_total{reason=\"state_invalid\"} 2"));
	CHECK(has_line(lv_buf_str(&out), "livery_login_failures_total{reason=\"employee_refused\"} 1"));
	CHECK(has_line(lv_buf_str(&out), "livery_login_failures_total{reason=\"employee_conflict\"} 1"));
	CHECK(has_line(lv_buf_str(&out), "livery_login_failures_total{reason=\"other\"} 3"));
	CHECK(has_line(lv_buf_str(&out), "livery_login_failures_total{reason=\"signature_invalid\"} 0"));
	CHECK(strstr(lv_buf_str(&out), "reason=\"none\"") == NULL);
	CHECK(strstr(lv_buf_str(&out), "reason=\"logout_token_invalid\"") == NULL);
	snprintf(line, sizeof(line), "livery_build_info{version=\"%s\"} 1", LIVERY_VERSION);
	CHECK(has_line(lv_buf_str(&out), line));
	CHECK(strstr(lv_buf_str(&out), "\nprocess_start_time_seconds 1") != NULL);

	/* the size is the database's own, read when asked */
	CHECK_INT(lv_db_stmt(db, "SELECT p.page_count, s.page_size FROM pragma_page_count() AS p,"
			     " pragma_page_size() AS s", &st), LV_OK);
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		pages = sqlite3_column_int64(st, 0);
		size = sqlite3_column_int64(st, 1);
	}
	lv_db_done(st);
	CHECK(pages > 10 && size >= 512);
	snprintf(line, sizeof(line), "livery_database_size_bytes %lld", pages * size);
	CHECK(has_line(lv_buf_str(&out), line));

	/* without a database or counters: still valid, just less to say */
	lv_buf_reset(&out);
	CHECK_INT(metrics_render(NULL, NULL, &out), LV_OK);
	CHECK_INT(exposition_check(lv_buf_str(&out)), 1);
	CHECK(strstr(lv_buf_str(&out), "\nlivery_database_size_bytes ") == NULL);

	/* a buffer too small says so */
	lv_buf_cleanup(&out);
	lv_buf_init(&out, 256);
	CHECK_INT(metrics_render(m, db, &out), LV_ETOOBIG);

	lv_buf_cleanup(&out);
	metrics_free(m);
	fixture_db_drop(db);
}

/* Many threads counting at once lose nothing. */
struct count_arg {
	struct metrics *m;
	const struct route *rt;
};

static void *count_thread(void *p)
{
	struct count_arg *a = p;
	int i;

	for (i = 0; i < 20000; i++) {
		metrics_request_count(a->m, a->rt, 200, 0.002);
		metrics_checkout_count(a->m, LV_OK, 201, 0);
	}
	return NULL;
}

static void test_counters_threads(void)
{
	struct count_arg a = { metrics_new(), route_named("health") };
	pthread_t t[4];
	struct lv_buf out;
	size_t i;

	for (i = 0; i < 4; i++)
		CHECK_INT(pthread_create(&t[i], NULL, count_thread, &a), 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	lv_buf_init(&out, 1 << 20);
	CHECK_INT(metrics_render(a.m, NULL, &out), LV_OK);
	CHECK(has_line(lv_buf_str(&out), "livery_http_requests_total{route=\"health\",status_class=\"2xx\"} 80000"));
	CHECK(has_line(lv_buf_str(&out), "livery_http_request_duration_seconds_count 80000"));
	CHECK(has_line(lv_buf_str(&out), "livery_http_request_duration_seconds_sum 160.000000"));
	CHECK(has_line(lv_buf_str(&out), "livery_checkouts_total{result=\"placed\"} 80000"));
	lv_buf_cleanup(&out);
	metrics_free(a.m);
}

/* route_match for a request from peer (no connection: the client set by hand). */
static int match_from(struct livery *app, const char *peer, const char *method, const char *path)
{
	struct lv_net_request rq;
	const struct route *rt;
	struct req r;
	char allow[64];

	memset(&r, 0, sizeof(r));
	memset(&rq, 0, sizeof(rq));
	r.app = app;
	rq.peer = peer;
	lv_net_client_resolve(&rq, &app->cfg.trusted_proxies_net, &r.client, NULL, 0);
	return route_match(&r, method, path, &rt, allow, sizeof(allow));
}

static void test_metrics_route_only_for_allowed_peers(void)
{
	struct livery app;

	memset(&app, 0, sizeof(app));
	CHECK_INT(lv_net_list_parse("127.0.0.1, ::1, 10.0.0.0/8", &app.cfg.metrics_allow_net, NULL, 0),
		  LV_OK);
	CHECK_INT(match_from(&app, "127.0.0.1", "GET", "/metrics"), LV_OK);
	CHECK_INT(match_from(&app, "::1", "GET", "/metrics"), LV_OK);
	CHECK_INT(match_from(&app, "10.9.8.7", "HEAD", "/metrics"), LV_OK);
	CHECK_INT(match_from(&app, "127.0.0.1", "POST", "/metrics"), LV_EINVAL); /* 405 */
	/* anyone else: the path does not exist, whatever the method */
	CHECK_INT(match_from(&app, "192.0.2.1", "GET", "/metrics"), LV_ENOTFOUND);
	CHECK_INT(match_from(&app, "192.0.2.1", "POST", "/metrics"), LV_ENOTFOUND);
	CHECK_INT(match_from(&app, "not-an-address", "GET", "/metrics"), LV_ENOTFOUND);
	/* the TCP peer decides, never a forwarded address: a trusted proxy's
	 * client is not the proxy */
	CHECK_INT(lv_net_list_parse("127.0.0.1", &app.cfg.trusted_proxies_net, NULL, 0), LV_OK);
	{
		const char *xff[] = { "127.0.0.1" };
		struct lv_net_request rq = { "192.0.2.1", 0, xff, 1, NULL, 0 };
		const struct route *rt;
		struct req r;
		char allow[64];

		memset(&r, 0, sizeof(r));
		r.app = &app;
		lv_net_client_resolve(&rq, &app.cfg.trusted_proxies_net, &r.client, NULL, 0);
		CHECK_INT(route_match(&r, "GET", "/metrics", &rt, allow, sizeof(allow)), LV_ENOTFOUND);
	}
	{
		const char *xff[] = { "192.0.2.1" };
		struct lv_net_request rq = { "127.0.0.1", 0, xff, 1, NULL, 0 };
		const struct route *rt;
		struct req r;
		char allow[64];

		memset(&r, 0, sizeof(r));
		r.app = &app;
		lv_net_client_resolve(&rq, &app.cfg.trusted_proxies_net, &r.client, NULL, 0);
		/* relayed by a trusted proxy: whoever asks, it is not the peer */
		CHECK_STR(req_client_address(&r), "192.0.2.1");
		CHECK_INT(route_match(&r, "GET", "/metrics", &rt, allow, sizeof(allow)), LV_ENOTFOUND);
		/* a peer that is not a trusted proxy: its headers are not read */
		memset(&app.cfg.trusted_proxies_net, 0, sizeof(app.cfg.trusted_proxies_net));
		lv_net_client_resolve(&rq, &app.cfg.trusted_proxies_net, &r.client, NULL, 0);
		CHECK_STR(req_client_address(&r), "127.0.0.1");
		CHECK_INT(route_match(&r, "GET", "/metrics", &rt, allow, sizeof(allow)), LV_OK);
	}
	/* an empty list: no one */
	memset(&app.cfg.metrics_allow_net, 0, sizeof(app.cfg.metrics_allow_net));
	CHECK_INT(match_from(&app, "127.0.0.1", "GET", "/metrics"), LV_ENOTFOUND);
	/* other routes do not care */
	CHECK_INT(match_from(&app, "192.0.2.1", "GET", "/healthz"), LV_OK);
}

static char tmpdir[] = "/tmp/lv-metrics-XXXXXX";

static const char *conf_write(const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/livery.conf", tmpdir);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

static void test_config_keys(void)
{
	struct lv_config c;
	struct lv_net_addr a;
	char msg[512];

	memset(&c, 0, sizeof(c));
	CHECK_INT(lv_config_load(&c, conf_write("[server]\nlisten = 127.0.0.1:8080\n"), 0, msg,
				 sizeof(msg)), LV_OK);
	CHECK_STR(c.trusted_proxies, "");
	CHECK_INT(c.trusted_proxies_net.n, 0);
	CHECK_STR(c.metrics_allow, "127.0.0.1, ::1");
	CHECK_INT(c.metrics_allow_net.n, 2);
	lv_net_addr_parse("::1", 3, &a);
	CHECK_INT(lv_net_list_match(&c.metrics_allow_net, &a), 1);
	lv_config_cleanup(&c);

	memset(&c, 0, sizeof(c));
	CHECK_INT(lv_config_load(&c, conf_write("[server]\ntrusted_proxies = 10.0.0.0/8, fd00::/8\n"
						"metrics_allow =\n"), 0, msg, sizeof(msg)), LV_OK);
	CHECK_INT(c.trusted_proxies_net.n, 2);
	CHECK_INT(c.metrics_allow_net.n, 0);
	lv_net_addr_parse("10.20.30.40", 11, &a);
	CHECK_INT(lv_net_list_match(&c.trusted_proxies_net, &a), 1);
	lv_config_cleanup(&c);

	memset(&c, 0, sizeof(c));
	CHECK(lv_config_load(&c, conf_write("[server]\n\ntrusted_proxies = 10.0.0.1/8\n"), 0, msg,
			     sizeof(msg)) != LV_OK);
	CHECK(strstr(msg, "livery.conf:3: server.trusted_proxies: entry 1 \"10.0.0.1/8\"") != NULL);
	lv_config_cleanup(&c);

	memset(&c, 0, sizeof(c));
	CHECK(lv_config_load(&c, conf_write("[server]\nmetrics_allow = localhost\n"), 0, msg,
			     sizeof(msg)) != LV_OK);
	CHECK(strstr(msg, "livery.conf:2: server.metrics_allow") != NULL);
	CHECK(strstr(msg, "not an IPv4 or IPv6 address") != NULL);
	lv_config_cleanup(&c);
	unlink(conf_write(""));
}

int main(void)
{
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	LV_RUN(test_route_index);
	LV_RUN(test_counters_render);
	LV_RUN(test_counters_threads);
	LV_RUN(test_metrics_route_only_for_allowed_peers);
	LV_RUN(test_config_keys);
	rmdir(tmpdir);
	return lv_test_done();
}
