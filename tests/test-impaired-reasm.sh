#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test-impaired-reasm.sh — TCP reassembly (RFC 9293 3.4) and IP defragmentation (RFC 791 3.2,
# RFC 8200 4.5) on real impaired traffic recorded by pcaps/mk-impaired.sh, checked against
# what the programs and the impairing relay logged, never against portdemuxd's own output:
#  - pcaps/impaired-*.pcap (SMTP through a relay that dropped, duplicated and reordered
#    segments; one capture on the server's link, one on a lossy mirror port): the message
#    portdemuxd reassembled, message_size plus the octets it reports lost, equals what swaks
#    sent (CAPTURE.expect), the octets it reports missing toward the server equal the relay's
#    count (0 on the server's link), and the retransmissions and out-of-order segments were
#    seen;
#  - pcaps/frag-udp-*.pcap (DNS answers fragmented on a routed hop, fragments held back,
#    duplicated and dropped by the relay): every datagram whose fragments all arrived is
#    reassembled and its DNS answer is complete (6 or 13 TXT records of 219 octets), the
#    datagram whose fragment was dropped never completes, the duplicated fragment is seen as
#    an overlap (counts from CAPTURE.relay.txt).
# Environment: top_srcdir, top_builddir. Needs jq. Exit 0 pass, 1 fail, 77 skip, 99 error.
set -u

