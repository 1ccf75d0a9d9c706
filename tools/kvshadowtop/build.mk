# SPDX-License-Identifier: GPL-2.0
# tools/kvshadowtop/ and bpf/: the BPF skeleton and kvshadowtop.
#
# vmlinux.h comes from the build host's BTF: CO-RE relocates to the kernel
# that runs the tool. The kasan:* event types are declared in bpf/ itself.

KVTOP_GEN    := $(BUILD)/gen
KVTOP_VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
KVTOP_ARCH   := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/')
LLVM_STRIP   ?= llvm-strip

# kvshadowtop on top of pipeline/: its BPF sources of readings (loader,
# exact/stock/estimate readers, the estimate of shadow pages), attribution
# (callers, kernel symbols, stack walk, the rows by name) and the TUI.
KVTOP_SOURCES_SRCS := $(addprefix tools/kvshadowtop/sources/,bpf_source.c estimate_source.c loader.c kernel_probe.c \
		      estimate.c approx_seed.c vmap_walk.c self_shadow.c bpf_iter.c pageset.c ptwalk.c bpfstats.c hash_batch.c)
KVTOP_ATTR_SRCS := $(addprefix tools/kvshadowtop/attribution/,rows.c callers.c ksyms.c stackwalk.c)
KV_TUI_SRCS  := $(addprefix tools/kvshadowtop/tui/,tui.c tui_draw.c tui_flow.c tui_keys.c tui_help.c)
# record, report, diff: the recording's writer and reader live in pipeline/
# (KV_REC_SRCS), the commands here.
KVTOP_REC_SRCS := tools/kvshadowtop/rec_args.c $(addprefix tools/kvshadowtop/recording/,report.c \
		  replay_tui.c summary.c diff.c diff_text.c failon.c)
KVTOP_SRCS   := tools/kvshadowtop/main.c tools/kvshadowtop/top_args.c $(KV_PIPE_SRCS) \
		$(KV_REC_SRCS) $(KVTOP_REC_SRCS) \
		$(KVTOP_SOURCES_SRCS) $(KVTOP_ATTR_SRCS) $(KV_TUI_SRCS) $(KV_LIB_SRCS)
KV_INC += -Itools/kvshadowtop -Itools/kvshadowtop/sources -Itools/kvshadowtop/attribution \
	  -Itools/kvshadowtop/tui -Itools/kvshadowtop/recording

KVTOP_PKGS   := libbpf jansson ncursesw zlib
KVTOP_LIBS   = $(shell $(PKG_CONFIG) --libs $(KVTOP_PKGS) 2>/dev/null || echo -lbpf -lelf -lz -ljansson -lncursesw -ltinfo) -lm
KVTOP_STATIC_LIBS = $(shell $(PKG_CONFIG) --static --libs $(KVTOP_PKGS) 2>/dev/null || echo -lbpf -lelf -lz -ljansson -lncursesw -ltinfo) -lm

all: $(BUILD)/bin/kvshadowtop
static: $(BUILD)/static/bin/kvshadowtop

