# handlers/: registry, sessions/dispatch, line splitter, one file per protocol
noinst_LIBRARIES += libpdhandlers.a
libpdhandlers_a_SOURCES = handlers/slab.c handlers/slab.h handlers/registry.h handlers/session.h handlers/builtin.h \
	handlers/registry.c \
	handlers/session_int.h handlers/session.c handlers/session_detect.c \
	handlers/session_api.c \
	handlers/dns.h handlers/dns.c handlers/dns_probe.c handlers/dns_msg.c \
	handlers/dns_rr.c handlers/dns_name.c handlers/dns_tables.c
include $(top_srcdir)/handlers/smtp.mk
include $(top_srcdir)/handlers/tls.mk
include $(top_srcdir)/handlers/http.mk
include $(top_srcdir)/handlers/ssh.mk
