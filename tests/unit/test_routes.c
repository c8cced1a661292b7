/*
 * test_routes.c - the route table: every state-changing route needs the
 * CSRF token (the back-channel logout is the one reviewed exception),
 * no two routes answer the same request, and the matcher refuses what is
 * not declared.
 */
#include <string.h>

#include "lv_err.h"
#include "lv_test.h"
#include "routes.h"

static void test_state_changing_routes_need_csrf(void)
{
	size_t i;

	for (i = 0; i < route_count; i++) {
		const struct route *rt = &route_table[i];

		if (strcmp(rt->method, "GET") == 0)
			continue;
		if (strcmp(rt->pattern, "/auth/backchannel-logout") == 0) {
			/* server to server; the signed logout token is the proof */
			CHECK(rt->access == ROUTE_PUBLIC && !rt->csrf);
			continue;
		}
		if (!rt->csrf || rt->access != ROUTE_SESSION)
			fprintf(stderr, "route %s %s changes state without session+CSRF\n",
				rt->method, rt->pattern);
		CHECK(rt->csrf && rt->access == ROUTE_SESSION);
	}
}

static void test_no_duplicates(void)
{
	size_t i, j;

	for (i = 0; i < route_count; i++)
		for (j = i + 1; j < route_count; j++)
			CHECK(!(strcmp(route_table[i].method, route_table[j].method) == 0 &&
				strcmp(route_table[i].pattern, route_table[j].pattern) == 0));
}

static void test_match(void)
{
	struct req r;
	const struct route *rt;
	char allow[64];

	memset(&r, 0, sizeof(r));
	CHECK_INT(route_match(&r, "GET", "/p/navy-blazer", &rt, allow, sizeof(allow)), LV_OK);
	CHECK_STR(rt->name, "product");
	CHECK_STR(r.params[0], "navy-blazer");
	CHECK_INT(route_match(&r, "GET", "/static/ab12cd34/style.css", &rt, allow, sizeof(allow)), LV_OK);
	CHECK_STR(r.params[0], "ab12cd34");
	CHECK_STR(r.params[1], "style.css");
	CHECK_INT(route_match(&r, "HEAD", "/", &rt, allow, sizeof(allow)), LV_OK);
	CHECK_INT(route_match(&r, "DELETE", "/", &rt, allow, sizeof(allow)), LV_EINVAL);
	CHECK_STR(allow, "GET");
	CHECK_INT(route_match(&r, "GET", "/auth/logout", &rt, allow, sizeof(allow)), LV_EINVAL);
	CHECK_STR(allow, "POST");
	CHECK_INT(route_match(&r, "GET", "/nope", &rt, allow, sizeof(allow)), LV_ENOTFOUND);
	CHECK_INT(route_match(&r, "GET", "/p/", &rt, allow, sizeof(allow)), LV_ENOTFOUND);
	CHECK_INT(route_match(&r, "GET", "/p/a/b", &rt, allow, sizeof(allow)), LV_ENOTFOUND);
	CHECK_INT(route_match(&r, "GET", "/static/x", &rt, allow, sizeof(allow)), LV_ENOTFOUND);
}

int main(void)
{
	LV_RUN(test_state_changing_routes_need_csrf);
	LV_RUN(test_no_duplicates);
	LV_RUN(test_match);
	return lv_test_done();
}
