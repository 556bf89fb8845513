# tests/: one Check suite per module (each module's fragment), golden and shared-capture runs
include $(top_srcdir)/tests/parsers.mk
include $(top_srcdir)/tests/flows.mk
include $(top_srcdir)/tests/output.mk
include $(top_srcdir)/tests/handlers.mk
include $(top_srcdir)/tests/smtp.mk
include $(top_srcdir)/tests/tls.mk
include $(top_srcdir)/tests/daemon.mk
include $(top_srcdir)/tests/golden.mk

TESTS += tests/check-layers.sh
EXTRA_DIST += tests/check-layers.sh tests/run-all.sh
TESTS += tests/check-flows-tshark.sh
EXTRA_DIST += tests/check-flows-tshark.sh tests/check-flows-tshark.py
include $(top_srcdir)/tests/plugin.mk
include $(top_srcdir)/tests/httpssh.mk
include $(top_srcdir)/tests/hostile.mk
include $(top_srcdir)/tests/perf.mk
EXTRA_DIST += tests/test-smtp-golden-privacy.sh tests/test-impaired-reasm.sh
TESTS += tests/check-events-doc.sh
EXTRA_DIST += tests/check-events-doc.sh docs/assemble-events.sh
include $(top_srcdir)/tests/live.mk
include $(top_srcdir)/tests/capture.mk
include $(top_srcdir)/tests/peers.mk
TESTS += tests/test-install.sh
EXTRA_DIST += tests/test-install.sh
