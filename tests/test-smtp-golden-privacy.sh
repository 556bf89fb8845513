#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test-smtp-golden-privacy.sh — SMTP AUTH credentials (RFC 4954; PLAIN RFC 4616, LOGIN)
# never reach portdemuxd's output: for every pcaps/smtp-*.pcap (and the shared capture
# real/d22-smtp2526-plaintext-auth-v4.pcap when present) neither stdout nor stderr of
# `portdemuxd -r` may hold a username or password, as plain text, as the base64 the client
# sent (LOGIN: user and password apart; PLAIN: the whole "\0user\0password" blob), or as
# that base64 without its "=" padding.
# So that this cannot pass by accident, the captures with cleartext AUTH must first be shown
# to carry the credentials: the base64 strings are in the raw pcap bytes, and the AUTH PLAIN
# blob found there decodes to the expected user and password.
# Plain POSIX sh with coreutils; exit 0 pass, 1 fail, 99 hard error.
set -u

pd="${top_builddir:-.}/portdemuxd"
src="${top_srcdir:-.}"
[ -x "$pd" ] || { echo "no $pd: build first"; exit 99; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pd-smtppriv.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# The throwaway accounts of pcaps/mk-smtp.sh (same strings there; change both together).
AUTH_USER=pdcap-submitter
AUTH_PASS=Tw9fQ2xL7pdcapOK
AUTH_WRONG=Wr0ngPdcap5kZq
LEGACY_USER=pdcap-legacy
LEGACY_PASS=Lg3mV8rT1pdcapOK
LEGACY_WRONG=Lg0wrongPdcap4c

failures=0
checks=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

b64() { printf '%s' "$1" | base64 | tr -d '\n'; }
plain_blob() { printf '\000%s\000%s' "$1" "$2" | base64 | tr -d '\n'; } # RFC 4616 authzid empty

# forbidden_for USER PASSWORD...: the strings that must not appear, one a line
forbidden_for() {
	u=$1
	shift
	b64 "$u"
	echo
	for p in "$@"; do
		echo "$p"
		b64 "$p"
		echo
		plain_blob "$u" "$p"
		echo
	done
}

# raw_has FILE STRING: the capture's bytes contain STRING
raw_has() { LC_ALL=C grep -aqF -- "$2" "$1"; }

# wire_plain_blobs FILE: base64 blobs of "AUTH PLAIN <blob>" lines in the raw bytes
wire_plain_blobs() { LC_ALL=C grep -ao 'AUTH PLAIN [A-Za-z0-9+/]*=*' "$1" | cut -d' ' -f3; }

# expect_on_wire FILE USER PASSWORD: LOGIN's base64 user and password, or PLAIN's blob,
# are in FILE's bytes (the test's own premise: these captures do carry the secret)
expect_on_wire() {
	checks=$((checks + 1))
	if raw_has "$1" "$(plain_blob "$2" "$3")"; then return 0; fi
	if raw_has "$1" "$(b64 "$2")" && raw_has "$1" "$(b64 "$3")"; then return 0; fi
	fail "$(basename "$1"): credentials of $2 not found on the wire: premise broken"
}

# expect_decoded FILE USER PASSWORD: some AUTH PLAIN blob on the wire decodes to them
expect_decoded() {
	checks=$((checks + 1))
	for blob in $(wire_plain_blobs "$1"); do
		if [ "$(printf '%s' "$blob" | base64 -d 2>/dev/null | tr '\000' '\n')" = "
$2
$3" ]; then
			return 0
		fi
	done
	fail "$(basename "$1"): no AUTH PLAIN blob on the wire decodes to $2 / $3"
}

# check_output FILE FORBIDDEN-LIST: run portdemuxd -r FILE; no forbidden string in its output
check_output() {
	cap=$1
	name=$(basename "$cap")
	"$pd" -r "$cap" >"$tmp/out" 2>"$tmp/err"
	st=$?
	checks=$((checks + 1))
	if [ "$st" -ne 0 ]; then
		fail "$name: portdemuxd exited with status $st"
		sed 's/^/  stderr: /' "$tmp/err"
		return
	fi
	cat "$tmp/out" "$tmp/err" >"$tmp/all"
	# a sanitizer build reports UBSan findings on stderr without changing the status
	if grep -q 'runtime error:\|Sanitizer' "$tmp/err"; then
		fail "$name: sanitizer report"
		head -n 5 "$tmp/err" | sed 's/^/  stderr: /'
	fi
	# an empty output would hide nothing: the daemon must have said something
	[ -s "$tmp/out" ] || fail "$name: no events on stdout"
	while IFS= read -r s; do
		[ -n "$s" ] || continue
		for v in "$s" "${s%%=*}" "$(printf '%s' "$s" | sed 's|/|\\/|g')"; do
			[ -n "$v" ] || continue
			checks=$((checks + 1))
			if LC_ALL=C grep -aqF -- "$v" "$tmp/all"; then
				fail "$name: output shows a credential ($v)"
				LC_ALL=C grep -anF -- "$v" "$tmp/all" | head -n 3 | sed 's/^/  /'
			fi
		done
	done <"$2"
}

# --- the project's own captures -----------------------------------------------------
{
	echo "$AUTH_USER"
	echo "$LEGACY_USER"
	forbidden_for "$AUTH_USER" "$AUTH_PASS" "$AUTH_WRONG"
	forbidden_for "$LEGACY_USER" "$LEGACY_PASS" "$LEGACY_WRONG"
} >"$tmp/forbidden-own"

legacy="$src/pcaps/smtp-2525-cleartext-auth.pcap"
if [ ! -f "$legacy" ]; then
	fail "missing $legacy"
else
	expect_on_wire "$legacy" "$LEGACY_USER" "$LEGACY_PASS"  # AUTH PLAIN, success
	expect_on_wire "$legacy" "$LEGACY_USER" "$LEGACY_WRONG" # AUTH LOGIN, 535
	raw_has "$legacy" "$(b64 "$LEGACY_PASS")" ||
		fail "smtp-2525-cleartext-auth.pcap: AUTH LOGIN password not on the wire"
	expect_decoded "$legacy" "$LEGACY_USER" "$LEGACY_PASS"
	# and the daemon did see the AUTH it must keep quiet about
	"$pd" -r "$legacy" 2>/dev/null | grep -q '"event_type":"smtp".*"mechanism":"LOGIN"' ||
		fail "smtp-2525-cleartext-auth.pcap: no smtp event with AUTH LOGIN"
	checks=$((checks + 1))
fi

n=0
for cap in "$src"/pcaps/smtp-*.pcap; do
	[ -f "$cap" ] || continue
	n=$((n + 1))
	check_output "$cap" "$tmp/forbidden-own"
done
[ "$n" -gt 0 ] || fail "no pcaps/smtp-*.pcap under $src"

# --- the shared capture with cleartext AUTH on 2526 -----------------------------------
# Its account (from the capture's truth file and transcript): user alice@corp.test; the
# 535 attempt (AUTH LOGIN) used printer123; the password of the 235 attempt (AUTH PLAIN)
# is redacted in the transcript, so it is read from the blob on the wire. The plain user
# name is not checked: it is also the envelope sender (MAIL FROM), which events do show.
d22="${PD_SHARED_PCAPS:-}/real/d22-smtp2526-plaintext-auth-v4.pcap"
if [ -n "${PD_SHARED_PCAPS:-}" ] && [ -f "$d22" ]; then
	d22_user=alice@corp.test
	d22_wrong=printer123
	d22_pass=""
	for blob in $(wire_plain_blobs "$d22"); do
		dec=$(printf '%s' "$blob" | base64 -d 2>/dev/null | tr '\000' '\n')
		[ "$(echo "$dec" | sed -n 2p)" = "$d22_user" ] && d22_pass=$(echo "$dec" | sed -n 3p)
	done
	checks=$((checks + 1))
	if [ -z "$d22_pass" ]; then
		fail "d22: no AUTH PLAIN blob of $d22_user on the wire"
	else
		expect_on_wire "$d22" "$d22_user" "$d22_pass"
		expect_on_wire "$d22" "$d22_user" "$d22_wrong"
		expect_decoded "$d22" "$d22_user" "$d22_pass"
		forbidden_for "$d22_user" "$d22_pass" "$d22_wrong" >"$tmp/forbidden-d22"
		check_output "$d22" "$tmp/forbidden-d22"
	fi
else
	echo "SKIP: d22 (no shared captures)"
fi

echo "smtp golden privacy: $n own captures, $checks checks, $failures failures"
[ "$failures" -eq 0 ] || exit 1
exit 0
