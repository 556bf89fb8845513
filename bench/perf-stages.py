#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# perf-stages.py — where portdemuxd's time goes, per pipeline stage, from a perf profile with
# call chains (perf record --call-graph dwarf -e cpu-clock). Unlike cg-stages.py (callgrind:
# instructions) this counts time, so cache and TLB misses, page faults and the kernel's
# copies are in it. See bench/README.md.
#
# Usage: bench/perf-stages.py PERF.DATA PACKETS CPU_SECONDS
#
# Each sample goes to the stage of the innermost portdemuxd function on its stack (so
# memcpy called by the JSON writer is output, the kernel's pread copy called by the pcap
# reader is read, a page fault taken in the flow table is flow lookup), by function name.
# CPU_SECONDS (user + system of the profiled run) turns the shares into ns/packet.
import collections
import re
import subprocess
import sys

STAGES = [
    # (stage, function name regex); first match wins
    ("read", r"^(savefile_|capture_|read_one|run_offline|pcap_|progress_)"),
    ("decode", r"^(pd_decode|eth_|ip4_|ip6_|tcp_decode|udp_|sll_|vlan_|pcur_|decode_)"),
    ("flow lookup", r"^(flow_|make_key|end_flow|create|cls_|bucket_|add_chunk|rec_take|"
                    r"grow_buckets|huge_map|defrag|lru_)"),
    ("reassembly", r"^(reasm_|deliver_merge|data_seg|seg_)"),
    ("handlers", r"^(hd_|smtp_|http_|dns_|tls_|ssh_|ls_|pd_session_|state_|call_|feed|"
                 r"keep_tail|upgrade|deliver|hold_stream)"),
    ("output", r"^(out_|member_|begin_fast|u64_digits|sha1_|relay|put_|engine_flow_event|"
               r"json_|pd_event_|engine_stream_anomaly|engine_decode_anomaly)"),
    ("engine glue", r"^(engine_|on_flow_end|on_deliver|on_gap|start_session|defragment|"
                    r"workers_|worker_main|periodic_stats|main$|run_all)"),
]
ORDER = [s for s, _ in STAGES] + ["other"]


def stage_of(sym):
    for name, rx in STAGES:
        if re.search(rx, sym):
            return name
    return None


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: perf-stages.py PERF.DATA PACKETS CPU_SECONDS")
    data, packets, cpu = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    out = subprocess.run(["perf", "script", "-i", data, "-F", "ip,sym,dso"],
                         capture_output=True, text=True, check=True).stdout
    counts = collections.Counter()
    frames = []

    def flush():
        if not frames:
            return
        # An inlined function shares the address of the frame that holds it.
        for i in range(len(frames) - 2, -1, -1):
            if frames[i][2] == "inlined" and frames[i][0] == frames[i + 1][0]:
                frames[i] = (frames[i][0], frames[i][1], frames[i + 1][2])
        st = None
        for _, sym, dso in frames:  # innermost first
            if "portdemuxd" in dso:
                st = stage_of(sym)
                if st:
                    break
        counts[st or "other"] += 1
        frames.clear()

    for line in out.splitlines():
        if not line.strip():
            flush()
            continue
        parts = line.split(None, 1)
        if len(parts) < 2:
            continue
        m = re.match(r"(\S+?)(?:\+0x[0-9a-f]+)? \((.*)\)$", parts[1])
        if m:
            frames.append((parts[0], m.group(1), m.group(2)))
    flush()
    total = sum(counts.values()) or 1
    print("%-14s %8s %7s %10s" % ("stage", "samples", "share", "ns/packet"))
    for st in ORDER:
        n = counts.get(st, 0)
        print("%-14s %8d %6.1f%% %10.0f" % (st, n, 100.0 * n / total,
                                            cpu * 1e9 * n / total / packets))
    print("%-14s %8d %6.1f%% %10.0f" % ("total", total, 100.0, cpu * 1e9 / packets))


if __name__ == "__main__":
    main()
