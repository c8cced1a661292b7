/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * chart.h - bar charts the server draws as inline SVG for the console's
 * reports: no external service, no script, nothing fetched.
 *
 * Two shapes: horizontal bars for ranked data (one row per item, the
 * largest first as the caller orders them) and grouped vertical bars for
 * periods (one group per period, one bar per series). Each chart carries
 * a <title>, role="img" and an aria-label with the caller's summary
 * sentence, axis labels and the values; every bar has its own <title>
 * ("label, series: value") for a pointer hovering it. Colours are not in
 * the SVG: bars and text carry the theme's classes (chart-bar,
 * chart-bar-alt, chart-bar-s2, chart-bar-s3 for the series in order;
 * chart-axis, chart-grid, chart-label, chart-value), so a brand's colours
 * apply. There is no style attribute.
 *
 * Every text that reaches the SVG goes through chart_xml_escape(). The
 * result is an XML fragment that the page includes as it is (a reviewed
 * raw {{{ }}} in the template): the templates must never get it from
 * anywhere else.
 */
#ifndef LV_CHART_H
#define LV_CHART_H

#include <stddef.h>
#include <stdint.h>

#include "lv_buf.h"

#define CHART_SERIES_MAX 4
#define CHART_GROUPS_MAX 400 /* more groups are left out (the table has them all) */

/* Writes value as people read it ("€1,234.50", "12") into buf (len bytes). */
typedef void (*chart_fmt_fn)(void *arg, int64_t value, char *buf, size_t len);

struct chart {
	const char *title;         /* the chart's <title> */
	const char *summary;       /* the aria-label: what it shows, in one sentence */
	const char *empty;         /* shown when there is nothing to draw */
	const char *const *series; /* nseries names, for the legend and the bars' titles */
	size_t nseries;            /* 1..CHART_SERIES_MAX */
	const char *const *labels; /* ngroups labels (items or periods) */
	const int64_t *values;     /* ngroups x nseries, group by group; below 0 counts as 0 */
	size_t ngroups;
	chart_fmt_fn fmt;          /* NULL: the plain integer */
	void *fmt_arg;
};

/*
 * Appends c as horizontal bars (an <svg> element) to out. Returns LV_OK,
 * LV_EINVAL (no series or more than CHART_SERIES_MAX, a NULL title or
 * summary) or LV_ETOOBIG (out's bound).
 */
int chart_hbar(const struct chart *c, struct lv_buf *out);

/* The same as grouped vertical bars, with a value axis on the left. */
int chart_vbar(const struct chart *c, struct lv_buf *out);

/*
 * Appends s escaped for XML text and attribute values: & < > " ' become
 * entities (lv_buf_append_html), control characters XML 1.0 does not
 * allow become spaces and bytes that are not UTF-8 become U+FFFD.
 * s NULL appends nothing. Returns LV_OK or LV_ETOOBIG.
 */
int chart_xml_escape(struct lv_buf *out, const char *s);

#endif
