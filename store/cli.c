/*
 * cli.c - the livery command line (see cli.h).
 *
 * Each command is one line of cli_commands[]: its name, its usage, and its
 * function. Options are parsed by hand, strictly: an unknown flag, a
 * missing value or a missing file is one clear line on stderr and exit
 * status 2, before anything is changed.
 */
#include "cli.h"

#include <stdarg.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "allowance_cli.h"
#include "app.h"
#include "audit.h"
#include "backup.h"
#include "catalog_csv.h"
#include "lv_db.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "migrate.h"
#include "routes.h"
#include "order_cli.h"
#include "people_cli.h"
#include "policy_cli.h"
#include "server.h"
#include "sso.h"

#define EXIT_USAGE 2

struct cli_args {
	const char *config;  /* --config FILE */
	const char *pos[4];  /* positional arguments */
	int npos;
};

struct cli_command {
	const char *name;
	const char *usage;
	const char *summary;
	int npos;            /* positional arguments required */
	int needs_config;    /* --config FILE required */
	int (*run)(const struct cli_args *a);
};

static void cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One clear line on stderr: "livery: <what went wrong>". */
static void cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("livery: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int cli_file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Opens (creating) the database and brings its schema up to date; a
 * database with data gets a copy in <data_dir>/backups first when a
 * migration is pending (backup_before_migrate).
 */
static int cli_db_ready(struct livery *app, struct lv_db **db, int quiet)
{
	char msg[1024], saved[4096] = "";
	int from = 0, to = 0, rc;

	rc = app_db_open(app, 1, db, msg, sizeof(msg));
	if (rc == LV_OK)
		rc = backup_before_migrate((*db)->conn, app->cfg.data_dir, saved, sizeof(saved),
					   msg, sizeof(msg));
	if (rc == LV_OK)
		rc = migrate_apply((*db)->conn, &from, &to, msg, sizeof(msg));
	if (rc != LV_OK) {
		cli_fail("%s", msg);
		return rc;
	}
	if (!quiet && saved[0])
		printf("database %s: copied to %s before migrating\n", app->cfg.db_path, saved);
	if (!quiet)
		printf("database %s: schema version %d -> %d\n", app->cfg.db_path, from, to);
	return LV_OK;
}

static int cli_serve(const struct cli_args *a)
{
	sigset_t hup;
	struct livery *app = NULL;
	struct lv_db *db = NULL;
	struct sso_error err;
	char msg[1024];
	int rc;

	/* a reload asked for while the store starts (SIGHUP, whose default
	 * action ends the process) waits for server_run, which takes it */
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &hup, NULL);
	rc = app_new(a->config, 1, &app, msg, sizeof(msg));
	if (rc != LV_OK) {
		cli_fail("%s", msg);
		goto out;
	}
	rc = cli_db_ready(app, &db, 1);
	if (rc != LV_OK)
		goto out;
	rc = app_policies_load(app, db, msg, sizeof(msg));
	if (rc != LV_OK) {
		cli_fail("%s", msg);
		goto out;
	}
	lv_db_close(db); /* workers open their own */
	db = NULL;
	memset(&err, 0, sizeof(err));
	if (sso_rp_discover(app->rp, &err) != LV_OK)
		lv_warn("discovery", "issuer=%s reason=%s detail=\"%s\" note=\"retried at the next sign-in\"",
			app->cfg.issuer, sso_reason_name(err.reason), err.detail);
	rc = server_run(app, msg, sizeof(msg));
	if (rc != LV_OK)
		cli_fail("%s", msg);
out:
	lv_db_close(db);
	app_free(app);
	return rc == LV_OK ? 0 : 1;
}

static int cli_check_config(const struct cli_args *a)
{
	struct livery *app = NULL;
	char msg[1024];
	int rc;

	rc = app_new(a->pos[0], 1, &app, msg, sizeof(msg));
	if (rc != LV_OK)
		cli_fail("%s", msg);
	else
		printf("%s: OK\n", a->pos[0]);
	app_free(app);
	return rc == LV_OK ? 0 : 1;
}

static int cli_migrate(const struct cli_args *a)
{
	struct livery *app = NULL;
	struct lv_db *db = NULL;
	char msg[1024];
	int rc;

	rc = app_new(a->config, 0, &app, msg, sizeof(msg));
	if (rc != LV_OK)
		cli_fail("%s", msg);
	else
		rc = cli_db_ready(app, &db, 0);
	lv_db_close(db);
	app_free(app);
	return rc == LV_OK ? 0 : 1;
}

