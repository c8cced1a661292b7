/*
 * migrate.h - numbered schema migrations compiled into the binary.
 *
 * Each file store/storage/migrations/NNNN_what.sql is one migration; the
 * build embeds them all (scripts/cmake/embed_migrations.cmake) as
 * lv_migrations[], in order. A released migration is never edited: a change
 * to the schema is a new file with the next number.
 */
#ifndef LV_MIGRATE_H
#define LV_MIGRATE_H

#include <sqlite3.h>
#include <stddef.h>

struct lv_migration {
	int version;      /* NNNN from the file name */
	const char *name; /* the file name without .sql */
	const char *sql;  /* the whole script */
};

extern const struct lv_migration lv_migrations[];
extern const int lv_migrations_count;

/* The newest schema version this binary knows. */
int migrate_latest_version(void);

/*
 * Brings db to the newest version, every pending migration in one
 * transaction, recording the version in PRAGMA user_version. A database
 * whose version is newer than this binary's is refused with LV_ECONFLICT.
 * On error, msg (size msglen) says what went wrong and the database is
 * left as it was (*to == *from). OUT: *from and *to (may be NULL).
 */
int migrate_apply(sqlite3 *db, int *from, int *to, char *msg, size_t msglen);

#endif
