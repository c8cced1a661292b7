/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * backup.c - backup, check and restore of the store's database (see
 * backup.h and docs/operations.md).
 *
 * The online copy holds one read transaction on the source connection for
 * the whole backup and steps through it in chunks with a short pause. The
 * store's database is in WAL mode, where a reader blocks no writer, so the
 * store keeps taking orders meanwhile, and because every step reads the
 * same snapshot the backup never has to start over when they commit (it
 * would, were each step to open a new read transaction). The price is a
 * WAL that cannot be checkpointed past the snapshot until the copy ends.
 *
 * Files that are to replace the database are read through an immutable
 * connection ("file:...?immutable=1"): SQLite then takes no lock and
 * creates no -wal or -shm beside them, and a copy whose header says WAL
 * (sqlite3's own .backup of a WAL database) can be read from a read-only
 * folder.
 *
 * The restore works through one connection in exclusive locking mode.
 * Its first transaction needs the database file's exclusive lock, which
 * SQLite cannot get while any other connection (of this or another
 * process) has the database open: every connection Livery opens reads at
 * once, and in WAL mode a connection keeps its shared lock until it
 * closes. Holding that lock, the connection leaves WAL mode (which
 * checkpoints what the old -wal held into the old database and deletes
 * the -wal), copies the backup in with the backup API in one
 * rollback-journal transaction, goes back to WAL and migrates. Nothing
 * ever renames a file over a database that has a -wal, which SQLite
 * would replay over the new content at the next open.
 */
#include "backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lv_buf.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "lv_time.h"
#include "migrate.h"

#define BACKUP_STEP_PAGES 1024
#define BACKUP_STEP_SLEEP_MS 2
/* a step that finds the database busy is tried again, for 10 s at most */
#define BACKUP_BUSY_TRIES 200
#define BACKUP_BUSY_SLEEP_MS 50

#define BACKUP_PRE_MIGRATE_PREFIX "livery-pre-migrate-v"
#define BACKUP_STAMP_LEN 16 /* YYYYMMDDTHHMMSSZ */

/*
 * The tables a Livery database of a schema version has, by the version
 * that created them (none has been dropped since). A file without them is
 * some other SQLite database.
 */
static const struct {
	const char *name;
	int since;
} backup_core_tables[] = {
	{ "employees", 1 },
	{ "audit_log", 1 },
	{ "sso_session", 1 },
	{ "categories", 2 },
	{ "products", 2 },
	{ "images", 2 },
	{ "variants", 2 },
	{ "allowance_programmes", 4 },
	{ "allowance_ledger", 4 },
	{ "orders", 5 },
	{ "order_lines", 5 },
	{ "policies", 6 },
};

static void backup_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int backup_busy(int s)
{
	return (s & 0xff) == SQLITE_BUSY || (s & 0xff) == SQLITE_LOCKED;
}

/* Runs sql; on failure msg is "<what>: <SQLite's message>". */
static int backup_exec(sqlite3 *db, const char *sql, const char *what, char *msg,
		       size_t msglen)
{
	char *err = NULL;
	int rc = LV_OK;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		lv_snprintf(msg, msglen, "%s: %s", what, err ? err : sqlite3_errmsg(db));
		rc = LV_EUNAVAIL;
	}
	sqlite3_free(err);
	return rc;
}

/* The one integer sql (a PRAGMA) answers. OUT: *out. */
static int backup_int_query(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *stmt = NULL;
	int rc = LV_EUNAVAIL;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW) {
		*out = sqlite3_column_int64(stmt, 0);
		rc = LV_OK;
	}
	sqlite3_finalize(stmt);
	return rc;
}

/* Runs sql (PRAGMA journal_mode=X) and checks that the mode became want. */
static int backup_journal_mode(sqlite3 *db, const char *sql, const char *want,
			       const char *name, char *msg, size_t msglen)
{
	sqlite3_stmt *stmt = NULL;
	const char *got = NULL;
	int rc = LV_EUNAVAIL;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		got = (const char *)sqlite3_column_text(stmt, 0);
	if (got && strcmp(got, want) == 0)
		rc = LV_OK;
	else
		lv_snprintf(msg, msglen, "%s: cannot switch to journal mode %s: %s", name, want,
			    got ? got : sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

/* Are a and b the same existing file? */
static int backup_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* The current UTC time as YYYYMMDDTHHMMSSZ into buf (at least 17 bytes). */
static void backup_stamp(char *buf, size_t len)
{
	time_t t = (time_t)lv_now();
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm) == 0)
		lv_strlcpy(buf, "00000000T000000Z", len);
}

