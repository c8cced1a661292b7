/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_lifecycle.c - the service's life under systemd, below HTTP: the
 * notification protocol (addresses, what reaches the socket, nothing
 * without $NOTIFY_SOCKET), the gate a stop drains (it waits for the last
 * request, and no longer than its timeout), the theme swapped by a reload
 * while a request still holds the old one (AddressSanitizer would see a
 * use after free), and server_reload() with a theme that loads and one
 * that does not.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "lv_err.h"
#include "lv_fixture.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "notify.h"
#include "policy_runtime.h"
#include "server_life.h"
#include "theme.h"

static char tmpdir[] = "/tmp/lv-life-XXXXXX";

static double ms_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* A datagram socket bound at addr (path or @name), with a receive timeout. */
static int listener_new(const char *addr)
{
	struct sockaddr_un sa;
	struct timeval tv = { 2, 0 };
	socklen_t len;
	int fd;

	if (notify_addr_parse(addr, &sa, &len) != LV_OK)
		return -1;
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, len) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* The next datagram on fd into buf (NUL-terminated), or "" on timeout. */
static const char *listener_recv(int fd, char *buf, size_t len)
{
	ssize_t n = recv(fd, buf, len - 1, 0);

	buf[n > 0 ? (size_t)n : 0] = '\0';
	return buf;
}

static void test_addr_parse(void)
{
	struct sockaddr_un sa;
	socklen_t len;
	char longer[200];

	CHECK_INT(notify_addr_parse("/run/systemd/notify", &sa, &len), LV_OK);
	CHECK_INT(sa.sun_family, AF_UNIX);
	CHECK_STR(sa.sun_path, "/run/systemd/notify");
	CHECK_INT(len, offsetof(struct sockaddr_un, sun_path) + strlen("/run/systemd/notify") + 1);

	/* abstract: a leading NUL, and the length (not a NUL) ends the name */
	CHECK_INT(notify_addr_parse("@sd-notify/42", &sa, &len), LV_OK);
	CHECK_INT(sa.sun_path[0], '\0');
	CHECK(memcmp(sa.sun_path + 1, "sd-notify/42", 12) == 0);
	CHECK_INT(len, offsetof(struct sockaddr_un, sun_path) + 13);

	CHECK_INT(notify_addr_parse("", &sa, &len), LV_EINVAL);
	CHECK_INT(notify_addr_parse(NULL, &sa, &len), LV_EINVAL);
	CHECK_INT(notify_addr_parse("@", &sa, &len), LV_EINVAL);
	CHECK_INT(notify_addr_parse("run/notify", &sa, &len), LV_EINVAL);
	CHECK_INT(notify_addr_parse("vsock:2:1234", &sa, &len), LV_EINVAL);
	memset(longer, 'a', sizeof(longer));
	longer[0] = '/';
	longer[sizeof(sa.sun_path)] = '\0'; /* one more than fits with its NUL */
	CHECK_INT(notify_addr_parse(longer, &sa, &len), LV_EINVAL);
	longer[sizeof(sa.sun_path) - 1] = '\0';
	CHECK_INT(notify_addr_parse(longer, &sa, &len), LV_OK);
}

static void test_send(void)
{
	char path[300], abs[64], buf[NOTIFY_MAX + 8], big[NOTIFY_MAX + 2];
	int fd, afd;

	/* no NOTIFY_SOCKET: nothing to do, and no error */
	unsetenv("NOTIFY_SOCKET");
	CHECK_INT(notify_send("READY=1"), LV_OK);
	setenv("NOTIFY_SOCKET", "", 1);
	CHECK_INT(notify_send("READY=1"), LV_OK);

	snprintf(path, sizeof(path), "%s/notify.sock", tmpdir);
	fd = listener_new(path);
	CHECK(fd >= 0);
	setenv("NOTIFY_SOCKET", path, 1);
	CHECK_INT(notify_send("READY=1\nSTATUS=Serving"), LV_OK);
	CHECK_STR(listener_recv(fd, buf, sizeof(buf)), "READY=1\nSTATUS=Serving");
	CHECK_INT(notify_sendf("STOPPING=1\nSTATUS=%s %d", "waiting for", 3), LV_OK);
	CHECK_STR(listener_recv(fd, buf, sizeof(buf)), "STOPPING=1\nSTATUS=waiting for 3");

	/* too long for one message: refused, nothing sent */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(notify_send(big), LV_ETOOBIG);
	CHECK_INT(notify_sendf("%s", big), LV_ETOOBIG);

	/* the abstract namespace */
	snprintf(abs, sizeof(abs), "@lv-life-%ld", (long)getpid());
	afd = listener_new(abs);
	CHECK(afd >= 0);
	setenv("NOTIFY_SOCKET", abs, 1);
	CHECK_INT(notify_send("RELOADING=1"), LV_OK);
	CHECK_STR(listener_recv(afd, buf, sizeof(buf)), "RELOADING=1");

	/* nobody listening, or not an address: an error, logged, no crash */
	snprintf(path, sizeof(path), "%s/nobody.sock", tmpdir);
	setenv("NOTIFY_SOCKET", path, 1);
	CHECK_INT(notify_send("READY=1"), LV_EUNAVAIL);
	setenv("NOTIFY_SOCKET", "relative.sock", 1);
	CHECK_INT(notify_send("READY=1"), LV_EINVAL);

	unsetenv("NOTIFY_SOCKET");
	if (afd >= 0)
		close(afd);
	if (fd >= 0)
		close(fd);
}

