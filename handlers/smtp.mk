# SMTP handler files (appended to libpdhandlers.a)
libpdhandlers_a_SOURCES += handlers/smtp.c
