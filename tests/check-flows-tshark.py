#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Per conversation, packets and bytes each way in portdemuxd's flow events
equal tshark's count of the same capture (issue 3: flows agree with tshark's
conversation table). tshark is asked per packet (frame length, addresses,
ports) so bytes are exact, not the rounded "kB" of -z conv.

Usage: check-flows-tshark.py PORTDEMUXD CAPTURE...   (exit 77 without tshark)
"""
import collections
import json
import shutil
import subprocess
import sys


def tshark_convs(path):
    fields = ["frame.len", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
              "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport"]
    cmd = ["tshark", "-n", "-r", path, "-Y", "(tcp or udp) and not icmp and not icmpv6",
           "-T", "fields", "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    convs = collections.defaultdict(lambda: [0, 0, 0, 0])  # pkts a->b, bytes, pkts b->a, bytes
    for line in out.splitlines():
        ln, s4, d4, s6, d6, ts, td, us, ud = (line.split("\t") + [""] * 9)[:9]
        src, dst = (s4, d4) if s4 else (s6, d6)
        proto, sp, dp = ("TCP", ts, td) if ts else ("UDP", us, ud)
        if not src or not sp:
            continue
        a, b = (src, int(sp)), (dst, int(dp))
        key = (proto,) + tuple(sorted([a, b]))
        c = convs[key]
        i = 0 if a == key[1] else 2
        c[i] += 1
        c[i + 1] += int(ln)
    return convs


def our_convs(daemon, path):
    out = subprocess.run([daemon, "-q", "-r", path], capture_output=True, text=True).stdout
    convs = collections.defaultdict(lambda: [0, 0, 0, 0])
    for line in out.splitlines():
        ev = json.loads(line)
        if ev.get("event_type") != "flow":
            continue
        f = ev["flow"]
        cli, srv = (ev["src_ip"], ev["src_port"]), (ev["dest_ip"], ev["dest_port"])
        key = (ev["proto"],) + tuple(sorted([cli, srv]))
        c = convs[key]
        if cli == key[1]:
            c[0] += f["pkts_toserver"]; c[1] += f["bytes_toserver"]
            c[2] += f["pkts_toclient"]; c[3] += f["bytes_toclient"]
        else:
            c[2] += f["pkts_toserver"]; c[3] += f["bytes_toserver"]
            c[0] += f["pkts_toclient"]; c[1] += f["bytes_toclient"]
    return convs


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 64
    if not shutil.which("tshark"):
        print("SKIP: tshark not installed")
        return 77
    daemon, failures = sys.argv[1], 0
    for path in sys.argv[2:]:
        want, got = tshark_convs(path), our_convs(daemon, path)
        bad = []
        for key in sorted(set(want) | set(got), key=str):
            if want.get(key) != got.get(key):
                bad.append(f"  {key}: tshark {want.get(key)} portdemuxd {got.get(key)}")
        name = path.rsplit("/", 1)[-1]
        if bad:
            failures += 1
            print(f"FAIL {name}: [pkts a->b, bytes a->b, pkts b->a, bytes b->a]")
            print("\n".join(bad))
        else:
            print(f"ok   {name}: {len(want)} conversations")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
