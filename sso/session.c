/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * session.c - signed-in sessions in sso_session (see session.h).
 *
 * The cookie value is 43 base64url characters (32 random bytes); the row
 * is keyed by its BLAKE2b hash. A session is alive while
 *     now < last_seen_at + session_idle_seconds  and
 *     now < created_at + session_max_seconds  (and < absolute_expires_at)
 * with the timeouts read from the relying party's configuration at lookup,
 * so lowering them in the configuration takes effect at once. A lookup
 * that finds an expired row deletes it. last_seen_at is rewritten only when
 * it is a minute old or more, so an active person costs one write a minute,
 * not one per request; the idle timeout is therefore exact to a minute.
 */
#include <sodium.h>
#include <string.h>

#include "lv_db.h"
#include "lv_err.h"
#include "lv_mem.h"
#include "lv_time.h"
#include "session.h"
#include "sso_int.h"

#define TOUCH_SECONDS 60

/* 1 when s looks like one of our cookie values. */
static int cookie_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; s[i] && i <= SSO_TOKEN_LEN; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return i == SSO_TOKEN_LEN;
}

int sso_session_create(struct sso_rp *rp, struct lv_db *db,
		       int64_t principal_id, const struct sso_identity *id,
		       struct sso_session_token *out)
{
	sqlite3_stmt *stmt = NULL;
	unsigned char hash[32];
	int64_t now = lv_now();
	int rc;

	memset(out, 0, sizeof(*out));
	if (id == NULL || id->iss == NULL || id->sub == NULL)
		return LV_EINVAL;
	sso_random_token(out->cookie, sizeof(out->cookie));
	sso_random_token(out->csrf, sizeof(out->csrf));
	sso_secret_hash(out->cookie, hash);
	rc = lv_db_stmt(db,
			"INSERT INTO sso_session(id_hash, principal_id, iss, "
			"sub, sid, id_token, csrf, created_at, last_seen_at, "
			"absolute_expires_at) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
			&stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_blob(stmt, 1, hash, sizeof(hash), SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, principal_id);
	lv_db_bind_text(stmt, 3, id->iss);
	lv_db_bind_text(stmt, 4, id->sub);
	lv_db_bind_text(stmt, 5, id->sid);
	lv_db_bind_text(stmt, 6, id->id_token);
	lv_db_bind_text(stmt, 7, out->csrf);
	sqlite3_bind_int64(stmt, 8, now);
	sqlite3_bind_int64(stmt, 9, now + rp->cfg.session_max_seconds);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = LV_EINTERNAL;
	lv_db_done(stmt);
out:
	if (rc != LV_OK)
		sodium_memzero(out, sizeof(*out));
	return rc;
}

void sso_session_cleanup(struct sso_session *s)
{
	if (s == NULL)
		return;
	lv_free(s->iss);
	lv_free(s->sub);
	lv_free(s->sid);
	lv_free(s->id_token);
	sodium_memzero(s, sizeof(*s));
}

static char *column_dup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *v = sqlite3_column_text(stmt, col);

	return v ? lv_strdup((const char *)v) : NULL;
}

static int delete_by_hash(struct lv_db *db, const unsigned char hash[32])
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = lv_db_stmt(db, "DELETE FROM sso_session WHERE id_hash = ?1",
			&stmt);
	if (rc != LV_OK)
		return rc;
	sqlite3_bind_blob(stmt, 1, hash, 32, SQLITE_TRANSIENT);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = LV_EINTERNAL;
	lv_db_done(stmt);
	return rc;
}

static int touch(struct lv_db *db, const unsigned char hash[32], int64_t now)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = lv_db_stmt(db,
			"UPDATE sso_session SET last_seen_at = ?2 "
			"WHERE id_hash = ?1",
			&stmt);
	if (rc != LV_OK)
		return rc;
	sqlite3_bind_blob(stmt, 1, hash, 32, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, now);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = LV_EINTERNAL;
	lv_db_done(stmt);
	return rc;
}

int sso_session_lookup(struct sso_rp *rp, struct lv_db *db, const char *cookie,
		       struct sso_session *out)
{
	sqlite3_stmt *stmt = NULL;
	unsigned char hash[32];
	int64_t now = lv_now(), absolute = 0;
	const unsigned char *csrf;
	int rc, step, expired = 0;

