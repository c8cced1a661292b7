/*
 * main.c - the livery executable: hands the command line to cli_main().
 * Everything else lives in the lv_store library so that tests can reach it.
 */
#include "cli.h"
#include "sso.h"

int main(int argc, char **argv)
{
	int rc = cli_main(argc, argv);

	sso_libs_shutdown();
	return rc;
}
