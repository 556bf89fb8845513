# HTTP/1.x handler files (appended to libpdhandlers.a); header lines go
# through the shared line splitter (handlers/linesplit.c, in smtp.mk).
libpdhandlers_a_SOURCES += handlers/http.h handlers/http.c handlers/http_probe.c \
	handlers/http_line.c handlers/http_body.c handlers/http_txn.c handlers/http_event.c
