/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_sso_http.c - the relying party's real network path (sso/http.c over
 * liboauth2/curl) against a tiny HTTP server on 127.0.0.1 that this test
 * runs in a thread: status codes, the JSON-object check, the body bounds
 * (ours and liboauth2's), the timeout, https-only, the request headers of
 * a token request (Content-Type, Accept, Basic credentials) and discovery
 * plus JWKS end to end. Nothing leaves the loopback interface.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "lv_time.h"
#include "sso_int.h"

static int listen_fd = -1;
static int port;
static char base[64];

/* Reads one request: OUT: path, headers (raw), body. */
static int read_request(int fd, char *path, size_t pathlen, char *hdrs,
			size_t hdrlen, char *body, size_t bodylen)
{
	char buf[16384];
	size_t n = 0, want = 0;
	char *end = NULL, *cl;
	ssize_t r;

	while (n < sizeof(buf) - 1) {
		r = recv(fd, buf + n, sizeof(buf) - 1 - n, 0);
		if (r <= 0)
			return -1;
		n += (size_t)r;
		buf[n] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end == NULL)
			continue;
		cl = strcasestr(buf, "\r\nContent-Length:");
		want = cl ? (size_t)strtoul(cl + 17, NULL, 10) : 0;
		if (n >= (size_t)(end + 4 - buf) + want)
			break;
	}
	if (end == NULL || sscanf(buf, "%*s %255s", path) != 1)
		return -1;
	(void)pathlen;
	*end = '\0';
	lv_strlcpy(hdrs, buf, hdrlen);
	lv_strlcpy(body, end + 4, bodylen < want + 1 ? bodylen : want + 1);
	return 0;
}

/* The value of header name in hdrs ("" when absent). */
static void header_get(const char *hdrs, const char *name, char *out,
		       size_t outlen)
{
	char pat[64];
	const char *p;

	out[0] = '\0';
	lv_snprintf(pat, sizeof(pat), "\r\n%s: ", name);
	p = strcasestr(hdrs, pat);
	if (p == NULL)
		return;
	p += strlen(pat);
	lv_strlcpy(out, p, outlen);
	out[strcspn(out, "\r")] = '\0';
}

static void reply(int fd, int status, const char *body, size_t len)
{
	char head[256];

	lv_snprintf(head, sizeof(head),
		    "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		    status, len);
	send(fd, head, strlen(head), MSG_NOSIGNAL);
	while (len > 0) {
		ssize_t w = send(fd, body, len, MSG_NOSIGNAL);

		if (w <= 0)
			break;
		body += w;
		len -= (size_t)w;
	}
}

static void reply_json(int fd, int status, json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT);

	reply(fd, status, s, strlen(s));
	free(s);
	json_decref(doc);
}

static void reply_big(int fd, size_t n)
{
	char *s = lv_malloc(n);

	memset(s, ' ', n);
	s[0] = '{';
	s[n - 1] = '}';
	reply(fd, 200, s, n);
	lv_free(s);
}

