#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# growth.sh — time and peak RSS of portdemuxd on the first 1/8, 1/4, 1/2 and all of a
# capture (bench/README.md "Growth"): time should grow with the packets, memory should not.
#
# Usage: bench/growth.sh [-b BUILDDIR] [-f FILE] [-m MIB] [-n RUNS] [-- PORTDEMUXD ARGS]
#   -f  capture (default: the one bench/run.sh generates, $TMPDIR/pd-bench-mixed-MIB.pcap)
#   -m  its size when generated (default 1024); -n runs per size, median kept (default 3)
# Needs editcap (Debian tshark/wireshark-common) to cut the capture, /usr/bin/time for RSS.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=""
file=""
mib=1024
runs=3
while getopts b:f:m:n:h opt; do
	case $opt in
	b) build=$OPTARG ;;
	f) file=$OPTARG ;;
	m) mib=$OPTARG ;;
	n) runs=$OPTARG ;;
	*) sed -n '6,9s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
. "$top/bench/lib.sh"
bench_build_dir
daemon=$build/portdemuxd
for t in editcap /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "growth.sh: $t not installed" >&2; exit 1; }
done
if [ -z "$file" ]; then
	bench_capture mixed "$mib"
fi
bench_scratch growth

total=$("$build/bench/bare_loop" "$file" | awk '{print $1}')
echo "capture: $file ($total packets); portdemuxd $*"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); median of $runs runs"
printf '%-6s %10s %9s %9s %11s %9s\n' part packets "wall s" "cpu s" "cpu ns/pkt" "RSS MiB"
for part in 8 4 2 1; do
	n=$((total / part))
	cut=$tmp/cut.pcap
	if [ "$part" = 1 ]; then cut=$file; else editcap -r "$file" "$cut" "1-$n" >/dev/null; fi
	cat "$cut" >/dev/null
	i=0
	: >"$tmp/runs"
	while [ "$i" -lt "$runs" ]; do
		rm -f "$tmp/events.json"
		/usr/bin/time -f '%e %U %S %M' -o "$tmp/t" "$daemon" -q -r "$cut" -w "$tmp/events.json" "$@"
		tail -n 1 "$tmp/t" >>"$tmp/runs"
		i=$((i + 1))
	done
	# median by CPU time (user + system): the machine may be shared
	sort -n -k2 "$tmp/runs" | awk -v p="$part" -v n="$n" '{ u[NR] = $2 + $3; w[NR] = $1; r[NR] = $4 }
		END { m = int((NR + 1) / 2); printf "1/%-4s %10d %9.2f %9.2f %11.0f %9.0f\n", p, n, w[m],
			u[m], u[m] * 1e9 / n, r[m] / 1024 }'
	[ "$part" = 1 ] || rm -f "$cut"
done