struct leaver {
	struct server_gate *g;
	int delay_ms;
};

static void *leave_later(void *arg)
{
	struct leaver *l = arg;

	usleep((useconds_t)l->delay_ms * 1000);
	server_gate_leave(l->g);
	return NULL;
}

static void test_gate(void)
{
	struct server_gate g;
	struct leaver l;
	pthread_t th;
	double t0, took;

	server_gate_init(&g);
	/* nothing in flight: the drain returns at once */
	server_gate_enter(&g);
	CHECK_INT(server_gate_closing(&g), 0);
	server_gate_leave(&g);
	t0 = ms_now();
	CHECK_INT(server_gate_drain(&g, 5000), 0);
	CHECK(ms_now() - t0 < 1000);
	server_gate_cleanup(&g);

	/* a request that never ends: the drain gives up after its timeout */
	server_gate_init(&g);
	server_gate_enter(&g);
	server_gate_enter(&g);
	server_gate_leave(&g);
	t0 = ms_now();
	CHECK_INT(server_gate_drain(&g, 200), 1);
	took = ms_now() - t0;
	CHECK(took >= 190 && took < 2000);
	/* the request in flight, and any that still enters, is told to
	 * close its connection */
	CHECK_INT(server_gate_closing(&g), 1);
	server_gate_enter(&g);
	server_gate_leave(&g);
	server_gate_leave(&g);
	CHECK_INT(server_gate_drain(&g, 0), 0);
	server_gate_cleanup(&g);

	/* a request that ends during the drain ends it, long before the timeout */
	server_gate_init(&g);
	server_gate_enter(&g);
	l.g = &g;
	l.delay_ms = 150;
	CHECK_INT(pthread_create(&th, NULL, leave_later, &l), 0);
	t0 = ms_now();
	CHECK_INT(server_gate_drain(&g, 10000), 0);
	took = ms_now() - t0;
	CHECK(took >= 100 && took < 5000);
	pthread_join(th, NULL);
	server_gate_cleanup(&g);

	/* no gate (commands, tests without a server): nothing happens */
	server_gate_enter(NULL);
	CHECK_INT(server_gate_closing(NULL), 0);
	server_gate_leave(NULL);
}

