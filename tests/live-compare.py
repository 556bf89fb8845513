#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# live-compare.py — oracle of tests/test-live-netns.sh (issue "live equals offline"): checks
# the EVE JSON-lines files of a live run (split by a SIGHUP reopen) and compares their events
# with those of the offline analysis of tcpdump's capture of the same interface.
#
#   live-compare.py check [--usr1 T,T...] LIVE_FILE... -- OFFLINE_FILE
#       * every line of every file whole (newline-terminated) and one JSON event object;
#       * no line twice across the live files, each live file holds events (the SIGHUP split);
#       * the last line of each run is its final stats event, and in the live one every flow
#         is accounted for: flows.active 0, created = ended = flow events, by_reason matching
#         the flow events, a flow event for every flow_id seen, capture counters present;
#       * --usr1: for each wall-clock time T (seconds since the epoch, a SIGUSR1 sent), a
#         stats event stamped within [T, T + USR1_SLACK];
#       * the non-stats events of the live run and of the offline run are the same multiset
#         once the fields below are normalised.
#       Exit 0 when all hold, 1 otherwise (what differs on stdout).
#   live-compare.py expect FILE... <TABLE
#       TABLE lines "OP N | what | EXPR" (OP: == or >=; # comments): the number of events e
#       (dicts) of the files for which the Python expression EXPR is true must be OP N.
#       Exit 1 naming each line that does not hold.
import collections
import datetime
import json
import sys

# What may differ between the two runs, and why (everything else must be equal):
#
# * stats events are left out whole: live ones come from the wall clock (every
#   --stats-interval seconds and on SIGUSR1) and carry libpcap's capture counters; offline
#   there is one at the end. Their counters also include frames that only one of the two
#   capturers saw (ARP/NDP before or after the other started or stopped).
#
# * flow.reason "timeout" (live) where offline says "shutdown": live, the engine's clock
#   follows the wall clock between packets (daemon/run.c, run_live -> engine_tick), so a flow
#   that stays idle longer than its timeout before SIGTERM times out; offline the clock is the
#   packet time and stops at the last packet of the file, so the same flow is still open at
#   the end of input and ends with "shutdown". The other direction (offline timeout, live
#   shutdown) is not allowed: a packet time past the timeout means the wall clock was past it
#   too. A closed (FIN/RST) flow keeps "fin"/"rst" in both runs (flows/flowtable.c,
#   end_reason), so nothing else about the end may differ.
#
# * Time stamps: the top-level "timestamp", flow.start and flow.end, flow.age (whole seconds
#   between them) and flow_id (out_meta_finish mixes the first packet's time into it). Each
#   AF_PACKET socket (portdemuxd's and tcpdump's) gets its own time stamp of a frame when the
#   kernel copies it to that socket (skb->tstamp is unset unless a socket asked for
#   SO_TIMESTAMP), so the two differ: by microseconds usually, by tens of milliseconds when
#   softirq processing is deferred. They must still agree within TS_SLACK seconds: events
#   equal in everything else are paired in time order and their "timestamp"s compared.
TIME_TOP = ("timestamp", "flow_id")
TIME_FLOW = ("start", "end", "age")
TS_SLACK = 1.0

LIVE_ONLY_REASON = ("timeout", "shutdown")  # (live, offline)


