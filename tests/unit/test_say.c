/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_say.c - the employee's sentences built from policy decisions
 * (store/domain/say.c): the placeholder filler against hostile templates,
 * dates, and every kind of refusal in English and in French (the French
 * catalog compiled from po/fr.po by the build), with decisions made by the
 * real engine from small policies, so the numbers in the sentences are the
 * engine's.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "policy.h"
#include "say.h"

static const char *const tags_ub[] = { "uniform", "branch" };
static const struct policy_product shirt = { "oxford-shirt-white", "uniforms", tags_ub, 2, 0 };
static const struct policy_variant white = { "S-1", "M", "White", "Regular", 3000, "" };
static struct lv_i18n_catalog *fr;

static int64_t day(const char *s)
{
	int64_t d = -1;

	CHECK_INT(policy_day_parse(s, &d), LV_OK);
	return d;
}

/* A view of one policy (JSON body without name/title) for an employee. */
static struct policy_view *view(const char *body, const char *today, const char *hire,
				const char *employment)
{
	char text[2048];
	struct policy_source src = { "t", text, 0 };
	struct policy_subject s = { "E1", "D", NULL, NULL, NULL, employment, NULL, 0, -1, 0 };
	struct policy_errors e;
	struct policy_set *set = NULL;
	struct policy_view *v = NULL;
	size_t i;

	lv_snprintf(text, sizeof(text), "{\"name\": \"p\", \"title\": \"Branch staff\", %s}", body);
	src.len = strlen(text);
	policy_errors_init(&e);
	if (policy_set_load(&src, 1, &set, &e) != LV_OK)
		for (i = 0; i < e.n; i++)
			fprintf(stderr, "load: %s %s\n", e.v[i].path, e.v[i].message);
	CHECK(set != NULL);
	policy_errors_cleanup(&e);
	s.today = day(today);
	s.hire_day = hire ? day(hire) : -1;
	policy_view_new(set, &s, &v);
	policy_set_unref(set);
	return v;
}

/* The decision for ordering qty shirts with the past given (n lines of 1 on the days). */
static void order_decide(const struct policy_view *v, int64_t qty, const char *const *days,
			 size_t n, struct policy_decision *d)
{
	struct policy_past_line past[8];
	struct policy_line line = { &shirt, &white, qty };
	size_t i;

	for (i = 0; i < n; i++)
		past[i] = (struct policy_past_line){ shirt.slug, shirt.category, tags_ub, 2, 1,
						     day(days[i]) };
	memset(d, 0, sizeof(*d));
	policy_view_order_check(v, &line, 1, past, n, d);
}

static void say_both(const struct policy_decision *d, const char *en, const char *french)
{
	char out[512];

	say_policy_refusal(d, NULL, out, sizeof(out));
	CHECK_STR(out, en);
	if (fr) {
		say_policy_refusal(d, fr, out, sizeof(out));
		CHECK_STR(out, french);
	}
}

static void test_fill(void)
{
	const char *names[] = { "a", "bb" }, *values[] = { "1", "two" };
	char out[32];

	say_fill("x{a}y{bb}z", names, values, 2, out, sizeof(out));
	CHECK_STR(out, "x1ytwoz");
	/* unknown names, stray and unclosed braces, printf conversions stay text */
	say_fill("{c} {a {} %s%n {a}", names, values, 2, out, sizeof(out));
	CHECK_STR(out, "{c} {a {} %s%n 1");
	say_fill("{bb}{bb}{bb}{bb}{bb}{bb}{bb}{bb}{bb}{bb}{bb}{bb}", names, values, 2, out, 8);
	CHECK_STR(out, "twotwot");
	say_fill("{a}", names, values, 2, out, 1);
	CHECK_STR(out, "");
	say_fill("", names, values, 2, out, sizeof(out));
	CHECK_STR(out, "");
}

static void test_dates(void)
{
	char out[64];

	say_day(NULL, day("2027-03-14"), out, sizeof(out));
	CHECK_STR(out, "14 March 2027");
	say_day(NULL, day("2028-02-29"), out, sizeof(out));
	CHECK_STR(out, "29 February 2028");
	say_date_parts(NULL, 2026, 11, 31, out, sizeof(out));
	CHECK_STR(out, "31 December 2026");
	if (fr) {
		say_day(fr, day("2027-08-01"), out, sizeof(out));
		CHECK_STR(out, "1 août 2027");
	}
}

