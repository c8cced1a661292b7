/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * console.h - the HR and admin console: the pages HR, store admins,
 * approvers and auditors work in, under /admin, behind the same sign-in.
 *
 * Each area of the console (people, allowances, policies, catalog,
 * orders, reports, audit) lives in its own file, face/console_<area>.c,
 * with its handlers and its route table, console_<area>_routes[], which
 * routes.c lists in route_groups[]; the dispatcher applies the same rules
 * to them as to every route (session, roles, CSRF, Origin). The roles:
 *   - hr_admin: people, allowances, policies, reports, audit;
 *   - store_admin: catalog, orders;
 *   - approver: approvals;
 *   - auditor: every page and download of every area, and no change at
 *     all: the dispatcher never lets the auditor's bit pass a state-
 *     changing route (routes.c route_roles_admit), so a GET route lists
 *     LV_ROLE_AUDITOR and a POST route cannot be opened to it by mistake.
 * Every admin action is also in the JSON API (/api/v1/admin/...), with
 * the same roles, documented in docs/openapi.yaml.
 *
 * Conventions every console page follows (docs/console.md):
 *   - console_page() renders a page inside the console's frame (the
 *     section navigation for the user's roles), with the page's data under
 *     "page" as every page;
 *   - forms are validated on the server; a refused form is shown again,
 *     status 400 (422 for a well-formed request the rules refuse), with
 *     page.values (what was typed) and page.errors {field: sentence}, each
 *     shown next to its field, and page.error for the form as a whole;
 *   - a change succeeds with 303 to the page that shows it, with
 *     ?done=<what> so the page says what happened;
 *   - downloads use reply_download() (http.h).
 */
#ifndef LV_CONSOLE_H
#define LV_CONSOLE_H

#include <jansson.h>
#include <stddef.h>

#include "routes.h"

/* The console's own routes: its home page (console.c). */
extern const struct route console_routes[];
extern const size_t console_routes_n;

/* The areas' route tables (face/console_<area>.c). */
extern const struct route console_people_routes[];
extern const size_t console_people_routes_n;
extern const struct route console_allowances_routes[];
extern const size_t console_allowances_routes_n;
extern const struct route console_policies_routes[];
extern const size_t console_policies_routes_n;
extern const struct route console_orders_routes[];
extern const size_t console_orders_routes_n;
extern const struct route console_reports_routes[];
extern const size_t console_reports_routes_n;
extern const struct route console_audit_routes[];
extern const size_t console_audit_routes_n;
extern const struct route console_catalog_routes[];
extern const size_t console_catalog_routes_n;

/*
 * Renders template page (a theme template that uses the console partial
 * "console_nav") with data (stolen) under "page", and "console":
 * {sections: [{id, name, url, current}], section} for the user's roles;
 * section is the current area's id ("people", "catalog"…). Returns LV_OK.
 */
int console_page(struct req *r, int status, const char *page, const char *title,
		 const char *section, json_t *data);

/*
 * OUT: the sections the user's roles open, as console_page gives them
 * (new JSON array). For the console home and the header's link.
 */
json_t *console_sections(const struct req *r, const char *current);

#endif
