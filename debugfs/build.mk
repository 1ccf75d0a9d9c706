# SPDX-License-Identifier: GPL-2.0
# debugfs/: the vmalloc_shadow reader library and kvshadowstat.

KVSTAT_SRCS := vmalloc_shadow.c kvshadowstat_opts.c kvshadowstat_model.c \
	       kvshadowstat_view.c
KVSTAT_OBJ := $(BUILD)/obj/debugfs
KVSTAT_OBJS := $(addprefix $(KVSTAT_OBJ)/,$(KVSTAT_SRCS:.c=.o) kvshadowstat.o)
# The unit test links the sanitized build of everything but main().
KVSTAT_SAN_OBJS := $(addprefix $(KVSTAT_OBJ)/san/,$(KVSTAT_SRCS:.c=.o) test_vmalloc_shadow.o)

JANSSON_CFLAGS := $(shell $(PKG_CONFIG) --cflags jansson 2>/dev/null)
JANSSON_LIBS := $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null || echo -ljansson)
JANSSON_STATIC_LIBS := $(shell $(PKG_CONFIG) --static --libs jansson 2>/dev/null || echo -ljansson)

all: $(BUILD)/bin/kvshadowstat
static: $(BUILD)/static/bin/kvshadowstat
test-bins: $(BUILD)/tests/unit/vmalloc_shadow

$(KVSTAT_OBJ)/%.o: debugfs/%.c
	@mkdir -p $(@D)
	$(CC) $(KV_CFLAGS) $(CFLAGS) $(JANSSON_CFLAGS) -MMD -MP -c -o $@ $<

$(KVSTAT_OBJ)/san/%.o: debugfs/%.c
	@mkdir -p $(@D)
	$(CC) $(KV_CFLAGS) $(CFLAGS) $(SAN_CFLAGS) $(JANSSON_CFLAGS) -MMD -MP -c -o $@ $<

$(KVSTAT_OBJ)/san/test_vmalloc_shadow.o: tests/unit/test_vmalloc_shadow.c
	@mkdir -p $(@D)
	$(CC) $(KV_CFLAGS) $(CFLAGS) $(SAN_CFLAGS) $(JANSSON_CFLAGS) -MMD -MP -c -o $@ $<

# --prom-file comes from lib/ (named by path: lib/build.mk is included later).
KVSTAT_UTIL_LIB := $(BUILD)/lib/libkvshadow-util.a

$(BUILD)/bin/kvshadowstat: $(KVSTAT_OBJS) $(KVSTAT_UTIL_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(JANSSON_LIBS) -lm

# For the busybox guest: no shared libraries there (libjansson.a is in libjansson-dev).
$(BUILD)/static/bin/kvshadowstat: $(KVSTAT_OBJS) $(KVSTAT_UTIL_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -o $@ $^ $(JANSSON_STATIC_LIBS) -lm

$(BUILD)/tests/unit/vmalloc_shadow: $(KVSTAT_SAN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_CFLAGS) -o $@ $^ $(JANSSON_LIBS) $(CMOCKA_LIBS)

.PHONY: install-kvshadowstat uninstall-kvshadowstat
install: install-kvshadowstat
uninstall: uninstall-kvshadowstat

# A root tool: sbin.
install-kvshadowstat: $(BUILD)/bin/kvshadowstat
	install -D -m 0755 $(BUILD)/bin/kvshadowstat $(DESTDIR)$(PREFIX)/sbin/kvshadowstat
	install -D -m 0644 debugfs/kvshadowstat.8 $(DESTDIR)$(PREFIX)/share/man/man8/kvshadowstat.8

uninstall-kvshadowstat:
	rm -f $(DESTDIR)$(PREFIX)/sbin/kvshadowstat \
	      $(DESTDIR)$(PREFIX)/share/man/man8/kvshadowstat.8

-include $(KVSTAT_OBJS:.o=.d) $(KVSTAT_SAN_OBJS:.o=.d)
