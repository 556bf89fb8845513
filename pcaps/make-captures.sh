#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# make-captures.sh — records portdemux's own captures from real programs (RFC 1035 DNS over
# UDP/TCP, IEEE 802.1Q/802.1ad tags, Linux SLL2, pcapng, nanosecond pcap): dnsmasq serves a
# small zone in one network namespace, dig and kdig query it from another, tcpdump records
# the veth between them; the quick-start sample adds one SMTP delivery (swaks to postfix's
# smtp-sink, RFC 5321). Nothing is synthesised: every byte was sent by a real program.
#
# Usage (as root, Debian 12):  pcaps/make-captures.sh [-o DIR] [CAPTURE...]
#   CAPTURE is one of: sample dns-vlan dns-qinq dns-sll2 dns-v6 dns-nsec (default: all).
#   Files go to DIR (default: this folder); pcaps/PROVENANCE.md there gets one line each.
# It installs nothing: a missing tool is reported with its Debian package, and it stops.
# Namespaces and links are named pd-<pid>-*, and are removed on every exit path.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=$here
all_captures="sample dns-vlan dns-qinq dns-sll2 dns-v6 dns-nsec"

usage() { sed -n '7,9s/^# \{0,1\}//p' "$0" >&2; exit 2; }
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

[ "$(id -u)" -eq 0 ] || { echo "make-captures.sh: needs root (network namespaces, tc)" >&2; exit 1; }

# --- tools: command -> Debian package ------------------------------------------------
missing=""
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2 (for $1);"; }
need_file() { [ -e "$1" ] || missing="$missing $2 (for $1);"; }
need_cmd ip iproute2
need_cmd tc iproute2
need_cmd tcpdump tcpdump
need_cmd dnsmasq dnsmasq-base
need_cmd dig bind9-dnsutils
need_cmd kdig knot-dnsutils
need_cmd editcap wireshark-common
need_cmd capinfos wireshark-common
need_cmd clang clang
need_cmd swaks swaks
need_cmd smtp-sink postfix
need_cmd sha256sum coreutils
need_file /usr/include/bpf/bpf_helpers.h libbpf-dev
need_file /usr/include/linux/bpf.h linux-libc-dev
if [ -n "$missing" ]; then
	echo "make-captures.sh: missing Debian packages:$missing" >&2
	echo "install them with: apt-get install <package>" >&2
	exit 1
fi

# --- names, state and the cleanup that always runs -------------------------------------
tag="pd-$$"
ns_s="$tag-srv"          # server namespace: dnsmasq
ns_c="$tag-cli"          # client namespace: dig, kdig, tcpdump
if_s="$tag-s"            # veth end in the server namespace (<= 15 chars)
if_c="$tag-c"            # veth end in the client namespace
v4_s=10.77.9.1 v4_c=10.77.9.2
v6_s=fd77:9::1 v6_c=fd77:9::2
zone=pd.test
tmp=$(mktemp -d /tmp/pd-captures.XXXXXX)
pids=""
cap_pid=""

