#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The real-Xen table from dom0.sh's raw records (tests/xen/run.sh).

    report.py OUTDIR RESULTS_JSON [--topo localhost|two-host] [--peer HOST_B_OUTDIR]

One row per run and probe, with the lab's keys (scenario, mode, probe, sent,
lost, dup, reordered, max_gap_ms, act_to_*), plus the run's timeline in ms
from the start of `xl migrate`: when the agent armed, the destination vif
appeared, joined the bridge, got carrier; when the source vif lost carrier and
went; when the module activated (the agent's cutover line) and xl returned.
"""
import argparse
import datetime
import glob
import json
import os
import re
import sys

MODE_NAMES = {"control": "control", "baseline": "baseline",
              "request": "handoff-request", "suspended": "handoff-suspended"}


def epoch(stamp):
    """ISO time of ip -tshort / journalctl short-iso-precise to epoch seconds."""
    stamp = stamp.strip("[]")
    if re.search(r"[+-]\d\d:?\d\d$", stamp):
        return datetime.datetime.fromisoformat(stamp).timestamp()
    return datetime.datetime.fromisoformat(stamp).replace(
        tzinfo=datetime.timezone.utc).timestamp()


def read(path, default=""):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def window(text, t0, t1, parse):
    """The lines of text whose time (parse(line) -> epoch or None) is in [t0, t1]."""
    keep = []
    for line in text.splitlines():
        try:
            t = parse(line)
        except ValueError:
            t = None
        if t is not None and t0 <= t <= t1:
            keep.append(line)
    return "\n".join(keep)


def link_time(line):
    m = re.match(r"\[(\S+)\]", line)
    return epoch(m.group(1)) if m else None


def journal_time(line):
    return epoch(line.split(None, 1)[0]) if line.strip() else None


def links_timeline(src_text, srcvif, dst_text, t0):
    """Events of ip -tshort -o monitor link, ms from t0: the source vif's in
    src_text, any other vif's in dst_text (the destination host's)."""
    out = {}
    def first(key, t):
        out.setdefault(key, round((t - t0) * 1000))
    for text, src_side in ((src_text, True), (dst_text, False)):
        links_events(text, srcvif, src_side, first)
    return out


def links_events(text, srcvif, src_side, first):
    for line in text.splitlines():
        m = re.match(r"\[(\S+)\]\s+(Deleted\s+)?\d+:\s+(\S+?)(@\S+)?:\s+<([^>]*)>(.*)", line)
        if not m:
            continue
        t = epoch(m.group(1))
        name, deleted, flags, rest = m.group(3), bool(m.group(2)), m.group(5).split(","), m.group(6)
        if not re.match(r"vif\d+\.\d+$", name):
            continue
        if src_side:
            if name != srcvif:
                continue
            if deleted:
                first("src_vif_removed_ms", t)
            elif "LOWER_UP" not in flags:
                first("src_carrier_off_ms", t)
            continue
        if deleted or name == srcvif:
            continue
        first("dst_vif_created_ms", t)
        if "master xenbr0" in rest:
            first("dst_vif_on_bridge_ms", t)
        if "LOWER_UP" in flags:
            first("dst_carrier_on_ms", t)


CUTOVER = re.compile(r"cutover .*first delivery \+(-?\d+)us, last held \+(-?\d+)us, "
                     r"first announce \+(-?\d+)us, source stopped \+(-?\d+)us")


def journal_timeline(text, t0):
    out = {}
    for line in text.splitlines():
        parts = line.split(None, 3)
        if len(parts) < 4:
            continue
        try:
            t = epoch(parts[0])
        except ValueError:
            continue
        msg = parts[3]
        ms = round((t - t0) * 1000)
        if " armed at " in msg:
            out.setdefault("agent_armed_ms", ms)
            out.setdefault("arm_point", msg.split(" armed at ", 1)[1].strip())
        elif "incoming domain" in msg:
            out.setdefault("agent_incoming_domain_ms", ms)
        elif "attached to domain" in msg:
            out.setdefault("agent_attached_ms", ms)
        elif "migration completed" in msg or "source domain is gone" in msg:
            out.setdefault("agent_source_gone_ms", ms)
        elif "aborting" in msg:
            out.setdefault("agent_aborted_ms", ms)
        m = CUTOVER.search(msg)
        if m:
            out.setdefault("agent_cutover_logged_ms", ms)
            keys = ("act_to_first_delivery_us", "act_to_last_held_us",
                    "act_to_first_announce_us", "act_to_source_stop_us")
            for k, v in zip(keys, m.groups()):
                if int(v) >= 0:
                    out.setdefault(k, int(v))
    return out


def arp_discards(text):
    """unresolved_discards summed over CPUs, from /proc/net/stat/arp_cache."""
    lines = [l.split() for l in text.splitlines() if l.strip()]
    if not lines or "unresolved_discards" not in lines[0]:
        return 0
    col = lines[0].index("unresolved_discards")
    total = 0
    for l in lines[1:]:
        try:
            total += int(l[col], 16)
        except (IndexError, ValueError):
            break
    return total


def rows_for(outdir, label, topo, peer):
    base = os.path.join(outdir, label)
    m = re.match(r"(\w+?)(?:-(\d+))?(?:\.retry(\d+))?$", label)
    mode, run, retry = m.group(1), m.group(2), m.group(3)
    probe_text = read(base + ".probe.json").strip()
    if not probe_text:
        print(f"  ({label}: no probe result: {read(base + '.probe.err').strip()[:200]})")
        return []
    r = json.loads(probe_text)
    t0 = float(read(base + ".t0", "0") or 0)
    extra = {"run": int(run) if run else 1, "rc": int(read(base + ".rc", "-1").strip() or -1)}
    if retry:
        # The guest crashed (triple fault) in this run: not a migration result.
        extra["retry"] = int(retry)
    if os.path.exists(base + ".t1"):
        extra["xl_migrate_ms"] = round((float(read(base + ".t1")) - t0) * 1000)
    here_links, journal = read(base + ".links"), read(base + ".journal")
    src_links = dst_links = here_links
    if peer:
        # The other host's records, for the time of this run.
        t_end = float(read(base + ".t1", "0") or t0) + 15
        peer_links = window(read(os.path.join(peer, "links.all")), t0 - 5, t_end, link_time)
        journal += "\n" + window(read(os.path.join(peer, "handoffd.journal")), t0 - 5, t_end,
                                 journal_time)
        if read(base + ".from").strip() == "b":
            src_links, dst_links = peer_links, here_links
        else:
            dst_links = peer_links
        extra["from"] = read(base + ".from").strip()
    extra.update(links_timeline(src_links, read(base + ".srcvif").strip(), dst_links, t0))
    extra.update(journal_timeline("\n".join(sorted(journal.splitlines())), t0))
    rows = []
    for probe in ("udp_fwd", "udp_rev", "icmp"):
        f = r[probe]
        row = {"scenario": ("xl-" + topo) if mode != "control" else "no-migration",
               "mode": MODE_NAMES.get(mode, mode), "probe": probe,
               "sent": f["sent"], "lost": f["lost"], "dup": f["dup"],
               "reordered": f["reordered"], "max_gap_ms": round(f["max_gap_ms"], 1)}
        row.update(extra)
        row["sock_drops"] = r.get("sock_drops", 0)
        row["echo_sock_drops"] = r.get("echo_sock_drops", 0)
        # dom0's neighbour tables (the client's namespace included).
        row["dom0_arp_unresolved_discards"] = (arp_discards(read(base + ".arp-after")) -
                                               arp_discards(read(base + ".arp-before")))
        rows.append(row)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("results")
    ap.add_argument("--topo", default="localhost")
    ap.add_argument("--peer", help="host b's records (two-host)")
    args = ap.parse_args()
    outdir, results = args.outdir, args.results
    labels = sorted({os.path.basename(p)[:-len(".probe.json")]
                     for p in glob.glob(os.path.join(outdir, "*.probe.json"))},
                    key=lambda l: (list(MODE_NAMES).index(re.split(r"[-.]", l)[0])
                                   if re.split(r"[-.]", l)[0] in MODE_NAMES else 9, l))
    rows = [row for label in labels
            for row in rows_for(outdir, label, args.topo, args.peer)]
    # The echo's socket drops (SO_RXQ_OVFL) count from its start: per run,
    # the rise since the run before (a rebooted guest starts again at 0).
    # The probe's own rule: these are the instrument's losses, not the
    # network's; udp_fwd's "net lost" takes them out.
    prev = 0
    for r in rows:
        if r["probe"] != "udp_fwd":
            continue
        total = r["echo_sock_drops"]
        r["echo_sock_drops_run"] = total - prev if total >= prev else total
        prev = total
        r["net_lost"] = max(0, r["lost"] - r["echo_sock_drops_run"])
    with open(results, "w") as f:
        json.dump(rows, f, indent=1)
    status = read(os.path.join(outdir, "status")).strip()
    hdr = (f"{'scenario':14} {'mode':18} {'run':>3} {'probe':7} {'sent':>6} {'lost':>6} "
           f"{'dup':>5} {'reord':>5} {'max gap ms':>10} {'echo drops':>10} {'net lost':>8}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        note = f"  (guest crashed: retry {r['retry']})" if "retry" in r else ""
        print(f"{r['scenario']:14} {r['mode']:18} {r['run']:3} {r['probe']:7} {r['sent']:6} "
              f"{r['lost']:6} {r['dup']:5} {r['reordered']:5} {r['max_gap_ms']:10.1f} "
              f"{str(r.get('echo_sock_drops_run', '')):>10} {str(r.get('net_lost', '')):>8}{note}")
    print()
    print("timeline, ms from the start of xl migrate (module: us from activation)")
    keys = ("agent_armed_ms", "dst_vif_created_ms", "agent_attached_ms", "dst_vif_on_bridge_ms",
            "src_carrier_off_ms", "src_vif_removed_ms", "dst_carrier_on_ms",
            "agent_cutover_logged_ms", "xl_migrate_ms")
    short = ("armed", "dst vif", "attached", "dst on br", "src off", "src gone", "dst carrier",
             "cutover", "xl done")
    print(f"{'mode':18} {'run':>3} " + " ".join(f"{s:>11}" for s in short) +
          "  first/last held/src stop/announce us")
    seen = set()
    for r in rows:
        key = (r["mode"], r["run"], r.get("retry"))
        if r["mode"] == "control" or key in seen:
            continue
        seen.add(key)
        cells = " ".join(f"{str(r.get(k, '-')):>11}" for k in keys)
        mod = "/".join(str(r.get(k, "-")) for k in ("act_to_first_delivery_us",
                       "act_to_last_held_us", "act_to_source_stop_us", "act_to_first_announce_us"))
        run = f"{r['run']}{'r' if 'retry' in r else ''}"
        print(f"{r['mode']:18} {run:>3} {cells}  {mod}")
    print(f"results: {results}; dom0 status: {status or 'none (dom0 did not finish)'}")
    sys.exit(0 if status == "0" else 1)


if __name__ == "__main__":
    main()
