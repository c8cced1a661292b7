/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * theme.c - loading a theme folder into an immutable in-memory theme (see
 * theme.h): templates parsed once per language, static files with content
 * hashes, and the generated brand.css.
 *
 * Loading is all-or-nothing: the first problem (a template that does not
 * parse, a {{>partial}} or {{<parent}} naming a template that does not
 * exist, an unreadable or oversized file, a bad colour, a corrupt catalog)
 * stops it with a message naming the file, and the caller keeps whatever
 * theme it had. Only start-up and reload pay for the work; rendering is a
 * lookup of the language and the template.
 */
#include "theme.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog_csv.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "lv_tpl.h"

#define THEME_DEFAULT_PRIMARY "#1f3a5f"
#define THEME_DEFAULT_ACCENT "#e4a11b"
#define THEME_XLATE_SECTION "t"
#define THEME_MAX_DEPTH 8 /* folders under static/ */
#define TPL_EXT ".mustache"
#define PATH_MAX_LEN 4096

/* A static file and the strings that describe it (theme_asset points in). */
struct theme_file {
	struct theme_asset pub;
	char *name;
	unsigned char *data;
	char hash[9];
	char etag[35];
	char *url;
};

struct theme_lang {
	char *code;
	struct lv_i18n_catalog *cat; /* NULL for English */
	struct lv_tpl_set *set;
};

/* A template's source, kept only while loading. */
struct tpl_src {
	char *name;
	char *path;
	char *text;
	size_t len;
};

struct theme {
	struct theme_lang *langs;
	size_t nlangs;
	const char **codes; /* NULL-terminated, points into langs */
	char **pages;       /* template names, sorted */
	size_t npages;
	struct theme_file *files; /* sorted by name */
	size_t nfiles;
	size_t files_bytes;
	const char *logo; /* name of the configured logo among files, or NULL */
	atomic_uint refs; /* theme_ref/theme_unref: the loader's and each user's */
};

/* ------------------------------------------------------------------ */
/* Small helpers.                                                     */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct theme_file *)a)->name,
		      ((const struct theme_file *)b)->name);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * Reads the regular file at path, at most max bytes. OUT: *data (NUL
 * appended, caller frees) and *len. Returns LV_OK, LV_ENOTFOUND,
 * LV_ETOOBIG or LV_EINVAL with msg.
 */
static int file_read(const char *path, size_t max, char **data, size_t *len,
		     char *msg, size_t msglen)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc = LV_OK;

	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		lv_snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		rc = LV_ENOTFOUND;
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		lv_snprintf(msg, msglen, "%s: not a regular file", path);
		rc = LV_EINVAL;
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		lv_snprintf(msg, msglen, "%s: larger than %zu bytes", path, max);
		rc = LV_ETOOBIG;
		goto out;
	}
	buf = lv_malloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			lv_snprintf(msg, msglen, "%s: %s", path,
				    r < 0 ? strerror(errno) : "short read");
			rc = LV_EINVAL;
			goto out;
		}
		got += (size_t)r;
	}
	buf[got] = '\0';
	*data = buf;
	*len = got;
	buf = NULL;
out:
	if (fd >= 0)
		close(fd);
	lv_free(buf);
	return rc;
}

/*
 * The sorted names in dir (no "." entries, nothing starting with a dot).
 * OUT: *names (free each and the array) and *n. Returns LV_OK,
 * LV_ENOTFOUND when dir cannot be opened, LV_ETOOBIG past THEME_MAX_FILES.
 */
static int dir_list(const char *dir, char ***names, size_t *n, char *msg,
		    size_t msglen)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t cap = 0, cnt = 0;
	int rc = LV_OK;

	if (d == NULL) {
		lv_snprintf(msg, msglen, "%s: %s", dir, strerror(errno));
		rc = LV_ENOTFOUND;
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (cnt == THEME_MAX_FILES) {
			lv_snprintf(msg, msglen, "%s: more than %d entries",
				    dir, THEME_MAX_FILES);
			rc = LV_ETOOBIG;
			goto out;
		}
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			v = lv_realloc(v, cap * sizeof(*v));
		}
		v[cnt++] = lv_strdup(de->d_name);
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), name_cmp);
out:
	if (d)
		closedir(d);
	if (rc != LV_OK) {
		while (cnt)
			lv_free(v[--cnt]);
		lv_free(v);
		v = NULL;
	}
	*names = v;
	*n = cnt;
	return rc;
}

