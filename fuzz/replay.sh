#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# make check: replays each fuzz corpus (fuzz/corpus/TARGET/) through its
# harness built without libFuzzer (fuzz/replay_TARGET). The last input named
# in the log before a failure is the one that broke.
: "${top_srcdir:=.}" "${top_builddir:=.}"
status=0
ran=0
for t in decode json flows handler config savefile; do
	prog="$top_builddir/fuzz/replay_$t"
	corpus="$top_srcdir/fuzz/corpus/$t"
	if [ ! -x "$prog" ]; then
		echo "replay: $prog not built" >&2
		status=1
		continue
	fi
	if [ ! -d "$corpus" ]; then
		echo "replay: no corpus for $t ($corpus)"
		continue
	fi
	echo "== $t"
	if REPLAY_VERBOSE=1 "$prog" "$corpus"; then
		ran=$((ran + 1))
	else
		echo "replay: $t FAILED (exit $?)" >&2
		status=1
	fi
done
[ "$status" -eq 0 ] && [ "$ran" -eq 0 ] && exit 77
exit "$status"
