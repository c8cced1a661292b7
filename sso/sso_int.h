/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * sso_int.h - what the files of sso/ share with each other and with the
 * unit tests and fuzz targets, but not with the store.
 *
 * It holds the relying party's structure (configuration copy, cached
 * provider metadata and keys, the HTTP transport), the shared encoders,
 * and the token validator entry points. The HTTP transport is a function
 * pointer so that tests can answer the provider's requests themselves.
 */
#ifndef LV_SSO_INT_H
#define LV_SSO_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "lv_buf.h"
#include "session.h"
#include "sso.h"

/* Bounds on what comes from the provider or the browser. */
#define SSO_URL_MAX 2048           /* an endpoint or return_to */
#define SSO_JWT_MAX (64 * 1024)    /* an id_token or logout_token */
#define SSO_DOC_MAX (512 * 1024)   /* a discovery, JWKS, token, userinfo body */
#define SSO_CODE_MAX 4096          /* an authorization code */
#define SSO_JWKS_KEYS_MAX 64       /* keys considered in one JWKS */
#define SSO_PENDING_SECONDS 600    /* lifetime of a pending login */
#define SSO_JWKS_REFETCH_SECONDS 10 /* at most one unknown-kid re-fetch */
#define SSO_JWKS_MAX_AGE 3600      /* keys are re-read after an hour */
#define SSO_DISCOVERY_RETRY_SECONDS 5 /* failed discovery is not retried sooner */
#define SSO_IAT_MIN_WINDOW 600     /* iat may be this old (or slack if more) */
#define SSO_RSA_MIN_BITS 2048

/* One request to the provider. */
struct sso_http_request {
	const char *url;
	const char *form;          /* POST body (form-urlencoded); NULL: GET */
	const char *authorization; /* Authorization header value, or NULL */
};

/* The answer; body is initialised by the caller with its bound. */
struct sso_http_response {
	long status;
	struct lv_buf body;
};

/*
 * A transport: performs req and fills resp. Returns LV_OK when an HTTP
 * answer arrived (whatever its status), LV_EUNAVAIL when the provider
 * could not be reached (or timed out), LV_ETOOBIG when the body passed
 * resp->body's bound. detail receives why, for the log.
 */
typedef int (*sso_http_fn)(void *arg, const struct sso_http_request *req,
			   struct sso_http_response *resp, char *detail,
			   size_t detaillen);

/* The provider's metadata from discovery; immutable, reference-counted. */
struct sso_provider {
	atomic_int refs;
	char *issuer;
	char *authorization_endpoint;
	char *token_endpoint;
	char *userinfo_endpoint;    /* NULL: none */
	char *jwks_uri;
	char *end_session_endpoint; /* NULL: none */
	json_t *algs;               /* id_token_signing_alg_values_supported */
	int iss_param_supported;    /* authorization_response_iss_parameter_supported */
};

struct sso_key;

/* A parsed JWKS; immutable, reference-counted. */
struct sso_keyset {
	atomic_int refs;
	size_t n;
	struct sso_key *keys;
};

struct sso_rp {
	struct sso_config cfg; /* its strings are copies owned by the rp */
	char *discovery_url;
	sso_http_fn http;
	void *http_arg;
	void *olog; /* oauth2_log_t * for liboauth2 calls */

	pthread_mutex_t lock; /* guards the cache fields below */
	struct sso_provider *provider;
	int64_t discovery_failed_at;
	struct sso_error discovery_err; /* why it failed then */
	struct sso_keyset *keys;
	int64_t keys_fetched_at;
	int64_t keys_attempt_at;
	int64_t keys_refresh_at; /* last re-fetch for an unknown kid */

	pthread_mutex_t fetch_lock; /* one metadata fetch at a time */
};

/* rp.c */

/*
 * Replaces the transport (tests). fn NULL restores the default (liboauth2).
 * Drops cached metadata so the next call fetches through fn.
 */
void sso_rp_set_http(struct sso_rp *rp, sso_http_fn fn, void *arg);

