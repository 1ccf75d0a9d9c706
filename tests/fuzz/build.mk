# SPDX-License-Identifier: GPL-2.0
# tests/fuzz/: libFuzzer targets, one per parser of kernel text or command
# lines, built with clang and ASan+UBSan into $(BUILD)/fuzz/; their seed
# corpora are tests/fuzz/<target>/. `make fuzz` runs each for FUZZ_SECONDS
# (default 300); `make check` (tests/fuzz/run.sh) for 20 s each.
FUZZ_TARGETS := debugfs vmallocinfo kallsyms modules meminfo numbers options sanitize recording
FUZZ_BINS := $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	       -fno-sanitize-recover=all
FUZZ_SECONDS ?= 300
kv_fuzz_objs = $(patsubst %.c,$(BUILD)/obj/fuzz/%.o,$(1))

.PHONY: fuzz fuzz-bins
test-bins: fuzz-bins
fuzz-bins: $(FUZZ_BINS)

# The sources every target may use: all of the pure pipeline, instrumented.
$(BUILD)/obj/fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(CLANG) $(KV_CFLAGS) -Itests/fuzz $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
		$(KV_PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_BINS): $(BUILD)/fuzz/%: $(BUILD)/obj/fuzz/tests/fuzz/%.o $(call kv_fuzz_objs,$(KV_PURE_SRCS))
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(KV_TEST_LIBS)

fuzz: fuzz-bins
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh
