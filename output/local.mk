# output/: JSON encoding, event builder, Community ID, sinks (libc + libmd)
noinst_LIBRARIES += libpdoutput.a
libpdoutput_a_SOURCES = output/json.h output/meta.h output/sink.h output/event.h \
	output/json.c output/meta.c output/community_id.c output/time.c \
	output/sink.c output/event.c output/ip_text.c
libpdoutput_a_CFLAGS = $(AM_CFLAGS) $(LIBMD_CFLAGS)
