// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

#include "args.h"
#include "check.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Parses argv for verb; returns the error text ("" on success). */
static const char *parse(enum hc_verb v, int argc, char *const *argv, struct hc_req *req)
{
	static char err[320];

	if (!hc_args_parse(v, argc, argv, req, err, sizeof(err)))
		return "";
	return err;
}

TEST(args_add_full)
{
	char *const argv[] = {
		"id", "0x1234", "role", "source", "dev", "vif1.0", "mac", "00:16:3e:00:00:01",
		"mac", "00:16:3e:00:00:02", "addr", "10.0.0.5", "addr", "fe80::1",
		"peer", "10.0.0.2:6657", "tx-key", "/k/tx", "rx-key", "/k/rx",
		"no-announce", "no-carrier-activate", "divert",
	};
	struct hc_req req;

	CHECK_STR(parse(HC_VERB_ADD, ARGC(argv), argv, &req), "");
	CHECK(req.id == 0x1234);
	CHECK_INT(req.role, HANDOFF_ROLE_SOURCE);
	CHECK_STR(req.dev, "vif1.0");
	CHECK_INT(req.nmacs, 2) && CHECK_MEM(req.macs[1], "\x00\x16\x3e\x00\x00\x02", 6);
	CHECK_INT(req.naddrs, 2) && CHECK_INT(req.addrs[1].family, AF_INET6);
	CHECK_INT(req.peer_len, sizeof(struct sockaddr_in));
	CHECK_STR(req.tx_key, "/k/tx");
	CHECK_STR(req.rx_key, "/k/rx");
	CHECK_INT(req.flags, HANDOFF_F_NO_ANNOUNCE | HANDOFF_F_NO_CARRIER_ACTIVATE |
			     HANDOFF_F_DIVERT);
	CHECK_INT(req.have, HC_HAVE_ID | HC_HAVE_ROLE | HC_HAVE_DEV | HC_HAVE_PEER |
			    HC_HAVE_TX_KEY | HC_HAVE_RX_KEY);
}

TEST(args_add_dest_without_dev_any_order)
{
	char *const argv[] = {
		"rx-key", "r", "peer", "[2001:db8::1]:6657", "mac", "02:00:00:00:00:01",
		"tx-key", "t", "role", "dest", "id", "18446744073709551615",
	};
	struct hc_req req;

	CHECK_STR(parse(HC_VERB_ADD, ARGC(argv), argv, &req), "");
	CHECK(req.id == UINT64_MAX);
	CHECK_INT(req.role, HANDOFF_ROLE_DEST);
	CHECK(!(req.have & HC_HAVE_DEV));
	CHECK_INT(req.naddrs, 0);
	CHECK_INT(req.flags, 0);
}

struct bad_case {
	enum hc_verb verb;
	const char *args;	/* space-separated */
	const char *err;
};

static const char base_add[] =
	"id 1 role dest mac 02:00:00:00:00:01 peer 10.0.0.2:1 tx-key t rx-key r";

