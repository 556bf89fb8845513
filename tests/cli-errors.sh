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

what="an empty file and a directory between good files: a line each, the others read"
run -q -r "$tmp/three.pcap" -r "$tmp/empty.pcap" -r "$tmp" -r "$tmp/three.pcap"
expect_status 1
expect_err "$tmp/empty.pcap: empty file (0 bytes)"
expect_err "$tmp: is a directory"
expect_err_lines 2
[ "$(stats_packets)" = 6 ] || fail "stats packets $(stats_packets), want 6"

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

what="nonexistent interface: one line naming it, 1"
run -q -i pd-hostile-nosuch0
expect_status 1
expect_err "pd-hostile-nosuch0: "
expect_err "o such"
expect_err_lines 1

what="bad BPF with a live interface: 64 before any capture"
run -q -i lo -f 'tcp portx 25'
expect_status 64
expect_err "-f: "
expect_err_lines 1

# Permission cases: root reads anything, so as root the daemon runs as
# nobody (setpriv); as another user chmod 000 is enough.
as_other() {
	if [ "$(id -u)" -ne 0 ]; then
		"$@"
	else
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
	fi
}
if [ "$(id -u)" -ne 0 ] || command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$tmp"
	mkdir "$tmp/pub" && chmod 755 "$tmp/pub"
	cp "$tmp/three.pcap" "$tmp/pub/three.pcap" && chmod 644 "$tmp/pub/three.pcap"
	cp "$tmp/three.pcap" "$tmp/pub/secret.pcap" && chmod 000 "$tmp/pub/secret.pcap"

	what="unreadable -r between good files: one line, 1, the others read"
	as_other "$pd" -q -r "$tmp/pub/three.pcap" -r "$tmp/pub/secret.pcap" \
		-r "$tmp/pub/three.pcap" >"$tmp/out" 2>"$tmp/err"
	st=$?
	expect_status 1
	expect_err "$tmp/pub/secret.pcap: Permission denied"
	expect_err_lines 1
	expect_events flow 3 # the same three flows in both files
	[ "$(stats_packets)" = 6 ] || fail "stats packets $(stats_packets), want 6"

	what="-w in a directory not writable: 2, nothing read"
	mkdir "$tmp/pub/ro" && chmod 555 "$tmp/pub/ro"
	as_other "$pd" -q -r "$tmp/pub/three.pcap" -w "$tmp/pub/ro/ev.json" >"$tmp/out" 2>"$tmp/err"
	st=$?
	expect_status 2
	expect_err "$tmp/pub/ro/ev.json: Permission denied"
	expect_err_lines 1
	[ -e "$tmp/pub/ro/ev.json" ] && fail "event file created"

	what="-w an existing file not writable: 2"
	: >"$tmp/pub/ro.json" && chmod 444 "$tmp/pub/ro.json"
	as_other "$pd" -q -r "$tmp/pub/three.pcap" -w "$tmp/pub/ro.json" >"$tmp/out" 2>"$tmp/err"
	st=$?
	expect_status 2
	expect_err "$tmp/pub/ro.json: Permission denied"
	expect_err_lines 1
	[ -s "$tmp/pub/ro.json" ] && fail "events written to a read-only file"
	chmod 700 "$tmp"
else
	echo "SKIP: root without setpriv: permission cases not run"
fi

what="-w a directory: 2"
run -q -r "$tmp/three.pcap" -w "$tmp"
expect_status 2
expect_err "$tmp: Is a directory"
expect_err_lines 1

what="configuration file: bad value, one line, nothing read"
printf 'max-flows = -5\n' >"$tmp/bad4.conf"
run -q -c "$tmp/bad4.conf" -r "$tmp/three.pcap"
expect_status 78
expect_err "$tmp/bad4.conf:1: --max-flows: invalid value '-5'"
expect_err_lines 1
[ -s "$tmp/out" ] && fail "events written despite the bad configuration"

