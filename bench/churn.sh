#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# churn.sh — millions of short flows (bench/README.md "Flow churn"): a DNS-only capture with
# one flow per transaction from gen-mixed -d, through portdemuxd (default caps, events to a
# file) and ndpiReader; packets/s and peak RSS of each.
#
# Usage: bench/churn.sh [-b BUILDDIR] [-m MIB] [-n RUNS] [-N] [-- PORTDEMUXD ARGS]
#   -m  size of the generated capture (default 512: ~4.9 M packets, ~2.4 M flows)
#   -n  runs, median kept (default 3); -N  skip ndpiReader (it needs minutes and GBs)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=""
mib=512
runs=3
ndpi=1
while getopts b:m:n:Nh opt; do
	case $opt in
	b) build=$OPTARG ;;
	m) mib=$OPTARG ;;
	n) runs=$OPTARG ;;
	N) ndpi=0 ;;
	*) sed -n '7,9s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
. "$top/bench/lib.sh"
bench_build_dir
command -v /usr/bin/time >/dev/null || { echo "churn.sh: /usr/bin/time not installed" >&2; exit 1; }
bench_capture churn "$mib" -d -c 64
bench_scratch churn
cat "$file" >/dev/null
packets=$("$build/bench/bare_loop" "$file" | awk '{print $1}')

# measure NAME CMD...: median wall time and its run's peak RSS
measure() {
	name=$1
	shift
	: >"$tmp/runs"
	i=0
	while [ "$i" -lt "$runs" ]; do
		rm -f "$tmp/events.json"
		/usr/bin/time -f '%e %U %S %M' -o "$tmp/t" "$@" >/dev/null 2>"$tmp/$name.err" || {
			echo "churn.sh: $name failed" >&2; tail -n 3 "$tmp/$name.err" >&2; return 0; }
		tail -n 1 "$tmp/t" >>"$tmp/runs"
		i=$((i + 1))
	done
	sort -n "$tmp/runs" | awk -v l="$name" -v p="$packets" '{ w[NR] = $1; c[NR] = $2 + $3; r[NR] = $4 }
		END { m = int((NR + 1) / 2); printf "%-28s %8.2f %8.2f %11.0f %11.0f %9.0f\n", l, w[m],
			c[m], p / w[m], p / c[m], r[m] / 1024 }'
}

echo "capture: $file ($packets packets, one DNS flow per 2 packets)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); median of $runs runs"
printf '%-28s %8s %8s %11s %11s %9s\n' tool "wall s" "cpu s" "pkts/s" "pkts/cpu-s" "RSS MiB"
measure "portdemuxd $*" "$build/portdemuxd" -r "$file" -w "$tmp/events.json" "$@"
grep -E 'flows:|evictions' "$tmp/portdemuxd $*.err" 2>/dev/null | sed 's/^/  /' || true
if [ "$ndpi" = 1 ] && command -v ndpiReader >/dev/null; then
	measure "ndpiReader -v 0" ndpiReader -i "$file" -v 0
fi
