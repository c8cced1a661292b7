/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench_policy.c - how long policy_view_product_visible() takes per
 * product on the catalog page's fast path (no decision), with 20 policies
 * that all apply to the employee against 10,000 synthetic products, and
 * with the empty set for comparison. Also times building the view, which
 * happens once per request.
 *
 * usage: bench_policy [ROUNDS]
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "policy.h"

#define NPRODUCTS 10000
#define NPOLICIES 20
#define NCATS 12
#define NTAGS 40

static char slugs[NPRODUCTS][16];
static char cats[NCATS][16];
static char tagnames[NTAGS][16];
static const char *ptags[NPRODUCTS][3];
static struct policy_product products[NPRODUCTS];

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void make_products(void)
{
	size_t i;

	for (i = 0; i < NCATS; i++)
		lv_snprintf(cats[i], sizeof(cats[i]), "cat-%zu", i);
	for (i = 0; i < NTAGS; i++)
		lv_snprintf(tagnames[i], sizeof(tagnames[i]), "tag-%zu", i);
	for (i = 0; i < NPRODUCTS; i++) {
		lv_snprintf(slugs[i], sizeof(slugs[i]), "product-%zu", i);
		ptags[i][0] = tagnames[i % NTAGS];
		ptags[i][1] = tagnames[(i * 7 + 3) % NTAGS];
		ptags[i][2] = tagnames[(i * 13 + 5) % NTAGS];
		products[i].slug = slugs[i];
		products[i].category = cats[i % NCATS];
		products[i].tags = ptags[i];
		products[i].ntags = 1 + i % 3;
		products[i].restricted = i % 17 == 0;
	}
}

/* 20 policies for everyone, each allowing and denying a few things and with rules. */
static struct policy_set *make_policies(void)
{
	static char texts[NPOLICIES][1024];
	struct policy_source src[NPOLICIES];
	struct policy_errors e;
	struct policy_set *set = NULL;
	size_t i;

	for (i = 0; i < NPOLICIES; i++) {
		lv_snprintf(texts[i], sizeof(texts[i]),
			    "{\"name\": \"p%zu\", \"audience\": {\"any\": [{\"department\": [\"Bench\"]}, "
			    "{\"groups\": [\"staff\"]}]}, \"visibility\": {\"allow\": {\"categories\": "
			    "[\"cat-%zu\", \"cat-%zu\"], \"tags\": [\"tag-%zu\", \"tag-%zu\"], \"products\": "
			    "[\"product-%zu\"]}, \"deny\": {\"tags\": [\"tag-%zu\"], \"products\": "
			    "[\"product-%zu\", \"product-%zu\"]}}, \"dress_code\": [{\"category\": "
			    "\"cat-%zu\", \"colours\": [\"Navy\"]}], \"limits\": [{\"tag\": \"tag-%zu\", "
			    "\"max\": 5, \"per\": \"year\"}], \"price\": [{\"tag\": \"tag-%zu\", "
			    "\"company_pays_percent\": 50}]}",
			    i, i % NCATS, (i + 5) % NCATS, i, i + 20, i * 97, (i * 3 + 1) % NTAGS, i * 31,
			    i * 53, i % NCATS, i, i + 1);
		src[i].origin = "bench";
		src[i].text = texts[i];
		src[i].len = strlen(texts[i]);
	}
	policy_errors_init(&e);
	if (policy_set_load(src, NPOLICIES, &set, &e) != LV_OK)
		fprintf(stderr, "bench_policy: %s %s\n", e.n ? e.v[0].path : "",
			e.n ? e.v[0].message : "");
	policy_errors_cleanup(&e);
	return set;
}

static void run(const char *label, struct policy_set *set, int64_t rounds)
{
	static const char *const groups[] = { "staff" };
	struct policy_subject s = { "B1", "Bench", NULL, NULL, NULL, "full_time", groups, 1,
				    19000, 20000 };
	struct policy_view *v = NULL;
	double t0, build, check;
	size_t i, visible = 0;
	int64_t r;

	t0 = now_ns();
	for (r = 0; r < rounds; r++) {
		policy_view_new(set, &s, &v);
		policy_view_free(v);
	}
	build = (now_ns() - t0) / (double)rounds;
	policy_view_new(set, &s, &v);
	t0 = now_ns();
	for (r = 0; r < rounds; r++)
		for (i = 0; i < NPRODUCTS; i++)
			visible += (size_t)policy_view_product_visible(v, &products[i], NULL);
	check = (now_ns() - t0) / ((double)rounds * NPRODUCTS);
	printf("%-14s %zu of %zu policies apply, %zu of %d products visible: "
	       "%.1f ns per product, view built in %.1f us\n",
	       label, policy_view_count(v), policy_set_count(set), visible / (size_t)rounds,
	       NPRODUCTS, check, build / 1000);
	policy_view_free(v);
}

int main(int argc, char **argv)
{
	struct policy_set *set, *empty;
	int64_t rounds = 50;

	if (argc > 2 || (argc == 2 && lv_parse_i64(argv[1], 1, 100000, &rounds) != LV_OK)) {
		fprintf(stderr, "usage: bench_policy [ROUNDS]\n");
		return 2;
	}
	make_products();
	set = make_policies();
	if (set == NULL)
		return 1;
	empty = policy_set_empty();
	run("policies off:", empty, rounds);
	run("policies on:", set, rounds);
	policy_set_unref(empty);
	policy_set_unref(set);
	return 0;
}
