/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_programme.c - libFuzzer target for allowance programme definitions
 * (allowance_programme_create), which HR sends as JSON through the admin API
 * and the command line. Each input is parsed with jansson and, when it is
 * JSON, validated and (if valid) inserted into an in-memory database that
 * is migrated once; every insert is rolled back so runs stay independent.
 * Whatever passes validation must also satisfy the schema's CHECKs: an
 * LV_EINTERNAL (a constraint the validator let through) aborts the run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "allowance.h"
#include "lv_db.h"
#include "lv_err.h"
#include "migrate.h"

static struct lv_db *fuzz_db;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char msg[256];
	json_error_t jerr;
	json_t *def;
	int64_t id;
	int rc;

	if (fuzz_db == NULL) {
		if (lv_db_open(":memory:", 1, 0, &fuzz_db, msg, sizeof(msg)) != LV_OK ||
		    migrate_apply(fuzz_db->conn, NULL, NULL, msg, sizeof(msg)) != LV_OK)
			abort();
	}
	def = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (def == NULL)
		return 0;
	if (lv_db_begin(fuzz_db) != LV_OK)
		abort();
	rc = allowance_programme_create(fuzz_db, def, &id, msg, sizeof(msg));
	lv_db_rollback(fuzz_db);
	json_decref(def);
	if (rc == LV_EINTERNAL)
		abort();
	return 0;
}
