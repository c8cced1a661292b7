/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * catalog_csv.c - the catalog CSV import: parsing and validation in memory,
 * the picture checks, and the one-transaction write (see catalog_csv.h and
 * docs/catalog-csv.md).
 *
 * libcsv (strict RFC 4180 quoting) splits the text into records; it is fed
 * one physical line at a time so that every field knows the line it ends
 * on, which is the line an error message names. Each record is checked as
 * it arrives: first the header, then every row against the header and
 * against the rows before it (a product's rows must agree, SKUs must be
 * unique). Nothing is written unless the whole file is free of errors.
 */
#include "catalog_csv.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "lv_csv.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "lv_time.h"

enum cc_col {
	C_CATEGORY,
	C_CATEGORY_NAME,
	C_PRODUCT_SLUG,
	C_PRODUCT_NAME,
	C_DESCRIPTION,
	C_TAGS,
	C_RESTRICTED,
	C_SKU,
	C_SIZE,
	C_COLOUR,
	C_FIT,
	C_PRICE,
	C_STOCK,
	C_IMAGE,
	C_LOGO,
	C_COUNT
};

/* The columns: name, the most bytes a value may have, must it be given. */
static const struct cc_column {
	const char *name;
	size_t max;
	int required;
} columns[C_COUNT] = {
	[C_CATEGORY] = { "category", 64, 1 },
	[C_CATEGORY_NAME] = { "category_name", 100, 1 },
	[C_PRODUCT_SLUG] = { "product_slug", 64, 1 },
	[C_PRODUCT_NAME] = { "product_name", 120, 1 },
	[C_DESCRIPTION] = { "description", 4000, 0 },
	[C_TAGS] = { "tags", 400, 0 },
	[C_RESTRICTED] = { "restricted", 8, 0 },
	[C_SKU] = { "sku", 64, 1 },
	[C_SIZE] = { "size", 32, 0 },
	[C_COLOUR] = { "colour", 32, 0 },
	[C_FIT] = { "fit", 32, 0 },
	[C_PRICE] = { "price", 32, 1 },
	[C_STOCK] = { "stock", 16, 1 },
	[C_IMAGE] = { "image", 200, 0 },
	[C_LOGO] = { "logo", 32, 0 },
};

/* A column a header may leave out (files written before it existed). */
static int cc_column_optional(int c)
{
	return c == C_LOGO;
}

#define CC_MAX_FIELDS 64       /* fields of one record that are kept */
#define CC_MAX_TAGS 20
#define CC_TAG_MAX 32
#define CC_MAX_IMAGES_PER_PRODUCT 20
#define CC_STOCK_MAX 10000000
#define CC_MSG_MAX 1024

/* --- a string-keyed hash map (keys copied), for duplicate detection --- */

struct smap_slot {
	char *key;
	size_t val;
};

struct smap {
	struct smap_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t len;
};

static size_t smap_hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void smap_cleanup(struct smap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		lv_free(m->slots[i].key);
	lv_free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* OUT: *val. Returns 1 when key is present. */
static int smap_get(const struct smap *m, const char *key, size_t *val)
{
	size_t j;

	if (m->cap == 0)
		return 0;
	for (j = smap_hash(key) & (m->cap - 1); m->slots[j].key;
	     j = (j + 1) & (m->cap - 1)) {
		if (strcmp(m->slots[j].key, key) == 0) {
			*val = m->slots[j].val;
			return 1;
		}
	}
	return 0;
}

/* Adds key (copied) -> val; key must not be present. */
static void smap_put(struct smap *m, const char *key, size_t val)
{
	size_t i, j;

	if ((m->len + 1) * 2 > m->cap) {
		struct smap grown = { 0 };

		grown.cap = m->cap ? m->cap * 2 : 64;
		grown.slots = lv_calloc(grown.cap, sizeof(*grown.slots));
		for (i = 0; i < m->cap; i++) {
			if (m->slots[i].key == NULL)
				continue;
			j = smap_hash(m->slots[i].key) & (grown.cap - 1);
			while (grown.slots[j].key)
				j = (j + 1) & (grown.cap - 1);
			grown.slots[j] = m->slots[i];
		}
		grown.len = m->len;
		lv_free(m->slots);
		*m = grown;
	}
	j = smap_hash(key) & (m->cap - 1);
	while (m->slots[j].key)
		j = (j + 1) & (m->cap - 1);
	m->slots[j].key = lv_strdup(key);
	m->slots[j].val = val;
	m->len++;
}

/* --- the parsed catalog --- */

struct cc_category {
	char *slug;
	char *name;
	unsigned line;
};

struct cc_product {
	char *slug;
	char *name;
	char *description;
	char *tags_text;   /* as written, for comparing rows */
	char *restricted_text;
	char **tags;
	size_t n_tags;
	int restricted;
	size_t category;
	unsigned line;
	size_t images[CC_MAX_IMAGES_PER_PRODUCT]; /* indexes into images */
	size_t n_images;
};

struct cc_variant {
	char *sku;
	char *size;
	char *colour;
	char *fit;
	char *logo;
	int64_t price;
	int64_t stock;
	size_t product;
	long image; /* index into images, or -1 */
	unsigned line;
};

struct cc_image {
	char *name;
	const char *content_type; /* NULL: not loaded (no loader, or bad) */
	unsigned char *data;
	size_t len;
	char sha256[65];
	unsigned line;
};

struct catalog_csv {
	struct cc_category *categories;
	size_t n_categories, cap_categories;
	struct cc_product *products;
	size_t n_products, cap_products;
	struct cc_variant *variants;
	size_t n_variants, cap_variants;
	struct cc_image *images;
	size_t n_images, cap_images;
	size_t image_bytes;
	int images_loaded; /* parsed with a loader */
};

/* Appends a zeroed element to *arr (n used, cap allocated); returns it. */
static void *cc_push(void *arr_p, size_t *n, size_t *cap, size_t size)
{
	void **arr = arr_p;
	char *base;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*arr = lv_realloc(*arr, *cap * size);
	}
	base = *arr;
	memset(base + *n * size, 0, size);
	return base + (*n)++ * size;
}

void catalog_csv_free(struct catalog_csv *cat)
{
	size_t i, j;

	if (cat == NULL)
		return;
	for (i = 0; i < cat->n_categories; i++) {
		lv_free(cat->categories[i].slug);
		lv_free(cat->categories[i].name);
	}
	for (i = 0; i < cat->n_products; i++) {
		struct cc_product *p = &cat->products[i];

		lv_free(p->slug);
		lv_free(p->name);
		lv_free(p->description);
		lv_free(p->tags_text);
		lv_free(p->restricted_text);
		for (j = 0; j < p->n_tags; j++)
			lv_free(p->tags[j]);
		lv_free(p->tags);
	}
	for (i = 0; i < cat->n_variants; i++) {
		lv_free(cat->variants[i].sku);
		lv_free(cat->variants[i].size);
		lv_free(cat->variants[i].colour);
		lv_free(cat->variants[i].fit);
		lv_free(cat->variants[i].logo);
	}
	for (i = 0; i < cat->n_images; i++) {
		lv_free(cat->images[i].name);
		lv_free(cat->images[i].data);
	}
	lv_free(cat->categories);
	lv_free(cat->products);
	lv_free(cat->variants);
	lv_free(cat->images);
	lv_free(cat);
}

void catalog_import_report_init(struct catalog_import_report *rep)
{
	memset(rep, 0, sizeof(*rep));
}

void catalog_import_report_cleanup(struct catalog_import_report *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	for (i = 0; i < rep->n_errors; i++)
		lv_free(rep->errors[i]);
	lv_free(rep->errors);
	memset(rep, 0, sizeof(*rep));
}

static void report_add(struct catalog_import_report *rep, char *msg)
{
	rep->errors = lv_realloc(rep->errors,
				 (rep->n_errors + 1) * sizeof(*rep->errors));
	rep->errors[rep->n_errors++] = msg;
}

/* --- the parser state --- */

