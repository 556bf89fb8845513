# output/: JSON encoding, event builder, Community ID, sinks (libc + libmd)
noinst_LIBRARIES += libpdoutput.a
libpdoutput_a_SOURCES = output/json.h output/meta.h output/sink.h output/event.h
libpdoutput_a_CFLAGS = $(AM_CFLAGS) $(LIBMD_CFLAGS)
