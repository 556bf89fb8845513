# tests of flows: defragmentation, flow table, TCP reassembly, flow-flood memory bound.
# Linked against the flows and parsers libraries only, as the layers allow.
FLOWS_TEST_LIBS = libpdflows.a libpdparsers.a $(CHECK_LIBS)

check_PROGRAMS += tests/test_defrag
TESTS += tests/test_defrag

tests_test_defrag_SOURCES = tests/test_defrag.c
tests_test_defrag_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_defrag_LDADD = $(FLOWS_TEST_LIBS)

check_PROGRAMS += tests/test_flowtable
TESTS += tests/test_flowtable

tests_test_flowtable_SOURCES = tests/test_flowtable.c
tests_test_flowtable_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_flowtable_LDADD = $(FLOWS_TEST_LIBS)

check_PROGRAMS += tests/test_reasm
TESTS += tests/test_reasm

tests_test_reasm_SOURCES = tests/test_reasm.c
tests_test_reasm_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_reasm_LDADD = $(FLOWS_TEST_LIBS)

check_PROGRAMS += tests/test_flow_flood
TESTS += tests/test_flow_flood

tests_test_flow_flood_SOURCES = tests/test_flow_flood.c
tests_test_flow_flood_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_flow_flood_LDADD = $(FLOWS_TEST_LIBS)
