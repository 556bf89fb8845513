# handlers/: registry, sessions/dispatch, line splitter, one file per protocol
noinst_LIBRARIES += libpdhandlers.a
libpdhandlers_a_SOURCES = handlers/registry.h handlers/session.h handlers/builtin.h
include $(top_srcdir)/handlers/smtp.mk
include $(top_srcdir)/handlers/tls.mk
