/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_allowance_period.c - allowance periods and proration as pure
 * functions, in Europe/Paris: the last second of a period (23:59:59 on its
 * last day) belongs to it and the next second (00:00:00) to the next one,
 * for monthly, quarterly, yearly and anniversary resets, across DST
 * changes; 29 February hires; proration's round-half-up.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "allowance.h"
#include "lv_err.h"
#include "lv_fixture.h"
#include "lv_test.h"

/* The key of rule's period at t, or "" when there is none. */
static const char *key_at(enum allowance_period_kind k, enum allowance_reset r,
			  const char *hire, int64_t t)
{
	static struct allowance_period per;
	struct allowance_rule rule = { k, r };

	if (allowance_period_at(&rule, hire, t, &per) != LV_OK)
		return "";
	return per.key;
}

/* The old period at 23:59:59 of day (y, m, d), the new one at 00:00:00 next. */
static void boundary(enum allowance_period_kind k, enum allowance_reset r, const char *hire,
		     int y, int m, int d, const char *old_key, const char *new_key)
{
	struct allowance_rule rule = { k, r };
	struct allowance_period a, b;
	int64_t last = fixture_lt(y, m, d, 23, 59, 59);

	CHECK_INT(allowance_period_at(&rule, hire, last, &a), LV_OK);
	CHECK_INT(allowance_period_at(&rule, hire, last + 1, &b), LV_OK);
	CHECK_STR(a.key, old_key);
	CHECK_STR(b.key, new_key);
	CHECK_INT(a.end, last + 1);
	CHECK_INT(b.start, last + 1);
	CHECK(a.start < a.end);
	CHECK(b.end > b.start);
}

static void test_calendar(void)
{
	struct allowance_rule rule = { ALLOWANCE_MONTHLY, ALLOWANCE_RESET_CALENDAR };
	struct allowance_period per;

	boundary(ALLOWANCE_MONTHLY, ALLOWANCE_RESET_CALENDAR, NULL, 2026, 11, 30, "2026-11",
		 "2026-12");
	boundary(ALLOWANCE_MONTHLY, ALLOWANCE_RESET_CALENDAR, NULL, 2026, 12, 31, "2026-12",
		 "2027-01");
	boundary(ALLOWANCE_MONTHLY, ALLOWANCE_RESET_CALENDAR, NULL, 2028, 2, 29, "2028-02",
		 "2028-03");
	boundary(ALLOWANCE_QUARTERLY, ALLOWANCE_RESET_CALENDAR, NULL, 2026, 12, 31, "2026-Q4",
		 "2027-Q1");
	boundary(ALLOWANCE_QUARTERLY, ALLOWANCE_RESET_CALENDAR, NULL, 2026, 3, 31, "2026-Q1",
		 "2026-Q2");
	boundary(ALLOWANCE_QUARTERLY, ALLOWANCE_RESET_CALENDAR, NULL, 2026, 9, 30, "2026-Q3",
		 "2026-Q4");
	boundary(ALLOWANCE_YEARLY, ALLOWANCE_RESET_CALENDAR, NULL, 2026, 12, 31, "2026", "2027");
	/* the middle of a quarter is not a boundary */
	CHECK_STR(key_at(ALLOWANCE_QUARTERLY, ALLOWANCE_RESET_CALENDAR, NULL,
			 fixture_lt(2026, 5, 1, 0, 0, 0)), "2026-Q2");
	/* March 2026 in Paris has the spring DST change (29th): 31 days less an hour */
	CHECK_INT(allowance_period_at(&rule, NULL, fixture_lt(2026, 3, 29, 3, 30, 0), &per), LV_OK);
	CHECK_STR(per.key, "2026-03");
	CHECK_INT(per.end - per.start, 31 * 86400 - 3600);
	boundary(ALLOWANCE_MONTHLY, ALLOWANCE_RESET_CALENDAR, NULL, 2026, 3, 31, "2026-03",
		 "2026-04");
	/* October has the autumn change (25th): an hour more */
	CHECK_INT(allowance_period_at(&rule, NULL, fixture_lt(2026, 10, 25, 2, 30, 0), &per), LV_OK);
	CHECK_INT(per.end - per.start, 31 * 86400 + 3600);
	boundary(ALLOWANCE_MONTHLY, ALLOWANCE_RESET_CALENDAR, NULL, 2026, 10, 31, "2026-10",
		 "2026-11");
	/* the calendar ignores the hire date */
	CHECK_STR(key_at(ALLOWANCE_MONTHLY, ALLOWANCE_RESET_CALENDAR, "2030-01-01",
			 fixture_lt(2026, 5, 1, 0, 0, 0)), "2026-05");
}

