/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_http_parse.c - the request parsers with ordinary and hostile input:
 * urlencoded forms (every refusal and its message), cookies,
 * Accept-Language, URL encoding, local redirect targets and UTF-8.
 */
#include <stdio.h>
#include <string.h>

#include "lv_buf.h"
#include "lv_err.h"
#include "lv_http_parse.h"
#include "lv_test.h"

/* Parses the C string s with room for max fields; returns the code. */
static int form(const char *s, size_t max, struct lv_kvlist *l, char *msg,
		size_t msglen)
{
	return lv_form_parse(s, strlen(s), max, l, msg, msglen);
}

static void test_form_ok(void)
{
	struct lv_kvlist l;
	char msg[100];

	lv_kvlist_init(&l);
	CHECK_INT(form("a=1&b=x+y%20z&a=2&&c&d=&=e&", 10, &l, msg,
		       sizeof(msg)),
		  LV_OK);
	CHECK_INT((int)l.n, 6);
	CHECK_STR(lv_kvlist_get(&l, "a"), "1");
	CHECK_INT((int)lv_kvlist_count(&l, "a"), 2);
	CHECK_STR(l.items[2].val, "2");
	CHECK_STR(lv_kvlist_get(&l, "b"), "x y z");
	CHECK_STR(lv_kvlist_get(&l, "c"), "");
	CHECK_STR(lv_kvlist_get(&l, "d"), "");
	CHECK_STR(lv_kvlist_get(&l, ""), "e");
	CHECK(lv_kvlist_get(&l, "z") == NULL);
	CHECK_INT((int)lv_kvlist_count(&l, "z"), 0);
	CHECK_STR(msg, "");

	/* Escapes in either case, UTF-8, '=' in values, allowed controls. */
	CHECK_INT(form("k%C3%A9y=%e2%82%ac%3D%26&t=a%09b%0D%0Ac", 10, &l, msg,
		       sizeof(msg)),
		  LV_OK);
	CHECK_STR(lv_kvlist_get(&l, "k\xc3\xa9y"), "\xe2\x82\xac=&");
	CHECK_STR(lv_kvlist_get(&l, "t"), "a\tb\r\nc");
	CHECK_INT((int)l.n, 2); /* the earlier contents were replaced */

	/* Nothing, or only separators: an empty list. */
	CHECK_INT(form("", 10, &l, msg, sizeof(msg)), LV_OK);
	CHECK_INT((int)l.n, 0);
	CHECK_INT(form("&&&", 0, &l, msg, sizeof(msg)), LV_OK);
	CHECK_INT((int)l.n, 0);
	CHECK_INT(lv_form_parse(NULL, 5, 10, &l, NULL, 0), LV_OK);

	/* Only n bytes are read: what follows is not part of the form. */
	CHECK_INT(lv_form_parse("a=1&b=2", 3, 10, &l, msg, sizeof(msg)),
		  LV_OK);
	CHECK_INT((int)l.n, 1);
	CHECK_STR(lv_kvlist_get(&l, "a"), "1");
	lv_kvlist_cleanup(&l);
	lv_kvlist_cleanup(&l);
}

/* Expects form s to be refused with rc and exactly msg, leaving l empty. */
static void check_refused(const char *s, size_t n, size_t max, int rc,
			  const char *want)
{
	struct lv_kvlist l;
	char msg[100] = "";

	lv_kvlist_init(&l);
	/* A list that held pairs before is emptied too. */
	CHECK_INT(form("x=1", 10, &l, NULL, 0), LV_OK);
	CHECK_INT(lv_form_parse(s, n, max, &l, msg, sizeof(msg)), rc);
	CHECK_STR(msg, want);
	CHECK_INT((int)l.n, 0);
	CHECK(l.items == NULL);
	lv_kvlist_cleanup(&l);
}

