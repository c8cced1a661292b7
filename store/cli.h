/*
 * cli.h - the livery command line: a table of commands, each a function.
 */
#ifndef LV_CLI_H
#define LV_CLI_H

/* Runs the command named in argv; returns the process exit status
 * (0 success, 1 failure, 2 wrong usage). */
int cli_main(int argc, char **argv);

#endif
