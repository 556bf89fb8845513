#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Drop-ins re-read on SIGHUP (docs/handler-guide.md "Reloading"): portdemuxd
# reads a capture from a FIFO the test fills piece by piece; between pieces the
# drop-in directory changes and SIGHUP arrives. Flows claimed before a reload
# keep their handler, flows that start after it use the new table, and a
# refused reload keeps the table in use with one line on stderr.
. "${top_srcdir:-.}/tests/cli-lib.sh"

command -v mkfifo >/dev/null || { echo "SKIP: no mkfifo"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }

# Run as root, portdemuxd drops to an unprivileged user before the reload:
# the directory and its files must stay readable to it.
chmod 711 "$tmp"
work="$tmp/w"
dd="$work/portdemux.d"
mkdir -p "$dd" && chmod 755 "$work" "$dd"
python3 "$top_srcdir/tests/plugin-pcap.py" reload "$work" || exit 99

# conf NAME TEXT: writes a drop-in file whole (rename: a reload never sees half)
conf() {
	printf '%s\n' "$2" >"$dd/.new" && chmod 644 "$dd/.new" && mv "$dd/.new" "$dd/$1"
}

wait_for() {
	i=0
	while ! "$@" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || return 1
		sleep 0.1
	done
}

has_stats() { # N: the event file holds at least N stats events
	[ "$(count_events stats "$work/ev.json")" -ge "$1" ]
}

# sync N WAKE: SIGUSR1, then one packet (signals are acted on after a packet);
# returns once the Nth stats event is written, i.e. all that came before is done
sync_to() {
	kill -USR1 "$pid"
	cat "$work/$2" >&3
	wait_for has_stats "$1" || fail "no stats event $1: portdemuxd stuck?"
}

conf 10-base.conf "# before the reload
port 9025/tcp = dns"
mkfifo "$work/fifo"
"$pd" -q -r - --dropin-dir "$dd" --pidfile "$work/pd.pid" <"$work/fifo" >"$work/ev.json" \
	2>"$work/err" &
pid=$!
exec 3>"$work/fifo"
wait_for test -s "$work/pd.pid" || fail "no pid file: portdemuxd did not start"

what="part 1, first table"
cat "$work/head" "$work/part1" >&3
sync_to 1 wake1

what="valid reload"
conf 10-base.conf "# after the reload: smtp off, 9025 to tls
disable = smtp
port 9025/tcp = tls"
kill -HUP "$pid"
cat "$work/wake2" >&3
sync_to 2 wake3
[ -s "$work/err" ] && fail "stderr after a valid reload: $(cat "$work/err")"

what="part 2, second table"
cat "$work/part2" >&3

what="refused reload"
conf 20-bad.conf "# line 2 conflicts with 10-base.conf:3
port 9025/tcp = dns"
kill -HUP "$pid"
cat "$work/wake4" >&3
wait_for test -s "$work/err" || fail "nothing on stderr after a refused reload"
cat "$work/part3" >&3
exec 3>&-
wait "$pid"
st=$?
cp "$work/err" "$tmp/err"
cp "$work/ev.json" "$tmp/out"
expect_status 0
expect_err_lines 1
expect_err "portdemuxd: reload: $dd/20-bad.conf:2: port 9025/tcp already assigned to tls by 10-base.conf:3; keeping the current handler table"

# flow_field PORT EVENT_TYPE: the events of that type for client port PORT
events_of() {
	grep "\"event_type\":\"$2\"" "$tmp/out" | grep "\"src_port\":$1,"
}
flow_app() {
	events_of "$1" flow | sed -n 's/.*"app_proto":"\([a-z]*\)".*/\1/p'
}

what="A: SMTP claimed before the reload keeps smtp after it"
events_of 40001 smtp | grep -q '"mail_from":"a@a.test"' ||
	fail "no smtp transaction for A (its commands came after the reload)"
[ "$(flow_app 40001)" = smtp ] || fail "A's flow app_proto '$(flow_app 40001)', want smtp"

what="C: port 9025 before the reload is dns's"
events_of 40002 anomaly | grep -q '"event":"app_proto_mismatch".*"expected":"dns"' ||
	fail "no mismatch expecting dns"

what="B: SMTP after the reload finds smtp disabled"
[ -z "$(events_of 40003 smtp)" ] || fail "smtp events for B"
[ "$(flow_app 40003)" = unknown ] || fail "B's flow app_proto '$(flow_app 40003)', want unknown"

what="E: port 9025 after the reload is tls's"
events_of 40004 anomaly | grep -q '"event":"app_proto_mismatch".*"expected":"tls"' ||
	fail "no mismatch expecting tls"

what="F: after the refused reload the second table is still in use"
[ -z "$(events_of 40005 smtp)" ] || fail "smtp events for F"
[ "$(flow_app 40005)" = unknown ] || fail "F's flow app_proto '$(flow_app 40005)', want unknown"

what="every flow ended once"
[ "$(count_events flow)" -eq 9 ] || fail "$(count_events flow) flow events, want 9 (5 TCP, 4 wake-ups)"

finish
