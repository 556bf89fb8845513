#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mk-impaired.sh — records portdemux's impaired-network captures from real programs: SMTP
# (RFC 5321, swaks to postfix's smtp-sink) over TCP (RFC 9293) whose segments are dropped,
# duplicated and reordered on the way, and DNS (RFC 1035, dig to dnsmasq) over UDP whose large
# answers are fragmented on a routed hop with a small MTU (IPv4 RFC 791 by the router, IPv6
# RFC 8200 5 by the server after an ICMPv6 Packet Too Big, RFC 8201), in IPv4 and IPv6.
#
# Usage (as root, Debian 12):  pcaps/mk-impaired.sh [-o DIR] [CAPTURE...]
#   CAPTURE is one of: impaired-smtp-v4 impaired-tcp-v6 frag-udp-v4 frag-udp-v6 (default all).
#   Files go to DIR (default: this folder): CAPTURE.pcap, CAPTURE.relay.txt (the relay's log of
#   its actions; not ".log", which .gitignore hides), impaired-*.expect (what the client sent,
#   for tests/test-impaired-reasm.sh) and a row each in DIR/PROVENANCE.md's impaired section.
# The capture kernel has no netem, so the impairment is done by pcaps/relay.py: in the router
# namespace it bridges the client's link to the router's own interface through AF_PACKET
# sockets and drops, duplicates and holds back frames, deterministically (a seeded PRNG or a
# fixed plan), logging each action. Topology (all veth):
#
#   client ns          router ns                                       server ns
#   c0 ====== ra -[relay.py]- rb ====== rc  (kernel IPv4/IPv6 forwarding)  r1 ====== s0
#   10.99.1.2                           10.99.1.1              10.99.2.1     10.99.2.2
#   fd99:1::2   <---- MTU 1280 on this whole segment ---->    fd99:2::1      fd99:2::2
#                                    (relay.py --tap: mirror port t0 ====== t1, tcpdump)
#
# The small MTU sits on the router's client-facing hop, the hop that the server's large
# answers cross after the router: that is where the router fragments IPv4 datagrams sent
# without DF (net.ipv4.ip_no_pmtu_disc=1 in the server namespace) and where it refuses IPv6
# packets with Packet Too Big, after which the server fragments them itself.
# It installs nothing: a missing tool is reported with its Debian package, and it stops.
# Namespaces are named pdi-<pid>-{c,r,s}; they, and every process the script starts (relay,
# tcpdump, smtp-sink, dnsmasq, clients), are stopped by PID and removed on every exit path.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=$here
all_captures="impaired-smtp-v4 impaired-tcp-v6 frag-udp-v4 frag-udp-v6"

usage() { sed -n '9,13s/^# \{0,1\}//p' "$0" >&2; exit 2; }
while getopts o:h opt; do
	case $opt in
	o) out=$(cd "$OPTARG" && pwd) ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
wanted=${*:-$all_captures}
for c in $wanted; do
	case " $all_captures " in *" $c "*) ;; *) echo "unknown capture: $c" >&2; usage ;; esac
done

[ "$(id -u)" -eq 0 ] || { echo "mk-impaired.sh: needs root (network namespaces, raw sockets)" >&2; exit 1; }

# --- tools: command -> Debian package ------------------------------------------------
missing=""
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2 (for $1);"; }
need_file() { [ -e "$1" ] || missing="$missing $2 (for $1);"; }
need_cmd ip iproute2
need_cmd ss iproute2
need_cmd tcpdump tcpdump
need_cmd smtp-sink postfix
need_cmd swaks swaks
need_cmd dnsmasq dnsmasq-base
need_cmd dig bind9-dnsutils
need_cmd capinfos wireshark-common
need_cmd sha256sum coreutils
need_file /usr/bin/python3 python3
if [ -n "$missing" ]; then
	echo "mk-impaired.sh: missing Debian packages:$missing" >&2
	echo "install them with: apt-get install <package>" >&2
	exit 1
fi
py=/usr/bin/python3
relay=$here/relay.py