$(KVTOP_GEN)/vmlinux.h:
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file $(KVTOP_VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

# One BPF object per concern (bpf/kvshadow.bpf.h says which), linked into
# one kvshadow.bpf.o and one skeleton: the programs share maps and settings.
KVTOP_BPF_OBJS := maps exact vmap fentry stock
KVTOP_BPF_HDRS := bpf/kvshadow.bpf.h bpf/stackwalk.bpf.h bpf/kvshadow.h lib/kvs_counters.h

$(KVTOP_GEN)/bpf/%.bpf.o: bpf/%.bpf.c $(KVTOP_BPF_HDRS) $(KVTOP_GEN)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(KVTOP_ARCH) \
		-I$(KVTOP_GEN) -Ibpf -Ilib -Wall -Werror -c $< -o $@

$(KVTOP_GEN)/kvshadow.bpf.o: $(patsubst %,$(KVTOP_GEN)/bpf/%.bpf.o,$(KVTOP_BPF_OBJS))
	$(BPFTOOL) gen object $@.tmp $^
	$(LLVM_STRIP) -g $@.tmp 2>/dev/null || true
	mv $@.tmp $@

# The skeleton's names (kvs_bpf_skel) are set here: a new name makes a new skeleton.
$(KVTOP_GEN)/kvshadow.skel.h: $(KVTOP_GEN)/kvshadow.bpf.o tools/kvshadowtop/build.mk
	$(BPFTOOL) gen skeleton $< name kvs_bpf_skel > $@.tmp && mv $@.tmp $@

# Objects of their own, loaded for one run and closed: estimate mode's
# seed from the kernel's vmap area lists (vmapwalk, its output map sized
# to the walk) and the observer's own shadow (selfmaps, an iterator over
# its maps and programs). Skeleton kvs_NAME_skel.
KVTOP_BPF_ONCE := vmapwalk selfmaps

$(patsubst %,$(KVTOP_GEN)/%.bpf.o,$(KVTOP_BPF_ONCE)): $(KVTOP_GEN)/%.bpf.o: $(KVTOP_GEN)/bpf/%.bpf.o
	cp $< $@.tmp
	$(LLVM_STRIP) -g $@.tmp 2>/dev/null || true
	mv $@.tmp $@

$(patsubst %,$(KVTOP_GEN)/%.skel.h,$(KVTOP_BPF_ONCE)): $(KVTOP_GEN)/%.skel.h: $(KVTOP_GEN)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name kvs_$*_skel > $@.tmp && mv $@.tmp $@

$(call kv_objs,tools/kvshadowtop/sources/vmap_walk.c) \
$(call kv_san_objs,tools/kvshadowtop/sources/vmap_walk.c): $(KVTOP_GEN)/vmapwalk.skel.h

$(call kv_objs,tools/kvshadowtop/sources/self_shadow.c) \
$(call kv_san_objs,tools/kvshadowtop/sources/self_shadow.c): $(KVTOP_GEN)/selfmaps.skel.h

# What includes the skeleton waits for it, plain or sanitized.
KVTOP_SKEL_USERS := $(addprefix tools/kvshadowtop/,sources/bpf_source.c sources/loader.c \
		    sources/ptwalk.c attribution/callers.c)
$(call kv_objs,$(KVTOP_SKEL_USERS)) $(call kv_san_objs,$(KVTOP_SKEL_USERS)): $(KVTOP_GEN)/kvshadow.skel.h

$(BUILD)/bin/kvshadowtop: $(call kv_objs,$(KVTOP_SRCS))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(KVTOP_LIBS)

# For the busybox guest: libbpf.a, libelf.a, libz.a, jansson, ncursesw/tinfo.
$(BUILD)/static/bin/kvshadowtop: $(call kv_objs,$(KVTOP_SRCS))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -o $@ $^ $(KVTOP_STATIC_LIBS)

# The same sources with ASan/UBSan, for the host tests (tests/host/lib.sh).
test-bins: $(BUILD)/san/bin/kvshadowtop

$(BUILD)/san/bin/kvshadowtop: $(call kv_san_objs,$(KVTOP_SRCS))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_CFLAGS) -o $@ $^ $(KVTOP_LIBS)

.PHONY: install-kvshadowtop uninstall-kvshadowtop
install: install-kvshadowtop
uninstall: uninstall-kvshadowtop

install-kvshadowtop: $(BUILD)/bin/kvshadowtop
	install -D -m 0755 $(BUILD)/bin/kvshadowtop $(DESTDIR)$(PREFIX)/sbin/kvshadowtop
	install -D -m 0644 tools/kvshadowtop/kvshadowtop.8 $(DESTDIR)$(PREFIX)/share/man/man8/kvshadowtop.8

uninstall-kvshadowtop:
	rm -f $(DESTDIR)$(PREFIX)/sbin/kvshadowtop \
	      $(DESTDIR)$(PREFIX)/share/man/man8/kvshadowtop.8
