# SPDX-License-Identifier: GPL-2.0
# tools/kvshadowtop/ and bpf/: the BPF skeleton and kvshadowtop.
#
# vmlinux.h comes from the build host's BTF: CO-RE relocates to the kernel
# that runs the tool. The kasan:* event types are declared in bpf/ itself.

KVTOP_GEN    := $(BUILD)/gen
KVTOP_OBJ    := $(BUILD)/obj/kvshadowtop
KVTOP_VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
KVTOP_ARCH   := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/')
LLVM_STRIP   ?= llvm-strip

# Pure parts (no libbpf): linked into the unit tests too.
KVTOP_PURE   := model.c estimate.c ksyms.c attr.c vmallocinfo.c text.c
KVTOP_SRCS   := main.c collect.c loader.c $(KVTOP_PURE) \
		$(notdir $(wildcard tools/kvshadowtop/prom.c tools/kvshadowtop/tui*.c))
KVTOP_OBJS   := $(addprefix $(KVTOP_OBJ)/,$(KVTOP_SRCS:.c=.o)) $(KVSTAT_OBJ)/vmalloc_shadow.o
KVTOP_SAN_OBJS := $(addprefix $(KVTOP_OBJ)/san/,$(KVTOP_PURE:.c=.o))

KVTOP_PKGS   := libbpf jansson ncursesw
KVTOP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(KVTOP_PKGS) 2>/dev/null)
KVTOP_LIBS   := $(shell $(PKG_CONFIG) --libs $(KVTOP_PKGS) 2>/dev/null || echo -lbpf -lelf -lz -ljansson -lncursesw -ltinfo) -lm
KVTOP_STATIC_LIBS := $(shell $(PKG_CONFIG) --static --libs $(KVTOP_PKGS) 2>/dev/null || echo -lbpf -lelf -lz -ljansson -lncursesw -ltinfo) -lm

all: $(BUILD)/bin/kvshadowtop
static: $(BUILD)/static/bin/kvshadowtop

$(KVTOP_GEN)/vmlinux.h:
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file $(KVTOP_VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(KVTOP_GEN)/kvshadow.bpf.o: bpf/kvshadow.bpf.c bpf/kvshadow.h $(KVTOP_GEN)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(KVTOP_ARCH) \
		-I$(KVTOP_GEN) -Ibpf -Wall -Werror -c $< -o $@.tmp
	$(LLVM_STRIP) -g $@.tmp 2>/dev/null || true
	mv $@.tmp $@

$(KVTOP_GEN)/kvshadow.skel.h: $(KVTOP_GEN)/kvshadow.bpf.o
	$(BPFTOOL) gen skeleton $< name kvshadow_bpf > $@.tmp && mv $@.tmp $@

# Everything that includes the skeleton or the shared types waits for them.
$(KVTOP_OBJ)/collect.o $(KVTOP_OBJ)/loader.o: $(KVTOP_GEN)/kvshadow.skel.h

$(KVTOP_OBJ)/%.o: tools/kvshadowtop/%.c
	@mkdir -p $(@D)
	$(CC) $(KV_CFLAGS) $(CFLAGS) $(KVTOP_CFLAGS) -MMD -MP -c -o $@ $<

$(KVTOP_OBJ)/san/%.o: tools/kvshadowtop/%.c
	@mkdir -p $(@D)
	$(CC) $(KV_CFLAGS) $(CFLAGS) $(SAN_CFLAGS) $(KVTOP_CFLAGS) -MMD -MP -c -o $@ $<

# lib/build.mk is included after this file: name its archive directly.
KVTOP_UTIL_LIB := $(BUILD)/lib/libkvshadow-util.a

$(BUILD)/bin/kvshadowtop: $(KVTOP_OBJS) $(KVTOP_UTIL_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(KVTOP_LIBS) $(KV_UTIL_LDLIBS)

# For the busybox guest: libbpf.a, libelf.a, libz.a, jansson, ncursesw/tinfo.
$(BUILD)/static/bin/kvshadowtop: $(KVTOP_OBJS) $(KVTOP_UTIL_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -o $@ $^ $(KVTOP_STATIC_LIBS) $(KV_UTIL_LDLIBS)

# Unit tests: tests/unit/test_{model,estimate,hist,ksyms,json}*.c, each one binary.
KVTOP_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard \
	tests/unit/test_model*.c tests/unit/test_estimate*.c tests/unit/test_hist*.c \
	tests/unit/test_ksyms*.c tests/unit/test_json*.c))

test-bins: $(KVTOP_TESTS)

$(KVTOP_TESTS): $(BUILD)/tests/unit/%: tests/unit/%.c $(KVTOP_SAN_OBJS)
	@mkdir -p $(@D) $(KVTOP_OBJ)/san/tests
	$(CC) $(KV_CFLAGS) $(CFLAGS) $(SAN_CFLAGS) $(KVTOP_CFLAGS) -MMD -MP \
		-MF $(KVTOP_OBJ)/san/tests/$*.d -o $@ $< $(KVTOP_SAN_OBJS) \
		$(shell $(PKG_CONFIG) --libs jansson 2>/dev/null || echo -ljansson) $(CMOCKA_LIBS) -lm

.PHONY: install-kvshadowtop uninstall-kvshadowtop
install: install-kvshadowtop
uninstall: uninstall-kvshadowtop

install-kvshadowtop: $(BUILD)/bin/kvshadowtop
	install -D -m 0755 $(BUILD)/bin/kvshadowtop $(DESTDIR)$(PREFIX)/sbin/kvshadowtop
	install -D -m 0644 tools/kvshadowtop/kvshadowtop.8 $(DESTDIR)$(PREFIX)/share/man/man8/kvshadowtop.8

uninstall-kvshadowtop:
	rm -f $(DESTDIR)$(PREFIX)/sbin/kvshadowtop \
	      $(DESTDIR)$(PREFIX)/share/man/man8/kvshadowtop.8

-include $(KVTOP_OBJS:.o=.d) $(KVTOP_SAN_OBJS:.o=.d) $(wildcard $(KVTOP_OBJ)/san/tests/*.d)
