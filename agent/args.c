// SPDX-License-Identifier: GPL-2.0
#include "args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define V(verb) (1U << (verb))

static const char *const verb_names[] = {
	[HC_VERB_SHOW] = "show",
	[HC_VERB_ADD] = "add",
	[HC_VERB_DEL] = "del",
	[HC_VERB_ARM] = "arm",
	[HC_VERB_ATTACH] = "attach",
	[HC_VERB_ACTIVATE] = "activate",
	[HC_VERB_ABORT] = "abort",
};
_Static_assert(ARRAY_SIZE(verb_names) == HC_VERB_COUNT, "verb without a name");

enum kw {
	KW_ID, KW_ROLE, KW_DEV, KW_MAC, KW_ADDR, KW_PEER, KW_TX_KEY, KW_RX_KEY,
	KW_NO_ANNOUNCE, KW_NO_CARRIER_ACTIVATE, KW_DIVERT,
};

static const struct keyword {
	const char *name;
	bool takes_value;
	unsigned int verbs;	/* where it is allowed */
	unsigned int required;	/* where it is required */
} keywords[] = {
	[KW_ID] = { "id", true, ~0U,
		    V(HC_VERB_ADD) | V(HC_VERB_DEL) | V(HC_VERB_ARM) | V(HC_VERB_ATTACH) |
		    V(HC_VERB_ACTIVATE) | V(HC_VERB_ABORT) },
	[KW_ROLE] = { "role", true, V(HC_VERB_SHOW) | V(HC_VERB_ADD) | V(HC_VERB_DEL) |
		      V(HC_VERB_ABORT), V(HC_VERB_ADD) | V(HC_VERB_DEL) | V(HC_VERB_ABORT) },
	[KW_DEV] = { "dev", true, V(HC_VERB_ADD) | V(HC_VERB_ATTACH), V(HC_VERB_ATTACH) },
	[KW_MAC] = { "mac", true, V(HC_VERB_ADD), V(HC_VERB_ADD) },
	[KW_ADDR] = { "addr", true, V(HC_VERB_ADD), 0 },
	[KW_PEER] = { "peer", true, V(HC_VERB_ADD), V(HC_VERB_ADD) },
	[KW_TX_KEY] = { "tx-key", true, V(HC_VERB_ADD), V(HC_VERB_ADD) },
	[KW_RX_KEY] = { "rx-key", true, V(HC_VERB_ADD), V(HC_VERB_ADD) },
	[KW_NO_ANNOUNCE] = { "no-announce", false, V(HC_VERB_ADD), 0 },
	[KW_NO_CARRIER_ACTIVATE] = { "no-carrier-activate", false, V(HC_VERB_ADD), 0 },
	[KW_DIVERT] = { "divert", false, V(HC_VERB_ADD), 0 },
};

const char *hc_verb_name(enum hc_verb v)
{
	return (unsigned int)v < ARRAY_SIZE(verb_names) ? verb_names[v] : NULL;
}

int hc_verb_parse(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(verb_names); i++)
		if (!strcmp(s, verb_names[i]))
			return (int)i;
	return -1;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void list_keywords(enum hc_verb v, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(keywords); i++) {
		int n;

		if (!(keywords[i].verbs & V(v)))
			continue;
		n = snprintf(buf + off, len - off, "%s%s", off ? " " : "", keywords[i].name);
		if (n < 0 || (size_t)n >= len - off)
			return;
		off += (size_t)n;
	}
}

