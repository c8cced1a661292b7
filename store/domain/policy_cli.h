/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * policy_cli.h - the `livery policy ...` commands: check policy files
 * (no configuration needed), import them into the store all or nothing,
 * export and list the stored ones, and explain what the stored policies
 * decide for one employee and one product, rule by rule.
 *
 * The command line (store/cli.c) takes --config out of the arguments. For
 * `check` it calls policy_cli_check with the files; for the others it
 * asks policy_cli_args_check first (a bad command line is refused before
 * anything is opened), then opens and migrates the database and calls
 * policy_cli_run. Results go to stdout; a failure is one clear line
 * "livery: ..." on stderr (validation errors: one line each, "FILE:
 * $.path: message (hint: ...)"). Exit status: 0 done, 1 refused or
 * failed, 2 usage error.
 */
#ifndef LV_POLICY_CLI_H
#define LV_POLICY_CLI_H

#include <stdio.h>

#include "lv_db.h"

/* The usage lines of the policy commands, for `livery --help`. */
void policy_cli_usage(FILE *f);

/*
 * livery policy check FILE...: argv are the files. Loads them as one set;
 * prints every error, or "N policies OK". Returns 0 valid, 1 not, 2 usage
 * (no file, or a file that cannot be read).
 */
int policy_cli_check(int argc, char **argv);

/*
 * Checks the arguments of `policy SUBCOMMAND ARGS...` (argv[0] the
 * subcommand: import, export, list, explain; --config removed). Returns
 * 0, or 2 after one line on stderr.
 */
int policy_cli_args_check(int argc, char **argv);

/*
 * Runs a checked subcommand against db. currency is [store] currency (for
 * prices in explain). Returns the exit status.
 */
int policy_cli_run(struct lv_db *db, const char *currency, int argc, char **argv);

#endif
