/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lv_tpl.h - Mustache templates over jansson values.
 *
 * A template is parsed once (at start-up, once per language) into an
 * immutable tree and rendered many times, from any number of threads at
 * once: rendering reads the tree and the data and writes only to the
 * caller's buffer. The language is the Mustache specification's required
 * modules (interpolation, sections, inverted sections, comments, partials,
 * set delimiters) plus its optional inheritance module (parents {{<name}}
 * and blocks {{$name}}). Lambdas and dynamic names are not supported.
 *
 * {{x}} is HTML-escaped (& < > " ' and ` become entities); {{{x}}} and
 * {{&x}} are raw and must only be used for values the store built itself.
 * Values render as: strings as they are, integers in decimal, reals in the
 * shortest form that reads back the same (1.5, 85), true and false as
 * words, null, objects, arrays and missing names as nothing. A section is
 * skipped for a missing name, null, false, "", 0 and an empty array.
 *
 * Hostile templates and data are bounded: sections nest at most
 * LV_TPL_MAX_NESTING deep in a template, partials and parents at most
 * LV_TPL_MAX_PARTIALS deep when rendering, and one render does at most
 * LV_TPL_MAX_STEPS steps; the output is bounded by the caller's lv_buf.
 */
#ifndef LV_TPL_H
#define LV_TPL_H

#include <jansson.h>
#include <stddef.h>

#include "lv_buf.h"

/* Sections, inverted sections, parents and blocks open at once. */
#define LV_TPL_MAX_NESTING 100
/* Partials, parents and overridden blocks being rendered inside each other. */
#define LV_TPL_MAX_PARTIALS 64
/* Nodes and list items one render may visit (a template/data "zip bomb"). */
#define LV_TPL_MAX_STEPS 4000000UL

struct lv_tpl;     /* a parsed template (immutable, shareable across threads) */
struct lv_tpl_set; /* named templates: {{>partial}}, {{<parent}} */

/*
 * Translation hook, called at parse time for every section whose name is
 * opts->xlate_section (e.g. "t"). text/len is the section's inner source
 * exactly as written between the two tags (unrendered: the msgid that
 * scripts/po-extract collects). The hook appends the replacement source to
 * out and returns LV_OK, or an LV_E* code that makes the parse fail with it.
 * The replacement is parsed with the default {{ }} delimiters (and without
 * calling the hook again) in place of the whole section, and is rendered
 * against the surrounding context as if it had been written inline:
 * {{#t}}Hello, {{name}}!{{/t}} becomes Bonjour, {{name}} !
 * When a section tag stands alone on its line, the replacement loses what
 * that line contributed (whitespace and the first line end after an
 * opening tag, whitespace after the last line end before a closing tag),
 * so a translation laid out like its msgid renders like the section would.
 */
typedef int (*lv_tpl_xlate_fn)(void *arg, const char *text, size_t len,
			       struct lv_buf *out);

struct lv_tpl_opts {
	const char *xlate_section; /* NULL: no translation hook */
	lv_tpl_xlate_fn xlate;
	void *xlate_arg;
};

/*
 * Parses the template src (len bytes, need not be NUL-terminated; copied).
 * opts may be NULL. OUT: *out, the template (free with lv_tpl_free), NULL
 * on error. Returns LV_OK; LV_EINVAL for a syntax error or a nesting deeper
 * than LV_TPL_MAX_NESTING, with err (size errlen, may be NULL) saying where,
 * e.g. "line 3: unclosed section 'x'"; or the translation hook's code.
 */
int lv_tpl_parse(const char *src, size_t len, const struct lv_tpl_opts *opts,
		 struct lv_tpl **out, char *err, size_t errlen);

/* Frees t. Accepts NULL. */
void lv_tpl_free(struct lv_tpl *t);

/* A new, empty set (free with lv_tpl_set_free). Never NULL. */
struct lv_tpl_set *lv_tpl_set_new(void);

/* Frees s and every template in it. Accepts NULL. */
void lv_tpl_set_free(struct lv_tpl_set *s);

/*
 * Adds t to s under name (copied), replacing (and freeing) a template of
 * the same name. Takes ownership of t in every case: on error t is freed.
 * Returns LV_OK, or LV_EINVAL for a NULL or empty name or a NULL t.
 */
int lv_tpl_set_add(struct lv_tpl_set *s, const char *name, struct lv_tpl *t);

/*
 * Parses src (as lv_tpl_parse) and adds the result to s under name.
 * Returns what lv_tpl_parse or lv_tpl_set_add returns; err as lv_tpl_parse.
 */
int lv_tpl_set_parse(struct lv_tpl_set *s, const char *name, const char *src,
		     size_t len, const struct lv_tpl_opts *opts, char *err,
		     size_t errlen);

/* The template called name in s, or NULL. Owned by s. s may be NULL. */
const struct lv_tpl *lv_tpl_set_get(const struct lv_tpl_set *s,
				    const char *name);

/* The number of templates in s. */
size_t lv_tpl_set_count(const struct lv_tpl_set *s);

/*
 * Renders t with data (a jansson value, not stolen; may be NULL for no
 * data) and appends the result to out, whose maximum bounds the output.
 * partials may be NULL. Returns LV_OK; LV_ETOOBIG when out's maximum or
 * LV_TPL_MAX_STEPS is reached; LV_EINVAL for a missing parent template or
 * partials, parents or blocks nested deeper than LV_TPL_MAX_PARTIALS.
 * Missing partials render as nothing (the specification's rule). On error
 * out is left as it was before the call.
 */
int lv_tpl_render(const struct lv_tpl *t, json_t *data,
		  const struct lv_tpl_set *partials, struct lv_buf *out);

#endif
