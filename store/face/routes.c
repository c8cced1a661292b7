/*
 * routes.c - the route table and the dispatcher (see routes.h).
 *
 * The dispatcher is where the rules that hold for every request live, so
 * no handler can forget them: unknown routes are refused; a route that
 * needs a session gets one or is answered with a redirect to sign-in (page
 * navigations) or 401 (everything else); an employee who has left or is
 * suspended is signed out; roles are checked; a state-changing request must
 * carry the session's CSRF token and, when the browser says where it comes
 * from, come from our own origin.
 */
#include "routes.h"

#include <civetweb.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "console.h"
#include "handlers.h"
#include "metrics.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "face_session.h"

#define ANY_ROLE 0

const struct route route_table[] = {
	/* method  pattern                    kind         access          roles     csrf handler */
	{ "GET",  "/healthz",                 ROUTE_API,   ROUTE_PUBLIC,  ANY_ROLE, 0, api_health_get,        "health" },
	/* Prometheus; only for [server] metrics_allow (face/metrics.c) */
	{ "GET",  "/metrics",                 ROUTE_API,   ROUTE_MONITOR, ANY_ROLE, 0, metrics_get,           "metrics" },
	{ "GET",  "/auth/login",              ROUTE_PAGE,  ROUTE_PUBLIC,  ANY_ROLE, 0, auth_login_get,        "login" },
	{ "GET",  "/auth/callback",           ROUTE_PAGE,  ROUTE_PUBLIC,  ANY_ROLE, 0, auth_callback_get,     "callback" },
	{ "POST", "/auth/logout",             ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 1, auth_logout_post,      "logout" },
	/* back-channel: the provider calls it server to server; the logout token is the proof */
	{ "POST", "/auth/backchannel-logout", ROUTE_API,   ROUTE_PUBLIC,  ANY_ROLE, 0, auth_backchannel_post, "backchannel_logout" },
	{ "GET",  "/static/:hash/:name",      ROUTE_ASSET, ROUTE_PUBLIC,  ANY_ROLE, 0, page_static_get,       "static" },
	{ "GET",  "/favicon.ico",             ROUTE_ASSET, ROUTE_PUBLIC,  ANY_ROLE, 0, page_favicon_get,      "favicon" },
	{ "GET",  "/media/:image",            ROUTE_ASSET, ROUTE_SESSION, ANY_ROLE, 0, page_media_get,        "media" },
	{ "GET",  "/",                        ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 0, page_home_get,         "home" },
	{ "GET",  "/c/:category",             ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 0, page_category_get,     "category" },
	{ "GET",  "/search",                  ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 0, page_search_get,       "search" },
	{ "GET",  "/p/:product",              ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 0, page_product_get,      "product" },
	{ "GET",  "/profile",                 ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 0, page_profile_get,      "profile" },
	{ "POST", "/profile/language",        ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 1, page_language_post,    "language" },
	{ "GET",  "/api/v1/me",               ROUTE_API,   ROUTE_SESSION, ANY_ROLE, 0, api_me_get,            "api_me" },
	{ "GET",  "/api/v1/products",         ROUTE_API,   ROUTE_SESSION, ANY_ROLE, 0, api_products_get,      "api_products" },
	/* cart and checkout pages (face/cart_pages.c) */
	{ "GET",  "/cart",                                       ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 0, page_cart_get, "cart" },
	{ "POST", "/cart/add",                                   ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 1, page_cart_add_post, "cart_add" },
	{ "POST", "/cart/update",                                ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 1, page_cart_update_post, "cart_update" },
	{ "POST", "/cart/remove",                                ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 1, page_cart_remove_post, "cart_remove" },
	{ "GET",  "/cart/quick",                                 ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 0, page_quick_get, "quick_order" },
	{ "POST", "/cart/quick",                                 ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 1, page_quick_post, "quick_order_post" },
	{ "GET",  "/checkout",                                   ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 0, page_checkout_get, "checkout" },
	{ "POST", "/checkout",                                   ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 1, page_checkout_post, "checkout_post" },
	/* kits (face/kit_pages.c) */
	{ "GET",   "/kits",                                       ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 0, page_kits_get, "kits" },
	{ "POST",  "/kits/add",                                   ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 1, page_kits_add_post, "kits_add" },
	/* orders and approvals pages (face/order_pages.c) */
	{ "GET",  "/orders",                                     ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 0, page_orders_get, "orders" },
	{ "GET",  "/orders/:ref",                                ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 0, page_order_get, "order" },
	{ "POST", "/orders/:ref/cancel",                         ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 1, page_order_cancel_post, "order_cancel" },
	{ "POST", "/orders/:ref/reorder",                        ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 1, page_order_reorder_post, "order_reorder" },
	{ "GET",  "/allowances",                                 ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 0, page_allowances_get, "allowances" },
	{ "GET",  "/approvals",                                  ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 0, page_approvals_get, "approvals" },
	{ "POST", "/approvals/:ref",                             ROUTE_PAGE,  ROUTE_SESSION, ANY_ROLE, 1, page_approval_post, "approval_decide" },
	/* exports (face/export_pages.c) */
	{ "GET",  "/admin/exports/payroll.csv",                  ROUTE_PAGE,  ROUTE_SESSION, LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR, 0, page_export_payroll_get, "export_payroll" },
	{ "GET",  "/admin/exports/orders.csv",                   ROUTE_PAGE,  ROUTE_SESSION, LV_ROLE_STORE_ADMIN | LV_ROLE_AUDITOR, 0, page_export_orders_get, "export_orders" },
	/* money API (face/api_money.c) */
	{ "GET",  "/api/v1/cart",                                ROUTE_API,   ROUTE_SESSION, ANY_ROLE, 0, api_cart_get, "api_cart" },
	{ "DELETE", "/api/v1/cart",                                ROUTE_API,   ROUTE_SESSION, ANY_ROLE, 1, api_cart_delete, "api_cart_clear" },
	{ "POST", "/api/v1/cart/lines",                          ROUTE_API,   ROUTE_SESSION, ANY_ROLE, 1, api_cart_lines_post, "api_cart_add" },
	{ "PUT",  "/api/v1/cart/lines/:sku",                     ROUTE_API,   ROUTE_SESSION, ANY_ROLE, 1, api_cart_line_put, "api_cart_set" },
	{ "DELETE", "/api/v1/cart/lines/:sku",                     ROUTE_API,   ROUTE_SESSION, ANY_ROLE, 1, api_cart_line_delete, "api_cart_remove" },
	{ "POST", "/api/v1/checkout/quote",                      ROUTE_API,   ROUTE_SESSION, ANY_ROLE, 1, api_checkout_quote_post, "api_quote" },
	{ "POST", "/api/v1/checkout",                            ROUTE_API,   ROUTE_SESSION, ANY_ROLE, 1, api_checkout_post, "api_checkout" },
	{ "GET",  "/api/v1/orders",                              ROUTE_API,   ROUTE_SESSION, ANY_ROLE, 0, api_orders_get, "api_orders" },
	{ "GET",  "/api/v1/orders/:ref",                         ROUTE_API,   ROUTE_SESSION, ANY_ROLE, 0, api_order_get, "api_order" },
	{ "POST", "/api/v1/orders/:ref/cancel",                  ROUTE_API,   ROUTE_SESSION, ANY_ROLE, 1, api_order_cancel_post, "api_order_cancel" },
	{ "POST", "/api/v1/orders/:ref/reorder",                 ROUTE_API,   ROUTE_SESSION, ANY_ROLE, 1, api_order_reorder_post, "api_order_reorder" },
	{ "GET",  "/api/v1/me/allowances",                       ROUTE_API,   ROUTE_SESSION, ANY_ROLE, 0, api_me_allowances_get, "api_me_allowances" },
	{ "GET",  "/api/v1/approvals",                           ROUTE_API,   ROUTE_SESSION, ANY_ROLE, 0, api_approvals_get, "api_approvals" },
	{ "POST", "/api/v1/approvals/:ref",                      ROUTE_API,   ROUTE_SESSION, ANY_ROLE, 1, api_approval_post, "api_approval_decide" },
	/* admin API (face/api_admin.c) */
	{ "GET",  "/api/v1/admin/allowance-programmes",          ROUTE_API,   ROUTE_SESSION, LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR, 0, api_admin_programmes_get, "api_admin_programmes" },
	{ "POST", "/api/v1/admin/allowance-programmes",          ROUTE_API,   ROUTE_SESSION, LV_ROLE_HR_ADMIN, 1, api_admin_programmes_post, "api_admin_programme_create" },
	{ "GET",  "/api/v1/admin/employees/:employee/allowances", ROUTE_API,   ROUTE_SESSION, LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR, 0, api_admin_employee_allowances_get, "api_admin_employee_allowances" },
	{ "POST", "/api/v1/admin/employees/:employee/adjustments", ROUTE_API,   ROUTE_SESSION, LV_ROLE_HR_ADMIN, 1, api_admin_adjustments_post, "api_admin_adjust" },
	{ "GET",  "/api/v1/admin/orders",                        ROUTE_API,   ROUTE_SESSION, LV_ROLE_STORE_ADMIN | LV_ROLE_AUDITOR, 0, api_admin_orders_get, "api_admin_orders" },
	{ "GET",  "/api/v1/admin/orders/:ref",                   ROUTE_API,   ROUTE_SESSION, LV_ROLE_STORE_ADMIN | LV_ROLE_AUDITOR, 0, api_admin_order_get, "api_admin_order" },
	{ "POST", "/api/v1/admin/orders/:ref/status",            ROUTE_API,   ROUTE_SESSION, LV_ROLE_STORE_ADMIN, 1, api_admin_order_status_post, "api_admin_order_status" },
	{ "POST", "/api/v1/admin/orders/:ref/cancel",            ROUTE_API,   ROUTE_SESSION, LV_ROLE_STORE_ADMIN, 1, api_admin_order_cancel_post, "api_admin_order_cancel" },
	{ "POST", "/api/v1/admin/orders/:ref/returns",           ROUTE_API,   ROUTE_SESSION, LV_ROLE_STORE_ADMIN, 1, api_admin_order_returns_post, "api_admin_order_return" },
	{ "GET",  "/api/v1/admin/exports/payroll",               ROUTE_API,   ROUTE_SESSION, LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR, 0, api_admin_export_payroll_get, "api_admin_export_payroll" },
	{ "GET",  "/api/v1/admin/exports/orders",                ROUTE_API,   ROUTE_SESSION, LV_ROLE_STORE_ADMIN | LV_ROLE_AUDITOR, 0, api_admin_export_orders_get, "api_admin_export_orders" },
	/* policies admin API (face/api_policies.c) */
	{ "GET",  "/api/v1/admin/policies",                      ROUTE_API,   ROUTE_SESSION, LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR, 0, api_admin_policies_get, "api_admin_policies" },
	{ "POST", "/api/v1/admin/policies",                      ROUTE_API,   ROUTE_SESSION, LV_ROLE_HR_ADMIN, 1, api_admin_policies_post, "api_admin_policy_create" },
	{ "GET",  "/api/v1/admin/policies/:name",                ROUTE_API,   ROUTE_SESSION, LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR, 0, api_admin_policy_get, "api_admin_policy" },
	{ "PUT",  "/api/v1/admin/policies/:name",                ROUTE_API,   ROUTE_SESSION, LV_ROLE_HR_ADMIN, 1, api_admin_policy_put, "api_admin_policy_update" },
	{ "DELETE", "/api/v1/admin/policies/:name",                ROUTE_API,   ROUTE_SESSION, LV_ROLE_HR_ADMIN, 1, api_admin_policy_delete, "api_admin_policy_delete" },
	{ "GET",  "/api/v1/admin/policies/:name/history",        ROUTE_API,   ROUTE_SESSION, LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR, 0, api_admin_policy_history_get, "api_admin_policy_history" },
	{ "GET",  "/api/v1/admin/policies/:name/preview",        ROUTE_API,   ROUTE_SESSION, LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR, 0, api_admin_policy_preview_get, "api_admin_policy_preview" },
	{ "POST", "/api/v1/admin/policies/:name/preview",        ROUTE_API,   ROUTE_SESSION, LV_ROLE_HR_ADMIN, 1, api_admin_policy_preview_post, "api_admin_policy_preview_edit" },
};
const size_t route_count = sizeof(route_table) / sizeof(route_table[0]);

