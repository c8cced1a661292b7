/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * chart.c - horizontal and grouped vertical bar charts as SVG (see
 * chart.h).
 *
 * The drawing works in a fixed coordinate system (viewBox 640 wide) that
 * the style sheet scales to the page's width. Text widths are estimated
 * (7 units a character at the 12px the theme gives chart text), which is
 * enough to size the label column and to decide which period labels fit
 * under their group; a label longer than CHART_LABEL_CHARS characters is
 * cut with an ellipsis, its whole text kept in its bar's <title>. The value
 * axis runs from 0 to a "nice" maximum (1, 2 or 5 times a power of ten a
 * step, four steps or so).
 */
#include "chart.h"

#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"

#define CHART_W 640
#define CHART_CHAR_W 7       /* estimated width of a character of chart text */
#define CHART_LABEL_CHARS 28 /* longer labels are cut */
#define CHART_LEGEND_CHARS 40 /* longer series names are cut in the legend */
#define CHART_VALUE_MAX 64   /* bytes of one formatted value */
#define CHART_LEGEND_ROW 20  /* height of a row of the legend */

static const char *const series_class[CHART_SERIES_MAX] = {
	"chart-bar", "chart-bar-alt", "chart-bar-s2", "chart-bar-s3",
};

/* ------------------------------------------------------------------ */
/* Text.                                                              */

/*
 * Length of the UTF-8 sequence at s (n bytes left) when it is valid and
 * a character XML allows, else 0.
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, past U+10FFFF, U+FFFE and U+FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return len;
}

/*
 * Appends s sanitised for XML (not escaped) to clean: at most max_chars
 * characters (0: all), a text cut short ending with an ellipsis.
 */
static int text_clean(struct lv_buf *clean, const char *s, size_t max_chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i, len, chars = 0, total = 0;
	int rc = LV_OK;

	for (i = 0; i < n; i += len, total++)
		len = utf8_len(p + i, n - i) ? utf8_len(p + i, n - i) : 1;
	for (i = 0; i < n && rc == LV_OK; i += len, chars++) {
		if (max_chars && total > max_chars && chars == max_chars - 1) {
			rc = lv_buf_append_str(clean, "\xe2\x80\xa6");
			break;
		}
		len = utf8_len(p + i, n - i);
		if (len == 0) {
			rc = lv_buf_append_str(clean, "\xef\xbf\xbd");
			len = 1;
		} else if (len == 1 && p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r') {
			rc = lv_buf_append_char(clean, ' ');
		} else {
			rc = lv_buf_append(clean, p + i, len);
		}
	}
	return rc;
}

/* Appends s (up to max_chars characters, 0: all) sanitised and escaped. */
static int text_put(struct lv_buf *out, const char *s, size_t max_chars)
{
	struct lv_buf clean;
	int rc;

	if (s == NULL)
		return LV_OK;
	lv_buf_init(&clean, 4 * strlen(s) + 8);
	rc = text_clean(&clean, s, max_chars);
	if (rc == LV_OK)
		rc = lv_buf_append_html(out, lv_buf_str(&clean), clean.len);
	lv_buf_cleanup(&clean);
	return rc;
}

int chart_xml_escape(struct lv_buf *out, const char *s)
{
	return text_put(out, s, 0);
}

