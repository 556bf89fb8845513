#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""check-dns-truth.py — portdemuxd's dns events (RFC 1035 4.1) against the ground truth of
the shared real captures: $PD_SHARED_PCAPS/real/NAME.truth.json sessions with app_protocol
"dns" (from dig/kdig and dnsmasq, never from a decoder; schema in real/INDEX.md) and the
client output kept in NAME.transcript.txt.

For each such session, the events of its flow (src = client, dest = server) must show:
the transport(s) used; the question (name, type) in every query and answer; the final
answer's rcode (status), header flags and answer count; TC on a truncated UDP answer when
dig retried over TCP; the VLAN id; and the final answer's records as the client printed
them (name, type, TTL, and the data for A, AAAA, CNAME, NS, PTR, MX, TXT, SOA).

Environment: PD_SHARED_PCAPS (absent: exit 77), top_builddir. Exit 0 / 1 / 77.
"""
import glob
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile

SKIP = 77
FLAG_NAMES = ("qr", "aa", "tc", "rd", "ra", "ad", "cd")


def norm_name(name):
    """Case-insensitive presentation form without the final dot; the root is '<root>'."""
    name = name.rstrip(".").lower()
    return name if name else "<root>"


def norm_ip(text):
    return ipaddress.ip_address(text).compressed


def dig_strings(text):
    """Character-strings of dig's TXT presentation: "a" "b c" with \\DDD and \\X escapes."""
    out = []
    for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', text):
        raw = m.group(1)
        s = re.sub(r"\\(\d{3})", lambda d: chr(int(d.group(1))), raw)
        s = re.sub(r"\\(.)", r"\1", s)
        out.append(s)
    return out


def parse_record(line):
    """One dig/kdig answer line: name ttl class type rdata."""
    parts = line.split(None, 4)
    if len(parts) < 4:
        return None
    rec = {"rrname": norm_name(parts[0]), "ttl": int(parts[1]), "rrtype": parts[3].upper()}
    rec["text"] = parts[4].strip() if len(parts) > 4 else ""
    return rec


def transcript_sessions(path):
    """session id -> {'question': [(name, type)], 'answers': [record]} of the last answer
    the client printed (after a TC retry dig prints only the TCP one)."""
    sessions = {}
    if not os.path.exists(path):
        return sessions
    current = None
    section = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"session (\d+):", line)
            if m:
                current = sessions.setdefault(int(m.group(1)), {"question": [], "answers": []})
                section = None
                continue
            if line.startswith("------") and "server log" in line:
                section = "log"
                continue
            if line.startswith("====="):
                current, section = None, None
                continue
            if current is None or section == "log":
                continue
            if line.startswith(";; ->>HEADER<<-"):
                # A new answer: keep only the last one the client printed.
                current["question"], current["answers"] = [], []
                section = None
            elif line.startswith(";; QUESTION SECTION"):
                section = "question"
            elif line.startswith(";; ANSWER SECTION"):
                section = "answer"
            elif not line.strip():
                section = None
            elif section == "question":
                # dig: ";name. IN A"; kdig: ";; name. IN A"
                q = line.lstrip(";").split()
                if len(q) >= 3:
                    current["question"].append((norm_name(q[0]), q[-1].upper()))
            elif section == "answer":
                rec = parse_record(line) if not line.startswith(";") else None
                if rec:
                    current["answers"].append(rec)
    return sessions
    current = None
    section = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"session (\d+):", line)
            if m:
                current = sessions.setdefault(int(m.group(1)), {"question": [], "answers": []})
                section = None
                continue
            if current is None:
                continue
            if line.startswith("------") and "server log" in line:
                section = "log"
                continue
            if line.startswith("====="):
                current, section = None, None
                continue
            if section == "log":
                continue
            if re.match(r";; (->>HEADER<<-|Got answer)", line):
                # A new answer: keep only the last one printed.
                current["question"], current["answers"] = [], []
            if line.startswith(";; QUESTION SECTION"):
                section = "question"
                continue
            if line.startswith(";; ANSWER SECTION"):
                section = "answer"
                continue
            if line.startswith(";;") or not line.strip():
                if section in ("question", "answer") and not line.strip():
                    section = None
                elif line.startswith(";;") and section == "answer":
                    section = None
                if section != "question" or not line.startswith(";; "):
                    continue
            if section == "question":
                q = line.lstrip(";").split()
                if len(q) >= 3:
                    current["question"].append((norm_name(q[0]), q[-1].upper()))
            elif section == "answer":
                rec = parse_record(line)
                if rec:
                    current["answers"].append(rec)
    return sessions


