/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_forwarded.c - libFuzzer target for common/lv_net.c: address, range
 * and list parsing, and the client address chosen behind trusted proxies.
 *
 * The input is lines: the first is a list as [server] trusted_proxies
 * would hold it (a fixed list is used when it does not parse), the second
 * the TCP peer, each further line an X-Forwarded-For value, or an
 * X-Forwarded-Proto value when it starts with '>'. Checked: every address
 * accepted is one inet_pton accepts with the same bytes, and formats back
 * to itself; every range has no bit set after its prefix; an untrusted
 * peer is always its own client, with the connection's scheme; a
 * forwarded client only ever comes from a trusted peer, and is not itself
 * trusted unless every entry was; the text is a bounded, valid address.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "lv_net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LINES (2 * LV_NET_HEADERS_MAX + 4)

static void check_addr(const char *s, size_t n)
{
	struct lv_net_addr a, again;
	unsigned char b[16];
	char text[LV_NET_ADDR_TEXT], *copy;
	int v6;

	if (lv_net_addr_parse(s, n, &a) != LV_OK) {
		if (a.family != 0)
			abort();
		return;
	}
	if (a.family != 4 && a.family != 6)
		abort();
	copy = lv_strndup(s, n);
	if (strlen(copy) != n)
		abort(); /* a NUL inside was accepted */
	v6 = strchr(copy, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, copy, b) != 1)
		abort();
	if (a.family == 4 && v6 ? memcmp(a.b, b + 12, 4) != 0
				 : memcmp(a.b, b, a.family == 4 ? 4 : 16) != 0)
		abort();
	lv_net_addr_format(&a, text);
	if (lv_net_addr_parse(text, strlen(text), &again) != LV_OK ||
	    memcmp(&a, &again, sizeof(a)) != 0)
		abort();
	lv_free(copy);
}

static void check_list(const struct lv_net_list *l)
{
	size_t i, k;

	if (l->n > LV_NET_LIST_MAX)
		abort();
	for (i = 0; i < l->n; i++) {
		const struct lv_net_range *r = &l->v[i];
		unsigned max = r->addr.family == 4 ? 32 : 128;

		if ((r->addr.family != 4 && r->addr.family != 6) || r->bits > max)
			abort();
		for (k = r->bits; k < max; k++)
			if (r->addr.b[k / 8] & (0x80u >> (k % 8)))
				abort();
		/* the network itself is in its range */
		if (!lv_net_list_match(l, &r->addr))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char fallback[] = "127.0.0.1, 10.0.0.0/8, ::1, 2001:db8::/32";
	const char *lines[MAX_LINES], *xff[LV_NET_HEADERS_MAX + 1], *xfp[LV_NET_HEADERS_MAX + 1];
	char *text = lv_malloc(size + 1), why[160];
	struct lv_net_list trusted;
	struct lv_net_request rq;
	struct lv_net_client c;
	size_t i, n = 0, start = 0;
	int rc;

	memcpy(text, data, size);
	text[size] = '\0';
	for (i = 0; i <= size && n < MAX_LINES; i++) {
		if (i == size || text[i] == '\n') {
			text[i] = '\0';
			check_addr(text + start, i - start);
			lines[n++] = text + start;
			start = i + 1;
		}
	}
	if (lv_net_list_parse(lines[0], &trusted, why, sizeof(why)) == LV_OK)
		check_list(&trusted);
	else if (trusted.n != 0 || why[0] == '\0')
		abort();
	else if (lv_net_list_parse(fallback, &trusted, NULL, 0) != LV_OK)
		abort();

	memset(&rq, 0, sizeof(rq));
	rq.peer = n > 1 ? lines[1] : "127.0.0.1";
	rq.peer_tls = size > 0 && (data[0] & 1);
	rq.xff = xff;
	rq.xfp = xfp;
	for (i = 2; i < n; i++) {
		if (lines[i][0] == '>' && rq.nxfp <= LV_NET_HEADERS_MAX)
			xfp[rq.nxfp++] = lines[i] + 1;
		else if (lines[i][0] != '>' && rq.nxff <= LV_NET_HEADERS_MAX)
			xff[rq.nxff++] = lines[i];
	}
	rc = lv_net_client_resolve(&rq, &trusted, &c, why, sizeof(why));
	if (rc != LV_OK && rc != LV_EINVAL)
		abort();
	if (strnlen(c.text, sizeof(c.text)) >= sizeof(c.text) || (rc != LV_OK && why[0] == '\0'))
		abort();
	if (c.peer.family == 0 || !lv_net_list_match(&trusted, &c.peer)) {
		/* nothing a client sends is believed */
		if (c.forwarded || c.proxied || c.https != rq.peer_tls ||
		    memcmp(&c.addr, &c.peer, sizeof(c.addr)))
			abort();
	}
	if (c.forwarded && !c.proxied)
		abort();
	if (c.addr.family == 0) {
		if (strcmp(c.text, "unknown") != 0)
			abort();
	} else {
		struct lv_net_addr again;

		if (lv_net_addr_parse(c.text, strlen(c.text), &again) != LV_OK ||
		    memcmp(&again, &c.addr, sizeof(again)) != 0)
			abort();
	}
	if (c.forwarded && lv_net_list_match(&trusted, &c.addr)) {
		/* a trusted address is chosen only when every entry is trusted:
		 * then no entry may be untrusted */
		for (i = 0; i < rq.nxff; i++) {
			const char *s = rq.xff[i], *p = s;

			while (*p) {
				const char *comma = strchr(p, ',');
				size_t len = comma ? (size_t)(comma - p) : strlen(p);
				struct lv_net_addr e;

				while (len && (*p == ' ' || *p == '\t')) {
					p++;
					len--;
				}
				while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
					len--;
				if (lv_net_addr_parse(p, len, &e) == LV_OK && !lv_net_list_match(&trusted, &e))
					abort();
				if (comma == NULL)
					break;
				p = comma + 1;
			}
		}
	}
	lv_free(text);
	return 0;
}
