// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "print.h"

struct cap {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *cap_open(struct cap *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	return c->f;
}

static const char *cap_done(struct cap *c)
{
	fclose(c->f);
	return c->buf ? c->buf : "";
}

static void sample(struct hc_session *s)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&s->peer;

	memset(s, 0, sizeof(*s));
	s->id = 0x1234;
	s->role = HANDOFF_ROLE_SOURCE;
	s->has_state = true;
	s->state = HANDOFF_STATE_ARMED;
	s->has_ifindex = s->has_ifname = true;
	s->ifindex = 7;
	strcpy(s->ifname, "vif1.0");
	s->has_peer = true;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(6657);
	sin->sin_addr.s_addr = htonl(0x0a000002);
	s->peer_len = sizeof(*sin);
	s->has_flags = true;
	s->nmacs = 2;
	memcpy(s->macs[0], "\x00\x16\x3e\x00\x00\x01", 6);
	memcpy(s->macs[1], "\x00\x16\x3e\x00\x00\x02", 6);
	s->naddrs = 2;
	s->addrs[0].family = AF_INET;
	s->addrs[0].in.s_addr = htonl(0x0a000005);
	s->addrs[1].family = AF_INET6;
	inet_pton(AF_INET6, "fe80::1", &s->addrs[1].in6);
	s->ctr_present = 1ULL << HANDOFF_CTR_CAPTURED | 1ULL << HANDOFF_CTR_TX_PACKETS |
			 1ULL << HANDOFF_CTR_DROP_AUTH;
	s->ctr[HANDOFF_CTR_CAPTURED] = 3;
	s->ctr[HANDOFF_CTR_TX_PACKETS] = 3;
	s->time_present = 1ULL << HANDOFF_TIME_CREATED | 1ULL << HANDOFF_TIME_ARMED;
	s->times[HANDOFF_TIME_CREATED] = 1000000000ULL;
	s->times[HANDOFF_TIME_ARMED] = 1012345678ULL;
}

TEST(print_session_plain)
{
	struct hc_session s;
	struct cap c;

	sample(&s);
	hc_print_session(cap_open(&c), &s, 0);
	CHECK_STR(cap_done(&c),
		  "session 0x1234 role source state armed dev vif1.0 (ifindex 7) peer 10.0.0.2:6657"
		  " flags none\n"
		  "    macs 00:16:3e:00:00:01 00:16:3e:00:00:02\n"
		  "    addrs 10.0.0.5 fe80::1\n"
		  "    counters: captured 3 tx 3\n"
		  "    times: armed +12.345ms\n");
	free(c.buf);

	hc_print_session(cap_open(&c), &s, HC_PRINT_ALL_COUNTERS);
	CHECK(strstr(cap_done(&c), "    counters: captured 3 tx 3 drop_auth 0\n") != NULL);
	free(c.buf);
}

TEST(print_session_plain_sparse_and_unknown)
{
	struct hc_session s;
	struct cap c;

	memset(&s, 0, sizeof(s));
	s.id = UINT64_MAX;
	s.role = 9;
	s.has_state = true;
	s.state = 42;
	s.has_flags = true;
	s.flags = 1U << 4 | HANDOFF_F_NO_CARRIER_ACTIVATE;
	s.time_present = 1ULL << HANDOFF_TIME_ARMED | 1ULL << 50;	/* no created: absolute */
	s.times[HANDOFF_TIME_ARMED] = 5000000001ULL;
	s.times[50] = 7;
	s.ctr_present = 1ULL << 40;
	s.ctr[40] = 1;
	hc_print_session(cap_open(&c), &s, 0);
	CHECK_STR(cap_done(&c),
		  "session 0xffffffffffffffff role 9 state 42 dev none flags "
		  "no-carrier-activate,0x10\n"
		  "    macs none\n"
		  "    counters: counter40 1\n"
		  "    times: armed 5.000000001 time50 0.000000007\n");
	free(c.buf);
}

TEST(print_session_plain_sanitizes_and_negative_times)
{
	struct hc_session s;
	struct cap c;

	sample(&s);
	strcpy(s.ifname, "v\x1b[2J");
	s.times[HANDOFF_TIME_ARMED] = 999000000ULL;	/* before created: clock oddity */
	s.ctr_present = 0;
	s.naddrs = 0;
	s.macs_dropped = 2;
	hc_print_session(cap_open(&c), &s, 0);
	CHECK_STR(cap_done(&c),
		  "session 0x1234 role source state armed dev v?[2J (ifindex 7) peer 10.0.0.2:6657"
		  " flags none\n"
		  "    macs 00:16:3e:00:00:01 00:16:3e:00:00:02 (+2 more)\n"
		  "    times: armed -1.000ms\n");
	free(c.buf);
}

