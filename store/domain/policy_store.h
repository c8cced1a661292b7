/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * policy_store.h - HR's catalog policies in the store's database, and what
 * the store hands the policy engine (catalog-policies/policy.h) about an
 * employee, a product and the employee's earlier orders.
 *
 * Storage (migration 0006): the table `policies` holds the active set, one
 * row per policy with its JSON text and a version; `policy_history` keeps
 * every change (who, when, the text before and after) and is append-only;
 * every change is also written to audit_log, in the same transaction.
 * A change is validated as a whole set: the stored policies with the
 * change applied must load with policy_set_load(), or nothing is written
 * and the caller gets LV_EINVAL with every error (origin, JSON path,
 * message, hint). So the table always holds a set that loads.
 *
 * Loaders: policy_subject_load, policy_product_load and policy_past_load
 * each run one query and fill the engine's structs with strings they own
 * (released by the matching _cleanup). The storefront, the checkout and
 * `livery policy explain` use them, so that all three decide from the
 * same data.
 */
#ifndef LV_POLICY_STORE_H
#define LV_POLICY_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "lv_db.h"
#include "policy.h"

/* The largest policy text accepted (bytes). */
#define POLICY_STORE_MAX_TEXT (256 * 1024)

/* ---- the stored set ---- */

/*
 * Every stored policy, by name: a new JSON array of {name, title,
 * version, created_at, updated_at, updated_by} (title "" when the policy
 * has none). OUT: *out (caller decrefs). Returns LV_OK or LV_EINTERNAL.
 */
int policy_store_list(struct lv_db *db, json_t **out);

/*
 * One policy: a new object {name, version, created_at, updated_at,
 * updated_by, policy: {...the policy as stored}}. OUT: *out (caller
 * decrefs). Returns LV_OK, LV_ENOTFOUND or LV_EINTERNAL.
 */
int policy_store_get(struct lv_db *db, const char *name, json_t **out);

enum policy_put_mode {
	POLICY_PUT_UPSERT = 0, /* create or update */
	POLICY_PUT_CREATE,     /* LV_ECONFLICT when the name is taken */
	POLICY_PUT_UPDATE      /* LV_ENOTFOUND when there is no such policy */
};

/* What a put or an import did to one policy. */
enum policy_change { POLICY_UNCHANGED = 0, POLICY_CREATED, POLICY_UPDATED, POLICY_DELETED };

/*
 * Creates or updates the policy whose JSON text is text[0..len). The
 * policy's name is the text's "name"; when name is not NULL (the address
 * of an update) the text must carry that same name. if_version, when not
 * 0, must be the stored version (else LV_ECONFLICT: someone changed it
 * since the caller read it). The whole set with the change applied must
 * load; the text is stored pretty-printed (keys in the order given). A
 * text identical to the stored one changes nothing (no new version).
 * Runs in the caller's transaction when there is one, else in its own.
 * OUT: *change, *version (the policy's version now; both may be NULL).
 * Returns LV_OK; LV_EINVAL with errs filled (nothing stored); LV_ECONFLICT
 * (name taken for CREATE, version mismatch, or the database is busy: errs
 * is empty then); LV_ENOTFOUND (UPDATE of an unknown policy); LV_ETOOBIG
 * (text over POLICY_STORE_MAX_TEXT); LV_EINTERNAL.
 */
int policy_store_put(struct lv_db *db, const struct audit_actor *who, const char *name,
		     const char *text, size_t len, enum policy_put_mode mode, int64_t if_version,
		     enum policy_change *change, int64_t *version, struct policy_errors *errs);

/*
 * Deletes the policy name, when the set without it still loads (it always
 * does unless the engine checks references across policies). The history
 * keeps its last text. if_version as for put. Returns LV_OK, LV_ENOTFOUND,
 * LV_EINVAL (errs filled), LV_ECONFLICT or LV_EINTERNAL.
 */
int policy_store_delete(struct lv_db *db, const struct audit_actor *who, const char *name,
			int64_t if_version, struct policy_errors *errs);

/*
 * Imports n policy texts (src[i].origin names the file for the errors) in
 * one transaction, all or nothing: each creates or replaces the stored
 * policy of its name; stored policies the files do not name are kept.
 * Two sources with the same name, or a set that does not load, refuse the
 * whole import (LV_EINVAL, errs filled, nothing written). OUT: *report, a
 * new array [{name, origin, change: "created"|"updated"|"unchanged",
 * version}] in the order of src (caller decrefs; NULL on error). History
 * rows of an import have action "import".
 */
int policy_store_import(struct lv_db *db, const struct audit_actor *who,
			const struct policy_source *src, size_t n, json_t **report,
			struct policy_errors *errs);

