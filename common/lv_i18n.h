/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lv_i18n.h - gettext message catalogs without the C library's locale
 * machinery.
 *
 * Livery serves every employee in their own language from one process, so
 * it cannot use setlocale()/gettext(3): those are per process, not per
 * request, and need the system locales installed. Instead each language's
 * compiled GNU .mo file (po/<lang>.po run through msgfmt) is read once into
 * an immutable catalog that any number of threads may query at once.
 *
 * The reader is a parser of a file on disk and treats it as hostile: both
 * byte orders, every offset and length checked against the file size, every
 * string NUL-terminated inside the file, a bounded file size. It builds its
 * own hash table (the one msgfmt writes is not trusted), so a lookup is one
 * hash and a compare, with no allocation.
 *
 * Lookups never fail: a missing catalog (NULL, e.g. for English, the source
 * language), a missing or empty translation, all give back the English text.
 * Plural forms follow the catalog's "Plural-Forms:" header, whose C-like
 * expression is compiled at load time; a header that cannot be understood
 * falls back to the English rule (n != 1) instead of refusing the catalog.
 */
#ifndef LV_I18N_H
#define LV_I18N_H

#include <stddef.h>

struct lv_i18n_catalog;

/*
 * Marks a string literal for extraction by scripts/po-extract (xgettext
 * keyword N_) without translating it: the code that shows it to a person
 * passes it through lv_i18n_get() with that person's catalog.
 */
#define N_(s) (s)

/* The largest .mo file lv_i18n_catalog_load() accepts. */
#define LV_I18N_MAX_FILE (16u * 1024 * 1024)

/*
 * Reads the .mo file at path. OUT: *out, the catalog (free with
 * lv_i18n_catalog_free); NULL on error. Returns LV_OK, LV_ENOTFOUND when the
 * file cannot be opened, LV_ETOOBIG when it exceeds LV_I18N_MAX_FILE, or
 * LV_EINVAL when it is not a well-formed .mo file; msg (may be NULL) then
 * says why, naming the file.
 */
int lv_i18n_catalog_load(const char *path, struct lv_i18n_catalog **out,
			 char *msg, size_t msglen);

/*
 * The same for .mo contents already in memory (len bytes at data, copied:
 * the caller keeps data). For the fuzzer and for embedded catalogs.
 */
int lv_i18n_catalog_parse(const void *data, size_t len,
			  struct lv_i18n_catalog **out, char *msg,
			  size_t msglen);

/* Frees cat and every string it handed out. Accepts NULL. */
void lv_i18n_catalog_free(struct lv_i18n_catalog *cat);

/*
 * The translation of msgid, or msgid itself when cat is NULL or has no
 * (or an empty) translation. The result is owned by cat (or is msgid) and
 * lives as long as both.
 */
const char *lv_i18n_get(const struct lv_i18n_catalog *cat, const char *msgid);

/* The same for a message with a context (msgctxt in the .po file). */
const char *lv_i18n_pget(const struct lv_i18n_catalog *cat, const char *ctx,
			 const char *msgid);

/*
 * The translation of the plural message (msgid, msgid_plural) for the count
 * n, chosen by the catalog's plural rule; without a translation, msgid when
 * n == 1 and msgid_plural otherwise (the English rule).
 */
const char *lv_i18n_nget(const struct lv_i18n_catalog *cat, const char *msgid,
			 const char *msgid_plural, unsigned long n);

/*
 * Looks up the msgid given as len bytes (not NUL-terminated: a slice of a
 * template). Returns the translation (owned by cat, NUL-terminated) and
 * OUT: *outlen, its length; or NULL when cat is NULL or has no non-empty
 * translation for it. For plural entries this is the first form.
 */
const char *lv_i18n_find(const struct lv_i18n_catalog *cat, const char *msgid,
			 size_t len, size_t *outlen);

/* How many messages the catalog holds (the header entry included). */
size_t lv_i18n_catalog_count(const struct lv_i18n_catalog *cat);

/*
 * The value of a field of the catalog's header entry (e.g. "Language"), as
 * a NUL-terminated copy owned by cat; NULL when absent.
 */
const char *lv_i18n_catalog_header(const struct lv_i18n_catalog *cat,
				   const char *field);

#endif
