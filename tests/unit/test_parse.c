// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdint.h>

#include "check.h"
#include "parse.h"

TEST(parse_u64_accepts_decimal_and_hex)
{
	uint64_t v = 0;

	CHECK_INT(hc_parse_u64("0", &v), 0) && CHECK(v == 0);
	CHECK_INT(hc_parse_u64("42", &v), 0) && CHECK(v == 42);
	CHECK_INT(hc_parse_u64("007", &v), 0) && CHECK(v == 7);	/* decimal, not octal */
	CHECK_INT(hc_parse_u64("0x1F", &v), 0) && CHECK(v == 31);
	CHECK_INT(hc_parse_u64("0Xabc", &v), 0) && CHECK(v == 0xabc);
	CHECK_INT(hc_parse_u64("18446744073709551615", &v), 0) && CHECK(v == UINT64_MAX);
	CHECK_INT(hc_parse_u64("0xffffffffffffffff", &v), 0) && CHECK(v == UINT64_MAX);
	CHECK_INT(hc_parse_u64("0x00000000000000001", &v), 0) && CHECK(v == 1);
}

TEST(parse_u64_rejects_overflow)
{
	uint64_t v = 7;

	CHECK_INT(hc_parse_u64("18446744073709551616", &v), -ERANGE);
	CHECK_INT(hc_parse_u64("99999999999999999999", &v), -ERANGE);
	CHECK_INT(hc_parse_u64("0x10000000000000000", &v), -ERANGE);
	CHECK(v == 7);	/* untouched on failure */
}