TEST(args_rejects_with_reason)
{
	static const struct bad_case cases[] = {
		{ HC_VERB_ADD, "id 0 role dest", "id \"0\": must be non-zero" },
		{ HC_VERB_ADD, "id 0x role dest", "id \"0x\": not a decimal or 0x-hex number" },
		{ HC_VERB_ADD, "id 18446744073709551616",
		  "id \"18446744073709551616\": does not fit in 64 bits" },
		{ HC_VERB_ADD, "id 1 id 2", "id: given twice" },
		{ HC_VERB_ADD, "id", "id: missing value" },
		{ HC_VERB_ADD, "role both", "role \"both\": must be source or dest" },
		{ HC_VERB_ADD, "mac 00:16:3e:00:00", "mac \"00:16:3e:00:00\": not a MAC address "
						       "(expected xx:xx:xx:xx:xx:xx)" },
		{ HC_VERB_ADD, "mac 01:00:5e:00:00:01",
		  "mac \"01:00:5e:00:00:01\": not a unicast address" },
		{ HC_VERB_ADD, "mac 00:00:00:00:00:00",
		  "mac \"00:00:00:00:00:00\": not a unicast address" },
		{ HC_VERB_ADD, "addr 10.0.0.300", "addr \"10.0.0.300\": not an IPv4 or IPv6 address" },
		{ HC_VERB_ADD, "peer 10.0.0.2:0", "peer \"10.0.0.2:0\": port must be 1 to 65535" },
		{ HC_VERB_ADD, "peer 10.0.0.2:65536", "peer \"10.0.0.2:65536\": port must be 1 to 65535" },
		{ HC_VERB_ADD, "peer 2001:db8::1:80",
		  "peer \"2001:db8::1:80\": expected IPV4:PORT or [IPV6]:PORT" },
		{ HC_VERB_ADD, "dev 0123456789abcdef", "dev \"0123456789abcdef\": must be 1 to 15 characters" },
		{ HC_VERB_ADD, "dev a/b", "dev \"a/b\": not a valid interface name" },
		{ HC_VERB_ADD, "no-announce no-announce", "no-announce: given twice" },
		{ HC_VERB_ADD, "bogus", "\"bogus\": unknown argument (session add takes: id role dev "
					"mac addr peer tx-key rx-key no-announce no-carrier-activate divert)" },
		{ HC_VERB_ADD, "id 1 role dest peer 10.0.0.2:1 tx-key t rx-key r", "mac is required" },
		{ HC_VERB_ADD, "id 1 role dest mac 02:00:00:00:00:01 tx-key t rx-key r",
		  "peer is required" },
		{ HC_VERB_ADD, "id 1 role dest mac 02:00:00:00:00:01 peer 10.0.0.2:1 rx-key r",
		  "tx-key is required" },
		{ HC_VERB_ADD, "id 1 role source mac 02:00:00:00:00:01 peer 10.0.0.2:1 tx-key t rx-key r",
		  "dev is required for role source" },
		{ HC_VERB_ADD, "role dest mac 02:00:00:00:00:01 peer 10.0.0.2:1 tx-key t rx-key r",
		  "id is required" },
		{ HC_VERB_DEL, "id 1", "role is required" },
		{ HC_VERB_DEL, "id 1 role source peer 10.0.0.2:1",
		  "\"peer\": unknown argument (session del takes: id role)" },
		{ HC_VERB_ARM, "id 1 role source", "\"role\": unknown argument (session arm takes: id)" },
		{ HC_VERB_ARM, "", "id is required" },
		{ HC_VERB_ATTACH, "id 1", "dev is required" },
		{ HC_VERB_ACTIVATE, "id 1 dev vif1.0",
		  "\"dev\": unknown argument (session activate takes: id)" },
		{ HC_VERB_ABORT, "role dest", "id is required" },
		{ HC_VERB_SHOW, "id 1 id 1", "id: given twice" },
		{ HC_VERB_SHOW, "role", "role: missing value" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[512], *argv[32], *tok;
		struct hc_req req;
		int argc = 0;

		snprintf(buf, sizeof(buf), "%s", cases[i].args);
		for (tok = strtok(buf, " "); tok && argc < 32; tok = strtok(NULL, " "))
			argv[argc++] = tok;
		hc_check_str(__FILE__, __LINE__, cases[i].args,
			     parse(cases[i].verb, argc, argv, &req), cases[i].err);
	}
}

TEST(args_limits_macs_and_addrs)
{
	char *argv[128], macs[HANDOFF_MAX_MACS + 1][18], addrs[HANDOFF_MAX_ADDRS + 1][16];
	char base[sizeof(base_add)], *tok;
	struct hc_req req;
	int argc = 0, i;

	memcpy(base, base_add, sizeof(base_add));
	for (tok = strtok(base, " "); tok; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	for (i = 0; i < HANDOFF_MAX_MACS - 1; i++) {	/* + the one in base: the maximum */
		snprintf(macs[i], sizeof(macs[i]), "02:00:00:00:01:%02x", (unsigned int)i & 0xff);
		argv[argc++] = "mac";
		argv[argc++] = macs[i];
	}
	for (i = 0; i < HANDOFF_MAX_ADDRS; i++) {
		snprintf(addrs[i], sizeof(addrs[i]), "10.0.0.%u", (unsigned int)(i + 1) & 0xff);
		argv[argc++] = "addr";
		argv[argc++] = addrs[i];
	}
	CHECK_STR(parse(HC_VERB_ADD, argc, argv, &req), "");
	CHECK_INT(req.nmacs, HANDOFF_MAX_MACS);
	CHECK_INT(req.naddrs, HANDOFF_MAX_ADDRS);

	argv[argc++] = "addr";
	argv[argc++] = "10.9.9.9";
	CHECK_STR(parse(HC_VERB_ADD, argc, argv, &req), "addr \"10.9.9.9\": at most 32 addresses");
	argc -= 2;
	argv[argc++] = "mac";
	argv[argc++] = "02:00:00:00:02:00";
	CHECK_STR(parse(HC_VERB_ADD, argc, argv, &req), "mac \"02:00:00:00:02:00\": at most 16 MACs");
}

TEST(args_show_filters)
{
	char *const both[] = { "id", "7", "role", "dest" };
	char *const role[] = { "role", "source" };
	struct hc_req req;

	CHECK_STR(parse(HC_VERB_SHOW, 0, NULL, &req), "") && CHECK_INT(req.have, 0);
	CHECK_STR(parse(HC_VERB_SHOW, 4, both, &req), "") &&
		CHECK_INT(req.have, HC_HAVE_ID | HC_HAVE_ROLE);
	CHECK_STR(parse(HC_VERB_SHOW, 2, role, &req), "") && CHECK_INT(req.have, HC_HAVE_ROLE);
}

TEST(args_verbs)
{
	CHECK_INT(hc_verb_parse("add"), HC_VERB_ADD);
	CHECK_INT(hc_verb_parse("abort"), HC_VERB_ABORT);
	CHECK_INT(hc_verb_parse("ad"), -1);
	CHECK_INT(hc_verb_parse("list"), -1);
	CHECK_STR(hc_verb_name(HC_VERB_ATTACH), "attach");
	CHECK(!hc_verb_name(HC_VERB_COUNT));
}
