/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_backup.c - backup and restore of the store's database (backup.h):
 * a backup taken while another thread commits rows ten at a time holds a
 * whole number of those transactions, passes the integrity check and is a
 * self-contained file of mode 0600; an existing file is not replaced
 * without force. A restore refuses, changing nothing, a file that is not a
 * database, a truncated one, one of a newer schema, one without the
 * store's tables, and a database that is in use; a good backup replaces
 * the data, the replaced database (with what a killed process left in its
 * -wal) is kept aside, and an older backup is migrated. Before migrations,
 * a database with data is copied to backups/ and only the newest five such
 * copies stay.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"
#include "lv_db.h"
#include "lv_err.h"
#include "lv_test.h"
#include "migrate.h"
#include "sso.h"

static char dir[] = "/tmp/lv-backup-XXXXXX";

static const char *in_dir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* A new database at the newest schema, with a marker table holding mark. */
static struct lv_db *db_new(const char *path, const char *mark)
{
	struct lv_db *db = NULL;
	char msg[512];
	sqlite3_stmt *s = NULL;

	if (lv_db_open(path, 1, 5000, &db, msg, sizeof(msg)) != LV_OK) {
		fprintf(stderr, "%s\n", msg);
		abort();
	}
	CHECK_INT(migrate_apply(db->conn, NULL, NULL, msg, sizeof(msg)), LV_OK);
	CHECK_INT(lv_db_exec(db, "CREATE TABLE bk_mark (v TEXT NOT NULL)"), LV_OK);
	sqlite3_prepare_v2(db->conn, "INSERT INTO bk_mark (v) VALUES (?1)", -1, &s, NULL);
	sqlite3_bind_text(s, 1, mark, -1, SQLITE_STATIC);
	CHECK_INT(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	return db;
}

/* One integer from sql on the database file at path (opened read-only), or -1. */
static long long q_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	long long v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* Copies at most limit bytes (-1: all) of src to dst. */
static void file_copy(const char *src, const char *dst, long limit)
{
	char buf[8192];
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
	size_t n;
	long done = 0;

	CHECK(in && out);
	while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (limit >= 0 && done + (long)n > limit)
			n = (size_t)(limit - done);
		fwrite(buf, 1, n, out);
		done += (long)n;
		if (limit >= 0 && done >= limit)
			break;
	}
	if (in)
		fclose(in);
	if (out)
		fclose(out);
}

static void file_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* Overwrites page number page (of page_size bytes) of path with 0xff bytes. */
static void page_damage(const char *path, long long page, long long page_size)
{
	unsigned char junk[65536];
	int fd = open(path, O_WRONLY);

	CHECK(fd >= 0 && page > 1 && page_size > 0 && page_size <= (long long)sizeof(junk));
	memset(junk, 0xff, sizeof(junk));
	if (fd >= 0 && page > 1 && page_size > 0 && page_size <= (long long)sizeof(junk))
		CHECK(pwrite(fd, junk, (size_t)page_size, (off_t)((page - 1) * page_size)) ==
		      (ssize_t)page_size);
	if (fd >= 0)
		close(fd);
}

