/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lv_i18n.c - reading GNU .mo catalogs and looking messages up (see
 * lv_i18n.h).
 *
 * The .mo layout (GNU gettext manual, "The Format of GNU MO Files"): a
 * 28-byte header of 32-bit words in the writer's byte order - magic
 * 0x950412de, revision, N strings, offset of the table of originals, offset
 * of the table of translations, hash table size and offset - then two
 * tables of N (length, offset) pairs pointing at NUL-terminated strings. An
 * original may be "context\004msgid" and may hold "singular\0plural"; a
 * translation of a plural message holds its forms separated by NULs. The
 * entry whose msgid is "" is the header ("Plural-Forms: ...").
 *
 * Everything is validated once at load; lookups then trust the tables. The
 * plural expression is compiled into a small tree (at most PL_MAX_NODES
 * nodes, nesting at most PL_MAX_DEPTH) and evaluated without allocation.
 */
#include "lv_i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lv_err.h"
#include "lv_mem.h"

#define MO_MAGIC 0x950412deu
#define MO_MAGIC_SWAPPED 0xde120495u
#define MO_HEADER_SIZE 28
#define MAX_HEADER_FIELDS 32
#define PL_MAX_NODES 96
#define PL_MAX_DEPTH 24
#define PL_MAX_FORMS 16

/* One message: its key (msgid up to the first NUL, context included) and
 * its translation (all forms, NUL-separated; str_len counts them all). */
struct mo_entry {
	const char *key;
	size_t key_len;
	const char *str;
	size_t str_len;
};

enum pl_op {
	PL_NUM, PL_VAR, PL_NOT, PL_MUL, PL_DIV, PL_MOD, PL_ADD, PL_SUB,
	PL_LT, PL_GT, PL_LE, PL_GE, PL_EQ, PL_NE, PL_AND, PL_OR, PL_COND
};

struct pl_node {
	enum pl_op op;
	unsigned long num;
	int a, b, c; /* operand node indexes, -1 when unused */
};

struct pl_expr {
	struct pl_node nodes[PL_MAX_NODES];
	int n;
	int root;
};

struct header_field {
	char *name;
	char *value;
};

struct lv_i18n_catalog {
	char *data; /* the whole file, plus one NUL after it */
	size_t len;
	struct mo_entry *entries;
	size_t n;
	uint32_t *slots; /* entry index + 1, 0 when empty */
	size_t nslots;   /* a power of two */
	unsigned nplurals;
	int has_plural;  /* else the English rule */
	struct pl_expr plural;
	struct header_field fields[MAX_HEADER_FIELDS];
	size_t nfields;
};

static void set_msg(char *msg, size_t msglen, const char *what)
{
	if (msg && msglen)
		lv_strlcpy(msg, what, msglen);
}

/* ------------------------------------------------------------------ */
/* Hashing: FNV-1a, fed in pieces so context and msgid need no joining. */

#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

static uint32_t fnv_feed(uint32_t h, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= FNV_PRIME;
	}
	return h;
}

static uint32_t key_hash(const char *ctx, size_t ctxlen, const char *id,
			 size_t idlen)
{
	uint32_t h = FNV_OFFSET;

	if (ctx) {
		h = fnv_feed(h, ctx, ctxlen);
		h = fnv_feed(h, "\004", 1);
	}
	return fnv_feed(h, id, idlen);
}

static int key_equal(const struct mo_entry *e, const char *ctx, size_t ctxlen,
		     const char *id, size_t idlen)
{
	if (ctx == NULL)
		return e->key_len == idlen && memcmp(e->key, id, idlen) == 0;
	return e->key_len == ctxlen + 1 + idlen &&
	       memcmp(e->key, ctx, ctxlen) == 0 && e->key[ctxlen] == '\004' &&
	       memcmp(e->key + ctxlen + 1, id, idlen) == 0;
}

