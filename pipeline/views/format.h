/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Numbers as the text views and the TUI print them: one way to write a
 * duration, a size, a table cell, so the two never disagree.
 */
#ifndef KVS_FORMAT_H
#define KVS_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* "850ns", "12.5us", "3.1ms", "1.20s"; "-" for NAN (nothing measured). */
const char *kvs_fmt_ns(char *buf, size_t len, double ns);
/* "512 B", "1.5 KiB" ... "2.0 PiB". */
const char *kvs_fmt_bytes(char *buf, size_t len, uint64_t bytes);
/* Local wall-clock time of a unix timestamp: "13:48:25.120". */
const char *kvs_fmt_clock(char *buf, size_t len, double ts);
/*
 * The top table's least width of each column (kvs_sorts order), in
 * characters; 0 for the name column, which takes the rest of the line.
 */
extern const int kvs_fmt_col_width[KVS_NR_SORTS];
/* One numeric cell of the top table: a count, or a duration ("-" when none). */
const char *kvs_fmt_cell(char *buf, size_t len, const struct kvs_sort_desc *c,
			 const struct kvs_top_entry *e);
/*
 * The lazy purge line of the text view and the TUI: "lazy backlog 12.0 MiB
 * of 64.0 MiB; stalls (>= 1.00s) 0", with estimate mode's areas and shadow
 * pages behind them where it knows them, "n/a" and why where unknown.
 */
const char *kvs_fmt_purge(char *buf, size_t len, const struct kvs_model *m);

#endif /* KVS_FORMAT_H */