static void test_form_refused(void)
{
	char key[200];

	check_refused("a=%zz", 5, 10, LV_EINVAL,
		      "field 1: invalid percent escape");
	check_refused("a=1&&b=2&c=%4", 13, 10, LV_EINVAL,
		      "field 3: invalid percent escape");
	check_refused("a=%", 3, 10, LV_EINVAL,
		      "field 1: invalid percent escape");
	check_refused("%g1=2", 5, 10, LV_EINVAL,
		      "field 1: invalid percent escape");
	check_refused("a=b%00c", 7, 10, LV_EINVAL, "field 1: NUL byte");
	check_refused("a=b\0c", 5, 10, LV_EINVAL, "field 1: NUL byte");
	check_refused("a=%C3%28", 8, 10, LV_EINVAL, "field 1: invalid UTF-8");
	check_refused("a=%C0%AF", 8, 10, LV_EINVAL, "field 1: invalid UTF-8");
	check_refused("a=%ED%A0%80", 11, 10, LV_EINVAL,
		      "field 1: invalid UTF-8");
	check_refused("a=\xff", 3, 10, LV_EINVAL, "field 1: invalid UTF-8");
	check_refused("a=1&b=%01", 9, 10, LV_EINVAL,
		      "field 2: control character in value");
	check_refused("a=%1B[31m", 9, 10, LV_EINVAL,
		      "field 1: control character in value");
	check_refused("a%09b=1", 7, 10, LV_EINVAL,
		      "field 1: control character in key");
	check_refused("a%0A=1", 6, 10, LV_EINVAL,
		      "field 1: control character in key");
	check_refused("a=1&b=2&c=3", 11, 2, LV_ETOOBIG, "more than 2 fields");
	check_refused("a", 1, 0, LV_ETOOBIG, "more than 0 fields");

	memset(key, 'k', 129);
	memcpy(key + 129, "=v", 3);
	check_refused(key, 131, 10, LV_EINVAL,
		      "field 1: key longer than 128 bytes");
	/* 128 bytes is still fine (%41 counts as one decoded byte). */
	{
		struct lv_kvlist l;

		lv_kvlist_init(&l);
		memcpy(key + 127, "%41=v", 6);
		CHECK_INT(form(key, 10, &l, NULL, 0), LV_OK);
		CHECK_INT((int)strlen(l.items[0].key), 128);
		lv_kvlist_cleanup(&l);
	}
}

static void test_cookie(void)
{
	char out[16];
	const char *h = "theme=dark; lv_session=abc.DEF-12_3; other=\"q v\"; "
			"quoted=\"xyz\"; lv_session=second";

	CHECK_INT(lv_cookie_get(h, "lv_session", out, sizeof(out)), LV_OK);
	CHECK_STR(out, "abc.DEF-12_3");
	CHECK_INT(lv_cookie_get(h, "theme", out, sizeof(out)), LV_OK);
	CHECK_STR(out, "dark");
	CHECK_INT(lv_cookie_get(h, "quoted", out, sizeof(out)), LV_OK);
	CHECK_STR(out, "xyz");
	/* A space is not allowed, even inside quotes. */
	CHECK_INT(lv_cookie_get(h, "other", out, sizeof(out)), LV_EINVAL);
	CHECK_STR(out, "");
	CHECK_INT(lv_cookie_get(h, "session", out, sizeof(out)), LV_ENOTFOUND);
	CHECK_INT(lv_cookie_get(h, "LV_SESSION", out, sizeof(out)),
		  LV_ENOTFOUND);
	CHECK_INT(lv_cookie_get(NULL, "a", out, sizeof(out)), LV_ENOTFOUND);
	CHECK_INT(lv_cookie_get("a=1", "", out, sizeof(out)), LV_EINVAL);
	CHECK_INT(lv_cookie_get("", "a", out, sizeof(out)), LV_ENOTFOUND);

	/* Sizes: the value and its NUL must fit. */
	CHECK_INT(lv_cookie_get("a=123456789012345", "a", out, sizeof(out)),
		  LV_OK);
	CHECK_STR(out, "123456789012345");
	CHECK_INT(lv_cookie_get("a=1234567890123456", "a", out, sizeof(out)),
		  LV_ETOOBIG);
	CHECK_STR(out, "");
	CHECK_INT(lv_cookie_get("a=1", "a", out, 0), LV_ETOOBIG);

	/* Whitespace, junk parts and empty values. */
	CHECK_INT(lv_cookie_get("  ;junk; =x;;\ta = 1 ;", "a", out,
				sizeof(out)),
		  LV_OK);
	CHECK_STR(out, "1");
	CHECK_INT(lv_cookie_get("a=; b=2", "a", out, sizeof(out)), LV_OK);
	CHECK_STR(out, "");
	CHECK_INT(lv_cookie_get("a=\"\"", "a", out, sizeof(out)), LV_OK);
	CHECK_STR(out, "");
	/* Malformed values of the cookie asked for. */
	CHECK_INT(lv_cookie_get("a=\"x", "a", out, sizeof(out)), LV_EINVAL);
	CHECK_INT(lv_cookie_get("a=\"", "a", out, sizeof(out)), LV_EINVAL);
	CHECK_INT(lv_cookie_get("a=x\"y", "a", out, sizeof(out)), LV_EINVAL);
	CHECK_INT(lv_cookie_get("a=x,y", "a", out, sizeof(out)), LV_EINVAL);
	CHECK_INT(lv_cookie_get("a=x\\y", "a", out, sizeof(out)), LV_EINVAL);
	CHECK_INT(lv_cookie_get("a=\x01", "a", out, sizeof(out)), LV_EINVAL);
	CHECK_INT(lv_cookie_get("a=\xc3\xa9", "a", out, sizeof(out)),
		  LV_EINVAL);
	/* ... but a malformed other cookie does not matter. */
	CHECK_INT(lv_cookie_get("b=\"x; a=ok", "a", out, sizeof(out)), LV_OK);
	CHECK_STR(out, "ok");
}

