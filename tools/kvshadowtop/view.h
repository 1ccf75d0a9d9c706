/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The views of kvshadowtop: each reads a struct kvs_model and nothing else.
 * main.c opens every view the options ask for, calls update() after each
 * kvs_model_update(), and closes them on exit. A view that takes input
 * (the TUI) exposes a file descriptor; main polls it next to the BPF ring
 * buffer and calls input() when it is readable.
 */
#ifndef KVS_VIEW_H
#define KVS_VIEW_H

#include <stdio.h>

#include "model.h"

/* What input() asks main to do. */
enum kvs_view_action {
	KVS_VIEW_CONTINUE,	/* nothing */
	KVS_VIEW_REDRAW,	/* call update() again with the current model now */
	KVS_VIEW_QUIT,		/* the user asked to exit: clean exit, status 0 */
	KVS_VIEW_SET_INTERVAL,	/* the user changed the delay: ask interval() */
};
/* Lets a view test for it with #ifdef. */
#define KVS_VIEW_SET_INTERVAL KVS_VIEW_SET_INTERVAL

struct kvs_view_ops {
	const char *name;
	/* Allocate state. Errors go to err (errlen bytes); return 0 or -errno. */
	int (*open)(const struct kvs_options *opts, void **state, char *err, size_t errlen);
	/* Show a new model; 0 or -errno (a failing view ends the run with status 1). */
	int (*update)(void *state, const struct kvs_model *m);
	/* fd to poll for input, or -1 (NULL: no input). */
	int (*input_fd)(void *state);
	/* Handle readable input; may call update() itself. */
	enum kvs_view_action (*input)(void *state, const struct kvs_model *m);
	/* Restore the terminal / flush / free; safe after a failed update. */
	void (*close)(void *state);
	/* After KVS_VIEW_SET_INTERVAL: the new interval in seconds, in -d's range. */
	double (*interval)(void *state);
};

/* text.c: batch text (-b) and JSON Lines (--json) on stdout. */
extern const struct kvs_view_ops kvs_text_view;
extern const struct kvs_view_ops kvs_json_view;
/* tui.c (interactive ncurses) and prom.c (--prom-file): weak until they exist. */
extern const struct kvs_view_ops kvs_tui_view __attribute__((weak));
extern const struct kvs_view_ops kvs_prom_view __attribute__((weak));

/* JSON Lines writer used by kvs_json_view, exposed for the unit tests. */
int kvs_json_write(FILE *f, const struct kvs_model *m, const struct kvs_options *opts);

#endif /* KVS_VIEW_H */