/* Every table: the store's above, then the console's areas (console.h). */
static const struct {
	const struct route *v;
	const size_t *n;
} route_groups[] = {
	{ route_table, &route_count },
	{ console_routes, &console_routes_n },
	{ console_people_routes, &console_people_routes_n },
	{ console_allowances_routes, &console_allowances_routes_n },
	{ console_policies_routes, &console_policies_routes_n },
	{ console_orders_routes, &console_orders_routes_n },
	{ console_reports_routes, &console_reports_routes_n },
	{ console_audit_routes, &console_audit_routes_n },
	{ console_catalog_routes, &console_catalog_routes_n },
};
#define ROUTE_GROUPS (sizeof(route_groups) / sizeof(route_groups[0]))

size_t route_total(void)
{
	size_t i, n = 0;

	for (i = 0; i < ROUTE_GROUPS; i++)
		n += *route_groups[i].n;
	return n;
}

const struct route *route_at(size_t i)
{
	size_t g;

	for (g = 0; g < ROUTE_GROUPS; g++) {
		if (i < *route_groups[g].n)
			return &route_groups[g].v[i];
		i -= *route_groups[g].n;
	}
	return NULL;
}

size_t route_index(const struct route *rt)
{
	size_t g, base = 0;

	for (g = 0; g < ROUTE_GROUPS; g++) {
		const struct route *v = route_groups[g].v;
		size_t n = *route_groups[g].n;

		/* compared as addresses: rt may point into any table */
		if ((uintptr_t)rt >= (uintptr_t)v && (uintptr_t)rt < (uintptr_t)(v + n))
			return base + (size_t)(rt - v);
		base += n;
	}
	return base;
}

