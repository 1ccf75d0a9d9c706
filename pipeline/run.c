// SPDX-License-Identifier: GPL-2.0
/*
 * The loop every tool runs: sources -> pure step -> model -> views.
 *
 *   kvs_collect_read()  ─▶  kvs_snapshot_compute()  ─▶  kvs_model_update()  ─▶  views
 *
 * Between intervals it polls the source's ring buffer (estimate mode) and
 * the views' input (the TUI), and stops on SIGINT, SIGTERM or SIGHUP, or
 * after the asked number of intervals.
 */
#include "run.h"
#include "clock.h"
#include "errmsg.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "collect.h"
#include "vmalloc_shadow.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/*
 * SIGINT, SIGTERM and SIGHUP end the run cleanly (links detached, the
 * terminal given back). One that was ignored at start stays ignored, as the
 * shell asks for background jobs. No SA_RESTART: poll() and blocking reads
 * return, so the loop sees the flag.
 */
static int catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_signal }, old;

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], NULL, &old))
			return -errno;
		if (old.sa_handler == SIG_IGN)
			continue;
		if (sigaction(sigs[i], &sa, NULL))
			return -errno;
	}
	/* A closed stdout pipe is an EPIPE from write, handled as a clean end. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

struct run {
	const char *prog;
	struct kvs_options *o;
	/* --log, --prom-file, the recording, the view */
#define RUN_MAX_VIEWS 4
	const struct kvs_view_ops *ops[RUN_MAX_VIEWS];
	void *state[RUN_MAX_VIEWS];
	size_t nviews;
	struct kvs_collect *c;
	struct kvs_model m;
	struct kvs_reading base;
	bool have_base;
	bool interactive;		/* a view owns the terminal: keys need the loop back soon */
	char fatal[640];
	int status;
};

static int open_view(struct run *r, const struct kvs_view_ops *ops)
{
	char err[512] = "";

	if (ops->open(r->o, &r->state[r->nviews], err, sizeof(err))) {
		r->status = kvs_err(r->fatal, sizeof(r->fatal), 1, "%s: %s", ops->name, err);
		return -1;
	}
	r->ops[r->nviews++] = ops;
	return 0;
}

/* The tool's own cost on or off; a refusal is a note the views show, not an end. */
static void set_self(struct run *r, bool on)
{
	r->o->self_stats = on;
	kvs_collect_set_self(r->c, on);
}

/*
 * Open the sources, choosing the mode when the user did not: the first of
 * exact, stock, estimate (the order of KVS_MODES) that this kernel
 * supports. A mode the kernel lacks (-ENOENT) hands over to the next one;
 * no BPF rights (-EPERM, -EACCES) to debugfs mode. Each step down is said
 * on stderr, with its reason.
 */
static int open_collect(struct run *r, const struct kvs_source_ops *source)
{
	struct kvs_options *o = r->o;
	enum kvs_mode mode = o->mode;
	char err[512] = "", no_bpf[KVS_WHY_LEN] = "";
	int ret;

	if (!o->mode_set)
		mode = source ? source->auto_mode() : KVS_MODE_DEBUGFS;
	for (;;) {
		/* The modes that read debugfs mount it, once, here; the man pages say so. */
		if (mode != KVS_MODE_ESTIMATE && !o->debugfs_file)
			(void)debugfs_mount_if_needed(err, sizeof(err));
		err[0] = '\0';
		ret = kvs_collect_open(&r->c, mode, source, o, err, sizeof(err));
		if (!ret || o->mode_set || mode == KVS_MODE_DEBUGFS ||
		    (ret != -EPERM && ret != -EACCES && ret != -ENOENT))
			break;
		fprintf(stderr, "%s: %s mode unavailable: %s; ", r->prog, kvs_mode_name(mode), err);
		if (ret == -ENOENT && mode + 1 < KVS_MODE_DEBUGFS) {
			mode++;
		} else {
			/* No BPF rights or no BTF: the debugfs counters may still work. */
			kvs_why(no_bpf, "%s", err);
			mode = KVS_MODE_DEBUGFS;
		}
		fprintf(stderr, "falling back to %s mode\n", kvs_mode_name(mode));
	}
	if (ret == -EINTR && stop) {
		/* A signal ended a blocking first read (a FIFO for --file): a clean end. */
		r->status = 0;
		return ret;
	}
	if (ret) {
		r->status = kvs_err(r->fatal, sizeof(r->fatal), 1, "%s mode: %s",
				    kvs_mode_name(mode), err);
		return ret;
	}
	o->mode = mode;
	if (no_bpf[0])
		kvs_collect_note_no_bpf(r->c, no_bpf);
	if (o->self_stats)
		set_self(r, true);
	return 0;
}

