# daemon/: main, options, capture, privileges, signals, engine, stats, progress
noinst_LIBRARIES += libpddaemon.a
libpddaemon_a_SOURCES = daemon/engine.h
libpddaemon_a_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS) $(LIBCAP_CFLAGS)
