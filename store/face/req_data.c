/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * req_data.c - formatting domain values for the request (see req_data.h).
 */
#include "req_data.h"

#include <civetweb.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_mem.h"

static const char *const month_names[12] = {
	N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
	N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
	N_("December"),
};

json_t *req_money(const struct req *r, json_int_t minor)
{
	char buf[64];

	if (catalog_price_format(minor, r->app->cfg.currency, r->lang, buf, sizeof(buf)) != LV_OK)
		buf[0] = '\0';
	return json_string(buf);
}

json_t *req_amount(const struct req *r, const char *unit, json_int_t amount, json_int_t value)
{
	int points = unit && strcmp(unit, "points") == 0;

	return json_pack("{s:o,s:b,s:I}", "money", req_money(r, points ? value : amount),
			 "is_points", points, "points", amount);
}

json_t *req_date(const struct req *r, int64_t at, int with_time)
{
	struct tm tm;
	time_t t = (time_t)at;
	char buf[96];

	if (at <= 0 || localtime_r(&t, &tm) == NULL)
		return json_string("");
	if (with_time)
		lv_snprintf(buf, sizeof(buf), "%d %s %d, %02d:%02d", tm.tm_mday,
			    req_tr(r, month_names[tm.tm_mon]), tm.tm_year + 1900, tm.tm_hour,
			    tm.tm_min);
	else
		lv_snprintf(buf, sizeof(buf), "%d %s %d", tm.tm_mday,
			    req_tr(r, month_names[tm.tm_mon]), tm.tm_year + 1900);
	return json_string(buf);
}

void req_actor(const struct req *r, struct audit_actor *out)
{
	const char *name = req_jstr(r->user->profile, "name");

	out->employee = r->user->employee;
	out->label = *name ? name : req_jstr(r->user->profile, "email");
	if (*out->label == '\0')
		out->label = "employee";
	out->address = r->ri ? r->ri->remote_addr : NULL;
}

const char *req_jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}
