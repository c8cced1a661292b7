/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_catalog_csv.c - the catalog CSV's parsing and validation half, with
 * no database: prices (parse and format), search text quoting, picture
 * checks (hostile SVG), and one test per kind of error a file can have,
 * each checking the line and column the message names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "catalog_csv.h"
#include "lv_err.h"
#include "lv_test.h"

#define HEADER                                                                 \
	"category,category_name,product_slug,product_name,description,tags,"   \
	"restricted,sku,size,colour,fit,price,stock,image\n"

static const char good_svg[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<svg xmlns=\"http://www.w3.org/2000/svg\" "
	"xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 10 10\">"
	"<!-- a comment -->"
	"<defs><linearGradient id=\"g\"><stop offset=\"0\"/></linearGradient>"
	"<path id=\"p\" d=\"M0 0h10\"/></defs>"
	"<rect width=\"10\" height=\"10\" fill=\"url(#g)\"/>"
	"<use xlink:href=\"#p\"/><use href='#p'/></svg>\n";

static const char evil_svg[] = "<svg><script>alert(1)</script></svg>";

static const char plain_svg[] =
	"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">"
	"<defs><linearGradient id=\"g\"/></defs>"
	"<rect width=\"10\" height=\"10\" style=\"fill: url( '#g' )\"/>"
	"<use xlink:href=\" #p\"/></svg>";

/* A picture "file system" in memory for the loader. */
static const struct {
	const char *name;
	const char *data;
	size_t len;
} files[] = {
	{ "a.svg", plain_svg, sizeof(plain_svg) - 1 },
	{ "img/b.svg", plain_svg, sizeof(plain_svg) - 1 },
	{ "evil.svg", evil_svg, sizeof(evil_svg) - 1 },
	{ "photo.png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16 },
	{ "fake.png", plain_svg, sizeof(plain_svg) - 1 },
};

static int mem_load(void *ctx, const char *name, struct lv_buf *out,
		    char *msg, size_t msglen)
{
	size_t i;

	(void)ctx;
	(void)msg;
	(void)msglen;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strcmp(files[i].name, name) == 0)
			return lv_buf_append(out, files[i].data, files[i].len);
	return LV_ENOTFOUND;
}

static const struct catalog_image_loader loader = { mem_load, NULL };

/* Parses text (EUR); returns the status and leaves the errors in rep. */
static int parse(const char *text, struct catalog_import_report *rep)
{
	catalog_import_report_cleanup(rep);
	catalog_import_report_init(rep);
	return catalog_csv_parse(text, strlen(text), "EUR", &loader, NULL, rep);
}

/* 1 when some error contains every one of the (up to two) fragments. */
static int has_error(const struct catalog_import_report *rep, const char *a,
		     const char *b)
{
	size_t i;

	for (i = 0; i < rep->n_errors; i++)
		if (strstr(rep->errors[i], a) && (!b || strstr(rep->errors[i], b)))
			return 1;
	return 0;
}

static void dump(const struct catalog_import_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n_errors; i++)
		fprintf(stderr, "  | %s\n", rep->errors[i]);
}

