#!/bin/sh
# Every test: -Werror build + make check (unit, golden, shared captures), then
# the same suite again under ASan+UBSan (CK_FORK=no), each in its own build dir.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
contrib/install-deps.sh --test
[ -x configure ] || ./autogen.sh >/dev/null
jobs=$(nproc)

run_suite() { # dir, configure args...
	dir=$1; shift
	mkdir -p "$dir"
	( cd "$dir"
	  [ -f Makefile ] || "$top/configure" --quiet --enable-werror "$@"
	  make -j"$jobs" >/dev/null
	  if ! make -j"$jobs" check >check.out 2>&1; then
		cat check.out
		for f in $(find . -name '*.log' -newer Makefile); do
			grep -q '^FAIL\|^ERROR' "${f%.log}.trs" 2>/dev/null && { echo "== $f"; tail -n 60 "$f"; }
		done
		exit 1
	  fi
	  grep -E '^(# |PASS|FAIL|SKIP|XFAIL|ERROR)' check.out | grep -v '^PASS' || true )
}

echo "== plain build (gcc, -Werror)"
run_suite build-check
echo "== ASan + UBSan build (CK_FORK=no)"
CK_FORK=no ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_suite build-asan --enable-sanitizers
echo "all tests passed"