static void *server(void *arg)
{
	static char hdrs[16384], body[16384];
	char path[256], v[1024];

	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);

		if (fd < 0)
			break;
		if (read_request(fd, path, sizeof(path), hdrs, sizeof(hdrs),
				 body, sizeof(body)) != 0) {
			close(fd);
			continue;
		}
		if (strcmp(path, "/quit") == 0) {
			close(fd);
			break;
		} else if (strcmp(path, "/ok") == 0) {
			reply_json(fd, 200, json_pack("{s:s}", "a", "b"));
		} else if (strcmp(path, "/status500") == 0) {
			reply_json(fd, 500, json_pack("{s:s}", "error", "x"));
		} else if (strcmp(path, "/notjson") == 0) {
			reply(fd, 200, "<html>hi</html>", 15);
		} else if (strcmp(path, "/array") == 0) {
			reply(fd, 200, "[1,2]", 5);
		} else if (strcmp(path, "/big") == 0) {
			reply_big(fd, 600 * 1024);
		} else if (strcmp(path, "/huge") == 0) {
			reply_big(fd, 2 * 1024 * 1024);
		} else if (strcmp(path, "/slow") == 0) {
			sleep(3);
			reply_json(fd, 200, json_object());
		} else if (strcmp(path, "/echo") == 0) {
			json_t *o = json_pack("{s:s}", "body", body);

			header_get(hdrs, "Authorization", v, sizeof(v));
			json_object_set_new(o, "authorization", json_string(v));
			header_get(hdrs, "Content-Type", v, sizeof(v));
			json_object_set_new(o, "content_type", json_string(v));
			header_get(hdrs, "Accept", v, sizeof(v));
			json_object_set_new(o, "accept", json_string(v));
			json_object_set_new(o, "method",
					    json_stringn(hdrs, strcspn(hdrs, " ")));
			reply_json(fd, 200, o);
		} else if (strcmp(path, "/.well-known/openid-configuration") ==
			   0) {
			char u[4][128];

			lv_snprintf(u[0], sizeof(u[0]), "%s/auth", base);
			lv_snprintf(u[1], sizeof(u[1]), "%s/token", base);
			lv_snprintf(u[2], sizeof(u[2]), "%s/jwks", base);
			lv_snprintf(u[3], sizeof(u[3]), "%s/userinfo", base);
			reply_json(fd, 200,
				   json_pack("{s:s, s:s, s:s, s:s, s:s}",
					     "issuer", base,
					     "authorization_endpoint", u[0],
					     "token_endpoint", u[1], "jwks_uri",
					     u[2], "userinfo_endpoint", u[3]));
		} else if (strcmp(path, "/jwks") == 0) {
			reply_json(fd, 200, json_pack("{s:[]}", "keys"));
		} else {
			reply_json(fd, 404, json_object());
		}
		close(fd);
	}
	return arg;
}

static int server_start(pthread_t *t)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, len) ||
	    listen(listen_fd, 16) ||
	    getsockname(listen_fd, (struct sockaddr *)&a, &len))
		return -1;
	port = ntohs(a.sin_port);
	lv_snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
	return pthread_create(t, NULL, server, NULL);
}

static struct sso_rp *rp_new(int allow_http, int64_t timeout)
{
	struct sso_config cfg;
	struct sso_rp *rp = NULL;
	char msg[256];

	sso_config_init(&cfg);
	cfg.issuer = allow_http ? base : "https://idp.test";
	cfg.client_id = "store app";
	cfg.client_secret = "p@ss:word";
	cfg.redirect_uri = "http://127.0.0.1/cb";
	cfg.allow_http = allow_http;
	cfg.http_timeout_seconds = timeout;
	if (sso_rp_new(&cfg, &rp, msg, sizeof(msg)) != LV_OK) {
		fprintf(stderr, "rp: %s\n", msg);
		exit(1);
	}
	return rp;
}

/* GET base+path; returns the code, OUT: status, json. */
static int get(struct sso_rp *rp, const char *path, long *status,
	       json_t **json, char *detail, size_t dlen)
{
	char url[256];
	struct sso_http_request req = { .url = url };

	lv_snprintf(url, sizeof(url), "%s%s", base, path);
	return sso_http_json(rp, &req, status, json, detail, dlen);
}

static void test_statuses_and_bodies(void)
{
	struct sso_rp *rp = rp_new(1, 5);
	char detail[256];
	json_t *j = NULL;
	long status = 0;

	CHECK_INT(get(rp, "/ok", &status, &j, detail, sizeof(detail)), LV_OK);
	CHECK_INT(status, 200);
	CHECK_STR(json_string_value(json_object_get(j, "a")), "b");
	json_decref(j);
	CHECK_INT(get(rp, "/status500", &status, &j, detail, sizeof(detail)),
		  LV_OK);
	CHECK_INT(status, 500);
	json_decref(j);
	CHECK_INT(get(rp, "/missing", &status, &j, detail, sizeof(detail)),
		  LV_OK);
	CHECK_INT(status, 404);
	json_decref(j);
	CHECK_INT(get(rp, "/notjson", &status, &j, detail, sizeof(detail)),
		  LV_EINVAL);
	CHECK(j == NULL);
	CHECK(strstr(detail, "not a JSON object") != NULL);
	CHECK_INT(get(rp, "/array", &status, &j, detail, sizeof(detail)),
		  LV_EINVAL);
	/* over our 512 KiB bound, and over liboauth2's 1 MiB */
	CHECK_INT(get(rp, "/big", &status, &j, detail, sizeof(detail)),
		  LV_ETOOBIG);
	CHECK_INT(get(rp, "/huge", &status, &j, detail, sizeof(detail)),
		  LV_EUNAVAIL);
	sso_rp_free(rp);
}

