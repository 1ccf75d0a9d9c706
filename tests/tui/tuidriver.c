// SPDX-License-Identifier: GPL-2.0
/*
 * tuidriver: kvshadowtop's loop without BPF, root or a KASAN kernel. It
 * feeds kvs_tui_view a synthetic model that changes every interval, so
 * tests/tui/ can drive the real TUI code in tmux anywhere.
 *
 *   tuidriver [-d SECONDS] [-n COUNT] [-r ROWS] [-s pages|calls|rate|name]
 *             [--by caller|process] [--mode exact|estimate|debugfs]
 *             [--log FILE]     (appends "interval S" and "quit" lines)
 *
 * Like main.c: SIGINT/SIGTERM set a flag, the loop closes the view.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model.h"
#include "view.h"

#define NR_CALLERS 30
#define NR_PROCS 12

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const callers[] = {
	"module_alloc+0x4a", "bpf_prog_alloc_no_stats+0x3c", "alloc_thread_stack_node+0x1a",
	"__vmalloc_node+0x50 [xfs]", "kvmalloc_node+0x8f", "vmap_pages_range+0x22",
	"pcpu_mem_zalloc+0x31", "n_tty_open+0x19", "alloc_large_system_hash+0x1c4",
	/* A name with bytes a terminal must not get raw. */
	"weird\x01\x1b[31mname\xff",
};

static const char *const procs[] = {
	"systemd[1]", "kworker/0:1[42]", "modprobe[311]", "bpftool[420]", "sshd[777]",
	"stress-ng-vm[1001]",
};

static void name_of(char *buf, size_t len, const char *const *names, size_t nr, size_t i,
		    const char *prefix)
{
	if (i < nr)
		snprintf(buf, len, "%s", names[i]);
	else
		snprintf(buf, len, "%s%zu", prefix, i);
}

/* Row i of tick k: shares that differ per row and shift over time, so sorts differ. */
static int fill_top(struct kvs_top_list *l, size_t nr, const char *const *names, size_t nnames,
		    const char *prefix, uint64_t k)
{
	l->e = calloc(nr, sizeof(*l->e));
	if (!l->e)
		return -ENOMEM;
	l->nr = nr;
	l->available = true;
	for (size_t i = 0; i < nr; i++) {
		struct kvs_top_entry *e = &l->e[i];

		name_of(e->name, sizeof(e->name), names, nnames, i, prefix);
		/* Monotonic in k, as cumulative counters are. */
		e->pages_populated = (nr - i) * 7 * k + (i % 3 ? i * k * k / 5 : 0);
		e->populate_calls = (i + 1) * 3 * k;
	}
	l->dropped_pages = 5 * k;
	l->dropped_calls = k;
	return 0;
}

static void fill_hist(struct kvs_snapshot *s, enum kvs_hist_kind h, uint64_t k, unsigned int at)
{
	s->hist_available[h] = true;
	s->hist_source[h] = "tracepoint";
	for (unsigned int i = at; i < at + 4; i++) {
		uint64_t n = k * (4 - (i - at)) * 3;

		s->hist[h].slots[i] = n;
		s->hist[h].count += n;
		s->hist[h].sum_ns += n * ((uint64_t)3 << i >> 1);
	}
}

static int snapshot(struct kvs_snapshot *s, enum kvs_mode mode, double start, uint64_t k)
{
	memset(s, 0, sizeof(*s));
	s->mono = mono_now();
	s->start_mono = start;
	s->ts = (double)time(NULL);
	s->mode = mode;
	s->c.populate_calls = 40 * k;
	s->c.pages_populated = 120 * k + k * k % 50;
	s->c.pages_released = 60 * k;
	s->c.release_calls = 4 * k;
	s->c.shadow_pages = 300 + s->c.pages_populated - s->c.pages_released;
	s->c.shadow_pages_peak = s->c.shadow_pages + 17;
	s->c.populate_failures = k > 3 ? 1 : 0;
	s->have_vmalloc_used = true;
	s->vmalloc_used_bytes = s->c.shadow_pages * 4096 * 7;
	fill_hist(s, KVS_HIST_POPULATE, k, 10);
	fill_hist(s, KVS_HIST_VMALLOC, k, 12);
	if (mode == KVS_MODE_EXACT) {
		fill_hist(s, KVS_HIST_RELEASE, k, 11);
		s->have_debugfs = true;
		s->debugfs = s->c;
	} else {
		snprintf(s->hist_why[KVS_HIST_RELEASE], KVS_WHY_LEN,
			 "no kasan tracepoints: %s mode", kvs_mode_name(mode));
		snprintf(s->unavailable.debugfs, KVS_WHY_LEN,
			 "no /sys/kernel/debug/kasan/vmalloc_shadow");
	}
	if (mode == KVS_MODE_ESTIMATE) {
		s->events_lost = k > 2 ? 3 : 0;
		s->unknown_frees = 1;
	}
	if (mode == KVS_MODE_DEBUGFS) {
		snprintf(s->unavailable.bpf, KVS_WHY_LEN, "driver: pretending BPF is not allowed");
		snprintf(s->unavailable.attribution, KVS_WHY_LEN, "debugfs mode: no per-caller data");
		snprintf(s->callers.why, KVS_WHY_LEN, "debugfs mode: no per-caller data");
		snprintf(s->processes.why, KVS_WHY_LEN, "debugfs mode: no per-process data");
		return 0;
	}
	if (fill_top(&s->callers, NR_CALLERS, callers, sizeof(callers) / sizeof(callers[0]),
		     "vm_caller_", k) ||
	    fill_top(&s->processes, NR_PROCS, procs, sizeof(procs) / sizeof(procs[0]),
		     "worker/", k))
		return -ENOMEM;
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: tuidriver [-d SECONDS] [-n COUNT] [-r ROWS] [-s SORT] "
		"[--by caller|process] [--mode exact|estimate|debugfs] [--log FILE]\n");
	return 2;
}

