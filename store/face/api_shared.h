/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * api_shared.h - what the employee's money API (api_money.c, which defines
 * these) and the admin API (api_admin.c) share: the one reader of JSON
 * bodies, strict field validation and the order replies.
 * Every function that fails has already set the response (a 4xx naming
 * the problem) and returns the lv_err code for the handler to pass on.
 */
#ifndef LV_API_SHARED_H
#define LV_API_SHARED_H

#include <jansson.h>
#include <stdint.h>

#include "audit.h"
#include "http.h"

/*
 * Reads the request's JSON body. OUT: *out, a new object (caller decrefs;
 * {} for an empty body when optional). On failure the response is set
 * (413 too large, 415 not application/json, 400 malformed, naming the
 * position) and the error code returned.
 */
int api_body_json(struct req *r, int optional, json_t **out);

/*
 * A 400 naming the first key of obj not in allowed (NULL terminated);
 * where is the object's path ("" for the body, "lines[2]"). LV_OK when
 * every key is allowed.
 */
int api_keys_check(struct req *r, json_t *obj, const char *where,
		   const char *const *allowed);

/* Sets a 400 "invalid_field" whose message is the formatted text; LV_EINVAL. */
int api_field_error(struct req *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The order ref as JSON with status; 404 when there is none (or it is not
 * the employee's, when employee is not 0).
 */
int api_order_reply(struct req *r, const char *ref, int64_t employee, int status);

/* order_list of employee (0 = everyone) with ?status, ?before, ?limit. */
int api_orders_list_reply(struct req *r, int64_t employee);

/*
 * A cancellation (is_return 0) or return of order r->params[0] with the
 * body {"lines"?, "reason"?}; employee as in order_release.
 */
int api_order_release_reply(struct req *r, int64_t employee, int is_return);

#endif
