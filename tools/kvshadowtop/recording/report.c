// SPDX-License-Identifier: GPL-2.0
/*
 * kvshadowtop report FILE: the recording's snapshots replayed through the
 * model into the live run's views (batch text, --json, --prom-file, the
 * TUI), so that each interval shows the numbers the live run showed; then
 * the run's summary. A file that ends early shows its complete intervals,
 * warns on stderr and exits 0; one that cannot be read exits 1.
 */
#include "report.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "json_view.h"
#include "model.h"
#include "recording.h"
#include "replay_tui.h"
#include "summary.h"
#include "view.h"

struct report {
	const char *prog;
	struct kvs_options o;		/* the user's, with the recorded view options */
	const struct kvs_view_ops *ops[2];
	void *state[2];
	size_t nviews;
	struct kvs_model m;
};

static int open_views(struct report *r, const struct kvs_view_ops *main_view)
{
	const struct kvs_view_ops *want[2] = { r->o.prom_file ? &kvs_prom_view : NULL, main_view };

	for (size_t i = 0; i < 2; i++) {
		char err[512] = "";

		if (!want[i])
			continue;
		if (want[i]->open(&r->o, &r->state[r->nviews], err, sizeof(err))) {
			fprintf(stderr, "%s: %s: %s\n", r->prog, want[i]->name, err);
			return -1;
		}
		r->ops[r->nviews++] = want[i];
	}
	return 0;
}

static int show(struct report *r)
{
	for (size_t i = 0; i < r->nviews; i++) {
		char err[512] = "";
		int ret = r->ops[i]->update(r->state[i], &r->m, err, sizeof(err));

		if (ret == -EPIPE)
			return ret;
		if (ret) {
			fprintf(stderr, "%s: %s: %s\n", r->prog, r->ops[i]->name,
				err[0] ? err : strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* The summary after the intervals: a JSON line, or text after the batch output. */
static int print_summary(struct report *r, struct kvs_summary_acc *acc,
			 const struct kvs_rec_header *h, bool complete)
{
	json_t *s = kvs_summary_json(acc, h, complete);
	int ret;

	if (!s) {
		fprintf(stderr, "%s: out of memory\n", r->prog);
		return 1;
	}
	errno = 0;
	ret = r->o.json ? kvs_json_line(stdout, s) :
		r->o.batch ? kvs_summary_text(stdout, s, r->o.rec_files[0]) : 0;
	json_decref(s);
	if (ret && ret != -EPIPE) {
		fprintf(stderr, "%s: writing the summary: %s\n", r->prog, strerror(-ret));
		return 1;
	}
	return 0;
}

static int batch(struct report *r, struct kvs_rec_reader *rd)
{
	const struct kvs_rec_header *h = kvs_rec_header(rd);
	struct kvs_summary_acc acc = { 0 };
	struct kvs_rec_interval iv;
	char err[640];
	int ret, status = 0;

	while ((ret = kvs_rec_next(rd, &iv, err, sizeof(err))) == 1) {
		int shown;

		if (kvs_model_update(&r->m, &iv.s)) {
			kvs_rec_interval_free(&iv);
			ret = -ENOMEM;
			snprintf(err, sizeof(err), "out of memory");
			break;
		}
		kvs_summary_add(&acc, iv.object);
		kvs_rec_interval_free(&iv);
		shown = show(r);
		if (shown == -EPIPE) {
			json_decref(acc.last);
			return 0;
		}
		if (shown) {
			json_decref(acc.last);
			return 1;
		}
	}
	if (ret == KVS_REC_EARLY) {
		fprintf(stderr, "%s: warning: %s\n", r->prog, err);
	} else if (ret != KVS_REC_END) {
		fprintf(stderr, "%s: %s\n", r->prog, err);
		status = 1;
	}
	for (size_t i = 0; !status && i < r->nviews; i++) {
		if (r->ops[i]->finish && r->ops[i]->finish(r->state[i], err, sizeof(err))) {
			fprintf(stderr, "%s: %s: %s\n", r->prog, r->ops[i]->name, err);
			status = 1;
		}
	}
	if (!status)
		status = print_summary(r, &acc, h, ret == KVS_REC_END);
	json_decref(acc.last);
	return status;
}

int kvs_report(struct kvs_options *user, const char *prog)
{
	struct report r = { .prog = prog, .o = *user };
	struct kvs_rec_reader *rd;
	const struct kvs_rec_header *h;
	const struct kvs_view_ops *view;
	char err[640];
	int status;

	if (kvs_rec_open(&rd, user->rec_files[0], err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	h = kvs_rec_header(rd);
	kvs_rec_header_options(h, &r.o);
	/* A closed stdout pipe is an EPIPE from write, a clean end. */
	signal(SIGPIPE, SIG_IGN);
	if (!r.o.json && !r.o.batch && !r.o.prom_file) {
		status = kvs_replay_tui(&r.o, prog, rd);
		if (status != -ENOTTY) {
			kvs_rec_close(rd);
			return status;
		}
		r.o.batch = true;	/* no terminal for the TUI: said on stderr */
	}
	kvs_model_init(&r.m, h->mode, h->kernel, (long)h->page_size);
	view = r.o.json ? &kvs_json_view : r.o.batch ? &kvs_text_view : NULL;
	status = open_views(&r, view) ? 1 : batch(&r, rd);
	while (r.nviews) {
		r.nviews--;
		r.ops[r.nviews]->close(r.state[r.nviews]);
	}
	kvs_model_free(&r.m);
	kvs_rec_close(rd);
	return status;
}
