/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * sso.h - the OpenID Connect relying party that signs employees in.
 *
 * The store creates one struct sso_rp at start from its [oidc] settings and
 * calls it from its HTTP routes: sso_login_begin() for "sign in" (a redirect
 * to the identity provider), sso_callback_handle() when the provider sends
 * the browser back (code exchange and full id_token validation, then
 * userinfo), sso_logout_url() for RP-initiated logout and
 * sso_backchannel_handle() for the provider's back-channel logout POST.
 * Sessions are in session.h. The module writes no HTTP routes of its own
 * and never includes anything from store/.
 *
 * Every failure of the sign-in path is reported in a struct sso_error: a
 * reason with a stable short name (for logs, metrics and the page's
 * data-reason attribute), an English sentence for the person, and a detail
 * for the log that never contains a token.
 *
 * An sso_rp is safe to share between threads: its provider metadata and key
 * cache are behind a mutex. Each call takes the calling thread's own
 * database connection.
 */
#ifndef LV_SSO_H
#define LV_SSO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct lv_db;
struct sso_rp;

/*
 * The DDL of the module's tables (sso_pending, sso_session,
 * sso_logout_jti), run by the store's first migration inside its
 * transaction. Never edited once released; a change is a new sso_schema_vN.
 */
extern const char sso_schema_v1[];

/*
 * Settings, filled by the store from its configuration file. Strings are
 * copied by sso_rp_new(); the caller keeps ownership of its own.
 */
struct sso_config {
	const char *issuer;        /* exactly as the provider spells it */
	const char *client_id;
	const char *client_secret;
	const char *scope;         /* NULL: "openid profile email" */
	const char *redirect_uri;  /* absolute: public_url + redirect_path */
	const char *post_logout_redirect_uri; /* absolute; NULL: none */
	const char *ca_file;       /* PEM bundle for the provider; NULL: system */
	int64_t iat_slack_seconds;    /* clock skew allowed on iat/exp */
	int64_t session_idle_seconds; /* a session unused this long ends */
	int64_t session_max_seconds;  /* a session ends this long after login */
	int64_t http_timeout_seconds; /* whole request to the provider */
	int allow_http; /* accept http:// provider URLs (loopback tests only) */
};

/* Fills cfg with the defaults (scope, 120 s slack, 30 min idle, 12 h max,
 * 10 s timeout, https only); the caller sets the rest. */
void sso_config_init(struct sso_config *cfg);

/* Why a sign-in (or a back-channel logout) was refused. */
enum sso_reason {
	SSO_R_NONE = 0,
	SSO_R_DISCOVERY_FAILED,
	SSO_R_ISSUER_MISMATCH,
	SSO_R_STATE_INVALID,
	SSO_R_PROVIDER_ERROR,
	SSO_R_TOKEN_REQUEST_FAILED,
	SSO_R_ID_TOKEN_MISSING,
	SSO_R_ID_TOKEN_MALFORMED,
	SSO_R_ALG_NOT_ALLOWED,
	SSO_R_KEY_NOT_FOUND,
	SSO_R_SIGNATURE_INVALID,
	SSO_R_ISS_INVALID,
	SSO_R_AUD_INVALID,
	SSO_R_AZP_INVALID,
	SSO_R_EXP_INVALID,
	SSO_R_IAT_INVALID,
	SSO_R_NONCE_INVALID,
	SSO_R_SUB_MISSING,
	SSO_R_USERINFO_FAILED,
	SSO_R_USERINFO_SUB_MISMATCH,
	SSO_R_LOGOUT_TOKEN_INVALID,
	SSO_R_COUNT
};

/*
 * A refusal. provider_error/provider_description are set only for
 * SSO_R_PROVIDER_ERROR: the provider's error code and description,
 * bounded and reduced to printable ASCII (still HTML-escape them).
 * detail is for the log and names no token, cookie or secret.
 */
struct sso_error {
	enum sso_reason reason;
	char detail[256];
	char provider_error[128];
	char provider_description[256];
};

/* The stable short name ("state_invalid"); "none" for SSO_R_NONE. */
const char *sso_reason_name(enum sso_reason reason);
/* A short English sentence for the person: what happened, what to do. */
const char *sso_reason_message(enum sso_reason reason);

/*
 * Checks cfg and makes a relying party (no network traffic yet).
 * OUT: *out, freed with sso_rp_free(). Returns LV_OK, or LV_EINVAL with
 * msg naming the setting that is wrong.
 */
int sso_rp_new(const struct sso_config *cfg, struct sso_rp **out, char *msg,
	       size_t msglen);
