#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Signals, privilege drop and the pid file on an offline run fed through a FIFO
# (docs/portdemuxd.8, SIGNALS and Privileges): SIGUSR1 writes stats now, SIGHUP
# reopens the event file, SIGTERM/SIGINT end flows and exit 0 even while a
# read is blocked.
. "${top_srcdir:-.}/tests/cli-lib.sh"

command -v mkfifo >/dev/null || { echo "SKIP: no mkfifo"; exit 77; }
# the dropped user (nobody when run as root) must be able to recreate the file
work="$tmp/w"
mkdir "$work" && chmod 1777 "$work" && chmod 711 "$tmp"

WAIT_TENTHS=50 # wait_for (cli-lib.sh): up to 5 s

has_stats() { # FILE N: at least N stats events
	[ -f "$1" ] && [ "$(count_events stats "$1")" -ge "$2" ]
}

# status_field PID NAME: a field of /proc/PID/status
status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"
}

for sig in TERM INT; do
	what="SIG$sig on a blocked read"
	rm -f "$work/fifo" "$work/ev.json" "$work/ev.json.1" "$work/pd.pid"
	mkfifo "$work/fifo"
	"$pd" -q -r - -w "$work/ev.json" --pidfile "$work/pd.pid" <"$work/fifo" 2>"$tmp/bg.err" &
	pid=$!
	exec 3>"$work/fifo"
	{ pcap_header 1; udp_record 1000 1 9001; } >&3

	what="SIG$sig run: pid file"
	wait_for test -s "$work/pd.pid" || fail "no pid file"
	[ "$(cat "$work/pd.pid")" = "$pid" ] || fail "pid file holds $(cat "$work/pd.pid"), want $pid"
	run -q -r "$tmp/none.pcap" --pidfile "$work/pd.pid"
	expect_status 1
	expect_err "locked by pid $pid"

	what="SIG$sig run: privileges dropped"
	if [ -r "/proc/$pid/status" ]; then
		[ "$(status_field $pid CapEff)" = 0000000000000000 ] || fail "CapEff $(status_field $pid CapEff)"
		[ "$(status_field $pid CapAmb)" = 0000000000000000 ] || fail "CapAmb not empty"
		[ "$(status_field $pid NoNewPrivs)" = 1 ] || fail "NoNewPrivs not set"
		if [ "$(id -u)" -eq 0 ]; then
			uid=$(status_field $pid Uid | awk '{print $1 $2 $3 $4}')
			nobody=$(id -u nobody 2>/dev/null || echo 65534)
			id -u portdemux >/dev/null 2>&1 && nobody=$(id -u portdemux)
			[ "$uid" = "$nobody$nobody$nobody$nobody" ] || fail "uids '$uid', want $nobody x4"
			[ "$(status_field $pid CapBnd)" = 0000000000000000 ] || fail "CapBnd not empty"
		fi
	fi

	what="SIG$sig run: SIGUSR1 writes stats"
	wait_for test -e "$work/ev.json"
	kill -USR1 "$pid"
	sleep 0.2
	udp_record 1001 1 9002 >&3    # reads restart after SIGUSR1: a packet wakes the loop
	wait_for has_stats "$work/ev.json" 1 || fail "no stats event after SIGUSR1"

	what="SIG$sig run: SIGHUP reopens the event file"
	mv "$work/ev.json" "$work/ev.json.1"
	kill -HUP "$pid"
	sleep 0.2
	udp_record 1002 1 9003 >&3
	udp_record 1003 1 9004 >&3
	sleep 0.3

	what="SIG$sig run: stop"
	kill -"$sig" "$pid"
	wait "$pid"
	st=$?
	exec 3>&-
	cp "$tmp/bg.err" "$tmp/err"
	expect_status 0
	expect_err_lines 0
	[ -f "$work/ev.json" ] || fail "event file not recreated after SIGHUP"
	cat "$work/ev.json.1" "$work/ev.json" >"$tmp/all.json" 2>/dev/null
	[ "$(count_events flow "$tmp/all.json")" -eq 4 ] || fail "$(count_events flow "$tmp/all.json") flow events, want 4"
	[ "$(count_events stats "$tmp/all.json")" -eq 2 ] || fail "want 2 stats events (SIGUSR1, final)"
	[ "$(count_events stats "$work/ev.json")" -eq 1 ] || fail "final stats not in the reopened file"
	[ "$(stats_packets "$work/ev.json")" = 4 ] || fail "final stats packets $(stats_packets "$work/ev.json"), want 4"
	# a sticky directory: the dropped user may not unlink root's file, so the
	# daemon empties it instead; no pid is left in it either way
	[ -s "$work/pd.pid" ] && fail "pid file still holds $(cat "$work/pd.pid") after exit"
	rm -f "$work/fifo"
done

what="--stats-interval in packet time"
{ pcap_header 1; udp_record 1000 0 9001; udp_record 1005 0 9002; udp_record 1011 0 9003;
  udp_record 1012 0 9004; } >"$tmp/spread.pcap"
run -q -r "$tmp/spread.pcap" --stats-interval 5
expect_status 0
# due at 1005 (first packet + 5) and again at 1011 (after 1010); then the final one
expect_events stats 3
grep '"event_type":"stats"' "$tmp/out" | head -n 1 | grep -q '"timestamp":"1970-01-01T00:16:45' ||
	fail "first periodic stats not at packet time 1005"

what="sd_notify: READY=1 then STOPPING=1 on \$NOTIFY_SOCKET"
if command -v python3 >/dev/null; then
	python3 - "$work/notify.sock" "$pd" -q -r "$tmp/spread.pcap" >"$tmp/notify.out" <<'EOF'
import os, socket, subprocess, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(10)
p = subprocess.Popen(sys.argv[2:], env=dict(os.environ, NOTIFY_SOCKET=sys.argv[1]),
                     stdout=subprocess.DEVNULL)
got = []
try:
    while len(got) < 2:
        got.append(s.recv(256).decode())
except socket.timeout:
    pass
print(" ".join(got), p.wait())
EOF
	[ "$(cat "$tmp/notify.out")" = "READY=1 STOPPING=1 0" ] || fail "got '$(cat "$tmp/notify.out")'"
else
	echo "SKIP: no python3: sd_notify not checked"
fi

finish
