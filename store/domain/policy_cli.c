/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * policy_cli.c - the `livery policy ...` commands (see policy_cli.h):
 * reading policy files, printing validation errors one per line, the
 * import report, and `explain`, which asks the engine the same questions
 * the storefront and the checkout ask and prints each answer with the
 * rules that made it.
 */
#include "policy_cli.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "catalog.h"
#include "lv_buf.h"
#include "lv_err.h"
#include "lv_mem.h"
#include "lv_time.h"
#include "policy_store.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

/* How far back explain reads orders: the longest window (a year) and a margin. */
#define PAST_WINDOW_SECONDS (400 * 86400)

void policy_cli_usage(FILE *f)
{
	fprintf(f, "  livery policy check FILE...\n"
		   "  livery policy import --config FILE POLICY.json...\n"
		   "  livery policy export --config FILE DIR\n"
		   "  livery policy list --config FILE\n"
		   "  livery policy explain --config FILE --employee ID --product SKU|SLUG\n");
}

static int cli_usage_fail(const char *usage)
{
	fprintf(stderr, "livery: usage: livery policy %s\n", usage);
	return EXIT_USAGE;
}

/* Prints every error as "ORIGIN: $.path: message (hint: ...)". */
static void cli_errors_print(const struct policy_errors *e)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		const struct policy_error *x = &e->v[i];

		fprintf(stderr, "%s: %s: %s", x->origin, x->path[0] ? x->path : "$", x->message);
		if (x->hint[0])
			fprintf(stderr, " (hint: %s)", x->hint);
		fputc('\n', stderr);
	}
}

/*
 * Reads the files into src (origin = the file name). OUT: src[0..n),
 * texts in bufs (caller cleans up both). Returns 0, or EXIT_USAGE after a
 * line saying which file could not be read.
 */
static int cli_files_read(int n, char **files, struct policy_source *src, struct lv_buf *bufs)
{
	char chunk[8192];
	size_t got;
	FILE *f;
	int i, rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		lv_buf_init(&bufs[i], POLICY_STORE_MAX_TEXT + 1);
		f = fopen(files[i], "rb");
		if (f == NULL) {
			fprintf(stderr, "livery: %s: %s\n", files[i], strerror(errno));
			rc = EXIT_USAGE;
			break;
		}
		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
			if (lv_buf_append(&bufs[i], chunk, got) != LV_OK) {
				fprintf(stderr, "livery: %s: larger than %d bytes\n", files[i],
					POLICY_STORE_MAX_TEXT);
				rc = EXIT_USAGE;
				break;
			}
		if (rc == 0 && ferror(f)) {
			fprintf(stderr, "livery: %s: could not be read\n", files[i]);
			rc = EXIT_USAGE;
		}
		fclose(f);
		src[i].origin = files[i];
		src[i].text = lv_buf_str(&bufs[i]);
		src[i].len = bufs[i].len;
	}
	return rc;
}

static void cli_bufs_free(struct lv_buf *bufs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		lv_buf_cleanup(&bufs[i]);
	lv_free(bufs);
}

int policy_cli_check(int argc, char **argv)
{
	struct policy_source *src = lv_calloc((size_t)argc + 1, sizeof(*src));
	struct lv_buf *bufs = lv_calloc((size_t)argc + 1, sizeof(*bufs));
	struct policy_set *set = NULL;
	struct policy_errors errs;
	int rc;

	policy_errors_init(&errs);
	if (argc < 1) {
		rc = cli_usage_fail("check FILE...");
		goto out;
	}
	rc = cli_files_read(argc, argv, src, bufs);
	if (rc != 0)
		goto out;
	if (policy_set_load(src, (size_t)argc, &set, &errs) != LV_OK) {
		cli_errors_print(&errs);
		fprintf(stderr, "livery: %zu error%s\n", errs.n, errs.n == 1 ? "" : "s");
		rc = EXIT_FAILED;
		goto out;
	}
	printf("%zu polic%s OK\n", policy_set_count(set),
	       policy_set_count(set) == 1 ? "y" : "ies");
out:
	policy_set_unref(set);
	policy_errors_cleanup(&errs);
	cli_bufs_free(bufs, argc);
	lv_free(src);
	return rc;
}

/* ------------------------------------------------------------ import */

