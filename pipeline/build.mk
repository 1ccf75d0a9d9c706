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
KV_SOURCES_SRCS := $(addprefix pipeline/sources/,collect.c vmalloc_shadow.c vmallocinfo.c meminfo.c nodes.c)
KV_VIEW_SRCS    := $(addprefix pipeline/views/,view.c text.c json.c log.c prom.c vmstat.c format.c)
KV_PIPE_SRCS    := $(addprefix pipeline/,modes.c snapshot.c model.c options.c run.c) \
		   $(KV_SOURCES_SRCS) $(KV_VIEW_SRCS)
KV_INC += -Ipipeline -Ipipeline/sources -Ipipeline/views

# The recordings (kvshadowtop record/report/diff): their format, writer (a
# view) and reader (a source); with zlib, so kvshadowstat links none of it.
KV_REC_VIEW_SRCS := pipeline/views/record.c
KV_REC_SRCS := pipeline/recfmt_write.c pipeline/recfmt_read.c pipeline/sources/recording.c \
	       $(KV_REC_VIEW_SRCS)
KVS_VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo unknown)

KV_VIEW_INC := -Ilib -Ibpf -Ipipeline -Ipipeline/views
kv_view_objs := $(foreach s,$(KV_VIEW_SRCS) $(KV_REC_VIEW_SRCS),$(call kv_objs,$(s)) \
		$(call kv_san_objs,$(s)) $(patsubst %.c,$(BUILD)/obj/fuzz/%.o,$(s)))
$(kv_view_objs): KV_INC := $(KV_VIEW_INC)
$(kv_view_objs): KV_PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags jansson zlib 2>/dev/null) \
	-DKVS_VERSION='"$(KVS_VERSION)"'

