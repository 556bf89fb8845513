#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Live capture as a service on the loopback interface: -D with --pidfile (the
# starting process exits 0 once the daemon is ready), privileges dropped,
# periodic stats by wall clock with kernel counters, SIGUSR1, SIGHUP, SIGTERM.
# Needs root (capture and the drop to another user) and bash's /dev/udp.
. "${top_srcdir:-.}/tests/cli-lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: live capture needs root"; exit 77; }
command -v bash >/dev/null || { echo "SKIP: no bash to send datagrams"; exit 77; }
[ -r /proc/self/status ] || { echo "SKIP: no /proc"; exit 77; }
port=$((20000 + $$ % 20000))

send() { # N datagrams to 127.0.0.1:$port, each from a new socket (a new flow)
	i=0
	while [ "$i" -lt "$1" ]; do
		bash -c "printf hello >/dev/udp/127.0.0.1/$port" 2>/dev/null
		i=$((i + 1))
	done
}

has_stats() { [ -f "$1" ] && [ "$(count_events stats "$1")" -ge "$2" ]; }
gone() { ! kill -0 "$1"; }
field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }

work="$tmp/w"
mkdir "$work" && chmod 1777 "$work" && chmod 711 "$tmp"

# the pid file's directory belongs to the dropped user (as systemd's
# RuntimeDirectory does), so the daemon can remove the file at exit
nobody=$(id -u nobody)
id -u portdemux >/dev/null 2>&1 && nobody=$(id -u portdemux)
mkdir "$work/run" && chown "$nobody" "$work/run"

what="live -D start"
run -i lo -f "udp port $port" --immediate -D --pidfile "$work/run/pd.pid" -w "$work/ev.json" \
	--stats-interval 1
if [ "$st" -ne 0 ] && grep -qi "permission\|not permitted\|socket" "$tmp/err"; then
	echo "SKIP: cannot capture on lo here: $(cat "$tmp/err")"
	exit 77
fi
expect_status 0
[ -s "$work/run/pd.pid" ] || { fail "no pid file once the starter exited"; finish; }
pid=$(cat "$work/run/pd.pid")
kill -0 "$pid" || { fail "daemon $pid not running"; finish; }

what="live: privileges"
[ "$(field "$pid" Uid | awk '{print $1 $2 $3 $4}')" = "$nobody$nobody$nobody$nobody" ] ||
	fail "uids $(field "$pid" Uid)"
[ "$(field "$pid" CapEff)" = 0000000000000000 ] || fail "CapEff $(field "$pid" CapEff)"
[ "$(field "$pid" CapPrm)" = 0000000000000000 ] || fail "CapPrm not empty"
[ "$(field "$pid" CapBnd)" = 0000000000000000 ] || fail "CapBnd not empty"
[ "$(field "$pid" NoNewPrivs)" = 1 ] || fail "NoNewPrivs not set"
[ "$(field "$pid" PPid)" != "$$" ] || fail "not detached"

what="live: a second instance refuses the pid file"
run -i lo --pidfile "$work/run/pd.pid" -w "$tmp/second.json"
expect_status 1
expect_err "locked by pid $pid"

what="live: periodic stats with kernel counters"
send 3
wait_for has_stats "$work/ev.json" 1 || fail "no periodic stats event"
grep '"event_type":"stats"' "$work/ev.json" | head -n 1 | grep -q '"capture":{"received":' ||
	fail "stats without capture counters"

what="live: SIGUSR1"
n=$(count_events stats "$work/ev.json")
kill -USR1 "$pid"
wait_for has_stats "$work/ev.json" $((n + 1)) || fail "no stats event after SIGUSR1"

what="live: SIGHUP reopens"
mv "$work/ev.json" "$work/ev.json.1"
kill -HUP "$pid"
wait_for test -f "$work/ev.json" || fail "event file not recreated"
send 2

what="live: SIGTERM"
sleep 0.5
kill -TERM "$pid"
wait_for gone "$pid" || fail "daemon did not stop"
cat "$work/ev.json.1" "$work/ev.json" >"$tmp/all.json" 2>/dev/null
[ "$(count_events flow "$tmp/all.json")" -eq 5 ] || fail "$(count_events flow "$tmp/all.json") flow events, want 5"
[ "$(stats_packets "$work/ev.json")" = 5 ] || fail "final stats packets $(stats_packets "$work/ev.json"), want 5"
tail -n 1 "$work/ev.json" | grep -q '"event_type":"stats"' || fail "last line is not the final stats"
[ -e "/proc/$pid" ] && fail "still running"
[ -e "$work/run/pd.pid" ] && fail "pid file not removed at exit"

what="live: frames that arrive just before SIGTERM are not lost"
# Without --immediate the kernel hands a partly filled block over only when
# its timeout expires (100 ms): the daemon keeps reading that long on stop.
"$pd" -q -i lo -f "udp port $port" -w "$tmp/last.json" 2>"$tmp/last.err" &
lpid=$!
sleep 1 # capture open
send 1
sleep 0.02
kill -TERM "$lpid"
wait "$lpid" || fail "exit status $?"
[ "$(count_events flow "$tmp/last.json")" -eq 1 ] ||
	fail "$(count_events flow "$tmp/last.json") flow events, want 1"

what="live: unknown interface"
run -i pd-no-such-if0 -q
expect_status 1
expect_err "pd-no-such-if0"
expect_err_lines 1

finish