static const struct mo_entry *cat_lookup(const struct lv_i18n_catalog *cat,
					 const char *ctx, size_t ctxlen,
					 const char *id, size_t idlen)
{
	size_t mask, i;

	if (cat == NULL || cat->nslots == 0)
		return NULL;
	mask = cat->nslots - 1;
	i = key_hash(ctx, ctxlen, id, idlen) & mask;
	while (cat->slots[i]) {
		const struct mo_entry *e = &cat->entries[cat->slots[i] - 1];

		if (key_equal(e, ctx, ctxlen, id, idlen))
			return e->str_len ? e : NULL;
		i = (i + 1) & mask;
	}
	return NULL;
}

/* Inserts entry idx unless its key is already there (the first one wins). */
static void cat_index(struct lv_i18n_catalog *cat, size_t idx)
{
	const struct mo_entry *e = &cat->entries[idx];
	size_t mask = cat->nslots - 1;
	size_t i = fnv_feed(FNV_OFFSET, e->key, e->key_len) & mask;

	while (cat->slots[i]) {
		const struct mo_entry *o = &cat->entries[cat->slots[i] - 1];

		if (o->key_len == e->key_len &&
		    memcmp(o->key, e->key, e->key_len) == 0)
			return;
		i = (i + 1) & mask;
	}
	cat->slots[i] = (uint32_t)idx + 1;
}

/* ------------------------------------------------------------------ */
/* Plural-Forms: a recursive-descent compiler for gettext's C subset.   */

struct pl_parser {
	const char *p;
	const char *end;
	struct pl_expr *x;
	int depth;
	int failed;
};

static void pl_skip(struct pl_parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
				   *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

/* Consumes tok when it is next (after blanks). */
static int pl_accept(struct pl_parser *ps, const char *tok)
{
	size_t n = strlen(tok);

	pl_skip(ps);
	if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, tok, n) == 0) {
		ps->p += n;
		return 1;
	}
	return 0;
}

static int pl_node_new(struct pl_parser *ps, enum pl_op op, int a, int b, int c)
{
	struct pl_node *nd;

	if (ps->failed || ps->x->n >= PL_MAX_NODES) {
		ps->failed = 1;
		return -1;
	}
	nd = &ps->x->nodes[ps->x->n];
	nd->op = op;
	nd->num = 0;
	nd->a = a;
	nd->b = b;
	nd->c = c;
	return ps->x->n++;
}

static int pl_parse_cond(struct pl_parser *ps);

static int pl_parse_primary(struct pl_parser *ps)
{
	int idx = -1;

	pl_skip(ps);
	if (ps->failed || ps->p >= ps->end) {
		ps->failed = 1;
	} else if (*ps->p == 'n') {
		ps->p++;
		idx = pl_node_new(ps, PL_VAR, -1, -1, -1);
	} else if (*ps->p >= '0' && *ps->p <= '9') {
		unsigned long v = 0;

		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
			if (v > 1000000000ul)
				ps->failed = 1;
			v = v * 10 + (unsigned long)(*ps->p - '0');
			ps->p++;
		}
		idx = pl_node_new(ps, PL_NUM, -1, -1, -1);
		if (idx >= 0)
			ps->x->nodes[idx].num = v;
	} else if (*ps->p == '(') {
		ps->p++;
		idx = pl_parse_cond(ps);
		if (!pl_accept(ps, ")"))
			ps->failed = 1;
	} else {
		ps->failed = 1;
	}
	return ps->failed ? -1 : idx;
}

static int pl_parse_unary(struct pl_parser *ps)
{
	int idx;

	if (ps->depth >= PL_MAX_DEPTH) {
		ps->failed = 1;
		return -1;
	}
	if (pl_accept(ps, "!")) {
		ps->depth++;
		idx = pl_parse_unary(ps);
		ps->depth--;
		return pl_node_new(ps, PL_NOT, idx, -1, -1);
	}
	return pl_parse_primary(ps);
}

/* One level of left-associative binary operators, tried in order. */
struct pl_binop {
	const char *tok;
	enum pl_op op;
};

typedef int (*pl_level_fn)(struct pl_parser *ps);

