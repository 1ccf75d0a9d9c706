# SPDX-License-Identifier: GPL-2.0
# kvshadow: make KASAN's vmalloc shadow memory observable.
#
#   make            build build/bin/kvshadowtop and build/bin/kvshadowstat
#   make deps       install every Debian package the project needs (root)
#   make kernel     build the patched KASAN test kernel (KVER=7.2, the
#                   default, 6.12 or 6.1; STOCK=1: unpatched;
#                   NOVMALLOC=1: unpatched and without KASAN_VMALLOC;
#                   PATCHES=N: only the first N patches of the series;
#                   NODEBUG=1: without syzbot's debug options)
#   make vm         boot it in QEMU; CMD='...' runs a command and exits
#   make upstream   the 7.2 series as upstream gets it, signed off under
#                   your git identity, in build/upstream/
#   make demo       boot it with a mixed workload and kvshadowtop live
#                   (DEMO_SECONDS=60)
#   make check      install what is missing, build, run every test
#   make fuzz       run every libFuzzer target for FUZZ_SECONDS (default 300)
#   make install    PREFIX=/usr/local DESTDIR=... ; make uninstall
#   make clean
#
# Every target that builds or runs something first installs the Debian
# packages it needs (scripts/deps.sh; as non-root it lists what is missing
# and stops), then builds in a sub-make.

BUILD      ?= build
PREFIX     ?= /usr/local
CC         ?= cc
CLANG      ?= clang
BPFTOOL    ?= bpftool
PKG_CONFIG ?= pkg-config

# Userspace C: C11 with GNU extensions, warnings are errors.
CFLAGS     ?= -O2 -g
WARNFLAGS  := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
	      -Wmissing-prototypes -Wno-unused-parameter
# Each part adds its folders to KV_INC; pipeline/build.mk narrows it for views.
KV_INC     := -I$(BUILD)/gen -Ibpf
KV_CFLAGS   = -std=gnu11 $(WARNFLAGS) -D_GNU_SOURCE $(KV_INC)
# The ASan/UBSan flavour used by the tests.
SAN_CFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=all

KVER          ?= 7.2
KERNEL_FLAVOR := --kver $(KVER) $(if $(STOCK),--stock)$(if $(NOVMALLOC),--novmalloc)$(if $(PATCHES),--patches $(PATCHES)) $(if $(NODEBUG),--nodebug)
DEMO_SECONDS  ?= 60

# The Debian package groups (scripts/deps.sh) each entry target needs.
deps_all       := build
deps_static    := build
deps_test-bins := build test
deps_install   := build
deps_kernel    := kernel
deps_upstream  := kernel
deps_vm        := build kernel vm
deps_demo      := build kernel vm
deps_check     := build kernel vm test
deps_bench-bins := build
kv_goals := $(or $(MAKECMDGOALS),all)
kv_deps  := $(sort $(foreach g,$(kv_goals),$(deps_$(g))))

ifeq ($(KVSHADOW_DEPS)$(if $(kv_deps),,none),)
# First pass: install what the goals need, then make them in a sub-make
# (which reads this file again with KVSHADOW_DEPS set). Nothing else of the
# build is read here: its $(shell pkg-config ...) calls need the packages.
.PHONY: $(kv_goals)
$(firstword $(kv_goals)):
	@scripts/deps.sh $(kv_deps)
	@$(MAKE) --no-print-directory KVSHADOW_DEPS=done $(kv_goals)
$(wordlist 2,$(words $(kv_goals)),$(kv_goals)): $(firstword $(kv_goals))
	@:
else

.PHONY: all static test-bins bench-bins deps kernel vm demo check clean install uninstall upstream
# Parts add prerequisites to these: all (build/bin), static (build/static/bin,
# for the QEMU guest), test-bins (build/tests and build/san/bin: the tools
# with ASan/UBSan, from the same source lists), fuzz (build/fuzz, libFuzzer
# targets), install, uninstall.
all:
static:
test-bins:
bench-bins:
install:
uninstall:

deps:
	@scripts/deps.sh

kernel:
	@kernel/build.sh $(KERNEL_FLAVOR)

# The guest runs the static builds of the tools, so build those first.
# CMD reaches the guest verbatim: make writes $(value CMD) (not expanded:
# $(uname -r), $?, $((i+1)), quotes and newlines as typed) to a file that
# run.sh runs in the guest. A command line could not carry the newlines.
vm: static kernel
	@$(if $(value CMD),$(eval kv_cmdfile := $(shell mktemp "$${TMPDIR:-/tmp}/kvshadow-cmd.XXXXXX"))$(file >$(kv_cmdfile),$(value CMD)))\
	kernel/vm/run.sh $(KERNEL_FLAVOR) $(if $(value CMD),--cmd-file $(kv_cmdfile)); \
	rc=$$?; $(if $(value CMD),rm -f $(kv_cmdfile);) exit $$rc

demo: static kernel
	@kernel/vm/run.sh $(KERNEL_FLAVOR) --demo $(DEMO_SECONDS)

check:
	@tests/run.sh

upstream:
	@kernel/upstream.sh $(BUILD)/upstream

clean:
	rm -rf $(BUILD)

# Every C file compiles the same way, plain or sanitized; each part lists
# its sources explicitly (no wildcards: a missing file is an error).
KV_PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags libbpf jansson ncursesw 2>/dev/null)
kv_objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
kv_san_objs = $(patsubst %.c,$(BUILD)/obj/san/%.o,$(1))

$(BUILD)/obj/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(KV_CFLAGS) $(CFLAGS) $(SAN_CFLAGS) $(KV_PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(KV_CFLAGS) $(CFLAGS) $(KV_PKG_CFLAGS) -MMD -MP -c -o $@ $<

# The parts, leaves first; each adds to all, static, test-bins, install.
include lib/build.mk
include pipeline/build.mk
include tools/kvshadowtop/build.mk
include tools/kvshadowstat/build.mk
include tests/build.mk
include tests/fuzz/build.mk
include contrib/build.mk
include bench/build.mk

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

endif
