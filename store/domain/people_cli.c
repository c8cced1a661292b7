/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * people_cli.c - the `livery people ...` commands (see people_cli.h):
 * argument checks, reading the file, and the lines printed. The rules
 * live in people_admin.c, shared with the console and the API.
 */
#include "people_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "lv_buf.h"
#include "lv_err.h"
#include "lv_time.h"
#include "people_admin.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

void people_cli_usage(FILE *f)
{
	fprintf(f, "  livery people import --config FILE EMPLOYEES.csv\n"
		   "  livery people status --config FILE EMPLOYEE_ID active|on_leave|left "
		   "--reason TEXT\n");
}

static int people_cli_usage_fail(void)
{
	fprintf(stderr, "livery: usage:\n");
	people_cli_usage(stderr);
	return EXIT_USAGE;
}

/* The value of --reason among argv (NULL when absent); OUT: *bad, 1 for an unknown option. */
static const char *people_cli_reason(int argc, char **argv, int *npos, const char **pos,
				     int *bad)
{
	const char *reason = NULL;
	int k;

	*npos = 0;
	*bad = 0;
	for (k = 0; k < argc; k++) {
		if (strcmp(argv[k], "--reason") == 0 && k + 1 < argc)
			reason = argv[++k];
		else if (strncmp(argv[k], "--reason=", 9) == 0)
			reason = argv[k] + 9;
		else if (argv[k][0] == '-' && argv[k][1] != '\0')
			*bad = 1;
		else if (*npos < 4)
			pos[(*npos)++] = argv[k];
		else
			*bad = 1;
	}
	return reason;
}

int people_cli_args_check(int argc, char **argv)
{
	const char *pos[4];
	int npos, bad;

	if (argc == 2 && strcmp(argv[0], "import") == 0) {
		if (access(argv[1], R_OK) != 0) {
			fprintf(stderr, "livery: %s: cannot be read (%s)\n", argv[1], strerror(errno));
			return EXIT_USAGE;
		}
		return 0;
	}
	if (argc >= 1 && strcmp(argv[0], "status") == 0) {
		if (people_cli_reason(argc - 1, argv + 1, &npos, pos, &bad) == NULL || bad ||
		    npos != 2)
			return people_cli_usage_fail();
		return 0;
	}
	return people_cli_usage_fail();
}

/* Reads path whole (at most PEOPLE_IMPORT_MAX_BYTES) into out. Returns LV_OK or an error printed. */
static int people_cli_read(const char *path, struct lv_buf *out)
{
	char chunk[65536];
	ssize_t n;
	int fd, rc = LV_OK;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "livery: cannot open %s: %s\n", path, strerror(errno));
		return LV_EUNAVAIL;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (lv_buf_append(out, chunk, (size_t)n) != LV_OK) {
			fprintf(stderr, "livery: %s is larger than %u MiB: split it\n", path,
				PEOPLE_IMPORT_MAX_BYTES >> 20);
			rc = LV_ETOOBIG;
			break;
		}
	}
	if (n < 0) {
		fprintf(stderr, "livery: cannot read %s: %s\n", path, strerror(errno));
		rc = LV_EUNAVAIL;
	}
	close(fd);
	return rc;
}

static int people_cli_import(struct lv_db *db, const char *path)
{
	struct audit_actor who = { 0, "cli", NULL };
	struct people_import im;
	struct lv_buf text;
	const char *base = strrchr(path, '/');
	char msg[1024];
	size_t i;
	int rc;

	people_import_init(&im);
	lv_buf_init(&text, PEOPLE_IMPORT_MAX_BYTES);
	rc = people_cli_read(path, &text);
	if (rc != LV_OK)
		goto out;
	rc = people_import_run(db, text.data ? text.data : "", text.len, base ? base + 1 : path,
			       &who, lv_now(), &im);
	if (rc == LV_EINVAL) {
		for (i = 0; i < im.n_errors; i++) {
			people_import_error_say(&im.errors[i], NULL, msg, sizeof(msg));
			if (im.errors[i].line == 0)
				fprintf(stderr, "%s: %s\n", path, msg);
			else if (im.errors[i].column[0])
				fprintf(stderr, "%s: line %u, column %s: %s\n", path,
					im.errors[i].line, im.errors[i].column, msg);
			else
				fprintf(stderr, "%s: line %u: %s\n", path, im.errors[i].line, msg);
		}
		if (im.more_errors)
			fprintf(stderr, "%s: ... and %zu more errors\n", path, im.more_errors);
		fprintf(stderr, "livery: nothing was imported: correct the file and import it again\n");
	} else if (rc == LV_ECONFLICT) {
		fprintf(stderr, "livery: the database stayed busy; nothing was imported: try again\n");
	} else if (rc == LV_ETOOBIG) {
		fprintf(stderr, "livery: %s is larger than %u MiB: split it\n", path,
			PEOPLE_IMPORT_MAX_BYTES >> 20);
	} else if (rc != LV_OK) {
		fprintf(stderr, "livery: the import failed (%s); nothing was imported\n",
			lv_err_name(rc));
	} else {
		printf("imported %s: %zu employees (%zu new, %zu updated, %zu unchanged; "
		       "%zu status changes), sha256 %s\n",
		       path, im.rows, im.inserted, im.updated, im.unchanged, im.status_changes,
		       im.sha256);
	}
out:
	lv_buf_cleanup(&text);
	people_import_cleanup(&im);
	return rc == LV_OK ? 0 : EXIT_FAILED;
}

static int people_cli_status(struct lv_db *db, int argc, char **argv)
{
	struct audit_actor who = { 0, "cli", NULL };
	const char *pos[4], *reason, *why;
	int npos, bad, changed = 0, rc;

	reason = people_cli_reason(argc, argv, &npos, pos, &bad);
	why = people_status_check(pos[1]);
	if (why == NULL)
		why = people_reason_check(reason);
	if (why != NULL) {
		fprintf(stderr, "livery: %s\n", why);
		return EXIT_FAILED;
	}
	rc = people_admin_status_set(db, pos[0], pos[1], reason, &who, lv_now(), &changed);
	if (rc == LV_ENOTFOUND) {
		fprintf(stderr, "livery: no employee has the employee id %s\n", pos[0]);
		return EXIT_FAILED;
	}
	if (rc != LV_OK) {
		fprintf(stderr, "livery: the status could not be changed (%s)\n", lv_err_name(rc));
		return EXIT_FAILED;
	}
	printf(changed ? "%s is now %s\n" : "%s was already %s: nothing changed\n", pos[0], pos[1]);
	return 0;
}

int people_cli_main(struct lv_db *db, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[0], "import") == 0)
		return people_cli_import(db, argv[1]);
	if (argc >= 1 && strcmp(argv[0], "status") == 0)
		return people_cli_status(db, argc - 1, argv + 1);
	return people_cli_usage_fail();
}
