#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Compares portdemuxd's smtp events with the ground truth of the shared real
# captures ($PD_SHARED_PCAPS/real/d*.truth.json, schema in real/INDEX.md):
# every cleartext field (greeting, HELO/EHLO, extensions, STARTTLS, implicit
# TLS, AUTH, MAIL/RCPT with replies, DATA/BDAT sizes and final replies, how
# the session ended). Fields marked encrypted are skipped. Also checks that
# no AUTH credential (base64 blobs, decoded password) appears in the output.
# Exit 0 pass, 1 mismatch, 77 when the captures or the daemon are absent.
import base64
import glob
import ipaddress
import json
import os
import re
import struct
import subprocess
import sys


def run_daemon(daemon, pcap):
    p = subprocess.run([daemon, "-r", pcap, "-q"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    if p.returncode != 0:
        raise RuntimeError("exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace")))
    return p.stdout.decode("utf-8")


def norm_ip(s):
    return str(ipaddress.ip_address(s))


def norm_params(s):
    """'size=407 SMTPUTF8' -> {'SIZE': '407', 'SMTPUTF8': True}"""
    out = {}
    for tok in (s or "").split():
        if "=" in tok:
            k, v = tok.split("=", 1)
            out[k.upper()] = v
        else:
            out[tok.upper()] = True
    return out


def ext_strings(exts):
    if exts is None:
        return None
    return [e["name"] + (" " + e["params"] if "params" in e else "") for e in exts]


END_HOW = {"QUIT": "QUIT", "RST": "RST", "server 421": "server_421",
           "closed without QUIT (FIN)": "FIN"}


class Diff:
    def __init__(self):
        self.lines = []

    def eq(self, where, what, want, got):
        if want != got:
            self.lines.append("  %s %s: expected %r, got %r" % (where, what, want, got))

    def add(self, line):
        self.lines.append("  " + line)


