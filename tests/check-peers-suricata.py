#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""check-peers-suricata.py — portdemuxd's http, tls and ssh events against the EVE field
checks of suricata-verify ($PD_SHARED_PCAPS/peers/suricata-verify/tests/NAME/test.yaml).

A suricata-verify check `filter: {count: N, match: {KEY: VALUE, ...}}` says that exactly N
EVE events have every KEY (a dotted path, `[i]` for list items) equal to VALUE; `has-key`
and `not-has-key` name a path that must (not) be present. For each check whose match has
`event_type` http, tls or ssh we run portdemuxd on the test's capture and count our events
the same way, after translating each key with FIELDS (our names are in docs/events.md; most
are EVE's own). A check is skipped, and counted under a reason, when:
  - a key has no counterpart in our events (HTTP/2, header dumps, pcap_cnt, MAC
    addresses, ...): reason "field" (the unmapped key is named in -v output);
  - the test runs Suricata with options that change what is logged or seen (IPS
    simulation, exception policies, memcap simulation, midstream refused, conditional
    logging, ...): "config";
  - the test is about HTTP/2, which we do not decode: "http2";
  - the check (or test) only holds for an older Suricata (`requires: lt-version`):
    "version".
Checks of other event types (alert, flow, stats, fileinfo, ...) are not ours to compare.

A compared check that disagrees fails the test unless KNOWN lists it (test name and check
index) with who is right and why, read in the packets with tshark. Fewer than FLOOR
compared checks also fails, so the test cannot pass on an empty corpus.

Environment: PD_SHARED_PCAPS (absent: exit 77), top_builddir. Exit 0 / 1 / 77 / 99.
Option -v: every check with its outcome.
"""
import collections
import ipaddress
import json
import os
import re
import subprocess
import sys

try:
    import yaml
except ImportError:
    yaml = None

SKIP = 77
HARD = 99
FLOOR = 80
OUR_TYPES = ("http", "tls", "ssh")

# suricata-verify key -> (our key, conversion of the expected value). Keys not listed
# here (and not matched by FIELD_PATTERNS) have no counterpart in our events.
SAME = lambda v: v  # noqa: E731


def ip(text):
    """EVE writes IPv6 addresses in full (2607:f8b0:0800:0000:...), we compressed."""
    return ipaddress.ip_address(text).compressed


FIELDS = {
    "event_type": ("event_type", SAME),
    "src_ip": ("src_ip", ip),
    "src_port": ("src_port", SAME),
    "dest_ip": ("dest_ip", ip),
    "dest_port": ("dest_port", SAME),
    "proto": ("proto", SAME),
    "community_id": ("community_id", SAME),
    "vlan[0]": ("vlan[0]", SAME),
    "vlan[1]": ("vlan[1]", SAME),
    # EVE counts transactions from 0, we from 1 (docs/events.md http.tx_id).
    "tx_id": ("http.tx_id", lambda v: v + 1),
    "http.hostname": ("http.hostname", SAME),
    "http.url": ("http.url", SAME),
    "http.http_method": ("http.http_method", SAME),
    "http.status": ("http.status", SAME),
    "http.status_string": ("http.status_string", SAME),
    "http.http_user_agent": ("http.http_user_agent", SAME),
    "http.http_content_type": ("http.http_content_type", SAME),
    "http.http_refer": ("http.http_refer", SAME),
    "http.protocol": ("http.protocol", SAME),
    "http.length": ("http.length", SAME),
    "http.redirect": ("http.redirect", SAME),
    "tls.sni": ("tls.sni", SAME),
    "tls.version": ("tls.version", SAME),
    "tls.subject": ("tls.subject", SAME),
    "tls.issuerdn": ("tls.issuerdn", SAME),
    "tls.serial": ("tls.serial", SAME),
    "tls.fingerprint": ("tls.fingerprint", SAME),
    "tls.notbefore": ("tls.notbefore", SAME),
    "tls.notafter": ("tls.notafter", SAME),
    "tls.ja3.hash": ("tls.ja3.hash", SAME),
    "tls.ja3.string": ("tls.ja3.string", SAME),
    "tls.ja3s.hash": ("tls.ja3s.hash", SAME),
    "tls.ja3s.string": ("tls.ja3s.string", SAME),
    "tls.ja4": ("tls.ja4", SAME),
    # EVE's list of the client's ALPN names is our tls.alpn; the server's choice, one
    # name, is EVE server_alpns[0] and our tls.server.alpn.
    "tls.server_alpns[0]": ("tls.server.alpn", SAME),
    "ssh.client.proto_version": ("ssh.client.proto_version", SAME),
    "ssh.client.software_version": ("ssh.client.software_version", SAME),
    "ssh.server.proto_version": ("ssh.server.proto_version", SAME),
    "ssh.server.software_version": ("ssh.server.software_version", SAME),
    "ssh.client.hassh.hash": ("ssh.client.hassh.hash", SAME),
    "ssh.client.hassh.string": ("ssh.client.hassh.string", SAME),
    "ssh.server.hassh.hash": ("ssh.server.hassh.hash", SAME),
    "ssh.server.hassh.string": ("ssh.server.hassh.string", SAME),
}
FIELD_PATTERNS = [
    (re.compile(r"^tls\.client_alpns\[(\d+)\]$"), lambda m: "tls.alpn[%s]" % m.group(1)),
]

# Command-line options of a test that change what Suricata sees or logs in ways we do
# not model: IPS simulation and exception policies (flows dropped or bypassed), memcap
# simulation, refusing midstream flows, one-sided stream handling, app-layer error
# simulation, HTTP/2.
CONFIG_ARGS = re.compile(
    r"--simulate|policy|stream\.midstream=false|async-oneside|stream\.bypass|"
    r"error-policy|http2|encryption-handling|use-for-tracking")

# Tests whose configuration (a suricata.yaml or rules next to test.yaml upstream, not
# in the shared copy) decides what is logged: exception policies and conditional
# logging ("config"), and HTTP/2, which our http handler (HTTP/1.x) does not decode
# ("http2": the h2 streams are not http events for us).
CONFIG_TESTS = re.compile(r"^(exception-policy-|cond-log-)")
HTTP2_TESTS = re.compile(r"^(http2-|dns-over-http2)")

# Extra portdemuxd options for a test whose upstream suricata.yaml (not in the shared
# copy) changes a value we can also change. community-id-*: Suricata's expected
# community_id values are those of seed 7 (the only seed in 0-65535 that gives
# 1:IwiTNfuO7aCaamMijl+7/X9uLx0= for the IPv4 test's tuple).
TEST_OPTIONS = {
    "community-id-ipv4": ["--community-id-seed", "7"],
    "community-id-ipv6": ["--community-id-seed", "7"],
}

# Why a known difference exists: who is right, and what the packets show.
REASONS = {
    "http09": "Suricata (libhtp) is right that these are HTTP requests; we are deliberate. "
              "The request line has no version ('GET /' alone, or followed by header "
              "lines and answered by a body without status line, HTTP/0.9 style). Our "
              "http probe needs ' HTTP/1.x' to tell HTTP from other line protocols, so "
              "the flow is failed with an app_proto_mismatch anomaly on 8080/8000.",
    "link": "Suricata is right: the capture's link layer is one our decoder (parsers/, not "
            "this module) does not take apart: PPPoE sessions (bug-4810), Cisco HDLC "
            "(DLT_C_HDLC: decode-chdlc-*, refused with a clear error), GRE-encapsulated "
            "IPv4 (bug-5633-gre-02: counted as 'other'), VXLAN on 4789 (vxlan-decoder-03: "
            "the UDP datagrams stay an unknown flow).",
    "tls-version": "Both, by their definitions: the capture holds a ClientHello and no "
                   "ServerHello. Suricata's tls.version falls back to the client's offer "
                   "(TLSv1); ours is the negotiated version only (docs/events.md) and the "
                   "offer is tls.client.version, which is \"TLSv1\" here. bug-5713-02-ja4 "
                   "also checks tls.ja4, whose last 12 digits differ: we follow FoxIO's "
                   "JA4, which hashes no '_' for a hello without signature algorithms "
                   "(FoxIO-LLC/ja4 issue #146), Suricata 8 hashes one (docs/events.md).",
    "evasion-rst": "Suricata is right: RST and FIN segments injected before the SYN-ACK "
                   "(with timestamps a Linux or Windows stack refuses) are ignored by "
                   "Suricata's OS-policy stream engine; our flow table (flows/) takes the "
                   "RST, so the response that follows is not seen and our http event has "
                   "status null.",
    "syn-isn": "Suricata is right: the client sends 24 SYNs with different sequence "
               "numbers and the server acknowledges the last one; our TCP reassembly "
               "(flows/) keeps the first SYN's sequence number, so the POST that follows "
               "is outside its window and never reaches the http handler.",
    "email-attr": "A naming difference: the certificate's emailAddress attribute "
                  "(1.2.840.113549.1.9.1) is written 'Email=' by Suricata and "
                  "'emailAddress=' by us (OpenSSL's name, documented in docs/events.md); "
                  "every other attribute, the serial, fingerprint and validity agree.",
}

# Known differences: (test, check index) -> REASONS key.
KNOWN = {
    ("bug-3844", 0): "http09",
    ("bug-4702-01", 0): "http09",
    ("http-not09", 0): "http09",
    ("bug-4810", 0): "link",
    ("decode-chdlc-01", 0): "link",
    ("decode-chdlc-02", 0): "link",
    ("bug-5633-gre-02", 1): "link",
    ("vxlan-decoder-03", 3): "link",
    ("bug-5713-01", 1): "tls-version",
    ("bug-5713-02-ja4", 1): "tls-version",
    ("bug-3286-02-linux-evasion", 5): "evasion-rst",
    ("bug-3286-03-windows-evasion", 5): "evasion-rst",
    ("bug-7657-01", 0): "syn-isn",
    ("bug-7657-02-ips", 0): "syn-isn",
    ("sslv2-tls-upgrade-01", 1): "email-attr",
}


def translate(key):
    """Our key for a suricata-verify key, or None."""
    if key in FIELDS:
        return FIELDS[key]
    for rx, fn in FIELD_PATTERNS:
        m = rx.match(key)
        if m:
            return fn(m), SAME
    return None


PATH = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def lookup(ev, path):
    """(found, value) of a dotted path with [i] indexes."""
    cur = ev
    for name, idx in PATH.findall(path):
        if name:
            if not isinstance(cur, dict) or name not in cur:
                return False, None
            cur = cur[name]
        else:
            i = int(idx)
            if not isinstance(cur, list) or i >= len(cur):
                return False, None
            cur = cur[i]
    return True, cur


def matches(ev, conds):
    for kind, path, want in conds:
        found, got = lookup(ev, path)
        if kind == "has" and not found:
            return False
        if kind == "not-has" and found:
            return False
        if kind == "eq" and (not found or got != want):
            return False
    return True


def version_ok(req):
    """Whether a check's `requires` holds for the newest Suricata (the one the
    expected values were written for): lt-version checks describe older ones."""
    return not (isinstance(req, dict) and "lt-version" in req)


def plan(test_dir, t):
    """(pcap, [(index, check, conds or None, skip reason, detail)]) for one test."""
    pcap = t.get("pcap")
    if pcap is False:
        return None, []
    if pcap is None:
        pcaps = sorted(f for f in os.listdir(test_dir) if f.endswith((".pcap", ".pcapng")))
        pcap = pcaps[0] if len(pcaps) == 1 else None
    if pcap is None:
        return None, []
    pcap = os.path.normpath(os.path.join(test_dir, pcap))
    args = " ".join(str(a) for a in (t.get("args") or []))
    name = os.path.basename(test_dir)
    test_skip = None
    if CONFIG_TESTS.match(name) or CONFIG_ARGS.search(args):
        test_skip = ("config", args or "configuration of the test")
    elif HTTP2_TESTS.match(name):
        test_skip = ("http2", "HTTP/2")
    elif not version_ok(t.get("requires")):
        test_skip = ("version", str(t.get("requires")))
    out = []
    for i, c in enumerate(t.get("checks") or []):
        f = c.get("filter") if isinstance(c, dict) else None
        if not f or not isinstance(f.get("match"), dict):
            continue
        m = f["match"]
        if str(m.get("event_type")) not in OUR_TYPES:
            continue
        if test_skip:
            out.append((i, f, None) + test_skip)
            continue
        if "requires" in f and not version_ok(f["requires"]):
            out.append((i, f, None, "version", str(f["requires"])))
            continue
        conds, missing = [], []
        for k, v in m.items():
            if k in ("has-key", "not-has-key"):
                tr = translate(v)
                if tr is None:
                    missing.append("%s %s" % (k, v))
                else:
                    conds.append(("has" if k == "has-key" else "not-has", tr[0], None))
                continue
            tr = translate(k)
            if tr is None:
                missing.append(k)
            else:
                conds.append(("eq", tr[0], tr[1](v)))
        if missing:
            out.append((i, f, None, "field", ", ".join(missing)))
        else:
            out.append((i, f, conds, None, ""))
    return pcap, out


def events(daemon, pcap, options, cache):
    key = (pcap, tuple(options))
    if key not in cache:
        r = subprocess.run([daemon, "-q"] + options + ["-r", pcap], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, check=False)
        err = r.stderr.decode(errors="replace")
        # 1 is a damaged input (reported, events so far kept); a sanitizer build
        # also exits 1 on a finding, so its report is looked for too.
        if r.returncode not in (0, 1) or "Sanitizer" in err or "runtime error:" in err:
            raise RuntimeError("%s: portdemuxd exit %d: %s" % (pcap, r.returncode, err))
        cache[key] = [json.loads(line) for line in r.stdout.decode("utf-8").splitlines()]
    return cache[key]


def main():
    verbose = "-v" in sys.argv[1:]
    shared = os.environ.get("PD_SHARED_PCAPS", "")
    root = os.path.join(shared, "peers", "suricata-verify", "tests")
    if not shared or not os.path.isdir(root):
        print("SKIP: no suricata-verify tests under PD_SHARED_PCAPS")
        return SKIP
    if yaml is None:
        print("SKIP: python3 yaml module missing")
        return SKIP
    daemon = os.path.join(os.environ.get("top_builddir", "."), "portdemuxd")
    if not os.access(daemon, os.X_OK):
        print("FAIL: no %s" % daemon)
        return HARD

    cache = {}
    tests = agree = known = 0
    skipped = collections.Counter()
    per_type = collections.Counter()
    bad, seen_known = [], set()
    for name in sorted(os.listdir(root)):
        yml = os.path.join(root, name, "test.yaml")
        if not os.path.isfile(yml):
            continue
        with open(yml, encoding="utf-8") as f:
            t = yaml.safe_load(f) or {}
        pcap, checks = plan(os.path.join(root, name), t)
        if not checks:
            continue
        if pcap is None or not os.path.exists(pcap):
            skipped["no capture"] += len(checks)
            continue
        tests += 1
        evs = None
        for i, f, conds, why, detail in checks:
            label = "%s check %d (%s)" % (name, i, f["match"].get("event_type"))
            if conds is None:
                skipped[why] += 1
                if verbose:
                    print("skip %-6s %s: %s" % (why, label, detail))
                continue
            if evs is None:
                evs = events(daemon, pcap, TEST_OPTIONS.get(name, []), cache)
            want = f.get("count", 1)
            got = sum(1 for ev in evs if matches(ev, conds))
            per_type[f["match"]["event_type"]] += 1
            ok = got == want
            if verbose:
                print("%s %s: want %d, got %d  %s" % ("ok  " if ok else "DIFF", label, want,
                                                      got, json.dumps(f["match"])))
            if ok:
                agree += 1
            elif (name, i) in KNOWN:
                known += 1
                seen_known.add((name, i))
            else:
                bad.append("%s: %d events match %s, suricata-verify expects %d"
                           % (label, got, json.dumps(f["match"]), want))
    compared = agree + known + len(bad)
    print("tests %d, checks compared %d (%s): agree %d, known differences %d, "
          "disagreements %d; skipped %d (%s)"
          % (tests, compared, ", ".join("%s %d" % kv for kv in sorted(per_type.items())),
             agree, known, len(bad), sum(skipped.values()),
             ", ".join("%s %d" % kv for kv in sorted(skipped.items()))))
    for k in sorted(set(KNOWN) - seen_known):
        bad.append("known difference %s check %d no longer seen" % k)
    for r in sorted(set(KNOWN[k] for k in seen_known)):
        print("  known %-13s %2d" % (r, sum(1 for k in seen_known if KNOWN[k] == r)))
    for b in bad:
        print("FAIL " + b)
    if compared < FLOOR:
        print("FAIL: only %d checks compared, floor %d" % (compared, FLOOR))
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
