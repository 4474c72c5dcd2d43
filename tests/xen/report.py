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
              "request": "handoff-request", "suspended": "handoff-suspended",
              "divert": "handoff-divert"}


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


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).isoformat()


def shift(text, offset, kind):
    """Another host's lines (kind "link": [stamp] rest; "journal": stamp rest)
    on this host's clock: offset = its clock minus ours."""
    out = []
    for line in text.splitlines():
        try:
            if kind == "link":
                m = re.match(r"\[(\S+)\](.*)", line)
                out.append(f"[{iso(epoch(m.group(1)) - offset)}]{m.group(2)}")
            else:
                stamp, rest = line.split(None, 1)
                out.append(f"{iso(epoch(stamp) - offset)} {rest}")
        except (AttributeError, ValueError):
            continue
    return "\n".join(out)


def link_time(line):
    m = re.match(r"\[(\S+)\]", line)
    return epoch(m.group(1)) if m else None


def journal_time(line):
    return epoch(line.split(None, 1)[0]) if line.strip() else None


def links_timeline(src_text, srcvif, dst_text, t0, same_host=True):
    """Events of ip -tshort -o monitor link, ms from t0: the source vif's in
    src_text, any other vif's in dst_text (the destination host's; on another
    host its vif may have the source vif's name)."""
    out = {}
    def first(key, t):
        out.setdefault(key, round((t - t0) * 1000))
    links_events(src_text, srcvif, True, first)
    links_events(dst_text, srcvif if same_host else None, False, first)
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
        elif re.search(r": domain \d+ suspended$", msg):
            out.setdefault("agent_suspended_ms", ms)
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


# The suspend boundary (DESIGN.md §2): what was sent around the moment the
# agent armed and the source domain suspended may be duplicated (arm point
# request: what the guest consumed between the two) or lost (arm point
# suspended: what netback queued that the guest never read, and what reached
# the vif before the agent saw the suspend). Mode divert arms at the request
# with source sessions that divert (kmod/divert.c): the frames of that window
# wait at the destination instead, so its boundary should be empty. The agent
# sees the suspend by polling (100 ms) and the path from the client to the vif
# takes tens of ms under nested TCG: the window is widened by this much on
# either side.
BOUNDARY_SLACK_MS = 250


