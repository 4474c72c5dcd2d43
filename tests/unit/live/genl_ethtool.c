// SPDX-License-Identifier: GPL-2.0
/*
 * The libnl transport (agent/genl.c) against a real kernel, without the
 * handoff module: the always-present "ethtool" family stands in, since its
 * strict policies answer with the same extended acks. Needs a netlink-capable
 * kernel, not root. Run with `make -C agent genl-live`.
 */
#include <errno.h>
#include <linux/ethtool_netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <signal.h>
#include <unistd.h>

#include "check.h"
#include "genl.h"

static int count(const void *attrs, size_t len, uint8_t cmd, void *arg)
{
	(void)attrs;
	(void)len;
	(void)cmd;
	(*(int *)arg)++;
	return 0;
}

static int open_ethtool(struct hc_genl *g, const char *group)
{
	struct hc_result res;
	int r = hc_genl_open(g, ETHTOOL_GENL_NAME, group, ETHTOOL_GENL_VERSION, &res);

	if (r)
		hc_check_fail(__FILE__, __LINE__, "opening ethtool: %s", res.text);
	return r;
}

TEST(live_missing_family)
{
	struct hc_result res;
	struct hc_genl g;

	CHECK_INT(hc_genl_open(&g, "hc-nonexist", NULL, 1, &res), -ENOENT);
	CHECK_STR(res.text, "hc-nonexist module not loaded (generic netlink family "
			    "\"hc-nonexist\" not found)");
	/* Too long for the controller's policy: refused, not "not found". */
	CHECK_INT(hc_genl_open(&g, "hc-nonexistent-family", NULL, 1, &res), -EINVAL);
	CHECK(res.from_kernel);
	CHECK(strstr(res.text, "Invalid argument: attribute at offset 20") == res.text);
}

/* LINKINFO_GET with a header nest holding one attribute put by put(). */
static int linkinfo(struct hc_genl *g, int flags, int variant, struct hc_result *res, int *n)
{
	struct nl_msg *m = hc_genl_msg(g, ETHTOOL_MSG_LINKINFO_GET, flags);
	struct nlattr *nest;

	if (variant) {
		nest = nla_nest_start(m, ETHTOOL_A_LINKINFO_HEADER | NLA_F_NESTED);
		if (variant == 1)
			nla_put_u8(m, ETHTOOL_A_HEADER_DEV_INDEX, 1);	/* u32 expected */
		else
			nla_put_string(m, ETHTOOL_A_HEADER_DEV_NAME, "hc-nonexist0");
		nla_nest_end(m, nest);
	}
	return hc_genl_request(g, m, count, n, res);
}

TEST(live_extack_offset_and_policy)
{
	struct hc_result res;
	struct hc_genl g;
	int n = 0;

	if (open_ethtool(&g, NULL))
		return;
	CHECK_INT(linkinfo(&g, 0, 1, &res, &n), -EINVAL);
	CHECK(res.from_kernel);
	CHECK(res.ext.has_msg);
	/* nlmsghdr 16 + genlmsghdr 4 + nest header 4: the attribute inside the nest */
	CHECK(res.ext.has_offs) && CHECK_INT(res.ext.offs, 24);
	CHECK(res.ext.has_policy) && CHECK_STR(res.ext.policy, "u32");
	CHECK(strstr(res.text, "Invalid argument: attribute ") == res.text);
	CHECK(strstr(res.text, "(expected u32)") != NULL);
	CHECK_INT(n, 0);
	hc_genl_close(&g);
}

TEST(live_extack_message_and_missing)
{
	struct hc_result res;
	struct hc_genl g;
	int n = 0;

	if (open_ethtool(&g, NULL))
		return;
	CHECK_INT(linkinfo(&g, 0, 2, &res, &n), -ENODEV);
	CHECK(res.ext.has_msg && res.ext.has_offs);
	CHECK(strstr(res.text, "No such device: attribute ") == res.text);
	CHECK_INT(linkinfo(&g, 0, 0, &res, &n), -EINVAL);
	CHECK(res.ext.has_miss_type) && CHECK_INT(res.ext.miss_type, ETHTOOL_A_LINKINFO_HEADER);
	/* The socket stays usable after errors. */
	CHECK_INT(linkinfo(&g, 0, 2, &res, &n), -ENODEV);
	hc_genl_close(&g);
}

TEST(live_dump_ends)
{
	struct hc_result res;
	struct hc_genl g;
	int n = 0;

	if (open_ethtool(&g, NULL))
		return;
	/* Devices without link settings make the dump warn, not fail. */
	CHECK_INT(linkinfo(&g, NLM_F_DUMP, 0, &res, &n), 0);
	CHECK(n >= 0);
	hc_genl_close(&g);
}

static volatile sig_atomic_t stop;

static void on_alarm(int sig)
{
	(void)sig;
	stop = 1;
}

TEST(live_listen_stops_on_signal)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct hc_result res;
	struct hc_genl g;
	int n = 0;

	if (open_ethtool(&g, ETHTOOL_MCGRP_MONITOR_NAME))
		return;
	CHECK(g.fam.group != 0);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	CHECK_INT(hc_genl_listen(&g, count, &n, &stop, &res), 0);
	hc_genl_close(&g);
}
