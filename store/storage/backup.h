/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * backup.h - copies of the store's database: the online backup taken while
 * the store serves, the checks a file must pass before it may replace the
 * database, the restore itself, and the copy kept before migrations.
 *
 * The database is the store's whole state (uploaded pictures live in its
 * images table), so one file is one complete backup. A backup is written
 * with SQLite's online backup API from one read snapshot of the database,
 * so it is consistent however busy the store is, into OUT.tmp, then synced
 * and renamed to OUT (mode 0600): a reader never sees half a file. The
 * copy is a self-contained rollback-journal database (no -wal beside it).
 *
 * A restore refuses, before changing anything, a file that is not a
 * Livery database this binary can use, and a database that another
 * process has open (it takes SQLite's exclusive lock on the live database
 * and holds it to the end, so a store that is serving, or starting, cannot
 * use the database meanwhile). It then keeps the current database aside
 * and copies the backup into the live database through SQLite, in one
 * transaction, so the old -wal is never replayed over the new content and
 * a crash half-way leaves the old database (docs/operations.md).
 */
#ifndef LV_BACKUP_H
#define LV_BACKUP_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* How many automatic copies taken before migrations are kept. */
#define BACKUP_PRE_MIGRATE_KEEP 5

struct backup_opts {
	int force;         /* replace a file already at out */
	int no_check;      /* skip the integrity check of the copy */
	int step_pages;    /* pages copied per step; 0: the default (1024) */
	int step_sleep_ms; /* pause between steps; 0: the default (2), < 0: none */
};

struct backup_info {
	int64_t bytes;     /* the size of the file */
	int64_t pages;     /* its pages */
	int user_version;  /* its schema version (PRAGMA user_version) */
};

/*
 * Writes a consistent copy of the main database of src to out: out.tmp
 * first (a stale one is replaced), fsync'd, checked with PRAGMA
 * integrity_check unless opts->no_check, then renamed to out and the
 * folder fsync'd. src must not be inside a transaction; it may be used by
 * other connections and processes meanwhile (they keep writing: the copy
 * is the snapshot taken when the backup started). opts may be NULL (the
 * defaults). OUT: *info (may be NULL). Returns LV_OK; LV_ECONFLICT when
 * out exists and opts->force is not set, or out is the database itself;
 * LV_EINVAL when the copy fails its check; LV_EUNAVAIL for I/O and SQLite
 * errors. On error msg says why and out is untouched.
 */
int backup_copy_write(sqlite3 *src, const char *out, const struct backup_opts *opts,
		      struct backup_info *info, char *msg, size_t msglen);

/*
 * backup_copy_write() of the database at db_path (which must exist),
 * opened with busy timeout busy_ms for the time of the copy.
 */
int backup_path_write(const char *db_path, int busy_ms, const char *out,
		      const struct backup_opts *opts, struct backup_info *info,
		      char *msg, size_t msglen);

/*
 * Checks that path may be restored by this binary: an SQLite database
 * whose size agrees with its header, that passes PRAGMA integrity_check,
 * whose schema version is from 1 to migrate_latest_version(), and that
 * holds the store's core tables of that version. Reads the file only
 * (nothing is created beside it). OUT: *info (may be NULL). Returns LV_OK;
 * LV_ENOTFOUND (no such file); LV_EINVAL (not usable: msg says why);
 * LV_ECONFLICT (a schema newer than this binary's).
 */
int backup_file_check(const char *path, struct backup_info *info, char *msg, size_t msglen);

struct backup_restore_report {
	int backup_version;   /* the schema version of the backup */
	int version;          /* the database's after the migrations */
	char aside[4096];     /* the copy of the replaced database ("" when none) */
};

/*
 * Makes backup the database at db_path: backup_file_check(); the exclusive
 * lock on db_path (waiting busy_ms at most); a copy of the current
 * database (when it has any content) to db_path.before-restore-<UTC time>;
 * the backup copied in through SQLite in one transaction; the migrations
 * up to this binary's version. db_path is created when absent (its folder
 * must exist). OUT: *rep. Returns LV_OK, or the error of the step that
 * failed with msg saying why: every refusal (the checks, LV_ECONFLICT when
 * the database is in use) and every failure before the copy-in leaves the
 * database as it was; a migration that fails leaves the restored database
 * at the last version that applied.
 */
int backup_file_restore(const char *db_path, const char *backup, int busy_ms,
			struct backup_restore_report *rep, char *msg, size_t msglen);

/*
 * Before migrations: when db (the store's database in data_dir) already
 * holds a schema (user_version > 0) older than this binary's, writes
 * data_dir/backups/livery-pre-migrate-v<from>-<UTC time>.db (checked, as
 * backup_copy_write) and removes all but the newest
 * BACKUP_PRE_MIGRATE_KEEP of those files. OUT: path (size pathlen), the
 * file written, or "" when no migration is pending. Returns LV_OK or the
 * error of backup_copy_write (msg says why); the caller then must not
 * migrate.
 */
int backup_before_migrate(sqlite3 *db, const char *data_dir, char *path, size_t pathlen,
			  char *msg, size_t msglen);

#endif