static void names_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		lv_free(v[i]);
	lv_free(v);
}

static int path_join(char *dst, size_t dstlen, const char *a, const char *b,
		     char *msg, size_t msglen)
{
	if (lv_snprintf(dst, dstlen, "%s/%s", a, b) < 0) {
		lv_snprintf(msg, msglen, "%s/%s: path too long", a, b);
		return LV_ETOOBIG;
	}
	return LV_OK;
}

/* ------------------------------------------------------------------ */
/* brand.css                                                          */

struct rgb {
	double r, g, b; /* 0..255 */
};

/* "#rrggbb" into out. Returns LV_OK or LV_EINVAL. */
static int colour_parse(const char *s, struct rgb *out)
{
	int v[6], i, rc = LV_EINVAL;

	if (s == NULL || strlen(s) != 7 || s[0] != '#')
		goto out;
	for (i = 0; i < 6; i++) {
		v[i] = lv_hex_digit(s[i + 1]);
		if (v[i] < 0)
			goto out;
	}
	out->r = v[0] * 16 + v[1];
	out->g = v[2] * 16 + v[3];
	out->b = v[4] * 16 + v[5];
	rc = LV_OK;
out:
	return rc;
}

/* x to the power 2.4 for x in [0, 1], as x^2 times the fifth root of x^2
 * (Newton's method), so that Livery needs no libm for one colour formula. */
static double pow_2_4(double x)
{
	double a = x * x, y = 1.0;
	int i;

	if (a <= 0.0)
		return 0.0;
	for (i = 0; i < 60; i++) {
		double y4 = y * y * y * y;

		y -= (y4 * y - a) / (5.0 * y4);
	}
	return a * y;
}

static double channel_linear(double c)
{
	c /= 255.0;
	return c <= 0.04045 ? c / 12.92 : pow_2_4((c + 0.055) / 1.055);
}

/* WCAG 2 relative luminance. */
static double colour_luminance(struct rgb c)
{
	return 0.2126 * channel_linear(c.r) + 0.7152 * channel_linear(c.g) +
	       0.0722 * channel_linear(c.b);
}

