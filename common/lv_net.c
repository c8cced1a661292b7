/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lv_net.c - addresses, ranges, lists and the client behind a proxy (see
 * lv_net.h).
 *
 * Everything here may read text a client chose (X-Forwarded-For), so every
 * loop is bounded by a length given or measured, nothing is copied into a
 * fixed buffer without checking its size first, and nothing allocates.
 */
#include "lv_net.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "lv_parse.h"

/* The longest address text: a full IPv6 address with an IPv4 tail. */
#define NET_ADDR_MAX_LEN 45

static int net_is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Narrows [*s, *s + *n) to what lies between spaces and tabs. */
static void net_trim(const char **s, size_t *n)
{
	while (*n && net_is_ows(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && net_is_ows((*s)[*n - 1]))
		(*n)--;
}

/* Four decimal parts 0-255, no leading zeros, nothing else. OUT: b[0..3]. */
static int net_v4_parse(const char *s, size_t n, unsigned char *b)
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		if (part > 0) {
			if (i >= n || s[i] != '.')
				return LV_EINVAL;
			i++;
		}
		while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			if (digits == 1 && v == 0)
				return LV_EINVAL; /* a leading zero: octal to some readers */
			v = v * 10 + (unsigned)(s[i] - '0');
			digits++;
			i++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return LV_EINVAL;
		b[part] = (unsigned char)v;
	}
	return i == n ? LV_OK : LV_EINVAL;
}

/*
 * RFC 4291 text: up to eight groups of 1-4 hex digits separated by ':', one
 * "::" standing for one or more zero groups, the last 32 bits optionally as
 * a dotted IPv4 address. OUT: b[0..15].
 */
static int net_v6_parse(const char *s, size_t n, unsigned char *b)
{
	unsigned words[8];
	size_t i = 0, nw = 0, k;
	int gap = -1;

	if (n < 2)
		return LV_EINVAL;
	if (s[0] == ':') {
		if (s[1] != ':')
			return LV_EINVAL;
		gap = 0;
		i = 2;
	}
	while (i < n) {
		size_t j = i;
		unsigned v = 0;

		while (j < n && j - i < 5 && lv_hex_digit(s[j]) >= 0)
			v = (v << 4) | (unsigned)lv_hex_digit(s[j++]);
		if (j < n && s[j] == '.') {
			unsigned char v4[4];

			/* the IPv4 tail: the last 32 bits, nothing after it */
			if (nw > 6 || net_v4_parse(s + i, n - i, v4) != LV_OK)
				return LV_EINVAL;
			words[nw++] = (unsigned)v4[0] << 8 | v4[1];
			words[nw++] = (unsigned)v4[2] << 8 | v4[3];
			i = n;
			break;
		}
		if (j == i || j - i > 4 || nw >= 8)
			return LV_EINVAL;
		words[nw++] = v;
		i = j;
		if (i == n)
			break;
		if (s[i] != ':' || i + 1 == n)
			return LV_EINVAL; /* not a separator, or a lone trailing ':' */
		i++;
		if (s[i] == ':') {
			if (gap >= 0)
				return LV_EINVAL; /* a second "::" */
			gap = (int)nw;
			i++;
		}
	}
	if (gap < 0 ? nw != 8 : nw > 7)
		return LV_EINVAL;
	memset(b, 0, 16);
	for (k = 0; k < nw; k++) {
		/* the groups after "::" go to the end */
		size_t at = gap >= 0 && k >= (size_t)gap ? 8 - nw + k : k;

		b[2 * at] = (unsigned char)(words[k] >> 8);
		b[2 * at + 1] = (unsigned char)(words[k] & 0xff);
	}
	return LV_OK;
}

/* Is b (16 bytes) ::ffff:a.b.c.d? */
static int net_v4_mapped(const unsigned char *b)
{
	static const unsigned char prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(b, prefix, sizeof(prefix)) == 0;
}

/* Parses without turning an IPv4-mapped address into IPv4. */
static int net_addr_parse_raw(const char *s, size_t n, struct lv_net_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (n == 0 || n > NET_ADDR_MAX_LEN)
		return LV_EINVAL;
	if (memchr(s, ':', n)) {
		if (net_v6_parse(s, n, out->b) != LV_OK)
			goto fail;
		out->family = 6;
		return LV_OK;
	}
	if (net_v4_parse(s, n, out->b) != LV_OK)
		goto fail;
	out->family = 4;
	return LV_OK;
fail:
	memset(out, 0, sizeof(*out));
	return LV_EINVAL;
}

int lv_net_addr_parse(const char *s, size_t n, struct lv_net_addr *out)
{
	int rc = net_addr_parse_raw(s, n, out);

	if (rc == LV_OK && out->family == 6 && net_v4_mapped(out->b)) {
		memmove(out->b, out->b + 12, 4);
		memset(out->b + 4, 0, 12);
		out->family = 4;
	}
	return rc;
}

