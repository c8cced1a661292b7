/*
 * http.c - requests and responses of the HTTP face (see http.h).
 *
 * Bodies are read in an mg_read() loop into a bounded buffer, never with
 * one read into a fixed array, and refused early when Content-Length
 * already says they are too big. Responses are assembled in memory and
 * written with one mg_write().
 */
#include "http.h"
#include "server.h"

#include <civetweb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "employee.h"
#include "http_internal.h"
#include "lv_db.h"
#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "routes.h"
#include "face_session.h"
#include "theme.h"

#define HTML_MAX (4u << 20)
#define HEADERS_MAX 8192

/*
 * Decides who is asking (see req_client_address). The X-Forwarded-* lines
 * are handed over as they are, every one of them in order; an ignored
 * header from a trusted proxy is logged here, once for the request.
 */
static void req_client_init(struct req *r)
{
	const char *xff[LV_NET_HEADERS_MAX], *xfp[LV_NET_HEADERS_MAX];
	struct lv_net_request rq;
	char why[160], q[200], qwhy[200];
	int i;

	memset(&rq, 0, sizeof(rq));
	rq.peer = r->ri->remote_addr;
	rq.peer_tls = r->ri->is_ssl;
	rq.xff = xff;
	rq.xfp = xfp;
	for (i = 0; i < r->ri->num_headers; i++) {
		const char *name = r->ri->http_headers[i].name;
		const char *value = r->ri->http_headers[i].value;

		if (name == NULL || value == NULL)
			continue;
		/* past the maximum, only the count grows: the resolver refuses it */
		if (strcasecmp(name, "X-Forwarded-For") == 0 && rq.nxff++ < LV_NET_HEADERS_MAX)
			xff[rq.nxff - 1] = value;
		else if (strcasecmp(name, "X-Forwarded-Proto") == 0 && rq.nxfp++ < LV_NET_HEADERS_MAX)
			xfp[rq.nxfp - 1] = value;
	}
	if (lv_net_client_resolve(&rq, &r->app->cfg.trusted_proxies_net, &r->client, why,
				  sizeof(why)) != LV_OK)
		lv_warn("forwarded_ignored", "rid=%s peer=%s reason=%s", r->rid,
			lv_log_quote(q, sizeof(q), r->ri->remote_addr),
			lv_log_quote(qwhy, sizeof(qwhy), why));
}

const char *req_client_address(const struct req *r)
{
	return r->client.text;
}

int req_client_https(const struct req *r)
{
	return r->client.https;
}

int req_direct_peer_in(const struct req *r, const struct lv_net_list *l)
{
	return !r->client.proxied && lv_net_list_match(l, &r->client.peer);
}

void req_init(struct req *r, struct livery *app, struct mg_connection *conn)
{
	uint64_t n;

	memset(r, 0, sizeof(*r));
	r->app = app;
	r->conn = conn;
	r->ri = mg_get_request_info(conn);
	r->method = r->ri->request_method;
	r->path = r->ri->local_uri ? r->ri->local_uri : "/";
	n = atomic_fetch_add(&app->next_request_id, 1);
	lv_snprintf(r->rid, sizeof(r->rid), "%s-%llu", app->instance,
		    (unsigned long long)n);
	req_client_init(r);
	lv_kvlist_init(&r->query);
	lv_kvlist_init(&r->form);
	lv_buf_init(&r->body, (size_t)app->cfg.max_body_bytes);
	lv_buf_init(&r->headers, HEADERS_MAX);
	lv_buf_init(&r->out, HTML_MAX);
	r->lang = app->cfg.default_locale;
	r->theme = app_theme_get(app);
	if (r->ri->query_string && *r->ri->query_string) {
		char msg[128];

		/* A malformed query is treated as absent; handlers that need a
		 * value then say it is missing. */
		if (lv_form_parse(r->ri->query_string, strlen(r->ri->query_string),
				  64, &r->query, msg, sizeof(msg)) != LV_OK)
			lv_kvlist_cleanup(&r->query);
	}
}

void req_cleanup(struct req *r)
{
	lv_kvlist_cleanup(&r->query);
	lv_kvlist_cleanup(&r->form);
	lv_multipart_cleanup(&r->upload);
	lv_buf_cleanup(&r->body);
	lv_buf_cleanup(&r->headers);
	lv_buf_cleanup(&r->out);
	if (r->user) {
		json_decref(r->user->profile);
		sso_session_cleanup(&r->user->sess);
	}
	if (r->scoped) {
		policy_scope_leave();
		policy_scope_close(&r->scope);
	}
	policy_subject_data_cleanup(&r->subject);
	theme_unref(r->theme);
	r->theme = NULL;
}

