/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * order_cli.c - the `livery export payroll|orders` commands (see
 * order_cli.h): strict option parsing, and writing the CSV to stdout or
 * atomically to a file. The CSV itself is made in order_export.c.
 */
#include "order_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lv_buf.h"
#include "lv_err.h"
#include "lv_mem.h"
#include "order.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXPORT_MAX_BYTES ((size_t)512 << 20)

void order_cli_usage(FILE *f)
{
	fprintf(f, "  livery export payroll --config FILE --period YYYY-MM [--output FILE]\n"
		   "  livery export orders --config FILE [--status placed] [--output FILE]\n");
}

static int export_usage_fail(const char *what)
{
	fprintf(stderr, "livery: %s (usage: livery export payroll --config FILE --period "
			"YYYY-MM [--output FILE], or livery export orders --config FILE "
			"[--status STATUS] [--output FILE])\n", what);
	return EXIT_USAGE;
}

/* YYYY-MM with a month 01..12: the shape order_export_payroll accepts. */
static int export_period_ok(const char *s)
{
	size_t i;

	if (strlen(s) != 7 || s[4] != '-')
		return 0;
	for (i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return (s[5] == '0' && s[6] != '0') || (s[5] == '1' && s[6] <= '2');
}

int order_cli_export_parse(int argc, char **argv, struct order_cli_export *opts)
{
	char line[160];
	const char **slot;
	int k;

	memset(opts, 0, sizeof(*opts));
	if (argc < 1)
		return export_usage_fail("export needs payroll or orders");
	if (strcmp(argv[0], "payroll") == 0)
		opts->payroll = 1;
	else if (strcmp(argv[0], "orders") != 0)
		return export_usage_fail("export needs payroll or orders");
	for (k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--output") == 0)
			slot = &opts->output;
		else if (strcmp(argv[k], "--period") == 0 && opts->payroll)
			slot = &opts->period;
		else if (strcmp(argv[k], "--status") == 0 && !opts->payroll)
			slot = &opts->status;
		else {
			lv_snprintf(line, sizeof(line), "unknown option or argument \"%.60s\"",
				    argv[k]);
			return export_usage_fail(line);
		}
		if (k + 1 >= argc || argv[k + 1][0] == '\0') {
			lv_snprintf(line, sizeof(line), "%s needs a value", argv[k]);
			return export_usage_fail(line);
		}
		*slot = argv[++k];
	}
	if (opts->payroll && opts->period == NULL)
		return export_usage_fail("export payroll needs --period YYYY-MM");
	if (opts->payroll && !export_period_ok(opts->period)) {
		fprintf(stderr, "livery: --period \"%.40s\" is not a month: write it as "
				"YYYY-MM, e.g. 2026-03\n", opts->period);
		return EXIT_USAGE;
	}
	if (!opts->payroll && opts->status == NULL)
		opts->status = "placed";
	if (!opts->payroll && !order_status_known(opts->status)) {
		fprintf(stderr, "livery: --status \"%.40s\" is not an order status (one of "
				"pending_approval, placed, picking, shipped, delivered, "
				"cancelled, returned, refused)\n", opts->status);
		return EXIT_USAGE;
	}
	return 0;
}

/* Writes all of p to fd. Returns 0 or -1 (errno set). */
static int export_write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* path <- data, atomically: a temporary file beside it, fsync, rename. */
static int export_file_write(const char *path, const char *data, size_t n)
{
	char *tmp = NULL;
	size_t len = strlen(path) + 16;
	int fd = -1, created = 0, rc = EXIT_FAILED;

	tmp = lv_malloc(len);
	lv_snprintf(tmp, len, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "livery: %s: cannot create a file there: %s\n", path,
			strerror(errno));
		goto out;
	}
	created = 1;
	if (export_write_all(fd, data, n) != 0 || fsync(fd) != 0) {
		fprintf(stderr, "livery: %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		fprintf(stderr, "livery: %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		fprintf(stderr, "livery: %s: %s\n", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0 && created)
		unlink(tmp);
	lv_free(tmp);
	return rc;
}

int order_cli_export_run(struct lv_db *db, const char *currency,
			 const struct order_cli_export *opts)
{
	struct lv_buf csv;
	int rc, status = EXIT_FAILED;

	lv_buf_init(&csv, EXPORT_MAX_BYTES);
	rc = opts->payroll ? order_export_payroll(db, opts->period, currency, &csv) :
			     order_export_orders(db, opts->status, &csv);
	if (rc != LV_OK) {
		fprintf(stderr, "livery: the export failed (%s)%s\n", lv_err_name(rc),
			rc == LV_ETOOBIG ? ": it is larger than 512 MiB" :
			rc == LV_EINVAL ? ": check --period and the store currency" : "");
		goto out;
	}
	if (opts->output != NULL) {
		status = export_file_write(opts->output, csv.data ? csv.data : "", csv.len);
		goto out;
	}
	if (fwrite(lv_buf_str(&csv), 1, csv.len, stdout) != csv.len || fflush(stdout) != 0) {
		fprintf(stderr, "livery: writing to stdout: %s\n", strerror(errno));
		goto out;
	}
	status = 0;
out:
	lv_buf_cleanup(&csv);
	return status;
}