static double colour_contrast(struct rgb a, struct rgb b)
{
	double la = colour_luminance(a), lb = colour_luminance(b);

	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

/* a mixed with b: t = 0 gives a, t = 1 gives b. */
static struct rgb colour_mix(struct rgb a, struct rgb b, double t)
{
	struct rgb c = { a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t,
			 a.b + (b.b - a.b) * t };

	return c;
}

/* c darkened (towards ink) until it reads on white at WCAG AA (4.5:1). */
static struct rgb colour_readable_on_white(struct rgb c)
{
	static const struct rgb white = { 255, 255, 255 };
	static const struct rgb ink = { 17, 24, 39 };
	struct rgb d = c;
	int i;

	for (i = 1; i <= 20 && colour_contrast(d, white) < 4.5; i++)
		d = colour_mix(c, ink, i / 20.0);
	return d;
}

static int colour_append(struct lv_buf *out, const char *var, struct rgb c)
{
	return lv_buf_printf(out, "\t--brand-%s: #%02x%02x%02x;\n", var,
			     (unsigned)(c.r + 0.5), (unsigned)(c.g + 0.5),
			     (unsigned)(c.b + 0.5));
}

/* The five variables of one colour: itself, darker, soft tint, text, on. */
static int brand_vars(struct lv_buf *out, const char *name, struct rgb c)
{
	static const struct rgb white = { 255, 255, 255 };
	static const struct rgb black = { 0, 0, 0 };
	static const struct rgb ink = { 17, 24, 39 };
	char var[32];
	int rc;

	rc = colour_append(out, name, c);
	lv_snprintf(var, sizeof(var), "%s-dark", name);
	if (rc == LV_OK)
		rc = colour_append(out, var, colour_mix(c, black, 0.18));
	lv_snprintf(var, sizeof(var), "%s-soft", name);
	if (rc == LV_OK)
		rc = colour_append(out, var, colour_mix(c, white, 0.9));
	lv_snprintf(var, sizeof(var), "%s-text", name);
	if (rc == LV_OK)
		rc = colour_append(out, var, colour_readable_on_white(c));
	lv_snprintf(var, sizeof(var), "on-%s", name);
	if (rc == LV_OK)
		rc = colour_append(out, var,
				   colour_contrast(c, white) >=
						   colour_contrast(c, ink) ?
					   white :
					   ink);
	return rc;
}

int theme_brand_css(const char *primary, const char *accent,
		    struct lv_buf *out, char *msg, size_t msglen)
{
	struct rgb p, a;
	int rc = LV_EINVAL;

	if (primary == NULL)
		primary = THEME_DEFAULT_PRIMARY;
	if (accent == NULL)
		accent = THEME_DEFAULT_ACCENT;
	if (colour_parse(primary, &p) != LV_OK) {
		lv_snprintf(msg, msglen,
			    "primary colour \"%.16s\" is not #rrggbb", primary);
		goto out;
	}
	if (colour_parse(accent, &a) != LV_OK) {
		lv_snprintf(msg, msglen,
			    "accent colour \"%.16s\" is not #rrggbb", accent);
		goto out;
	}
	rc = lv_buf_append_str(out,
		"/* brand.css - generated by Livery from the [store] colours "
		"of the configuration. */\n:root {\n");
	if (rc == LV_OK)
		rc = brand_vars(out, "primary", p);
	if (rc == LV_OK)
		rc = brand_vars(out, "accent", a);
	if (rc == LV_OK)
		rc = lv_buf_append_str(out, "}\n");
out:
	return rc;
}

/* ------------------------------------------------------------------ */
/* Static files.                                                      */

static const struct {
	const char *ext;
	const char *type;
} content_types[] = {
	{ ".css", "text/css; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".jpg", "image/jpeg" },
	{ ".jpeg", "image/jpeg" },
	{ ".gif", "image/gif" },
	{ ".webp", "image/webp" },
	{ ".avif", "image/avif" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".woff", "font/woff" },
	{ ".ttf", "font/ttf" },
	{ ".otf", "font/otf" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".webmanifest", "application/manifest+json" },
	{ ".txt", "text/plain; charset=utf-8" },
};

static const char *content_type_of(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(content_types) / sizeof(content_types[0]); i++)
		if (ends_with(name, content_types[i].ext))
			return content_types[i].type;
	return "application/octet-stream";
}

/* Names become URL path segments: keep them to a safe alphabet. */
static int asset_name_ok(const char *name)
{
	const char *p;

	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		      *p == '_'))
			return 0;
	return name[0] != '\0' && name[0] != '.';
}

