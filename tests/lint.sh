#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# lint.sh — static analysis of the project's C sources with cppcheck (issue 7,
# item 5). The rules, stated once here:
#   - checks: warning (undefined behaviour, bad pointer use, leaks, wrong
#     format strings), portability (64-bit and sign assumptions) and
#     performance; style is left to review and STYLE.md;
#   - C11 on a 64-bit Unix (the only targets), every #ifdef configuration;
#   - project headers only (-I include -I .): libc and libpcap are trusted;
#   - zero findings: a real one is fixed, a false positive is suppressed
#     inline with its reason (--inline-suppr), or in .cppcheck-suppressions
#     with the reason above it (see that file). Nothing else is suppressed.
# Scope: every folder of C that ships or runs in CI, tests/ included (test
# code is held to the same checks: a leak or a wrong format there hides
# failures of the code under test).
# Environment: top_srcdir, PD_LINT_JOBS (default 2). Exit: 0 clean, 1
# findings (listed one per line), 77 cppcheck not installed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=${top_srcdir:-$(cd "$here/.." && pwd)}
cd "$top" || exit 99
if ! command -v cppcheck >/dev/null 2>&1; then
	echo "SKIP: cppcheck not installed"
	exit 77
fi
dirs=
for d in include parsers flows output handlers daemon tests fuzz bench examples contrib; do
	[ -d "$d" ] && dirs="$dirs $d"
done

# shellcheck disable=SC2086 # $dirs is a list of plain folder names
cppcheck --std=c11 --language=c --platform=unix64 \
	--enable=warning,portability,performance \
	--error-exitcode=1 --inline-suppr --suppressions-list=.cppcheck-suppressions \
	--quiet -j "${PD_LINT_JOBS:-2}" \
	--template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
	-I include -I . $dirs
rc=$?
[ "$rc" -eq 0 ] && echo "cppcheck: clean ($(cppcheck --version)):$dirs"
exit "$rc"
