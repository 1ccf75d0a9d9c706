# SPDX-License-Identifier: GPL-2.0
# tools/kvshadowstat/: kvshadowstat, pipeline/ with the debugfs source only.
# No libbpf and no ncurses: it runs where BPF cannot (tests/unit/test_layout.sh).

KVSTAT_SRCS := tools/kvshadowstat/kvshadowstat.c tools/kvshadowstat/stat_args.c \
	       $(KV_PIPE_SRCS) $(KV_LIB_SRCS)
KV_INC += -Itools/kvshadowstat
KVSTAT_LIBS = $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null || echo -ljansson) -lm
KVSTAT_STATIC_LIBS = $(shell $(PKG_CONFIG) --static --libs jansson 2>/dev/null || echo -ljansson) -lm

all: $(BUILD)/bin/kvshadowstat
static: $(BUILD)/static/bin/kvshadowstat

$(BUILD)/bin/kvshadowstat: $(call kv_objs,$(KVSTAT_SRCS))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(KVSTAT_LIBS)

$(BUILD)/static/bin/kvshadowstat: $(call kv_objs,$(KVSTAT_SRCS))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -o $@ $^ $(KVSTAT_STATIC_LIBS)

# The same sources with ASan/UBSan, for the host tests (tests/host/lib.sh).
test-bins: $(BUILD)/san/bin/kvshadowstat

$(BUILD)/san/bin/kvshadowstat: $(call kv_san_objs,$(KVSTAT_SRCS))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_CFLAGS) -o $@ $^ $(KVSTAT_LIBS)

.PHONY: install-kvshadowstat uninstall-kvshadowstat
install: install-kvshadowstat
uninstall: uninstall-kvshadowstat

# A root tool: sbin.
install-kvshadowstat: $(BUILD)/bin/kvshadowstat
	install -D -m 0755 $(BUILD)/bin/kvshadowstat $(DESTDIR)$(PREFIX)/sbin/kvshadowstat
	install -D -m 0644 tools/kvshadowstat/kvshadowstat.8 $(DESTDIR)$(PREFIX)/share/man/man8/kvshadowstat.8

uninstall-kvshadowstat:
	rm -f $(DESTDIR)$(PREFIX)/sbin/kvshadowstat \
	      $(DESTDIR)$(PREFIX)/share/man/man8/kvshadowstat.8