static void test_price_parse(void)
{
	static const struct {
		const char *s, *cur;
		int rc;
		int64_t v;
		const char *msg;
	} cases[] = {
		{ "24.90", "EUR", LV_OK, 2490, NULL },
		{ "24.9", "EUR", LV_OK, 2490, NULL },
		{ "24", "EUR", LV_OK, 2400, NULL },
		{ "0", "EUR", LV_OK, 0, NULL },
		{ "0.05", "USD", LV_OK, 5, NULL },
		{ "007.10", "GBP", LV_OK, 710, NULL },
		{ "999999999.99", "CHF", LV_OK, 99999999999LL, NULL },
		{ "2490", "JPY", LV_OK, 2490, NULL },
		{ "", "EUR", LV_EINVAL, 0, "empty" },
		{ "24,90", "EUR", LV_EINVAL, 0, "\"24,90\" is not a price (use \"24.90\")" },
		{ "24.999", "EUR", LV_EINVAL, 0, "more decimals than EUR allows (2)" },
		{ "24.5", "JPY", LV_EINVAL, 0, "has decimals, but JPY has none" },
		{ "-5.00", "EUR", LV_EINVAL, 0, "negative" },
		{ "-0", "EUR", LV_EINVAL, 0, "negative" },
		{ "+5", "EUR", LV_EINVAL, 0, "not a price" },
		{ "24.", "EUR", LV_EINVAL, 0, "not a price" },
		{ ".5", "EUR", LV_EINVAL, 0, "not a price" },
		{ "1e3", "EUR", LV_EINVAL, 0, "not a price" },
		{ "EUR 5", "EUR", LV_EINVAL, 0, "not a price" },
		{ "\xe2\x82\xac" "5", "EUR", LV_EINVAL, 0, "not a price" },
		{ "1,234.50", "EUR", LV_EINVAL, 0, "not a price" },
		{ "1 000", "EUR", LV_EINVAL, 0, "not a price" },
		{ "0x10", "EUR", LV_EINVAL, 0, "not a price" },
		{ "1000000000", "EUR", LV_EINVAL, 0, "too large" },
		{ "99999999999999999999", "EUR", LV_EINVAL, 0, "too large" },
		{ "5", "XYZ", LV_EINVAL, 0, "not a currency" },
	};
	char msg[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = -1;
		int rc;

		msg[0] = '\0';
		rc = catalog_price_parse(cases[i].s, cases[i].cur, &v, msg,
					 sizeof(msg));
		CHECK_INT(rc, cases[i].rc);
		if (rc != cases[i].rc)
			fprintf(stderr, "  case %zu: %s\n", i, cases[i].s);
		if (cases[i].rc == LV_OK) {
			CHECK_INT(v, cases[i].v);
		} else {
			CHECK_INT(v, -1);
			CHECK(strstr(msg, cases[i].msg) != NULL);
			if (!strstr(msg, cases[i].msg))
				fprintf(stderr, "  case %zu: %s\n", i, msg);
		}
	}
	CHECK_INT(catalog_currency_minor_units("EUR"), 2);
	CHECK_INT(catalog_currency_minor_units("JPY"), 0);
	CHECK_INT(catalog_currency_minor_units("eur"), -1);
	CHECK_INT(catalog_currency_minor_units(NULL), -1);
}

static void test_price_format(void)
{
	char out[64];

	CHECK_INT(catalog_price_format(2490, "EUR", "en", out, sizeof(out)), LV_OK);
	CHECK_STR(out, "\xe2\x82\xac" "24.90");
	CHECK_INT(catalog_price_format(2490, "EUR", "fr", out, sizeof(out)), LV_OK);
	CHECK_STR(out, "24,90\xc2\xa0\xe2\x82\xac");
	CHECK_INT(catalog_price_format(123456750, "EUR", "fr-FR", out, sizeof(out)), LV_OK);
	CHECK_STR(out, "1\xe2\x80\xaf" "234\xe2\x80\xaf" "567,50\xc2\xa0\xe2\x82\xac");
	CHECK_INT(catalog_price_format(123450, "EUR", "de_DE", out, sizeof(out)), LV_OK);
	CHECK_STR(out, "1.234,50\xc2\xa0\xe2\x82\xac");
	CHECK_INT(catalog_price_format(123450, "USD", NULL, out, sizeof(out)), LV_OK);
	CHECK_STR(out, "$1,234.50");
	CHECK_INT(catalog_price_format(5, "GBP", "en-GB", out, sizeof(out)), LV_OK);
	CHECK_STR(out, "\xc2\xa3" "0.05");
	CHECK_INT(catalog_price_format(-1999, "CHF", "en", out, sizeof(out)), LV_OK);
	CHECK_STR(out, "-CHF 19.99");
	CHECK_INT(catalog_price_format(2490, "JPY", "en", out, sizeof(out)), LV_OK);
	CHECK_STR(out, "\xc2\xa5" "2,490");
	CHECK_INT(catalog_price_format(0, "EUR", "xx", out, sizeof(out)), LV_OK);
	CHECK_STR(out, "\xe2\x82\xac" "0.00");
	CHECK_INT(catalog_price_format(INT64_MIN, "EUR", "en", out, sizeof(out)), LV_OK);
	CHECK(out[0] == '-');
	CHECK_INT(catalog_price_format(2490, "XXX", "en", out, sizeof(out)), LV_EINVAL);
	CHECK_INT(catalog_price_format(2490, "EUR", "en", out, 5), LV_ETOOBIG);
	CHECK_STR(out, "");
}