/* reason.c */

/* Sets err->reason and a printf-formatted detail. err may be NULL. */
void sso_fail(struct sso_error *err, enum sso_reason reason, const char *fmt,
	      ...) __attribute__((format(printf, 3, 4)));
/* Clears err (reason SSO_R_NONE, empty strings). err may be NULL. */
void sso_error_clear(struct sso_error *err);

/* http.c */

/* The default transport over liboauth2; arg is the rp. */
int sso_http_oauth2(void *arg, const struct sso_http_request *req,
		    struct sso_http_response *resp, char *detail,
		    size_t detaillen);

/*
 * Sends req through the rp's transport and parses the answer as a JSON
 * object. OUT: *status, OUT: *json (json_decref) when the body is a JSON
 * object, whatever the status. Returns LV_OK (a JSON object arrived),
 * LV_EUNAVAIL (not reached), LV_ETOOBIG, or LV_EINVAL (not a JSON object);
 * detail says why.
 */
int sso_http_json(struct sso_rp *rp, const struct sso_http_request *req,
		  long *status, json_t **json, char *detail, size_t detaillen);

/* encode.c */

/* base64url without padding of n bytes into dst; returns dst. */
char *sso_b64url_encode(char *dst, size_t dstlen, const unsigned char *src,
			size_t n);
/*
 * Decodes n characters of base64url (no padding, nothing else allowed).
 * OUT: *out (lv_free; NUL-terminated for convenience), *outlen.
 * Returns LV_OK or LV_EINVAL.
 */
int sso_b64url_decode(const char *s, size_t n, unsigned char **out,
		      size_t *outlen);
/* Appends s percent-encoded (all but ALPHA DIGIT - . _ ~). */
int sso_buf_append_pct(struct lv_buf *b, const char *s);
/*
 * Appends "name=value" (value percent-encoded), preceded by '&' unless b is
 * empty or ends with '?' or '&'.
 */
int sso_buf_append_param(struct lv_buf *b, const char *name,
			 const char *value);
/*
 * Copies src into dst with every byte outside printable ASCII (and '"',
 * '\\') replaced by '?', truncated to fit. For text from outside that
 * ends up in a log or page. Returns dst.
 */
char *sso_text_clean(char *dst, size_t dstlen, const char *src);
/* 1 when s starts with https:// (or http:// when allow_http). */
int sso_url_allowed(const char *s, int allow_http);

/* pkce.c */

/* A fresh random 32-byte value, base64url (SSO_TOKEN_LEN chars + NUL). */
void sso_random_token(char *out, size_t outlen);
/* The PKCE S256 challenge of verifier into out (43 chars + NUL). */
void sso_pkce_challenge(const char *verifier, char *out, size_t outlen);
/* The 32-byte BLAKE2b hash by which a secret is stored. */
void sso_secret_hash(const char *secret, unsigned char out[32]);
/* Constant-time equality of two strings (length may leak). */
int sso_str_equal_ct(const char *a, const char *b);

/* discovery.c */

/*
 * The provider's metadata, fetched on first use (and again after a failure,
 * at most every SSO_DISCOVERY_RETRY_SECONDS). OUT: *out, a reference the
 * caller drops with sso_provider_release(). Returns LV_OK or LV_EUNAVAIL
 * with err set (SSO_R_DISCOVERY_FAILED or SSO_R_ISSUER_MISMATCH).
 */
int sso_provider_get(struct sso_rp *rp, struct sso_provider **out,
		     struct sso_error *err);
void sso_provider_release(struct sso_provider *p);
/*
 * Parses a discovery document for rp's issuer. OUT: *out (refs 1).
 * Returns LV_OK or LV_EINVAL with err set.
 */
int sso_provider_parse(const struct sso_rp *rp, const json_t *doc,
		       struct sso_provider **out, struct sso_error *err);

/* jwks.c */