static void test_accept_language(void)
{
	const char *const langs[] = { "en", "fr", "de", "pt-br" };
	const size_t n = 4;

	CHECK_INT(lv_accept_language_pick("fr-CA,fr;q=0.9,en;q=0.8", langs, n),
		  1);
	CHECK_INT(lv_accept_language_pick("de;q=0.5, en;q=0.7", langs, n), 0);
	CHECK_INT(lv_accept_language_pick("EN-gb", langs, n), 0);
	/* Ties go to the earlier range in the header. */
	CHECK_INT(lv_accept_language_pick("de;q=0.5,fr;q=0.5", langs, n), 2);
	CHECK_INT(lv_accept_language_pick("it, es;q=0.9", langs, n), -1);
	CHECK_INT(lv_accept_language_pick("pt", langs, n), 3);
	CHECK_INT(lv_accept_language_pick("pt-BR;q=1.000", langs, n), 3);
	CHECK_INT(lv_accept_language_pick("pt-PT", langs, n), -1);
	/* q=0 excludes, also from a wildcard. */
	CHECK_INT(lv_accept_language_pick("fr;q=0", langs, n), -1);
	CHECK_INT(lv_accept_language_pick("*", langs, n), 0);
	CHECK_INT(lv_accept_language_pick("en;q=0, *;q=0.1", langs, n), 1);
	CHECK_INT(lv_accept_language_pick("it, *;q=0.5, de;q=0.6", langs, n),
		  2);
	/* Garbage is skipped, not fatal. */
	CHECK_INT(lv_accept_language_pick(",;,fr;q=2,de;q=abc,x y,en;q=0.001",
					  langs, n),
		  0);
	CHECK_INT(lv_accept_language_pick("fr;q=1.5, de", langs, n), 2);
	CHECK_INT(lv_accept_language_pick("fr;q=0.1234, de;q=0.1", langs, n),
		  2);
	CHECK_INT(lv_accept_language_pick("toolonglanguage, fr", langs, n), 1);
	CHECK_INT(lv_accept_language_pick("fr; level=1 ; q=0.3 ,de;q=0.2",
					  langs, n),
		  1);
	CHECK_INT(lv_accept_language_pick("", langs, n), -1);
	CHECK_INT(lv_accept_language_pick(NULL, langs, n), -1);
	CHECK_INT(lv_accept_language_pick("fr", langs, 0), -1);
	CHECK_INT(lv_accept_language_pick("fr", NULL, 3), -1);
	/* Only the first 64 entries are read. */
	{
		struct lv_buf h;
		int i;

		lv_buf_init(&h, 1024);
		for (i = 0; i < 64; i++)
			lv_buf_append_str(&h, "x,");
		lv_buf_append_str(&h, "fr");
		CHECK_INT(lv_accept_language_pick(lv_buf_str(&h), langs, n),
			  -1);
		lv_buf_reset(&h);
		for (i = 0; i < 63; i++)
			lv_buf_append_str(&h, "x,");
		lv_buf_append_str(&h, "fr");
		CHECK_INT(lv_accept_language_pick(lv_buf_str(&h), langs, n), 1);
		lv_buf_cleanup(&h);
	}
}

static void test_url_encode(void)
{
	struct lv_buf b;

	lv_buf_init(&b, 64);
	CHECK_INT(lv_url_encode("AZaz09-_.~", &b), LV_OK);
	CHECK_STR(lv_buf_str(&b), "AZaz09-_.~");
	lv_buf_reset(&b);
	CHECK_INT(lv_url_encode("/a b?c=d&e+f%\xc3\xa9", &b), LV_OK);
	CHECK_STR(lv_buf_str(&b), "%2Fa%20b%3Fc%3Dd%26e%2Bf%25%C3%A9");
	lv_buf_reset(&b);
	CHECK_INT(lv_url_encode("", &b), LV_OK);
	CHECK_STR(lv_buf_str(&b), "");

	/* Too big: out keeps what it held. */
	lv_buf_cleanup(&b);
	lv_buf_init(&b, 8);
	lv_buf_append_str(&b, "x=");
	CHECK_INT(lv_url_encode("a b", &b), LV_OK);
	CHECK_STR(lv_buf_str(&b), "x=a%20b");
	CHECK_INT(lv_url_encode("//", &b), LV_ETOOBIG);
	CHECK_STR(lv_buf_str(&b), "x=a%20b");
	lv_buf_cleanup(&b);
}

