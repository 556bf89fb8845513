#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Out-of-tree handler plug-ins (docs/handler-guide.md): the public headers and
# portdemux.pc as `make install` puts them, the example plug-in built against
# them with the documented pkg-config line, portdemuxd --handler-dir writing its
# events and stats, and every refused plug-in named on one line with exit 78.
. "${top_srcdir:-.}/tests/cli-lib.sh"

for tool in python3 pkg-config "${CC:-cc}" make; do
	command -v "$tool" >/dev/null || { echo "SKIP: no $tool"; exit 77; }
done
cc=${CC:-cc}

what="make install of the headers and portdemux.pc"
# only the two install targets under test: the rest of `make install` needs
# nothing from this test, and `make check` may still be building elsewhere
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" DESTDIR="$tmp/inst" \
	install-pkgincludeHEADERS install-pkgconfigDATA >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; echo "FAIL: $what"; exit 1; }
pc=$(find "$tmp/inst" -name portdemux.pc)
[ -n "$pc" ] || { echo "FAIL: $what: no portdemux.pc installed"; exit 1; }
for h in handler.h event.h cursor.h; do
	[ -n "$(find "$tmp/inst" -path "*/include/portdemux/$h")" ] || fail "no include/portdemux/$h"
done
PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR="$tmp/inst"
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
pdcflags=$(pkg-config --cflags portdemux) || fail "pkg-config --cflags portdemux failed"
case "$pdcflags" in *"$tmp/inst"*) ;; *) fail "cflags '$pdcflags' miss the installed tree" ;; esac
hdr=$(find "$tmp/inst" -path "*/include/portdemux/handler.h")
api=$(sed -n 's/^#define PD_API_VERSION \([0-9][0-9]*\).*/\1/p' "$hdr")
[ -n "$api" ] || { echo "FAIL: no PD_API_VERSION in $hdr"; exit 1; }

what="the example builds with the documented command line"
mkdir "$tmp/h"
# shellcheck disable=SC2086 # pdcflags holds several words
$cc $pdcflags -shared -fPIC -o "$tmp/h/daytime.so" "$top_srcdir/examples/daytime.c" ||
	{ echo "FAIL: $what"; exit 1; }
# shellcheck disable=SC2086
$cc $pdcflags -std=c11 -Wall -Wextra -Werror -shared -fPIC -o "$tmp/strict.so" \
	"$top_srcdir/examples/daytime.c" || fail "warnings with -Wall -Wextra"

python3 "$top_srcdir/tests/plugin-pcap.py" daytime "$tmp/daytime.pcap" || exit 99

what="--handler-dir: the plug-in's events"
run -q --handler-dir "$tmp/h" -r "$tmp/daytime.pcap"
expect_status 0
expect_err_lines 0
expect_events daytime 3
n=$(grep '"event_type":"daytime"' "$tmp/out" |
	grep -c '"app_proto":"daytime","daytime":{"time":"Thu Nov 26 21:51:21 2026"}}')
[ "$n" -eq 3 ] || fail "$n daytime events with the time, want 3"
for p in 40001 40002 40004; do
	grep '"event_type":"daytime"' "$tmp/out" | grep -q "\"src_port\":$p," ||
		fail "no daytime event for client port $p"
done
grep '"app_proto_mismatch"' "$tmp/out" | grep '"src_port":40003,' | grep -q '"expected":"daytime"' ||
	fail "no app_proto_mismatch for the non-daytime reply on port 13"

what="--handler-dir: the stats event counts the plug-in"
stats=$(grep '"event_type":"stats"' "$tmp/out" | tail -n 1)
want='"daytime":{"flows_by_port":2,"flows_by_content":1,"mismatches":1,"bytes":89,"events":3,"anomalies":0}'
case "$stats" in *"$want"*) ;; *) fail "stats lack $want" ;; esac
case "$stats" in *'"smtp":{'*) ;; *) fail "stats lack the built-in handlers" ;; esac

what="without the plug-in"
run -q -r "$tmp/daytime.pcap"
expect_status 0
expect_events daytime 0

what="--list-handlers and a configuration file"
printf 'handler-dir = %s\n' "$tmp/h" >"$tmp/pd.conf"
run -c "$tmp/pd.conf" --list-handlers
expect_status 0
grep -Eq '^daytime +tcp +tcp/13$' "$tmp/out" || fail "no 'daytime tcp tcp/13' line"

