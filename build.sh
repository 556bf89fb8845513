#!/bin/sh
# Installs missing build dependencies, then builds portdemuxd in build/.
# Extra arguments go to configure (e.g. --enable-werror).
set -e
cd "$(dirname "$0")"
contrib/install-deps.sh
[ -x configure ] || ./autogen.sh >/dev/null
mkdir -p build
cd build
[ -f Makefile ] || ../configure --quiet "$@"
make -j"$(nproc)" >/dev/null
echo "built: build/portdemuxd" >&2
