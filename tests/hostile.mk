# tests of hostile input (issue 7): the engine under floods, each bounded by its
# configured caps (memory assertions, never timing); and the lint run.
check_PROGRAMS += tests/test_floods
TESTS += tests/test_floods
tests_test_floods_SOURCES = tests/test_floods.c tests/test_flood_rig.c tests/test_flood_rig.h \
	tests/json_check.c tests/json_check.h
tests_test_floods_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_floods_LDADD = $(PD_LIBS) $(CHECK_LIBS)

# cppcheck over the sources (issue 7 item 5); rules in tests/lint.sh
TESTS += tests/lint.sh
EXTRA_DIST += tests/lint.sh .cppcheck-suppressions
