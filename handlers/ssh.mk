# SSH handler files (appended to libpdhandlers.a). HASSH uses libmd's MD5
# (like JA3 in tls_ja4.c), so the library gets libmd's compile flags.
libpdhandlers_a_SOURCES += handlers/ssh.h handlers/ssh.c handlers/ssh_banner.c \
	handlers/ssh_kex.c handlers/ssh_event.c
libpdhandlers_a_CFLAGS = $(AM_CFLAGS) $(LIBMD_CFLAGS)
