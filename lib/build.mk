# SPDX-License-Identifier: GPL-2.0
# lib/: leaf helpers every part uses and that use nothing else of ours and
# read no kernel file: the counter table, number parsing, name sanitizing,
# the Prometheus text writer, atomic file replacement, error messages, clocks.
KV_LIB_SRCS := lib/counters.c lib/numparse.c lib/sanitize.c lib/promtext.c \
	       lib/atomicfile.c lib/errmsg.c lib/clock.c
KV_INC += -Ilib
