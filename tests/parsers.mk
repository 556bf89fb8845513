# tests of parsers: cursor, link layers, IP, TCP/UDP (Check suites, table-driven)
check_PROGRAMS += tests/test_cursor tests/test_decode_link tests/test_decode_ip tests/test_decode_l4
TESTS += tests/test_cursor tests/test_decode_link tests/test_decode_ip tests/test_decode_l4

tests_test_cursor_SOURCES = tests/test_cursor.c
tests_test_cursor_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_cursor_LDADD = $(PD_LIBS) $(CHECK_LIBS)

PD_DECODE_TEST_BUILD = tests/test_decode_build.c tests/test_decode_build.h

tests_test_decode_link_SOURCES = tests/test_decode_link.c $(PD_DECODE_TEST_BUILD)
tests_test_decode_link_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_decode_link_LDADD = $(PD_LIBS) $(CHECK_LIBS)

tests_test_decode_ip_SOURCES = tests/test_decode_ip.c $(PD_DECODE_TEST_BUILD)
tests_test_decode_ip_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_decode_ip_LDADD = $(PD_LIBS) $(CHECK_LIBS)

tests_test_decode_l4_SOURCES = tests/test_decode_l4.c $(PD_DECODE_TEST_BUILD)
tests_test_decode_l4_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_decode_l4_LDADD = $(PD_LIBS) $(CHECK_LIBS)
