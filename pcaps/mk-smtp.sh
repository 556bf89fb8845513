#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mk-smtp.sh — records portdemux's SMTP golden captures (RFC 5321 SMTP, RFC 3207 STARTTLS,
# RFC 4954 AUTH, RFC 8314 implicit TLS, RFC 2920 PIPELINING, RFC 3030 CHUNKING, RFC 6531
# SMTPUTF8) from real programs: Debian's postfix (SASL from dovecot) serves 25, 587, 465
# and 2525 in one network namespace; swaks, msmtp, curl and python3 talk to it from another.
#
# Usage (as root, Debian 12):  pcaps/mk-smtp.sh [-o DIR] [CAPTURE...]
#   CAPTURE is a name from `all_captures` below (default: all); file: smtp-CAPTURE.pcap.
#   Files go to DIR (default: this folder); DIR/PROVENANCE.md gets one line each.
# Needs: postfix swaks msmtp curl dovecot-core openssl tcpdump iproute2 python3 capinfos
# (apt-get install postfix swaks msmtp curl dovecot-core libsasl2-modules openssl tcpdump
# wireshark-common; preseed postfix with "No configuration"). It installs nothing and never
# touches /etc/postfix or a running system postfix: postfix runs with `-c` on a config,
# queue and data directory of its own under a temporary directory (pcaps/lab-lib.sh sets
# up the namespaces, postfix and dovecot; tests/test-live-netns.sh uses the same lab).
# Namespaces and links are named pdsc-<pid>-*; they, postfix, dovecot, tcpdump and every
# client are stopped by PID and removed on every exit path.
#
# The SASL accounts are throwaway test credentials, made up for these captures and used
# nowhere else; tests/test-smtp-golden-privacy.sh holds the same strings and checks that
# portdemuxd never prints them. Change both together.
set -euo pipefail

AUTH_USER=pdcap-submitter
AUTH_PASS=Tw9fQ2xL7pdcapOK
AUTH_WRONG=Wr0ngPdcap5kZq
LEGACY_USER=pdcap-legacy
LEGACY_PASS=Lg3mV8rT1pdcapOK
LEGACY_WRONG=Lg0wrongPdcap4c

here=$(cd "$(dirname "$0")" && pwd)
out=$here
all_captures="25-plain 25-plain-v6 25-pipelining 25-multircpt-550 25-rset-two-txn 25-bdat \
25-smtputf8-8bitmime 25-longline-barelf 25-abrupt-close 587-auth-plain 587-auth-login \
587-auth-fail-535 587-noauth-530 587-msmtp 465-implicit-tls 2525-cleartext-auth"

usage() { sed -n '8,10s/^# \{0,1\}//p' "$0" >&2; echo "captures: $all_captures" >&2; exit 2; }
while getopts o:h opt; do
	case $opt in
	o) out=$(cd "$OPTARG" && pwd) ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
wanted=${*:-$all_captures}
for c in $wanted; do
	case " $all_captures " in *" $c "*) ;; *) echo "unknown capture: $c" >&2; usage ;; esac
done

[ "$(id -u)" -eq 0 ] || { echo "mk-smtp.sh: needs root (network namespaces, postfix)" >&2; exit 1; }

# --- names and state ---------------------------------------------------------------------
tag="pdsc-$$"
ns_s="$tag-srv"          # server namespace: postfix, dovecot
ns_c="$tag-cli"          # client namespace: swaks, msmtp, curl, python3, tcpdump
if_s="$tag-s"            # veth end in the server namespace (<= 15 chars)
if_c="$tag-c"            # veth end in the client namespace
v4_s=10.88.1.1 v4_c=10.88.1.2
v6_s=fd88::1 v6_c=fd88::2
tmp=$(mktemp -d /tmp/pd-smtpcap.XXXXXX)
pids=""                  # clients and tcpdump still running
lab_name=mk-smtp.sh
# the lab: namespaces, veth pair, postfix and dovecot (shared with tests/test-live-netns.sh)
# shellcheck source-path=SCRIPTDIR source=lab-lib.sh
. "$here/lab-lib.sh"

