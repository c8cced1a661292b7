/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_multipart.c - the multipart/form-data parser (common/lv_multipart.c):
 * boundaries from Content-Type, bodies as browsers send them (fields and
 * files, CRLF inside file data, a preamble and an epilogue, quoted names
 * with escapes, Windows paths in file names), and every refusal: no
 * closing boundary, folded or overlong headers, no name, not form-data,
 * too many parts, bad UTF-8 in a name.
 */
#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "lv_multipart.h"
#include "lv_test.h"

static void test_boundary(void)
{
	char b[80];

	CHECK_INT(lv_multipart_boundary("multipart/form-data; boundary=----WebKitFormBoundaryx7Q",
					b, sizeof(b)), LV_OK);
	CHECK_STR(b, "----WebKitFormBoundaryx7Q");
	CHECK_INT(lv_multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b\"", b,
					sizeof(b)), LV_EINVAL); /* space refused */
	CHECK_INT(lv_multipart_boundary("multipart/form-data; boundary=\"abc\"", b, sizeof(b)), LV_OK);
	CHECK_STR(b, "abc");
	CHECK_INT(lv_multipart_boundary("multipart/form-data;boundary=xyz ; other=1", b, sizeof(b)),
		  LV_OK);
	CHECK_STR(b, "xyz");
	CHECK_INT(lv_multipart_boundary("multipart/form-data", b, sizeof(b)), LV_EINVAL);
	CHECK_INT(lv_multipart_boundary("multipart/form-data; boundary=", b, sizeof(b)), LV_EINVAL);
	CHECK_INT(lv_multipart_boundary("multipart/form-data; boundary=\"abc", b, sizeof(b)), LV_EINVAL);
	CHECK_INT(lv_multipart_boundary("multipart/mixed; boundary=abc", b, sizeof(b)), LV_EINVAL);
	CHECK_INT(lv_multipart_boundary("application/x-www-form-urlencoded", b, sizeof(b)), LV_EINVAL);
	CHECK_INT(lv_multipart_boundary(NULL, b, sizeof(b)), LV_EINVAL);
	CHECK_INT(lv_multipart_boundary("multipart/form-data; boundary="
					"12345678901234567890123456789012345678901234567890123456789012345678901",
					b, sizeof(b)), LV_EINVAL); /* 71 characters */
	CHECK_INT(lv_multipart_boundary("multipart/form-data; boundary=a<b", b, sizeof(b)), LV_EINVAL);
}

static const char browser_body[] =
	"preamble to ignore\r\n"
	"--XyZ\r\n"
	"Content-Disposition: form-data; name=\"csrf\"\r\n"
	"\r\n"
	"tok123\r\n"
	"--XyZ\r\n"
	"content-disposition: form-data; name=\"file\"; filename=\"C:\\\\Users\\\\hr\\\\people.csv\"\r\n"
	"Content-Type: text/csv\r\n"
	"\r\n"
	"employee_id,name\r\nE1,Ann\r\n--XY not a boundary\r\n"
	"--XyZ\r\n"
	"Content-Disposition: form-data; name=\"a \\\"quoted\\\" name\"\r\n"
	"\r\n"
	"\r\n"
	"--XyZ--\r\n"
	"epilogue";

static void test_parse_browser(void)
{
	struct lv_multipart m;
	const struct lv_multipart_part *p;
	char msg[200];

	CHECK_INT(lv_multipart_parse(browser_body, strlen(browser_body), "XyZ", 8, &m, msg,
				     sizeof(msg)), LV_OK);
	CHECK_INT((int)m.n, 3);
	p = lv_multipart_get(&m, "csrf");
	CHECK(p != NULL && p->len == 6 && memcmp(p->data, "tok123", 6) == 0);
	CHECK(p != NULL && p->filename == NULL && p->content_type == NULL);
	p = lv_multipart_get(&m, "file");
	CHECK(p != NULL);
	if (p) {
		CHECK_STR(p->filename, "people.csv");
		CHECK_STR(p->content_type, "text/csv");
		CHECK_INT((int)p->len, (int)strlen("employee_id,name\r\nE1,Ann\r\n--XY not a boundary"));
	}
	p = lv_multipart_get(&m, "a \"quoted\" name");
	CHECK(p != NULL && p->len == 0);
	CHECK(lv_multipart_get(&m, "nope") == NULL);
	lv_multipart_cleanup(&m);
	CHECK_INT((int)m.n, 0);

	/* no preamble, no parts at all */
	CHECK_INT(lv_multipart_parse("--b--\r\n", 7, "b", 8, &m, msg, sizeof(msg)), LV_OK);
	CHECK_INT((int)m.n, 0);
}

/* Each malformed body is refused with a sentence, and leaves nothing. */
static void test_refusals(void)
{
	static const struct {
		const char *body;
		int rc;
		const char *words;
	} cases[] = {
		{ "", LV_EINVAL, "no boundary" },
		{ "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue", LV_EINVAL,
		  "before the closing boundary" },
		{ "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n folded\r\n\r\nv\r\n--b--",
		  LV_EINVAL, "folded" },
		{ "--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--", LV_EINVAL, "no name" },
		{ "--b\r\nContent-Disposition: attachment; name=\"x\"\r\n\r\nv\r\n--b--", LV_EINVAL,
		  "form-data" },
		{ "--b\r\nContent-Disposition: form-data; name=\"x\r\n\r\nv\r\n--b--", LV_EINVAL,
		  "name" },
		{ "--b\r\nContent-Disposition: form-data; name=\"\xff\"\r\n\r\nv\r\n--b--", LV_EINVAL,
		  "name" },
		{ "--b\r\nNo colon here\r\n\r\nv\r\n--b--", LV_EINVAL, "colon" },
		{ "--bxx\r\n", LV_EINVAL, "line break" },
		{ "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b\r\n"
		  "Content-Disposition: form-data; name=b\r\n\r\n2\r\n--b\r\n"
		  "Content-Disposition: form-data; name=c\r\n\r\n3\r\n--b--", LV_ETOOBIG, "more than 2" },
	};
	struct lv_multipart m;
	char msg[200];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = lv_multipart_parse(cases[i].body, strlen(cases[i].body), "b", 2, &m, msg,
					    sizeof(msg));

		if (rc != cases[i].rc || strstr(msg, cases[i].words) == NULL)
			fprintf(stderr, "case %zu: rc %d, msg \"%s\"\n", i, rc, msg);
		CHECK_INT(rc, cases[i].rc);
		CHECK(strstr(msg, cases[i].words) != NULL);
		CHECK(m.n == 0 && m.v == NULL);
	}
}

/* Header blocks are bounded. */
static void test_long_headers(void)
{
	size_t n = LV_MULTIPART_MAX_HEADERS + 100, used;
	char *body = lv_malloc(n + 200);
	struct lv_multipart m;
	char msg[200];

	used = (size_t)lv_snprintf(body, n + 200, "--b\r\nX-Pad: ");
	memset(body + used, 'a', n);
	used += n;
	memcpy(body + used, "\r\n\r\nv\r\n--b--", 12);
	used += 12;
	CHECK_INT(lv_multipart_parse(body, used, "b", 8, &m, msg, sizeof(msg)), LV_EINVAL);
	CHECK(strstr(msg, "headers") != NULL);
	lv_free(body);
}

int main(void)
{
	LV_RUN(test_boundary);
	LV_RUN(test_parse_browser);
	LV_RUN(test_refusals);
	LV_RUN(test_long_headers);
	return lv_test_done();
}
