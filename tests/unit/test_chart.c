/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_chart.c - the SVG bar charts (store/face/chart.c): every chart is
 * well-formed XML (checked by a small parser here: balanced elements,
 * quoted attributes, known entities only, valid UTF-8, no character XML
 * forbids), one <svg> with role="img", an aria-label and a <title>; labels
 * that carry markup, quotes, control characters or broken UTF-8 come out
 * escaped and clean; long labels are cut with their whole text kept in
 * the bar's title; the value axis steps are round numbers; the series
 * take the theme's classes and no style attribute appears; a legend too
 * wide for one row wraps; empty data
 * (no item, or only zeros) gives a small chart that says so; bad
 * arguments and a full buffer are errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "lv_buf.h"
#include "lv_err.h"
#include "lv_mem.h"
#include "lv_test.h"

/* ---- a small XML well-formedness checker ---- */

static int name_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
}

/* An entity reference at s ("&...;"). OUT: *len. */
static int entity_ok(const char *s, size_t *len)
{
	static const char *const named[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;" };
	size_t i;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strncmp(s, named[i], strlen(named[i])) == 0) {
			*len = strlen(named[i]);
			return 1;
		}
	if (s[1] == '#') {
		i = 2;
		if (s[2] == 'x')
			for (i = 3; strchr("0123456789abcdefABCDEF", s[i]) && s[i]; i++)
				;
		else
			for (; s[i] >= '0' && s[i] <= '9'; i++)
				;
		if (i > 2 && s[i] == ';') {
			*len = i + 1;
			return 1;
		}
	}
	return 0;
}

/* Valid UTF-8 without the control characters XML 1.0 forbids. */
static int chars_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n, i;

		if (*p < 0x80) {
			if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
				return 0;
			p++;
			continue;
		}
		n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 ? 2 : 0;
		if (n == 0 || *p > 0xf4)
			return 0;
		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += n;
	}
	return 1;
}

/* 1 when doc is one well-formed element whose name is root. why says what is wrong. */
static int xml_well_formed(const char *doc, const char *root, char *why, size_t whylen)
{
	const char *stack[64], *p = doc;
	size_t slen[64], depth = 0, roots = 0, len;

	why[0] = '\0';
	if (!chars_ok(doc)) {
		lv_snprintf(why, whylen, "not UTF-8, or a forbidden character");
		return 0;
	}
	while (*p) {
		if (*p == '&') {
			if (!entity_ok(p, &len)) {
				lv_snprintf(why, whylen, "bad entity at %.20s", p);
				return 0;
			}
			p += len;
			continue;
		}
		if (*p != '<') {
			if (depth == 0 && *p != ' ' && *p != '\n') {
				lv_snprintf(why, whylen, "text outside the root: %.20s", p);
				return 0;
			}
			p++;
			continue;
		}
		if (p[1] == '/') {
			const char *n = p + 2;

			for (len = 0; name_char(n[len], len == 0); len++)
				;
			if (depth == 0 || len != slen[depth - 1] ||
			    strncmp(n, stack[depth - 1], len) != 0 || n[len] != '>') {
				lv_snprintf(why, whylen, "unbalanced close at %.30s", p);
				return 0;
			}
			depth--;
			p = n + len + 1;
			continue;
		}
		/* an opening tag */
		p++;
		for (len = 0; name_char(p[len], len == 0); len++)
			;
		if (len == 0) {
			lv_snprintf(why, whylen, "bad tag at %.20s", p - 1);
			return 0;
		}
		if (depth == 0 && (roots++ > 0 || strncmp(p, root, len) != 0 || strlen(root) != len)) {
			lv_snprintf(why, whylen, "second root or wrong root at %.20s", p - 1);
			return 0;
		}
		if (depth == 64) {
			lv_snprintf(why, whylen, "too deep");
			return 0;
		}
		stack[depth] = p;
		slen[depth] = len;
		p += len;
		for (;;) {
			const char *a;
			size_t alen;

			while (*p == ' ' || *p == '\n' || *p == '\t')
				p++;
			if (*p == '>') {
				depth++;
				p++;
				break;
			}
			if (p[0] == '/' && p[1] == '>') {
				p += 2;
				break;
			}
			a = p;
			for (alen = 0; name_char(a[alen], alen == 0); alen++)
				;
			if (alen == 0 || a[alen] != '=' || a[alen + 1] != '"') {
				lv_snprintf(why, whylen, "bad attribute at %.30s", a);
				return 0;
			}
			p = a + alen + 2;
			while (*p && *p != '"') {
				if (*p == '<') {
					lv_snprintf(why, whylen, "< in an attribute at %.30s", a);
					return 0;
				}
				if (*p == '&') {
					if (!entity_ok(p, &len)) {
						lv_snprintf(why, whylen, "bad entity in %.30s", a);
						return 0;
					}
					p += len;
					continue;
				}
				p++;
			}
			if (*p != '"') {
				lv_snprintf(why, whylen, "unterminated attribute %.30s", a);
				return 0;
			}
			p++;
		}
	}
	if (depth != 0 || roots != 1) {
		lv_snprintf(why, whylen, "unclosed elements (%zu) or no root", depth);
		return 0;
	}
	return 1;
}