/* Appends a file to t, taking over data; computes hash, ETag and URL. */
static void theme_file_add(struct theme *t, const char *name,
			   unsigned char *data, size_t len, size_t *cap)
{
	unsigned char digest[32];
	char hex[65];
	struct theme_file *f;
	size_t urllen;

	if (t->nfiles == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		t->files = lv_realloc(t->files, *cap * sizeof(*t->files));
	}
	f = &t->files[t->nfiles++];
	memset(f, 0, sizeof(*f));
	crypto_generichash(digest, sizeof(digest), data, len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	f->name = lv_strdup(name);
	f->data = data;
	memcpy(f->hash, hex, 8);
	f->hash[8] = '\0';
	lv_snprintf(f->etag, sizeof(f->etag), "\"%.32s\"", hex);
	urllen = strlen(name) + 32;
	f->url = lv_malloc(urllen);
	lv_snprintf(f->url, urllen, "/static/%s/%s", f->hash, name);
	t->files_bytes += len;
	f->pub.len = len;
	f->pub.content_type = content_type_of(name);
}

/* Points every theme_asset at its file's strings (after the array moved). */
static void theme_files_publish(struct theme *t)
{
	size_t i;

	for (i = 0; i < t->nfiles; i++) {
		struct theme_file *f = &t->files[i];

		f->pub.name = f->name;
		f->pub.data = f->data;
		f->pub.hash = f->hash;
		f->pub.etag = f->etag;
		f->pub.url = f->url;
	}
}

/*
 * Reads every file under dir (prefix is its path relative to static/, ""
 * at the top) into t. Returns LV_OK or the first error, with msg.
 */
static int theme_static_read(struct theme *t, const char *dir,
			     const char *prefix, int depth, size_t *cap,
			     char *msg, size_t msglen)
{
	char **names = NULL;
	size_t n = 0, i;
	int rc;

	rc = dir_list(dir, &names, &n, msg, msglen);
	if (rc != LV_OK)
		goto out;
	for (i = 0; i < n && rc == LV_OK; i++) {
		char path[PATH_MAX_LEN], rel[PATH_MAX_LEN];
		struct stat st;
		char *data = NULL;
		size_t len = 0;

		rc = path_join(path, sizeof(path), dir, names[i], msg, msglen);
		if (rc != LV_OK)
			break;
		if (prefix[0])
			lv_snprintf(rel, sizeof(rel), "%s/%s", prefix, names[i]);
		else
			lv_strlcpy(rel, names[i], sizeof(rel));
		if (!asset_name_ok(names[i])) {
			lv_snprintf(msg, msglen,
				    "%s: static file names may only use "
				    "letters, digits, '.', '-' and '_'",
				    path);
			rc = LV_EINVAL;
			break;
		}
		if (stat(path, &st) != 0) {
			lv_snprintf(msg, msglen, "%s: %s", path,
				    strerror(errno));
			rc = LV_ENOTFOUND;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			if (depth >= THEME_MAX_DEPTH) {
				lv_snprintf(msg, msglen,
					    "%s: folders nested too deep",
					    path);
				rc = LV_ETOOBIG;
				break;
			}
			rc = theme_static_read(t, path, rel, depth + 1, cap,
					       msg, msglen);
			continue;
		}
		if (strcmp(rel, "brand.css") == 0) {
			lv_warn("theme_static",
				"file=static/brand.css note=\"ignored: brand.css "
				"is generated from the configuration\"");
			continue;
		}
		if (t->nfiles >= THEME_MAX_FILES) {
			lv_snprintf(msg, msglen, "%s: more than %d static files",
				    dir, THEME_MAX_FILES);
			rc = LV_ETOOBIG;
			break;
		}
		rc = file_read(path, THEME_MAX_ASSET, &data, &len, msg, msglen);
		if (rc != LV_OK)
			break;
		if (t->files_bytes + len > THEME_MAX_ASSETS_TOTAL) {
			lv_snprintf(msg, msglen,
				    "%s: static files exceed %u bytes in all",
				    path, THEME_MAX_ASSETS_TOTAL);
			lv_free(data);
			rc = LV_ETOOBIG;
			break;
		}
		theme_file_add(t, rel, (unsigned char *)data, len, cap);
	}
out:
	names_free(names, n);
	return rc;
}

/*
 * Adds the company's logo from the configuration as "company-logo.<ext>".
 * It is checked like a catalog picture (type from the bytes, no scripted
 * SVG), since it is served to every browser.
 */
static int theme_logo_load(struct theme *t, const char *path, size_t *cap,
			   char *msg, size_t msglen)
{
	const char *ct = NULL, *ext;
	char *data = NULL, why[256], name[32];
	size_t len = 0;
	int rc;

	rc = file_read(path, THEME_MAX_LOGO, &data, &len, msg, msglen);
	if (rc != LV_OK)
		goto out;
	rc = catalog_image_check((const unsigned char *)data, len, path, &ct, why,
				 sizeof(why));
	if (rc != LV_OK) {
		lv_snprintf(msg, msglen, "store.logo %s: %s", path, why);
		goto out;
	}
	ext = strcmp(ct, "image/svg+xml") == 0 ? "svg"
	      : strcmp(ct, "image/png") == 0   ? "png"
	      : strcmp(ct, "image/jpeg") == 0  ? "jpg"
					       : "webp";
	lv_snprintf(name, sizeof(name), "company-logo.%s", ext);
	theme_file_add(t, name, (unsigned char *)data, len, cap);
	t->logo = t->files[t->nfiles - 1].name;
	data = NULL;
out:
	lv_free(data);
	return rc;
}

static int theme_static_load(struct theme *t, const char *root,
			     const struct theme_params *p, char *msg,
			     size_t msglen)
{
	char dir[PATH_MAX_LEN];
	struct lv_buf css;
	struct stat st;
	size_t cap = 0, len;
	int rc;

	lv_buf_init(&css, 64 * 1024);
	rc = path_join(dir, sizeof(dir), root, "static", msg, msglen);
	if (rc != LV_OK)
		goto out;
	if (stat(dir, &st) == 0) {
		rc = theme_static_read(t, dir, "", 0, &cap, msg, msglen);
		if (rc != LV_OK)
			goto out;
	}
	if (p->logo) {
		rc = theme_logo_load(t, p->logo, &cap, msg, msglen);
		if (rc != LV_OK)
			goto out;
	}
	rc = theme_brand_css(p->primary, p->accent, &css, msg, msglen);
	if (rc != LV_OK)
		goto out;
	len = css.len;
	theme_file_add(t, "brand.css", (unsigned char *)lv_buf_take(&css), len,
		       &cap);
	if (t->nfiles)
		qsort(t->files, t->nfiles, sizeof(*t->files), file_cmp);
	theme_files_publish(t);
out:
	lv_buf_cleanup(&css);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Templates.                                                         */

/* Replaces the text of a {{#t}} section with the catalog's translation. */
static int theme_xlate(void *arg, const char *text, size_t len,
		       struct lv_buf *out)
{
	const struct lv_i18n_catalog *cat = arg;
	size_t tlen = 0;
	const char *tr = lv_i18n_find(cat, text, len, &tlen);

	if (tr)
		return lv_buf_append(out, tr, tlen);
	return lv_buf_append(out, text, len);
}

static int tpl_name_ok(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_' ||
		      name[i] == '-'))
			return 0;
	return len > 0;
}

