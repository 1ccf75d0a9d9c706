/* SPDX-License-Identifier: GPL-2.0 */
/* The BPF source of kvshadowtop (see bpf_source.c). */
#ifndef KVS_BPF_SOURCE_H
#define KVS_BPF_SOURCE_H

#include "collect.h"

extern const struct kvs_source_ops kvs_bpf_source;

#endif /* KVS_BPF_SOURCE_H */
