#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""relay.py — an impairing Ethernet relay for pcaps/mk-impaired.sh: it stands in for netem
(absent from the capture kernel) by bridging two interfaces in userspace through AF_PACKET
raw sockets (packet(7)) and dropping, duplicating and holding back (reordering) selected
IPv4/IPv6 frames (RFC 791, RFC 8200) deterministically, logging every action.

Usage:
  relay.py offload-off IFACE...
      turn off checksum, scatter-gather, TSO, GSO and GRO offloads on IFACE (legacy
      SIOCETHTOOL requests; no ethtool binary needed) and check that they are off, so that
      every frame the relay reads is a complete Ethernet frame with final checksums.
  relay.py run --a IF --b IF --log FILE [options]
      forward every frame from A to B ("c>s", A faces the client) and from B to A ("s>c")
      until SIGTERM or SIGINT; frames the selection names ("eligible") are impaired:
        --select tcp,frag,udp   tcp: TCP segments without SYN; frag: IPv4/IPv6 fragments;
                                udp: unfragmented UDP datagrams (default tcp)
        --dirs c>s,s>c          directions in which frames are eligible (default both)
        --seed N --drop P --dup P --hold P
                                each eligible frame draws one number from random.Random(N):
                                below P(drop) it is dropped, then duplicated, then held
        --plan I:ACTION,...     the I-th eligible frame (1-based, both directions counted
                                together) gets ACTION (drop, dup, hold) instead of a draw
        --hold-frames K --hold-ms T
                                a held frame is sent after K further frames of its direction
                                were forwarded, or after T ms, whichever comes first
        --tap IF --tap-loss P --tap-min-payload N
                                mirror every frame sent (to either side, in sending order) to
                                IF like a SPAN port, but lose the TCP segments carrying at
                                least N payload octets with probability P (random.Random(seed
                                + 1)): capture gaps that the endpoints never saw. At exit, per
                                TCP direction, the octets delivered but never mirrored are
                                logged ("tap-never-mirrored"), and those that an observer of
                                the mirror must report lost ("tap-missed"): never mirrored, or
                                mirrored only after a mirrored ACK of the peer had covered
                                them (a spurious retransmission after the hole was given up).
        --ready FILE            created once both sockets are bound