struct cc_parser {
	struct catalog_csv *cat;
	struct catalog_import_report *rep;
	const char *currency;
	const struct catalog_image_loader *loader;
	unsigned line;           /* the physical line being fed to libcsv */
	/* the record being collected */
	char *field[CC_MAX_FIELDS];
	size_t field_len[CC_MAX_FIELDS];
	unsigned field_line[CC_MAX_FIELDS];
	size_t n_fields;         /* may pass CC_MAX_FIELDS; the rest are dropped */
	/* the header */
	int header_done;
	int colmap[C_COUNT];     /* field index of each column */
	size_t n_header;
	size_t rows;
	int stop;                /* no use reading further rows */
	size_t n_errors;         /* every error, listed or not */
	struct smap categories, products, skus, images, variant_keys;
};

static void cc_error(struct cc_parser *p, unsigned line, int col,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Records one error, "line N, column C: ..." (col < 0: no column). */
static void cc_error(struct cc_parser *p, unsigned line, int col,
		     const char *fmt, ...)
{
	struct lv_buf b;
	va_list ap;

	p->n_errors++;
	if (p->rep->n_errors >= CATALOG_CSV_MAX_ERRORS)
		return;
	lv_buf_init(&b, CC_MSG_MAX);
	if (col >= 0)
		lv_buf_printf(&b, "line %u, column %s: ", line,
			      columns[col].name);
	else
		lv_buf_printf(&b, "line %u: ", line);
	va_start(ap, fmt);
	if (lv_buf_vprintf(&b, fmt, ap) != LV_OK)
		lv_buf_append_str(&b, "...");
	va_end(ap);
	report_add(p->rep, lv_buf_take(&b));
	lv_buf_cleanup(&b);
}

static void cc_record_reset(struct cc_parser *p)
{
	size_t i;

	for (i = 0; i < p->n_fields && i < CC_MAX_FIELDS; i++) {
		lv_free(p->field[i]);
		p->field[i] = NULL;
	}
	p->n_fields = 0;
}

/* --- value checks --- */

/* lowercase letters and digits in runs joined by single '-' */
static int cc_slug_ok(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > max || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '-' ? s[i + 1] == '-'
				: !((s[i] >= 'a' && s[i] <= 'z') ||
				    (s[i] >= '0' && s[i] <= '9')))
			return 0;
	}
	return 1;
}

