# SPDX-License-Identifier: BSD-2-Clause
# Shared by bench/run.sh, growth.sh and churn.sh (sourced, never run): where
# the build is, a scratch directory, and the generated captures they reuse.

# bench_build_dir: $build given with -b, else ./build of the tree, else the
# current directory (a build directory); made absolute.
bench_build_dir() {
	if [ -z "$build" ]; then
		if [ -x "$top/build/portdemuxd" ]; then build=$top/build; else build=$(pwd); fi
	fi
	build=$(cd "$build" && pwd)
}

# bench_scratch NAME: $tmp, removed at exit, writable by the unprivileged
# user portdemuxd drops to.
bench_scratch() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/pd-$1.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 130' INT TERM
	chmod 777 "$tmp"
}

# bench_capture KIND MIB [gen-mixed options]: $file = $TMPDIR/pd-bench-KIND-MIB.pcap,
# generated once and reused (delete it to regenerate).
bench_capture() {
	file=${TMPDIR:-/tmp}/pd-bench-$1-$2.pcap
	kind_mib=$2
	shift 2
	[ -s "$file" ] && return 0
	echo "generating $file ($kind_mib MiB)..." >&2
	"$build/bench/gen-mixed" "$@" -o "$file" -m "$kind_mib"
}
