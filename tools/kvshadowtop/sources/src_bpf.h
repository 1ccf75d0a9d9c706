/* SPDX-License-Identifier: GPL-2.0 */
/* The BPF source of kvshadowtop (see src_bpf.c). */
#ifndef KVS_SRC_BPF_H
#define KVS_SRC_BPF_H

#include "collect.h"

extern const struct kvs_source_ops kvs_bpf_source;

#endif /* KVS_SRC_BPF_H */
