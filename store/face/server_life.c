/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * server_life.c - readiness, reload and graceful stop (see server_life.h).
 *
 * The gate is a counter under a mutex, with a condition variable on the
 * monotonic clock so that a stop waits for the last request or for its
 * timeout, whichever comes first, without polling. The reload runs on the
 * thread that waits for signals (server_run), with a database connection
 * of its own; the workers keep serving meanwhile.
 */
#include "server_life.h"

#include <civetweb.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lv_db.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "notify.h"
#include "policy_runtime.h"
#include "theme.h"

/* The most descriptors looked at for listening sockets. */
#define LIFE_MAX_FDS 65536
#define LIFE_MAX_PORTS 16

void server_gate_init(struct server_gate *g)
{
	pthread_condattr_t ca;

	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->idle, &ca);
	pthread_condattr_destroy(&ca);
}

void server_gate_cleanup(struct server_gate *g)
{
	pthread_cond_destroy(&g->idle);
	pthread_mutex_destroy(&g->lock);
}

void server_gate_enter(struct server_gate *g)
{
	if (g == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	g->active++;
	pthread_mutex_unlock(&g->lock);
}

int server_gate_closing(struct server_gate *g)
{
	int closing;

	if (g == NULL)
		return 0;
	pthread_mutex_lock(&g->lock);
	closing = g->closing;
	pthread_mutex_unlock(&g->lock);
	return closing;
}

void server_gate_leave(struct server_gate *g)
{
	if (g == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	if (g->active > 0)
		g->active--;
	if (g->active == 0 && g->closing)
		pthread_cond_broadcast(&g->idle);
	pthread_mutex_unlock(&g->lock);
}

unsigned server_gate_drain(struct server_gate *g, int64_t timeout_ms)
{
	struct timespec until;
	unsigned left;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(timeout_ms / 1000);
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&g->lock);
	g->closing = 1;
	while (g->active > 0 && pthread_cond_timedwait(&g->idle, &g->lock, &until) != ETIMEDOUT)
		;
	left = g->active;
	pthread_mutex_unlock(&g->lock);
	return left;
}

/* The local TCP port of a listening socket fd, or 0 when fd is not one. */
static int life_listening_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(int), slen = sizeof(ss);
	int on = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) != 0 || !on)
		return 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &slen) != 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

/*
 * Puts the listening socket at descriptor fd out of service (see
 * server_listeners_close). Returns LV_OK or LV_EINTERNAL (logged).
 */
static int life_listener_retire(int fd)
{
	int old = -1, ev = -1, rc = LV_EINTERNAL;

	old = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	ev = eventfd(0, EFD_CLOEXEC);
	if (old < 0 || ev < 0 || dup3(ev, fd, O_CLOEXEC) < 0) {
		lv_warn("stopping", "what=listener_close fd=%d error=\"%s\"", fd, strerror(errno));
		goto out;
	}
	/* the descriptor CivetWeb polls is now the eventfd; the listening
	 * socket itself refuses new connections and resets those not yet
	 * accepted from its backlog */
	shutdown(old, SHUT_RDWR);
	rc = LV_OK;
out:
	if (ev >= 0)
		close(ev);
	if (old >= 0)
		close(old);
	return rc;
}

int server_listeners_close(struct mg_context *ctx)
{
	struct mg_server_port ports[LIFE_MAX_PORTS];
	struct rlimit rl;
	int nports, fd, i, max = 1024, closed = 0;

	nports = mg_get_server_ports(ctx, LIFE_MAX_PORTS, ports);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		max = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > LIFE_MAX_FDS ?
			LIFE_MAX_FDS : (int)rl.rlim_cur;
	for (fd = 0; fd < max && nports > 0; fd++) {
		int port = life_listening_port(fd);

		if (port == 0)
			continue;
		for (i = 0; i < nports; i++)
			if (ports[i].port == port)
				break;
		if (i < nports && life_listener_retire(fd) == LV_OK)
			closed++;
	}
	return closed;
}

/* Control characters (a newline would start another assignment) become spaces. */
static void life_status_clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

void server_ready(struct livery *app)
{
	char status[512];

	lv_snprintf(status, sizeof(status), "Serving on %s for %s", app->cfg.listen,
		    app->cfg.public_url);
	life_status_clean(status);
	notify_sendf("READY=1\nSTATUS=%s", status);
}

int server_reload(struct livery *app)
{
	struct timespec t0, t1;
	struct lv_db *db = NULL;
	struct policy_set *set;
	struct theme *t;
	const char *pol = "reloaded", *thm = "reloaded";
	char pmsg[1024], tmsg[1024], pq[1100], tq[1100], status[NOTIFY_MAX - 64];
	int64_t gen_before, gen_after;
	size_t nlangs = 0, nfiles = 0, npolicies;
	int prc, trc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	notify_sendf("RELOADING=1\nSTATUS=Reloading the catalog policies and the theme\n"
		     "MONOTONIC_USEC=%llu",
		     (unsigned long long)t0.tv_sec * 1000000ull + (unsigned long long)t0.tv_nsec / 1000);
	pmsg[0] = tmsg[0] = '\0';

	gen_before = policy_runtime_generation(app->policies);
	prc = app_db_open(app, 0, &db, pmsg, sizeof(pmsg));
	if (prc == LV_OK)
		prc = app_policies_load(app, db, pmsg, sizeof(pmsg));
	lv_db_close(db);
	set = policy_runtime_get_at(app->policies, &gen_after);
	npolicies = policy_set_count(set);
	policy_set_unref(set);
	if (prc != LV_OK)
		pol = "kept"; /* the last good set stays active */
	else if (gen_after == gen_before)
		pol = "unchanged";

	trc = app_theme_load(app, tmsg, sizeof(tmsg));
	if (trc != LV_OK)
		thm = "kept"; /* the theme in use stays */
	t = app_theme_get(app);
	if (t) {
		theme_languages(t, &nlangs);
		nfiles = theme_asset_count(t);
	}
	theme_unref(t);

	clock_gettime(CLOCK_MONOTONIC, &t1);
	lv_log(prc == LV_OK && trc == LV_OK ? LV_LOG_INFO : LV_LOG_WARN, "reload",
	       "policies=%s generation=%lld count=%zu theme=%s name=%s languages=%zu files=%zu "
	       "ms=%.1f%s%s%s%s",
	       pol, (long long)gen_after, npolicies, thm, app->cfg.theme, nlangs, nfiles,
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
	       prc != LV_OK ? " policies_error=" : "",
	       prc != LV_OK ? lv_log_quote(pq, sizeof(pq), pmsg) : "",
	       trc != LV_OK ? " theme_error=" : "",
	       trc != LV_OK ? lv_log_quote(tq, sizeof(tq), tmsg) : "");

	if (prc == LV_OK && trc == LV_OK)
		lv_snprintf(status, sizeof(status), "Serving on %s; reloaded the policies "
			    "(generation %lld) and the theme", app->cfg.listen,
			    (long long)gen_after);
	else if (prc != LV_OK && trc != LV_OK)
		lv_snprintf(status, sizeof(status), "Serving on %s; the last reload kept the "
			    "previous policies and theme (the log says why)", app->cfg.listen);
	else
		lv_snprintf(status, sizeof(status), "Serving on %s; the last reload kept the "
			    "previous %s: %s", app->cfg.listen,
			    prc != LV_OK ? "policies" : "theme", prc != LV_OK ? pmsg : tmsg);
	life_status_clean(status);
	notify_sendf("READY=1\nSTATUS=%s", status);
	return prc != LV_OK ? prc : trc;
}
