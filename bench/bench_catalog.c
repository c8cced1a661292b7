/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench_catalog.c - the database side of the catalog page alone: runs the
 * same catalog_products_list() and catalog_categories_list() calls the
 * home page makes, for a number of seconds, and prints the rate (calls of
 * the pair per second, all threads together). bench/run sets it next to the
 * HTTP rates so the cost of HTTP and rendering is visible.
 *
 * By default one thread on one connection. --threads N runs N threads, each
 * with its own connection as the server's workers have, which shows what
 * the threads cost each other (SQLite's and malloc's locks). --no-memstatus
 * turns off SQLite's allocation statistics first (SQLITE_CONFIG_MEMSTATUS),
 * whose global mutex every SQLite allocation takes. --category, --search,
 * --size and --colour measure a filtered list instead of the home page's.
 *
 * usage: bench_catalog [--threads N] [--no-memstatus] [--category SLUG]
 *                      [--search TEXT] [--size SIZE] [--colour COLOUR]
 *                      CONFIG SECONDS
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "catalog.h"
#include "lv_db.h"
#include "lv_err.h"
#include "lv_parse.h"

#define BENCH_THREADS_MAX 64

struct bench_worker {
	struct livery *app;
	struct catalog_query q;
	double secs;
	long calls;
	int failed;
	pthread_t tid;
};

static double bench_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One worker: its own connection, the page's two calls in a loop. */
static void *bench_worker_run(void *arg)
{
	struct bench_worker *w = arg;
	struct lv_db *db = NULL;
	char msg[512];
	double t0;

	w->failed = 1;
	if (app_db_open(w->app, 0, &db, msg, sizeof(msg)) != LV_OK) {
		fprintf(stderr, "bench_catalog: %s\n", msg);
		goto out;
	}
	t0 = bench_now();
	do {
		json_t *a = NULL, *b = NULL;

		if (catalog_products_list(db, &w->q, &a) != LV_OK ||
		    catalog_categories_list(db, w->q.include_restricted,
					    &b) != LV_OK)
			goto out;
		json_decref(a);
		json_decref(b);
		w->calls++;
	} while (bench_now() - t0 < w->secs);
	w->failed = 0;
out:
	lv_db_close(db);
	return NULL;
}

static int bench_usage(void)
{
	fprintf(stderr, "usage: bench_catalog [--threads N] [--no-memstatus]"
		" [--category SLUG] [--search TEXT] [--size SIZE]"
		" [--colour COLOUR] CONFIG SECONDS\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct bench_worker workers[BENCH_THREADS_MAX];
	struct livery *app = NULL;
	struct catalog_query q;
	int64_t secs = 0, threads = 1;
	long calls = 0;
	char msg[1024];
	double t0, t;
	int i, started = 0, rc = 1;

	memset(&q, 0, sizeof(q));
	for (i = 1; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--no-memstatus") == 0) {
			if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
				fprintf(stderr, "bench_catalog: memstatus stays on\n");
			continue;
		}
		if (strcmp(argv[i], "--threads") == 0) {
			if (lv_parse_i64(argv[++i], 1, BENCH_THREADS_MAX,
					 &threads) != LV_OK)
				return bench_usage();
		} else if (strcmp(argv[i], "--category") == 0) {
			q.category = argv[++i];
		} else if (strcmp(argv[i], "--search") == 0) {
			q.search = argv[++i];
		} else if (strcmp(argv[i], "--size") == 0) {
			q.size = argv[++i];
		} else if (strcmp(argv[i], "--colour") == 0) {
			q.colour = argv[++i];
		} else {
			return bench_usage();
		}
	}
	if (argc - i != 2 || lv_parse_i64(argv[i + 1], 1, 600, &secs) != LV_OK)
		return bench_usage();
	if (app_new(argv[i], 0, &app, msg, sizeof(msg)) != LV_OK) {
		fprintf(stderr, "bench_catalog: %s\n", msg);
		goto out;
	}
	t0 = bench_now();
	for (started = 0; started < threads; started++) {
		workers[started].app = app;
		workers[started].q = q;
		workers[started].secs = (double)secs;
		if (pthread_create(&workers[started].tid, NULL, bench_worker_run,
				   &workers[started]) != 0) {
			fprintf(stderr, "bench_catalog: cannot start a thread\n");
			break;
		}
	}
	rc = started == threads ? 0 : 1;
	for (i = 0; i < started; i++) {
		pthread_join(workers[i].tid, NULL);
		calls += workers[i].calls;
		if (workers[i].failed)
			rc = 1;
	}
	t = bench_now();
	if (rc == 0)
		printf("%.0f\n", (double)calls / (t - t0));
out:
	app_free(app);
	return rc;
}