static void test_fts_query(void)
{
	static const struct {
		const char *in, *out;
		int words;
	} cases[] = {
		{ "navy blazer", "\"navy\" \"blazer\"*", 2 },
		{ "  shi ", "\"shi\"*", 1 },
		{ "t-shirt", "\"t-shirt\"*", 1 },
		{ "say \"hi\"", "\"say\" \"\"\"hi\"\"\"*", 2 },
		{ "a OR b", "\"a\" \"OR\" \"b\"*", 3 },
		{ "NEAR(a b)", "\"NEAR(a\" \"b)\"*", 2 },
		{ "name:coat", "\"name:coat\"*", 1 },
		{ "- * ^ \" ( )", "", 0 },
		{ "", "", 0 },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"*", 1 },
		{ "bad\xff" "byte", "\"bad\" \"byte\"*", 2 },
		{ "a b c d e f g h i j", "\"a\" \"b\" \"c\" \"d\" \"e\" \"f\" \"g\" \"h\"*", 8 },
	};
	struct lv_buf b;
	size_t i;

	lv_buf_init(&b, 4096);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_INT(catalog_fts_query(cases[i].in, &b), cases[i].words);
		CHECK_STR(lv_buf_str(&b), cases[i].out);
	}
	lv_buf_cleanup(&b);
}

static void test_helpers(void)
{
	char sha8[9], q[16];
	int64_t id = 0;

	CHECK_INT(catalog_media_name_parse("12-0123abcd.svg", &id, sha8), LV_OK);
	CHECK_INT(id, 12);
	CHECK_STR(sha8, "0123abcd");
	CHECK_INT(catalog_media_name_parse("12-0123abcd.exe", &id, sha8), LV_EINVAL);
	CHECK_INT(catalog_media_name_parse("12-0123ABCD.svg", &id, sha8), LV_EINVAL);
	CHECK_INT(catalog_media_name_parse("-12-0123abcd.svg", &id, sha8), LV_EINVAL);
	CHECK_INT(catalog_media_name_parse("+12-0123abcd.svg", &id, sha8), LV_EINVAL);
	CHECK_INT(catalog_media_name_parse("0-0123abcd.png", &id, sha8), LV_EINVAL);
	CHECK_INT(catalog_media_name_parse("12-0123abc.png", &id, sha8), LV_EINVAL);
	CHECK_INT(catalog_media_name_parse("12-0123abcd.png/x", &id, sha8), LV_EINVAL);
	CHECK(catalog_utf8_valid("caf\xc3\xa9", 5));
	CHECK(!catalog_utf8_valid("\xc0\xaf", 2));          /* overlong */
	CHECK(!catalog_utf8_valid("\xed\xa0\x80", 3));      /* surrogate */
	CHECK(!catalog_utf8_valid("\xf4\x90\x80\x80", 4));  /* > U+10FFFF */
	CHECK(!catalog_utf8_valid("\xe2\x82", 2));          /* cut short */
	CHECK_STR(catalog_text_quote(q, sizeof(q), "ab\ncd"), "\"ab?cd\"");
	CHECK_STR(catalog_text_quote(q, sizeof(q), "a\"b"), "\"a'b\"");
	CHECK_STR(catalog_text_quote(q, sizeof(q), "abcdefghijklmnopq"),
		  "\"abcdefghij...\"");
	/* a long value is cut between characters, never inside one */
	CHECK_STR(catalog_text_quote(q, sizeof(q), "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"),
		  "\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...\"");
}

static int check_image(const char *name, const char *data, char *msg,
		       size_t msglen, const char **type)
{
	return catalog_image_check((const unsigned char *)data, strlen(data),
				   name, type, msg, msglen);
}