int route_roles_admit(const struct route *rt, unsigned roles)
{
	if (rt->roles == 0)
		return 1;
	if (rt->csrf)
		roles &= ~(unsigned)LV_ROLE_AUDITOR;
	return (roles & rt->roles) != 0;
}

void route_table_print(FILE *f)
{
	static const char *const kinds[] = { "page", "api", "asset" };
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ LV_ROLE_HR_ADMIN, "hr_admin" }, { LV_ROLE_STORE_ADMIN, "store_admin" },
		{ LV_ROLE_APPROVER, "approver" }, { LV_ROLE_AUDITOR, "auditor" },
	};
	const struct route *rt;
	size_t i, k;
	int first;

	for (i = 0; (rt = route_at(i)) != NULL; i++) {
		fprintf(f, "{\"method\":\"%s\",\"pattern\":\"%s\",\"kind\":\"%s\","
			   "\"session\":%s,\"csrf\":%s,\"upload\":%s,\"name\":\"%s\",\"roles\":[",
			rt->method, rt->pattern, kinds[rt->kind],
			rt->access == ROUTE_SESSION ? "true" : "false", rt->csrf ? "true" : "false",
			rt->csrf == ROUTE_UPLOAD ? "true" : "false", rt->name);
		first = 1;
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			if (!route_roles_admit(rt, names[k].bit) || rt->roles == 0)
				continue;
			fprintf(f, "%s\"%s\"", first ? "" : ",", names[k].name);
			first = 0;
		}
		fprintf(f, "]}\n");
	}
}

