/*
 * http_internal.h - the request life cycle, for server.c only.
 */
#ifndef LV_HTTP_INTERNAL_H
#define LV_HTTP_INTERNAL_H

#include "http.h"

/* Prepares r (memory the caller owns) for the request on conn. */
void req_init(struct req *r, struct livery *app, struct mg_connection *conn);
/* Writes the response in one write, with the security headers. */
void req_send(struct req *r);
/* Frees what the request holds. */
void req_cleanup(struct req *r);

#endif
