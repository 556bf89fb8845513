# bench: throughput benchmark (bench/run.sh; never part of make check). The two helpers
# are built with everything else so they keep compiling with -Werror.
noinst_PROGRAMS += bench/bare_loop bench/gen-mixed
bench_bare_loop_SOURCES = bench/bare_loop.c
bench_bare_loop_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS)
bench_bare_loop_LDADD = $(PCAP_LIBS)
bench_gen_mixed_SOURCES = bench/gen-mixed.c
EXTRA_DIST += bench/lib.sh bench/run.sh bench/README.md bench/growth.sh bench/churn.sh bench/cg-stages.py \
	bench/thread-cpu.py bench/perf-stages.py