/* fsync()s path (a folder when dir is set). */
static int backup_fsync(const char *path, int dir, char *msg, size_t msglen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
	int rc = LV_OK;

	if (fd < 0) {
		lv_snprintf(msg, msglen, "cannot open %s to sync it: %s", path, strerror(errno));
		return LV_EUNAVAIL;
	}
	if (fsync(fd) != 0) {
		lv_snprintf(msg, msglen, "cannot sync %s: %s", path, strerror(errno));
		rc = LV_EUNAVAIL;
	}
	close(fd);
	return rc;
}

/* fsync()s the folder that holds path. */
static int backup_fsync_dir_of(const char *path, char *msg, size_t msglen)
{
	char dir[PATH_MAX];
	char *slash;

	if (lv_strlcpy(dir, path, sizeof(dir)) >= sizeof(dir)) {
		lv_snprintf(msg, msglen, "%s: the name is too long", path);
		return LV_EINVAL;
	}
	slash = strrchr(dir, '/');
	if (slash == NULL)
		lv_strlcpy(dir, ".", sizeof(dir));
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	return backup_fsync(dir, 1, msg, msglen);
}

/*
 * Opens path read-only as immutable (no locks, nothing created beside it).
 * OUT: *db, closed by the caller with sqlite3_close (also on error).
 */
static int backup_open_ro(const char *path, sqlite3 **db, char *msg, size_t msglen)
{
	static const char keep[] = "/._~-";
	struct lv_buf uri;
	const unsigned char *p;
	int rc = LV_EUNAVAIL;

	*db = NULL;
	lv_buf_init(&uri, strlen(path) * 3 + 64);
	lv_buf_append_str(&uri, "file:");
	for (p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(keep, *p))
			lv_buf_append_char(&uri, (char)*p);
		else
			lv_buf_printf(&uri, "%%%02X", *p);
	}
	lv_buf_append_str(&uri, "?immutable=1");
	if (sqlite3_open_v2(lv_buf_str(&uri), db,
			    SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		lv_snprintf(msg, msglen, "cannot open %s: %s", path,
			    *db ? sqlite3_errmsg(*db) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(*db, 1);
	rc = LV_OK;
out:
	lv_buf_cleanup(&uri);
	return rc;
}

static uint32_t backup_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * The checks the first 100 bytes allow: the SQLite magic, a page size, a
 * file size of whole pages and, when the header's page count is valid
 * (its version-valid-for equals the change counter), at least that many
 * pages. OUT: *size. name is how msg calls the file.
 */
static int backup_header_check(const char *path, const char *name, int64_t *size,
			       char *msg, size_t msglen)
{
	unsigned char h[100];
	struct stat st;
	uint32_t page_size, pages;
	int fd, rc = LV_EINVAL;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = errno == ENOENT ? LV_ENOTFOUND : LV_EUNAVAIL;
		lv_snprintf(msg, msglen, "cannot open %s: %s", name, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		lv_snprintf(msg, msglen, "%s is not a regular file", name);
		goto out;
	}
	if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h, "SQLite format 3", 16) != 0) {
		lv_snprintf(msg, msglen, "%s is not an SQLite database", name);
		goto out;
	}
	page_size = (uint32_t)h[16] << 8 | h[17];
	if (page_size == 1)
		page_size = 65536;
	if (page_size < 512 || (page_size & (page_size - 1)) != 0) {
		lv_snprintf(msg, msglen, "%s is damaged: its header gives no valid page size", name);
		goto out;
	}
	if (st.st_size % page_size != 0) {
		lv_snprintf(msg, msglen, "%s is truncated or damaged: its %lld bytes are not "
			    "a whole number of %u-byte pages", name, (long long)st.st_size,
			    (unsigned)page_size);
		goto out;
	}
	pages = backup_be32(h + 28);
	if (pages > 0 && backup_be32(h + 24) == backup_be32(h + 92) &&
	    (int64_t)pages * page_size > (int64_t)st.st_size) {
		lv_snprintf(msg, msglen, "%s is truncated: its header counts %u pages "
			    "(%lld bytes) but the file has %lld bytes", name, (unsigned)pages,
			    (long long)pages * page_size, (long long)st.st_size);
		goto out;
	}
	*size = st.st_size;
	rc = LV_OK;
out:
	close(fd);
	return rc;
}

