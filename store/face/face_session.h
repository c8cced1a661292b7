/*
 * face_session.h - the store's side of sessions: cookie in, employee out.
 *
 * sso/ owns the session rows (random id, stored hashed, idle and absolute
 * timeouts, CSRF token); this file reads and writes the cookie, loads the
 * employee the session belongs to, applies the rule that an employee who
 * has left or is suspended cannot use the store even with a valid login,
 * and picks the language of the response.
 */
#ifndef LV_FACE_SESSION_H
#define LV_FACE_SESSION_H

#include "http.h"

struct sso_identity;

#define SESSION_COOKIE "livery_session"

/*
 * Fills r->user from the session cookie, if any. Returns LV_OK (r->user
 * may still be NULL: no cookie, expired, unknown), or LV_EFORBIDDEN when
 * the session belongs to an employee who may not use the store (the
 * session is then ended and the cookie cleared).
 */
int session_load(struct req *r);

/*
 * Starts a new session for employee (a fresh random id: no fixation) and
 * sets the cookie on the response. The id_token is kept for the logout
 * hint.
 */
int session_start(struct req *r, int64_t employee, const struct sso_identity *id);

/* Ends r's session (if any), clears the cookie, and makes the rest of
   the request anonymous (r->user is NULL after). OUT: *id_token copy for
   the provider's logout (may be NULL), freed with lv_free. */
int session_end(struct req *r, char **id_token);

/* 0 when token equals the session's CSRF token (constant time). */
int session_csrf_check(const struct req *r, const char *token);

/* Sets r->lang: the employee's choice, the locale claim, Accept-Language,
   then server.default_locale - among the languages the theme has. */
void session_pick_language(struct req *r);

#endif
