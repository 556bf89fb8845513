# tests of golden: expected JSON per capture (tests/golden.list, tests/golden/), the daemon
# over the whole shared corpus (no crash, valid JSON), and DNS events against ground truth.
TESTS += tests/run-golden.sh tests/run-shared.sh tests/check-dns-truth.py
EXTRA_DIST += tests/run-golden.sh tests/run-shared.sh tests/check-dns-truth.py \
	tests/golden.list tests/golden
# SMTP AUTH credentials never in the output of the pcaps/smtp-*.pcap captures (and shared d22)
TESTS += tests/test-smtp-golden-privacy.sh
TESTS += tests/test-impaired-reasm.sh
