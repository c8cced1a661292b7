/*
 * server.c - CivetWeb, configured for an appliance behind nginx.
 *
 * Debian's CivetWeb 1.15 has known bugs that were fixed upstream only
 * later, so Livery uses as little of it as possible: no document root (so
 * no file serving, directory listing, CGI, SSI or PUT/DELETE), CORS headers
 * off, its form parser never called. It binds where the configuration says
 * (loopback by default) and nginx in front bounds request sizes.
 *
 * Each response is sent in a single mg_write() (status line, headers and
 * body together) and tcp_nodelay is on: with two writes, Nagle's algorithm
 * adds ~40 ms to every request on a kept-alive connection.
 */
#include "server.h"

#include <civetweb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lv_db.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "http_internal.h"
#include "metrics.h"
#include "notify.h"
#include "policy_runtime.h"
#include "routes.h"
#include "server_life.h"
#include "sso.h"

struct worker {
	struct lv_db *db;
};

static void *server_thread_init(const struct mg_context *ctx, int thread_type)
{
	struct livery *app = mg_get_user_data(ctx);
	struct worker *w;
	char msg[512];

	if (thread_type != 1) /* only request workers touch the database */
		return NULL;
	w = lv_calloc(1, sizeof(*w));
	if (app_db_open(app, 0, &w->db, msg, sizeof(msg)) != LV_OK)
		lv_error("worker_db", "error=\"%s\"", msg);
	return w;
}

static void server_thread_exit(const struct mg_context *ctx, int thread_type,
			       void *user)
{
	struct worker *w = user;

	(void)ctx;
	(void)thread_type;
	if (w == NULL)
		return;
	lv_db_close(w->db);
	lv_free(w);
}

static int server_log_message(const struct mg_connection *conn, const char *message)
{
	char q[512];

	(void)conn;
	lv_warn("civetweb", "message=%s", lv_log_quote(q, sizeof(q), message));
	return 1;
}

static double server_ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * Housekeeping while serving, on a connection of its own:
 * - every POLICY_CHECK_SECONDS, whether the stored catalog policies
 *   changed since the active set was loaded (migration 0008's counter
 *   moved: `livery policy import` run by another process, say), and if so
 *   the set is loaded again (server_policies_check);
 * - every MAINTENANCE_SECONDS, expired pending sign-ins, sessions and
 *   remembered logout token ids are deleted (sso_purge).
 * server_run() wakes it through the condition variable to stop at once.
 */
#define MAINTENANCE_SECONDS 300
#define POLICY_CHECK_SECONDS 2

struct maintenance {
	struct livery *app;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;
};

/* The last reload that failed, so that it is not tried again every check. */
struct policy_watch {
	int64_t failed;  /* its generation, or POLICY_GENERATION_UNKNOWN */
	int failed_rc;   /* LV_EINVAL: the set does not load; LV_EINTERNAL */
};

/*
 * Loads the stored policies again when their generation differs from the
 * active set's. A set that does not load is logged and the last good set
 * stays (app_policies_load swaps only what loads); the failed generation
 * is not tried again until the counter moves (pw->failed), except that a
 * database error (not a broken set) is forgiven at the next purge.
 */
static void server_policies_check(struct livery *app, struct lv_db *db, struct policy_watch *pw)
{
	struct policy_set *set;
	char msg[1024], q[1200];
	int64_t n, gen;
	int rc;

	if (policy_generation_read(db, &n) != LV_OK)
		return; /* logged; asked again at the next check */
	if (n == policy_runtime_generation(app->policies) || n == pw->failed)
		return;
	rc = app_policies_load(app, db, msg, sizeof(msg));
	if (rc != LV_OK) {
		lv_warn("policies", "what=reload_failed generation=%lld reason=%s "
			"note=\"the last good set stays\"", (long long)n,
			lv_log_quote(q, sizeof(q), msg));
		pw->failed = n;
		pw->failed_rc = rc;
		return;
	}
	pw->failed = POLICY_GENERATION_UNKNOWN;
	set = policy_runtime_get_at(app->policies, &gen);
	lv_info("policies", "what=reload generation=%lld count=%zu", (long long)gen,
		policy_set_count(set));
	policy_set_unref(set);
}

