/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench_checkout.c - a small load generator for POST /api/v1/checkout:
 * N connections over plain sockets (one thread each, keep-alive), each
 * sending checkouts one after the other for a number of seconds, every
 * one with a fresh Idempotency-Key, the session cookie and the CSRF
 * header. It prints the rate of 201 answers and the p50/p99 latency of
 * every answer; anything but a 201 is counted and reported by status
 * (bench/run-checkout accepts 503s, the store's "busy, retry", and refuses
 * a run with anything else). wrk cannot do this alone: each request needs
 * its own key.
 *
 * usage: bench_checkout [--connections N] [--body JSON] HOST:PORT SECONDS
 * The cookie value and the CSRF token come from the environment:
 * LV_BENCH_COOKIE (the livery_session value) and LV_BENCH_CSRF.
 * Output, one line: "<201 per second> <p50 ms> <p99 ms> <answers> <503s>
 * <other answers and connection errors>"; the statuses other than 201 on
 * stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "lv_parse.h"

#define BENCH_CONNS_MAX 256
#define BENCH_REQ_MAX 8192
#define BENCH_RESP_MAX (256 * 1024)

struct bench_conn {
	struct sockaddr_in addr;
	const char *host;   /* for the Host header */
	const char *cookie;
	const char *csrf;
	const char *body;
	double secs;
	int id;
	/* results */
	double *lat;        /* latency of each answer, ms */
	size_t nlat, caplat;
	long ok, other, errors;
	long status[600];   /* answers by status */
	pthread_t tid;
};

static double bench_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int bench_connect(const struct sockaddr_in *addr)
{
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int bench_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The value of header name in the header block hdr (NUL-terminated), or NULL. */
static const char *bench_header(const char *hdr, const char *name)
{
	size_t n = strlen(name);
	const char *p = strstr(hdr, "\r\n");

	while (p != NULL && p[2] != '\r') {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			return p;
		}
		p = strstr(p, "\r\n");
	}
	return NULL;
}

/*
 * Reads one response into buf (at most cap bytes). Returns the status, or
 * -1 on a broken connection. OUT: *keep, 0 when the server closes after it.
 */
static int bench_response_read(int fd, char *buf, size_t cap, int *keep)
{
	size_t len = 0, hlen = 0;
	int64_t clen = -1, status = 0;
	const char *v;
	char *end = NULL;

	*keep = 1;
	for (;;) {
		ssize_t r;

		if (end == NULL) {
			buf[len] = '\0';
			end = strstr(buf, "\r\n\r\n");
			if (end != NULL) {
				hlen = (size_t)(end - buf) + 4;
				end[2] = '\0'; /* headers end with their last \r\n */
				if (strncmp(buf, "HTTP/1.", 7) != 0 ||
				    lv_parse_i64n(buf + 9, 3, 100, 599, &status) != LV_OK)
					return -1;
				v = bench_header(buf, "Content-Length");
				if (v != NULL && lv_parse_i64n(v, strcspn(v, "\r"), 0,
							       (int64_t)cap, &clen) != LV_OK)
					return -1;
				v = bench_header(buf, "Connection");
				if (v != NULL && strncasecmp(v, "close", 5) == 0)
					*keep = 0;
				if (clen < 0)
					*keep = 0; /* the body ends when the server closes */
			}
		}
		if (end != NULL && clen >= 0 && len >= hlen + (size_t)clen)
			return (int)status;
		if (len + 1 >= cap)
			return -1;
		r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 && end != NULL && clen < 0)
			return (int)status;
		if (r <= 0)
			return -1;
		len += (size_t)r;
	}
}

static void bench_lat_add(struct bench_conn *c, double ms)
{
	if (c->nlat == c->caplat) {
		c->caplat = c->caplat ? c->caplat * 2 : 4096;
		c->lat = lv_realloc(c->lat, c->caplat * sizeof(*c->lat));
	}
	c->lat[c->nlat++] = ms;
}

