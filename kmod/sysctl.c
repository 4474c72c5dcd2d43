// SPDX-License-Identifier: GPL-2.0
/*
 * net.handoff.* knobs, per network namespace. Every integer knob has a range
 * enforced on write (EINVAL outside it); the announce schedule is a list.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "handoff.h"

/* The template's .data point here; each netns copy is rebased onto its own. */
static struct handoff_sysctl template;

static const int port_min = 1, port_max = 65535;
static const int sessions_min = 1, sessions_max = 65536;
static const int timeout_min = 1000, timeout_max = 3600 * 1000;
static const int frames_min = 16, frames_max = 1 << 20;
static const int bytes_min = 64 << 10, bytes_max = 1 << 30;
static const int age_min = 100, age_max = 600 * 1000;
static const int marker_min = 10, marker_max = 60 * 1000;
static const int grace_min, grace_max = 600 * 1000;
static const int batch_min = 1, batch_max = 1024;
static const int pps_min, pps_max = 10 * 1000 * 1000;

#define ANNOUNCE_MS_MAX 60000
#define ANNOUNCE_BUF 128

void handoff_sysctl_defaults(struct handoff_sysctl *sc)
{
	static const int qemu_schedule[] = { 0, 50, 200, 450, 800 };

	sc->port = 6657;
	sc->max_sessions = 1024;
	sc->session_timeout_ms = 300 * 1000;
	sc->hold_max_frames = 65536;
	sc->hold_max_bytes = 64 << 20;
	sc->hold_max_age_ms = 60 * 1000;
	sc->marker_timeout_ms = 1000;
	sc->grace_ms = 5000;
	sc->deliver_batch = 64;
	sc->deliver_max_pps = 0;
	sc->announce_count = ARRAY_SIZE(qemu_schedule);
	memcpy(sc->announce_ms, qemu_schedule, sizeof(qemu_schedule));
	spin_lock_init(&sc->announce_lock);
}

/* Parse "a b c" (at most HANDOFF_ANNOUNCE_SLOTS, non-decreasing, in range). */
static int parse_schedule(const char *buf, int *out, int *count)
{
	int n = 0;

	while (*buf) {
		unsigned int v;
		int len;

		buf = skip_spaces(buf);
		if (!*buf)
			break;
		if (n == HANDOFF_ANNOUNCE_SLOTS)
			return -EINVAL;
		if (sscanf(buf, "%u%n", &v, &len) != 1 || v > ANNOUNCE_MS_MAX)
			return -EINVAL;
		if (buf[len] && !isspace(buf[len]))
			return -EINVAL;
		if (n && v < out[n - 1])
			return -EINVAL;
		out[n++] = v;
		buf += len;
	}
	*count = n;
	return 0;
}

static int announce_ms_handler(struct ctl_table *table, int write,
			       void *buffer, size_t *lenp, loff_t *ppos)
{
	struct handoff_sysctl *sc = container_of(table->data,
						 struct handoff_sysctl,
						 announce_ms);
	int vals[HANDOFF_ANNOUNCE_SLOTS], count, i, err, off = 0;
	char buf[ANNOUNCE_BUF] = "";
	struct ctl_table tmp = {
		.data = buf,
		.maxlen = sizeof(buf),
	};

	if (!write) {
		spin_lock_bh(&sc->announce_lock);
		for (i = 0; i < sc->announce_count; i++)
			off += scnprintf(buf + off, sizeof(buf) - off, "%s%d",
					 i ? " " : "", sc->announce_ms[i]);
		spin_unlock_bh(&sc->announce_lock);
		return proc_dostring(&tmp, write, buffer, lenp, ppos);
	}

	err = proc_dostring(&tmp, write, buffer, lenp, ppos);
	if (err)
		return err;
	err = parse_schedule(strim(buf), vals, &count);
	if (err)
		return err;
	spin_lock_bh(&sc->announce_lock);
	memcpy(sc->announce_ms, vals, sizeof(vals[0]) * count);
	sc->announce_count = count;
	spin_unlock_bh(&sc->announce_lock);
	return 0;
}

#define HANDOFF_INT_KNOB(name, field, lo, hi)				\
	{								\
		.procname = name,					\
		.data = &template.field,				\
		.maxlen = sizeof(int),					\
		.mode = 0644,						\
		.proc_handler = proc_dointvec_minmax,			\
		.extra1 = (void *)&(lo),				\
		.extra2 = (void *)&(hi),				\
	}

static const struct ctl_table handoff_sysctl_template[] = {
	HANDOFF_INT_KNOB("port", port, port_min, port_max),
	HANDOFF_INT_KNOB("max_sessions", max_sessions, sessions_min,
			 sessions_max),
	HANDOFF_INT_KNOB("session_timeout_ms", session_timeout_ms,
			 timeout_min, timeout_max),
	HANDOFF_INT_KNOB("hold_max_frames", hold_max_frames, frames_min,
			 frames_max),
	HANDOFF_INT_KNOB("hold_max_bytes", hold_max_bytes, bytes_min,
			 bytes_max),
	HANDOFF_INT_KNOB("hold_max_age_ms", hold_max_age_ms, age_min,
			 age_max),
	HANDOFF_INT_KNOB("marker_timeout_ms", marker_timeout_ms, marker_min,
			 marker_max),
	HANDOFF_INT_KNOB("grace_ms", grace_ms, grace_min, grace_max),
	HANDOFF_INT_KNOB("deliver_batch", deliver_batch, batch_min,
			 batch_max),
	HANDOFF_INT_KNOB("deliver_max_pps", deliver_max_pps, pps_min,
			 pps_max),
	{
		.procname = "announce_ms",
		.data = &template.announce_ms,
		.maxlen = ANNOUNCE_BUF,
		.mode = 0644,
		.proc_handler = announce_ms_handler,
	},
	{ }
};

int handoff_sysctl_register(struct handoff_net *hn)
{
	ptrdiff_t shift = (char *)&hn->sysctl - (char *)&template;
	struct ctl_table *tbl;
	int i;

	tbl = kmemdup(handoff_sysctl_template,
		      sizeof(handoff_sysctl_template), GFP_KERNEL);
	if (!tbl)
		return -ENOMEM;
	for (i = 0; tbl[i].procname; i++)
		tbl[i].data = (char *)tbl[i].data + shift;

	hn->sysctl_hdr = register_net_sysctl(hn->net, "net/handoff", tbl);
	if (!hn->sysctl_hdr) {
		kfree(tbl);
		return -ENOMEM;
	}
	return 0;
}

void handoff_sysctl_unregister(struct handoff_net *hn)
{
	struct ctl_table *tbl = hn->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(hn->sysctl_hdr);
	kfree(tbl);
}
