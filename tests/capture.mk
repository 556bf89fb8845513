# tests/capture.mk: live capture through interfaces that go down, vanish and
# come back (root, network namespaces; skipped otherwise)
TESTS += tests/test-iface-return.sh
EXTRA_DIST += tests/test-iface-return.sh
# the "capture" event's part of docs/events.md (tests/check-events-doc.sh)
EXTRA_DIST += docs/events.d/capture.md