/* How a key lookup ended. */
enum sso_key_found {
	SSO_KEY_FOUND = 0,
	SSO_KEY_NONE,      /* no key with that kid, or none for that alg */
	SSO_KEY_AMBIGUOUS, /* no kid and several keys could sign */
	SSO_KEY_WRONG_TYPE /* the kid's key cannot be used with that alg */
};

/*
 * Parses a JWKS document. Keys cjose cannot import, encryption keys and
 * keys of unknown type are skipped. OUT: *out (refs 1). Returns LV_OK or
 * LV_EINVAL (not a JWKS) with detail.
 */
int sso_keyset_parse(const json_t *doc, struct sso_keyset **out, char *detail,
		     size_t detaillen);
void sso_keyset_release(struct sso_keyset *ks);
/*
 * The key for a token header's alg and kid (kid NULL: the only key usable
 * with alg). OUT: *jwk, a cjose_jwk_t * owned by ks.
 */
enum sso_key_found sso_keyset_select(const struct sso_keyset *ks,
				     const char *alg, const char *kid,
				     void **jwk);
/*
 * The cached keys, fetched when missing or older than SSO_JWKS_MAX_AGE.
 * OUT: *out, a reference (sso_keyset_release). Returns LV_OK or
 * LV_EUNAVAIL/LV_EINVAL with detail.
 */
int sso_keys_get(struct sso_rp *rp, const struct sso_provider *prov,
		 struct sso_keyset **out, char *detail, size_t detaillen);
/*
 * After a key was not found in seen: fetches the JWKS again unless that was
 * done less than SSO_JWKS_REFETCH_SECONDS ago (or another thread already
 * replaced seen). OUT: *out, the newest keys (a reference). Returns LV_OK
 * when *out differs from seen, LV_ENOTFOUND when nothing new is to be had.
 */
int sso_keys_refresh(struct sso_rp *rp, const struct sso_provider *prov,
		     const struct sso_keyset *seen, struct sso_keyset **out);

/* jwt.c */

/*
 * Verifies a compact JWS from the provider: form, header (alg allowed for
 * the key type and by the provider, no crit), key by kid (one rate-limited
 * JWKS re-fetch for an unknown kid), signature. A token that is not even
 * well-formed is reported with the reason malformed. OUT: *claims
 * (json_decref), the payload object. Returns LV_OK, LV_EAUTH with err set,
 * or LV_EUNAVAIL (SSO_R_KEY_NOT_FOUND) when no keys could be fetched.
 */
int sso_jws_verify(struct sso_rp *rp, const struct sso_provider *prov,
		   const char *token, enum sso_reason malformed,
		   json_t **claims, struct sso_error *err);

/*
 * The claim checks of an id_token (iss, aud, azp, exp, iat, nonce, sub)
 * against prov, rp's client and the expected nonce. Returns LV_OK or
 * LV_EAUTH with err set.
 */
int sso_id_token_claims_check(const struct sso_rp *rp,
			      const struct sso_provider *prov,
			      const json_t *claims, const char *nonce,
			      struct sso_error *err);
/*
 * The claim checks of a logout_token (iss, aud, iat, exp if present,
 * events, no nonce, sub or sid, jti). Returns LV_OK or LV_EAUTH.
 */
int sso_logout_claims_check(const struct sso_rp *rp,
			    const struct sso_provider *prov,
			    const json_t *claims, struct sso_error *err);

/* Both steps for an id_token. OUT: *claims. */
int sso_id_token_validate(struct sso_rp *rp, const struct sso_provider *prov,
			  const char *token, const char *nonce, json_t **claims,
			  struct sso_error *err);
/* Both steps for a logout_token. OUT: *claims. */
int sso_logout_token_validate(struct sso_rp *rp,
			      const struct sso_provider *prov,
			      const char *token, json_t **claims,
			      struct sso_error *err);

/* logout.c */

/*
 * Remembers a logout token's jti until expires_at. Returns LV_OK, or
 * LV_ECONFLICT when it was already seen (a replay), LV_EINTERNAL.
 */
int sso_logout_jti_record(struct lv_db *db, const char *iss, const char *jti,
			  int64_t expires_at);

#endif