cleanup() {
	set +e
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	for ns in "$ns_c" "$ns_s"; do
		ip netns list | grep -q "^$ns\b" && ip netns del "$ns"
	done
	ip link show "$if_s" >/dev/null 2>&1 && ip link del "$if_s"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

in_s() { ip netns exec "$ns_s" "$@"; }
in_c() { ip netns exec "$ns_c" "$@"; }

# --- topology: two namespaces, one veth pair, IPv4 + IPv6 ------------------------------
topo_up() {
	ip netns add "$ns_s"
	ip netns add "$ns_c"
	ip link add "$if_s" netns "$ns_s" type veth peer name "$if_c" netns "$ns_c"
	topo_end "$ns_s" "$if_s" "$v4_s" "$v6_s"
	topo_end "$ns_c" "$if_c" "$v4_c" "$v6_c"
	# Wait for link-local DAD, so its probes and MLD reports stay out of the captures.
	for _ in $(seq 50); do
		[ -z "$(in_s ip -6 addr show tentative)$(in_c ip -6 addr show tentative)" ] && break
		sleep 0.1
	done
}
topo_end() { # namespace, device, IPv4, IPv6
	# No router solicitations or RAs: keep the captures to the traffic under test.
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.router_solicitations=0" \
		"net.ipv6.conf.$2.accept_ra=0"
	ip -n "$1" link set lo up
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$1" addr add "$4/64" dev "$2" nodad
	ip -n "$1" link set "$2" up
}
mail_addrs() { # mail.pd.test's addresses on the server end, for smtp-sink
	ip -n "$ns_s" addr add 10.77.9.25/24 dev "$if_s"
	ip -n "$ns_s" addr add fd77:9::25/64 dev "$if_s" nodad
}

# --- VLAN tagging with tc BPF (no 8021q module on the capture kernel) ------------------
bpf_build() { # name, clang -D flags...
	local name=$1; shift
	clang -O2 -g -target bpf -I"/usr/include/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)" \
		"$@" -c "$here/vlan_tc.bpf.c" -o "$tmp/$name.o"
}
vlan_on() { # push-object: tag on egress, untag on ingress, both ends
	local push=$1 ns dev
	for pair in "$ns_s:$if_s" "$ns_c:$if_c"; do
		ns=${pair%%:*} dev=${pair#*:}
		ip netns exec "$ns" tc qdisc add dev "$dev" clsact
		ip netns exec "$ns" tc filter add dev "$dev" egress bpf da obj "$tmp/$push.o" sec tc
		ip netns exec "$ns" tc filter add dev "$dev" ingress bpf da obj "$tmp/pop.o" sec tc
	done
}
vlan_off() {
	in_s tc qdisc del dev "$if_s" clsact
	in_c tc qdisc del dev "$if_c" clsact
}

# --- DNS server: dnsmasq, authoritative for pd.test with one record of each type -------
dns_up() {
	# Started directly (not through in_s) so that $! is dnsmasq itself: ip netns exec execs.
	ip netns exec "$ns_s" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
		--no-poll --bind-interfaces --listen-address="$v4_s" --listen-address="$v6_s" \
		--pid-file="$tmp/dnsmasq.pid" --log-queries --log-facility=- \
		--auth-server="ns1.$zone,$if_s" --auth-zone="$zone,10.77.9.0/24,fd77:9::/64" \
		--auth-soa="2026112801,hostmaster.$zone,3600,600,86400" \
		--host-record="ns1.$zone,$v4_s,$v6_s" \
		--host-record="www.$zone,10.77.9.80,fd77:9::80" \
		--host-record="mail.$zone,10.77.9.25,fd77:9::25" \
		--cname="web.$zone,www.$zone" \
		--mx-host="$zone,mail.$zone,10" \
		--txt-record="$zone,v=spf1 mx -all" \
		--txt-record="_dmarc.$zone,v=DMARC1; p=reject" \
		--ptr-record="80.9.77.10.in-addr.arpa,www.$zone" \
		2>"$tmp/dnsmasq.log" &
	pids="$pids $!"
	for _ in $(seq 50); do
		in_c dig +short +time=1 +tries=1 "@$v4_s" "ns1.$zone" A >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "dnsmasq did not answer; its log:" >&2
	cat "$tmp/dnsmasq.log" >&2
	exit 1
}

# --- capture control -------------------------------------------------------------------
cap_start() { # file, interface, tcpdump options...
	local file=$1 dev=$2; shift 2
	sleep 1   # let the MLD reports that follow link-up pass
	# Empty neighbour caches: each capture shows its own ARP and NDP exchanges.
	ip -n "$ns_s" neigh flush all
	ip -n "$ns_c" neigh flush all
	: >"$tmp/tcpdump.err"
	ip netns exec "$ns_c" tcpdump -Z root -n -U --immediate-mode -i "$dev" -w "$file" "$@" 2>"$tmp/tcpdump.err" &
	cap_pid=$!
	pids="$pids $cap_pid"
	for _ in $(seq 100); do
		grep -q 'listening on' "$tmp/tcpdump.err" && return 0
		sleep 0.05
	done
	cat "$tmp/tcpdump.err" >&2
	exit 1
}
cap_stop() {
	# --immediate-mode: packets are not held in a ring block that SIGTERM would discard.
	sleep 0.5 # the last replies
	kill -TERM "$cap_pid" # tcpdump flushes and closes the file on SIGTERM
	wait "$cap_pid" || true
	pids=$(echo "$pids" | tr ' ' '\n' | grep -vx "$cap_pid" | tr '\n' ' ')
	grep -E 'packets (captured|dropped by kernel)' "$tmp/tcpdump.err" >&2 || true
}

# Each query: the client command as run; output kept for the transcript in the log.
sport=40000
q_dig() { # dig arguments (server, name, type, options)
	sport=$((sport + 1))
	local src=$v4_c
	case " $* " in *" -6 "*) src=$v6_c ;; esac
	echo "\$ dig -b $src#$sport $*" >>"$tmp/transcript"
	in_c dig -b "$src#$sport" +time=2 +tries=1 "$@" >>"$tmp/transcript" 2>&1
}
q_kdig() { # kdig arguments
	echo "\$ kdig $*" >>"$tmp/transcript"
	in_c kdig +time=2 +retry=0 "$@" >>"$tmp/transcript" 2>&1
}

# --- the captures ------------------------------------------------------------------------
declare -A how contents

mk_sample() { # quick-start capture: small and mixed, DNS then one mail delivery
	local f=$1 sink
	ip netns exec "$ns_s" smtp-sink -u postfix -h "mail.$zone" 10.77.9.25:25 16 \
		>"$tmp/smtp-sink.log" 2>&1 &
	sink=$!
	pids="$pids $sink"
	cap_start "$f" "$if_c"
	q_dig "@$v4_s" "www.$zone" A
	q_dig -6 "@$v6_s" "www.$zone" AAAA
	q_dig "@$v4_s" "$zone" MX +tcp
	q_dig "@$v4_s" "nope.$zone" A
	q_kdig "@$v6_s" +tcp "$zone" TXT
	# An MTA's delivery: MX lookup, the exchanger's address, then SMTP to it.
	q_dig "@$v4_s" "$zone" MX
	q_dig "@$v4_s" "mail.$zone" A
	echo "\$ swaks --server 10.77.9.25 --port 25 ..." >>"$tmp/transcript"
	in_c swaks --server 10.77.9.25 --port 25 -li "$v4_c" --lport 40100 \
		--ehlo "client.$zone" --from "alice@$zone" --to "bob@$zone,carol@$zone" \
		--h-Subject "portdemux sample" --body "A short test message for the sample capture." \
		>>"$tmp/transcript" 2>&1
	cap_stop
	kill "$sink"
	wait "$sink" 2>/dev/null || true
	pids=$(echo "$pids" | tr ' ' '\n' | grep -vx "$sink" | tr '\n' ' ')
	how[sample]="tcpdump -i $if_c (client netns); SMTP server: postfix's smtp-sink on 10.77.9.25:25, client swaks"
	contents[sample]="ARP, NDP, MLD; DNS: A/UDP v4, AAAA/UDP v6, MX/TCP v4 (dig +tcp), NXDOMAIN/UDP v4, TXT/TCP v6 (kdig), MX + A/UDP v4; SMTP/25 v4: EHLO, MAIL, 2 RCPT, DATA, QUIT (swaks)"
}
mk_dns_vlan() { # one 802.1Q tag, VID 100, on every frame both ways
	local f=$1
	vlan_on push100
	cap_start "$f" "$if_c"
	q_dig "@$v4_s" "www.$zone" A
	q_dig -6 "@$v6_s" "mail.$zone" AAAA
	q_dig "@$v4_s" "$zone" SOA +tcp
	cap_stop
	vlan_off
	how[dns-vlan]="tcpdump -i $if_c; tags pushed on egress / popped on ingress by tc BPF (vlan_tc.bpf.c -DVLAN_PUSH_ID=100)"
	contents[dns-vlan]="802.1Q VID 100 on every frame (ARP and NDP too): A/UDP v4, AAAA/UDP v6, SOA/TCP v4"
}
mk_dns_qinq() { # stacked: 802.1ad S-tag 300 outside an 802.1Q C-tag 20
	local f=$1
	vlan_on qinq
	cap_start "$f" "$if_c"
	q_dig "@$v4_s" "web.$zone" A
	q_dig -6 "@$v6_s" "$zone" MX
	q_dig "@$v4_s" "$zone" TXT +tcp
	cap_stop
	vlan_off
	how[dns-qinq]="tcpdump -i $if_c; tags pushed by tc BPF (vlan_tc.bpf.c -DVLAN_INNER_ID=20 -DVLAN_OUTER_ID=300)"
	contents[dns-qinq]="802.1ad S-VID 300 + 802.1Q C-VID 20 on every frame (ARP and NDP too): CNAME+A/UDP v4, MX/UDP v6, TXT/TCP v4"
}
mk_dns_sll2() { # Linux cooked v2 from the "any" device
	local f=$1
	cap_start "$f" any -y LINUX_SLL2
	q_dig "@$v4_s" "mail.$zone" A
	q_dig "@$v4_s" -x 10.77.9.80
	q_dig -6 "@$v6_s" "$zone" SOA +tcp
	cap_stop
	how[dns-sll2]="tcpdump -i any -y LINUX_SLL2 (client netns)"
	contents[dns-sll2]="SLL2 (ARP, NDP too): A/UDP v4, PTR/UDP v4, SOA/TCP v6"
}
mk_dns_v6() { # IPv6 only, converted to pcapng
	local f=$1 raw="$tmp/dns-v6.pcap"
	cap_start "$raw" "$if_c" ip6
	q_dig -6 "@$v6_s" "www.$zone" AAAA
	q_dig -6 "@$v6_s" "web.$zone" AAAA
	q_dig -6 "@$v6_s" "$zone" MX
	q_dig -6 "@$v6_s" -x fd77:9::25
	q_dig -6 "@$v6_s" "_dmarc.$zone" TXT +tcp
	q_dig -6 "@$v6_s" "nope.$zone" AAAA
	q_kdig "@$v6_s" +tcp "$zone" SOA
	cap_stop
	editcap -F pcapng "$raw" "$f"
	how[dns-v6]="tcpdump -i $if_c ip6, then editcap -F pcapng"
	contents[dns-v6]="pcapng, IPv6 only (NDP too): AAAA, CNAME+AAAA, MX, PTR/UDP; TXT/TCP (dig); NXDOMAIN/UDP; SOA/TCP (kdig)"
}
mk_dns_nsec() { # every record type, nanosecond timestamps
	local f=$1
	cap_start "$f" "$if_c" --time-stamp-precision nano
	q_dig "@$v4_s" "www.$zone" A
	q_dig "@$v4_s" "www.$zone" AAAA
	q_dig "@$v4_s" "web.$zone" CNAME
	q_dig "@$v4_s" "$zone" MX
	q_dig "@$v4_s" "$zone" TXT
	q_dig "@$v4_s" -x 10.77.9.80
	q_dig "@$v4_s" "$zone" SOA
	q_dig "@$v4_s" "nope.$zone" A
	q_dig "@$v4_s" "www.$zone" A +tcp
	q_dig -6 "@$v6_s" "mail.$zone" AAAA
	q_kdig "@$v4_s" +tcp "$zone" MX
	cap_stop
	how[dns-nsec]="tcpdump -i $if_c --time-stamp-precision nano"
	contents[dns-nsec]="nanosecond pcap, ARP, NDP; A, AAAA, CNAME, MX, TXT, PTR, SOA, NXDOMAIN over UDP v4; A/TCP v4 (dig); AAAA/UDP v6; MX/TCP v4 (kdig)"
}

file_of() {
	case $1 in
	dns-v6) echo "$1.pcapng" ;;
	*) echo "$1.pcap" ;;
	esac
}

