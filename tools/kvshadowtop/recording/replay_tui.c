// SPDX-License-Identifier: GPL-2.0
/*
 * report FILE in the TUI (see replay_tui.h): every snapshot of the
 * recording in memory, the model rebuilt up to the interval shown (as the
 * live model was, so the screen shows the live numbers), played at the
 * recorded interval (d changes it); p pauses, Left/[ and Right/] step.
 */
#include "replay_tui.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "model.h"
#include "tui.h"
#include "view.h"

struct replay {
	const char *prog;
	struct kvs_options o;
	struct kvs_snapshot *snaps;
	size_t n, idx;
	const struct kvs_rec_header *h;
	struct kvs_model m;
	struct tui *t;
};

/* The model as it stood after interval idx: rebuilt from the first. */
static int rebuild(struct replay *r, size_t idx)
{
	kvs_model_free(&r->m);
	kvs_model_init(&r->m, r->h->mode, r->h->kernel, (long)r->h->page_size);
	for (size_t i = 0; i <= idx; i++)
		if (kvs_model_update(&r->m, &r->snaps[i]))
			return -ENOMEM;
	r->idx = idx;
	return 0;
}

/* Show interval idx; a paused screen stays paused, on the new interval. */
static int show(struct replay *r, size_t idx)
{
	bool paused = r->t->paused;
	char err[256] = "";
	int ret;

	ret = idx == r->idx + 1 ? kvs_model_update(&r->m, &r->snaps[idx]) : rebuild(r, idx);
	if (ret)
		return ret;
	r->idx = idx;
	/* Paused: the frozen copy is what the screen shows, so it becomes this interval. */
	if (paused && tui_freeze(r->t, &r->m))
		return -ENOMEM;
	snprintf(r->t->replay_pos, sizeof(r->t->replay_pos), "REPLAY %zu/%zu", idx + 1, r->n);
	tui_message(r->t, false, "recording: interval %zu of %zu%s", idx + 1, r->n,
		    idx + 1 == r->n ? " (the last; Left or [ steps back, q quits)" : "");
	return kvs_tui_view.update(r->t, &r->m, err, sizeof(err));
}

static int load(struct replay *r, struct kvs_rec_reader *rd, char *warn, size_t warnlen)
{
	struct kvs_rec_interval iv;
	int ret;

	while ((ret = kvs_rec_next(rd, &iv, warn, warnlen)) == 1) {
		struct kvs_snapshot *grown = realloc(r->snaps, (r->n + 1) * sizeof(*grown));

		if (!grown) {
			kvs_rec_interval_free(&iv);
			return -ENOMEM;
		}
		r->snaps = grown;
		r->snaps[r->n++] = iv.s;
		memset(&iv.s, 0, sizeof(iv.s));	/* the snapshot is ours now */
		kvs_rec_interval_free(&iv);
	}
	if (ret == KVS_REC_END)
		warn[0] = '\0';
	return ret == -ENOMEM ? ret : 0;
}

/* Keys and the clock until q; the exit status. */
static int loop(struct replay *r)
{
	double next = kvs_mono_s() + r->o.interval_s;
	void *st = r->t;

	if (show(r, 0))
		return 1;
	for (;;) {
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		double left = next - kvs_mono_s();
		enum kvs_view_action a;
		size_t to = r->idx;

		if (left <= 0) {
			next = kvs_mono_s() + r->o.interval_s;
			if (!r->t->paused && r->idx + 1 < r->n && show(r, r->idx + 1))
				return 1;
			continue;
		}
		if (poll(&p, 1, (int)ceil(left * 1000)) < 0 && errno != EINTR)
			return 1;
		a = kvs_tui_view.input(st, &r->m);
		if (a == KVS_VIEW_QUIT)
			return 0;
		if (a == KVS_VIEW_SET_INTERVAL) {
			r->o.interval_s = kvs_tui_view.interval(st);
			next = kvs_mono_s() + r->o.interval_s;
		}
		if (a == KVS_VIEW_STEP_BACK && r->idx > 0)
			to = r->idx - 1;
		if (a == KVS_VIEW_STEP_FORWARD && r->idx + 1 < r->n)
			to = r->idx + 1;
		if (a == KVS_VIEW_STEP_BACK || a == KVS_VIEW_STEP_FORWARD) {
			/* A step pauses: the user looks at one interval. */
			if (!r->t->paused && tui_freeze(r->t, &r->m))
				return 1;
			if (show(r, to))
				return 1;
		}
	}
}

int kvs_replay_tui(const struct kvs_options *o, const char *prog, struct kvs_rec_reader *rd)
{
	struct replay r = { .prog = prog, .o = *o, .h = kvs_rec_header(rd) };
	char warn[640] = "", err[512] = "";
	void *st = NULL;
	int status = 1;

	if (kvs_tui_or_batch(prog) != &kvs_tui_view)
		return -ENOTTY;
	r.o.replay = true;
	if (load(&r, rd, warn, sizeof(warn))) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto out;
	}
	if (!r.n) {
		fprintf(stderr, "%s: warning: %s\n", prog, warn[0] ? warn : "no interval");
		status = 0;
		goto out;
	}
	if (kvs_tui_view.open(&r.o, &st, err, sizeof(err))) {
		fprintf(stderr, "%s: tui: %s\n", prog, err);
		goto out;
	}
	r.t = st;
	status = loop(&r);
	kvs_tui_view.close(st);
	if (warn[0])
		fprintf(stderr, "%s: warning: %s\n", prog, warn);
out:
	kvs_model_free(&r.m);
	for (size_t i = 0; i < r.n; i++)
		kvs_snapshot_free(&r.snaps[i]);
	free(r.snaps);
	return status;
}