/* PRAGMA integrity_check on db: "ok", or msg names the first problem. */
static int backup_integrity_check(sqlite3 *db, const char *name, char *msg, size_t msglen)
{
	sqlite3_stmt *stmt = NULL;
	const char *text;
	char *p;
	int rc = LV_EINVAL, s;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(10)", -1, &stmt, NULL) != SQLITE_OK) {
		lv_snprintf(msg, msglen, "%s is not a usable SQLite database: %s", name,
			    sqlite3_errmsg(db));
		goto out;
	}
	s = sqlite3_step(stmt);
	if (s != SQLITE_ROW) {
		lv_snprintf(msg, msglen, "%s is not a usable SQLite database: %s", name,
			    sqlite3_errmsg(db));
		goto out;
	}
	text = (const char *)sqlite3_column_text(stmt, 0);
	if (text && strcmp(text, "ok") == 0) {
		rc = LV_OK;
		goto out;
	}
	lv_snprintf(msg, msglen, "%s fails SQLite's integrity check: %s", name,
		    text ? text : "no answer");
	for (p = msg; *p; p++) /* one line */
		if (*p == '\n')
			*p = ' ';
out:
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * The header checks, then path opened read-only, its integrity checked
 * (when check is set) and its schema version read. OUT: *db (may be NULL:
 * then it is closed here), *info. name is how msg calls the file.
 */
static int backup_inspect(const char *path, const char *name, int check, sqlite3 **db,
			  struct backup_info *info, char *msg, size_t msglen)
{
	sqlite3 *conn = NULL;
	int64_t v = 0, pages = 0;
	int rc;

	memset(info, 0, sizeof(*info));
	if (db)
		*db = NULL;
	rc = backup_header_check(path, name, &info->bytes, msg, msglen);
	if (rc == LV_OK)
		rc = backup_open_ro(path, &conn, msg, msglen);
	if (rc == LV_OK && check)
		rc = backup_integrity_check(conn, name, msg, msglen);
	if (rc != LV_OK)
		goto out;
	if (backup_int_query(conn, "PRAGMA user_version", &v) != LV_OK ||
	    backup_int_query(conn, "PRAGMA page_count", &pages) != LV_OK) {
		lv_snprintf(msg, msglen, "%s is not a usable SQLite database: %s", name,
			    sqlite3_errmsg(conn));
		rc = LV_EINVAL;
		goto out;
	}
	info->user_version = (int)v;
	info->pages = pages;
	if (db) {
		*db = conn;
		conn = NULL;
	}
out:
	sqlite3_close(conn);
	return rc;
}

/*
 * Copies the main database of src into the new file tmp (mode 0600),
 * chunk by chunk from one read snapshot, then makes tmp a self-contained
 * rollback-journal database and syncs it. OUT: *pages.
 */
