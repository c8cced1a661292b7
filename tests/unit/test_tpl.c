/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_tpl.c - the Mustache renderer against the official specification
 * and against Livery's own expectations.
 *
 * The specification's JSON files are read from $LV_SHARED_DIR/mustache-spec/
 * (CTest points LV_SHARED_DIR at ../shared); every test of the required
 * modules and of the optional inheritance module is run, and each failure is
 * reported with its file and test name. Without that folder the spec part is
 * skipped and only the local tests below run. The local tests cover what the
 * store relies on: escaping (including ' and `), nested sections, dotted
 * names, missing partials, syntax errors and their messages, the translation
 * hook, the bounds on hostile templates, and rendering from several threads.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lv_buf.h"
#include "lv_err.h"
#include "lv_mem.h"
#include "lv_tpl.h"
#include "lv_test.h"

static const char *const spec_files[] = {
	"interpolation.json", "sections.json", "inverted.json",
	"comments.json",      "partials.json", "delimiters.json",
	"~inheritance.json",
};

/* Runs one spec test; returns 1 when it passed. */
static int spec_run_one(const char *file, json_t *test)
{
	const char *name = json_string_value(json_object_get(test, "name"));
	json_t *tmpl = json_object_get(test, "template");
	json_t *expected = json_object_get(test, "expected");
	json_t *partials = json_object_get(test, "partials");
	json_t *data = json_object_get(test, "data");
	struct lv_tpl_set *set = lv_tpl_set_new();
	struct lv_tpl *t = NULL;
	struct lv_buf out;
	const char *key;
	json_t *val;
	char err[256];
	int rc, ok = 0;

	lv_buf_init(&out, 1 << 20);
	json_object_foreach(partials, key, val) {
		rc = lv_tpl_set_parse(set, key, json_string_value(val),
				      json_string_length(val), NULL, err,
				      sizeof(err));
		if (rc != LV_OK) {
			fprintf(stderr, "%s: %s: partial '%s': %s\n", file,
				name, key, err);
			goto out;
		}
	}
	rc = lv_tpl_parse(json_string_value(tmpl), json_string_length(tmpl),
			  NULL, &t, err, sizeof(err));
	if (rc != LV_OK) {
		fprintf(stderr, "%s: %s: parse: %s\n", file, name, err);
		goto out;
	}
	rc = lv_tpl_render(t, data, set, &out);
	if (rc != LV_OK) {
		fprintf(stderr, "%s: %s: render: %s\n", file, name,
			lv_err_name(rc));
		goto out;
	}
	if (out.len != json_string_length(expected) ||
	    memcmp(lv_buf_str(&out), json_string_value(expected), out.len)) {
		fprintf(stderr, "%s: %s: got \"%s\", expected \"%s\"\n", file,
			name, lv_buf_str(&out), json_string_value(expected));
		goto out;
	}
	ok = 1;
out:
	lv_buf_cleanup(&out);
	lv_tpl_free(t);
	lv_tpl_set_free(set);
	return ok;
}

static void test_spec(void)
{
	const char *shared = getenv("LV_SHARED_DIR");
	char path[4096];
	struct stat st;
	size_t f, i, ran = 0;

	if (shared == NULL || shared[0] == '\0') {
		lv_test_skip("LV_SHARED_DIR is not set: no Mustache spec");
		return;
	}
	lv_snprintf(path, sizeof(path), "%s/mustache-spec", shared);
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		lv_test_skip("no mustache-spec folder in LV_SHARED_DIR");
		return;
	}
	for (f = 0; f < sizeof(spec_files) / sizeof(spec_files[0]); f++) {
		json_error_t jerr;
		json_t *doc, *tests, *test;

		lv_snprintf(path, sizeof(path), "%s/mustache-spec/%s", shared,
			    spec_files[f]);
		doc = json_load_file(path, 0, &jerr);
		if (doc == NULL) {
			fprintf(stderr, "%s: %s\n", path, jerr.text);
			CHECK(doc != NULL);
			continue;
		}
		tests = json_object_get(doc, "tests");
		CHECK(json_array_size(tests) > 0);
		json_array_foreach(tests, i, test) {
			CHECK(spec_run_one(spec_files[f], test));
			ran++;
		}
		json_decref(doc);
	}
	fprintf(stderr, "spec: %zu tests run\n", ran);
}

