# flows/: defragmentation, flow table, TCP reassembly (parsers only)
noinst_LIBRARIES += libpdflows.a
libpdflows_a_SOURCES = flows/defrag.h flows/flowtable.h flows/reasm.h flows/hash.h \
	flows/defrag.c flows/flowtable.c flows/reasm.c