static int cli_import(struct lv_db *db, int argc, char **argv)
{
	struct policy_source *src = lv_calloc((size_t)argc + 1, sizeof(*src));
	struct lv_buf *bufs = lv_calloc((size_t)argc + 1, sizeof(*bufs));
	struct audit_actor who = { 0, "cli", NULL };
	struct policy_errors errs;
	json_t *report = NULL, *o;
	size_t i, counts[3] = { 0, 0, 0 };
	int rc;

	policy_errors_init(&errs);
	rc = cli_files_read(argc, argv, src, bufs);
	if (rc != 0)
		goto out;
	rc = policy_store_import(db, &who, src, (size_t)argc, &report, &errs);
	if (rc != LV_OK) {
		cli_errors_print(&errs);
		if (rc == LV_EINVAL)
			fprintf(stderr, "livery: nothing was imported (%zu error%s)\n", errs.n,
				errs.n == 1 ? "" : "s");
		else
			fprintf(stderr, "livery: nothing was imported (%s)\n", lv_err_name(rc));
		rc = EXIT_FAILED;
		goto out;
	}
	json_array_foreach(report, i, o) {
		const char *ch = json_string_value(json_object_get(o, "change"));

		printf("%s: %s %s (version %lld)\n", json_string_value(json_object_get(o, "origin")),
		       ch, json_string_value(json_object_get(o, "name")),
		       (long long)json_integer_value(json_object_get(o, "version")));
		counts[strcmp(ch, "created") == 0 ? 0 : strcmp(ch, "updated") == 0 ? 1 : 2]++;
	}
	printf("%zu created, %zu updated, %zu unchanged\n", counts[0], counts[1], counts[2]);
	rc = 0;
out:
	json_decref(report);
	policy_errors_cleanup(&errs);
	cli_bufs_free(bufs, argc);
	lv_free(src);
	return rc;
}

/* ------------------------------------------------------- export, list */

static int cli_export(struct lv_db *db, const char *dir)
{
	struct stat st;
	char msg[512] = "";
	size_t n = 0;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "livery: %s: no such folder\n", dir);
		return EXIT_FAILED;
	}
	if (policy_store_export(db, dir, &n, msg, sizeof(msg)) != LV_OK) {
		fprintf(stderr, "livery: %s\n", msg[0] ? msg : "the policies could not be read");
		return EXIT_FAILED;
	}
	printf("exported %zu polic%s to %s\n", n, n == 1 ? "y" : "ies", dir);
	return 0;
}

/* The local date and time of t as "2026-03-14 09:30". */
static void cli_when(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm l;

	localtime_r(&tt, &l);
	if (strftime(out, len, "%Y-%m-%d %H:%M", &l) == 0)
		lv_strlcpy(out, "?", len);
}

static int cli_list(struct lv_db *db)
{
	json_t *list = NULL, *o;
	char when[32];
	size_t i;

	if (policy_store_list(db, &list) != LV_OK) {
		fprintf(stderr, "livery: the policies could not be read\n");
		return EXIT_FAILED;
	}
	json_array_foreach(list, i, o) {
		cli_when(json_integer_value(json_object_get(o, "updated_at")), when, sizeof(when));
		printf("%s\tversion %lld\t%s by %s\t%s\n",
		       json_string_value(json_object_get(o, "name")),
		       (long long)json_integer_value(json_object_get(o, "version")), when,
		       json_string_value(json_object_get(json_object_get(o, "updated_by"), "label")),
		       json_string_value(json_object_get(o, "title")));
	}
	if (json_array_size(list) == 0)
		printf("no policies\n");
	json_decref(list);
	return 0;
}

/* ----------------------------------------------------------- explain */

static const char *cli_code_words(enum policy_code c)
{
	switch (c) {
	case POLICY_OK:
		return "yes";
	case POLICY_HIDDEN:
		return "no: hidden";
	case POLICY_NOT_APPROVED:
		return "no: not approved by the dress code";
	case POLICY_NOT_ELIGIBLE:
		return "no: not eligible";
	case POLICY_LIMIT:
		return "no: over a limit";
	}
	return "?";
}

static void cli_reasons_print(const struct policy_decision *d, const char *indent)
{
	size_t i;

	for (i = 0; i < d->nreasons && i < POLICY_MAX_REASONS; i++)
		printf("%s- %s %s: %s\n", indent, d->reasons[i].policy, d->reasons[i].rule,
		       d->reasons[i].text);
	if (d->nreasons == 0)
		printf("%s(no rule: the default)\n", indent);
}

