/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_theme.c - the theme loader (store/face/theme.c) with the default
 * theme (themes/default) and the build's French catalog.
 *
 * Every page template is rendered in every language with every fixture of
 * tests/unit/fixtures/pages/<page>[-variant].json, and the HTML is checked
 * for what the Content-Security-Policy, accessibility and translation need:
 * no style attribute or element, no script, escaped data, alt on every
 * image, headings in order, data-reason on the error page, French words in
 * French and no English template string left untranslated. Every {{#t}}
 * string of the templates must be in po/livery.pot and translated in the
 * French catalog with the same Mustache tags.
 *
 * Set LV_THEME_DUMP_DIR to a folder to also write the rendered pages and
 * the static files there (<fixture>.<lang>.html, static/<hash>/<name>);
 * serve that folder with any web server to look at them in a browser.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "lv_buf.h"
#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "theme.h"

#define OUT_MAX (4u * 1024 * 1024)

static const char *src_dir;
static char themes_dir[1024];
static char locale_dir[1024];
static char tmpdir[256];
static struct theme *theme;

/* ------------------------------------------------------------------ */
/* Helpers.                                                           */

static char *file_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct lv_buf b;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	lv_buf_init(&b, 16u * 1024 * 1024);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		lv_buf_append(&b, chunk, n);
	fclose(f);
	if (len)
		*len = b.len;
	return lv_buf_take(&b);
}

static int file_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (f == NULL)
		return -1;
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void mkdirs(const char *path)
{
	char tmp[1024];
	char *p;

	lv_strlcpy(tmp, path, sizeof(tmp));
	for (p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	}
	mkdir(tmp, 0755);
}

/* Sorted names in dir ending with suffix; NULL-terminated, caller frees. */
static char **dir_names(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = lv_calloc(1, sizeof(*v));
	size_t n = 0, i, j;

	if (d == NULL)
		return v;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name), sl = strlen(suffix);

		if (len <= sl || strcmp(de->d_name + len - sl, suffix) != 0)
			continue;
		v = lv_realloc(v, (n + 2) * sizeof(*v));
		v[n++] = lv_strdup(de->d_name);
		v[n] = NULL;
	}
	closedir(d);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (strcmp(v[i], v[j]) > 0) {
				char *t = v[i];

				v[i] = v[j];
				v[j] = t;
			}
	return v;
}

static void names_free(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		lv_free(v[i]);
	lv_free(v);
}

/* The {{#t}} strings of one template source. NULL-terminated; free. */
static char **template_msgids(const char *text)
{
	char **v = lv_calloc(1, sizeof(*v));
	const char *p = text;
	size_t n = 0;

	while ((p = strstr(p, "{{#t}}")) != NULL) {
		const char *start = p + 6, *end = strstr(start, "{{/t}}");

		if (end == NULL)
			break;
		v = lv_realloc(v, (n + 2) * sizeof(*v));
		v[n++] = lv_strndup(start, (size_t)(end - start));
		v[n] = NULL;
		p = end + 6;
	}
	return v;
}