static int cc_sku_ok(const char *s)
{
	size_t i;

	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') ||
	      (s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (i = 1; s[i]; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		      s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static const char *const image_exts[] = { "svg", "png", "jpg", "jpeg", "webp" };

/*
 * A picture's name: a relative path of parts made of letters, digits, '.',
 * '_' and '-', none starting with '.' (so no "..", no hidden files), with a
 * known extension.
 */
static int cc_image_name_ok(const char *s)
{
	const char *part = s, *dot;
	size_t i, parts = 1;

	if (*s == '\0')
		return 0;
	for (i = 0; s[i]; i++) {
		char c = s[i];

		if (c == '/') {
			if (s + i == part || ++parts > 8)
				return 0;
			part = s + i + 1;
			continue;
		}
		if (s + i == part && c == '.')
			return 0;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	if (*part == '\0')
		return 0;
	dot = strrchr(part, '.');
	if (dot == NULL)
		return 0;
	for (i = 0; i < sizeof(image_exts) / sizeof(image_exts[0]); i++)
		if (strcasecmp(dot + 1, image_exts[i]) == 0)
			return 1;
	return 0;
}

/*
 * Splits "a|b|c" into lower-case tags, dropping empty parts and repeats.
 * OUT: *tags (NULL-free array of n copies, caller frees). Returns 0, or -1
 * with a sentence in msg.
 */
static int cc_tags_parse(const char *s, char ***tags, size_t *n, char *msg,
			 size_t msglen)
{
	char **out = NULL, tag[CC_TAG_MAX + 1], q[64];
	size_t count = 0, i, len;
	const char *end;
	int rc = -1;

	*tags = NULL;
	*n = 0;
	while (*s) {
		end = strchr(s, '|');
		len = end ? (size_t)(end - s) : strlen(s);
		while (len && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (len) {
			char part[CC_TAG_MAX * 4 + 1];

			lv_strlcpy(part, s, len + 1 < sizeof(part) ? len + 1
								   : sizeof(part));
			if (len > CC_TAG_MAX || !cc_slug_ok(part, CC_TAG_MAX)) {
				lv_snprintf(msg, msglen, "%s is not a tag (use "
					    "lowercase letters, digits and '-', "
					    "at most %d characters, and '|' "
					    "between tags)",
					    catalog_text_quote(q, sizeof(q), part),
					    CC_TAG_MAX);
				goto out;
			}
			lv_strlcpy(tag, part, sizeof(tag));
			for (i = 0; i < count && strcmp(out[i], tag); i++)
				;
			if (i == count) {
				if (count == CC_MAX_TAGS) {
					lv_snprintf(msg, msglen, "has more than "
						    "%d tags", CC_MAX_TAGS);
					goto out;
				}
				out = lv_realloc(out, (count + 1) * sizeof(*out));
				out[count++] = lv_strdup(tag);
			}
		}
		if (end == NULL)
			break;
		s = end + 1;
	}
	*tags = out;
	*n = count;
	out = NULL;
	rc = 0;
out:
	for (i = 0; out && i < count; i++)
		lv_free(out[i]);
	lv_free(out);
	return rc;
}

/* --- pictures --- */

static const char *mem_find_ci(const unsigned char *d, size_t n,
			       const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; k <= n && i <= n - k; i++)
		if (strncasecmp((const char *)d + i, needle, k) == 0)
			return (const char *)d + i;
	return NULL;
}

static const unsigned char *mem_find(const unsigned char *d, size_t n,
				     const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; k <= n && i <= n - k; i++)
		if (memcmp(d + i, needle, k) == 0)
			return d + i;
	return NULL;
}

static int svg_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int svg_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '.' ||
	       c == '-' || c >= 0x80;
}

/* The part of name after its namespace prefix ("xlink:href" -> "href"). */
static const char *svg_local(const char *name)
{
	const char *colon = strrchr(name, ':');

	return colon ? colon + 1 : name;
}

/*
 * Walks the markup of an SVG document: comments, CDATA, the XML
 * declaration, and elements with their quoted attributes. It is not an XML
 * parser; it refuses what it does not understand, which is the safe way
 * round for a file that browsers will render.
 */
static int svg_check_markup(const unsigned char *d, size_t n, char *msg,
			    size_t msglen)
{
	static const char *const bad_elements[] = {
		"script", "foreignObject", "iframe", "embed", "object",
		"handler", "listener", "set", "animate",
	};
	const unsigned char *end = d + n, *p = d, *lt, *q;
	char name[64], attr[64];
	int seen_root = 0;
	size_t i, k;

	while ((lt = memchr(p, '<', (size_t)(end - p))) != NULL) {
		size_t left = (size_t)(end - lt);

		if (left >= 4 && memcmp(lt, "<!--", 4) == 0) {
			q = mem_find(lt + 4, left - 4, "-->");
			if (q == NULL)
				goto unterminated;
			p = q + 3;
			continue;
		}
		if (left >= 9 && memcmp(lt, "<![CDATA[", 9) == 0) {
			q = mem_find(lt + 9, left - 9, "]]>");
			if (q == NULL)
				goto unterminated;
			p = q + 3;
			continue;
		}
		if (left >= 2 && lt[1] == '!') {
			lv_snprintf(msg, msglen, "has a <!DOCTYPE> or <!ENTITY> "
				    "declaration, which pictures may not have");
			return LV_EINVAL;
		}
		if (left >= 2 && lt[1] == '?') {
			q = mem_find(lt + 2, left - 2, "?>");
			if (q == NULL)
				goto unterminated;
			if (seen_root || left < 6 || memcmp(lt, "<?xml", 5) ||
			    !svg_space(lt[5])) {
				lv_snprintf(msg, msglen, "has a processing "
					    "instruction (such as "
					    "xml-stylesheet), which pictures "
					    "may not have");
				return LV_EINVAL;
			}
			p = q + 2;
			continue;
		}
		if (left >= 2 && lt[1] == '/') {
			q = memchr(lt, '>', left);
			if (q == NULL)
				goto unterminated;
			p = q + 1;
			continue;
		}
		/* an element: <name attr="value" ...> or .../> */
		p = lt + 1;
		for (k = 0; p < end && svg_name_char(*p); p++)
			if (k < sizeof(name) - 1)
				name[k++] = (char)*p;
		name[k] = '\0';
		if (k == 0) {
			lv_snprintf(msg, msglen, "is not well-formed XML (a '<' "
				    "that starts no element)");
			return LV_EINVAL;
		}
		for (i = 0; i < sizeof(bad_elements) / sizeof(bad_elements[0]);
		     i++) {
			if (strcasecmp(svg_local(name), bad_elements[i]) == 0) {
				lv_snprintf(msg, msglen, "has a <%s> element, "
					    "which pictures may not have",
					    bad_elements[i]);
				return LV_EINVAL;
			}
		}
		if (!seen_root && strcmp(svg_local(name), "svg") != 0) {
			lv_snprintf(msg, msglen, "is not an SVG picture (it "
				    "starts with <%s>, not <svg>)", name);
			return LV_EINVAL;
		}
		seen_root = 1;
		for (;;) {
			unsigned char quote;
			const unsigned char *val;

			while (p < end && svg_space(*p))
				p++;
			if (p < end && *p == '>') {
				p++;
				break;
			}
			if (end - p >= 2 && p[0] == '/' && p[1] == '>') {
				p += 2;
				break;
			}
			for (k = 0; p < end && svg_name_char(*p); p++)
				if (k < sizeof(attr) - 1)
					attr[k++] = (char)*p;
			attr[k] = '\0';
			while (p < end && svg_space(*p))
				p++;
			if (k == 0 || p >= end || *p != '=')
				goto malformed;
			p++;
			while (p < end && svg_space(*p))
				p++;
			if (p >= end || (*p != '"' && *p != '\''))
				goto malformed;
			quote = *p++;
			val = p;
			q = memchr(p, quote, (size_t)(end - p));
			if (q == NULL)
				goto unterminated;
			p = q + 1;
			if (strncasecmp(svg_local(attr), "on", 2) == 0) {
				lv_snprintf(msg, msglen, "has an event handler "
					    "attribute (%s=...), which pictures "
					    "may not have", attr);
				return LV_EINVAL;
			}
			if (strcasecmp(svg_local(attr), "href") == 0) {
				while (val < q && svg_space(*val))
					val++;
				if (val == q || *val != '#') {
					lv_snprintf(msg, msglen, "refers to "
						    "something outside the "
						    "picture (%s must start "
						    "with '#')", attr);
					return LV_EINVAL;
				}
			}
		}
	}
	if (!seen_root) {
		lv_snprintf(msg, msglen, "is not an SVG picture (no <svg> "
			    "element)");
		return LV_EINVAL;
	}
	return LV_OK;
malformed:
	lv_snprintf(msg, msglen, "is not well-formed XML (an attribute "
		    "without a quoted value)");
	return LV_EINVAL;
unterminated:
	lv_snprintf(msg, msglen, "is not well-formed XML (it ends inside "
		    "a tag, comment or quoted value)");
	return LV_EINVAL;
}

static int svg_check(const unsigned char *d, size_t n, char *msg,
		     size_t msglen)
{
	/* wherever they are - element, attribute, style, CDATA - these have
	 * no business in a product picture */
	static const char *const banned[] = {
		"<script", "javascript:", "vbscript:", "@import",
		"expression(", "-moz-binding", "behavior:",
	};
	const char *hit;
	size_t i;

	if (!catalog_utf8_valid((const char *)d, n)) {
		lv_snprintf(msg, msglen, "is not UTF-8 text");
		return LV_EINVAL;
	}
	if (memchr(d, '\0', n)) {
		lv_snprintf(msg, msglen, "holds a NUL byte");
		return LV_EINVAL;
	}
	for (i = 0; i < sizeof(banned) / sizeof(banned[0]); i++) {
		if (mem_find_ci(d, n, banned[i])) {
			lv_snprintf(msg, msglen, "contains \"%s\", which "
				    "pictures may not", banned[i]);
			return LV_EINVAL;
		}
	}
	/* url(...) in styles may only name something inside the file */
	for (hit = mem_find_ci(d, n, "url("); hit;
	     hit = mem_find_ci((const unsigned char *)hit + 4,
			       n - (size_t)((const unsigned char *)hit + 4 - d),
			       "url(")) {
		const unsigned char *u = (const unsigned char *)hit + 4;

		while (u < d + n && svg_space(*u))
			u++;
		if (u < d + n && (*u == '"' || *u == '\''))
			u++;
		if (u >= d + n || *u != '#') {
			lv_snprintf(msg, msglen, "refers to something outside "
				    "the picture (url() must start with '#')");
			return LV_EINVAL;
		}
	}
	return svg_check_markup(d, n, msg, msglen);
}

int catalog_image_check(const unsigned char *data, size_t len,
			const char *name, const char **content_type, char *msg,
			size_t msglen)
{
	const char *type = NULL, *ext = NULL, *want = NULL, *dot;
	const unsigned char *p = data;
	size_t n = len;
	int rc;

	*content_type = NULL;
	if (len > CATALOG_IMAGE_MAX_BYTES) {
		lv_snprintf(msg, msglen, "is larger than %u KiB",
			    CATALOG_IMAGE_MAX_BYTES >> 10);
		return LV_ETOOBIG;
	}
	dot = name ? strrchr(name, '.') : NULL;
	if (dot && strcasecmp(dot, ".svg") == 0)
		want = "image/svg+xml";
	else if (dot && strcasecmp(dot, ".png") == 0)
		want = "image/png";
	else if (dot && (strcasecmp(dot, ".jpg") == 0 ||
			 strcasecmp(dot, ".jpeg") == 0))
		want = "image/jpeg";
	else if (dot && strcasecmp(dot, ".webp") == 0)
		want = "image/webp";
	if (len >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0) {
		type = "image/png";
		ext = "png";
	} else if (len >= 3 && memcmp(data, "\xff\xd8\xff", 3) == 0) {
		type = "image/jpeg";
		ext = "jpg";
	} else if (len >= 12 && memcmp(data, "RIFF", 4) == 0 &&
		   memcmp(data + 8, "WEBP", 4) == 0) {
		type = "image/webp";
		ext = "webp";
	} else {
		if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
			p += 3;
			n -= 3;
		}
		while (n && svg_space(*p)) {
			p++;
			n--;
		}
		if (n && *p == '<') {
			rc = svg_check(p, n, msg, msglen);
			if (rc != LV_OK)
				return rc;
			type = "image/svg+xml";
			ext = "svg";
		}
	}
	if (type == NULL) {
		lv_snprintf(msg, msglen, "is not a PNG, JPEG, WebP or SVG "
			    "picture");
		return LV_EINVAL;
	}
	if (want == NULL || strcmp(type, want) != 0) {
		lv_snprintf(msg, msglen, "holds %s content, which its name "
			    "does not say (rename it to .%s)", type, ext);
		return LV_EINVAL;
	}
	*content_type = type;
	return LV_OK;
}

/* Loads, checks and hashes the picture for the first row that names it. */
static void cc_image_load(struct cc_parser *p, struct cc_image *img)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	char msg[256], q[96];
	struct lv_buf b;
	const char *type;
	int rc;

	lv_buf_init(&b, CATALOG_IMAGE_MAX_BYTES);
	catalog_text_quote(q, sizeof(q), img->name);
	msg[0] = '\0';
	rc = p->loader->load(p->loader->ctx, img->name, &b, msg, sizeof(msg));
	if (rc == LV_ENOTFOUND) {
		cc_error(p, img->line, C_IMAGE, "%s: there is no such file "
			 "next to the CSV", q);
		goto out;
	}
	if (rc == LV_ETOOBIG) {
		cc_error(p, img->line, C_IMAGE, "%s is larger than %u KiB", q,
			 CATALOG_IMAGE_MAX_BYTES >> 10);
		goto out;
	}
	if (rc != LV_OK) {
		cc_error(p, img->line, C_IMAGE, "%s cannot be read: %s", q,
			 msg[0] ? msg : lv_err_name(rc));
		goto out;
	}
	rc = catalog_image_check((const unsigned char *)lv_buf_str(&b), b.len,
				 img->name, &type, msg, sizeof(msg));
	if (rc != LV_OK) {
		cc_error(p, img->line, C_IMAGE, "%s %s", q, msg);
		goto out;
	}
	if (p->cat->image_bytes + b.len > CATALOG_IMAGES_MAX_BYTES) {
		cc_error(p, img->line, C_IMAGE, "%s: the pictures of this file "
			 "are larger than %u MiB together", q,
			 CATALOG_IMAGES_MAX_BYTES >> 20);
		goto out;
	}
	crypto_hash_sha256(hash, (const unsigned char *)lv_buf_str(&b), b.len);
	sodium_bin2hex(img->sha256, sizeof(img->sha256), hash, sizeof(hash));
	img->len = b.len;
	p->cat->image_bytes += b.len;
	img->data = (unsigned char *)lv_buf_take(&b);
	img->content_type = type;
out:
	lv_buf_cleanup(&b);
}

