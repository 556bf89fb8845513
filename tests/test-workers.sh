#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test-workers.sh — --workers N writes the same events as one thread, as a set: each run's
# lines are sorted and compared (the order across flows differs between runs, the lines do
# not). Captures: pcaps/sample.pcap and the other repository captures (fragments, VLAN,
# SLL2, SMTP), an 8 MiB mixed capture from bench/gen-mixed (thousands of DNS, HTTP, SMTP and
# bulk flows, also with periodic stats events), and shared captures when PD_SHARED_PCAPS is
# there (real traffic with many flows). Damaged copies of the mixed capture give the same
# error line too.
# Exit: 0 all equal, 1 a difference (diff shown), 77 skipped (no daemon binary).
set -u
set -f

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
daemon="$top_builddir/portdemuxd"
gen="$top_builddir/bench/gen-mixed"
shared=${PD_SHARED_PCAPS:-}

if [ ! -x "$daemon" ]; then
	echo "SKIP: $daemon not built"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pd-workers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
# Offline runs need no privilege; as root, portdemuxd would drop to another account
# that could not write into $tmp.
chmod 777 "$tmp"

pass=0
fail=0

# run OUT CAPTURE [ARGS...]: portdemuxd's events, sorted, into OUT; its status in OUT.rc.
run() {
	out=$1
	cap=$2
	shift 2
	rm -f "$tmp/events.json"
	"$daemon" -q -r "$cap" -w "$tmp/events.json" "$@" 2>"$out.err"
	echo $? >"$out.rc"
	touch "$tmp/events.json"
	LC_ALL=C sort "$tmp/events.json" >"$out"
}

# same CAPTURE [ARGS...]: one thread against 2 and 3 workers.
same() {
	cap=$1
	shift
	run "$tmp/one" "$cap" "$@"
	for n in 2 3; do
		run "$tmp/many" "$cap" --workers "$n" "$@"
		if cmp -s "$tmp/one.rc" "$tmp/many.rc" && cmp -s "$tmp/one" "$tmp/many"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL: $cap $* --workers $n (status $(cat "$tmp/one.rc") vs $(cat "$tmp/many.rc"))"
			diff "$tmp/one" "$tmp/many" | head -n 10
		fi
	done
}

# same_damaged CAPTURE: as same, and the same error line (where the damage is,
# after how many packets and bytes) whatever the number of workers.
same_damaged() {
	cap=$1
	run "$tmp/one" "$cap"
	for n in 2 3; do
		run "$tmp/many" "$cap" --workers "$n"
		if cmp -s "$tmp/one.rc" "$tmp/many.rc" && cmp -s "$tmp/one" "$tmp/many" &&
			cmp -s "$tmp/one.err" "$tmp/many.err"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL: $cap --workers $n (status $(cat "$tmp/one.rc") vs $(cat "$tmp/many.rc"))"
			diff "$tmp/one.err" "$tmp/many.err" | head -n 4
			diff "$tmp/one" "$tmp/many" | head -n 10
		fi
	done
}

lines() {
	wc -l <"$tmp/one" | tr -d ' '
}

same "$top_srcdir/pcaps/sample.pcap"
# The test must compare something: sample.pcap has flows, hence events.
[ "$(lines)" -gt 1 ] || { echo "FAIL: sample.pcap gave no events"; exit 1; }
set +f
for cap in "$top_srcdir"/pcaps/*.pcap; do
	[ "$cap" = "$top_srcdir/pcaps/sample.pcap" ] || same "$cap"
done
set -f

if [ -x "$gen" ]; then
	"$gen" -o "$tmp/mixed.pcap" -m 8 -c 500 2>/dev/null || { echo "FAIL: gen-mixed"; exit 1; }
	same "$tmp/mixed.pcap"
	[ "$(lines)" -gt 1000 ] || { echo "FAIL: the mixed capture gave $(lines) events"; exit 1; }
	same "$tmp/mixed.pcap" --stats-interval 1
	# Two inputs in one run: packet numbers and time continue across files.
	same "$tmp/mixed.pcap" -r "$top_srcdir/pcaps/sample.pcap"
	# Damage after many blocks of the file: cut inside a record (libpcap's
	# "truncated dump file" after the same packets), and a record whose time
	# the fast reader leaves to libpcap (microseconds over a million): the
	# rest of the file is read by libpcap and copied to the workers, into
	# the same flows.
	head -c 5000017 "$tmp/mixed.pcap" >"$tmp/cut.pcap"
	same_damaged "$tmp/cut.pcap"
	grep -q "truncated dump file" "$tmp/one.err" || { echo "FAIL: the cut was not seen"; exit 1; }
	if command -v python3 >/dev/null; then
		python3 - "$tmp/mixed.pcap" "$tmp/odd-time.pcap" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
off, k = 24, 0
while off + 16 <= len(data) and off < 3 * 1024 * 1024:
    caplen = struct.unpack_from("<I", data, off + 8)[0]
    k += 1
    prev, off = off, off + 16 + caplen
struct.pack_into("<I", data, prev + 4, 1999999)
open(sys.argv[2], "wb").write(data)
PY
		same_damaged "$tmp/odd-time.pcap"
		[ "$(lines)" -gt 1000 ] || { echo "FAIL: odd-time capture gave $(lines) events"; exit 1; }
	else
		echo "note: no python3, odd-time capture skipped"
	fi
else
	echo "note: $gen not built, mixed capture skipped"
fi

if [ -n "$shared" ] && [ -d "$shared" ]; then
	for rel in peers/ndpi/pcap/1kxun.pcap \
		peers/suricata-verify/tests/decode-sll2-02/input.pcap \
		peers/suricata-verify/tests/dhcp-request-flood/test.pcap \
		peers/suricata-verify/tests/ipv6-evasion/ipv6-dos-with-ext-headers-5/denial6-5.pcap; do
		if [ -f "$shared/$rel" ]; then
			same "$shared/$rel"
		fi
	done
else
	echo "note: PD_SHARED_PCAPS absent, shared captures skipped"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
