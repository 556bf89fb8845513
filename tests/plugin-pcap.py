#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Writes the small captures of tests/test-plugin.sh and tests/test-dropin-reload.sh:
# Ethernet + IPv4 (RFC 791) + TCP (RFC 9293) conversations with a real handshake,
# sequence numbers, checksums and FIN close, in a microsecond pcap (pcap-savefile(5)).
#
#   plugin-pcap.py daytime OUT.pcap     Daytime (RFC 867) sessions for the example plug-in
#   plugin-pcap.py reload OUTDIR        the pieces the reload test writes to a FIFO, in order:
#                                       head, part1, wake1..wake4, part2, part3
import struct
import sys

SERVER = "10.0.0.2"
CLIENT = "10.0.0.1"


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ipv4(src, dst, proto, payload):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64, proto, 0,
                      ip4(src), ip4(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ether(ip):
    return bytes.fromhex("020000000002" "020000000001" "0800") + ip


def tcp(src, sport, dst, dport, seq, ack, flags, data=b""):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4,
                      flags, 65535, 0, 0)
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 6, len(hdr) + len(data))
    c = csum(pseudo + hdr + data)
    return ether(ipv4(src, dst, 6, hdr[:16] + struct.pack("!H", c) + hdr[18:] + data))


def udp(src, sport, dst, dport, data):
    hdr = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 17, len(hdr) + len(data))
    c = csum(pseudo + hdr + data) or 0xFFFF
    return ether(ipv4(src, dst, 17, hdr[:6] + struct.pack("!H", c) + data))


SYN, FIN, PSH, ACK = 0x02, 0x01, 0x08, 0x10


class Conn:
    """One TCP conversation; each call returns (time, frame) records."""

    def __init__(self, cport, sport):
        self.cport, self.sport = cport, sport
        self.cseq, self.sseq = 1000, 5000

    def _c(self, flags, data=b""):
        return tcp(CLIENT, self.cport, SERVER, self.sport, self.cseq, self.sseq, flags, data)

    def _s(self, flags, data=b""):
        return tcp(SERVER, self.sport, CLIENT, self.cport, self.sseq, self.cseq, flags, data)

    def open(self):
        out = [tcp(CLIENT, self.cport, SERVER, self.sport, self.cseq, 0, SYN)]
        self.cseq += 1
        out.append(tcp(SERVER, self.sport, CLIENT, self.cport, self.sseq, self.cseq, SYN | ACK))
        self.sseq += 1
        out.append(self._c(ACK))
        return out

    def client(self, data):
        out = [self._c(PSH | ACK, data)]
        self.cseq += len(data)
        out.append(self._s(ACK))
        return out

    def server(self, data):
        out = [self._s(PSH | ACK, data)]
        self.sseq += len(data)
        out.append(self._c(ACK))
        return out

    def close(self):
        out = [self._s(FIN | ACK)]
        self.sseq += 1
        out.append(self._c(FIN | ACK))
        self.cseq += 1
        out.append(self._s(ACK))
        return out


class Clock:
    def __init__(self, sec):
        self.us = sec * 1000000

    def stamp(self, frames, step=1000):
        out = []
        for f in frames:
            out.append((self.us, f))
            self.us += step
        return out

    def at(self, sec):
        self.us = max(self.us, sec * 1000000)


def head():
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)


def records(recs):
    out = b""
    for us, f in recs:
        out += struct.pack("<IIII", us // 1000000, us % 1000000, len(f), len(f)) + f
    return out


def daytime(path):
    line = b"Thu Nov 26 21:51:21 2026\r\n"
    clk = Clock(1700000000)
    recs = []
    # 1: port 13, claimed by port; 2: port 1313, claimed by content;
    # 3: port 13 but not a daytime line (app_proto_mismatch);
    # 4: port 13, the line split over two segments (probe asks for more)
    for cport, sport, pieces in ((40001, 13, [line]), (40002, 1313, [line]),
                                 (40003, 13, [b"hello world\r\n"]),
                                 (40004, 13, [line[:11], line[11:]])):
        c = Conn(cport, sport)
        frames = c.open()
        for p in pieces:
            frames += c.server(p)
        frames += c.close()
        recs += clk.stamp(frames)
    with open(path, "wb") as f:
        f.write(head() + records(recs))


SMTP_START = [("s", b"220 mx.test ESMTP\r\n"), ("c", b"EHLO a.test\r\n"),
              ("s", b"250 mx.test\r\n")]


def smtp_rest(sender):
    return [("c", b"MAIL FROM:<%s>\r\n" % sender), ("s", b"250 ok\r\n"),
            ("c", b"RCPT TO:<b@b.test>\r\n"), ("s", b"250 ok\r\n"), ("c", b"DATA\r\n"),
            ("s", b"354 go\r\n"), ("c", b"Subject: t\r\n\r\nhi\r\n.\r\n"),
            ("s", b"250 queued\r\n"), ("c", b"QUIT\r\n"), ("s", b"221 bye\r\n")]


def talk(conn, steps):
    out = []
    for who, data in steps:
        out += conn.server(data) if who == "s" else conn.client(data)
    return out


def reload_pieces(outdir):
    junk = b"\x00\x01\x02\x03 not a protocol \xff\xfe\r\n"
    clk = Clock(1700000000)
    # part 1, before the reload: A (SMTP on 25) is claimed by smtp; both sides of
    # C (junk on 9025) are refused by every probe, so C is settled too
    a, c = Conn(40001, 25), Conn(40002, 9025)
    part1 = clk.stamp(a.open() + talk(a, SMTP_START) + c.open() + c.client(junk) +
                      c.server(junk))
    wake = []
    for i in range(4):
        clk.at(1700000010 + i)
        wake.append(clk.stamp([udp("10.9.9.9", 50000 + i, "10.9.9.8", 9, b"wake")]))
    # part 2, after the reload: A and C end; B (SMTP on 25) and E (junk on 9025) begin and end
    clk.at(1700000020)
    b, e = Conn(40003, 25), Conn(40004, 9025)
    part2 = clk.stamp(talk(a, smtp_rest(b"a@a.test")) + a.close() + c.close() +
                      b.open() + talk(b, SMTP_START + smtp_rest(b"new@a.test")) + b.close() +
                      e.open() + e.client(junk) + e.close())
    # part 3, after a refused reload: F (SMTP on 25) still sees the second table
    clk.at(1700000040)
    f = Conn(40005, 25)
    part3 = clk.stamp(f.open() + talk(f, SMTP_START + smtp_rest(b"late@a.test")) + f.close())
    pieces = {"head": head(), "part1": records(part1), "part2": records(part2),
              "part3": records(part3)}
    for i, w in enumerate(wake):
        pieces["wake%d" % (i + 1)] = records(w)
    for name, data in pieces.items():
        with open("%s/%s" % (outdir, name), "wb") as out:
            out.write(data)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("daytime", "reload"):
        sys.exit("usage: plugin-pcap.py daytime OUT.pcap | reload OUTDIR")
    (daytime if sys.argv[1] == "daytime" else reload_pieces)(sys.argv[2])