/* --- header and rows --- */

static void cc_header(struct cc_parser *p)
{
	char q[80];
	size_t i;
	int c, bad = 0;

	for (c = 0; c < C_COUNT; c++)
		p->colmap[c] = -1;
	if (p->n_fields > CC_MAX_FIELDS) {
		cc_error(p, p->field_line[0], -1, "the header has %zu columns; "
			 "a catalog has %d", p->n_fields, C_COUNT);
		p->stop = 1;
		return;
	}
	for (i = 0; i < p->n_fields; i++) {
		for (c = 0; c < C_COUNT; c++)
			if (strcmp(p->field[i], columns[c].name) == 0)
				break;
		if (c == C_COUNT) {
			cc_error(p, p->field_line[i], -1, "unknown column %s "
				 "(the columns are category, category_name, "
				 "product_slug, product_name, description, tags, "
				 "restricted, sku, size, colour, fit, price, "
				 "stock, image, and optionally logo)",
				 catalog_text_quote(q, sizeof(q), p->field[i]));
			bad = 1;
		} else if (p->colmap[c] >= 0) {
			cc_error(p, p->field_line[i], -1, "column \"%s\" "
				 "appears twice", columns[c].name);
			bad = 1;
		} else {
			p->colmap[c] = (int)i;
		}
	}
	for (c = 0; c < C_COUNT; c++) {
		if (p->colmap[c] < 0 && !cc_column_optional(c)) {
			cc_error(p, p->field_line[0], -1, "column \"%s\" is "
				 "missing from the header", columns[c].name);
			bad = 1;
		}
	}
	p->n_header = p->n_fields;
	p->header_done = 1;
	if (bad)
		p->stop = 1; /* rows cannot be read without their columns */
}

/*
 * The text checks every value gets: UTF-8, no control characters (tabs and
 * line breaks only in a description), a length limit, present if required.
 * Returns 1 when the value is fine.
 */
static int cc_value_ok(struct cc_parser *p, int c)
{
	int i = p->colmap[c];
	const unsigned char *s = (const unsigned char *)p->field[i];
	size_t n = p->field_len[i], k;
	unsigned line = p->field_line[i];

	if (!catalog_utf8_valid((const char *)s, n)) {
		cc_error(p, line, c, "is not valid UTF-8 (save the file as "
			 "UTF-8 CSV)");
		return 0;
	}
	for (k = 0; k < n; k++) {
		if ((s[k] < 0x20 || s[k] == 0x7f) &&
		    !(c == C_DESCRIPTION &&
		      (s[k] == '\t' || s[k] == '\n' || s[k] == '\r'))) {
			cc_error(p, line, c, "contains a control character "
				 "(byte 0x%02x)", s[k]);
			return 0;
		}
	}
	if (n > columns[c].max) {
		cc_error(p, line, c, "is too long (%zu bytes; at most %zu)", n,
			 columns[c].max);
		return 0;
	}
	if (n == 0 && columns[c].required) {
		cc_error(p, line, c, "is empty, but every row needs a %s",
			 columns[c].name);
		return 0;
	}
	return 1;
}

/* A product column of a later row differs from the product's first row. */
static void cc_differs(struct cc_parser *p, int c, const char *now,
		       const char *first, const struct cc_product *prod)
{
	char q1[80], q2[80], q3[80];

	cc_error(p, p->field_line[p->colmap[c]], c, "%s differs from %s on "
		 "line %u: every row of product %s must repeat the same %s",
		 catalog_text_quote(q1, sizeof(q1), now),
		 catalog_text_quote(q2, sizeof(q2), first), prod->line,
		 catalog_text_quote(q3, sizeof(q3), prod->slug),
		 columns[c].name);
}