static void test_limit_year(void)
{
	static const char *const five[] = { "2026-01-10", "2026-02-10", "2026-03-10", "2026-04-10",
					    "2026-05-10" };
	struct policy_view *v = view("\"limits\": [{\"tag\": \"uniform\", \"max\": 5, \"per\": "
				     "\"year\", \"label\": \"shirts\"}]", "2026-11-28", NULL, NULL);
	struct policy_decision d;

	order_decide(v, 1, five, 5, &d);
	CHECK_INT(d.code, POLICY_LIMIT);
	say_both(&d, "You have ordered 5 of 5 shirts allowed per year; the next one becomes "
		     "available on 1 January 2027.",
		 "Limite de 5 shirts par an\u00a0: vous en avez déjà commandé 5\u00a0; vous "
		 "pourrez en commander de nouveau à partir du 1 janvier 2027.");
	/* more than the limit in one order: no day helps */
	order_decide(v, 6, NULL, 0, &d);
	CHECK_INT(d.code, POLICY_LIMIT);
	say_both(&d, "You may order at most 5 shirts per year; this order has 6.",
		 "Limite de 5 shirts par an\u00a0: cette commande en compte 6.");
	policy_view_free(v);
}

static void test_limit_unlabelled(void)
{
	struct policy_view *v;
	struct policy_decision d;

	v = view("\"limits\": [{\"product\": \"oxford-shirt-white\", \"max\": 2, \"per\": "
		 "\"order\"}]", "2026-11-28", NULL, NULL);
	order_decide(v, 3, NULL, 0, &d);
	CHECK_INT(d.code, POLICY_LIMIT);
	CHECK_STR(d.target_kind, "product");
	say_both(&d, "You may order at most 2 items “oxford-shirt-white” per order; this order has 3.",
		 "Limite de 2 articles «\u00a0oxford-shirt-white\u00a0» par commande\u00a0: cette "
		 "commande en compte 3.");
	policy_view_free(v);

	v = view("\"limits\": [{\"category\": \"uniforms\", \"max\": 1, \"per\": \"hire_year\"}]",
		 "2026-11-28", NULL, NULL);
	{
		static const char *const one[] = { "2026-06-01" };

		order_decide(v, 1, one, 1, &d);
	}
	CHECK_INT(d.code, POLICY_LIMIT);
	CHECK(d.hire_unknown);
	say_both(&d, "You have ordered 1 of 1 items from the uniforms category allowed per year of "
		     "service; the next one becomes available on 1 January 2027. Your hire date is "
		     "not on record, so the calendar year counts.",
		 "Limite de 1 articles de la catégorie uniforms par année d’ancienneté\u00a0: vous "
		 "en avez déjà commandé 1\u00a0; vous pourrez en commander de nouveau à partir du "
		 "1 janvier 2027. Votre date d’embauche n’est pas enregistrée\u00a0: l’année civile "
		 "est donc prise en compte.");
	policy_view_free(v);
}

static void test_eligibility(void)
{
	struct policy_view *v;
	struct policy_decision d;
	const char *elig = "\"eligibility\": [{\"tag\": \"uniform\", \"min_days\": 90}, "
			   "{\"category\": \"uniforms\", \"employment_types\": [\"full_time\", "
			   "\"part_time\"]}]";

	v = view(elig, "2026-11-28", "2026-10-01", "full_time");
	CHECK_INT(policy_view_variant_allowed(v, &shirt, &white, &d), 0);
	CHECK_INT(d.code, POLICY_NOT_ELIGIBLE);
	CHECK_INT(d.days, 90);
	say_both(&d, "This item becomes available to you on 30 December 2026, after 90 days of "
		     "service.",
		 "Cet article vous sera accessible le 30 décembre 2026, après 90 jours "
		 "d’ancienneté.");
	policy_view_free(v);

	v = view(elig, "2026-11-28", NULL, "full_time");
	CHECK_INT(policy_view_variant_allowed(v, &shirt, &white, &d), 0);
	say_both(&d, "This item needs 90 days of service, and your hire date is not on record: ask "
		     "HR to add it.",
		 "Cet article demande 90 jours d’ancienneté, et votre date d’embauche n’est pas "
		 "enregistrée\u00a0: demandez aux RH de l’ajouter.");
	policy_view_free(v);

	v = view(elig, "2026-11-28", "2020-01-01", "contractor");
	CHECK_INT(policy_view_variant_allowed(v, &shirt, &white, &d), 0);
	say_both(&d, "This item is only for employees whose employment type is full_time, part_time.",
		 "Cet article est réservé aux collaborateurs dont le type de contrat est "
		 "full_time, part_time.");
	policy_view_free(v);
}

