#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Drop-ins re-read on SIGHUP (docs/handler-guide.md "Reloading"): portdemuxd
# reads a capture from a FIFO the test fills piece by piece; between pieces the
# drop-in directory changes and SIGHUP arrives. Flows claimed before a reload
# keep their handler, flows that start after it use the new table, and a
# refused reload keeps the table in use with one line on stderr. Flows still
# in detection across the reload (G, H, I, K) keep their port candidate unless
# the reload disabled it, are never given a disabled handler, and keep the
# probe verdicts they had (handlers/session_detect.c); a flow that a plug-in
# disabled by the reload already runs (L) keeps it to the end.
. "${top_srcdir:-.}/tests/cli-lib.sh"

command -v mkfifo >/dev/null || { echo "SKIP: no mkfifo"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }

# Run as root, portdemuxd drops to an unprivileged user before the reload:
# the directory and its files must stay readable to it.
chmod 711 "$tmp"
work="$tmp/w"
dd="$work/portdemux.d"
mkdir -p "$dd" && chmod 755 "$work" "$dd"
python3 "$top_srcdir/tests/plugin-pcap.py" reload "$work" || exit 99
# detect1 (before the reload) and detect2 (after it): flows whose detection
# spans the reload, built with plugin-pcap.py's packet writer.
python3 - "$top_srcdir/tests/plugin-pcap.py" "$work" <<'EOF_PY' || exit 99
import importlib.util
import struct
import sys

spec = importlib.util.spec_from_file_location("plugin_pcap", sys.argv[1])
pp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pp)

