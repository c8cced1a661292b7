/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * policy_day.c - dates as day numbers (days since 1970-01-01) in the
 * proleptic Gregorian calendar: conversion to and from year, month and
 * day, "YYYY-MM-DD" text, and the period boundaries limits need (the next
 * month, the next year, hire anniversaries including 29 February).
 */
#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "policy_int.h"

int pol_leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int pol_month_days(int64_t y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && pol_leap_year(y))
		return 29;
	return days[(m - 1) % 12];
}

/*
 * Counts in eras of 400 years (146097 days) starting on 1 March, so that
 * the leap day is the last day of a shifted year.
 */
int64_t pol_day_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void pol_day_to_civil(int64_t day, int64_t *y, int *m, int *d)
{
	int64_t z = day + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int64_t pol_day_next_month(int64_t day)
{
	int64_t y;
	int m, d;

	pol_day_to_civil(day, &y, &m, &d);
	if (m == 12)
		return pol_day_from_civil(y + 1, 1, 1);
	return pol_day_from_civil(y, m + 1, 1);
}

int64_t pol_day_next_year(int64_t day)
{
	int64_t y;
	int m, d;

	pol_day_to_civil(day, &y, &m, &d);
	return pol_day_from_civil(y + 1, 1, 1);
}

int64_t pol_day_anniversary(int64_t hire, int64_t y)
{
	int64_t hy;
	int m, d;

	pol_day_to_civil(hire, &hy, &m, &d);
	if (m == 2 && d == 29 && !pol_leap_year(y))
		d = 28;
	return pol_day_from_civil(y, m, d);
}

void policy_day_civil(int64_t day, int64_t *year, int *month, int *mday)
{
	pol_day_to_civil(day, year, month, mday);
}

void policy_day_format(int64_t day, char out[11])
{
	int64_t y;
	int m, d;

	pol_day_to_civil(day, &y, &m, &d);
	if (y < 0 || y > 9999) {
		lv_strlcpy(out, "0000-00-00", 11);
		return;
	}
	lv_snprintf(out, 11, "%04d-%02d-%02d", (int)y, m, d);
}

int policy_day_parse(const char *s, int64_t *day)
{
	int64_t y, m, d;
	int rc = LV_EINVAL;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		goto out;
	if (s[0] < '0' || s[0] > '9' || s[5] < '0' || s[5] > '9' || s[8] < '0' || s[8] > '9')
		goto out;
	if (lv_parse_i64n(s, 4, 0, 9999, &y) != LV_OK ||
	    lv_parse_i64n(s + 5, 2, 1, 12, &m) != LV_OK ||
	    lv_parse_i64n(s + 8, 2, 1, 31, &d) != LV_OK)
		goto out;
	if (d > pol_month_days(y, (int)m))
		goto out;
	*day = pol_day_from_civil(y, (int)m, (int)d);
	rc = LV_OK;
out:
	return rc;
}
