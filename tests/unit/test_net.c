/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_net.c - common/lv_net.c: IPv4 and IPv6 addresses (strictly: no
 * octal, short or zoned forms), CIDR ranges and lists as the configuration
 * writes them, matching, and the choice of a request's client address and
 * scheme behind trusted proxies (X-Forwarded-For read from the right, a
 * malformed header ignored, nothing believed from an untrusted peer).
 */
#include <arpa/inet.h>
#include <string.h>

#include "lv_err.h"
#include "lv_net.h"
#include "lv_test.h"

/* s parsed and formatted again; "" when it does not parse. */
static const char *addr_round(const char *s)
{
	static char out[LV_NET_ADDR_TEXT];
	struct lv_net_addr a;

	out[0] = '\0';
	if (lv_net_addr_parse(s, strlen(s), &a) == LV_OK)
		lv_net_addr_format(&a, out);
	return out;
}

static void test_addr_v4(void)
{
	struct lv_net_addr a;

	CHECK_INT(lv_net_addr_parse("203.0.113.9", 11, &a), LV_OK);
	CHECK_INT(a.family, 4);
	CHECK(a.b[0] == 203 && a.b[1] == 0 && a.b[2] == 113 && a.b[3] == 9);
	CHECK_STR(addr_round("0.0.0.0"), "0.0.0.0");
	CHECK_STR(addr_round("255.255.255.255"), "255.255.255.255");
	/* only the n bytes given are read */
	CHECK_INT(lv_net_addr_parse("10.0.0.1garbage", 8, &a), LV_OK);
	CHECK_STR(addr_round("256.0.0.1"), "");
	CHECK_STR(addr_round("010.0.0.1"), "");  /* octal to inet_aton */
	CHECK_STR(addr_round("10.0.0.01"), "");
	CHECK_STR(addr_round("10.1"), "");       /* short form */
	CHECK_STR(addr_round("0x7f.0.0.1"), "");
	CHECK_STR(addr_round("1.2.3.4."), "");
	CHECK_STR(addr_round(".1.2.3.4"), "");
	CHECK_STR(addr_round("1.2.3.4.5"), "");
	CHECK_STR(addr_round("1..3.4"), "");
	CHECK_STR(addr_round("1.2.3.1000"), "");
	CHECK_STR(addr_round(" 1.2.3.4"), "");
	CHECK_STR(addr_round("1.2.3.-4"), "");
	CHECK_STR(addr_round("localhost"), "");
	CHECK_STR(addr_round(""), "");
	CHECK_INT(lv_net_addr_parse("1.2.3.4", 0, &a), LV_EINVAL);
	CHECK_INT(a.family, 0);
}

