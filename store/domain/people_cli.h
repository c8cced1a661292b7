/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * people_cli.h - the `livery people ...` commands: import HR's employee
 * file (the same import as the console's, people_admin.h) and change an
 * employee's status with a reason.
 *
 * The command line (store/cli.c) takes --config out of the arguments,
 * checks them here before anything is opened, opens and migrates the
 * database and hands the rest here. Each command prints its result on
 * stdout, or what went wrong on stderr (every bad line of a file, one a
 * line), and returns an exit status: 0 done, 1 refused or failed, 2 usage
 * error.
 */
#ifndef LV_PEOPLE_CLI_H
#define LV_PEOPLE_CLI_H

#include <stdio.h>

#include "lv_db.h"

/* The usage lines of the people commands, for `livery --help`. */
void people_cli_usage(FILE *f);

/*
 * Checks `people SUBCOMMAND ARGS...` (--config removed) before the
 * database is opened: 0 when they make sense, 2 (usage printed) otherwise.
 */
int people_cli_args_check(int argc, char **argv);

/*
 * Runs `people SUBCOMMAND ARGS...` (checked by people_cli_args_check):
 *   import CSV                                  (all or nothing)
 *   status EMPLOYEE_ID STATUS --reason TEXT     (active, on_leave, left)
 */
int people_cli_main(struct lv_db *db, int argc, char **argv);

#endif