static void cc_row(struct cc_parser *p)
{
	struct catalog_csv *cat = p->cat;
	const char *v[C_COUNT];
	int ok[C_COUNT], c, row_ok = 1, product_ok;
	unsigned line = p->field_line[0];
	char q[80], msg[256], key[256];
	char **tags = NULL;
	size_t n_tags = 0, idx, i, cat_idx = 0, prod_idx = 0;
	int64_t price = 0, stock = 0;
	int restricted = 0;
	long image = -1;

	if (p->n_fields != p->n_header) {
		cc_error(p, line, -1, "has %zu values, but the header has %zu "
			 "columns (a value with a comma must be in \"quotes\")",
			 p->n_fields, p->n_header);
		return;
	}
	for (c = 0; c < C_COUNT; c++) {
		if (p->colmap[c] < 0) { /* an optional column the file does not have */
			ok[c] = 1;
			v[c] = "";
			continue;
		}
		ok[c] = cc_value_ok(p, c);
		v[c] = p->field[p->colmap[c]];
		row_ok &= ok[c];
	}
#define FIELD_LINE(c) p->field_line[p->colmap[c]]
	/* the syntax of each value */
	if (ok[C_CATEGORY] && !cc_slug_ok(v[C_CATEGORY], columns[C_CATEGORY].max)) {
		cc_error(p, FIELD_LINE(C_CATEGORY), C_CATEGORY, "%s is not a "
			 "slug (use lowercase letters, digits and '-', like "
			 "safety-gear)", catalog_text_quote(q, sizeof(q),
							    v[C_CATEGORY]));
		ok[C_CATEGORY] = row_ok = 0;
	}
	if (ok[C_PRODUCT_SLUG] &&
	    !cc_slug_ok(v[C_PRODUCT_SLUG], columns[C_PRODUCT_SLUG].max)) {
		cc_error(p, FIELD_LINE(C_PRODUCT_SLUG), C_PRODUCT_SLUG, "%s is "
			 "not a slug (use lowercase letters, digits and '-', "
			 "like navy-blazer)", catalog_text_quote(q, sizeof(q),
							   v[C_PRODUCT_SLUG]));
		ok[C_PRODUCT_SLUG] = row_ok = 0;
	}
	if (ok[C_TAGS] && cc_tags_parse(v[C_TAGS], &tags, &n_tags, msg,
					sizeof(msg)) != 0) {
		cc_error(p, FIELD_LINE(C_TAGS), C_TAGS, "%s", msg);
		ok[C_TAGS] = row_ok = 0;
	}
	if (ok[C_RESTRICTED]) {
		if (strcmp(v[C_RESTRICTED], "1") == 0) {
			restricted = 1;
		} else if (v[C_RESTRICTED][0] && strcmp(v[C_RESTRICTED], "0")) {
			cc_error(p, FIELD_LINE(C_RESTRICTED), C_RESTRICTED,
				 "%s must be 0, 1 or empty (0)",
				 catalog_text_quote(q, sizeof(q),
						    v[C_RESTRICTED]));
			ok[C_RESTRICTED] = row_ok = 0;
		}
	}
	if (ok[C_SKU] && !cc_sku_ok(v[C_SKU])) {
		cc_error(p, FIELD_LINE(C_SKU), C_SKU, "%s is not a SKU (use "
			 "letters, digits, '.', '_' and '-')",
			 catalog_text_quote(q, sizeof(q), v[C_SKU]));
		ok[C_SKU] = row_ok = 0;
	}
	if (ok[C_PRICE] && catalog_price_parse(v[C_PRICE], p->currency, &price,
					       msg, sizeof(msg)) != LV_OK) {
		cc_error(p, FIELD_LINE(C_PRICE), C_PRICE, "%s", msg);
		ok[C_PRICE] = row_ok = 0;
	}
	if (ok[C_STOCK]) {
		int rc = lv_parse_i64(v[C_STOCK], INT64_MIN, INT64_MAX, &stock);

		catalog_text_quote(q, sizeof(q), v[C_STOCK]);
		if (rc == LV_OK && stock < 0)
			cc_error(p, FIELD_LINE(C_STOCK), C_STOCK, "%s is "
				 "negative: stock is 0 or more", q);
		else if (rc == LV_OK && stock > CC_STOCK_MAX)
			cc_error(p, FIELD_LINE(C_STOCK), C_STOCK, "%s is more "
				 "than %d", q, CC_STOCK_MAX);
		else if (rc == LV_ETOOBIG)
			cc_error(p, FIELD_LINE(C_STOCK), C_STOCK, "%s is too "
				 "large", q);
		else if (rc != LV_OK || v[C_STOCK][0] == '+')
			cc_error(p, FIELD_LINE(C_STOCK), C_STOCK, "%s is not a "
				 "whole number of items (like 12)", q);
		if (rc != LV_OK || stock < 0 || stock > CC_STOCK_MAX ||
		    v[C_STOCK][0] == '+')
			ok[C_STOCK] = row_ok = 0;
	}
	if (ok[C_IMAGE] && v[C_IMAGE][0] && !cc_image_name_ok(v[C_IMAGE])) {
		cc_error(p, FIELD_LINE(C_IMAGE), C_IMAGE, "%s is not a picture "
			 "file name (a path relative to the CSV's folder, made "
			 "of letters, digits, '.', '_', '-' and '/', ending in "
			 ".svg, .png, .jpg or .webp)",
			 catalog_text_quote(q, sizeof(q), v[C_IMAGE]));
		ok[C_IMAGE] = row_ok = 0;
	}

	/* the category: one name per slug */
	if (ok[C_CATEGORY] && ok[C_CATEGORY_NAME]) {
		if (smap_get(&p->categories, v[C_CATEGORY], &cat_idx)) {
			struct cc_category *k = &cat->categories[cat_idx];

			if (strcmp(k->name, v[C_CATEGORY_NAME]) != 0) {
				char q2[80];

				cc_error(p, FIELD_LINE(C_CATEGORY_NAME),
					 C_CATEGORY_NAME, "%s differs from %s "
					 "given for category \"%s\" on line %u",
					 catalog_text_quote(q, sizeof(q),
							    v[C_CATEGORY_NAME]),
					 catalog_text_quote(q2, sizeof(q2),
							    k->name),
					 k->slug, k->line);
				row_ok = 0;
			}
		} else {
			struct cc_category *k = cc_push(&cat->categories,
							&cat->n_categories,
							&cat->cap_categories,
							sizeof(*k));

			k->slug = lv_strdup(v[C_CATEGORY]);
			k->name = lv_strdup(v[C_CATEGORY_NAME]);
			k->line = line;
			cat_idx = cat->n_categories - 1;
			smap_put(&p->categories, k->slug, cat_idx);
		}
	}

	/* the product: its first row defines it, later rows must agree */
	product_ok = ok[C_CATEGORY] && ok[C_CATEGORY_NAME] &&
		     ok[C_PRODUCT_SLUG] && ok[C_PRODUCT_NAME] &&
		     ok[C_DESCRIPTION] && ok[C_TAGS] && ok[C_RESTRICTED];
	if (product_ok && smap_get(&p->products, v[C_PRODUCT_SLUG], &prod_idx)) {
		struct cc_product *pr = &cat->products[prod_idx];

		if (strcmp(cat->categories[pr->category].slug, v[C_CATEGORY])) {
			cc_differs(p, C_CATEGORY, v[C_CATEGORY],
				   cat->categories[pr->category].slug, pr);
			product_ok = 0;
		}
		if (strcmp(pr->name, v[C_PRODUCT_NAME])) {
			cc_differs(p, C_PRODUCT_NAME, v[C_PRODUCT_NAME],
				   pr->name, pr);
			product_ok = 0;
		}
		if (strcmp(pr->description, v[C_DESCRIPTION])) {
			cc_differs(p, C_DESCRIPTION, v[C_DESCRIPTION],
				   pr->description, pr);
			product_ok = 0;
		}
		if (strcmp(pr->tags_text, v[C_TAGS])) {
			cc_differs(p, C_TAGS, v[C_TAGS], pr->tags_text, pr);
			product_ok = 0;
		}
		if (strcmp(pr->restricted_text, v[C_RESTRICTED])) {
			cc_differs(p, C_RESTRICTED, v[C_RESTRICTED],
				   pr->restricted_text, pr);
			product_ok = 0;
		}
	} else if (product_ok) {
		struct cc_product *pr = cc_push(&cat->products,
						&cat->n_products,
						&cat->cap_products, sizeof(*pr));

		pr->slug = lv_strdup(v[C_PRODUCT_SLUG]);
		pr->name = lv_strdup(v[C_PRODUCT_NAME]);
		pr->description = lv_strdup(v[C_DESCRIPTION]);
		pr->tags_text = lv_strdup(v[C_TAGS]);
		pr->restricted_text = lv_strdup(v[C_RESTRICTED]);
		pr->tags = tags;
		pr->n_tags = n_tags;
		tags = NULL;
		n_tags = 0;
		pr->restricted = restricted;
		pr->category = cat_idx;
		pr->line = line;
		prod_idx = cat->n_products - 1;
		smap_put(&p->products, pr->slug, prod_idx);
	}
	row_ok &= product_ok;

	/* the SKU: once in the whole file */
	if (ok[C_SKU]) {
		if (smap_get(&p->skus, v[C_SKU], &idx)) {
			cc_error(p, FIELD_LINE(C_SKU), C_SKU, "%s is already used "
				 "on line %zu",
				 catalog_text_quote(q, sizeof(q), v[C_SKU]), idx);
			row_ok = 0;
		} else {
			smap_put(&p->skus, v[C_SKU], line);
		}
	}

	/* the variant: one per size, colour, fit and logo of a product */
	if (row_ok) {
		char qs[48], qc[48], qf[48], ql[48];

		lv_snprintf(key, sizeof(key), "%zu\x1f%s\x1f%s\x1f%s\x1f%s", prod_idx,
			    v[C_SIZE], v[C_COLOUR], v[C_FIT], v[C_LOGO]);
		if (smap_get(&p->variant_keys, key, &idx)) {
			cc_error(p, line, -1, "product %s already has a variant "
				 "with size %s, colour %s, fit %s and logo %s (line %zu)",
				 catalog_text_quote(q, sizeof(q),
						    v[C_PRODUCT_SLUG]),
				 catalog_text_quote(qs, sizeof(qs), v[C_SIZE]),
				 catalog_text_quote(qc, sizeof(qc), v[C_COLOUR]),
				 catalog_text_quote(qf, sizeof(qf), v[C_FIT]),
				 catalog_text_quote(ql, sizeof(ql), v[C_LOGO]),
				 idx);
			row_ok = 0;
		} else {
			smap_put(&p->variant_keys, key, line);
		}
	}

	/* the picture: loaded once, however many rows name it */
	if (ok[C_IMAGE] && v[C_IMAGE][0]) {
		if (smap_get(&p->images, v[C_IMAGE], &idx)) {
			image = (long)idx;
		} else {
			struct cc_image *img = cc_push(&cat->images,
						       &cat->n_images,
						       &cat->cap_images,
						       sizeof(*img));

			img->name = lv_strdup(v[C_IMAGE]);
			img->line = FIELD_LINE(C_IMAGE);
			image = (long)(cat->n_images - 1);
			smap_put(&p->images, img->name, (size_t)image);
			if (p->loader)
				cc_image_load(p, img);
		}
		if (p->loader && cat->images[image].content_type == NULL)
			row_ok = 0; /* reported on the line that named it first */
	}
	if (row_ok && image >= 0) {
		struct cc_product *pr = &cat->products[prod_idx];

		for (i = 0; i < pr->n_images && pr->images[i] != (size_t)image;
		     i++)
			;
		if (i == pr->n_images) {
			if (pr->n_images == CC_MAX_IMAGES_PER_PRODUCT) {
				cc_error(p, FIELD_LINE(C_IMAGE), C_IMAGE,
					 "product \"%s\" has more than %d "
					 "pictures", pr->slug,
					 CC_MAX_IMAGES_PER_PRODUCT);
				row_ok = 0;
			} else {
				pr->images[pr->n_images++] = (size_t)image;
			}
		}
	}
	if (row_ok) {
		struct cc_variant *var = cc_push(&cat->variants,
						 &cat->n_variants,
						 &cat->cap_variants,
						 sizeof(*var));

		var->sku = lv_strdup(v[C_SKU]);
		var->size = lv_strdup(v[C_SIZE]);
		var->colour = lv_strdup(v[C_COLOUR]);
		var->fit = lv_strdup(v[C_FIT]);
		var->logo = lv_strdup(v[C_LOGO]);
		var->price = price;
		var->stock = stock;
		var->product = prod_idx;
		var->image = image;
		var->line = line;
	}
#undef FIELD_LINE
	for (i = 0; i < n_tags; i++)
		lv_free(tags[i]);
	lv_free(tags);
}

