# tests of the performance work (issue 8): the output fast paths against the
# library functions they replace, and --workers against the single-thread run.
check_PROGRAMS += tests/test_fastpath
TESTS += tests/test_fastpath tests/test-workers.sh
tests_test_fastpath_SOURCES = tests/test_fastpath.c
tests_test_fastpath_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(LIBMD_CFLAGS)
tests_test_fastpath_LDADD = libpdhandlers.a libpdoutput.a $(LIBMD_LIBS) $(CHECK_LIBS)
EXTRA_DIST += tests/test-workers.sh
# classic pcap files read in place (capture.c's fast path), live fan-out groups
libpddaemon_a_SOURCES += daemon/savefile.c daemon/savefile.h
libpddaemon_a_SOURCES += daemon/fanout.c daemon/fanout.h
TESTS += tests/test-fanout.sh
EXTRA_DIST += tests/test-fanout.sh
# handler states in huge-page blocks (handlers/slab.h)
libpdhandlers_a_SOURCES += handlers/slab.c handlers/slab.h