/* Characters in s (UTF-8), at most max. */
static size_t text_chars_max(const char *s, size_t max)
{
	size_t n = 0;

	for (; s && *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n < max ? n : max;
}

static size_t text_chars(const char *s)
{
	return text_chars_max(s, CHART_LABEL_CHARS);
}

static void value_fmt(const struct chart *c, int64_t v, char *buf, size_t len)
{
	if (c->fmt != NULL)
		c->fmt(c->fmt_arg, v, buf, len);
	else
		lv_snprintf(buf, len, "%lld", (long long)v);
}

/* ------------------------------------------------------------------ */
/* Shapes.                                                            */

static int64_t value_at(const struct chart *c, size_t g, size_t s)
{
	int64_t v = c->values[g * c->nseries + s];

	return v > 0 ? v : 0;
}

static size_t groups_n(const struct chart *c)
{
	return c->ngroups < CHART_GROUPS_MAX ? c->ngroups : CHART_GROUPS_MAX;
}

static int64_t values_max(const struct chart *c)
{
	int64_t m = 0;
	size_t g, s;

	for (g = 0; g < groups_n(c); g++)
		for (s = 0; s < c->nseries; s++)
			if (value_at(c, g, s) > m)
				m = value_at(c, g, s);
	return m;
}

/*
 * The value axis: a step of 1, 2 or 5 times a power of ten such that four
 * steps or fewer cover max. OUT: *top, the axis's end (a multiple of the
 * step, >= max). max < 1 counts as 1.
 */
static int64_t nice_step(int64_t max, int64_t *top)
{
	int64_t target, mag = 1, step;

	if (max < 1)
		max = 1;
	target = max / 4 + (max % 4 != 0);
	while (mag <= target / 10)
		mag *= 10;
	if (mag >= target)
		step = mag;
	else if (2 * mag >= target)
		step = 2 * mag;
	else if (5 * mag >= target)
		step = 5 * mag;
	else
		step = 10 * mag;
	*top = (max / step + (max % step != 0)) * step;
	return step;
}

/* <svg ...><title>: the opening every chart shares. */
static int svg_open(struct lv_buf *out, const struct chart *c, int w, int h, const char *summary)
{
	int rc = lv_buf_printf(out, "<svg class=\"chart-svg\" xmlns=\"http://www.w3.org/2000/svg\""
				    " viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", w, h);

	if (rc == LV_OK)
		rc = text_put(out, summary, 0);
	if (rc == LV_OK)
		rc = lv_buf_append_str(out, "\"><title>");
	if (rc == LV_OK)
		rc = text_put(out, c->title, 0);
	if (rc == LV_OK)
		rc = lv_buf_append_str(out, "</title>");
	return rc;
}

/* A chart with nothing to draw: its title and the empty sentence, centred. */
static int svg_empty(struct lv_buf *out, const struct chart *c)
{
	const char *empty = c->empty ? c->empty : "";
	int rc = svg_open(out, c, CHART_W, 80, *empty ? empty : c->summary);

	if (rc == LV_OK)
		rc = lv_buf_printf(out, "<text class=\"chart-label\" x=\"%d\" y=\"44\""
					" text-anchor=\"middle\">", CHART_W / 2);
	if (rc == LV_OK)
		rc = text_put(out, empty, 0);
	if (rc == LV_OK)
		rc = lv_buf_append_str(out, "</text></svg>");
	return rc;
}

/* Width of a legend item: its swatch, its name and the space after it. */
static int legend_item_w(const char *name)
{
	size_t chars = text_chars_max(name, CHART_LEGEND_CHARS);

	return 16 + (int)chars * CHART_CHAR_W + 20;
}

/*
 * The legend (two or more series) along the top from x0, on as many rows
 * of CHART_LEGEND_ROW as it needs. Draws it when out is not NULL. Returns
 * the number of rows (0 for a single series).
 */
static int legend(struct lv_buf *out, const struct chart *c, int x0, int *rc)
{
	int x = x0, rows = 1;
	size_t s;

	if (c->nseries < 2)
		return 0;
	if (out != NULL && *rc == LV_OK)
		*rc = lv_buf_append_str(out, "<g class=\"chart-legend\">");
	for (s = 0; s < c->nseries; s++) {
		int w = legend_item_w(c->series[s]), y;

		if (x > x0 && x + w > CHART_W) {
			x = x0;
			rows++;
		}
		y = 6 + (rows - 1) * CHART_LEGEND_ROW;
		if (out != NULL && *rc == LV_OK)
			*rc = lv_buf_printf(out, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"12\""
						 " height=\"12\"/><text class=\"chart-label\" x=\"%d\""
						 " y=\"%d\">", series_class[s], x, y, x + 16, y + 10);
		if (out != NULL && *rc == LV_OK)
			*rc = text_put(out, c->series[s], CHART_LEGEND_CHARS);
		if (out != NULL && *rc == LV_OK)
			*rc = lv_buf_append_str(out, "</text>");
		x += w;
	}
	if (out != NULL && *rc == LV_OK)
		*rc = lv_buf_append_str(out, "</g>");
	return rows;
}

/* A bar with its title "label, series: value" (series left out when there is one). */
static int bar(struct lv_buf *out, const struct chart *c, size_t g, size_t s, double x, double y,
	       double w, double h, const char *value)
{
	int rc = lv_buf_printf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
				    " height=\"%.1f\"><title>", series_class[s], x, y, w, h);

	if (rc == LV_OK)
		rc = text_put(out, c->labels[g], 0);
	if (rc == LV_OK && c->nseries > 1) {
		rc = lv_buf_append_str(out, ", ");
		if (rc == LV_OK)
			rc = text_put(out, c->series[s], 0);
	}
	if (rc == LV_OK)
		rc = lv_buf_append_str(out, ": ");
	if (rc == LV_OK)
		rc = text_put(out, value, 0);
	if (rc == LV_OK)
		rc = lv_buf_append_str(out, "</title></rect>");
	return rc;
}

