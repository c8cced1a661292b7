/*
 * migrate.c - applies the numbered migrations compiled into the binary.
 *
 * The schema version lives in PRAGMA user_version. All pending migrations
 * run in one BEGIN IMMEDIATE transaction together with the version bumps,
 * so a failure leaves the database as it was before the upgrade, and two
 * processes starting at once cannot both apply the same step.
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

/* One migration's module steps, script and version bump, inside the caller's transaction. */
static int migrate_step(sqlite3 *db, const struct lv_migration *m, char *msg, size_t msglen)
{
	char bump[64];
	size_t i;
	int rc = LV_OK;

	for (i = 0; i < sizeof(module_steps) / sizeof(module_steps[0]) && rc == LV_OK; i++)
		if (module_steps[i].version == m->version)
			rc = migrate_exec(db, module_steps[i].what, module_steps[i].sql, msg, msglen);
	if (rc == LV_OK)
		rc = migrate_exec(db, m->name, m->sql, msg, msglen);
	if (rc == LV_OK) {
		lv_snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", m->version);
		rc = migrate_exec(db, m->name, bump, msg, msglen);
	}
	return rc;
}

/*
 * Every pending migration runs in one BEGIN IMMEDIATE transaction: either
 * the database reaches the binary's version, or it stays exactly as it was
 * (an upgrade across several migrations never stops half-way, at a version
 * neither the old nor the new livery was made for). The version is read
 * under the lock, so two processes starting at once apply nothing twice.
 */
int migrate_apply(sqlite3 *db, int *from, int *to, char *msg, size_t msglen)
{
	int rc, i, start = 0, version = 0, latest = migrate_latest_version();

	rc = migrate_exec(db, "(schema)", "BEGIN IMMEDIATE", msg, msglen);
	if (rc != LV_OK)
		goto out;
	rc = migrate_user_version(db, &start);
	if (rc != LV_OK) {
		lv_snprintf(msg, msglen, "cannot read the schema version: %s",
			    sqlite3_errmsg(db));
		goto out;
	}
	version = start;
	if (version > latest) {
		lv_snprintf(msg, msglen,
			    "the database is at schema version %d but this livery "
			    "(%s) only knows up to %d: use a newer livery, or restore "
			    "a backup made by this one",
			    version, LIVERY_VERSION, latest);
		rc = LV_ECONFLICT;
		goto out;
	}
	for (i = 0; i < lv_migrations_count && rc == LV_OK; i++) {
		if (lv_migrations[i].version <= start)
			continue;
		rc = migrate_step(db, &lv_migrations[i], msg, msglen);
		if (rc == LV_OK)
			version = lv_migrations[i].version;
	}
	if (rc == LV_OK)
		rc = migrate_exec(db, "(schema)", "COMMIT", msg, msglen);
out:
	if (rc != LV_OK) {
		if (!sqlite3_get_autocommit(db))
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		version = start;
	}
	for (i = 0; rc == LV_OK && i < lv_migrations_count; i++)
		if (lv_migrations[i].version > start)
			lv_info("migrate", "version=%d name=%s", lv_migrations[i].version,
				lv_migrations[i].name);
	if (from)
		*from = start;
	if (to)
		*to = version;
	return rc;
}