const char *req_header(const struct req *r, const char *name)
{
	return mg_get_header(r->conn, name);
}

/* The most body bytes this request's route accepts. */
static long long req_body_max(const struct req *r)
{
	return r->route && r->route->csrf == ROUTE_UPLOAD ? r->app->cfg.max_upload_bytes
					    : r->app->cfg.max_body_bytes;
}

int req_body_read(struct req *r)
{
	char chunk[8192];
	long long cl = r->ri->content_length;
	int n;

	if (r->body_read)
		return LV_OK;
	r->body_read = 1;
	r->body.max = (size_t)req_body_max(r);
	if (cl > req_body_max(r))
		return LV_ETOOBIG;
	while ((n = mg_read(r->conn, chunk, sizeof(chunk))) > 0) {
		if (lv_buf_append(&r->body, chunk, (size_t)n) != LV_OK)
			return LV_ETOOBIG;
	}
	return n < 0 ? LV_EINVAL : LV_OK;
}

int req_form_read(struct req *r, char *msg, size_t msglen)
{
	const char *ct = req_header(r, "Content-Type");
	int rc;

	if (r->form.n || (r->body_read && r->body.len == 0))
		return LV_OK;
	if (ct == NULL || strncmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
		lv_snprintf(msg, msglen, "expected a form (application/x-www-form-urlencoded)");
		return LV_EINVAL;
	}
	rc = req_body_read(r);
	if (rc == LV_ETOOBIG) {
		lv_snprintf(msg, msglen, "the form is larger than %lld bytes",
			    (long long)r->app->cfg.max_body_bytes);
		return rc;
	}
	if (rc != LV_OK) {
		lv_snprintf(msg, msglen, "the form could not be read");
		return rc;
	}
	return lv_form_parse(r->body.data ? r->body.data : "", r->body.len, 256,
			     &r->form, msg, msglen);
}

int req_upload_need(struct req *r)
{
	const char *ct = req_header(r, "Content-Type");
	char boundary[LV_MULTIPART_MAX_BOUNDARY + 1], msg[200];
	int rc;

	if (r->upload_read)
		return LV_OK;
	if (lv_multipart_boundary(ct, boundary, sizeof(boundary)) != LV_OK) {
		reply_error(r, 415, "not_multipart",
			    "This form sends files: it must be sent as multipart/form-data.", NULL);
		return LV_EINVAL;
	}
	rc = req_body_read(r);
	if (rc == LV_ETOOBIG) {
		lv_snprintf(msg, sizeof(msg), "the largest upload accepted is %lld bytes",
			    req_body_max(r));
		reply_error(r, 413, "too_large", "The file is larger than the store accepts.", msg);
		return rc;
	}
	if (rc == LV_OK)
		rc = lv_multipart_parse(r->body.data ? r->body.data : "", r->body.len, boundary, 32,
					&r->upload, msg, sizeof(msg));
	else
		lv_snprintf(msg, sizeof(msg), "the upload could not be read");
	if (rc != LV_OK) {
		reply_error(r, 400, "bad_upload",
			    "The upload could not be read. Choose the file again and send the form.", msg);
		return rc;
	}
	r->upload_read = 1;
	return LV_OK;
}

const struct lv_multipart_part *req_upload_part(const struct req *r, const char *name)
{
	return r->upload_read ? lv_multipart_get(&r->upload, name) : NULL;
}

int req_form_need(struct req *r)
{
	char msg[200];
	int rc = req_form_read(r, msg, sizeof(msg));

	if (rc == LV_ETOOBIG)
		reply_error(r, 413, "too_large", "What you sent is larger than the store accepts.", msg);
	else if (rc != LV_OK)
		reply_error(r, 400, "bad_form", "The form could not be read. Reload the page and try again.",
			    msg);
	return rc;
}

const char *req_query(const struct req *r, const char *key)
{
	return lv_kvlist_get(&r->query, key);
}

const char *req_form(const struct req *r, const char *key)
{
	return lv_kvlist_get(&r->form, key);
}

int reply_header(struct req *r, const char *name, const char *value)
{
	if (strpbrk(value, "\r\n") || strpbrk(name, "\r\n: "))
		return LV_EINVAL;
	return lv_buf_printf(&r->headers, "%s: %s\r\n", name, value);
}

int reply_json(struct req *r, int status, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT);
	int rc;

	json_decref(v);
	if (s == NULL)
		return LV_EINTERNAL;
	lv_buf_reset(&r->out);
	rc = lv_buf_append_str(&r->out, s);
	free(s);
	r->status = status;
	r->content_type = "application/json";
	return rc;
}

