#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Interfaces that go down or vanish under a live capture (docs/portdemuxd.8,
# INTERFACES; "capture" events in docs/events.md): a veth between two network
# namespaces made here. Set down and up: a "down" then an "up" event, and the
# flows after the return are reported. Deleted and created again: the capture
# socket is bound again although the daemon holds no capability any more,
# with its BPF filter kept, while lo (a second -i) captured all along. Never
# coming back: given up after --reopen-timeout, and with no interface left the
# daemon exits 1. Back as another kind of interface: given up at once, saying
# why. Needs root (namespaces, capture) and bash's /dev/udp. KEEP=1 keeps the
# temporary directory (events, stderr) for a look.
. "${top_srcdir:-.}/tests/cli-lib.sh"

what="--reopen-timeout: a bad value is a usage error"
run --reopen-timeout soon -i lo
expect_status 64
expect_err "--reopen-timeout: invalid value 'soon'"
what="--reopen-timeout: live capture only"
run --reopen-timeout 5 -r /dev/null
expect_status 64
expect_err "--reopen-timeout applies to live capture (-i) only"
what="reopen-timeout: a bad value in a configuration file"
printf 'interface = lo\nreopen-timeout = -1\n' >"$tmp/bad.conf"
run -c "$tmp/bad.conf" --check-config
expect_status 78
expect_err "bad.conf:2: --reopen-timeout: invalid value '-1'"

if [ "$(id -u)" -ne 0 ]; then
	[ "$failures" -eq 0 ] || finish
	echo "SKIP: namespaces and capture need root"
	exit 77
fi
command -v ip >/dev/null || { echo "SKIP: no ip(8)"; exit 77; }
command -v bash >/dev/null || { echo "SKIP: no bash to send datagrams"; exit 77; }

