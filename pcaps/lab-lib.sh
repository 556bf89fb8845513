# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash disable=SC2154 # the caller's variables, listed below
# lab-lib.sh — the mail lab shared by pcaps/mk-smtp.sh and tests/test-live-netns.sh: two
# network namespaces joined by a veth pair, a private postfix instance (RFC 5321 SMTP on 25,
# RFC 6409 submission on 587 with RFC 3207 STARTTLS and RFC 4954 AUTH required, RFC 8314
# implicit TLS on 465, cleartext AUTH on 2525) whose SASL comes from a private dovecot.
# Sourced by bash, never run. It installs nothing and never touches /etc/postfix or a running
# system postfix: postfix runs with `-c` on a config, queue and data directory of its own.
#
# The caller sets, before calling anything here:
#   lab_name            prefix of error messages (the calling script's name)
#   tmp                 a private directory (made 0755 here: postfix and dovecot drop to
#                       their own users and must reach it)
#   ns_s ns_c           server and client namespace names
#   if_s if_c           veth ends (<= 15 characters), in ns_s and ns_c
#   v4_s v4_c v6_s v6_c addresses of the two ends (IPv4 /24, IPv6 /64)
# and gets: pf (postfix config directory), dc (dovecot directory), lab_missing (from
# lab_need_*), lab_pf_started. lab_down stops every server by PID and removes both
# namespaces; call it from the caller's EXIT trap.

lab_missing=""
lab_pf_started=0
pf=$tmp/postfix
dc=$tmp/dovecot

# --- tools: command -> Debian package --------------------------------------------------
lab_need_cmd() { command -v "$1" >/dev/null 2>&1 || lab_missing="$lab_missing $2 (for $1);"; }
lab_need_file() { [ -e "$1" ] || lab_missing="$lab_missing $2 (for $1);"; }
lab_need_mail_tools() { # what the mail lab itself runs
	lab_need_cmd ip iproute2
	lab_need_cmd ss iproute2
	lab_need_cmd postfix postfix
	lab_need_cmd postconf postfix
	lab_need_cmd dovecot dovecot-core
	lab_need_cmd openssl openssl
	lab_need_cmd script bsdutils
	lab_need_file /usr/lib/postfix/sbin/master postfix
}
# The accounts postfix and dovecot switch to; prints what is missing, returns 1 if anything.
lab_check_users() {
	local u bad=0
	for u in postfix dovecot dovenull; do
		id "$u" >/dev/null 2>&1 || { echo "$lab_name: user $u missing (reinstall postfix / dovecot-core)" >&2; bad=1; }
	done
	getent group postdrop >/dev/null || { echo "$lab_name: group postdrop missing (reinstall postfix)" >&2; bad=1; }
	return $bad
}

lab_pid_of_file() { if [ -s "$1" ]; then tr -dc '0-9' <"$1"; fi; }
lab_stop_pid() { # pid: TERM, wait up to 5 s, then KILL
	local p=$1
	[ -n "$p" ] || return 0
	kill "$p" 2>/dev/null || return 0
	for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null || true
}

# --- network: both namespaces, the veth pair, IPv4 and IPv6 (no DAD) --------------------
lab_net_up() {
	local ns
	ip netns add "$ns_s" || return 1
	ip netns add "$ns_c" || return 1
	ip link add "$if_s" type veth peer name "$if_c" || return 1
	ip link set "$if_s" netns "$ns_s" || return 1
	ip link set "$if_c" netns "$ns_c" || return 1
	ip -n "$ns_s" addr add "$v4_s/24" dev "$if_s" || return 1
	ip -n "$ns_c" addr add "$v4_c/24" dev "$if_c" || return 1
	ip -n "$ns_s" addr add "$v6_s/64" dev "$if_s" nodad || return 1
	ip -n "$ns_c" addr add "$v6_c/64" dev "$if_c" nodad || return 1
	for ns in "$ns_s" "$ns_c"; do ip -n "$ns" link set lo up || return 1; done
	ip -n "$ns_s" link set "$if_s" up || return 1
	ip -n "$ns_c" link set "$if_c" up || return 1
}

# --- certificate: self-signed, made now, for mx.pd.test and the server's addresses ----
lab_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
		-subj "/CN=mx.pd.test" \
		-addext "subjectAltName=DNS:mx.pd.test,IP:$v4_s,IP:$v6_s" \
		-keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null || return 1
	chmod 0600 "$tmp/key.pem"
}

# --- dovecot: SASL only (no IMAP/POP3 listener), accounts in a passwd-file -----------
lab_dovecot_up() { # user:password...
	local acct
	chmod 0755 "$tmp"
	mkdir -p "$dc/run" "$dc/state" || return 1
	: >"$dc/users"
	for acct in "$@"; do printf '%s:{PLAIN}%s\n' "${acct%%:*}" "${acct#*:}" >>"$dc/users"; done
	chmod 0644 "$dc/users"
	cat >"$dc/dovecot.conf" <<EOF
protocols =
base_dir = $dc/run
state_dir = $dc/state
log_path = $tmp/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dc/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  unix_listener $dc/auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
	ip netns exec "$ns_s" dovecot -c "$dc/dovecot.conf"
}