/* libcsv: one field has ended. */
static void cc_on_field(void *s, size_t len, void *data)
{
	struct cc_parser *p = data;
	size_t skip, i = p->n_fields++;

	if (i >= CC_MAX_FIELDS)
		return;
	/* the apostrophe an export puts before a formula-like cell (lv_csv.h) */
	skip = lv_csv_unguard(s, len);
	s = (char *)s + skip;
	len -= skip;
	p->field[i] = lv_malloc(len + 1);
	if (len)
		memcpy(p->field[i], s, len);
	p->field[i][len] = '\0';
	p->field_len[i] = len;
	p->field_line[i] = p->line;
}

/* libcsv: one record has ended. */
static void cc_on_record(int c, void *data)
{
	struct cc_parser *p = data;
	size_t i;

	(void)c;
	if (p->stop || p->n_fields == 0)
		goto out;
	/* a row of empty cells, as spreadsheets leave at the end, is no row */
	for (i = 0; i < p->n_fields && i < CC_MAX_FIELDS; i++)
		if (p->field_len[i])
			break;
	if (i == p->n_fields || i == CC_MAX_FIELDS)
		goto out;
	if (!p->header_done) {
		cc_header(p);
		goto out;
	}
	if (++p->rows > CATALOG_CSV_MAX_ROWS) {
		cc_error(p, p->field_line[0], -1, "the file has more than %d "
			 "rows", CATALOG_CSV_MAX_ROWS);
		p->stop = 1;
		goto out;
	}
	cc_row(p);
out:
	cc_record_reset(p);
}

/* Feeds data to libcsv one physical line (LF, CRLF or CR) at a time. */
static void cc_feed(struct cc_parser *p, struct csv_parser *cp,
		    const char *data, size_t len)
{
	size_t i = 0, j;

	p->line = 1;
	while (i < len && !p->stop) {
		for (j = i; j < len && data[j] != '\n' && data[j] != '\r'; j++)
			;
		if (j < len && data[j] == '\r' && j + 1 < len &&
		    data[j + 1] == '\n')
			j++;
		if (j < len)
			j++; /* the line's terminator goes with it */
		if (csv_parse(cp, data + i, j - i, cc_on_field, cc_on_record, p)
		    != j - i) {
			cc_error(p, p->line, -1, "the quoting is broken: a value "
				 "that holds a \" must be entirely in quotes, "
				 "with the \" inside doubled (\"say \"\"hi\"\"\")");
			p->stop = 1;
			return;
		}
		if (data[j - 1] == '\n' || data[j - 1] == '\r')
			p->line++;
		i = j;
	}
	if (!p->stop && csv_fini(cp, cc_on_field, cc_on_record, p) != 0) {
		cc_error(p, p->line, -1, "the file ends inside a quoted value "
			 "(a closing \" is missing)");
		cc_record_reset(p);
	}
}

int catalog_csv_parse(const char *data, size_t len, const char *currency,
		      const struct catalog_image_loader *loader,
		      struct catalog_csv **out,
		      struct catalog_import_report *rep)
{
	struct cc_parser p;
	struct csv_parser cp;
	int rc = LV_EINVAL, cp_ready = 0;
	char q[64], more[160];

	if (out)
		*out = NULL;
	memset(&p, 0, sizeof(p));
	p.rep = rep;
	p.currency = currency;
	p.loader = loader;
	p.cat = lv_calloc(1, sizeof(*p.cat));
	p.cat->images_loaded = loader != NULL;
	if (sodium_init() < 0) {
		rc = LV_EINTERNAL;
		goto out;
	}
	if (catalog_currency_minor_units(currency) < 0) {
		lv_snprintf(more, sizeof(more), "the store's currency %s is not "
			    "one Livery knows (EUR, USD, GBP, CHF, JPY)",
			    catalog_text_quote(q, sizeof(q), currency));
		report_add(rep, lv_strdup(more));
		goto out;
	}
	if (len > CATALOG_CSV_MAX_BYTES) {
		cc_error(&p, 1, -1, "the file is larger than %u MiB",
			 CATALOG_CSV_MAX_BYTES >> 20);
		goto out;
	}
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3; /* the byte order mark spreadsheets write */
		len -= 3;
	}
	if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		rc = LV_EINTERNAL;
		goto out;
	}
	cp_ready = 1;
	csv_set_realloc_func(&cp, lv_realloc);
	csv_set_free_func(&cp, lv_free);
	cc_feed(&p, &cp, data, len);
	if (!p.header_done)
		cc_error(&p, 1, -1, "the file is empty (it needs a header line "
			 "and one line per variant)");
	else if (p.rows == 0 && !p.stop)
		cc_error(&p, 1, -1, "the file has a header but no rows");
	if (p.n_errors > p.rep->n_errors) {
		lv_snprintf(more, sizeof(more), "... and %zu more errors",
			    p.n_errors - p.rep->n_errors);
		report_add(rep, lv_strdup(more));
	}
	rep->categories = (int)p.cat->n_categories;
	rep->products = (int)p.cat->n_products;
	rep->variants = (int)p.cat->n_variants;
	rep->images = (int)p.cat->n_images;
	if (p.n_errors == 0) {
		rc = LV_OK;
		if (out) {
			*out = p.cat;
			p.cat = NULL;
		}
	}
out:
	if (cp_ready)
		csv_free(&cp);
	cc_record_reset(&p);
	smap_cleanup(&p.categories);
	smap_cleanup(&p.products);
	smap_cleanup(&p.skus);
	smap_cleanup(&p.images);
	smap_cleanup(&p.variant_keys);
	catalog_csv_free(p.cat);
	return rc;
}

/* --- writing --- */

static const char sql_category_upsert[] =
	"INSERT INTO categories(slug, name, position) VALUES(?1, ?2, ?3)"
	" ON CONFLICT(slug) DO UPDATE SET name = excluded.name,"
	" position = excluded.position RETURNING id";