/*
 * Matches path against pattern, copying ":name" segments into r->params
 * (through r->param_buf). Returns 1 on a match.
 */
static int route_pattern_match(struct req *r, const char *pattern, const char *path)
{
	size_t used = 0;
	int np = 0;

	while (*pattern && *path) {
		if (*pattern == ':') {
			const char *end = strchr(path, '/');
			size_t n = end ? (size_t)(end - path) : strlen(path);

			if (n == 0 || np >= REQ_MAX_PARAMS ||
			    used + n + 1 > sizeof(r->param_buf))
				return 0;
			memcpy(r->param_buf + used, path, n);
			r->param_buf[used + n] = '\0';
			r->params[np++] = r->param_buf + used;
			used += n + 1;
			path += n;
			while (*pattern && *pattern != '/')
				pattern++;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
}

int route_match(struct req *r, const char *method, const char *path,
		const struct route **route, char *allow, size_t allowlen)
{
	size_t i, used = 0;
	int path_seen = 0;

	*route = NULL;
	allow[0] = '\0';
	for (i = 0; i < route_total(); i++) {
		const struct route *rt = route_at(i);

		if (!route_pattern_match(r, rt->pattern, path))
			continue;
		if (rt->access == ROUTE_MONITOR &&
		    (r->app == NULL || !req_direct_peer_in(r, &r->app->cfg.metrics_allow_net)))
			continue; /* not there for this peer */
		if (strcmp(rt->method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0)) {
			*route = rt;
			return LV_OK;
		}
		path_seen = 1;
		if (used + strlen(rt->method) + 3 < allowlen) {
			used += (size_t)lv_snprintf(allow + used, allowlen - used, "%s%s",
						    used ? ", " : "", rt->method);
		}
	}
	return path_seen ? LV_EINVAL : LV_ENOTFOUND;
}

/* Is this request a browser navigation (so errors are pages, not JSON)? */
static int route_is_navigation(const struct req *r)
{
	const char *mode = req_header(r, "Sec-Fetch-Mode");
	const char *accept = req_header(r, "Accept");

	if (r->route && r->route->kind != ROUTE_PAGE)
		return 0;
	/* Browsers say "navigate"; other clients that want a page ask for HTML
	 * (some, like Node's fetch, send Sec-Fetch-Mode: cors regardless). */
	if (mode && strcmp(mode, "navigate") == 0)
		return 1;
	return accept != NULL && strstr(accept, "text/html") != NULL;
}

/* Sends a page navigation without a session to sign in. */
static int route_to_login(struct req *r)
{
	struct lv_buf target, loc;
	const char *qs = r->ri->query_string;
	int rc;

	lv_buf_init(&target, 2048);
	lv_buf_init(&loc, 8192);
	rc = lv_buf_append_str(&target, r->path);
	if (rc == LV_OK && qs && *qs)
		rc = lv_buf_printf(&target, "?%s", qs);
	if (rc != LV_OK || !lv_path_is_local(lv_buf_str(&target))) {
		lv_buf_reset(&target);
		rc = lv_buf_append_str(&target, "/");
	}
	if (rc == LV_OK)
		rc = lv_buf_append_str(&loc, "/auth/login?return_to=");
	if (rc == LV_OK)
		rc = lv_url_encode(lv_buf_str(&target), &loc);
	if (rc == LV_OK)
		rc = reply_redirect(r, 302, lv_buf_str(&loc));
	lv_buf_cleanup(&target);
	lv_buf_cleanup(&loc);
	return rc;
}

/*
 * A state-changing request must come from our own pages: the Origin header
 * (when the browser sends one) must be our public origin, and the CSRF
 * token (form field "csrf" or header X-CSRF-Token) must be the session's.
 */
static int route_csrf_ok(struct req *r)
{
	const char *origin = req_header(r, "Origin");
	const char *token = req_header(r, "X-CSRF-Token");

	const struct lv_multipart_part *part;
	char buf[128];

	if (origin && strcmp(origin, r->app->cfg.public_url) != 0)
		return 0;
	if (token == NULL)
		token = req_form(r, "csrf");
	if (token == NULL && (part = req_upload_part(r, "csrf")) != NULL &&
	    part->len < sizeof(buf) && memchr(part->data, '\0', part->len) == NULL) {
		memcpy(buf, part->data, part->len);
		buf[part->len] = '\0';
		token = buf;
	}
	return token != NULL && r->user != NULL &&
	       session_csrf_check(r, token) == 0;
}

/* Is the body multipart (a form with files)? */
static int route_has_upload(const struct req *r)
{
	const char *ct = req_header(r, "Content-Type");

	return ct && strncasecmp(ct, "multipart/form-data", 19) == 0;
}

/* Is the body a form (whose fields may carry the CSRF token)? */
static int route_has_form(const struct req *r)
{
	const char *ct = req_header(r, "Content-Type");

	return ct && strncmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

/*
 * Opens the signed-in employee's policy scope. Failing closed: when the
 * policies cannot be applied, the request is refused rather than shown an
 * unfiltered catalog. Returns LV_OK or an error already answered.
 */
static int route_policy_scope(struct req *r)
{
	int rc;

	if (r->user == NULL)
		return LV_OK;
	rc = policy_subject_load(r->db, r->user->employee, 0, &r->subject);
	if (rc == LV_OK)
		rc = policy_scope_open(r->app->policies, r->db, &r->subject.s, &r->scope);
	if (rc != LV_OK) {
		reply_error(r, 503, "policies_unavailable",
			    "The store cannot apply your catalog rules right now. Try again in a minute.",
			    NULL);
		return rc;
	}
	r->scoped = 1;
	policy_scope_enter(&r->scope);
	return LV_OK;
}

void route_dispatch(struct req *r)
{
	char allow[64];
	int rc;

	rc = route_match(r, r->method, r->path, &r->route, allow, sizeof(allow));
	if (rc == LV_ENOTFOUND) {
		r->is_page = route_is_navigation(r);
		/* Someone not signed in learns nothing about which pages exist:
		 * a navigation goes to sign-in first, and sees 404 after. */
		if (r->is_page && strcmp(r->method, "GET") == 0 &&
		    session_load(r) == LV_OK && r->user == NULL) {
			route_to_login(r);
			return;
		}
		session_pick_language(r);
		reply_error(r, 404, "not_found",
			    "This page does not exist. Check the address, or go back to the catalog.",
			    NULL);
		return;
	}
	if (rc == LV_EINVAL) {
		r->is_page = 0;
		reply_header(r, "Allow", allow);
		reply_error(r, 405, "method_not_allowed",
			    "This address does not accept that kind of request.", NULL);
		return;
	}
	r->is_page = route_is_navigation(r);

	/* A session is looked up for every route that may use one. */
	if (r->route->access == ROUTE_SESSION || r->route->kind == ROUTE_PAGE) {
		rc = session_load(r);
		if (rc == LV_EFORBIDDEN) {
			reply_error(r, 403, "employee_refused",
				    "Your account is not active in the store. If you think this is "
				    "wrong, contact your HR department.", NULL);
			return;
		}
	}
	session_pick_language(r);
	if (route_policy_scope(r) != LV_OK)
		return;

	if (r->route->access == ROUTE_SESSION && r->user == NULL) {
		if (r->is_page && (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0))
			route_to_login(r);
		else
			reply_error(r, 401, "unauthenticated",
				    "You are not signed in, or your session has ended. Sign in again.",
				    NULL);
		return;
	}
	if (!route_roles_admit(r->route, r->user ? r->user->roles : 0)) {
		reply_error(r, 403, "forbidden",
			    "Your role does not allow this. Ask your administrator if you need access.",
			    NULL);
		return;
	}
	if (r->route->csrf && route_has_form(r) && req_form_need(r) != LV_OK)
		return; /* 413 or 400, already answered */
	if (r->route->csrf && route_has_upload(r)) {
		if (r->route->csrf != ROUTE_UPLOAD) {
			reply_error(r, 415, "upload_not_accepted",
				    "This address does not accept files.", NULL);
			return;
		}
		if (req_upload_need(r) != LV_OK)
			return; /* 413, 415 or 400, already answered */
	}
	if (r->route->csrf && !route_csrf_ok(r)) {
		reply_error(r, 403, "csrf_invalid",
			    "This form has expired or did not come from the store. Go back, reload the page and try again.",
			    NULL);
		return;
	}
	rc = r->route->handler(r);
	if (rc != LV_OK && r->status == 0)
		reply_err_code(r, rc);
}