static void cli_money(int64_t minor, const char *currency, char *out, size_t len)
{
	if (catalog_price_format(minor, currency, "en", out, len) != LV_OK)
		lv_snprintf(out, len, "%lld (minor units)", (long long)minor);
}

static void cli_subject_print(const char *hr_id, const struct policy_subject *s)
{
	char day[11];
	size_t i;

	printf("employee %s: department %s, cost centre %s, site %s, job title %s, "
	       "employment %s, groups [", hr_id, s->department ? s->department : "(none)",
	       s->cost_center ? s->cost_center : "(none)", s->site ? s->site : "(none)",
	       s->job_title ? s->job_title : "(none)",
	       s->employment_type ? s->employment_type : "(none)");
	for (i = 0; i < s->ngroups; i++)
		printf("%s%s", i ? ", " : "", s->groups[i]);
	printf("], hired ");
	if (s->hire_day >= 0) {
		policy_day_format(s->hire_day, day);
		printf("%s", day);
	} else {
		printf("(unknown)");
	}
	policy_day_format(s->today, day);
	printf(", today %s\n", day);
}

/* One variant's decisions: allowed, one more in an order, the price. */
static void cli_variant_explain(const struct policy_view *v, const struct policy_product_data *pd,
				const struct policy_variant *x, const struct policy_past *past,
				const char *currency)
{
	struct policy_decision d;
	struct policy_price price;
	struct policy_line line;
	char a[64], b[64], day[11];

	printf("variant %s (size %s, colour %s, fit %s%s%s):\n", x->sku, x->size[0] ? x->size : "-",
	       x->colour[0] ? x->colour : "-", x->fit[0] ? x->fit : "-",
	       x->logo && x->logo[0] ? ", logo " : "", x->logo && x->logo[0] ? x->logo : "");
	memset(&d, 0, sizeof(d));
	policy_view_variant_allowed(v, &pd->p, x, &d);
	printf("  may be ordered (visible, eligible, approved): %s\n", cli_code_words(d.code));
	if (d.code == POLICY_NOT_ELIGIBLE && d.next_day >= 0) {
		policy_day_format(d.next_day, day);
		printf("  eligible from %s\n", day);
	}
	cli_reasons_print(&d, "    ");

	memset(&d, 0, sizeof(d));
	line.product = &pd->p;
	line.variant = x;
	line.quantity = 1;
	policy_view_order_check(v, &line, 1, past->lines, past->n, &d);
	printf("  one more in an order today: %s\n", cli_code_words(d.code));
	if (d.limit > 0) {
		printf("  limit: %lld of %lld %s used per %s", (long long)d.used,
		       (long long)d.limit, d.what[0] ? d.what : "items", d.per);
		if (d.next_day >= 0) {
			policy_day_format(d.next_day, day);
			printf("; next one on %s", day);
		}
		printf("\n");
	}
	cli_reasons_print(&d, "    ");

	memset(&d, 0, sizeof(d));
	memset(&price, 0, sizeof(price));
	policy_view_price(v, &pd->p, x, &price, &d);
	cli_money(x->price, currency, a, sizeof(a));
	cli_money(price.unit_price, currency, b, sizeof(b));
	printf("  price: list %s, the employee's price %s, allowances may pay %d%%\n", a, b,
	       price.company_percent);
	cli_reasons_print(&d, "    ");
}

