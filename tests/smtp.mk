# tests of smtp: the shared line splitter, the SMTP handler's pure parts,
# transcripts through the real session core, and the real captures' truth.
SMTP_TEST_HARNESS = tests/test_smtp_run.c tests/test_smtp_run.h \
	tests/test_hd_harness.c tests/test_hd_harness.h tests/json_check.c tests/json_check.h

check_PROGRAMS += tests/test_linesplit tests/test_smtp_unit tests/test_smtp
TESTS += tests/test_linesplit tests/test_smtp_unit tests/test_smtp

tests_test_linesplit_SOURCES = tests/test_linesplit.c
tests_test_linesplit_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_linesplit_LDADD = $(PD_LIBS) $(CHECK_LIBS)

tests_test_smtp_unit_SOURCES = tests/test_smtp_unit.c
tests_test_smtp_unit_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_smtp_unit_LDADD = $(PD_LIBS) $(CHECK_LIBS)

tests_test_smtp_SOURCES = tests/test_smtp.c $(SMTP_TEST_HARNESS)
tests_test_smtp_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_smtp_LDADD = $(PD_LIBS) $(CHECK_LIBS)

# every cleartext field of the shared captures' truth (skips without them)
TESTS += tests/check-smtp-truth.py
EXTRA_DIST += tests/check-smtp-truth.py
