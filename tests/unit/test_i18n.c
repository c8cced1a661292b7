/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_i18n.c - the .mo catalog reader (common/lv_i18n.c).
 *
 * Catalogs come from three places: .po files written here and compiled
 * with msgfmt in both byte orders (skipped when msgfmt is absent), .mo
 * images built byte by byte in this file (so the hostile cases need no
 * tool), and the build's own French catalog (LV_BUILD_DIR/locale). Every
 * corruption must be refused with LV_EINVAL and a message, never read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lv_buf.h"
#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_mem.h"
#include "lv_test.h"

static char tmpdir[256];
static int have_msgfmt;

/* ------------------------------------------------------------------ */
/* Building .mo images by hand.                                       */

struct pair {
	const char *id;
	size_t idlen; /* 0: strlen(id) */
	const char *str;
	size_t strlen_; /* 0: strlen(str) */
};

static void put32(unsigned char *p, uint32_t v, int big)
{
	if (big) {
		p[0] = (unsigned char)(v >> 24);
		p[1] = (unsigned char)(v >> 16);
		p[2] = (unsigned char)(v >> 8);
		p[3] = (unsigned char)v;
	} else {
		p[0] = (unsigned char)v;
		p[1] = (unsigned char)(v >> 8);
		p[2] = (unsigned char)(v >> 16);
		p[3] = (unsigned char)(v >> 24);
	}
}

/* A .mo image of the pairs (no hash table) in the given byte order. */
static unsigned char *mo_build(const struct pair *pairs, size_t n, int big,
			       size_t *len)
{
	size_t i, size = 28 + 16 * n, at;
	unsigned char *m;

	for (i = 0; i < n; i++) {
		size += (pairs[i].idlen ? pairs[i].idlen : strlen(pairs[i].id)) + 1;
		size += (pairs[i].strlen_ ? pairs[i].strlen_ :
					    strlen(pairs[i].str)) + 1;
	}
	m = lv_calloc(1, size);
	put32(m, 0x950412de, big);
	put32(m + 4, 0, big);
	put32(m + 8, (uint32_t)n, big);
	put32(m + 12, 28, big);
	put32(m + 16, (uint32_t)(28 + 8 * n), big);
	at = 28 + 16 * n;
	for (i = 0; i < n; i++) {
		size_t il = pairs[i].idlen ? pairs[i].idlen : strlen(pairs[i].id);

		put32(m + 28 + 8 * i, (uint32_t)il, big);
		put32(m + 32 + 8 * i, (uint32_t)at, big);
		memcpy(m + at, pairs[i].id, il);
		at += il + 1;
	}
	for (i = 0; i < n; i++) {
		size_t sl = pairs[i].strlen_ ? pairs[i].strlen_ :
					       strlen(pairs[i].str);

		put32(m + 28 + 8 * n + 8 * i, (uint32_t)sl, big);
		put32(m + 32 + 8 * n + 8 * i, (uint32_t)at, big);
		memcpy(m + at, pairs[i].str, sl);
		at += sl + 1;
	}
	*len = size;
	return m;
}

static const struct pair sample[] = {
	{ "", 0, "Language: fr\nPlural-Forms: nplurals=2; plural=(n > 1);\n"
		 "Content-Type: text/plain; charset=UTF-8\n", 0 },
	{ "Sign out", 0, "Déconnexion", 0 },
	{ "menu\004Open", 0, "Ouvrir", 0 },
	{ "%d item\0%d items", 16, "%d article\0%d articles", 22 },
	{ "Untranslated", 0, "", 0 },
};

