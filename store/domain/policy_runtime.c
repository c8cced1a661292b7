/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * policy_runtime.c - the active policy set, request scopes, and the
 * lv_visible() SQL function (see policy_runtime.h).
 *
 * Concurrency: the active set and the bitmap cache are guarded by one
 * mutex, held only to swap or look up pointers (never while querying or
 * evaluating). Sets and bitmaps are reference counted, so a request keeps
 * what it started with while HR swaps in a new set. The scope that
 * lv_visible() answers for is thread-local: CivetWeb runs one request per
 * thread from start to end. A second mutex serialises policy_runtime_load
 * from its database read to its swap, so that loads swap in the order of
 * their reads (the API's load after a change and the maintenance thread's
 * after an import may race).
 */
#include "policy_runtime.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "lv_buf.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "policy_store.h"

#define VIS_CACHE_MAX 64

/* Who may see which product, for one (set, applicable policies, catalog). */
struct policy_visible {
	atomic_int refs;
	const struct policy_set *set; /* identity only (the cache holds a ref) */
	int64_t generation;           /* catalog_generation.n it was built at */
	char *key;                    /* the applicable policies' names */
	unsigned char *bits;          /* bit i: product id i is visible */
	int64_t nbits;
};

struct policy_runtime {
	pthread_mutex_t lock;
	pthread_mutex_t load_lock; /* one policy_runtime_load at a time */
	struct policy_set *set;
	int64_t generation;        /* policy_generation.n the set was read at */
	struct policy_visible *cache[VIS_CACHE_MAX];
	size_t ncache;
};

static _Thread_local const struct policy_visible *tl_vis;
static _Thread_local int tl_scoped;

static struct policy_visible *vis_ref(struct policy_visible *v)
{
	if (v)
		atomic_fetch_add(&v->refs, 1);
	return v;
}

static void vis_unref(struct policy_visible *v)
{
	if (v == NULL || atomic_fetch_sub(&v->refs, 1) != 1)
		return;
	lv_free(v->key);
	lv_free(v->bits);
	lv_free(v);
}

int policy_runtime_new(struct policy_runtime **out)
{
	struct policy_runtime *rt = lv_calloc(1, sizeof(*rt));

	pthread_mutex_init(&rt->lock, NULL);
	pthread_mutex_init(&rt->load_lock, NULL);
	rt->set = policy_set_empty();
	rt->generation = POLICY_GENERATION_UNKNOWN;
	*out = rt;
	return LV_OK;
}

void policy_runtime_free(struct policy_runtime *rt)
{
	size_t i;

	if (rt == NULL)
		return;
	for (i = 0; i < rt->ncache; i++)
		vis_unref(rt->cache[i]);
	policy_set_unref(rt->set);
	pthread_mutex_destroy(&rt->load_lock);
	pthread_mutex_destroy(&rt->lock);
	lv_free(rt);
}

/* Makes set (a reference is taken), read at generation gen, the active one. */
static void runtime_swap(struct policy_runtime *rt, struct policy_set *set, int64_t gen)
{
	struct policy_set *old;
	struct policy_visible *drop[VIS_CACHE_MAX];
	size_t i, n;

	policy_set_ref(set);
	pthread_mutex_lock(&rt->lock);
	old = rt->set;
	rt->set = set;
	rt->generation = gen;
	n = rt->ncache;
	memcpy(drop, rt->cache, n * sizeof(drop[0]));
	rt->ncache = 0;
	pthread_mutex_unlock(&rt->lock);
	for (i = 0; i < n; i++)
		vis_unref(drop[i]);
	policy_set_unref(old);
	lv_info("policies_active", "policies=%zu generation=%lld", policy_set_count(set),
		(long long)gen);
}

void policy_runtime_set(struct policy_runtime *rt, struct policy_set *set)
{
	runtime_swap(rt, set, POLICY_GENERATION_UNKNOWN);
}