TEST(parse_u64_rejects_junk)
{
	static const char *const bad[] = {
		"", "0x", "-1", "+1", " 1", "1 ", "12a", "0x1g", "1.0", "1e3", "0b1", "x10",
	};
	uint64_t v;
	size_t i;

	CHECK_INT(hc_parse_u64(NULL, &v), -EINVAL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (hc_parse_u64(bad[i], &v) != -EINVAL)
			hc_check_fail(__FILE__, __LINE__, "\"%s\" accepted", bad[i]);
}

TEST(parse_id_is_nonzero)
{
	uint64_t v;

	CHECK_INT(hc_parse_id("0", &v), -ERANGE);
	CHECK_INT(hc_parse_id("0x0", &v), -ERANGE);
	CHECK_INT(hc_parse_id("0x1234", &v), 0) && CHECK(v == 0x1234);
	CHECK_INT(hc_parse_id("1", &v), 0) && CHECK(v == 1);
	CHECK_INT(hc_parse_id("abc", &v), -EINVAL);
}

TEST(parse_port_range)
{
	uint16_t p = 0;

	CHECK_INT(hc_parse_port("1", &p), 0) && CHECK_INT(p, 1);
	CHECK_INT(hc_parse_port("6657", &p), 0) && CHECK_INT(p, 6657);
	CHECK_INT(hc_parse_port("65535", &p), 0) && CHECK_INT(p, 65535);
	CHECK_INT(hc_parse_port("0", &p), -ERANGE);
	CHECK_INT(hc_parse_port("65536", &p), -ERANGE);
	CHECK_INT(hc_parse_port("4294967297", &p), -ERANGE);
	CHECK_INT(hc_parse_port("", &p), -EINVAL);
	CHECK_INT(hc_parse_port("-1", &p), -EINVAL);
	CHECK_INT(hc_parse_port("0x50", &p), -EINVAL);
	CHECK_INT(hc_parse_port("80a", &p), -EINVAL);
}

TEST(parse_mac_valid)
{
	static const uint8_t want[6] = { 0x00, 0x16, 0x3e, 0xaa, 0xbb, 0xcc };
	uint8_t mac[6];
	char buf[HC_MAC_STRLEN];

	CHECK_INT(hc_parse_mac("00:16:3e:aa:bb:cc", mac), 0) && CHECK_MEM(mac, want, 6);
	CHECK_INT(hc_parse_mac("00:16:3E:AA:BB:CC", mac), 0) && CHECK_MEM(mac, want, 6);
	hc_fmt_mac(buf, want);
	CHECK_STR(buf, "00:16:3e:aa:bb:cc");
}

TEST(parse_mac_rejects_bad_length_and_chars)
{
	static const char *const bad[] = {
		"", "00:16:3e:aa:bb", "00:16:3e:aa:bb:cc:dd", "00:16:3e:aa:bb:c",
		"0:16:3e:aa:bb:cc", "00-16-3e-aa-bb-cc", "00:16:3e:aa:bb:cg",
		"001:6:3e:aa:bb:cc", "00:16:3e:aa:bb:cc ", " 00:16:3e:aa:bb:c",
		"00163eaabbcc", "00:16:3e:aa:bb::c", "zz:zz:zz:zz:zz:zz",
	};
	uint8_t mac[6] = { 9, 9, 9, 9, 9, 9 }, orig[6] = { 9, 9, 9, 9, 9, 9 };
	size_t i;

	CHECK_INT(hc_parse_mac(NULL, mac), -EINVAL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (hc_parse_mac(bad[i], mac) != -EINVAL)
			hc_check_fail(__FILE__, __LINE__, "\"%s\" accepted", bad[i]);
	CHECK_MEM(mac, orig, 6);
}

TEST(mac_unicast)
{
	static const uint8_t uc[6] = { 0x02, 0, 0, 0, 0, 1 }, zero[6] = { 0 },
		bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, mcast[6] = { 0x01, 0, 0x5e, 0, 0, 1 };

	CHECK(hc_mac_is_unicast(uc));
	CHECK(!hc_mac_is_unicast(zero));
	CHECK(!hc_mac_is_unicast(bcast));
	CHECK(!hc_mac_is_unicast(mcast));
}

TEST(parse_addr)
{
	struct hc_addr a;
	char buf[HC_SOCKADDR_STRLEN];

	CHECK_INT(hc_parse_addr("10.0.0.5", &a), 0) && CHECK_INT(a.family, AF_INET) &&
		CHECK(a.in.s_addr == htonl(0x0a000005));
	hc_fmt_addr(buf, &a);
	CHECK_STR(buf, "10.0.0.5");
	CHECK_INT(hc_parse_addr("2001:db8::1", &a), 0) && CHECK_INT(a.family, AF_INET6);
	hc_fmt_addr(buf, &a);
	CHECK_STR(buf, "2001:db8::1");
	CHECK_INT(hc_parse_addr("::ffff:10.0.0.1", &a), 0) && CHECK_INT(a.family, AF_INET6);
	CHECK_INT(hc_parse_addr("10.0.0", &a), -EINVAL);
	CHECK_INT(hc_parse_addr("10.0.0.256", &a), -EINVAL);
	CHECK_INT(hc_parse_addr("fe80::1%eth0", &a), -EINVAL);
	CHECK_INT(hc_parse_addr("", &a), -EINVAL);
	CHECK_INT(hc_parse_addr("host", &a), -EINVAL);
	CHECK_INT(hc_parse_addr("10.0.0.1/24", &a), -EINVAL);
}

TEST(parse_peer_ipv4)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	char buf[HC_SOCKADDR_STRLEN];
	socklen_t len = 0;

	CHECK_INT(hc_parse_peer("10.0.0.2:6657", &ss, &len), 0);
	CHECK_INT(len, sizeof(struct sockaddr_in));
	CHECK_INT(sin->sin_family, AF_INET);
	CHECK_INT(ntohs(sin->sin_port), 6657);
	CHECK(sin->sin_addr.s_addr == htonl(0x0a000002));
	CHECK_INT(hc_fmt_sockaddr(buf, &ss, len), 0) && CHECK_STR(buf, "10.0.0.2:6657");
}

TEST(parse_peer_ipv6)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	char buf[HC_SOCKADDR_STRLEN];
	socklen_t len = 0;

	CHECK_INT(hc_parse_peer("[2001:db8::2]:65535", &ss, &len), 0);
	CHECK_INT(len, sizeof(struct sockaddr_in6));
	CHECK_INT(sin6->sin6_family, AF_INET6);
	CHECK_INT(ntohs(sin6->sin6_port), 65535);
	CHECK_INT(sin6->sin6_scope_id, 0);
	CHECK_INT(hc_fmt_sockaddr(buf, &ss, len), 0) && CHECK_STR(buf, "[2001:db8::2]:65535");

	CHECK_INT(hc_parse_peer("[fe80::1%7]:1", &ss, &len), 0) && CHECK_INT(sin6->sin6_scope_id, 7);
	CHECK_INT(hc_fmt_sockaddr(buf, &ss, len), 0) && CHECK_STR(buf, "[fe80::1%7]:1");
	CHECK_INT(hc_parse_peer("[fe80::1%lo]:1", &ss, &len), 0) &&
		CHECK_INT(sin6->sin6_scope_id, if_nametoindex("lo"));
	CHECK_INT(hc_parse_peer("[fe80::1%nosuchif0]:1", &ss, &len), -ENODEV);
	CHECK_INT(hc_parse_peer("[fe80::1%]:1", &ss, &len), -EINVAL);
	CHECK_INT(hc_parse_peer("[fe80::1%99999999999]:1", &ss, &len), -EINVAL);
}