static int cli_import_catalog(const struct cli_args *a)
{
	struct catalog_import_report rep;
	struct livery *app = NULL;
	struct lv_db *db = NULL;
	char msg[1024];
	size_t i;
	int rc, own = 0;

	catalog_import_report_init(&rep);
	rc = app_new(a->config, 0, &app, msg, sizeof(msg));
	if (rc != LV_OK) {
		cli_fail("%s", msg);
		goto out;
	}
	rc = cli_db_ready(app, &db, 1);
	if (rc != LV_OK)
		goto out;
	/* the import and its audit entry in one transaction: both or neither */
	rc = lv_db_tx_begin(db, &own);
	if (rc == LV_OK)
		rc = catalog_csv_import(db, a->pos[0], app->cfg.currency, &rep);
	if (rc == LV_OK) {
		struct audit_actor who = { 0, "cli", NULL };
		json_t *after = json_pack("{s:s,s:i,s:i,s:i,s:i,s:i,s:i}", "file", a->pos[0],
					  "categories", rep.categories, "products", rep.products,
					  "variants", rep.variants, "images", rep.images,
					  "deactivated_products", rep.deactivated_products,
					  "deactivated_variants", rep.deactivated_variants);

		rc = audit_append(db, &who, "catalog.import", "catalog", NULL, NULL, after);
		json_decref(after);
	}
	if (own)
		rc = lv_db_tx_end(db, own, rc);
	for (i = 0; i < rep.n_errors; i++)
		fprintf(stderr, "%s: %s\n", a->pos[0], rep.errors[i]);
	if (rc != LV_OK) {
		fprintf(stderr, "livery: %s: nothing was imported (%zu error%s)\n",
			a->pos[0], rep.n_errors, rep.n_errors == 1 ? "" : "s");
		goto out;
	}
	printf("%s: imported %d categories, %d products, %d variants, %d images; "
	       "deactivated %d products and %d variants no longer listed\n", a->pos[0],
	       rep.categories, rep.products, rep.variants, rep.images,
	       rep.deactivated_products, rep.deactivated_variants);
out:
	catalog_import_report_cleanup(&rep);
	lv_db_close(db);
	app_free(app);
	return rc == LV_OK ? 0 : 1;
}

/*
 * Splits argv[2..] of a command with subcommands into --config FILE and
 * the rest. OUT: *config (borrowed, NULL when absent), rest[0..*n) (rest
 * has room for argc entries).
 */
static void cli_config_split(int argc, char **argv, const char **config, char **rest, int *n)
{
	int k;

	*config = NULL;
	*n = 0;
	for (k = 2; k < argc; k++) {
		if (strcmp(argv[k], "--config") == 0 && k + 1 < argc)
			*config = argv[++k];
		else if (strncmp(argv[k], "--config=", 9) == 0)
			*config = argv[k] + 9;
		else
			rest[(*n)++] = argv[k];
	}
}

/*
 * Loads config (what = "allowance", "export": for the error) and opens
 * its database. OUT: *app, *db. Returns 0, EXIT_USAGE (no such file) or 1.
 */
static int cli_store_open(const char *config, const char *what, struct livery **app,
			  struct lv_db **db)
{
	char msg[1024];

	if (config == NULL || !cli_file_exists(config)) {
		cli_fail("%s commands need --config FILE (an existing file)", what);
		return EXIT_USAGE;
	}
	if (app_new(config, 0, app, msg, sizeof(msg)) != LV_OK) {
		cli_fail("%s", msg);
		return 1;
	}
	return cli_db_ready(*app, db, 1) == LV_OK ? 0 : 1;
}

/* livery allowance SUBCOMMAND --config FILE ARGS... (see allowance_cli.h) */
static int cli_allowance(int argc, char **argv)
{
	struct livery *app = NULL;
	struct lv_db *db = NULL;
	const char *config;
	char **rest = lv_calloc((size_t)argc + 1, sizeof(*rest));
	int n, rc;

	cli_config_split(argc, argv, &config, rest, &n);
	rc = cli_store_open(config, "allowance", &app, &db);
	if (rc == 0)
		rc = allowance_cli_main(db, app->cfg.currency, n, rest);
	lv_db_close(db);
	app_free(app);
	lv_free(rest);
	return rc;
}

/* livery people SUBCOMMAND --config FILE ARGS... (see people_cli.h) */
static int cli_people(int argc, char **argv)
{
	struct livery *app = NULL;
	struct lv_db *db = NULL;
	const char *config;
	char **rest = lv_calloc((size_t)argc + 1, sizeof(*rest));
	int n, rc;

	cli_config_split(argc, argv, &config, rest, &n);
	rc = people_cli_args_check(n, rest);
	if (rc == 0)
		rc = cli_store_open(config, "people", &app, &db);
	if (rc == 0)
		rc = people_cli_main(db, n, rest);
	lv_db_close(db);
	app_free(app);
	lv_free(rest);
	return rc;
}