static void tpl_srcs_free(struct tpl_src *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		lv_free(v[i].name);
		lv_free(v[i].path);
		lv_free(v[i].text);
	}
	lv_free(v);
}

/* Reads templates/<name>.mustache files. OUT: *srcs, *n (sorted). */
static int tpl_srcs_read(const char *root, struct tpl_src **srcs, size_t *n,
			 char *msg, size_t msglen)
{
	char dir[PATH_MAX_LEN];
	char **names = NULL;
	size_t nnames = 0, i, cnt = 0;
	struct tpl_src *v = NULL;
	int rc;

	rc = path_join(dir, sizeof(dir), root, "templates", msg, msglen);
	if (rc == LV_OK)
		rc = dir_list(dir, &names, &nnames, msg, msglen);
	if (rc != LV_OK)
		goto out;
	v = lv_calloc(nnames ? nnames : 1, sizeof(*v));
	for (i = 0; i < nnames; i++) {
		size_t base = strlen(names[i]);
		char path[PATH_MAX_LEN];

		if (!ends_with(names[i], TPL_EXT))
			continue;
		base -= strlen(TPL_EXT);
		rc = path_join(path, sizeof(path), dir, names[i], msg, msglen);
		if (rc != LV_OK)
			goto out;
		if (!tpl_name_ok(names[i], base)) {
			lv_snprintf(msg, msglen,
				    "%s: template names may only use letters, "
				    "digits, '-' and '_'",
				    path);
			rc = LV_EINVAL;
			goto out;
		}
		v[cnt].name = lv_strndup(names[i], base);
		v[cnt].path = lv_strdup(path);
		rc = file_read(path, THEME_MAX_TEMPLATE, &v[cnt].text,
			       &v[cnt].len, msg, msglen);
		cnt++;
		if (rc != LV_OK)
			goto out;
	}
	if (cnt == 0) {
		lv_snprintf(msg, msglen, "%s: no *%s templates", dir, TPL_EXT);
		rc = LV_ENOTFOUND;
	}
out:
	names_free(names, nnames);
	if (rc != LV_OK) {
		tpl_srcs_free(v, cnt);
		v = NULL;
		cnt = 0;
	}
	*srcs = v;
	*n = cnt;
	return rc;
}

static int tpl_srcs_has(const struct tpl_src *v, size_t n, const char *name,
			size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(v[i].name) == len && memcmp(v[i].name, name, len) == 0)
			return 1;
	return 0;
}

/*
 * Checks that every {{>partial}} and {{<parent}} in s names one of the
 * templates (the renderer would silently render a missing partial as
 * nothing). A set-delimiter tag ends the check for that file: what follows
 * is not read with the default delimiters.
 */
