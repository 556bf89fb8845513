#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run.sh — offline throughput benchmark (never a test): times portdemuxd, a bare libpcap
# read loop, tcpdump and ndpiReader (when installed) over the same >= 1 GiB mixed capture
# and prints packets/s, ns/packet and ratios in one table. See bench/README.md.
#
# Usage: bench/run.sh [-b BUILDDIR] [-f FILE] [-m MIB] [-n RUNS] [-k]
#   -b  build directory holding portdemuxd and bench/ (default: ./build, else .)
#   -f  capture to use (default: generate $TMPDIR/pd-bench-mixed-MIB.pcap with gen-mixed,
#       reused when already there)
#   -m  size of the generated capture in MiB (default 1024)
#   -n  runs per tool; the best (shortest) is kept (default 3)
#   -k  keep going when a tool fails (its row says so)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=""
file=""
mib=1024
runs=3
keep=0
while getopts b:f:m:n:kh opt; do
	case $opt in
	b) build=$OPTARG ;;
	f) file=$OPTARG ;;
	m) mib=$OPTARG ;;
	n) runs=$OPTARG ;;
	k) keep=1 ;;
	*) sed -n '7,14s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
if [ -z "$build" ]; then
	if [ -x "$top/build/portdemuxd" ]; then build=$top/build; else build=$(pwd); fi
fi
build=$(cd "$build" && pwd)
daemon=$build/portdemuxd
bare=$build/bench/bare_loop
gen=$build/bench/gen-mixed
for b in "$daemon" "$bare"; do
	[ -x "$b" ] || { echo "run.sh: $b not built (make -C $build)" >&2; exit 1; }
done

if [ -z "$file" ]; then
	file=${TMPDIR:-/tmp}/pd-bench-mixed-$mib.pcap
	if [ ! -s "$file" ]; then
		[ -x "$gen" ] || { echo "run.sh: $gen not built" >&2; exit 1; }
		echo "generating $file ($mib MiB)..." >&2
		"$gen" -o "$file" -m "$mib"
	fi
fi
[ -r "$file" ] || { echo "run.sh: cannot read $file" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pd-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# Read the file once so every tool starts from the page cache, not the disk.
cat "$file" >/dev/null
packets=$("$bare" "$file" | awk '{print $1}')
[ "$packets" -gt 0 ] || { echo "run.sh: no packets in $file" >&2; exit 1; }

now_ns() { date +%s%N; }

# best_of NAME CMD...: the shortest wall time of $runs runs, in ns, into $tmp/NAME.ns;
# the last run's stderr is kept in $tmp/NAME.err; a failure leaves no .ns file.
best_of() {
	name=$1
	shift
	best=""
	i=0
	while [ "$i" -lt "$runs" ]; do
		t0=$(now_ns)
		if ! "$@" >/dev/null 2>"$tmp/$name.err"; then
			echo "run.sh: $name failed:" >&2
			tail -n 5 "$tmp/$name.err" >&2
			[ "$keep" = 1 ] || exit 1
			return 0
		fi
		t=$(($(now_ns) - t0))
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
		i=$((i + 1))
	done
	echo "$best" >"$tmp/$name.ns"
}

tools="bare portdemuxd tcpdump"
best_of bare "$bare" "$file"
best_of portdemuxd "$daemon" -r "$file" -w /dev/null
if command -v tcpdump >/dev/null; then
	best_of tcpdump tcpdump -n -r "$file" -w /dev/null
else
	tools="bare portdemuxd"
fi
if command -v ndpiReader >/dev/null; then
	tools="$tools ndpiReader"
	best_of ndpiReader ndpiReader -i "$file" -v 0
fi

size=$(wc -c <"$file")
echo "capture: $file ($size bytes, $packets packets)"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "best of $runs runs, wall time, page cache warm"
echo
bare_ns=$(cat "$tmp/bare.ns")
pd_ns=$(cat "$tmp/portdemuxd.ns" 2>/dev/null || echo 0)
printf '%-34s %9s %12s %10s %10s %12s\n' "tool" "seconds" "packets/s" "ns/packet" "x bare" "x portdemuxd"
for t in $tools; do
	case $t in
	bare) label="bare libpcap loop (64 B/packet)" ;;
	portdemuxd) label="portdemuxd -r F -w /dev/null" ;;
	tcpdump) label="tcpdump -n -r F -w /dev/null" ;;
	ndpiReader) label="ndpiReader -i F -v 0" ;;
	esac
	if [ ! -f "$tmp/$t.ns" ]; then
		printf '%-34s %9s\n' "$label" "failed"
		continue
	fi
	ns=$(cat "$tmp/$t.ns")
	awk -v l="$label" -v ns="$ns" -v p="$packets" -v b="$bare_ns" -v d="$pd_ns" 'BEGIN {
		printf "%-34s %9.3f %12.0f %10.1f %10.2f %12s\n", l, ns / 1e9, p / (ns / 1e9),
			ns / p, ns / b, (d > 0 ? sprintf("%.2f", ns / d) : "-") }'
done
if [ -s "$tmp/portdemuxd.err" ]; then
	echo
	echo "portdemuxd summary (last run):"
	sed 's/^/  /' "$tmp/portdemuxd.err"
fi
