// SPDX-License-Identifier: GPL-2.0
#include "print.h"

#include <inttypes.h>
#include <string.h>

#include "names.h"

/* Kernel-supplied strings (device names) may hold escape sequences. */
static void put_safe(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/* Name of an enum value, or its number if this build does not know it. */
static const char *enum_str(const char *name, unsigned int v, char *buf, size_t len)
{
	if (name)
		return name;
	snprintf(buf, len, "%u", v);
	return buf;
}

static const char *stat_str(const char *name, const char *prefix, unsigned int v,
			    char *buf, size_t len)
{
	if (name)
		return name;
	snprintf(buf, len, "%s%u", prefix, v);
	return buf;
}

static void fmt_ktime(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%" PRIu64 ".%09" PRIu64, ns / 1000000000, ns % 1000000000);
}

/* "+12.345ms": microsecond resolution is what a human compares. */
static void fmt_rel(char *buf, size_t len, uint64_t t, uint64_t origin)
{
	uint64_t d = t >= origin ? t - origin : origin - t;

	snprintf(buf, len, "%c%" PRIu64 ".%03" PRIu64 "ms", t >= origin ? '+' : '-',
		 d / 1000000, d / 1000 % 1000);
}

/* "    counters: captured 3 tx 3": non-zero ones unless all; nothing if none. */
static void print_counters(FILE *f, uint64_t present, const uint64_t *ctr, unsigned int flags)
{
	bool any = false;
	char num[24];
	unsigned int i;

	for (i = 1; i < HC_MAX_STATS; i++) {
		if (!(present & (1ULL << i)))
			continue;
		if (!ctr[i] && !(flags & HC_PRINT_ALL_COUNTERS))
			continue;
		fprintf(f, "%s %s %" PRIu64, any ? "" : "    counters:",
			stat_str(hc_counter_name(i), "counter", i, num, sizeof(num)), ctr[i]);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

static void json_counters(struct hc_json *j, uint64_t present, const uint64_t *ctr)
{
	char num[24];
	unsigned int i;

	if (!present)
		return;
	hc_json_key(j, "counters");
	hc_json_obj_begin(j);
	for (i = 1; i < HC_MAX_STATS; i++)
		if (present & (1ULL << i))
			hc_json_kv_u64(j, stat_str(hc_counter_name(i), "counter", i, num, sizeof(num)),
				       ctr[i]);
	hc_json_obj_end(j);
}

void hc_print_info(FILE *f, const struct hc_info *info, unsigned int flags)
{
	fputs("handoff", f);
	if (info->has_version) {
		fputs(" version ", f);
		put_safe(f, info->version);
	}
	if (info->genl_version)
		fprintf(f, " genl-version %" PRIu32, info->genl_version);
	if (info->has_sessions)
		fprintf(f, " sessions %" PRIu32, info->sessions);
	if (info->has_port)
		fprintf(f, " port %u", info->port);
	fputc('\n', f);
	print_counters(f, info->ctr_present, info->ctr, flags);
}

void hc_print_info_json(struct hc_json *j, const struct hc_info *info)
{
	hc_json_obj_begin(j);
	if (info->has_version)
		hc_json_kv_str(j, "version", info->version);
	if (info->genl_version)
		hc_json_kv_u64(j, "genl_version", info->genl_version);
	if (info->has_sessions)
		hc_json_kv_u64(j, "sessions", info->sessions);
	if (info->has_port)
		hc_json_kv_u64(j, "port", info->port);
	json_counters(j, info->ctr_present, info->ctr);
	hc_json_obj_end(j);
}

static void print_dev(FILE *f, bool has_name, const char *name, bool has_index, uint32_t index)
{
	if (has_name) {
		fputs(" dev ", f);
		put_safe(f, name);
		if (has_index)
			fprintf(f, " (ifindex %" PRIu32 ")", index);
	} else if (has_index) {
		fprintf(f, " ifindex %" PRIu32, index);
	} else {
		fputs(" dev none", f);
	}
}

void hc_print_session(FILE *f, const struct hc_session *s, unsigned int flags)
{
	char buf[HC_SOCKADDR_STRLEN], num[16];
	unsigned int i;

	fprintf(f, "session 0x%" PRIx64 " role %s", s->id,
		enum_str(hc_role_name(s->role), s->role, num, sizeof(num)));
	if (s->has_state)
		fprintf(f, " state %s",
			enum_str(hc_state_name(s->state), s->state, num, sizeof(num)));
	print_dev(f, s->has_ifname, s->ifname, s->has_ifindex, s->ifindex);
	if (s->has_peer && !hc_fmt_sockaddr(buf, &s->peer, s->peer_len))
		fprintf(f, " peer %s", buf);
	if (s->has_flags) {
		char fl[128];

		hc_fmt_flags(fl, sizeof(fl), s->flags);
		fprintf(f, " flags %s", fl);
	}
	fputc('\n', f);

	fputs("    macs", f);
	for (i = 0; i < s->nmacs; i++) {
		hc_fmt_mac(buf, s->macs[i]);
		fprintf(f, " %s", buf);
	}
	if (!s->nmacs)
		fputs(" none", f);
	if (s->macs_dropped)
		fprintf(f, " (+%u more)", s->macs_dropped);
	fputc('\n', f);

	if (s->naddrs) {
		fputs("    addrs", f);
		for (i = 0; i < s->naddrs; i++) {
			hc_fmt_addr(buf, &s->addrs[i]);
			fprintf(f, " %s", buf);
		}
		if (s->addrs_dropped)
			fprintf(f, " (+%u more)", s->addrs_dropped);
		fputc('\n', f);
	}

	print_counters(f, s->ctr_present, s->ctr, flags);

	if (s->time_present & ~(1ULL << HANDOFF_TIME_CREATED)) {
		bool rel = s->time_present & (1ULL << HANDOFF_TIME_CREATED);

		fputs("    times:", f);
		for (i = 1; i < HC_MAX_STATS; i++) {
			if (!(s->time_present & (1ULL << i)) || (rel && i == HANDOFF_TIME_CREATED))
				continue;
			if (rel)
				fmt_rel(buf, sizeof(buf), s->times[i], s->times[HANDOFF_TIME_CREATED]);
			else
				fmt_ktime(buf, sizeof(buf), s->times[i]);
			fprintf(f, " %s %s",
				stat_str(hc_time_name(i), "time", i, num, sizeof(num)), buf);
		}
		fputc('\n', f);
	}
}

static void json_enum(struct hc_json *j, const char *key, const char *name, unsigned int v)
{
	char num[16];

	hc_json_kv_str(j, key, enum_str(name, v, num, sizeof(num)));
}

static void json_id(struct hc_json *j, uint64_t id)
{
	char buf[24];

	/* A string: JSON numbers past 2^53 lose precision in common parsers. */
	snprintf(buf, sizeof(buf), "0x%" PRIx64, id);
	hc_json_kv_str(j, "id", buf);
}

void hc_print_session_json(struct hc_json *j, const struct hc_session *s)
{
	char buf[HC_SOCKADDR_STRLEN], num[16];
	unsigned int i;
	uint32_t bit;

	hc_json_obj_begin(j);
	json_id(j, s->id);
	json_enum(j, "role", hc_role_name(s->role), s->role);
	if (s->has_state)
		json_enum(j, "state", hc_state_name(s->state), s->state);
	if (s->has_ifindex)
		hc_json_kv_u64(j, "ifindex", s->ifindex);
	if (s->has_ifname)
		hc_json_kv_str(j, "dev", s->ifname);
	if (s->has_peer && !hc_fmt_sockaddr(buf, &s->peer, s->peer_len))
		hc_json_kv_str(j, "peer", buf);
	if (s->has_flags) {
		hc_json_key(j, "flags");
		hc_json_arr_begin(j);
		for (bit = 1; bit; bit <<= 1) {
			if (!(s->flags & bit))
				continue;
			if (hc_flag_name(bit)) {
				hc_json_str(j, hc_flag_name(bit));
			} else {
				snprintf(num, sizeof(num), "0x%" PRIx32, bit);
				hc_json_str(j, num);
			}
		}
		hc_json_arr_end(j);
	}

	hc_json_key(j, "macs");
	hc_json_arr_begin(j);
	for (i = 0; i < s->nmacs; i++) {
		hc_fmt_mac(buf, s->macs[i]);
		hc_json_str(j, buf);
	}
	hc_json_arr_end(j);

	hc_json_key(j, "addrs");
	hc_json_arr_begin(j);
	for (i = 0; i < s->naddrs; i++) {
		hc_fmt_addr(buf, &s->addrs[i]);
		hc_json_str(j, buf);
	}
	hc_json_arr_end(j);

	json_counters(j, s->ctr_present, s->ctr);
	if (s->time_present) {
		/* Raw CLOCK_MONOTONIC ns, comparable with event timestamps. */
		hc_json_key(j, "times");
		hc_json_obj_begin(j);
		for (i = 1; i < HC_MAX_STATS; i++)
			if (s->time_present & (1ULL << i))
				hc_json_kv_u64(j, stat_str(hc_time_name(i), "time", i,
							   num, sizeof(num)), s->times[i]);
		hc_json_obj_end(j);
	}
	hc_json_obj_end(j);
}

void hc_print_event(FILE *f, const struct hc_event *ev)
{
	char num[16], ts[32];

	fprintf(f, "event %s session 0x%" PRIx64,
		enum_str(hc_event_name(ev->event), ev->event, num, sizeof(num)), ev->id);
	if (ev->has_role)
		fprintf(f, " role %s", enum_str(hc_role_name(ev->role), ev->role, num, sizeof(num)));
	if (ev->has_state)
		fprintf(f, " state %s",
			enum_str(hc_state_name(ev->state), ev->state, num, sizeof(num)));
	if (ev->has_ifindex)
		print_dev(f, ev->ifname[0] != '\0', ev->ifname, true, ev->ifindex);
	if (ev->has_timestamp) {
		fmt_ktime(ts, sizeof(ts), ev->timestamp);
		fprintf(f, " time %s", ts);
	}
	fputc('\n', f);
}

void hc_print_event_json(struct hc_json *j, const struct hc_event *ev)
{
	hc_json_obj_begin(j);
	json_enum(j, "event", hc_event_name(ev->event), ev->event);
	json_id(j, ev->id);
	if (ev->has_role)
		json_enum(j, "role", hc_role_name(ev->role), ev->role);
	if (ev->has_state)
		json_enum(j, "state", hc_state_name(ev->state), ev->state);
	if (ev->has_ifindex)
		hc_json_kv_u64(j, "ifindex", ev->ifindex);
	if (ev->ifname[0])
		hc_json_kv_str(j, "dev", ev->ifname);
	if (ev->has_timestamp)
		hc_json_kv_u64(j, "timestamp", ev->timestamp);
	hc_json_obj_end(j);
}
