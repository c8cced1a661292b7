/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * order_checkout.c - the quote and the checkout (order.h), and the
 * idempotency keys that make a retried checkout safe.
 *
 * Both start from the same split (split_build): the requested lines are
 * read in one query with their variant, product, category and tags; the
 * employee's programmes and current balances come from allowance.c; then
 * each programme, in checkout order (position, id), pays for the lines it
 * covers, in line order, as much as its balance allows:
 *   - a programme covers a line when it lists neither categories nor tags,
 *     or lists the line's category, or one of the line's tags;
 *   - money pays min(rest of the line, balance);
 *   - points pay ceil(rest / points_rate) points, at most the balance, and
 *     cover min(points * rate, rest): a point is never split, and the
 *     employee is never charged more than the line's price;
 *   - what is left of a line is its overage, handled by the overage rule of
 *     the first programme that covers the line, or by [store]
 *     uncovered_overage when none does.
 * The quote reports the split; the checkout re-computes it inside its
 * BEGIN IMMEDIATE transaction and writes it.
 *
 * Idempotency (IETF draft "The Idempotency-Key HTTP Header Field"): the key
 * and the request's fingerprint are stored with the response in the
 * checkout's own transaction, so a key exists exactly when its order does.
 * A repeat finds the row and replays the response (same fingerprint) or is
 * refused with 422 (another one). A repeat that arrives while the first is
 * still running would otherwise wait for the write lock and then replay;
 * the draft asks for 409 instead, which the in-flight table below gives
 * (this process is the only writer of the database).
 */
#include "order.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "allowance.h"
#include "cart.h"
#include "catalog.h"
#include "lv_err.h"
#include "lv_http_parse.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "policy_store.h"
#include "say.h"

/* ---- small helpers ---- */

static const char *const overage_names[] = { "none", "deny", "approval", "payroll" };

int order_overage_parse(const char *s, enum order_overage *out)
{
	int i;

	for (i = ORDER_OVERAGE_DENY; i <= ORDER_OVERAGE_PAYROLL; i++) {
		if (s && strcmp(s, overage_names[i]) == 0) {
			*out = (enum order_overage)i;
			return LV_OK;
		}
	}
	return LV_EINVAL;
}

const char *order_overage_name(enum order_overage o)
{
	return overage_names[o];
}

void order_result_cleanup(struct order_result *res)
{
	lv_free(res->body);
	res->body = NULL;
}

int order_idem_key_valid(const char *key)
{
	size_t i, n = key ? strlen(key) : 0;

	if (n == 0 || n > 255)
		return LV_EINVAL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)key[i];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\')
			return LV_EINVAL;
	}
	return LV_OK;
}

static void hex_sha256(const void *p, size_t n, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, p, n);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

int order_fingerprint(const json_t *content, char hex[65])
{
	char *s = json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	hex[0] = '\0';
	if (s == NULL)
		return LV_EINTERNAL;
	hex_sha256(s, strlen(s), hex);
	free(s);
	return LV_OK;
}

static int fingerprint_valid(const char *fp)
{
	size_t i;

	if (fp == NULL || strlen(fp) != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)fp[i]))
			return 0;
	return 1;
}

