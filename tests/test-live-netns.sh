#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test-live-netns.sh — portdemuxd as a live service on a veth between two network
# namespaces, with real servers and clients (docs/portdemuxd.8: live capture, SIGNALS,
# privileges; RFC 6409 submission with RFC 3207 STARTTLS and RFC 4954 AUTH, RFC 1035 DNS):
#   server namespace: postfix (25/587/465/2525, SASL from dovecot; pcaps/lab-lib.sh), dnsmasq,
#                     portdemuxd -i VETH -u nobody --pidfile, and tcpdump on the same VETH;
#   client namespace: swaks (587 STARTTLS + AUTH, 2525 cleartext AUTH) and dig.
# While the clients run: the event file is moved and SIGHUP reopens it, SIGUSR1 writes stats,
# /proc/PID/status shows no capability and the target's ids. SIGTERM: exit 0, every flow
# reported, final stats last. Then `portdemuxd -r` of tcpdump's file must yield the same
# non-stats events (tests/live-compare.py says what may differ and why). SASL credentials
# cross the wire in cleartext on 2525 and must appear in no output. Last, the live-mode
# errors tests/cli-errors.sh and tests/cli-live.sh do not cover: one stderr line, non-zero.
# Needs root; SKIPs (77) naming what is missing. Names start with pdlive; everything it
# starts is stopped by PID and both namespaces are removed on every exit path.
# PD_LIVE_KEEP=1 keeps the work directory (printed) for a look after a failure.
set -u

pd="${top_builddir:-.}/portdemuxd"
srcdir="${top_srcdir:-.}"
cmp_py="$srcdir/tests/live-compare.py"
[ -x "$pd" ] || { echo "no $pd: build first"; exit 99; }
pd=$(cd "$(dirname "$pd")" && pwd)/$(basename "$pd") # ip netns exec runs it from elsewhere
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (network namespaces, live capture, postfix)"; exit 77; }

# --- names, state, the lab ----------------------------------------------------------------
ns_s="pdlive-$$-srv"     # postfix, dovecot, dnsmasq, portdemuxd, tcpdump
ns_c="pdlive-$$-cli"     # swaks, dig
if_s="pdlive$$s"         # veth ends (<= 15 characters)
if_c="pdlive$$c"
v4_s=10.89.1.1 v4_c=10.89.1.2
v6_s=fd89::1 v6_c=fd89::2
zone=pd.test
tmp=$(mktemp -d /tmp/pd-live.XXXXXX) || exit 99
lab_name=test-live-netns.sh
# shellcheck source-path=SCRIPTDIR source=../pcaps/lab-lib.sh
. "$srcdir/pcaps/lab-lib.sh" || { rm -rf "$tmp"; echo "no $srcdir/pcaps/lab-lib.sh"; exit 99; }

lab_need_mail_tools
lab_need_cmd tcpdump tcpdump
lab_need_cmd swaks swaks
lab_need_cmd dig bind9-dnsutils
lab_need_cmd dnsmasq dnsmasq-base
lab_need_cmd python3 python3
lab_need_cmd base64 coreutils
if command -v swaks >/dev/null && ! swaks --support 2>&1 | grep -q '=== TLS supported'; then
	lab_missing="$lab_missing libnet-ssleay-perl (for swaks --tls);"
fi
if [ -n "$lab_missing" ]; then
	rm -rf "$tmp"
	echo "SKIP: missing Debian packages:$lab_missing"
	exit 77
fi
lab_check_users >/dev/null 2>&1 || { rm -rf "$tmp"; echo "SKIP: postfix/dovecot accounts missing"; lab_check_users; exit 77; }
id nobody >/dev/null 2>&1 || { rm -rf "$tmp"; echo "SKIP: no user nobody"; exit 77; }

pids=""          # background jobs still running (servers, capturers, client loops)
pd_pid=""
failures=0
what="setup"

