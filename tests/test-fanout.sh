#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test-fanout.sh — live capture with --workers 2 on a veth joins a PACKET_FANOUT group
# (daemon/fanout.h, packet(7)): each worker reads its own handle and the kernel's symmetric
# flow hash keeps both directions of a flow on one of them. A client namespace opens many
# UDP and TCP flows, over IPv4 and IPv6, to echo servers in the daemon's namespace while
# tcpdump records the same veth. Checked: the daemon said it uses a fanout group; every flow
# tcpdump saw is reported by exactly one flow event (a flow split between two workers would
# show as two events of one 5-tuple with the packets shared out); each flow's packet count
# equals tcpdump's; both workers read packets.
# Needs root; SKIPs (77) naming what is missing. Names start with pdfan; everything started
# is stopped by PID and the namespaces are removed on every exit path.
set -u

pd="${top_builddir:-.}/portdemuxd"
[ -x "$pd" ] || { echo "no $pd: build first"; exit 99; }
pd=$(cd "$(dirname "$pd")" && pwd)/$(basename "$pd") # ip netns exec runs it from elsewhere
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (network namespaces, live capture)"; exit 77; }
for c in ip tcpdump python3; do
	command -v "$c" >/dev/null || { echo "SKIP: no $c"; exit 77; }
done

ns_d="pdfan-$$-d"  # portdemuxd, tcpdump, echo servers
ns_c="pdfan-$$-c"  # clients
if_d="pdfan$$d"
if_c="pdfan$$c"
tmp=$(mktemp -d /tmp/pd-fanout.XXXXXX) || exit 99
pids=""
pd_pid=""