static void problem_set(struct order_problem *p, const char *code, const char *sku,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void problem_set(struct order_problem *p, const char *code, const char *sku,
			const char *fmt, ...)
{
	va_list ap;

	lv_strlcpy(p->code, code, sizeof(p->code));
	lv_strlcpy(p->sku, sku ? sku : "", sizeof(p->sku));
	va_start(ap, fmt);
	vsnprintf(p->message, sizeof(p->message), fmt, ap);
	va_end(ap);
}

/* ---- the in-flight table ---- */

#define INFLIGHT_MAX 512

struct inflight {
	int used;
	int64_t employee;
	unsigned char key[crypto_generichash_BYTES];
};

static pthread_mutex_t inflight_lock = PTHREAD_MUTEX_INITIALIZER;
static struct inflight inflight_table[INFLIGHT_MAX];

/*
 * Claims (employee, key) for this request. OUT: *slot. Returns LV_OK,
 * LV_ECONFLICT when another request holds it, LV_EUNAVAIL when the table
 * is full.
 */
static int inflight_claim(int64_t employee, const char *key, int *slot)
{
	unsigned char h[crypto_generichash_BYTES];
	int i, free_slot = -1, rc = LV_OK;

	crypto_generichash(h, sizeof(h), (const unsigned char *)key, strlen(key), NULL, 0);
	pthread_mutex_lock(&inflight_lock);
	for (i = 0; i < INFLIGHT_MAX; i++) {
		struct inflight *f = &inflight_table[i];

		if (!f->used) {
			if (free_slot < 0)
				free_slot = i;
		} else if (f->employee == employee && memcmp(f->key, h, sizeof(h)) == 0) {
			rc = LV_ECONFLICT;
			goto out;
		}
	}
	if (free_slot < 0) {
		rc = LV_EUNAVAIL;
		goto out;
	}
	inflight_table[free_slot].used = 1;
	inflight_table[free_slot].employee = employee;
	memcpy(inflight_table[free_slot].key, h, sizeof(h));
	*slot = free_slot;
out:
	pthread_mutex_unlock(&inflight_lock);
	return rc;
}

static void inflight_release(int slot)
{
	if (slot < 0)
		return;
	pthread_mutex_lock(&inflight_lock);
	inflight_table[slot].used = 0;
	pthread_mutex_unlock(&inflight_lock);
}

/* ---- the split ---- */

struct split_line {
	struct order_line_req req;
	int found;       /* the SKU exists and may be shown */
	int available;   /* variant and product active */
	int restricted;  /* the product is restricted (see split_policies) */
	int percent;     /* the share of the price allowances may pay (0..100) */
	int64_t variant, product, price, stock;
	char *name, *slug, *size, *colour, *fit, *logo, *category;
	json_t *tags;    /* array of strings */
	int64_t total, covered;
	enum order_overage rule;
	struct order_problem problem; /* code[0] == 0: none */
};

struct split_prog {
	int64_t id;
	json_t *def;     /* its allowance_balances entry (borrowed from balances):
			  * the programme, its balance and period */
	int points;
	int64_t rate;    /* minor units per point (points only) */
	int64_t before, left;
	enum order_overage overage;
};

struct split_pay {
	size_t line, prog;
	int64_t amount, value;
};

struct split {
	struct split_line *lines;
	size_t n;
	struct split_prog *progs;
	size_t np;
	struct split_pay *pays;
	size_t npay;
	int64_t total, covered, ov_approval, ov_payroll, ov_deny;
	json_t *balances;
	char employee_status[16];
	char *site;
	struct order_problem problem; /* the first problem (order or line) */
};

static void split_cleanup(struct split *s)
{
	size_t i;

	for (i = 0; s->lines && i < s->n; i++) {
		struct split_line *l = &s->lines[i];

		lv_free(l->name);
		lv_free(l->slug);
		lv_free(l->size);
		lv_free(l->colour);
		lv_free(l->fit);
		lv_free(l->logo);
		lv_free(l->category);
		json_decref(l->tags);
	}
	lv_free(s->lines);
	lv_free(s->progs);
	lv_free(s->pays);
	lv_free(s->site);
	json_decref(s->balances);
	memset(s, 0, sizeof(*s));
}

/* Checks the lines themselves (no database): count, SKU, quantity, repeats. */
static int split_lines_check(const struct order_line_req *lines, size_t n,
			     struct order_problem *pb)
{
	size_t i, j;

	if (n == 0) {
		problem_set(pb, "cart_empty", NULL, "There is nothing to order: the cart is empty.");
		return LV_EINVAL;
	}
	if (n > ORDER_MAX_LINES) {
		problem_set(pb, "too_many_lines", NULL,
			    "An order has at most %d lines.", ORDER_MAX_LINES);
		return LV_EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (lines[i].sku[0] == '\0' || memchr(lines[i].sku, '\0', sizeof(lines[i].sku)) == NULL) {
			problem_set(pb, "unknown_sku", NULL, "Line %zu has no SKU.", i + 1);
			return LV_EINVAL;
		}
		if (lines[i].quantity < 1 || lines[i].quantity > ORDER_MAX_QUANTITY) {
			problem_set(pb, "bad_quantity", lines[i].sku,
				    "The quantity of %s must be from 1 to %d.", lines[i].sku,
				    ORDER_MAX_QUANTITY);
			return LV_EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(lines[i].sku, lines[j].sku) == 0) {
				problem_set(pb, "duplicate_sku", lines[i].sku,
					    "%s is listed twice; give it once with the total quantity.",
					    lines[i].sku);
				return LV_EINVAL;
			}
		}
	}
	return LV_OK;
}

/* Reads every line's variant in one query. */
static int split_lines_load(struct lv_db *db, struct split *s)
{
	static const char *const sql =
		"SELECT j.key, v.id, v.product_id, v.price, v.stock,"
		" v.active AND p.active, p.restricted, p.name, p.slug, v.size, v.colour,"
		" v.fit, c.slug, (SELECT json_group_array(t.tag) FROM product_tags t"
		" WHERE t.product_id = p.id), v.logo"
		" FROM json_each(?1) j JOIN variants v ON v.sku = j.value"
		" JOIN products p ON p.id = v.product_id"
		" JOIN categories c ON c.id = p.category_id";
	sqlite3_stmt *st = NULL;
	json_t *skus = json_array();
	char *text = NULL;
	size_t i;
	int rc, src;

	for (i = 0; i < s->n; i++)
		json_array_append_new(skus, json_string(s->lines[i].req.sku));
	text = json_dumps(skus, JSON_COMPACT);
	rc = text ? lv_db_stmt(db, sql, &st) : LV_EINTERNAL;
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t k = sqlite3_column_int64(st, 0);
		struct split_line *l;
		json_error_t jerr;

		if (k < 0 || (size_t)k >= s->n)
			continue;
		l = &s->lines[k];
		l->found = 1;
		l->percent = 100;
		l->restricted = sqlite3_column_int(st, 6);
		l->variant = sqlite3_column_int64(st, 1);
		l->product = sqlite3_column_int64(st, 2);
		l->price = sqlite3_column_int64(st, 3);
		l->stock = sqlite3_column_int64(st, 4);
		l->available = sqlite3_column_int(st, 5);
		l->name = lv_db_column_strdup(st, 7, "");
		l->slug = lv_db_column_strdup(st, 8, "");
		l->size = lv_db_column_strdup(st, 9, "");
		l->colour = lv_db_column_strdup(st, 10, "");
		l->fit = lv_db_column_strdup(st, 11, "");
		l->category = lv_db_column_strdup(st, 12, "");
		l->logo = lv_db_column_strdup(st, 14, "");
		l->tags = json_loads((const char *)sqlite3_column_text(st, 13), 0, &jerr);
		if (l->tags == NULL)
			l->tags = json_array();
	}
	if (src != SQLITE_DONE) {
		lv_error("order_lines_load", "error=\"%s\"", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
out:
	lv_db_done(st);
	free(text);
	json_decref(skus);
	return rc;
}

/* The per-line checks against the catalog; fills line problems. */
static void split_lines_judge(struct split *s, const char *currency)
{
	char a[32], b[32];
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct split_line *l = &s->lines[i];
		const char *sku = l->req.sku;

		if (l->problem.code[0])
			; /* refused by the catalog policies already */
		else if (!l->found)
			problem_set(&l->problem, "unknown_sku", sku,
				    "There is no product with SKU %s in the store.", sku);
		else if (!l->available)
			problem_set(&l->problem, "unavailable", sku,
				    "%s (%s) is no longer available.", l->name, sku);
		else if (l->stock == 0)
			problem_set(&l->problem, "out_of_stock", sku,
				    "%s (%s) is out of stock.", l->name, sku);
		else if (l->stock < l->req.quantity)
			problem_set(&l->problem, "out_of_stock", sku,
				    "Only %lld of %s (%s) left; you asked for %lld.",
				    (long long)l->stock, l->name, sku,
				    (long long)l->req.quantity);
		else if (l->req.expect_price >= 0 && l->req.expect_price != l->price) {
			catalog_price_format(l->req.expect_price, currency, "en", a, sizeof(a));
			catalog_price_format(l->price, currency, "en", b, sizeof(b));
			problem_set(&l->problem, "price_changed", sku,
				    "The price of %s (%s) changed from %s to %s.", l->name, sku,
				    a, b);
		}
		if (l->found) {
			l->total = l->price * l->req.quantity;
			s->total += l->total;
		}
		if (l->problem.code[0] && s->problem.code[0] == '\0')
			s->problem = l->problem;
	}
}

