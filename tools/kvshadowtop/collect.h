/* SPDX-License-Identifier: GPL-2.0 */
/* collect: BPF maps or debugfs -> struct kvs_snapshot, the same in every mode. */
#ifndef KVS_COLLECT_H
#define KVS_COLLECT_H

#include <stddef.h>

#include "model.h"

struct kvs_collect;

/*
 * Start collecting in mode: load and attach BPF (exact, estimate), seed the
 * estimate from /proc/vmallocinfo, take the debugfs baseline. Returns 0 or
 * -errno with a message in err; -EPERM/-EACCES: BPF not permitted.
 */
int kvs_collect_open(struct kvs_collect **cp, enum kvs_mode mode, char *err, size_t errlen);
/* fd that becomes readable when events wait (estimate mode), or -1. */
int kvs_collect_fd(struct kvs_collect *c);
/* Consume waiting events without blocking, for at most ~50 ms. 0 or -errno. */
int kvs_collect_drain(struct kvs_collect *c);
/* Fill s (kvs_snapshot_free() it after use). 0 or -errno with err. */
int kvs_collect_snapshot(struct kvs_collect *c, struct kvs_snapshot *s, char *err, size_t errlen);
/* Detach everything and free. NULL is fine. */
void kvs_collect_close(struct kvs_collect *c);

#endif /* KVS_COLLECT_H */
