# SPDX-License-Identifier: GPL-2.0
# Test binaries, built with ASan/UBSan: the unit tests in $(BUILD)/tests/unit/
# (tests/run.sh runs every executable there), the TUI driver and promgen.
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)
KV_TEST_LIBS = $(shell $(PKG_CONFIG) --libs jansson zlib 2>/dev/null || echo -ljansson -lz) -lm

# Everything but main()s, libbpf and ncurses, sanitized: what unit tests link.
KV_PURE_SRCS := $(KV_PIPE_SRCS) $(addprefix tools/kvshadowtop/,sources/estimate.c sources/approx_seed.c \
		sources/pageset.c attribution/rows.c attribution/ksyms.c attribution/stackwalk.c \
		top_args.c rec_args.c recording/failon.c) \
		$(KV_REC_SRCS) \
		tools/kvshadowstat/stat_args.c $(KV_LIB_SRCS)
KV_PURE_SAN_OBJS = $(call kv_san_objs,$(KV_PURE_SRCS))

KV_UNIT_TESTS := $(addprefix $(BUILD)/tests/unit/,test_counters test_snapshot test_model \
		 test_estimate test_hist test_ksyms test_json test_options test_numparse \
		 test_sanitize test_promtext test_prom_atomicfile test_prom_view \
		 test_vmalloc_shadow test_vmallocinfo test_errmsg test_stackwalk test_pageset \
		 test_approx_seed test_nodes test_manpage test_failon test_recfmt test_purge)

test-bins: $(KV_UNIT_TESTS)

$(KV_UNIT_TESTS): $(BUILD)/tests/unit/%: $(BUILD)/obj/san/tests/unit/%.o $(KV_PURE_SAN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_CFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(KV_TEST_LIBS)

# tests/tui/: the real run loop and TUI on a synthetic source, for tmux tests
# without root, BPF or a KASAN kernel.
TUI_DRIVER := $(BUILD)/tests/tui/tuidriver
TUI_NCURSES_LIBS = $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo)

test-bins: $(TUI_DRIVER)

$(TUI_DRIVER): $(call kv_san_objs,tests/tui/tuidriver.c $(KV_TUI_SRCS)) $(KV_PURE_SAN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_CFLAGS) -o $@ $^ $(TUI_NCURSES_LIBS) $(KV_TEST_LIBS)

# tests/prom/promgen: writes sample kvshadow .prom files for the prom tests.
KV_PROMGEN := $(BUILD)/tests/prom/promgen

test-bins: $(KV_PROMGEN)

$(KV_PROMGEN): $(call kv_san_objs,tests/prom/promgen.c) $(KV_PURE_SAN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_CFLAGS) -o $@ $^ $(KV_TEST_LIBS)

# tests/host/vmalloc_as: a process with a chosen (hostile) comm that makes
# a known number of vmallocs, for the host tests of names.
KV_VMALLOC_AS := $(BUILD)/tests/host/vmalloc_as

test-bins: $(KV_VMALLOC_AS)

# Plain on purpose: see the comment at its top.
$(KV_VMALLOC_AS): $(call kv_objs,tests/host/vmalloc_as.c)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^

# tests/host/hash_batch: the batch reader of BPF hash maps against real
# maps (root: tests/host/hash_batch.sh), sanitized.
KV_HASH_BATCH_TEST := $(BUILD)/tests/host/hash_batch

test-bins: $(KV_HASH_BATCH_TEST)

$(KV_HASH_BATCH_TEST): $(call kv_san_objs,tests/host/hash_batch.c tools/kvshadowtop/sources/hash_batch.c)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_CFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)

# tests/unit/test_layout.sh: the folders' promises (views read the model only,
# kvshadowstat without libbpf and ncurses), run with the unit tests.
KV_LAYOUT_TEST := $(BUILD)/tests/unit/test_layout

test-bins: $(KV_LAYOUT_TEST)

$(KV_LAYOUT_TEST): tests/unit/test_layout.sh
	install -D -m 0755 $< $@
