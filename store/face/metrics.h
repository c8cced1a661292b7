/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * metrics.h - what GET /metrics tells a Prometheus server, in the text
 * exposition format 0.0.4.
 *
 * Counted as requests are answered, with relaxed C11 atomics and no lock:
 * requests by route (the route table's name, so the number of series is
 * bounded by the table) and status class, a latency histogram, checkouts
 * by result and refused sign-ins by reason (the names sso_reason_name()
 * gives, plus the store's own employee_refused and employee_conflict).
 * Read when scraped: the database size, the version and the start time.
 *
 * One struct metrics lives as long as the server (server_run makes it,
 * app->metrics); every counting function accepts NULL and then counts
 * nothing, so that commands and unit tests without a server need no
 * special case.
 */
#ifndef LV_METRICS_H
#define LV_METRICS_H

#include <stddef.h>

#include "http.h"
#include "lv_buf.h"

struct metrics;
struct route;

/*
 * A new set of counters at zero for the routes route_at() knows, with the
 * start time taken now. Free with metrics_free (accepts NULL).
 */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/*
 * Counts one answered request: rt is the route it matched (NULL: none, a
 * 404 or 405 of the dispatcher, or a request refused before routing),
 * status the HTTP status sent, seconds the time it took.
 */
void metrics_request_count(struct metrics *m, const struct route *rt, int status, double seconds);

/*
 * Counts one checkout attempt as order_checkout() ended it: rc its return,
 * status the answer's status (res.status), replayed 1 when the answer was
 * a replay of an earlier attempt (not counted again). placed: rc LV_OK and
 * a status below 400; refused: a 4xx answer; failed: anything else.
 */
void metrics_checkout_count(struct metrics *m, int rc, int status, int replayed);

/*
 * Counts one refused sign-in. reason is the stable short name shown on the
 * error page (sso_reason_name(), or employee_refused / employee_conflict);
 * a name not known here is counted as "other".
 */
void metrics_login_failure_count(struct metrics *m, const char *reason);

/*
 * Appends the exposition text to out: every metric above, with
 * livery_database_size_bytes read from db now (left out when db is NULL
 * or cannot say). Returns LV_OK or LV_ETOOBIG (out's maximum).
 */
int metrics_render(const struct metrics *m, struct lv_db *db, struct lv_buf *out);

/*
 * GET /metrics. The route table answers it only to a TCP peer in [server]
 * metrics_allow that is not relaying for someone else (ROUTE_MONITOR,
 * req_direct_peer_in); this checks again and answers 404 to anyone else.
 */
int metrics_get(struct req *r);

#endif