static int tpl_refs_check(const struct tpl_src *v, size_t n,
			  const struct tpl_src *s, char *msg, size_t msglen)
{
	const char *p = s->text, *end = s->text + s->len;
	int line = 1, rc = LV_OK;

	while (p < end) {
		const char *name, *close;
		char kind;

		if (*p == '\n')
			line++;
		if (end - p < 2 || p[0] != '{' || p[1] != '{') {
			p++;
			continue;
		}
		p += 2;
		if (p < end && *p == '{')
			continue;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end)
			break;
		kind = *p;
		if (kind == '=')
			break;
		if (kind != '>' && kind != '<')
			continue;
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		name = p;
		close = memmem(p, (size_t)(end - p), "}}", 2);
		if (close == NULL)
			break; /* the parser reports the unclosed tag */
		p = close;
		while (p > name && (p[-1] == ' ' || p[-1] == '\t'))
			p--;
		if (!tpl_srcs_has(v, n, name, (size_t)(p - name))) {
			lv_snprintf(msg, msglen,
				    "%s: line %d: %s '%.*s' does not exist",
				    s->path, line,
				    kind == '>' ? "partial" : "parent template",
				    (int)(p - name), name);
			rc = LV_ENOTFOUND;
			break;
		}
		p = close + 2;
	}
	return rc;
}

/* Parses every template for one language into lang->set. */
static int theme_lang_parse(struct theme_lang *lang, const struct tpl_src *v,
			    size_t n, char *msg, size_t msglen)
{
	struct lv_tpl_opts opts = { THEME_XLATE_SECTION, theme_xlate,
				    lang->cat };
	size_t i;
	int rc = LV_OK;

	lang->set = lv_tpl_set_new();
	for (i = 0; i < n && rc == LV_OK; i++) {
		struct lv_tpl *tpl = NULL;
		char err[256];

		err[0] = '\0';
		rc = lv_tpl_parse(v[i].text, v[i].len, &opts, &tpl, err,
				  sizeof(err));
		if (rc != LV_OK) {
			lv_snprintf(msg, msglen, "%s (%s): %s", v[i].path,
				    lang->code, err[0] ? err : lv_err_name(rc));
			break;
		}
		rc = lv_tpl_set_add(lang->set, v[i].name, tpl);
		if (rc != LV_OK)
			lv_snprintf(msg, msglen, "%s (%s): cannot add: %s",
				    v[i].path, lang->code, lv_err_name(rc));
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Languages.                                                         */

/* "fr", "pt_BR", "zh-Hant": a tag we are willing to use as a folder name. */
static int lang_code_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 2 || n > 15)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (i < 2 && !(c >= 'a' && c <= 'z'))
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static void theme_lang_add(struct theme *t, const char *code,
			   struct lv_i18n_catalog *cat)
{
	struct theme_lang *l;

	t->langs = lv_realloc(t->langs, (t->nlangs + 1) * sizeof(*t->langs));
	l = &t->langs[t->nlangs++];
	l->code = lv_strdup(code);
	l->cat = cat;
	l->set = NULL;
}

/* English, then every <locale_dir>/<lang>/LC_MESSAGES/livery.mo. */
static int theme_langs_load(struct theme *t, const char *locale_dir,
			    char *msg, size_t msglen)
{
	char **names = NULL;
	size_t n = 0, i;
	int rc = LV_OK;

	theme_lang_add(t, "en", NULL);
	if (locale_dir == NULL || locale_dir[0] == '\0')
		goto out;
	if (dir_list(locale_dir, &names, &n, msg, msglen) != LV_OK) {
		char q[300];

		lv_warn("theme_locales", "dir=%s note=\"cannot read, serving "
			"English only\"",
			lv_log_quote(q, sizeof(q), locale_dir));
		msg[0] = '\0';
		goto out;
	}
	for (i = 0; i < n; i++) {
		char path[PATH_MAX_LEN];
		struct lv_i18n_catalog *cat = NULL;
		struct stat st;

		if (!lang_code_ok(names[i]) || strcmp(names[i], "en") == 0)
			continue;
		if (lv_snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES/livery.mo",
				locale_dir, names[i]) < 0 ||
		    stat(path, &st) != 0)
			continue;
		if (t->nlangs >= THEME_MAX_LANGS) {
			lv_snprintf(msg, msglen, "%s: more than %d languages",
				    locale_dir, THEME_MAX_LANGS);
			rc = LV_ETOOBIG;
			goto out;
		}
		rc = lv_i18n_catalog_load(path, &cat, msg, msglen);
		if (rc != LV_OK)
			goto out;
		theme_lang_add(t, names[i], cat);
	}
out:
	names_free(names, n);
	return rc;
}