static void test_image_check(void)
{
	static const char *const hostile[] = {
		"<svg><script>alert(1)</script></svg>",
		"<svg><SCRIPT xlink:href=\"#x\"/></svg>",
		"<svg onload=\"alert(1)\"></svg>",
		"<svg><rect ONCLICK='x()'/></svg>",
		"<svg><rect ev:onfocusin='x()'/></svg>",
		"<svg><a href=\"javascript:alert(1)\"><rect/></a></svg>",
		"<svg><a xlink:href=\"http://evil.example/\"><rect/></a></svg>",
		"<svg><image href=\"https://evil.example/x.png\"/></svg>",
		"<svg><image href=\"data:image/png;base64,AAAA\"/></svg>",
		"<svg><use href=\"other.svg#x\"/></svg>",
		"<svg><a href=\"&#106;avascript:alert(1)\"/></svg>",
		"<svg><rect style=\"fill:url(http://evil.example/f)\"/></svg>",
		"<svg><style>@import url(#x);</style></svg>",
		"<svg><style>rect{fill:url('//evil')}</style></svg>",
		"<svg><foreignObject><div/></foreignObject></svg>",
		"<svg><set attributeName=\"href\" to=\"#x\"/></svg>",
		"<svg><animate attributeName=\"href\" values=\"#x\"/></svg>",
		"<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY x \"y\">]><svg/>",
		"<?xml-stylesheet href=\"#s\"?><svg/>",
		"<svg><iframe/></svg>",
		"<html><svg/></html>",
		"<svg><rect x=1/></svg>",
		"<svg><rect x=\"1/></svg>",
		"<svg><!-- never closed </svg>",
		"<svg>< rect/></svg>",
		"<svg><rect/></svg> <script",
		"\xef\xbb\xbf<svg onload='x'/>",
		"plain text",
	};
	const char *type = NULL;
	char msg[256];
	size_t i;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		msg[0] = '\0';
		CHECK_INT(check_image("x.svg", hostile[i], msg, sizeof(msg),
				      &type), LV_EINVAL);
		CHECK(msg[0] != '\0');
		CHECK(type == NULL);
	}
	CHECK_INT(check_image("x.svg", good_svg, msg, sizeof(msg), &type), LV_OK);
	CHECK_STR(type, "image/svg+xml");
	CHECK_INT(check_image("x.SVG", plain_svg, msg, sizeof(msg), &type), LV_OK);
	/* the name has to agree with the bytes */
	CHECK_INT(check_image("x.png", plain_svg, msg, sizeof(msg), &type), LV_EINVAL);
	CHECK(strstr(msg, "rename it to .svg") != NULL);
	CHECK_INT(catalog_image_check((const unsigned char *)"\x89PNG\r\n\x1a\n", 8,
				      "p.png", &type, msg, sizeof(msg)), LV_OK);
	CHECK_STR(type, "image/png");
	CHECK_INT(catalog_image_check((const unsigned char *)"\xff\xd8\xff\xe0", 4,
				      "p.jpeg", &type, msg, sizeof(msg)), LV_OK);
	CHECK_STR(type, "image/jpeg");
	CHECK_INT(catalog_image_check((const unsigned char *)"RIFF\0\0\0\0WEBPVP8 ", 16,
				      "p.webp", &type, msg, sizeof(msg)), LV_OK);
	CHECK_STR(type, "image/webp");
	CHECK_INT(catalog_image_check((const unsigned char *)"GIF89a", 6,
				      "p.gif", &type, msg, sizeof(msg)), LV_EINVAL);
	{
		size_t big = CATALOG_IMAGE_MAX_BYTES + 1;
		unsigned char *d = calloc(1, big);

		memcpy(d, "\x89PNG\r\n\x1a\n", 8);
		CHECK_INT(catalog_image_check(d, big, "p.png", &type, msg,
					      sizeof(msg)), LV_ETOOBIG);
		CHECK_INT(catalog_image_check(d, big - 1, "p.png", &type, msg,
					      sizeof(msg)), LV_OK);
		free(d);
	}
}