# --- provenance ----------------------------------------------------------------------------
tool_versions() {
	printf 'dnsmasq %s, dig %s, kdig %s, tcpdump %s, libpcap %s, editcap %s, clang %s, iproute2 %s, kernel %s' \
		"$(dnsmasq --version | awk 'NR==1{print $3}')" \
		"$(dig -v 2>&1 | awk '{print $2}')" \
		"$(kdig --version | awk '{print $NF}')" \
		"$(tcpdump --version 2>&1 | awk 'NR==1{print $3}')" \
		"$(tcpdump --version 2>&1 | awk 'NR==2{print $3}')" \
		"$(editcap -v | awk 'NR==1{print $3}')" \
		"$(clang --version | awk 'NR==1{print $4}')" \
		"$(ip -V | sed -n 's/.*iproute2-\([0-9.]*\).*/\1/p')" \
		"$(uname -r)"
}
provenance() { # capture name, file
	local name=$1 file=$2 base pkts sum
	base=$(basename "$file")
	pkts=$(capinfos -c -M "$file" | awk -F: '/Number of packets/{gsub(/ /,"",$2); print $2}')
	sum=$(sha256sum "$file" | cut -c1-16)
	printf '| %s | %s | %s | make-captures.sh %s: %s | %s | %s | %s |\n' \
		"$base" "$(date -u +%Y-%m-%d)" "$pkts" "$name" "${how[$name]}" \
		"${contents[$name]}" "$versions" "$sum"
}
# The file is shared with mk-smtp.sh: only the title, the DNS section and its rows are ours;
# every other section is kept as it is, after ours.
write_provenance() { # new lines file
	local p="$out/PROVENANCE.md" rest="$tmp/rest" old="$tmp/old-dns"
	: >"$rest"
	: >"$old"
	if [ -f "$p" ]; then
		awk '/^<!-- dns begin -->$/{s=1} !s && !/^# Provenance of the captures/{print} /^<!-- dns end -->$/{s=0}' \
			"$p" | sed '/./,$!d' >"$rest"
		# keep rows of DNS captures not remade in this run
		awk '/^<!-- dns begin -->$/{s=1} s && /^[|] [a-z0-9-]*[.]pcap/{print} /^<!-- dns end -->$/{s=0}' \
			"$p" | while IFS= read -r line; do
			f=$(echo "$line" | awk '{print $2}')
			grep -q "^| $f |" "$1" || echo "$line"
		done >"$old"
	fi
	{
		echo "# Provenance of the captures in pcaps/"
		echo
		echo "<!-- dns begin -->"
		echo "## DNS captures (pcaps/make-captures.sh)"
		echo
		echo "Made by \`pcaps/make-captures.sh\` (as root, Debian 12): dnsmasq serves zone \`$zone\`"
		echo "(authoritative, one record of each type) in one network namespace; dig and kdig query it"
		echo "from another over a veth pair; tcpdump records the client end. Timestamps are the real"
		echo "capture times. VLAN tags are put on the wire by a tc BPF program (\`vlan_tc.bpf.c\`,"
		echo "\`bpf_skb_vlan_push\` on egress and \`bpf_skb_vlan_pop\` on ingress of both veth ends, built"
		echo "with \`clang -O2 -target bpf\`, attached with \`tc filter add dev X egress bpf da obj ...\`)"
		echo "because the capture kernel has no 8021q module. The script prints every client command"
		echo "and its output as it runs."
		echo
		echo "| capture | made (UTC) | packets | how | contents | tools | sha256 (16) |"
		echo "|---|---|---|---|---|---|---|"
		sort "$old" "$1"
		echo "<!-- dns end -->"
		if [ -s "$rest" ]; then echo; cat "$rest"; fi
	} >"$p.new"
	mv "$p.new" "$p"
}

# --- main ------------------------------------------------------------------------------------
versions=$(tool_versions)
bpf_build pop -DVLAN_POP
bpf_build push100 -DVLAN_PUSH_ID=100
bpf_build qinq -DVLAN_INNER_ID=20 -DVLAN_OUTER_ID=300
topo_up
mail_addrs
dns_up
: >"$tmp/provenance"
for c in $wanted; do
	f=$(file_of "$c")
	echo "== $f" >&2
	: >"$tmp/transcript"
	"mk_${c//-/_}" "$tmp/$f"
	sed 's/^/   /' "$tmp/transcript" >&2
	mv "$tmp/$f" "$out/$f"
	chmod 0644 "$out/$f"
	provenance "$c" "$out/$f" >>"$tmp/provenance"
done
write_provenance "$tmp/provenance"
echo "done: $(for c in $wanted; do printf '%s ' "$(file_of "$c")"; done)" >&2
