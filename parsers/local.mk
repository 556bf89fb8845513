# parsers/: cursor and stateless decoders (libc only)
noinst_LIBRARIES += libpdparsers.a
libpdparsers_a_SOURCES = parsers/cursor.h parsers/decode.h parsers/reasons.h
