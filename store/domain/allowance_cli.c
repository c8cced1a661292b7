/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * allowance_cli.c - the `livery allowance ...` commands (see
 * allowance_cli.h): argument parsing, amounts typed by HR, and the lines
 * printed. The rules themselves live in allowance.c (and, for closing a
 * period, allowance_admin.c).
 */
#include "allowance_cli.h"

#include <jansson.h>
#include <string.h>
#include <time.h>

#include "allowance.h"
#include "allowance_admin.h"
#include "catalog.h"
#include "lv_err.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "lv_time.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

void allowance_cli_usage(FILE *f)
{
	fprintf(f, "  livery allowance programme-create --config FILE PROGRAMME.json\n"
		   "  livery allowance programmes --config FILE\n"
		   "  livery allowance balance --config FILE EMPLOYEE_ID\n"
		   "  livery allowance adjust --config FILE EMPLOYEE_ID PROGRAMME AMOUNT "
		   "--reason TEXT\n"
		   "  livery allowance close --config FILE PROGRAMME PERIOD\n");
}

static int cli_usage_fail(const char *usage)
{
	fprintf(stderr, "livery: usage: livery allowance %s\n", usage);
	return EXIT_USAGE;
}

/* The date of local time t as YYYY-MM-DD. */
static void cli_date(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm l;

	localtime_r(&tt, &l);
	if (strftime(out, len, "%Y-%m-%d", &l) == 0)
		lv_strlcpy(out, "?", len);
}

/* amount in unit ("money": minor units of currency; "points") as text. */
static void cli_amount(int64_t amount, const char *unit, const char *currency, char *out,
		       size_t len)
{
	if (strcmp(unit, "points") == 0)
		lv_snprintf(out, len, "%lld points", (long long)amount);
	else if (catalog_price_format(amount, currency, "en", out, len) != LV_OK)
		lv_snprintf(out, len, "%lld (minor units)", (long long)amount);
}

/*
 * Parses HR's signed amount: major units for money ("-12.50", "+5", "30"),
 * whole points. OUT: *out. Returns LV_OK or LV_EINVAL with msg.
 */
static int cli_amount_parse(const char *s, const char *unit, const char *currency,
			    int64_t *out, char *msg, size_t msglen)
{
	int64_t v = 0;
	int rc;

	if (strcmp(unit, "points") == 0) {
		rc = lv_parse_i64(s, -INT64_C(1000000000000), INT64_C(1000000000000), &v);
		if (rc != LV_OK)
			lv_snprintf(msg, msglen, "\"%.40s\" is not a whole number of points", s);
	} else if ((s[0] == '-' || s[0] == '+') && (s[1] == '-' || s[1] == '+')) {
		lv_snprintf(msg, msglen, "\"%.40s\" is not an amount", s);
		rc = LV_EINVAL;
	} else {
		rc = catalog_price_parse(s + (s[0] == '-' || s[0] == '+'), currency, &v, msg,
					 msglen);
		if (s[0] == '-')
			v = -v;
	}
	if (rc == LV_OK && v == 0) {
		lv_snprintf(msg, msglen, "the amount must not be zero");
		rc = LV_EINVAL;
	}
	if (rc == LV_OK)
		*out = v;
	return rc;
}

/* The employees.id of HR's employee id. LV_OK or LV_ENOTFOUND. */
static int cli_employee_find(struct lv_db *db, const char *hr_id, int64_t *id)
{
	return lv_db_lookup_id(db, "SELECT id FROM employees WHERE employee_id = ?1", hr_id, id);
}

int allowance_cli_programme_create(struct lv_db *db, const char *currency, int argc,
				   char **argv)
{
	struct audit_actor who = { 0, "cli", NULL };
	json_error_t jerr;
	json_t *def = NULL, *errors = json_object(), *v;
	const char *field;
	int64_t id = 0;
	int rc = EXIT_FAILED;

	(void)currency;
	if (argc != 1) {
		rc = cli_usage_fail("programme-create --config FILE PROGRAMME.json");
		goto out;
	}
	def = json_load_file(argv[0], JSON_REJECT_DUPLICATES, &jerr);
	if (def == NULL) {
		fprintf(stderr, "livery: %s:%d: %s\n", argv[0], jerr.line, jerr.text);
		goto out;
	}
	/* the console's checks (every field in error), created and audited at once */
	switch (allowance_admin_create(db, def, &who, errors, &id)) {
	case LV_OK:
		break;
	case LV_EINVAL:
	case LV_ECONFLICT:
		json_object_foreach(errors, field, v)
			fprintf(stderr, "livery: %s: %s: %s\n", argv[0], field, json_string_value(v));
		fprintf(stderr, "livery: %s: nothing was created\n", argv[0]);
		goto out;
	case LV_EUNAVAIL:
		fprintf(stderr, "livery: %s: the store is busy; nothing was created. Try again\n",
			argv[0]);
		goto out;
	default:
		fprintf(stderr, "livery: %s: the programme could not be created\n", argv[0]);
		goto out;
	}
	printf("programme %s created (id %lld)\n",
	       json_string_value(json_object_get(def, "slug")), (long long)id);
	rc = 0;
out:
	json_decref(errors);
	json_decref(def);
	return rc;
}