def check_session(d, where, tr, sess, txns):
    sm = tr["smtp"]
    if sess is None:
        d.add("%s: no smtp session record" % where)
        return
    g = sm["greeting"]
    if g["encrypted"]:
        d.eq(where, "greeting", None, sess["greeting"])
    else:
        got = sess["greeting"] or {}
        d.eq(where, "greeting.code", g["code"], got.get("code"))
        d.eq(where, "greeting.text", g["text"], got.get("text"))
        d.eq(where, "greeting.server_name", g["text"].split(" ")[0], got.get("server_name"))
        d.eq(where, "greeting.lines", len(g["lines"]), got.get("lines"))
    want_helo = [(h["command"], h["name"], h["reply_code"]) for h in sm["helo"] if not h["encrypted"]]
    got_helo = [(h["command"], h["name"], h["reply"]) for h in sess["helo"]]
    d.eq(where, "helo", want_helo, got_helo)
    want_ext = sm["ehlo_keywords_cleartext"]
    if want_ext is not None:
        want_ext = [k for k in want_ext if k != ""]  # a bare "250 " closing line
    d.eq(where, "extensions", want_ext, ext_strings(sess["extensions"]))
    d.eq(where, "starttls.offered", sm["starttls_offered"], sess["starttls"]["offered"])
    d.eq(where, "starttls.accepted", sm["starttls_used"], sess["starttls"]["result"] == "accepted")
    if sm["starttls_used"]:
        d.eq(where, "starttls.reply", 220, sess["starttls"]["reply"])
    d.eq(where, "implicit_tls", sm["implicit_tls"], sess["implicit_tls"])
    d.eq(where, "client_spoke_first", bool(sm.get("client_sent_before_greeting")),
         sess["client_spoke_first"])

    want_auth = []
    for a in sm["auth"]:
        if a["encrypted"]:
            continue
        want_auth.append({"mechanism": a["mechanism"], "initial_response": a["initial_response"],
                          "rounds": a.get("challenges", 0), "result": a["result"],
                          "reply": a["reply_code"]})
    got_auth = [{k: a.get(k) for k in ("mechanism", "initial_response", "rounds", "result", "reply")}
                for a in sess["auth"]]
    d.eq(where, "auth", want_auth, got_auth)

    clear = [t for t in sm["transactions"] if not t["encrypted"]]
    d.eq(where, "transactions (count)", len(clear), len(txns))
    for i, (w, g) in enumerate(zip(clear, txns)):
        tw = "%s tx %d" % (where, i + 1)
        d.eq(tw, "mail_from", w["mail_from"], g.get("mail_from"))
        d.eq(tw, "mail_params", norm_params(w["mail_params"]), g.get("mail_params"))
        d.eq(tw, "mail_reply", w["mail_reply"], g.get("mail_reply"))
        d.eq(tw, "rcpt_to", [r["address"] for r in w["rcpts"]], g["rcpt_to"])
        d.eq(tw, "rcpt_replies", [r["reply"] for r in w["rcpts"]], g["rcpt_replies"])
        want_rp = [norm_params(r["params"]) for r in w["rcpts"]]
        got_rp = g.get("rcpt_params", [{} for _ in g["rcpt_to"]])
        d.eq(tw, "rcpt_params", want_rp, got_rp)
        wd, gd = w["data"], g["data"]
        if wd is None:
            d.eq(tw, "data", None, gd)
            continue
        if gd is None:
            d.add("%s data: expected %s, got null" % (tw, wd["command"]))
            continue
        d.eq(tw, "data.command", wd["command"], gd["command"])
        if wd["command"] == "DATA":
            d.eq(tw, "data.reply", wd["reply"], gd.get("reply"))
        else:
            d.eq(tw, "data.chunks", wd["chunks"], gd.get("chunks"))
            d.eq(tw, "data.chunk_replies", wd["chunk_replies"], gd.get("chunk_replies"))
        inc = bool(wd.get("incomplete"))
        d.eq(tw, "data.incomplete", inc, gd["incomplete"])
        d.eq(tw, "incomplete", inc, g["incomplete"])
        if "message_size" in wd:
            d.eq(tw, "data.message_size", wd["message_size"], gd.get("message_size"))
        if "data_bytes_on_wire" in wd:
            d.eq(tw, "data.bytes_on_wire", wd["data_bytes_on_wire"], gd.get("bytes_on_wire"))
        if "dot_stuffed_lines" in wd:
            d.eq(tw, "data.dot_stuffed_lines", wd["dot_stuffed_lines"], gd.get("dot_stuffed_lines"))
        d.eq(tw, "data.final_reply", wd.get("final_reply"), gd.get("final_reply"))
        fe = (wd.get("final_reply_text") or "").split(" ")[0]
        if re.fullmatch(r"[245]\.\d{1,3}\.\d{1,3}", fe):
            d.eq(tw, "data.final_enhanced", fe, gd.get("final_enhanced"))

    end = sm["end"]
    if sm["starttls_used"] or sm["implicit_tls"]:
        d.eq(where, "end.how", "TLS", sess["end"]["how"])
    else:
        d.eq(where, "end.how", END_HOW.get(end["how"], end["how"]), sess["end"]["how"])
        if end["how"] == "QUIT":
            d.eq(where, "end.quit_reply", end.get("quit_reply"), sess["end"]["quit_reply"])
    if sm["cleartext_visibility"] == "entire dialogue":
        d.eq(where, "pipelining.used", sm["pipelining_used"], sess["pipelining"]["used"])
    d.eq(where, "partial", False, sess["partial"])


# ---- credentials: read the client's AUTH lines straight from the capture ----