cleanup() {
	local rc=$?
	set +e
	for p in $pd_pid $pids; do kill "$p" 2>/dev/null; done
	for p in $pd_pid $pids; do wait "$p" 2>/dev/null; done
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		for f in "$tmp/maillog" "$tmp/dovecot.log" "$tmp/dnsmasq.log" "$tmp/pd.err" "$tmp/clients"; do
			[ -s "$f" ] && tail -n 15 "$f" | sed "s|^|   $(basename "$f"): |"
		done
	fi
	lab_down
	if [ "${PD_LIVE_KEEP:-0}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
	echo "FAIL: $what: $*"
	failures=$((failures + 1))
}
die() { # a step the rest depends on failed
	echo "FAIL: $what: $*"
	exit 1
}
in_c() { ip netns exec "$ns_c" "$@"; }
wait_for() { # tenths COMMAND...: poll until COMMAND succeeds
	local n=$1
	shift
	while ! "$@" 2>/dev/null; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}
status_field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }
now() { date +%s.%N; }

# Throwaway SASL account, made up for this run (not the golden captures' accounts).
user="pdlive-u$$"
pass="Pl$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 14)"
wrong="Wr$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 14)"
b64_plain=$(printf '\0%s\0%s' "$user" "$pass" | base64 -w0) # RFC 4616 message, authzid empty
b64_user=$(printf '%s' "$user" | base64 -w0)                # AUTH LOGIN's username
b64_wrong=$(printf '%s' "$wrong" | base64 -w0)              # AUTH LOGIN's (wrong) password
b64_pass=$(printf '%s' "$pass" | base64 -w0)

# The daemon's files live in a directory of the target user: after the drop it must
# recreate the event file there on SIGHUP.
chmod 0711 "$tmp"
run=$tmp/run
mkdir "$run" && chown nobody: "$run" || die "cannot make $run"
ev=$run/ev.json
pidf=$run/pd.pid
pcap=$tmp/live.pcap

# --- network and servers ------------------------------------------------------------------
ip netns add "$ns_s" 2>"$tmp/netns.err" || {
	echo "SKIP: cannot create network namespaces here: $(cat "$tmp/netns.err")"
	exit 77
}
ip netns del "$ns_s"
lab_net_up || die "network namespaces / veth"
for end in "$ns_s:$if_s" "$ns_c:$if_c"; do # no router solicitations: less noise
	ip netns exec "${end%%:*}" sysctl -qw "net.ipv6.conf.${end#*:}.router_solicitations=0" \
		"net.ipv6.conf.${end#*:}.accept_ra=0"
done
lab_mail_up "$user:$pass" || die "postfix/dovecot did not start"

# dnsmasq, authoritative for pd.test (as pcaps/make-captures.sh); ip netns exec execs, so $!
# is dnsmasq itself.
ip netns exec "$ns_s" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
	--no-poll --bind-interfaces --listen-address="$v4_s" --listen-address="$v6_s" \
	--pid-file="$tmp/dnsmasq.pid" --log-queries --log-facility=- \
	--auth-server="ns1.$zone,$if_s" --auth-zone="$zone,10.89.9.0/24,fd89:9::/64" \
	--auth-soa="2026112801,hostmaster.$zone,3600,600,86400" \
	--host-record="ns1.$zone,$v4_s,$v6_s" \
	--host-record="www.$zone,10.89.9.80,fd89:9::80" \
	--host-record="mail.$zone,10.89.9.25,fd89:9::25" \
	--mx-host="$zone,mail.$zone,10" \
	2>"$tmp/dnsmasq.log" &
pids="$pids $!"

# The capturers start before any client traffic: tcpdump, then portdemuxd.
ip netns exec "$ns_s" tcpdump -Z root -n -i "$if_s" -s 0 -U --immediate-mode -w "$pcap" \
	2>"$tmp/tcpdump.err" &
tcpdump_pid=$!
pids="$pids $tcpdump_pid"
wait_for 100 grep -q 'listening on' "$tmp/tcpdump.err" || die "tcpdump: $(cat "$tmp/tcpdump.err")"

what="start portdemuxd"
ip netns exec "$ns_s" "$pd" -i "$if_s" -u nobody --pidfile "$pidf" -w "$ev" --stats-interval 1 \
	2>"$tmp/pd.err" &