int allowance_cli_programmes(struct lv_db *db, const char *currency, int argc, char **argv)
{
	json_t *list = NULL, *o;
	char amount[64];
	size_t i;
	int rc = EXIT_FAILED;

	(void)argv;
	if (argc != 0) {
		rc = cli_usage_fail("programmes --config FILE");
		goto out;
	}
	if (allowance_programme_list(db, &list) != LV_OK) {
		fprintf(stderr, "livery: the programmes could not be read\n");
		goto out;
	}
	json_array_foreach(list, i, o) {
		cli_amount(json_integer_value(json_object_get(o, "amount")),
			   json_string_value(json_object_get(o, "unit")), currency, amount,
			   sizeof(amount));
		printf("%lld\t%s\t%s\t%s %s (%s)\toverage %s\t%s\n",
		       (long long)json_integer_value(json_object_get(o, "position")),
		       json_string_value(json_object_get(o, "slug")), amount,
		       json_string_value(json_object_get(o, "period")),
		       json_string_value(json_object_get(o, "reset")),
		       json_is_true(json_object_get(o, "prorate")) ? "prorated" : "not prorated",
		       json_string_value(json_object_get(o, "overage")),
		       json_is_true(json_object_get(o, "active")) ? "active" : "retired");
	}
	if (json_array_size(list) == 0)
		printf("no allowance programmes\n");
	rc = 0;
out:
	json_decref(list);
	return rc;
}

int allowance_cli_balance(struct lv_db *db, const char *currency, int argc, char **argv)
{
	json_t *list = NULL, *o, *next;
	char amount[64], date[16];
	int64_t id;
	size_t i;
	int rc = EXIT_FAILED;

	if (argc != 1) {
		rc = cli_usage_fail("balance --config FILE EMPLOYEE_ID");
		goto out;
	}
	if (cli_employee_find(db, argv[0], &id) != LV_OK) {
		fprintf(stderr, "livery: no employee with id \"%s\"\n", argv[0]);
		goto out;
	}
	if (allowance_balances(db, id, lv_now(), &list) != LV_OK) {
		fprintf(stderr, "livery: the balances of %s could not be read\n", argv[0]);
		goto out;
	}
	json_array_foreach(list, i, o) {
		cli_amount(json_integer_value(json_object_get(o, "balance")),
			   json_string_value(json_object_get(o, "unit")), currency, amount,
			   sizeof(amount));
		next = json_object_get(o, "next_reset");
		if (json_is_integer(next))
			cli_date(json_integer_value(next), date, sizeof(date));
		else
			lv_strlcpy(date, "never", sizeof(date));
		printf("%s\t%s\tnext reset %s\n", json_string_value(json_object_get(o, "programme")),
		       amount, date);
	}
	if (json_array_size(list) == 0)
		printf("%s has no allowance programme\n", argv[0]);
	rc = 0;
out:
	json_decref(list);
	return rc;
}