/* livery export payroll|orders --config FILE OPTIONS (see order_cli.h) */
static int cli_export(int argc, char **argv)
{
	struct order_cli_export opts;
	struct livery *app = NULL;
	struct lv_db *db = NULL;
	const char *config;
	char **rest = lv_calloc((size_t)argc + 1, sizeof(*rest));
	int n, rc;

	cli_config_split(argc, argv, &config, rest, &n);
	rc = order_cli_export_parse(n, rest, &opts) != 0 ? EXIT_USAGE :
	     cli_store_open(config, "export", &app, &db);
	if (rc == 0)
		rc = order_cli_export_run(db, app->cfg.currency, &opts);
	lv_db_close(db);
	app_free(app);
	lv_free(rest);
	return rc;
}

/* livery policy check FILE... | policy SUBCOMMAND --config FILE ... (policy_cli.h) */
static int cli_policy(int argc, char **argv)
{
	struct livery *app = NULL;
	struct lv_db *db = NULL;
	const char *config;
	char **rest = lv_calloc((size_t)argc + 1, sizeof(*rest));
	int n, rc;

	cli_config_split(argc, argv, &config, rest, &n);
	if (n >= 1 && strcmp(rest[0], "check") == 0)
		rc = policy_cli_check(n - 1, rest + 1); /* no configuration needed */
	else if ((rc = policy_cli_args_check(n, rest)) == 0 &&
		 (rc = cli_store_open(config, "policy", &app, &db)) == 0)
		rc = policy_cli_run(db, app->cfg.currency, n, rest);
	lv_db_close(db);
	app_free(app);
	lv_free(rest);
	return rc;
}

#define CLI_BACKUP_USAGE "backup --config FILE [--force] OUT"

/*
 * livery backup --config FILE [--force] OUT: a consistent copy of the
 * database while the store serves (backup.h). Parsed here, not by the
 * command table: OUT is a file that must not exist yet, and --force.
 */
static int cli_backup(int argc, char **argv)
{
	struct backup_opts opts;
	struct backup_info info;
	struct livery *app = NULL;
	const char *config = NULL, *out = NULL;
	char msg[1024];
	int k, rc;

	memset(&opts, 0, sizeof(opts));
	for (k = 2; k < argc; k++) {
		if (strcmp(argv[k], "--force") == 0) {
			opts.force = 1;
		} else if (strcmp(argv[k], "--config") == 0) {
			if (k + 1 >= argc) {
				cli_fail("%s", "--config needs a file name");
				return EXIT_USAGE;
			}
			config = argv[++k];
		} else if (strncmp(argv[k], "--config=", 9) == 0) {
			config = argv[k] + 9;
		} else if (argv[k][0] == '-' && argv[k][1] != '\0') {
			cli_fail("unknown option \"%s\" (usage: livery %s)", argv[k], CLI_BACKUP_USAGE);
			return EXIT_USAGE;
		} else if (out == NULL) {
			out = argv[k];
		} else {
			cli_fail("unexpected argument \"%s\" (usage: livery %s)", argv[k],
				 CLI_BACKUP_USAGE);
			return EXIT_USAGE;
		}
	}
	if (config == NULL || out == NULL) {
		cli_fail("backup needs --config FILE and OUT (usage: livery %s)", CLI_BACKUP_USAGE);
		return EXIT_USAGE;
	}
	if (!cli_file_exists(config)) {
		cli_fail("%s: no such configuration file", config);
		return EXIT_USAGE;
	}
	rc = app_new(config, 0, &app, msg, sizeof(msg));
	if (rc == LV_OK)
		rc = backup_path_write(app->cfg.db_path, (int)app->cfg.busy_timeout_ms, out,
				       &opts, &info, msg, sizeof(msg));
	if (rc == LV_OK)
		printf("wrote %s: %lld bytes, schema version %d, integrity ok\n", out,
		       (long long)info.bytes, info.user_version);
	else
		cli_fail("%s", msg);
	app_free(app);
	return rc == LV_OK ? 0 : 1;
}

/* livery restore --config FILE BACKUP: checks BACKUP, then makes it the database. */
static int cli_restore(const struct cli_args *a)
{
	struct backup_restore_report rep;
	struct livery *app = NULL;
	char msg[1024];
	int rc;

	memset(&rep, 0, sizeof(rep));
	rc = app_new(a->config, 0, &app, msg, sizeof(msg));
	if (rc == LV_OK)
		rc = backup_file_restore(app->cfg.db_path, a->pos[0],
					 (int)app->cfg.busy_timeout_ms, &rep, msg, sizeof(msg));
	if (rep.aside[0])
		printf("kept the database it replaced as %s\n", rep.aside);
	if (rc == LV_OK)
		printf("restored %s into %s: schema version %d -> %d\n", a->pos[0],
		       app->cfg.db_path, rep.backup_version, rep.version);
	else
		cli_fail("%s", msg);
	app_free(app);
	return rc == LV_OK ? 0 : 1;
}

