# fuzz/: libFuzzer harnesses (fuzz_*.c), the replay driver that runs their
# corpora in `make check` with any compiler, and `make fuzz` (--enable-fuzz,
# CC=clang). fuzz/README.md explains the input formats and the results.
FUZZ_TARGETS = decode json flows handler config savefile
FUZZ_COMMON = fuzz/fuzz.h fuzz/fuzz_util.c tests/json_check.c tests/json_check.h

# Replay programs: harness + replay.c, linked against the ordinary libraries.
check_PROGRAMS += fuzz/replay_decode fuzz/replay_json fuzz/replay_flows \
	fuzz/replay_handler fuzz/replay_config fuzz/replay_savefile
TESTS += fuzz/replay.sh
EXTRA_DIST += fuzz/replay.sh fuzz/seed-corpus.sh fuzz/merge-new.sh fuzz/README.md \
	fuzz/corpus fuzz/handler.dict

fuzz_replay_decode_SOURCES = fuzz/replay.c fuzz/fuzz_decode.c $(FUZZ_COMMON)
fuzz_replay_decode_LDADD = $(PD_LIBS)
fuzz_replay_json_SOURCES = fuzz/replay.c fuzz/fuzz_json.c $(FUZZ_COMMON)
fuzz_replay_json_LDADD = $(PD_LIBS)
fuzz_replay_flows_SOURCES = fuzz/replay.c fuzz/fuzz_flows.c $(FUZZ_COMMON)
fuzz_replay_flows_LDADD = $(PD_LIBS)
fuzz_replay_handler_SOURCES = fuzz/replay.c fuzz/fuzz_handler.c $(FUZZ_COMMON)
fuzz_replay_handler_LDADD = $(PD_LIBS)
fuzz_replay_config_SOURCES = fuzz/replay.c fuzz/fuzz_config.c $(FUZZ_COMMON)
fuzz_replay_config_LDADD = $(PD_LIBS)
fuzz_replay_savefile_SOURCES = fuzz/replay.c fuzz/fuzz_savefile.c $(FUZZ_COMMON)
fuzz_replay_savefile_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS)
fuzz_replay_savefile_LDADD = $(PD_LIBS)

FUZZ_SECONDS = 60
FUZZ_ARGS =

if ENABLE_FUZZ
# Every library source compiled once more with coverage instrumentation
# (fuzzer-no-link) and the sanitizers, into one archive the fuzzers link, so
# a plain `configure --enable-fuzz CC=clang` needs no special CFLAGS.
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -g
noinst_LIBRARIES += fuzz/libpdfuzz.a
fuzz_libpdfuzz_a_SOURCES = $(libpdparsers_a_SOURCES) $(libpdflows_a_SOURCES) \
	$(libpdoutput_a_SOURCES) $(libpdhandlers_a_SOURCES) $(libpddaemon_a_SOURCES) \
	$(FUZZ_COMMON)
fuzz_libpdfuzz_a_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) \
	$(PCAP_CFLAGS) $(LIBCAP_CFLAGS) $(LIBMD_CFLAGS)
FUZZ_LDADD = fuzz/libpdfuzz.a $(PCAP_LIBS) $(LIBCAP_LIBS) $(LIBMD_LIBS)
FUZZ_CFLAGS_ALL = $(AM_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN)

noinst_PROGRAMS += fuzz/fuzz_decode fuzz/fuzz_json fuzz/fuzz_flows \
	fuzz/fuzz_handler fuzz/fuzz_config fuzz/fuzz_savefile
fuzz_fuzz_decode_SOURCES = fuzz/fuzz_decode.c
fuzz_fuzz_decode_CFLAGS = $(FUZZ_CFLAGS_ALL)
fuzz_fuzz_decode_LDFLAGS = -fsanitize=fuzzer $(FUZZ_SAN)
fuzz_fuzz_decode_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_json_SOURCES = fuzz/fuzz_json.c
fuzz_fuzz_json_CFLAGS = $(FUZZ_CFLAGS_ALL)
fuzz_fuzz_json_LDFLAGS = -fsanitize=fuzzer $(FUZZ_SAN)
fuzz_fuzz_json_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_flows_SOURCES = fuzz/fuzz_flows.c
fuzz_fuzz_flows_CFLAGS = $(FUZZ_CFLAGS_ALL)
fuzz_fuzz_flows_LDFLAGS = -fsanitize=fuzzer $(FUZZ_SAN)
fuzz_fuzz_flows_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_handler_SOURCES = fuzz/fuzz_handler.c
fuzz_fuzz_handler_CFLAGS = $(FUZZ_CFLAGS_ALL)
fuzz_fuzz_handler_LDFLAGS = -fsanitize=fuzzer $(FUZZ_SAN)
fuzz_fuzz_handler_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_config_SOURCES = fuzz/fuzz_config.c
fuzz_fuzz_config_CFLAGS = $(FUZZ_CFLAGS_ALL)
fuzz_fuzz_config_LDFLAGS = -fsanitize=fuzzer $(FUZZ_SAN)
fuzz_fuzz_config_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_savefile_SOURCES = fuzz/fuzz_savefile.c
fuzz_fuzz_savefile_CFLAGS = $(FUZZ_CFLAGS_ALL) $(PCAP_CFLAGS)
fuzz_fuzz_savefile_LDFLAGS = -fsanitize=fuzzer $(FUZZ_SAN)
fuzz_fuzz_savefile_LDADD = $(FUZZ_LDADD)

# make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS='flows handler'] [FUZZ_ARGS=...]:
# each target runs FUZZ_SECONDS in a scratch directory (fuzz/work/TARGET)
# seeded with its corpus (crash-* regressions left out: they would stop the
# run); finds reaching new code edges are then copied to
# $(srcdir)/fuzz/corpus/TARGET as cov-* (fuzz/merge-new.sh). Crashes land in
# fuzz/work/ as crash-TARGET-*, and the other targets still run.
fuzz: fuzz/fuzz_decode fuzz/fuzz_json fuzz/fuzz_flows fuzz/fuzz_handler \
	fuzz/fuzz_config fuzz/fuzz_savefile
	@failed=; for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/work/$$t $(srcdir)/fuzz/corpus/$$t || exit 1; \
	  for f in $(srcdir)/fuzz/corpus/$$t/*; do \
	    case $$f in */crash-*) ;; *) test -f "$$f" && cp "$$f" fuzz/work/$$t/ ;; esac; \
	  done; \
	  dict=; if test $$t = handler || test $$t = flows; then \
	    dict=-dict=$(srcdir)/fuzz/handler.dict; fi; \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	  ./fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=fuzz/work/crash-$$t- $$dict $(FUZZ_ARGS) fuzz/work/$$t \
	    || failed="$$failed $$t"; \
	  $(SHELL) $(srcdir)/fuzz/merge-new.sh ./fuzz/fuzz_$$t \
	    $(srcdir)/fuzz/corpus/$$t fuzz/work/$$t || failed="$$failed $$t(merge)"; \
	done; \
	if test -n "$$failed"; then \
	  echo "make fuzz: failures in:$$failed (inputs in fuzz/work/crash-*)" >&2; exit 1; fi
else
fuzz:
	@echo "make fuzz: configure with --enable-fuzz CC=clang (see fuzz/README.md)" >&2; exit 1
endif
.PHONY: fuzz

clean-local: clean-fuzz-work
clean-fuzz-work:
	-rm -rf fuzz/work
.PHONY: clean-fuzz-work
