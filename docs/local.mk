# docs/: event schema, handler guide (the man page is installed from daemon/local.mk)
EXTRA_DIST += docs/events.md docs/handler-guide.md \
	build.sh .ci/run examples/daytime.c examples/Makefile examples/README
EXTRA_DIST += docs/events.d/00-header.md docs/events.d/common.md docs/events.d/flow.md \
	docs/events.d/stats.md docs/events.d/anomaly-core.md docs/events.d/anomaly.md \
	docs/events.d/smtp.md docs/events.d/tls.md docs/events.d/dns.md docs/events.d/http.md \
	docs/events.d/ssh.md