nsa="iface-a$$" nsb="iface-b$$" va="pdif$$a" vb="pdif$$b"
pids=""
cleanup() {
	for p in $pids; do kill -KILL "$p" 2>/dev/null; done
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if ! ip netns add "$nsa" 2>/dev/null || ! ip netns add "$nsb"; then
	echo "SKIP: cannot create network namespaces"
	exit 77
fi
ip -n "$nsa" link set lo up

# veth: pdif<pid>a in A (10.77.9.1, where the daemon captures) to pdif<pid>b in B
carrier() { ip -n "$nsa" link show "$va" | grep -q 'LOWER_UP'; }
make_veth() { # and wait for the carrier (the kernel reports it a moment later)
	ip -n "$nsa" link add "$va" type veth peer name "$vb" netns "$nsb" &&
	ip -n "$nsa" addr add 10.77.9.1/24 dev "$va" &&
	ip -n "$nsb" addr add 10.77.9.2/24 dev "$vb" &&
	ip -n "$nsb" link set "$vb" up &&
	ip -n "$nsa" link set "$va" up &&
	wait_for carrier
}
make_veth || { echo "SKIP: cannot create a veth pair"; exit 77; }

send() { # PORT N: N datagrams from B to A, each from a new socket (a new flow)
	i=0
	while [ "$i" -lt "$2" ]; do
		ip netns exec "$nsb" bash -c "printf hello >/dev/udp/10.77.9.1/$1" 2>/dev/null
		i=$((i + 1))
	done
}
send_lo() { # PORT: one datagram on A's loopback
	ip netns exec "$nsa" bash -c "printf hello >/dev/udp/127.0.0.1/$1" 2>/dev/null
}

has() { grep -q -- "$2" "$1"; }
gone() { ! kill -0 "$1"; }
dropped() { grep -q '^CapEff:[[:space:]]*0000000000000000' "/proc/$1/status"; }
flows_to() { grep '"event_type":"flow"' "$1" | grep -c "\"dest_port\":$2,"; }
ev() { printf '"capture":{"interface":"%s","state":"%s","reason":"%s"' "$va" "$1" "$2"; }

# start FILE ERR ARGS...: a daemon in namespace A, once it dropped privileges
start() {
	ev_file=$1 err_file=$2
	shift 2
	ip netns exec "$nsa" "$pd" -q --immediate -w "$ev_file" "$@" 2>"$err_file" &
	dpid=$!
	pids="$pids $dpid"
	wait_for dropped "$dpid" || fail "daemon did not start: $(cat "$err_file")"
}

# --- down and up, deleted and created again, lo captured meanwhile ---------
what="link down and up"
start "$tmp/ev.json" "$tmp/err" -i "$va" -i lo -f 'udp and not port 6666' --reopen-timeout 20
send 5555 3
ip -n "$nsa" link set "$va" down
wait_for has "$tmp/ev.json" "$(ev down link_down),\"error\":\"interface is down\"}" ||
	fail "no down event (link_down)"
ip -n "$nsa" link set "$va" up
wait_for has "$tmp/ev.json" "$(ev up link_down),\"down_ms\":" || fail "no up event"
has "$tmp/ev.json" '"attempts":0,"recovery":"link_up"}' || fail "up event without link_up"
sleep 0.3 # the route and the neighbour entry come back with the link
send 5556 2

what="deleted and created again"
ip -n "$nsa" link del "$va"
wait_for has "$tmp/ev.json" "$(ev down vanished)" || fail "no down event (vanished)"
send_lo 5558
sleep 0.5
make_veth || fail "cannot create the veth again"
wait_for has "$tmp/ev.json" '"recovery":"rebound"}' || fail "no up event after the rebind"
grep '"recovery":"rebound"' "$tmp/ev.json" | grep -q "$(ev up vanished),\"down_ms\":[1-9][0-9]*,\"attempts\":[1-9]" ||
	fail "rebind event: $(grep rebound "$tmp/ev.json")"
dropped "$dpid" || fail "capabilities came back"
sleep 0.3
send 5557 2
send 6666 1 # outside the filter: the BPF program stayed on the socket

what="SIGTERM after the returns"
sleep 0.5
kill -TERM "$dpid"
wait_for gone "$dpid" || fail "daemon did not stop"
wait "$dpid"
st=$?
[ "$st" -eq 0 ] || fail "exit status $st, want 0: $(cat "$tmp/err")"
[ "$(flows_to "$tmp/ev.json" 5555)" -eq 3 ] || fail "$(flows_to "$tmp/ev.json" 5555) flows before, want 3"
[ "$(flows_to "$tmp/ev.json" 5556)" -eq 2 ] || fail "$(flows_to "$tmp/ev.json" 5556) flows after up, want 2"
[ "$(flows_to "$tmp/ev.json" 5557)" -eq 2 ] || fail "$(flows_to "$tmp/ev.json" 5557) flows after the rebind, want 2"
[ "$(flows_to "$tmp/ev.json" 5558)" -eq 1 ] || fail "lo did not capture while the veth was gone"
[ "$(flows_to "$tmp/ev.json" 6666)" -eq 0 ] || fail "the filter was lost in the rebind"
[ "$(count_events capture "$tmp/ev.json")" -eq 4 ] || fail "$(count_events capture "$tmp/ev.json") capture events, want 4"
has "$tmp/err" "$va: interface is down: capture resumes when the link returns" || fail "no down log line"
has "$tmp/err" "$va: capture lost: " || fail "no lost log line"
[ "$(grep -c "$va: capture resumed after" "$tmp/err")" -eq 2 ] || fail "want 2 resumed log lines"
[ "$(wc -l <"$tmp/err")" -eq 4 ] || { fail "want 4 log lines"; sed 's/^/  stderr: /' "$tmp/err"; }

# --- never back: given up, no interface left, exit 1 -------------------------
what="given up after reopen-timeout (configuration file)"
printf 'reopen-timeout = 2\n' >"$tmp/two.conf"
start "$tmp/ev2.json" "$tmp/err2" -i "$va" -c "$tmp/two.conf"
t0=$(date +%s)
ip -n "$nsa" link del "$va"
wait_for gone "$dpid" || fail "daemon still running 10 s after the loss"
wait "$dpid"
st=$?
[ "$st" -eq 1 ] || fail "exit status $st, want 1"
[ $(($(date +%s) - t0)) -ge 2 ] || fail "gave up before --reopen-timeout"
has "$tmp/ev2.json" "$(ev given_up vanished),\"error\":\"no such interface\",\"down_ms\":[0-9]*,\"attempts\":[1-9]" ||
	fail "no given_up event: $(grep capture "$tmp/ev2.json")"
has "$tmp/err2" "$va: giving up after " || fail "no give-up log line"
has "$tmp/err2" "no interface left to capture on: exiting" || fail "no exit log line"
tail -n 1 "$tmp/ev2.json" | grep -q '"event_type":"stats"' || fail "no final stats event"

what="--reopen-timeout 0: given up at once"
make_veth || fail "cannot create the veth again"
start "$tmp/ev3.json" "$tmp/err3" -i "$va" --reopen-timeout 0
ip -n "$nsa" link del "$va"
wait_for gone "$dpid" || fail "daemon still running"
wait "$dpid"
st=$?
[ "$st" -eq 1 ] || fail "exit status $st, want 1"
grep -q "$(ev given_up vanished).*\"attempts\":0}" "$tmp/ev3.json" || fail "no given_up event without attempts"

what="back as another kind of interface"
make_veth || fail "cannot create the veth again"
start "$tmp/ev4.json" "$tmp/err4" -i "$va" --reopen-timeout 20
ip -n "$nsa" link del "$va"
wait_for has "$tmp/ev4.json" "$(ev down vanished)" || fail "no down event"
if ip -n "$nsa" tuntap add "$va" mode tun 2>/dev/null; then # ARPHRD_NONE, not Ethernet
	wait_for gone "$dpid" || fail "daemon still running"
	wait "$dpid"
	st=$?
	[ "$st" -eq 1 ] || fail "exit status $st, want 1"
	has "$tmp/err4" "another hardware type (ARPHRD 65534, was 1); cannot reopen: a new capture socket needs CAP_NET_RAW" ||
		{ fail "no reason given"; sed 's/^/  stderr: /' "$tmp/err4"; }
else
	echo "note: no tun device here: the hardware type change is not tried"
	kill -TERM "$dpid"
	wait "$dpid"
fi

finish
