#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# portdemuxd's command line end to end: exit statuses (docs/portdemuxd.8, EXIT
# STATUS), one-line errors, and that events read before damage are still written.
. "${top_srcdir:-.}/tests/cli-lib.sh"

# Three UDP flows (ports 9001..9003), one packet each: three flow events.
{ pcap_header 1; udp_record 1000 1 9001; udp_record 1001 2 9002; udp_record 1002 3 9003; } \
	>"$tmp/three.pcap"
# The same cut 10 bytes into the third record.
head -c $(($(record_offset "$tmp/three.pcap" 2) + 10)) "$tmp/three.pcap" >"$tmp/cut.pcap"

what="no input: usage on stderr, 64"
run
expect_status 64
expect_err "no input"
expect_err "usage: portdemuxd"
[ -s "$tmp/out" ] && fail "something on stdout"

what="only options, still no input"
run -q -w "$tmp/x.json"
expect_status 64
expect_err "usage:"

what="--help on stdout, 0"
run --help
expect_status 0
grep -q -- "--list-handlers" "$tmp/out" || fail "usage not on stdout"

what="--version"
run -V
expect_status 0
grep -q "^portdemuxd [0-9]" "$tmp/out" || fail "no version line"

what="unknown option"
run -r "$tmp/three.pcap" --frobnicate
expect_status 64
expect_err "unknown option '--frobnicate'"

what="an operand instead of -r"
run "$tmp/three.pcap"
expect_status 64
expect_err "unexpected argument"

what="-r and -i together"
run -r "$tmp/three.pcap" -i lo
expect_status 64
expect_err "cannot be combined"

what="--workers 65"
run -r "$tmp/three.pcap" --workers 65
expect_status 64
expect_err "invalid value '65' (expected 1..64)"

what="live-only option offline"
run -r "$tmp/three.pcap" -s 1500
expect_status 64
expect_err "--snaplen applies to live capture"

what="a good file: 3 flows, stats, exit 0"
run -q -r "$tmp/three.pcap"
expect_status 0
expect_events flow 3
expect_events stats 1
[ "$(stats_packets)" = 3 ] || fail "stats packets $(stats_packets), want 3"
[ -s "$tmp/err" ] && fail "-q run wrote on stderr"

what="summary unless -q"
run -r "$tmp/three.pcap"
expect_status 0
expect_err "portdemuxd: summary"
expect_err "udp/9001"

what="stdin"
"$pd" -q -r - <"$tmp/three.pcap" >"$tmp/out" 2>"$tmp/err"
st=$?
expect_status 0
[ "$(stats_packets)" = 3 ] || fail "stats packets $(stats_packets), want 3"

what="-r - twice"
run -r - -r -
expect_status 64
expect_err "standard input"

what="nonexistent file"
run -q -r "$tmp/nope.pcap"
expect_status 1
expect_err "$tmp/nope.pcap: No such file or directory"
expect_err_lines 1
expect_events stats 1

what="zero-length file"
: >"$tmp/empty.pcap"
run -q -r "$tmp/empty.pcap"
expect_status 1
expect_err "$tmp/empty.pcap: empty file (0 bytes)"
expect_err_lines 1

what="a directory"
run -q -r "$tmp"
expect_status 1
expect_err "$tmp: is a directory"
expect_err_lines 1

what="not a capture"
echo "hello, world" >"$tmp/text.pcap"
run -q -r "$tmp/text.pcap"
expect_status 1
expect_err "$tmp/text.pcap: unknown file format"
expect_err_lines 1

what="truncated last record: events before the damage are kept"
run -q -r "$tmp/cut.pcap"
expect_status 1
expect_err "$tmp/cut.pcap: truncated dump file"
expect_err "(after 2 packets, 92 bytes)"
expect_err_lines 1
expect_events flow 2
[ "$(stats_packets)" = 2 ] || fail "stats packets $(stats_packets), want 2"