TEST(print_session_json)
{
	struct hc_session s;
	struct hc_json j;
	struct cap c;

	sample(&s);
	s.flags = HANDOFF_F_NO_ANNOUNCE | 1U << 7;
	hc_json_init(&j, cap_open(&c), false);
	hc_print_session_json(&j, &s);
	CHECK_INT(hc_json_end(&j), 0);
	CHECK_STR(cap_done(&c),
		  "{\"id\":\"0x1234\",\"role\":\"source\",\"state\":\"armed\",\"ifindex\":7,"
		  "\"dev\":\"vif1.0\",\"peer\":\"10.0.0.2:6657\",\"flags\":[\"no-announce\",\"0x80\"],"
		  "\"macs\":[\"00:16:3e:00:00:01\",\"00:16:3e:00:00:02\"],"
		  "\"addrs\":[\"10.0.0.5\",\"fe80::1\"],"
		  "\"counters\":{\"captured\":3,\"tx\":3,\"drop_auth\":0},"
		  "\"times\":{\"created\":1000000000,\"armed\":1012345678}}\n");
	free(c.buf);
}

TEST(print_session_json_escapes_device)
{
	struct hc_session s;
	struct hc_json j;
	struct cap c;

	sample(&s);
	strcpy(s.ifname, "a\"b\\\x01");
	hc_json_init(&j, cap_open(&c), false);
	hc_print_session_json(&j, &s);
	CHECK_INT(hc_json_end(&j), 0);
	CHECK(strstr(cap_done(&c), "\"dev\":\"a\\\"b\\\\\\u0001\"") != NULL);
	free(c.buf);
}

static void sample_event(struct hc_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->event = HANDOFF_EVENT_SOURCE_STOPPED;
	ev->id = 0xabc;
	ev->has_role = ev->has_state = ev->has_timestamp = ev->has_ifindex = true;
	ev->role = HANDOFF_ROLE_SOURCE;
	ev->state = HANDOFF_STATE_STOPPED;
	ev->timestamp = 12345678901234ULL;
	ev->ifindex = 7;
}

TEST(print_event)
{
	struct hc_event ev;
	struct hc_json j;
	struct cap c;

	sample_event(&ev);
	hc_print_event(cap_open(&c), &ev);
	CHECK_STR(cap_done(&c), "event source_stopped session 0xabc role source state stopped"
				" ifindex 7 time 12345.678901234\n");
	free(c.buf);

	strcpy(ev.ifname, "vif1.0");
	hc_print_event(cap_open(&c), &ev);
	CHECK_STR(cap_done(&c), "event source_stopped session 0xabc role source state stopped"
				" dev vif1.0 (ifindex 7) time 12345.678901234\n");
	free(c.buf);

	hc_json_init(&j, cap_open(&c), false);
	hc_print_event_json(&j, &ev);
	CHECK_INT(hc_json_end(&j), 0);
	CHECK_STR(cap_done(&c), "{\"event\":\"source_stopped\",\"id\":\"0xabc\",\"role\":\"source\","
				"\"state\":\"stopped\",\"ifindex\":7,\"dev\":\"vif1.0\","
				"\"timestamp\":12345678901234}\n");
	free(c.buf);

	memset(&ev, 0, sizeof(ev));
	ev.event = 200;
	ev.id = 1;
	hc_print_event(cap_open(&c), &ev);
	CHECK_STR(cap_done(&c), "event 200 session 0x1\n");
	free(c.buf);
}

TEST(print_info)
{
	struct hc_info info;
	struct hc_json j;
	struct cap c;

	memset(&info, 0, sizeof(info));
	info.has_version = info.has_sessions = info.has_port = true;
	strcpy(info.version, "0.1.0");
	info.sessions = 2;
	info.port = 6657;
	info.genl_version = 1;
	info.ctr_present = 1ULL << HANDOFF_CTR_DROP_MALFORMED | 1ULL << HANDOFF_CTR_DROP_NOSESSION;
	info.ctr[HANDOFF_CTR_DROP_NOSESSION] = 5;
	hc_print_info(cap_open(&c), &info, 0);
	CHECK_STR(cap_done(&c), "handoff version 0.1.0 genl-version 1 sessions 2 port 6657\n"
				"    counters: drop_nosession 5\n");
	free(c.buf);

	hc_json_init(&j, cap_open(&c), true);
	hc_print_info_json(&j, &info);
	CHECK_INT(hc_json_end(&j), 0);
	CHECK_STR(cap_done(&c), "{\n"
				"  \"version\": \"0.1.0\",\n"
				"  \"genl_version\": 1,\n"
				"  \"sessions\": 2,\n"
				"  \"port\": 6657,\n"
				"  \"counters\": {\n"
				"    \"drop_malformed\": 0,\n"
				"    \"drop_nosession\": 5\n"
				"  }\n"
				"}\n");
	free(c.buf);
}
