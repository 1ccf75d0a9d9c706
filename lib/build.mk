# SPDX-License-Identifier: GPL-2.0
# lib/: userspace helpers shared by kvshadowtop and kvshadowstat.
#
# For the other parts:
#   KV_UTIL_SRCS     the sources (to compile them yourself)
#   KV_UTIL_LIB      $(BUILD)/lib/libkvshadow-util.a, plain: link it into
#                    build/bin and build/static/bin tools
#   KV_UTIL_SAN_LIB  the same built with $(SAN_CFLAGS), for test binaries
#   KV_UTIL_LDLIBS   what linking it needs besides libc
# KV_CFLAGS gains -Ilib, so `#include "promtext.h"` works everywhere.

KV_UTIL_SRCS    := lib/promtext.c lib/atomicfile.c lib/kvshadow_prom.c lib/meminfo.c \
		   lib/kvshadow_prom_debugfs.c
KV_UTIL_OBJS    := $(KV_UTIL_SRCS:%.c=$(BUILD)/obj/%.o)
KV_UTIL_SAN_OBJS := $(KV_UTIL_SRCS:%.c=$(BUILD)/obj/san/%.o)
KV_UTIL_LIB     := $(BUILD)/lib/libkvshadow-util.a
KV_UTIL_SAN_LIB := $(BUILD)/lib/libkvshadow-util-san.a
KV_UTIL_LDLIBS  := -lm
KV_CFLAGS       += -Ilib

all static: $(KV_UTIL_LIB)

$(KV_UTIL_OBJS): $(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(KV_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(KV_UTIL_SAN_OBJS): $(BUILD)/obj/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(KV_CFLAGS) $(CFLAGS) $(SAN_CFLAGS) -MMD -MP -c -o $@ $<

$(KV_UTIL_LIB): $(KV_UTIL_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(KV_UTIL_SAN_LIB): $(KV_UTIL_SAN_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

# Unit tests: tests/unit/test_prom*.c, each one binary, sanitized.
# test_prom_view tests tools/kvshadowtop/prom.c: it has a rule of its own.
KV_UTIL_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,\
		   $(filter-out tests/unit/test_prom_view.c,$(wildcard tests/unit/test_prom*.c)))

test-bins: $(KV_UTIL_TESTS)

$(KV_UTIL_TESTS): $(BUILD)/tests/unit/%: tests/unit/%.c $(KV_UTIL_SAN_LIB)
	@mkdir -p $(@D) $(BUILD)/obj/san/tests/unit
	$(CC) $(KV_CFLAGS) $(CFLAGS) $(SAN_CFLAGS) -MMD -MP \
		-MF $(BUILD)/obj/san/tests/unit/$*.d -o $@ $< \
		$(KV_UTIL_SAN_LIB) $(CMOCKA_LIBS) $(KV_UTIL_LDLIBS)

# The view with the model it maps (KVTOP_* from tools/kvshadowtop/build.mk).
KV_PROM_VIEW_TEST := $(BUILD)/tests/unit/test_prom_view
KV_PROM_VIEW_OBJS := $(KVTOP_OBJ)/san/prom.o $(filter %/model.o,$(KVTOP_SAN_OBJS))

test-bins: $(KV_PROM_VIEW_TEST)

$(KV_PROM_VIEW_TEST): tests/unit/test_prom_view.c $(KV_PROM_VIEW_OBJS) $(KV_UTIL_SAN_LIB)
	@mkdir -p $(@D) $(BUILD)/obj/san/tests/unit
	$(CC) $(KV_CFLAGS) $(CFLAGS) $(SAN_CFLAGS) -MMD -MP \
		-MF $(BUILD)/obj/san/tests/unit/test_prom_view.d -o $@ $< \
		$(KV_PROM_VIEW_OBJS) $(KV_UTIL_SAN_LIB) $(CMOCKA_LIBS) $(KV_UTIL_LDLIBS)

# tests/prom/promgen: writes a sample kvshadow .prom file for the prom tests.
KV_PROMGEN := $(BUILD)/tests/prom/promgen

test-bins: $(KV_PROMGEN)

$(KV_PROMGEN): tests/prom/promgen.c $(KV_UTIL_SAN_LIB)
	@mkdir -p $(@D) $(BUILD)/obj/san/tests/prom
	$(CC) $(KV_CFLAGS) $(CFLAGS) $(SAN_CFLAGS) -MMD -MP \
		-MF $(BUILD)/obj/san/tests/prom/promgen.d -o $@ $< \
		$(KV_UTIL_SAN_LIB) $(KV_UTIL_LDLIBS)

-include $(KV_UTIL_OBJS:.o=.d) $(KV_UTIL_SAN_OBJS:.o=.d) \
	 $(wildcard $(BUILD)/obj/san/tests/unit/test_prom*.d) \
	 $(BUILD)/obj/san/tests/prom/promgen.d

include contrib/build.mk
