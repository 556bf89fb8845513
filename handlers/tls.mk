# TLS handler files (appended to libpdhandlers.a)
libpdhandlers_a_SOURCES += handlers/tls.c