int policy_generation_read(struct lv_db *db, int64_t *n)
{
	sqlite3_stmt *st = NULL;
	int rc = lv_db_stmt(db, "SELECT n FROM policy_generation WHERE id = 1", &st);
	int src;

	*n = POLICY_GENERATION_UNKNOWN;
	if (rc != LV_OK)
		goto out;
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
	} else {
		lv_error("policy_generation", "error=\"%s\"",
			 src == SQLITE_DONE ? "no row" : sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
out:
	lv_db_done(st);
	return rc;
}

int policy_runtime_load(struct policy_runtime *rt, struct lv_db *db, struct policy_errors *errs)
{
	struct policy_set *set = NULL;
	int64_t gen = POLICY_GENERATION_UNKNOWN;
	int own, same, rc;

	pthread_mutex_lock(&rt->load_lock);
	/* a deferred read transaction: its snapshot starts at the first
	 * SELECT, so the counter and the rows come from the same state */
	own = sqlite3_get_autocommit(db->conn);
	rc = own ? lv_db_exec(db, "BEGIN") : LV_OK;
	if (rc != LV_OK)
		goto out;
	rc = policy_generation_read(db, &gen);
	if (rc == LV_OK)
		rc = policy_store_load_set(db, &set, errs);
	rc = lv_db_tx_end(db, own, rc);
	if (rc != LV_OK)
		goto out;
	pthread_mutex_lock(&rt->lock);
	same = rt->generation == gen && gen != POLICY_GENERATION_UNKNOWN;
	pthread_mutex_unlock(&rt->lock);
	if (!same)
		runtime_swap(rt, set, gen);
out:
	pthread_mutex_unlock(&rt->load_lock);
	policy_set_unref(set);
	if (rc != LV_OK && rc != LV_EINVAL)
		rc = LV_EINTERNAL;
	return rc;
}

int64_t policy_runtime_generation(struct policy_runtime *rt)
{
	int64_t gen;

	pthread_mutex_lock(&rt->lock);
	gen = rt->generation;
	pthread_mutex_unlock(&rt->lock);
	return gen;
}

struct policy_set *policy_runtime_get_at(struct policy_runtime *rt, int64_t *generation)
{
	struct policy_set *set;

	pthread_mutex_lock(&rt->lock);
	set = policy_set_ref(rt->set);
	if (generation)
		*generation = rt->generation;
	pthread_mutex_unlock(&rt->lock);
	return set;
}

struct policy_set *policy_runtime_get(struct policy_runtime *rt)
{
	return policy_runtime_get_at(rt, NULL);
}

/* The applicable policies' names, joined: the bitmap cache's key. */
static char *scope_key(const struct policy_view *view)
{
	struct lv_buf b;
	size_t i;
	char *s;

	lv_buf_init(&b, 1 << 20);
	for (i = 0; i < policy_view_count(view); i++)
		lv_buf_printf(&b, "%s\n", policy_view_name(view, i));
	s = lv_strdup(lv_buf_str(&b));
	lv_buf_cleanup(&b);
	return s;
}

static int generation_get(struct lv_db *db, int64_t *gen)
{
	sqlite3_stmt *st = NULL;
	int rc = lv_db_stmt(db, "SELECT n FROM catalog_generation WHERE id = 1", &st);

	*gen = 0;
	if (rc == LV_OK && sqlite3_step(st) == SQLITE_ROW)
		*gen = sqlite3_column_int64(st, 0);
	else
		rc = LV_EINTERNAL;
	lv_db_done(st);
	return rc;
}

/* Evaluates every product once for view. OUT: *out (refs 1). */
static int vis_build(struct lv_db *db, const struct policy_view *view, int64_t gen,
		     struct policy_visible **out)
{
	static const char *const sql =
		"SELECT p.id, p.slug, c.slug, p.restricted,"
		" (SELECT json_group_array(t.tag) FROM product_tags t WHERE t.product_id = p.id),"
		" (SELECT max(id) FROM products)"
		" FROM products p JOIN categories c ON c.id = p.category_id";
	struct policy_visible *v = lv_calloc(1, sizeof(*v));
	sqlite3_stmt *st = NULL;
	int rc, src;

	atomic_init(&v->refs, 1);
	v->generation = gen;
	rc = lv_db_stmt(db, sql, &st);
	while (rc == LV_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *tags_json = (const char *)sqlite3_column_text(st, 4);
		const char *tags[64];
		struct policy_product p;
		json_t *tj = tags_json ? json_loads(tags_json, 0, NULL) : NULL, *t;
		size_t i;

		if (v->bits == NULL) {
			v->nbits = sqlite3_column_int64(st, 5) + 1;
			v->bits = lv_calloc((size_t)(v->nbits + 7) / 8, 1);
		}
		memset(&p, 0, sizeof(p));
		p.slug = (const char *)sqlite3_column_text(st, 1);
		p.category = (const char *)sqlite3_column_text(st, 2);
		p.restricted = sqlite3_column_int(st, 3);
		json_array_foreach(tj, i, t) {
			if (p.ntags < sizeof(tags) / sizeof(tags[0]) && json_is_string(t))
				tags[p.ntags++] = json_string_value(t);
		}
		p.tags = tags;
		if (id >= 0 && id < v->nbits && policy_view_product_visible(view, &p, NULL))
			v->bits[id / 8] |= (unsigned char)(1u << (id % 8));
		json_decref(tj);
	}
	if (rc == LV_OK && src != SQLITE_DONE) {
		lv_error("policy_visibility", "error=\"%s\"", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
	lv_db_done(st);
	if (rc != LV_OK) {
		vis_unref(v);
		v = NULL;
	}
	*out = v;
	return rc;
}

int policy_scope_open(struct policy_runtime *rt, struct lv_db *db,
		      const struct policy_subject *s, struct policy_scope *out)
{
	struct policy_visible *v = NULL, *old = NULL;
	char *key = NULL;
	int64_t gen = 0;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	out->rt = rt;
	out->set = policy_runtime_get(rt);
	rc = policy_view_new(out->set, s, &out->view);
	if (rc == LV_OK)
		rc = generation_get(db, &gen);
	if (rc != LV_OK)
		goto out;
	key = scope_key(out->view);
	pthread_mutex_lock(&rt->lock);
	for (i = 0; i < rt->ncache; i++) {
		struct policy_visible *c = rt->cache[i];

		if (c->set == out->set && c->generation == gen && strcmp(c->key, key) == 0) {
			v = vis_ref(c);
			break;
		}
	}
	pthread_mutex_unlock(&rt->lock);
	if (v == NULL) {
		rc = vis_build(db, out->view, gen, &v);
		if (rc != LV_OK)
			goto out;
		v->set = out->set;
		v->key = key;
		key = NULL;
		pthread_mutex_lock(&rt->lock);
		if (rt->set == out->set) { /* not swapped meanwhile: keep it */
			if (rt->ncache == VIS_CACHE_MAX) {
				old = rt->cache[0];
				memmove(rt->cache, rt->cache + 1, (VIS_CACHE_MAX - 1) * sizeof(rt->cache[0]));
				rt->ncache--;
			}
			rt->cache[rt->ncache++] = vis_ref(v);
		}
		pthread_mutex_unlock(&rt->lock);
		vis_unref(old);
	}
	out->vis = v;
out:
	lv_free(key);
	if (rc != LV_OK)
		policy_scope_close(out);
	return rc;
}

void policy_scope_close(struct policy_scope *scope)
{
	if (scope == NULL)
		return;
	vis_unref(scope->vis);
	policy_view_free(scope->view);
	policy_set_unref(scope->set);
	memset(scope, 0, sizeof(*scope));
}

static int vis_test(const struct policy_visible *v, int64_t id)
{
	return v && id >= 0 && id < v->nbits && (v->bits[id / 8] & (1u << (id % 8)));
}

int policy_scope_visible_id(const struct policy_scope *scope, int64_t product_id)
{
	return vis_test(scope->vis, product_id);
}

void policy_scope_enter(const struct policy_scope *scope)
{
	tl_scoped = scope != NULL;
	tl_vis = scope ? scope->vis : NULL;
}

void policy_scope_leave(void)
{
	tl_scoped = 0;
	tl_vis = NULL;
}

/* lv_visible(product_id, restricted, include_all) */
static void lv_visible_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_int(argv[2]))
		sqlite3_result_int(ctx, 1);
	else if (!tl_scoped)
		sqlite3_result_int(ctx, sqlite3_value_int(argv[1]) == 0);
	else
		sqlite3_result_int(ctx, vis_test(tl_vis, sqlite3_value_int64(argv[0])));
}

int policy_sql_register(struct lv_db *db)
{
	int src = sqlite3_create_function(db->conn, "lv_visible", 3,
					  SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL,
					  lv_visible_fn, NULL, NULL);

	if (src != SQLITE_OK) {
		lv_error("policy_sql_register", "error=\"%s\"", sqlite3_errmsg(db->conn));
		return LV_EINTERNAL;
	}
	return LV_OK;
}
