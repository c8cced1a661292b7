/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lv_net.h - IP addresses, CIDR ranges and lists of them, as the
 * configuration names them ([server] trusted_proxies, metrics_allow), and
 * the one decision about who a request comes from behind a proxy
 * (X-Forwarded-For, X-Forwarded-Proto).
 *
 * The parsers are Livery's own and strict: IPv4 is exactly four decimal
 * parts 0-255 without leading zeros (none of the octal, hexadecimal or
 * short forms inet_aton() accepts), IPv6 is the RFC 4291 text form (hex
 * groups of one to four digits, at most one "::", an optional dotted IPv4
 * tail, no zone index, no brackets). No name is ever looked up. An
 * IPv4-mapped IPv6 address (::ffff:192.0.2.1) is taken as the IPv4 address
 * it maps, because a dual-stack socket shows IPv4 peers that way. Nothing
 * here allocates: a list has a fixed maximum and a request's headers are
 * read where they are.
 */
#ifndef LV_NET_H
#define LV_NET_H

#include <stddef.h>

/* The most entries a list may hold. */
#define LV_NET_LIST_MAX 64
/* Room for any address as text, with its NUL (INET6_ADDRSTRLEN). */
#define LV_NET_ADDR_TEXT 46
/* The most X-Forwarded-For / X-Forwarded-Proto header lines read. */
#define LV_NET_HEADERS_MAX 8
/* The most X-Forwarded-For entries examined, right to left. */
#define LV_NET_HOPS_MAX 32

struct lv_net_addr {
	unsigned char family;  /* 4 or 6; 0 for none */
	unsigned char b[16];   /* network byte order; IPv4 in b[0..3] */
};

struct lv_net_range {
	struct lv_net_addr addr; /* the network: bits past the prefix are 0 */
	unsigned char bits;      /* prefix length, 0-32 or 0-128 */
};

struct lv_net_list {
	size_t n;
	struct lv_net_range v[LV_NET_LIST_MAX];
};

/*
 * Parses the n bytes of s (need not be NUL-terminated) as one address.
 * OUT: *out (an IPv4-mapped address comes back as family 4). Returns LV_OK
 * or LV_EINVAL (*out zeroed).
 */
int lv_net_addr_parse(const char *s, size_t n, struct lv_net_addr *out);

/*
 * Parses "address" (a range of that address alone) or "address/bits".
 * The bits after the prefix must be zero ("10.1.0.0/8" is refused: it is
 * probably a typing mistake, and 10.0.0.0/8 is meant or it is not).
 * Returns LV_OK or LV_EINVAL; msg (may be NULL) says why.
 */
int lv_net_range_parse(const char *s, size_t n, struct lv_net_range *out, char *msg,
		       size_t msglen);

/*
 * Parses a comma-separated list of ranges ("127.0.0.1, ::1, 10.0.0.0/8";
 * spaces and tabs around entries are ignored; "" is the empty list).
 * OUT: *out. Returns LV_OK; LV_EINVAL for an entry that is not a range or
 * an empty entry; LV_ETOOBIG past LV_NET_LIST_MAX entries. On error out is
 * the empty list and msg (may be NULL) names the entry and what is wrong.
 */
int lv_net_list_parse(const char *s, struct lv_net_list *out, char *msg, size_t msglen);

/* 1 when a (of either family; family 0 never matches) is in some range of l. */
int lv_net_list_match(const struct lv_net_list *l, const struct lv_net_addr *a);

/* a as text (RFC 5952 for IPv6) into out; "" for family 0. */
void lv_net_addr_format(const struct lv_net_addr *a, char out[LV_NET_ADDR_TEXT]);

/* What the caller read from one request. */
struct lv_net_request {
	const char *peer;          /* the TCP peer's address as text */
	int peer_tls;              /* the connection to us is TLS */
	const char *const *xff;    /* every X-Forwarded-For value, in order */
	size_t nxff;               /* how many (more than LV_NET_HEADERS_MAX: refused) */
	const char *const *xfp;    /* every X-Forwarded-Proto value */
	size_t nxfp;
};

/* Who a request comes from. */
struct lv_net_client {
	struct lv_net_addr peer;     /* the TCP peer (family 0 if unreadable) */
	struct lv_net_addr addr;     /* the client */
	char text[LV_NET_ADDR_TEXT]; /* addr as text ("unknown" if unreadable) */
	int https;                   /* the client used https */
	int forwarded;               /* addr came from X-Forwarded-For */
	int proxied;                 /* the peer is a trusted proxy that sent
				      * X-Forwarded-For (read or not): the request
				      * is someone else's, relayed */
};

/*
 * Decides who rq comes from. When the peer is not in trusted, the client
 * is the peer and the scheme the connection's; X-Forwarded-* are not read.
 * When it is: the client is the right-most X-Forwarded-For entry (all the
 * header lines taken as one list) that is not itself in trusted, or the
 * left-most entry when every one is; the scheme is X-Forwarded-Proto's when
 * there is exactly one such value and it is http or https (any case).
 *
 * Entries are read from the right and reading stops at the chosen one, so
 * what a client wrote to the left of it, even garbage, does not matter. An
 * entry that is read and is not an address (or more than LV_NET_HOPS_MAX
 * entries, or too many header lines) makes the whole header ignored: the
 * client is then the peer. A bad X-Forwarded-Proto is ignored likewise.
 *
 * OUT: *out, always filled. Returns LV_OK, or LV_EINVAL when a header from
 * a trusted peer was ignored, or the peer address could not be read; why
 * (may be NULL) says which and why, for one log line.
 */
int lv_net_client_resolve(const struct lv_net_request *rq, const struct lv_net_list *trusted,
			  struct lv_net_client *out, char *why, size_t whylen);

#endif
