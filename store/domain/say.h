/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * say.h - sentences for an employee in their own language, built from
 * domain data that carries no language: a date ("14 March 2027",
 * "14 mars 2027") and the refusal of a catalog policy ("You have ordered
 * 5 of 5 shirts allowed per year; the next one becomes available on
 * 14 March 2027.").
 *
 * The engine in catalog-policies/ speaks English in its reasons (for
 * `livery policy explain` and the logs); what an employee reads is built
 * here from the decision's numbers and names, with the message catalog
 * the request chose. Messages carry named placeholders ({used}, {date})
 * rather than printf conversions, so a translation can reorder them and
 * a bad translation cannot crash the server: a placeholder a translation
 * does not know is left as it is.
 *
 * HR's own words in a policy (a dress-code note, a limit's label) are
 * shown as HR wrote them.
 */
#ifndef LV_SAY_H
#define LV_SAY_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

struct lv_i18n_catalog;

/*
 * Replaces each {name} in tmpl whose name is one of the n pairs
 * (names[i] -> values[i]) into out (len bytes, always terminated; a
 * too-long result is cut). Other braces are copied as they are.
 */
void say_fill(const char *tmpl, const char *const *names, const char *const *values, size_t n,
	      char *out, size_t len);

/* "14 March 2027" in cat's language (NULL: English); month is 0..11. */
void say_date_parts(const struct lv_i18n_catalog *cat, int year, int month, int mday, char *out,
		    size_t len);

/* The same for a day number (days since 1970-01-01). */
void say_day(const struct lv_i18n_catalog *cat, int64_t day, char *out, size_t len);

/*
 * The sentence that tells the employee why d refuses an item (d->code is
 * not POLICY_OK; POLICY_HIDDEN reads like an item that does not exist),
 * in cat's language (NULL: English), into out (len bytes).
 */
void say_policy_refusal(const struct policy_decision *d, const struct lv_i18n_catalog *cat,
			char *out, size_t len);

#endif