# --- tools: command -> Debian package ------------------------------------------------
lab_need_mail_tools
lab_need_cmd tcpdump tcpdump
lab_need_cmd swaks swaks
lab_need_cmd msmtp msmtp
lab_need_cmd curl curl
lab_need_cmd capinfos wireshark-common
lab_need_cmd sha256sum coreutils
lab_need_file /usr/bin/python3 python3
if [ -n "$lab_missing" ]; then
	rm -rf "$tmp"
	echo "mk-smtp.sh: missing Debian packages:$lab_missing" >&2
	echo "install them with: DEBIAN_FRONTEND=noninteractive apt-get install <package>" >&2
	echo "(for postfix first: echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections)" >&2
	exit 1
fi
lab_check_users || { rm -rf "$tmp"; exit 1; }

# --- the cleanup that always runs ------------------------------------------------------
cleanup() {
	local rc=$?
	set +e
	if [ "$rc" -ne 0 ]; then # the servers' own words on why
		for f in "$tmp/maillog" "$tmp/dovecot.log"; do
			[ -s "$f" ] && tail -n 20 "$f" | sed "s|^|   $(basename "$f"): |" >&2
		done
	fi
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	lab_down
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_c() { ip netns exec "$ns_c" "$@"; }

# --- network, certificate, dovecot (SASL), postfix on 25, 587, 465 and 2525 --------------
lab_net_up
lab_mail_up "$AUTH_USER:$AUTH_PASS" "$LEGACY_USER:$LEGACY_PASS"

# --- messages: short, fixed content --------------------------------------------------
# LF line ends: swaks, msmtp and the python3 clients turn them into CRLF themselves;
# crlf() does it for curl, which sends a file as it is.
msg() { # from to subject body-line
	printf 'From: <%s>\nTo: <%s>\nSubject: %s\nDate: Thu, 26 Nov 2026 10:00:00 +0000\nMessage-ID: <%s.pdcap@client.pd.test>\n\n%s\n' \
		"$1" "$2" "$3" "$(printf %s "$3" | tr -c a-z0-9 -)" "$4"
}
crlf() { sed 's/$/\r/'; }

# --- the clients, one function per capture -------------------------------------------
# Each writes its client's own transcript to $tmp/transcript. They run in the client
# namespace; `ip netns exec` execs the client, so a background job's $! is the client
# (only when started directly: a backgrounded shell function would be a subshell).
sw() { in_c swaks --timeout 20s --server "$v4_s" --helo client.pd.test "$@" >>"$tmp/transcript" 2>&1; }
note() { printf '### %s\n' "$*" >>"$tmp/transcript"; }

declare -A how contents clients
how[25-plain]="swaks --server $v4_s --port 25 --from ann@client.pd.test --to bob@pd.test"
clients[25-plain]="swaks"
contents[25-plain]="SMTP 25 IPv4: greeting, EHLO and its extensions, MAIL, RCPT 250, DATA 250, QUIT 221"
mk_25_plain() {
	sw --port 25 --from ann@client.pd.test --to bob@pd.test \
		--data "$(msg ann@client.pd.test bob@pd.test "plain delivery" "Hello Bob.")"
}

how[25-plain-v6]="swaks -6 --server [$v6_s] --port 25 (IPv6)"
clients[25-plain-v6]="swaks"
contents[25-plain-v6]="SMTP 25 IPv6: EHLO, one message to two recipients, QUIT"
mk_25_plain_v6() {
	in_c swaks --timeout 20s -6 --server "$v6_s" --port 25 --helo client.pd.test \
		--from ann@client.pd.test --to bob@pd.test,carol@pd.test \
		--data "$(msg ann@client.pd.test bob@pd.test "over ipv6" "Hello over IPv6.")" \
		>>"$tmp/transcript" 2>&1
}

how[25-pipelining]="swaks --pipeline --to bob@pd.test,nobody@pd.test,carol@pd.test (port 25)"
clients[25-pipelining]="swaks"
contents[25-pipelining]="SMTP 25: PIPELINING used (MAIL, 3 RCPT and DATA in one write), replies 250/550/250, DATA 250, QUIT"
mk_25_pipelining() {
	sw --port 25 --pipeline --from ann@client.pd.test --to bob@pd.test,nobody@pd.test,carol@pd.test \
		--data "$(msg ann@client.pd.test bob@pd.test "pipelined" "Three recipients, one unknown.")"
}

how[25-multircpt-550]="curl smtp://$v4_s:25 --mail-rcpt x3 --mail-rcpt-allowfails"
clients[25-multircpt-550]="curl"
contents[25-multircpt-550]="SMTP 25 via curl: one RCPT per round trip, 250/550/250, DATA 250, QUIT"
mk_25_multircpt_550() {
	msg ann@client.pd.test bob@pd.test "three recipients" "One of us is unknown." | crlf >"$tmp/m.eml"
	in_c curl -sS -v --url "smtp://$v4_s:25/client.pd.test" --mail-from ann@client.pd.test \
		--mail-rcpt bob@pd.test --mail-rcpt nobody@pd.test --mail-rcpt carol@pd.test \
		--mail-rcpt-allowfails --upload-file "$tmp/m.eml" >>"$tmp/transcript" 2>&1
}

how[25-rset-two-txn]="python3 smtplib: ehlo, sendmail, rset, sendmail, quit (port 25)"
clients[25-rset-two-txn]="python3"
contents[25-rset-two-txn]="SMTP 25 via python3 smtplib: MAIL+RCPT+DATA, RSET, MAIL+RCPT x2+DATA in one session, QUIT"
mk_25_rset_two_txn() {
	cat >"$tmp/rset.py" <<'EOF'
import smtplib, sys
server = sys.argv[1]
m1 = sys.argv[2].replace("\n", "\r\n").encode()
m2 = sys.argv[3].replace("\n", "\r\n").encode()
s = smtplib.SMTP(server, 25, local_hostname="client.pd.test", timeout=20)
s.set_debuglevel(1)
s.ehlo()
s.sendmail("ann@client.pd.test", ["bob@pd.test"], m1)
s.rset()
s.sendmail("dan@client.pd.test", ["bob@pd.test", "carol@pd.test"], m2)
s.quit()
EOF
	in_c /usr/bin/python3 "$tmp/rset.py" "$v4_s" \
		"$(msg ann@client.pd.test bob@pd.test "first" "First transaction.")" \
		"$(msg dan@client.pd.test carol@pd.test "second" "Second transaction after RSET.")" \
		>>"$tmp/transcript" 2>&1
}

how[25-bdat]="python3 raw socket client (no Debian client sends BDAT to postfix): BDAT 2 chunks"
clients[25-bdat]="python3"
contents[25-bdat]="SMTP 25: CHUNKING offered, MAIL, RCPT, BDAT n, BDAT m LAST, each 250, QUIT"
mk_25_bdat() {
	cat >"$tmp/bdat.py" <<'EOF'
# A minimal RFC 3030 client: speaks SMTP over a socket and sends the message in two
# BDAT chunks; it prints the dialogue as swaks does (-> sent, <- received).
import socket, sys
server, body = sys.argv[1], (sys.argv[2] + "\n").replace("\n", "\r\n").encode()
s = socket.create_connection((server, 25), timeout=20)
f = s.makefile("rb")
def reply():
    while True:
        line = f.readline().decode()
        print("<- " + line.rstrip())
        if len(line) < 4 or line[3] != "-":
            return line
def cmd(text, data=b""):
    print("-> " + text)
    s.sendall(text.encode() + b"\r\n" + data)
    if data:
        print("   (%d octets of chunk data)" % len(data))
    return reply()
reply()
ehlo = cmd("EHLO client.pd.test")
cmd("MAIL FROM:<ann@client.pd.test>")
cmd("RCPT TO:<bob@pd.test>")
half = len(body) // 2
cmd("BDAT %d" % half, body[:half])
cmd("BDAT %d LAST" % (len(body) - half), body[half:])
cmd("QUIT")
s.close()
EOF
	in_c /usr/bin/python3 "$tmp/bdat.py" "$v4_s" \
		"$(msg ann@client.pd.test bob@pd.test "chunked" "Sent with BDAT in two chunks.")" \
		>>"$tmp/transcript" 2>&1
}

how[25-smtputf8-8bitmime]="python3 smtplib sendmail(mail_options=[SMTPUTF8, BODY=8BITMIME]) (port 25)"
clients[25-smtputf8-8bitmime]="python3"
contents[25-smtputf8-8bitmime]="SMTP 25: MAIL FROM:<josé@client.pd.test> SMTPUTF8 BODY=8BITMIME, UTF-8 recipient, 8-bit body, 250, QUIT"
mk_25_smtputf8_8bitmime() {
	cat >"$tmp/utf8.py" <<'EOF'
import smtplib, sys
s = smtplib.SMTP(sys.argv[1], 25, local_hostname="client.pd.test", timeout=20)
s.set_debuglevel(1)
msg = ("From: <jos\u00e9@client.pd.test>\r\nTo: <b\u00f6b@pd.test>\r\n"
       "Subject: caf\u00e9\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\n"
       "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
       "Content-Transfer-Encoding: 8bit\r\n\r\n"
       "Gr\u00fc\u00dfe, \u00e7a va? \u65e5\u672c\u8a9e\r\n").encode("utf-8")
s.sendmail("jos\u00e9@client.pd.test", ["b\u00f6b@pd.test"], msg,
           mail_options=["SMTPUTF8", "BODY=8BITMIME"])
s.quit()
EOF
	in_c /usr/bin/python3 "$tmp/utf8.py" "$v4_s" >>"$tmp/transcript" 2>&1
}

how[25-longline-barelf]="curl --upload-file (a 3000-octet body line and bare LF line ends, sent as is)"
clients[25-longline-barelf]="curl"
contents[25-longline-barelf]="SMTP 25 via curl: DATA with a 3000-octet line (> RFC 5321 4.5.3.1.6's 1000) and bare-LF lines; postfix 250"
mk_25_longline_barelf() {
	{
		printf 'From: <ann@client.pd.test>\r\nTo: <bob@pd.test>\r\nSubject: long line and bare LF\r\n'
		printf 'Date: Thu, 26 Nov 2026 10:00:00 +0000\r\n\r\n'
		head -c 3000 /dev/zero | tr '\0' 'x'
		printf '\r\nthis line ends in a bare LF\nand so does this one\nlast line\r\n'
	} >"$tmp/long.eml"
	in_c curl -sS -v --url "smtp://$v4_s:25/client.pd.test" --mail-from ann@client.pd.test \
		--mail-rcpt bob@pd.test --upload-file "$tmp/long.eml" >>"$tmp/transcript" 2>&1
}

how[25-abrupt-close]="curl --upload-file - from a pipe, killed (SIGKILL) in the middle of DATA; then swaks --quit-after EHLO"
clients[25-abrupt-close]="curl swaks"
contents[25-abrupt-close]="SMTP 25: session 1 killed mid-DATA (no end of data, no QUIT: the kernel closes the socket); session 2 EHLO then QUIT"
mk_25_abrupt_close() {
	local fifo=$tmp/body.fifo cpid
	mkfifo "$fifo"
	note "session 1: curl killed mid-DATA"
	ip netns exec "$ns_c" curl -sS -v --url "smtp://$v4_s:25/client.pd.test" \
		--mail-from ann@client.pd.test --mail-rcpt bob@pd.test --upload-file - \
		<"$fifo" >>"$tmp/transcript" 2>&1 &
	cpid=$!
	pids="$pids $cpid"
	exec 3>"$fifo"
	printf 'From: <ann@client.pd.test>\r\nTo: <bob@pd.test>\r\nSubject: never finished\r\n\r\nfirst half of the body\r\n' >&3
	sleep 1.5
	kill -KILL "$cpid"
	wait "$cpid" 2>/dev/null || true
	pids=${pids% "$cpid"}
	exec 3>&-
	note "curl (pid $cpid) killed with SIGKILL after the first body line"
	sleep 0.5
	note "session 2: swaks --quit-after EHLO"
	sw --port 25 --quit-after EHLO --from ann@client.pd.test --to bob@pd.test
}

how[587-auth-plain]="swaks --port 587 --tls --auth PLAIN --auth-user $AUTH_USER"
clients[587-auth-plain]="swaks"
contents[587-auth-plain]="SMTP 587: EHLO, STARTTLS 220, TLS; inside: EHLO, AUTH PLAIN 235, MAIL, RCPT, DATA 250, QUIT"
mk_587_auth_plain() {
	sw --port 587 --tls --auth PLAIN --auth-user "$AUTH_USER" --auth-password "$AUTH_PASS" --from ann@client.pd.test --to bob@pd.test \
		--data "$(msg ann@client.pd.test bob@pd.test "submission plain" "Sent after AUTH PLAIN.")"
}

how[587-auth-login]="swaks --port 587 --tls --auth LOGIN --auth-user $AUTH_USER"
clients[587-auth-login]="swaks"
contents[587-auth-login]="SMTP 587: STARTTLS; inside: AUTH LOGIN 334/334/235, MAIL, RCPT, DATA 250, QUIT"
mk_587_auth_login() {
	sw --port 587 --tls --auth LOGIN --auth-user "$AUTH_USER" --auth-password "$AUTH_PASS" --from ann@client.pd.test --to bob@pd.test \
		--data "$(msg ann@client.pd.test bob@pd.test "submission login" "Sent after AUTH LOGIN.")"
}

how[587-auth-fail-535]="swaks --port 587 --tls --auth PLAIN with a wrong password"
clients[587-auth-fail-535]="swaks"
contents[587-auth-fail-535]="SMTP 587: STARTTLS; inside: AUTH PLAIN 535 (wrong password), QUIT"
mk_587_auth_fail_535() {
	sw --port 587 --tls --auth PLAIN --auth-user "$AUTH_USER" --auth-password "$AUTH_WRONG" --from ann@client.pd.test --to bob@pd.test || true
}

how[587-noauth-530]="swaks --port 587 (no --tls, no --auth); swaks --port 587 --tls (no --auth)"
clients[587-noauth-530]="swaks"
contents[587-noauth-530]="SMTP 587: session 1 MAIL in cleartext -> 530 5.7.0 Must issue a STARTTLS command first, QUIT; session 2 STARTTLS then MAIL without AUTH -> 530 5.7.0 Authentication required (encrypted), QUIT"
mk_587_noauth_530() {
	note "session 1: MAIL without STARTTLS and without AUTH"
	sw --port 587 --from ann@client.pd.test --to bob@pd.test || true
	note "session 2: STARTTLS, then MAIL without AUTH"
	sw --port 587 --tls --from ann@client.pd.test --to bob@pd.test || true
}

how[587-msmtp]="msmtp --host=$v4_s --port=587 --tls=on --tls-starttls=on --auth=on --user=$AUTH_USER"
clients[587-msmtp]="msmtp"
contents[587-msmtp]="SMTP 587 via msmtp: EHLO, STARTTLS; inside: EHLO, AUTH (msmtp picks PLAIN), MAIL, RCPT, DATA 250, QUIT"
mk_587_msmtp() {
	msg ann@client.pd.test bob@pd.test "via msmtp" "Sent by msmtp." >"$tmp/m.eml"
	in_c msmtp -v --host="$v4_s" --port=587 --domain=client.pd.test --tls=on --tls-starttls=on \
		--tls-trust-file="$tmp/cert.pem" --auth=on --user="$AUTH_USER" \
		--passwordeval="echo $AUTH_PASS" --from=ann@client.pd.test bob@pd.test \
		<"$tmp/m.eml" >>"$tmp/transcript" 2>&1
}

how[465-implicit-tls]="swaks --port 465 --tls-on-connect --auth PLAIN --auth-user $AUTH_USER"
clients[465-implicit-tls]="swaks"
contents[465-implicit-tls]="SMTP 465 (RFC 8314 implicit TLS): TLS from the first byte; inside: greeting, EHLO, AUTH PLAIN 235, MAIL, RCPT, DATA 250, QUIT"
mk_465_implicit_tls() {
	sw --port 465 --tls-on-connect --auth PLAIN --auth-user "$AUTH_USER" --auth-password "$AUTH_PASS" --from ann@client.pd.test \
		--to bob@pd.test --data "$(msg ann@client.pd.test bob@pd.test "smtps" "Sent over implicit TLS.")"
}

how[2525-cleartext-auth]="swaks --port 2525 --auth PLAIN / LOGIN / LOGIN with a wrong password, --auth-user $LEGACY_USER"
clients[2525-cleartext-auth]="swaks"
contents[2525-cleartext-auth]="SMTP 2525, no TLS: session 1 AUTH PLAIN (initial response) 235 + message; session 2 AUTH LOGIN 334/334/235, QUIT; session 3 AUTH LOGIN wrong password 535, QUIT. Credentials visible on the wire."
mk_2525_cleartext_auth() {
	note "session 1: AUTH PLAIN, success, one message"
	sw --port 2525 --auth PLAIN --auth-user "$LEGACY_USER" --auth-password "$LEGACY_PASS" --from ann@client.pd.test --to bob@pd.test \
		--data "$(msg ann@client.pd.test bob@pd.test "legacy port" "Sent after cleartext AUTH PLAIN.")"
	note "session 2: AUTH LOGIN, success, quit after AUTH"
	sw --port 2525 --auth LOGIN --auth-user "$LEGACY_USER" --auth-password "$LEGACY_PASS" --quit-after AUTH --from ann@client.pd.test --to bob@pd.test
	note "session 3: AUTH LOGIN, wrong password"
	sw --port 2525 --auth LOGIN --auth-user "$LEGACY_USER" --auth-password "$LEGACY_WRONG" --from ann@client.pd.test --to bob@pd.test || true
}

# --- one capture: tcpdump on the client's veth around one client function ------------
record() { # capture name, output file
	local name=$1 file=$2 tpid
	# not through in_c: a backgrounded function would make $! a subshell, not tcpdump
	ip netns exec "$ns_c" tcpdump -i "$if_c" -s 0 -U -n -w "$file" tcp 2>"$tmp/tcpdump.err" &
	tpid=$!
	pids="$pids $tpid"
	for _ in $(seq 100); do grep -q 'listening on' "$tmp/tcpdump.err" && break; sleep 0.1; done
	grep -q 'listening on' "$tmp/tcpdump.err" || { cat "$tmp/tcpdump.err" >&2; exit 1; }
	"mk_${name//-/_}"
	sleep 1 # the last FIN/ACK exchange
	kill -TERM "$tpid" # tcpdump flushes and closes the file on SIGTERM as on SIGINT
	wait "$tpid" || true
	pids=${pids% "$tpid"}
	grep -v -e 'listening on' "$tmp/tcpdump.err" | sed 's/^/   tcpdump: /' >&2 || true
}

# --- provenance ----------------------------------------------------------------------
declare -A ver
ver[postfix]="postfix $(postconf -d -h mail_version) + dovecot $(dovecot --version | awk '{print $1}') (SASL)"
ver[swaks]="swaks $(swaks --version 2>&1 | awk '/version/{print $NF; exit}')"
ver[msmtp]="msmtp $(msmtp --version | awk 'NR==1{print $3}') (GnuTLS)"
ver[curl]="curl $(curl --version | awk 'NR==1{print $2}')"
ver[python3]="python3 $(/usr/bin/python3 -c 'import platform; print(platform.python_version())')"
ver[rest]="$(openssl version | awk '{print $1, $2}') (certificate), tcpdump $(tcpdump --version 2>&1 | awk 'NR==1{print $3}'), kernel $(uname -r)"
tools_of() { # capture name: the server, its clients, the rest
	local name=$1 t c
	t=${ver[postfix]}
	for c in ${clients[$name]}; do t="$t, ${ver[$c]}"; done
	echo "$t, ${ver[rest]}"
}
provenance() { # capture name, file
	local name=$1 file=$2 base pkts sum
	base=$(basename "$file")
	pkts=$(capinfos -c -M "$file" | awk -F: '/Number of packets/{gsub(/ /,"",$2); print $2}')
	sum=$(sha256sum "$file" | cut -c1-16)
	printf '| %s | %s | %s | mk-smtp.sh %s: %s | %s | %s | %s |\n' \
		"$base" "$(date -u +%Y-%m-%d)" "$pkts" "$name" "${how[$name]}" \
		"${contents[$name]}" "$(tools_of "$name")" "$sum"
}
# The file is shared with make-captures.sh (DNS, its own <!-- dns --> section): only the
# <!-- smtp --> section is ours; everything outside it is kept as it is.
write_provenance() { # new lines file
	local p="$out/PROVENANCE.md" keep="$tmp/keep" old="$tmp/old-smtp"
	: >"$keep"
	: >"$old"
	if [ -f "$p" ]; then
		# drop our section and trailing blank lines
		awk '/^<!-- smtp begin -->$/{s=1} !s{print} /^<!-- smtp end -->$/{s=0}' "$p" |
			sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$keep"
		# keep rows of SMTP captures not remade in this run
		awk '/^<!-- smtp begin -->$/{s=1} s && /^[|] smtp-[a-z0-9-]*[.]pcap /{print} /^<!-- smtp end -->$/{s=0}' \
			"$p" | while IFS= read -r line; do
			f=$(echo "$line" | awk '{print $2}')
			grep -q "^| $f |" "$1" || echo "$line"
		done >"$old"
	fi
	{
		if [ -s "$keep" ]; then cat "$keep"; echo; else echo "# Provenance of the captures in pcaps/"; echo; fi
		echo "<!-- smtp begin -->"
		echo "## SMTP captures (pcaps/mk-smtp.sh)"
		echo
		echo "Made by \`pcaps/mk-smtp.sh\` (as root, Debian 12): a private postfix instance"
		echo "(\`postfix -c\` on a generated main.cf/master.cf, own queue and data directory, SASL from"
		echo "dovecot's auth service, a self-signed certificate made by openssl for the run) listens on"
		echo "$v4_s and $v6_s: 25 (plain, STARTTLS not offered), 587 (STARTTLS required, AUTH required"
		echo "before MAIL), 465 (implicit TLS, wrappermode) and 2525 (no TLS, AUTH allowed in cleartext)."
		echo "Clients run in a second network namespace over a veth pair; tcpdump -s 0 -U records the client"
		echo "end. Timestamps are the real capture times. Recipient nobody@pd.test is refused with 550."
		echo "Clients are swaks, msmtp and curl; python3's smtplib for RSET between two transactions and"
		echo "for SMTPUTF8 + BODY=8BITMIME (neither swaks, msmtp nor curl sends them); BDAT comes from a"
		echo "small python3 raw-socket client in the script, because no Debian client sends BDAT to postfix"
		echo "(exim does, but cannot be installed beside postfix)."
		echo
		echo "Throwaway SASL accounts, made up for these captures and valid nowhere else (the privacy test"
		echo "\`tests/test-smtp-golden-privacy.sh\` checks that portdemuxd never prints them):"
		echo "\`$AUTH_USER\` / \`$AUTH_PASS\` (wrong: \`$AUTH_WRONG\`) on 587 and 465, encrypted;"
		echo "\`$LEGACY_USER\` / \`$LEGACY_PASS\` (wrong: \`$LEGACY_WRONG\`) on 2525, in cleartext."
		echo
		echo "| capture | made (UTC) | packets | how | contents | tools | sha256 (16) |"
		echo "|---|---|---|---|---|---|---|"
		sort "$old" "$1"
		echo "<!-- smtp end -->"
	} >"$p.new"
	mv "$p.new" "$p"
}

: >"$tmp/provenance"
for c in $wanted; do
	f=smtp-$c.pcap
	echo "== $f" >&2
	: >"$tmp/transcript"
	record "$c" "$tmp/$f"
	sed 's/^/   /' "$tmp/transcript" >&2
	mv "$tmp/$f" "$out/$f"
	chown --reference="$out" "$out/$f" # tcpdump wrote it as user tcpdump
	chmod 0644 "$out/$f"
	provenance "$c" "$out/$f" >>"$tmp/provenance"
done
write_provenance "$tmp/provenance"
echo "== postfix log" >&2
sed 's/^/   /' "$tmp/maillog" >&2
echo "done: $(for c in $wanted; do printf 'smtp-%s.pcap ' "$c"; done)" >&2
