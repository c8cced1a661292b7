/*
 * main.c - the livery executable: hands the command line to cli_main().
 * Everything else lives in the lv_store library so that tests can reach it.
 */
#include "cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