/* The {{tags}} of s, sorted and joined with '|', into out. */
static void mustache_tags(const char *s, struct lv_buf *out)
{
	char *tags[64];
	size_t n = 0, i, j;
	const char *p = s;

	while (n < 64 && (p = strstr(p, "{{")) != NULL) {
		const char *e = strstr(p, "}}");

		if (e == NULL)
			break;
		tags[n++] = lv_strndup(p, (size_t)(e - p + 2));
		p = e + 2;
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (strcmp(tags[i], tags[j]) > 0) {
				char *t = tags[i];

				tags[i] = tags[j];
				tags[j] = t;
			}
	lv_buf_reset(out);
	for (i = 0; i < n; i++) {
		lv_buf_append_str(out, tags[i]);
		lv_buf_append_char(out, '|');
		lv_free(tags[i]);
	}
}

/* msgid as it appears, quoted and escaped, on a msgid line of the .pot. */
static void po_quoted(const char *s, struct lv_buf *out)
{
	lv_buf_reset(out);
	lv_buf_append_str(out, "\nmsgid \"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			lv_buf_append_char(out, '\\');
		if (*s == '\n')
			lv_buf_append_str(out, "\\n");
		else
			lv_buf_append_char(out, *s);
	}
	lv_buf_append_str(out, "\"\n");
}

static const char *strcasestr_n(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* HTML checks.                                                       */

/* Every <img ...> has an alt attribute. */
static int html_imgs_have_alt(const char *html)
{
	const char *p = html;

	while ((p = strstr(p, "<img")) != NULL) {
		const char *end = strchr(p, '>');
		const char *alt = strstr(p, " alt=\"");

		if (end == NULL || alt == NULL || alt > end)
			return 0;
		p = end;
	}
	return 1;
}

/* The first heading is h1 and no heading skips a level going down. */
static int html_headings_in_order(const char *html, char *why, size_t len)
{
	const char *p = html;
	int prev = 0, count = 0;

	while ((p = strstr(p, "<h")) != NULL) {
		int level = p[2] - '0';

		if (level >= 1 && level <= 6 && (p[3] == '>' || p[3] == ' ')) {
			if ((prev == 0 && level != 1) ||
			    (prev && level > prev + 1)) {
				snprintf(why, len, "h%d after h%d", level, prev);
				return 0;
			}
			if (level == 1)
				count++;
			prev = level;
		}
		p += 2;
	}
	if (count != 1) {
		snprintf(why, len, "%d h1 elements", count);
		return 0;
	}
	return 1;
}

/* The <main ...> start tag (NUL-terminated copy, caller frees). */
static char *html_main_tag(const char *html)
{
	const char *p = strstr(html, "<main");
	const char *e = p ? strchr(p, '>') : NULL;

	return e ? lv_strndup(p, (size_t)(e - p + 1)) : NULL;
}

/* ------------------------------------------------------------------ */
/* Tests.                                                             */

static int theme_ready(void)
{
	if (theme == NULL) {
		CHECK(theme != NULL);
		return 0;
	}
	return 1;
}

static void test_load_default(void)
{
	struct theme_params p = { themes_dir, "default", locale_dir, NULL, NULL, NULL };
	const char *const *langs;
	char msg[512] = "";
	size_t n = 0;
	int rc;

	rc = theme_load(&p, &theme, msg, sizeof(msg));
	if (rc != LV_OK)
		fprintf(stderr, "theme_load: %s\n", msg);
	CHECK_INT(rc, LV_OK);
	if (!theme_ready())
		return;
	langs = theme_languages(theme, &n);
	CHECK(n >= 2);
	CHECK_STR(langs[0], "en");
	CHECK(langs[n] == NULL);
	CHECK(theme_has_language(theme, "fr"));
	CHECK(!theme_has_language(theme, "xx"));
	CHECK(theme_catalog(theme, "en") == NULL);
	CHECK(theme_catalog(theme, "fr") != NULL);
	CHECK_STR(lv_i18n_get(theme_catalog(theme, "fr"), "Sign out"),
		  "Déconnexion");
	CHECK_STR(theme_language_name("fr"), "Français");
	CHECK_STR(theme_language_name("en"), "English");
	CHECK_STR(theme_language_name("tlh"), "tlh");
	CHECK(theme_has_page(theme, "catalog"));
	CHECK(theme_has_page(theme, "layout"));
	CHECK(!theme_has_page(theme, "nothing"));
}

static void test_assets(void)
{
	const struct theme_asset *css, *brand, *a;
	json_t *urls;
	char url[256];
	size_t i;

	if (!theme_ready())
		return;
	css = theme_asset_get(theme, NULL, "style.css");
	CHECK(css != NULL);
	if (css == NULL)
		return;
	CHECK_STR(css->content_type, "text/css; charset=utf-8");
	CHECK_INT(strlen(css->hash), 8);
	CHECK(css->etag[0] == '"' && css->etag[strlen(css->etag) - 1] == '"');
	snprintf(url, sizeof(url), "/static/%s/style.css", css->hash);
	CHECK_STR(css->url, url);
	CHECK(theme_asset_get(theme, css->hash, "style.css") == css);
	CHECK(theme_asset_get(theme, "00000000", "style.css") == NULL);
	CHECK(theme_asset_get(theme, css->hash, "nothing.css") == NULL);
	CHECK(strstr((const char *)css->data, "--brand-primary") != NULL);

	brand = theme_asset_get(theme, NULL, "brand.css");
	CHECK(brand != NULL);
	if (brand) {
		CHECK(memmem(brand->data, brand->len,
			     "--brand-primary: #1f3a5f;", 25) != NULL);
		CHECK(memmem(brand->data, brand->len,
			     "--brand-on-primary: #ffffff;", 28) != NULL);
		CHECK(memmem(brand->data, brand->len, "--brand-accent: #e4a11b;",
			     24) != NULL);
	}
	a = theme_asset_get(theme, NULL, "logo.svg");
	CHECK(a != NULL && strcmp(a->content_type, "image/svg+xml") == 0);
	CHECK(theme_asset_get(theme, NULL, "placeholder.svg") != NULL);
	CHECK(theme_asset_get(theme, NULL, "favicon.svg") != NULL);

	urls = theme_asset_urls(theme);
	CHECK_STR(json_string_value(json_object_get(urls, "css")), css->url);
	CHECK(brand &&
	      strcmp(json_string_value(json_object_get(urls, "brand_css")),
		     brand->url) == 0);
	CHECK(json_string_value(json_object_get(urls, "logo")) != NULL);
	CHECK(json_string_value(json_object_get(urls, "mark")) != NULL);
	CHECK(json_string_value(json_object_get(urls, "placeholder")) != NULL);
	CHECK(json_string_value(json_object_get(urls, "style_css")) != NULL);
	json_decref(urls);

	CHECK(theme_asset_count(theme) >= 6);
	for (i = 0; i < theme_asset_count(theme); i++) {
		a = theme_asset_at(theme, i);
		CHECK(a && a->len > 0);
		CHECK(a && strncmp(a->url, "/static/", 8) == 0);
	}
	CHECK(theme_asset_at(theme, theme_asset_count(theme)) == NULL);
}

static void test_brand_css(void)
{
	struct lv_buf b;
	char msg[200] = "";

	lv_buf_init(&b, 8192);
	CHECK_INT(theme_brand_css("#ffcc00", "#003366", &b, msg, sizeof(msg)),
		  LV_OK);
	/* yellow takes dark text, dark blue takes white */
	CHECK(strstr(lv_buf_str(&b), "--brand-on-primary: #111827;") != NULL);
	CHECK(strstr(lv_buf_str(&b), "--brand-on-accent: #ffffff;") != NULL);
	CHECK(strstr(lv_buf_str(&b), "--brand-primary: #ffcc00;") != NULL);
	/* yellow is unreadable as text on white: its -text is darker */
	CHECK(strstr(lv_buf_str(&b), "--brand-primary-text: #ffcc00;") == NULL);
	CHECK(strstr(lv_buf_str(&b), "--brand-accent-text: #003366;") != NULL);
	lv_buf_reset(&b);
	CHECK_INT(theme_brand_css("#12345", NULL, &b, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK(strstr(msg, "primary") != NULL);
	CHECK_INT(theme_brand_css(NULL, "red", &b, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK(strstr(msg, "accent") != NULL);
	CHECK_INT(theme_brand_css("#12345g", NULL, &b, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK_INT(theme_brand_css("#1234567", NULL, &b, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK_INT(theme_brand_css("#ABCdef", "#000000", &b, msg, sizeof(msg)),
		  LV_OK);
	lv_buf_cleanup(&b);
}

/* Writes one rendering and, once, the static files for a browser. */
static void dump(const char *fixture, const char *lang, const char *html)
{
	static int assets_done;
	const char *dir = getenv("LV_THEME_DUMP_DIR");
	char path[1200];
	size_t i;

	if (dir == NULL || *dir == '\0')
		return;
	mkdirs(dir);
	snprintf(path, sizeof(path), "%s/%.*s.%s.html", dir,
		 (int)(strlen(fixture) - 5), fixture, lang);
	CHECK_INT(file_write(path, html, strlen(html)), 0);
	if (assets_done)
		return;
	assets_done = 1;
	for (i = 0; i < theme_asset_count(theme); i++) {
		const struct theme_asset *a = theme_asset_at(theme, i);
		char *slash;

		snprintf(path, sizeof(path), "%s%s", dir, a->url);
		slash = strrchr(path, '/');
		*slash = '\0';
		mkdirs(path);
		*slash = '/';
		CHECK_INT(file_write(path, a->data, a->len), 0);
	}
}

/*
 * Whether s is the whole of a text node (>s<, blanks allowed around) or
 * of an attribute value ("s") in html: how a template string shows.
 */
static int html_has_text(const char *html, const char *s)
{
	const char *p = html;
	size_t n = strlen(s);

	while ((p = strstr(p, s)) != NULL) {
		const char *b = p, *a = p + n;

		while (b > html && (b[-1] == ' ' || b[-1] == '\t' ||
				    b[-1] == '\n'))
			b--;
		while (*a == ' ' || *a == '\t' || *a == '\n')
			a++;
		if (b > html && ((b[-1] == '>' && *a == '<') ||
				 (b[-1] == '"' && *a == '"')))
			return 1;
		p += n;
	}
	return 0;
}

/* 1 when s is one of the strings in the JSON value v (at any depth). */
static int json_has_string(const json_t *v, const char *s)
{
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_string(v))
		return strcmp(json_string_value(v), s) == 0;
	if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			if (json_has_string(item, s))
				return 1;
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, item)
			if (json_has_string(item, s))
				return 1;
	}
	return 0;
}

/*
 * English template strings that must not survive into a French page. A
 * string the fixture's data holds is the server's to translate (a console
 * section's name, a page title), not the template's: it is not checked.
 */
static void check_no_english(const char *fixture, const json_t *data, const char *html)
{
	const struct lv_i18n_catalog *fr = theme_catalog(theme, "fr");
	char dir[1200];
	char **names;
	size_t i, j;

	snprintf(dir, sizeof(dir), "%s/default/templates", themes_dir);
	names = dir_names(dir, ".mustache");
	for (i = 0; names[i]; i++) {
		char path[1400];
		char *text, **ids;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		text = file_slurp(path, NULL);
		ids = template_msgids(text ? text : "");
		for (j = 0; ids[j]; j++) {
			const char *tr = lv_i18n_find(fr, ids[j], strlen(ids[j]),
						      NULL);

			/* "Description" is French too: a translation equal
			 * to the English text is not a leftover */
			if (strstr(ids[j], "{{") || strlen(ids[j]) < 4 ||
			    (tr && strcmp(tr, ids[j]) == 0) || json_has_string(data, ids[j]))
				continue;
			if (html_has_text(html, ids[j])) {
				fprintf(stderr, "%s (fr): untranslated \"%s\"\n",
					fixture, ids[j]);
				CHECK(!html_has_text(html, ids[j]));
			}
		}
		names_free(ids);
		lv_free(text);
	}
	names_free(names);
}

static void check_page(const char *fixture, const char *page,
		       const char *lang, json_t *data, const char *html)
{
	char why[128] = "";
	char *main_tag;
	int ok;

	CHECK(strncmp(html, "<!DOCTYPE html>", 15) == 0);
	CHECK(strstr(html, lang[0] == 'f' ? "<html lang=\"fr\">" :
					    "<html lang=\"en\">") != NULL);
	CHECK(strcasestr_n(html, "style=") == NULL);
	CHECK(strcasestr_n(html, "<style") == NULL);
	CHECK(strcasestr_n(html, "<script") == NULL);
	CHECK(strstr(html, "{{") == NULL);
	CHECK(html_imgs_have_alt(html));
	ok = html_headings_in_order(html, why, sizeof(why));
	if (!ok)
		fprintf(stderr, "%s (%s): headings: %s\n", fixture, lang, why);
	CHECK(ok);
	CHECK(strstr(html, "</html>") != NULL);

	main_tag = html_main_tag(html);
	CHECK(main_tag != NULL);
	if (strcmp(page, "error") == 0 && main_tag) {
		char want[200];
		const char *reason = json_string_value(json_object_get(
			json_object_get(data, "page"), "reason"));

		snprintf(want, sizeof(want), "data-reason=\"%s\"",
			 reason ? reason : "");
		CHECK(reason != NULL && strstr(main_tag, want) != NULL);
	}
	lv_free(main_tag);

	if (json_object_get(data, "user")) {
		CHECK(strstr(html, lang[0] == 'f' ? "Déconnexion" :
						    "Sign out") != NULL);
		CHECK(strstr(html, "action=\"/auth/logout\"") != NULL);
	} else {
		CHECK(strstr(html, lang[0] == 'f' ? ">Connexion<" :
						    ">Sign in<") != NULL);
		CHECK(strstr(html, "/auth/logout") == NULL);
	}
	if (lang[0] == 'f') {
		CHECK(strstr(html, "Rechercher") != NULL);
		CHECK(strstr(html, "Aller au contenu principal") != NULL);
		check_no_english(fixture, data, html);
	} else {
		CHECK(strstr(html, "Skip to main content") != NULL);
	}
	if (strcmp(page, "product") == 0 && lang[0] == 'f') {
		CHECK(strstr(html, "Taille") != NULL);
		CHECK(strstr(html, "Couleur") != NULL);
		CHECK(strstr(html, "Ajouter au panier") != NULL);
	}
}

static void test_render_fixtures(void)
{
	char dir[1200];
	char **names;
	size_t i, rendered = 0;
	json_t *urls;

	if (!theme_ready())
		return;
	urls = theme_asset_urls(theme);
	snprintf(dir, sizeof(dir), "%s/tests/unit/fixtures/pages", src_dir);
	names = dir_names(dir, ".json");
	for (i = 0; names[i]; i++) {
		static const char *const langs[] = { "en", "fr" };
		char path[1400], page[128];
		json_error_t jerr;
		json_t *data;
		size_t l;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		data = json_load_file(path, 0, &jerr);
		if (data == NULL) {
			fprintf(stderr, "%s: %s\n", path, jerr.text);
			CHECK(data != NULL);
			continue;
		}
		lv_strlcpy(page, names[i], sizeof(page));
		page[strcspn(page, "-.")] = '\0';
		CHECK(theme_has_page(theme, page));
		json_object_set(data, "assets", urls);
		for (l = 0; l < 2; l++) {
			struct lv_buf out;
			int rc;

			lv_buf_init(&out, OUT_MAX);
			json_object_set_new(data, "lang", json_string(langs[l]));
			rc = theme_render(theme, langs[l], page, data, &out);
			if (rc != LV_OK)
				fprintf(stderr, "%s (%s): render: %s\n",
					names[i], langs[l], lv_err_name(rc));
			CHECK_INT(rc, LV_OK);
			if (rc == LV_OK) {
				check_page(names[i], page, langs[l], data,
					   lv_buf_str(&out));
				dump(names[i], langs[l], lv_buf_str(&out));
				rendered++;
			}
			lv_buf_cleanup(&out);
		}
		json_decref(data);
	}
	CHECK(rendered >= 10);
	names_free(names);
	json_decref(urls);
}

/* Every page template ({{<layout}}) has at least one fixture. */
static void test_every_page_has_a_fixture(void)
{
	char tdir[1200], fdir[1200];
	char **names, **fixtures;
	size_t i, j;

	snprintf(tdir, sizeof(tdir), "%s/default/templates", themes_dir);
	snprintf(fdir, sizeof(fdir), "%s/tests/unit/fixtures/pages", src_dir);
	names = dir_names(tdir, ".mustache");
	fixtures = dir_names(fdir, ".json");
	CHECK(names[0] != NULL);
	for (i = 0; names[i]; i++) {
		char path[1400], page[128];
		char *text;
		int found = 0;

		snprintf(path, sizeof(path), "%s/%s", tdir, names[i]);
		text = file_slurp(path, NULL);
		if (text && strncmp(text, "{{<layout}}", 11) == 0) {
			lv_strlcpy(page, names[i], sizeof(page));
			page[strlen(page) - strlen(".mustache")] = '\0';
			for (j = 0; fixtures[j]; j++) {
				size_t n = strlen(page);

				if (strncmp(fixtures[j], page, n) == 0 &&
				    (fixtures[j][n] == '.' ||
				     fixtures[j][n] == '-'))
					found = 1;
			}
			if (!found)
				fprintf(stderr, "no fixture for page %s\n",
					page);
			CHECK(found);
		}
		lv_free(text);
	}
	names_free(names);
	names_free(fixtures);
}

/*
 * Every {{#t}} string is in po/livery.pot and translated in French with
 * the same Mustache tags; every string of the .pot is translated.
 */
static void test_every_string_translated(void)
{
	const struct lv_i18n_catalog *fr;
	char tdir[1200], path[1400];
	char **names, *pot;
	struct lv_buf q, t1, t2;
	size_t i, j, total = 0;
	const char *p;

	if (!theme_ready())
		return;
	fr = theme_catalog(theme, "fr");
	snprintf(path, sizeof(path), "%s/po/livery.pot", src_dir);
	pot = file_slurp(path, NULL);
	CHECK(pot != NULL);
	if (pot == NULL || fr == NULL)
		return;
	lv_buf_init(&q, 65536);
	lv_buf_init(&t1, 65536);
	lv_buf_init(&t2, 65536);
	snprintf(tdir, sizeof(tdir), "%s/default/templates", themes_dir);
	names = dir_names(tdir, ".mustache");
	for (i = 0; names[i]; i++) {
		char *text, **ids;

		snprintf(path, sizeof(path), "%s/%s", tdir, names[i]);
		text = file_slurp(path, NULL);
		ids = template_msgids(text ? text : "");
		for (j = 0; ids[j]; j++) {
			size_t len = 0;
			const char *tr = lv_i18n_find(fr, ids[j],
						      strlen(ids[j]), &len);

			total++;
			po_quoted(ids[j], &q);
			if (strstr(pot, lv_buf_str(&q)) == NULL) {
				fprintf(stderr, "%s: \"%s\" is not in "
					"po/livery.pot (run scripts/po-extract "
					"--merge)\n", names[i], ids[j]);
				CHECK(0);
			}
			if (tr == NULL) {
				fprintf(stderr, "%s: \"%s\" has no French "
					"translation in po/fr.po\n", names[i],
					ids[j]);
				CHECK(tr != NULL);
				continue;
			}
			mustache_tags(ids[j], &t1);
			mustache_tags(tr, &t2);
			if (strcmp(lv_buf_str(&t1), lv_buf_str(&t2)) != 0) {
				fprintf(stderr, "%s: \"%s\": the translation "
					"has other tags: %s vs %s\n", names[i],
					ids[j], lv_buf_str(&t1),
					lv_buf_str(&t2));
				CHECK(0);
			}
		}
		names_free(ids);
		lv_free(text);
	}
	names_free(names);
	CHECK(total > 40);

	/* the .pot (--no-wrap: one line per msgid) against the catalog */
	for (p = strstr(pot, "\nmsgid \""); p; p = strstr(p + 1, "\nmsgid \"")) {
		const char *s = p + 8, *e;
		struct lv_buf id;

		lv_buf_init(&id, 65536);
		for (e = s; *e && *e != '\n'; e++) {
			if (*e == '\\' && e[1] == 'n') {
				lv_buf_append_char(&id, '\n');
				e++;
			} else if (*e == '\\' && e[1]) {
				lv_buf_append_char(&id, e[1]);
				e++;
			} else {
				lv_buf_append_char(&id, *e);
			}
		}
		if (id.len && lv_buf_str(&id)[id.len - 1] == '"')
			id.data[--id.len] = '\0';
		if (id.len && lv_i18n_find(fr, id.data, id.len, NULL) == NULL) {
			fprintf(stderr, "po/livery.pot: \"%s\" has no French "
				"translation\n", lv_buf_str(&id));
			CHECK(0);
		}
		lv_buf_cleanup(&id);
	}
	lv_buf_cleanup(&q);
	lv_buf_cleanup(&t1);
	lv_buf_cleanup(&t2);
	lv_free(pot);
}

static void test_escaping_and_fallbacks(void)
{
	json_t *data;
	struct lv_buf out;
	char path[1200];
	const char *html;

	if (!theme_ready())
		return;
	snprintf(path, sizeof(path),
		 "%s/tests/unit/fixtures/pages/catalog-search.json", src_dir);
	data = json_load_file(path, 0, NULL);
	CHECK(data != NULL);
	if (data == NULL)
		return;
	lv_buf_init(&out, OUT_MAX);
	CHECK_INT(theme_render(theme, "fr", "catalog", data, &out), LV_OK);
	html = lv_buf_str(&out);
	CHECK(strstr(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") !=
	      NULL);
	CHECK(strstr(html, "Aucun produit trouvé") != NULL);
	/* an unknown language renders in English */
	lv_buf_reset(&out);
	CHECK_INT(theme_render(theme, "xx", "catalog", data, &out), LV_OK);
	CHECK(strstr(lv_buf_str(&out), "No products found") != NULL);
	lv_buf_reset(&out);
	CHECK_INT(theme_render(theme, NULL, "catalog", data, &out), LV_OK);
	CHECK(strstr(lv_buf_str(&out), "No products found") != NULL);
	lv_buf_reset(&out);
	CHECK_INT(theme_render(theme, "en", "no-such-page", data, &out),
		  LV_ENOTFOUND);
	/* a bounded output buffer reports the overflow */
	lv_buf_cleanup(&out);
	lv_buf_init(&out, 100);
	CHECK_INT(theme_render(theme, "en", "catalog", data, &out), LV_ETOOBIG);
	lv_buf_cleanup(&out);
	json_decref(data);
}

struct render_job {
	json_t *data;
	const char *want;
	int failures;
};

static void *render_thread(void *arg)
{
	struct render_job *job = arg;
	int i;

	for (i = 0; i < 40; i++) {
		struct lv_buf out;

		lv_buf_init(&out, OUT_MAX);
		if (theme_render(theme, "fr", "product",
				 job->data, &out) != LV_OK ||
		    strcmp(lv_buf_str(&out), job->want) != 0)
			job->failures++;
		lv_buf_cleanup(&out);
	}
	return NULL;
}

/* One theme, many threads at once, identical output. */
static void test_concurrent_render(void)
{
	struct render_job jobs[4];
	pthread_t th[4];
	struct lv_buf ref;
	char path[1200];
	json_t *data;
	int i;

	if (!theme_ready())
		return;
	snprintf(path, sizeof(path),
		 "%s/tests/unit/fixtures/pages/product.json", src_dir);
	data = json_load_file(path, 0, NULL);
	CHECK(data != NULL);
	if (data == NULL)
		return;
	lv_buf_init(&ref, OUT_MAX);
	CHECK_INT(theme_render(theme, "fr", "product", data, &ref), LV_OK);
	for (i = 0; i < 4; i++) {
		jobs[i].data = data;
		jobs[i].want = lv_buf_str(&ref);
		jobs[i].failures = 0;
		CHECK_INT(pthread_create(&th[i], NULL, render_thread, &jobs[i]),
			  0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK_INT(jobs[i].failures, 0);
	}
	lv_buf_cleanup(&ref);
	json_decref(data);
}

/* A reload of the same files gives the same URLs (stable hashes). */
static void test_reload_stable(void)
{
	struct theme_params p = { themes_dir, "default", locale_dir, NULL, NULL, NULL };
	struct theme *again = NULL;
	char msg[512];

	if (!theme_ready())
		return;
	CHECK_INT(theme_load(&p, &again, msg, sizeof(msg)), LV_OK);
	if (again) {
		CHECK_STR(theme_asset_get(again, NULL, "style.css")->url,
			  theme_asset_get(theme, NULL, "style.css")->url);
		CHECK_STR(theme_asset_get(again, NULL, "brand.css")->url,
			  theme_asset_get(theme, NULL, "brand.css")->url);
	}
	theme_free(again);
	again = NULL;
	p.primary = "#00aa55";
	CHECK_INT(theme_load(&p, &again, msg, sizeof(msg)), LV_OK);
	if (again)
		CHECK(strcmp(theme_asset_get(again, NULL, "brand.css")->url,
			     theme_asset_get(theme, NULL, "brand.css")->url) !=
		      0);
	theme_free(again);
	theme_free(NULL);
}

/* Builds tmpdir/themes/<name>/templates with the given files. */
static void scratch_theme(const char *name, const char *const *files)
{
	char path[1200];
	size_t i;

	snprintf(path, sizeof(path), "%s/themes/%s/templates", tmpdir, name);
	mkdirs(path);
	for (i = 0; files[i]; i += 2) {
		snprintf(path, sizeof(path), "%s/themes/%s/templates/%s",
			 tmpdir, name, files[i]);
		CHECK_INT(file_write(path, files[i + 1], strlen(files[i + 1])),
			  0);
	}
}

static void test_load_errors(void)
{
	static const char *const missing_partial[] = {
		"layout.mustache", "<html>{{$content}}{{/content}}</html>",
		"page.mustache", "{{<layout}}\n{{$content}}\n\n{{> nope }}\n"
				 "{{/content}}{{/layout}}",
		NULL };
	static const char *const missing_parent[] = {
		"page.mustache", "{{<frame}}{{/frame}}", NULL };
	static const char *const bad_syntax[] = {
		"layout.mustache", "<p>\n{{#open}}\nnever closed\n", NULL };
	static const char *const bad_xlate[] = {
		"layout.mustache", "<p>{{#t}}Hello {{#x}}{{/t}}</p>", NULL };
	static const char *const good[] = {
		"layout.mustache", "<p>{{#t}}Sign out{{/t}} {{$b}}{{/b}}</p>",
		"page.mustache", "{{<layout}}{{$b}}{{> part}}{{/b}}{{/layout}}",
		"part.mustache", "[{{x}}]", "notes.txt", "ignored", NULL };
	struct theme_params p = { NULL, NULL, locale_dir, NULL, NULL, NULL };
	struct theme *t = NULL;
	struct lv_buf out;
	char dir[600], msg[512], sdir[1200];
	json_t *data;

	snprintf(dir, sizeof(dir), "%s/themes", tmpdir);
	p.themes_dir = dir;

	scratch_theme("partial", missing_partial);
	p.theme = "partial";
	msg[0] = '\0';
	CHECK_INT(theme_load(&p, &t, msg, sizeof(msg)), LV_ENOTFOUND);
	CHECK(t == NULL);
	CHECK(strstr(msg, "page.mustache") != NULL);
	CHECK(strstr(msg, "line 4") != NULL);
	CHECK(strstr(msg, "'nope'") != NULL);

	scratch_theme("parent", missing_parent);
	p.theme = "parent";
	CHECK_INT(theme_load(&p, &t, msg, sizeof(msg)), LV_ENOTFOUND);
	CHECK(strstr(msg, "'frame'") != NULL);

	scratch_theme("syntax", bad_syntax);
	p.theme = "syntax";
	msg[0] = '\0';
	CHECK_INT(theme_load(&p, &t, msg, sizeof(msg)), LV_EINVAL);
	CHECK(strstr(msg, "layout.mustache") != NULL);
	CHECK(strstr(msg, "line") != NULL);

	scratch_theme("xlate", bad_xlate);
	p.theme = "xlate";
	CHECK(theme_load(&p, &t, msg, sizeof(msg)) != LV_OK);
	CHECK(strstr(msg, "layout.mustache") != NULL);

	p.theme = "absent";
	CHECK_INT(theme_load(&p, &t, msg, sizeof(msg)), LV_ENOTFOUND);
	CHECK(strstr(msg, "absent") != NULL);
	p.theme = "../etc";
	CHECK_INT(theme_load(&p, &t, msg, sizeof(msg)), LV_EINVAL);

	/* a minimal theme: no static folder, a bad colour, then fine */
	scratch_theme("good", good);
	p.theme = "good";
	p.accent = "#abc";
	CHECK_INT(theme_load(&p, &t, msg, sizeof(msg)), LV_EINVAL);
	CHECK(strstr(msg, "accent") != NULL);
	p.accent = NULL;
	CHECK_INT(theme_load(&p, &t, msg, sizeof(msg)), LV_OK);
	if (t == NULL)
		return;
	CHECK(theme_asset_get(t, NULL, "brand.css") != NULL);
	CHECK_INT(theme_asset_count(t), 1);
	data = json_pack("{s:s}", "x", "<b>");
	lv_buf_init(&out, 4096);
	CHECK_INT(theme_render(t, "fr", "page", data, &out), LV_OK);
	CHECK_STR(lv_buf_str(&out), "<p>Déconnexion [&lt;b&gt;]</p>");
	lv_buf_reset(&out);
	CHECK_INT(theme_render(t, "en", "page", data, &out), LV_OK);
	CHECK_STR(lv_buf_str(&out), "<p>Sign out [&lt;b&gt;]</p>");
	lv_buf_cleanup(&out);
	json_decref(data);
	theme_free(t);
	t = NULL;

	/* static files with names that cannot be URLs are refused */
	snprintf(sdir, sizeof(sdir), "%s/themes/good/static/img", tmpdir);
	mkdirs(sdir);
	snprintf(sdir, sizeof(sdir), "%s/themes/good/static/img/a b.png",
		 tmpdir);
	CHECK_INT(file_write(sdir, "x", 1), 0);
	CHECK_INT(theme_load(&p, &t, msg, sizeof(msg)), LV_EINVAL);
	CHECK(strstr(msg, "a b.png") != NULL);
	unlink(sdir);
	snprintf(sdir, sizeof(sdir), "%s/themes/good/static/img/a.png", tmpdir);
	CHECK_INT(file_write(sdir, "x", 1), 0);
	CHECK_INT(theme_load(&p, &t, msg, sizeof(msg)), LV_OK);
	if (t) {
		const struct theme_asset *a = theme_asset_get(t, NULL,
							      "img/a.png");

		CHECK(a != NULL);
		CHECK(a && strcmp(a->content_type, "image/png") == 0);
		data = theme_asset_urls(t);
		CHECK(json_object_get(data, "img_a_png") != NULL);
		json_decref(data);
	}
	theme_free(t);
}

/* The configured logo replaces the theme's mark; a scripted SVG is refused. */
static void test_company_logo(void)
{
	struct theme_params p = { themes_dir, "default", locale_dir, NULL, NULL, NULL };
	struct theme *t = NULL;
	char good[1200], bad[1200], msg[512] = "";
	json_t *urls;
	FILE *f;

	snprintf(good, sizeof(good), "%s/logo-good.svg", tmpdir);
	snprintf(bad, sizeof(bad), "%s/logo-bad.svg", tmpdir);
	f = fopen(good, "w");
	fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">"
	      "<rect width=\"10\" height=\"10\" fill=\"#123456\"/></svg>", f);
	fclose(f);
	f = fopen(bad, "w");
	fputs("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", f);
	fclose(f);
	p.logo = good;
	CHECK_INT(theme_load(&p, &t, msg, sizeof(msg)), LV_OK);
	urls = theme_asset_urls(t);
	CHECK(strstr(json_string_value(json_object_get(urls, "mark")), "/company-logo.svg") != NULL);
	CHECK(strstr(json_string_value(json_object_get(urls, "logo")), "/company-logo.svg") != NULL);
	json_decref(urls);
	theme_free(t);
	t = NULL;
	p.logo = bad;
	CHECK(theme_load(&p, &t, msg, sizeof(msg)) != LV_OK);
	CHECK(strstr(msg, "store.logo") != NULL);
	CHECK(t == NULL);
}

int main(void)
{
	const char *build = getenv("LV_BUILD_DIR");
	char probe[1200], cmd[400];
	struct stat st;

	src_dir = getenv("LV_SOURCE_DIR");
	if (src_dir == NULL || build == NULL) {
		lv_test_skip("LV_SOURCE_DIR/LV_BUILD_DIR not set (run through "
			     "ctest)");
		return lv_test_done();
	}
	snprintf(themes_dir, sizeof(themes_dir), "%s/themes", src_dir);
	snprintf(locale_dir, sizeof(locale_dir), "%s/locale", build);
	snprintf(probe, sizeof(probe), "%s/fr/LC_MESSAGES/livery.mo",
		 locale_dir);
	if (stat(probe, &st) != 0) {
		fprintf(stderr, "%s is missing: build the livery_locales "
			"target (msgfmt, Debian package gettext)\n", probe);
		CHECK(0);
		return lv_test_done();
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s/lv_theme_XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}

	LV_RUN(test_load_default);
	LV_RUN(test_company_logo);
	LV_RUN(test_assets);
	LV_RUN(test_brand_css);
	LV_RUN(test_render_fixtures);
	LV_RUN(test_every_page_has_a_fixture);
	LV_RUN(test_every_string_translated);
	LV_RUN(test_escaping_and_fallbacks);
	LV_RUN(test_concurrent_render);
	LV_RUN(test_reload_stable);
	LV_RUN(test_load_errors);

	theme_free(theme);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return lv_test_done();
}