static int cli_explain(struct lv_db *db, const char *currency, const char *hr_id,
		       const char *key)
{
	struct policy_subject_data sd;
	struct policy_product_data pd;
	struct policy_past past;
	struct policy_errors errs;
	struct policy_set *set = NULL;
	struct policy_view *view = NULL;
	struct policy_decision d;
	int64_t emp = 0, now = lv_now();
	size_t i;
	int rc = EXIT_FAILED;

	memset(&sd, 0, sizeof(sd));
	memset(&pd, 0, sizeof(pd));
	memset(&past, 0, sizeof(past));
	policy_errors_init(&errs);
	if (lv_db_lookup_id(db, "SELECT id FROM employees WHERE employee_id = ?1", hr_id, &emp) !=
	    LV_OK) {
		fprintf(stderr, "livery: no employee has the employee id %s\n", hr_id);
		goto out;
	}
	if (policy_product_load(db, key, &pd) != LV_OK) {
		fprintf(stderr, "livery: no product has the SKU or slug %s\n", key);
		goto out;
	}
	if (policy_subject_load(db, emp, now, &sd) != LV_OK ||
	    policy_past_load(db, emp, now - PAST_WINDOW_SECONDS, &past) != LV_OK) {
		fprintf(stderr, "livery: the employee's data could not be read\n");
		goto out;
	}
	if (policy_store_load_set(db, &set, &errs) != LV_OK) {
		cli_errors_print(&errs);
		fprintf(stderr, "livery: the stored policies do not load\n");
		goto out;
	}
	policy_view_new(set, &sd.s, &view);
	cli_subject_print(hr_id, &sd.s);
	printf("policies that apply (%zu of %zu):", policy_view_count(view),
	       policy_set_count(set));
	for (i = 0; i < policy_view_count(view); i++)
		printf(" %s", policy_view_name(view, i));
	printf("%s\n", policy_view_count(view) ? "" : " none");

	printf("product %s \"%s\" (category %s; tags [", pd.p.slug, pd.name, pd.p.category);
	for (i = 0; i < pd.p.ntags; i++)
		printf("%s%s", i ? ", " : "", pd.p.tags[i]);
	printf("]%s%s)\n", pd.p.restricted ? "; restricted" : "",
	       pd.active ? "" : "; not active in the catalog");
	memset(&d, 0, sizeof(d));
	policy_view_product_visible(view, &pd.p, &d);
	printf("  visible: %s\n", cli_code_words(d.code));
	cli_reasons_print(&d, "    ");
	for (i = 0; i < pd.nvariants; i++)
		if (pd.selected < 0 || (size_t)pd.selected == i)
			cli_variant_explain(view, &pd, &pd.variants[i], &past, currency);
	if (pd.nvariants == 0)
		printf("the product has no variants to order\n");
	rc = 0;
out:
	policy_view_free(view);
	policy_set_unref(set);
	policy_errors_cleanup(&errs);
	policy_past_cleanup(&past);
	policy_product_data_cleanup(&pd);
	policy_subject_data_cleanup(&sd);
	return rc;
}

/* explain's options. OUT: *employee, *product (borrowed). 0 or EXIT_USAGE. */
static int cli_explain_args(int argc, char **argv, const char **employee, const char **product)
{
	int k;

	*employee = *product = NULL;
	for (k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--employee") == 0 && k + 1 < argc)
			*employee = argv[++k];
		else if (strcmp(argv[k], "--product") == 0 && k + 1 < argc)
			*product = argv[++k];
		else
			return cli_usage_fail("explain --config FILE --employee ID --product SKU|SLUG");
	}
	if (*employee == NULL || *product == NULL)
		return cli_usage_fail("explain --config FILE --employee ID --product SKU|SLUG");
	return 0;
}

int policy_cli_args_check(int argc, char **argv)
{
	const char *e, *p;

	if (argc < 1) {
		fprintf(stderr, "livery: policy needs a subcommand: check, import, export, list, "
				"explain (see livery --help)\n");
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "import") == 0)
		return argc >= 2 ? 0 : cli_usage_fail("import --config FILE POLICY.json...");
	if (strcmp(argv[0], "export") == 0)
		return argc == 2 ? 0 : cli_usage_fail("export --config FILE DIR");
	if (strcmp(argv[0], "list") == 0)
		return argc == 1 ? 0 : cli_usage_fail("list --config FILE");
	if (strcmp(argv[0], "explain") == 0)
		return cli_explain_args(argc, argv, &e, &p);
	fprintf(stderr, "livery: unknown policy command \"%s\" (see livery --help)\n", argv[0]);
	return EXIT_USAGE;
}

int policy_cli_run(struct lv_db *db, const char *currency, int argc, char **argv)
{
	const char *e = NULL, *p = NULL;

	if (policy_cli_args_check(argc, argv) != 0)
		return EXIT_USAGE;
	if (strcmp(argv[0], "import") == 0)
		return cli_import(db, argc - 1, argv + 1);
	if (strcmp(argv[0], "export") == 0)
		return cli_export(db, argv[1]);
	if (strcmp(argv[0], "list") == 0)
		return cli_list(db);
	cli_explain_args(argc, argv, &e, &p);
	return cli_explain(db, currency, e, p);
}