# pcapng written block by block in Python (draft-ietf-opsawg-pcapng section
# 3.1: type, total length, body padded to 32 bits, total length again): a
# block of a type libpcap does not know must be skipped; a block whose length
# is wrong stops the file with one line, events before it kept.
if command -v python3 >/dev/null 2>&1; then
	cat >"$tmp/ng.py" <<'PYEOF'
import struct, sys
def blk(btype, body, length=None, trailer=None):
    body += b'\0' * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack('<II', btype, n if length is None else length) + body + \
        struct.pack('<I', n if trailer is None else trailer)
def frame(dport):
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 32, 1, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    return bytes.fromhex('020000000002' '020000000001' '0800') + ip + \
        struct.pack('>HHHH', 40000, dport, 12, 0) + b'ping'
def epb(sec, dport, **kw):
    f = frame(dport)
    us = sec * 1000000
    return blk(6, struct.pack('<IIIII', 0, us >> 32, us & 0xffffffff, len(f), len(f)) + f, **kw)
shb = blk(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1))
idb = blk(1, struct.pack('<HHI', 1, 0, 65535))
head = shb + idb + epb(1000, 9001) + epb(1001, 9002)
tail = epb(1002, 9003) + epb(1003, 9004)
out = {
    'unknown': head + blk(0x0BADBEEF, b'hostile block' * 3) + tail,
    'odd-length': head + blk(0x0BADBEEF, b'hostile!', length=13) + tail,
    'huge-length': head + blk(0x0BADBEEF, b'hostile!', length=0x7ffffff0) + tail,
    'trailer': head + epb(1002, 9003, trailer=999) + epb(1003, 9004),
}[sys.argv[1]]
sys.stdout.buffer.write(out)
PYEOF
	what="pcapng with an unknown block type: skipped, nothing lost"
	python3 "$tmp/ng.py" unknown >"$tmp/unknown.pcapng"
	run -q -r "$tmp/unknown.pcapng"
	expect_status 0
	expect_events flow 4
	[ "$(stats_packets)" = 4 ] || fail "stats packets $(stats_packets), want 4"
	[ -s "$tmp/err" ] && fail "stderr not empty"

	for shape in odd-length huge-length trailer; do
		what="pcapng block with a bad length ($shape): one line, 1, events before kept"
		python3 "$tmp/ng.py" "$shape" >"$tmp/$shape.pcapng"
		run -q -r "$tmp/$shape.pcapng" -r "$tmp/three.pcap"
		expect_status 1
		expect_err "$tmp/$shape.pcapng: "
		expect_err "(after 2 packets, 92 bytes)"
		expect_err_lines 1
		expect_events flow 3 # udp/9001 and 9002 before the damage, 9003 after
		[ "$(stats_packets)" = 5 ] || fail "stats packets $(stats_packets), want 5"
	done
else
	echo "SKIP: no python3: pcapng block cases not run"
fi

# Records longer than the file's snaplen: libpcap keeps snaplen bytes and
# skips the rest silently; portdemuxd says so. snaplen 64; the second frame
# is 96 bytes (54 bytes of UDP payload).
big_frame_hex() { # DPORT
	printf '%s' "020000000002 020000000001 0800" \
		"4500 0052 0001 0000 4011 0000 0a000001 0a000002" \
		"9c40 $(be16 "$1") 003e 0000"
	i=0
	while [ $i -lt 54 ]; do printf '70'; i=$((i + 1)); done
}
snap_header() { # LINKTYPE SNAPLEN
	bytes d4c3b2a1 0200 0400 00000000 00000000 "$(le32 "$2")" "$(le32 "$1")"
}
{ snap_header 1 64; udp_record 1000 1 9001
  bytes "$(le32 1001)" "$(le32 0)" "$(le32 96)" "$(le32 96)" "$(big_frame_hex 9002)"
  udp_record 1002 3 9003; } >"$tmp/over.pcap"

