# SPDX-License-Identifier: GPL-2.0
# debugfs/: the vmalloc_shadow reader library and kvshadowstat.