/* Accepts NULL. */
void sso_rp_free(struct sso_rp *rp);

/*
 * At process end only, after every relying party is freed: releases the
 * process-wide state of liboauth2 (its log, curl's and OpenSSL's
 * globals) that sso_rp_new set up once, so leak checkers see a clean
 * exit. Nothing in this module may be used afterwards.
 */
void sso_libs_shutdown(void);

/*
 * Fetches the provider's discovery document and its keys now, unless they
 * are cached. The store calls this at start and only logs a failure: a
 * provider that is down is retried at the next sign-in (at most every
 * five seconds). Returns LV_OK or LV_EUNAVAIL, with err->reason
 * SSO_R_DISCOVERY_FAILED (not reached, or a document or JWKS that is not
 * usable) or SSO_R_ISSUER_MISMATCH.
 */
int sso_rp_discover(struct sso_rp *rp, struct sso_error *err);

/*
 * Starts a sign-in: stores a single-use pending login (hash of state,
 * nonce, PKCE verifier, return_to; ten minutes) and builds the
 * authorization URL. return_to must be a local path ("/..."; not "//").
 * OUT: *url (lv_free). Returns LV_OK; LV_EINVAL for a bad return_to;
 * LV_EUNAVAIL when discovery failed (err says why: discovery_failed or
 * issuer_mismatch); LV_EINTERNAL on a database error.
 */
int sso_login_begin(struct sso_rp *rp, struct lv_db *db, const char *return_to,
		    char **url, struct sso_error *err);

/* The query values of the redirect back from the provider (NULL: absent). */
struct sso_callback_params {
	const char *code;
	const char *state;
	const char *error;
	const char *error_description;
	const char *iss;
};

/* A verified person. Owned by the caller; free with sso_identity_free(). */
struct sso_identity {
	char *iss;
	char *sub;
	char *sid;      /* NULL when the id_token has none */
	char *id_token; /* the raw id_token, for the logout hint only */
	json_t *claims; /* id_token claims, plus userinfo claims it lacks */
};
void sso_identity_free(struct sso_identity *id);

/*
 * Completes a sign-in: takes (and deletes) the pending login named by
 * state, exchanges the code at the token endpoint (client_secret_basic,
 * PKCE), validates the id_token fully and reads userinfo.
 * OUT: *identity on success. OUT: *return_to (lv_free) whenever the state
 * was valid, even when a later step failed. Returns LV_OK; LV_EAUTH when
 * the sign-in is refused; LV_EUNAVAIL when the provider could not be
 * reached; LV_EINTERNAL on a database error. err->reason says which check.
 */
int sso_callback_handle(struct sso_rp *rp, struct lv_db *db,
			const struct sso_callback_params *p,
			struct sso_identity **identity, char **return_to,
			struct sso_error *err);

/*
 * The provider's RP-initiated logout URL (end_session_endpoint with
 * id_token_hint when given, post_logout_redirect_uri when configured, and
 * client_id). OUT: *url (lv_free). Returns LV_OK; LV_ENOTFOUND when the
 * provider has no end_session_endpoint (redirect home instead);
 * LV_EUNAVAIL when discovery failed.
 */
int sso_logout_url(struct sso_rp *rp, const char *id_token_hint, char **url);

/* Whom a back-channel logout named. Caller-owned; sso_logout_cleanup(). */
struct sso_logout {
	char *iss;
	char *sub; /* NULL when the token names only a sid */
	char *sid; /* NULL when the token names only a sub */
	int64_t sessions_ended;
};
void sso_logout_cleanup(struct sso_logout *lo);

/*
 * Handles an OpenID back-channel logout: validates logout_token (signature
 * and alg rules as for the id_token; iss, aud, iat, exp, events, no nonce,
 * sub or sid, jti), refuses a replayed jti, and ends the matching sessions.
 * out is filled on success. Returns LV_OK; LV_EAUTH when the token is
 * refused (reason: the shared check's own, or SSO_R_LOGOUT_TOKEN_INVALID);
 * LV_EUNAVAIL when discovery failed; LV_EINTERNAL on a database error.
 * The jti and the session deletions are written under one SAVEPOINT, so
 * the caller may or may not be inside a transaction.
 */
int sso_backchannel_handle(struct sso_rp *rp, struct lv_db *db,
			   const char *logout_token, struct sso_logout *out,
			   struct sso_error *err);

/*
 * Deletes expired pending logins, sessions and remembered logout jtis.
 * For a periodic job. Returns LV_OK or LV_EINTERNAL.
 */
int sso_purge(struct sso_rp *rp, struct lv_db *db);

#endif
