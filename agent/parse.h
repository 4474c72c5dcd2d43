/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure parsing and formatting of command-line values. No libnl, no I/O
 * (except if_nametoindex for a named IPv6 scope), so unit tests link it.
 */
#ifndef HC_PARSE_H
#define HC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define HC_ETH_ALEN 6
/* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255%4294967295" in brackets + ":65535" */
#define HC_SOCKADDR_STRLEN 80
#define HC_MAC_STRLEN 18

struct hc_addr {
	int family;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr in;
		struct in6_addr in6;
	};
};

/* Each returns 0, or -EINVAL (bad syntax) / -ERANGE (out of range). */
int hc_parse_u64(const char *s, uint64_t *out);	/* decimal or 0x-hex */
int hc_parse_id(const char *s, uint64_t *out);	/* hc_parse_u64, non-zero */
int hc_parse_port(const char *s, uint16_t *out);	/* 1..65535, decimal */
int hc_parse_mac(const char *s, uint8_t mac[HC_ETH_ALEN]);
int hc_parse_addr(const char *s, struct hc_addr *out);	/* IPv4 or IPv6 */
/* "IPV4:PORT" or "[IPV6]:PORT" or "[IPV6%SCOPE]:PORT". */
int hc_parse_peer(const char *s, struct sockaddr_storage *ss, socklen_t *len);

bool hc_mac_is_unicast(const uint8_t mac[HC_ETH_ALEN]);	/* and non-zero */

/*
 * Strict RFC 4648 base64 (standard alphabet, padding required, canonical
 * trailing bits). Returns the decoded length, or -EINVAL / -ENOSPC.
 */
int hc_base64_decode(const char *s, size_t len, uint8_t *out, size_t outlen);

void hc_fmt_mac(char buf[HC_MAC_STRLEN], const uint8_t mac[HC_ETH_ALEN]);
/* Returns 0, or -EINVAL for an unknown family or a short length. */
int hc_fmt_sockaddr(char buf[HC_SOCKADDR_STRLEN], const void *sa, size_t len);
void hc_fmt_addr(char buf[HC_SOCKADDR_STRLEN], const struct hc_addr *a);

#endif
