/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_allowance_admin.c - libFuzzer target for what HR sends the
 * console's Allowances area: a programme definition as JSON (the API's
 * PUT and preview) or the programme form as urlencoded text (the pages),
 * checked field by field by allowance_admin_check.
 *
 * An input that starts with '{' or '[' is read as JSON, anything else as
 * a form (lv_form_parse, allowance_admin_form_def). Whatever the check
 * accepts must be accepted by allowance_programme_create and the schema
 * (in a transaction rolled back each run, on an in-memory database
 * migrated once): the check may refuse more, never less. Its refusals
 * must name at least one field, each with a sentence; the digest of an
 * accepted definition must be 64 hex digits and stable.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "allowance.h"
#include "allowance_admin.h"
#include "lv_db.h"
#include "lv_err.h"
#include "lv_http_parse.h"
#include "migrate.h"

static struct lv_db *fuzz_db;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every error is {field: non-empty sentence}. */
static void errors_check(const json_t *errors)
{
	const char *key;
	json_t *v;

	if (json_object_size(errors) == 0)
		abort();
	json_object_foreach((json_t *)errors, key, v)
		if (key[0] == '\0' || !json_is_string(v) || json_string_length(v) == 0)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *def = NULL, *errors = json_object(), *norm = NULL, *cdef;
	struct lv_kvlist form;
	json_error_t jerr;
	char msg[256], d1[65], d2[65];
	int64_t id;
	int rc;

	if (fuzz_db == NULL) {
		if (lv_db_open(":memory:", 1, 0, &fuzz_db, msg, sizeof(msg)) != LV_OK ||
		    migrate_apply(fuzz_db->conn, NULL, NULL, msg, sizeof(msg)) != LV_OK)
			abort();
	}
	lv_kvlist_init(&form);
	if (size > 0 && (data[0] == '{' || data[0] == '[')) {
		def = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
		if (def == NULL)
			goto out;
	} else {
		if (lv_form_parse((const char *)data, size, 200, &form, NULL, 0) != LV_OK)
			goto out;
		allowance_admin_form_def(&form, NULL, "EUR", &def, errors);
	}
	rc = allowance_admin_check(def, NULL, errors, &norm);
	if (rc != LV_OK) {
		if (norm != NULL)
			abort();
		errors_check(errors);
		goto out;
	}
	if (json_object_size(errors) != 0 || norm == NULL)
		abort();
	allowance_admin_digest(norm, NULL, 0, d1);
	allowance_admin_digest(norm, NULL, 0, d2);
	if (strlen(d1) != 64 || strspn(d1, "0123456789abcdef") != 64 || strcmp(d1, d2) != 0)
		abort();
	/* what the check accepts, allowance.c and the schema accept */
	cdef = json_copy(norm);
	if (json_is_null(json_object_get(cdef, "points_rate")))
		json_object_del(cdef, "points_rate");
	if (lv_db_begin(fuzz_db) != LV_OK)
		abort();
	rc = allowance_programme_create(fuzz_db, cdef, &id, msg, sizeof(msg));
	lv_db_rollback(fuzz_db);
	json_decref(cdef);
	if (rc != LV_OK)
		abort();
out:
	lv_kvlist_cleanup(&form);
	json_decref(norm);
	json_decref(errors);
	json_decref(def);
	return 0;
}