static void net_msg(char *msg, size_t msglen, const char *what)
{
	if (msg && msglen)
		lv_strlcpy(msg, what, msglen);
}

int lv_net_range_parse(const char *s, size_t n, struct lv_net_range *out, char *msg,
		       size_t msglen)
{
	const char *slash = memchr(s, '/', n);
	size_t an = slash ? (size_t)(slash - s) : n, i, max, full;
	unsigned bits = 0;
	int rc = LV_EINVAL;

	memset(out, 0, sizeof(*out));
	if (net_addr_parse_raw(s, an, &out->addr) != LV_OK) {
		net_msg(msg, msglen, "not an IPv4 or IPv6 address");
		goto out;
	}
	max = out->addr.family == 4 ? 32 : 128;
	if (slash) {
		size_t dn = n - an - 1;

		for (i = 0; i < dn; i++) {
			if (slash[1 + i] < '0' || slash[1 + i] > '9' || i >= 3)
				break;
			bits = bits * 10 + (unsigned)(slash[1 + i] - '0');
		}
		if (dn == 0 || i < dn || (dn > 1 && slash[1] == '0') || bits > max) {
			net_msg(msg, msglen, max == 32 ? "the prefix length must be 0 to 32"
						       : "the prefix length must be 0 to 128");
			goto out;
		}
	} else {
		bits = (unsigned)max;
	}
	if (out->addr.family == 6 && net_v4_mapped(out->addr.b)) {
		/* ::ffff:10.0.0.0/104 is 10.0.0.0/8: addresses are compared as IPv4 */
		if (bits < 96) {
			net_msg(msg, msglen, "a range of IPv4-mapped addresses needs a prefix of 96 or more");
			goto out;
		}
		memmove(out->addr.b, out->addr.b + 12, 4);
		memset(out->addr.b + 4, 0, 12);
		out->addr.family = 4;
		bits -= 96;
		max = 32;
	}
	/* the host part must be zero */
	full = max / 8;
	for (i = bits / 8; i < full; i++) {
		unsigned char mask = i == bits / 8 ? (unsigned char)(0xffu >> (bits % 8)) : 0xff;

		if (out->addr.b[i] & mask) {
			net_msg(msg, msglen, "bits are set after the prefix (e.g. write 10.0.0.0/8, "
					     "not 10.1.2.3/8)");
			goto out;
		}
	}
	out->bits = (unsigned char)bits;
	rc = LV_OK;
out:
	if (rc != LV_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

int lv_net_list_parse(const char *s, struct lv_net_list *out, char *msg, size_t msglen)
{
	const char *p = s;
	size_t len = strlen(s), entry = 0;
	char why[128];
	int rc = LV_OK;

	memset(out, 0, sizeof(*out));
	net_trim(&p, &len);
	if (len == 0)
		goto out; /* the empty list */
	for (;;) {
		const char *comma = memchr(p, ',', len);
		const char *e = p;
		size_t n = comma ? (size_t)(comma - p) : len;

		entry++;
		net_trim(&e, &n);
		if (n == 0) {
			if (msg)
				lv_snprintf(msg, msglen, "entry %zu is empty", entry);
			rc = LV_EINVAL;
			goto out;
		}
		if (out->n == LV_NET_LIST_MAX) {
			if (msg)
				lv_snprintf(msg, msglen, "more than %d entries", LV_NET_LIST_MAX);
			rc = LV_ETOOBIG;
			goto out;
		}
		if (lv_net_range_parse(e, n, &out->v[out->n], why, sizeof(why)) != LV_OK) {
			if (msg)
				lv_snprintf(msg, msglen, "entry %zu \"%.*s\": %s", entry,
					    (int)(n > 64 ? 64 : n), e, why);
			rc = LV_EINVAL;
			goto out;
		}
		out->n++;
		if (comma == NULL)
			break;
		len -= (size_t)(comma + 1 - p);
		p = comma + 1;
	}
out:
	if (rc != LV_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

static int net_range_match(const struct lv_net_range *r, const struct lv_net_addr *a)
{
	size_t whole = r->bits / 8;
	unsigned rest = r->bits % 8;

	if (r->addr.family != a->family)
		return 0;
	if (memcmp(r->addr.b, a->b, whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((r->addr.b[whole] ^ a->b[whole]) & (unsigned char)(0xffu << (8 - rest))) == 0;
}

int lv_net_list_match(const struct lv_net_list *l, const struct lv_net_addr *a)
{
	size_t i;

	if (l == NULL || a->family == 0)
		return 0;
	for (i = 0; i < l->n; i++)
		if (net_range_match(&l->v[i], a))
			return 1;
	return 0;
}

void lv_net_addr_format(const struct lv_net_addr *a, char out[LV_NET_ADDR_TEXT])
{
	out[0] = '\0';
	if (a->family == 0 ||
	    inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, out, LV_NET_ADDR_TEXT) == NULL)
		out[0] = '\0';
}

/*
 * The X-Forwarded-For decision (see lv_net_client_resolve): walks the
 * entries of every value from the right. OUT: *out. Returns LV_OK,
 * LV_ENOTFOUND (no entry at all) or LV_EINVAL with why.
 */
static int net_forwarded_for(const struct lv_net_request *rq, const struct lv_net_list *trusted,
			     struct lv_net_addr *out, const char **why)
{
	size_t v, hops = 0;

	if (rq->nxff > LV_NET_HEADERS_MAX) {
		*why = "too many X-Forwarded-For lines";
		return LV_EINVAL;
	}
	for (v = rq->nxff; v-- > 0;) {
		const char *s = rq->xff[v];
		size_t end = strlen(s);

		for (;;) {
			size_t start = end, n;
			const char *e;
			struct lv_net_addr a;

			while (start > 0 && s[start - 1] != ',')
				start--;
			e = s + start;
			n = end - start;
			net_trim(&e, &n);
			if (++hops > LV_NET_HOPS_MAX) {
				*why = "too many X-Forwarded-For entries";
				return LV_EINVAL;
			}
			if (n == 0) {
				*why = "an empty X-Forwarded-For entry";
				return LV_EINVAL;
			}
			if (lv_net_addr_parse(e, n, &a) != LV_OK) {
				*why = "an X-Forwarded-For entry is not an IP address";
				return LV_EINVAL;
			}
			*out = a;
			if (!lv_net_list_match(trusted, &a))
				return LV_OK;
			if (start == 0)
				break;
			end = start - 1;
		}
	}
	/* every entry was a trusted proxy: the left-most is the furthest known */
	return hops ? LV_OK : LV_ENOTFOUND;
}

/* X-Forwarded-Proto. OUT: *https. LV_OK, LV_ENOTFOUND or LV_EINVAL with why. */
static int net_forwarded_proto(const struct lv_net_request *rq, int *https, const char **why)
{
	const char *s;
	size_t n;

	if (rq->nxfp == 0)
		return LV_ENOTFOUND;
	if (rq->nxfp > 1) {
		*why = "more than one X-Forwarded-Proto";
		return LV_EINVAL;
	}
	s = rq->xfp[0];
	n = strlen(s);
	net_trim(&s, &n);
	if (n == 5 && strncasecmp(s, "https", 5) == 0) {
		*https = 1;
		return LV_OK;
	}
	if (n == 4 && strncasecmp(s, "http", 4) == 0) {
		*https = 0;
		return LV_OK;
	}
	*why = "X-Forwarded-Proto is neither http nor https";
	return LV_EINVAL;
}

int lv_net_client_resolve(const struct lv_net_request *rq, const struct lv_net_list *trusted,
			  struct lv_net_client *out, char *why, size_t whylen)
{
	const char *bad_for = NULL, *bad_proto = NULL;
	const char *peer = rq->peer ? rq->peer : "";
	size_t pn = strlen(peer);
	struct lv_net_addr a;
	int rc = LV_OK, https = 0;

	memset(out, 0, sizeof(*out));
	if (why && whylen)
		why[0] = '\0';
	/* CivetWeb writes IPv6 peers bare; accept "[...]" all the same */
	if (pn >= 2 && peer[0] == '[' && peer[pn - 1] == ']')
		lv_net_addr_parse(peer + 1, pn - 2, &out->peer);
	else
		lv_net_addr_parse(peer, pn, &out->peer);
	out->addr = out->peer;
	out->https = rq->peer_tls != 0;
	if (out->peer.family == 0) {
		net_msg(why, whylen, "the peer address cannot be read");
		rc = LV_EINVAL;
		goto out;
	}
	if (!lv_net_list_match(trusted, &out->peer))
		goto out;
	out->proxied = rq->nxff > 0;
	if (net_forwarded_for(rq, trusted, &a, &bad_for) == LV_OK) {
		out->addr = a;
		out->forwarded = 1;
	}
	if (net_forwarded_proto(rq, &https, &bad_proto) == LV_OK)
		out->https = https;
	if (bad_for || bad_proto) {
		if (why)
			lv_snprintf(why, whylen, "%s%s%s", bad_for ? bad_for : "",
				    bad_for && bad_proto ? "; " : "", bad_proto ? bad_proto : "");
		rc = LV_EINVAL;
	}
out:
	lv_net_addr_format(&out->addr, out->text);
	if (out->text[0] == '\0')
		lv_strlcpy(out->text, "unknown", sizeof(out->text));
	return rc;
}