/* The problem code and status family for a policy refusal. */
static const char *policy_problem_code(enum policy_code c)
{
	switch (c) {
	case POLICY_NOT_APPROVED: return "not_approved";
	case POLICY_NOT_ELIGIBLE: return "not_eligible";
	case POLICY_LIMIT: return "limit_reached";
	default: return "unknown_sku";
	}
}

/*
 * Applies the employee's catalog policies (policies may be NULL: none, and
 * then a restricted product is refused like an unknown SKU) to the found
 * lines: a line the policies refuse gets its problem (a hidden product
 * reads exactly like an unknown SKU); the others get the price for the
 * employee and the share allowances may pay. Limits count the employee's
 * orders of the last 400 days (the longest window is a year) and this
 * order's lines.
 */
static int split_policies(struct lv_db *db, int64_t employee, int64_t at,
			  const struct policy_view *policies, const struct lv_i18n_catalog *i18n,
			  struct split *s)
{
	struct policy_line *pl = lv_calloc(s->n + 1, sizeof(*pl));
	struct policy_product *pp = lv_calloc(s->n + 1, sizeof(*pp));
	struct policy_variant *pv = lv_calloc(s->n + 1, sizeof(*pv));
	struct policy_decision *d = lv_calloc(s->n + 1, sizeof(*d));
	const char **tags = lv_calloc(s->n * 64 + 1, sizeof(*tags));
	size_t *index = lv_calloc(s->n + 1, sizeof(*index));
	struct policy_past past;
	char why[256];
	size_t i, m = 0;
	int rc = LV_OK;

	memset(&past, 0, sizeof(past));
	for (i = 0; i < s->n; i++) {
		struct split_line *l = &s->lines[i];
		json_t *t;
		size_t k;

		if (!l->found)
			continue;
		if (policies == NULL) {
			if (l->restricted)
				problem_set(&l->problem, "unknown_sku", l->req.sku,
					    "There is no product with SKU %s in the store.", l->req.sku);
			continue;
		}
		pp[m].slug = l->slug;
		pp[m].category = l->category;
		pp[m].restricted = l->restricted;
		pp[m].tags = tags + i * 64;
		json_array_foreach(l->tags, k, t) {
			if (pp[m].ntags < 64 && json_is_string(t))
				tags[i * 64 + pp[m].ntags++] = json_string_value(t);
		}
		pv[m] = (struct policy_variant){ l->req.sku, l->size, l->colour, l->fit, l->price,
						 l->logo };
		pl[m] = (struct policy_line){ &pp[m], &pv[m], l->req.quantity };
		index[m++] = i;
	}
	if (policies == NULL || m == 0)
		goto out;
	rc = policy_past_load(db, employee, at - 400 * 86400, &past);
	if (rc != LV_OK)
		goto out;
	policy_view_order_check(policies, pl, m, past.lines, past.n, d);
	for (i = 0; i < m; i++) {
		struct split_line *l = &s->lines[index[i]];
		struct policy_price price;

		if (d[i].code != POLICY_OK) {
			if (d[i].code == POLICY_HIDDEN)
				problem_set(&l->problem, "unknown_sku", l->req.sku,
					    "There is no product with SKU %s in the store.", l->req.sku);
			else {
				say_policy_refusal(&d[i], i18n, why, sizeof(why));
				problem_set(&l->problem, policy_problem_code(d[i].code), l->req.sku,
					    "%s", why);
			}
			continue;
		}
		policy_view_price(policies, &pp[i], &pv[i], &price, NULL);
		l->price = price.unit_price;
		l->percent = price.company_percent;
	}
out:
	policy_past_cleanup(&past);
	lv_free(pl);
	lv_free(pp);
	lv_free(pv);
	lv_free(d);
	lv_free(tags);
	lv_free(index);
	return rc;
}

/* Reads the employee's programmes and current balances (materialising). */
static int split_progs_load(struct lv_db *db, int64_t employee, int64_t at, struct split *s)
{
	json_t *bal;
	size_t i;
	int rc;

	rc = allowance_balances(db, employee, at, &s->balances);
	if (rc != LV_OK)
		goto out;
	s->progs = lv_calloc(json_array_size(s->balances) + 1, sizeof(*s->progs));
	json_array_foreach(s->balances, i, bal) {
		struct split_prog *p;

		/* not eligible yet (no current period): pays nothing */
		if (json_is_null(json_object_get(bal, "period")))
			continue;
		p = &s->progs[s->np++];
		p->id = json_integer_value(json_object_get(bal, "id"));
		p->def = bal;
		p->points = strcmp(json_string_value(json_object_get(bal, "unit")), "points") == 0;
		p->rate = json_integer_value(json_object_get(bal, "points_rate"));
		p->before = json_integer_value(json_object_get(bal, "balance"));
		p->left = p->before;
		if (order_overage_parse(json_string_value(json_object_get(bal, "overage")),
					&p->overage) != LV_OK)
			p->overage = ORDER_OVERAGE_DENY;
	}
out:
	return rc;
}