pd="${top_builddir:-.}/portdemuxd"
src="${top_srcdir:-.}"
[ -x "$pd" ] || { echo "SKIP: $pd not built"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pd-impaired.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

failures=0
checks=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# same NAME ACTUAL EXPECTED
same() {
	checks=$((checks + 1))
	if [ "$2" = "$3" ]; then echo "ok: $1 = $3"; else fail "$1: got '$2', want '$3'"; fi
}
# holds NAME SHELL-TEST...: the test holds
holds() {
	what=$1
	shift
	checks=$((checks + 1))
	if [ "$@" ]; then echo "ok: $what"; else fail "$what (test: $*)"; fi
}
# q FILE JQ-PROGRAM: jq -s over the events, one compact result
q() { jq -s -c "$2" "$1"; }
# expect FILE KEY: a "KEY value" line of a .expect file
expect() { awk -v k="$2" '$1 == k { print $2; found = 1 } END { if (!found) print "missing" }' "$1"; }

run() { # capture -> $tmp/out.json (-w appends: start from no file)
	rm -f "$tmp/out.json"
	if ! "$pd" -q -r "$1" -w "$tmp/out.json" 2>"$tmp/err"; then
		cat "$tmp/err"
		fail "portdemuxd -r $1 failed"
		return 1
	fi
	jq -e . "$tmp/out.json" >/dev/null 2>&1 || { fail "$1: output is not JSON lines"; return 1; }
}

# --- TCP: the reassembled client stream against what the client sent --------------------
ntcp=0
for pcap in "$src"/pcaps/impaired-*.pcap; do
	[ -f "$pcap" ] || continue
	ntcp=$((ntcp + 1))
	name=$(basename "$pcap" .pcap)
	exp=${pcap%.pcap}.expect
	[ -f "$exp" ] || { fail "$name: no $exp"; continue; }
	echo "# $name"
	run "$pcap" || continue
	out=$tmp/out.json
	want_size=$(expect "$exp" message_size)
	want_missed=$(expect "$exp" missed_toserver)
	want_never=$(expect "$exp" never_captured_toserver)

	same "$name: SMTP transactions" "$(q "$out" '[.[] | select(.event_type == "smtp" and .smtp.type == "transaction")] | length')" 1
	tx='[.[] | select(.event_type == "smtp" and .smtp.type == "transaction")][0].smtp.data'
	size=$(q "$out" "$tx.message_size")
	lost=$(q "$out" "$tx.lost_bytes // 0")
	same "$name: message reply" "$(q "$out" "$tx.final_reply")" 250
	# The octets the client sent as the message are those delivered plus those lost.
	same "$name: message_size + lost_bytes (swaks' message)" "$((size + lost))" "$want_size"
	flow='[.[] | select(.event_type == "flow" and .proto == "TCP")]'
	same "$name: TCP flows" "$(q "$out" "$flow | length")" 1
	same "$name: flow bytes_missed_toserver (relay's count)" \
		"$(q "$out" "${flow}[0].flow.bytes_missed_toserver")" "$want_missed"
	same "$name: stats gap_bytes" "$(q "$out" '[.[] | select(.event_type == "stats")][-1].stats.tcp.gap_bytes')" "$want_missed"
	gaps=$(q "$out" "${flow}[0].flow.gaps")
	if [ "$want_missed" -eq 0 ]; then
		same "$name: no gap on the server's link" "$gaps" 0
		same "$name: no message octet lost" "$lost" 0
	else
		holds "$name: gaps reported ($gaps)" "$gaps" -gt 0
		# lost_bytes also holds the partial line the handler dropped before each gap
		holds "$name: lost_bytes $lost >= missed $want_missed" "$lost" -ge "$want_missed"
		holds "$name: never captured $want_never <= missed $want_missed" "$want_never" -le "$want_missed"
		same "$name: session marked incomplete" \
			"$(q "$out" '[.[] | select(.event_type == "smtp" and .smtp.type == "session")][0].smtp.incomplete')" true
	fi
	same "$name: session ended by QUIT" \
		"$(q "$out" '[.[] | select(.event_type == "smtp" and .smtp.type == "session")][0].smtp.end | [.how, .quit_reply]')" '["QUIT",221]'
	# the impairment is visible to the reassembler
	retr=$(q "$out" '[.[] | select(.event_type == "stats")][-1].stats.tcp.retransmissions')
	ooo=$(q "$out" '[.[] | select(.event_type == "stats")][-1].stats.tcp.ooo_segments')
	holds "$name: retransmissions seen ($retr)" "$retr" -gt 0
	holds "$name: out-of-order segments seen ($ooo)" "$ooo" -gt 0
done
holds "impaired TCP captures found ($ntcp)" "$ntcp" -ge 2

# --- fragments: reassembled DNS answers ---------------------------------------------------
nfrag=0
for pcap in "$src"/pcaps/frag-udp-*.pcap; do
	[ -f "$pcap" ] || continue
	nfrag=$((nfrag + 1))
	name=$(basename "$pcap" .pcap)
	log=${pcap%.pcap}.relay.txt
	[ -f "$log" ] || { fail "$name: no $log"; continue; }
	echo "# $name"
	run "$pcap" || continue
	out=$tmp/out.json
	drops=$(grep -c '^ *[0-9][0-9]* .* drop ' "$log")
	dups=$(grep -c '^ *[0-9][0-9]* .* dup ' "$log")
	holds "$name: the relay dropped and duplicated fragments ($drops, $dups)" "$drops" -gt 0 -a "$dups" -gt 0
	defrag='[.[] | select(.event_type == "stats")][-1].stats.defrag'
	reasm=$(q "$out" "$defrag.reassembled")
	holds "$name: stats.defrag.reassembled > 0 ($reasm)" "$reasm" -gt 0
	# mid and big TXT answers exceed the 1280-octet MTU: each one decoded is a reassembled
	# datagram, and every TXT question got one (dig retried the one that lost a fragment)
	answers='[.[] | select(.event_type == "dns" and .dns.type == "answer" and .dns.rrtype == "TXT")]'
	same "$name: TXT answers = datagrams reassembled" "$(q "$out" "$answers | length")" "$reasm"
	same "$name: a TXT answer for every TXT question flow" "$(q "$out" "$answers | length")" \
		"$(q "$out" '[.[] | select(.event_type == "dns" and .dns.type == "query" and .dns.rrtype == "TXT") | .src_port] | unique | length')"
	same "$name: records per answer (mid 6, big 13)" \
		"$(q "$out" "[${answers}[] | [.dns.rrname, (.dns.answers | length)]] | unique")" \
		'[["big.pd.test",13],["mid.pd.test",6]]'
	same "$name: every TXT string whole (219 octets, its name's prefix)" \
		"$(q "$out" "[${answers}[] | .dns.rrname as \$n | .dns.answers[] | (.txt[0] | length == 219 and startswith(\$n[0:3] + \"-\"))] | all")" true
	same "$name: A/AAAA answer (unfragmented)" \
		"$(q "$out" '[.[] | select(.event_type == "dns" and .dns.type == "answer" and .dns.rrname == "www.pd.test") | .dns.answers | length]')" '[1]'
	same "$name: datagrams left incomplete = fragments dropped" "$(q "$out" "$defrag.timed_out")" "$drops"
	same "$name: overlapping fragments = fragments duplicated" "$(q "$out" "$defrag.overlapping")" "$dups"
	same "$name: invalid fragments" "$(q "$out" "$defrag.invalid")" 0
done
holds "fragment captures found ($nfrag)" "$nfrag" -ge 2

echo "$checks checks, $failures failures"
[ "$failures" -eq 0 ] || exit 1
exit 0