pd_pid=$!
nobody_uid=$(id -u nobody)
nobody_gid=$(id -g nobody)
# Ready once the pid file names it and it runs as nobody: the capture is open by then.
ready() { [ "$(cat "$pidf")" = "$pd_pid" ] && [ "$(status_field "$pd_pid" Uid | awk '{print $1}')" = "$nobody_uid" ]; }
wait_for 100 ready || die "not ready: $(cat "$tmp/pd.err")"
# DNS is answering (through the capture: these are the first DNS events)
wait_for 50 in_c dig +short +time=1 +tries=1 "@$v4_s" "ns1.$zone" A >/dev/null ||
	die "dnsmasq does not answer: $(cat "$tmp/dnsmasq.log")"

# --- clients --------------------------------------------------------------------------------
: >"$tmp/clients"
msg() { # from to subject
	printf 'From: <%s>\nTo: <%s>\nSubject: %s\nDate: Sat, 28 Nov 2026 10:00:00 +0000\n\n%s\n' \
		"$1" "$2" "$3" "A message sent while portdemuxd watched the wire."
}
sw() { in_c swaks --timeout 20s --server "$v4_s" --helo client.pd.test "$@" >>"$tmp/clients" 2>&1; }
q() { in_c dig +time=2 +tries=1 "$@" >>"$tmp/clients" 2>&1; }

what="clients before SIGHUP"
q "@$v4_s" "www.$zone" A || fail "dig A"
q "@$v4_s" "www.$zone" AAAA || fail "dig AAAA"
q "@$v4_s" "$zone" MX || fail "dig MX"
q "@$v4_s" "nope.$zone" A || fail "dig NXDOMAIN"
q -6 "@$v6_s" "mail.$zone" AAAA || fail "dig over IPv6"
sw --port 587 --tls --auth PLAIN --auth-user "$user" --auth-password "$pass" \
	--from ann@client.pd.test --to bob@pd.test --data "$(msg ann@client.pd.test bob@pd.test one)" ||
	fail "swaks 587 AUTH PLAIN"
sw --port 2525 --auth PLAIN --auth-user "$user" --auth-password "$pass" \
	--from ann@client.pd.test --to bob@pd.test --data "$(msg ann@client.pd.test bob@pd.test two)" ||
	fail "swaks 2525 AUTH PLAIN (cleartext)"

what="privileges (/proc/$pd_pid/status)"
for f in CapEff CapPrm CapInh CapBnd CapAmb; do
	[ "$(status_field "$pd_pid" $f)" = 0000000000000000 ] || fail "$f $(status_field "$pd_pid" $f)"
done
[ "$(status_field "$pd_pid" Uid | awk '{print $1 $2 $3 $4}')" = "$nobody_uid$nobody_uid$nobody_uid$nobody_uid" ] ||
	fail "Uid $(status_field "$pd_pid" Uid), want $nobody_uid x4"
[ "$(status_field "$pd_pid" Gid | awk '{print $1 $2 $3 $4}')" = "$nobody_gid$nobody_gid$nobody_gid$nobody_gid" ] ||
	fail "Gid $(status_field "$pd_pid" Gid), want $nobody_gid x4"
for g in $(status_field "$pd_pid" Groups); do
	id -G nobody | tr ' ' '\n' | grep -qx "$g" || fail "supplementary group $g kept"
done
[ "$(status_field "$pd_pid" NoNewPrivs)" = 1 ] || fail "NoNewPrivs $(status_field "$pd_pid" NoNewPrivs)"

# SIGHUP while traffic flows: a background burst of queries and a submission around the
# move and the reopen. (A backgrounded subshell: $! is the loop, which ends by itself.)
what="SIGHUP reopen under traffic"
(
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		in_c dig +time=2 +tries=1 "@$v4_s" "www.$zone" A >/dev/null 2>&1
		[ "$i" = 6 ] && in_c dig +tcp +time=2 +tries=1 "@$v4_s" "$zone" MX >/dev/null 2>&1
		sleep 0.1
	done
) &
burst=$!
pids="$pids $burst"
sw --port 587 --tls --auth LOGIN --auth-user "$user" --auth-password "$pass" \
	--from ann@client.pd.test --to bob@pd.test,nobody@pd.test \
	--data "$(msg ann@client.pd.test bob@pd.test three)" || fail "swaks 587 AUTH LOGIN"