def pcap_tcp_payloads(path):
    """(src, sport, dst, dport, payload) of classic-pcap Ethernet IPv4/IPv6 TCP."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        endian = "<"
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        endian = ">"
    else:
        return
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        return
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        et = struct.unpack(">H", frame[12:14])[0]
        ip = frame[14:]
        while et == 0x8100 and len(ip) >= 4:
            et = struct.unpack(">H", ip[2:4])[0]
            ip = ip[4:]
        if et == 0x0800 and len(ip) >= 20 and ip[9] == 6:
            ihl = (ip[0] & 15) * 4
            total = struct.unpack(">H", ip[2:4])[0]
            src, dst, tcp = ip[12:16], ip[16:20], ip[ihl:total]
        elif et == 0x86dd and len(ip) >= 40 and ip[6] == 6:
            plen = struct.unpack(">H", ip[4:6])[0]
            src, dst, tcp = ip[8:24], ip[24:40], ip[40:40 + plen]
        else:
            continue
        if len(tcp) < 20:
            continue
        sport, dport, seq = struct.unpack(">HHI", tcp[:8])
        doff = (tcp[12] >> 4) * 4
        yield src, sport, dst, dport, seq, tcp[doff:]


B64 = re.compile(rb"[A-Za-z0-9+/]+=*")
VERBS = {b"QUIT", b"RSET", b"NOOP", b"DATA", b"HELP", b"VRFY", b"EXPN", b"TURN"}


def auth_secrets(path):
    """Initial responses and continuation lines after AUTH, and their
    decoded passwords (PLAIN: the third NUL-separated field; LOGIN: the second
    response). Usernames are left out: they are also envelope addresses."""
    streams = {}
    for src, sport, dst, dport, seq, pl in pcap_tcp_payloads(path):
        if pl:
            streams.setdefault((src, sport, dst, dport), {})[seq] = pl
    secrets = set()
    for key, segs in streams.items():
        text = b"".join(segs[s] for s in sorted(segs))
        lines = text.split(b"\r\n")
        for i, line in enumerate(lines):
            m = re.match(rb"(?i)AUTH (\S+)(?: (\S+))?$", line)
            if not m:
                continue
            mech = m.group(1).upper()
            responses = [m.group(2)] if m.group(2) else []
            want = {b"PLAIN": 1, b"LOGIN": 2}.get(mech, 8)
            for nxt in lines[i + 1:]:
                if len(responses) >= want or not B64.fullmatch(nxt) or nxt.upper() in VERBS:
                    break
                responses.append(nxt)
            for r in responses:
                secrets.add(r.decode())
                try:
                    dec = base64.b64decode(r, validate=True)
                except ValueError:
                    continue
                if mech == b"PLAIN" and dec.count(b"\0") == 2:
                    secrets.add(dec.split(b"\0")[2].decode(errors="replace"))
            if mech == b"LOGIN" and len(responses) >= 2:
                secrets.add(base64.b64decode(responses[1]).decode(errors="replace"))
    return {s for s in secrets if len(s) >= 4}


def main():
    shared = os.environ.get("PD_SHARED_PCAPS", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "pcaps"))
    real = os.path.join(shared, "real")
    builddir = os.environ.get("top_builddir", ".")
    daemon = os.path.join(builddir, "portdemuxd")
    truths = sorted(glob.glob(os.path.join(real, "d*.truth.json")))
    if not truths:
        print("SKIP: no captures in %s" % real)
        return 77
    if not os.access(daemon, os.X_OK):
        print("SKIP: %s not built" % daemon)
        return 77

    failed = 0
    for tpath in truths:
        truth = json.load(open(tpath))
        pcap = os.path.join(real, truth["pcap"])
        name = truth["pcap"]
        d = Diff()
        try:
            out = run_daemon(daemon, pcap)
        except Exception as e:  # noqa: BLE001 - report and go on
            print("FAIL %s: %s" % (name, e))
            failed += 1
            continue
        events = []
        for n, line in enumerate(out.splitlines()):
            try:
                events.append(json.loads(line))
            except ValueError as e:
                d.add("line %d is not JSON: %s" % (n + 1, e))
        smtp = [e for e in events if e.get("event_type") == "smtp"]
        by_client = {}
        for e in smtp:
            k = (norm_ip(e["src_ip"]), e["src_port"])
            by_client.setdefault(k, []).append(e)
        expected = set()
        for tr in truth["sessions"]:
            if tr.get("app_protocol") != "smtp" or "smtp" not in tr:
                continue
            k = (norm_ip(tr["client"]["ip"]), tr["client"]["port"])
            expected.add(k)
            where = "%s:%d->%d" % (k[0], k[1], tr["server"]["port"])
            evs = by_client.get(k, [])
            sess = [e["smtp"] for e in evs if e["smtp"]["type"] == "session"]
            txns = [e["smtp"] for e in evs if e["smtp"]["type"] == "transaction"]
            d.eq(where, "session records", 1, len(sess))
            for e in evs:
                d.eq(where, "dest_port", tr["server"]["port"], e["dest_port"])
                port = tr["server"]["port"]
                want_label = {587: "submission", 465: "submissions"}.get(port, "smtp")
                d.eq(where, "app_proto", want_label, e["app_proto"])
            check_session(d, where, tr, sess[0] if sess else None, txns)
        for k in by_client:
            if k not in expected:
                d.add("smtp events for %s:%d, which holds no SMTP session" % k)
        secrets = auth_secrets(pcap)
        clear_auth = any(not a["encrypted"] for tr in truth["sessions"]
                         for a in tr.get("smtp", {}).get("auth", []))
        if clear_auth and not secrets:
            d.add("cleartext AUTH in the truth but no credential found in the capture to look for")
        for secret in secrets:
            for form in (secret, json.dumps(secret)[1:-1]):
                if form in out:
                    d.add("AUTH credential material found in the output (%d characters)" % len(secret))
                    break
        nsess = len(expected)
        if d.lines:
            failed += 1
            print("FAIL %s (%d SMTP sessions)" % (name, nsess))
            print("\n".join(d.lines))
        else:
            print("ok   %s (%d SMTP sessions)" % (name, nsess))
    print("%d of %d captures differ from their truth" % (failed, len(truths)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
