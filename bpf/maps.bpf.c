// SPDX-License-Identifier: GPL-2.0
/*
 * The one definition of every map and setting the kvshadow programs share
 * (kvshadow.bpf.h declares them; the other objects link against these).
 */
#define KVS_DEFINE_MAPS
#include "kvshadow.bpf.h"

char LICENSE[] SEC("license") = "GPL";