mv "$ev" "$ev.1"
kill -HUP "$pd_pid"
wait_for 50 test -e "$ev" || fail "event file not recreated after SIGHUP"
wait "$burst"
pids=${pids% "$burst"}

what="SIGUSR1"
# Three signals 0.6 s apart, each must be followed by a stats event within 0.5 s
# (live-compare.py USR1_SLACK). Periodic stats, about 1 s apart, can fall in two of those
# windows at most, so passing needs SIGUSR1 to work.
usr1=""
for _ in 1 2 3; do
	usr1="$usr1 $(now)"
	kill -USR1 "$pd_pid"
	sleep 0.6
done

what="clients after SIGHUP"
sw --port 2525 --auth LOGIN --auth-user "$user" --auth-password "$wrong" \
	--from ann@client.pd.test --to bob@pd.test >/dev/null && fail "wrong password accepted"
q "@$v4_s" "nope2.$zone" MX || fail "dig NXDOMAIN MX"

# --- stop -----------------------------------------------------------------------------------
what="SIGTERM"
# The last FIN/ACKs; and frames must be readable before SIGTERM: without --immediate the
# kernel hands a TPACKET_V3 block over only after its timeout (100 ms, daemon/main.c), and
# portdemuxd reads nothing more once it is told to stop.
sleep 1
kill -0 "$pd_pid" || die "portdemuxd died: $(cat "$tmp/pd.err")"
kill -TERM "$pd_pid"
wait "$pd_pid"
st=$?
pd_pid=""
[ "$st" -eq 0 ] || fail "exit status $st: $(cat "$tmp/pd.err")"
# The lock dies with the process (a new instance could start); the file itself stays:
# daemon/main.c closes it at exit but does not remove it.
flock -n "$pidf" true || fail "pid file still locked after exit"
kill -TERM "$tcpdump_pid"
wait "$tcpdump_pid"
pids=${pids/ $tcpdump_pid/}
grep -E 'packets (captured|received|dropped)' "$tmp/tcpdump.err" | sed 's/^/   tcpdump: /'
grep -q '^0 packets dropped by kernel' "$tmp/tcpdump.err" || fail "tcpdump lost packets"

what="offline analysis of tcpdump's file"
"$pd" -q -r "$pcap" -w "$tmp/offline.json" 2>"$tmp/offline.err" ||
	fail "portdemuxd -r: $(cat "$tmp/offline.err")"
what="sanitizer reports (an --enable-sanitizers build)"
grep -l 'runtime error:\|Sanitizer' "$tmp/pd.err" "$tmp/offline.err" && fail "see the files named above"

# Both live files: lines whole, none twice; final stats last and every flow accounted for;
# a stats event after each SIGUSR1; the same events as offline (live-compare.py says which
# fields may differ and why).
what="SIGHUP, SIGUSR1, SIGTERM; live equals offline"
python3 "$cmp_py" check --usr1 "$(echo $usr1 | tr ' ' ,)" "$ev.1" "$ev" -- "$tmp/offline.json" ||
	fail "see above"