/* What a batch user should know about the numbers; the TUI shows its own. */
static void notes(struct run *r)
{
	const struct kvs_model *m = &r->m;
	int i = m->counter_back;

	if (m->updates == 1 && r->o->self_stats && m->unavailable.self[0])
		fprintf(stderr, "%s: no self cost (--self-stats): %s; the rest runs on\n", r->prog,
			m->unavailable.self);
	/* Once: --slow cannot work here, the rest runs on. */
	if (m->updates == 1 && m->unavailable.slow[0])
		fprintf(stderr, "%s: no slow-call log (--slow): %s; the rest runs on\n", r->prog, m->unavailable.slow);
	if (m->peak_reset)
		fprintf(stderr, "%s: shadow_pages_peak dropped from %llu to %llu: it was reset\n",
			r->prog, (unsigned long long)(m->total.shadow_pages_peak -
						      m->delta[KVS_ID_shadow_pages_peak]),
			(unsigned long long)m->total.shadow_pages_peak);
	if (i >= 0)
		fprintf(stderr, "%s: warning: %s went backwards (%llu -> %llu), "
			"though it only ever counts up: was the file replaced?\n",
			r->prog, kvs_counter_info[i].name,
			(unsigned long long)(kvs_counter_get(&m->total, i) - m->delta[i]),
			(unsigned long long)kvs_counter_get(&m->total, i));
}

/* Show m in every view; false when the run must end (r->status says how). */
static bool show(struct run *r, size_t only, bool all)
{
	for (size_t i = 0; i < r->nviews; i++) {
		char err[512] = "";
		int ret;

		if (!all && i != only)
			continue;
		ret = r->ops[i]->update(r->state[i], &r->m, err, sizeof(err));
		if (!ret)
			continue;
		if (ret == -EPIPE) {
			/* The reader went away (| head): a normal end, quietly. */
			r->status = 0;
			return false;
		}
		r->status = kvs_err(r->fatal, sizeof(r->fatal), 1, "%s: %s", r->ops[i]->name,
				    err[0] ? err : strerror(-ret));
		return false;
	}
	return true;
}

/* One interval: read, compute, fold into the model, show. */
static bool interval(struct run *r, bool tui)
{
	struct kvs_reading now;
	struct kvs_snapshot s;
	char err[512] = "";
	int ret;

	ret = kvs_collect_read(r->c, &now, err, sizeof(err));
	if (ret == -EINTR && stop)
		return false;
	if (ret) {
		r->status = kvs_err(r->fatal, sizeof(r->fatal), 1, "%s", err);
		return false;
	}
	if (r->have_base)
		kvs_collect_align(r->c, &r->base, &now);
	ret = kvs_snapshot_compute(r->o->mode, &now, r->have_base ? &r->base : NULL, &s);
	if (!ret) {
		ret = kvs_model_update(&r->m, &s);
		kvs_snapshot_free(&s);
	}
	kvs_reading_free(&now);
	if (ret) {
		r->status = kvs_err(r->fatal, sizeof(r->fatal), 1, "out of memory");
		return false;
	}
	if (!tui)
		notes(r);
	return show(r, 0, true);
}

/*
 * The interactive view's first screen, from the baseline itself: every
 * counter 0 since start, shadow_pages as the kernel has it, shown at once
 * rather than after a whole interval. Batch and JSON output keep one line
 * per interval (-n counts them).
 */
static bool first_frame(struct run *r)
{
	struct kvs_snapshot s;
	int ret = kvs_snapshot_compute(r->o->mode, &r->base, &r->base, &s);

	if (!ret) {
		ret = kvs_model_update(&r->m, &s);
		kvs_snapshot_free(&s);
	}
	if (ret) {
		r->status = kvs_err(r->fatal, sizeof(r->fatal), 1, "out of memory");
		return false;
	}
	return show(r, 0, true);
}

/* Poll the source's events and the views' input until next; false to stop. */
static bool wait_until(struct run *r, double *next)
{
	while (!stop) {
		/* The source's ring buffer, then the views' input. */
		struct pollfd fds[1 + RUN_MAX_VIEWS];
		size_t view_of[1 + RUN_MAX_VIEWS];
		nfds_t nfds = 0;
		double left = *next - kvs_mono_s(), budget;
		int cfd = kvs_collect_fd(r->c);

		if (left <= 0)
			return true;
		if (cfd >= 0)
			fds[nfds++] = (struct pollfd){ .fd = cfd, .events = POLLIN };
		for (size_t i = 0; i < r->nviews; i++) {
			int fd = r->ops[i]->input_fd ? r->ops[i]->input_fd(r->state[i]) : -1;

			if (fd >= 0) {
				view_of[nfds] = i;
				fds[nfds++] = (struct pollfd){ .fd = fd, .events = POLLIN };
			}
		}
		/*
		 * The BPF side wakes us only when its buffer is a quarter full:
		 * drain every 250 ms too, so that the replay never lags far
		 * (not more often: each wakeup costs an idle tool CPU).
		 */
		if (cfd >= 0 && left > 0.25)
			left = 0.25;
		if (poll(fds, nfds, (int)ceil(left * 1000)) < 0 && errno != EINTR) {
			r->status = kvs_err(r->fatal, sizeof(r->fatal), 1, "poll: %s", strerror(errno));
			return false;
		}
		/*
		 * Events first: a model that lags is wrong. Only a terminal
		 * needs the loop back soon (keys); batch runs drain up to the
		 * next interval.
		 */
		budget = *next - kvs_mono_s();
		if (r->interactive && budget > 0.05)
			budget = 0.05;
		if (kvs_collect_drain(r->c, budget > 0.001 ? budget : 0.001)) {
			r->status = kvs_err(r->fatal, sizeof(r->fatal), 1, "replaying events failed");
			return false;
		}
		for (nfds_t k = cfd >= 0 ? 1 : 0; k < nfds; k++) {
			size_t i = view_of[k];
			enum kvs_view_action a = r->ops[i]->input(r->state[i], &r->m);

			if (a == KVS_VIEW_QUIT) {
				return false;
			} else if (a == KVS_VIEW_SET_INTERVAL && r->ops[i]->interval) {
				/* The new delay counts from now, as in top. */
				r->o->interval_s = r->ops[i]->interval(r->state[i]);
				*next = kvs_mono_s() + r->o->interval_s;
			} else if (a == KVS_VIEW_SET_SELF && r->ops[i]->self_stats) {
				set_self(r, r->ops[i]->self_stats(r->state[i]));
			} else if (a == KVS_VIEW_REDRAW && r->m.updates && !show(r, i, false)) {
				return false;
			}
		}
	}
	return false;
}