def in_window(rng, lo, hi):
    """How many seqs of one range [first, last, t_first_ms, t_last_ms, ...]
    were sent in [lo, hi] (ms on the run's clock), the send times of the
    seqs between first and last interpolated (the probe paces its sends)."""
    first, last, ta, tb = rng[:4]
    if ta is None or tb is None:
        return 0
    # udp_rev's lost replies carry a window (the requests answered by the
    # replies around them), not each one's time: either end may be first.
    ta, tb = min(ta, tb), max(ta, tb)
    n = last - first + 1
    if n == 1 or tb == ta:
        return n if lo <= ta <= hi else 0
    step = (tb - ta) / (n - 1)
    k0 = max(0, -(-(lo - ta) // step))
    k1 = min(n - 1, (hi - ta) // step)
    return int(max(0, k1 - k0 + 1))


def split_boundary(flow, base_ms, lo, hi):
    """(in the boundary window, outside it) for lost, dup and reordered of one
    probe flow; base_ms = the probe's send origin on the run's clock. None
    when the probe gave no ranges (or too many to list)."""
    if flow.get("ranges_truncated", True) or "lost_ranges" not in flow:
        return None
    out = {}
    for key, ranges in (("lost", flow["lost_ranges"]), ("dup", flow["dup_ranges"]),
                        ("reordered", flow["reordered_ranges"])):
        inside = total = 0
        for rng in ranges:
            rng = list(rng)
            if rng[2] is not None:
                rng[2] += base_ms
                rng[3] += base_ms
            n = rng[1] - rng[0] + 1
            weight = rng[4] / n if key == "dup" else 1
            inside += in_window(rng, lo, hi) * weight
            total += n * weight
        out[key] = (round(inside), round(total - inside))
    return out


def clock_offset(path):
    """Another machine's clock minus this dom0's, s (dom0.sh's peer_offset:
    "offset uncertainty"), 0 if not measured."""
    return float((read(path).split() or ["0"])[0])


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
        # Its clock against ours, measured before the run (dom0.sh).
        offset = clock_offset(base + ".peer-offset")
        extra["peer_clock_offset_ms"] = round(offset * 1000, 1)
        t_end = float(read(base + ".t1", "0") or t0) + 15
        peer_links = window(shift(read(os.path.join(peer, "links.all")), offset, "link"),
                            t0 - 5, t_end, link_time)
        journal += "\n" + window(shift(read(os.path.join(peer, "handoffd.journal")), offset,
                                       "journal"), t0 - 5, t_end, journal_time)
        if read(base + ".from").strip() == "b":
            src_links, dst_links = peer_links, here_links
        else:
            dst_links = peer_links
        extra["from"] = read(base + ".from").strip()
    extra.update(links_timeline(src_links, read(base + ".srcvif").strip(), dst_links, t0,
                                same_host=not peer))
    extra.update(journal_timeline("\n".join(sorted(journal.splitlines())), t0))
    # The boundary window, ms from the start of xl migrate.
    marks = [extra[k] for k in ("agent_armed_ms", "agent_suspended_ms") if k in extra]
    window_ms = ((min(marks) - BOUNDARY_SLACK_MS, max(marks) + BOUNDARY_SLACK_MS)
                 if marks and mode in ("request", "suspended", "divert") else None)
    # The probe's clock: this dom0's, or on two hosts the outer machine's
    # (its offset to ours measured before the run by dom0.sh).
    client_offset = clock_offset(base + ".client-offset")
    if os.path.exists(base + ".client-offset"):
        extra["client_clock_offset_ms"] = round(client_offset * 1000, 1)
    base_ms = ((r["start_realtime_ns"] / 1e9 - client_offset - t0) * 1000
               if "start_realtime_ns" in r else None)
    rows = []
    for probe in ("udp_fwd", "udp_rev", "icmp"):
        f = r[probe]
        row = {"scenario": ("xl-" + topo) if mode != "control" else "no-migration",
               "mode": MODE_NAMES.get(mode, mode), "probe": probe,
               "sent": f["sent"], "lost": f["lost"], "dup": f["dup"],
               "reordered": f["reordered"], "max_gap_ms": round(f["max_gap_ms"], 1)}
        row.update(extra)
        if window_ms and base_ms is not None:
            split = split_boundary(f, base_ms, *window_ms)
            if split:
                row["boundary_window_ms"] = [round(x) for x in window_ms]
                for key, (inside, outside) in split.items():
                    # udp_fwd's lost ranges are an upper bound when some
                    # replies were lost (probe.md): never more than lost.
                    row[f"boundary_{key}"] = min(inside, row[key])
                    row[f"after_arm_{key}"] = min(outside, row[key])
                row["lost_ranges_exact"] = f.get("lost_ranges_exact", True)
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
           f"{'dup':>5} {'reord':>5} {'max gap ms':>10} {'echo drops':>10} {'net lost':>8} "
           f"{'boundary l/d':>12} {'after arm l/d/r':>15}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        note = f"  (guest crashed: retry {r['retry']})" if "retry" in r else ""
        bnd = after = ""
        if "after_arm_lost" in r:
            bnd = f"{r['boundary_lost']}/{r['boundary_dup']}"
            after = f"{r['after_arm_lost']}/{r['after_arm_dup']}/{r['after_arm_reordered']}"
        print(f"{r['scenario']:14} {r['mode']:18} {r['run']:3} {r['probe']:7} {r['sent']:6} "
              f"{r['lost']:6} {r['dup']:5} {r['reordered']:5} {r['max_gap_ms']:10.1f} "
              f"{str(r.get('echo_sock_drops_run', '')):>10} {str(r.get('net_lost', '')):>8} "
              f"{bnd:>12} {after:>15}{note}")
    print(f"boundary: frames sent within {BOUNDARY_SLACK_MS} ms of the agent's arming and the "
          "source's suspend (DESIGN.md §2); after arm: all other frames of the run")
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
    passed, failed = verdict(rows, status)
    print(f"xen: {passed} passed, {failed} failed")
    sys.exit(0 if not failed else 1)


def verdict(rows, status):
    """The tests: dom0 ran the whole experiment; and with handoff, every run
    (retries aside): nothing lost, duplicated or reordered outside the
    suspend boundary, on every probe flow; diverting, not inside it either.
    Returns (passed, failed)."""
    results = [("dom0 finished the experiment", status == "0",
                f"status {status or 'none'}")]
    runs = {}
    for r in rows:
        if r["mode"].startswith("handoff") and "retry" not in r:
            runs.setdefault((r["mode"], r["run"]), []).append(r)
    if not runs:
        results.append(("a handoff run", False, "none ran"))
    for (mode, run), flows in sorted(runs.items()):
        why = []
        for r in flows:
            if "after_arm_lost" not in r:
                why.append(f"{r['probe']}: no boundary split (no arming in the journal, "
                           "or the probe listed too many ranges)")
            elif r["after_arm_lost"] or r["after_arm_dup"] or r["after_arm_reordered"]:
                why.append(f"{r['probe']} lost {r['after_arm_lost']}, dup {r['after_arm_dup']}, "
                           f"reordered {r['after_arm_reordered']}")
        results.append((f"{mode} {run}: nothing lost, duplicated or reordered after the arm point",
                        not why, "; ".join(why)))
        if mode == "handoff-divert":
            # Diverting from the request empties the suspend boundary too.
            why = [f"{r['probe']} lost {r['lost']}, dup {r['dup']}, reordered {r['reordered']}"
                   for r in flows if r["lost"] or r["dup"] or r["reordered"]]
            results.append((f"{mode} {run}: nothing lost, duplicated or reordered at all "
                            "(the boundary included)", not why, "; ".join(why)))
    for name, ok, why in results:
        print(f"{'PASS' if ok else 'FAIL'} {name}" + ("" if ok else f" ({why})"))
    passed = sum(1 for _, ok, _ in results if ok)
    return passed, len(results) - passed


if __name__ == "__main__":
    main()