/* Parses the C string src into *t (NULL on error). */
static int tpl_from(const char *src, struct lv_tpl **t)
{
	char err[200];
	int rc = lv_tpl_parse(src, strlen(src), NULL, t, err, sizeof(err));

	if (rc != LV_OK)
		fprintf(stderr, "parse \"%s\": %s\n", src, err);
	return rc;
}

/* Parses the C string src into set under name. */
static int set_put(struct lv_tpl_set *set, const char *name, const char *src)
{
	char err[200];
	int rc = lv_tpl_set_parse(set, name, src, strlen(src), NULL, err,
				  sizeof(err));

	if (rc != LV_OK)
		fprintf(stderr, "parse \"%s\": %s\n", src, err);
	return rc;
}

/* Parses src (must succeed) and renders it with the JSON text data. */
static char *render(const char *src, const char *data,
		    const struct lv_tpl_set *set)
{
	struct lv_tpl *t = NULL;
	json_t *json = data ? json_loads(data, JSON_DECODE_ANY, NULL) : NULL;
	struct lv_buf out;
	char err[200];
	int rc;

	lv_buf_init(&out, 1 << 20);
	rc = lv_tpl_parse(src, strlen(src), NULL, &t, err, sizeof(err));
	if (rc != LV_OK)
		fprintf(stderr, "parse \"%s\": %s\n", src, err);
	CHECK_INT(rc, LV_OK);
	if (rc == LV_OK) {
		rc = lv_tpl_render(t, json, set, &out);
		CHECK_INT(rc, LV_OK);
	}
	lv_tpl_free(t);
	json_decref(json);
	return lv_buf_take(&out);
}

#define CHECK_RENDER(src, data, set, want)                                     \
	do {                                                                   \
		char *got_ = render(src, data, set);                           \
		CHECK_STR(got_, want);                                         \
		free(got_);                                                    \
	} while (0)

/* Parses src, expecting failure rc with a message containing msg. */
static void check_parse_error(const char *src, int want_rc, const char *msg)
{
	struct lv_tpl *t = (struct lv_tpl *)1;
	char err[200] = "";
	int rc;

	rc = lv_tpl_parse(src, strlen(src), NULL, &t, err, sizeof(err));
	CHECK_INT(rc, want_rc);
	CHECK(t == NULL);
	if (strstr(err, msg) == NULL) {
		fprintf(stderr, "error for \"%s\": \"%s\", expected \"%s\"\n",
			src, err, msg);
		CHECK(strstr(err, msg) != NULL);
	}
}

static void test_escaping(void)
{
	CHECK_RENDER("{{x}}", "{\"x\": \"<a href='x'>&\\\"`</a>\"}", NULL,
		     "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&#96;&lt;/a&gt;");
	CHECK_RENDER("{{{x}}}|{{&x}}", "{\"x\": \"<b>'\"}", NULL,
		     "<b>'|<b>'");
	CHECK_RENDER("{{n}} {{r}} {{f}} {{t}} {{z}} {{o}} {{a}}",
		     "{\"n\": 85, \"r\": 1.5, \"f\": false, \"t\": true, "
		     "\"z\": null, \"o\": {\"k\": 1}, \"a\": [1]}",
		     NULL, "85 1.5 false true   ");
	CHECK_RENDER("{{r}}|{{big}}|{{neg}}",
		     "{\"r\": 0.1, \"big\": 1e21, \"neg\": -2.25}", NULL,
		     "0.1|1e+21|-2.25");
	/* Text outside tags is never escaped, and tags in values stay text. */
	CHECK_RENDER("<p>{{x}}</p>", "{\"x\": \"{{y}}\", \"y\": \"no\"}", NULL,
		     "<p>{{y}}</p>");
}

