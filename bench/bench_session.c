/*
 * bench_session.c - prints a session cookie for a benchmark employee, so
 * that wrk can load signed-in pages without driving a browser through the
 * identity provider. It uses the same code as a real sign-in after the
 * token checks: employee_upsert_from_claims() and sso_session_create().
 *
 * usage: bench_session CONFIG
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "employee.h"
#include "lv_db.h"
#include "lv_err.h"
#include "migrate.h"
#include "session.h"
#include "sso.h"

int main(int argc, char **argv)
{
	struct employee_claims_map map = { "employee_id", "department", "cost_center",
					   "site", "groups", "locale", "manager" };
	struct sso_identity id;
	struct sso_session_token tok;
	struct livery *app = NULL;
	struct lv_db *db = NULL;
	json_t *claims;
	char msg[1024];
	int64_t emp = 0;
	int active = 0, rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_session CONFIG\n");
		return 2;
	}
	claims = json_pack("{s:s,s:s,s:s,s:s,s:[s]}", "name", "Bench Mark", "employee_id",
			   "B0001", "department", "Warehouse", "locale", "en", "groups", "staff");
	if (app_new(argv[1], 1, &app, msg, sizeof(msg)) != LV_OK ||
	    app_db_open(app, 1, &db, msg, sizeof(msg)) != LV_OK ||
	    migrate_apply(db->conn, NULL, NULL, msg, sizeof(msg)) != LV_OK) {
		fprintf(stderr, "bench_session: %s\n", msg);
		goto out;
	}
	if (employee_upsert_from_claims(db, &map, "bench", "bench-1", claims, &emp, &active) != LV_OK)
		goto out;
	memset(&id, 0, sizeof(id));
	id.iss = "bench";
	id.sub = "bench-1";
	id.claims = claims;
	if (sso_session_create(app->rp, db, emp, &id, &tok) != LV_OK)
		goto out;
	printf("%s\n", tok.cookie);
	rc = 0;
out:
	json_decref(claims);
	lv_db_close(db);
	app_free(app);
	return rc;
}