int reply_json_error(struct req *r, int status, const char *code,
		     const char *message)
{
	return reply_json(r, status,
			  json_pack("{s:{s:s,s:s,s:s}}", "error", "code", code,
				    "message", message, "request_id", r->rid));
}

int reply_json_invalid(struct req *r, int status, const char *code, const char *message,
		       const json_t *errors)
{
	json_t *list = json_array(), *v;
	const char *key;

	json_object_foreach((json_t *)errors, key, v)
		json_array_append_new(list, json_pack("{s:s,s:O}", "field", key, "message", v));
	return reply_json(r, status, json_pack("{s:{s:s,s:s,s:s,s:o}}", "error", "code", code,
					       "message", message, "request_id", r->rid,
					       "errors", list));
}

int reply_download(struct req *r, const char *name, const char *content_type)
{
	char safe[96], disp[160];
	size_t i;
	int rc;

	for (i = 0; name[i] && i + 1 < sizeof(safe); i++) {
		unsigned char c = (unsigned char)name[i];

		safe[i] = (char)((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				 (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' ? c : '_');
	}
	safe[i] = '\0';
	lv_snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", safe);
	rc = reply_header(r, "Content-Disposition", disp);
	if (rc == LV_OK) {
		r->status = 200;
		r->content_type = content_type;
	}
	return rc;
}

int reply_redirect(struct req *r, int status, const char *location)
{
	int rc = reply_header(r, "Location", location);

	if (rc != LV_OK)
		return rc;
	lv_buf_reset(&r->out);
	r->status = status;
	r->content_type = NULL;
	return LV_OK;
}

const struct lv_i18n_catalog *req_i18n(const struct req *r)
{
	return r->theme ? theme_catalog(r->theme, r->lang) : NULL;
}

const char *req_tr(const struct req *r, const char *msgid)
{
	return lv_i18n_get(req_i18n(r), msgid);
}

static const char *error_title_for(int status)
{
	switch (status) {
	case 400: return N_("This request could not be understood");
	case 401: return N_("Sign-in needed");
	case 403: return N_("Access refused");
	case 404: return N_("Page not found");
	case 405: return N_("Not allowed here");
	case 409: return N_("Something changed");
	case 413: return N_("Too large");
	case 502: return N_("The sign-in service did not answer");
	case 503: return N_("Temporarily unavailable");
	default: return N_("Something went wrong");
	}
}

/* Reasons after which signing in again is the useful next step. */
static int reason_is_auth(const char *reason)
{
	return strcmp(reason, "not_found") != 0 && strcmp(reason, "bad_request") != 0 &&
	       strcmp(reason, "forbidden") != 0 && strcmp(reason, "internal") != 0 &&
	       strcmp(reason, "too_large") != 0 && strcmp(reason, "conflict") != 0 &&
	       strcmp(reason, "method_not_allowed") != 0 && strcmp(reason, "unavailable") != 0;
}

/*
 * The header's money links for the signed-in employee, in ONE query: the
 * number of items in their cart (user.cart_count) and whether the
 * Approvals link is useful (user.is_approver_or_manager: the approver
 * role, or someone's manager). A failure leaves them out.
 */
static void reply_layout_money(struct req *r, json_t *user)
{
	sqlite3_stmt *st = NULL;
	int64_t items = 0;
	int manager = 0;

	if (lv_db_stmt(r->db,
		       "SELECT (SELECT coalesce(sum(quantity), 0) FROM cart_lines WHERE employee = ?1),"
		       " EXISTS (SELECT 1 FROM employees AS me JOIN employees AS e"
		       " ON e.manager_employee_id = me.employee_id WHERE me.id = ?1)", &st) != LV_OK)
		return;
	sqlite3_bind_int64(st, 1, r->user->employee);
	if (sqlite3_step(st) == SQLITE_ROW) {
		items = sqlite3_column_int64(st, 0);
		manager = sqlite3_column_int(st, 1);
	}
	lv_db_done(st);
	json_object_set_new(user, "cart_count", json_integer(items));
	json_object_set_new(user, "is_approver_or_manager",
			    json_boolean(manager || (r->user->roles & LV_ROLE_APPROVER)));
}

/* The data every page's layout uses, around page. Steals page. */
static json_t *reply_layout(struct req *r, const char *title, json_t *page)
{
	json_t *d = json_object(), *langs = json_array(), *user = NULL;
	const struct theme *th = r->theme;
	const char *const *codes;
	size_t i, n = 0;

	json_object_set_new(d, "lang", json_string(r->lang));
	json_object_set_new(d, "title", json_string(title ? title : ""));
	json_object_set_new(d, "company", json_pack("{s:s}", "name", r->app->cfg.company_name));
	json_object_set_new(d, "assets", th ? theme_asset_urls(th) : json_object());
	json_object_set_new(d, "path", json_string(r->path));
	json_object_set_new(d, "rid", json_string(r->rid));
	json_object_set_new(d, "search",
			    json_pack("{s:s}", "q", req_query(r, "q") ? req_query(r, "q") : ""));
	codes = th ? theme_languages(th, &n) : NULL;
	for (i = 0; i < n; i++)
		json_array_append_new(langs, json_pack("{s:s,s:s,s:b}", "code", codes[i],
						       "name", theme_language_name(codes[i]),
						       "current", strcmp(codes[i], r->lang) == 0));
	json_object_set_new(d, "languages", langs);
	if (r->user) {
		json_t *p = r->user->profile;
		const char *name = json_string_value(json_object_get(p, "name"));
		char first[128], initials[8];

		name = name && *name ? name : json_string_value(json_object_get(p, "email"));
		name = name ? name : "";
		employee_name_parts(name, first, sizeof(first), initials, sizeof(initials));
		user = json_pack("{s:s,s:s,s:s,s:b,s:b,s:b,s:b,s:b}", "name", name,
				 "first_name", first, "initials", initials,
				 "is_hr_admin", (r->user->roles & LV_ROLE_HR_ADMIN) != 0,
				 "is_store_admin", (r->user->roles & LV_ROLE_STORE_ADMIN) != 0,
				 "is_approver", (r->user->roles & LV_ROLE_APPROVER) != 0,
				 "is_auditor", (r->user->roles & LV_ROLE_AUDITOR) != 0,
				 "is_console", (r->user->roles & LV_ROLES_CONSOLE) != 0);
		json_object_set_new(d, "user", user);
		json_object_set_new(d, "csrf", json_string(r->user->sess.csrf));
		if (r->db)
			reply_layout_money(r, user);
		if (r->db) {
			json_t *cats = NULL;

			if (catalog_categories_list(r->db, 0, &cats) == LV_OK) {
				json_t *c;
				size_t j;

				json_array_foreach(cats, j, c) {
					const char *slug = json_string_value(json_object_get(c, "slug"));
					char url[300];

					lv_snprintf(url, sizeof(url), "/c/%s", slug ? slug : "");
					json_object_set_new(c, "url", json_string(url));
					json_object_set_new(c, "current", json_boolean(
						r->params[0] && slug && r->route &&
						strcmp(r->route->name, "category") == 0 &&
						strcmp(r->params[0], slug) == 0));
				}
				json_object_set_new(d, "nav", json_pack("{s:o}", "categories", cats));
			}
		}
	}
	json_object_set_new(d, "page", page ? page : json_object());
	return d;
}

int reply_page(struct req *r, int status, const char *page, const char *title,
	       json_t *data)
{
	json_t *d = reply_layout(r, title, data);
	int rc = LV_EUNAVAIL;

	lv_buf_reset(&r->out);
	if (r->theme)
		rc = theme_render(r->theme, r->lang, page, d, &r->out);
	json_decref(d);
	if (rc != LV_OK) {
		lv_error("render", "rid=%s page=%s rc=%s", r->rid, page, lv_err_name(rc));
		lv_buf_reset(&r->out);
		lv_buf_append_str(&r->out, "<!doctype html><title>Error</title><p>The page could not be shown. Please try again.</p>");
		status = 500;
	}
	r->status = status;
	r->content_type = "text/html; charset=utf-8";
	return LV_OK;
}

int reply_error(struct req *r, int status, const char *reason,
		const char *message, const char *detail)
{
	const char *msg = req_tr(r, message);

	if (r->is_page) {
		json_t *page = json_pack("{s:i,s:s,s:s,s:s}", "status", status,
					 "title", req_tr(r, error_title_for(status)),
					 "message", msg, "reason", reason);

		if (detail)
			json_object_set_new(page, "detail", json_string(detail));
		else if (status >= 500)
			json_object_set_new(page, "detail", json_sprintf("request id %s", r->rid));
		/* The page always offers the way back to the store; after a refused
		 * sign-in, signing in again is the useful next step. */
		if (r->user == NULL && (status == 401 || reason_is_auth(reason)))
			json_object_set_new(page, "action",
					    json_pack("{s:s,s:s}", "label", req_tr(r, "Sign in again"),
						      "url", "/auth/login"));
		return reply_page(r, status, "error", req_tr(r, error_title_for(status)), page);
	}
	return reply_json_error(r, status, reason, msg);
}

int reply_err_code(struct req *r, int rc)
{
	switch (rc) {
	case LV_EINVAL:
		return reply_error(r, 400, "bad_request",
				   "The request was not understood. Check what you entered and try again.", NULL);
	case LV_ENOTFOUND:
		return reply_error(r, 404, "not_found",
				   "This page does not exist. Check the address, or go back to the catalog.", NULL);
	case LV_EFORBIDDEN:
		return reply_error(r, 403, "forbidden",
				   "Your role does not allow this. Ask your administrator if you need access.", NULL);
	case LV_EAUTH:
		return reply_error(r, 401, "unauthenticated",
				   "You are not signed in, or your session has ended. Sign in again.", NULL);
	case LV_ECONFLICT:
		return reply_error(r, 409, "conflict",
				   "Something changed while you were working. Reload the page and try again.", NULL);
	case LV_ETOOBIG:
		return reply_error(r, 413, "too_large",
				   "What you sent is larger than the store accepts.", NULL);
	case LV_EUNAVAIL:
		return reply_error(r, 503, "unavailable",
				   "A service the store needs is not answering. Try again in a minute.", NULL);
	default:
		return reply_error(r, 500, "internal",
				   "Something went wrong on our side. Try again; if it keeps happening, "
				   "tell IT the request id shown below.", NULL);
	}
}

static const char *http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

/*
 * The Content-Security-Policy: nothing inline, nothing from elsewhere. The
 * provider's origin is allowed as a form target because the sign-out form
 * is redirected there (RP-initiated logout) and browsers apply form-action
 * to redirects.
 */
static void req_security_headers(struct req *r, struct lv_buf *h)
{
	char origin[512] = "";
	const char *iss = r->app->cfg.issuer;

	if (iss) {
		const char *p = strstr(iss, "://");
		const char *slash = p ? strchr(p + 3, '/') : NULL;
		size_t n = slash ? (size_t)(slash - iss) : strlen(iss);

		if (n < sizeof(origin)) {
			memcpy(origin, iss, n);
			origin[n] = '\0';
		}
	}
	lv_buf_printf(h,
		      "Content-Security-Policy: default-src 'none'; script-src 'self'; "
		      "style-src 'self'; img-src 'self' data:; font-src 'self'; "
		      "connect-src 'self'; form-action 'self'%s%s; base-uri 'none'; "
		      "frame-ancestors 'none'\r\n"
		      "X-Content-Type-Options: nosniff\r\n"
		      "Referrer-Policy: same-origin\r\n"
		      "X-Frame-Options: DENY\r\n"
		      "Cross-Origin-Opener-Policy: same-origin\r\n"
		      "Cross-Origin-Resource-Policy: same-origin\r\n"
		      "Permissions-Policy: camera=(), microphone=(), geolocation=(), payment=()\r\n",
		      origin[0] ? " " : "", origin);
	if (r->app->cfg.public_https)
		lv_buf_append_str(h, "Strict-Transport-Security: max-age=31536000\r\n");
}

void req_send(struct req *r)
{
	struct lv_buf h;
	int head = strcmp(r->method, "HEAD") == 0;

	if (r->status == 0) {
		lv_error("handler", "rid=%s error=\"no response set\"", r->rid);
		reply_error(r, 500, "internal", "Something went wrong on our side.", NULL);
	}
	lv_buf_init(&h, HEADERS_MAX + HTML_MAX + 4096);
	lv_buf_printf(&h, "HTTP/1.1 %d %s\r\n", r->status, http_status_text(r->status));
	if (r->content_type)
		lv_buf_printf(&h, "Content-Type: %s\r\n", r->content_type);
	lv_buf_printf(&h, "Content-Length: %zu\r\n", r->out.len);
	lv_buf_printf(&h, "Keep-Alive: timeout=%d\r\n", SERVER_KEEP_ALIVE_SECONDS);
	if (r->cache_forever)
		lv_buf_append_str(&h, "Cache-Control: public, max-age=31536000, immutable\r\n");
	else if (!strstr(lv_buf_str(&r->headers), "Cache-Control:"))
		lv_buf_append_str(&h, "Cache-Control: no-store\r\n");
	lv_buf_printf(&h, "X-Request-Id: %s\r\n", r->rid);
	req_security_headers(r, &h);
	lv_buf_append(&h, r->headers.data ? r->headers.data : "", r->headers.len);
	lv_buf_append_str(&h, "\r\n");
	if (!head && r->out.len)
		lv_buf_append(&h, r->out.data, r->out.len);
	mg_write(r->conn, h.data, h.len);
	lv_buf_cleanup(&h);
}
