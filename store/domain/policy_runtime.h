/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * policy_runtime.h - catalog policies in the running store: the active
 * set, swapped atomically when HR changes a policy (a broken set never
 * replaces a working one), and the per-request scope through which every
 * catalog query, page, cart and checkout asks the same engine
 * (catalog-policies/policy.h).
 *
 * Visibility reaches SQL through the function lv_visible(product_id,
 * restricted, include_all), registered on every connection: the catalog
 * queries filter with it, so paging and counts stay in SQL. Inside a scope
 * it answers from a bitmap of the products the scope's employee may see;
 * outside any scope (the command line, tests) it answers "not restricted".
 * The bitmap is computed once per set of applicable policies (employees
 * with the same policies share it) and catalog generation (migration
 * 0007), so a catalog page costs a bit test per product.
 *
 * The active set remembers the policy generation it was loaded at
 * (migration 0008: a counter the policies table's triggers bump on every
 * change, whichever process made it), so that the server can tell, with
 * one cheap query, when another process (`livery policy import`) changed
 * the stored policies and load them again (store/face/server.c).
 */
#ifndef LV_POLICY_RUNTIME_H
#define LV_POLICY_RUNTIME_H

#include <stdint.h>

#include "lv_db.h"
#include "policy.h"

struct policy_runtime;

/* OUT: *out, with the empty set active. Returns LV_OK. */
int policy_runtime_new(struct policy_runtime **out);
void policy_runtime_free(struct policy_runtime *rt);

/* The generation of a set that was not read from the database. */
#define POLICY_GENERATION_UNKNOWN (-1)

/* Makes set (a reference is taken) the active one, of unknown generation;
 * requests already in a scope keep theirs until they close it. */
void policy_runtime_set(struct policy_runtime *rt, struct policy_set *set);

/*
 * Reads the stored policies and their generation in one read transaction
 * (joining the caller's when one is open, so both match) and makes them
 * the active set, remembering the generation. When the active set was
 * loaded at that same generation it stays (nothing changed; its
 * visibility bitmaps are kept). Loads are serialised, so of two racing
 * loaders the later one, whose read is the newer, swaps last. On any
 * error the active set stays. OUT: errs (initialised by the caller) gets
 * every error of a set that does not load. Returns LV_OK, LV_EINVAL (the
 * stored set does not load) or LV_EINTERNAL.
 */
int policy_runtime_load(struct policy_runtime *rt, struct lv_db *db, struct policy_errors *errs);

/* The generation the active set was loaded at, or POLICY_GENERATION_UNKNOWN. */
int64_t policy_runtime_generation(struct policy_runtime *rt);

/* OUT: a new reference to the active set (policy_set_unref it). */
struct policy_set *policy_runtime_get(struct policy_runtime *rt);

/* As policy_runtime_get; OUT: *generation (may be NULL), the set's. */
struct policy_set *policy_runtime_get_at(struct policy_runtime *rt, int64_t *generation);

/*
 * The stored policies' generation now (policy_generation.n; one cached
 * statement, cheap enough to ask every few seconds). OUT: *n. Returns
 * LV_OK or LV_EINTERNAL (logged).
 */
int policy_generation_read(struct lv_db *db, int64_t *n);

/* One request's policies for one employee. */
struct policy_scope {
	struct policy_runtime *rt;
	struct policy_set *set;      /* a reference */
	struct policy_view *view;
	struct policy_visible *vis;  /* shared bitmap (a reference) */
};

/*
 * Opens the scope of subject s: the active set's view and the visibility
 * bitmap (built when missing or stale: one query over the products).
 * OUT: *out (policy_scope_close it). Returns LV_OK or LV_EINTERNAL.
 */
int policy_scope_open(struct policy_runtime *rt, struct lv_db *db,
		      const struct policy_subject *s, struct policy_scope *out);
void policy_scope_close(struct policy_scope *scope);

/* Is product id (products.id) visible in scope? (the bitmap's answer) */
int policy_scope_visible_id(const struct policy_scope *scope, int64_t product_id);

/*
 * Makes scope the one lv_visible() answers for on this thread, until
 * policy_scope_leave(). NULL = none.
 */
void policy_scope_enter(const struct policy_scope *scope);
void policy_scope_leave(void);

/* Registers lv_visible() on the connection. Returns LV_OK or LV_EINTERNAL. */
int policy_sql_register(struct lv_db *db);

#endif
