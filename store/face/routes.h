/*
 * routes.h - the whole HTTP surface of Livery in one table.
 *
 * Each route says its method, its path pattern (":name" matches one path
 * segment), whether it is a page or an API call, whether it needs a
 * session, which roles may use it, whether it changes state (and so needs
 * the CSRF token), and its handler. A request that matches no route is
 * refused (404, or 405 when only the method is wrong). Someone reading
 * route_table[] in routes.c, and the console's tables it lists in
 * route_groups[] (each defined next to its handlers, face/console_*.c),
 * sees everything the server answers; route_at() walks them all, and
 * `livery routes` prints them (the role tests iterate over that).
 */
#ifndef LV_ROUTES_H
#define LV_ROUTES_H

#include <stdio.h>

#include "http.h"

enum route_kind { ROUTE_PAGE, ROUTE_API, ROUTE_ASSET };
/*
 * ROUTE_MONITOR: for monitoring systems, no session; the route exists only
 * for a TCP peer listed in [server] metrics_allow, asking for itself (a
 * forwarded address never counts, a request relayed by a trusted proxy is
 * refused): to anyone else it is an unknown path (404, never 405).
 */
enum route_access { ROUTE_PUBLIC, ROUTE_SESSION, ROUTE_MONITOR };

typedef int (*route_handler)(struct req *r);

struct route {
	const char *method;
	const char *pattern;
	enum route_kind kind;
	enum route_access access;
	unsigned roles;   /* 0: any signed-in employee; else any of these bits */
	int csrf;         /* state-changing: the session's CSRF token is required
			   * (1); ROUTE_UPLOAD: the same, and the route takes files */
	route_handler handler;
	const char *name; /* for logs and metrics */
};

/*
 * The csrf value of a route that takes files: bodies up to [server]
 * max_upload_bytes, multipart/form-data parsed by the dispatcher (the CSRF
 * token in the part "csrf").
 */
#define ROUTE_UPLOAD 2

extern const struct route route_table[];
extern const size_t route_count;

/* The number of routes in every table, and route i of them all (NULL past the end). */
size_t route_total(void);
const struct route *route_at(size_t i);
/* i such that route_at(i) == rt, or route_total() when rt is not in a table. */
size_t route_index(const struct route *rt);

/*
 * Does a user with roles pass rt's role check? A route without roles
 * admits every signed-in user; the auditor's bit never admits to a
 * state-changing (CSRF) route, whatever the table says.
 */
int route_roles_admit(const struct route *rt, unsigned roles);

/* Prints every route as one JSON object per line (for `livery routes`). */
void route_table_print(FILE *f);

/*
 * Finds the route for method and path. OUT: *route and r->params. Returns
 * LV_OK, LV_ENOTFOUND (no path matches) or LV_EINVAL (the path matches but
 * not the method; *allow lists the methods that would).
 */
int route_match(struct req *r, const char *method, const char *path,
		const struct route **route, char *allow, size_t allowlen);

/* Runs the whole request: route, session, roles, CSRF, handler. */
void route_dispatch(struct req *r);

#endif
