/*
 * bench_catalog.c - the database side of the catalog page alone: runs the
 * same catalog_products_list() and catalog_categories_list() calls the
 * home page makes, on one connection, for a number of seconds, and prints
 * the rate. bench/run sets it next to the HTTP rates so the cost of HTTP
 * and rendering is visible.
 *
 * usage: bench_catalog CONFIG SECONDS
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "catalog.h"
#include "lv_db.h"
#include "lv_err.h"
#include "lv_parse.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct livery *app = NULL;
	struct lv_db *db = NULL;
	struct catalog_query q;
	char msg[1024];
	int64_t secs = 0;
	long n = 0;
	double t0, t;
	int rc = 1;

	if (argc != 3 || lv_parse_i64(argv[2], 1, 600, &secs) != LV_OK) {
		fprintf(stderr, "usage: bench_catalog CONFIG SECONDS\n");
		return 2;
	}
	if (app_new(argv[1], 0, &app, msg, sizeof(msg)) != LV_OK ||
	    app_db_open(app, 0, &db, msg, sizeof(msg)) != LV_OK) {
		fprintf(stderr, "bench_catalog: %s\n", msg);
		goto out;
	}
	memset(&q, 0, sizeof(q));
	t0 = now_s();
	do {
		json_t *a = NULL, *b = NULL;

		if (catalog_products_list(db, &q, &a) != LV_OK ||
		    catalog_categories_list(db, 0, &b) != LV_OK)
			goto out;
		json_decref(a);
		json_decref(b);
		n++;
		t = now_s();
	} while (t - t0 < (double)secs);
	printf("%.0f\n", (double)n / (t - t0));
	rc = 0;
out:
	lv_db_close(db);
	app_free(app);
	return rc;
}