static int parse_value(enum kw k, const char *val, struct hc_req *req, char *err, size_t errlen)
{
	uint8_t mac[HC_ETH_ALEN];
	uint32_t flag;
	int r;

	switch (k) {
	case KW_ID:
		r = hc_parse_u64(val, &req->id);
		if (r == -ERANGE)
			return fail(err, errlen, "id \"%s\": does not fit in 64 bits", val);
		if (r)
			return fail(err, errlen, "id \"%s\": not a decimal or 0x-hex number", val);
		if (!req->id)
			return fail(err, errlen, "id \"%s\": must be non-zero", val);
		req->have |= HC_HAVE_ID;
		return 0;
	case KW_ROLE:
		r = hc_role_parse(val);
		if (r < 0)
			return fail(err, errlen, "role \"%s\": must be source or dest", val);
		req->role = (uint8_t)r;
		req->have |= HC_HAVE_ROLE;
		return 0;
	case KW_DEV:
		if (!*val || strlen(val) >= IF_NAMESIZE)
			return fail(err, errlen, "dev \"%s\": must be 1 to %d characters", val,
				    IF_NAMESIZE - 1);
		if (strpbrk(val, "/: \t\n"))
			return fail(err, errlen, "dev \"%s\": not a valid interface name", val);
		memcpy(req->dev, val, strlen(val) + 1);
		req->have |= HC_HAVE_DEV;
		return 0;
	case KW_MAC:
		if (hc_parse_mac(val, mac))
			return fail(err, errlen,
				    "mac \"%s\": not a MAC address (expected xx:xx:xx:xx:xx:xx)", val);
		if (!hc_mac_is_unicast(mac))
			return fail(err, errlen, "mac \"%s\": not a unicast address", val);
		if (req->nmacs == HANDOFF_MAX_MACS)
			return fail(err, errlen, "mac \"%s\": at most %d MACs", val, HANDOFF_MAX_MACS);
		memcpy(req->macs[req->nmacs++], mac, HC_ETH_ALEN);
		return 0;
	case KW_ADDR:
		if (req->naddrs == HANDOFF_MAX_ADDRS)
			return fail(err, errlen, "addr \"%s\": at most %d addresses", val,
				    HANDOFF_MAX_ADDRS);
		if (hc_parse_addr(val, &req->addrs[req->naddrs]))
			return fail(err, errlen, "addr \"%s\": not an IPv4 or IPv6 address", val);
		req->naddrs++;
		return 0;
	case KW_PEER:
		r = hc_parse_peer(val, &req->peer, &req->peer_len);
		if (r == -ERANGE)
			return fail(err, errlen, "peer \"%s\": port must be 1 to 65535", val);
		if (r == -ENODEV)
			return fail(err, errlen, "peer \"%s\": no such interface for the IPv6 scope",
				    val);
		if (r)
			return fail(err, errlen,
				    "peer \"%s\": expected IPV4:PORT or [IPV6]:PORT", val);
		req->have |= HC_HAVE_PEER;
		return 0;
	case KW_TX_KEY:
		req->tx_key = val;
		req->have |= HC_HAVE_TX_KEY;
		return 0;
	case KW_RX_KEY:
		req->rx_key = val;
		req->have |= HC_HAVE_RX_KEY;
		return 0;
	case KW_NO_ANNOUNCE:
	case KW_NO_CARRIER_ACTIVATE:
	case KW_DIVERT:
		flag = hc_flag_parse(keywords[k].name);
		if (req->flags & flag)
			return fail(err, errlen, "%s: given twice", keywords[k].name);
		req->flags |= flag;
		return 0;
	}
	return fail(err, errlen, "internal error: keyword %d", (int)k);
}

/* Keywords that may repeat; the rest map to one HC_HAVE_* bit each. */
static unsigned int have_bit(enum kw k)
{
	switch (k) {
	case KW_ID: return HC_HAVE_ID;
	case KW_ROLE: return HC_HAVE_ROLE;
	case KW_DEV: return HC_HAVE_DEV;
	case KW_PEER: return HC_HAVE_PEER;
	case KW_TX_KEY: return HC_HAVE_TX_KEY;
	case KW_RX_KEY: return HC_HAVE_RX_KEY;
	default: return 0;
	}
}

int hc_args_parse(enum hc_verb v, int argc, char *const *argv, struct hc_req *req,
		  char *err, size_t errlen)
{
	char list[160];
	size_t k;
	int i;

	memset(req, 0, sizeof(*req));
	if (errlen)
		err[0] = '\0';
	if (!hc_verb_name(v))
		return fail(err, errlen, "unknown verb");

	for (i = 0; i < argc; i++) {
		const struct keyword *kw = NULL;
		int r;

		for (k = 0; k < ARRAY_SIZE(keywords); k++)
			if (!strcmp(argv[i], keywords[k].name)) {
				kw = &keywords[k];
				break;
			}
		if (!kw || !(kw->verbs & V(v))) {
			list_keywords(v, list, sizeof(list));
			return fail(err, errlen, "\"%s\": unknown argument (session %s takes: %s)",
				    argv[i], verb_names[v], list);
		}
		if (have_bit((enum kw)k) & req->have)
			return fail(err, errlen, "%s: given twice", kw->name);
		if (kw->takes_value && i + 1 >= argc)
			return fail(err, errlen, "%s: missing value", kw->name);
		r = parse_value((enum kw)k, kw->takes_value ? argv[i + 1] : "", req, err, errlen);
		if (r)
			return r;
		if (kw->takes_value)
			i++;
	}

	for (k = 0; k < ARRAY_SIZE(keywords); k++) {
		bool present = k == KW_MAC ? req->nmacs > 0 : (req->have & have_bit((enum kw)k)) != 0;

		if ((keywords[k].required & V(v)) && !present)
			return fail(err, errlen, "%s is required", keywords[k].name);
	}
	if (v == HC_VERB_ADD && req->role == HANDOFF_ROLE_SOURCE && !(req->have & HC_HAVE_DEV))
		return fail(err, errlen, "dev is required for role source");
	return 0;
}