def read_events(path, problems):
    """The events of one file, in order; damage goes to problems."""
    with open(path, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        problems.append("%s: last line not terminated (a split write)" % path)
    out = []
    for n, raw in enumerate(data.splitlines(), 1):
        try:
            ev = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            problems.append("%s:%d: not valid JSON (%s): %.120r" % (path, n, exc, raw))
            continue
        if not isinstance(ev, dict) or "event_type" not in ev:
            problems.append("%s:%d: not an event object: %.120r" % (path, n, raw))
            continue
        out.append((raw, ev))
    return out


def canon(ev):
    """The event as text without the fields that depend on the capturing socket's clock."""
    ev = dict(ev)
    for k in TIME_TOP:
        ev.pop(k, None)
    if ev.get("event_type") == "flow" and isinstance(ev.get("flow"), dict):
        ev["flow"] = {k: v for k, v in ev["flow"].items() if k not in TIME_FLOW}
    return json.dumps(ev, sort_keys=True, separators=(",", ":"))


def time_skew(live, offline):
    """Events equal but for time, paired in time order: the pairs further apart than TS_SLACK."""
    by = collections.defaultdict(lambda: ([], []))
    for side, evs in ((0, live), (1, offline)):
        for _, e in evs:
            if e["event_type"] != "stats":
                by[canon(e)][side].append(ts_seconds(e["timestamp"]))
    out = []
    for text, (lt, ot) in by.items():
        for a, b in zip(sorted(lt), sorted(ot)):
            if abs(a - b) > TS_SLACK:
                out.append("time stamps %.6f (live) and %.6f (offline) apart: %s"
                           % (a, b, describe(json.loads(text))))
    return out


def describe(ev):
    """A short name for an event in a difference report."""
    keys = ("event_type", "proto", "src_ip", "src_port", "dest_ip", "dest_port", "app_proto")
    head = " ".join(str(ev.get(k, "-")) for k in keys)
    body = ev.get(ev.get("event_type"), {})
    detail = ""
    if isinstance(body, dict):
        detail = " ".join("%s=%s" % (k, body[k]) for k in ("type", "reason", "rrname", "rrtype")
                          if k in body)
    return "%s %s" % (head, detail)


def check(live_paths, offline_path, usr1):
    problems = []
    live = []
    for p in live_paths:
        evs = read_events(p, problems)
        if not evs:
            problems.append("%s: no events (the reopen must leave events on both sides)" % p)
        live.extend(evs)
    offline = read_events(offline_path, problems)

    seen = collections.Counter(raw for raw, _ in live)
    for raw, n in seen.items():
        if n > 1:
            problems.append("line written %d times across the live files: %.160r" % (n, raw))
    if not live or live[-1][1]["event_type"] != "stats":
        problems.append("the last live line is not the final stats event")
    if not offline or offline[-1][1]["event_type"] != "stats":
        problems.append("the last offline line is not the final stats event")

    lv = collections.Counter(canon(e) for _, e in live if e["event_type"] != "stats")
    of = collections.Counter(canon(e) for _, e in offline if e["event_type"] != "stats")
    only_live = lv - of
    only_off = of - lv
    # The one allowed difference: live timeout where offline shut down (see above).
    relaxed = 0
    for text in list(only_live.elements()):
        ev = json.loads(text)
        if ev["event_type"] != "flow" or ev["flow"].get("reason") != LIVE_ONLY_REASON[0]:
            continue
        ev["flow"]["reason"] = LIVE_ONLY_REASON[1]
        alt = canon(ev)
        if only_off[alt] > 0:
            only_off[alt] -= 1
            only_live[text] -= 1
            relaxed += 1
    only_live += collections.Counter()  # drop zero counts
    only_off += collections.Counter()
    for text, n in sorted(only_live.items()):
        problems.append("live only (x%d): %s" % (n, describe(json.loads(text))))
    for text, n in sorted(only_off.items()):
        problems.append("offline only (x%d): %s" % (n, describe(json.loads(text))))
    if only_live or only_off:  # the first of each, whole, to see which field differs
        for label, c in (("live", only_live), ("offline", only_off)):
            if c:
                problems.append("first %s-only event: %s" % (label, min(c)))

    problems.extend(time_skew(live, offline))
    problems.extend(flow_accounting(live))
    problems.extend(usr1_stats(usr1, live))
    print("live: %d lines (%d non-stats), offline: %d lines (%d non-stats), "
          "%d flow(s) timed out live and shut down offline"
          % (len(live), sum(lv.values()), len(offline), sum(of.values()), relaxed))
    for p in problems:
        print("  " + p)
    return 1 if problems else 0


def ts_seconds(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


USR1_SLACK = 0.5


def usr1_stats(times, live):
    """SIGUSR1 times not followed by a stats event within USR1_SLACK seconds."""
    stamps = [ts_seconds(e["timestamp"]) for _, e in live if e["event_type"] == "stats"]
    return ["no stats event within %.1f s after SIGUSR1 at %.3f" % (USR1_SLACK, t)
            for t in times if not any(t <= s <= t + USR1_SLACK for s in stamps)]


def flow_accounting(live):
    """The final stats against the flow events: every flow reported exactly once."""
    bad = []
    evs = [e for _, e in live]
    final = evs[-1] if evs and evs[-1]["event_type"] == "stats" else None
    if final is None:
        return bad
    fl = final["stats"]["flows"]
    flows = [e for e in evs if e["event_type"] == "flow"]
    ids = {e["flow_id"] for e in flows}
    if fl["active"] != 0:
        bad.append("final stats: %d flows still active" % fl["active"])
    if not fl["created"] == fl["ended"] == len(flows):
        bad.append("final stats: created %d, ended %d; %d flow events"
                   % (fl["created"], fl["ended"], len(flows)))
    if len(ids) != len(flows):
        bad.append("a flow_id in two flow events")
    for reason, n in fl["by_reason"].items():
        got = sum(1 for e in flows if e["flow"]["reason"] == reason)
        if n != got:
            bad.append("final stats: by_reason.%s %d, %d flow events" % (reason, n, got))
    for e in evs:
        if "flow_id" in e and e["flow_id"] not in ids:
            bad.append("no flow event for flow %d (%s)" % (e["flow_id"], describe(e)))
    if "capture" not in final["stats"]:
        bad.append("final stats without libpcap's capture counters")
    return bad


def main_check(args):
    usr1 = []
    if args[:1] == ["--usr1"]:
        usr1 = [float(t) for t in args[1].split(",") if t]
        args = args[2:]
    if "--" not in args or args.index("--") != len(args) - 2:
        return usage()
    live_paths, offline_path = args[:-2], args[-1]
    return check(live_paths, offline_path, usr1)


def main_expect(paths):
    evs = []
    for p in paths:
        with open(p, "rb") as f:
            evs.extend(json.loads(raw) for raw in f)
    bad = 0
    for n, line in enumerate(sys.stdin, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        want, what, expr = (x.strip() for x in line.split("|", 2))
        op, num = want.split()
        code = compile(expr, "<table line %d>" % n, "eval")
        got = 0
        for e in evs:
            try:
                got += bool(eval(code, {}, {"e": e}))  # noqa: S307 - the test's own table
            except (KeyError, TypeError, IndexError, AttributeError):
                pass
        ok = got == int(num) if op == "==" else got >= int(num)
        if not ok:
            print("  %s: %d, want %s %s" % (what, got, op, num))
            bad += 1
    return 1 if bad else 0


def usage():
    sys.stderr.write("usage: live-compare.py check [--usr1 T,T...] LIVE... -- OFFLINE\n"
                     "       live-compare.py expect FILE... <TABLE\n")
    return 2


def main(argv):
    if len(argv) >= 2 and argv[1] == "check":
        return main_check(argv[2:])
    if len(argv) >= 3 and argv[1] == "expect":
        return main_expect(argv[2:])
    return usage()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
