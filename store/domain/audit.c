/*
 * audit.c - appending to the audit log (see audit.h).
 */
#include "audit.h"

#include <stdlib.h>

#include "lv_err.h"
#include "lv_log.h"
#include "lv_time.h"

int audit_append(struct lv_db *db, const struct audit_actor *who, const char *action,
		 const char *entity, const char *entity_id, json_t *before, json_t *after)
{
	sqlite3_stmt *stmt = NULL;
	char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int rc = LV_EINTERNAL;

	if (lv_db_stmt(db, "INSERT INTO audit_log (at, actor_employee, actor_label, address,"
			   " action, entity, entity_id, before, after)"
			   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &stmt) != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, lv_now());
	if (who->employee)
		sqlite3_bind_int64(stmt, 2, who->employee);
	lv_db_bind_text(stmt, 3, who->label);
	lv_db_bind_text(stmt, 4, who->address);
	lv_db_bind_text(stmt, 5, action);
	lv_db_bind_text(stmt, 6, entity);
	lv_db_bind_text(stmt, 7, entity_id);
	lv_db_bind_text(stmt, 8, b);
	lv_db_bind_text(stmt, 9, a);
	if (sqlite3_step(stmt) == SQLITE_DONE)
		rc = LV_OK;
	else
		lv_error("audit", "action=%s error=\"%s\"", action, sqlite3_errmsg(db->conn));
out:
	lv_db_done(stmt);
	free(b);
	free(a);
	return rc;
}
