#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# seed-corpus.sh — (re)builds the seed files of fuzz/corpus/TARGET/ from real
# captures: the project's pcaps/*.pcap[ng] and ../shared/pcaps/real/*.pcap[ng]
# (when present). Frames are cut out with a small pcap/pcapng reader (no
# tshark needed) and written in each harness's input format (fuzz/README.md):
#   decode   [link index][frame], the frame also re-wrapped in the other link
#            types (raw, NULL, LOOP, SLL, SLL2, Ethernet)
#   flows    [flags] + [time step][length][frame]... per flow and per window
#   handler  [handler][settings] + [op][length][bytes]... per TCP/UDP flow on a
#            handler's port: in-order payload per direction, holes as gaps
#   json     writer/event-builder programs carrying text from the captures
#   config   contrib/ configurations, and files using every option name of
#            daemon/options.c
#   savefile small classic pcap files, whole and damaged
# plus a few synthetic sessions (cleartext AUTH with made-up credentials:
# captures with real cleartext AUTH, even throwaway ones, are left out).
#
# Usage: fuzz/seed-corpus.sh [PCAP...]   (default: the captures named above)
# Existing seed-* files are replaced; other corpus files (coverage finds from
# `make fuzz`, crash-* regressions) are kept. At most 200 seeds per target.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
if [ $# -eq 0 ]; then
	set --
	for f in "$top"/pcaps/*.pcap "$top"/pcaps/*.pcapng \
	         "$top"/../shared/pcaps/real/*.pcap "$top"/../shared/pcaps/real/*.pcapng; do
		[ -f "$f" ] && set -- "$@" "$f"
	done
fi
exec python3 - "$top" "$@" <<'PYEOF'
import glob, hashlib, os, re, struct, sys

TOP = sys.argv[1]
PCAPS = sorted(sys.argv[2:], key=os.path.basename)
CORPUS = os.path.join(TOP, "fuzz", "corpus")
MAX_SEEDS = 200
# Captures whose cleartext holds credentials (throwaway, but still): skipped.
SKIP = re.compile(r"plaintext-auth")

# Same order as decode_links[] in fuzz/fuzz_decode.c.
LINKS = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276]

# ---------------------------------------------------------------- pcap reading
def read_capture(path):
    """Yields (linktype, ts_us, caplen_bytes, wirelen) for pcap and pcapng."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = "<" if magic[0] in (0xd4, 0x4d) else ">"
        nsec = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
        link = struct.unpack(e + "I", data[20:24])[0] & 0x0fffffff
        off = 24
        while off + 16 <= len(data):
            sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
            off += 16
            if off + incl > len(data):
                break
            us = frac // 1000 if nsec else frac
            yield link, sec * 1000000 + us, data[off:off + incl], orig
            off += incl
    elif magic == b"\x0a\x0d\x0d\x0a":
        e = "<"
        ifaces = []
        off = 0
        while off + 12 <= len(data):
            btype = struct.unpack(e + "I", data[off:off + 4])[0]
            if btype == 0x0a0d0d0a:
                bom = data[off + 8:off + 12]
                e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
                ifaces = []
            btype, blen = struct.unpack(e + "II", data[off:off + 8])
            if blen < 12 or off + blen > len(data):
                break
            body = data[off + 8:off + blen - 4]
            if btype == 1:  # interface description
                link = struct.unpack(e + "H", body[:2])[0]
                tsres = 6
                o = 8
                while o + 4 <= len(body):
                    code, olen = struct.unpack(e + "HH", body[o:o + 4])
                    if code == 0:
                        break
                    if code == 9 and olen >= 1:
                        tsres = body[o + 4]
                    o += 4 + (olen + 3) // 4 * 4
                ifaces.append((link, tsres))
            elif btype == 6 and len(body) >= 20:  # enhanced packet
                ifid, hi, lo, incl, orig = struct.unpack(e + "IIIII", body[:20])
                if ifid < len(ifaces):
                    link, tsres = ifaces[ifid]
                    ts = hi << 32 | lo
                    if tsres & 0x80:
                        us = ts * 1000000 >> (tsres & 0x7f)
                    else:
                        us = ts * 1000000 // (10 ** tsres)
                    yield link, us, body[20:20 + incl], orig
            elif btype == 3 and ifaces:  # simple packet
                orig = struct.unpack(e + "I", body[:4])[0]
                yield ifaces[0][0], 0, body[4:4 + orig], orig
            off += blen

# ------------------------------------------------------- minimal packet parsing
def l3_offset(link, fr):
    """Offset of the IP header in a frame, VLAN ids, or None."""
    vlans = []
    if link == 1:
        o, et = 12, None
        while o + 2 <= len(fr):
            et = struct.unpack(">H", fr[o:o + 2])[0]
            if et in (0x8100, 0x88a8, 0x9100) and o + 6 <= len(fr):
                vlans.append(struct.unpack(">H", fr[o + 2:o + 4])[0] & 0xfff)
                o += 4
                continue
            break
        return (o + 2, vlans) if et in (0x0800, 0x86dd) else (None, vlans)
    if link == 113:
        return (16, vlans) if len(fr) >= 16 and fr[14:16] in (b"\x08\x00", b"\x86\xdd") else (None, vlans)
    if link == 276:
        return (20, vlans) if len(fr) >= 20 and fr[0:2] in (b"\x08\x00", b"\x86\xdd") else (None, vlans)
    if link in (0, 108):
        return 4, vlans
    if link in (12, 14, 101, 228, 229):
        return 0, vlans
    return None, vlans

class Pkt:
    pass

def parse_ip(ip):
    """Returns a Pkt with addresses, proto, ports, flags, seq, payload; or None."""
    p = Pkt()
    p.frag = False
    p.sport = p.dport = None
    p.flags = 0
    p.seq = 0
    p.payload = b""
    if len(ip) < 1:
        return None
    v = ip[0] >> 4
    if v == 4 and len(ip) >= 20:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        ip = ip[:total] if total >= ihl else ip
        fo = struct.unpack(">H", ip[6:8])[0]
        p.frag = (fo & 0x3fff) != 0
        p.first_frag = (fo & 0x1fff) == 0
        p.src, p.dst, p.proto, p.v = ip[12:16], ip[16:20], ip[9], 4
        l4 = ip[ihl:]
    elif v == 6 and len(ip) >= 40:
        plen = struct.unpack(">H", ip[4:6])[0]
        ip = ip[:40 + plen]
        p.src, p.dst, p.v = ip[8:24], ip[24:40], 6
        nh, o = ip[6], 40
        p.first_frag = True
        while nh in (0, 43, 60, 44) and o + 8 <= len(ip):
            if nh == 44:
                fo = struct.unpack(">H", ip[o + 2:o + 4])[0]
                p.frag = (fo & 0xfff9) != 0
                p.first_frag = (fo & 0xfff8) == 0
                nh, o = ip[o], o + 8
            else:
                nh, o = ip[o], o + (ip[o + 1] + 1) * 8
        p.proto = nh
        l4 = ip[o:]
    else:
        return None
    if p.frag and not p.first_frag:
        return p
    if p.proto == 6 and len(l4) >= 20:
        p.sport, p.dport = struct.unpack(">HH", l4[:4])
        p.seq = struct.unpack(">I", l4[4:8])[0]
        p.flags = l4[13]
        if not p.frag:
            p.payload = l4[(l4[12] >> 4) * 4:]
    elif p.proto == 17 and len(l4) >= 8:
        p.sport, p.dport = struct.unpack(">HH", l4[:4])
        if not p.frag:
            p.payload = l4[8:]
    return p

# ----------------------------------------------------------------- link wraps
def wrap(link, ip):
    v = ip[0] >> 4 if ip else 4
    et = b"\x86\xdd" if v == 6 else b"\x08\x00"
    if link == 0:
        return struct.pack("<I", 30 if v == 6 else 2) + ip
    if link == 108:
        return struct.pack(">I", 24 if v == 6 else 2) + ip
    if link == 1:
        return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01" + et + ip
    if link == 113:
        return b"\x00\x00\x00\x01\x00\x06\x02\x00\x00\x00\x00\x01\x00\x00" + et + ip
    if link == 276:
        return et + b"\x00\x00\x00\x00\x00\x02\x00\x01\x00\x06\x02\x00\x00\x00\x00\x01\x00\x00" + ip
    return ip

# ------------------------------------------------------------------ the seeds
seeds = {t: [] for t in ("decode", "flows", "handler", "json", "config", "savefile")}

def add(target, data):
    seeds[target].append(bytes(data))

def be16(n):
    return struct.pack(">H", n & 0xffff)

packets = []   # (capture, link, ts, frame, wirelen, ip or None, Pkt or None)
for path in PCAPS:
    name = os.path.basename(path)
    if SKIP.search(name):
        continue
    for link, ts, fr, orig in read_capture(path):
        off, vlans = l3_offset(link, fr)
        ip = fr[off:] if off is not None else None
        p = parse_ip(ip) if ip else None
        packets.append((name, link, ts, fr, orig, ip, p))

# decode: one frame per shape and capture, then the same IP bytes in another
# link type; captures take turns so that each one contributes.
per_capture = {}
shapes = set()
for name, link, ts, fr, orig, ip, p in packets:
    if link not in LINKS:
        continue
    key = (link, p.v if p else None, p.proto if p else None, p.flags if p else None,
           bool(p and p.frag), bool(p and p.payload), name)
    if key in shapes:
        continue
    shapes.add(key)
    lst = per_capture.setdefault(name, [])
    lst.append(bytes([LINKS.index(link)]) + fr[:4096])
    if ip and p:
        other = LINKS[(len(shapes) * 7) % len(LINKS)]
        if other in (228, 229):
            other = 228 if p.v == 4 else 229
        lst.append(bytes([LINKS.index(other)]) + wrap(other, ip[:4096]))
while any(per_capture.values()) and len(seeds["decode"]) < MAX_SEEDS:
    for name in sorted(per_capture):
        if per_capture[name] and len(seeds["decode"]) < MAX_SEEDS:
            add("decode", per_capture[name].pop(0))

# flows: per flow (first 40 packets) and per window of the capture.
def step(delta_us):
    if delta_us < 2390000:
        return max(0, min(0xef, delta_us // 10000))
    return 0xef + min(16, max(1, delta_us // 10000000))

def flow_seed(pkts):
    raw = any(link not in (1,) for _, link, *_ in pkts)
    out = bytearray([1 if raw else 0])
    last = None
    for name, link, ts, fr, orig, ip, p in pkts:
        frame = ip if raw else fr
        if frame is None:
            continue
        frame = frame[:0x7fff]
        out.append(step(ts - last) if last is not None else 0)
        last = ts
        cut = 0x8000 if orig > len(fr) else 0
        out += be16(len(frame) | cut) + frame
        if len(out) > 24 * 1024:
            break
    return out

by_capture = {}
for pk in packets:
    by_capture.setdefault(pk[0], []).append(pk)
flows_by_key = {}
for pk in packets:
    p = pk[6]
    if not p:
        continue
    if p.sport is None:
        key = (pk[0], "ip", min(p.src, p.dst), max(p.src, p.dst), p.proto)
    else:
        a, b = (p.src, p.sport), (p.dst, p.dport)
        key = (pk[0], p.proto, min(a, b), max(a, b))
    flows_by_key.setdefault(key, []).append(pk)
flow_seeds = [flow_seed(v[:40]) for v in flows_by_key.values()]
window_seeds = []
for name, pk in sorted(by_capture.items()):
    for start in range(0, min(len(pk), 144), 48):
        window_seeds.append(flow_seed(pk[start:start + 48]))
for s in window_seeds[:60] + flow_seeds[:MAX_SEEDS - 60]:
    add("flows", s)

# handler: registry order from handlers/registry.c, ports of the handlers.
order = re.findall(r"&pd_handler_(\w+),", open(os.path.join(TOP, "handlers/registry.c")).read())
PORTS = {"dns": [53], "smtp": [25, 587, 465], "tls": [443, 853, 993, 995]}
ODD = {2525: "smtp", 2526: "smtp"}

def handler_of(port):
    for h, ports in PORTS.items():
        if port in ports and h in order:
            return h, ports.index(port)
    if port in ODD and ODD[port] in order:
        return ODD[port], 3
    return None, None

def handler_seed(pkts):
    first = pkts[0][6]
    syn = [pk[6] for pk in pkts if pk[6].proto == 6 and pk[6].flags & 0x12 == 0x02]
    if syn:
        server = (syn[0].dst, syn[0].dport)
    else:
        a, b = (first.src, first.sport), (first.dst, first.dport)
        server = a if handler_of(a[1])[0] and not handler_of(b[1])[0] else b
    name, choice = handler_of(server[1])
    if name is None:
        return None
    udp = first.proto == 17
    hb = order.index(name) | choice << 4 | (0x40 if udp else 0) | (0 if syn or udp else 0x80)
    out = bytearray([hb, 0x20 if first.v == 6 else 0])
    nxt = {}
    for *_, p in pkts:
        d = 0 if (p.dst, p.dport) == server else 1
        if udp:
            if p.payload:
                out += bytes([d]) + be16(len(p.payload)) + p.payload[:0xffff]
            continue
        if p.flags & 0x02:
            nxt[d] = (p.seq + 1) & 0xffffffff
            continue
        data, seq = p.payload, p.seq
        if not data:
            continue
        if d not in nxt:
            nxt[d] = seq
        rel = (seq - nxt[d]) & 0xffffffff
        if rel >= 0x80000000:       # old bytes: keep only what is new
            old = 0x100000000 - rel
            if old >= len(data):
                continue
            data, seq = data[old:], (seq + old) & 0xffffffff
        elif rel > 0:
            out += bytes([d | 2]) + be16(min(rel, 0xffff))
        out += bytes([d]) + be16(len(data)) + data
        nxt[d] = (seq + len(data)) & 0xffffffff
        if len(out) > 32 * 1024:
            break
    return out

hseeds = []
for key, pk in flows_by_key.items():
    pk = [x for x in pk if x[6].sport is not None]
    if pk and pk[0][6].proto in (6, 17):
        s = handler_seed(pk)
        if s and len(s) > 2:
            hseeds.append(s)

def smtp_session(hb, lines):
    out = bytearray([hb, 0])
    for d, text in lines:
        b = text.encode()
        out += bytes([d]) + be16(len(b)) + b
    return out

S, C = 0, 1
synthetic = [
    [(C, "220 mx.example ESMTP\r\n"), (S, "EHLO laptop.example\r\n"),
     (C, "250-mx.example\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250-CHUNKING\r\n250 SIZE 1000\r\n"),
     (S, "AUTH PLAIN AGZha2UAbm90LWEtcGFzc3dvcmQ=\r\n"), (C, "235 2.7.0 ok\r\n"),
     (S, "MAIL FROM:<a@example> SIZE=20\r\nRCPT TO:<b@example>\r\nBDAT 20 LAST\r\n0123456789abcdefghij"),
     (C, "250 ok\r\n250 ok\r\n250 ok\r\n"), (S, "QUIT\r\n"), (C, "221 bye\r\n")],
    [(C, "220 mx\r\n"), (S, "EHLO x\r\n"), (C, "250-mx\r\n250 AUTH LOGIN\r\n"),
     (S, "AUTH LOGIN\r\n"), (C, "334 VXNlcm5hbWU6\r\n"), (S, "ZmFrZQ==\r\n"),
     (C, "334 UGFzc3dvcmQ6\r\n"), (S, "bm90LWEtcGFzc3dvcmQ=\r\n"), (C, "535 5.7.8 no\r\n"),
     (S, "MAIL FROM:<>\r\n"), (C, "530 auth first\r\n"), (S, "QUIT\r\n"), (C, "221 bye\r\n")],
    [(C, "220 mx\r\n"), (S, "HELO x\r\n"), (C, "250 mx\r\n"), (S, "MAIL FROM:<a@b>\r\n"),
     (C, "250 ok\r\n"), (S, "RCPT TO:<c@d>\r\n"), (C, "250 ok\r\n"), (S, "DATA\r\n"),
     (C, "354 go\r\n"), (S, "Subject: x\r\n\r\n..dot\r\nbody\n.\r\n"), (C, "250 queued\r\n"),
     (S, "STARTTLS\r\n"), (C, "220 go ahead\r\n"), (S, "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00")],
]
if "smtp" in order:
    for lines in synthetic:
        hseeds.append(smtp_session(order.index("smtp"), lines))
for s in hseeds[:MAX_SEEDS]:
    add("handler", s)

# json: writer programs (mode 0) and event programs (mode 1) carrying texts
# found in the captures (SMTP lines, DNS names) and bytes that are not UTF-8.
texts = []
for *_, p in packets:
    if p and p.payload:
        for line in p.payload.split(b"\r\n")[:3]:
            if 2 < len(line) < 200 and line not in texts:
                texts.append(line)
texts = texts[:60] + [b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                      b"\xe2\x80\xa8\xe2\x80\xa9", b"a\x00b", b"\"\\\x01\x1f\x7f",
                      "ünïcödé 𝄞".encode()]

def writer_prog(items, limit, depth):
    out = bytearray([0]) + be16(limit) + bytes([64])
    out += b"\x00"                          # { at the top level
    for _ in range(depth):
        out += b"\x02\x00"                  # "k:": [
        out += b"\x00"                      # { in the array
    for i, t in enumerate(items):
        t = t[:255]
        key = t[:(i % 8)]
        out += b"\x05" + bytes([len(key)]) + key + be16(len(t)) + t      # "k..":"t"
        out += b"\x06" + bytes([0]) + be16(i) * 4                        # number
        out += b"\x0a" + bytes([0]) + struct.pack(">d", i / 7.0)          # double
    out += b"\x0d"                          # close all, check, next document
    return out

def event_prog(items, limit):
    out = bytearray([1]) + be16(limit)
    out += bytes([1, 6]) + bytes(range(16)) + bytes(range(16, 32)) + be16(40001) + be16(25)
    out += bytes([2]) + be16(100) + be16(200) + be16(0) + be16(0) + be16(1) * 3 + be16(0)
    out += b"\x00" + bytes([4]) + b"smtp" + be16(0x0006) + be16(0x4b1f) + be16(0x8a3c) + be16(0)
    for i, t in enumerate(items):
        t = t[:255]
        out += b"\x05" + bytes([0xc0 + i % 13 if i % 3 == 0 else 2]) + (b"" if i % 3 == 0 else b"ab")
        out += bytes([len(t)]) + t
        out += b"\x02\x01" + b"x"              # "k:x": [
        out += b"\x04" + be16(len(t)) + t      # bytes in the array
        out += b"\x03"                         # ]
    out += b"\x0f"                             # emit
    return out

for i in range(0, len(texts), 4):
    chunk = texts[i:i + 4]
    add("json", writer_prog(chunk, [0, 64, 200, 4096, 65535][i % 5], i % 6))
    add("json", event_prog(chunk, [0, 128, 300, 4096][i % 4]))
add("json", writer_prog([], 64, 20))

# config: every option name of daemon/options.c, with values that parse.
names = re.findall(r'\{"([a-z-]+)", [^,]+, (no|required)_argument, true\}',
                   open(os.path.join(TOP, "daemon/options.c")).read())
VALUES = {"port": "2525/tcp=smtp", "snaplen": "65535", "buffer-size": "4096",
          "stats-interval": "60", "workers": "1", "user": "nobody", "write": "/dev/null",
          "filter": "tcp port 25", "community-id-seed": "1", "read": "a.pcap"}
full = ["# portdemuxd.conf: every option"]
for n, kind in names:
    if n in ("interface", "read", "daemonize", "pidfile", "chroot", "immediate", "no-promisc"):
        continue
    full.append(n if kind == "no" else "%s = %s" % (n, VALUES.get(n, "30")))
add("config", ("\n".join(full) + "\n").encode())
for n, kind in names:
    add("config", ("# one option\n  %s%s\t\r\n" % (n, "" if kind == "no" else " = " + VALUES.get(n, "10"))).encode())
for conf in sorted(glob.glob(os.path.join(TOP, "contrib", "*.conf")) +
                   glob.glob(os.path.join(TOP, "contrib", "*", "*.conf"))):
    add("config", open(conf, "rb").read())
add("config", b"interface = eth0\nimmediate\nno-promisc\nsnaplen = 96\n")
add("config", b"port = 25=none\nport = 587/tcp=smtp\n# comment\n\nport=53/udp=dns\n")
add("config", b"max-flows = 0\n")
add("config", b"= value\n")
add("config", b"quiet = yes\n")
add("config", b"config = /etc/other.conf\n")

# savefile: the project's own small classic pcap files (whole files: never
# the shared captures), cut inside their last record, with a record time
# libpcap keeps but the fast reader leaves to it, and rewritten big-endian
# with nanosecond stamps.
def pcap_records(data):
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        yield off, incl
        off += 16 + incl

for path in PCAPS:
    with open(path, "rb") as f:
        data = f.read()
    if (os.path.dirname(os.path.abspath(path)) != os.path.join(os.path.abspath(TOP), "pcaps")
            or SKIP.search(path) or len(data) > 16384 or data[:4] != b"\xd4\xc3\xb2\xa1"):
        continue
    add("savefile", data)
    add("savefile", data[:-7])
    recs = list(pcap_records(data))
    if len(recs) > 2:
        odd = bytearray(data)
        struct.pack_into("<I", odd, recs[len(recs) // 2][0] + 4, 1999999)
        add("savefile", bytes(odd))
        big = bytearray(struct.pack(">IHHiIII", 0xa1b23c4d, 2, 4, 0,
                                    *struct.unpack("<III", data[12:24])))
        for off, incl in recs:
            sec, usec, _, orig = struct.unpack("<IIII", data[off:off + 16])
            big += struct.pack(">IIII", sec, usec * 1000, incl, orig) + data[off + 16:off + 16 + incl]
        add("savefile", bytes(big))

# ------------------------------------------------------------------- writing
for target, items in seeds.items():
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if f.startswith("seed-"):
            os.remove(os.path.join(d, f))
    seen = set()
    n = 0
    for data in items:
        h = hashlib.sha1(data).hexdigest()
        if h in seen or n >= MAX_SEEDS:
            continue
        seen.add(h)
        with open(os.path.join(d, "seed-%s" % h[:16]), "wb") as f:
            f.write(data)
        n += 1
    print("%-8s %3d seeds" % (target, n))
PYEOF