static void test_https_only(void)
{
	struct sso_rp *rp = rp_new(0, 5);
	char detail[256];
	json_t *j = NULL;
	long status = 0;

	CHECK_INT(get(rp, "/ok", &status, &j, detail, sizeof(detail)),
		  LV_EUNAVAIL);
	CHECK(strstr(detail, "non-https") != NULL);
	sso_rp_free(rp);
}

static void test_unreachable_and_timeout(void)
{
	struct sso_rp *rp = rp_new(1, 1);
	struct sso_http_request req = { .url = "http://127.0.0.1:1/x" };
	char detail[256];
	json_t *j = NULL;
	long status = 0;
	int64_t t0;

	CHECK_INT(sso_http_json(rp, &req, &status, &j, detail, sizeof(detail)),
		  LV_EUNAVAIL);
	CHECK(strstr(detail, "cannot reach") != NULL);
	t0 = (int64_t)time(NULL);
	CHECK_INT(get(rp, "/slow", &status, &j, detail, sizeof(detail)),
		  LV_EUNAVAIL);
	CHECK(strstr(detail, "timed out") != NULL);
	CHECK((int64_t)time(NULL) - t0 <= 2);
	sso_rp_free(rp);
}

static void test_post_headers(void)
{
	struct sso_rp *rp = rp_new(1, 5);
	char url[128], detail[256];
	struct sso_http_request req = { .url = url,
					.form = "a=1&b=%20",
					.authorization = "Basic abc=" };
	json_t *j = NULL;
	long status = 0;

	lv_snprintf(url, sizeof(url), "%s/echo", base);
	CHECK_INT(sso_http_json(rp, &req, &status, &j, detail, sizeof(detail)),
		  LV_OK);
	CHECK_STR(json_string_value(json_object_get(j, "method")), "POST");
	CHECK_STR(json_string_value(json_object_get(j, "body")), "a=1&b=%20");
	CHECK_STR(json_string_value(json_object_get(j, "authorization")),
		  "Basic abc=");
	CHECK_STR(json_string_value(json_object_get(j, "content_type")),
		  "application/x-www-form-urlencoded");
	CHECK_STR(json_string_value(json_object_get(j, "accept")),
		  "application/json");
	json_decref(j);

	req.form = NULL;
	req.authorization = "Bearer tok";
	CHECK_INT(sso_http_json(rp, &req, &status, &j, detail, sizeof(detail)),
		  LV_OK);
	CHECK_STR(json_string_value(json_object_get(j, "method")), "GET");
	CHECK_STR(json_string_value(json_object_get(j, "authorization")),
		  "Bearer tok");
	json_decref(j);
	sso_rp_free(rp);
}

static void test_discovery_over_http(void)
{
	struct sso_rp *rp = rp_new(1, 5);
	struct sso_error err;

	CHECK_INT(sso_rp_discover(rp, &err), LV_OK);
	CHECK_STR(sso_reason_name(err.reason), "none");
	sso_rp_free(rp);
}

int main(void)
{
	static const char *const proxies[] = { "http_proxy", "HTTP_PROXY",
					       "https_proxy", "HTTPS_PROXY",
					       "all_proxy", "ALL_PROXY" };
	pthread_t t;
	int fd;
	size_t i;
	struct sockaddr_in a;

	/* curl honours these; the test server is on loopback */
	for (i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++)
		unsetenv(proxies[i]);
	if (server_start(&t) != 0) {
		lv_test_skip("cannot listen on 127.0.0.1");
		return lv_test_done();
	}
	LV_RUN(test_statuses_and_bodies);
	LV_RUN(test_https_only);
	LV_RUN(test_post_headers);
	LV_RUN(test_discovery_over_http);
	LV_RUN(test_unreachable_and_timeout);

	/* stop the server */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
		send(fd, "GET /quit HTTP/1.0\r\n\r\n", 22, MSG_NOSIGNAL);
	close(fd);
	pthread_join(t, NULL);
	close(listen_fd);
	return lv_test_done();
}
