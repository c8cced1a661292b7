/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * session.h - signed-in sessions, kept server-side in SQLite.
 *
 * A session is created after every successful sign-in with a fresh random
 * id (32 bytes from libsodium, base64url in the cookie); the database holds
 * only a hash of it, so a copy of the database gives nobody a usable
 * cookie. Each session also has a random CSRF token that the store puts in
 * its forms and checks with sso_csrf_check(). Lookups enforce the idle and
 * absolute timeouts of the relying party's configuration and delete what
 * has expired; last_seen_at is written at most once a minute per session.
 */
#ifndef LV_SSO_SESSION_H
#define LV_SSO_SESSION_H

#include <stdint.h>

struct lv_db;
struct sso_rp;
struct sso_identity;

/* Length of a cookie value or CSRF token (base64url of 32 bytes). */
#define SSO_TOKEN_LEN 43

/* What the store hands to the browser after sso_session_create(). */
struct sso_session_token {
	char cookie[SSO_TOKEN_LEN + 1]; /* the session cookie's value */
	char csrf[SSO_TOKEN_LEN + 1];   /* the session's CSRF token */
};

/* A session found by sso_session_lookup(). Release with _cleanup(). */
struct sso_session {
	int64_t principal_id; /* the store's employee row id */
	char csrf[SSO_TOKEN_LEN + 1];
	char *iss;
	char *sub;
	char *sid;      /* NULL when the provider gave none */
	char *id_token; /* for the logout hint; NULL when none was kept */
	int64_t created_at;
	int64_t last_seen_at;
};

/*
 * Starts a session for principal_id (opaque to this module) and the
 * verified identity id (iss, sub, sid and id_token are kept).
 * OUT: *out, the cookie value and CSRF token. Returns LV_OK, LV_EINVAL
 * (no iss/sub) or LV_EINTERNAL (database).
 */
int sso_session_create(struct sso_rp *rp, struct lv_db *db,
		       int64_t principal_id, const struct sso_identity *id,
		       struct sso_session_token *out);

/*
 * Finds the live session for a cookie value. OUT: *out (strings owned by
 * out, released with sso_session_cleanup(), which is also safe after a
 * failure). Returns LV_OK; LV_ENOTFOUND when the cookie is malformed,
 * unknown or its session expired (an expired row is deleted);
 * LV_EINTERNAL on a database error.
 */
int sso_session_lookup(struct sso_rp *rp, struct lv_db *db, const char *cookie,
		       struct sso_session *out);
void sso_session_cleanup(struct sso_session *s);

/* Ends the session of a cookie value. LV_OK also when there was none. */
int sso_session_destroy(struct sso_rp *rp, struct lv_db *db,
			const char *cookie);

/*
 * Ends the sessions of one provider subject (back-channel logout): with
 * sid, those of that provider session (and that sub when given); without,
 * every session of iss + sub. OUT: *n (may be NULL), sessions ended.
 * Returns LV_OK, LV_EINVAL (neither sub nor sid) or LV_EINTERNAL.
 */
int sso_session_destroy_for_subject(struct sso_rp *rp, struct lv_db *db,
				    const char *iss, const char *sub,
				    const char *sid, int64_t *n);

/* Ends every session of an employee. OUT: *n (may be NULL). */
int sso_session_destroy_for_principal(struct sso_rp *rp, struct lv_db *db,
				      int64_t principal_id, int64_t *n);

/* Deletes expired sessions. OUT: *n (may be NULL), how many. */
int sso_session_purge(struct sso_rp *rp, struct lv_db *db, int64_t *n);

/*
 * Compares a submitted CSRF token with the session's in constant time.
 * Returns LV_OK when they match, LV_EFORBIDDEN otherwise (also for NULL).
 */
int sso_csrf_check(const struct sso_session *s, const char *submitted);

#endif
