# SPDX-License-Identifier: BSD-2-Clause
# Shared helpers of the tests/cli-*.sh scripts: run portdemuxd, check its exit
# status, stderr and events, and build small pcap files byte by byte
# (pcap-savefile(5): 24-byte header, 16-byte record headers, little endian).
# Sourced, never run; plain POSIX sh (dash).

pd="${top_builddir:-.}/portdemuxd"
[ -x "$pd" ] || { echo "no $pd: build first"; exit 99; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pd-cli.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0
what=""

# wait_for COMMAND...: polls COMMAND every 0.1 s until it succeeds; false after
# WAIT_TENTHS tries (default 100: 10 s).
wait_for() {
	i=0
	while ! "$@" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt "${WAIT_TENTHS:-100}" ] || return 1
		sleep 0.1
	done
}

fail() {
	echo "FAIL: $what: $*"
	failures=$((failures + 1))
}

# run ARGS...: stdout -> $tmp/out, stderr -> $tmp/err, status -> $st
run() {
	"$pd" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
}

expect_status() {
	[ "$st" -eq "$1" ] || { fail "exit status $st, want $1"; sed 's/^/  stderr: /' "$tmp/err"; }
}

# expect_err TEXT: stderr holds TEXT (fixed string)
expect_err() {
	grep -qF -- "$1" "$tmp/err" || { fail "stderr lacks '$1'"; sed 's/^/  stderr: /' "$tmp/err"; }
}

# expect_err_lines N: stderr has exactly N lines (one-line errors)
expect_err_lines() {
	n=$(wc -l <"$tmp/err")
	[ "$n" -eq "$1" ] || { fail "$n lines on stderr, want $1"; sed 's/^/  stderr: /' "$tmp/err"; }
}

# count_events TYPE [FILE]: number of events of that event_type
count_events() {
	grep -c "\"event_type\":\"$1\"" "${2:-$tmp/out}"
}

expect_events() { # TYPE N
	n=$(count_events "$1")
	[ "$n" -eq "$2" ] || fail "$n $1 events, want $2"
}

# stats_packets [FILE]: "packets" of the last stats event
stats_packets() {
	grep '"event_type":"stats"' "${1:-$tmp/out}" | tail -n 1 |
		sed -n 's/.*"stats":{"packets":\([0-9]*\).*/\1/p'
}

# bytes HEX...: writes the bytes given as hex pairs (blanks ignored)
bytes() {
	hex=$(printf '%s' "$*" | tr -d ' \n')
	esc=''
	while [ -n "$hex" ]; do
		pair=${hex%"${hex#??}"}
		hex=${hex#??}
		esc="$esc\\$(printf '%03o' "0x$pair")"
	done
	printf "$esc"
}

le32() {
	printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) \
		$(($1 >> 24 & 255))
}

be16() {
	printf '%02x%02x' $(($1 >> 8 & 255)) $(($1 & 255))
}

# pcap_header LINKTYPE [MAGIC]: microsecond pcap unless MAGIC says otherwise
pcap_header() {
	bytes "${2:-d4c3b2a1}" 0200 0400 00000000 00000000 "$(le32 65535)" "$(le32 "$1")"
}

# udp_frame DPORT: Ethernet + IPv4 + UDP 10.0.0.1:40000 -> 10.0.0.2:DPORT, "ping"
# (the client port is the higher one, so DPORT is the server port)
udp_frame_hex() {
	printf '%s' "020000000002 020000000001 0800" \
		"4500 0020 0001 0000 4011 0000 0a000001 0a000002" \
		"9c40 $(be16 "$1") 000c 0000 70696e67"
}

# udp_record SEC USEC DPORT: one record holding udp_frame
udp_record() {
	bytes "$(le32 "$1")" "$(le32 "$2")" "$(le32 46)" "$(le32 46)" "$(udp_frame_hex "$3")"
}

le16() {
	printf '%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255))
}

# pcapng (draft-ietf-opsawg-pcapng): section header, interface description
# LINKTYPE, enhanced packet of udp_frame on interface IF at second SEC
pcapng_shb() {
	bytes 0a0d0d0a "$(le32 28)" 4d3c2b1a "$(le16 1)" "$(le16 0)" ffffffffffffffff "$(le32 28)"
}
pcapng_idb() {
	bytes 01000000 "$(le32 20)" "$(le16 "$1")" 0000 "$(le32 65535)" "$(le32 20)"
}
pcapng_epb() { # IF SEC DPORT (46-byte frame padded to 48)
	us=$(($2 * 1000000))
	bytes 06000000 "$(le32 80)" "$(le32 "$1")" "$(le32 $((us >> 32)))" \
		"$(le32 $((us & 4294967295)))" "$(le32 46)" "$(le32 46)" "$(udp_frame_hex "$3")" 0000 \
		"$(le32 80)"
}

# pcap_records FILE: number of whole records in a little-endian pcap file
# (an oracle independent of libpcap: walks the 16-byte record headers)
pcap_records() {
	size=$(wc -c <"$1")
	off=24 n=0
	while [ $((off + 16)) -le "$size" ]; do
		incl=$(od -An -tu4 -j $((off + 8)) -N4 "$1" | tr -d ' ')
		[ $((off + 16 + incl)) -le "$size" ] || break
		off=$((off + 16 + incl))
		n=$((n + 1))
	done
	echo "$n"
}

# record_offset FILE K: byte offset where record K (0-based) starts
record_offset() {
	off=24 k=0
	while [ "$k" -lt "$2" ]; do
		incl=$(od -An -tu4 -j $((off + 8)) -N4 "$1" | tr -d ' ')
		off=$((off + 16 + incl))
		k=$((k + 1))
	done
	echo "$off"
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures check(s) failed"
		exit 1
	fi
	exit 0
}
