# SPDX-License-Identifier: GPL-2.0
# bench/: the workload bench/bpf-cost runs (not installed).
KV_VMLOAD := $(BUILD)/bench/vmload

bench-bins: $(KV_VMLOAD)

$(KV_VMLOAD): $(call kv_objs,bench/vmload.c lib/numparse.c)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf) -lm

# bench/footprint's and tests/host/footprint's: fill a running tool's hash maps.
KV_MAPFILL := $(BUILD)/bench/mapfill

bench-bins: $(KV_MAPFILL)

$(KV_MAPFILL): $(call kv_objs,bench/mapfill.c lib/numparse.c)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf) -lm

# bench/tramp-race's guest program: a minimal fentry/fexit pair and its
# loader, static for the busybox guest.
KV_TRAMP_RACE := $(BUILD)/static/bench/tramp-race
KV_TRAMP_SKEL := $(KVTOP_GEN)/tramp_race.skel.h

bench-bins: $(KV_TRAMP_RACE)

$(KVTOP_GEN)/bench/tramp_race.bpf.o: bench/tramp_race.bpf.c $(KVTOP_GEN)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(KVTOP_ARCH) \
		-I$(KVTOP_GEN) -Wall -Werror -c $< -o $@
	$(LLVM_STRIP) -g $@ 2>/dev/null || true

$(KV_TRAMP_SKEL): $(KVTOP_GEN)/bench/tramp_race.bpf.o
	$(BPFTOOL) gen skeleton $< name tramp_race_bpf > $@.tmp && mv $@.tmp $@

$(call kv_objs,bench/tramp_race.c): $(KV_TRAMP_SKEL)

$(KV_TRAMP_RACE): $(call kv_objs,bench/tramp_race.c lib/numparse.c)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -o $@ $^ $(KVTOP_STATIC_LIBS)