The log has one line per action: frame number (frames read, both directions), seconds since
start, direction, action (drop, dup, hold, release, tap-loss) and the frame in tcpdump-like
words; lines starting with "#" are the settings, the per-flow tap accounting and a summary.
"""
import argparse
import ctypes
import fcntl
import ipaddress
import os
import random
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_CSUMNOTREADY = 0x8
SIOCETHTOOL = 0x8946
SEQ_MOD = 1 << 32

# Legacy ethtool get/set pairs (linux/ethtool.h); the kernel maps each to its feature bits.
OFFLOADS = (  # name, get, set — TSO, GSO and GRO before the checksum they depend on
    ("tso", 0x0000001e, 0x0000001f),
    ("gso", 0x00000023, 0x00000024),
    ("gro", 0x0000002b, 0x0000002c),
    ("sg", 0x00000018, 0x00000019),
    ("tx-checksum", 0x00000016, 0x00000017),
    ("rx-checksum", 0x00000014, 0x00000015),
)


def ethtool_value(sock, ifname, cmd, data=0):
    """One struct ethtool_value request ({u32 cmd; u32 data}) through SIOCETHTOOL."""
    val = ctypes.create_string_buffer(struct.pack("II", cmd, data), 8)
    ifr = struct.pack("16sP", ifname.encode(), ctypes.addressof(val))
    ifr += b"\0" * (40 - len(ifr))
    fcntl.ioctl(sock, SIOCETHTOOL, ifr)
    return struct.unpack("II", val.raw)[1]


def offload_off(ifnames):
    """Turn the offloads off on each interface; exit 1 if one stays on."""
    bad = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for ifname in ifnames:
            for name, get_cmd, set_cmd in OFFLOADS:
                try:
                    if ethtool_value(sock, ifname, get_cmd):
                        ethtool_value(sock, ifname, set_cmd, 0)
                except OSError as err:
                    print("relay.py: %s %s: %s" % (ifname, name, err), file=sys.stderr)
                    bad += 1
            state = []
            for name, get_cmd, _ in OFFLOADS:
                on = ethtool_value(sock, ifname, get_cmd)
                state.append("%s %s" % (name, "on" if on else "off"))
                bad += 1 if on else 0
            print("%s: %s" % (ifname, ", ".join(state)))
    return 1 if bad else 0


class Frame:
    """What the relay needs to know of one frame, read from its bytes."""

    __slots__ = ("data", "kind", "words", "flow", "rflow", "seq", "ack", "plen", "syn")

    def __init__(self, data):
        self.data = data
        self.kind = "other"  # tcp, tcp-syn, udp, frag, other
        self.words = ""
        self.flow = None  # TCP: "src.sport > dst.dport", and rflow the other direction
        self.rflow = None
        self.seq = 0
        self.ack = None  # TCP: the acknowledgment number when ACK is set
        self.plen = 0
        self.syn = False
        try:
            self._parse()
        except (struct.error, IndexError, ValueError):
            self.kind, self.words = "other", "short frame of %d octets" % len(data)

    def _parse(self):
        d = self.data
        etype = struct.unpack_from("!H", d, 12)[0]
        off = 14
        while etype in (0x8100, 0x88A8):
            etype = struct.unpack_from("!H", d, off + 2)[0]
            off += 4
        if etype == 0x0800:
            ihl = (d[off] & 0x0F) * 4
            total, ident, frag = struct.unpack_from("!HHH", d, off + 2)
            proto = d[off + 9]
            src = str(ipaddress.IPv4Address(d[off + 12:off + 16]))
            dst = str(ipaddress.IPv4Address(d[off + 16:off + 20]))
            if frag & 0x3FFF:
                self.kind = "frag"
                self.words = "IP %s > %s: frag id %d offset %d%s proto %d, %d octets" % (
                    src, dst, ident, (frag & 0x1FFF) * 8, " MF" if frag & 0x2000 else "",
                    proto, total - ihl)
                return
            self._l4(proto, src, dst, d, off + ihl, total - ihl, "IP")
        elif etype == 0x86DD:
            plen, nxt = struct.unpack_from("!HB", d, off + 4)
            src = str(ipaddress.IPv6Address(d[off + 8:off + 24]))
            dst = str(ipaddress.IPv6Address(d[off + 24:off + 40]))
            pos, end = off + 40, off + 40 + plen
            while nxt in (0, 43, 60, 44):
                if nxt == 44:
                    fo, ident = struct.unpack_from("!HI", d, pos + 2)
                    self.kind = "frag"
                    self.words = "IP6 %s > %s: frag id %#x offset %d%s next %d, %d octets" % (
                        src, dst, ident, fo & 0xFFF8, " MF" if fo & 1 else "", d[pos],
                        end - pos - 8)
                    return
                nxt, hlen = d[pos], (d[pos + 1] + 1) * 8
                pos += hlen
            self._l4(nxt, src, dst, d, pos, end - pos, "IP6")
        elif etype == 0x0806:
            self.words = "ARP"
        else:
            self.words = "ethertype %#06x" % etype

    def _l4(self, proto, src, dst, d, pos, length, ipv):
        if proto == 6:
            sport, dport, seq, ack, hl, flags = struct.unpack_from("!HHIIBB", d, pos)
            self.plen = length - (hl >> 4) * 4
            self.flow = "%s.%d > %s.%d" % (src, sport, dst, dport)
            self.rflow = "%s.%d > %s.%d" % (dst, dport, src, sport)
            self.seq = seq
            self.ack = ack if flags & 0x10 else None
            self.syn = bool(flags & 0x02)
            self.kind = "tcp-syn" if self.syn else "tcp"
            names = "".join(c for c, bit in zip("FSRPAU", (1, 2, 4, 8, 16, 32)) if flags & bit)
            self.words = "%s %s: Flags [%s], seq %d, ack %d, length %d" % (
                ipv, self.flow, names, seq, ack, self.plen)
        elif proto == 17:
            sport, dport, ulen = struct.unpack_from("!HHH", d, pos)
            self.kind = "udp"
            self.words = "%s %s.%d > %s.%d: UDP, length %d" % (ipv, src, sport, dst, dport,
                                                              ulen - 8)
        else:
            self.words = "%s %s > %s: proto %d, %d octets" % (ipv, src, dst, proto, length)


class Ranges:
    """Octet ranges [lo, hi) of one TCP direction, relative to its first sequence number."""

    def __init__(self):
        self.spans = []

    def add(self, lo, hi):
        if hi > lo:
            self.spans.append((lo, hi))

    def merged(self):
        out = []
        for lo, hi in sorted(self.spans):
            if out and lo <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], hi))
            else:
                out.append((lo, hi))
        return out

    def minus(self, other):
        """The ranges of self that other does not cover."""
        left, cover = [], other.merged()
        for lo, hi in self.merged():
            for clo, chi in cover:
                if chi <= lo or clo >= hi:
                    continue
                if clo > lo:
                    left.append((lo, clo))
                lo = max(lo, chi)
                if lo >= hi:
                    break
            if lo < hi:
                left.append((lo, hi))
        return left


class Relay:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.tap_rng = random.Random(args.seed + 1)
        self.plan = {}
        for item in filter(None, (args.plan or "").split(",")):
            idx, action = item.split(":")
            if action not in ("drop", "dup", "hold"):
                raise SystemExit("relay.py: bad plan action %r" % action)
            self.plan[int(idx)] = action
        self.select = set(args.select.split(","))
        self.dirs = set(args.dirs.split(","))
        self.log = open(args.log, "w", buffering=1)
        self.t0 = time.monotonic()
        self.n = 0  # frames read
        self.eligible = 0
        self.held = {"c>s": [], "s>c": []}  # [frame, frames left, deadline, number]
        self.count = {d: dict.fromkeys(("read", "eligible", "sent", "drop", "dup", "hold"), 0)
                      for d in ("c>s", "s>c")}
        self.tap_sent = self.tap_lost = 0
        self.trouble = dict.fromkeys(("csum-partial", "send-error"), 0)
        self.isn = {}  # TCP direction -> first sequence number (the SYN's + 1)
        self.sent_ranges = {}
        self.tap_ranges = {}
        self.unseen_at_ack = {}  # TCP direction -> octets acknowledged before mirrored
        self.socks = {}
        for side, ifname in (("a", args.a), ("b", args.b)):
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
            s.bind((ifname, ETH_P_ALL))
            self.socks[side] = s
        self.tap = None
        if args.tap:
            self.tap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
            self.tap.bind((args.tap, 0))
        self.note("# relay.py %s" % " ".join(sys.argv[1:]))

    def note(self, line):
        self.log.write(line + "\n")

    def act(self, number, direction, action, frame):
        self.note("%6d %10.6f %s %-8s %s" % (number, time.monotonic() - self.t0, direction,
                                             action, frame.words))

    def out(self, direction, frame):
        sock = self.socks["b" if direction == "c>s" else "a"]
        try:
            sock.send(frame.data)
        except OSError as err:
            self.trouble["send-error"] += 1
            self.note("# send error %s (%s): %s" % (direction, err, frame.words))
            return
        self.count[direction]["sent"] += 1
        self.track(self.sent_ranges, frame)
        if self.tap is None:
            return
        if (frame.kind == "tcp" and frame.plen >= self.args.tap_min_payload
                and self.tap_rng.random() < self.args.tap_loss):
            self.tap_lost += 1
            self.act(self.n, direction, "tap-loss", frame)
            return
        try:
            self.tap.send(frame.data)
            self.tap_sent += 1
            self.track(self.tap_ranges, frame)
            self.acked(frame)
        except OSError as err:
            self.trouble["send-error"] += 1
            self.note("# tap send error (%s): %s" % (err, frame.words))

    def track(self, table, frame):
        """Remember the octets of a TCP segment, relative to its direction's SYN."""
        if frame.flow is None:
            return
        if frame.syn:
            self.isn.setdefault(frame.flow, (frame.seq + 1) % SEQ_MOD)
            return
        base = self.isn.get(frame.flow)
        if base is None or frame.plen == 0:
            return
        lo = (frame.seq - base) % SEQ_MOD
        table.setdefault(frame.flow, Ranges()).add(lo, lo + frame.plen)

    def acked(self, frame):
        """A mirrored ACK: octets of the other direction that it acknowledges and that the
        mirror has not carried yet are lost to an observer of the mirror, which gives such a
        hole up (the receiver has them, nobody will send them again unless spuriously)."""
        if frame.ack is None or frame.rflow not in self.isn:
            return
        upto = (frame.ack - self.isn[frame.rflow]) % SEQ_MOD
        if upto >= SEQ_MOD // 2:
            return  # acknowledges the SYN only
        sent = self.sent_ranges.get(frame.rflow)
        if sent is None:
            return
        below = Ranges()
        for lo, hi in sent.merged():
            below.add(lo, min(hi, upto))
        unseen = self.unseen_at_ack.setdefault(frame.rflow, Ranges())
        for lo, hi in below.minus(self.tap_ranges.get(frame.rflow, Ranges())):
            unseen.add(lo, hi)

    def decide(self, direction, frame):
        kind = "tcp" if frame.kind == "tcp" else frame.kind
        if kind not in self.select or direction not in self.dirs:
            return "pass"
        self.eligible += 1
        self.count[direction]["eligible"] += 1
        if self.eligible in self.plan:
            return self.plan[self.eligible]
        r = self.rng.random()
        a = self.args
        for action, p in (("drop", a.drop), ("dup", a.dup), ("hold", a.hold)):
            if r < p:
                return action
            r -= p
        return "pass"

    def release(self, direction, why_frames):
        now = time.monotonic()
        keep = []
        for item in self.held[direction]:
            if why_frames:
                item[1] -= 1
            if item[1] <= 0 or now >= item[2]:
                self.act(item[3], direction, "release", item[0])
                self.out(direction, item[0])
            else:
                keep.append(item)
        self.held[direction] = keep

    def handle(self, side):
        data, anc, _, addr = self.socks[side].recvmsg(65536, socket.CMSG_SPACE(32))
        if addr[2] == PACKET_OUTGOING:
            return
        for level, kind, blob in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA:
                if struct.unpack_from("I", blob)[0] & TP_STATUS_CSUMNOTREADY:
                    self.trouble["csum-partial"] += 1
        self.n += 1
        direction = "c>s" if side == "a" else "s>c"
        self.count[direction]["read"] += 1
        frame = Frame(data)
        action = self.decide(direction, frame)
        if action != "pass":
            self.count[direction][action] += 1
            self.act(self.n, direction, action, frame)
        if action == "drop":
            return
        if action == "hold":
            deadline = time.monotonic() + self.args.hold_ms / 1000.0
            self.held[direction].append([frame, self.args.hold_frames, deadline, self.n])
            return
        self.out(direction, frame)
        if action == "dup":
            self.out(direction, frame)
        self.release(direction, True)

    def run(self, ready):
        stop = []
        # select() resumes after a handled signal (PEP 475): the wakeup pipe ends the wait.
        wake_r, wake_w = socket.socketpair()
        wake_w.setblocking(False)
        signal.set_wakeup_fd(wake_w.fileno())
        signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
        signal.signal(signal.SIGINT, lambda *_: stop.append(1))
        if ready:
            with open(ready, "w") as f:
                f.write("%d\n" % os.getpid())
        by_fd = {s.fileno(): side for side, s in self.socks.items()}
        while not stop:
            deadlines = [h[2] for q in self.held.values() for h in q]
            timeout = None
            if deadlines:
                timeout = max(0.0, min(deadlines) - time.monotonic())
            try:
                readable, _, _ = select.select(list(by_fd) + [wake_r], [], [], timeout)
            except InterruptedError:
                continue
            for fd in readable:
                if fd in by_fd:
                    self.handle(by_fd[fd])
            for direction in self.held:
                self.release(direction, False)
        for direction, queue in self.held.items():
            for item in queue:
                item[2] = 0  # at exit every held frame goes out
            self.release(direction, False)
        self.summary()

    def summary(self):
        if self.tap is not None:
            # Octets delivered to the far end but never mirrored, then those an observer of
            # the mirror had to give up: never mirrored, or acknowledged before mirrored.
            for flow, ranges in sorted(self.sent_ranges.items()):
                never = ranges.minus(self.tap_ranges.get(flow, Ranges()))
                given = self.unseen_at_ack.get(flow, Ranges())
                for lo, hi in never:
                    given.add(lo, hi)
                for what, spans in (("tap-never-mirrored", never), ("tap-missed", given.merged())):
                    self.note("# %s %s: %d octets in %d ranges%s" % (
                        what, flow, sum(hi - lo for lo, hi in spans), len(spans),
                        "".join(" [%d,%d)" % r for r in spans)))
        parts = []
        for direction, c in self.count.items():
            parts.append("%s read %d eligible %d sent %d dropped %d duplicated %d held %d" % (
                direction, c["read"], c["eligible"], c["sent"], c["drop"], c["dup"], c["hold"]))
        if self.tap is not None:
            parts.append("tap mirrored %d lost %d" % (self.tap_sent, self.tap_lost))
        parts.append("checksum-partial %d send-errors %d" % (
            self.trouble["csum-partial"], self.trouble["send-error"]))
        self.note("# summary: " + "; ".join(parts))
        self.log.close()


def main(argv):
    if len(argv) >= 2 and argv[1] == "offload-off":
        return offload_off(argv[2:])
    if len(argv) < 2 or argv[1] != "run":
        print(__doc__, file=sys.stderr)
        return 2
    p = argparse.ArgumentParser(prog="relay.py run")
    p.add_argument("--a", required=True)
    p.add_argument("--b", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--select", default="tcp")
    p.add_argument("--dirs", default="c>s,s>c")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--drop", type=float, default=0.0)
    p.add_argument("--dup", type=float, default=0.0)
    p.add_argument("--hold", type=float, default=0.0)
    p.add_argument("--plan")
    p.add_argument("--hold-frames", type=int, default=3)
    p.add_argument("--hold-ms", type=float, default=40.0)
    p.add_argument("--tap")
    p.add_argument("--tap-loss", type=float, default=0.0)
    p.add_argument("--tap-min-payload", type=int, default=1000)
    p.add_argument("--ready")
    args = p.parse_args(argv[2:])
    relay = Relay(args)
    relay.run(args.ready)
    return 1 if relay.trouble["csum-partial"] or relay.trouble["send-error"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
