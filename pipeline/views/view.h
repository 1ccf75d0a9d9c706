/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The views: each reads a struct kvs_model and nothing else (no libbpf, no
 * kernel files). The run loop (run.c) opens the views a tool's main hands
 * it, calls update() after each kvs_model_update(), and closes them on
 * exit. A view that takes input (the TUI) exposes a file descriptor; the
 * loop polls it next to the BPF ring buffer and calls input().
 */
#ifndef KVS_VIEW_H
#define KVS_VIEW_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"
#include "options.h"

/* What input() asks the loop to do. */
enum kvs_view_action {
	KVS_VIEW_CONTINUE,	/* nothing */
	KVS_VIEW_REDRAW,	/* call update() again with the current model now */
	KVS_VIEW_QUIT,		/* the user asked to exit: clean exit, status 0 */
	KVS_VIEW_SET_INTERVAL,	/* the user changed the delay: ask interval() */
	KVS_VIEW_SET_SELF,	/* the user toggled the tool's own cost: ask self_stats() */
	KVS_VIEW_STEP_BACK,	/* report: show the interval before (live runs ignore it) */
	KVS_VIEW_STEP_FORWARD,	/* report: show the interval after */
};

struct kvs_view_ops {
	const char *name;
	bool interactive;	/* owns the terminal: the loop prints no notes under it */
	/* Allocate state. Errors go to err (errlen bytes); return 0 or -errno. */
	int (*open)(const struct kvs_options *opts, void **state, char *err, size_t errlen);
	/*
	 * Show a new model; 0 or -errno with the reason in err (empty: the
	 * loop says strerror). The run then ends with status 1, or quietly
	 * with 0 for -EPIPE: a closed pipe is a normal end for a batch tool.
	 */
	int (*update)(void *state, const struct kvs_model *m, char *err, size_t errlen);
	/* fd to poll for input, or -1 (NULL: no input). */
	int (*input_fd)(void *state);
	/* Handle readable input; may call update() itself. */
	enum kvs_view_action (*input)(void *state, const struct kvs_model *m);
	/* Restore the terminal / flush / free; safe after a failed update. */
	void (*close)(void *state);
	/* After KVS_VIEW_SET_INTERVAL: the new interval in seconds, in -d's range. */
	double (*interval)(void *state);
	/* After KVS_VIEW_SET_SELF: whether the tool's own cost is wanted now. */
	bool (*self_stats)(void *state);
	/*
	 * The run ended well (NULL: nothing to do): complete the output
	 * before close(); 0 or -errno with the reason in err (status 1).
	 */
	int (*finish)(void *state, char *err, size_t errlen);
};

/* text.c: batch text (-b). */
extern const struct kvs_view_ops kvs_text_view;
/* json.c: JSON Lines (--json). */
extern const struct kvs_view_ops kvs_json_view;
/* log.c: the --json lines to a file (--log FILE), next to any other view. */
extern const struct kvs_view_ops kvs_log_view;
/* vmstat.c: kvshadowstat's table. */
extern const struct kvs_view_ops kvs_vmstat_view;
/* prom.c: the node_exporter textfile (--prom-file). */
extern const struct kvs_view_ops kvs_prom_view;
/* record.c: the recording (kvshadowtop record -o FILE), zlib-compressed JSON Lines. */
extern const struct kvs_view_ops kvs_record_view;
/* tui.c: the interactive ncurses view. */
extern const struct kvs_view_ops kvs_tui_view;
/*
 * kvs_tui_view when this terminal can show it; else (stdin not a terminal,
 * TERM unset, unknown, dumb or without cursor addressing) kvs_text_view,
 * after one line on stderr that says why and points to -b.
 */
const struct kvs_view_ops *kvs_tui_or_batch(const char *prog);

/* The JSON Lines writer of kvs_json_view, exposed for the unit tests. */
int kvs_json_write(FILE *f, const struct kvs_model *m, const struct kvs_options *opts);

/*
 * view.c: open() and close() of a view whose state is its options only
 * (text, JSON); kvs_view_opts() gives them back.
 */
int kvs_view_open_opts(const struct kvs_options *opts, void **state, char *err, size_t errlen);
const struct kvs_options *kvs_view_opts(const void *state);
void kvs_view_close_opts(void *state);

/* view.c: fold the list --by selects to -r rows; rows (malloc'd) + "other" (text, JSON). */
size_t kvs_view_fold(const struct kvs_model *m, const struct kvs_options *o,
		     struct kvs_top_entry **rows, struct kvs_top_entry *other);

#endif /* KVS_VIEW_H */