what="corrupt record length"
{ pcap_header 1; udp_record 1000 1 9001
  bytes "$(le32 1001)" "$(le32 0)" "$(le32 4000000000)" "$(le32 46)" "$(udp_frame_hex 9002)"; } \
	>"$tmp/corrupt.pcap"
run -q -r "$tmp/corrupt.pcap"
expect_status 1
expect_err "$tmp/corrupt.pcap: "
expect_err "(after 1 packets, 46 bytes)"
expect_err_lines 1
expect_events flow 1

what="a damaged file between good ones: the others are still read"
run -q -r "$tmp/three.pcap" -r "$tmp/cut.pcap" -r "$tmp/nope.pcap" -r "$tmp/three.pcap"
expect_status 1
expect_err_lines 2
[ "$(stats_packets)" = 8 ] || fail "stats packets $(stats_packets), want 8"

what="unsupported link type"
{ pcap_header 105; udp_record 1000 1 9001; } >"$tmp/wifi.pcap"
run -q -r "$tmp/wifi.pcap"
expect_status 1
expect_err "$tmp/wifi.pcap: unsupported link type DLT_IEEE802_11 (105)"
expect_err_lines 1

what="pcapng"
{ pcapng_shb; pcapng_idb 1; pcapng_epb 0 1000 9001; pcapng_epb 0 1001 9002; } >"$tmp/two.pcapng"
run -q -r "$tmp/two.pcapng"
expect_status 0
expect_events flow 2

what="pcapng whose interfaces have different link types"
{ pcapng_shb; pcapng_idb 1; pcapng_epb 0 1000 9001; pcapng_idb 276; pcapng_epb 1 1001 9002; } \
	>"$tmp/mixed.pcapng"
run -q -r "$tmp/mixed.pcapng"
expect_status 1
expect_err "different from the type of the first interface"
expect_err "libpcap reads one link type per file"
expect_err "(after 1 packets, 46 bytes)"
expect_err_lines 1
expect_events flow 1

what="nanosecond pcap: times in microseconds"
{ pcap_header 1 4d3cb2a1; udp_record 1000 123456789 9001; } >"$tmp/nsec.pcap"
run -q -r "$tmp/nsec.pcap"
expect_status 0
grep -q '"timestamp":"1970-01-01T00:16:40.123456+0000"' "$tmp/out" || fail "nanoseconds not scaled"

what="bad BPF: one line, 64, nothing read"
run -q -r "$tmp/three.pcap" -f 'udp portx 9001'
expect_status 64
expect_err "-f: "
expect_err_lines 1
[ -s "$tmp/out" ] && fail "events written despite the bad filter"

what="BPF filters packets"
run -q -r "$tmp/three.pcap" -f 'udp port 9002'
expect_status 0
expect_events flow 1
[ "$(stats_packets)" = 1 ] || fail "stats packets $(stats_packets), want 1"

what="unknown --port handler"
run -q -r "$tmp/three.pcap" --port 2525/tcp=nosuchhandler
expect_status 64
expect_err "--port 2525/tcp=nosuchhandler"
expect_err_lines 1

what="bad --port syntax"
run --list-handlers --port 25/sctp=smtp
expect_status 64
expect_err "invalid spec '25/sctp=smtp'"

what="--list-handlers"
run --list-handlers
expect_status 0
grep -q '^HANDLER ' "$tmp/out" || fail "no header line"
grep -E '^smtp +tcp +.*tcp/587' "$tmp/out" >/dev/null || fail "smtp not on tcp/587"
grep -E '^smtp .*tcp/25( |$)' "$tmp/out" >/dev/null || fail "smtp not on tcp/25"

what="--list-handlers after remaps"
run --list-handlers --port 2526/tcp=smtp --port 25/tcp=none
expect_status 0
grep -E '^smtp .*tcp/2526( |$)' "$tmp/out" >/dev/null || fail "tcp/2526 not added"
grep -E '^smtp .*tcp/25( |$)' "$tmp/out" >/dev/null && fail "tcp/25 not removed"