static void *server_maintenance(void *arg)
{
	struct maintenance *m = arg;
	struct policy_watch pw = { POLICY_GENERATION_UNKNOWN, LV_OK };
	struct lv_db *db = NULL;
	struct timespec now, purged_at = { 0, 0 };
	int purged = 0, open_warned = 0;
	char msg[512];

	pthread_mutex_lock(&m->lock);
	while (!m->stop) {
		struct timespec until;

		pthread_mutex_unlock(&m->lock);
		if (db == NULL && app_db_open(m->app, 0, &db, msg, sizeof(msg)) != LV_OK) {
			if (!open_warned) /* once, not every check */
				lv_warn("maintenance", "error=\"%s\"", msg);
			open_warned = 1;
		} else {
			open_warned = 0;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (db && (!purged || now.tv_sec - purged_at.tv_sec >= MAINTENANCE_SECONDS)) {
			if (sso_purge(m->app->rp, db) != LV_OK)
				lv_warn("maintenance", "what=sso_purge rc=failed");
			purged = 1;
			purged_at = now;
			if (pw.failed_rc == LV_EINTERNAL)
				pw.failed = POLICY_GENERATION_UNKNOWN;
		}
		if (db)
			server_policies_check(m->app, db, &pw);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += POLICY_CHECK_SECONDS;
		pthread_mutex_lock(&m->lock);
		while (!m->stop &&
		       pthread_cond_timedwait(&m->wake, &m->lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&m->lock);
	lv_db_close(db);
	return NULL;
}

static int server_handle(struct mg_connection *conn, void *cbdata)
{
	struct livery *app = cbdata;
	struct worker *w = mg_get_thread_pointer(conn);
	struct timespec t0;
	struct req r;
	char qpath[600];
	double ms;

	server_gate_enter(app->gate);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	req_init(&r, app, conn);
	r.db = w ? w->db : NULL;
	if (r.db == NULL)
		reply_error(&r, 503, "unavailable",
			    "The store cannot reach its database right now. Try again in a minute.",
			    NULL);
	else
		route_dispatch(&r);
	if (server_gate_closing(app->gate)) /* stopping: no next request on this connection */
		reply_header(&r, "Connection", "close");
	req_send(&r);
	ms = server_ms_since(&t0);
	metrics_request_count(app->metrics, r.route, r.status, ms / 1e3);
	lv_info("request", "rid=%s method=%s path=%s route=%s status=%d bytes=%zu "
		"ms=%.2f employee=%lld client=%s",
		r.rid, r.method, lv_log_quote(qpath, sizeof(qpath), r.path),
		r.route ? r.route->name : "-", r.status, r.out.len,
		ms, r.user ? (long long)r.user->employee : 0LL, req_client_address(&r));
	req_cleanup(&r);
	server_gate_leave(app->gate);
	return r.status ? r.status : 500;
}

/*
 * Every request, from the moment the port is open: a handler registered
 * with mg_set_request_handler() only exists after mg_start() returns, and
 * requests arriving in between (a restart under load) would get
 * CivetWeb's own 404. Non-zero: the request was answered.
 */
static int server_begin_request(struct mg_connection *conn)
{
	return server_handle(conn, mg_get_user_data(mg_get_context(conn)));
}

int server_run(struct livery *app, char *msg, size_t msglen)
{
	struct mg_callbacks cb;
	struct mg_context *ctx = NULL;
	struct maintenance m = { app, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };
	pthread_t maint;
	int maint_started = 0;
	struct sigaction sa;
	sigset_t stop_set;
	struct server_gate gate;
	struct timespec t_stop = { 0, 0 };
	char threads[16], keep_alive_ms[16];
	int sig = 0, rc = LV_EUNAVAIL;
	unsigned left;
	const char *options[] = {
		"listening_ports", app->cfg.listen,
		"num_threads", threads,
		"tcp_nodelay", "1",
		"enable_keep_alive", "yes",
		/* CivetWeb gives each open connection a worker thread: a short
		 * keep-alive stops idle browser connections from starving
		 * everyone else (and from being a cheap denial of service). */
		"keep_alive_timeout_ms", keep_alive_ms,
		"request_timeout_ms", "30000",
		"enable_directory_listing", "no",
		"cgi_pattern", "",
		"ssi_pattern", "",
		"access_control_allow_origin", "",
		"access_control_allow_methods", "",
		"access_control_allow_headers", "",
		"max_request_size", "16384",
		"decode_query_string", "no",
		NULL
	};

	lv_snprintf(threads, sizeof(threads), "%lld", (long long)app->cfg.threads);
	lv_snprintf(keep_alive_ms, sizeof(keep_alive_ms), "%d", SERVER_KEEP_ALIVE_SECONDS * 1000);
	memset(&cb, 0, sizeof(cb));
	cb.init_thread = server_thread_init;
	cb.exit_thread = server_thread_exit;
	cb.log_message = server_log_message;
	cb.begin_request = server_begin_request;

	/* Block the stop signals (and SIGHUP, reload) in every thread
	 * CivetWeb starts; this thread waits for them with sigwait(). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGTERM);
	sigaddset(&stop_set, SIGINT);
	sigaddset(&stop_set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop_set, NULL);
	server_gate_init(&gate);
	app->gate = &gate;

	mg_init_library(0);
	app->metrics = metrics_new();
	ctx = mg_start(&cb, app, options);
	if (ctx == NULL) {
		lv_snprintf(msg, msglen,
			    "cannot listen on %s (server.listen): is another "
			    "process using it?", app->cfg.listen);
		goto out;
	}
	maint_started = pthread_create(&maint, NULL, server_maintenance, &m) == 0;
	lv_info("listening", "listen=%s public_url=%s version=%s", app->cfg.listen,
		app->cfg.public_url, LIVERY_VERSION);
	server_ready(app);
	for (;;) {
		if (sigwait(&stop_set, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			break;
		server_reload(app);
	}
	/* Graceful stop (server_life.h): no new connections, the requests in
	 * flight finish, at most shutdown_timeout_seconds */
	clock_gettime(CLOCK_MONOTONIC, &t_stop);
	lv_info("stopping", "signal=%d timeout_seconds=%lld", sig,
		(long long)app->cfg.shutdown_timeout_seconds);
	notify_sendf("STOPPING=1\nSTATUS=Stopping: letting the requests in flight finish");
	if (server_listeners_close(ctx) == 0)
		lv_warn("stopping", "what=listener_close note=\"no listening socket found: "
			"connections are accepted until the server stops\"");
	left = server_gate_drain(&gate, app->cfg.shutdown_timeout_seconds * 1000);
	if (left > 0)
		lv_warn("stopping", "what=timeout in_flight=%u timeout_seconds=%lld "
			"note=\"these requests are cut\"", left,
			(long long)app->cfg.shutdown_timeout_seconds);
	rc = LV_OK;
out:
	if (maint_started) {
		pthread_mutex_lock(&m.lock);
		m.stop = 1;
		pthread_cond_signal(&m.wake);
		pthread_mutex_unlock(&m.lock);
		pthread_join(maint, NULL);
	}
	/* mg_stop() lets the workers end (any request still running loses
	 * its response: mg_write() sends nothing once it is called) and each
	 * closes its database connection; the last close checkpoints the WAL */
	if (ctx)
		mg_stop(ctx);
	app->gate = NULL;
	server_gate_cleanup(&gate);
	if (rc == LV_OK)
		lv_info("stopped", "ms=%.1f", server_ms_since(&t_stop));
	mg_exit_library();
	metrics_free(app->metrics);
	app->metrics = NULL;
	return rc;
}
