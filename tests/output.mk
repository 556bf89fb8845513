# tests of output: JSON writer, meta/Community ID/time, sinks, event builder.
# Linked against libpdoutput.a alone (plus libmd), as the layers allow.
OUTPUT_TEST_LIBS = libpdoutput.a $(LIBMD_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/test_json tests/test_meta tests/test_sink tests/test_event
TESTS += tests/test_json tests/test_meta tests/test_sink tests/test_event

tests_test_json_SOURCES = tests/test_json.c tests/json_check.c tests/json_check.h
tests_test_json_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_json_LDADD = $(OUTPUT_TEST_LIBS)

tests_test_meta_SOURCES = tests/test_meta.c
tests_test_meta_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_meta_LDADD = $(OUTPUT_TEST_LIBS)

tests_test_sink_SOURCES = tests/test_sink.c
tests_test_sink_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_sink_LDADD = $(OUTPUT_TEST_LIBS)

tests_test_event_SOURCES = tests/test_event.c tests/json_check.c tests/json_check.h
tests_test_event_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_event_LDADD = $(OUTPUT_TEST_LIBS)
