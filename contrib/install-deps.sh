#!/bin/sh
# Installs the Debian 12 packages portdemux needs to build and test, when missing.
# Usage: contrib/install-deps.sh [--test]   (--test adds what the test suite uses)
set -e
build="build-essential autoconf automake pkgconf libpcap-dev libcap-dev libmd-dev check"
tests="clang libclang-rt-14-dev tcpdump tshark jq python3 iproute2 cppcheck"
# tests/test-live-netns.sh: real servers and clients in network namespaces
tests="$tests postfix dovecot-core swaks libnet-ssleay-perl dnsmasq-base bind9-dnsutils openssl"
want="$build"
[ "${1:-}" = "--test" ] && want="$build $tests"
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# postfix: "No configuration", so the package sets up and starts no system MTA (the test
# runs a private instance); debconf's default would be an Internet site on port 25.
case " $missing " in *" postfix "*)
	echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections ;;
esac
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