static int pl_parse_binary(struct pl_parser *ps, pl_level_fn next,
			   const struct pl_binop *ops, size_t nops)
{
	int left = next(ps);
	int more = 1;

	while (more && !ps->failed) {
		size_t i;

		more = 0;
		for (i = 0; i < nops; i++) {
			const char *save = ps->p;

			if (!pl_accept(ps, ops[i].tok))
				continue;
			/* "<" must not eat the start of "<=", "!" of "!=" */
			if (ps->p < ps->end && *ps->p == '=' &&
			    strlen(ops[i].tok) == 1 &&
			    (ops[i].tok[0] == '<' || ops[i].tok[0] == '>')) {
				ps->p = save;
				continue;
			}
			left = pl_node_new(ps, ops[i].op, left, next(ps), -1);
			more = 1;
			break;
		}
	}
	return ps->failed ? -1 : left;
}

static int pl_parse_mul(struct pl_parser *ps)
{
	static const struct pl_binop ops[] = {
		{ "*", PL_MUL }, { "/", PL_DIV }, { "%", PL_MOD } };

	return pl_parse_binary(ps, pl_parse_unary, ops, 3);
}

static int pl_parse_add(struct pl_parser *ps)
{
	static const struct pl_binop ops[] = { { "+", PL_ADD }, { "-", PL_SUB } };

	return pl_parse_binary(ps, pl_parse_mul, ops, 2);
}

static int pl_parse_rel(struct pl_parser *ps)
{
	static const struct pl_binop ops[] = {
		{ "<=", PL_LE }, { ">=", PL_GE }, { "<", PL_LT }, { ">", PL_GT } };

	return pl_parse_binary(ps, pl_parse_add, ops, 4);
}

static int pl_parse_eq(struct pl_parser *ps)
{
	static const struct pl_binop ops[] = { { "==", PL_EQ }, { "!=", PL_NE } };

	return pl_parse_binary(ps, pl_parse_rel, ops, 2);
}

static int pl_parse_and(struct pl_parser *ps)
{
	static const struct pl_binop ops[] = { { "&&", PL_AND } };

	return pl_parse_binary(ps, pl_parse_eq, ops, 1);
}

static int pl_parse_or(struct pl_parser *ps)
{
	static const struct pl_binop ops[] = { { "||", PL_OR } };

	return pl_parse_binary(ps, pl_parse_and, ops, 1);
}

/* cond := or [ "?" cond ":" cond ]  (right-associative) */
static int pl_parse_cond(struct pl_parser *ps)
{
	int test, yes, no;

	if (ps->depth >= PL_MAX_DEPTH) {
		ps->failed = 1;
		return -1;
	}
	ps->depth++;
	test = pl_parse_or(ps);
	if (!ps->failed && pl_accept(ps, "?")) {
		yes = pl_parse_cond(ps);
		if (!pl_accept(ps, ":"))
			ps->failed = 1;
		no = pl_parse_cond(ps);
		test = pl_node_new(ps, PL_COND, test, yes, no);
	}
	ps->depth--;
	return ps->failed ? -1 : test;
}

/*
 * Evaluates node idx for n. Returns 0, or -1 when the expression divides by
 * zero (the caller then uses the English rule). The tree's depth is bounded
 * by PL_MAX_NODES, so the recursion is too.
 */