static void test_addr_v6(void)
{
	struct lv_net_addr a;

	CHECK_STR(addr_round("::1"), "::1");
	CHECK_STR(addr_round("::"), "::");
	CHECK_STR(addr_round("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
	CHECK_STR(addr_round("2001:db8::"), "2001:db8::");
	CHECK_STR(addr_round("1:2:3:4:5:6:7::"), "1:2:3:4:5:6:7:0");
	CHECK_STR(addr_round("::2:3:4:5:6:7:8"), "0:2:3:4:5:6:7:8");
	CHECK_STR(addr_round("1:2:3:4:5:6:7:8"), "1:2:3:4:5:6:7:8");
	CHECK_STR(addr_round("fe80::0001:0"), "fe80::1:0");
	CHECK_STR(addr_round("64:ff9b::192.0.2.33"), "64:ff9b::c000:221");
	/* an IPv4-mapped address is the IPv4 address */
	CHECK_INT(lv_net_addr_parse("::ffff:127.0.0.1", 16, &a), LV_OK);
	CHECK_INT(a.family, 4);
	CHECK_STR(addr_round("::ffff:127.0.0.1"), "127.0.0.1");
	CHECK_STR(addr_round("::FFFF:7f00:1"), "127.0.0.1");

	CHECK_STR(addr_round(":::"), "");
	CHECK_STR(addr_round("1::2::3"), "");
	CHECK_STR(addr_round("1:2:3:4:5:6:7:8:9"), "");
	CHECK_STR(addr_round("1:2:3:4:5:6:7:8::"), "");
	CHECK_STR(addr_round("1:2:3:4:5:6:7"), "");
	CHECK_STR(addr_round("12345::1"), "");
	CHECK_STR(addr_round(":1::2"), "");
	CHECK_STR(addr_round("1::2:"), "");
	CHECK_STR(addr_round("1:"), "");
	CHECK_STR(addr_round("fe80::1%eth0"), "");  /* no zone */
	CHECK_STR(addr_round("[::1]"), "");
	CHECK_STR(addr_round("::1.2.3"), "");
	CHECK_STR(addr_round("::1.2.3.4:5"), "");
	CHECK_STR(addr_round("1:2:3:4:5:6:7:1.2.3.4"), "");
	CHECK_STR(addr_round("g::1"), "");
	CHECK_STR(addr_round("::01.2.3.4"), "");
	/* 45 characters is the longest an address can be written */
	CHECK_STR(addr_round("0000:0000:0000:0000:0000:ffff:192.168.100.228"), "192.168.100.228");
	CHECK_STR(addr_round("00000:0000:0000:0000:0000:ffff:192.168.100.228"), "");
}

/* Every address our parser takes, inet_pton takes too, with the same bytes. */
static void test_addr_agrees_with_inet_pton(void)
{
	static const char *const samples[] = {
		"1.2.3.4", "::", "::1", "1::", "1:2:3:4:5:6:7:8", "::ffff:1.2.3.4",
		"2001:db8:0:1:1:1:1:1", "a:b:c::d:e", "::1.2.3.4", "1:2:3:4:5:6:1.2.3.4",
	};
	unsigned char b[16];
	size_t i;

	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		struct lv_net_addr a;
		int v6 = strchr(samples[i], ':') != NULL;

		CHECK_INT(lv_net_addr_parse(samples[i], strlen(samples[i]), &a), LV_OK);
		CHECK_INT(inet_pton(v6 ? AF_INET6 : AF_INET, samples[i], b), 1);
		if (a.family == 4 && v6)
			CHECK(memcmp(a.b, b + 12, 4) == 0);
		else
			CHECK(memcmp(a.b, b, a.family == 4 ? 4 : 16) == 0);
	}
}

/* The range s as "addr/bits", or the reason it is refused. */
static const char *range_round(const char *s)
{
	static char out[LV_NET_ADDR_TEXT + 8 + 128];
	struct lv_net_range r;
	char txt[LV_NET_ADDR_TEXT];

	if (lv_net_range_parse(s, strlen(s), &r, out, sizeof(out)) != LV_OK)
		return out;
	lv_net_addr_format(&r.addr, txt);
	snprintf(out, sizeof(out), "%s/%u", txt, r.bits);
	return out;
}

static void test_range(void)
{
	CHECK_STR(range_round("10.0.0.0/8"), "10.0.0.0/8");
	CHECK_STR(range_round("127.0.0.1"), "127.0.0.1/32");
	CHECK_STR(range_round("::1"), "::1/128");
	CHECK_STR(range_round("0.0.0.0/0"), "0.0.0.0/0");
	CHECK_STR(range_round("::/0"), "::/0");
	CHECK_STR(range_round("2001:db8::/32"), "2001:db8::/32");
	CHECK_STR(range_round("192.168.4.0/22"), "192.168.4.0/22");
	CHECK_STR(range_round("::ffff:10.0.0.0/104"), "10.0.0.0/8");
	CHECK(strstr(range_round("10.1.2.3/8"), "after the prefix") != NULL);
	CHECK(strstr(range_round("192.168.5.0/22"), "after the prefix") != NULL);
	CHECK(strstr(range_round("10.0.0.0/33"), "0 to 32") != NULL);
	CHECK(strstr(range_round("::/129"), "0 to 128") != NULL);
	CHECK(strstr(range_round("10.0.0.0/"), "0 to 32") != NULL);
	CHECK(strstr(range_round("10.0.0.0/08"), "0 to 32") != NULL);
	CHECK(strstr(range_round("10.0.0.0/+8"), "0 to 32") != NULL);
	CHECK(strstr(range_round("10.0.0.0/8/8"), "0 to 32") != NULL);
	CHECK(strstr(range_round("10.0.0.0/1000"), "0 to 32") != NULL);
	CHECK(strstr(range_round("::ffff:0:0/95"), "96 or more") != NULL);
	CHECK(strstr(range_round("/8"), "not an IPv4 or IPv6 address") != NULL);
	CHECK(strstr(range_round("example.com/8"), "not an IPv4 or IPv6 address") != NULL);
}

/* Is text (an address) in list (a list as configured)? -1: the list does not parse. */
static int listed(const char *list, const char *text)
{
	struct lv_net_list l;
	struct lv_net_addr a;

	if (lv_net_list_parse(list, &l, NULL, 0) != LV_OK)
		return -1;
	if (lv_net_addr_parse(text, strlen(text), &a) != LV_OK)
		return 0;
	return lv_net_list_match(&l, &a);
}

static void test_list(void)
{
	struct lv_net_list l;
	struct lv_net_addr none;
	char msg[200], big[LV_NET_LIST_MAX * 12 + 16];
	size_t i, used = 0;

	CHECK_INT(lv_net_list_parse("127.0.0.1, ::1, 10.0.0.0/8", &l, msg, sizeof(msg)), LV_OK);
	CHECK_INT(l.n, 3);
	CHECK_INT(lv_net_list_parse("", &l, msg, sizeof(msg)), LV_OK);
	CHECK_INT(l.n, 0);
	CHECK_INT(lv_net_list_parse("  \t ", &l, msg, sizeof(msg)), LV_OK);
	CHECK_INT(l.n, 0);
	CHECK_INT(lv_net_list_parse("127.0.0.1,::1", &l, msg, sizeof(msg)), LV_OK);
	CHECK_INT(l.n, 2);

	CHECK_INT(lv_net_list_parse("127.0.0.1,", &l, msg, sizeof(msg)), LV_EINVAL);
	CHECK_STR(msg, "entry 2 is empty");
	CHECK_INT(l.n, 0);
	CHECK_INT(lv_net_list_parse(", 127.0.0.1", &l, msg, sizeof(msg)), LV_EINVAL);
	CHECK_STR(msg, "entry 1 is empty");
	CHECK_INT(lv_net_list_parse("127.0.0.1,, ::1", &l, msg, sizeof(msg)), LV_EINVAL);
	CHECK_INT(lv_net_list_parse("127.0.0.1 ::1", &l, msg, sizeof(msg)), LV_EINVAL);
	CHECK_INT(lv_net_list_parse("::1, 10.0.0.0/33", &l, msg, sizeof(msg)), LV_EINVAL);
	CHECK_STR(msg, "entry 2 \"10.0.0.0/33\": the prefix length must be 0 to 32");

	for (i = 0; i <= LV_NET_LIST_MAX; i++)
		used += (size_t)snprintf(big + used, sizeof(big) - used, "%s10.0.%zu.%zu", i ? "," : "",
					 i / 250, i % 250);
	CHECK_INT(lv_net_list_parse(big, &l, msg, sizeof(msg)), LV_ETOOBIG);
	*strrchr(big, ',') = '\0';
	CHECK_INT(lv_net_list_parse(big, &l, msg, sizeof(msg)), LV_OK);
	CHECK_INT(l.n, LV_NET_LIST_MAX);

	CHECK_INT(listed("10.0.0.0/8", "10.255.1.2"), 1);
	CHECK_INT(listed("10.0.0.0/8", "11.0.0.0"), 0);
	CHECK_INT(listed("192.168.4.0/22", "192.168.7.255"), 1);
	CHECK_INT(listed("192.168.4.0/22", "192.168.8.0"), 0);
	CHECK_INT(listed("192.168.4.0/22", "192.168.3.255"), 0);
	CHECK_INT(listed("127.0.0.1", "127.0.0.1"), 1);
	CHECK_INT(listed("127.0.0.1", "127.0.0.2"), 0);
	CHECK_INT(listed("127.0.0.1", "::ffff:127.0.0.1"), 1);
	CHECK_INT(listed("::ffff:127.0.0.1", "127.0.0.1"), 1);
	CHECK_INT(listed("::1", "::1"), 1);
	CHECK_INT(listed("::1", "127.0.0.1"), 0);
	CHECK_INT(listed("0.0.0.0/0", "::1"), 0);  /* families never mix */
	CHECK_INT(listed("::/0", "1.2.3.4"), 0);
	CHECK_INT(listed("0.0.0.0/0", "1.2.3.4"), 1);
	CHECK_INT(listed("2001:db8::/33", "2001:db8:7fff::1"), 1);
	CHECK_INT(listed("2001:db8::/33", "2001:db8:8000::1"), 0);
	CHECK_INT(listed("fe80::/10", "febf::1"), 1);
	CHECK_INT(listed("fe80::/10", "fec0::1"), 0);
	CHECK_INT(listed("", "127.0.0.1"), 0);
	memset(&none, 0, sizeof(none));
	CHECK_INT(lv_net_list_parse("0.0.0.0/0, ::/0", &l, NULL, 0), LV_OK);
	CHECK_INT(lv_net_list_match(&l, &none), 0);
	CHECK_INT(lv_net_list_match(NULL, &none), 0);
}

struct client_case {
	const char *trusted;
	const char *peer;
	int tls;
	const char *xff[LV_NET_HEADERS_MAX + 2];
	const char *xfp[3];
	const char *want;       /* client address */
	int https;
	int forwarded;
	int rc;
};

static void client_check(const struct client_case *c, int line)
{
	struct lv_net_list trusted;
	struct lv_net_request rq;
	struct lv_net_client out;
	char why[160];
	int rc;

	memset(&rq, 0, sizeof(rq));
	CHECK_INT(lv_net_list_parse(c->trusted, &trusted, NULL, 0), LV_OK);
	rq.peer = c->peer;
	rq.peer_tls = c->tls;
	rq.xff = c->xff;
	while (rq.nxff < LV_NET_HEADERS_MAX + 2 && c->xff[rq.nxff])
		rq.nxff++;
	rq.xfp = c->xfp;
	while (rq.nxfp < 3 && c->xfp[rq.nxfp])
		rq.nxfp++;
	rc = lv_net_client_resolve(&rq, &trusted, &out, why, sizeof(why));
	if (rc != c->rc || strcmp(out.text, c->want) != 0 || out.https != c->https ||
	    out.forwarded != c->forwarded)
		fprintf(stderr, "case at line %d: rc=%d text=%s https=%d forwarded=%d why=%s\n",
			line, rc, out.text, out.https, out.forwarded, why);
	CHECK_INT(rc, c->rc);
	CHECK_STR(out.text, c->want);
	CHECK_INT(out.https, c->https);
	CHECK_INT(out.forwarded, c->forwarded);
	CHECK(rc == LV_OK ? why[0] == '\0' : why[0] != '\0');
}

#define CASE(...) do { \
		const struct client_case c_ = { __VA_ARGS__ }; \
		client_check(&c_, __LINE__); \
	} while (0)