cleanup() {
	local rc=$?
	set +e
	for p in $pd_pid $pids; do kill "$p" 2>/dev/null; done
	for p in $pd_pid $pids; do wait "$p" 2>/dev/null; done
	ip netns del "$ns_d" 2>/dev/null
	ip netns del "$ns_c" 2>/dev/null
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -s "$tmp/pd.err" ]; then
		sed 's/^/   pd.err: /' "$tmp/pd.err" | tail -n 15
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_for() { # tenths COMMAND...
	local n=$1
	shift
	while ! "$@" 2>/dev/null; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

ip netns add "$ns_d" 2>"$tmp/netns.err" || {
	echo "SKIP: cannot create network namespaces here: $(cat "$tmp/netns.err")"
	exit 77
}
ip netns add "$ns_c" || exit 99
ip link add "$if_d" netns "$ns_d" type veth peer name "$if_c" netns "$ns_c" || exit 99
for end in "$ns_d:$if_d:1" "$ns_c:$if_c:2"; do
	ns=${end%%:*} rest=${end#*:}
	ifc=${rest%%:*} n=${rest#*:}
	ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$ifc.accept_dad=0" \
		"net.ipv6.conf.$ifc.router_solicitations=0" "net.ipv6.conf.$ifc.accept_ra=0"
	ip -n "$ns" addr add "10.91.0.$n/24" dev "$ifc"
	ip -n "$ns" addr add "fd91::$n/64" dev "$ifc" nodad
	ip -n "$ns" link set "$ifc" up
	ip -n "$ns" link set lo up
done

# Echo servers: UDP on 7000-7003, TCP on 8000 (both families). ip netns exec execs.
cat >"$tmp/srv.py" <<'EOF'
import socket, threading
def udp(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    while True:
        d, a = s.recvfrom(65535)
        s.sendto(d, a)
def conn(c):
    with c:
        while True:
            d = c.recv(65535)
            if not d:
                return
            c.sendall(d)
def tcp():
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", 8000))
    s.listen(128)
    while True:
        c, _ = s.accept()
        threading.Thread(target=conn, args=(c,), daemon=True).start()
for p in range(7000, 7004):
    threading.Thread(target=udp, args=(p,), daemon=True).start()
tcp()
EOF
ip netns exec "$ns_d" python3 "$tmp/srv.py" &
pids="$pids $!"

# Immediate mode makes libpcap use TPACKET_V2, one ring slot per snapshot length: a small
# snapshot (the frames here are at most 1,514 bytes) and a large buffer keep a loaded
# machine from dropping packets before tcpdump reads them.
ip netns exec "$ns_d" tcpdump -Z root -n -i "$if_d" -s 2048 -B 32768 -U --immediate-mode \
	-w "$tmp/ref.pcap" 2>"$tmp/tcpdump.err" &
pids="$pids $!"
wait_for 100 grep -q 'listening on' "$tmp/tcpdump.err" || { echo "FAIL: tcpdump: $(cat "$tmp/tcpdump.err")"; exit 1; }

chmod 0777 "$tmp"
ip netns exec "$ns_d" "$pd" -i "$if_d" --workers 2 -w "$tmp/ev.json" --stats-interval 1 \
	2>"$tmp/pd.err" &
pd_pid=$!
wait_for 100 grep -q 'PACKET_FANOUT group' "$tmp/pd.err" ||
	{ echo "FAIL: no fanout group: $(cat "$tmp/pd.err")"; exit 1; }
# The group is complete before the privilege drop; give the loop a moment to start.
sleep 0.5

# Clients: 120 UDP flows (a few datagrams each, both directions) and 60 TCP connections, on
# both families, each from its own source port.
cat >"$tmp/cli.py" <<'EOF'
import socket, sys
for fam, dst in ((socket.AF_INET, "10.91.0.1"), (socket.AF_INET6, "fd91::1")):
    for i in range(60):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.settimeout(2)
        for k in range(1 + i % 4):
            s.sendto(b"q%d-%d" % (i, k) * (1 + k), (dst, 7000 + i % 4))
            s.recvfrom(65535)
        s.close()
    for i in range(30):
        c = socket.create_connection((dst, 8000), timeout=5)
        for k in range(1 + i % 3):
            msg = b"x" * (100 + 700 * k)
            c.sendall(msg)
            got = b""
            while len(got) < len(msg):
                got += c.recv(65535)
        c.close()
EOF
ip netns exec "$ns_c" python3 "$tmp/cli.py" || { echo "FAIL: clients"; exit 1; }

# Both capturers must have read everything before they are stopped (a slow, loaded or
# sanitized run lags): the daemon's per-second stats events and tcpdump's file must stop
# growing.
last_stats() { grep '"event_type":"stats"' "$tmp/ev.json" | tail -n "$1" | sed 's/.*"stats":{"packets":\([0-9]*\).*/\1/' | sort -u | wc -l; }
settled() { [ "$(grep -c '"event_type":"stats"' "$tmp/ev.json")" -ge 2 ] && [ "$(last_stats 2)" -eq 1 ]; }
sleep 1
wait_for 300 settled || { echo "FAIL: the daemon's packet count does not settle"; exit 1; }
prev=-1
for _ in $(seq 60); do
	size=$(wc -c <"$tmp/ref.pcap")
	[ "$size" -eq "$prev" ] && break
	prev=$size
	sleep 0.5
done

kill -TERM "$pd_pid"
wait "$pd_pid"
rc=$?
pd_pid=""
[ "$rc" -eq 0 ] || { echo "FAIL: portdemuxd exit status $rc"; exit 1; }
sleep 0.3
for p in $pids; do kill "$p" 2>/dev/null; done
for p in $pids; do wait "$p" 2>/dev/null; done
pids=""
# A reference with holes would blame the daemon for tcpdump's losses.
if grep -q '[1-9][0-9]* packets* dropped by kernel' "$tmp/tcpdump.err"; then
	echo "SKIP: tcpdump dropped packets (machine too busy): $(grep dropped "$tmp/tcpdump.err")"
	exit 77
fi

python3 - "$tmp/ref.pcap" "$tmp/ev.json" "$tmp/pd.err" <<'EOF'
import ipaddress, json, re, struct, sys
from collections import Counter

def key(a, pa, b, pb, proto):
    x, y = (a, pa), (b, pb)
    return (proto,) + (x + y if x <= y else y + x)

# tcpdump's packets per flow (Ethernet, IPv4/IPv6, TCP/UDP; no fragments in this test).
ref = Counter()
data = open(sys.argv[1], "rb").read()
magic = struct.unpack("<I", data[:4])[0]
end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
off = 24
while off + 16 <= len(data):
    _, _, cap, _ = struct.unpack(end + "IIII", data[off:off + 16])
    f = data[off + 16:off + 16 + cap]
    off += 16 + cap
    et = struct.unpack("!H", f[12:14])[0]
    if et == 0x0800:
        ihl = (f[14] & 15) * 4
        proto, src, dst, l4 = f[23], f[26:30], f[30:34], f[14 + ihl:]
    elif et == 0x86dd:
        proto, src, dst, l4 = f[20], f[22:38], f[38:54], f[54:]
    else:
        continue
    if proto not in (6, 17):
        continue
    sp, dp = struct.unpack("!HH", l4[:4])
    if 7000 <= sp <= 8000 or 7000 <= dp <= 8000:
        ref[key(ipaddress.ip_address(src), sp, ipaddress.ip_address(dst), dp,
                "TCP" if proto == 6 else "UDP")] += 1

events = Counter()
pkts = {}
for line in open(sys.argv[2]):
    e = json.loads(line)
    if e.get("event_type") != "flow":
        continue
    k = key(ipaddress.ip_address(e["src_ip"]), e["src_port"],
            ipaddress.ip_address(e["dest_ip"]), e["dest_port"], e["proto"])
    if k not in ref:
        continue
    events[k] += 1
    pkts[k] = pkts.get(k, 0) + e["flow"]["pkts_toserver"] + e["flow"]["pkts_toclient"]

bad = 0
for k, n in ref.items():
    if events[k] != 1 or pkts.get(k) != n:
        bad += 1
        if bad <= 10:
            print("FAIL: flow %s: %d flow events, %s packets, tcpdump %d" % (k, events[k], pkts.get(k), n))
tcp = sum(1 for k in ref if k[0] == "TCP")
udp = len(ref) - tcp
if tcp < 60 or udp < 120:
    print("FAIL: tcpdump saw %d TCP and %d UDP flows, want 60 and 120" % (tcp, udp))
    bad += 1
workers = {}
for line in open(sys.argv[3]):
    m = re.search(r"worker (\d+) read (\d+) packets", line)
    if m:
        workers[int(m.group(1))] = int(m.group(2))
if sorted(workers) != [0, 1] or min(workers.values()) == 0:
    print("FAIL: packets per worker: %s" % workers)
    bad += 1
print("%d flows (%d TCP, %d UDP), %d packets; per worker %s; %d problems"
      % (len(ref), tcp, udp, sum(ref.values()), workers, bad))
sys.exit(1 if bad else 0)
EOF