static const struct theme_lang *theme_lang_find(const struct theme *t,
						const char *code)
{
	size_t i;

	if (t == NULL || code == NULL)
		return NULL;
	for (i = 0; i < t->nlangs; i++)
		if (strcmp(t->langs[i].code, code) == 0)
			return &t->langs[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The public face.                                                   */

int theme_load(const struct theme_params *p, struct theme **out, char *msg,
	       size_t msglen)
{
	struct theme *t = lv_calloc(1, sizeof(*t));
	struct tpl_src *srcs = NULL;
	size_t nsrcs = 0, i;
	char root[PATH_MAX_LEN], q[300];
	char dummy[1];
	struct stat st;
	int rc;

	atomic_init(&t->refs, 1);
	if (msg == NULL || msglen == 0) {
		msg = dummy;
		msglen = sizeof(dummy);
	}
	msg[0] = '\0';
	*out = NULL;
	if (sodium_init() < 0) {
		lv_snprintf(msg, msglen, "libsodium failed to initialise");
		rc = LV_EINTERNAL;
		goto out;
	}
	if (p->themes_dir == NULL || p->themes_dir[0] == '\0') {
		lv_snprintf(msg, msglen, "no themes_dir configured");
		rc = LV_EINVAL;
		goto out;
	}
	if (p->theme == NULL || !tpl_name_ok(p->theme, strlen(p->theme))) {
		lv_snprintf(msg, msglen, "theme name \"%s\" is not a folder "
			    "name (letters, digits, '-', '_')",
			    p->theme ? p->theme : "");
		rc = LV_EINVAL;
		goto out;
	}
	rc = path_join(root, sizeof(root), p->themes_dir, p->theme, msg,
		       msglen);
	if (rc != LV_OK)
		goto out;
	if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
		lv_snprintf(msg, msglen, "%s: no such theme folder", root);
		rc = LV_ENOTFOUND;
		goto out;
	}
	rc = tpl_srcs_read(root, &srcs, &nsrcs, msg, msglen);
	for (i = 0; i < nsrcs && rc == LV_OK; i++)
		rc = tpl_refs_check(srcs, nsrcs, &srcs[i], msg, msglen);
	if (rc == LV_OK)
		rc = theme_langs_load(t, p->locale_dir, msg, msglen);
	for (i = 0; i < t->nlangs && rc == LV_OK; i++)
		rc = theme_lang_parse(&t->langs[i], srcs, nsrcs, msg, msglen);
	if (rc == LV_OK)
		rc = theme_static_load(t, root, p, msg, msglen);
	if (rc != LV_OK)
		goto out;
	/* English stays first; the others are already in folder order. */
	t->codes = lv_calloc(t->nlangs + 1, sizeof(*t->codes));
	for (i = 0; i < t->nlangs; i++)
		t->codes[i] = t->langs[i].code;
	t->pages = lv_calloc(nsrcs, sizeof(*t->pages));
	for (i = 0; i < nsrcs; i++) {
		t->pages[i] = srcs[i].name;
		srcs[i].name = NULL;
	}
	t->npages = nsrcs;
	qsort(t->pages, t->npages, sizeof(*t->pages), name_cmp);
	lv_info("theme_loaded", "theme=%s languages=%zu templates=%zu "
		"static_files=%zu static_bytes=%zu",
		lv_log_quote(q, sizeof(q), p->theme), t->nlangs, t->npages,
		t->nfiles, t->files_bytes);
	*out = t;
	t = NULL;
out:
	tpl_srcs_free(srcs, nsrcs);
	theme_free(t);
	return rc;
}

void theme_free(struct theme *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nlangs; i++) {
		lv_free(t->langs[i].code);
		lv_i18n_catalog_free(t->langs[i].cat);
		lv_tpl_set_free(t->langs[i].set);
	}
	for (i = 0; i < t->nfiles; i++) {
		lv_free(t->files[i].name);
		lv_free(t->files[i].data);
		lv_free(t->files[i].url);
	}
	names_free(t->pages, t->npages);
	lv_free(t->langs);
	lv_free(t->codes);
	lv_free(t->files);
	lv_free(t);
}

struct theme *theme_ref(struct theme *t)
{
	if (t)
		atomic_fetch_add(&t->refs, 1);
	return t;
}

void theme_unref(struct theme *t)
{
	if (t && atomic_fetch_sub(&t->refs, 1) == 1)
		theme_free(t);
}

const char *const *theme_languages(const struct theme *t, size_t *n)
{
	if (n)
		*n = t->nlangs;
	return t->codes;
}

