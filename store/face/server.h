/*
 * server.h - runs the HTTP face: CivetWeb set up safely, one database
 * connection per worker thread, every request through route_dispatch().
 */
#ifndef LV_SERVER_H
#define LV_SERVER_H

#include "app.h"

/*
 * How long an idle kept-alive connection stays open. Responses say so in a
 * Keep-Alive header, so that clients stop reusing a connection before the
 * server closes it (otherwise a request sent just as it closes is lost).
 */
#define SERVER_KEEP_ALIVE_SECONDS 2

/*
 * Serves until SIGTERM or SIGINT, then stops accepting, lets in-flight
 * requests finish (at most [server] shutdown_timeout_seconds), closes the
 * database connections and returns. SIGHUP reloads the catalog policies
 * and the theme. Tells systemd about each step when $NOTIFY_SOCKET is set
 * (server_life.h). LV_OK, or LV_EUNAVAIL with msg when the listening
 * address cannot be used.
 */
int server_run(struct livery *app, char *msg, size_t msglen);

#endif
