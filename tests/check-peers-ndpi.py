#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""check-peers-ndpi.py — portdemuxd's app_proto per flow against nDPI's label for the same
flow, on nDPI's own test captures ($PD_SHARED_PCAPS/peers/ndpi/pcap/NAME and the expected
output nDPI keeps for it, result/NAME.out).

The .out format (nDPI's ndpiReader -v): after the summary, one line per flow,
    <tab>IDX<tab>L4 A:PORT <-> B:PORT [VLAN: N][proto: MASTER.APP/LABEL][IP: ...]...
                                               [Confidence: HOW]...
with IPv6 addresses in brackets, "->" for a one-way flow, LABEL "Master.App" (numbers
MASTER.APP) or one name, and "proto: TUNNEL:..." (GTP, VXLAN, GRE, CAPWAP) when nDPI
took the flow out of a tunnel (the addresses are then the inner ones). Only the protocol
of the flow matters here: its first component (the master protocol: "TLS" of
"TLS.Google") is mapped to one of our classes by NDPI_CLASS, our app_proto by OUR_CLASS. A flow takes part when either side names one of the classes;
flows that nDPI and we both leave outside them are not compared.

Selected captures: those whose .out holds at least one flow of a mapped class. Flows are
matched by transport and the unordered pair of endpoints (nDPI's A side is not always the
client); several flows on one 5-tuple (port reuse) are matched in time order of nDPI's
index and ours. A disagreement fails the test unless KNOWN lists it, with who is right and
why (each was read in the packets with tshark). Fewer than FLOOR compared flows also
fails: the test must not pass on an empty corpus.

Environment: PD_SHARED_PCAPS (absent: exit 77), top_builddir. Exit 0 / 1 / 77 / 99.
Option -v: every compared flow.
"""
import collections
import ipaddress
import json
import os
import re
import subprocess
import sys

SKIP = 77
HARD = 99
FLOOR = 2000

# nDPI master protocol (first component of the label) -> our class.
NDPI_CLASS = {
    "HTTP": "http",
    "HTTP_Proxy": "http",     # HTTP/1.x to a proxy port (3128, 8080): still HTTP/1.x
    "HTTP_Connect": "http",   # an HTTP CONNECT request, then the tunnel
    "TLS": "tls",
    "IMAPS": "tls",           # TLS on 993: we label the transport, not what it carries
    "POP3S": "tls",           # TLS on 995
    "DoH_DoT": "tls",         # DNS over TLS/HTTPS: TLS on the wire
    "SSH": "ssh",
    "SMTP": "smtp",
    "SMTPS": "smtps",         # SMTP over implicit TLS (465) or after STARTTLS
    "DNS": "dns",
}

# Our app_proto -> class.
OUR_CLASS = {
    "http": "http",
    "tls": "tls",
    "ssh": "ssh",
    "dns": "dns",
    "smtp": "smtp",
    "submission": "smtp",     # SMTP on 587 (RFC 6409)
    "submissions": "smtps",   # SMTP on 465, implicit TLS (RFC 8314)
}

# Pairs (nDPI class, our class) that name the same thing seen from two angles.
EQUIVALENT = {
    # nDPI says SMTPS for SMTP that went to TLS with STARTTLS; we keep the flow's
    # label "smtp" (the STARTTLS outcome is a field of the smtp event).
    ("smtps", "smtp"),
}

# Known differences. Each entry matches disagreements by capture (regex on the file
# name), nDPI label (regex), nDPI confidence (regex), our app_proto ("(no flow)" when we
# have no flow on that 5-tuple) and optionally nDPI's flow indexes and the tunnel nDPI
# took the flow out of; it says who is right and why, from reading the packets with
# tshark. An entry that matches nothing fails
# the test too, so the list cannot go stale. The first entry that matches counts.
KNOWN = [
    {"id": "fuzzed", "file": r"^fuzz-", "ndpi": r".", "conf": r".",
     "ours": {"unknown", "failed", "dns", "(no flow)"},
     "who": "neither: the bytes are corrupted on purpose",
     "why": "nDPI's fuzzed captures: ports, sequence numbers and payload bytes are damaged "
            "(\"HTTP/d.1\", NUL bytes in request lines, DNS queries with impossible counts "
            "or labels, DNS messages moved to random ports, checksums and lengths that "
            "make flows split). nDPI matches a few header bytes; our probes check the whole "
            "first line or message and reject the damaged ones, and claim undamaged DNS "
            "wherever it travels."},
    {"id": "port-guess-empty", "file": r".", "ndpi": r".", "conf": r"^Match by port$",
     "ours": {"unknown"},
     "who": "we are (nobody can tell from the packets)",
     "why": "nDPI's own confidence says it guessed from the port. These flows carry no "
            "payload within our probe budget (SYN scans in synscan, connections that "
            "only shake hands in tumblr, weibo, pinterest, wechat, ...), or only the start "
            "of a record longer than the budget. We label only what a probe confirmed."},
    {"id": "port-guess-other", "conf": r"^Match by port$", "ours": {"failed"}, "ndpi": r".",
     "file": r"^(1kxun|443-chrome|KakaoTalk_chat|KakaoTalk_talk|Oscar|alexa-app|"
             r"anyconnect-vpn|instagram|mongo_false_positive|openvpn_obfuscated|"
             r"portable_executable|starcraft_battle|tls_invalid_reads|tls_unidirectional|"
             r"wechat|zoom)\.pcap(ng)?$",
     "who": "we are",
     "why": "nDPI guessed from the port; the payload is another protocol: OpenVPN on 443 "
            "and 465 (openvpn_obfuscated), MongoDB on 443, AIM/OSCAR FLAP (0x2a) on 443, "
            "KakaoTalk's and Instagram's and Zoom's binary framing on 80, 443 and 8080, "
            "single zero bytes, a lone CRLF (tls_unidirectional), 0x43b00200 on 53 "
            "(portable_executable), invalid record headers (tls_invalid_reads, "
            "alexa-app's 0x15 0x00 0x00), the middle of a record (443-chrome). The port's "
            "probe rejected the bytes: failed, with an app_proto_mismatch anomaly."},
    {"id": "custom-rule", "file": r"^custom_rules_", "ndpi": r"^TLS\.CustomProtocolA$",
     "conf": r"^Match by custom rule$", "ours": {"unknown"},
     "who": "both, by their own rules",
     "why": "an nDPI user rule names 3.3.3.3:443; the flow is a SYN sent three times, "
            "never answered: no payload to confirm anything."},
    {"id": "dns-format", "file": r".", "ndpi": r"^(LLMNR|MDNS|NetBIOS)$", "conf": r".",
     "ours": {"dns"},
     "who": "both: a naming difference",
     "why": "LLMNR (RFC 4795, 5355/udp), mDNS (RFC 6762, 5353/udp) and NetBIOS name "
            "service (RFC 1002 4.2, 137/udp) all use the DNS message format; our dns "
            "probe claims them by content and the dns events decode them correctly. nDPI "
            "names the protocol after the port."},
    {"id": "tls-app-name", "file": r".", "ndpi": r"^(ApplePush|UltraSurf)$", "conf": r"^DPI$",
     "ours": {"tls"},
     "who": "both: a naming difference",
     "why": "Apple Push (5223) and UltraSurf run over TLS: the packets are TLS records "
            "(midstream application data in wa_voice and whatsapp_login_call, a full "
            "handshake in ultrasurf); nDPI names the application, we the protocol."},
    {"id": "soap", "file": r"^soap\.pcap$", "ndpi": r"^SOAP$", "conf": r"^DPI$",
     "ours": {"http"},
     "who": "both: a naming difference",
     "why": "the flow is HTTP/1.1 (a POST and its 302 reply) carrying a SOAP body; nDPI "
            "names the payload, we the protocol."},
    {"id": "ack-payload", "file": r"^heuristic_tcp_ack_payload\.pcap$", "ndpi": r"^(TLS|HTTP)",
     "conf": r"^DPI$", "ours": {"failed"},
     "who": "nDPI, thanks to a heuristic",
     "why": "bare ACKs carry 2-6 zero bytes at the same sequence numbers as the ClientHello "
            "or request that follows; TCP reassembly (flows/) keeps the first copy of "
            "overlapping bytes, so the stream starts with zeros and the probe rejects it. "
            "nDPI ignores payload on ACK-only packets (the capture exists to test that)."},
    {"id": "dns-iquery", "file": r"^dns_invert_query\.pcapng$", "ndpi": r"^DNS$",
     "conf": r"^DPI$", "ours": {"failed"},
     "who": "nDPI is right that it is DNS; we are deliberate",
     "why": "the query uses opcode 1 (IQUERY, obsoleted by RFC 3425) with no question and "
            "the answer is NOTIMP; our dns probe accepts only QUERY/NOTIFY/UPDATE-style "
            "messages with a question, so the flow is failed with an app_proto_mismatch "
            "anomaly, which is what an operator should see for this."},
    {"id": "ip-in-ip", "file": r"^(4in6|6in4)tunnel\.pcap$", "ndpi": r".", "conf": r"^DPI$",
     "ours": {"(no flow)"},
     "who": "nDPI",
     "why": "the flows travel in IP-in-IP (IPv4 in IPv6, IPv6 in IPv4: protocols 4 and "
            "41), which our decoder (parsers/) counts as 'other' instead of "
            "decapsulating; nothing reaches the flow table."},
    {"id": "tunnel", "file": r".", "ndpi": r".", "conf": r".", "ours": {"(no flow)"},
     "encap": r"^(GTP|CAPWAP|VXLAN|GRE)$",
     "who": "nDPI",
     "why": "the flow travels in a tunnel (GTP-U on 2152/udp, CAPWAP data, VXLAN on "
            "4789/udp, GRE) that nDPI opens; our decoder (parsers/, not this module) "
            "does not decapsulate them yet, so only the outer UDP/GRE flow exists "
            "(unclaimed)."},
    {"id": "pppoe", "file": r"^dns\.pcap$", "ndpi": r"^DNS", "conf": r"^DPI$",
     "ours": {"(no flow)"},
     "who": "nDPI",
     "why": "the flow is inside 802.1Q + 802.1Q + PPPoE session frames; PPPoE is not a "
            "link layer our decoder supports (ethertype_unsupported)."},
    {"id": "ndpi-ipv6-text", "file": r"^pinterest\.pcap$", "ndpi": r"^TLS$", "conf": r".",
     "ours": {"(no flow)"}, "idx": {11, 29},
     "who": "we are (the flow exists with app_proto tls / unknown)",
     "why": "nDPI prints 2600:1901:0:7a0b:: as '2600:1901::7a0b::' (two '::', not an "
            "address), so the flow cannot be matched; tshark and we show the same "
            "address, and our flow on that 5-tuple is tls."},
    {"id": "starttls-other", "file": r"^imap-starttls\.pcap$", "ndpi": r"^IMAPS$",
     "conf": r"^DPI$", "ours": {"unknown"},
     "who": "both, by their own rules",
     "why": "IMAP on 143 that goes to TLS with STARTTLS: nDPI calls it IMAPS; we have no "
            "IMAP handler, and the cleartext IMAP start is no TLS record."},
    {"id": "rdp-tls", "file": r"^rdp_over_tls\.pcap$", "ndpi": r"^TLS\.RDP$", "conf": r"^DPI$",
     "ours": {"unknown"},
     "who": "nDPI",
     "why": "RDP starts with TPKT/X.224 negotiation (0x03 0x00 ...) and only then runs "
            "TLS inside the same stream; we have no RDP handler to upgrade from, and TLS "
            "does not start the stream."},
]

LINE = re.compile(
    r"^\s+(\d+)\s+(TCP|UDP) (\S+) (<->|->) (\S+) (?:\[VLAN: (\d+)\])?"
    r"\[proto: (?:([A-Z]+):)?([\d.]+)/([^\]]+)\].*?\[Confidence: ([^\]]+)\]")


def norm_ip(text):
    """Canonical text of an address (nDPI and we compress IPv6 zeros differently); text as
    given when it does not parse."""
    try:
        return ipaddress.ip_address(text).compressed
    except ValueError:
        return text.lower()


def endpoint(text):
    """'1.2.3.4:80' or '[::1]:80' -> (address, port)."""
    if text.startswith("["):
        addr, _, port = text[1:].rpartition("]:")
    else:
        addr, _, port = text.rpartition(":")
    return norm_ip(addr), int(port)


def ndpi_flows(path):
    """Flows of one .out file, in nDPI's order."""
    flows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            idx, l4, a, _arrow, b, vlan, encap, _ids, label, conf = m.groups()
            flows.append({
                "idx": int(idx), "l4": l4, "a": endpoint(a), "b": endpoint(b),
                "vlan": int(vlan) if vlan else None, "label": label, "encap": encap,
                "class": NDPI_CLASS.get(label.split(".")[0]), "confidence": conf,
            })
    return flows


def our_flows(daemon, pcap):
    """flow events of portdemuxd on pcap (stderr ignored: bad input is reported there)."""
    r = subprocess.run([daemon, "-q", "-r", pcap], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=False)
    err = r.stderr.decode(errors="replace")
    # 1 is a damaged input (reported, events so far kept); a sanitizer build also
    # exits 1 on a finding, so its report is looked for too.
    if r.returncode not in (0, 1) or "Sanitizer" in err or "runtime error:" in err:
        raise RuntimeError("%s: portdemuxd exit %d: %s" % (pcap, r.returncode, err))
    flows = []
    for line in r.stdout.decode("utf-8").splitlines():
        ev = json.loads(line)
        if ev.get("event_type") != "flow":
            continue
        flows.append({
            "l4": ev["proto"], "a": (norm_ip(ev["src_ip"]), ev["src_port"]),
            "b": (norm_ip(ev["dest_ip"]), ev["dest_port"]), "app": ev.get("app_proto"),
            "class": OUR_CLASS.get(ev.get("app_proto")), "start": ev["flow"]["start"],
        })
    return flows


def known_rule(name, nf, ours):
    """The KNOWN entry covering a disagreement, or None."""
    for rule in KNOWN:
        if (re.search(rule["file"], name) and re.search(rule["ndpi"], nf["label"])
                and re.search(rule["conf"], nf["confidence"]) and ours in rule["ours"]
                and ("idx" not in rule or nf["idx"] in rule["idx"])
                and ("encap" not in rule or re.search(rule["encap"], nf["encap"] or ""))):
            return rule
    return None


def key(f):
    return (f["l4"], frozenset((f["a"], f["b"])))


def server_port(nf, of):
    return of["b"][1] if of else min(nf["a"][1], nf["b"][1])


def main():
    verbose = "-v" in sys.argv[1:]
    shared = os.environ.get("PD_SHARED_PCAPS", "")
    root = os.path.join(shared, "peers", "ndpi")
    if not shared or not os.path.isdir(os.path.join(root, "result")):
        print("SKIP: no nDPI captures under PD_SHARED_PCAPS")
        return SKIP
    daemon = os.path.join(os.environ.get("top_builddir", "."), "portdemuxd")
    if not os.access(daemon, os.X_OK):
        print("FAIL: no %s" % daemon)
        return HARD

    agree = collections.Counter()
    known_hit = collections.Counter()
    bad = []
    captures = 0
    for out in sorted(os.listdir(os.path.join(root, "result"))):
        if not out.endswith(".out"):
            continue
        name = out[:-4]
        nflows = ndpi_flows(os.path.join(root, "result", out))
        pcap = os.path.join(root, "pcap", name)
        if not any(f["class"] for f in nflows) or not os.path.exists(pcap):
            continue
        captures += 1
        ours = collections.defaultdict(list)
        for f in our_flows(daemon, pcap):
            ours[key(f)].append(f)
        for v in ours.values():
            v.sort(key=lambda f: f["start"])
        theirs = collections.defaultdict(list)
        for f in nflows:
            theirs[key(f)].append(f)
        for k, nlist in theirs.items():
            olist = ours.get(k, [])
            for i, nf in enumerate(nlist):
                of = olist[i] if i < len(olist) else None
                nc, oc = nf["class"], of["class"] if of else None
                if nc is None and oc is None:
                    continue
                ok = nc == oc or (nc, oc) in EQUIVALENT
                port = server_port(nf, of)
                ident = (name, nf["l4"], port, nf["idx"])
                what = "%s %s #%d %s:%d<->%s:%d port %d: nDPI %s (%s), ours %s" % (
                    name, nf["l4"], nf["idx"], nf["a"][0], nf["a"][1], nf["b"][0],
                    nf["b"][1], port, nf["label"], nf["confidence"],
                    of["app"] if of else "(no flow)")
                if verbose:
                    print(("ok   " if ok else "DIFF ") + what)
                if ok:
                    agree[nc] += 1
                    continue
                rule = known_rule(name, nf, of["app"] if of else "(no flow)")
                if rule is not None:
                    known_hit[rule["id"]] += 1
                    continue
                bad.append(what)

    compared = sum(agree.values()) + sum(known_hit.values()) + len(bad)
    print("captures %d, flows compared %d, agree %d (%s), known differences %d, "
          "disagreements %d" % (captures, compared, sum(agree.values()),
                                 ", ".join("%s %d" % kv for kv in sorted(agree.items())),
                                 sum(known_hit.values()), len(bad)))
    for rule in KNOWN:
        if rule["id"] in known_hit:
            print("  known %-18s %4d  (right: %s)" % (rule["id"], known_hit[rule["id"]],
                                                     rule["who"]))
        else:
            bad.append("known difference %s no longer seen" % rule["id"])
    for b in bad:
        print("FAIL " + b)
    if compared < FLOOR:
        print("FAIL: only %d flows compared, floor %d" % (compared, FLOOR))
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