what="-w unwritable path: 2"
run -q -r "$tmp/three.pcap" -w "$tmp/no/such/dir/events.json"
expect_status 2
expect_err "$tmp/no/such/dir/events.json"
expect_err_lines 1

what="-w a full device: 2"
if [ -w /dev/full ]; then
	run -q -r "$tmp/three.pcap" -w /dev/full
	expect_status 2
	expect_err "write error: No space left on device"
fi

what="-w appends events to a file"
run -q -r "$tmp/three.pcap" -w "$tmp/ev.json"
run -q -r "$tmp/three.pcap" -w "$tmp/ev.json"
expect_status 0
[ "$(count_events flow "$tmp/ev.json")" -eq 6 ] || fail "file does not hold both runs"

what="configuration file: check"
printf '# test\nread = %s\n\nquiet\nport = 2526/tcp=smtp\nsnaplen = 1500\n' \
	"$tmp/three.pcap" >"$tmp/good.conf"
run -c "$tmp/good.conf" --check-config
expect_status 0
expect_err "configuration OK"

what="configuration file: a run, live-only settings ignored offline"
run -c "$tmp/good.conf"
expect_status 0
expect_events flow 3
[ -s "$tmp/err" ] && fail "quiet from the file not applied"

what="configuration file: bad value names FILE:LINE, 78"
printf 'quiet\nmax-flows = lots\n' >"$tmp/bad.conf"
run -c "$tmp/bad.conf" -r "$tmp/three.pcap"
expect_status 78
expect_err "$tmp/bad.conf:2: --max-flows: invalid value 'lots'"

what="configuration file: unknown name"
printf 'frobnicate = 1\n' >"$tmp/bad2.conf"
run -c "$tmp/bad2.conf" --check-config
expect_status 78
expect_err "$tmp/bad2.conf:1: 'frobnicate'"

what="configuration file: unknown handler in a port line"
printf 'port = 2526/tcp=nosuch\n' >"$tmp/bad3.conf"
run -c "$tmp/bad3.conf" --check-config
expect_status 78
expect_err "$tmp/bad3.conf:1: --port 2526/tcp=nosuch"

what="--check-config: chroot directory and user"
run --check-config -t "$tmp/no-such-dir"
expect_status 64
expect_err "-t $tmp/no-such-dir: not a directory"
run --check-config -u pd-no-such-user
expect_status 64
expect_err "-u pd-no-such-user"

what="configuration file: missing"
run -c "$tmp/none.conf" --check-config
expect_status 78
expect_err "$tmp/none.conf: No such file or directory"

# A real capture cut with head -c: events of the packets before the cut stay.
real="${PD_SHARED_PCAPS:-}/real/d07-smtp25-large-1mb-v4.pcap"
if [ -r "$real" ]; then
	what="real capture cut inside a record"
	cut=$(($(record_offset "$real" 500) + 30))
	head -c "$cut" "$real" >"$tmp/real-cut.pcap"
	want=$(pcap_records "$tmp/real-cut.pcap")
	[ "$want" -eq 500 ] || fail "oracle counted $want records"
	run -q -r "$tmp/real-cut.pcap"
	expect_status 1
	expect_err "truncated dump file"
	expect_err "(after $want packets,"
	expect_err_lines 1
	[ "$(stats_packets)" = "$want" ] || fail "stats packets $(stats_packets), want $want"
	expect_events flow 1

	what="real capture: pcapng"
	run -q -r "${PD_SHARED_PCAPS}/real/d05-smtp25-multircpt-550-v4.pcapng"
	expect_status 0
	[ "$(stats_packets)" = 27 ] || fail "stats packets $(stats_packets), want 27"
else
	echo "SKIP: shared captures absent: real-capture cases not run"
fi

finish
