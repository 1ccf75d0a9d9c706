# SPDX-License-Identifier: GPL-2.0
# tools/kvshadowtop/ and bpf/: the BPF skeleton and kvshadowtop.
