/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the run-once BPF objects share (the vmap area walk, the search
 * for the tool's own maps): running an iterator to its end, and a loaded
 * program's kernel id.
 */
#ifndef KVS_BPF_ITER_H
#define KVS_BPF_ITER_H

#include <stddef.h>

#include <linux/types.h>

struct bpf_program;

/* Gets each chunk the iterator wrote, in order: 0, or -errno to stop. */
typedef int (*kvs_iter_sink)(void *arg, const void *buf, size_t len);

/*
 * Attach iterator prog, read it to the end (which runs it over every
 * object) and hand what it writes to sink (NULL: it writes nothing).
 * 0, or -errno with err.
 */
int kvs_iter_run(struct bpf_program *prog, kvs_iter_sink sink, void *arg, char *err,
		 size_t errlen);

/* The kernel's id of a loaded program: 0 or -errno. */
int kvs_prog_id(const struct bpf_program *prog, __u32 *id);

#endif /* KVS_BPF_ITER_H */
