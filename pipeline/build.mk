# SPDX-License-Identifier: GPL-2.0
# pipeline/: what both tools run, and nothing that needs libbpf or ncurses.
#
#   sources/  read the kernel (debugfs file, /proc) into a reading: I/O only
#   *.c       the pure step (snapshot), the model, the options, the one loop (run)
#   views/    text, JSON, Prometheus, vmstat: read the model, nothing else
#
# Views compile with only lib/, bpf/ (shared types), pipeline/ and views/
# on the include path and jansson's flags, so a view that includes a source,
# libbpf or ncurses header fails to build; tests/unit/test_layout.sh checks
# the system headers too.
KV_SOURCES_SRCS := $(addprefix pipeline/sources/,collect.c vmalloc_shadow.c vmallocinfo.c meminfo.c)
KV_VIEW_SRCS    := $(addprefix pipeline/views/,view.c text.c json.c prom.c vmstat.c format.c)
KV_PIPE_SRCS    := $(addprefix pipeline/,modes.c snapshot.c model.c options.c run.c) \
		   $(KV_SOURCES_SRCS) $(KV_VIEW_SRCS)
KV_INC += -Ipipeline -Ipipeline/sources -Ipipeline/views

KV_VIEW_INC := -Ilib -Ibpf -Ipipeline -Ipipeline/views
$(call kv_objs,$(KV_VIEW_SRCS)) $(call kv_san_objs,$(KV_VIEW_SRCS)) \
$(patsubst %.c,$(BUILD)/obj/fuzz/%.o,$(KV_VIEW_SRCS)): KV_INC := $(KV_VIEW_INC)
$(call kv_objs,$(KV_VIEW_SRCS)) $(call kv_san_objs,$(KV_VIEW_SRCS)) \
$(patsubst %.c,$(BUILD)/obj/fuzz/%.o,$(KV_VIEW_SRCS)): \
	KV_PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags jansson 2>/dev/null)