static void test_good_file(void)
{
	struct catalog_import_report rep;
	struct catalog_csv *cat = NULL;
	static const char text[] =
		"\xef\xbb\xbf" /* spreadsheets' byte order mark */
		"sku,price,stock,category,category_name,product_slug,product_name,"
		"description,tags,restricted,size,colour,fit,image\r\n"
		"NW-1-S,24.90,3,uniforms,Uniforms,shirt,Shirt,\"Crisp, white\n"
		"and \"\"ironed\"\"\",uniform|branch,0,S,White,Regular,a.svg\r\n"
		"NW-1-M,24.90,0,uniforms,Uniforms,shirt,Shirt,\"Crisp, white\n"
		"and \"\"ironed\"\"\",uniform|branch,0,M,White,Regular,img/b.svg\r\n"
		",,,,,,,,,,,,,\r\n"
		"NW-2,5,10,accessories,Accessories,mug,Mug,,,1,,,,\r\n";

	catalog_import_report_init(&rep);
	CHECK_INT(catalog_csv_parse(text, sizeof(text) - 1, "EUR", &loader, &cat,
				    &rep), LV_OK);
	dump(&rep);
	CHECK_INT(rep.n_errors, 0);
	CHECK(cat != NULL);
	CHECK_INT(rep.categories, 2);
	CHECK_INT(rep.products, 2);
	CHECK_INT(rep.variants, 3);
	CHECK_INT(rep.images, 2);
	catalog_csv_free(cat);
	catalog_import_report_cleanup(&rep);
	catalog_import_report_cleanup(NULL);
	catalog_csv_free(NULL);
}

/* The optional logo column: two variants differing only by logo are two; too long is refused. */
static void test_logo_column(void)
{
	struct catalog_import_report rep;
	static const char good[] =
		"category,category_name,product_slug,product_name,description,tags,"
		"restricted,sku,size,colour,fit,price,stock,image,logo\n"
		"logo-wear,Logo wear,polo,Polo,,logo,0,P-E,M,Navy,,25,5,,Embroidered\n"
		"logo-wear,Logo wear,polo,Polo,,logo,0,P-P,M,Navy,,20,5,,Printed\n"
		"logo-wear,Logo wear,polo,Polo,,logo,0,P-N,M,Navy,,18,5,,\n";
	static const char twice[] =
		"category,category_name,product_slug,product_name,description,tags,"
		"restricted,sku,size,colour,fit,price,stock,image,logo\n"
		"logo-wear,Logo wear,polo,Polo,,logo,0,P-E,M,Navy,,25,5,,Embroidered\n"
		"logo-wear,Logo wear,polo,Polo,,logo,0,P-F,M,Navy,,25,5,,Embroidered\n";
	static const char too_long[] =
		"category,category_name,product_slug,product_name,description,tags,"
		"restricted,sku,size,colour,fit,price,stock,image,logo\n"
		"logo-wear,Logo wear,polo,Polo,,logo,0,P-E,M,Navy,,25,5,,"
		"Embroidered on the left chest pocket\n";

	catalog_import_report_init(&rep);
	CHECK_INT(parse(good, &rep), LV_OK);
	CHECK_INT(rep.variants, 3);
	catalog_import_report_cleanup(&rep);
	CHECK_INT(parse(twice, &rep), LV_EINVAL);
	CHECK(has_error(&rep, "line 3: product \"polo\" already has a variant with size \"M\", "
			"colour \"Navy\", fit \"\" and logo \"Embroidered\" (line 2)", NULL));
	catalog_import_report_cleanup(&rep);
	CHECK_INT(parse(too_long, &rep), LV_EINVAL);
	CHECK(has_error(&rep, "line 2, column logo", NULL));
	catalog_import_report_cleanup(&rep);
	/* a file without the column (as before it existed) is still a catalog */
	CHECK_INT(parse(HEADER "uniforms,Uniforms,shirt,Shirt,,,0,S-1,M,White,,10,1,\n", &rep), LV_OK);
	catalog_import_report_cleanup(&rep);
	/* the column may stand anywhere; a control character or a second logo column is refused */
	CHECK_INT(parse("sku,logo,category,category_name,product_slug,product_name,description,"
			"tags,restricted,size,colour,fit,price,stock,image\n"
			"P-E,Embroidered,logo-wear,Logo wear,polo,Polo,,logo,0,M,Navy,,25,5,\n"
			"P-P,Printed,logo-wear,Logo wear,polo,Polo,,logo,0,M,Navy,,20,5,\n", &rep), LV_OK);
	CHECK_INT(rep.variants, 2);
	catalog_import_report_cleanup(&rep);
	CHECK_INT(parse("category,category_name,product_slug,product_name,description,tags,"
			"restricted,sku,size,colour,fit,price,stock,image,logo\n"
			"logo-wear,Logo wear,polo,Polo,,logo,0,P-E,M,Navy,,25,5,,\"Embroi\tdered\"\n",
			&rep), LV_EINVAL);
	CHECK(has_error(&rep, "line 2, column logo", "control character"));
	catalog_import_report_cleanup(&rep);
	CHECK_INT(parse("category,category_name,product_slug,product_name,description,tags,"
			"restricted,sku,size,colour,fit,price,stock,image,logo,logo\n", &rep),
		  LV_EINVAL);
	CHECK(has_error(&rep, "logo", "appears twice"));
	catalog_import_report_cleanup(&rep);
	/* an unknown column: the message lists the columns, the optional one too */
	CHECK_INT(parse("category,category_name,product_slug,product_name,description,tags,"
			"restricted,sku,size,colour,fit,price,stock,image,logos\n", &rep), LV_EINVAL);
	CHECK(has_error(&rep, "\"logos\"", "and optionally logo"));
	catalog_import_report_cleanup(&rep);
}