int theme_has_language(const struct theme *t, const char *lang)
{
	return theme_lang_find(t, lang) != NULL;
}

const char *theme_language_name(const char *lang)
{
	static const struct {
		const char *code, *name;
	} names[] = {
		{ "en", "English" },     { "fr", "Français" },
		{ "de", "Deutsch" },     { "es", "Español" },
		{ "it", "Italiano" },    { "nl", "Nederlands" },
		{ "pt", "Português" },   { "pt_BR", "Português (Brasil)" },
		{ "pl", "Polski" },      { "sv", "Svenska" },
		{ "da", "Dansk" },       { "nb", "Norsk bokmål" },
		{ "fi", "Suomi" },       { "cs", "Čeština" },
		{ "ro", "Română" },      { "hu", "Magyar" },
		{ "el", "Ελληνικά" },    { "tr", "Türkçe" },
		{ "ru", "Русский" },     { "uk", "Українська" },
		{ "ja", "日本語" },      { "zh_CN", "简体中文" },
		{ "ko", "한국어" },      { "ar", "العربية" },
	};
	size_t i;

	if (lang == NULL)
		return "";
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].code, lang) == 0)
			return names[i].name;
	return lang;
}

const struct lv_i18n_catalog *theme_catalog(const struct theme *t,
					    const char *lang)
{
	const struct theme_lang *l = theme_lang_find(t, lang);

	return l ? l->cat : NULL;
}

int theme_has_page(const struct theme *t, const char *name)
{
	return t && name &&
	       bsearch(&name, t->pages, t->npages, sizeof(*t->pages),
		       name_cmp) != NULL;
}

int theme_render(const struct theme *t, const char *lang, const char *page,
		 json_t *data, struct lv_buf *out)
{
	const struct theme_lang *l = theme_lang_find(t, lang);
	const struct lv_tpl *tpl;

	if (l == NULL)
		l = &t->langs[0];
	tpl = lv_tpl_set_get(l->set, page);
	if (tpl == NULL)
		return LV_ENOTFOUND;
	return lv_tpl_render(tpl, data, l->set, out);
}

const struct theme_asset *theme_asset_get(const struct theme *t,
					  const char *hash, const char *name)
{
	struct theme_file key;
	const struct theme_file *f;

	if (t == NULL || name == NULL || t->nfiles == 0)
		return NULL;
	key.name = (char *)name;
	f = bsearch(&key, t->files, t->nfiles, sizeof(*t->files), file_cmp);
	if (f == NULL || (hash && strcmp(hash, f->hash) != 0))
		return NULL;
	return &f->pub;
}

size_t theme_asset_count(const struct theme *t)
{
	return t ? t->nfiles : 0;
}

const struct theme_asset *theme_asset_at(const struct theme *t, size_t idx)
{
	return t && idx < t->nfiles ? &t->files[idx].pub : NULL;
}

json_t *theme_asset_urls(const struct theme *t)
{
	static const struct {
		const char *key, *file;
	} named[] = {
		{ "css", "style.css" },     { "brand_css", "brand.css" },
		{ "logo", "logo.svg" },     { "mark", "mark.svg" },
		{ "favicon", "favicon.svg" }, { "placeholder", "placeholder.svg" },
	};
	json_t *urls = json_object();
	size_t i;

	for (i = 0; t && i < t->nfiles; i++) {
		char key[PATH_MAX_LEN];
		char *k;

		lv_strlcpy(key, t->files[i].name, sizeof(key));
		for (k = key; *k; k++)
			if (!((*k >= 'a' && *k <= 'z') ||
			      (*k >= 'A' && *k <= 'Z') ||
			      (*k >= '0' && *k <= '9')))
				*k = '_';
		json_object_set_new(urls, key, json_string(t->files[i].url));
	}
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		const struct theme_asset *a = theme_asset_get(t, NULL,
							      named[i].file);

		if (a)
			json_object_set_new(urls, named[i].key,
					    json_string(a->url));
	}
	if (t && t->logo) { /* the company's own logo replaces the theme's */
		const struct theme_asset *a = theme_asset_get(t, NULL, t->logo);

		if (a) {
			json_object_set_new(urls, "logo", json_string(a->url));
			json_object_set_new(urls, "mark", json_string(a->url));
		}
	}
	return urls;
}