def event_flags(dns):
    return {k for k in FLAG_NAMES if dns.get(k) is True}


def compare_record(want, got):
    """None when the event's answer matches the client's record, else why not."""
    for key in ("rrname", "rrtype", "ttl"):
        have = got.get(key)
        if key == "rrname" and isinstance(have, str):
            have = norm_name(have)
        if have != want[key]:
            return "%s %r, client saw %r" % (key, have, want[key])
    t, text = want["rrtype"], want["text"]
    rdata = got.get("rdata")
    try:
        if t in ("A", "AAAA"):
            ok = rdata is not None and norm_ip(rdata) == norm_ip(text)
        elif t in ("CNAME", "NS", "PTR"):
            ok = isinstance(rdata, str) and norm_name(rdata) == norm_name(text)
        elif t == "MX":
            pref, exch = text.split()
            ok = got.get("preference") == int(pref) and isinstance(rdata, str) \
                and norm_name(rdata) == norm_name(exch)
        elif t == "TXT":
            strings = dig_strings(text)
            ok = got.get("txt") == strings and rdata == "".join(strings)
        elif t == "SOA":
            f = text.split()
            soa = got.get("soa") or {}
            ok = (norm_name(soa.get("mname", "")) == norm_name(f[0])
                  and norm_name(soa.get("rname", "")) == norm_name(f[1])
                  and [soa.get(k) for k in ("serial", "refresh", "retry", "expire", "minimum")]
                  == [int(x) for x in f[2:7]])
        else:
            ok = True  # types the handler does not decode: name, type and TTL only
    except (ValueError, IndexError) as e:
        return "cannot compare %s data %r: %s" % (t, text, e)
    return None if ok else "%s data %.200r, client saw %.200r" % (t, got, text)


def check_session(sess, events, transcript):
    """List of problems with one truth session's events."""
    problems = []
    cl, sv = sess["client"], sess["server"]
    mine = [e for e in events
            if e.get("src_ip") and e.get("dest_ip")
            and norm_ip(e["src_ip"]) == norm_ip(cl["ip"]) and e.get("src_port") == cl["port"]
            and norm_ip(e["dest_ip"]) == norm_ip(sv["ip"]) and e.get("dest_port") == sv["port"]]
    if not mine:
        return ["no dns event for %s:%s -> %s:%s" % (cl["ip"], cl["port"], sv["ip"], sv["port"])]
    queries = [e for e in mine if e["dns"].get("type") == "query"]
    answers = [e for e in mine if e["dns"].get("type") == "answer"]
    if not queries:
        problems.append("no query event")
    if not answers:
        problems.append("no answer event")
        return problems

    want_protos = {"udp": {"UDP"}, "tcp": {"TCP"}, "udp+tcp": {"UDP", "TCP"}}.get(
        sess.get("transport"), set())
    protos = {e.get("proto") for e in mine}
    if want_protos and protos != want_protos:
        problems.append("protocols %s, truth %s" % (sorted(protos), sorted(want_protos)))

    if sess.get("vlan"):
        want_vlan = [int(v) for v in str(sess["vlan"]).split(",")]
        bad = [e.get("vlan") for e in mine if e.get("vlan") != want_vlan]
        if bad:
            problems.append("vlan %r, truth %r" % (bad[0], want_vlan))

    details = sess.get("details") or {}
    questions = [(norm_name(n), t.upper()) for n, t in details.get("question") or []]
    if not questions and transcript.get("question"):
        questions = transcript["question"]
    for e in queries + answers:
        d = e["dns"]
        got = (norm_name(d.get("rrname", "")), str(d.get("rrtype", "")).upper())
        if questions and got not in questions:
            problems.append("%s question %r, truth %r" % (d.get("type"), got, questions))
            break

    # The final answer is the one the client printed: over TCP after a TC retry.
    final = [e for e in answers if e.get("proto") == "TCP"] if sess.get("transport") == "udp+tcp" \
        else answers
    if not final:
        problems.append("no final answer over TCP after the truncated UDP one")
        return problems
    last = final[-1]["dns"]
    status = details.get("status") or []
    if status and last.get("rcode") != status[-1]:
        problems.append("rcode %r, truth %r" % (last.get("rcode"), status[-1]))
    flags = details.get("flags") or []
    if flags and event_flags(last) != set(flags[-1].split()):
        problems.append("flags %s, truth %r" % (sorted(event_flags(last)), flags[-1]))
    counts = details.get("answers") or []
    if counts:
        if last.get("answers_count") != counts[-1]:
            problems.append("answers_count %r, truth %r" % (last.get("answers_count"), counts[-1]))
        if len(last.get("answers") or []) != counts[-1]:
            problems.append("%d answers listed, truth %r" % (len(last.get("answers") or []),
                                                             counts[-1]))
    if details.get("tc_flag_seen") and not last.get("tc"):
        problems.append("truth saw TC, the answer has no tc")
    if details.get("truncated_retry_tcp"):
        if not any(e["dns"].get("tc") for e in answers if e.get("proto") == "UDP"):
            problems.append("dig retried over TCP, but no UDP answer has tc")

    want = transcript.get("answers") or []
    got = last.get("answers") or []
    if want and len(want) == len(got):
        for i, (w, g) in enumerate(zip(want, got)):
            why = compare_record(w, g)
            if why:
                problems.append("answer %d: %s" % (i, why))
                break
    elif want:
        problems.append("%d answers listed, the client printed %d" % (len(got), len(want)))
    return problems