/* How many entries of dir start with prefix. */
static int dir_count(const char *d, const char *prefix)
{
	char cmd[512];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -1 '%s' | grep -c '^%s'", d, prefix);
	p = popen(cmd, "r");
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

/* ------------------------------------------------ backup while writing */

struct writer {
	const char *path;
	atomic_int stop;
	atomic_int txns;   /* transactions of 10 rows committed */
	int failed;
};

static void *writer_run(void *arg)
{
	struct writer *w = arg;
	struct lv_db *db = NULL;
	char msg[256];
	int t = 0, i;

	if (lv_db_open(w->path, 0, 10000, &db, msg, sizeof(msg)) != LV_OK) {
		w->failed = 1;
		return NULL;
	}
	while (!atomic_load(&w->stop)) {
		sqlite3_stmt *s = NULL;

		t++;
		if (lv_db_begin(db) != LV_OK) {
			w->failed = 1;
			break;
		}
		sqlite3_prepare_v2(db->conn, "INSERT INTO bk_rows (txn, pad) VALUES (?1, randomblob(300))",
				   -1, &s, NULL);
		for (i = 0; i < 10; i++) {
			sqlite3_reset(s);
			sqlite3_bind_int(s, 1, t);
			if (sqlite3_step(s) != SQLITE_DONE)
				w->failed = 1;
		}
		sqlite3_finalize(s);
		if (w->failed || lv_db_commit(db) != LV_OK) {
			lv_db_rollback(db);
			w->failed = 1;
			break;
		}
		atomic_fetch_add(&w->txns, 1);
	}
	lv_db_close(db);
	return NULL;
}

static void test_backup_while_writing(void)
{
	struct backup_opts opts = { 0, 0, 8, 1 }; /* small steps: the writer gets in between */
	struct backup_info info;
	struct writer w;
	struct lv_db *db;
	struct stat st;
	pthread_t th;
	char live[256], out[256], side[300], msg[512];
	unsigned char head[20];
	long long rows, base = 3000;
	int before, after, rc;
	FILE *f;

	in_dir(live, sizeof(live), "busy.db");
	in_dir(out, sizeof(out), "busy-backup.db");
	db = db_new(live, "busy");
	/* ~4 MB first, so that the copy takes many steps */
	CHECK_INT(lv_db_exec(db, "CREATE TABLE bk_rows (id INTEGER PRIMARY KEY, txn INTEGER NOT NULL,"
				 " pad BLOB NOT NULL);"
				 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
				 " INSERT INTO bk_rows (txn, pad) SELECT 0, randomblob(1200) FROM n"), LV_OK);

	memset(&w, 0, sizeof(w));
	w.path = live;
	CHECK_INT(pthread_create(&th, NULL, writer_run, &w), 0);
	while (atomic_load(&w.txns) < 3 && !w.failed)
		usleep(1000);
	before = atomic_load(&w.txns);
	rc = backup_copy_write(db->conn, out, &opts, &info, msg, sizeof(msg));
	after = atomic_load(&w.txns);
	atomic_store(&w.stop, 1);
	pthread_join(th, NULL);
	if (rc != LV_OK)
		fprintf(stderr, "backup: %s\n", msg);
	CHECK_INT(rc, LV_OK);
	CHECK(!w.failed);
	fprintf(stderr, "  writer: %d transactions before the backup, %d at its end, %d pages\n",
		before, after, (int)info.pages);
	/* the writer really did commit while the copy was being made */
	CHECK(after > before);

	rows = q_int(out, "SELECT count(*) FROM bk_rows");
	CHECK(rows >= base + 10LL * before);
	CHECK(rows <= base + 10LL * after);
	CHECK_INT((rows - base) % 10, 0);
	/* every transaction whole */
	CHECK_INT(q_int(out, "SELECT count(*) FROM (SELECT txn FROM bk_rows WHERE txn > 0"
			     " GROUP BY txn HAVING count(*) <> 10)"), 0);
	CHECK_INT(q_int(out, "SELECT max(txn) FROM bk_rows") * 10, rows - base);
	CHECK_INT(info.user_version, migrate_latest_version());
	CHECK_INT(q_int(out, "PRAGMA user_version"), migrate_latest_version());
	CHECK(stat(out, &st) == 0);
	CHECK_INT(info.bytes, st.st_size);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(backup_file_check(out, NULL, msg, sizeof(msg)), LV_OK);
	/* self-contained: a rollback-journal file (header bytes 18/19 = 1), nothing beside it */
	f = fopen(out, "rb");
	CHECK(f && fread(head, 1, sizeof(head), f) == sizeof(head));
	if (f)
		fclose(f);
	CHECK_INT(head[18], 1);
	CHECK_INT(head[19], 1);
	snprintf(side, sizeof(side), "%s.tmp", out);
	CHECK(!exists(side));
	snprintf(side, sizeof(side), "%s-wal", out);
	CHECK(!exists(side));
	snprintf(side, sizeof(side), "%s-shm", out);
	CHECK(!exists(side));
	/* the source connection is usable again, outside any transaction */
	CHECK(sqlite3_get_autocommit(db->conn));
	CHECK_INT(lv_db_exec(db, "INSERT INTO bk_mark (v) VALUES ('after')"), LV_OK);
	lv_db_close(db);
}

static void test_backup_refuses_to_replace(void)
{
	struct backup_opts force = { 1, 0, 0, 0 };
	struct lv_db *db;
	char live[256], out[256], msg[512];

	in_dir(live, sizeof(live), "small.db");
	in_dir(out, sizeof(out), "small-backup.db");
	db = db_new(live, "small");
	file_write(out, "precious\n");
	CHECK_INT(backup_copy_write(db->conn, out, NULL, NULL, msg, sizeof(msg)), LV_ECONFLICT);
	CHECK(strstr(msg, "already exists") != NULL);
	CHECK_INT(q_int(out, "SELECT count(*) FROM sqlite_schema"), -1); /* still the text file */
	CHECK_INT(backup_copy_write(db->conn, out, &force, NULL, msg, sizeof(msg)), LV_OK);
	CHECK_INT(q_int(out, "SELECT count(*) FROM bk_mark WHERE v = 'small'"), 1);
	/* never over the database itself, even with force */
	CHECK_INT(backup_copy_write(db->conn, live, &force, NULL, msg, sizeof(msg)), LV_ECONFLICT);
	CHECK_INT(q_int(live, "SELECT count(*) FROM bk_mark"), 1);
	/* into a folder that does not exist: an error, no file */
	CHECK(backup_copy_write(db->conn, "/nonexistent-lv/x.db", NULL, NULL, msg, sizeof(msg)) != LV_OK);
	lv_db_close(db);
	/* by path: the database must exist (no empty one is created) */
	in_dir(live, sizeof(live), "absent.db");
	CHECK_INT(backup_path_write(live, 100, out, &force, NULL, msg, sizeof(msg)), LV_ENOTFOUND);
	CHECK(!exists(live));
}

/* ------------------------------------------------------------- restore */

/* The live database is as it was and nothing was put beside it. */
static void check_untouched(const char *live, const char *name)
{
	CHECK_INT(q_int(live, "SELECT count(*) FROM bk_mark WHERE v = 'live'"), 1);
	CHECK_INT(q_int(live, "SELECT count(*) FROM bk_mark"), 1);
	if (dir_count(dir, "live.db.before-restore") != 0)
		fprintf(stderr, "after %s: a copy was made\n", name);
	CHECK_INT(dir_count(dir, "live.db.before-restore"), 0);
}

static void test_restore_refusals(void)
{
	struct backup_restore_report rep;
	struct lv_db *db, *user;
	sqlite3 *raw = NULL;
	char live[256], good[256], bad[256], cmd[600], msg[512];
	long size;
	struct stat st;
	int rc;

	in_dir(live, sizeof(live), "live.db");
	in_dir(good, sizeof(good), "good.db");
	in_dir(bad, sizeof(bad), "bad.db");
	db = db_new(good, "backup");
	lv_db_close(db);
	db = db_new(live, "live");
	lv_db_close(db);
	CHECK_INT(backup_file_check(good, NULL, msg, sizeof(msg)), LV_OK);
	CHECK(stat(good, &st) == 0);
	size = (long)st.st_size;

	/* no such file */
	in_dir(bad, sizeof(bad), "missing.db");
	CHECK_INT(backup_file_restore(live, bad, 100, &rep, msg, sizeof(msg)), LV_ENOTFOUND);
	check_untouched(live, "missing");
	in_dir(bad, sizeof(bad), "bad.db");

	/* not a database */
	file_write(bad, "this is not a database, just some text\n");
	CHECK_INT(backup_file_restore(live, bad, 100, &rep, msg, sizeof(msg)), LV_EINVAL);
	CHECK(strstr(msg, "not an SQLite database") != NULL);
	check_untouched(live, "text");

	/* truncated in the middle of a page, and at a page boundary */
	file_copy(good, bad, size / 2 + 100);
	CHECK_INT(backup_file_restore(live, bad, 100, &rep, msg, sizeof(msg)), LV_EINVAL);
	CHECK(strstr(msg, "truncated") != NULL);
	check_untouched(live, "truncated");
	file_copy(good, bad, (size / 2) & ~4095L);
	CHECK_INT(backup_file_restore(live, bad, 100, &rep, msg, sizeof(msg)), LV_EINVAL);
	CHECK(strstr(msg, "truncated") != NULL);
	check_untouched(live, "truncated at a page");

	/* damaged inside: the page of a table overwritten */
	file_copy(good, bad, -1);
	page_damage(bad, q_int(good, "SELECT rootpage FROM sqlite_schema WHERE name = 'bk_mark'"),
		    q_int(good, "PRAGMA page_size"));
	rc = backup_file_restore(live, bad, 100, &rep, msg, sizeof(msg));
	CHECK_INT(rc, LV_EINVAL);
	fprintf(stderr, "  damaged: %s\n", msg);
	check_untouched(live, "damaged");

	/* a newer schema than this binary's */
	file_copy(good, bad, -1);
	CHECK_INT(sqlite3_open(bad, &raw), SQLITE_OK);
	snprintf(cmd, sizeof(cmd), "PRAGMA user_version = %d", migrate_latest_version() + 1);
	CHECK_INT(sqlite3_exec(raw, cmd, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	CHECK_INT(backup_file_restore(live, bad, 100, &rep, msg, sizeof(msg)), LV_ECONFLICT);
	CHECK(strstr(msg, "newer") != NULL);
	check_untouched(live, "newer");

	/* some other SQLite database: no schema version, or not the store's tables */
	unlink(bad);
	CHECK_INT(sqlite3_open(bad, &raw), SQLITE_OK);
	CHECK_INT(sqlite3_exec(raw, "CREATE TABLE notes (t TEXT)", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(backup_file_restore(live, bad, 100, &rep, msg, sizeof(msg)), LV_EINVAL);
	CHECK(strstr(msg, "schema version") != NULL);
	CHECK_INT(sqlite3_exec(raw, "PRAGMA user_version = 5", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	CHECK_INT(backup_file_restore(live, bad, 100, &rep, msg, sizeof(msg)), LV_EINVAL);
	CHECK(strstr(msg, "no table employees") != NULL);
	check_untouched(live, "other database");

	/* the database itself */
	CHECK_INT(backup_file_restore(live, live, 100, &rep, msg, sizeof(msg)), LV_EINVAL);
	check_untouched(live, "itself");

	/* in use: a connection open as a serving store's worker holds it */
	CHECK_INT(lv_db_open(live, 0, 1000, &user, msg, sizeof(msg)), LV_OK);
	CHECK_INT(backup_file_restore(live, good, 200, &rep, msg, sizeof(msg)), LV_ECONFLICT);
	CHECK(strstr(msg, "in use") != NULL);
	/* the store's connection did not notice */
	CHECK_INT(lv_db_exec(user, "SELECT count(*) FROM bk_mark"), LV_OK);
	lv_db_close(user);
	check_untouched(live, "in use");
}

/* Writes one row to path and dies without closing: its -wal stays behind. */
static void crash_after_write(const char *path, const char *mark)
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		sqlite3 *db = NULL;
		char sql[200];

		if (sqlite3_open(path, &db) != SQLITE_OK ||
		    sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK)
			_exit(1);
		snprintf(sql, sizeof(sql), "INSERT INTO bk_mark (v) VALUES ('%s')", mark);
		_exit(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : 1);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_restore_replaces_and_keeps_the_old(void)
{
	struct backup_restore_report rep;
	struct lv_db *db;
	char live[256], good[256], wal[300], msg[512];
	struct stat st;
	int rc;

	in_dir(live, sizeof(live), "live2.db");
	in_dir(good, sizeof(good), "good2.db");
	db = db_new(live, "backup");
	CHECK_INT(backup_copy_write(db->conn, good, NULL, NULL, msg, sizeof(msg)), LV_OK);
	CHECK_INT(lv_db_exec(db, "DELETE FROM bk_mark; INSERT INTO bk_mark (v) VALUES ('old')"),
		  LV_OK);
	lv_db_close(db);
	/* a store killed after a commit: the row is only in the -wal */
	crash_after_write(live, "crashed");
	snprintf(wal, sizeof(wal), "%s-wal", live);
	CHECK(stat(wal, &st) == 0 && st.st_size > 0);
	snprintf(wal, sizeof(wal), "%s-shm", live);
	CHECK(exists(wal));
	snprintf(wal, sizeof(wal), "%s-wal", live);

	rc = backup_file_restore(live, good, 1000, &rep, msg, sizeof(msg));
	if (rc != LV_OK)
		fprintf(stderr, "restore: %s\n", msg);
	CHECK_INT(rc, LV_OK);
	/* the old -wal and -shm are gone, no new ones were left */
	CHECK(!exists(wal));
	snprintf(wal, sizeof(wal), "%s-shm", live);
	CHECK(!exists(wal));
	CHECK_INT(rep.backup_version, migrate_latest_version());
	CHECK_INT(rep.version, migrate_latest_version());
	/* the data is the backup's; the old -wal was not replayed over it */
	CHECK_INT(q_int(live, "SELECT count(*) FROM bk_mark WHERE v = 'backup'"), 1);
	CHECK_INT(q_int(live, "SELECT count(*) FROM bk_mark"), 1);
	/* a store starting now sees the same */
	CHECK_INT(lv_db_open(live, 0, 1000, &db, msg, sizeof(msg)), LV_OK);
	CHECK_INT(lv_db_exec(db, "INSERT INTO bk_mark (v) VALUES ('new')"), LV_OK);
	lv_db_close(db);
	CHECK_INT(q_int(live, "SELECT count(*) FROM bk_mark"), 2);
	CHECK_INT(backup_file_check(live, NULL, msg, sizeof(msg)), LV_OK);
	/* the replaced database, with what the killed store had committed */
	CHECK(strncmp(rep.aside, live, strlen(live)) == 0);
	CHECK(strstr(rep.aside, ".before-restore-") != NULL);
	CHECK(stat(rep.aside, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK_INT(q_int(rep.aside, "SELECT count(*) FROM bk_mark WHERE v IN ('old', 'crashed')"), 2);
	CHECK_INT(q_int(rep.aside, "SELECT count(*) FROM bk_mark WHERE v = 'backup'"), 0);
}

/*
 * A database at schema version `version` (< latest) built the way
 * migrate.c would have built it then, with a marker row in employees.
 */
static void db_at_version(const char *path, int version)
{
	struct lv_db *db = NULL;
	char msg[256], sql[64];
	int i;

	CHECK_INT(lv_db_open(path, 1, 1000, &db, msg, sizeof(msg)), LV_OK);
	CHECK_INT(lv_db_exec(db, "BEGIN"), LV_OK);
	CHECK_INT(lv_db_exec(db, sso_schema_v1), LV_OK);
	for (i = 0; i < lv_migrations_count && lv_migrations[i].version <= version; i++)
		CHECK_INT(lv_db_exec(db, lv_migrations[i].sql), LV_OK);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version);
	CHECK_INT(lv_db_exec(db, sql), LV_OK);
	CHECK_INT(lv_db_exec(db, "INSERT INTO employees (employee_id, name, created_at, updated_at)"
				 " VALUES ('E-OLD', 'Old Timer', 1, 1)"), LV_OK);
	CHECK_INT(lv_db_exec(db, "COMMIT"), LV_OK);
	lv_db_close(db);
}

static void test_restore_migrates_an_older_backup(void)
{
	struct backup_restore_report rep;
	char live[256], old[256], side[300], msg[512];
	int v = migrate_latest_version() - 1, rc;

	if (v < 1) {
		lv_test_skip("only one migration");
		return;
	}
	in_dir(live, sizeof(live), "live3.db");
	in_dir(old, sizeof(old), "old3.db");
	db_at_version(old, v);
	/* a database file whose header says WAL, read without a -shm */
	rc = backup_file_restore(live, old, 1000, &rep, msg, sizeof(msg));
	if (rc != LV_OK)
		fprintf(stderr, "restore: %s\n", msg);
	CHECK_INT(rc, LV_OK);
	CHECK_INT(rep.backup_version, v);
	CHECK_INT(rep.version, migrate_latest_version());
	CHECK_STR(rep.aside, ""); /* there was no database to keep */
	snprintf(side, sizeof(side), "%s-shm", old);
	CHECK(!exists(side));
	snprintf(side, sizeof(side), "%s-wal", old);
	CHECK(!exists(side));
	CHECK_INT(q_int(live, "PRAGMA user_version"), migrate_latest_version());
	CHECK_INT(q_int(live, "SELECT count(*) FROM employees WHERE employee_id = 'E-OLD'"), 1);
	/* the backup file itself is as it was */
	CHECK_INT(q_int(old, "PRAGMA user_version"), v);
}

/* ----------------------------------------------------- before migrating */

static void test_before_migrate(void)
{
	struct lv_db *db = NULL;
	char data[256], live[300], backups[300], path[512], fake[600], msg[512];
	int v = migrate_latest_version() - 1, i, from = 0, to = 0;

	if (v < 1) {
		lv_test_skip("only one migration");
		return;
	}
	in_dir(data, sizeof(data), "data");
	CHECK_INT(mkdir(data, 0750), 0);
	snprintf(live, sizeof(live), "%s/livery.db", data);
	snprintf(backups, sizeof(backups), "%s/backups", data);

	/* an empty database: nothing to keep */
	CHECK_INT(lv_db_open(live, 1, 1000, &db, msg, sizeof(msg)), LV_OK);
	CHECK_INT(backup_before_migrate(db->conn, data, path, sizeof(path), msg, sizeof(msg)), LV_OK);
	CHECK_STR(path, "");
	CHECK(!exists(backups));
	lv_db_close(db);
	unlink(live);

	/* older copies, and a daily backup that is not ours to prune */
	db_at_version(live, v);
	CHECK_INT(mkdir(backups, 0700), 0);
	for (i = 0; i < 6; i++) {
		snprintf(fake, sizeof(fake), "%s/livery-pre-migrate-v%d-2020010%dT000000Z.db", backups,
			 v - 1 > 0 ? v - 1 : 1, i + 1);
		file_write(fake, "old copy\n");
	}
	snprintf(fake, sizeof(fake), "%s/livery-pre-migrate-v1-20200107T000000Z-2.db", backups);
	file_write(fake, "old copy\n");
	snprintf(fake, sizeof(fake), "%s/livery-20190101T000000Z.db", backups);
	file_write(fake, "daily\n");

	CHECK_INT(lv_db_open(live, 0, 1000, &db, msg, sizeof(msg)), LV_OK);
	CHECK_INT(backup_before_migrate(db->conn, data, path, sizeof(path), msg, sizeof(msg)), LV_OK);
	snprintf(fake, sizeof(fake), "%s/livery-pre-migrate-v%d-", backups, v);
	CHECK(strncmp(path, fake, strlen(fake)) == 0);
	CHECK_INT(backup_file_check(path, NULL, msg, sizeof(msg)), LV_OK);
	CHECK_INT(q_int(path, "PRAGMA user_version"), v);
	CHECK_INT(q_int(path, "SELECT count(*) FROM employees WHERE employee_id = 'E-OLD'"), 1);
	/* the newest five stay: this one, -2 of the 7th, the 6th, 5th, 4th */
	CHECK_INT(dir_count(backups, "livery-pre-migrate-"), BACKUP_PRE_MIGRATE_KEEP);
	snprintf(fake, sizeof(fake), "%s/livery-pre-migrate-v1-20200107T000000Z-2.db", backups);
	CHECK(exists(fake));
	snprintf(fake, sizeof(fake), "%s/livery-pre-migrate-v%d-20200104T000000Z.db", backups,
		 v - 1 > 0 ? v - 1 : 1);
	CHECK(exists(fake));
	snprintf(fake, sizeof(fake), "%s/livery-pre-migrate-v%d-20200103T000000Z.db", backups,
		 v - 1 > 0 ? v - 1 : 1);
	CHECK(!exists(fake));
	snprintf(fake, sizeof(fake), "%s/livery-20190101T000000Z.db", backups);
	CHECK(exists(fake));

	/* then the migration; at the newest version nothing more is copied */
	CHECK_INT(migrate_apply(db->conn, &from, &to, msg, sizeof(msg)), LV_OK);
	CHECK_INT(from, v);
	CHECK_INT(to, migrate_latest_version());
	CHECK_INT(backup_before_migrate(db->conn, data, path, sizeof(path), msg, sizeof(msg)), LV_OK);
	CHECK_STR(path, "");
	CHECK_INT(dir_count(backups, "livery-pre-migrate-"), BACKUP_PRE_MIGRATE_KEEP);
	lv_db_close(db);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	LV_RUN(test_backup_while_writing);
	LV_RUN(test_backup_refuses_to_replace);
	LV_RUN(test_restore_refusals);
	LV_RUN(test_restore_replaces_and_keeps_the_old);
	LV_RUN(test_restore_migrates_an_older_backup);
	LV_RUN(test_before_migrate);
	if (getenv("LV_KEEP_TMP") == NULL)
		nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	else
		fprintf(stderr, "kept %s\n", dir);
	return lv_test_done();
}
