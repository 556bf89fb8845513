# tests/live.mk: live capture end to end (issue 5): portdemuxd -i on a veth between two
# network namespaces with real servers (postfix, dnsmasq) and clients (swaks, dig), checked
# against tcpdump's capture of the same interface analysed offline. Needs root; SKIPs
# (77) naming the missing Debian packages (contrib/install-deps.sh --test installs them).
TESTS += tests/test-live-netns.sh
EXTRA_DIST += tests/test-live-netns.sh tests/live-compare.py pcaps/lab-lib.sh