def main():
    shared = os.environ.get("PD_SHARED_PCAPS", "")
    real = os.path.join(shared, "real")
    if not shared or not os.path.isdir(real):
        print("SKIP: no shared captures (PD_SHARED_PCAPS=%s)" % (shared or "unset"))
        return SKIP
    here = os.path.dirname(os.path.abspath(__file__))
    top_builddir = os.environ.get("top_builddir", os.path.dirname(here))
    daemon = os.path.join(top_builddir, "portdemuxd")
    if not os.access(daemon, os.X_OK):
        print("SKIP: %s not built" % daemon)
        return SKIP

    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="pd-dnstruth.") as tmp:
        for truth_path in sorted(glob.glob(os.path.join(real, "*.truth.json"))):
            with open(truth_path, encoding="utf-8") as f:
                truth = json.load(f)
            sessions = [s for s in truth.get("sessions", []) if s.get("app_protocol") == "dns"]
            if not sessions:
                continue
            base = truth_path[: -len(".truth.json")]
            cap = os.path.join(real, truth["pcap"]) if truth.get("pcap") else None
            if not cap or not os.path.exists(cap):
                cap = next((base + ext for ext in (".pcap", ".pcapng") if os.path.exists(base + ext)),
                           None)
            out = os.path.join(tmp, os.path.basename(base) + ".json")
            p = subprocess.run([daemon, "-r", cap, "-q", "-w", out], stdin=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=120)
            name = os.path.basename(cap)
            if p.returncode != 0:
                print("not ok %s: portdemuxd exited %d: %s"
                      % (name, p.returncode, p.stderr.decode(errors="replace").strip()[:300]))
                failed += len(sessions)
                continue
            events = []
            with open(out, encoding="utf-8") as f:
                for line in f:
                    e = json.loads(line)
                    if e.get("event_type") == "dns" and isinstance(e.get("dns"), dict):
                        events.append(e)
            transcripts = transcript_sessions(base + ".transcript.txt")
            for sess in sessions:
                problems = check_session(sess, events, transcripts.get(sess.get("id"), {}))
                label = "%s session %s (%s %s:%s)" % (name, sess.get("id"), sess.get("transport"),
                                                     sess["client"]["ip"], sess["client"]["port"])
                if problems:
                    failed += 1
                    print("not ok %s" % label)
                    for why in problems:
                        print("#   %s" % why)
                else:
                    passed += 1
                    print("ok %s" % label)
    if passed + failed == 0:
        print("FAIL: no dns sessions found in %s/*.truth.json" % real)
        return 1
    print("dns-truth: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