static int pl_eval(const struct pl_expr *x, int idx, unsigned long n,
		   unsigned long *out)
{
	const struct pl_node *nd = &x->nodes[idx];
	unsigned long a = 0, b = 0;
	int rc = 0;

	switch (nd->op) {
	case PL_NUM:
		*out = nd->num;
		goto out;
	case PL_VAR:
		*out = n;
		goto out;
	case PL_NOT:
		rc = pl_eval(x, nd->a, n, &a);
		*out = !a;
		goto out;
	case PL_COND:
		rc = pl_eval(x, nd->a, n, &a);
		if (rc == 0)
			rc = pl_eval(x, a ? nd->b : nd->c, n, out);
		goto out;
	case PL_AND:
		rc = pl_eval(x, nd->a, n, &a);
		if (rc == 0 && a)
			rc = pl_eval(x, nd->b, n, &b);
		*out = a && b;
		goto out;
	case PL_OR:
		rc = pl_eval(x, nd->a, n, &a);
		if (rc == 0 && !a)
			rc = pl_eval(x, nd->b, n, &b);
		*out = a || b;
		goto out;
	default:
		break;
	}
	rc = pl_eval(x, nd->a, n, &a);
	if (rc == 0)
		rc = pl_eval(x, nd->b, n, &b);
	if (rc != 0)
		goto out;
	switch (nd->op) {
	case PL_MUL: *out = a * b; break;
	case PL_DIV:
	case PL_MOD:
		if (b == 0)
			rc = -1;
		else
			*out = nd->op == PL_DIV ? a / b : a % b;
		break;
	case PL_ADD: *out = a + b; break;
	case PL_SUB: *out = a - b; break;
	case PL_LT: *out = a < b; break;
	case PL_GT: *out = a > b; break;
	case PL_LE: *out = a <= b; break;
	case PL_GE: *out = a >= b; break;
	case PL_EQ: *out = a == b; break;
	case PL_NE: *out = a != b; break;
	default: rc = -1; break;
	}
out:
	return rc;
}

/*
 * Reads "nplurals=N; plural=EXPR;" from a Plural-Forms value. On anything
 * it does not understand the catalog keeps the English rule.
 */
static void cat_plural_parse(struct lv_i18n_catalog *cat, const char *v)
{
	const char *np = strstr(v, "nplurals="), *pl = strstr(v, "plural=");
	const char *end;
	struct pl_parser ps;
	struct pl_expr x;
	unsigned long n = 0;

	/* "nplurals=" also contains "plural=": find the one after it */
	if (np == NULL || pl == NULL)
		return;
	if (pl == np + 2)
		pl = strstr(np + 9, "plural=");
	if (pl == NULL)
		return;
	np += 9;
	while (*np >= '0' && *np <= '9' && n <= PL_MAX_FORMS)
		n = n * 10 + (unsigned long)(*np++ - '0');
	if (n == 0 || n > PL_MAX_FORMS)
		return;
	pl += 7;
	end = pl;
	while (*end && *end != ';' && *end != '\n')
		end++;
	/* compiled aside: a rule that fails half-way leaves nothing behind */
	memset(&ps, 0, sizeof(ps));
	memset(&x, 0, sizeof(x));
	ps.p = pl;
	ps.end = end;
	ps.x = &x;
	x.root = pl_parse_cond(&ps);
	pl_skip(&ps);
	if (ps.failed || ps.p != ps.end || x.root < 0)
		return;
	cat->plural = x;
	cat->nplurals = (unsigned)n;
	cat->has_plural = 1;
}

/* Splits the header entry ("Name: value\n" lines) into cat->fields. */
static void cat_header_parse(struct lv_i18n_catalog *cat)
{
	const struct mo_entry *e = cat_lookup(cat, NULL, 0, "", 0);
	const char *p, *end;
	size_t i;

	if (e == NULL)
		return;
	p = e->str;
	end = e->str + strnlen(e->str, e->str_len);
	while (p < end && cat->nfields < MAX_HEADER_FIELDS) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *colon;

		if (eol == NULL)
			eol = end;
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon && colon > p) {
			const char *v = colon + 1;

			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			cat->fields[cat->nfields].name =
				lv_strndup(p, (size_t)(colon - p));
			cat->fields[cat->nfields].value =
				lv_strndup(v, (size_t)(eol - v));
			cat->nfields++;
		}
		p = eol + 1;
	}
	/* the first Plural-Forms field is the one (as lookups of fields) */
	for (i = 0; i < cat->nfields; i++)
		if (strcasecmp(cat->fields[i].name, "Plural-Forms") == 0) {
			cat_plural_parse(cat, cat->fields[i].value);
			break;
		}
}

/* ------------------------------------------------------------------ */
/* Loading.                                                           */

