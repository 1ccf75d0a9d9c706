# SPDX-License-Identifier: GPL-2.0
# Test binaries: built with ASan/UBSan into $(BUILD)/tests/unit/; tests/run.sh
# runs every executable there. Parts add their unit tests to test-bins.
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

# The TUI test driver (tests/tui/tui-driver.sh).
include tests/tui/build.mk
