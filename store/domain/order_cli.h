/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * order_cli.h - the `livery export ...` commands: the payroll deductions of
 * a month and the fulfilment list of orders in a status, as CSV (the
 * format is order_export_payroll / order_export_orders in order.h).
 *
 * The command line (store/cli.c) takes --config out of the arguments and
 * hands the rest to order_cli_export_parse, which refuses a bad command
 * line (exit status 2) before anything is opened; it then opens and
 * migrates the database and calls order_cli_export_run. The CSV goes to
 * stdout, or to --output FILE written atomically (temporary file, fsync,
 * rename), so a reader never sees half a file.
 */
#ifndef LV_ORDER_CLI_H
#define LV_ORDER_CLI_H

#include <stdio.h>

#include "lv_db.h"

/* What `livery export` was asked for. Strings point into argv. */
struct order_cli_export {
	int payroll;        /* 1: payroll, 0: orders */
	const char *period; /* payroll: YYYY-MM */
	const char *status; /* orders: a status (default placed) */
	const char *output; /* NULL: stdout */
};

/* The usage lines of the export commands, for `livery --help`. */
void order_cli_usage(FILE *f);

/*
 * Parses `export SUBCOMMAND OPTIONS...` (argv[0] the subcommand, --config
 * already removed) into *opts. Returns 0, or 2 after one line on stderr
 * that says what is wrong.
 */
int order_cli_export_parse(int argc, char **argv, struct order_cli_export *opts);

/*
 * Writes the export to opts->output or stdout. currency is [store]
 * currency. Returns the exit status: 0 written, 1 failed (one line on
 * stderr; an --output file is then left as it was).
 */
int order_cli_export_run(struct lv_db *db, const char *currency,
			 const struct order_cli_export *opts);

#endif
