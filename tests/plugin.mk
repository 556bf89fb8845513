# tests of plugin: the drop-in parser, the handler table and its reload (Check);
# the example plug-in built against the installed headers with pkg-config and
# loaded by portdemuxd; drop-ins re-read on SIGHUP while a capture streams in.
check_PROGRAMS += tests/test_dropin
TESTS += tests/test_dropin tests/test-plugin.sh tests/test-dropin-reload.sh
tests_test_dropin_SOURCES = tests/test_dropin.c
tests_test_dropin_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_dropin_LDADD = $(PD_LIBS) $(CHECK_LIBS)
EXTRA_DIST += tests/test-plugin.sh tests/test-dropin-reload.sh tests/plugin-pcap.py \
	examples/daytime.c examples/Makefile examples/README docs/handler-guide.md \
	contrib/portdemux.d/10-mail.conf contrib/portdemux.d/README
