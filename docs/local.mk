# docs/: event schema, handler guide (the man page is installed from daemon/local.mk)
EXTRA_DIST += docs/events.md docs/handler-guide.md \
	contrib/portdemuxd.service contrib/portdemuxd.conf contrib/install-deps.sh \
	contrib/portdemux.d/10-mail.conf contrib/portdemux.d/README \
	build.sh .ci/run examples/daytime.c examples/Makefile examples/README