static void test_handmade_both_orders(void)
{
	int big;

	for (big = 0; big <= 1; big++) {
		struct lv_i18n_catalog *cat = NULL;
		char msg[200] = "";
		unsigned char *m;
		size_t len, tlen = 0;
		const char *s;
		int rc;

		m = mo_build(sample, 5, big, &len);
		rc = lv_i18n_catalog_parse(m, len, &cat, msg, sizeof(msg));
		CHECK_INT(rc, LV_OK);
		CHECK(cat != NULL);
		CHECK_STR(lv_i18n_get(cat, "Sign out"), "Déconnexion");
		CHECK_STR(lv_i18n_pget(cat, "menu", "Open"), "Ouvrir");
		/* without its context the message is not found */
		CHECK_STR(lv_i18n_get(cat, "Open"), "Open");
		CHECK_STR(lv_i18n_pget(cat, "other", "Open"), "Open");
		CHECK_STR(lv_i18n_nget(cat, "%d item", "%d items", 0),
			  "%d article");
		CHECK_STR(lv_i18n_nget(cat, "%d item", "%d items", 1),
			  "%d article");
		CHECK_STR(lv_i18n_nget(cat, "%d item", "%d items", 2),
			  "%d articles");
		/* an empty translation counts as none */
		CHECK_STR(lv_i18n_get(cat, "Untranslated"), "Untranslated");
		s = lv_i18n_find(cat, "Sign outXXX", 8, &tlen);
		CHECK(s != NULL);
		CHECK_INT(tlen, strlen("Déconnexion"));
		CHECK(lv_i18n_find(cat, "Sign", 4, &tlen) == NULL);
		CHECK(lv_i18n_find(cat, "", 0, &tlen) == NULL);
		CHECK_STR(lv_i18n_catalog_header(cat, "language"), "fr");
		CHECK(lv_i18n_catalog_header(cat, "X-Nothing") == NULL);
		CHECK_INT(lv_i18n_catalog_count(cat), 5);
		lv_i18n_catalog_free(cat);
		lv_free(m);
	}
}

static void test_null_catalog(void)
{
	const char *id = "Hello";

	CHECK(lv_i18n_get(NULL, id) == id);
	CHECK_STR(lv_i18n_pget(NULL, "ctx", "Hello"), "Hello");
	CHECK_STR(lv_i18n_nget(NULL, "one", "many", 1), "one");
	CHECK_STR(lv_i18n_nget(NULL, "one", "many", 0), "many");
	CHECK_STR(lv_i18n_nget(NULL, "one", "many", 7), "many");
	CHECK(lv_i18n_find(NULL, "Hello", 5, NULL) == NULL);
	CHECK_INT(lv_i18n_catalog_count(NULL), 0);
	lv_i18n_catalog_free(NULL);
}

/* Missing ids come back as the very pointer passed in (no copy). */
static void test_missing_returns_msgid(void)
{
	struct lv_i18n_catalog *cat = NULL;
	unsigned char *m;
	size_t len;
	const char *id = "Not in the catalog";

	m = mo_build(sample, 5, 0, &len);
	CHECK_INT(lv_i18n_catalog_parse(m, len, &cat, NULL, 0), LV_OK);
	CHECK(lv_i18n_get(cat, id) == id);
	CHECK(lv_i18n_get(cat, "") != NULL);
	CHECK_STR(lv_i18n_get(cat, ""), "");
	CHECK_STR(lv_i18n_nget(cat, "", "x", 1), "");
	lv_i18n_catalog_free(cat);
	lv_free(m);
}

/* A catalog whose header is one plural rule, holding a 3-form message. */
static struct lv_i18n_catalog *plural_catalog(const char *rule)
{
	char header[300];
	struct pair p[2] = {
		{ "", 0, header, 0 },
		{ "file\0files", 10, "A\0B\0C", 5 },
	};
	struct lv_i18n_catalog *cat = NULL;
	unsigned char *m;
	size_t len;

	snprintf(header, sizeof(header), "Plural-Forms: %s\n", rule);
	m = mo_build(p, 2, 0, &len);
	if (lv_i18n_catalog_parse(m, len, &cat, NULL, 0) != LV_OK)
		cat = NULL;
	lv_free(m);
	return cat;
}

