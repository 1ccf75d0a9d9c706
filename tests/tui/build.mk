# SPDX-License-Identifier: GPL-2.0
# tests/tui/: tuidriver runs the real TUI (tools/kvshadowtop/tui*.c and
# model.c) on a synthetic model, sanitized, so tests/tui/*.sh can drive it
# in tmux without root, BPF or a KASAN kernel.

TUI_DRIVER      := $(BUILD)/tests/tui/tuidriver
TUI_DRIVER_SRCS := tests/tui/tuidriver.c $(wildcard tools/kvshadowtop/tui*.c) \
		   tools/kvshadowtop/model.c
TUI_NCURSES_CFLAGS := $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
TUI_NCURSES_LIBS   := $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo)

test-bins: $(TUI_DRIVER)

$(TUI_DRIVER): $(TUI_DRIVER_SRCS) $(wildcard tools/kvshadowtop/tui*.h) \
		tools/kvshadowtop/model.h tools/kvshadowtop/view.h
	@mkdir -p $(@D)
	$(CC) $(KV_CFLAGS) $(CFLAGS) $(SAN_CFLAGS) $(TUI_NCURSES_CFLAGS) \
		-o $@ $(TUI_DRIVER_SRCS) $(TUI_NCURSES_LIBS) -lm
