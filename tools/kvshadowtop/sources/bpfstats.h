/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tool's own BPF cost, as bpftop measures it: BPF_ENABLE_STATS makes
 * the kernel time every program run while the returned fd is open (no
 * sysctl is touched, and closing it ends the cost); each program's
 * run_time_ns and run_cnt then come from bpf_obj_get_info_by_fd().
 */
#ifndef KVS_BPFSTATS_H
#define KVS_BPFSTATS_H

#include <stdbool.h>
#include <stddef.h>

#include "snapshot.h"

struct bpf_object;

struct kvs_bpf_stats {
	int fd;				/* from bpf_enable_stats(), -1: off */
	size_t nr;
	struct kvs_prog_cost base[KVS_SELF_PROGS];	/* per program when enabled */
};

/* Off, before the first enable. */
void kvs_bpf_stats_init(struct kvs_bpf_stats *s);
/* On (idempotent): counting starts now. 0 or -errno with err. */
int kvs_bpf_stats_enable(struct kvs_bpf_stats *s, struct bpf_object *obj, char *err,
			 size_t errlen);
void kvs_bpf_stats_disable(struct kvs_bpf_stats *s);
static inline bool kvs_bpf_stats_on(const struct kvs_bpf_stats *s)
{
	return s->fd >= 0;
}
/* Every loaded program's runs and run time since enable into out->prog. 0 or -errno. */
int kvs_bpf_stats_read(const struct kvs_bpf_stats *s, struct bpf_object *obj,
		       struct kvs_self *out);

#endif /* KVS_BPFSTATS_H */
