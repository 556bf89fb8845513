# daemon/: main, options, capture, privileges, signals, engine, stats, progress
noinst_LIBRARIES += libpddaemon.a
libpddaemon_a_SOURCES = daemon/engine.h \
	daemon/options.c daemon/options.h
libpddaemon_a_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS) $(LIBCAP_CFLAGS)
include $(top_srcdir)/daemon/engine.mk