#define ROW_OK "uniforms,Uniforms,shirt,Shirt,,,0,"

static void test_bad_header(void)
{
	struct catalog_import_report rep;

	catalog_import_report_init(&rep);
	CHECK_INT(parse("category,category_name,product_slug,product_name,"
			"description,tags,restricted,sku,size,colour,fit,Price,"
			"stock,image,sku\n" ROW_OK "A,S,,,1.00,1,\n", &rep),
		  LV_EINVAL);
	CHECK(has_error(&rep, "line 1: unknown column \"Price\"", NULL));
	CHECK(has_error(&rep, "line 1: column \"sku\" appears twice", NULL));
	CHECK(has_error(&rep, "line 1: column \"price\" is missing", NULL));
	CHECK_INT(rep.n_errors, 3); /* and no error for the rows */
	CHECK_INT(parse("", &rep), LV_EINVAL);
	CHECK(has_error(&rep, "line 1: the file is empty", NULL));
	CHECK_INT(parse(HEADER, &rep), LV_EINVAL);
	CHECK(has_error(&rep, "no rows", NULL));
	CHECK_INT(catalog_csv_parse(HEADER, strlen(HEADER), "XYZ", &loader, NULL,
				    &rep), LV_EINVAL);
	CHECK(has_error(&rep, "currency \"XYZ\"", NULL));
	catalog_import_report_cleanup(&rep);
}

static void test_column_count_and_quoting(void)
{
	struct catalog_import_report rep;

	catalog_import_report_init(&rep);
	CHECK_INT(parse(HEADER ROW_OK "A,S,,,1.00,1\n"
			ROW_OK "B,M,,,1.00,1,,extra\n", &rep), LV_EINVAL);
	CHECK(has_error(&rep, "line 2: has 13 values, but the header has 14", NULL));
	CHECK(has_error(&rep, "line 3: has 15 values", NULL));
	CHECK_INT(parse(HEADER ROW_OK "A,S,,,1.00,1,\n"
			ROW_OK "B,M,\"Navy\"x,,1.00,1,\n", &rep), LV_EINVAL);
	CHECK(has_error(&rep, "line 3: the quoting is broken", NULL));
	CHECK_INT(parse(HEADER ROW_OK "A,S,,,1.00,1,\n"
			ROW_OK "B,M,\"Navy,,1.00,1,\n\n", &rep), LV_EINVAL);
	CHECK(has_error(&rep, "ends inside a quoted value", NULL));
	catalog_import_report_cleanup(&rep);
}

