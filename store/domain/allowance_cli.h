/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * allowance_cli.h - the `livery allowance ...` commands, for HR until the
 * HR console exists: create and list programmes, show an employee's
 * balances, adjust a balance with a reason.
 *
 * The command line (store/cli.c) opens and migrates the database, takes
 * --config out of the arguments, and hands the rest here. Each command
 * prints its result on stdout, or one clear line "livery: ..." on stderr,
 * and returns an exit status: 0 done, 1 refused or failed, 2 usage error.
 */
#ifndef LV_ALLOWANCE_CLI_H
#define LV_ALLOWANCE_CLI_H

#include <stdio.h>

#include "lv_db.h"

/* The usage lines of the allowance commands, for `livery --help`. */
void allowance_cli_usage(FILE *f);

/*
 * Runs `allowance SUBCOMMAND ARGS...`: argv[0] is the subcommand
 * (programme-create, programmes, balance, adjust, close), --config already
 * removed. currency is the store's ISO 4217 code ([store] currency).
 */
int allowance_cli_main(struct lv_db *db, const char *currency, int argc, char **argv);

/* livery allowance programme-create FILE.json */
int allowance_cli_programme_create(struct lv_db *db, const char *currency, int argc,
				   char **argv);
/* livery allowance programmes */
int allowance_cli_programmes(struct lv_db *db, const char *currency, int argc, char **argv);
/* livery allowance balance EMPLOYEE_ID (HR's employee id, e.g. E1001) */
int allowance_cli_balance(struct lv_db *db, const char *currency, int argc, char **argv);
/*
 * livery allowance adjust EMPLOYEE_ID PROGRAMME_SLUG AMOUNT --reason TEXT
 * AMOUNT is signed: major units for money ("-12.50"), whole points.
 */
int allowance_cli_adjust(struct lv_db *db, const char *currency, int argc, char **argv);
/*
 * livery allowance close PROGRAMME PERIOD: closes an ended period of a
 * calendar programme ("2026", "2026-Q4", "2026-11") once; a second run is
 * refused with when and by whom it was closed (allowance_admin_close).
 */
int allowance_cli_close(struct lv_db *db, const char *currency, int argc, char **argv);

#endif