what="record longer than the snaplen: one line, 1, read on, anomaly and counter"
run -q -r "$tmp/over.pcap"
expect_status 1
expect_err "$tmp/over.pcap: record 2: captured length 96 exceeds the file's snapshot length 64"
expect_err "64 bytes kept, 32 skipped"
expect_err_lines 1
expect_events flow 2
[ "$(stats_packets)" = 3 ] || fail "stats packets $(stats_packets), want 3"
expect_events anomaly 1
grep '"event_type":"anomaly"' "$tmp/out" | grep -qF \
	'"type":"capture","event":"record_over_snaplen","count":1,"total":1,"file":"'"$tmp"'/over.pcap","record":2,"record_length":96,"snaplen":64,"skipped_bytes":32' ||
	fail "no record_over_snaplen anomaly"
grep '"event_type":"stats"' "$tmp/out" | grep -qF \
	'"input":{"records_over_snaplen":1,"bytes_over_snaplen":32}' || fail "no stats counter"

what="record longer than the snaplen, big-endian file"
be32() {
	printf '%02x%02x%02x%02x' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) \
		$(($1 & 255))
}
{ bytes a1b2c3d4 0002 0004 00000000 00000000 "$(be32 64)" "$(be32 1)"
  bytes "$(be32 1000)" "$(be32 0)" "$(be32 46)" "$(be32 46)" "$(udp_frame_hex 9001)"
  bytes "$(be32 1001)" "$(be32 0)" "$(be32 96)" "$(be32 96)" "$(big_frame_hex 9002)"
  bytes "$(be32 1002)" "$(be32 0)" "$(be32 46)" "$(be32 46)" "$(udp_frame_hex 9003)"; } \
	>"$tmp/over-be.pcap"
run -q -r "$tmp/over-be.pcap"
expect_status 1
expect_err "$tmp/over-be.pcap: record 2: captured length 96 exceeds the file's snapshot length 64"
expect_err_lines 1
expect_events flow 2
expect_events anomaly 1

what="a record over the snaplen, then a truncated one: still one line"
head -c $(($(wc -c <"$tmp/over.pcap") - 10)) "$tmp/over.pcap" >"$tmp/over-cut.pcap"
run -q -r "$tmp/over-cut.pcap"
expect_status 1
expect_err "$tmp/over-cut.pcap: truncated dump file"
expect_err "(after 2 packets, 110 bytes); before that, 1 record longer than the snapshot length 64 (first: record 2)"
expect_err_lines 1
expect_events flow 1
expect_events anomaly 1

what="records at exactly the snaplen are whole: no report"
{ snap_header 1 46; udp_record 1000 1 9001; udp_record 1001 2 9002; } >"$tmp/exact.pcap"
run -q -r "$tmp/exact.pcap"
expect_status 0
expect_events flow 2
expect_events anomaly 0
[ -s "$tmp/err" ] && fail "stderr not empty"

what="several records over the snaplen: one line for the file"
{ snap_header 1 64; i=0
  while [ $i -lt 5 ]; do
	bytes "$(le32 $((1000 + i)))" "$(le32 0)" "$(le32 96)" "$(le32 96)" "$(big_frame_hex 9002)"
	i=$((i + 1))
  done; udp_record 1009 0 9003; } >"$tmp/over5.pcap"
run -q -r "$tmp/over5.pcap" -r "$tmp/three.pcap"
expect_status 1
expect_err "$tmp/over5.pcap: 5 records exceed the file's snapshot length 64 (first: record 1, captured length 96); 160 bytes skipped"
expect_err_lines 1
expect_events flow 3 # udp/9003 from over5 (its cut 9002 frames do not decode), three.pcap's
[ "$(stats_packets)" = 9 ] || fail "stats packets $(stats_packets), want 9"
grep '"event_type":"stats"' "$tmp/out" | grep -qF \
	'"input":{"records_over_snaplen":5,"bytes_over_snaplen":160}' || fail "no stats counter"

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
