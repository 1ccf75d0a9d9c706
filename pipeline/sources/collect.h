/* SPDX-License-Identifier: GPL-2.0 */
/*
 * collect: the sources of one run, which only read. Each interval they fill
 * one struct kvs_reading: the source (BPF in kvshadowtop, bpf_source.c; a
 * synthetic one in the TUI test), the debugfs file, /proc/meminfo. No libbpf
 * here, so kvshadowstat links this without it.
 */
#ifndef KVS_COLLECT_H
#define KVS_COLLECT_H

#include <stdbool.h>
#include <stddef.h>

#include "snapshot.h"

struct kvs_options;

/* What the source part of a run does; every function gets open()'s state. */
struct kvs_source_ops {
	const char *name;
	/* The best mode this kernel supports, for automatic mode choice. */
	enum kvs_mode (*auto_mode)(void);
	/*
	 * Start in mode (never KVS_MODE_DEBUGFS). 0, or -errno with err:
	 * -EPERM/-EACCES (no BPF rights) and -ENOENT (kernel lacks what the
	 * mode needs) let an automatic choice fall back to debugfs mode.
	 */
	int (*open)(void **state, enum kvs_mode mode, const struct kvs_options *o,
		    char *err, size_t errlen);
	int (*fd)(void *state);		/* readable when events wait, or -1 */
	int (*drain)(void *state, double budget_s);	/* consume waiting events for at most budget_s */
	/* Just before the baseline reading: restart high-water marks. */
	void (*start)(void *state);
	/* Fill the source's part of r; may run again for the same interval. 0 or -errno with err. */
	int (*read)(void *state, struct kvs_reading *r, char *err, size_t errlen);
	/* Move what reaches the views once per interval (--slow records) into r (NULL: none). */
	void (*take)(void *state, struct kvs_reading *r);
	/*
	 * Kernel work a reading must not cut through (estimate mode: a lazy
	 * purge releases shadow before its event). token changes whenever
	 * such work begins or ends; busy while some runs. false (or NULL):
	 * the source cannot tell.
	 */
	bool (*activity)(void *state, uint64_t *token, bool *busy);
	/* BPF run-time statistics on or off (NULL: none). 0 or -errno with err. */
	int (*set_self)(void *state, bool on, char *err, size_t errlen);
	void (*close)(void *state);
};

struct kvs_collect;

/*
 * Open the sources for mode. source may be NULL in debugfs mode. debugfs_path
 * NULL: the kernel's file. Returns 0 or -errno with err.
 */
int kvs_collect_open(struct kvs_collect **cp, enum kvs_mode mode,
		     const struct kvs_source_ops *source, const struct kvs_options *o,
		     char *err, size_t errlen);
int kvs_collect_fd(struct kvs_collect *c);
/* Consume waiting events (estimate mode) for at most budget_s seconds. 0 or -errno. */
int kvs_collect_drain(struct kvs_collect *c, double budget_s);
/* One reading of every source (kvs_reading_free() it). 0 or -errno with err. */
int kvs_collect_read(struct kvs_collect *c, struct kvs_reading *r, char *err, size_t errlen);
/*
 * The baseline: one reading, at an instant when the kernel's populate and
 * release calls stood still around the source's read where one comes soon
 * (r->aligned), so that BPF and debugfs count the same events from then
 * on (drift 0).
 */
int kvs_collect_baseline(struct kvs_collect *c, struct kvs_reading *r, char *err, size_t errlen);
/* kvs_baseline_align(), and no more debugfs reads around the source once aligned. */
void kvs_collect_align(struct kvs_collect *c, struct kvs_reading *base, const struct kvs_reading *now);
/*
 * The tool's own cost measured or not (--self-stats, TUI key o). A refusal
 * ends nothing: every reading from then on says why (unavailable.self).
 */
void kvs_collect_set_self(struct kvs_collect *c, bool on);
/* Every reading from now on says why BPF is not used (unavailable.bpf). */
void kvs_collect_note_no_bpf(struct kvs_collect *c, const char *why);
void kvs_collect_close(struct kvs_collect *c);

#endif /* KVS_COLLECT_H */