what="live: what the clients did"
sub="e['dest_port']==587 and e['app_proto']=='submission'"
smtp="e['event_type']=='smtp' and e['smtp']['type']"
dns="e['event_type']=='dns' and e['dns']['type']=='answer' and e['dns']"
python3 "$cmp_py" expect "$ev.1" "$ev" <<EOF || fail "see above"
== 2 | 587 sessions, STARTTLS accepted | ${smtp}=='session' and $sub and e['smtp']['starttls']['result']=='accepted' and e['smtp']['starttls']['reply']==220
== 2 | 587 TLS handshakes after STARTTLS | e['event_type']=='tls' and $sub and e['tls']['version'].startswith('TLS')
== 0 | 587 events with AUTH seen (it is inside TLS) | ${smtp} in ('session','transaction') and $sub and e['smtp']['auth']
== 1 | 2525 transaction after AUTH PLAIN 235, DATA 250 | ${smtp}=='transaction' and e['dest_port']==2525 and e['smtp']['auth']['mechanism']=='PLAIN' and e['smtp']['auth']['result']=='success' and e['smtp']['auth']['reply']==235 and e['smtp']['data']['final_reply']==250
== 1 | 2525 session, AUTH LOGIN 535 | ${smtp}=='session' and e['dest_port']==2525 and [(a['mechanism'], a['result'], a['reply']) for a in e['smtp']['auth']]==[('LOGIN','failure',535)]
>= 1 | DNS www A | ${dns}['rrname']=='www.$zone' and ${dns}['rrtype']=='A' and ${dns}['rcode']=='NOERROR' and ${dns}['answers'][0]['rdata']=='10.89.9.80'
== 13 | DNS www A answers (1 + the burst's 12) | ${dns}['rrname']=='www.$zone' and ${dns}['rrtype']=='A'
== 1 | DNS www AAAA | ${dns}['rrname']=='www.$zone' and ${dns}['rrtype']=='AAAA' and ${dns}['answers'][0]['rdata']=='fd89:9::80'
== 1 | DNS MX over UDP | ${dns}['rrname']=='$zone' and ${dns}['rrtype']=='MX' and e['proto']=='UDP' and ${dns}['rcode']=='NOERROR'
== 1 | DNS MX over TCP | ${dns}['rrname']=='$zone' and ${dns}['rrtype']=='MX' and e['proto']=='TCP' and ${dns}['rcode']=='NOERROR'
== 1 | DNS NXDOMAIN (A) | ${dns}['rrname']=='nope.$zone' and ${dns}['rrtype']=='A' and ${dns}['rcode']=='NXDOMAIN'
== 1 | DNS NXDOMAIN (MX) | ${dns}['rrname']=='nope2.$zone' and ${dns}['rrtype']=='MX' and ${dns}['rcode']=='NXDOMAIN'
== 1 | DNS over IPv6 | ${dns}['rrname']=='mail.$zone' and e['dest_ip']=='$v6_s'
>= 1 | UDP flows ended by SIGTERM (shutdown) | e['event_type']=='flow' and e['proto']=='UDP' and e['flow']['reason']=='shutdown'
== 0 | UDP flows ended otherwise (timeout only if the run was slow) | e['event_type']=='flow' and e['proto']=='UDP' and e['flow']['reason'] not in ('shutdown','timeout')
EOF

what="privacy: SASL credentials"
# On the wire in cleartext (2525): the PLAIN message and the LOGIN username and password.
for s in "$b64_plain" "$b64_user" "$b64_wrong"; do
	grep -qaF -- "$s" "$pcap" || fail "credential blob $s not on the wire: the check below would prove nothing"
done
for f in "$ev.1" "$ev" "$tmp/pd.err" "$tmp/offline.json" "$tmp/offline.err"; do
	for s in "$user" "$pass" "$wrong" "$b64_plain" "$b64_user" "$b64_pass" "$b64_wrong"; do
		grep -qaF -- "$s" "$f" && fail "$(basename "$f") holds a credential ($s)"
	done
done

# --- live-mode start-up errors not covered elsewhere (tests/cli-live.sh and cli-errors.sh:
# unknown interface, BPF syntax error on a live interface, -w and -u errors offline or with
# --check-config): here unwritable output and a missing user with a real interface -----------
bad_start() { # status text ARGS...: one stderr line naming the problem, that exit status
	local want_st=$1 want=$2 st n
	shift 2
	ip netns exec "$ns_s" "$pd" -i "$if_s" "$@" >"$tmp/bad.out" 2>"$tmp/bad.err"
	st=$?
	n=$(wc -l <"$tmp/bad.err")
	[ "$st" -eq "$want_st" ] || fail "exit status $st, want $want_st"
	[ "$n" -eq 1 ] || fail "$n lines on stderr, want 1: $(cat "$tmp/bad.err")"
	grep -qF -- "$want" "$tmp/bad.err" || fail "stderr lacks '$want': $(cat "$tmp/bad.err")"
}
what="live: unwritable output"
bad_start 2 "$tmp/no/such/dir/ev.json" -w "$tmp/no/such/dir/ev.json"
what="live: missing user"
bad_start 64 "no-such-user" -u no-such-user -w "$tmp/bad.json"

if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "PASS: live capture in network namespaces equals the offline analysis"
exit 0
