/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * server_life.h - the server's life under a service manager (systemd,
 * Type=notify), the parts server_run() (server.c) strings together:
 *
 * - readiness: READY=1 once the database is migrated, the policies loaded
 *   and CivetWeb listening (notify.h);
 * - reload on SIGHUP: the catalog policies from the database and the theme
 *   from its folder, each swapped only when it loads, while requests keep
 *   being served (a request keeps the theme and policies it began with);
 *   one log line says what was reloaded;
 * - graceful stop on SIGTERM or SIGINT: the listening socket is closed, the
 *   requests in flight are let finish (struct server_gate) for at most
 *   [server] shutdown_timeout_seconds, then CivetWeb stops and every
 *   database connection is closed.
 */
#ifndef LV_SERVER_LIFE_H
#define LV_SERVER_LIFE_H

#include <pthread.h>
#include <stdint.h>

#include "app.h"

struct mg_context;

/*
 * The requests in flight. Every request passes server_gate_enter() before
 * it is handled and server_gate_leave() once answered; a stop closes the
 * gate and waits until no request is left inside (server_gate_drain).
 */
struct server_gate {
	pthread_mutex_t lock;
	pthread_cond_t idle; /* signalled when active drops to 0 while closing */
	unsigned active;     /* requests between enter and leave */
	int closing;         /* a stop began */
};

/* Prepares g (memory the caller owns), open and empty. */
void server_gate_init(struct server_gate *g);
void server_gate_cleanup(struct server_gate *g);

/* A request begins (it is handled even once a stop began). g may be NULL. */
void server_gate_enter(struct server_gate *g);

/*
 * 1 when a stop has begun: a response sent now should close its
 * connection (no next request on it), 0 otherwise or when g is NULL.
 */
int server_gate_closing(struct server_gate *g);

/* The request that entered is answered. g may be NULL. */
void server_gate_leave(struct server_gate *g);

/*
 * Closes the gate (server_gate_closing says so from now on) and waits
 * until no request is inside, or timeout_ms milliseconds passed. Returns
 * how many requests are still inside (0: all finished).
 */
unsigned server_gate_drain(struct server_gate *g, int64_t timeout_ms);

/*
 * Stops ctx from accepting connections without stopping it: CivetWeb
 * 1.15 has no call for that, and mg_stop() is no substitute, since from
 * the moment it is called mg_write() sends nothing, so a request in
 * flight would lose its response. Each listening socket of ctx's ports is
 * found among the process's descriptors, put out of service (new
 * connections are refused) and replaced, under the same descriptor
 * number, by an eventfd that never becomes readable, which CivetWeb's
 * accept loop then polls harmlessly until mg_stop() closes it. Returns how
 * many listening sockets were closed (0: none found; connections are then
 * still accepted until mg_stop()).
 */
int server_listeners_close(struct mg_context *ctx);

/* Tells the service manager the server is ready (READY=1 with a STATUS). */
void server_ready(struct livery *app);

/*
 * The work of SIGHUP: RELOADING=1, the stored catalog policies loaded
 * again (app_policies_load: a set that does not load leaves the active
 * one), the theme loaded again (app_theme_load: a theme that does not
 * load leaves the one in use), one log line with what was reloaded and
 * why anything was not, READY=1. The configuration file is not read
 * again. Returns LV_OK when both loaded, else the first error.
 */
int server_reload(struct livery *app);

#endif
