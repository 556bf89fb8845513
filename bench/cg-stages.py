#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# cg-stages.py — where portdemuxd's instructions go, per pipeline stage, from a callgrind
# profile (valgrind --tool=callgrind; instruction counts are stable on a loaded machine where
# wall times are not). See bench/README.md.
#
# Usage: bench/cg-stages.py CALLGRIND.OUT PACKETS [USER_NS_PER_PACKET]
#
# Each function of portdemuxd belongs to the stage of its source file (table below). Library
# code (libc, libpcap, libmd) is charged to the portdemuxd function that called it, with
# everything that call cost (callgrind's inclusive cost of the call edge): memcpy called by
# the JSON writer is output, pcap_next_ex called by capture.c is read. Given the measured
# user-time ns/packet of a normal run, each stage's share of the instructions is turned into
# ns/packet (an estimate: instructions are not all equally fast).
import re
import sys

STAGES = [
    # (stage, path regex); first match wins
    ("read", r"daemon/(capture|run|progress)\.c$"),
    ("decode", r"parsers/|portdemux/cursor\.h$"),
    ("flow lookup", r"flows/(flowtable|defrag)\.c$|flows/hash\.h$"),
    ("reassembly", r"flows/reasm\.c$"),
    ("handlers", r"handlers/"),
    ("output", r"output/|daemon/engine_events\.c$"),
    ("engine glue", r"daemon/engine\.c$"),
    ("start-up, stats, summary", r"."),
]
ORDER = [s for s, _ in STAGES]


def parse(path):
    names = {"ob": {}, "fl": {}, "fn": {}}
    kinds = {"ob": "ob", "cob": "ob", "fl": "fl", "fi": "fl", "fe": "fl", "cfi": "fl",
             "cfl": "fl", "fn": "fn", "cfn": "fn"}
    selfc = {}       # (ob, fl, fn) -> self cost
    edges = {}       # (caller key, callee key) -> inclusive cost
    total = 0
    ob = fl = fn = None
    cob = cfl = cfn = None
    pending_call = False
    cur = None
    rx = re.compile(r"^\((\d+)\)(?: (.*))?$")

    def name(kind, val):
        m = rx.match(val)
        if not m:
            return val
        if m.group(2) is not None:
            names[kind][m.group(1)] = m.group(2)
            return m.group(2)
        return names[kind].get(m.group(1), "?")

    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                parts = line.split()
                if len(parts) < 2:
                    continue
                cost = int(parts[1])
                if pending_call:
                    key = (cur, (cob or ob, cfl or fl, cfn))
                    edges[key] = edges.get(key, 0) + cost
                    pending_call = False
                    cob = cfl = cfn = None
                else:
                    selfc[cur] = selfc.get(cur, 0) + cost
                    total += cost
                continue
            if "=" not in line:
                continue
            k, v = line.split("=", 1)
            if k == "calls":
                pending_call = True
                continue
            if k in kinds:
                val = name(kinds[k], v.strip())
                if k == "ob":
                    ob = val
                elif k == "fl":
                    fl = val
                elif k == "fn":
                    fn = val
                    cur = (ob, fl, fn)
                elif k == "cob":
                    cob = val
                elif k in ("cfi", "cfl"):
                    cfl = val
                elif k == "cfn":
                    cfn = val
    return selfc, edges, total


def stage_of(fl):
    for s, rx in STAGES:
        if re.search(rx, fl or ""):
            return s
    return ORDER[-1]


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: cg-stages.py CALLGRIND.OUT PACKETS [USER_NS_PER_PACKET]\n")
        return 2
    selfc, edges, total = parse(sys.argv[1])
    packets = int(sys.argv[2])
    ns = float(sys.argv[3]) if len(sys.argv) > 3 else None

    def ours(key):
        return key is not None and key[0] is not None and key[0].endswith("/portdemuxd")

    # Library functions that lead back into portdemuxd (libc's start-up calling main) are
    # not charged whole to their caller: their portdemuxd callees are counted themselves.
    callers = {}
    for (caller, callee) in edges:
        callers.setdefault(callee, set()).add(caller)
    reenter = set()
    todo = [c for (c, callee) in edges if not ours(c) and ours(callee)]
    while todo:
        k = todo.pop()
        if k in reenter:
            continue
        reenter.add(k)
        todo.extend(c for c in callers.get(k, ()) if not ours(c))

    per = {s: 0 for s in ORDER}
    for key, cost in selfc.items():
        if ours(key):
            per[stage_of(key[1])] += cost
    for (caller, callee), cost in edges.items():
        if ours(caller) and not ours(callee) and callee not in reenter:
            per[stage_of(caller[1])] += cost
    accounted = sum(per.values())
    # Library code not reached from portdemuxd (dynamic loader, libc start-up).
    per[ORDER[-1]] += max(0, total - accounted)

    print("%-26s %14s %10s %7s%s" % ("stage", "instructions", "instr/pkt", "share",
                                      "  ns/pkt (est.)" if ns else ""))
    for s in ORDER:
        share = per[s] / total if total else 0
        extra = "  %13.1f" % (share * ns) if ns else ""
        print("%-26s %14d %10.0f %6.1f%%%s" % (s, per[s], per[s] / packets, 100 * share, extra))
    print("%-26s %14d %10.0f %6.1f%%%s" % ("total", total, total / packets, 100.0,
                                           "  %13.1f" % ns if ns else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
