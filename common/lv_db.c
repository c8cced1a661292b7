/*
 * lv_db.c - SQLite connections set up one way, with a statement cache
 * (see lv_db.h).
 *
 * The cache is an open-addressing hash table keyed by the address of the SQL
 * text: callers pass string literals, so the address identifies the
 * statement and a lookup costs one pointer hash. A different pointer with
 * the same text simply gets its own prepared copy, which is still correct.
 */
#include "lv_db.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"

struct lv_db_cached {
	const char *sql;
	sqlite3_stmt *stmt;
};

static pthread_once_t lv_db_once = PTHREAD_ONCE_INIT;

/*
 * Before SQLite initialises, once per process: no allocation statistics.
 * They take a global mutex on every allocation, which the worker threads
 * queue on (docs/performance.md). Too late when the process already used
 * SQLite: then nothing changes.
 */
static void lv_db_library_init(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int lv_db_open(const char *path, int create, int busy_ms, struct lv_db **out,
	       char *msg, size_t msglen)
{
	struct lv_db *db = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int rc = LV_EUNAVAIL;
	char *err = NULL;

	*out = NULL;
	pthread_once(&lv_db_once, lv_db_library_init);
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	db = lv_calloc(1, sizeof(*db));
	if (sqlite3_open_v2(path, &db->conn, flags, NULL) != SQLITE_OK) {
		lv_snprintf(msg, msglen, "cannot open database %s: %s", path,
			    db->conn ? sqlite3_errmsg(db->conn) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(db->conn, 1);
	sqlite3_busy_timeout(db->conn, busy_ms);
	if (sqlite3_exec(db->conn,
			 "PRAGMA journal_mode=WAL;"
			 "PRAGMA foreign_keys=ON;"
			 "PRAGMA synchronous=FULL;"
			 "PRAGMA trusted_schema=OFF;",
			 NULL, NULL, &err) != SQLITE_OK) {
		lv_snprintf(msg, msglen, "cannot set up database %s: %s", path,
			    err ? err : "unknown error");
		goto out;
	}
	*out = db;
	db = NULL;
	rc = LV_OK;
out:
	sqlite3_free(err);
	lv_db_close(db);
	return rc;
}

void lv_db_close(struct lv_db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->cache_cap; i++)
		sqlite3_finalize(db->cache[i].stmt);
	lv_free(db->cache);
	sqlite3_close(db->conn);
	lv_free(db);
}

static size_t db_hash(const char *sql, size_t cap)
{
	uintptr_t h = (uintptr_t)sql;

	h ^= h >> 17;
	h *= (uintptr_t)0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 7) & (cap - 1);
}

static void db_cache_grow(struct lv_db *db)
{
	size_t i, cap = db->cache_cap ? db->cache_cap * 2 : 64;
	struct lv_db_cached *old = db->cache, *t = lv_calloc(cap, sizeof(*t));

	for (i = 0; i < db->cache_cap; i++) {
		size_t j;

		if (old[i].sql == NULL)
			continue;
		j = db_hash(old[i].sql, cap);
		while (t[j].sql)
			j = (j + 1) & (cap - 1);
		t[j] = old[i];
	}
	lv_free(old);
	db->cache = t;
	db->cache_cap = cap;
}

int lv_db_stmt(struct lv_db *db, const char *sql, sqlite3_stmt **stmt)
{
	size_t j;
	sqlite3_stmt *s = NULL;

	*stmt = NULL;
	if (db->cache_cap == 0 || (db->cache_len + 1) * 2 > db->cache_cap)
		db_cache_grow(db);
	j = db_hash(sql, db->cache_cap);
	while (db->cache[j].sql && db->cache[j].sql != sql)
		j = (j + 1) & (db->cache_cap - 1);
	if (db->cache[j].sql == NULL) {
		if (sqlite3_prepare_v3(db->conn, sql, -1,
				       SQLITE_PREPARE_PERSISTENT, &s,
				       NULL) != SQLITE_OK) {
			lv_error("db_prepare", "error=\"%s\"",
				 sqlite3_errmsg(db->conn));
			return LV_EINTERNAL;
		}
		db->cache[j].sql = sql;
		db->cache[j].stmt = s;
		db->cache_len++;
	} else {
		s = db->cache[j].stmt;
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
	*stmt = s;
	return LV_OK;
}

void lv_db_done(sqlite3_stmt *stmt)
{
	if (stmt)
		sqlite3_reset(stmt);
}

int lv_db_exec(struct lv_db *db, const char *sql)
{
	char *err = NULL;
	int rc = LV_OK;
	int src = sqlite3_exec(db->conn, sql, NULL, NULL, &err);

	if (src != SQLITE_OK) {
		lv_error("db_exec", "code=%d error=\"%s\"", src,
			 err ? err : sqlite3_errstr(src));
		rc = (src & 0xff) == SQLITE_BUSY ? LV_ECONFLICT : LV_EINTERNAL;
	}
	sqlite3_free(err);
	return rc;
}

int lv_db_begin(struct lv_db *db)
{
	return lv_db_exec(db, "BEGIN IMMEDIATE");
}

int lv_db_commit(struct lv_db *db)
{
	return lv_db_exec(db, "COMMIT");
}

int lv_db_tx_begin(struct lv_db *db, int *own)
{
	*own = sqlite3_get_autocommit(db->conn);
	return *own ? lv_db_begin(db) : LV_OK;
}

int lv_db_tx_end(struct lv_db *db, int own, int rc)
{
	if (!own)
		return rc;
	if (rc == LV_OK)
		rc = lv_db_commit(db);
	if (rc != LV_OK)
		lv_db_rollback(db);
	return rc;
}

void lv_db_rollback(struct lv_db *db)
{
	if (!sqlite3_get_autocommit(db->conn))
		sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
}

int lv_db_bind_text(sqlite3_stmt *stmt, int idx, const char *s)
{
	int rc = s ? sqlite3_bind_text(stmt, idx, s, -1, SQLITE_TRANSIENT)
		   : sqlite3_bind_null(stmt, idx);

	return rc == SQLITE_OK ? LV_OK : LV_EINTERNAL;
}

char *lv_db_column_strdup(sqlite3_stmt *stmt, int col, const char *null_as)
{
	const char *s = (const char *)sqlite3_column_text(stmt, col);

	if (s == NULL)
		s = null_as;
	return s == NULL ? NULL : lv_strdup(s);
}

int lv_db_lookup_id(struct lv_db *db, const char *sql, const char *key, int64_t *id)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	*id = 0;
	rc = lv_db_stmt(db, sql, &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, key);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*id = sqlite3_column_int64(stmt, 0);
	else
		rc = LV_ENOTFOUND;
out:
	lv_db_done(stmt);
	return rc;
}
