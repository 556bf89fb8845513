# tests of the performance work (issue 8): the output fast paths against the
# library functions they replace, and --workers against the single-thread run.
check_PROGRAMS += tests/test_fastpath
TESTS += tests/test_fastpath tests/test-workers.sh
tests_test_fastpath_SOURCES = tests/test_fastpath.c
tests_test_fastpath_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(LIBMD_CFLAGS)
tests_test_fastpath_LDADD = libpdhandlers.a libpdoutput.a $(LIBMD_LIBS) $(CHECK_LIBS)
EXTRA_DIST += tests/test-workers.sh
# live fan-out groups (daemon/fanout.c) against tcpdump's view of the same veth
TESTS += tests/test-fanout.sh
EXTRA_DIST += tests/test-fanout.sh
# a TCP session closes at its second in-order FIN (state freed then), not after the linger
check_PROGRAMS += tests/test_early_close
TESTS += tests/test_early_close
tests_test_early_close_SOURCES = tests/test_early_close.c tests/test_flood_rig.c \
	tests/test_flood_rig.h tests/json_check.c tests/json_check.h
tests_test_early_close_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_early_close_LDADD = $(PD_LIBS) $(CHECK_LIBS)
# --workers reading a pcap file in blocks: where each stretch ends, every record once
check_PROGRAMS += tests/test_workers
TESTS += tests/test_workers
tests_test_workers_SOURCES = tests/test_workers.c
tests_test_workers_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PCAP_CFLAGS)
tests_test_workers_LDADD = $(PD_LIBS) $(CHECK_LIBS)