static const char sql_product_upsert[] =
	"INSERT INTO products(slug, name, description, category_id, restricted,"
	" active, position, created_at, updated_at)"
	" VALUES(?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?7)"
	" ON CONFLICT(slug) DO UPDATE SET name = excluded.name,"
	" description = excluded.description,"
	" category_id = excluded.category_id,"
	" restricted = excluded.restricted, active = 1,"
	" position = excluded.position,"
	" updated_at = CASE WHEN name IS NOT excluded.name"
	"  OR description IS NOT excluded.description"
	"  OR category_id IS NOT excluded.category_id"
	"  OR restricted IS NOT excluded.restricted OR active = 0"
	"  THEN excluded.updated_at ELSE updated_at END"
	" RETURNING id";

static const char sql_tags_clear[] =
	"DELETE FROM product_tags WHERE product_id = ?1";

static const char sql_tag_insert[] =
	"INSERT OR IGNORE INTO product_tags(product_id, tag) VALUES(?1, ?2)";

static const char sql_image_upsert[] =
	"INSERT INTO images(product_id, name, content_type, data, sha256,"
	" position) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
	" ON CONFLICT(product_id, name) DO UPDATE SET"
	" content_type = excluded.content_type, data = excluded.data,"
	" sha256 = excluded.sha256, position = excluded.position"
	" RETURNING id";

static const char sql_images_prune[] =
	"DELETE FROM images WHERE product_id = ?1"
	" AND id NOT IN (SELECT value FROM json_each(?2))";

static const char sql_variant_upsert[] =
	"INSERT INTO variants(product_id, sku, size, colour, fit, price, stock,"
	" image_id, active, position, created_at, updated_at, logo)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10, ?10, ?11)"
	" ON CONFLICT(sku) DO UPDATE SET product_id = excluded.product_id,"
	" size = excluded.size, colour = excluded.colour, fit = excluded.fit,"
	" logo = excluded.logo,"
	" price = excluded.price, stock = excluded.stock,"
	" image_id = excluded.image_id, active = 1,"
	" position = excluded.position,"
	" updated_at = CASE WHEN product_id IS NOT excluded.product_id"
	"  OR size IS NOT excluded.size OR colour IS NOT excluded.colour"
	"  OR fit IS NOT excluded.fit OR logo IS NOT excluded.logo"
	"  OR price IS NOT excluded.price"
	"  OR stock IS NOT excluded.stock OR active = 0"
	"  THEN excluded.updated_at ELSE updated_at END"
	" RETURNING id";

static const char sql_variants_deactivate[] =
	"UPDATE variants SET active = 0, updated_at = ?2 WHERE active = 1"
	" AND id NOT IN (SELECT value FROM json_each(?1))";

static const char sql_products_deactivate[] =
	"UPDATE products SET active = 0, updated_at = ?2 WHERE active = 1"
	" AND id NOT IN (SELECT value FROM json_each(?1))";

/* Steps a bound statement that returns one id. */
static int cc_step_id(struct lv_db *db, sqlite3_stmt *stmt, int64_t *id)
{
	int src = sqlite3_step(stmt), rc = LV_OK;

	if (src == SQLITE_ROW) {
		*id = sqlite3_column_int64(stmt, 0);
	} else {
		lv_error("catalog_store", "code=%d error=\"%s\"", src,
			 sqlite3_errmsg(db->conn));
		rc = (src & 0xff) == SQLITE_BUSY ? LV_ECONFLICT : LV_EINTERNAL;
	}
	lv_db_done(stmt);
	return rc;
}

/* Steps a bound statement that returns nothing. OUT: *changes (may be NULL) */
static int cc_step_done(struct lv_db *db, sqlite3_stmt *stmt, int *changes)
{
	int src = sqlite3_step(stmt), rc = LV_OK;

	if (src != SQLITE_DONE) {
		lv_error("catalog_store", "code=%d error=\"%s\"", src,
			 sqlite3_errmsg(db->conn));
		rc = (src & 0xff) == SQLITE_BUSY ? LV_ECONFLICT : LV_EINTERNAL;
	} else if (changes) {
		*changes = sqlite3_changes(db->conn);
	}
	lv_db_done(stmt);
	return rc;
}

/* Appends id to a JSON array being written in b ("[" already there). */
static void cc_ids_add(struct lv_buf *b, int64_t id)
{
	lv_buf_printf(b, "%s%lld", b->len > 1 ? "," : "", (long long)id);
}

static int cc_store_product(struct lv_db *db, const struct catalog_csv *cat,
			    size_t pi, const int64_t *category_ids,
			    int64_t now, int64_t *product_id,
			    int64_t *image_ids)
{
	const struct cc_product *pr = &cat->products[pi];
	sqlite3_stmt *stmt = NULL;
	struct lv_buf kept;
	size_t i;
	int rc;

	lv_buf_init(&kept, 64 + CC_MAX_IMAGES_PER_PRODUCT * 24);
	lv_buf_append_char(&kept, '[');
	rc = lv_db_stmt(db, sql_product_upsert, &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, pr->slug);
	lv_db_bind_text(stmt, 2, pr->name);
	lv_db_bind_text(stmt, 3, pr->description);
	sqlite3_bind_int64(stmt, 4, category_ids[pr->category]);
	sqlite3_bind_int(stmt, 5, pr->restricted);
	sqlite3_bind_int64(stmt, 6, (sqlite3_int64)pi);
	sqlite3_bind_int64(stmt, 7, now);
	rc = cc_step_id(db, stmt, product_id);
	if (rc != LV_OK)
		goto out;

	rc = lv_db_stmt(db, sql_tags_clear, &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, *product_id);
	rc = cc_step_done(db, stmt, NULL);
	for (i = 0; rc == LV_OK && i < pr->n_tags; i++) {
		rc = lv_db_stmt(db, sql_tag_insert, &stmt);
		if (rc != LV_OK)
			goto out;
		sqlite3_bind_int64(stmt, 1, *product_id);
		lv_db_bind_text(stmt, 2, pr->tags[i]);
		rc = cc_step_done(db, stmt, NULL);
	}
	if (rc != LV_OK)
		goto out;

	for (i = 0; i < pr->n_images; i++) {
		const struct cc_image *img = &cat->images[pr->images[i]];

		rc = lv_db_stmt(db, sql_image_upsert, &stmt);
		if (rc != LV_OK)
			goto out;
		sqlite3_bind_int64(stmt, 1, *product_id);
		lv_db_bind_text(stmt, 2, img->name);
		lv_db_bind_text(stmt, 3, img->content_type);
		sqlite3_bind_blob64(stmt, 4, img->data, img->len, SQLITE_STATIC);
		lv_db_bind_text(stmt, 5, img->sha256);
		sqlite3_bind_int64(stmt, 6, (sqlite3_int64)i);
		rc = cc_step_id(db, stmt, &image_ids[i]);
		if (rc != LV_OK)
			goto out;
		cc_ids_add(&kept, image_ids[i]);
	}
	lv_buf_append_char(&kept, ']');
	rc = lv_db_stmt(db, sql_images_prune, &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, *product_id);
	lv_db_bind_text(stmt, 2, lv_buf_str(&kept));
	rc = cc_step_done(db, stmt, NULL);
out:
	lv_buf_cleanup(&kept);
	return rc;
}

int catalog_csv_store(struct lv_db *db, const struct catalog_csv *cat,
		      struct catalog_import_report *rep)
{
	int64_t *category_ids = NULL, *product_ids = NULL, *image_ids = NULL;
	int64_t now = lv_now(), id;
	struct lv_buf product_list, variant_list;
	sqlite3_stmt *stmt = NULL;
	size_t i, j;
	int rc, in_tx = 0, own = 0, n = 0;

	lv_buf_init(&product_list, (size_t)24 * (cat->n_products + 2));
	lv_buf_init(&variant_list, (size_t)24 * (cat->n_variants + 2));
	lv_buf_append_char(&product_list, '[');
	lv_buf_append_char(&variant_list, '[');
	if (!cat->images_loaded) {
		rc = LV_EINVAL;
		goto out;
	}
	category_ids = lv_calloc(cat->n_categories + 1, sizeof(*category_ids));
	product_ids = lv_calloc(cat->n_products + 1, sizeof(*product_ids));
	/* per product, the ids of its pictures in its own order */
	image_ids = lv_calloc(cat->n_products * CC_MAX_IMAGES_PER_PRODUCT + 1,
			      sizeof(*image_ids));
	/* inside the caller's transaction when there is one (the console
	 * writes its audit entry in the same transaction) */
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	in_tx = 1;