/* Encoding a value and parsing it back gives the value. */
static void test_round_trip(void)
{
	const char *vals[] = { "", "plain", "a b+c&d=e%f", "\xe2\x82\xac\t\r\n",
			       "/cart?x=1#y" };
	struct lv_kvlist l;
	struct lv_buf b;
	size_t i;

	lv_kvlist_init(&l);
	lv_buf_init(&b, 256);
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		lv_buf_reset(&b);
		lv_buf_append_str(&b, "v=");
		CHECK_INT(lv_url_encode(vals[i], &b), LV_OK);
		CHECK_INT(lv_form_parse(b.data, b.len, 1, &l, NULL, 0), LV_OK);
		CHECK_STR(lv_kvlist_get(&l, "v"), vals[i]);
	}
	lv_kvlist_cleanup(&l);
	lv_buf_cleanup(&b);
}

static void test_path_is_local(void)
{
	char longp[1100];

	CHECK_INT(lv_path_is_local("/"), 1);
	CHECK_INT(lv_path_is_local("/cart"), 1);
	CHECK_INT(lv_path_is_local("/p/12?tab=a%20b&x=%2F%2F#top"), 1);
	CHECK_INT(lv_path_is_local("/a//b"), 1);
	CHECK_INT(lv_path_is_local(NULL), 0);
	CHECK_INT(lv_path_is_local(""), 0);
	CHECK_INT(lv_path_is_local("cart"), 0);
	CHECK_INT(lv_path_is_local("//evil.example"), 0);
	CHECK_INT(lv_path_is_local("/\\evil.example"), 0);
	CHECK_INT(lv_path_is_local("/a\\b"), 0);
	CHECK_INT(lv_path_is_local("https://evil.example/"), 0);
	CHECK_INT(lv_path_is_local("javascript:alert(1)"), 0);
	CHECK_INT(lv_path_is_local("/a b"), 0);
	CHECK_INT(lv_path_is_local("/\t/evil.example"), 0);
	CHECK_INT(lv_path_is_local("/a\r\nSet-Cookie: x=1"), 0);
	CHECK_INT(lv_path_is_local("/caf\xc3\xa9"), 0);
	CHECK_INT(lv_path_is_local("/\x7f"), 0);

	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[1024] = '\0';
	CHECK_INT(lv_path_is_local(longp), 1);
	longp[1024] = 'a';
	longp[1025] = '\0';
	CHECK_INT(lv_path_is_local(longp), 0);
}

static void test_utf8(void)
{
	CHECK_INT(lv_utf8_valid("", 0), 1);
	CHECK_INT(lv_utf8_valid("ascii", 5), 1);
	CHECK_INT(lv_utf8_valid("a\0b", 3), 1);
	CHECK_INT(lv_utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9), 1);
	CHECK_INT(lv_utf8_valid("\xf4\x8f\xbf\xbf", 4), 1);  /* U+10FFFF */
	CHECK_INT(lv_utf8_valid("\xed\x9f\xbf", 3), 1);      /* U+D7FF */
	CHECK_INT(lv_utf8_valid("\xee\x80\x80", 3), 1);      /* U+E000 */
	CHECK_INT(lv_utf8_valid("\x80", 1), 0);              /* lone trail */
	CHECK_INT(lv_utf8_valid("\xc3", 1), 0);              /* truncated */
	CHECK_INT(lv_utf8_valid("\xe2\x82", 2), 0);
	CHECK_INT(lv_utf8_valid("\xc3\xa9", 1), 0);          /* n is honoured */
	CHECK_INT(lv_utf8_valid("\xc0\x80", 2), 0);          /* overlong NUL */
	CHECK_INT(lv_utf8_valid("\xc1\xbf", 2), 0);
	CHECK_INT(lv_utf8_valid("\xe0\x9f\xbf", 3), 0);      /* overlong */
	CHECK_INT(lv_utf8_valid("\xf0\x8f\xbf\xbf", 4), 0);  /* overlong */
	CHECK_INT(lv_utf8_valid("\xed\xa0\x80", 3), 0);      /* surrogate */
	CHECK_INT(lv_utf8_valid("\xed\xbf\xbf", 3), 0);
	CHECK_INT(lv_utf8_valid("\xf4\x90\x80\x80", 4), 0);  /* > U+10FFFF */
	CHECK_INT(lv_utf8_valid("\xf5\x80\x80\x80", 4), 0);
	CHECK_INT(lv_utf8_valid("\xff", 1), 0);
	CHECK_INT(lv_utf8_valid("\xc3\x28", 2), 0);          /* bad trail */
	CHECK_INT(lv_utf8_valid("\xe2\x28\xa1", 3), 0);
}

int main(void)
{
	LV_RUN(test_form_ok);
	LV_RUN(test_form_refused);
	LV_RUN(test_cookie);
	LV_RUN(test_accept_language);
	LV_RUN(test_url_encode);
	LV_RUN(test_round_trip);
	LV_RUN(test_path_is_local);
	LV_RUN(test_utf8);
	return lv_test_done();
}