# ---- refused plug-ins: one line naming the file, exit 78 ----
cat >"$tmp/p.c" <<'EOF'
#include <portdemux/handler.h>
#ifndef VER
#define VER PD_API_VERSION
#endif
#ifndef PORT
#define PORT 7777
#endif
#ifndef NAME
#define NAME "x"
#endif
#ifndef DATA
#define DATA data
#endif
#ifdef UNDEF
void pd_no_such_function(void);
#endif
static size_t data(struct pd_session *s, void *st, enum pd_dir d, const uint8_t *p, size_t n)
{
	(void)s; (void)st; (void)d; (void)p;
#ifdef UNDEF
	pd_no_such_function();
#endif
	return n;
}
static const uint16_t ports[] = {PORT, 0};
static const struct pd_handler h = {
	.api_version = VER, .name = NAME, .transports = PD_TCP, .default_ports = ports,
	.on_data = DATA,
};
#ifndef NO_EXPORT
PD_HANDLER_EXPORT(h);
#endif
EOF

# plugin DIR FILE DEFINES...: builds DIR/FILE from p.c
plugin() {
	mkdir -p "$tmp/$1"
	d=$1 f=$2
	shift 2
	# shellcheck disable=SC2086
	$cc $pdcflags -shared -fPIC "$@" \
		-o "$tmp/$d/$f" "$tmp/p.c" || { echo "FAIL: cannot build $d/$f"; exit 99; }
}

# refused DIR TEXT: portdemuxd --handler-dir DIR exits 78 with one line holding TEXT
refused() {
	what="refused: $1"
	run -q --handler-dir "$tmp/$1" -r "$tmp/daytime.pcap"
	expect_status 78
	expect_err_lines 1
	expect_err "$2"
	[ ! -s "$tmp/out" ] || fail "events written"
}

plugin newer newer.so -DVER=$((api + 1))
refused newer "portdemuxd: $tmp/newer/newer.so: built for handler API version $((api + 1)), this portdemuxd provides version $api"
plugin noexport a.so -DNO_EXPORT
refused noexport "$tmp/noexport/a.so: no symbol pd_handler_descriptor"
plugin undef a.so -DUNDEF
refused undef "$tmp/undef/a.so: undefined symbol: pd_no_such_function"
plugin noname a.so -DNAME='"Bad Name"'
refused noname "$tmp/noname/a.so: handler name \"Bad Name\" is invalid"
plugin nodata a.so -DDATA=0
refused nodata "$tmp/nodata/a.so: handler x: on_data is required"
plugin twice a.so
plugin twice b.so -DPORT=7778
refused twice "$tmp/twice/b.so: handler name \"x\" is already used by $tmp/twice/a.so"
plugin builtin-name a.so -DNAME='"smtp"'
refused builtin-name "$tmp/builtin-name/a.so: handler name \"smtp\" is already registered"
plugin builtin-port a.so -DPORT=25
refused builtin-port "$tmp/builtin-port/a.so: port 25/tcp claimed by both smtp and x"
plugin writable a.so
chmod o+w "$tmp/writable/a.so"
refused writable "$tmp/writable/a.so: writable by others"
run -q --handler-dir "$tmp/nonexistent" -r "$tmp/daytime.pcap"
what="refused: a missing directory"
expect_status 78
expect_err "$tmp/nonexistent: No such file or directory"

what="a drop-in that disables a built-in frees its ports for a plug-in"
mkdir "$tmp/d"
printf 'disable = smtp\n' >"$tmp/d/10-mail.conf"
run --handler-dir "$tmp/builtin-port" --dropin-dir "$tmp/d" --list-handlers
expect_status 0
expect_err_lines 0
grep -Eq '^x +tcp +tcp/25$' "$tmp/out" || fail "the plug-in does not own tcp/25"
grep -q '^smtp ' "$tmp/out" && fail "smtp still listed"
printf 'disable = x\n' >"$tmp/d/20-x.conf"
run --handler-dir "$tmp/builtin-port" --dropin-dir "$tmp/d" --list-handlers
expect_status 0
grep -q '^x ' "$tmp/out" && fail "a drop-in cannot disable a plug-in"

finish
