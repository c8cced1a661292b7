/*
 * lv_db.h - one SQLite connection with its cache of prepared statements.
 *
 * Every connection Livery opens is set up the same way: WAL journal,
 * foreign keys on, a busy timeout, synchronous=FULL (an order the employee
 * was told about survives a power cut). A connection belongs to one thread
 * at a time (the HTTP face keeps one per worker thread).
 *
 * Statements are prepared once per connection and reused: lv_db_stmt()
 * looks the SQL text up in the connection's cache (keyed by the text
 * itself, so pass string literals) and hands back a statement that is reset
 * and has no bindings. The caller steps it and then calls lv_db_done() (or
 * sqlite3_reset()) before the next use; it never finalizes it.
 */
#ifndef LV_DB_H
#define LV_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct lv_db {
	sqlite3 *conn;
	struct lv_db_cached *cache; /* open hash table of prepared statements */
	size_t cache_len;
	size_t cache_cap;
	unsigned app_flags; /* the application's own marks (e.g. which SQL
			     * functions it registered on this connection) */
};

/*
 * Opens (creating when create != 0) the database at path into *out (caller
 * frees with lv_db_close). busy_ms is the busy timeout. On error *out is
 * NULL, msg says why, and LV_EUNAVAIL is returned.
 */
int lv_db_open(const char *path, int create, int busy_ms, struct lv_db **out,
	       char *msg, size_t msglen);
/* Finalizes every cached statement and closes. Accepts NULL. */
void lv_db_close(struct lv_db *db);

/*
 * OUT: *stmt, the cached statement for sql (prepared on first use), reset
 * and with bindings cleared. Owned by db. Returns LV_OK, or LV_EINTERNAL
 * when the SQL does not prepare (a programming error, logged).
 */
int lv_db_stmt(struct lv_db *db, const char *sql, sqlite3_stmt **stmt);
/* Resets stmt so its locks are released; accepts NULL. */
void lv_db_done(sqlite3_stmt *stmt);

/* Runs one or more statements without results (DDL, BEGIN, COMMIT). */
int lv_db_exec(struct lv_db *db, const char *sql);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Rollback accepts "no transaction". */
int lv_db_begin(struct lv_db *db);
int lv_db_commit(struct lv_db *db);
void lv_db_rollback(struct lv_db *db);

/*
 * For functions that write "inside the caller's transaction when there is
 * one, else in their own": lv_db_tx_begin opens BEGIN IMMEDIATE only when
 * no transaction is open (OUT: *own = 1 then); lv_db_tx_end commits
 * (rc == LV_OK) or rolls back what it opened, and returns rc (or the
 * commit's error). With *own = 0 both do nothing but pass rc through.
 */
int lv_db_tx_begin(struct lv_db *db, int *own);
int lv_db_tx_end(struct lv_db *db, int own, int rc);

/*
 * Runs sql (a literal selecting one integer column, with one text
 * parameter ?1 bound to key). OUT: *id, 0 when absent. Returns LV_OK,
 * LV_ENOTFOUND when no row matches, or LV_EINTERNAL.
 */
int lv_db_lookup_id(struct lv_db *db, const char *sql, const char *key, int64_t *id);

/* Binds text or NULL when s is NULL (SQLITE_TRANSIENT copy). */
int lv_db_bind_text(sqlite3_stmt *stmt, int idx, const char *s);

/*
 * A copy of column col of the current row (caller lv_free()s it); when the
 * column is NULL, a copy of null_as, or NULL when null_as is NULL too.
 */
char *lv_db_column_strdup(sqlite3_stmt *stmt, int col, const char *null_as);

#endif