static int chart_check(const struct chart *c)
{
	if (c->nseries < 1 || c->nseries > CHART_SERIES_MAX || c->title == NULL ||
	    c->summary == NULL || c->series == NULL || (c->ngroups > 0 &&
	    (c->labels == NULL || c->values == NULL)))
		return LV_EINVAL;
	return LV_OK;
}

int chart_hbar(const struct chart *c, struct lv_buf *out)
{
	size_t ng = groups_n(c), g, s, chars, label_chars = 0, value_chars = 0;
	int label_w, value_w, x0, plot_w, top, row_h, h, rc;
	int64_t max, top_v, step, t;
	char v[CHART_VALUE_MAX];

	rc = chart_check(c);
	if (rc != LV_OK)
		return rc;
	max = values_max(c);
	if (ng == 0 || max == 0)
		return svg_empty(out, c);
	step = nice_step(max, &top_v);
	for (g = 0; g < ng; g++) {
		chars = text_chars(c->labels[g]);
		label_chars = chars > label_chars ? chars : label_chars;
		for (s = 0; s < c->nseries; s++) {
			value_fmt(c, c->values[g * c->nseries + s], v, sizeof(v));
			chars = text_chars(v);
			value_chars = chars > value_chars ? chars : value_chars;
		}
	}
	label_w = (int)label_chars * CHART_CHAR_W + 8;
	label_w = label_w < 60 ? 60 : label_w > 220 ? 220 : label_w;
	value_w = (int)value_chars * CHART_CHAR_W + 12;
	value_w = value_w < 40 ? 40 : value_w > 160 ? 160 : value_w;
	x0 = label_w + 8;
	plot_w = CHART_W - x0 - value_w;
	top = 8 + legend(NULL, c, x0, &rc) * CHART_LEGEND_ROW + (c->nseries > 1 ? 6 : 0);
	row_h = (int)c->nseries * 16 + 10;
	h = top + (int)ng * row_h + 28;

	rc = svg_open(out, c, CHART_W, h, c->summary);
	legend(out, c, x0, &rc);
	/* the value axis: grid lines and their labels under the bars */
	for (t = 0; t <= top_v && rc == LV_OK; t += step) {
		double x = x0 + (double)plot_w * (double)t / (double)top_v;

		value_fmt(c, t, v, sizeof(v));
		rc = lv_buf_printf(out, "<line class=\"chart-grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\""
					" y2=\"%d\"/><text class=\"chart-label\" x=\"%.1f\" y=\"%d\""
					" text-anchor=\"middle\">", x, top, x, top + (int)ng * row_h,
				   x, h - 8);
		if (rc == LV_OK)
			rc = text_put(out, v, 0);
		if (rc == LV_OK)
			rc = lv_buf_append_str(out, "</text>");
	}
	for (g = 0; g < ng && rc == LV_OK; g++) {
		int y = top + (int)g * row_h;

		rc = lv_buf_printf(out, "<text class=\"chart-label\" x=\"%d\" y=\"%d\""
					" text-anchor=\"end\" dy=\"0.35em\">", label_w,
				   y + row_h / 2);
		if (rc == LV_OK)
			rc = text_put(out, c->labels[g], CHART_LABEL_CHARS);
		if (rc == LV_OK)
			rc = lv_buf_append_str(out, "</text>");
		for (s = 0; s < c->nseries && rc == LV_OK; s++) {
			double w = (double)plot_w * (double)value_at(c, g, s) / (double)top_v;
			double by = y + 5 + (double)s * 16;

			value_fmt(c, c->values[g * c->nseries + s], v, sizeof(v));
			rc = bar(out, c, g, s, x0, by, w, 14, v);
			if (rc == LV_OK)
				rc = lv_buf_printf(out, "<text class=\"chart-value\" x=\"%.1f\""
							" y=\"%.1f\" dy=\"0.35em\">", x0 + w + 6,
						   by + 7);
			if (rc == LV_OK)
				rc = text_put(out, v, 0);
			if (rc == LV_OK)
				rc = lv_buf_append_str(out, "</text>");
		}
	}
	if (rc == LV_OK)
		rc = lv_buf_printf(out, "<line class=\"chart-axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\""
					" y2=\"%d\"/></svg>", x0, top, x0, top + (int)ng * row_h);
	return rc;
}

