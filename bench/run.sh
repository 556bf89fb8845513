#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run.sh — offline throughput benchmark (never a test): times portdemuxd, a bare libpcap
# read loop, tcpdump and ndpiReader (when installed) over the same >= 1 GiB mixed capture
# and prints packets/s, ns/packet, peak RSS and ratios in one table. See bench/README.md.
#
# Usage: bench/run.sh [-b BUILDDIR] [-f FILE] [-m MIB] [-n RUNS] [-w WORKERS] [-k]
#   -b  build directory holding portdemuxd and bench/ (default: ./build, else .)
#   -f  capture to use (default: generate $TMPDIR/pd-bench-mixed-MIB.pcap with gen-mixed,
#       reused when already there)
#   -m  size of the generated capture in MiB (default 1024)
#   -n  runs per tool, interleaved (A B C A B C ...); the median is kept (default 3)
#   -w  also time portdemuxd --workers N for each N of a comma-separated list (default 2;
#       0 = no such row)
#   -k  keep going when a tool fails (its row says so)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=""
file=""
mib=1024
runs=3
workers=2
keep=0
while getopts b:f:m:n:w:kh opt; do
	case $opt in
	b) build=$OPTARG ;;
	f) file=$OPTARG ;;
	m) mib=$OPTARG ;;
	n) runs=$OPTARG ;;
	w) workers=$OPTARG ;;
	k) keep=1 ;;
	*) sed -n '7,15s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
. "$top/bench/lib.sh"
bench_build_dir
daemon=$build/portdemuxd
bare=$build/bench/bare_loop
gen=$build/bench/gen-mixed
for b in "$daemon" "$bare"; do
	[ -x "$b" ] || { echo "run.sh: $b not built (make -C $build)" >&2; exit 1; }
done

if [ -z "$file" ]; then
	[ -x "$gen" ] || { echo "run.sh: $gen not built" >&2; exit 1; }
	bench_capture mixed "$mib"
fi
[ -r "$file" ] || { echo "run.sh: cannot read $file" >&2; exit 1; }

bench_scratch bench

# Read the file once so every tool starts from the page cache, not the disk.
cat "$file" >/dev/null
load0=$(cut -d' ' -f1-3 /proc/loadavg)
packets=$("$bare" "$file" | awk '{print $1}')
[ "$packets" -gt 0 ] || { echo "run.sh: no packets in $file" >&2; exit 1; }

now_ns() { date +%s%N; }
timer=""
if [ -x /usr/bin/time ]; then timer=/usr/bin/time; fi
# Offline runs need no privilege; as root, portdemuxd would drop to another account that
# could not write its events into $tmp.
chmod 777 "$tmp"

# once NAME CMD...: one run; wall ns appended to $tmp/NAME.ns, peak RSS (KiB) to
# $tmp/NAME.rss, user+sys CPU seconds to $tmp/NAME.cpu, stderr kept in $tmp/NAME.err; a
# failure writes $tmp/NAME.failed.
once() {
	name=$1
	shift
	[ -f "$tmp/$name.failed" ] && return 0
	rm -f "$tmp/events.json"
	t0=$(now_ns)
	if [ -n "$timer" ]; then
		"$timer" -f '%M %U %S' -o "$tmp/$name.rss1" "$@" >/dev/null 2>"$tmp/$name.err"
	else
		"$@" >/dev/null 2>"$tmp/$name.err"
	fi
	rc=$?
	t=$(($(now_ns) - t0))
	if [ "$rc" -ne 0 ]; then
		echo "run.sh: $name failed:" >&2
		tail -n 5 "$tmp/$name.err" >&2
		[ "$keep" = 1 ] || exit 1
		touch "$tmp/$name.failed"
		return 0
	fi
	echo "$t" >>"$tmp/$name.ns"
	if [ -f "$tmp/$name.rss1" ]; then
		tail -n 1 "$tmp/$name.rss1" | awk '{ print $1 }' >>"$tmp/$name.rss"
		tail -n 1 "$tmp/$name.rss1" | awk '{ print $2 + $3 }' >>"$tmp/$name.cpu"
	fi
	return 0
}

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

tools="bare portdemuxd"
for n in $(echo "$workers" | tr ',' ' '); do
	[ "$n" -gt 1 ] 2>/dev/null && tools="$tools workers$n"
done
command -v tcpdump >/dev/null && tools="$tools tcpdump"
command -v ndpiReader >/dev/null && tools="$tools ndpiReader"
i=0
while [ "$i" -lt "$runs" ]; do
	for t in $tools; do
		case $t in
		bare) once bare "$bare" "$file" ;;
		portdemuxd) once portdemuxd "$daemon" -r "$file" -w "$tmp/events.json" ;;
		workers*) once "$t" "$daemon" -r "$file" -w "$tmp/events.json" --workers "${t#workers}" ;;
		tcpdump) once tcpdump tcpdump -n -r "$file" -w /dev/null ;;
		ndpiReader) once ndpiReader ndpiReader -i "$file" -v 0 ;;
		esac
	done
	i=$((i + 1))
done

size=$(wc -c <"$file")
echo "capture: $file ($size bytes, $packets packets)"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "load average before: $load0; after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "median of $runs interleaved runs, wall time, page cache warm; events written to a file;"
echo "CPU s: user + system time of the whole process (all threads); x pd: time against portdemuxd"
echo
bare_ns=$(median "$tmp/bare.ns")
pd_ns=$(median "$tmp/portdemuxd.ns" 2>/dev/null || echo 0)
[ -n "$pd_ns" ] || pd_ns=0
printf '%-36s %8s %11s %9s %7s %9s %7s %7s\n' "tool" "seconds" "packets/s" "ns/packet" "CPU s" \
	"RSS MiB" "x bare" "x pd"
for t in $tools; do
	case $t in
	bare) label="bare libpcap loop (64 B/packet)" ;;
	portdemuxd) label="portdemuxd -r F -w FILE" ;;
	workers*) label="portdemuxd --workers ${t#workers}" ;;
	tcpdump) label="tcpdump -n -r F -w /dev/null" ;;
	ndpiReader) label="ndpiReader -i F -v 0" ;;
	esac
	if [ ! -s "$tmp/$t.ns" ]; then
		printf '%-36s %8s\n' "$label" "failed"
		continue
	fi
	ns=$(median "$tmp/$t.ns")
	rss=$(median "$tmp/$t.rss" 2>/dev/null)
	cpu=$(median "$tmp/$t.cpu" 2>/dev/null)
	awk -v l="$label" -v ns="$ns" -v p="$packets" -v b="$bare_ns" -v d="$pd_ns" -v r="${rss:-0}" \
		-v c="${cpu:-}" 'BEGIN {
		printf "%-36s %8.3f %11.0f %9.1f %7s %9s %7.2f %7s\n", l, ns / 1e9, p / (ns / 1e9),
			ns / p, (c != "" ? sprintf("%.2f", c) : "-"), (r > 0 ? sprintf("%.0f", r / 1024) : "-"),
			ns / b, (d > 0 ? sprintf("%.2f", ns / d) : "-") }'
done
if [ -s "$tmp/portdemuxd.err" ]; then
	echo
	echo "portdemuxd summary (last run):"
	sed 's/^/  /' "$tmp/portdemuxd.err"
fi
