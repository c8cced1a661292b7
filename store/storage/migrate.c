/*
 * migrate.c - applies the numbered migrations compiled into the binary.
 *
 * The schema version lives in PRAGMA user_version. Each pending migration
 * runs in its own BEGIN IMMEDIATE transaction together with the version
 * bump, so a failure leaves the database at the last complete version and
 * two processes starting at once cannot both apply the same step.
 *
 * Modules outside store/ own the DDL of their tables (sso/ has
 * sso_schema_v1) and the store applies it here, inside the transaction of
 * the migration listed in module_steps[]. Like a .sql file, a released
 * module step is never edited; a change is a new step at a new version.
 */
#include "migrate.h"

#include <stdio.h>

#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "sso.h"

struct module_step {
	int version;
	const char *what;
	const char *sql;
};

static const struct module_step module_steps[] = {
	{ 1, "sso_schema_v1", sso_schema_v1 },
};

int migrate_latest_version(void)
{
	return lv_migrations_count ? lv_migrations[lv_migrations_count - 1].version : 0;
}

static int migrate_user_version(sqlite3 *db, int *out)
{
	sqlite3_stmt *stmt = NULL;
	int rc = LV_EINTERNAL;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		goto out;
	*out = sqlite3_column_int(stmt, 0);
	rc = LV_OK;
out:
	sqlite3_finalize(stmt);
	return rc;
}

/* Runs sql, copying SQLite's message into msg on failure. */
static int migrate_exec(sqlite3 *db, const char *what, const char *sql,
			char *msg, size_t msglen)
{
	char *err = NULL;
	int rc = LV_OK;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		lv_snprintf(msg, msglen, "migration %s failed: %s", what,
			    err ? err : sqlite3_errmsg(db));
		rc = LV_EINTERNAL;
	}
	sqlite3_free(err);
	return rc;
}

static int migrate_one(sqlite3 *db, const struct lv_migration *m, char *msg,
		       size_t msglen)
{
	char bump[64];
	size_t i;
	int rc, current = 0;

	rc = migrate_exec(db, m->name, "BEGIN IMMEDIATE", msg, msglen);
	if (rc != LV_OK)
		return rc;
	/* Another process may have applied it while we waited for the lock. */
	rc = migrate_user_version(db, &current);
	if (rc != LV_OK || current >= m->version)
		goto out;
	for (i = 0; i < sizeof(module_steps) / sizeof(module_steps[0]); i++) {
		if (module_steps[i].version != m->version)
			continue;
		rc = migrate_exec(db, module_steps[i].what, module_steps[i].sql,
				  msg, msglen);
		if (rc != LV_OK)
			goto out;
	}
	rc = migrate_exec(db, m->name, m->sql, msg, msglen);
	if (rc != LV_OK)
		goto out;
	lv_snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", m->version);
	rc = migrate_exec(db, m->name, bump, msg, msglen);
out:
	if (rc == LV_OK)
		rc = migrate_exec(db, m->name, "COMMIT", msg, msglen);
	if (rc != LV_OK && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int migrate_apply(sqlite3 *db, int *from, int *to, char *msg, size_t msglen)
{
	int rc, i, version = 0, latest = migrate_latest_version();

	rc = migrate_user_version(db, &version);
	if (rc != LV_OK) {
		lv_snprintf(msg, msglen, "cannot read the schema version: %s",
			    sqlite3_errmsg(db));
		goto out;
	}
	if (from)
		*from = version;
	if (version > latest) {
		lv_snprintf(msg, msglen,
			    "the database is at schema version %d but this livery "
			    "(%s) only knows up to %d: use a newer livery, or restore "
			    "a backup made by this one",
			    version, LIVERY_VERSION, latest);
		rc = LV_ECONFLICT;
		goto out;
	}
	for (i = 0; i < lv_migrations_count; i++) {
		const struct lv_migration *m = &lv_migrations[i];

		if (m->version <= version)
			continue;
		rc = migrate_one(db, m, msg, msglen);
		if (rc != LV_OK)
			goto out;
		lv_info("migrate", "version=%d name=%s", m->version, m->name);
		version = m->version;
	}
out:
	if (to)
		*to = version;
	return rc;
}
