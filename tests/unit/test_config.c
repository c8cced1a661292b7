/*
 * test_config.c - the configuration table: defaults, every refusal with
 * its line, the environment override, and that packaging/livery.conf
 * documents exactly the keys the table knows, with their defaults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "lv_err.h"
#include "lv_test.h"

static char tmpdir[] = "/tmp/lv-config-XXXXXX";

static const char *write_conf(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static const char *minimal =
	"[server]\npublic_url = https://store.example.com\n"
	"[oidc]\nissuer = https://login.example.com\nclient_id = livery\n"
	"client_secret = s3cret\n";

static void test_defaults_and_minimal(void)
{
	struct lv_config c;
	char msg[512];

	memset(&c, 0, sizeof(c));
	CHECK_INT(lv_config_load(&c, write_conf("min.conf", minimal), 1, msg, sizeof(msg)), LV_OK);
	CHECK_STR(c.listen, "127.0.0.1:8080");
	CHECK_STR(c.redirect_path, "/auth/callback");
	CHECK_INT(c.threads, 32);
	CHECK_INT(c.public_https, 1);
	CHECK_STR(c.db_path, "/var/lib/livery/livery.db");
	CHECK_STR(c.client_secret, "s3cret");
	lv_config_cleanup(&c);
}

/* Loads text and expects a refusal whose message contains want. */
static void expect_refusal(const char *text, const char *want, int for_serve)
{
	struct lv_config c;
	char msg[512];
	int rc;

	memset(&c, 0, sizeof(c));
	rc = lv_config_load(&c, write_conf("bad.conf", text), for_serve, msg, sizeof(msg));
	CHECK(rc != LV_OK);
	if (strstr(msg, want) == NULL) {
		fprintf(stderr, "message \"%s\" lacks \"%s\"\n", msg, want);
		CHECK(0);
	}
	lv_config_cleanup(&c);
}

static void test_refusals(void)
{
	expect_refusal("[server]\nlisten = 127.0.0.1:8080\nbogus = 1\n",
		       "bad.conf:3: unknown key \"bogus\" in [server]", 0);
	expect_refusal("[nope]\na = b\n", "bad.conf:2: unknown section [nope]", 0);
	expect_refusal("[server]\nthreads = 0\n",
		       "bad.conf:2: server.threads = \"0\": expected a whole number from 1 to 256", 0);
	expect_refusal("[server]\nthreads = 8x\n", "from 1 to 256", 0);
	expect_refusal("[server]\nlisten = 127.0.0.1:99999\n", "server.listen", 0);
	expect_refusal("[server]\npublic_url = ftp://x\n", "server.public_url", 0);
	expect_refusal("[server]\npublic_url = https://x.example/shop\n", "no path", 0);
	expect_refusal("[oidc]\nissuer = http://login.example.com\n", "https URL", 0);
	expect_refusal("[store]\nprimary_color = blue\n", "#rrggbb", 0);
	expect_refusal("[store]\ncurrency = euro\n", "ISO 4217", 0);
	expect_refusal("[server]\nthreads = 4\nthreads = 5\n", "set twice", 0);
	expect_refusal("[server]\nlisten = 127.0.0.1:8080\n", "server.public_url is required", 1);
	expect_refusal("[server]\npublic_url = https://s.example\n[oidc]\nissuer = https://i.example\n"
		       "client_id = x\n", "LIVERY_OIDC_CLIENT_SECRET", 1);
	expect_refusal("[oidc]\nsession_idle_seconds = 7200\nsession_max_seconds = 3600\n",
		       "must not exceed", 0);
	expect_refusal("not an ini line\n", "bad.conf:1:", 0);
}

static void test_loopback_http_issuer_and_env(void)
{
	struct lv_config c;
	char msg[512];

	memset(&c, 0, sizeof(c));
	setenv("LIVERY_OIDC_CLIENT_SECRET", "from-env", 1);
	CHECK_INT(lv_config_load(&c, write_conf("lo.conf",
		"[server]\npublic_url = http://127.0.0.1:8080/\n"
		"[oidc]\nissuer = http://127.0.0.1:9090\nclient_id = livery\n"), 1, msg, sizeof(msg)), LV_OK);
	CHECK_STR(c.client_secret, "from-env");
	CHECK_INT(c.public_https, 0);
	CHECK_STR(c.public_url, "http://127.0.0.1:8080");
	unsetenv("LIVERY_OIDC_CLIENT_SECRET");
	lv_config_cleanup(&c);
}

struct doc_check {
	char *sample;
	int missing;
};

static void check_key_documented(void *arg, const char *section, const char *name,
				 const char *def)
{
	struct doc_check *d = arg;
	char line[256], sect[64];

	snprintf(sect, sizeof(sect), "[%s]", section);
	if (def[0])
		snprintf(line, sizeof(line), "\n;%s = %s\n", name, def);
	else /* no default: the line shows the key alone, or an example value */
		snprintf(line, sizeof(line), "\n;%s =", name);
	if (strstr(d->sample, sect) == NULL || strstr(d->sample, line) == NULL) {
		fprintf(stderr, "packaging/livery.conf does not document %s.%s = %s\n",
			section, name, def);
		d->missing++;
	}
}

static void test_sample_documents_every_key(void)
{
	const char *src = getenv("LV_SOURCE_DIR");
	char path[512];
	struct doc_check d = { NULL, 0 };
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/packaging/livery.conf", src ? src : ".");
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	d.sample = calloc(1, (size_t)n + 1);
	CHECK(fread(d.sample, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	lv_config_each_key(check_key_documented, &d);
	CHECK_INT(d.missing, 0);
	free(d.sample);
}

int main(void)
{
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	LV_RUN(test_defaults_and_minimal);
	LV_RUN(test_refusals);
	LV_RUN(test_loopback_http_issuer_and_env);
	LV_RUN(test_sample_documents_every_key);
	return lv_test_done();
}
