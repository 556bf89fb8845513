# SMTP handler files (appended to libpdhandlers.a); the line splitter is shared
# by every line protocol.
libpdhandlers_a_SOURCES += handlers/linesplit.h handlers/linesplit.c \
	handlers/smtp.h handlers/smtp.c handlers/smtp_probe.c handlers/smtp_cmd.c \
	handlers/smtp_addr.c handlers/smtp_ext.c handlers/smtp_reply.c \
	handlers/smtp_queue.c handlers/smtp_server.c handlers/smtp_txn.c \
	handlers/smtp_event.c
