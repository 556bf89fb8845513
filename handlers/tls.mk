# TLS handler files (appended to libpdhandlers.a)
libpdhandlers_a_SOURCES += handlers/tls.c handlers/tls.h handlers/tls_conn.c \
	handlers/tls_event.c handlers/tls_hello.c handlers/tls_ja4.c handlers/tls_names.c \
	handlers/tls_x509.c
