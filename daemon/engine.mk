# daemon/engine*.c: the engine that wires decode, flows, sessions and events.
# Owned by the lead; included from daemon/local.mk. Add sources with
#   libpddaemon_a_SOURCES += daemon/engine.c
libpddaemon_a_SOURCES += daemon/engine.c daemon/engine_events.c daemon/engine_int.h
# --workers N: reader + worker threads, one engine each (daemon/workers.h)
libpddaemon_a_SOURCES += daemon/workers.c daemon/workers.h daemon/workers_int.h \
	daemon/workers_file.c
