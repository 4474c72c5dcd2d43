// SPDX-License-Identifier: GPL-2.0
#include <linux/handoff.h>
#include <stdio.h>

#include "check.h"
#include "names.h"

/* Every value from first to max - 1 has a name, and names are unique. */
static void check_table(const char *file, int line, const char *what,
			const char *(*name)(unsigned int), unsigned int first, unsigned int max)
{
	unsigned int i, k;

	for (i = first; i < max; i++) {
		if (!name(i)) {
			hc_check_fail(file, line, "%s %u has no name (new in the uAPI header?)",
				      what, i);
			continue;
		}
		for (k = first; k < i; k++)
			if (name(k) && !strcmp(name(k), name(i)))
				hc_check_fail(file, line, "%s %u and %u are both \"%s\"", what, k,
					      i, name(i));
	}
	if (name(max))
		hc_check_fail(file, line, "%s %u past the max has a name", what, max);
	if (name(1000))
		hc_check_fail(file, line, "%s 1000 has a name", what);
}

#define TABLE(what, fn, first, max) check_table(__FILE__, __LINE__, what, fn, first, max)

TEST(names_cover_every_enum_value)
{
	TABLE("role", hc_role_name, HANDOFF_ROLE_SOURCE, __HANDOFF_ROLE_MAX);
	TABLE("state", hc_state_name, HANDOFF_STATE_NEW, __HANDOFF_STATE_MAX);
	TABLE("event", hc_event_name, HANDOFF_EVENT_CREATED, __HANDOFF_EVENT_MAX);
	TABLE("counter", hc_counter_name, HANDOFF_CTR_CAPTURED, __HANDOFF_CTR_MAX);
	TABLE("time", hc_time_name, HANDOFF_TIME_CREATED, __HANDOFF_TIME_MAX);
	CHECK(!hc_role_name(HANDOFF_ROLE_UNSPEC));
	CHECK(!hc_event_name(HANDOFF_EVENT_UNSPEC));
	CHECK(!hc_counter_name(HANDOFF_CTR_UNSPEC));
}

static const char *top_attr(unsigned int t) { return hc_attr_name(0, t); }
static const char *mac_attr(unsigned int t) { return hc_attr_name(HANDOFF_A_MACS, t); }
static const char *addr_attr(unsigned int t) { return hc_attr_name(HANDOFF_A_ADDRS, t); }
static const char *ctr_attr(unsigned int t) { return hc_attr_name(HANDOFF_A_COUNTERS, t); }
static const char *time_attr(unsigned int t) { return hc_attr_name(HANDOFF_A_TIMES, t); }

TEST(attr_names_cover_every_attribute)
{
	TABLE("attribute", top_attr, 0, __HANDOFF_A_MAX);
	TABLE("MAC attribute", mac_attr, 0, __HANDOFF_A_MAC_MAX);
	TABLE("address attribute", addr_attr, 0, __HANDOFF_A_ADDR_MAX);
	TABLE("counter attribute", ctr_attr, 0, __HANDOFF_CTR_MAX);
	TABLE("time attribute", time_attr, 0, __HANDOFF_TIME_MAX);
}

TEST(attr_names_are_the_enum_names)
{
	CHECK_STR(hc_attr_name(0, HANDOFF_A_ROLE), "HANDOFF_A_ROLE");
	CHECK_STR(hc_attr_name(0, HANDOFF_A_TIMESTAMP), "HANDOFF_A_TIMESTAMP");
	CHECK_STR(hc_attr_name(HANDOFF_A_MACS, HANDOFF_A_MAC), "HANDOFF_A_MAC");
	CHECK_STR(hc_attr_name(HANDOFF_A_ADDRS, HANDOFF_A_ADDR_IN6), "HANDOFF_A_ADDR_IN6");
	CHECK_STR(hc_attr_name(HANDOFF_A_COUNTERS, HANDOFF_CTR_DROP_AUTH), "HANDOFF_CTR_DROP_AUTH");
	CHECK_STR(hc_attr_name(HANDOFF_A_TIMES, HANDOFF_TIME_ACTIVATED), "HANDOFF_TIME_ACTIVATED");
	CHECK(!hc_attr_name(HANDOFF_A_ROLE, 1));	/* not a nest */
	CHECK(hc_attr_is_nest(HANDOFF_A_MACS));
	CHECK(hc_attr_is_nest(HANDOFF_A_ADDRS));
	CHECK(!hc_attr_is_nest(HANDOFF_A_PEER));
}

TEST(role_parse)
{
	CHECK_INT(hc_role_parse("source"), HANDOFF_ROLE_SOURCE);
	CHECK_INT(hc_role_parse("dest"), HANDOFF_ROLE_DEST);
	CHECK_INT(hc_role_parse("src"), -1);
	CHECK_INT(hc_role_parse("Source"), -1);
	CHECK_INT(hc_role_parse(""), -1);
}

TEST(flags)
{
	char buf[64], tiny[6];

	CHECK_INT(hc_flag_parse("no-announce"), HANDOFF_F_NO_ANNOUNCE);
	CHECK_INT(hc_flag_parse("no-carrier-activate"), HANDOFF_F_NO_CARRIER_ACTIVATE);
	CHECK_INT(hc_flag_parse("divert"), HANDOFF_F_DIVERT);
	CHECK_INT(hc_flag_parse("announce"), 0);
	hc_fmt_flags(buf, sizeof(buf), 0);
	CHECK_STR(buf, "none");
	hc_fmt_flags(buf, sizeof(buf), HANDOFF_F_NO_ANNOUNCE);
	CHECK_STR(buf, "no-announce");
	hc_fmt_flags(buf, sizeof(buf), HANDOFF_F_NO_ANNOUNCE | HANDOFF_F_NO_CARRIER_ACTIVATE);
	CHECK_STR(buf, "no-announce,no-carrier-activate");
	hc_fmt_flags(buf, sizeof(buf), HANDOFF_F_NO_CARRIER_ACTIVATE | 1U << 5 | 1U << 31);
	CHECK_STR(buf, "no-carrier-activate,0x20,0x80000000");
	hc_fmt_flags(tiny, sizeof(tiny), HANDOFF_F_NO_ANNOUNCE);	/* truncates, terminated */
	CHECK_INT(strlen(tiny), sizeof(tiny) - 1);
	CHECK_INT(hc_flag_parse(hc_flag_name(HANDOFF_F_NO_ANNOUNCE)), HANDOFF_F_NO_ANNOUNCE);
}