/*
 * Writes every stored policy to dir/NAME.json (dir must exist), each
 * atomically (temporary file, fsync, rename). OUT: *n, the number
 * written. Returns LV_OK, LV_EUNAVAIL (msg says which file could not be
 * written) or LV_EINTERNAL.
 */
int policy_store_export(struct lv_db *db, const char *dir, size_t *n, char *msg, size_t msglen);

/*
 * The history of the policy name, oldest first: a new array of {version,
 * action, at, actor: {employee (employees.id or null), label}, before,
 * after} where before/after are the policy objects (null when absent).
 * OUT: *out (caller decrefs). LV_ENOTFOUND when the name has no history.
 */
int policy_store_history(struct lv_db *db, const char *name, json_t **out);

/*
 * The active set as stored (policy_set_empty() when there are none). OUT:
 * *set (reference count 1, caller unrefs). Returns LV_OK; LV_EINVAL with
 * errs when the stored set does not load (only if the engine's rules
 * changed since it was stored: the caller keeps its last good set), or
 * LV_EINTERNAL.
 */
int policy_store_load_set(struct lv_db *db, struct policy_set **set, struct policy_errors *errs);

/*
 * The stored set as it would be with the policy name replaced by text (len
 * bytes; added when no stored policy has that name), or without it when
 * text is NULL — for previews and validation; nothing is written. The
 * text's own "name" must be name for the replacement to be exact (the
 * caller checks). OUT: *set (reference 1). Returns LV_OK, LV_EINVAL (errs
 * filled) or LV_EINTERNAL.
 */
int policy_store_load_set_with(struct lv_db *db, const char *name, const char *text, size_t len,
			       struct policy_set **set, struct policy_errors *errs);

/* ---- what decisions are about ---- */

/*
 * An employee as the engine sees it, with the strings it points to. The
 * engine's struct is s; the rest is storage (do not touch).
 */
struct policy_subject_data {
	struct policy_subject s;
	char *strs[6];
	char **groups;
};

/*
 * Fills *out from the employees row id (employees.id): department,
 * cost_center, site, job_title, employment_type, groups, hire_date as
 * hire_day (-1 when unknown), and today = the local date of `at`
 * (seconds; 0 = now, lv_now()). One query. Returns LV_OK, LV_ENOTFOUND
 * or LV_EINTERNAL; out is always safe to clean up.
 */
int policy_subject_load(struct lv_db *db, int64_t employee, int64_t at,
			struct policy_subject_data *out);
void policy_subject_data_cleanup(struct policy_subject_data *d);

/* Strings a loaded structure points to (lv_malloc'd, freed together). */
struct policy_strings {
	char **v;
	size_t n;
	size_t cap;
};

/*
 * A product and its variants as the engine sees them, with the strings
 * they point to.
 */
struct policy_product_data {
	int64_t id;           /* products.id */
	const char *name;     /* for people */
	int active;
	struct policy_product p;
	struct policy_variant *variants; /* nvariants, in catalog order */
	size_t nvariants;
	long selected;        /* index of the variant asked for by SKU, or -1 */
	/* storage */
	struct policy_strings owned;
	const char **tags;
};

/*
 * Fills *out with the product whose slug is key, or of the variant whose
 * SKU is key (then out->selected is that variant's index), with its
 * category slug, its tags (sorted), restricted, and its active variants
 * (plus the selected one even when inactive). One query. Returns LV_OK,
 * LV_ENOTFOUND or LV_EINTERNAL; out is always safe to clean up.
 */
int policy_product_load(struct lv_db *db, const char *key, struct policy_product_data *out);
void policy_product_data_cleanup(struct policy_product_data *d);

/* The employee's earlier order lines, with the strings they point to. */
struct policy_past {
	struct policy_past_line *lines; /* n */
	size_t n;
	/* storage */
	struct policy_strings owned;
	const char **tags;
	size_t ntags;
};

/*
 * Every line of the employee's orders created at or after since (seconds;
 * 0 for all) whose order is not cancelled or refused, with quantity net of
 * what was cancelled and returned (lines netting 0 are left out), the
 * product's slug, the line's category slug (as at checkout), the
 * product's current tags, and the order's local day. Oldest first. One
 * query. Returns LV_OK or LV_EINTERNAL; out is always safe to clean up.
 */
int policy_past_load(struct lv_db *db, int64_t employee, int64_t since, struct policy_past *out);
void policy_past_cleanup(struct policy_past *p);

/* The local day (days since 1970-01-01) of time t (seconds). */
int64_t policy_store_local_day(int64_t t);

#endif
