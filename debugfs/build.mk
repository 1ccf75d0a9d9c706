# SPDX-License-Identifier: GPL-2.0
# debugfs/: the reader of /sys/kernel/debug/kasan/vmalloc_shadow (uses lib/ only).
KV_DEBUGFS_SRCS := debugfs/vmalloc_shadow.c
