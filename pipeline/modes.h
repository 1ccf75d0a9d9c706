/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The modes: where the numbers come from. One table (modes.c) that every
 * description is generated from: --mode's choices and help, the batch
 * header, the TUI title and help, kvshadow_info's HELP, the completion.
 */
#ifndef KVS_MODES_H
#define KVS_MODES_H

#include <stdbool.h>
#include <stdio.h>

#include "counters.h"

/* In order of preference: the automatic choice takes the first this kernel supports. */
enum kvs_mode { KVS_MODE_EXACT, KVS_MODE_STOCK, KVS_MODE_ESTIMATE, KVS_MODE_DEBUGFS, KVS_NR_MODES };

struct kvs_mode_info {
	const char *name;	/* --mode's argument, kvshadow_info{mode=...} */
	const char *label;	/* the TUI title */
	bool estimate;		/* modelled, not measured: every view says so */
	const char *source;	/* where its numbers come from, one line (--help, TUI help) */
	const char *note;	/* after the name in the batch header; NULL: none */
	const char *prom;	/* kvshadow_info's HELP, after "name: " */
};
extern const struct kvs_mode_info kvs_modes[KVS_NR_MODES];

const char *kvs_mode_name(enum kvs_mode mode);	/* "unknown" out of range */
const char *kvs_mode_label(enum kvs_mode mode);	/* "?" out of range */

/* The counters a mode can know (the JSON writes null, Prometheus leaves the rest out). */
kvs_counter_mask kvs_mode_known(enum kvs_mode mode);

/* --mode's help: "name: source" per mode, later lines after indent. 0 or -1. */
int kvs_modes_usage(FILE *f, const char *indent);

#endif /* KVS_MODES_H */