int allowance_cli_adjust(struct lv_db *db, const char *currency, int argc, char **argv)
{
	static const char usage[] = "adjust --config FILE EMPLOYEE_ID PROGRAMME AMOUNT "
				    "--reason TEXT";
	struct allowance_actor who = { 0, "cli" };
	const char *pos[3], *reason = NULL, *unit = "money";
	json_t *list = NULL, *o;
	int64_t emp, prog = 0, amount, balance;
	char msg[256], shown[64];
	size_t i;
	int k, npos = 0, rc = EXIT_FAILED, lrc;

	for (k = 0; k < argc; k++) {
		if (strcmp(argv[k], "--reason") == 0 && k + 1 < argc)
			reason = argv[++k];
		else if (strncmp(argv[k], "--reason=", 9) == 0)
			reason = argv[k] + 9;
		else if (strncmp(argv[k], "--", 2) == 0 || npos == 3)
			goto usage;
		else
			pos[npos++] = argv[k];
	}
	if (npos != 3 || reason == NULL)
		goto usage;
	if (strspn(reason, " \t\r\n") == strlen(reason)) {
		fprintf(stderr, "livery: an adjustment needs a reason (--reason TEXT)\n");
		goto out;
	}
	if (cli_employee_find(db, pos[0], &emp) != LV_OK) {
		fprintf(stderr, "livery: no employee with id \"%s\"\n", pos[0]);
		goto out;
	}
	if (allowance_programme_list(db, &list) != LV_OK)
		goto failed;
	json_array_foreach(list, i, o)
		if (strcmp(json_string_value(json_object_get(o, "slug")), pos[1]) == 0) {
			prog = json_integer_value(json_object_get(o, "id"));
			unit = json_string_value(json_object_get(o, "unit"));
		}
	if (prog == 0) {
		fprintf(stderr, "livery: no allowance programme \"%s\"\n", pos[1]);
		goto out;
	}
	if (cli_amount_parse(pos[2], unit, currency, &amount, msg, sizeof(msg)) != LV_OK) {
		fprintf(stderr, "livery: %s\n", msg);
		goto out;
	}
	lrc = allowance_adjust(db, emp, prog, amount, reason, &who, lv_now());
	if (lrc == LV_ECONFLICT) {
		fprintf(stderr, "livery: refused: the balance of %s in %s would go below zero\n",
			pos[0], pos[1]);
		goto out;
	}
	if (lrc == LV_ENOTFOUND) {
		fprintf(stderr, "livery: %s has no current period in %s (no hire date?)\n",
			pos[0], pos[1]);
		goto out;
	}
	if (lrc != LV_OK || allowance_balance_get(db, emp, prog, lv_now(), &balance) != LV_OK)
		goto failed;
	cli_amount(balance, unit, currency, shown, sizeof(shown));
	printf("%s %s: adjusted by %s; balance now %s\n", pos[0], pos[1], pos[2], shown);
	rc = 0;
	goto out;
usage:
	rc = cli_usage_fail(usage);
	goto out;
failed:
	fprintf(stderr, "livery: the adjustment could not be made (see the log)\n");
out:
	json_decref(list);
	return rc;
}

int allowance_cli_close(struct lv_db *db, const char *currency, int argc, char **argv)
{
	struct audit_actor who = { 0, "cli", NULL };
	json_t *res = NULL;
	char msg[512], expired[64], rolled[64];
	int rc = EXIT_FAILED, lrc;

	if (argc != 2 || argv[0][0] == '-' || argv[1][0] == '-') {
		rc = cli_usage_fail("close --config FILE PROGRAMME PERIOD");
		goto out;
	}
	lrc = allowance_admin_close(db, argv[0], argv[1], &who, lv_now(), &res, msg, sizeof(msg));
	if (lrc != LV_OK) {
		fprintf(stderr, "livery: %s\n", msg[0] ? msg : "the period could not be closed (see the log)");
		goto out;
	}
	cli_amount(json_integer_value(json_object_get(res, "expired")),
		   json_string_value(json_object_get(res, "unit")) ?
		   json_string_value(json_object_get(res, "unit")) : "money", currency, expired,
		   sizeof(expired));
	cli_amount(json_integer_value(json_object_get(res, "rolled_over")),
		   json_string_value(json_object_get(res, "unit")) ?
		   json_string_value(json_object_get(res, "unit")) : "money", currency, rolled,
		   sizeof(rolled));
	printf("%s %s closed: %lld balances, %s expired, %s rolled over (%lld ledger entries "
	       "written)\n", argv[0], json_string_value(json_object_get(res, "period")),
	       (long long)json_integer_value(json_object_get(res, "employees")), expired, rolled,
	       (long long)json_integer_value(json_object_get(res, "entries")));
	rc = 0;
out:
	json_decref(res);
	return rc;
}

int allowance_cli_main(struct lv_db *db, const char *currency, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(struct lv_db *, const char *, int, char **);
	} cmds[] = {
		{ "programme-create", allowance_cli_programme_create },
		{ "programmes", allowance_cli_programmes },
		{ "balance", allowance_cli_balance },
		{ "adjust", allowance_cli_adjust },
		{ "close", allowance_cli_close },
	};
	size_t i;

	for (i = 0; argc > 0 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[0], cmds[i].name) == 0)
			return cmds[i].run(db, currency, argc - 1, argv + 1);
	fprintf(stderr, "livery: unknown allowance command%s%s; the commands are:\n",
		argc > 0 ? " " : "", argc > 0 ? argv[0] : "");
	allowance_cli_usage(stderr);
	return EXIT_USAGE;
}
