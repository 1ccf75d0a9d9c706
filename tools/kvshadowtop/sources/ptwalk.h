/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stock mode's truth: the present PTEs in the KASAN shadow of the vmalloc
 * and module areas, counted by bpf/stock.bpf.c's kvs_pt_walk in the
 * kernel's own page tables, run on demand (BPF_PROG_RUN).
 */
#ifndef KVS_PTWALK_H
#define KVS_PTWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kvs_bpf_skel;

struct kvs_ptwalk {
	bool quiet;		/* no populate or release ran during the walk */
	uint64_t pages;		/* present shadow PTEs */
	int64_t net;		/* the BPF count's net change since attach, at the walk */
	uint64_t steps;		/* walk steps (its cost) */
};

/*
 * The first walk: finds the kernel's layout and checks it against
 * /proc/meminfo's VmallocTotal. 0, or -ENOENT with the reason in err
 * (stock mode cannot work here).
 */
int kvs_ptwalk_init(struct kvs_bpf_skel *skel, char *err, size_t errlen);

/* One count, retried up to tries times until quiet. 0 or -errno with err. */
int kvs_ptwalk_count(struct kvs_bpf_skel *skel, int tries, struct kvs_ptwalk *out,
		     char *err, size_t errlen);

#endif /* KVS_PTWALK_H */
