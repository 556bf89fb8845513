# daemon/: main, options, capture, privileges, signals, engine, stats, progress
noinst_LIBRARIES += libpddaemon.a
libpddaemon_a_SOURCES = daemon/engine.h \
	daemon/options.c daemon/options.h \
	daemon/config.c daemon/config.h \
	daemon/capture.c daemon/capture.h \
	daemon/run.c daemon/run.h \
	daemon/stats_event.c daemon/stats_event.h \
	daemon/summary.c daemon/summary.h \
	daemon/progress.c daemon/progress.h \
	daemon/signals.c daemon/signals.h \
	daemon/privdrop.c daemon/privdrop.h \
	daemon/service.c daemon/service.h \
	daemon/log.c daemon/log.h
libpddaemon_a_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS) $(LIBCAP_CFLAGS)
include $(top_srcdir)/daemon/engine.mk

bin_PROGRAMS += portdemuxd
portdemuxd_SOURCES = daemon/main.c
portdemuxd_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS) $(LIBCAP_CFLAGS)
portdemuxd_LDADD = $(PD_LIBS)
# exported symbols for handler plug-ins loaded with dlopen
portdemuxd_LDFLAGS = -rdynamic

dist_man8_MANS = docs/portdemuxd.8
# plug-ins, drop-ins, the handler table and its SIGHUP reload (docs/handler-guide.md)
# pcap files read in place (savefile), live fan-out groups, records cut to the
# snaplen (capture_check), anomaly events for what the caps shed (engine_shed)
libpddaemon_a_SOURCES += daemon/savefile.c daemon/savefile.h daemon/fanout.c daemon/fanout.h \
	daemon/capture_check.c daemon/capture_check.h daemon/engine_shed.c daemon/engine_shed.h
libpddaemon_a_SOURCES += daemon/plugins.c daemon/plugins.h daemon/dropin.c daemon/dropin.h daemon/htable.c daemon/htable.h daemon/engine_reload.c
libpddaemon_a_CPPFLAGS = $(AM_CPPFLAGS) -DPD_SYSCONFDIR='"$(sysconfdir)"'
