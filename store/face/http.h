/*
 * http.h - the HTTP face's request and response, independent of routes.
 *
 * A struct req is built for each request by server.c: the method and path,
 * the parsed query, the body (read in a bounded loop, never more than
 * server.max_body_bytes), the session if there is one, and the language.
 * Handlers fill the response part (status, headers, body) and the face
 * sends it in ONE write, with the security headers every response carries.
 *
 * This is the only layer that includes civetweb.h, and the only place that
 * turns an lv_err code into an HTTP status and a sentence for people.
 */
#ifndef LV_HTTP_H
#define LV_HTTP_H

#include <jansson.h>
#include <stdint.h>

#include "app.h"
#include "lv_buf.h"
#include "lv_http_parse.h"
#include "lv_multipart.h"
#include "lv_net.h"
#include "policy_runtime.h"
#include "policy_store.h"
#include "session.h" /* sso/session.h */

struct mg_connection;
struct mg_request_info;
struct lv_db;
struct lv_i18n_catalog;
struct route;

#define REQ_MAX_PARAMS 4

/* The signed-in employee, filled by the dispatcher from the session. */
struct req_user {
	int64_t employee;      /* employees.id */
	unsigned roles;        /* enum lv_role bits */
	struct sso_session sess; /* the session row (csrf, id_token...) */
	char cookie[SSO_TOKEN_LEN + 1]; /* the session cookie value */
	json_t *profile;       /* the employee row as JSON (owned by req) */
};

struct req {
	struct livery *app;
	struct mg_connection *conn;
	const struct mg_request_info *ri;
	struct lv_db *db;             /* this worker thread's connection */
	const struct route *route;

	char rid[24];                 /* request id, in logs and error pages */
	struct lv_net_client client;  /* who is asking: req_client_address() */
	const char *method;
	const char *path;             /* decoded, normalised by CivetWeb */
	const char *params[REQ_MAX_PARAMS]; /* :name parts of the route */
	char param_buf[512];
	struct lv_kvlist query;
	struct lv_kvlist form;        /* urlencoded body, when parsed */
	struct lv_multipart upload;   /* multipart body, when parsed (upload routes) */
	int upload_read;
	struct lv_buf body;
	int body_read;

	int is_page;                  /* a navigation: errors as HTML pages */
	struct req_user *user;        /* NULL when no valid session */
	struct req_user user_storage;
	const char *lang;             /* chosen language, e.g. "fr" */
	struct theme *theme;          /* the theme in use when the request began (a
				       * reference: a reload does not change it under
				       * the request); NULL without one */

	/* the signed-in employee's catalog policies (routes.c opens them
	 * right after the session; every catalog query of the request uses
	 * them through lv_visible()) */
	struct policy_subject_data subject;
	struct policy_scope scope;
	int scoped;

	/* response */
	int status;
	struct lv_buf headers;        /* extra header lines, each ending \r\n */
	struct lv_buf out;            /* the body */
	const char *content_type;
	int cache_forever;            /* static assets with a hashed URL */
};

/* Value of request header name, or NULL. */
const char *req_header(const struct req *r, const char *name);

/*
 * The request's client address as text ("203.0.113.9", "2001:db8::1"): the
 * TCP peer's, or, when the peer is one of [server] trusted_proxies, the one
 * X-Forwarded-For names (lv_net_client_resolve in common/lv_net.h), decided
 * once in req_init. The one answer to "who is asking" for logs, the audit
 * log and anything else that needs it; X-Forwarded-* are read nowhere
 * else. "" before req_init, never NULL; owned by r.
 */
const char *req_client_address(const struct req *r);

/*
 * 1 when the client reached the store over https: the connection is TLS,
 * or a trusted proxy said so in X-Forwarded-Proto. Absolute URLs are never
 * built from it (they come from [server] public_url).
 */
int req_client_https(const struct req *r);

/*
 * Does the request come straight from its TCP peer, and is that peer in l?
 * A forwarded address never counts, and a request a trusted proxy relayed
 * (it carries X-Forwarded-For) is refused whatever the proxy's address:
 * through the proxy, the peer is not the one asking.
 */
int req_direct_peer_in(const struct req *r, const struct lv_net_list *l);

/*
 * Reads and parses an application/x-www-form-urlencoded body into r->form.
 * LV_ETOOBIG past server.max_body_bytes, LV_EINVAL for another content
 * type or a malformed body (msg says why).
 */
int req_form_read(struct req *r, char *msg, size_t msglen);

/*
 * req_form_read() for a handler: on failure the response is already set
 * (413 for a body too large, 400 naming what is wrong) and the error code
 * is returned for the handler to pass on.
 */
int req_form_need(struct req *r);

/*
 * Reads the raw body into r->body, bounded by [server] max_body_bytes, or
 * max_upload_bytes on a route that takes uploads (csrf ROUTE_UPLOAD).
 */
int req_body_read(struct req *r);

/*
 * On an upload route, reads and parses a multipart/form-data body into
 * r->upload (parts point into r->body). On failure the response is set
 * (413 too large, 415 not multipart, 400 malformed, naming what is wrong)
 * and the error code returned for the handler to pass on.
 */
int req_upload_need(struct req *r);

/* The first part of the multipart body called name, or NULL. */
const struct lv_multipart_part *req_upload_part(const struct req *r, const char *name);

/* First value of a query / form field, or NULL. */
const char *req_query(const struct req *r, const char *key);
const char *req_form(const struct req *r, const char *key);

/* Adds "Name: value\r\n" to the response (value must not contain CR/LF). */
int reply_header(struct req *r, const char *name, const char *value);

/* Sets the response to a JSON value (stolen). */
int reply_json(struct req *r, int status, json_t *v);
/* A JSON error body {"error":{"code","message"}}. */
int reply_json_error(struct req *r, int status, const char *code,
		     const char *message);
/*
 * A JSON error body that lists every field in error: {"error": {code,
 * message, request_id, errors: [{field, message}]}}, from errors, an
 * object {field: message} (not stolen).
 */
int reply_json_invalid(struct req *r, int status, const char *code, const char *message,
		       const json_t *errors);
/*
 * Turns r->out (already filled) into a 200 download named name (letters,
 * digits, '.', '-', '_' are kept, anything else becomes '_') of type
 * content_type (a string literal).
 */
int reply_download(struct req *r, const char *name, const char *content_type);

/* 302/303 to a local path or an absolute URL built by us. */
int reply_redirect(struct req *r, int status, const char *location);

/*
 * Renders page (a theme template) with data (stolen) merged into the
 * layout data (company, user, csrf, nav, languages…).
 */
int reply_page(struct req *r, int status, const char *page, const char *title,
	       json_t *data);

/*
 * An error shown the right way for the request: a themed HTML page for a
 * navigation, JSON for the API. reason is a short stable code
 * (data-reason), message a sentence that says what happened and what to
 * do (translated here), detail optional extra text.
 */
int reply_error(struct req *r, int status, const char *reason,
		const char *message, const char *detail);

/* Maps an lv_err code to a status and a generic message, then reply_error. */
int reply_err_code(struct req *r, int rc);

/* The request's message catalog (NULL: English), for sentences built elsewhere (say.h). */
const struct lv_i18n_catalog *req_i18n(const struct req *r);

/* Translation for the request's language. */
const char *req_tr(const struct req *r, const char *msgid);

#endif
