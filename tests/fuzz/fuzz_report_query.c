/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_report_query.c - libFuzzer target for the query strings of the
 * console's reports and audit log (report_params_parse, audit_query_parse):
 * the input is parsed as a query string the way the server parses one,
 * then given to every report's parser and to the audit log's. An accepted
 * query must hold only what the parsers promise (a range from before to,
 * at most ten years long, dates written back as YYYY-MM-DD, a limit in
 * bounds, names of the allowed characters); a refused one must name the
 * parameter and say why. Nothing touches a database.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit_read.h"
#include "lv_err.h"
#include "lv_http_parse.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *get(void *arg, const char *key)
{
	return lv_kvlist_get(arg, key);
}

static int date_shape(const char *s)
{
	size_t i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

static void check_report(struct lv_kvlist *q, enum report_kind kind)
{
	struct report_params p;
	const char *field = NULL, *why = NULL;
	int rc = report_params_parse(kind, get, q, 1780000000, &p, &field, &why);

	if (rc != LV_OK) {
		if (rc != LV_EINVAL || field == NULL || why == NULL || strlen(why) < 10)
			abort();
		return;
	}
	if (field != NULL || why != NULL || p.limit < 1 || p.limit > REPORT_TOP_MAX ||
	    strspn(p.programme, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(p.programme))
		abort();
	if (kind != REPORT_UTILISATION &&
	    (p.to <= p.from || p.to - p.from > (int64_t)REPORT_SPAN_YEARS_MAX * 366 * 86400 + 7200 ||
	     !date_shape(p.from_s) || !date_shape(p.to_s) || strcmp(p.from_s, p.to_s) > 0))
		abort();
}

static void check_audit(struct lv_kvlist *q)
{
	struct audit_query a;
	const char *field = NULL, *why = NULL;
	int rc = audit_query_parse(get, q, &a, &field, &why);

	if (rc != LV_OK) {
		if (rc != LV_EINVAL || field == NULL || why == NULL)
			abort();
		return;
	}
	if (a.limit < 1 || a.limit > AUDIT_PAGE_MAX || a.before < 0 ||
	    (a.from && a.to && a.to <= a.from) ||
	    strspn(a.action, "abcdefghijklmnopqrstuvwxyz0123456789._-") != strlen(a.action) ||
	    strspn(a.entity, "abcdefghijklmnopqrstuvwxyz0123456789._-") != strlen(a.entity))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int tz;
	struct lv_kvlist q;
	char msg[128];

	if (!tz) {
		setenv("TZ", "Europe/Paris", 1);
		tz = 1;
	}
	lv_kvlist_init(&q);
	if (lv_form_parse((const char *)data, size, 64, &q, msg, sizeof(msg)) == LV_OK) {
		check_report(&q, REPORT_SPEND);
		check_report(&q, REPORT_UTILISATION);
		check_report(&q, REPORT_PRODUCTS);
		check_report(&q, REPORT_ORDERS);
		check_audit(&q);
	}
	lv_kvlist_cleanup(&q);
	return 0;
}
