// SPDX-License-Identifier: GPL-2.0
#include "parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* strtoull accepts signs, spaces and octal, and wraps "-1": hand-rolled. */
int hc_parse_u64(const char *s, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return -EINVAL;
	}
	for (; *s; s++) {
		int d = base == 16 ? hexval(*s) : (*s >= '0' && *s <= '9' ? *s - '0' : -1);

		if (d < 0)
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -ERANGE;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

int hc_parse_id(const char *s, uint64_t *out)
{
	uint64_t v;
	int err = hc_parse_u64(s, &v);

	if (err)
		return err;
	if (!v)
		return -ERANGE;
	*out = v;
	return 0;
}

int hc_parse_port(const char *s, uint16_t *out)
{
	uint64_t v;
	int err;

	if (!s || (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
		return -EINVAL;
	err = hc_parse_u64(s, &v);
	if (err)
		return err;
	if (v == 0 || v > 65535)
		return -ERANGE;
	*out = (uint16_t)v;
	return 0;
}

int hc_parse_mac(const char *s, uint8_t mac[HC_ETH_ALEN])
{
	uint8_t m[HC_ETH_ALEN];
	int i;

	if (!s || strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < HC_ETH_ALEN; i++) {
		const char *p = s + (size_t)3 * (size_t)i;
		int hi = hexval(p[0]), lo = hexval(p[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (i < HC_ETH_ALEN - 1 && p[2] != ':')
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, m, sizeof(m));
	return 0;
}

bool hc_mac_is_unicast(const uint8_t mac[HC_ETH_ALEN])
{
	static const uint8_t zero[HC_ETH_ALEN];

	return !(mac[0] & 1) && memcmp(mac, zero, HC_ETH_ALEN) != 0;
}

int hc_parse_addr(const char *s, struct hc_addr *out)
{
	struct hc_addr a;

	if (!s)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, &a.in) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a.in6) == 1)
		a.family = AF_INET6;
	else
		return -EINVAL;
	*out = a;
	return 0;
}

static int parse_scope(const char *s, uint32_t *out)
{
	uint64_t v;
	unsigned int idx;

	if (!*s)
		return -EINVAL;
	if (s[0] >= '0' && s[0] <= '9') {
		if (hc_parse_u64(s, &v) || v > UINT32_MAX)
			return -EINVAL;
		*out = (uint32_t)v;
		return 0;
	}
	if (strlen(s) >= IF_NAMESIZE)
		return -EINVAL;
	idx = if_nametoindex(s);
	if (!idx)
		return -ENODEV;
	*out = idx;
	return 0;
}

int hc_parse_peer(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];
	const char *colon, *port_s;
	uint16_t port;
	size_t hlen;
	int err;

	if (!s || !*s)
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		const char *end = strchr(s, ']');
		char *pct;

		if (!end || end[1] != ':')
			return -EINVAL;
		hlen = (size_t)(end - s - 1);
		if (hlen == 0 || hlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		port_s = end + 2;
		pct = strchr(host, '%');
		if (pct) {
			*pct = '\0';
			err = parse_scope(pct + 1, &sin6->sin6_scope_id);
			if (err)
				return err;
		}
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return -EINVAL;
		err = hc_parse_port(port_s, &port);
		if (err)
			return err;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}

	colon = strchr(s, ':');
	if (!colon || strchr(colon + 1, ':'))
		return -EINVAL;	/* none, or a bare IPv6 address */
	hlen = (size_t)(colon - s);
	if (hlen == 0 || hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	{
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return -EINVAL;
		err = hc_parse_port(colon + 1, &port);
		if (err)
			return err;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
	}
	return 0;
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int hc_base64_decode(const char *s, size_t len, uint8_t *out, size_t outlen)
{
	size_t i, o = 0;

	if (len == 0 || len % 4)
		return -EINVAL;
	for (i = 0; i < len; i += 4) {
		int v[4], pad = 0, k;
		uint32_t n = 0;
		size_t nout;

		for (k = 0; k < 4; k++) {
			if (s[i + k] == '=') {
				/* Padding only in the last quantum, only at its end. */
				if (i + 4 != len || k < 2)
					return -EINVAL;
				pad++;
				v[k] = 0;
			} else {
				if (pad)
					return -EINVAL;
				v[k] = b64val(s[i + k]);
				if (v[k] < 0)
					return -EINVAL;
			}
			n = n << 6 | (uint32_t)v[k];
		}
		/* Non-canonical encodings carry bits the padding discards. */
		if ((pad == 1 && (n & 0xff)) || (pad == 2 && (n & 0xffff)))
			return -EINVAL;
		nout = 3 - (size_t)pad;
		if (o + nout > outlen)
			return -ENOSPC;
		out[o++] = (uint8_t)(n >> 16);
		if (nout > 1)
			out[o++] = (uint8_t)(n >> 8);
		if (nout > 2)
			out[o++] = (uint8_t)n;
	}
	if (o > INT_MAX)
		return -ENOSPC;
	return (int)o;
}

void hc_fmt_mac(char buf[HC_MAC_STRLEN], const uint8_t mac[HC_ETH_ALEN])
{
	snprintf(buf, HC_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

int hc_fmt_sockaddr(char buf[HC_SOCKADDR_STRLEN], const void *sa, size_t len)
{
	sa_family_t family;
	char host[INET6_ADDRSTRLEN];

	buf[0] = '\0';
	if (len < sizeof(family))
		return -EINVAL;
	memcpy(&family, sa, sizeof(family));
	if (family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;

		memcpy(&sin, sa, sizeof(sin));
		inet_ntop(AF_INET, &sin.sin_addr, host, sizeof(host));
		snprintf(buf, HC_SOCKADDR_STRLEN, "%s:%u", host, ntohs(sin.sin_port));
		return 0;
	}
	if (family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, sa, sizeof(sin6));
		inet_ntop(AF_INET6, &sin6.sin6_addr, host, sizeof(host));
		if (sin6.sin6_scope_id)
			snprintf(buf, HC_SOCKADDR_STRLEN, "[%s%%%u]:%u", host,
				 sin6.sin6_scope_id, ntohs(sin6.sin6_port));
		else
			snprintf(buf, HC_SOCKADDR_STRLEN, "[%s]:%u", host,
				 ntohs(sin6.sin6_port));
		return 0;
	}
	return -EINVAL;
}

void hc_fmt_addr(char buf[HC_SOCKADDR_STRLEN], const struct hc_addr *a)
{
	if (!inet_ntop(a->family, &a->in6, buf, HC_SOCKADDR_STRLEN))
		snprintf(buf, HC_SOCKADDR_STRLEN, "?");
}