static int json_list_has(const json_t *list, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/* Does programme p pay for line l (see the header paragraph)? */
static int split_covers(const struct split_prog *p, const struct split_line *l)
{
	const json_t *cats = json_object_get(p->def, "categories");
	const json_t *tags = json_object_get(p->def, "tags");
	json_t *t;
	size_t i;

	if (json_array_size(cats) == 0 && json_array_size(tags) == 0)
		return 1;
	if (json_list_has(cats, l->category))
		return 1;
	json_array_foreach(l->tags, i, t)
		if (json_is_string(t) && json_list_has(tags, json_string_value(t)))
			return 1;
	return 0;
}

/* Splits every valid line between the programmes, then rules the overage. */
static void split_pay(struct split *s, enum order_overage uncovered)
{
	size_t i, k;

	s->pays = lv_calloc(s->n * (s->np ? s->np : 1), sizeof(*s->pays));
	for (k = 0; k < s->np; k++) {
		struct split_prog *p = &s->progs[k];

		for (i = 0; i < s->n && p->left > 0; i++) {
			struct split_line *l = &s->lines[i];
			int64_t cap = l->total * l->percent / 100;
			int64_t rest = (cap < l->total ? cap : l->total) - l->covered, amount, value;

			if (!l->found || rest <= 0 || !split_covers(p, l))
				continue;
			if (p->points) {
				amount = (rest + p->rate - 1) / p->rate;
				if (amount > p->left)
					amount = p->left;
				value = amount * p->rate < rest ? amount * p->rate : rest;
			} else {
				amount = rest < p->left ? rest : p->left;
				value = amount;
			}
			p->left -= amount;
			l->covered += value;
			s->pays[s->npay++] = (struct split_pay){ i, k, amount, value };
		}
	}
	for (i = 0; i < s->n; i++) {
		struct split_line *l = &s->lines[i];
		int64_t over = l->total - l->covered;

		l->rule = ORDER_OVERAGE_NONE;
		if (!l->found)
			continue;
		s->covered += l->covered;
		if (over == 0)
			continue;
		l->rule = uncovered;
		for (k = 0; k < s->np; k++) {
			if (split_covers(&s->progs[k], l)) {
				l->rule = s->progs[k].overage;
				break;
			}
		}
		if (l->rule == ORDER_OVERAGE_APPROVAL)
			s->ov_approval += over;
		else if (l->rule == ORDER_OVERAGE_PAYROLL)
			s->ov_payroll += over;
		else
			s->ov_deny += over;
	}
}

/*
 * The whole split for employee's lines at time at. Line problems and the
 * order-level problems (employee not active, overage denied) are data in
 * s->problem; the return is LV_OK, LV_EINVAL (the lines themselves are
 * malformed: s->problem), LV_ENOTFOUND (no such employee) or LV_EINTERNAL.
 */
static int split_build(struct lv_db *db, int64_t employee, const struct order_line_req *lines,
		       size_t n, const char *uncovered_s, const char *currency,
		       const struct policy_view *policies, const struct lv_i18n_catalog *i18n,
		       int64_t at, struct split *s)
{
	enum order_overage uncovered = ORDER_OVERAGE_DENY;
	sqlite3_stmt *st = NULL;
	char amount[32];
	size_t i;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = split_lines_check(lines, n, &s->problem);
	if (rc != LV_OK)
		goto out;
	if (order_overage_parse(uncovered_s, &uncovered) != LV_OK)
		uncovered = ORDER_OVERAGE_DENY;
	rc = lv_db_stmt(db, "SELECT status, site FROM employees WHERE id = ?1", &st);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(st, 1, employee);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	lv_strlcpy(s->employee_status, (const char *)sqlite3_column_text(st, 0),
		   sizeof(s->employee_status));
	if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		s->site = lv_db_column_strdup(st, 1, "");
	lv_db_done(st);
	st = NULL;

	s->n = n;
	s->lines = lv_calloc(n, sizeof(*s->lines));
	for (i = 0; i < n; i++)
		s->lines[i].req = lines[i];
	rc = split_lines_load(db, s);
	if (rc == LV_OK)
		rc = split_policies(db, employee, at, policies, i18n, s);
	if (rc == LV_OK)
		rc = split_progs_load(db, employee, at, s);
	if (rc != LV_OK)
		goto out;
	split_lines_judge(s, currency);
	split_pay(s, uncovered);
	if (strcmp(s->employee_status, "active") != 0) {
		problem_set(&s->problem, "not_active", NULL,
			    "Orders cannot be placed while your account is %s.",
			    strcmp(s->employee_status, "on_leave") == 0 ? "on leave" : "closed");
	} else if (s->problem.code[0] == '\0' && s->ov_deny > 0) {
		catalog_price_format(s->ov_deny, currency, "en", amount, sizeof(amount));
		problem_set(&s->problem, "overage_denied", NULL,
			    "Your allowance does not cover %s of this order, and the rest cannot "
			    "be paid another way. Remove items or choose cheaper ones.", amount);
	}
out:
	lv_db_done(st);
	return rc;
}

/* ---- the quote ---- */

static json_t *problem_json(const struct order_problem *p)
{
	if (p->code[0] == '\0')
		return json_null();
	return json_pack("{s:s,s:s*,s:s}", "code", p->code, "sku", p->sku[0] ? p->sku : NULL,
			 "message", p->message);
}

static json_t *split_line_payments(const struct split *s, size_t line)
{
	json_t *a = json_array();
	size_t j;

	for (j = 0; j < s->npay; j++) {
		const struct split_pay *pay = &s->pays[j];
		const struct split_prog *p = &s->progs[pay->prog];

		if (pay->line != line)
			continue;
		json_array_append_new(a, json_pack("{s:O,s:O,s:O,s:I,s:I}",
			"programme", json_object_get(p->def, "programme"),
			"name", json_object_get(p->def, "name"),
			"unit", json_object_get(p->def, "unit"),
			"amount", (json_int_t)pay->amount, "value", (json_int_t)pay->value));
	}
	return a;
}

static json_t *split_json(const struct split *s, const char *currency, const char *digest)
{
	json_t *lines = json_array(), *bals = json_array(), *problems = json_array(), *o;
	size_t i;
	int ok;

	for (i = 0; i < s->n; i++) {
		const struct split_line *l = &s->lines[i];

		o = json_pack("{s:I,s:s,s:s*,s:s*,s:s*,s:s*,s:s*,s:s*,s:s*,s:I,s:I,s:I,s:I,s:I,s:s*,s:o,s:o}",
			"line_no", (json_int_t)(i + 1), "sku", l->req.sku, "product", l->name,
			"slug", l->slug, "size", l->size, "colour", l->colour, "fit", l->fit,
			"logo", l->logo,
			"category", l->category, "unit_price", (json_int_t)l->price,
			"quantity", (json_int_t)l->req.quantity, "total", (json_int_t)l->total,
			"covered", (json_int_t)l->covered,
			"overage", (json_int_t)(l->total - l->covered),
			"overage_rule", l->rule == ORDER_OVERAGE_NONE ? NULL : order_overage_name(l->rule),
			"payments", split_line_payments(s, i), "problem", problem_json(&l->problem));
		json_array_append_new(lines, o);
		if (l->problem.code[0])
			json_array_append_new(problems, problem_json(&l->problem));
	}
	if (s->problem.code[0] && (s->problem.sku[0] == '\0'))
		json_array_append_new(problems, problem_json(&s->problem));
	for (i = 0; i < s->np; i++) {
		const struct split_prog *p = &s->progs[i];

		json_array_append_new(bals, json_pack("{s:O,s:O,s:O,s:O,s:I,s:I,s:O}",
			"programme", json_object_get(p->def, "programme"),
			"name", json_object_get(p->def, "name"),
			"unit", json_object_get(p->def, "unit"),
			"points_rate", json_object_get(p->def, "points_rate"),
			"before", (json_int_t)p->before, "after", (json_int_t)p->left,
			"next_reset", json_object_get(p->def, "next_reset")));
	}
	ok = s->problem.code[0] == '\0';
	return json_pack("{s:s,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:b,s:b,s:o,s:o,s:s,s:b}",
		"currency", currency, "lines", lines, "total", (json_int_t)s->total,
		"covered", (json_int_t)s->covered,
		"overage", (json_int_t)(s->total - s->covered),
		"overage_approval", (json_int_t)s->ov_approval,
		"overage_payroll", (json_int_t)s->ov_payroll,
		"overage_denied", (json_int_t)s->ov_deny,
		"needs_approval", s->ov_approval > 0, "needs_payroll_consent", s->ov_payroll > 0,
		"balances", bals, "problems", problems, "cart_digest", digest ? digest : "",
		"can_checkout", ok);
}

/* The lines of the request, or of the cart. OUT: *owned (free it). */
static int lines_resolve(struct lv_db *db, int64_t employee, const struct order_line_req *lines,
			 size_t nlines, const struct order_line_req **use, size_t *n,
			 struct order_line_req **owned)
{
	int rc = LV_OK;

	*owned = NULL;
	if (lines) {
		*use = lines;
		*n = nlines;
	} else {
		rc = cart_lines_load(db, employee, owned, n);
		*use = *owned;
	}
	return rc;
}

int order_quote(struct lv_db *db, int64_t employee, const struct order_line_req *lines,
		size_t nlines, const char *uncovered_overage, const char *currency,
		const struct policy_view *policies, const struct lv_i18n_catalog *i18n,
		int64_t at, json_t **out)
{
	const struct order_line_req *use = NULL;
	struct order_line_req *owned = NULL;
	struct split s;
	char digest[65] = "";
	size_t n = 0;
	int rc;

	*out = NULL;
	memset(&s, 0, sizeof(s));
	rc = lines_resolve(db, employee, lines, nlines, &use, &n, &owned);
	if (rc == LV_OK && lines == NULL)
		rc = cart_digest(db, employee, digest);
	if (rc != LV_OK)
		goto out;
	rc = split_build(db, employee, use, n, uncovered_overage, currency, policies, i18n, at,
			 &s);
	if (rc == LV_EINVAL)
		rc = LV_OK; /* malformed lines are a problem to show, not an error */
	if (rc == LV_OK)
		*out = split_json(&s, currency, lines == NULL ? digest : NULL);
out:
	split_cleanup(&s);
	lv_free(owned);
	return rc;
}

/* ---- the checkout ---- */

/* One field of a home address: present, a string, valid UTF-8, no control. */
static int address_field_ok(const json_t *addr, const char *key, size_t min, size_t max)
{
	const json_t *v = json_object_get(addr, key);
	const char *s;
	size_t i, n;

	if (v == NULL || json_is_null(v))
		return min == 0;
	if (!json_is_string(v))
		return 0;
	s = json_string_value(v);
	n = json_string_length(v);
	if (n < min || n > max || strlen(s) != n || !lv_utf8_valid(s, n))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	if (min > 0) { /* not only spaces */
		for (i = 0; i < n && s[i] == ' '; i++)
			;
		if (i == n)
			return 0;
	}
	return 1;
}

/* Validates delivery and address; OUT: *ship_to (new JSON). */
static int delivery_check(const struct order_checkout_req *req, const char *site,
			  json_t **ship_to, struct order_problem *pb)
{
	static const struct { const char *key; size_t min, max; const char *label; } fields[] = {
		{ "name", 1, 200, "the name" }, { "line1", 1, 200, "the first address line" },
		{ "line2", 0, 200, "the second address line" }, { "postcode", 1, 16, "the postcode" },
		{ "city", 1, 100, "the city" }, { "country", 2, 2, "the country" },
	};
	const char *key, *c;
	json_t *v;
	size_t i;

	*ship_to = NULL;
	if (req->delivery && strcmp(req->delivery, "site") == 0) {
		if (site == NULL || site[0] == '\0') {
			problem_set(pb, "bad_delivery", NULL, "Your site is not known to the store; "
				    "choose delivery to a home address.");
			return LV_EINVAL;
		}
		*ship_to = json_pack("{s:s}", "site", site);
		return LV_OK;
	}
	if (req->delivery == NULL || strcmp(req->delivery, "home") != 0) {
		problem_set(pb, "bad_delivery", NULL, "Delivery must be to your site or to a home address.");
		return LV_EINVAL;
	}
	if (!json_is_object(req->address)) {
		problem_set(pb, "bad_address", NULL, "Home delivery needs an address.");
		return LV_EINVAL;
	}
	json_object_foreach((json_t *)req->address, key, v) {
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strcmp(key, fields[i].key) == 0)
				break;
		if (i == sizeof(fields) / sizeof(fields[0])) {
			problem_set(pb, "bad_address", NULL, "The address has an unknown field.");
			return LV_EINVAL;
		}
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!address_field_ok(req->address, fields[i].key, fields[i].min, fields[i].max)) {
			problem_set(pb, "bad_address", NULL, "Check %s of the address (%s%zu to %zu characters).",
				    fields[i].label, fields[i].min ? "" : "up to ", fields[i].min,
				    fields[i].max);
			return LV_EINVAL;
		}
	}
	c = json_string_value(json_object_get(req->address, "country"));
	if (!isupper((unsigned char)c[0]) || !isupper((unsigned char)c[1])) {
		problem_set(pb, "bad_address", NULL,
			    "The country is a two-letter ISO 3166 code such as FR or NL.");
		return LV_EINVAL;
	}
	*ship_to = json_deep_copy(req->address);
	return LV_OK;
}

