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

# The bash completions, generated from the tools' option, mode, sort and
# --by tables (contrib/bash-completion/gen-completion.c).
KV_COMPGEN := $(BUILD)/gen/gen-completion
KV_COMPLETIONS := $(BUILD)/gen/bash-completion/kvshadowtop $(BUILD)/gen/bash-completion/kvshadowstat

all: $(KV_COMPLETIONS)

$(KV_COMPGEN): $(call kv_objs,contrib/bash-completion/gen-completion.c tools/kvshadowtop/top_args.c \
		tools/kvshadowtop/rec_args.c \
		tools/kvshadowstat/stat_args.c $(KV_PIPE_SRCS) $(KV_LIB_SRCS))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null || echo -ljansson) -lm

$(KV_COMPLETIONS): $(BUILD)/gen/bash-completion/%: $(KV_COMPGEN)
	@mkdir -p $(@D)
	$(KV_COMPGEN) $* > $@.tmp && mv $@.tmp $@

.PHONY: install-contrib uninstall-contrib
install: install-contrib
uninstall: uninstall-contrib

install-contrib: $(KV_COMPLETIONS)
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|@SBINDIR@|$(KV_SBINDIR)|g' contrib/systemd/kvshadow-exporter.service.in \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/kvshadow-exporter.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/kvshadow-exporter.service
	install -D -m 0644 $(BUILD)/gen/bash-completion/kvshadowtop $(DESTDIR)$(BASHCOMPDIR)/kvshadowtop
	install -D -m 0644 $(BUILD)/gen/bash-completion/kvshadowstat $(DESTDIR)$(BASHCOMPDIR)/kvshadowstat
	install -D -m 0644 contrib/grafana/kvshadow.json $(DESTDIR)$(KV_DATADIR)/grafana/kvshadow.json
	install -D -m 0644 contrib/prometheus/kvshadow-alerts.yml \
		$(DESTDIR)$(KV_DATADIR)/prometheus/kvshadow-alerts.yml

# Our own directories go too when empty; shared ones stay.
uninstall-contrib: $(KV_COMPLETIONS)
	rm -f $(addprefix $(DESTDIR),$(KV_CONTRIB_FILES))
	-rmdir $(DESTDIR)$(KV_DATADIR)/grafana $(DESTDIR)$(KV_DATADIR)/prometheus \
		$(DESTDIR)$(KV_DATADIR) 2>/dev/null