static uint32_t rd32(const unsigned char *p, int swapped)
{
	if (swapped)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		       (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

/* Checks one (length, offset) pair; the string must end with a NUL. */
static int mo_string(const struct lv_i18n_catalog *cat, uint64_t at,
		     int swapped, const char **s, size_t *slen)
{
	const unsigned char *d = (const unsigned char *)cat->data;
	uint64_t len = rd32(d + at, swapped);
	uint64_t off = rd32(d + at + 4, swapped);

	if (off > cat->len || len >= cat->len - off || d[off + len] != '\0')
		return LV_EINVAL;
	*s = cat->data + off;
	*slen = (size_t)len;
	return LV_OK;
}

/* Validates cat->data (cat->len bytes) and builds the tables. */
static int cat_build(struct lv_i18n_catalog *cat, char *msg, size_t msglen)
{
	const unsigned char *d = (const unsigned char *)cat->data;
	uint64_t n, otab, ttab;
	uint32_t magic;
	int swapped, rc = LV_EINVAL;
	size_t i;

	if (cat->len < MO_HEADER_SIZE) {
		set_msg(msg, msglen, "too short for a .mo file");
		goto out;
	}
	magic = rd32(d, 0);
	if (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED) {
		set_msg(msg, msglen, "not a .mo file (bad magic number)");
		goto out;
	}
	swapped = magic == MO_MAGIC_SWAPPED;
	if ((rd32(d + 4, swapped) >> 16) > 1) {
		set_msg(msg, msglen, "unsupported .mo revision");
		goto out;
	}
	n = rd32(d + 8, swapped);
	otab = rd32(d + 12, swapped);
	ttab = rd32(d + 16, swapped);
	if (otab > cat->len || n > (cat->len - otab) / 8 || ttab > cat->len ||
	    n > (cat->len - ttab) / 8) {
		set_msg(msg, msglen, "string table outside the file");
		goto out;
	}
	cat->n = (size_t)n;
	cat->entries = lv_calloc(cat->n ? cat->n : 1, sizeof(*cat->entries));
	for (i = 0; i < cat->n; i++) {
		struct mo_entry *e = &cat->entries[i];
		const char *id;
		size_t idlen;

		if (mo_string(cat, otab + 8 * (uint64_t)i, swapped, &id,
			      &idlen) != LV_OK ||
		    mo_string(cat, ttab + 8 * (uint64_t)i, swapped, &e->str,
			      &e->str_len) != LV_OK) {
			set_msg(msg, msglen, "string outside the file");
			goto out;
		}
		e->key = id;
		e->key_len = strnlen(id, idlen);
	}
	cat->nslots = 8;
	while (cat->nslots < 2 * cat->n)
		cat->nslots *= 2;
	cat->slots = lv_calloc(cat->nslots, sizeof(*cat->slots));
	for (i = 0; i < cat->n; i++)
		cat_index(cat, i);
	cat->nplurals = 2;
	cat_header_parse(cat);
	rc = LV_OK;
out:
	return rc;
}

/* Takes over data (len bytes plus a spare byte for the final NUL). */
static int cat_from_buffer(char *data, size_t len, struct lv_i18n_catalog **out,
			   char *msg, size_t msglen)
{
	struct lv_i18n_catalog *cat = lv_calloc(1, sizeof(*cat));
	int rc;

	data[len] = '\0';
	cat->data = data;
	cat->len = len;
	rc = cat_build(cat, msg, msglen);
	if (rc != LV_OK) {
		lv_i18n_catalog_free(cat);
		cat = NULL;
	}
	*out = cat;
	return rc;
}

int lv_i18n_catalog_parse(const void *data, size_t len,
			  struct lv_i18n_catalog **out, char *msg,
			  size_t msglen)
{
	char *copy;

	*out = NULL;
	if (len > LV_I18N_MAX_FILE) {
		set_msg(msg, msglen, "catalog too large");
		return LV_ETOOBIG;
	}
	copy = lv_malloc(len + 1);
	if (len)
		memcpy(copy, data, len);
	return cat_from_buffer(copy, len, out, msg, msglen);
}

int lv_i18n_catalog_load(const char *path, struct lv_i18n_catalog **out,
			 char *msg, size_t msglen)
{
	char why[160];
	char *data = NULL;
	size_t got = 0;
	struct stat st;
	int fd, rc = LV_OK;

	*out = NULL;
	why[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		lv_snprintf(why, sizeof(why), "%s", strerror(errno));
		rc = LV_ENOTFOUND;
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		lv_strlcpy(why, "not a regular file", sizeof(why));
		rc = LV_EINVAL;
		goto out;
	}
	if ((uint64_t)st.st_size > LV_I18N_MAX_FILE) {
		lv_strlcpy(why, "catalog too large", sizeof(why));
		rc = LV_ETOOBIG;
		goto out;
	}
	data = lv_malloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, data + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			lv_strlcpy(why, r < 0 ? strerror(errno) : "short read",
				   sizeof(why));
			rc = LV_EINVAL;
			goto out;
		}
		got += (size_t)r;
	}
	rc = cat_from_buffer(data, got, out, why, sizeof(why));
	data = NULL; /* taken over, even on error */
out:
	if (fd >= 0)
		close(fd);
	lv_free(data);
	if (rc != LV_OK && msg && msglen)
		lv_snprintf(msg, msglen, "%s: %s", path, why);
	return rc;
}