/* The HTTP status for a refusal code. */
static int problem_status(const char *code)
{
	static const struct { const char *code; int status; } map[] = {
		{ "out_of_stock", 409 }, { "price_changed", 409 }, { "cart_changed", 409 },
		{ "idempotency_key_in_use", 409 }, { "not_active", 403 },
		{ "unknown_sku", 422 }, { "unavailable", 422 }, { "overage_denied", 422 },
		{ "payroll_consent_required", 422 }, { "idempotency_key_reused", 422 },
		{ "not_approved", 422 }, { "not_eligible", 422 }, { "limit_reached", 422 },
		{ "busy", 503 },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].code, code) == 0)
			return map[i].status;
	return 400;
}

static void refuse(struct order_result *res, const struct order_problem *pb)
{
	res->problem = *pb;
	res->status = problem_status(pb->code);
}

/*
 * Looks the key up. OUT: res filled with the stored answer (*found = 1)
 * or a 422 when the fingerprint differs. Runs in the transaction.
 */
static int idem_lookup(struct lv_db *db, const struct order_checkout_req *req,
		       struct order_result *res, int *found)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*found = 0;
	rc = lv_db_stmt(db, "SELECT k.fingerprint, k.status, k.response, o.ref"
			    " FROM idempotency_keys k JOIN orders o ON o.id = k.order_id"
			    " WHERE k.employee = ?1 AND k.key = ?2", &st);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(st, 1, req->employee);
	lv_db_bind_text(st, 2, req->idem_key);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	*found = 1;
	if (strcmp((const char *)sqlite3_column_text(st, 0), req->fingerprint) != 0) {
		struct order_problem pb;

		memset(&pb, 0, sizeof(pb));
		problem_set(&pb, "idempotency_key_reused", NULL,
			    "This Idempotency-Key was already used for a different request.");
		refuse(res, &pb);
		goto out;
	}
	res->status = sqlite3_column_int(st, 1);
	res->body = lv_strdup((const char *)sqlite3_column_text(st, 2));
	lv_strlcpy(res->ref, (const char *)sqlite3_column_text(st, 3), sizeof(res->ref));
	res->replayed = 1;
