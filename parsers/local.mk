# parsers/: cursor and stateless decoders (libc only)
noinst_LIBRARIES += libpdparsers.a
libpdparsers_a_SOURCES = parsers/cursor.h parsers/decode.h parsers/reasons.h \
	parsers/decode_int.h parsers/decode.c parsers/names.c parsers/ip_str.c \
	parsers/link_eth.c parsers/link_sll.c parsers/link_null.c \
	parsers/ip4.c parsers/ip6.c parsers/tcp.c parsers/udp.c
