# SPDX-License-Identifier: GPL-2.0
# kvshadow: make KASAN's vmalloc shadow memory observable.
#
#   make            build build/bin/kvshadowtop and build/bin/kvshadowstat
#   make deps       install every Debian package the project needs (root)
#   make kernel     build the patched KASAN test kernel (STOCK=1: unpatched;
#                   NOVMALLOC=1: unpatched and without KASAN_VMALLOC)
#   make vm         boot it in QEMU; CMD='...' runs a command and exits
#   make check      install what is missing, build, run every test
#   make install    PREFIX=/usr/local DESTDIR=... ; make uninstall
#   make clean

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
KV_CFLAGS  := -std=gnu11 $(WARNFLAGS) -D_GNU_SOURCE -I$(BUILD)/gen -Ibpf -Idebugfs \
	      -Itools/kvshadowtop
# The ASan/UBSan flavour used by the tests.
SAN_CFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=all

export CMD

KERNEL_FLAVOR := $(if $(STOCK),--stock)$(if $(NOVMALLOC),--novmalloc)

.PHONY: all static test-bins deps kernel vm check clean install uninstall
# Parts add prerequisites to these: all (build/bin), static (build/static/bin,
# for the QEMU guest), test-bins (build/tests, ASan/UBSan), install, uninstall.
all:
static:
test-bins:
install:
uninstall:

deps:
	@scripts/deps.sh

kernel:
	@scripts/deps.sh kernel
	@kernel/build.sh $(KERNEL_FLAVOR)

# The guest runs the static builds of the tools, so build those first.
vm: static kernel
	@scripts/deps.sh vm
	@kernel/vm/run.sh $(KERNEL_FLAVOR) $(if $(CMD),--cmd "$$CMD")

check:
	@tests/run.sh

clean:
	rm -rf $(BUILD)

# Each part adds its targets to all, static, install and uninstall.
include debugfs/build.mk
include tools/kvshadowtop/build.mk
include tests/build.mk

# Shared userspace helpers (Prometheus text writer, atomic file replace).
include lib/build.mk