/* Writes text to <tmpdir>/themes/t/templates/page.mustache. */
static void page_write(const char *text)
{
	char p[400];
	FILE *f;

	snprintf(p, sizeof(p), "%s/themes", tmpdir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/themes/t", tmpdir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/themes/t/templates", tmpdir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/themes/t/templates/page.mustache", tmpdir);
	f = fopen(p, "w");
	if (f == NULL) {
		perror(p);
		abort();
	}
	fputs(text, f);
	fclose(f);
}

/* Renders page of t in English into a static buffer ("" on error). */
static const char *page_render(struct theme *t)
{
	static char text[256];
	struct lv_buf out;
	json_t *d = json_object();

	text[0] = '\0';
	lv_buf_init(&out, 4096);
	if (t && theme_render(t, "en", "page", d, &out) == LV_OK)
		lv_strlcpy(text, lv_buf_str(&out), sizeof(text));
	lv_buf_cleanup(&out);
	json_decref(d);
	return text;
}

/* An application context with just what reloads need. */
static struct livery *app_for_reload(const char *db_path)
{
	struct livery *app = lv_calloc(1, sizeof(*app));
	char dir[300];

	pthread_mutex_init(&app->theme_lock, NULL);
	lv_config_defaults(&app->cfg);
	snprintf(dir, sizeof(dir), "%s/themes", tmpdir);
	lv_free(app->cfg.themes_dir);
	app->cfg.themes_dir = lv_strdup(dir);
	lv_free(app->cfg.theme);
	app->cfg.theme = lv_strdup("t");
	lv_free(app->cfg.locale_dir);
	app->cfg.locale_dir = NULL;
	app->cfg.db_path = db_path ? lv_strdup(db_path) : NULL;
	policy_runtime_new(&app->policies);
	return app;
}

static void app_for_reload_free(struct livery *app)
{
	theme_unref(app->theme_current);
	theme_unref(app->theme_previous);
	pthread_mutex_destroy(&app->theme_lock);
	policy_runtime_free(app->policies);
	lv_config_cleanup(&app->cfg);
	lv_free(app);
}

static void test_theme_swap(void)
{
	struct livery *app = app_for_reload(NULL);
	struct theme *first, *second, *prev, *now;
	char msg[512];

	CHECK(app_theme_get(app) == NULL);
	page_write("<p>one</p>");
	CHECK_INT(app_theme_load(app, msg, sizeof(msg)), LV_OK);
	first = app_theme_get(app); /* a request in flight holds it */
	CHECK_STR(page_render(first), "<p>one</p>");
	CHECK(app_theme_previous_get(app) == NULL);

	page_write("<p>two</p>");
	CHECK_INT(app_theme_load(app, msg, sizeof(msg)), LV_OK);
	second = app_theme_get(app);
	CHECK(second != first);
	CHECK_STR(page_render(second), "<p>two</p>");
	prev = app_theme_previous_get(app);
	CHECK(prev == first);
	theme_unref(prev);

	/* a third load drops the first from the app: the request holding it
	 * still renders from it (under ASan, a use after free otherwise) */
	page_write("<p>three</p>");
	CHECK_INT(app_theme_load(app, msg, sizeof(msg)), LV_OK);
	prev = app_theme_previous_get(app);
	CHECK(prev == second);
	theme_unref(prev);
	CHECK_STR(page_render(first), "<p>one</p>");
	theme_unref(first); /* the last reference: freed here */

	/* a theme that does not load leaves the one in use */
	page_write("<p>{{#open}}never closed</p>");
	msg[0] = '\0';
	CHECK(app_theme_load(app, msg, sizeof(msg)) != LV_OK);
	CHECK(strstr(msg, "page.mustache") != NULL);
	now = app_theme_get(app);
	CHECK_STR(page_render(now), "<p>three</p>");
	theme_unref(now);
	theme_unref(second);
	app_for_reload_free(app);
}

static void test_reload(void)
{
	struct lv_db *db = fixture_db_new("life", 2000, NULL);
	struct livery *app = app_for_reload(fixture_db_path());
	struct theme *t;
	char path[300], buf[NOTIFY_MAX + 8], msg[512];
	int fd;

	snprintf(path, sizeof(path), "%s/reload.sock", tmpdir);
	fd = listener_new(path);
	CHECK(fd >= 0);
	setenv("NOTIFY_SOCKET", path, 1);
	page_write("<p>before</p>");
	CHECK_INT(app_theme_load(app, msg, sizeof(msg)), LV_OK);

	page_write("<p>after</p>");
	CHECK_INT(server_reload(app), LV_OK);
	CHECK(strncmp(listener_recv(fd, buf, sizeof(buf)), "RELOADING=1\n", 12) == 0);
	CHECK(strstr(buf, "MONOTONIC_USEC=") != NULL);
	CHECK(strncmp(listener_recv(fd, buf, sizeof(buf)), "READY=1\nSTATUS=", 15) == 0);
	CHECK(strstr(buf, "reloaded") != NULL);
	t = app_theme_get(app);
	CHECK_STR(page_render(t), "<p>after</p>");
	theme_unref(t);
	/* the stored policies were read: the set knows its generation */
	CHECK(policy_runtime_generation(app->policies) != POLICY_GENERATION_UNKNOWN);

	/* a broken theme: the reload says so, READY=1 all the same */
	page_write("{{/nothing-open}}");
	CHECK(server_reload(app) != LV_OK);
	CHECK(strncmp(listener_recv(fd, buf, sizeof(buf)), "RELOADING=1\n", 12) == 0);
	CHECK(strncmp(listener_recv(fd, buf, sizeof(buf)), "READY=1\nSTATUS=", 15) == 0);
	CHECK(strstr(buf, "kept the previous theme") != NULL);
	CHECK(strstr(buf, "page.mustache") != NULL);
	CHECK(strchr(strstr(buf, "STATUS="), '\n') == NULL); /* one line */
	t = app_theme_get(app);
	CHECK_STR(page_render(t), "<p>after</p>");
	theme_unref(t);

	unsetenv("NOTIFY_SOCKET");
	if (fd >= 0)
		close(fd);
	app_for_reload_free(app);
	fixture_db_drop(db);
}

static void tmp_remove(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

int main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	LV_RUN(test_addr_parse);
	LV_RUN(test_send);
	LV_RUN(test_gate);
	LV_RUN(test_theme_swap);
	LV_RUN(test_reload);
	tmp_remove();
	return lv_test_done();
}
