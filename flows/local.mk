# flows/: defragmentation, flow table, TCP reassembly (parsers only)
noinst_LIBRARIES += libpdflows.a
libpdflows_a_SOURCES = flows/defrag.h flows/flowtable.h flows/reasm.h
