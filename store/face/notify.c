/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * notify.c - the service manager's notification protocol (see notify.h):
 * parse $NOTIFY_SOCKET, open an AF_UNIX datagram socket, send one
 * datagram, close. A socket per message: messages are a handful per run
 * (ready, reloads, stop), and nothing is kept open across fork or reload.
 */
#include "notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lv_err.h"
#include "lv_log.h"

int notify_addr_parse(const char *s, struct sockaddr_un *sa, socklen_t *len)
{
	size_t n = s ? strlen(s) : 0;

	memset(sa, 0, sizeof(*sa));
	*len = 0;
	sa->sun_family = AF_UNIX;
	/* a path is NUL-terminated in sun_path; an abstract name ("@name")
	 * becomes "\0name" and its length says where it ends */
	if (n < 2 || (s[0] != '/' && s[0] != '@') || n >= sizeof(sa->sun_path))
		return LV_EINVAL;
	memcpy(sa->sun_path, s, n);
	if (s[0] == '@') {
		sa->sun_path[0] = '\0';
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return LV_OK;
}

int notify_send(const char *state)
{
	const char *where = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t salen;
	size_t n = strlen(state);
	char q[160];
	ssize_t sent;
	int fd = -1, rc = LV_OK;

	if (where == NULL || *where == '\0')
		goto out;
	if (n > NOTIFY_MAX) {
		lv_warn("notify", "error=\"message of %zu bytes, more than %d\"", n, NOTIFY_MAX);
		rc = LV_ETOOBIG;
		goto out;
	}
	rc = notify_addr_parse(where, &sa, &salen);
	if (rc != LV_OK) {
		lv_warn("notify", "socket=%s error=\"NOTIFY_SOCKET is neither an absolute path "
			"nor an @abstract name\"", lv_log_quote(q, sizeof(q), where));
		goto out;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = LV_EUNAVAIL;
		lv_warn("notify", "error=\"socket: %s\"", strerror(errno));
		goto out;
	}
	do
		sent = sendto(fd, state, n, MSG_NOSIGNAL, (const struct sockaddr *)&sa, salen);
	while (sent < 0 && errno == EINTR);
	if (sent < 0 || (size_t)sent != n) {
		rc = LV_EUNAVAIL;
		lv_warn("notify", "socket=%s error=\"%s\"", lv_log_quote(q, sizeof(q), where),
			sent < 0 ? strerror(errno) : "short send");
	}
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

int notify_sendf(const char *fmt, ...)
{
	char state[NOTIFY_MAX + 2];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(state, sizeof(state), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > NOTIFY_MAX) {
		lv_warn("notify", "error=\"message longer than %d bytes\"", NOTIFY_MAX);
		return LV_ETOOBIG;
	}
	return notify_send(state);
}