def client_hello(sni):
    """A TLS 1.2 ClientHello (RFC 5246 7.4.1.2) with one suite and server_name."""
    name = sni.encode()
    sni_ext = struct.pack("!HHHBH", 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
    body = (b"\x03\x03" + bytes(32) + b"\x00" + struct.pack("!HH", 2, 0xC02F) + b"\x01\x00" +
            struct.pack("!H", len(sni_ext)) + sni_ext)
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs

clk = pp.Clock(1700000005)
# G: SSH on 9200 (no handler's port), the server's banner cut by the reload;
# H: TLS on 9025 (dns's port, tls's after the reload), the ClientHello cut;
# I: port 25, the server sends two lines that are not SMTP, then smtp is disabled;
# K and L: port 9300 of the probe-less plug-in "raw", disabled by the reload:
# K opens before it and sends after it, L sends before and after
g, h, i = pp.Conn(40006, 9200), pp.Conn(40007, 9025), pp.Conn(40008, 25)
k, l = pp.Conn(40009, 9300), pp.Conn(40010, 9300)
hello = client_hello("h.test")
one = clk.stamp(g.open() + g.server(b"SSH-2.") + h.open() + h.client(hello[:3]) +
                i.open() + i.server(b"999 x\r\n999 y\r\n") + k.open() + l.open() +
                l.client(b"l1"))
clk.at(1700000030)
two = clk.stamp(g.server(b"0-OpenSSH_9.2\r\n") + g.close() + h.client(hello[3:]) + h.close() +
                i.close() + k.client(b"k data") + k.close() + l.client(b"l2") + l.close())
for name, recs in (("detect1", one), ("detect2", two)):
    with open("%s/%s" % (sys.argv[2], name), "wb") as out:
        out.write(pp.records(recs))
EOF_PY

# raw: a plug-in without a probe (it owns port 9300 outright), counting bytes
cc=${CC:-cc}
raw=no
if command -v "$cc" >/dev/null; then
	mkdir -p "$work/h" && chmod 755 "$work/h"
	cat >"$work/raw.c" <<'EOF_C'
/* SPDX-License-Identifier: BSD-2-Clause */
/* raw: test plug-in without a probe; one "raw" event with the byte count. */
#include <portdemux/event.h>
#include <portdemux/handler.h>

struct raw { uint64_t n; };
static const uint16_t raw_ports[] = { 9300, 0 };

static size_t raw_data(struct pd_session *s, void *st, enum pd_dir dir, const uint8_t *p,
                       size_t n)
{
	(void)s, (void)dir, (void)p;
	((struct raw *)st)->n += n;
	return n;
}

static void raw_close(struct pd_session *s, void *st, enum pd_close why)
{
	struct pd_event *e = pd_event_begin(s, "raw");
	(void)why;
	pd_event_uint(e, "bytes", ((struct raw *)st)->n);
	pd_event_emit(e);
}

static const struct pd_handler raw = {
	.api_version = PD_API_VERSION, .name = "raw", .transports = PD_TCP,
	.default_ports = raw_ports, .state_size = sizeof(struct raw),
	.on_data = raw_data, .on_close = raw_close,
};
PD_HANDLER_EXPORT(raw);
EOF_C
	"$cc" -I"$top_srcdir/include" -shared -fPIC -o "$work/h/raw.so" "$work/raw.c" ||
		fail "cannot build the raw plug-in"
	chmod 644 "$work/h/raw.so"
	raw=yes
fi

# conf NAME TEXT: writes a drop-in file whole (rename: a reload never sees half)
conf() {
	printf '%s\n' "$2" >"$dd/.new" && chmod 644 "$dd/.new" && mv "$dd/.new" "$dd/$1"
}

has_stats() { # N: the event file holds at least N stats events
	[ "$(count_events stats "$work/ev.json")" -ge "$1" ]
}

# sync N WAKE: SIGUSR1, then one packet (signals are acted on after a packet);
# returns once the Nth stats event is written, i.e. all that came before is done
sync_to() {
	kill -USR1 "$pid"
	cat "$work/$2" >&3
	wait_for has_stats "$1" || fail "no stats event $1: portdemuxd stuck?"
}

conf 10-base.conf "# before the reload
port 9025/tcp = dns"
mkfifo "$work/fifo"
hdir=
[ "$raw" = yes ] && hdir="--handler-dir=$work/h"
# shellcheck disable=SC2086 # $hdir is one option or nothing
"$pd" -q -r - --dropin-dir "$dd" $hdir --pidfile "$work/pd.pid" <"$work/fifo" >"$work/ev.json" \
	2>"$work/err" &
pid=$!
exec 3>"$work/fifo"
wait_for test -s "$work/pd.pid" || fail "no pid file: portdemuxd did not start"

what="part 1, first table"
cat "$work/head" "$work/part1" "$work/detect1" >&3
sync_to 1 wake1

what="valid reload"
off_raw=
[ "$raw" = yes ] && off_raw="disable = raw"
conf 10-base.conf "# after the reload: smtp off, 9025 to tls
disable = smtp
port 9025/tcp = tls
$off_raw"
kill -HUP "$pid"
cat "$work/wake2" >&3
sync_to 2 wake3
[ -s "$work/err" ] && fail "stderr after a valid reload: $(cat "$work/err")"

what="part 2, second table"
cat "$work/part2" "$work/detect2" >&3

what="refused reload"
conf 20-bad.conf "# line 2 conflicts with 10-base.conf:3
port 9025/tcp = dns"
kill -HUP "$pid"
cat "$work/wake4" >&3
wait_for test -s "$work/err" || fail "nothing on stderr after a refused reload"
cat "$work/part3" >&3
exec 3>&-
wait "$pid"
st=$?
cp "$work/err" "$tmp/err"
cp "$work/ev.json" "$tmp/out"
expect_status 0
expect_err_lines 1
expect_err "portdemuxd: reload: $dd/20-bad.conf:2: port 9025/tcp already assigned to tls by 10-base.conf:3; keeping the current handler table"

# flow_field PORT EVENT_TYPE: the events of that type for client port PORT
events_of() {
	grep "\"event_type\":\"$2\"" "$tmp/out" | grep "\"src_port\":$1,"
}
flow_app() {
	events_of "$1" flow | sed -n 's/.*"app_proto":"\([a-z]*\)".*/\1/p'
}

what="A: SMTP claimed before the reload keeps smtp after it"
events_of 40001 smtp | grep -q '"mail_from":"a@a.test"' ||
	fail "no smtp transaction for A (its commands came after the reload)"
[ "$(flow_app 40001)" = smtp ] || fail "A's flow app_proto '$(flow_app 40001)', want smtp"

what="C: port 9025 before the reload is dns's"
events_of 40002 anomaly | grep -q '"event":"app_proto_mismatch".*"expected":"dns"' ||
	fail "no mismatch expecting dns"

what="B: SMTP after the reload finds smtp disabled"
[ -z "$(events_of 40003 smtp)" ] || fail "smtp events for B"
[ "$(flow_app 40003)" = unknown ] || fail "B's flow app_proto '$(flow_app 40003)', want unknown"

what="E: port 9025 after the reload is tls's"
events_of 40004 anomaly | grep -q '"event":"app_proto_mismatch".*"expected":"tls"' ||
	fail "no mismatch expecting tls"

what="F: after the refused reload the second table is still in use"
[ -z "$(events_of 40005 smtp)" ] || fail "smtp events for F"
[ "$(flow_app 40005)" = unknown ] || fail "F's flow app_proto '$(flow_app 40005)', want unknown"

what="G: rejections recorded before the reload still name the right handlers"
# Before the reload the banner's start was refused by tls and http and left
# ssh waiting; the reload removed smtp, which shifts registry indexes: ssh must
# still be asked and claim the flow on the rest of the banner.
[ "$(flow_app 40006)" = ssh ] || fail "G's flow app_proto '$(flow_app 40006)', want ssh"
events_of 40006 ssh | grep -q '"software_version":"OpenSSH_9.2"' || fail "no ssh event for G"

what="H: a flow in detection keeps the port candidate it started with"
# 9025 was dns's when H started, tls's when its ClientHello was complete: dns
# (still enabled) stays the candidate, rejects, and tls claims by content.
events_of 40007 anomaly | grep -q '"event":"app_proto_mismatch".*"expected":"dns","detected":"tls"' ||
	fail "no mismatch expecting dns, detecting tls"
[ "$(flow_app 40007)" = tls ] || fail "H's flow app_proto '$(flow_app 40007)', want tls"
events_of 40007 tls | grep -q '"sni":"h.test"' || fail "no tls event for H"

what="I: a candidate disabled by the reload is dropped, with its verdict"
# smtp refused the server's lines before the reload; once smtp is disabled the
# flow is not smtp's: unknown, no mismatch naming a disabled handler.
[ -z "$(events_of 40008 smtp)" ] || fail "smtp events for I"
[ -z "$(events_of 40008 anomaly)" ] || fail "anomaly for I: $(events_of 40008 anomaly)"
[ "$(flow_app 40008)" = unknown ] || fail "I's flow app_proto '$(flow_app 40008)', want unknown"

if [ "$raw" = yes ]; then
	what="K: a probe-less candidate disabled by the reload is not given the flow"
	[ -z "$(events_of 40009 raw)" ] || fail "raw event for K"
	[ "$(flow_app 40009)" = unknown ] || fail "K's flow app_proto '$(flow_app 40009)', want unknown"

	what="L: a flow the disabled plug-in already runs keeps it to the end"
	events_of 40010 raw | grep -q '"bytes":4' || fail "no raw event with 4 bytes for L"
	[ "$(flow_app 40010)" = raw ] || fail "L's flow app_proto '$(flow_app 40010)', want raw"
else
	echo "no C compiler: the plug-in part (K, L) is not checked"
fi

what="every flow ended once"
[ "$(count_events flow)" -eq 14 ] ||
	fail "$(count_events flow) flow events, want 14 (10 TCP, 4 wake-ups)"

finish
