# SPDX-License-Identifier: GPL-2.0
# contrib/: the systemd unit, bash completions, the Grafana dashboard and
# example Prometheus alerting rules.
# Included from lib/build.mk. Directories can be moved for packaging, e.g.
# make install PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system

SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR    ?= $(PREFIX)/share/bash-completion/completions
KV_DATADIR     ?= $(PREFIX)/share/kvshadow
# Where tools/*/build.mk install the tools.
KV_SBINDIR     := $(PREFIX)/sbin

KV_CONTRIB_FILES := \
	$(SYSTEMDUNITDIR)/kvshadow-exporter.service \
	$(BASHCOMPDIR)/kvshadowtop \
	$(BASHCOMPDIR)/kvshadowstat \
	$(KV_DATADIR)/grafana/kvshadow.json \
	$(KV_DATADIR)/prometheus/kvshadow-alerts.yml

.PHONY: install-contrib uninstall-contrib
install: install-contrib
uninstall: uninstall-contrib

install-contrib:
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|@SBINDIR@|$(KV_SBINDIR)|g' contrib/systemd/kvshadow-exporter.service.in \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/kvshadow-exporter.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/kvshadow-exporter.service
	install -D -m 0644 contrib/bash-completion/kvshadowtop $(DESTDIR)$(BASHCOMPDIR)/kvshadowtop
	install -D -m 0644 contrib/bash-completion/kvshadowstat $(DESTDIR)$(BASHCOMPDIR)/kvshadowstat
	install -D -m 0644 contrib/grafana/kvshadow.json $(DESTDIR)$(KV_DATADIR)/grafana/kvshadow.json
	install -D -m 0644 contrib/prometheus/kvshadow-alerts.yml \
		$(DESTDIR)$(KV_DATADIR)/prometheus/kvshadow-alerts.yml

# Our own directories go too when empty; shared ones stay.
uninstall-contrib:
	rm -f $(addprefix $(DESTDIR),$(KV_CONTRIB_FILES))
	-rmdir $(DESTDIR)$(KV_DATADIR)/grafana $(DESTDIR)$(KV_DATADIR)/prometheus \
		$(DESTDIR)$(KV_DATADIR) 2>/dev/null
