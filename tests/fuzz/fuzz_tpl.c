/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_tpl.c - libFuzzer target for the Mustache parser and renderer.
 *
 * The input is a template, optionally followed by a line "%%" and JSON
 * data (a fixed object is used when there is none or it does not parse).
 * It is parsed with the translation hook on for sections named "t" (the
 * hook wraps, repeats or refuses the text, steered by its length) and,
 * when it parses, rendered twice with a small fixed set of partials and
 * parents into a 1 MiB buffer, and once without partials. Renders must
 * end in one of the documented codes, leave the buffer empty on error,
 * and give the same output both times.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lv_buf.h"
#include "lv_err.h"
#include "lv_tpl.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lv_tpl_set *partials;
static json_t *default_data;

static int xlate(void *arg, const char *text, size_t len, struct lv_buf *out)
{
	int rc = LV_OK;

	if (len > 0 && text[0] == '!')
		return LV_EINVAL;
	switch (len % 3) {
	case 0:
		rc = lv_buf_append(out, text, len);
		break;
	case 1:
		rc = lv_buf_append_str(out, "<<");
		if (rc == LV_OK)
			rc = lv_buf_append(out, text, len);
		if (rc == LV_OK)
			rc = lv_buf_append_str(out, ">>");
		break;
	default:
		rc = lv_buf_append(out, text, len);
		if (rc == LV_OK)
			rc = lv_buf_append(out, text, len);
		break;
	}
	return rc;
}

static const struct lv_tpl_opts opts = { "t", xlate, NULL };

static void add(const char *name, const char *src)
{
	if (lv_tpl_set_parse(partials, name, src, strlen(src), &opts, NULL,
			     0) != LV_OK)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	partials = lv_tpl_set_new();
	add("item", "<li>{{name}}</li>\n");
	add("layout", "<html>\n  {{$body}}\n  default\n  {{/body}}\n"
		      "{{$foot}}f{{/foot}}\n</html>\n");
	add("page", "{{<layout}}\n{{$body}}\n  {{>item}}\n{{/body}}\n"
		    "{{/layout}}\n");
	add("tree", "{{name}}{{#items}}\n  {{>tree}}{{/items}}");
	add("self", "x{{>self}}");
	add("t", "{{#t}}Hello, {{name}}!{{/t}}");
	default_data = json_loads("{\"name\": \"<n>\", \"t\": true, "
				  "\"n\": 1.5, \"items\": [{\"name\": \"a\", "
				  "\"items\": [{\"name\": \"b\"}]}, "
				  "{\"name\": \"c\"}]}",
				  0, NULL);
	if (default_data == NULL)
		abort();
	return 0;
}

static void render_check(const struct lv_tpl *t, json_t *data,
			 const struct lv_tpl_set *set, struct lv_buf *out)
{
	int rc = lv_tpl_render(t, data, set, out);

	if (rc != LV_OK && rc != LV_ETOOBIG && rc != LV_EINVAL)
		abort();
	if (rc != LV_OK && out->len != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	const char *sep = memmem(src, size, "\n%%\n", 4);
	size_t len = sep ? (size_t)(sep - src) : size;
	json_t *json = NULL;
	struct lv_tpl *t = NULL;
	struct lv_buf a, b;
	char err[128];

	lv_buf_init(&a, 1 << 20);
	lv_buf_init(&b, 1 << 20);
	if (sep)
		json = json_loadb(sep + 4, size - len - 4, JSON_DECODE_ANY,
				  NULL);
	if (lv_tpl_parse(src, len, &opts, &t, err, sizeof(err)) != LV_OK) {
		if (t != NULL)
			abort();
		goto out;
	}
	render_check(t, json ? json : default_data, partials, &a);
	render_check(t, json ? json : default_data, partials, &b);
	if (a.len != b.len || memcmp(lv_buf_str(&a), lv_buf_str(&b), a.len))
		abort();
	lv_buf_reset(&b);
	render_check(t, json, NULL, &b);
out:
	lv_tpl_free(t);
	json_decref(json);
	lv_buf_cleanup(&a);
	lv_buf_cleanup(&b);
	return 0;
}