	for (i = 0; i < cat->n_categories; i++) {
		rc = lv_db_stmt(db, sql_category_upsert, &stmt);
		if (rc != LV_OK)
			goto out;
		lv_db_bind_text(stmt, 1, cat->categories[i].slug);
		lv_db_bind_text(stmt, 2, cat->categories[i].name);
		sqlite3_bind_int64(stmt, 3, (sqlite3_int64)i);
		rc = cc_step_id(db, stmt, &category_ids[i]);
		if (rc != LV_OK)
			goto out;
	}
	for (i = 0; i < cat->n_products; i++) {
		rc = cc_store_product(db, cat, i, category_ids, now,
				      &product_ids[i],
				      image_ids + i * CC_MAX_IMAGES_PER_PRODUCT);
		if (rc != LV_OK)
			goto out;
		cc_ids_add(&product_list, product_ids[i]);
	}
	for (i = 0; i < cat->n_variants; i++) {
		const struct cc_variant *v = &cat->variants[i];
		const struct cc_product *pr = &cat->products[v->product];
		int64_t image_id = 0;

		for (j = 0; v->image >= 0 && j < pr->n_images; j++)
			if (pr->images[j] == (size_t)v->image)
				image_id = image_ids[v->product *
						     CC_MAX_IMAGES_PER_PRODUCT + j];
		rc = lv_db_stmt(db, sql_variant_upsert, &stmt);
		if (rc != LV_OK)
			goto out;
		sqlite3_bind_int64(stmt, 1, product_ids[v->product]);
		lv_db_bind_text(stmt, 2, v->sku);
		lv_db_bind_text(stmt, 3, v->size);
		lv_db_bind_text(stmt, 4, v->colour);
		lv_db_bind_text(stmt, 5, v->fit);
		sqlite3_bind_int64(stmt, 6, v->price);
		sqlite3_bind_int64(stmt, 7, v->stock);
		if (image_id)
			sqlite3_bind_int64(stmt, 8, image_id);
		else
			sqlite3_bind_null(stmt, 8);
		sqlite3_bind_int64(stmt, 9, (sqlite3_int64)i);
		sqlite3_bind_int64(stmt, 10, now);
		lv_db_bind_text(stmt, 11, v->logo);
		rc = cc_step_id(db, stmt, &id);
		if (rc != LV_OK)
			goto out;
		cc_ids_add(&variant_list, id);
	}
	lv_buf_append_char(&product_list, ']');
	lv_buf_append_char(&variant_list, ']');

	rc = lv_db_stmt(db, sql_variants_deactivate, &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, lv_buf_str(&variant_list));
	sqlite3_bind_int64(stmt, 2, now);
	rc = cc_step_done(db, stmt, &n);
	if (rc != LV_OK)
		goto out;
	rep->deactivated_variants = n;
	rc = lv_db_stmt(db, sql_products_deactivate, &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, lv_buf_str(&product_list));
	sqlite3_bind_int64(stmt, 2, now);
	rc = cc_step_done(db, stmt, &n);
	if (rc != LV_OK)
		goto out;
	rep->deactivated_products = n;

	rc = catalog_listing_refresh(db, 0);
	if (rc != LV_OK)
		goto out;
	rc = catalog_search_reindex(db);
	if (rc != LV_OK)
		goto out;
	in_tx = 0;
	rc = lv_db_tx_end(db, own, LV_OK);
	if (rc != LV_OK) {
		rep->deactivated_products = rep->deactivated_variants = 0;
		goto out;
	}
	rep->categories = (int)cat->n_categories;
	rep->products = (int)cat->n_products;
	rep->variants = (int)cat->n_variants;
	rep->images = (int)cat->n_images;
	lv_info("catalog_import", "categories=%d products=%d variants=%d "
		"images=%d deactivated_products=%d deactivated_variants=%d",
		rep->categories, rep->products, rep->variants, rep->images,
		rep->deactivated_products, rep->deactivated_variants);
out:
	if (in_tx) {
		lv_db_tx_end(db, own, rc);
		rep->deactivated_products = rep->deactivated_variants = 0;
	}
	lv_free(image_ids);
	lv_free(product_ids);
	lv_free(category_ids);
	lv_buf_cleanup(&variant_list);
	lv_buf_cleanup(&product_list);
	return rc;
}

/* --- reading the files --- */

/* Reads the whole regular file opened as fd, up to max bytes, into b. */
static int cc_read_fd(int fd, struct lv_buf *b, size_t max)
{
	char chunk[65536];
	struct stat st;
	ssize_t got;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return LV_EINVAL;
	if ((uint64_t)st.st_size > max)
		return LV_ETOOBIG;
	for (;;) {
		got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return LV_EUNAVAIL;
		if (got == 0)
			return LV_OK;
		if (lv_buf_append(b, chunk, (size_t)got) != LV_OK)
			return LV_ETOOBIG; /* it grew while we read */
	}
}

/* The loader for files next to the CSV: ctx is the CSV's folder. */
static int cc_load_file(void *ctx, const char *name, struct lv_buf *out,
			char *msg, size_t msglen)
{
	const char *dir = ctx;
	char path[4096];
	int fd = -1, rc;

	if (lv_snprintf(path, sizeof(path), "%s/%s", dir, name) < 0) {
		lv_snprintf(msg, msglen, "the path is too long");
		return LV_EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return LV_ENOTFOUND;
		lv_snprintf(msg, msglen, "%s", strerror(errno));
		return LV_EUNAVAIL;
	}
	rc = cc_read_fd(fd, out, CATALOG_IMAGE_MAX_BYTES);
	if (rc == LV_EINVAL)
		lv_snprintf(msg, msglen, "it is not a regular file");
	else if (rc == LV_EUNAVAIL)
		lv_snprintf(msg, msglen, "%s", strerror(errno));
	close(fd);
	return rc;
}

int catalog_csv_import(struct lv_db *db, const char *csv_path,
		       const char *currency, struct catalog_import_report *rep)
{
	struct catalog_image_loader loader = { cc_load_file, NULL };
	struct catalog_csv *cat = NULL;
	struct lv_buf text, msg;
	char *dir = NULL, *slash;
	int fd = -1, rc;

	lv_buf_init(&text, CATALOG_CSV_MAX_BYTES);
	lv_buf_init(&msg, CC_MSG_MAX);
	fd = open(csv_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		lv_buf_printf(&msg, "cannot open %s: %s", csv_path,
			      strerror(errno));
		rc = LV_EUNAVAIL;
		goto out;
	}
	rc = cc_read_fd(fd, &text, CATALOG_CSV_MAX_BYTES);
	if (rc != LV_OK) {
		lv_buf_printf(&msg, "cannot read %s: %s", csv_path,
			      rc == LV_ETOOBIG ? "it is larger than 32 MiB"
			      : rc == LV_EINVAL ? "it is not a regular file"
						: strerror(errno));
		goto out;
	}
	dir = lv_strdup(csv_path);
	slash = strrchr(dir, '/');
	if (slash == NULL) {
		lv_free(dir);
		dir = lv_strdup(".");
	} else if (slash == dir) {
		slash[1] = '\0';
	} else {
		*slash = '\0';
	}
	loader.ctx = dir;
	rc = catalog_csv_parse(lv_buf_str(&text), text.len, currency, &loader,
			       &cat, rep);
	if (rc != LV_OK)
		goto out;
	rc = catalog_csv_store(db, cat, rep);
out:
	if (msg.len)
		report_add(rep, lv_buf_take(&msg));
	if (fd >= 0)
		close(fd);
	catalog_csv_free(cat);
	lv_free(dir);
	lv_buf_cleanup(&msg);
	lv_buf_cleanup(&text);
	return rc;
}
