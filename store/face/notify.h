/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * notify.h - telling the service manager how the service is doing, with
 * systemd's notification protocol (sd_notify(3)): one datagram of
 * newline-separated VAR=value assignments ("READY=1\nSTATUS=Serving")
 * sent to the AF_UNIX datagram socket named in $NOTIFY_SOCKET, a path, or
 * with a leading '@' a name in Linux's abstract namespace.
 *
 * Written here rather than linked from libsystemd: the protocol is one
 * sendto(), and Livery then needs no libsystemd at build or run time
 * (nor on systems started by another service manager that speaks the
 * same protocol). Without $NOTIFY_SOCKET (started by hand, or by a unit
 * that is not Type=notify) nothing is sent and nothing fails.
 *
 * The server says READY=1 when it serves, RELOADING=1 ... READY=1 around
 * a reload on SIGHUP, STOPPING=1 when it begins to stop
 * (store/face/server_life.c), each with a STATUS= line that
 * `systemctl status livery` shows.
 */
#ifndef LV_NOTIFY_H
#define LV_NOTIFY_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

/* The largest datagram sent: the protocol's messages are a few lines. */
#define NOTIFY_MAX 1024

/*
 * Turns the value of $NOTIFY_SOCKET into a socket address: an absolute
 * path, or "@name" for the abstract name "\0name". OUT: *sa and *len (the
 * length to pass to sendto()). Returns LV_OK, or LV_EINVAL for an empty or
 * relative value, one too long for sun_path, or another kind of address
 * (systemd's newer "vsock:" ones are not supported).
 */
int notify_addr_parse(const char *s, struct sockaddr_un *sa, socklen_t *len);

/*
 * Sends state (e.g. "READY=1\nSTATUS=Serving") as one datagram to the
 * socket $NOTIFY_SOCKET names. Returns LV_OK, also when $NOTIFY_SOCKET is
 * unset or empty (then nothing is sent); LV_EINVAL when its value is not an
 * address notify_addr_parse() takes, LV_ETOOBIG when state is longer than
 * NOTIFY_MAX, LV_EUNAVAIL when the datagram could not be sent. Failures
 * are logged (event "notify"): the service goes on either way.
 */
int notify_send(const char *state);

/* notify_send() of a printf-formatted state. */
int notify_sendf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