/* One connection: checkouts one after the other until the time is up. */
static void *bench_conn_run(void *arg)
{
	struct bench_conn *c = arg;
	char *req = lv_malloc(BENCH_REQ_MAX);
	char *resp = lv_malloc(BENCH_RESP_MAX);
	double t0 = bench_now(), t;
	long i = 0;
	int fd = -1, keep = 0, n, status;

	while ((t = bench_now()) - t0 < c->secs) {
		if (fd < 0) {
			fd = bench_connect(&c->addr);
			if (fd < 0) {
				c->errors++;
				usleep(10000);
				continue;
			}
		}
		n = lv_snprintf(req, BENCH_REQ_MAX,
				"POST /api/v1/checkout HTTP/1.1\r\n"
				"Host: %s:%u\r\n"
				"Cookie: livery_session=%s\r\n"
				"X-CSRF-Token: %s\r\n"
				"Idempotency-Key: bench-%ld-%d-%ld\r\n"
				"Content-Type: application/json\r\n"
				"Accept: application/json\r\n"
				"Content-Length: %zu\r\n"
				"\r\n%s",
				c->host, ntohs(c->addr.sin_port), c->cookie,
				c->csrf, (long)getpid(), c->id, i++, strlen(c->body), c->body);
		if (n < 0 || n >= BENCH_REQ_MAX) {
			c->errors++;
			break;
		}
		status = bench_write_all(fd, req, (size_t)n) == 0 ?
			 bench_response_read(fd, resp, BENCH_RESP_MAX, &keep) : -1;
		if (status < 0) {
			c->errors++;
			close(fd);
			fd = -1;
			continue;
		}
		bench_lat_add(c, (bench_now() - t) * 1000.0);
		c->status[status]++;
		if (status == 201)
			c->ok++;
		else
			c->other++;
		if (!keep) {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		close(fd);
	lv_free(req);
	lv_free(resp);
	return NULL;
}

static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int bench_usage(void)
{
	fprintf(stderr, "usage: bench_checkout [--connections N] [--body JSON] HOST:PORT SECONDS\n"
		"(LV_BENCH_COOKIE and LV_BENCH_CSRF in the environment)\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct bench_conn conns[BENCH_CONNS_MAX];
	const char *body = "{\"lines\":[{\"sku\":\"BENCH-TEE\",\"quantity\":1}],"
			   "\"delivery\":{\"method\":\"site\"}}";
	const char *cookie = getenv("LV_BENCH_COOKIE"), *csrf = getenv("LV_BENCH_CSRF");
	struct sockaddr_in addr;
	int64_t nconn = 4, secs = 0, port = 0;
	double *all = NULL, t0, t;
	size_t nall = 0, k;
	long ok = 0, errors = 0, status[600] = { 0 };
	char host[64];
	const char *colon;
	int i, s, started, rc = 1;

	for (i = 1; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--connections") == 0) {
			if (lv_parse_i64(argv[++i], 1, BENCH_CONNS_MAX, &nconn) != LV_OK)
				return bench_usage();
		} else if (strcmp(argv[i], "--body") == 0) {
			body = argv[++i];
		} else {
			return bench_usage();
		}
	}
	if (argc - i != 2 || cookie == NULL || csrf == NULL ||
	    lv_parse_i64(argv[i + 1], 1, 600, &secs) != LV_OK)
		return bench_usage();
	colon = strrchr(argv[i], ':');
	if (colon == NULL || (size_t)(colon - argv[i]) >= sizeof(host) ||
	    lv_parse_i64(colon + 1, 1, 65535, &port) != LV_OK)
		return bench_usage();
	memcpy(host, argv[i], (size_t)(colon - argv[i]));
	host[colon - argv[i]] = '\0';
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		return bench_usage();

	t0 = bench_now();
	for (started = 0; started < nconn; started++) {
		struct bench_conn *c = &conns[started];

		c->addr = addr;
		c->host = host;
		c->cookie = cookie;
		c->csrf = csrf;
		c->body = body;
		c->secs = (double)secs;
		c->id = started;
		if (pthread_create(&c->tid, NULL, bench_conn_run, c) != 0) {
			fprintf(stderr, "bench_checkout: cannot start a thread\n");
			break;
		}
	}
	for (i = 0; i < started; i++) {
		pthread_join(conns[i].tid, NULL);
		ok += conns[i].ok;
		errors += conns[i].errors;
		for (s = 0; s < 600; s++)
			status[s] += conns[i].status[s];
		all = lv_realloc(all, (nall + conns[i].nlat + 1) * sizeof(*all));
		for (k = 0; k < conns[i].nlat; k++)
			all[nall++] = conns[i].lat[k];
		lv_free(conns[i].lat);
	}
	t = bench_now();
	if (started == nconn && nall > 0) {
		qsort(all, nall, sizeof(*all), bench_cmp);
		printf("%.0f %.2f %.2f %zu %ld %ld\n", (double)ok / (t - t0), all[nall / 2],
		       all[(nall * 99) / 100], nall, status[503],
		       (long)nall - ok - status[503] + errors);
		for (s = 100; s < 600; s++)
			if (s != 201 && status[s])
				fprintf(stderr, "bench_checkout: %ld answers %d\n", status[s], s);
		if (errors)
			fprintf(stderr, "bench_checkout: %ld connection errors\n", errors);
		rc = 0;
	}
	lv_free(all);
	return rc;
}
