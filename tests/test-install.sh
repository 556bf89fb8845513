#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# `make install` into a staging directory (DESTDIR) as an operator would run
# it: the daemon, the man page, the systemd unit with the installed paths
# filled in, the example configuration (which the installed daemon accepts),
# an upgrade that keeps an edited configuration, and `make uninstall` that
# removes everything except that edited configuration.
. "${top_srcdir:-.}/tests/cli-lib.sh"

make=${MAKE:-make}
dest="$tmp/dest"
prefix=/opt/pdtest

what="make install"
"$make" -s -C "$top_builddir" install DESTDIR="$dest" prefix="$prefix" \
	sysconfdir=/etc >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; fail "make install failed"; finish; }
for f in bin/portdemuxd share/man/man8/portdemuxd.8 lib/systemd/system/portdemuxd.service \
	lib/pkgconfig/portdemux.pc include/portdemux/handler.h; do
	[ -f "$dest$prefix/$f" ] || fail "$prefix/$f not installed"
done
for f in portdemuxd.conf portdemux.d/10-mail.conf portdemux.d/README; do
	[ -f "$dest/etc/portdemux/$f" ] || fail "/etc/portdemux/$f not installed"
done

what="the unit names the installed program and configuration"
unit="$dest$prefix/lib/systemd/system/portdemuxd.service"
grep -qx "ExecStart=$prefix/bin/portdemuxd -c /etc/portdemux/portdemuxd.conf" "$unit" ||
	fail "$(grep ExecStart "$unit")"
grep -q '%[a-z]*%' "$unit" && fail "placeholder left: $(grep '%[a-z]*%' "$unit")"
grep -qx 'AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN' "$unit" || fail "no ambient capabilities"
grep -qx 'Type=notify' "$unit" || fail "not Type=notify"

what="the installed daemon accepts the installed configuration"
# -u on the command line wins over the example's dedicated user, which a
# test machine does not have; the drop-in directory is the installed one.
run -c "$dest/etc/portdemux/portdemuxd.conf" -u nobody \
	--dropin-dir "$dest/etc/portdemux/portdemux.d" --check-config
expect_status 0
pd_installed="$dest$prefix/bin/portdemuxd"
"$pd_installed" --version | grep -q '^portdemuxd ' || fail "installed binary does not run"
man -l "$dest$prefix/share/man/man8/portdemuxd.8" >/dev/null 2>&1 ||
	{ command -v man >/dev/null && fail "man page does not render"; }

what="an upgrade keeps an edited configuration"
echo "# edited by the operator" >>"$dest/etc/portdemux/portdemuxd.conf"
"$make" -s -C "$top_builddir" install DESTDIR="$dest" prefix="$prefix" \
	sysconfdir=/etc >"$tmp/install.log" 2>&1 || fail "second make install failed"
grep -q '^# edited by the operator' "$dest/etc/portdemux/portdemuxd.conf" ||
	fail "edited configuration overwritten"

what="make uninstall"
"$make" -s -C "$top_builddir" uninstall DESTDIR="$dest" prefix="$prefix" \
	sysconfdir=/etc >"$tmp/uninstall.log" 2>&1 || fail "make uninstall failed"
left=$(cd "$dest" && find . -type f | sort)
[ "$left" = "./etc/portdemux/portdemuxd.conf" ] || fail "left behind: $left"

finish