static void check_svg(const char *svg)
{
	char why[160];
	int ok = xml_well_formed(svg, "svg", why, sizeof(why));

	if (!ok)
		fprintf(stderr, "not well-formed: %s\n%s\n", why, svg);
	CHECK(ok);
	CHECK(strncmp(svg, "<svg ", 5) == 0);
	CHECK(strstr(svg, " role=\"img\"") != NULL);
	CHECK(strstr(svg, " aria-label=\"") != NULL);
	CHECK(strstr(svg, "\"><title>") != NULL);
	CHECK(strstr(svg, "style=") == NULL);
	CHECK(strstr(svg, "<script") == NULL);
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
}

/* "€12.34" from cents, for the fmt hook. */
static void euros(void *arg, int64_t v, char *buf, size_t len)
{
	(*(int *)arg)++;
	lv_snprintf(buf, len, "\xe2\x82\xac%lld.%02lld", (long long)(v / 100),
		    (long long)(v % 100 < 0 ? -(v % 100) : v % 100));
}

static void test_hbar_escaped(void)
{
	static const char *const series[] = { "Spend <total>" };
	static const char *const labels[] = {
		"<script>alert(1)</script>", "R&D \"lab\" 'west'", "ctl\x01\x02\x63har",
		"bad \xff\xfe utf8", "Café crème",
	};
	static const int64_t values[] = { 5000, 4000, 300, 0, -5 };
	struct chart c = {
		.title = "Spend by <department>", .summary = "Five departments; R&D spent \"most\".",
		.empty = "Nothing", .series = series, .nseries = 1, .labels = labels,
		.values = values, .ngroups = 5,
	};
	struct lv_buf out;
	const char *s;

	lv_buf_init(&out, 1u << 20);
	CHECK_INT(chart_hbar(&c, &out), LV_OK);
	s = lv_buf_str(&out);
	check_svg(s);
	CHECK(strstr(s, "<script>") == NULL);
	CHECK(strstr(s, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL);
	CHECK(strstr(s, "R&amp;D &quot;lab&quot; &#39;west&#39;") != NULL);
	CHECK(strstr(s, "ctl  char") != NULL);
	CHECK(strstr(s, "bad \xef\xbf\xbd\xef\xbf\xbd utf8") != NULL);
	CHECK(strstr(s, "Café crème") != NULL);
	CHECK(strstr(s, "<title>Spend by &lt;department&gt;</title>") != NULL);
	CHECK(strstr(s, "aria-label=\"Five departments; R&amp;D spent &quot;most&quot;.\"") != NULL);
	/* one bar a label, one series: no legend */
	CHECK_INT(count(s, "<rect class=\"chart-bar\""), 5);
	CHECK_INT(count(s, "chart-legend"), 0);
	/* a value below zero is drawn as nothing but still said */
	CHECK(strstr(s, "width=\"0.0\" height=\"14.0\"><title>bad") != NULL);
	CHECK(strstr(s, ">-5</text>") != NULL);
	/* 5000 -> steps of 2000 up to 6000 */
	CHECK(strstr(s, ">0</text>") != NULL);
	CHECK(strstr(s, ">2000</text>") != NULL);
	CHECK(strstr(s, ">6000</text>") != NULL);
	CHECK(strstr(s, ">8000</text>") == NULL);
	lv_buf_cleanup(&out);
}

static void test_hbar_long_label(void)
{
	static const char *const series[] = { "Quantity" };
	static const char *const labels[] = {
		"Très long nom de produit qui ne tient pas dans la colonne", "Short",
	};
	static const int64_t values[] = { 12, 3 };
	struct chart c = {
		.title = "Top products", .summary = "Two products.", .series = series,
		.nseries = 1, .labels = labels, .values = values, .ngroups = 2,
	};
	struct lv_buf out;
	const char *s;

	lv_buf_init(&out, 1u << 20);
	CHECK_INT(chart_hbar(&c, &out), LV_OK);
	s = lv_buf_str(&out);
	check_svg(s);
	/* cut at 27 characters and an ellipsis in the label; whole in the bar's title */
	CHECK(strstr(s, ">Très long nom de produit qu\xe2\x80\xa6</text>") != NULL);
	CHECK(strstr(s, "<title>Très long nom de produit qui ne tient pas dans la colonne: 12</title>") !=
	      NULL);
	CHECK(strstr(s, ">Short</text>") != NULL);
	lv_buf_cleanup(&out);
}

static void test_vbar_grouped(void)
{
	static const char *const series[] = { "Allowances", "Overage" };
	static const char *const labels[] = {
		"2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
		"2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12",
	};
	int64_t values[24];
	int calls = 0;
	struct chart c = {
		.title = "Spend per month", .summary = "Twelve months.", .series = series,
		.nseries = 2, .labels = labels, .values = values, .ngroups = 12, .fmt = euros,
		.fmt_arg = &calls,
	};
	struct lv_buf out;
	const char *s;
	size_t i;

	for (i = 0; i < 24; i++)
		values[i] = (int64_t)(i + 1) * 1000;
	lv_buf_init(&out, 1u << 20);
	CHECK_INT(chart_vbar(&c, &out), LV_OK);
	s = lv_buf_str(&out);
	check_svg(s);
	/* the legend's two swatches, then one bar a month and series */
	CHECK_INT(count(s, "<rect class=\"chart-bar\""), 13);
	CHECK_INT(count(s, "<rect class=\"chart-bar-alt\""), 13);
	CHECK_INT(count(s, "chart-legend"), 1);
	CHECK(strstr(s, ">Allowances</text>") != NULL);
	CHECK(strstr(s, "<title>2026-12, Overage: \xe2\x82\xac" "240.00</title>") != NULL);
	/* the axis: 24000 in steps of 10000 up to 30000, formatted by the hook */
	CHECK(strstr(s, ">\xe2\x82\xac" "100.00</text>") != NULL);
	CHECK(strstr(s, ">\xe2\x82\xac" "300.00</text>") != NULL);
	CHECK(calls > 24);
	CHECK(strstr(s, ">2026-01</text>") != NULL);
	lv_buf_cleanup(&out);
}

static void test_vbar_many_groups(void)
{
	static const char *const series[] = { "Orders" };
	const char *labels[120];
	int64_t values[120];
	char names[120][16];
	struct chart c = {
		.title = "Orders", .summary = "Ten years.", .series = series, .nseries = 1,
		.labels = labels, .values = values, .ngroups = 120,
	};
	struct lv_buf out;
	const char *s;
	size_t i;

	for (i = 0; i < 120; i++) {
		lv_snprintf(names[i], sizeof(names[i]), "%zu-%02zu", 2017 + i / 12, i % 12 + 1);
		labels[i] = names[i];
		values[i] = (int64_t)(i % 7);
	}
	lv_buf_init(&out, 1u << 20);
	CHECK_INT(chart_vbar(&c, &out), LV_OK);
	s = lv_buf_str(&out);
	check_svg(s);
	CHECK_INT(count(s, "<rect class=\"chart-bar\""), 120);
	/* not every month is labelled when they do not fit */
	CHECK(strstr(s, ">2017-01</text>") != NULL);
	CHECK(count(s, "text-anchor=\"middle\">20") < 60);
	lv_buf_cleanup(&out);
}

/* A legend too wide for one row goes on to the next, and the bars start below it. */
static void test_legend_rows(void)
{
	static const char *const series[] = {
		"Granted to every employee this period", "Carried over from the period before",
		"Spent, net of refunds", "Expired at the end of the period, all of it and more",
	};
	static const char *const labels[] = { "2026" };
	static const int64_t values[] = { 10, 5, 4, 1 };
	struct chart c = {
		.title = "Legend", .summary = "Four series.", .series = series, .nseries = 4,
		.labels = labels, .values = values, .ngroups = 1,
	};
	struct lv_buf out;
	const char *s;

	lv_buf_init(&out, 1u << 20);
	CHECK_INT(chart_vbar(&c, &out), LV_OK);
	s = lv_buf_str(&out);
	check_svg(s);
	CHECK(strstr(s, "<rect class=\"chart-bar\" x=\"") != NULL);
	/* the third swatch starts the second row */
	CHECK(strstr(s, "<rect class=\"chart-bar-s2\" x=\"") != NULL &&
	      strstr(strstr(s, "<rect class=\"chart-bar-s2\""), "y=\"26\"") != NULL);
	/* the fourth name is cut to 39 characters and an ellipsis in the legend */
	CHECK(strstr(s, ">Expired at the end of the period, all o\xe2\x80\xa6</text>") != NULL);
	/* and the whole name is in its bar's title */
	CHECK(strstr(s, "2026, Expired at the end of the period, all of it and more: 1</title>") != NULL);
	lv_buf_cleanup(&out);
}

static void test_empty(void)
{
	static const char *const series[] = { "Spend" };
	static const char *const labels[] = { "A", "B" };
	static const int64_t zeros[] = { 0, 0 };
	struct chart c = {
		.title = "Spend", .summary = "Spend by department.",
		.empty = "No orders in these dates.", .series = series, .nseries = 1,
	};
	struct lv_buf out;
	const char *s;

	lv_buf_init(&out, 1u << 20);
	CHECK_INT(chart_hbar(&c, &out), LV_OK);
	s = lv_buf_str(&out);
	check_svg(s);
	CHECK(strstr(s, ">No orders in these dates.</text>") != NULL);
	CHECK(strstr(s, "aria-label=\"No orders in these dates.\"") != NULL);
	CHECK(strstr(s, "<rect") == NULL);
	lv_buf_reset(&out);
	c.labels = labels;
	c.values = zeros;
	c.ngroups = 2;
	CHECK_INT(chart_vbar(&c, &out), LV_OK);
	s = lv_buf_str(&out);
	check_svg(s);
	CHECK(strstr(s, "<rect") == NULL);
	CHECK(strstr(s, ">No orders in these dates.</text>") != NULL);
	lv_buf_cleanup(&out);
}

static void test_errors(void)
{
	static const char *const series[] = { "a", "b", "c", "d", "e" };
	static const char *const labels[] = { "x" };
	static const int64_t values[] = { 1, 2, 3, 4, 5 };
	struct chart c = {
		.title = "t", .summary = "s", .series = series, .nseries = 0, .labels = labels,
		.values = values, .ngroups = 1,
	};
	struct lv_buf out;

	lv_buf_init(&out, 1u << 20);
	CHECK_INT(chart_hbar(&c, &out), LV_EINVAL);
	c.nseries = 5;
	CHECK_INT(chart_vbar(&c, &out), LV_EINVAL);
	c.nseries = 4;
	c.title = NULL;
	CHECK_INT(chart_vbar(&c, &out), LV_EINVAL);
	c.title = "t";
	CHECK_INT(chart_vbar(&c, &out), LV_OK);
	check_svg(lv_buf_str(&out));
	CHECK_INT(count(lv_buf_str(&out), "chart-bar-s3"), 2);
	lv_buf_cleanup(&out);
	/* the buffer's bound is an error, not a cut chart passed off as whole */
	lv_buf_init(&out, 200);
	CHECK_INT(chart_vbar(&c, &out), LV_ETOOBIG);
	lv_buf_cleanup(&out);
}

static void test_escape(void)
{
	struct lv_buf out;

	lv_buf_init(&out, 256);
	CHECK_INT(chart_xml_escape(&out, "a<b>&\"c\"'d'`e`\x7f\x1b\t\xc3\x28"), LV_OK);
	CHECK_STR(lv_buf_str(&out), "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;&#96;e&#96;\x7f \t\xef\xbf\xbd(");
	lv_buf_reset(&out);
	/* overlong '/', a surrogate, U+FFFF: each byte replaced */
	CHECK_INT(chart_xml_escape(&out, "\xc0\xaf|\xed\xa0\x80|\xef\xbf\xbf"), LV_OK);
	CHECK(xml_well_formed("<x>x</x>", "x", (char[8]){ 0 }, 8));
	CHECK(chars_ok(lv_buf_str(&out)));
	CHECK(strstr(lv_buf_str(&out), "\xed\xa0\x80") == NULL);
	CHECK(strstr(lv_buf_str(&out), "\xef\xbf\xbf") == NULL);
	CHECK_INT(chart_xml_escape(&out, NULL), LV_OK);
	lv_buf_cleanup(&out);
}

/* The checker itself must be able to fail. */
static void test_checker(void)
{
	char why[100];

	CHECK(xml_well_formed("<svg a=\"1\"><g><t>x &amp; y</t></g></svg>", "svg", why,
			      sizeof(why)));
	CHECK(!xml_well_formed("<svg><g></svg>", "svg", why, sizeof(why)));
	CHECK(!xml_well_formed("<svg a=1></svg>", "svg", why, sizeof(why)));
	CHECK(!xml_well_formed("<svg>a & b</svg>", "svg", why, sizeof(why)));
	CHECK(!xml_well_formed("<svg a=\"<\"></svg>", "svg", why, sizeof(why)));
	CHECK(!xml_well_formed("<svg></svg><svg></svg>", "svg", why, sizeof(why)));
	CHECK(!xml_well_formed("<svg>\x01</svg>", "svg", why, sizeof(why)));
	CHECK(!xml_well_formed("<svg>\xff</svg>", "svg", why, sizeof(why)));
}

int main(void)
{
	LV_RUN(test_checker);
	LV_RUN(test_escape);
	LV_RUN(test_hbar_escaped);
	LV_RUN(test_hbar_long_label);
	LV_RUN(test_vbar_grouped);
	LV_RUN(test_vbar_many_groups);
	LV_RUN(test_legend_rows);
	LV_RUN(test_empty);
	LV_RUN(test_errors);
	return lv_test_done();
}