static int backup_snapshot_copy(sqlite3 *src, const char *tmp, const struct backup_opts *o,
				int64_t *pages, char *msg, size_t msglen)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b = NULL;
	int fd, s, busy = 0, in_txn = 0, rc = LV_EUNAVAIL;

	if (!sqlite3_get_autocommit(src)) {
		lv_snprintf(msg, msglen, "cannot back up from inside a transaction");
		return LV_EINTERNAL;
	}
	if (unlink(tmp) != 0 && errno != ENOENT) {
		lv_snprintf(msg, msglen, "cannot remove the stale %s: %s", tmp, strerror(errno));
		return LV_EUNAVAIL;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		lv_snprintf(msg, msglen, "cannot create %s: %s", tmp, strerror(errno));
		return LV_EUNAVAIL;
	}
	(void)fchmod(fd, 0600); /* whatever the umask */
	close(fd);
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		lv_snprintf(msg, msglen, "cannot open %s: %s", tmp,
			    dst ? sqlite3_errmsg(dst) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(dst, 1);
	/*
	 * Nobody uses tmp before it is complete: no journal, no syncs until
	 * the end. Exclusive locking keeps SQLite from making a -shm for it
	 * when the header it copies says WAL.
	 */
	if (backup_exec(dst, "PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=OFF;"
			"PRAGMA synchronous=OFF", tmp, msg, msglen) != LV_OK)
		goto out;
	/* one snapshot for every step (the database is in WAL mode: writers carry on) */
	in_txn = 1;
	if (backup_exec(src, "BEGIN; SELECT count(*) FROM sqlite_schema",
			"cannot read the database", msg, msglen) != LV_OK)
		goto out;
	b = sqlite3_backup_init(dst, "main", src, "main");
	if (b == NULL) {
		lv_snprintf(msg, msglen, "cannot start the backup: %s", sqlite3_errmsg(dst));
		goto out;
	}
	for (;;) {
		s = sqlite3_backup_step(b, o->step_pages);
		if (s == SQLITE_DONE)
			break;
		if (s == SQLITE_OK) {
			busy = 0;
			if (o->step_sleep_ms > 0)
				backup_sleep_ms(o->step_sleep_ms);
			continue;
		}
		if (backup_busy(s) && busy++ < BACKUP_BUSY_TRIES) {
			backup_sleep_ms(BACKUP_BUSY_SLEEP_MS);
			continue;
		}
		lv_snprintf(msg, msglen, "the backup failed: %s", sqlite3_errstr(s));
		goto out;
	}
	*pages = sqlite3_backup_pagecount(b);
	s = sqlite3_backup_finish(b);
	b = NULL;
	if (s != SQLITE_OK) {
		lv_snprintf(msg, msglen, "the backup failed: %s", sqlite3_errmsg(dst));
		goto out;
	}
	sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
	in_txn = 0;
	/* the header copied from a WAL database says WAL: make it a plain file */
	if (backup_journal_mode(dst, "PRAGMA journal_mode=DELETE", "delete", tmp, msg,
				msglen) != LV_OK)
		goto out;
	s = sqlite3_close(dst);
	dst = NULL;
	if (s != SQLITE_OK) {
		lv_snprintf(msg, msglen, "cannot close %s: %s", tmp, sqlite3_errstr(s));
		goto out;
	}
	rc = backup_fsync(tmp, 0, msg, msglen);
out:
	sqlite3_backup_finish(b);
	if (in_txn && !sqlite3_get_autocommit(src))
		sqlite3_exec(src, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(dst);
	return rc;
}

/* Renames tmp to out, never over an existing out unless force. */
static int backup_rename(const char *tmp, const char *out, int force, char *msg, size_t msglen)
{
	int r;

	if (force) {
		r = rename(tmp, out);
	} else {
		r = renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_NOREPLACE);
		if (r != 0 && (errno == EINVAL || errno == ENOSYS)) {
			/* a file system without RENAME_NOREPLACE: link() does not replace either */
			r = link(tmp, out);
			if (r == 0)
				(void)unlink(tmp);
		}
	}
	if (r == 0)
		return LV_OK;
	if (errno == EEXIST) {
		lv_snprintf(msg, msglen, "%s already exists (use --force to replace it)", out);
		return LV_ECONFLICT;
	}
	lv_snprintf(msg, msglen, "cannot rename %s to %s: %s", tmp, out, strerror(errno));
	return LV_EUNAVAIL;
}

int backup_copy_write(sqlite3 *src, const char *out, const struct backup_opts *opts,
		      struct backup_info *info, char *msg, size_t msglen)
{
	struct backup_opts o = { 0, 0, BACKUP_STEP_PAGES, BACKUP_STEP_SLEEP_MS };
	struct backup_info got;
	struct stat st;
	const char *db_file = sqlite3_db_filename(src, "main");
	char tmp[PATH_MAX];
	int64_t pages = 0;
	int rc, made = 0;

