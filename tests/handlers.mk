# tests of handlers: registry, session dispatch (fake handlers), DNS
HD_TEST_HARNESS = tests/test_hd_harness.c tests/test_hd_harness.h \
	tests/json_check.c tests/json_check.h

check_PROGRAMS += tests/test_registry tests/test_session tests/test_dns
TESTS += tests/test_registry tests/test_session tests/test_dns

tests_test_registry_SOURCES = tests/test_registry.c
tests_test_registry_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_registry_LDADD = $(PD_LIBS) $(CHECK_LIBS)

tests_test_session_SOURCES = tests/test_session.c $(HD_TEST_HARNESS)
tests_test_session_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_session_LDADD = $(PD_LIBS) $(CHECK_LIBS)

tests_test_dns_SOURCES = tests/test_dns.c $(HD_TEST_HARNESS)
tests_test_dns_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_dns_LDADD = $(PD_LIBS) $(CHECK_LIBS)