static void test_plural_rules(void)
{
	static const struct {
		unsigned long n;
		const char *want;
	} polish[] = {
		{ 0, "C" }, { 1, "A" }, { 2, "B" }, { 4, "B" }, { 5, "C" },
		{ 12, "C" }, { 22, "B" }, { 25, "C" }, { 112, "C" }, { 104, "B" },
	};
	struct lv_i18n_catalog *cat;
	size_t i;

	cat = plural_catalog("nplurals=3; plural=(n==1 ? 0 : n%10>=2 && "
			     "n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);");
	CHECK(cat != NULL);
	for (i = 0; i < sizeof(polish) / sizeof(polish[0]); i++)
		CHECK_STR(lv_i18n_nget(cat, "file", "files", polish[i].n),
			  polish[i].want);
	lv_i18n_catalog_free(cat);

	cat = plural_catalog("nplurals=2; plural=n != 1;");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 0), "B");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 1), "A");
	lv_i18n_catalog_free(cat);

	cat = plural_catalog("nplurals=1; plural=0;");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 5), "A");
	lv_i18n_catalog_free(cat);

	cat = plural_catalog("nplurals=3; plural=!(n>=2) ? 0 : n<=3 ? 1 : 2;");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 0), "A");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 3), "B");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 9), "C");
	lv_i18n_catalog_free(cat);

	/* rules it cannot use fall back to English: never a crash */
	cat = plural_catalog("nplurals=2; plural=n >;");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 1), "A");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 2), "B");
	lv_i18n_catalog_free(cat);
	cat = plural_catalog("nplurals=2; plural=n/0;");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 1), "file");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 3), "files");
	lv_i18n_catalog_free(cat);
	/* an index past the forms present gives the English text */
	cat = plural_catalog("nplurals=5; plural=n;");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 2), "C");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 3), "files");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 9), "files");
	lv_i18n_catalog_free(cat);
	cat = plural_catalog("nplurals=2; plural=((((((((((((((((((((((((((("
			     "((((n))))))))))))))))))))))))))))));");
	/* nested deeper than the compiler allows: the English rule */
	CHECK(cat != NULL);
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 1), "A");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 0), "B");
	lv_i18n_catalog_free(cat);
	/* a second Plural-Forms line (broken) does not spoil the first */
	cat = plural_catalog("nplurals=3; plural=n==1 ? 0 : n==2 ? 1 : 2;\n"
			     "Plural-Forms: nplurals=2; plural=n >");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 1), "A");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 2), "B");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 7), "C");
	lv_i18n_catalog_free(cat);
	cat = plural_catalog("nplurals=3; plural=((((n))));");
	CHECK_STR(lv_i18n_nget(cat, "file", "files", 1), "B");
	lv_i18n_catalog_free(cat);
}