	memset(&got, 0, sizeof(got));
	if (opts) {
		o = *opts;
		if (o.step_pages <= 0)
			o.step_pages = BACKUP_STEP_PAGES;
		if (o.step_sleep_ms == 0)
			o.step_sleep_ms = BACKUP_STEP_SLEEP_MS;
	}
	if (lv_snprintf(tmp, sizeof(tmp), "%s.tmp", out) < 0) {
		lv_snprintf(msg, msglen, "%s: the name is too long", out);
		rc = LV_EINVAL;
		goto out;
	}
	if (db_file && *db_file &&
	    (backup_same_file(db_file, out) || backup_same_file(db_file, tmp))) {
		lv_snprintf(msg, msglen, "%s is the database itself", out);
		rc = LV_ECONFLICT;
		goto out;
	}
	if (!o.force && lstat(out, &st) == 0) {
		lv_snprintf(msg, msglen, "%s already exists (use --force to replace it)", out);
		rc = LV_ECONFLICT;
		goto out;
	}
	made = 1;
	rc = backup_snapshot_copy(src, tmp, &o, &pages, msg, msglen);
	if (rc == LV_OK)
		rc = backup_inspect(tmp, out, !o.no_check, NULL, &got, msg, msglen);
	if (rc == LV_OK)
		rc = backup_rename(tmp, out, o.force, msg, msglen);
	if (rc != LV_OK)
		goto out;
	made = 0;
	rc = backup_fsync_dir_of(out, msg, msglen);
	got.pages = pages;
	if (info)
		*info = got;
out:
	if (made)
		(void)unlink(tmp);
	return rc;
}

int backup_path_write(const char *db_path, int busy_ms, const char *out,
		      const struct backup_opts *opts, struct backup_info *info,
		      char *msg, size_t msglen)
{
	sqlite3 *db = NULL;
	struct stat st;
	int rc = LV_EUNAVAIL;

	/* sqlite3_open_v2 would create an empty database where there is none */
	if (stat(db_path, &st) != 0) {
		lv_snprintf(msg, msglen, "cannot open the database %s: %s", db_path,
			    strerror(errno));
		return errno == ENOENT ? LV_ENOTFOUND : LV_EUNAVAIL;
	}
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		lv_snprintf(msg, msglen, "cannot open the database %s: %s", db_path,
			    db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, busy_ms);
	rc = backup_copy_write(db, out, opts, info, msg, msglen);
out:
	sqlite3_close(db);
	return rc;
}

/* Are the core tables of schema version there? */
static int backup_tables_check(sqlite3 *db, int version, const char *name, char *msg,
			       size_t msglen)
{
	sqlite3_stmt *stmt = NULL;
	size_t i;
	int rc = LV_OK;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema"
			       " WHERE type = 'table' AND name = ?1",
			       -1, &stmt, NULL) != SQLITE_OK) {
		lv_snprintf(msg, msglen, "%s: cannot read its schema: %s", name,
			    sqlite3_errmsg(db));
		return LV_EINVAL;
	}
	for (i = 0; i < sizeof(backup_core_tables) / sizeof(backup_core_tables[0]); i++) {
		if (backup_core_tables[i].since > version)
			continue;
		sqlite3_reset(stmt);
		sqlite3_bind_text(stmt, 1, backup_core_tables[i].name, -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) != SQLITE_ROW || sqlite3_column_int(stmt, 0) != 1) {
			lv_snprintf(msg, msglen, "%s is not a Livery database: it has no table %s",
				    name, backup_core_tables[i].name);
			rc = LV_EINVAL;
			break;
		}
	}
	sqlite3_finalize(stmt);
	return rc;
}

int backup_file_check(const char *path, struct backup_info *info, char *msg, size_t msglen)
{
	struct backup_info got;
	sqlite3 *db = NULL;
	int rc, latest = migrate_latest_version();

	rc = backup_inspect(path, path, 1, &db, &got, msg, msglen);
	if (rc != LV_OK)
		goto out;
	if (got.user_version <= 0) {
		lv_snprintf(msg, msglen, "%s is not a Livery database: it has no schema "
			    "version (PRAGMA user_version is %d)", path, got.user_version);
		rc = LV_EINVAL;
		goto out;
	}
	if (got.user_version > latest) {
		lv_snprintf(msg, msglen, "%s has schema version %d, newer than this livery "
			    "(%s) knows (%d): restore it with the livery that wrote it, or a "
			    "newer one", path, got.user_version, LIVERY_VERSION, latest);
		rc = LV_ECONFLICT;
		goto out;
	}
	rc = backup_tables_check(db, got.user_version, path, msg, msglen);
out:
	sqlite3_close(db);
	if (info)
		*info = got;
	return rc;
}

