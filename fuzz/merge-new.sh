#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# merge-new.sh — keeps the corpus small after a fuzzing run: of the inputs a
# run found (WORK), copies into CORPUS only those that reach a code edge
# nothing in CORPUS, nor a smaller find, reaches. libFuzzer's own -merge=1
# keeps every input with a new *feature* (hit counts, comparisons: hundreds of
# files); edges are what a regression corpus needs. New files are named
# cov-<sha1 prefix>.
#
# Usage: fuzz/merge-new.sh FUZZER CORPUS WORK
#   FUZZER  a libFuzzer binary (fuzz/fuzz_TARGET), CORPUS the committed
#   corpus directory (seed-*, cov-*, crash-*), WORK the run's directory.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 FUZZER CORPUS WORK" >&2; exit 2; }
fuzzer=$1 corpus=$2 work=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# The committed corpus is the "initial corpus" (first directory), so the
# control file's COV lines for WORK files are edges beyond it. crash-* files
# stay out: they would abort the merge's inner run.
mkdir "$tmp/initial"
for f in "$corpus"/*; do
	case ${f##*/} in crash-*) ;; *) [ -f "$f" ] && cp "$f" "$tmp/initial/" ;; esac
done
"$fuzzer" -merge=1 -merge_control_file="$tmp/control" "$tmp/initial" "$work" \
	>"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }

# Control file: file count, count of initial files, the file names, then
# STARTED/FT/COV records per file index. Print the files whose COV is not empty.
awk 'NR == 1 { n = $1; next }
     NR == 2 { first = $1; next }
     NR <= n + 2 { name[NR - 3] = $0; next }
     $1 == "COV" && NF > 2 && $2 >= first { print name[$2] }' "$tmp/control" |
while IFS= read -r f; do
	h=$(sha1sum "$f" | cut -c1-16)
	cp "$f" "$corpus/cov-$h"
	echo "  + cov-$h"
done