static void test_bad_values(void)
{
	struct catalog_import_report rep;

	catalog_import_report_init(&rep);
	CHECK_INT(parse(HEADER
			ROW_OK "A,S,,,\"24,90\",1,\n"
			ROW_OK "B,M,,,24.90,-3,\n"
			ROW_OK "C,L,,,-1,2.5,\n"
			ROW_OK "D,XL,,,,,\n"
			"Uniforms,Uniforms,shirt,Shirt,,,0,E,XXL,,,1,1,\n"
			"uniforms,Uniforms,Navy Shirt,Shirt,,,yes,F G,,,,1,1,\n"
			"uniforms,Uniforms,tie,Tie,,Logo Wear,0,H,,,,1,1,../x.svg\n",
			&rep), LV_EINVAL);
	dump(&rep);
	CHECK(has_error(&rep, "line 2, column price: \"24,90\" is not a price (use \"24.90\")", NULL));
	CHECK(has_error(&rep, "line 3, column stock: \"-3\" is negative", NULL));
	CHECK(has_error(&rep, "line 4, column price: \"-1\" is negative", NULL));
	CHECK(has_error(&rep, "line 4, column stock: \"2.5\" is not a whole number", NULL));
	CHECK(has_error(&rep, "line 5, column price: is empty", NULL));
	CHECK(has_error(&rep, "line 5, column stock: is empty", NULL));
	CHECK(has_error(&rep, "line 6, column category: \"Uniforms\" is not a slug", NULL));
	CHECK(has_error(&rep, "line 7, column product_slug: \"Navy Shirt\" is not a slug", NULL));
	CHECK(has_error(&rep, "line 7, column restricted: \"yes\" must be 0, 1", NULL));
	CHECK(has_error(&rep, "line 7, column sku: \"F G\" is not a SKU", NULL));
	CHECK(has_error(&rep, "line 8, column tags: \"Logo Wear\" is not a tag", NULL));
	CHECK(has_error(&rep, "line 8, column image: \"../x.svg\" is not a picture file name", NULL));
	CHECK_INT(rep.n_errors, 12);
	catalog_import_report_cleanup(&rep);
}

static void test_duplicates_and_consistency(void)
{
	struct catalog_import_report rep;

	catalog_import_report_init(&rep);
	CHECK_INT(parse(HEADER
			ROW_OK "A,S,Navy,,1.00,1,\n"
			ROW_OK "A,M,Navy,,1.00,1,\n"
			ROW_OK "B,S,Navy,,1.00,1,\n"
			"uniforms,Uniforms,shirt,Shirts!,,,0,C,L,,,1.00,1,\n"
			"uniforms,Uniforms,shirt,Shirt,,,1,D,XL,,,1.00,1,\n"
			"outerwear,Outerwear,shirt,Shirt,,,0,E,XXL,,,1.00,1,\n"
			"uniforms,Uniform,tie,Tie,,,0,F,,,,1.00,1,\n",
			&rep), LV_EINVAL);
	dump(&rep);
	CHECK(has_error(&rep, "line 3, column sku: \"A\" is already used on line 2", NULL));
	CHECK(has_error(&rep, "line 4: product \"shirt\" already has a variant with size \"S\", colour \"Navy\", fit \"\" and logo \"\" (line 2)", NULL));
	CHECK(has_error(&rep, "line 5, column product_name: \"Shirts!\" differs from \"Shirt\" on line 2", NULL));
	CHECK(has_error(&rep, "line 6, column restricted: \"1\" differs from \"0\" on line 2", NULL));
	CHECK(has_error(&rep, "line 7, column category: \"outerwear\" differs from \"uniforms\" on line 2", NULL));
	CHECK(has_error(&rep, "line 8, column category_name: \"Uniform\" differs from \"Uniforms\" given for category \"uniforms\" on line 2", NULL));
	CHECK_INT(rep.n_errors, 6);
	catalog_import_report_cleanup(&rep);
}