/* The views that complete their output at a good end (the recording's trailer). */
static void finish(struct run *r)
{
	for (size_t i = 0; !r->status && i < r->nviews; i++) {
		char err[512] = "";

		if (r->ops[i]->finish && r->ops[i]->finish(r->state[i], err, sizeof(err)))
			r->status = kvs_err(r->fatal, sizeof(r->fatal), 1, "%s: %s", r->ops[i]->name,
					    err);
	}
}

int kvs_run(struct kvs_options *o, const char *prog, const struct kvs_source_ops *source,
	    const struct kvs_view_ops *view)
{
	return kvs_run_record(o, prog, source, view, NULL);
}

int kvs_run_record(struct kvs_options *o, const char *prog, const struct kvs_source_ops *source,
		   const struct kvs_view_ops *view, const struct kvs_view_ops *record)
{
	struct run r = { .prog = prog, .o = o, .status = 1 };
	struct utsname uts;
	char err[512] = "";
	unsigned long done = 0;
	bool tui = view->interactive;

	r.interactive = tui;
	double next;
	int ret;

	ret = catch_signals();
	if (ret) {
		fprintf(stderr, "%s: catching signals: %s\n", prog, strerror(-ret));
		return 1;
	}
	kvs_model_init(&r.m, o->mode, "", sysconf(_SC_PAGESIZE));
	/*
	 * A bad --log or --prom-file is reported before any BPF is loaded.
	 * The log first: views are shown in this order, so an interval's
	 * other surfaces follow its log line, and a reader who sees N lines
	 * and still N after reading the Prometheus file read interval N's.
	 */
	if (o->log_file && open_view(&r, &kvs_log_view))
		goto out;
	if (o->prom_file && open_view(&r, &kvs_prom_view))
		goto out;
	/* Likewise a recording that cannot be created. */
	if (record && open_view(&r, record))
		goto out;
	if (open_collect(&r, source))
		goto out;
	if (uname(&uts))
		snprintf(uts.release, sizeof(uts.release), "unknown");
	/* Nothing allocated yet: start the model again in the mode chosen. */
	kvs_model_init(&r.m, o->mode, uts.release, sysconf(_SC_PAGESIZE));
	if (!o->since_boot) {
		if (kvs_collect_baseline(r.c, &r.base, err, sizeof(err))) {
			r.status = kvs_err(r.fatal, sizeof(r.fatal), 1, "%s", err);
			goto out;
		}
		r.have_base = true;
	}
	if (open_view(&r, view))
		goto out;

	r.status = 0;
	if (tui && r.have_base && !first_frame(&r))
		goto out;
	next = kvs_mono_s() + (o->since_boot ? 0 : o->interval_s);
	while (!stop && (!o->count || done < o->count)) {
		if (!wait_until(&r, &next) || !interval(&r, tui))
			break;
		done++;
		next += o->interval_s;
		/* Late (a slow read, a stopped process): skip what was missed, no burst. */
		if (next < kvs_mono_s())
			next = kvs_mono_s() + o->interval_s;
	}
	finish(&r);
out:
	while (r.nviews) {
		r.nviews--;
		r.ops[r.nviews]->close(r.state[r.nviews]);
	}
	/* Reported after the views are closed: a message printed under the TUI is lost. */
	if (r.fatal[0])
		fprintf(stderr, "%s: %s\n", prog, r.fatal);
	/* Links go before exit, also after a signal. */
	kvs_collect_close(r.c);
	if (r.have_base)
		kvs_reading_free(&r.base);
	kvs_model_free(&r.m);
	return r.status;
}