# --- postfix: a private instance (own config, queue and data directory) ---------------
# 25: plain (STARTTLS not offered); 587: STARTTLS required, AUTH required before MAIL;
# 465: implicit TLS; 2525: no TLS, AUTH allowed in cleartext. Recipient nobody@pd.test is
# refused with 550; mail is accepted and discarded.
lab_postfix_up() {
	chmod 0755 "$tmp"
	mkdir -p "$pf" || return 1
	mkdir -m 0755 "$tmp/pf-queue" || return 1 # postfix check creates what is below it
	# 550 for one recipient (RFC 5321 4.2.2 "mailbox unavailable"); no postmap needed for texthash
	printf 'nobody@pd.test 550 5.1.1 User unknown\n' >"$pf/rcpt-access"
	cat >"$pf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $tmp/pf-queue
data_directory = $tmp/pf-data
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $tmp/maillog
maillog_file_prefixes = $tmp
myhostname = mx.pd.test
mydomain = pd.test
myorigin = pd.test
mydestination = pd.test
inet_interfaces = $v4_s, $v6_s
inet_protocols = all
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
local_transport = discard:local
default_transport = discard:remote
relay_transport = discard:relay
biff = no
smtpd_banner = \$myhostname ESMTP Postfix (Debian/GNU)
smtpd_peername_lookup = no
smtpd_recipient_restrictions = check_recipient_access texthash:$pf/rcpt-access
smtpd_tls_cert_file = $tmp/cert.pem
smtpd_tls_key_file = $tmp/key.pem
smtpd_tls_security_level = none
smtpd_tls_loglevel = 1
smtpd_sasl_type = dovecot
smtpd_sasl_path = $dc/auth-postfix
smtpd_sasl_auth_enable = no
# RFC 6409 4.3 / RFC 4954 6: submission refuses MAIL from a client that has not authenticated
pdcap_submission_sender = permit_sasl_authenticated, check_client_access static:{530 5.7.0 Authentication required}
EOF
	cat >"$pf/master.cf" <<'EOF'
# service  type  private unpriv  chroot  wakeup  maxproc command
smtp       inet  n       -       n       -       -       smtpd
submission inet  n       -       n       -       -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_delay_reject=no
  -o smtpd_sender_restrictions=$pdcap_submission_sender
smtps      inet  n       -       n       -       -       smtpd
  -o syslog_name=postfix/smtps
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_delay_reject=no
  -o smtpd_sender_restrictions=$pdcap_submission_sender
2525       inet  n       -       n       -       -       smtpd
  -o syslog_name=postfix/legacy2525
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=no
cleanup    unix  n       -       n       -       0       cleanup
qmgr       unix  n       -       n       300     1       qmgr
tlsmgr     unix  -       -       n       1000?   1       tlsmgr
rewrite    unix  -       -       n       -       -       trivial-rewrite
bounce     unix  -       -       n       -       0       bounce
defer      unix  -       -       n       -       0       bounce
trace      unix  -       -       n       -       0       bounce
verify     unix  -       -       n       -       1       verify
proxymap   unix  -       -       n       -       -       proxymap
error      unix  -       -       n       -       -       error
retry      unix  -       -       n       -       -       error
discard    unix  -       -       n       -       -       discard
anvil      unix  -       -       n       -       1       anvil
scache     unix  -       -       n       -       1       scache
postlog    unix-dgram n  -       n       -       1       postlogd
EOF
	# `postfix start` runs the checks of `postfix check` (and creates the queue directories)
	lab_pf_started=1
	lab_pf_cmd start
}
# postfix prints its errors only to a terminal (else to the log): script(1) gives it one
lab_pf_cmd() {
	ip netns exec "$ns_s" script -qec "postfix -c $pf $1" /dev/null | sed 's/^/   postfix: /' >&2
	return "${PIPESTATUS[0]}"
}

lab_wait_listen() { # namespace port...: up to 10 s for each TCP port to listen
	local ns=$1 p
	shift
	for p in "$@"; do
		for _ in $(seq 100); do
			ip netns exec "$ns" ss -Hltn "sport = :$p" | grep -q . && continue 2
			sleep 0.1
		done
		echo "$lab_name: nothing listens on port $p in $ns" >&2
		cat "$tmp/maillog" >&2 2>/dev/null || true
		return 1
	done
}
lab_wait_sasl() { # up to 5 s for dovecot's auth socket
	for _ in $(seq 50); do [ -S "$dc/auth-postfix" ] && return 0; sleep 0.1; done
	echo "$lab_name: dovecot auth socket missing" >&2
	cat "$tmp/dovecot.log" >&2 2>/dev/null
	return 1
}
# postfix on 25, 587, 465 and 2525 with SASL from dovecot, ready to serve. Accounts: user:password...
lab_mail_up() {
	lab_cert || return 1
	lab_dovecot_up "$@" || return 1
	lab_postfix_up || return 1
	lab_wait_listen "$ns_s" 25 587 465 2525 || return 1
	lab_wait_sasl
}

# --- the cleanup: servers by PID, then the namespaces (the veth pair goes with them) -----
lab_down() {
	local mp ns
	if [ "$lab_pf_started" = 1 ]; then
		# the master's PID, read before `postfix stop` removes the file
		mp=$(lab_pid_of_file "$tmp/pf-queue/pid/master.pid")
		ip netns exec "$ns_s" postfix -c "$pf" stop >/dev/null 2>&1
		lab_stop_pid "$mp"
	fi
	lab_stop_pid "$(lab_pid_of_file "$dc/run/master.pid")"
	for ns in "$ns_c" "$ns_s"; do
		ip netns list | grep -q "^$ns\b" && ip netns del "$ns"
	done
	ip link show "$if_s" >/dev/null 2>&1 && ip link del "$if_s"
	return 0
}
