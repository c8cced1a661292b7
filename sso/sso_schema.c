/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * sso_schema.c - the tables of the sso/ module, version 1.
 *
 * The store's first migration runs this text inside its own transaction
 * (so it has no BEGIN/COMMIT). Released text is never edited: a change is
 * a new sso_schema_v2 applied by a later migration. The tables have no
 * foreign keys to the store's: principal_id is opaque here, and the store
 * ends an employee's sessions through sso_session_destroy_for_principal().
 *
 *   sso_pending     one row per sign-in in progress, keyed by the hash of
 *                   its state; deleted when used or expired (10 minutes)
 *   sso_session     one row per signed-in browser, keyed by the hash of
 *                   the cookie value
 *   sso_logout_jti  the jti of each accepted back-channel logout token,
 *                   until that token would have expired (replay defence)
 */
#include "sso.h"

const char sso_schema_v1[] =
	"CREATE TABLE sso_pending (\n"
	"  state_hash BLOB PRIMARY KEY,\n"
	"  nonce TEXT NOT NULL,\n"
	"  code_verifier TEXT NOT NULL,\n"
	"  return_to TEXT NOT NULL,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  expires_at INTEGER NOT NULL\n"
	") STRICT, WITHOUT ROWID;\n"
	"CREATE INDEX sso_pending_expires ON sso_pending(expires_at);\n"
	"\n"
	"CREATE TABLE sso_session (\n"
	"  id_hash BLOB PRIMARY KEY,\n"
	"  principal_id INTEGER NOT NULL,\n"
	"  iss TEXT NOT NULL,\n"
	"  sub TEXT NOT NULL,\n"
	"  sid TEXT,\n"
	"  id_token TEXT,\n"
	"  csrf TEXT NOT NULL,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  last_seen_at INTEGER NOT NULL,\n"
	"  absolute_expires_at INTEGER NOT NULL\n"
	") STRICT, WITHOUT ROWID;\n"
	"CREATE INDEX sso_session_subject ON sso_session(iss, sub);\n"
	"CREATE INDEX sso_session_sid ON sso_session(iss, sid) "
	"WHERE sid IS NOT NULL;\n"
	"CREATE INDEX sso_session_principal ON sso_session(principal_id);\n"
	"CREATE INDEX sso_session_expires ON sso_session(absolute_expires_at);\n"
	"\n"
	"CREATE TABLE sso_logout_jti (\n"
	"  iss TEXT NOT NULL,\n"
	"  jti TEXT NOT NULL,\n"
	"  expires_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (iss, jti)\n"
	") STRICT, WITHOUT ROWID;\n"
	"CREATE INDEX sso_logout_jti_expires ON sso_logout_jti(expires_at);\n";
