# SPDX-License-Identifier: GPL-2.0
# bench/: the workload bench/bpf-cost runs (not installed).
KV_VMLOAD := $(BUILD)/bench/vmload

bench-bins: $(KV_VMLOAD)

$(KV_VMLOAD): $(call kv_objs,bench/vmload.c lib/numparse.c)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf) -lm