/* livery routes: the HTTP surface, one JSON object per route (the role tests read it). */
static int cli_routes(const struct cli_args *a)
{
	(void)a;
	route_table_print(stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}

static const struct cli_command cli_commands[] = {
	{ "serve", "serve --config FILE", "run the store's web server", 0, 1, cli_serve },
	{ "check-config", "check-config FILE", "check a configuration file and exit", 1, 0, cli_check_config },
	{ "migrate", "migrate --config FILE", "create or upgrade the database", 0, 1, cli_migrate },
	{ "routes", "routes", "print every HTTP route with its roles (JSON lines)", 0, 0, cli_routes },
	{ "import-catalog", "import-catalog --config FILE CSV",
	  "import products from a CSV file (all or nothing)", 1, 1, cli_import_catalog },
	{ "restore", "restore --config FILE BACKUP",
	  "check a backup, then make it the database (store stopped)", 1, 1, cli_restore },
};
#define N_COMMANDS (sizeof(cli_commands) / sizeof(cli_commands[0]))

static void cli_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Livery %s - the employee company store\n\nUsage:\n", LIVERY_VERSION);
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  livery %-36s %s\n", cli_commands[i].usage,
			cli_commands[i].summary);
	fprintf(f, "  livery %-36s %s\n", CLI_BACKUP_USAGE,
		"copy the database while the store serves");
	allowance_cli_usage(f);
	order_cli_usage(f);
	people_cli_usage(f);
	policy_cli_usage(f);
	fprintf(f, "  livery %-36s %s\n  livery %-36s %s\n", "--help", "show this help",
		"--version", "show the version");
	fprintf(f, "\nThe environment variable LIVERY_OIDC_CLIENT_SECRET, when set, "
		   "replaces oidc.client_secret.\n");
}

int cli_main(int argc, char **argv)
{
	const struct cli_command *cmd = NULL;
	struct cli_args a;
	size_t i;
	int k;

	memset(&a, 0, sizeof(a));
	if (argc < 2) {
		cli_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		cli_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "allowance") == 0)
		return cli_allowance(argc, argv);
	if (strcmp(argv[1], "export") == 0)
		return cli_export(argc, argv);
	if (strcmp(argv[1], "backup") == 0)
		return cli_backup(argc, argv);
	if (strcmp(argv[1], "policy") == 0)
		return cli_policy(argc, argv);
	if (strcmp(argv[1], "people") == 0)
		return cli_people(argc, argv);
	if (strcmp(argv[1], "--version") == 0) {
		printf("livery %s\n", LIVERY_VERSION);
		return 0;
	}
	for (i = 0; i < N_COMMANDS; i++)
		if (strcmp(argv[1], cli_commands[i].name) == 0)
			cmd = &cli_commands[i];
	if (cmd == NULL) {
		cli_fail("unknown command \"%s\" (see livery --help)", argv[1]);
		return EXIT_USAGE;
	}
	for (k = 2; k < argc; k++) {
		if (strcmp(argv[k], "--config") == 0 && cmd->needs_config) {
			if (k + 1 >= argc) {
				cli_fail("%s", "--config needs a file name");
				return EXIT_USAGE;
			}
			a.config = argv[++k];
		} else if (strncmp(argv[k], "--config=", 9) == 0 && cmd->needs_config) {
			a.config = argv[k] + 9;
		} else if (argv[k][0] == '-' && argv[k][1] != '\0') {
			cli_fail("unknown option \"%s\" (see livery --help)", argv[k]);
			return EXIT_USAGE;
		} else if (a.npos < cmd->npos) {
			a.pos[a.npos++] = argv[k];
		} else {
			cli_fail("unexpected argument \"%s\" (see livery --help)", argv[k]);
			return EXIT_USAGE;
		}
	}
	if (cmd->needs_config && a.config == NULL) {
		fprintf(stderr, "livery: %s needs --config FILE (usage: livery %s)\n",
			cmd->name, cmd->usage);
		return EXIT_USAGE;
	}
	if (a.npos < cmd->npos) {
		fprintf(stderr, "livery: missing argument (usage: livery %s)\n", cmd->usage);
		return EXIT_USAGE;
	}
	if (a.config && !cli_file_exists(a.config)) {
		cli_fail("%s: no such configuration file", a.config);
		return EXIT_USAGE;
	}
	for (k = 0; k < a.npos; k++)
		if (!cli_file_exists(a.pos[k])) {
			cli_fail("%s: no such file", a.pos[k]);
			return EXIT_USAGE;
		}
	return cmd->run(&a);
}