/*
 * Opens db_path (creating it when absent) in exclusive locking mode and
 * takes the exclusive lock, which it keeps until closed. OUT: *out.
 * Returns LV_ECONFLICT when another connection has the database open.
 */
static int backup_live_lock(const char *db_path, int busy_ms, sqlite3 **out, char *msg,
			    size_t msglen)
{
	sqlite3 *db = NULL;
	int s, rc = LV_EUNAVAIL;

	*out = NULL;
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		lv_snprintf(msg, msglen, "cannot open the database %s: %s", db_path,
			    db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, busy_ms);
	if (backup_exec(db, "PRAGMA locking_mode=EXCLUSIVE", db_path, msg, msglen) != LV_OK)
		goto out;
	s = sqlite3_exec(db, "BEGIN EXCLUSIVE; COMMIT", NULL, NULL, NULL);
	if (backup_busy(s)) {
		lv_snprintf(msg, msglen, "the database %s is in use by another process (is "
			    "livery serving it? Stop the service first, e.g. systemctl stop "
			    "livery)", db_path);
		rc = LV_ECONFLICT;
		goto out;
	}
	if (s != SQLITE_OK) {
		lv_snprintf(msg, msglen, "cannot lock the database %s: %s", db_path,
			    sqlite3_errmsg(db));
		goto out;
	}
	/* as lv_db_open sets up every connection, for the migrations */
	if (backup_exec(db, "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;"
			"PRAGMA trusted_schema=OFF", db_path, msg, msglen) != LV_OK)
		goto out;
	*out = db;
	db = NULL;
	rc = LV_OK;
out:
	if (db && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

/*
 * Replaces the content of live (locked by backup_live_lock) with the
 * database in the file backup, in one transaction. On error the
 * transaction is rolled back: the database holds what it held.
 */
static int backup_copy_in(sqlite3 *live, const char *db_path, const char *backup,
			  char *msg, size_t msglen)
{
	sqlite3 *src = NULL;
	sqlite3_backup *b = NULL;
	char shm[PATH_MAX];
	int s, busy = 0, rc;

	/* checkpoints the old -wal into the old database and deletes it */
	rc = backup_journal_mode(live, "PRAGMA journal_mode=DELETE", "delete", db_path, msg,
				 msglen);
	if (rc != LV_OK)
		goto out;
	/*
	 * A -shm left by a store that was killed: nobody can map it while the
	 * lock is held, and the next connection would only reset it.
	 */
	if (lv_snprintf(shm, sizeof(shm), "%s-shm", db_path) >= 0 && unlink(shm) != 0 &&
	    errno != ENOENT)
		lv_warn("backup", "what=stale_shm error=\"%s\"", strerror(errno));
	rc = backup_open_ro(backup, &src, msg, msglen);
	if (rc != LV_OK)
		goto out;
	rc = LV_EUNAVAIL;
	b = sqlite3_backup_init(live, "main", src, "main");
	if (b == NULL) {
		lv_snprintf(msg, msglen, "cannot start copying %s in: %s", backup,
			    sqlite3_errmsg(live));
		goto out;
	}
	for (;;) {
		s = sqlite3_backup_step(b, -1);
		if (s == SQLITE_DONE)
			break;
		if (backup_busy(s) && busy++ < BACKUP_BUSY_TRIES) {
			backup_sleep_ms(BACKUP_BUSY_SLEEP_MS);
			continue;
		}
		lv_snprintf(msg, msglen, "copying %s in failed: %s", backup, sqlite3_errstr(s));
		goto out;
	}
	s = sqlite3_backup_finish(b);
	b = NULL;
	if (s != SQLITE_OK) {
		lv_snprintf(msg, msglen, "copying %s in failed: %s", backup, sqlite3_errmsg(live));
		goto out;
	}
	rc = backup_journal_mode(live, "PRAGMA journal_mode=WAL", "wal", db_path, msg, msglen);
out:
	sqlite3_backup_finish(b);
	sqlite3_close(src);
	return rc;
}

int backup_file_restore(const char *db_path, const char *backup, int busy_ms,
			struct backup_restore_report *rep, char *msg, size_t msglen)
{
	/* unchecked: a damaged database is what a restore often replaces */
	const struct backup_opts aside_opts = { 0, 1, 0, -1 };
	struct backup_info info;
	struct stat st;
	sqlite3 *live = NULL;
	char stamp[32], aside[PATH_MAX], m[1024];
	int64_t objects = 0;
	int rc, existed = 1, locked = 0, installed = 0;

	memset(rep, 0, sizeof(*rep));
	rc = backup_file_check(backup, &info, msg, msglen);
	if (rc != LV_OK)
		goto out;
	rep->backup_version = info.user_version;
	existed = stat(db_path, &st) == 0;
	if (existed && backup_same_file(db_path, backup)) {
		lv_snprintf(msg, msglen, "%s is the store's database itself", backup);
		rc = LV_EINVAL;
		goto out;
	}
	locked = 1;
	rc = backup_live_lock(db_path, busy_ms, &live, msg, msglen);
	if (rc != LV_OK)
		goto out;
	/* (not page_count: the lock's transaction gave a new file its first page) */
	if (backup_int_query(live, "SELECT count(*) FROM sqlite_schema", &objects) != LV_OK) {
		lv_snprintf(msg, msglen, "cannot read the database %s: %s", db_path,
			    sqlite3_errmsg(live));
		rc = LV_EUNAVAIL;
		goto out;
	}
	if (objects > 0) {
		backup_stamp(stamp, sizeof(stamp));
		if (lv_snprintf(aside, sizeof(aside), "%s.before-restore-%s", db_path, stamp) < 0) {
			lv_snprintf(msg, msglen, "%s: the name is too long", db_path);
			rc = LV_EINVAL;
			goto out;
		}
		rc = backup_copy_write(live, aside, &aside_opts, NULL, m, sizeof(m));
		if (rc != LV_OK) {
			lv_snprintf(msg, msglen, "cannot keep a copy of the current database, so "
				    "nothing was restored: %s", m);
			goto out;
		}
		lv_strlcpy(rep->aside, aside, sizeof(rep->aside));
	}
	rc = backup_copy_in(live, db_path, backup, m, sizeof(m));
	if (rc != LV_OK) {
		lv_snprintf(msg, msglen, "%s (the database was not changed)", m);
		goto out;
	}
	installed = 1;
	rc = migrate_apply(live, NULL, &rep->version, m, sizeof(m));
	if (rc != LV_OK) {
		lv_snprintf(msg, msglen, "%s was restored at schema version %d, but migrating "
			    "it failed: %s", backup, rep->version, m);
		goto out;
	}
	lv_info("backup", "what=restored version_from=%d version=%d", rep->backup_version,
		rep->version);
out:
	if (sqlite3_close(live) != SQLITE_OK)
		lv_warn("backup", "what=close_failed error=\"%s\"", sqlite3_errmsg(live));
	if (locked && !existed && !installed) {
		/* the empty file the lock made: leave nothing behind */
		char journal[PATH_MAX];

		(void)unlink(db_path);
		if (lv_snprintf(journal, sizeof(journal), "%s-journal", db_path) >= 0)
			(void)unlink(journal);
	}
	return rc;
}

struct backup_kept {
	char *name;
	char stamp[BACKUP_STAMP_LEN + 1];
	int64_t seq;  /* the -N of a second copy in the same second, else 0 */
};

/* Oldest first: by time, then by sequence. */
static int backup_kept_cmp(const void *a, const void *b)
{
	const struct backup_kept *x = a, *y = b;
	int c = strcmp(x->stamp, y->stamp);

	if (c == 0)
		c = (x->seq > y->seq) - (x->seq < y->seq);
	return c ? c : strcmp(x->name, y->name);
}

/*
 * Parses name as livery-pre-migrate-v<N>-<stamp>[-<seq>].db. OUT: *k
 * (k->name is not set). Returns 1 when it is one.
 */
static int backup_kept_parse(const char *name, struct backup_kept *k)
{
	size_t len = strlen(name), plen = strlen(BACKUP_PRE_MIGRATE_PREFIX);
	const char *p = name + plen, *end = name + len - 3;

	if (len < plen + 3 || strncmp(name, BACKUP_PRE_MIGRATE_PREFIX, plen) != 0 ||
	    strcmp(end, ".db") != 0)
		return 0;
	if (p >= end || *p < '0' || *p > '9')
		return 0;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p >= end || *p != '-' || end - (p + 1) < BACKUP_STAMP_LEN)
		return 0;
	p++;
	memcpy(k->stamp, p, BACKUP_STAMP_LEN);
	k->stamp[BACKUP_STAMP_LEN] = '\0';
	p += BACKUP_STAMP_LEN;
	k->seq = 0;
	if (p == end)
		return 1;
	return *p == '-' && lv_parse_i64n(p + 1, (size_t)(end - p - 1), 1, 1000, &k->seq) == LV_OK;
}

/* Removes all but the newest keep pre-migration copies in dir. */
static void backup_prune(const char *dir, int keep)
{
	struct backup_kept *v = NULL, k;
	struct dirent *e;
	size_t n = 0, cap = 0, i;
	char path[PATH_MAX];
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!backup_kept_parse(e->d_name, &k))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = lv_realloc(v, cap * sizeof(*v));
		}
		k.name = lv_strdup(e->d_name);
		v[n++] = k;
	}
	closedir(d);
	if (n > (size_t)keep)
		qsort(v, n, sizeof(*v), backup_kept_cmp);
	for (i = 0; i + (size_t)keep < n; i++) {
		if (lv_snprintf(path, sizeof(path), "%s/%s", dir, v[i].name) >= 0 &&
		    unlink(path) == 0)
			lv_info("backup", "what=pruned file=%s", v[i].name);
	}
	for (i = 0; i < n; i++)
		lv_free(v[i].name);
	lv_free(v);
}