/* Every truncation and a spread of corruptions: refused, never read. */
static void test_corrupt_refused(void)
{
	unsigned char *m, *bad;
	struct lv_i18n_catalog *cat;
	char msg[200];
	size_t len, i;
	int rc, ok = 1;

	m = mo_build(sample, 5, 0, &len);
	for (i = 0; i < len; i++) {
		cat = NULL;
		rc = lv_i18n_catalog_parse(m, i, &cat, msg, sizeof(msg));
		if (rc != LV_EINVAL || cat != NULL || msg[0] == '\0')
			ok = 0;
	}
	CHECK(ok);

	bad = lv_malloc(len);
	memcpy(bad, m, len);
	bad[0] ^= 0xff;
	msg[0] = '\0';
	CHECK_INT(lv_i18n_catalog_parse(bad, len, &cat, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK(strstr(msg, "magic") != NULL);

	/* a string offset past the end */
	memcpy(bad, m, len);
	put32(bad + 32, (uint32_t)len + 10, 0);
	CHECK_INT(lv_i18n_catalog_parse(bad, len, &cat, msg, sizeof(msg)),
		  LV_EINVAL);
	/* a length that runs past the end: no NUL where it should be */
	memcpy(bad, m, len);
	put32(bad + 28 + 8, 0xfffffff0u, 0);
	CHECK_INT(lv_i18n_catalog_parse(bad, len, &cat, msg, sizeof(msg)),
		  LV_EINVAL);
	/* a count of strings the tables cannot hold */
	memcpy(bad, m, len);
	put32(bad + 8, 0x20000000u, 0);
	CHECK_INT(lv_i18n_catalog_parse(bad, len, &cat, msg, sizeof(msg)),
		  LV_EINVAL);
	/* a table offset past the end */
	memcpy(bad, m, len);
	put32(bad + 16, 0xffffffffu, 0);
	CHECK_INT(lv_i18n_catalog_parse(bad, len, &cat, msg, sizeof(msg)),
		  LV_EINVAL);
	/* a string whose terminating NUL was overwritten */
	memcpy(bad, m, len);
	bad[len - 1] = 'x';
	CHECK_INT(lv_i18n_catalog_parse(bad, len, &cat, msg, sizeof(msg)),
		  LV_EINVAL);
	/* a future major revision */
	memcpy(bad, m, len);
	put32(bad + 4, 0x00020000u, 0);
	CHECK_INT(lv_i18n_catalog_parse(bad, len, &cat, msg, sizeof(msg)),
		  LV_EINVAL);
	/* every single-byte flip: anything but a crash (run under ASan) */
	for (i = 0; i < len; i++) {
		memcpy(bad, m, len);
		bad[i] ^= 0x41;
		cat = NULL;
		if (lv_i18n_catalog_parse(bad, len, &cat, NULL, 0) == LV_OK) {
			lv_i18n_get(cat, "Sign out");
			lv_i18n_nget(cat, "%d item", "%d items", 3);
		}
		lv_i18n_catalog_free(cat);
	}
	CHECK_INT(lv_i18n_catalog_parse(m, LV_I18N_MAX_FILE + 1u, &cat, NULL, 0),
		  LV_ETOOBIG);
	lv_free(bad);
	lv_free(m);
}

/* Duplicate msgids: the first wins; many entries: the table still finds all. */
static void test_many_and_duplicates(void)
{
	enum { N = 2000 };
	struct pair *p = lv_calloc(N + 1, sizeof(*p));
	char (*ids)[16] = lv_calloc(N, sizeof(*ids));
	char (*strs)[16] = lv_calloc(N, sizeof(*strs));
	struct lv_i18n_catalog *cat = NULL;
	unsigned char *m;
	size_t len, i;
	int ok = 1;

	for (i = 0; i < N; i++) {
		snprintf(ids[i], sizeof(ids[i]), "id-%zu", i);
		snprintf(strs[i], sizeof(strs[i]), "tr-%zu", i);
		p[i].id = ids[i];
		p[i].str = strs[i];
	}
	p[N].id = "id-7";
	p[N].str = "second";
	m = mo_build(p, N + 1, 1, &len);
	CHECK_INT(lv_i18n_catalog_parse(m, len, &cat, NULL, 0), LV_OK);
	for (i = 0; i < N; i++)
		if (strcmp(lv_i18n_get(cat, ids[i]), strs[i]) != 0)
			ok = 0;
	CHECK(ok);
	CHECK_STR(lv_i18n_get(cat, "id-7"), "tr-7");
	CHECK_STR(lv_i18n_get(cat, "id-2000"), "id-2000");
	lv_i18n_catalog_free(cat);
	lv_free(m);
	lv_free(p);
	lv_free(ids);
	lv_free(strs);
}

/* ------------------------------------------------------------------ */
/* Real msgfmt output.                                                */

static const char sample_po[] =
	"msgid \"\"\n"
	"msgstr \"\"\n"
	"\"Project-Id-Version: Livery test\\n\"\n"
	"\"PO-Revision-Date: 2024-01-01 00:00+0000\\n\"\n"
	"\"Last-Translator: Test <test@example.com>\\n\"\n"
	"\"Language-Team: French\\n\"\n"
	"\"MIME-Version: 1.0\\n\"\n"
	"\"Content-Transfer-Encoding: 8bit\\n\"\n"
	"\"Language: fr\\n\"\n"
	"\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
	"\"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"\n"
	"\n"
	"msgid \"Welcome, {{user.first_name}}\"\n"
	"msgstr \"Bienvenue, {{user.first_name}}\"\n"
	"\n"
	"msgctxt \"verb\"\n"
	"msgid \"Order\"\n"
	"msgstr \"Commander\"\n"
	"\n"
	"msgctxt \"noun\"\n"
	"msgid \"Order\"\n"
	"msgstr \"Commande\"\n"
	"\n"
	"msgid \"%lu product\"\n"
	"msgid_plural \"%lu products\"\n"
	"msgstr[0] \"%lu produit\"\n"
	"msgstr[1] \"%lu produits\"\n"
	"\n"
	"msgid \"Line one\\nline two\"\n"
	"msgstr \"Ligne un\\nligne deux\"\n"
	"\n"
	"#, fuzzy\n"
	"msgid \"Fuzzy one\"\n"
	"msgstr \"Floue\"\n";

/* Compiles sample_po with msgfmt into tmpdir/<name>. 0 on success. */
static int po_compile(const char *name, const char *extra)
{
	char po[300], cmd[1024];
	FILE *f;

	snprintf(po, sizeof(po), "%s/sample.po", tmpdir);
	f = fopen(po, "w");
	if (f == NULL)
		return -1;
	fputs(sample_po, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "msgfmt --check %s -o '%s/%s' '%s'", extra,
		 tmpdir, name, po);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_msgfmt_catalogs(void)
{
	static const char *const variants[][2] = {
		{ "little.mo", "--endianness=little" },
		{ "big.mo", "--endianness=big" },
		{ "nohash.mo", "--no-hash" },
	};
	size_t v;

	if (!have_msgfmt) {
		lv_test_skip("msgfmt not installed (Debian package gettext)");
		return;
	}
	for (v = 0; v < 3; v++) {
		struct lv_i18n_catalog *cat = NULL;
		char path[300], msg[300] = "";

		CHECK_INT(po_compile(variants[v][0], variants[v][1]), 0);
		snprintf(path, sizeof(path), "%s/%s", tmpdir, variants[v][0]);
		CHECK_INT(lv_i18n_catalog_load(path, &cat, msg, sizeof(msg)),
			  LV_OK);
		CHECK_STR(lv_i18n_get(cat, "Welcome, {{user.first_name}}"),
			  "Bienvenue, {{user.first_name}}");
		CHECK_STR(lv_i18n_pget(cat, "verb", "Order"), "Commander");
		CHECK_STR(lv_i18n_pget(cat, "noun", "Order"), "Commande");
		CHECK_STR(lv_i18n_get(cat, "Order"), "Order");
		CHECK_STR(lv_i18n_nget(cat, "%lu product", "%lu products", 1),
			  "%lu produit");
		CHECK_STR(lv_i18n_nget(cat, "%lu product", "%lu products", 2),
			  "%lu produits");
		CHECK_STR(lv_i18n_get(cat, "Line one\nline two"),
			  "Ligne un\nligne deux");
		/* msgfmt leaves fuzzy entries out: they are not translations */
		CHECK_STR(lv_i18n_get(cat, "Fuzzy one"), "Fuzzy one");
		CHECK_STR(lv_i18n_catalog_header(cat, "Language"), "fr");
		lv_i18n_catalog_free(cat);
	}
}

static void test_load_errors(void)
{
	struct lv_i18n_catalog *cat = (struct lv_i18n_catalog *)&cat;
	char path[300], msg[400] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/absent.mo", tmpdir);
	CHECK_INT(lv_i18n_catalog_load(path, &cat, msg, sizeof(msg)),
		  LV_ENOTFOUND);
	CHECK(cat == NULL);
	CHECK(strstr(msg, "absent.mo") != NULL);

	snprintf(path, sizeof(path), "%s/garbage.mo", tmpdir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("this is not a catalog, just text long enough", f);
		fclose(f);
	}
	msg[0] = '\0';
	CHECK_INT(lv_i18n_catalog_load(path, &cat, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK(cat == NULL);
	CHECK(strstr(msg, "garbage.mo") != NULL);
	CHECK(strstr(msg, "magic") != NULL);

	CHECK_INT(lv_i18n_catalog_load(tmpdir, &cat, msg, sizeof(msg)),
		  LV_EINVAL);
}

/* The build's French catalog, compiled from po/fr.po. */
static void test_build_catalog(void)
{
	const char *build = getenv("LV_BUILD_DIR");
	struct lv_i18n_catalog *cat = NULL;
	char path[1024], msg[1200] = "";

	if (build == NULL) {
		lv_test_skip("LV_BUILD_DIR not set (run through ctest)");
		return;
	}
	snprintf(path, sizeof(path), "%s/locale/fr/LC_MESSAGES/livery.mo",
		 build);
	CHECK_INT(lv_i18n_catalog_load(path, &cat, msg, sizeof(msg)), LV_OK);
	if (cat == NULL) {
		fprintf(stderr, "%s\n", msg);
		return;
	}
	CHECK_STR(lv_i18n_get(cat, "Sign out"), "Déconnexion");
	CHECK_STR(lv_i18n_get(cat, "Sign in"), "Connexion");
	CHECK_STR(lv_i18n_get(cat, "My profile"), "Mon profil");
	CHECK_STR(lv_i18n_get(cat, "In stock"), "En stock");
	CHECK_STR(lv_i18n_get(cat, "Out of stock"), "Rupture de stock");
	CHECK_STR(lv_i18n_catalog_header(cat, "Language"), "fr");
	CHECK(lv_i18n_catalog_count(cat) > 50);
	lv_i18n_catalog_free(cat);
}

int main(void)
{
	char cmd[400];

	snprintf(tmpdir, sizeof(tmpdir), "%s/lv_i18n_XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	have_msgfmt = system("msgfmt --version >/dev/null 2>&1") == 0;

	LV_RUN(test_handmade_both_orders);
	LV_RUN(test_null_catalog);
	LV_RUN(test_missing_returns_msgid);
	LV_RUN(test_plural_rules);
	LV_RUN(test_corrupt_refused);
	LV_RUN(test_many_and_duplicates);
	LV_RUN(test_msgfmt_catalogs);
	LV_RUN(test_load_errors);
	LV_RUN(test_build_catalog);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return lv_test_done();
}
