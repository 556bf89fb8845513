#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run-golden.sh — golden tests: portdemuxd's JSON-lines output for each capture listed in
# tests/golden.list must equal tests/golden/<name>.json byte for byte (DESIGN.md, "golden
# tests"). Output is deterministic: packet time, never the wall clock.
#
# Usage: tests/run-golden.sh            compare (diff -u shown on a mismatch)
#        UPDATE=1 tests/run-golden.sh   rewrite the expected files from the current output
# Environment: top_srcdir, top_builddir (default: this script's tree), PD_SHARED_PCAPS
# (lines naming shared:PATH are skipped when it is absent), PD_GOLDEN_TIMEOUT (s, default 60).
# Exit: 0 all passed, 1 a failure, 77 skipped (no daemon binary yet).
set -u
set -f # list words are never globbed

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
list="$top_srcdir/tests/golden.list"
expdir="$top_srcdir/tests/golden"
daemon="$top_builddir/portdemuxd"
limit=${PD_GOLDEN_TIMEOUT:-60}
update=${UPDATE:-0}

if [ ! -x "$daemon" ]; then
	echo "SKIP: $daemon not built"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pd-golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# Expected-file name: the capture's base name without its extension, plus "@" and the
# extra arguments with every run of other characters turned into "-" (so one capture
# can appear on several lines with different options).
golden_name() { # capture, args
	base=$(basename "$1")
	base=${base%.*}
	if [ -n "$2" ]; then
		slug=$(printf '%s' "$2" | tr -cs 'A-Za-z0-9_.=' '-' | sed 's/^-//; s/-$//')
		base="$base@$slug"
	fi
	printf '%s.json' "$base"
}

pass=0 fail=0 skip=0 n=0
while IFS= read -r line || [ -n "$line" ]; do
	case $line in '' | '#'*) continue ;; esac
	# The list is the project's own file: its lines are split with shell quoting, so an
	# argument may hold spaces ('-f "tcp port 25"').
	eval "set -- $line"
	cap=$1
	shift
	args=$*
	n=$((n + 1))
	name=$(golden_name "$cap" "$args")
	case $cap in
	shared:*)
		if [ -z "${PD_SHARED_PCAPS:-}" ] || [ ! -d "${PD_SHARED_PCAPS:-}" ]; then
			echo "ok $n $name # SKIP no shared captures"
			skip=$((skip + 1))
			continue
		fi
		path="$PD_SHARED_PCAPS/${cap#shared:}" ;;
	*) path="$top_srcdir/$cap" ;;
	esac
	if [ ! -f "$path" ]; then
		echo "not ok $n $name # capture missing: $path"
		fail=$((fail + 1))
		continue
	fi
	out="$tmp/$name"
	timeout -k 5 "$limit" "$daemon" -r "$path" -q -w "$out" "$@" 2>"$tmp/stderr"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "not ok $n $name # portdemuxd exited with status $rc"
		sed 's/^/# /' "$tmp/stderr"
		fail=$((fail + 1))
		continue
	fi
	if [ "$update" = 1 ]; then
		mkdir -p "$expdir"
		cat "$out" >"$expdir/$name"
		echo "ok $n $name # updated"
		pass=$((pass + 1))
		continue
	fi
	if [ ! -f "$expdir/$name" ]; then
		echo "not ok $n $name # no expected file tests/golden/$name (make it with UPDATE=1)"
		fail=$((fail + 1))
		continue
	fi
	if cmp -s "$expdir/$name" "$out"; then
		echo "ok $n $name"
		pass=$((pass + 1))
	else
		echo "not ok $n $name # output differs from tests/golden/$name"
		diff -u "$expdir/$name" "$out" | head -n 200
		fail=$((fail + 1))
	fi
done <"$list"

echo "1..$n"
echo "golden: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] || exit 1
exit 0