int backup_before_migrate(sqlite3 *db, const char *data_dir, char *path, size_t pathlen,
			  char *msg, size_t msglen)
{
	struct backup_info info;
	struct stat st;
	char dir[PATH_MAX], file[PATH_MAX], stamp[32], m[1024];
	int64_t version = 0;
	int rc = LV_EINVAL, k;

	path[0] = '\0';
	if (backup_int_query(db, "PRAGMA user_version", &version) != LV_OK) {
		lv_snprintf(msg, msglen, "cannot read the schema version: %s", sqlite3_errmsg(db));
		return LV_EUNAVAIL;
	}
	if (version <= 0 || version >= migrate_latest_version())
		return LV_OK;
	if (lv_snprintf(dir, sizeof(dir), "%s/backups", data_dir) < 0) {
		lv_snprintf(msg, msglen, "%s: the name is too long", data_dir);
		return LV_EINVAL;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		lv_snprintf(msg, msglen, "cannot back the database up before migrating it "
			    "(nothing was migrated): cannot create %s: %s", dir, strerror(errno));
		return LV_EUNAVAIL;
	}
	backup_stamp(stamp, sizeof(stamp));
	for (k = 0; k < 100; k++) {
		int n = k == 0 ?
			lv_snprintf(file, sizeof(file), "%s/%s%lld-%s.db", dir,
				    BACKUP_PRE_MIGRATE_PREFIX, (long long)version, stamp) :
			lv_snprintf(file, sizeof(file), "%s/%s%lld-%s-%d.db", dir,
				    BACKUP_PRE_MIGRATE_PREFIX, (long long)version, stamp, k);

		if (n < 0) {
			lv_snprintf(msg, msglen, "%s: the name is too long", dir);
			return LV_EINVAL;
		}
		if (lstat(file, &st) != 0)
			break;
	}
	rc = backup_copy_write(db, file, NULL, &info, m, sizeof(m));
	if (rc != LV_OK) {
		lv_snprintf(msg, msglen, "cannot back the database up before migrating it "
			    "(nothing was migrated): %s", m);
		return rc;
	}
	lv_info("backup", "what=pre_migrate file=%s bytes=%lld version=%d", file,
		(long long)info.bytes, info.user_version);
	backup_prune(dir, BACKUP_PRE_MIGRATE_KEEP);
	lv_strlcpy(path, file, pathlen);
	return LV_OK;
}
