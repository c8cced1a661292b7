/*
 * server.h - runs the HTTP face: CivetWeb set up safely, one database
 * connection per worker thread, every request through route_dispatch().
 */
#ifndef LV_SERVER_H
#define LV_SERVER_H

#include "app.h"

/*
 * Serves until SIGTERM or SIGINT, then stops accepting, lets in-flight
 * requests finish and returns. LV_OK, or LV_EUNAVAIL with msg when the
 * listening address cannot be used.
 */
int server_run(struct livery *app, char *msg, size_t msglen);

#endif