	memset(out, 0, sizeof(*out));
	if (!cookie_valid(cookie))
		return LV_ENOTFOUND;
	sso_secret_hash(cookie, hash);
	rc = lv_db_stmt(db,
			"SELECT principal_id, csrf, iss, sub, sid, id_token, "
			"created_at, last_seen_at, absolute_expires_at "
			"FROM sso_session WHERE id_hash = ?1",
			&stmt);
	if (rc != LV_OK)
		return rc;
	sqlite3_bind_blob(stmt, 1, hash, sizeof(hash), SQLITE_TRANSIENT);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		out->principal_id = sqlite3_column_int64(stmt, 0);
		csrf = sqlite3_column_text(stmt, 1);
		lv_strlcpy(out->csrf, csrf ? (const char *)csrf : "",
			   sizeof(out->csrf));
		out->iss = column_dup(stmt, 2);
		out->sub = column_dup(stmt, 3);
		out->sid = column_dup(stmt, 4);
		out->id_token = column_dup(stmt, 5);
		out->created_at = sqlite3_column_int64(stmt, 6);
		out->last_seen_at = sqlite3_column_int64(stmt, 7);
		absolute = sqlite3_column_int64(stmt, 8);
	} else if (step == SQLITE_DONE) {
		rc = LV_ENOTFOUND;
	} else {
		rc = LV_EINTERNAL;
	}
	lv_db_done(stmt);
	if (rc != LV_OK)
		goto out;

	expired = now >= absolute ||
		  now >= out->created_at + rp->cfg.session_max_seconds ||
		  now >= out->last_seen_at + rp->cfg.session_idle_seconds;
	if (expired) {
		rc = delete_by_hash(db, hash);
		if (rc == LV_OK)
			rc = LV_ENOTFOUND;
		goto out;
	}
	if (now - out->last_seen_at >= TOUCH_SECONDS) {
		rc = touch(db, hash, now);
		if (rc == LV_OK)
			out->last_seen_at = now;
	}
out:
	if (rc != LV_OK)
		sso_session_cleanup(out);
	return rc;
}

int sso_session_destroy(struct sso_rp *rp, struct lv_db *db,
			const char *cookie)
{
	unsigned char hash[32];

	if (!cookie_valid(cookie))
		return LV_OK;
	sso_secret_hash(cookie, hash);
	return delete_by_hash(db, hash);
}

/* Steps a DELETE already bound; OUT: *n (may be NULL), rows deleted. */
static int delete_step(struct lv_db *db, sqlite3_stmt *stmt, int64_t *n)
{
	int rc = LV_OK;

	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = LV_EINTERNAL;
	else if (n)
		*n = sqlite3_changes(db->conn);
	lv_db_done(stmt);
	return rc;
}

int sso_session_destroy_for_subject(struct sso_rp *rp, struct lv_db *db,
				    const char *iss, const char *sub,
				    const char *sid, int64_t *n)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (n)
		*n = 0;
	if (iss == NULL || (sub == NULL && sid == NULL))
		return LV_EINVAL;
	if (sid && sub)
		rc = lv_db_stmt(db,
				"DELETE FROM sso_session WHERE iss = ?1 AND "
				"sid = ?3 AND sub = ?2",
				&stmt);
	else if (sid)
		rc = lv_db_stmt(db,
				"DELETE FROM sso_session WHERE iss = ?1 AND "
				"sid = ?3",
				&stmt);
	else
		rc = lv_db_stmt(db,
				"DELETE FROM sso_session WHERE iss = ?1 AND "
				"sub = ?2",
				&stmt);
	if (rc != LV_OK)
		return rc;
	lv_db_bind_text(stmt, 1, iss);
	if (sub)
		lv_db_bind_text(stmt, 2, sub);
	if (sid)
		lv_db_bind_text(stmt, 3, sid);
	return delete_step(db, stmt, n);
}

int sso_session_destroy_for_principal(struct sso_rp *rp, struct lv_db *db,
				      int64_t principal_id, int64_t *n)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (n)
		*n = 0;
	rc = lv_db_stmt(db, "DELETE FROM sso_session WHERE principal_id = ?1",
			&stmt);
	if (rc != LV_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, principal_id);
	return delete_step(db, stmt, n);
}

int sso_session_purge(struct sso_rp *rp, struct lv_db *db, int64_t *n)
{
	sqlite3_stmt *stmt = NULL;
	int64_t now = lv_now();
	int rc;

	if (n)
		*n = 0;
	rc = lv_db_stmt(db,
			"DELETE FROM sso_session WHERE absolute_expires_at <= ?1 "
			"OR created_at <= ?1 - ?2 OR last_seen_at <= ?1 - ?3",
			&stmt);
	if (rc != LV_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int64(stmt, 2, rp->cfg.session_max_seconds);
	sqlite3_bind_int64(stmt, 3, rp->cfg.session_idle_seconds);
	return delete_step(db, stmt, n);
}

int sso_csrf_check(const struct sso_session *s, const char *submitted)
{
	if (s == NULL || s->csrf[0] == '\0' || submitted == NULL)
		return LV_EFORBIDDEN;
	return sso_str_equal_ct(s->csrf, submitted) ? LV_OK : LV_EFORBIDDEN;
}
