/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * theme.h - the storefront's look: templates per language and static files.
 *
 * A theme is a folder <themes_dir>/<name>/ with templates/NAME.mustache (pages
 * and partials, Mustache with {{<layout}} inheritance) and static/ (CSS,
 * SVG, images, fonts). theme_load() reads it all once: every template is
 * parsed once per available language - English, the source language, plus
 * every <locale_dir>/<lang>/LC_MESSAGES/livery.mo found - with the
 * {{#t}}...{{/t}} sections replaced by that language's translation at parse
 * time, so rendering does no lookups. Static files are held in memory with
 * their content type and a content hash, and served at
 * /static/<hash8>/<name> so browsers may cache them forever; a change of
 * content changes the URL. brand.css, the company colours as CSS custom
 * properties, is generated from the configuration and served the same way
 * (the Content-Security-Policy allows no inline styles).
 *
 * A loaded theme is immutable: threads render from it concurrently without
 * locks. A reload (SIGHUP) loads a new theme and swaps the pointer; the old
 * one is freed once no request uses it: each request holds a reference
 * (theme_ref/theme_unref; app_theme_get() in app.h takes it).
 */
#ifndef LV_THEME_H
#define LV_THEME_H

#include <jansson.h>
#include <stddef.h>

#include "lv_buf.h"
#include "lv_i18n.h"

struct theme;

struct theme_params {
	const char *themes_dir; /* e.g. /usr/share/livery/themes */
	const char *theme;      /* folder name, e.g. "default" */
	const char *locale_dir; /* may be NULL: English only */
	const char *primary;    /* "#rrggbb"; NULL for the default */
	const char *accent;     /* "#rrggbb"; NULL for the default */
	const char *logo;       /* the company's logo (SVG, PNG, JPEG, WebP file);
				   NULL: the theme's own mark.svg */
};

/* One static file, owned by the theme. */
struct theme_asset {
	const char *name;         /* path under static/, e.g. "img/x.svg" */
	const unsigned char *data;
	size_t len;
	const char *content_type; /* e.g. "text/css; charset=utf-8" */
	const char *hash;         /* 8 hex digits: the URL segment */
	const char *etag;         /* quoted strong ETag, e.g. "\"ab12...\"" */
	const char *url;          /* "/static/<hash>/<name>" */
};

/* Limits of what a theme may hold. */
#define THEME_MAX_TEMPLATE (1024u * 1024)
#define THEME_MAX_ASSET (8u * 1024 * 1024)
#define THEME_MAX_LOGO (1024u * 1024)
#define THEME_MAX_ASSETS_TOTAL (64u * 1024 * 1024)
#define THEME_MAX_FILES 1000
#define THEME_MAX_LANGS 64

/*
 * Loads the theme p->theme from p->themes_dir. OUT: *out, a new immutable
 * theme (free with theme_free); NULL on error. Returns LV_OK, or
 * LV_ENOTFOUND (no such theme, or a page references a partial or parent
 * that does not exist), LV_EINVAL (a template does not parse, a colour is
 * not #rrggbb, a catalog is not a valid .mo), LV_ETOOBIG (a file exceeds
 * the limits above); msg then names the file (and line) and says why.
 * A missing locale_dir is not an error: the theme is English only.
 */
int theme_load(const struct theme_params *p, struct theme **out, char *msg,
	       size_t msglen);

/* Frees the theme with its templates, catalogs and files. Accepts NULL. */
void theme_free(struct theme *t);

/*
 * A loaded theme starts with one reference, its loader's. theme_ref takes
 * another (for a request that renders from it while a reload may replace
 * it) and returns t; theme_unref drops one, and the last one frees the
 * theme (theme_free). Both are thread-safe and accept NULL.
 */
struct theme *theme_ref(struct theme *t);
void theme_unref(struct theme *t);

/*
 * The language codes the theme can render, "en" first then alphabetical.
 * OUT: *n, how many. The array (also NULL-terminated) is owned by t.
 */
const char *const *theme_languages(const struct theme *t, size_t *n);

/* Whether lang is one of theme_languages(). */
int theme_has_language(const struct theme *t, const char *lang);

/*
 * The language's own name for itself ("English", "Français"), for the
 * language switcher; the code itself for a language Livery does not know.
 * A static string.
 */
const char *theme_language_name(const char *lang);

/*
 * The catalog of lang (owned by t), for strings that do not come from
 * templates (sso reasons, C messages); NULL for English or an unknown
 * language, which lv_i18n_get() treats as "no translation".
 */
const struct lv_i18n_catalog *theme_catalog(const struct theme *t,
					    const char *lang);

/*
 * Renders the page template named page (e.g. "catalog", the file name
 * without .mustache) in lang (English when lang is NULL or not available)
 * with data (not stolen), appending to out. Returns LV_OK, LV_ENOTFOUND
 * when the theme has no such template, LV_ETOOBIG when out's maximum is
 * reached, or the renderer's error.
 */
int theme_render(const struct theme *t, const char *lang, const char *page,
		 json_t *data, struct lv_buf *out);

/* Whether the theme has a template named name. */
int theme_has_page(const struct theme *t, const char *name);

/*
 * The static file name (a path under static/) whose hash is hash; NULL
 * when there is none or the hash differs (an old URL after a reload). With
 * hash NULL, the file by name alone. Owned by t.
 */
const struct theme_asset *theme_asset_get(const struct theme *t,
					  const char *hash, const char *name);

/* The idx-th static file (0 <= idx < theme_asset_count), for listings. */
size_t theme_asset_count(const struct theme *t);
const struct theme_asset *theme_asset_at(const struct theme *t, size_t idx);

/*
 * The URLs of the static files for the layout's "assets" object: "css"
 * (style.css), "brand_css", "logo" (logo.svg: mark and wordmark), "mark"
 * (mark.svg: the mark alone), "favicon", "placeholder" (the picture shown
 * for a product without one), plus one key per file, its path with every
 * character other than a letter or digit turned into '_' ("img/x.svg" ->
 * "img_x_svg"). Returns a new reference (the caller decrefs).
 */
json_t *theme_asset_urls(const struct theme *t);

/*
 * The content of brand.css for the two colours ("#rrggbb", NULL for the
 * defaults) into out. Returns LV_OK, or LV_EINVAL with msg when a colour is
 * not of the form #rrggbb.
 */
int theme_brand_css(const char *primary, const char *accent,
		    struct lv_buf *out, char *msg, size_t msglen);

#endif
