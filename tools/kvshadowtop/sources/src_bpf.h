/* SPDX-License-Identifier: GPL-2.0 */
/* The BPF probe of kvshadowtop (see src_bpf.c). */
#ifndef KVS_SRC_BPF_H
#define KVS_SRC_BPF_H

#include "collect.h"

extern const struct kvs_probe_ops kvs_bpf_probe;

#endif /* KVS_SRC_BPF_H */