static void test_dress_code(void)
{
	struct policy_view *v;
	struct policy_decision d;

	v = view("\"dress_code\": [{\"category\": \"uniforms\", \"colours\": [\"Navy\", \"Black\"], "
		 "\"fits\": [\"Slim\"]}]", "2026-11-28", NULL, NULL);
	CHECK_INT(policy_view_variant_allowed(v, &shirt, &white, &d), 0);
	CHECK_INT(d.code, POLICY_NOT_APPROVED);
	say_both(&d, "Your dress code approves this item only in colour Navy, Black; fit Slim.",
		 "Votre code vestimentaire n’autorise cet article qu’en couleur Navy, Black\u00a0; "
		 "coupe Slim.");
	policy_view_free(v);

	/* logo options are named like the other lists */
	v = view("\"dress_code\": [{\"category\": \"uniforms\", \"logos\": [\"Embroidered\"]}]",
		 "2026-11-28", NULL, NULL);
	{
		struct policy_variant printed = white;

		printed.logo = "Printed";
		CHECK_INT(policy_view_variant_allowed(v, &shirt, &printed, &d), 0);
	}
	say_both(&d, "Your dress code approves this item only in logo Embroidered.",
		 "Votre code vestimentaire n’autorise cet article qu’en marquage Embroidered.");
	policy_view_free(v);

	/* HR's own note is said as HR wrote it */
	v = view("\"dress_code\": [{\"category\": \"uniforms\", \"colours\": [\"Navy\"], \"note\": "
		 "\"Branch staff wear Navy.\"}]", "2026-11-28", NULL, NULL);
	CHECK_INT(policy_view_variant_allowed(v, &shirt, &white, &d), 0);
	say_both(&d, "Branch staff wear Navy.", "Branch staff wear Navy.");
	policy_view_free(v);
}

static void test_hidden(void)
{
	struct policy_view *v = view("\"visibility\": {\"deny\": {\"categories\": [\"uniforms\"]}}",
				     "2026-11-28", NULL, NULL);
	struct policy_decision d;

	CHECK_INT(policy_view_variant_allowed(v, &shirt, &white, &d), 0);
	CHECK_INT(d.code, POLICY_HIDDEN);
	say_both(&d, "This item is not in the store.", "Cet article n’est pas dans la boutique.");
	policy_view_free(v);
}

int main(void)
{
	const char *build = getenv("LV_BUILD_DIR");
	char path[1024], msg[256];
	struct stat st;

	if (build) {
		lv_snprintf(path, sizeof(path), "%s/locale/fr/LC_MESSAGES/livery.mo", build);
		if (stat(path, &st) == 0)
			CHECK_INT(lv_i18n_catalog_load(path, &fr, msg, sizeof(msg)), LV_OK);
		else
			fprintf(stderr, "%s is missing (msgfmt not installed?): French not checked\n",
				path);
	} else {
		fprintf(stderr, "LV_BUILD_DIR not set (run through ctest): French not checked\n");
	}
	LV_RUN(test_fill);
	LV_RUN(test_dates);
	LV_RUN(test_limit_year);
	LV_RUN(test_limit_unlabelled);
	LV_RUN(test_eligibility);
	LV_RUN(test_dress_code);
	LV_RUN(test_hidden);
	lv_i18n_catalog_free(fr);
	return lv_test_done();
}