static void test_client_choice(void)
{
	const char *many[LV_NET_HEADERS_MAX + 2];
	struct lv_net_list trusted;
	struct lv_net_request rq;
	struct lv_net_client out;
	char hops[LV_NET_HOPS_MAX * 12 + 16];
	size_t i, used = 0;

	/* nobody trusted (the default): the headers are not read at all */
	CASE("", "127.0.0.1", 0, { "203.0.113.9" }, { "https" }, "127.0.0.1", 0, 0, LV_OK);
	CASE("", "127.0.0.1", 0, { "garbage" }, { "gopher" }, "127.0.0.1", 0, 0, LV_OK);
	CASE("", "192.0.2.1", 1, { NULL }, { NULL }, "192.0.2.1", 1, 0, LV_OK);
	/* an untrusted peer: forged headers ignored */
	CASE("10.0.0.0/8", "192.0.2.1", 0, { "203.0.113.9" }, { "https" }, "192.0.2.1", 0, 0, LV_OK);
	/* a trusted peer: the right-most entry that is not a trusted proxy */
	CASE("127.0.0.1", "127.0.0.1", 0, { "203.0.113.9" }, { "https" }, "203.0.113.9", 1, 1, LV_OK);
	CASE("127.0.0.1", "::ffff:127.0.0.1", 0, { "203.0.113.9" }, { NULL }, "203.0.113.9", 0, 1,
	     LV_OK);
	CASE("127.0.0.1, 10.0.0.0/8", "127.0.0.1", 0, { "198.51.100.1, 203.0.113.9, 10.1.1.1" },
	     { NULL }, "203.0.113.9", 0, 1, LV_OK);
	/* what the client wrote left of the chosen entry does not matter */
	CASE("127.0.0.1", "127.0.0.1", 0, { "not-an-address, ;;, 203.0.113.9" }, { NULL },
	     "203.0.113.9", 0, 1, LV_OK);
	/* header lines are one list, in order (HAProxy adds a line) */
	CASE("127.0.0.1, 10.0.0.0/8", "127.0.0.1", 0, { "198.51.100.7", "203.0.113.9, 10.0.0.2" },
	     { NULL }, "203.0.113.9", 0, 1, LV_OK);
	CASE("127.0.0.1, 10.0.0.0/8", "127.0.0.1", 0, { "198.51.100.7", "10.0.0.2" },
	     { NULL }, "198.51.100.7", 0, 1, LV_OK);
	/* every entry a trusted proxy: the left-most */
	CASE("127.0.0.1, 10.0.0.0/8", "127.0.0.1", 0, { "10.0.0.3, 10.0.0.2" }, { NULL },
	     "10.0.0.3", 0, 1, LV_OK);
	CASE("::1, 2001:db8::/32", "::1", 0, { " 2001:db8::5 ,\t2001:db8::7 " }, { "HTTPS" },
	     "2001:db8::5", 1, 1, LV_OK);
	CASE("::1", "::1", 0, { "2001:DB8:0::9" }, { NULL }, "2001:db8::9", 0, 1, LV_OK);
	CASE("::1", "[::1]", 0, { "198.51.100.9" }, { NULL }, "198.51.100.9", 0, 1, LV_OK);
	/* no header: the peer; the scheme alone may come from the proxy */
	CASE("127.0.0.1", "127.0.0.1", 0, { NULL }, { "https" }, "127.0.0.1", 1, 0, LV_OK);
	CASE("127.0.0.1", "127.0.0.1", 1, { NULL }, { "http" }, "127.0.0.1", 0, 0, LV_OK);
	/* malformed, where it is read: ignored, and said so */
	CASE("127.0.0.1", "127.0.0.1", 0, { "203.0.113.9, garbage" }, { "https" }, "127.0.0.1", 1, 0,
	     LV_EINVAL);
	CASE("127.0.0.1", "127.0.0.1", 0, { "" }, { NULL }, "127.0.0.1", 0, 0, LV_EINVAL);
	CASE("127.0.0.1", "127.0.0.1", 0, { "203.0.113.9," }, { NULL }, "127.0.0.1", 0, 0, LV_EINVAL);
	CASE("127.0.0.1", "127.0.0.1", 0, { "203.0.113.9:443" }, { NULL }, "127.0.0.1", 0, 0,
	     LV_EINVAL);
	CASE("127.0.0.1", "127.0.0.1", 0, { "[2001:db8::1]" }, { NULL }, "127.0.0.1", 0, 0, LV_EINVAL);
	CASE("127.0.0.1", "127.0.0.1", 0, { "unknown" }, { NULL }, "127.0.0.1", 0, 0, LV_EINVAL);
	CASE("127.0.0.1", "127.0.0.1", 0, { "203.0.113.9" }, { "ftp" }, "203.0.113.9", 0, 1, LV_EINVAL);
	CASE("127.0.0.1", "127.0.0.1", 0, { "203.0.113.9" }, { "https, http" }, "203.0.113.9", 0, 1,
	     LV_EINVAL);
	CASE("127.0.0.1", "127.0.0.1", 0, { "203.0.113.9" }, { "https", "https" }, "203.0.113.9", 0, 1,
	     LV_EINVAL);
	/* an unreadable peer is no one we trust */
	CASE("0.0.0.0/0", "not-an-ip", 0, { "203.0.113.9" }, { "https" }, "unknown", 0, 0, LV_EINVAL);
	CASE("0.0.0.0/0", NULL, 0, { "203.0.113.9" }, { NULL }, "unknown", 0, 0, LV_EINVAL);

	/* relayed: a trusted peer that sent X-Forwarded-For, readable or not */
	CHECK_INT(lv_net_list_parse("127.0.0.1", &trusted, NULL, 0), LV_OK);
	memset(&rq, 0, sizeof(rq));
	rq.peer = "127.0.0.1";
	CHECK_INT(lv_net_client_resolve(&rq, &trusted, &out, NULL, 0), LV_OK);
	CHECK_INT(out.proxied, 0);
	many[0] = "garbage";
	rq.xff = many;
	rq.nxff = 1;
	CHECK_INT(lv_net_client_resolve(&rq, &trusted, &out, NULL, 0), LV_EINVAL);
	CHECK_INT(out.proxied, 1);
	CHECK_INT(out.forwarded, 0);
	many[0] = "203.0.113.9";
	CHECK_INT(lv_net_client_resolve(&rq, &trusted, &out, NULL, 0), LV_OK);
	CHECK_INT(out.proxied, 1);
	rq.peer = "192.0.2.1"; /* not trusted: its header is not even looked at */
	CHECK_INT(lv_net_client_resolve(&rq, &trusted, &out, NULL, 0), LV_OK);
	CHECK_INT(out.proxied, 0);

	/* bounds: hops and header lines */
	CHECK_INT(lv_net_list_parse("127.0.0.1", &trusted, NULL, 0), LV_OK);
	for (i = 0; i < LV_NET_HOPS_MAX; i++)
		used += (size_t)snprintf(hops + used, sizeof(hops) - used, "%s127.0.0.1", i ? "," : "");
	memset(&rq, 0, sizeof(rq));
	rq.peer = "127.0.0.1";
	many[0] = hops;
	rq.xff = many;
	rq.nxff = 1;
	CHECK_INT(lv_net_client_resolve(&rq, &trusted, &out, NULL, 0), LV_OK);
	CHECK_INT(out.forwarded, 1);
	snprintf(hops + used, sizeof(hops) - used, ",127.0.0.1");
	CHECK_INT(lv_net_client_resolve(&rq, &trusted, &out, NULL, 0), LV_EINVAL);
	CHECK_INT(out.forwarded, 0);
	for (i = 0; i < LV_NET_HEADERS_MAX + 1; i++)
		many[i] = "203.0.113.9";
	rq.nxff = LV_NET_HEADERS_MAX;
	CHECK_INT(lv_net_client_resolve(&rq, &trusted, &out, NULL, 0), LV_OK);
	rq.nxff = LV_NET_HEADERS_MAX + 1;
	CHECK_INT(lv_net_client_resolve(&rq, &trusted, &out, NULL, 0), LV_EINVAL);
	CHECK_STR(out.text, "127.0.0.1");
}

int main(void)
{
	LV_RUN(test_addr_v4);
	LV_RUN(test_addr_v6);
	LV_RUN(test_addr_agrees_with_inet_pton);
	LV_RUN(test_range);
	LV_RUN(test_list);
	LV_RUN(test_client_choice);
	return lv_test_done();
}