void lv_i18n_catalog_free(struct lv_i18n_catalog *cat)
{
	size_t i;

	if (cat == NULL)
		return;
	for (i = 0; i < cat->nfields; i++) {
		lv_free(cat->fields[i].name);
		lv_free(cat->fields[i].value);
	}
	lv_free(cat->slots);
	lv_free(cat->entries);
	lv_free(cat->data);
	lv_free(cat);
}

/* ------------------------------------------------------------------ */
/* Lookups.                                                           */

const char *lv_i18n_find(const struct lv_i18n_catalog *cat, const char *msgid,
			 size_t len, size_t *outlen)
{
	const struct mo_entry *e;

	if (len == 0)
		return NULL;
	e = cat_lookup(cat, NULL, 0, msgid, len);
	if (e == NULL)
		return NULL;
	if (outlen)
		*outlen = strnlen(e->str, e->str_len);
	return e->str;
}

const char *lv_i18n_get(const struct lv_i18n_catalog *cat, const char *msgid)
{
	const char *s = lv_i18n_find(cat, msgid, strlen(msgid), NULL);

	return s && *s ? s : msgid;
}

const char *lv_i18n_pget(const struct lv_i18n_catalog *cat, const char *ctx,
			 const char *msgid)
{
	const struct mo_entry *e;

	if (ctx == NULL)
		return lv_i18n_get(cat, msgid);
	e = cat_lookup(cat, ctx, strlen(ctx), msgid, strlen(msgid));
	return e && e->str[0] ? e->str : msgid;
}

const char *lv_i18n_nget(const struct lv_i18n_catalog *cat, const char *msgid,
			 const char *msgid_plural, unsigned long n)
{
	const char *english = n == 1 ? msgid : msgid_plural;
	const struct mo_entry *e;
	unsigned long idx;
	const char *p, *end;

	if (*msgid == '\0')
		return english;
	e = cat_lookup(cat, NULL, 0, msgid, strlen(msgid));
	if (e == NULL)
		return english;
	if (cat->has_plural) {
		if (pl_eval(&cat->plural, cat->plural.root, n, &idx) != 0)
			return english;
	} else {
		idx = n != 1;
	}
	if (idx >= cat->nplurals)
		return english;
	p = e->str;
	end = e->str + e->str_len;
	while (idx > 0) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));

		if (nul == NULL || nul == end)
			return english;
		p = nul + 1;
		idx--;
	}
	return *p ? p : english;
}

size_t lv_i18n_catalog_count(const struct lv_i18n_catalog *cat)
{
	return cat ? cat->n : 0;
}

const char *lv_i18n_catalog_header(const struct lv_i18n_catalog *cat,
				   const char *field)
{
	size_t i;

	if (cat == NULL)
		return NULL;
	for (i = 0; i < cat->nfields; i++)
		if (strcasecmp(cat->fields[i].name, field) == 0)
			return cat->fields[i].value;
	return NULL;
}