static void test_sections(void)
{
	const char *data = "{\"orders\": [{\"id\": 1, \"lines\": "
			   "[{\"sku\": \"A\"}, {\"sku\": \"B\"}]}, "
			   "{\"id\": 2, \"lines\": []}], \"shop\": \"S\", "
			   "\"empty\": \"\", \"zero\": 0}";

	CHECK_RENDER("{{#orders}}#{{id}}:{{#lines}}{{sku}}@{{shop}} "
		     "{{/lines}}{{^lines}}none{{/lines}};{{/orders}}",
		     data, NULL, "#1:A@S B@S ;#2:none;");
	CHECK_RENDER("{{#empty}}x{{/empty}}{{^empty}}e{{/empty}}"
		     "{{#zero}}x{{/zero}}{{^zero}}z{{/zero}}"
		     "{{#missing}}x{{/missing}}{{^missing}}m{{/missing}}",
		     data, NULL, "ezm");
	/* Standalone section lines vanish, indentation of others stays. */
	CHECK_RENDER("<ul>\n  {{#orders}}\n  <li>{{id}}</li>\n  {{/orders}}\n"
		     "</ul>\n",
		     data, NULL, "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
	CHECK_RENDER("{{#.}}[{{.}}]{{/.}}", "[1, \"a\", true]", NULL,
		     "[1][a][true]");
}

static void test_dotted(void)
{
	const char *data = "{\"a\": {\"b\": {\"c\": \"deep\"}}, \"x\": {\"y\": "
			   "1}, \"c\": \"top\", \"a.b\": \"never\"}";

	CHECK_RENDER("{{a.b.c}}|{{a.b.missing}}|{{a.x.y}}|{{#a}}{{b.c}}"
		     "{{/a}}|{{#a.b}}{{c}}{{/a.b}}",
		     data, NULL, "deep|||deep|deep");
	/* A found first part stops the walk: no masking from outer contexts. */
	CHECK_RENDER("{{#a}}{{#b}}{{x.y}}{{/b}}{{/a}}", data, NULL, "1");
	CHECK_RENDER("{{#a}}{{b.x}}{{/a}}", data, NULL, "");
}

static void test_partials(void)
{
	struct lv_tpl_set *set = lv_tpl_set_new();

	CHECK_INT(set_put(set, "item", "<li>{{name}}</li>\n"), LV_OK);
	CHECK_INT(set_put(set, "layout",
			  "<main>\n  {{$body}}default{{/body}}\n</main>\n"),
		  LV_OK);
	CHECK_INT((int)lv_tpl_set_count(set), 2);
	CHECK(lv_tpl_set_get(set, "item") != NULL);
	CHECK(lv_tpl_set_get(set, "nope") == NULL);
	CHECK(lv_tpl_set_get(NULL, "item") == NULL);

	CHECK_RENDER("<ul>\n  {{#items}}\n  {{>item}}\n  {{/items}}\n</ul>\n",
		     "{\"items\": [{\"name\": \"a\"}, {\"name\": \"<b>\"}]}",
		     set,
		     "<ul>\n  <li>a</li>\n  <li>&lt;b&gt;</li>\n</ul>\n");
	/* Missing partials render as nothing, even without a set. */
	CHECK_RENDER("[{{>missing}}]", "{}", set, "[]");
	CHECK_RENDER("[{{>missing}}]", "{}", NULL, "[]");
	CHECK_RENDER("{{<layout}}{{$body}}<p>{{t}}</p>{{/body}}{{/layout}}",
		     "{\"t\": \"hi\"}", set, "<main>\n  <p>hi</p>\n</main>\n");
	CHECK_RENDER("{{<layout}}{{/layout}}", "{}", set,
		     "<main>\n  default\n</main>\n");

	/* Replacing a template by name frees the old one. */
	CHECK_INT(set_put(set, "item", "*"), LV_OK);
	CHECK_INT((int)lv_tpl_set_count(set), 2);
	CHECK_RENDER("{{>item}}", "{}", set, "*");
	CHECK_INT(lv_tpl_set_add(set, "", NULL), LV_EINVAL);
	lv_tpl_set_free(set);
	lv_tpl_set_free(NULL);
	lv_tpl_free(NULL);
}

static void test_errors(void)
{
	check_parse_error("a\n\n{{#x}}\nb", LV_EINVAL,
			  "line 3: unclosed section 'x'");
	check_parse_error("{{#a}}{{/b}}", LV_EINVAL,
			  "line 1: closing tag 'b' does not match 'a'");
	check_parse_error("x\n{{/a}}", LV_EINVAL,
			  "line 2: unexpected closing tag 'a'");
	check_parse_error("x {{name", LV_EINVAL, "line 1: unclosed tag");
	check_parse_error("{{}}", LV_EINVAL, "empty tag name");
	check_parse_error("{{a b}}", LV_EINVAL, "invalid tag name 'a b'");
	check_parse_error("{{a..b}}", LV_EINVAL, "invalid name 'a..b'");
	check_parse_error("{{=<% %>}}", LV_EINVAL, "unclosed tag");
	check_parse_error("{{=<%=}}", LV_EINVAL, "invalid set-delimiter tag");
	check_parse_error("{{=a b c=}}", LV_EINVAL,
			  "invalid set-delimiter tag");
	check_parse_error("{{<p}}{{$b}}{{/p}}", LV_EINVAL,
			  "closing tag 'p' does not match 'b'");
	check_parse_error("{{>}}", LV_EINVAL, "empty tag name");
}

static void test_render_errors(void)
{
	struct lv_tpl_set *set = lv_tpl_set_new();
	struct lv_tpl *t = NULL;
	struct lv_buf out;
	json_t *data = json_pack("{s:s}", "x", "0123456789");
	int i;

	/* A missing parent is an error; out is left as it was. */
	lv_buf_init(&out, 64);
	lv_buf_append_str(&out, "kept");
	CHECK_INT(tpl_from("ab{{<nope}}{{/nope}}", &t), LV_OK);
	CHECK_INT(lv_tpl_render(t, data, set, &out), LV_EINVAL);
	CHECK_STR(lv_buf_str(&out), "kept");
	lv_tpl_free(t);

	/* The output maximum. */
	CHECK_INT(tpl_from("{{x}}{{x}}{{x}}{{x}}{{x}}{{x}}{{x}}", &t), LV_OK);
	CHECK_INT(lv_tpl_render(t, data, set, &out), LV_ETOOBIG);
	CHECK_STR(lv_buf_str(&out), "kept");
	lv_tpl_free(t);

	/* Infinite partial recursion stops at the depth bound. */
	CHECK_INT(set_put(set, "loop", "x{{>loop}}"), LV_OK);
	lv_buf_cleanup(&out);
	lv_buf_init(&out, 1 << 20);
	CHECK_INT(tpl_from("{{>loop}}", &t), LV_OK);
	CHECK_INT(lv_tpl_render(t, data, set, &out), LV_EINVAL);
	CHECK_INT((int)out.len, 0);
	lv_tpl_free(t);

	/* A block that overrides itself with itself recurses: bounded too. */
	CHECK_INT(set_put(set, "p", "{{$a}}{{/a}}"), LV_OK);
	CHECK_INT(tpl_from("{{<p}}{{$a}}-{{$a}}{{/a}}{{/a}}{{/p}}", &t), LV_OK);
	CHECK_INT(lv_tpl_render(t, data, set, &out), LV_EINVAL);
	lv_tpl_free(t);

	/* Output-free work (100^4 iterations) is bounded by the step count. */
	json_decref(data);
	data = json_pack("{s:[]}", "a");
	for (i = 0; i < 100; i++)
		json_array_append_new(json_object_get(data, "a"),
				      json_integer(i));
	CHECK_INT(tpl_from("{{#a}}{{#a}}{{#a}}{{#a}}{{/a}}{{/a}}{{/a}}{{/a}}",
			   &t),
		  LV_OK);
	CHECK_INT(lv_tpl_render(t, data, set, &out), LV_ETOOBIG);
	lv_tpl_free(t);

	lv_buf_cleanup(&out);
	json_decref(data);
	lv_tpl_set_free(set);
}

static void test_nesting_bound(void)
{
	struct lv_buf src;
	struct lv_tpl *t = NULL;
	char err[200];
	int i, rc;

	lv_buf_init(&src, 1 << 20);
	for (i = 0; i < LV_TPL_MAX_NESTING; i++)
		lv_buf_append_str(&src, "{{#a}}");
	for (i = 0; i < LV_TPL_MAX_NESTING; i++)
		lv_buf_append_str(&src, "{{/a}}");
	rc = lv_tpl_parse(src.data, src.len, NULL, &t, err, sizeof(err));
	CHECK_INT(rc, LV_OK);
	lv_tpl_free(t);
	t = NULL;

	lv_buf_reset(&src);
	for (i = 0; i <= LV_TPL_MAX_NESTING; i++)
		lv_buf_append_str(&src, "{{#a}}");
	for (i = 0; i <= LV_TPL_MAX_NESTING; i++)
		lv_buf_append_str(&src, "{{/a}}");
	rc = lv_tpl_parse(src.data, src.len, NULL, &t, err, sizeof(err));
	CHECK_INT(rc, LV_EINVAL);
	CHECK(strstr(err, "nested deeper") != NULL);
	CHECK(t == NULL);
	lv_buf_cleanup(&src);
}

/* A toy catalogue: the hook sees the text between the tags as written. */
static int xlate_fr(void *arg, const char *text, size_t len,
		    struct lv_buf *out)
{
	static const char cart[] = "\n  <li>Cart</li>\n  ";
	int *calls = arg;

	(*calls)++;
	if (len == 16 && memcmp(text, "Hello, {{name}}!", len) == 0)
		return lv_buf_append_str(out, "Bonjour, {{name}} !");
	if (len == sizeof(cart) - 1 && memcmp(text, cart, len) == 0)
		return lv_buf_append_str(out, "\n  <li>Panier</li>\n  ");
	if (len == 5 && memcmp(text, "\nBad\n", len) == 0)
		return lv_buf_append_str(out, "{{#x}}");
	if (len == 4 && memcmp(text, "Fail", len) == 0)
		return LV_ENOTFOUND;
	return lv_buf_append(out, text, len);
}

static void test_xlate(void)
{
	int calls = 0;
	struct lv_tpl_opts opts = { "t", xlate_fr, &calls };
	struct lv_tpl *t = NULL;
	json_t *data = json_pack("{s:s,s:b}", "name", "<Ana>", "t", 0);
	struct lv_buf out;
	char err[200];
	const char *src = "<h1>{{#t}}Hello, {{name}}!{{/t}}</h1>\n"
			  "<ul>\n"
			  "  {{#t}}\n"
			  "  <li>Cart</li>\n"
			  "  {{/t}}\n"
			  "</ul>\n";

	lv_buf_init(&out, 4096);
	CHECK_INT(lv_tpl_parse(src, strlen(src), &opts, &t, err, sizeof(err)),
		  LV_OK);
	CHECK_INT(calls, 2);
	/* The section is gone: "t" being false in the data does not hide it. */
	CHECK_INT(lv_tpl_render(t, data, NULL, &out), LV_OK);
	CHECK_STR(lv_buf_str(&out), "<h1>Bonjour, &lt;Ana&gt; !</h1>\n"
				    "<ul>\n"
				    "  <li>Panier</li>\n"
				    "</ul>\n");
	lv_tpl_free(t);
	t = NULL;

	/* Errors in the translation and from the hook are reported. */
	src = "a\n{{#t}}\nBad\n{{/t}}\n";
	CHECK_INT(lv_tpl_parse(src, strlen(src), &opts, &t, err, sizeof(err)),
		  LV_EINVAL);
	CHECK(strstr(err, "line 2: translation of 't': line 1: unclosed") !=
	      NULL);
	src = "{{#t}}Fail{{/t}}";
	CHECK_INT(lv_tpl_parse(src, strlen(src), &opts, &t, err, sizeof(err)),
		  LV_ENOTFOUND);
	CHECK(strstr(err, "translation of 't' failed") != NULL);
	CHECK(t == NULL);

	/* Without options, or for another name, sections stay sections. */
	src = "{{#t}}Hello, {{name}}!{{/t}}{{#u}}x{{/u}}";
	CHECK_INT(lv_tpl_parse(src, strlen(src), NULL, &t, err, sizeof(err)),
		  LV_OK);
	lv_buf_reset(&out);
	CHECK_INT(lv_tpl_render(t, data, NULL, &out), LV_OK);
	CHECK_STR(lv_buf_str(&out), "");
	lv_tpl_free(t);
	lv_buf_cleanup(&out);
	json_decref(data);
}

struct thread_job {
	const struct lv_tpl *t;
	const struct lv_tpl_set *set;
	json_t *data;
	const char *want;
	int bad;
};

static void *thread_render(void *arg)
{
	struct thread_job *job = arg;
	struct lv_buf out;
	int i;

	lv_buf_init(&out, 1 << 16);
	for (i = 0; i < 500; i++) {
		lv_buf_reset(&out);
		if (lv_tpl_render(job->t, job->data, job->set, &out) != LV_OK ||
		    strcmp(lv_buf_str(&out), job->want) != 0)
			job->bad++;
	}
	lv_buf_cleanup(&out);
	return NULL;
}

static void test_threads(void)
{
	struct lv_tpl_set *set = lv_tpl_set_new();
	struct lv_tpl *t = NULL;
	struct thread_job jobs[4];
	pthread_t th[4];
	const char *src = "{{<frame}}{{$main}}\n"
			  "  {{#xs}}\n"
			  "  {{>x}}\n"
			  "  {{/xs}}\n"
			  "{{/main}}{{/frame}}";
	int i;

	CHECK_INT(set_put(set, "frame",
			  "<div>\n  {{$main}}\n  {{/main}}\n</div>\n"), LV_OK);
	CHECK_INT(set_put(set, "x", "<i>{{.}}</i>\n"), LV_OK);
	CHECK_INT(tpl_from(src, &t), LV_OK);
	for (i = 0; i < 4; i++) {
		jobs[i].t = t;
		jobs[i].set = set;
		jobs[i].data = json_pack("{s:[i,i]}", "xs", i, i + 1);
		jobs[i].bad = 0;
	}
	jobs[0].want = "<div>\n  <i>0</i>\n  <i>1</i>\n</div>\n";
	jobs[1].want = "<div>\n  <i>1</i>\n  <i>2</i>\n</div>\n";
	jobs[2].want = "<div>\n  <i>2</i>\n  <i>3</i>\n</div>\n";
	jobs[3].want = "<div>\n  <i>3</i>\n  <i>4</i>\n</div>\n";
	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, thread_render, &jobs[i]);
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK_INT(jobs[i].bad, 0);
		json_decref(jobs[i].data);
	}
	lv_tpl_free(t);
	lv_tpl_set_free(set);
}

int main(void)
{
	LV_RUN(test_escaping);
	LV_RUN(test_sections);
	LV_RUN(test_dotted);
	LV_RUN(test_partials);
	LV_RUN(test_errors);
	LV_RUN(test_render_errors);
	LV_RUN(test_nesting_bound);
	LV_RUN(test_xlate);
	LV_RUN(test_threads);
	LV_RUN(test_spec);
	return lv_test_done();
}
