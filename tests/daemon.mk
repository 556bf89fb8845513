# tests of daemon: option parsing (Check) and the command line end to end (shell)
check_PROGRAMS += tests/test_options
TESTS += tests/test_options
tests_test_options_SOURCES = tests/test_options.c
tests_test_options_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_options_LDADD = $(PD_LIBS) $(CHECK_LIBS)

# command line end to end (uses $(top_builddir)/portdemuxd)
TESTS += tests/cli-errors.sh
EXTRA_DIST += tests/cli-lib.sh tests/cli-errors.sh
