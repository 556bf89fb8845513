# tests of daemon: option parsing and the other front-end pieces (Check), and
# the command line end to end (shell scripts using $(top_builddir)/portdemuxd)
check_PROGRAMS += tests/test_options tests/test_daemon
TESTS += tests/test_options tests/test_daemon
tests_test_options_SOURCES = tests/test_options.c
tests_test_options_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_options_LDADD = $(PD_LIBS) $(CHECK_LIBS)
tests_test_daemon_SOURCES = tests/test_daemon.c
tests_test_daemon_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PCAP_CFLAGS) $(LIBCAP_CFLAGS)
tests_test_daemon_LDADD = $(PD_LIBS) $(CHECK_LIBS)

TESTS += tests/cli-errors.sh tests/cli-signals.sh tests/cli-live.sh
EXTRA_DIST += tests/cli-lib.sh tests/cli-errors.sh tests/cli-signals.sh tests/cli-live.sh
