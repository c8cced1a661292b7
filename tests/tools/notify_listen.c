/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * notify_listen.c - the service manager's side of the notification
 * protocol, for tests (tests/http/lifecycle.test.mjs): binds an AF_UNIX
 * datagram socket at the address given (a path, or @name in the abstract
 * namespace, as $NOTIFY_SOCKET spells it) and prints every datagram it
 * receives as one line: "pid=<sender's pid>" then each of the message's
 * lines, separated by tabs. Node cannot bind a unix datagram socket, hence
 * this helper.
 *
 * Usage: notify_listen ADDRESS
 * Prints "listening" once bound. Ends when its standard input closes (the
 * test that started it is gone) or on SIGTERM, removing the socket file.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MSG_MAX 4096

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Prints one datagram of n bytes from pid as a line. */
static void print_message(const char *buf, size_t n, long pid)
{
	size_t i;

	printf("pid=%ld\t", pid);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\n')
			putchar('\t');
		else if (c < 0x20 || c == 0x7f)
			putchar('?');
		else
			putchar(c);
	}
	putchar('\n');
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa;
	struct sigaction act;
	socklen_t salen;
	size_t n;
	int fd, on = 1, rc = 1;

	if (argc != 2 || (argv[1][0] != '/' && argv[1][0] != '@')) {
		fprintf(stderr, "usage: notify_listen /path | @abstract-name\n");
		return 2;
	}
	n = strlen(argv[1]);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (n >= sizeof(sa.sun_path)) {
		fprintf(stderr, "notify_listen: address too long\n");
		return 2;
	}
	memcpy(sa.sun_path, argv[1], n);
	if (argv[1][0] == '@') {
		sa.sun_path[0] = '\0';
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	memset(&act, 0, sizeof(act));
	act.sa_handler = on_signal;
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, salen) != 0) {
		fprintf(stderr, "notify_listen: %s: %s\n", argv[1], strerror(errno));
		goto out;
	}
	/* the sender's credentials come with each datagram, as systemd
	 * checks them (NotifyAccess=main: only the main process counts) */
	setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
	printf("listening\n");
	fflush(stdout);
	while (!stop) {
		struct pollfd pfd[2] = { { fd, POLLIN, 0 }, { 0, POLLIN, 0 } };
		char buf[MSG_MAX];
		char ctl[CMSG_SPACE(sizeof(struct ucred))];
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh;
		struct cmsghdr *c;
		long pid = 0;
		ssize_t got;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			char sink[256];

			if (read(0, sink, sizeof(sink)) <= 0)
				break; /* the test is gone */
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		got = recvmsg(fd, &mh, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
				struct ucred cr;

				memcpy(&cr, CMSG_DATA(c), sizeof(cr));
				pid = (long)cr.pid;
			}
		print_message(buf, (size_t)got, pid);
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (argv[1][0] == '/')
		unlink(argv[1]);
	return rc;
}