TEST(parse_peer_rejects_bad)
{
	static const struct {
		const char *s;
		int err;
	} bad[] = {
		{ "", -EINVAL }, { "10.0.0.2", -EINVAL }, { "10.0.0.2:", -EINVAL },
		{ "10.0.0.2:0", -ERANGE }, { "10.0.0.2:65536", -ERANGE },
		{ "10.0.0.2:-1", -EINVAL }, { "10.0.0.2:80x", -EINVAL },
		{ ":6657", -EINVAL }, { "host:6657", -EINVAL },
		{ "2001:db8::1:6657", -EINVAL },	/* bare IPv6: ambiguous */
		{ "[2001:db8::1]", -EINVAL }, { "[2001:db8::1]6657", -EINVAL },
		{ "[2001:db8::1]:", -EINVAL }, { "[2001:db8::1]:0", -ERANGE },
		{ "[]:6657", -EINVAL }, { "[10.0.0.2]:6657", -EINVAL },
		{ "[2001:db8::1:6657", -EINVAL }, { "10.0.0.2:66:57", -EINVAL },
	};
	struct sockaddr_storage ss;
	socklen_t len;
	size_t i;

	CHECK_INT(hc_parse_peer(NULL, &ss, &len), -EINVAL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = hc_parse_peer(bad[i].s, &ss, &len);

		if (r != bad[i].err)
			hc_check_fail(__FILE__, __LINE__, "peer \"%s\" gave %d, want %d", bad[i].s,
				      r, bad[i].err);
	}
}

TEST(fmt_sockaddr_rejects_short_or_unknown)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in sin = { .sin_family = AF_UNIX };
	char buf[HC_SOCKADDR_STRLEN];

	CHECK_INT(hc_fmt_sockaddr(buf, &sin6, sizeof(struct sockaddr_in)), -EINVAL);
	CHECK_INT(hc_fmt_sockaddr(buf, &sin, sizeof(sin)), -EINVAL);
	CHECK_INT(hc_fmt_sockaddr(buf, &sin, 1), -EINVAL);
	CHECK_STR(buf, "");
}

static int b64(const char *s, uint8_t *out, size_t outlen)
{
	return hc_base64_decode(s, strlen(s), out, outlen);
}

TEST(base64_rfc4648_vectors)
{
	uint8_t out[16];

	CHECK_INT(b64("Zg==", out, sizeof(out)), 1) && CHECK_MEM(out, "f", 1);
	CHECK_INT(b64("Zm8=", out, sizeof(out)), 2) && CHECK_MEM(out, "fo", 2);
	CHECK_INT(b64("Zm9v", out, sizeof(out)), 3) && CHECK_MEM(out, "foo", 3);
	CHECK_INT(b64("Zm9vYg==", out, sizeof(out)), 4) && CHECK_MEM(out, "foob", 4);
	CHECK_INT(b64("Zm9vYmE=", out, sizeof(out)), 5) && CHECK_MEM(out, "fooba", 5);
	CHECK_INT(b64("Zm9vYmFy", out, sizeof(out)), 6) && CHECK_MEM(out, "foobar", 6);
	CHECK_INT(b64("+/+/", out, sizeof(out)), 3) && CHECK_MEM(out, "\xfb\xff\xbf", 3);
}

TEST(base64_rejects_bad_length_padding_chars)
{
	static const char *const bad[] = {
		"", "Z", "Zg", "Zg=", "Zm9vY", "Zg===", "Z===", "====", "=Zg=", "Zg=a",
		"Zg==Zg==",	/* padding in the middle */
		"Zh==", "Zm9=",	/* non-canonical: discarded bits set */
		"Zm9*", "Zm 9", "Zm9v\n", "-_-_", "Zm9\0",
	};
	uint8_t out[16];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (b64(bad[i], out, sizeof(out)) != -EINVAL)
			hc_check_fail(__FILE__, __LINE__, "\"%s\" accepted", bad[i]);
	/* An embedded NUL inside the given length is a bad character. */
	CHECK_INT(hc_base64_decode("Zm\0v", 4, out, sizeof(out)), -EINVAL);
}

TEST(base64_respects_output_size)
{
	uint8_t out[8] = { 0 };

	CHECK_INT(b64("Zm9vYmFy", out, 5), -ENOSPC);
	CHECK_INT(b64("Zm9vYg==", out, 3), -ENOSPC);
	CHECK_INT(b64("Zm9vYg==", out, 4), 4);
	CHECK_INT(out[5], 0);
}