out:
	lv_db_done(st);
	return rc;
}

/* Inserts the order row. OUT: *id and res->ref. */
static int order_insert(struct lv_db *db, const struct order_checkout_req *req,
			const struct split *s, const json_t *ship_to, const char *status,
			int64_t *id, struct order_result *res)
{
	sqlite3_stmt *st = NULL;
	char *ship = json_dumps(ship_to, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;

	rc = lv_db_stmt(db, "SELECT coalesce(max(id), 0) + 1 FROM orders", &st);
	if (rc != LV_OK)
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = LV_EINTERNAL;
		goto out;
	}
	*id = sqlite3_column_int64(st, 0);
	lv_db_done(st);
	lv_snprintf(res->ref, sizeof(res->ref), "LV-%06lld", (long long)*id);
	rc = lv_db_stmt(db, "INSERT INTO orders (id, ref, employee, status, currency, total,"
			    " covered, overage, overage_approval, overage_payroll, payroll_consent,"
			    " delivery, ship_to, created_at, updated_at)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
			&st);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(st, 1, *id);
	lv_db_bind_text(st, 2, res->ref);
	sqlite3_bind_int64(st, 3, req->employee);
	lv_db_bind_text(st, 4, status);
	lv_db_bind_text(st, 5, req->currency);
	sqlite3_bind_int64(st, 6, s->total);
	sqlite3_bind_int64(st, 7, s->covered);
	sqlite3_bind_int64(st, 8, s->total - s->covered);
	sqlite3_bind_int64(st, 9, s->ov_approval);
	sqlite3_bind_int64(st, 10, s->ov_payroll);
	sqlite3_bind_int(st, 11, req->payroll_consent && s->ov_payroll > 0);
	lv_db_bind_text(st, 12, req->delivery);
	lv_db_bind_text(st, 13, ship);
	sqlite3_bind_int64(st, 14, req->at);
	if (sqlite3_step(st) != SQLITE_DONE) {
		lv_error("order_insert", "error=\"%s\"", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
out:
	lv_db_done(st);
	free(ship);
	return rc;
}

/* Inserts the lines and payments, reserves stock, refreshes listings. */
static int order_lines_insert(struct lv_db *db, int64_t order_id, const struct split *s)
{
	sqlite3_stmt *ins = NULL, *pay = NULL, *stock = NULL;
	int64_t line_id;
	size_t i, j, k;
	int rc;

	rc = lv_db_stmt(db, "INSERT INTO order_lines (order_id, line_no, variant, sku,"
			    " product_name, size, colour, fit, category, unit_price, quantity, total,"
			    " covered, overage_rule) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
			    " ?11, ?12, ?13, ?14) RETURNING id", &ins);
	if (rc == LV_OK)
		rc = lv_db_stmt(db, "INSERT INTO order_payments (line_id, programme, order_id,"
				    " amount, value) VALUES (?1, ?2, ?3, ?4, ?5)", &pay);
	if (rc == LV_OK)
		rc = lv_db_stmt(db, "UPDATE variants SET stock = stock - ?2 WHERE id = ?1"
				    " AND stock >= ?2", &stock);
	for (i = 0; rc == LV_OK && i < s->n; i++) {
		const struct split_line *l = &s->lines[i];

		sqlite3_bind_int64(ins, 1, order_id);
		sqlite3_bind_int64(ins, 2, (sqlite3_int64)(i + 1));
		sqlite3_bind_int64(ins, 3, l->variant);
		lv_db_bind_text(ins, 4, l->req.sku);
		lv_db_bind_text(ins, 5, l->name);
		lv_db_bind_text(ins, 6, l->size);
		lv_db_bind_text(ins, 7, l->colour);
		lv_db_bind_text(ins, 8, l->fit);
		lv_db_bind_text(ins, 9, l->category);
		sqlite3_bind_int64(ins, 10, l->price);
		sqlite3_bind_int64(ins, 11, l->req.quantity);
		sqlite3_bind_int64(ins, 12, l->total);
		sqlite3_bind_int64(ins, 13, l->covered);
		lv_db_bind_text(ins, 14, l->rule == ORDER_OVERAGE_NONE ? NULL :
				order_overage_name(l->rule));
		if (sqlite3_step(ins) != SQLITE_ROW) {
			rc = LV_EINTERNAL;
			break;
		}
		line_id = sqlite3_column_int64(ins, 0);
		sqlite3_reset(ins);
		for (j = 0; rc == LV_OK && j < s->npay; j++) {
			if (s->pays[j].line != i)
				continue;
			sqlite3_bind_int64(pay, 1, line_id);
			sqlite3_bind_int64(pay, 2, s->progs[s->pays[j].prog].id);
			sqlite3_bind_int64(pay, 3, order_id);
			sqlite3_bind_int64(pay, 4, s->pays[j].amount);
			sqlite3_bind_int64(pay, 5, s->pays[j].value);
			if (sqlite3_step(pay) != SQLITE_DONE)
				rc = LV_EINTERNAL;
			sqlite3_reset(pay);
		}
		sqlite3_bind_int64(stock, 1, l->variant);
		sqlite3_bind_int64(stock, 2, l->req.quantity);
		if (sqlite3_step(stock) != SQLITE_DONE || sqlite3_changes(db->conn) != 1)
			rc = LV_EINTERNAL; /* checked above in the same transaction */
		sqlite3_reset(stock);
	}
	if (rc != LV_OK)
		lv_error("order_lines_insert", "error=\"%s\"", sqlite3_errmsg(db->conn));
	/* the listing shows stock: refresh each product once */
	for (i = 0; rc == LV_OK && i < s->n; i++) {
		for (k = 0; k < i; k++)
			if (s->lines[k].product == s->lines[i].product)
				break;
		if (k == i)
			rc = catalog_listing_refresh(db, s->lines[i].product);
	}
	lv_db_done(ins);
	lv_db_done(pay);
	lv_db_done(stock);
	return rc;
}

/* One ledger debit per programme: the sum of what it paid for the lines. */
static int order_debits(struct lv_db *db, const struct order_checkout_req *req,
			const struct split *s, const char *ref)
{
	size_t k, j;
	int rc = LV_OK;

	for (k = 0; rc == LV_OK && k < s->np; k++) {
		int64_t sum = 0;

		for (j = 0; j < s->npay; j++)
			if (s->pays[j].prog == k)
				sum += s->pays[j].amount;
		if (sum > 0)
			rc = allowance_debit(db, req->employee, s->progs[k].id, sum, ref, req->at);
	}
	return rc;
}

static int idem_store(struct lv_db *db, const struct order_checkout_req *req, int64_t order_id,
		      const struct order_result *res)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = lv_db_stmt(db, "INSERT INTO idempotency_keys (employee, key, fingerprint, order_id,"
			    " status, response, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &st);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(st, 1, req->employee);
	lv_db_bind_text(st, 2, req->idem_key);
	lv_db_bind_text(st, 3, req->fingerprint);
	sqlite3_bind_int64(st, 4, order_id);
	sqlite3_bind_int(st, 5, res->status);
	lv_db_bind_text(st, 6, res->body);
	sqlite3_bind_int64(st, 7, req->at);
	if (sqlite3_step(st) != SQLITE_DONE) {
		lv_error("idempotency_store", "error=\"%s\"", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
out:
	lv_db_done(st);
	return rc;
}

/* Writes the order the split describes, in the open transaction. */
static int order_write(struct lv_db *db, const struct order_checkout_req *req,
		       const struct split *s, const json_t *ship_to, struct order_result *res)
{
	const char *status = s->ov_approval > 0 ? "pending_approval" : "placed";
	json_t *after = NULL, *order = NULL;
	int64_t id = 0;
	int rc;

	rc = order_insert(db, req, s, ship_to, status, &id, res);
	if (rc == LV_OK)
		rc = order_lines_insert(db, id, s);
	if (rc == LV_OK)
		rc = order_debits(db, req, s, res->ref);
	if (rc == LV_OK) {
		after = json_pack("{s:s,s:I,s:I,s:I}", "status", status, "total",
				  (json_int_t)s->total, "covered", (json_int_t)s->covered,
				  "overage", (json_int_t)(s->total - s->covered));
		rc = audit_append(db, &req->actor, "order.place", "order", res->ref, NULL, after);
	}
	if (rc == LV_OK && req->lines == NULL)
		rc = cart_clear(db, req->employee);
	if (rc != LV_OK)
		goto out;
	if (req->form) {
		res->status = 303;
		res->body = lv_malloc(sizeof(res->ref) + 8);
		lv_snprintf(res->body, sizeof(res->ref) + 8, "/orders/%s", res->ref);
	} else {
		rc = order_get(db, res->ref, 0, &order);
		if (rc != LV_OK)
			goto out;
		res->status = 201;
		/* malloc'd by jansson; lv_free is free */
		res->body = json_dumps(order, JSON_COMPACT);
		if (res->body == NULL) {
			rc = LV_EINTERNAL;
			goto out;
		}
	}
	rc = idem_store(db, req, id, res);
out:
	json_decref(after);
	json_decref(order);
	return rc;
}

int order_checkout(struct lv_db *db, const struct order_checkout_req *req,
		   struct order_result *res)
{
	const struct order_line_req *use = NULL;
	struct order_line_req *owned = NULL;
	struct order_problem pb;
	struct split s;
	json_t *ship_to = NULL;
	char digest[65];
	size_t n = 0;
	int rc, slot = -1, found = 0, in_tx = 0, waited;

	memset(res, 0, sizeof(*res));
	memset(&s, 0, sizeof(s));
	memset(&pb, 0, sizeof(pb));
	if (order_idem_key_valid(req->idem_key) != LV_OK || !fingerprint_valid(req->fingerprint)) {
		problem_set(&pb, "idempotency_key_invalid", NULL,
			    "A checkout needs a valid Idempotency-Key (1 to 255 visible characters).");
		refuse(res, &pb);
		rc = LV_OK;
		goto out;
	}
	rc = inflight_claim(req->employee, req->idem_key, &slot);
	/* A browser that submits twice (a double click) shows the answer to the
	 * second submission only: the form waits for the first to finish and
	 * then replays its answer, instead of answering 409. */
	for (waited = 0; rc == LV_ECONFLICT && req->form && waited < 200; waited++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		rc = inflight_claim(req->employee, req->idem_key, &slot);
	}
	if (rc != LV_OK) {
		problem_set(&pb, rc == LV_ECONFLICT ? "idempotency_key_in_use" : "busy", NULL,
			    rc == LV_ECONFLICT ?
			    "A checkout with this Idempotency-Key is still being processed." :
			    "The store is busy; try again in a moment.");
		refuse(res, &pb);
		rc = LV_OK;
		goto out;
	}
	rc = lv_db_begin(db);
	if (rc != LV_OK)
		goto out;
	in_tx = 1;
	rc = idem_lookup(db, req, res, &found);
	if (rc != LV_OK || found)
		goto out;

	rc = lines_resolve(db, req->employee, req->lines, req->nlines, &use, &n, &owned);
	if (rc == LV_OK && req->lines == NULL && req->cart_digest) {
		rc = cart_digest(db, req->employee, digest);
		if (rc == LV_OK && strcmp(digest, req->cart_digest) != 0) {
			problem_set(&pb, "cart_changed", NULL, "Your cart or a price in it changed "
				    "since you reviewed it; review your order again.");
			refuse(res, &pb);
			goto out;
		}
	}
	if (rc != LV_OK)
		goto out;
	rc = split_build(db, req->employee, use, n, req->uncovered_overage, req->currency,
			 req->policies, req->i18n, req->at, &s);
	if (rc == LV_EINVAL) {
		refuse(res, &s.problem);
		rc = LV_OK;
		goto out;
	}
	if (rc != LV_OK)
		goto out;
	if (s.problem.code[0]) {
		refuse(res, &s.problem);
		goto out;
	}
	if (delivery_check(req, s.site, &ship_to, &pb) != LV_OK) {
		refuse(res, &pb);
		goto out;
	}
	if (s.ov_payroll > 0 && !req->payroll_consent) {
		char amount[32];

		catalog_price_format(s.ov_payroll, req->currency, "en", amount, sizeof(amount));
		problem_set(&pb, "payroll_consent_required", NULL,
			    "%s of this order is not covered by your allowance and would be deducted "
			    "from your pay: tick the consent box to agree, or change the order.", amount);
		refuse(res, &pb);
		goto out;
	}
	rc = order_write(db, req, &s, ship_to, res);
	if (rc != LV_OK)
		goto out;
	rc = lv_db_commit(db);
	if (rc == LV_OK) {
		in_tx = 0;
		lv_info("order_placed", "ref=%s employee=%lld total=%lld covered=%lld",
			res->ref, (long long)req->employee, (long long)s.total,
			(long long)s.covered);
	}
out:
	if (in_tx)
		lv_db_rollback(db); /* a refusal, a replay or an error: nothing stays */
	if (rc != LV_OK) {
		order_result_cleanup(res);
		res->status = 0;
	} else if (res->status >= 400) {
		order_result_cleanup(res);
		lv_info("checkout_refused", "employee=%lld code=%s sku=%s",
			(long long)req->employee, res->problem.code,
			res->problem.sku[0] ? res->problem.sku : "-");
	}
	inflight_release(slot);
	json_decref(ship_to);
	split_cleanup(&s);
	lv_free(owned);
	return rc;
}