static void test_text_checks(void)
{
	struct catalog_import_report rep;
	char text[8192];
	char longname[200];

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	catalog_import_report_init(&rep);
	snprintf(text, sizeof(text), HEADER
		 ROW_OK "A,S,Bad\xc3(,,1.00,1,\n"
		 ROW_OK "B,M,Nav\x01y,,1.00,1,\n"
		 "uniforms,Uniforms,shirt2,%s,,,0,C,L,,,1.00,1,\n"
		 "uniforms,Uniforms,shirt3,Shirt,\"two\n\tlines\",,0,D,,,,1.00,1,\n"
		 "uniforms,Uniforms,shirt4,,,,0,E,,,,1.00,1,\n",
		 longname);
	CHECK_INT(parse(text, &rep), LV_EINVAL);
	dump(&rep);
	CHECK(has_error(&rep, "line 2, column colour: is not valid UTF-8", NULL));
	CHECK(has_error(&rep, "line 3, column colour: contains a control character", NULL));
	CHECK(has_error(&rep, "line 4, column product_name: is too long (199 bytes; at most 120)", NULL));
	/* the description's line break is fine; the row's errors name the
	 * line each value is on */
	CHECK(has_error(&rep, "line 7, column product_name: is empty", NULL));
	CHECK_INT(rep.n_errors, 4);
	catalog_import_report_cleanup(&rep);
}

static void test_images(void)
{
	struct catalog_import_report rep;

	catalog_import_report_init(&rep);
	CHECK_INT(parse(HEADER
			ROW_OK "A,S,,,1.00,1,missing.svg\n"
			ROW_OK "B,M,,,1.00,1,missing.svg\n"
			ROW_OK "C,L,,,1.00,1,evil.svg\n"
			ROW_OK "D,XL,,,1.00,1,fake.png\n"
			ROW_OK "E,XXL,,,1.00,1,photo.png\n"
			ROW_OK "F,XS,,,1.00,1,x.gif\n",
			&rep), LV_EINVAL);
	dump(&rep);
	CHECK(has_error(&rep, "line 2, column image: \"missing.svg\": there is no such file", NULL));
	CHECK(has_error(&rep, "line 4, column image: \"evil.svg\" contains \"<script\"", NULL));
	CHECK(has_error(&rep, "line 5, column image: \"fake.png\" holds image/svg+xml content", NULL));
	CHECK(has_error(&rep, "line 7, column image: \"x.gif\" is not a picture file name", NULL));
	CHECK_INT(rep.n_errors, 4); /* the missing file is reported once */
	/* without a loader only the names are checked */
	catalog_import_report_cleanup(&rep);
	catalog_import_report_init(&rep);
	{
		static const char text[] = HEADER ROW_OK "A,S,,,1.00,1,missing.svg\n";

		CHECK_INT(catalog_csv_parse(text, sizeof(text) - 1, "EUR", NULL,
					    NULL, &rep), LV_OK);
	}
	catalog_import_report_cleanup(&rep);
}

static void test_many_errors_are_capped(void)
{
	struct catalog_import_report rep;
	struct lv_buf b;
	int i;

	lv_buf_init(&b, 1 << 20);
	lv_buf_append_str(&b, HEADER);
	for (i = 0; i < CATALOG_CSV_MAX_ERRORS + 50; i++)
		lv_buf_printf(&b, ROW_OK "S%d,,,,x,1,\n", i);
	catalog_import_report_init(&rep);
	CHECK_INT(parse(lv_buf_str(&b), &rep), LV_EINVAL);
	CHECK_INT(rep.n_errors, CATALOG_CSV_MAX_ERRORS + 1);
	CHECK(has_error(&rep, "... and 50 more errors", NULL));
	catalog_import_report_cleanup(&rep);
	lv_buf_cleanup(&b);
}

int main(void)
{
	LV_RUN(test_price_parse);
	LV_RUN(test_price_format);
	LV_RUN(test_fts_query);
	LV_RUN(test_helpers);
	LV_RUN(test_image_check);
	LV_RUN(test_good_file);
	LV_RUN(test_logo_column);
	LV_RUN(test_bad_header);
	LV_RUN(test_column_count_and_quoting);
	LV_RUN(test_bad_values);
	LV_RUN(test_duplicates_and_consistency);
	LV_RUN(test_text_checks);
	LV_RUN(test_images);
	LV_RUN(test_many_errors_are_capped);
	return lv_test_done();
}