# --- names, state and the cleanup that always runs -------------------------------------
tag="pdi-$$"
ns_c="$tag-c"    # client: swaks, dig
ns_r="$tag-r"    # router: kernel forwarding, relay.py, the mirror port
ns_s="$tag-s"    # server: smtp-sink, dnsmasq
v4_c=10.99.1.2 v4_rc=10.99.1.1 v4_r1=10.99.2.1 v4_s=10.99.2.2
v6_c=fd99:1::2 v6_rc=fd99:1::1 v6_r1=fd99:2::1 v6_s=fd99:2::2
small_mtu=1280
zone=pd.test
tmp=$(mktemp -d /tmp/pd-impaired.XXXXXX)
pids=""          # every process still running that this script started

forget() { pids=$(echo "$pids" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ' || true); }
stop_pid() { # pid: TERM, wait up to 5 s, then KILL
	local p=$1
	kill "$p" 2>/dev/null || { forget "$p"; return 0; }
	for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	forget "$p"
}
cleanup() {
	set +e
	for p in $pids; do stop_pid "$p"; done
	for ns in "$ns_c" "$ns_r" "$ns_s"; do
		ip netns list | grep -q "^$ns\b" && ip netns del "$ns"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

in_c() { ip netns exec "$ns_c" "$@"; }
in_r() { ip netns exec "$ns_r" "$@"; }
in_s() { ip netns exec "$ns_s" "$@"; }

# --- topology ------------------------------------------------------------------------------
ip netns add "$ns_c"
ip netns add "$ns_r"
ip netns add "$ns_s"
ip -n "$ns_c" link add c0 type veth peer name ra netns "$ns_r"
ip -n "$ns_r" link add rb type veth peer name rc
ip -n "$ns_r" link add r1 type veth peer name s0 netns "$ns_s"
ip -n "$ns_r" link add t0 type veth peer name t1
for ns in "$ns_c" "$ns_r" "$ns_s"; do ip -n "$ns" link set lo up; done
# The relay's ports and the mirror are wires, not hosts: no IPv6 of their own, and no ARP
# (else the router would answer the client's ARP for 10.99.1.1 from ra as well as from rc).
for dev in ra rb t0 t1; do
	in_r sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"
	ip -n "$ns_r" link set "$dev" arp off
done
in_r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
# No router solicitations or RAs: keep the captures to the traffic under test.
for pair in "$ns_c:c0" "$ns_r:rc" "$ns_r:r1" "$ns_s:s0"; do
	ip netns exec "${pair%%:*}" sysctl -qw "net.ipv6.conf.${pair#*:}.router_solicitations=0" \
		"net.ipv6.conf.${pair#*:}.accept_ra=0"
done
# IPv4 without DF from the server (its UDP answers are fragmented by the router); TCP is not
# affected: both ends' MSS fits the small MTU.
in_s sysctl -qw net.ipv4.ip_no_pmtu_disc=1
ip -n "$ns_c" link set c0 mtu "$small_mtu"
for dev in ra rb rc; do ip -n "$ns_r" link set "$dev" mtu "$small_mtu"; done
ip -n "$ns_c" addr add "$v4_c/24" dev c0
ip -n "$ns_c" addr add "$v6_c/64" dev c0 nodad
ip -n "$ns_r" addr add "$v4_rc/24" dev rc
ip -n "$ns_r" addr add "$v6_rc/64" dev rc nodad
ip -n "$ns_r" addr add "$v4_r1/24" dev r1
ip -n "$ns_r" addr add "$v6_r1/64" dev r1 nodad
ip -n "$ns_s" addr add "$v4_s/24" dev s0
ip -n "$ns_s" addr add "$v6_s/64" dev s0 nodad
ip -n "$ns_c" link set c0 up
for dev in ra rb rc r1 t0 t1; do ip -n "$ns_r" link set "$dev" up; done
ip -n "$ns_s" link set s0 up
ip -n "$ns_c" route add default via "$v4_rc"
ip -n "$ns_c" -6 route add default via "$v6_rc"
ip -n "$ns_s" route add default via "$v4_r1"
ip -n "$ns_s" -6 route add default via "$v6_r1"
# Full frames with final checksums on every veth: the relay reads and writes raw frames, and
# a segmentation-offloaded (64 KiB) or checksum-partial frame cannot be relayed as it is.
in_c "$py" "$relay" offload-off c0 >"$tmp/offloads"
in_r "$py" "$relay" offload-off ra rb rc r1 t0 t1 >>"$tmp/offloads"
in_s "$py" "$relay" offload-off s0 >>"$tmp/offloads"
for _ in $(seq 50); do # link-local DAD over, so its probes stay out of the captures
	[ -z "$(in_c ip -6 addr show tentative)$(in_r ip -6 addr show tentative)$(in_s ip -6 addr show tentative)" ] && break
	sleep 0.1
done

# --- servers -------------------------------------------------------------------------------
# smtp-sink (postfix's test server) accepts and discards the mail; one per address family.
# Started directly (not through in_s) so that $! is the server itself: ip netns exec execs.
ip netns exec "$ns_s" smtp-sink -u postfix -h "mx.$zone" "$v4_s:25" 16 >"$tmp/smtp-sink4.log" 2>&1 &
pids="$pids $!"
ip netns exec "$ns_s" smtp-sink -u postfix -h "mx.$zone" "[$v6_s]:25" 16 >"$tmp/smtp-sink6.log" 2>&1 &
pids="$pids $!"

# dnsmasq: large TXT answers (EDNS0, RFC 6891, up to 4096 octets) for the fragment captures.
txt_strings() { # count, tag: that many 220-octet strings, each its own TXT record
	local i
	for i in $(seq "$1"); do
		printf -- '--txt-record=%s.%s,%s-%02d %s\n' "$2" "$zone" "$2" "$i" \
			"$(printf '%*s' 212 '' | tr ' ' "$(printf '%s' abcdefghijklm | cut -c"$i")")"
	done
}
mapfile -t txt_args < <(txt_strings 6 mid; txt_strings 13 big)
ip netns exec "$ns_s" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
	--no-poll --bind-interfaces --listen-address="$v4_s" --listen-address="$v6_s" \
	--pid-file="$tmp/dnsmasq.pid" --log-queries --log-facility=- --edns-packet-max=4096 \
	--local="/$zone/" --host-record="www.$zone,10.99.9.80,fd99:9::80" "${txt_args[@]}" \
	2>"$tmp/dnsmasq.log" &
pids="$pids $!"

wait_listen() { # namespace, ss filter, what
	for _ in $(seq 100); do
		ip netns exec "$1" ss -Hlntu "$2" | grep -q . && return 0
		sleep 0.1
	done
	echo "mk-impaired.sh: $3 does not listen" >&2
	cat "$tmp"/*.log >&2 2>/dev/null || true
	exit 1
}
wait_listen "$ns_s" "( sport = :25 )" smtp-sink
wait_listen "$ns_s" "( sport = :53 )" dnsmasq

# --- the relay and the capture, around each client run ------------------------------------
relay_pid="" cap_pid=""
relay_start() { # log file, relay.py run options...
	local log=$1
	shift
	rm -f "$tmp/relay.ready"
	ip netns exec "$ns_r" "$py" "$relay" run --a ra --b rb --log "$log" \
		--ready "$tmp/relay.ready" "$@" 2>"$tmp/relay.err" &
	relay_pid=$!
	pids="$pids $relay_pid"
	for _ in $(seq 100); do [ -s "$tmp/relay.ready" ] && return 0; sleep 0.05; done
	cat "$tmp/relay.err" >&2
	exit 1
}
relay_stop() {
	local rc=0
	kill -TERM "$relay_pid"
	wait "$relay_pid" || rc=$?
	forget "$relay_pid"
	cat "$tmp/relay.err" >&2
	[ "$rc" -eq 0 ] || { echo "mk-impaired.sh: relay.py exited with $rc (see its log)" >&2; exit 1; }
}
cap_start() { # namespace, device, file, filter words...
	local ns=$1 dev=$2 file=$3
	shift 3
	: >"$tmp/tcpdump.err"
	ip netns exec "$ns" tcpdump -Z root -n -s 0 -U --immediate-mode -i "$dev" -w "$file" "$@" \
		2>"$tmp/tcpdump.err" &
	cap_pid=$!
	pids="$pids $cap_pid"
	for _ in $(seq 100); do grep -q 'listening on' "$tmp/tcpdump.err" && return 0; sleep 0.05; done
	cat "$tmp/tcpdump.err" >&2
	exit 1
}
cap_stop() {
	sleep 1 # the last retransmissions and the FIN exchange
	kill -TERM "$cap_pid" # tcpdump flushes and closes the file on SIGTERM
	wait "$cap_pid" || true
	forget "$cap_pid"
	grep -E 'packets (captured|dropped by kernel)' "$tmp/tcpdump.err" >&2 || true
	if grep -q '[1-9][0-9]* packets dropped by kernel' "$tmp/tcpdump.err"; then
		echo "mk-impaired.sh: tcpdump lost packets: its capture would not be what was sent" >&2
		exit 1
	fi
}
fresh_neighbours() { # each capture shows its own ARP and NDP exchanges
	ip -n "$ns_c" neigh flush all
	ip -n "$ns_r" neigh flush all
	ip -n "$ns_s" neigh flush all
}

# --- the clients -----------------------------------------------------------------------------
# A message of about $1 octets: headers and numbered 78-octet lines, CRLF line ends, no line
# starting with "." (so message_size = octets sent between DATA's 354 and the final ".").
make_message() { # octets, file, subject
	{
		printf 'From: <ann@client.%s>\r\nTo: <bob@%s>\r\nSubject: %s\r\n' "$zone" "$zone" "$3"
		printf 'Date: Sat, 28 Nov 2026 10:00:00 +0000\r\nMessage-ID: <%s.pdcap@client.%s>\r\n\r\n' \
			"$(printf %s "$3" | tr -c a-z0-9 -)" "$zone"
		awk -v n="$(($1 / 78))" 'BEGIN { for (i = 1; i <= n; i++)
			printf "%06d the quick brown fox jumps over the lazy dog; reassembled, byte for byte.\r\n", i }'
	} >"$2"
}
# What swaks says it sent as the message: its transcript shows each line after "<-  354" as
# " -> LINE" (LINE with its CR) up to " -> ."; one octet more per line for the LF, one fewer
# for a line whose leading dot swaks doubled (RFC 5321 4.5.2).
client_message_size() { # transcript
	awk '/^<-  354/ { on = 1; next }
	     on && /^ -> \.\r?$/ { print n; exit }
	     on && /^ -> / { s = substr($0, 5); n += length(s) + 1; if (s ~ /^\.\./) n-- }' "$1"
}
swaks_send() { # swaks options...: one delivery; the transcript goes to $tmp/transcript
	echo "\$ swaks $*" >>"$tmp/transcript"
	in_c swaks --timeout 60s --helo "client.$zone" --from "ann@client.$zone" --to "bob@$zone" \
		"$@" >>"$tmp/transcript" 2>&1
}
sport=41000
q_dig() { # dig arguments: each query from its own source port, so each is its own flow
	sport=$((sport + 1))
	local src=$v4_c
	case " $* " in *" -6 "*) src=$v6_c ;; esac
	echo "\$ dig -b $src#$sport +time=1 +tries=3 +bufsize=4096 +ignore $*" >>"$tmp/transcript"
	in_c dig -b "$src#$sport" +time=1 +tries=3 +bufsize=4096 +ignore "$@" >>"$tmp/transcript" 2>&1
}

# --- the captures ------------------------------------------------------------------------------
declare -A how contents tools_of
tcp_impair=(--select tcp --drop 0.02 --dup 0.02 --hold 0.04 --hold-frames 3 --hold-ms 40)
# Fragments toward the client, counted in order: IPv4 mid 1-2, big 3-7 (6 dropped), its retry
# 8-12, big 13-17, mid 18-19; IPv6 mid 1-2 (the answer after Packet Too Big), big 3-5, big
# 6-8 (6 dropped), its retry 9-11, mid 12-13. A held first fragment arrives after the next.
frag_common=(--select frag --dirs 's>c' --hold-frames 1 --hold-ms 50)
frag_plan_v4="1:hold,4:dup,6:drop,8:hold"
frag_plan_v6="1:hold,4:dup,6:drop,9:hold"

mk_impaired_smtp_v4() { # file, log
	make_message 300000 "$tmp/msg.eml" "impaired ipv4"
	relay_start "$2" "${tcp_impair[@]}" --seed 4
	fresh_neighbours
	cap_start "$ns_s" s0 "$1" tcp port 25
	swaks_send --server "$v4_s" --port 25 --data "@$tmp/msg.eml"
	cap_stop
	relay_stop
	expect_size=$(client_message_size "$tmp/transcript")
	# the capture point is the server's own link: it saw what the server got, before the
	# server could acknowledge it
	expect_missed=0 expect_never=0
	how[impaired-smtp-v4]="tcpdump -i s0 (server netns, behind the relay); relay.py ${tcp_impair[*]} --seed 4 on TCP both ways; swaks --server $v4_s --port 25 --data (a $(wc -c <"$tmp/msg.eml")-octet file) to smtp-sink"
	contents[impaired-smtp-v4]="SMTP 25 IPv4, one ~300 KB message: client segments dropped (the server sees the retransmission later), duplicated and held back (out of order at the server); server replies and ACKs dropped (the server retransmits), duplicated and held back; SACK. No capture gap: message_size $expect_size"
	tools_of[impaired-smtp-v4]="swaks $(swaks --version 2>&1 | awk '/version/{print $NF; exit}'), smtp-sink (postfix $(postconf -d -h mail_version 2>/dev/null || echo '?'))"
}

tap_count() { # what, relay log: octets of the client's direction in a tap-* line
	awk -v w="$1" -v c="$v6_c." '$2 == w && index($3, c) == 1 {
		for (i = 1; i <= NF; i++) if ($i == "octets") { print $(i - 1); exit } }' "$2"
}
mk_impaired_tcp_v6() { # file, log
	make_message 200000 "$tmp/msg.eml" "impaired ipv6"
	relay_start "$2" "${tcp_impair[@]}" --seed 6 --tap t0 --tap-loss 0.05 --tap-min-payload 1000
	fresh_neighbours
	cap_start "$ns_r" t1 "$1" tcp port 25
	swaks_send -6 --server "$v6_s" --port 25 --data "@$tmp/msg.eml"
	cap_stop
	relay_stop
	expect_size=$(client_message_size "$tmp/transcript")
	# the octets toward the server that the relay delivered but never mirrored, and those an
	# observer of the mirror must give up (also: mirrored only after the server's ACK)
	expect_never=$(tap_count tap-never-mirrored "$2")
	expect_missed=$(tap_count tap-missed "$2")
	local late=""
	[ "$expect_missed" -gt "$expect_never" ] &&
		late=", and $((expect_missed - expect_never)) mirrored only after the server's ACK had covered them (spurious retransmissions)"
	how[impaired-tcp-v6]="tcpdump -i t1: the relay's lossy mirror port (a SPAN port that loses 5% of the data segments of 1000+ octets, --tap-loss 0.05 --seed 6); relay.py ${tcp_impair[*]} --seed 6 on TCP both ways; swaks -6 --server $v6_s --port 25 --data (a $(wc -c <"$tmp/msg.eml")-octet file) to smtp-sink"
	contents[impaired-tcp-v6]="SMTP 25 IPv6, one ~200 KB message: segments dropped, duplicated and held back by the relay both ways, retransmissions; the mirror lost some data segments the server did get: real capture gaps of $expect_never octets toward the server, never mirrored$late; message_size $expect_size"
	tools_of[impaired-tcp-v6]="${tools_of[impaired-smtp-v4]:-swaks $(swaks --version 2>&1 | awk '/version/{print $NF; exit}'), smtp-sink (postfix $(postconf -d -h mail_version 2>/dev/null || echo '?'))}"
}

dns_queries() { # -4 or -6: the same questions in both captures
	local fam=$1 srv=$v4_s www=A
	[ "$fam" = -6 ] && srv=$v6_s www=AAAA
	q_dig "$fam" "@$srv" "www.$zone" "$www"
	q_dig "$fam" "@$srv" "mid.$zone" TXT
	q_dig "$fam" "@$srv" "big.$zone" TXT
	q_dig "$fam" "@$srv" "big.$zone" TXT
	q_dig "$fam" "@$srv" "mid.$zone" TXT
}

mk_frag_udp_v4() { # file, log
	relay_start "$2" "${frag_common[@]}" --plan "$frag_plan_v4"
	fresh_neighbours
	cap_start "$ns_c" c0 "$1" arp or ip
	dns_queries -4
	cap_stop
	relay_stop
	how[frag-udp-v4]="tcpdump -i c0 (client netns, after the relay); dig +bufsize=4096 +ignore +time=1 +tries=3 to dnsmasq --edns-packet-max=4096; server without DF (ip_no_pmtu_disc=1), router -> client MTU $small_mtu; relay.py ${frag_common[*]} --plan $frag_plan_v4"
	contents[frag-udp-v4]="DNS/UDP IPv4: www A (1 packet); mid TXT (~1.4 KB answer: fragmented by the router into 2); big TXT (~3 KB: fragmented by the server at 1500, each fragment again by the router at $small_mtu: 5 fragments) twice; mid TXT again. Relay on fragments toward the client: 1st held (arrives after the 2nd), 4th duplicated, 6th dropped (dig retries, that datagram never completes), 8th (the retry's first) held"
	tools_of[frag-udp-v4]="dnsmasq $(dnsmasq --version | awk 'NR==1{print $3}'), dig $(dig -v 2>&1 | awk '{print $2}')"
}

mk_frag_udp_v6() { # file, log
	relay_start "$2" "${frag_common[@]}" --plan "$frag_plan_v6"
	fresh_neighbours
	cap_start "$ns_c" c0 "$1" ip6
	dns_queries -6
	cap_stop
	relay_stop
	# the server's route to the client now carries the MTU that the Packet Too Big announced
	echo "\$ ip -6 route get $v6_c (server netns, after the captures)" >>"$tmp/transcript"
	in_s ip -6 route get "$v6_c" >>"$tmp/transcript"
	in_s ip -6 route get "$v6_c" | grep -q "mtu $small_mtu" ||
		{ echo "mk-impaired.sh: the server never learnt the path MTU $small_mtu" >&2; exit 1; }
	how[frag-udp-v6]="tcpdump -i c0 (client netns, after the relay); dig -6 +bufsize=4096 +ignore +time=1 +tries=3 to dnsmasq --edns-packet-max=4096; router -> client MTU $small_mtu (Packet Too Big to the server); relay.py ${frag_common[*]} --plan $frag_plan_v6"
	contents[frag-udp-v6]="DNS/UDP IPv6 (NDP too): www AAAA; mid TXT: the first answer (1.5 KB, unfragmented) is refused by the router with Packet Too Big and never reaches the client, dig asks again and the server sends it in 2 fragments (PMTU $small_mtu); big TXT (~3 KB, 3 fragments) twice; mid TXT again. Relay on fragments toward the client: 1st held (arrives after the 2nd), 4th duplicated, 6th dropped (dig retries, that datagram never completes), 9th (the retry's first) held"
	tools_of[frag-udp-v6]="${tools_of[frag-udp-v4]:-dnsmasq $(dnsmasq --version | awk 'NR==1{print $3}'), dig $(dig -v 2>&1 | awk '{print $2}')}"
}

# --- provenance ------------------------------------------------------------------------------
rest="relay.py (python3 $($py -c 'import platform; print(platform.python_version())')), tcpdump $(tcpdump --version 2>&1 | awk 'NR==1{print $3}'), iproute2 $(ip -V | sed 's/.*iproute2-//; s/[^0-9.].*//'), kernel $(uname -r)"
relay_summary() { # log: the relay's counts, in the table's words
	sed -n 's/^# summary: //p' "$1" | sed 's/ checksum-partial 0 send-errors 0$//; s/; *$//'
}
provenance() { # capture name, file, log
	local name=$1 file=$2 base pkts sum
	base=$(basename "$file")
	pkts=$(capinfos -c -M "$file" | awk -F: '/Number of packets/{gsub(/ /,"",$2); print $2}')
	sum=$(sha256sum "$file" | cut -c1-16)
	printf '| %s | %s | %s | mk-impaired.sh %s: %s | %s | %s (%s) | %s, %s | %s |\n' \
		"$base" "$(date -u +%Y-%m-%d)" "$pkts" "$name" "${how[$name]}" "${contents[$name]}" \
		"$(relay_summary "$3")" "$(basename "$3")" "${tools_of[$name]}" "$rest" "$sum"
}
# PROVENANCE.md is shared with make-captures.sh and mk-smtp.sh: only the <!-- impaired -->
# section is ours; everything outside it is kept as it is.
write_provenance() { # new rows file
	local p="$out/PROVENANCE.md" keep="$tmp/keep" old="$tmp/old-rows"
	: >"$keep"
	: >"$old"
	if [ -f "$p" ]; then
		awk '/^<!-- impaired begin -->$/{s=1} !s{print} /^<!-- impaired end -->$/{s=0}' "$p" |
			sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$keep"
		# keep the rows of captures not remade in this run
		awk '/^<!-- impaired begin -->$/{s=1} s && /^[|] (impaired|frag)-[a-z0-9-]*[.]pcap /{print} /^<!-- impaired end -->$/{s=0}' \
			"$p" | while IFS= read -r line; do
			f=$(echo "$line" | awk '{print $2}')
			grep -q "^| $f |" "$1" || echo "$line"
		done >"$old"
	fi
	{
		if [ -s "$keep" ]; then cat "$keep"; echo; else echo "# Provenance of the captures in pcaps/"; echo; fi
		echo "<!-- impaired begin -->"
		echo "## Impaired-network captures (pcaps/mk-impaired.sh, pcaps/relay.py)"
		echo
		echo "Made by \`pcaps/mk-impaired.sh\` (as root, Debian 12) from real traffic between three network"
		echo "namespaces: client -- router -- server, the router forwarding with the kernel. The capture"
		echo "kernel has no netem, so \`pcaps/relay.py\` impairs the client's link instead: it bridges it to"
		echo "the router's interface through AF_PACKET sockets and drops, duplicates and holds back"
		echo "(reorders) frames, chosen by a seeded PRNG (TCP) or a fixed plan (fragments), and logs every"
		echo "action to \`CAPTURE.relay.txt\` next to the capture (the last line sums them up, as in the table)."
		echo "The router's client-facing hop has MTU $small_mtu, so the server's large DNS answers are"
		echo "fragmented on the way: IPv4 by the router (the server sends without DF), IPv6 by the server"
		echo "after the router's Packet Too Big. SMTP: swaks sends one large message to postfix's smtp-sink;"
		echo "\`impaired-*.expect\` keeps what swaks says it sent (message_size: the octets of its transcript"
		echo "between the 354 and the final \".\") and the octets toward the server that the capture lacks"
		echo "(0 on the server's own link; for the mirror port, from the relay's log: never_captured, the"
		echo "octets delivered but never mirrored, and missed, those an observer must give up: never"
		echo "mirrored, or mirrored only after the server's ACK had covered them). tests/test-impaired-reasm.sh"
		echo "checks portdemuxd's events against them. Timestamps are the real capture times."
		echo
		echo "| capture | made (UTC) | packets | how | contents | relay (its log) | tools | sha256 (16) |"
		echo "|---|---|---|---|---|---|---|---|"
		sort "$old" "$1"
		echo "<!-- impaired end -->"
	} >"$p.new"
	mv "$p.new" "$p"
}

: >"$tmp/provenance"
for c in $wanted; do
	f=$c.pcap log=$c.relay.txt
	echo "== $f" >&2
	: >"$tmp/transcript"
	expect_size="" expect_missed="" expect_never=""
	"mk_${c//-/_}" "$tmp/$f" "$tmp/$log"
	# the transcript without the message lines and the long TXT strings
	grep -v -e '^ -> [0-9]\{6\} the quick' "$tmp/transcript" | cut -c1-120 | sed 's/^/   /' >&2 || true
	grep -v '^ *[0-9]' "$tmp/$log" | sed 's/^/   relay: /' >&2
	if [ -n "$expect_size" ]; then
		if [ -z "$expect_missed" ] || [ -z "$expect_never" ]; then
			echo "mk-impaired.sh: no tap-missed count in $log" >&2
			exit 1
		fi
		{
			echo "# $c.pcap, written by pcaps/mk-impaired.sh; read by tests/test-impaired-reasm.sh"
			echo "# message_size: what swaks sent as the message (its transcript, between 354 and \".\")"
			echo "# missed_toserver: octets toward the server that an observer of this capture must"
			echo "#   report lost: not captured before the server's ACK covered them (RFC 9293 3.4)"
			echo "# never_captured_toserver: octets toward the server that are nowhere in the capture"
			echo "message_size $expect_size"
			echo "missed_toserver $expect_missed"
			echo "never_captured_toserver $expect_never"
		} >"$out/$c.expect"
	fi
	for x in "$f" "$log"; do
		mv "$tmp/$x" "$out/$x"
		chown --reference="$out" "$out/$x"
		chmod 0644 "$out/$x"
	done
	provenance "$c" "$out/$f" "$out/$log" >>"$tmp/provenance"
done
write_provenance "$tmp/provenance"
sed 's/^/   offloads: /' "$tmp/offloads" >&2
echo "done: $(for c in $wanted; do printf '%s.pcap ' "$c"; done)" >&2
