# SPDX-License-Identifier: GPL-2.0
# lib/: userspace helpers shared by kvshadowtop and kvshadowstat.
