# tests of tls: decoders (hello, JA4/JA3, X.509) and the connection state machine
TLS_TEST_SUPPORT = tests/test_tls_data.c tests/test_tls_data.h \
	tests/test_tls_build.c tests/test_tls_build.h

check_PROGRAMS += tests/test_tls
TESTS += tests/test_tls

tests_test_tls_SOURCES = tests/test_tls.c $(TLS_TEST_SUPPORT)
tests_test_tls_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_tls_LDADD = $(PD_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/test_tls_conn
TESTS += tests/test_tls_conn

tests_test_tls_conn_SOURCES = tests/test_tls_conn.c $(TLS_TEST_SUPPORT) $(HD_TEST_HARNESS)
tests_test_tls_conn_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_tls_conn_LDADD = $(PD_LIBS) $(CHECK_LIBS)