static void test_once(void)
{
	struct allowance_rule rule = { ALLOWANCE_ONCE, ALLOWANCE_RESET_CALENDAR };
	struct allowance_period per;

	CHECK_INT(allowance_period_at(&rule, NULL, fixture_lt(2026, 5, 1, 0, 0, 0), &per), LV_OK);
	CHECK_STR(per.key, "once");
	CHECK_INT(per.end, 0);
}

static void test_anniversary(void)
{
	struct allowance_rule rule = { ALLOWANCE_YEARLY, ALLOWANCE_RESET_ANNIVERSARY };
	struct allowance_period per;

	boundary(ALLOWANCE_YEARLY, ALLOWANCE_RESET_ANNIVERSARY, "2020-03-14", 2026, 3, 13,
		 "2025-03-14", "2026-03-14");
	/* a hire on the spring DST day (30 March 2025 in Paris) */
	boundary(ALLOWANCE_YEARLY, ALLOWANCE_RESET_ANNIVERSARY, "2025-03-30", 2026, 3, 29,
		 "2025-03-30", "2026-03-30");
	/* 29 February: renews on 28 February in common years */
	boundary(ALLOWANCE_YEARLY, ALLOWANCE_RESET_ANNIVERSARY, "2024-02-29", 2025, 2, 27,
		 "2024-02-29", "2025-02-28");
	boundary(ALLOWANCE_YEARLY, ALLOWANCE_RESET_ANNIVERSARY, "2024-02-29", 2028, 2, 28,
		 "2027-02-28", "2028-02-29");
	CHECK_STR(key_at(ALLOWANCE_YEARLY, ALLOWANCE_RESET_ANNIVERSARY, "2024-02-29",
			 fixture_lt(2027, 2, 28, 0, 0, 0)), "2027-02-28");
	/* monthly on the 31st: the month's last day when it is shorter */
	boundary(ALLOWANCE_MONTHLY, ALLOWANCE_RESET_ANNIVERSARY, "2026-01-31", 2026, 2, 27,
		 "2026-01-31", "2026-02-28");
	boundary(ALLOWANCE_MONTHLY, ALLOWANCE_RESET_ANNIVERSARY, "2026-01-31", 2026, 3, 30,
		 "2026-02-28", "2026-03-31");
	boundary(ALLOWANCE_QUARTERLY, ALLOWANCE_RESET_ANNIVERSARY, "2026-11-15", 2027, 2, 14,
		 "2026-11-15", "2027-02-15");
	/* the first second of employment starts the first period */
	CHECK_STR(key_at(ALLOWANCE_YEARLY, ALLOWANCE_RESET_ANNIVERSARY, "2026-03-14",
			 fixture_lt(2026, 3, 14, 0, 0, 0)), "2026-03-14");
	/* before the hire, without a hire date, or with a broken one: no period */
	CHECK_INT(allowance_period_at(&rule, "2026-03-14", fixture_lt(2026, 3, 13, 23, 59, 59), &per),
		  LV_ENOTFOUND);
	CHECK_INT(allowance_period_at(&rule, NULL, fixture_lt(2026, 3, 13, 0, 0, 0), &per),
		  LV_ENOTFOUND);
	CHECK_INT(allowance_period_at(&rule, "2026-02-30", fixture_lt(2026, 3, 13, 0, 0, 0), &per),
		  LV_EINVAL);
	CHECK_INT(allowance_period_at(&rule, "2026-2-3", fixture_lt(2026, 3, 13, 0, 0, 0), &per),
		  LV_EINVAL);
	CHECK_INT(allowance_period_at(&rule, "2026-+2-03", fixture_lt(2026, 3, 13, 0, 0, 0), &per),
		  LV_EINVAL);
}

static void test_prorate(void)
{
	CHECK_INT(allowance_prorate(1000, 1, 3), 333);   /* 333.33 */
	CHECK_INT(allowance_prorate(1000, 2, 3), 667);   /* 666.67 */
	CHECK_INT(allowance_prorate(1, 1, 2), 1);        /* 0.5 rounds up */
	CHECK_INT(allowance_prorate(3, 1, 2), 2);        /* 1.5 rounds up */
	CHECK_INT(allowance_prorate(5, 3, 31), 0);       /* 0.48 */
	CHECK_INT(allowance_prorate(10000, 3, 31), 968); /* 967.74 */
	CHECK_INT(allowance_prorate(10000, 20, 28), 7143); /* 7142.86 */
	CHECK_INT(allowance_prorate(30000, 365, 365), 30000);
	CHECK_INT(allowance_prorate(30000, 0, 365), 0);
}

int main(void)
{
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	LV_RUN(test_calendar);
	LV_RUN(test_once);
	LV_RUN(test_anniversary);
	LV_RUN(test_prorate);
	return lv_test_done();
}