static int parse(int argc, char **argv, struct kvs_options *o, const char **log)
{
	static const struct option longopts[] = {
		{ "by", required_argument, NULL, 'B' },
		{ "mode", required_argument, NULL, 'M' },
		{ "log", required_argument, NULL, 'L' },
		{ 0 },
	};
	static const char *const sorts[] = { "pages", "calls", "rate", "name" };
	static const char *const modes[] = { "exact", "estimate", "debugfs" };
	char *end;
	int c;

	*o = (struct kvs_options){ .interval_s = 1, .rows = 10, .mode = KVS_MODE_ESTIMATE };
	while ((c = getopt_long(argc, argv, "d:n:r:s:", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->interval_s = strtod(optarg, &end);
			if (*end || !(o->interval_s >= 0.01))
				return usage();
			break;
		case 'n':
			o->count = strtoul(optarg, &end, 10);
			if (*end)
				return usage();
			break;
		case 'r':
			o->rows = strtoul(optarg, &end, 10);
			if (*end)
				return usage();
			break;
		case 's':
			for (c = 0; c < 4 && strcmp(optarg, sorts[c]); c++)
				;
			if (c == 4)
				return usage();
			o->sort = (enum kvs_sort)c;
			break;
		case 'B':
			o->by = !strcmp(optarg, "process") ? KVS_BY_PROCESS : KVS_BY_CALLER;
			break;
		case 'M':
			for (c = 0; c < 3 && strcmp(optarg, modes[c]); c++)
				;
			if (c == 3)
				return usage();
			o->mode = (enum kvs_mode)c;
			o->mode_set = true;
			break;
		case 'L':
			*log = optarg;
			break;
		default:
			return usage();
		}
	}
	return optind < argc ? usage() : 0;
}

static void log_line(const char *path, const char *what, double v)
{
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "a");
	if (!f)
		return;
	fprintf(f, "%s %g\n", what, v);
	fclose(f);
}

int main(int argc, char **argv)
{
	const struct kvs_view_ops *v = &kvs_tui_view;
	struct sigaction sa = { .sa_handler = on_signal };
	struct kvs_options o;
	struct kvs_model m;
	const char *log = NULL;
	char err[256];
	void *state;
	double start, next;
	uint64_t k = 0;
	int status = 1;

	if (parse(argc, argv, &o, &log))
		return 2;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return 1;
	kvs_model_init(&m, o.mode, "6.12.0-tuidriver", 4096);
	if (v->open(&o, &state, err, sizeof(err))) {
		fprintf(stderr, "tuidriver: %s\n", err);
		v->close(state);
		return 1;
	}
	start = mono_now();
	next = start;
	while (!stop && (!o.count || k < o.count)) {
		double left = next - mono_now();
		struct kvs_snapshot s;

		if (left > 0) {
			struct pollfd pfd = { .fd = v->input_fd(state), .events = POLLIN };
			enum kvs_view_action a;

			if (poll(&pfd, 1, (int)ceil(left * 1000)) < 0 && errno != EINTR)
				goto out;
			a = v->input(state, &m);
			if (a == KVS_VIEW_QUIT)
				break;
			if (a == KVS_VIEW_REDRAW && v->update(state, &m))
				goto out;
#ifdef KVS_VIEW_SET_INTERVAL
			if (a == KVS_VIEW_SET_INTERVAL) {
				o.interval_s = v->interval(state);
				log_line(log, "interval", o.interval_s);
				next = mono_now() + o.interval_s;
			}
#endif
			continue;
		}
		if (snapshot(&s, o.mode, start, ++k) || kvs_model_update(&m, &s)) {
			kvs_snapshot_free(&s);
			goto out;
		}
		kvs_snapshot_free(&s);
		if (v->update(state, &m))
			goto out;
		next += o.interval_s;
	}
	status = 0;
out:
	v->close(state);
	/* A second close must be harmless: main may close on a signal path too. */
	v->close(state);
	log_line(log, stop ? "signal" : "quit", status);
	kvs_model_free(&m);
	return status;
}
