# contrib/: the systemd unit and the example configuration, installed by
# `make install`. An existing configuration is never overwritten (an upgrade
# keeps the operator's edits); uninstall removes it only while it is still the
# shipped example, byte for byte.
pdconfdir = $(sysconfdir)/portdemux
pdconf_files = contrib/portdemuxd.conf contrib/portdemux.d/10-mail.conf \
	contrib/portdemux.d/README
EXTRA_DIST += contrib/portdemuxd.service.in contrib/install-deps.sh $(pdconf_files)

# The unit is written at install time, so that it names the paths of this
# install even when `make install prefix=...` differs from configure's.
install-data-local:
if HAVE_SYSTEMD_UNITDIR
	$(MKDIR_P) '$(DESTDIR)$(systemdsystemunitdir)'
	sed -e 's|%bindir%|$(bindir)|g' -e 's|%pdconfdir%|$(pdconfdir)|g' \
		'$(top_srcdir)/contrib/portdemuxd.service.in' \
		>'$(DESTDIR)$(systemdsystemunitdir)/portdemuxd.service'
endif
	$(MKDIR_P) '$(DESTDIR)$(pdconfdir)/portdemux.d'
	@for f in $(pdconf_files); do \
		dst='$(DESTDIR)$(pdconfdir)'/$${f#contrib/}; \
		if test -e "$$dst"; then \
			echo "  keeping $$dst (exists)"; \
		else \
			echo " $(INSTALL_DATA) $$f $$dst"; \
			$(INSTALL_DATA) '$(top_srcdir)'/$$f "$$dst" || exit 1; \
		fi; \
	done

uninstall-local:
if HAVE_SYSTEMD_UNITDIR
	rm -f '$(DESTDIR)$(systemdsystemunitdir)/portdemuxd.service'
endif
	@for f in $(pdconf_files); do \
		dst='$(DESTDIR)$(pdconfdir)'/$${f#contrib/}; \
		if test -e "$$dst" && cmp -s '$(top_srcdir)'/$$f "$$dst"; then \
			echo " rm -f $$dst"; rm -f "$$dst"; \
		fi; \
	done
	-rmdir '$(DESTDIR)$(pdconfdir)/portdemux.d' '$(DESTDIR)$(pdconfdir)' 2>/dev/null
