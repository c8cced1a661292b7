/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * console.c - the console's frame and home page (see console.h): which
 * areas each role opens, the navigation between them, and /admin, which
 * greets the user with the areas they may use and what waits in them.
 */
#include "console.h"

#include <string.h>

#include "app.h"
#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_mem.h"

/* The areas, in the order the navigation shows them, and who opens each. */
static const struct console_section {
	const char *id;
	const char *name;
	const char *summary;
	const char *url;
	unsigned roles;
} console_sections_table[] = {
	{ "people", N_("People"), N_("Employees, their status, balances and orders; import from HR's file."),
	  "/admin/people", LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR },
	{ "allowances", N_("Allowances"), N_("Programmes, adjustments and period closes."),
	  "/admin/allowances", LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR },
	{ "policies", N_("Policies"), N_("Restricted catalogs, dress codes, kits and limits."),
	  "/admin/policies", LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR },
	{ "catalog", N_("Catalog"), N_("Products, variants, prices, stock and pictures."),
	  "/admin/catalog", LV_ROLE_STORE_ADMIN | LV_ROLE_AUDITOR },
	{ "orders", N_("Orders"), N_("Approve, pick, ship and deliver; cancellations and returns."),
	  "/admin/orders", LV_ROLE_STORE_ADMIN | LV_ROLE_AUDITOR },
	{ "approvals", N_("Approvals"), N_("Orders over an allowance that wait for a decision."),
	  "/approvals", LV_ROLE_APPROVER },
	{ "reports", N_("Reports"), N_("Spend, allowance use, top products and orders by state."),
	  "/admin/reports", LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR },
	{ "audit", N_("Audit log"), N_("Every change made by anyone: who, when, from where, what."),
	  "/admin/audit", LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR },
};
#define CONSOLE_SECTIONS (sizeof(console_sections_table) / sizeof(console_sections_table[0]))

json_t *console_sections(const struct req *r, const char *current)
{
	json_t *out = json_array();
	size_t i;

	for (i = 0; i < CONSOLE_SECTIONS; i++) {
		const struct console_section *s = &console_sections_table[i];

		if (r->user == NULL || (r->user->roles & s->roles) == 0)
			continue;
		json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s,s:b}", "id", s->id,
						     "name", req_tr(r, s->name), "summary",
						     req_tr(r, s->summary), "url", s->url, "current",
						     current && strcmp(current, s->id) == 0));
	}
	return out;
}

int console_page(struct req *r, int status, const char *page, const char *title,
		 const char *section, json_t *data)
{
	json_t *d = data ? data : json_object();

	json_object_set_new(d, "console", json_pack("{s:o,s:s}", "sections",
						    console_sections(r, section), "section",
						    section ? section : ""));
	return reply_page(r, status, page, title, d);
}

/* GET /admin: the areas the user may open, each with what it is for. */
static int console_home_get(struct req *r)
{
	const char *roles[4];
	json_t *names = json_array();
	size_t i, n = 0;

	if (r->user->roles & LV_ROLE_HR_ADMIN)
		roles[n++] = N_("HR administrator");
	if (r->user->roles & LV_ROLE_STORE_ADMIN)
		roles[n++] = N_("Store administrator");
	if (r->user->roles & LV_ROLE_APPROVER)
		roles[n++] = N_("Approver");
	if (r->user->roles & LV_ROLE_AUDITOR)
		roles[n++] = N_("Auditor");
	for (i = 0; i < n; i++)
		json_array_append_new(names, json_string(req_tr(r, roles[i])));
	return console_page(r, 200, "console_home", req_tr(r, "Console"), NULL,
			    json_pack("{s:o,s:b}", "roles", names, "read_only",
				      (r->user->roles & ~(unsigned)LV_ROLE_AUDITOR) == 0));
}

/* clang-format off */
const struct route console_routes[] = {
	/* method  pattern    kind        access         roles             csrf handler            name */
	{ "GET",  "/admin",   ROUTE_PAGE, ROUTE_SESSION, LV_ROLES_CONSOLE, 0,   console_home_get, "console" },
};
/* clang-format on */
const size_t console_routes_n = sizeof(console_routes) / sizeof(console_routes[0]);