int chart_vbar(const struct chart *c, struct lv_buf *out)
{
	size_t ng = groups_n(c), g, s, chars, label_chars = 0, tick_chars = 0, every;
	int x0, x1, y0, y1, rc, h = 300;
	int64_t max, top_v, step, t;
	double gw, bw;
	char v[CHART_VALUE_MAX];

	rc = chart_check(c);
	if (rc != LV_OK)
		return rc;
	max = values_max(c);
	if (ng == 0 || max == 0)
		return svg_empty(out, c);
	step = nice_step(max, &top_v);
	for (t = 0; t <= top_v; t += step) {
		value_fmt(c, t, v, sizeof(v));
		chars = text_chars(v);
		tick_chars = chars > tick_chars ? chars : tick_chars;
	}
	for (g = 0; g < ng; g++) {
		chars = text_chars(c->labels[g]);
		label_chars = chars > label_chars ? chars : label_chars;
	}
	x0 = (int)tick_chars * CHART_CHAR_W + 14;
	x0 = x0 < 40 ? 40 : x0 > 140 ? 140 : x0;
	x1 = CHART_W - 10;
	y0 = 12 + legend(NULL, c, x0, &rc) * CHART_LEGEND_ROW + (c->nseries > 1 ? 6 : 0);
	y1 = h - 36;
	gw = (double)(x1 - x0) / (double)ng;
	bw = gw * 0.8 / (double)c->nseries;
	/* label every `every`-th group so that labels do not run into each other */
	every = (size_t)(((double)label_chars * CHART_CHAR_W + 10) / gw) + 1;

	rc = svg_open(out, c, CHART_W, h, c->summary);
	legend(out, c, x0, &rc);
	for (t = 0; t <= top_v && rc == LV_OK; t += step) {
		double y = y1 - (double)(y1 - y0) * (double)t / (double)top_v;

		value_fmt(c, t, v, sizeof(v));
		rc = lv_buf_printf(out, "<line class=\"chart-grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\""
					" y2=\"%.1f\"/><text class=\"chart-label\" x=\"%d\" y=\"%.1f\""
					" text-anchor=\"end\" dy=\"0.35em\">", x0, y, x1, y, x0 - 6, y);
		if (rc == LV_OK)
			rc = text_put(out, v, 0);
		if (rc == LV_OK)
			rc = lv_buf_append_str(out, "</text>");
	}
	for (g = 0; g < ng && rc == LV_OK; g++) {
		double gx = x0 + gw * (double)g;

		for (s = 0; s < c->nseries && rc == LV_OK; s++) {
			double bh = (double)(y1 - y0) * (double)value_at(c, g, s) / (double)top_v;
			double bx = gx + gw * 0.1 + bw * (double)s;

			value_fmt(c, c->values[g * c->nseries + s], v, sizeof(v));
			rc = bar(out, c, g, s, bx, y1 - bh, bw, bh, v);
			/* values above the bars when they fit */
			if (rc == LV_OK && bw >= (double)text_chars(v) * 6.0) {
				rc = lv_buf_printf(out, "<text class=\"chart-value\" x=\"%.1f\""
							" y=\"%.1f\" text-anchor=\"middle\">",
						   bx + bw / 2, y1 - bh - 4);
				if (rc == LV_OK)
					rc = text_put(out, v, 0);
				if (rc == LV_OK)
					rc = lv_buf_append_str(out, "</text>");
			}
		}
		if (rc == LV_OK && g % every == 0) {
			rc = lv_buf_printf(out, "<text class=\"chart-label\" x=\"%.1f\" y=\"%d\""
						" text-anchor=\"middle\">", gx + gw / 2, y1 + 18);
			if (rc == LV_OK)
				rc = text_put(out, c->labels[g], CHART_LABEL_CHARS);
			if (rc == LV_OK)
				rc = lv_buf_append_str(out, "</text>");
		}
	}
	if (rc == LV_OK)
		rc = lv_buf_printf(out, "<line class=\"chart-axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\""
					" y2=\"%d\"/><line class=\"chart-axis\" x1=\"%d\" y1=\"%d\""
					" x2=\"%d\" y2=\"%d\"/></svg>", x0, y1, x1, y1, x0, y0, x0,
				   y1);
	return rc;
}
