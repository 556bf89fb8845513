# tests of the HTTP/1.x and SSH handlers: probes, parsers, transcripts
# through the real session core, and real bytes from the shared d16 capture
# (compiled in, so these run without ../shared).
HTTPSSH_TEST_HARNESS = tests/test_http_run.c tests/test_http_run.h \
	tests/test_hd_harness.c tests/test_hd_harness.h tests/json_check.c tests/json_check.h

check_PROGRAMS += tests/test_http tests/test_ssh
TESTS += tests/test_http tests/test_ssh

tests_test_http_SOURCES = tests/test_http.c tests/test_http_data.c tests/test_http_data.h \
	tests/test_tls_data.c tests/test_tls_data.h $(HTTPSSH_TEST_HARNESS)
tests_test_http_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_http_LDADD = $(PD_LIBS) $(CHECK_LIBS)

tests_test_ssh_SOURCES = tests/test_ssh.c tests/test_ssh_data.c tests/test_ssh_data.h \
	$(HTTPSSH_TEST_HARNESS)
tests_test_ssh_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(LIBMD_CFLAGS)
tests_test_ssh_LDADD = $(PD_LIBS) $(CHECK_LIBS)
