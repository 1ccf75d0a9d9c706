# SPDX-License-Identifier: GPL-2.0
# lib/: leaf helpers every part uses and that use nothing else of ours: the
# counter table, number parsing, name sanitizing, the Prometheus text
# writer, atomic file replacement, /proc/meminfo.
KV_LIB_SRCS := lib/counters.c lib/numparse.c lib/sanitize.c lib/promtext.c \
	       lib/atomicfile.c lib/meminfo.c lib/errmsg.c
