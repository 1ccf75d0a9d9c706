// SPDX-License-Identifier: GPL-2.0
/*
 * tuidriver: kvshadowtop's real run loop (run.c), options (top_args.c) and
 * TUI, fed by a synthetic source instead of BPF, so tests/tui/ can drive
 * them in tmux anywhere: no root, no BPF, no KASAN kernel.
 *
 *   tuidriver [kvshadowtop options]    (--mode exact|estimate|debugfs)
 *
 * The source's numbers change every interval; in exact and debugfs mode it
 * also writes the debugfs file the collector reads (through --file's
 * path), so that part is real too. KVS_TUIDRIVER_LOG=FILE appends an
 * "interval S" line whenever the loop reads at a new interval, the rows
 * of every reading (log_rows), and "end" when the run is over.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"
#include "run.h"
#include "top_args.h"
#include "tui.h"
#include "view.h"
#include "errmsg.h"

#define NR_CALLERS 30
#define NR_PROCS 12

static const char *const callers[] = {
	"module_alloc", "bpf_prog_alloc_no_stats", "alloc_thread_stack_node",
	"__vmalloc_node [xfs]", "kvmalloc_node", "vmap_pages_range",
	"pcpu_mem_zalloc", "n_tty_open", "alloc_large_system_hash",
	/* A name with bytes a terminal must not get raw. */
	"weird\x01\x1b[31mname\xff",
};

static const char *const procs[] = {
	"systemd[1]", "kworker/0:1[42]", "modprobe[311]", "bpftool[420]", "sshd[777]",
	"stress-ng-vm[1001]",
};

struct fake {
	enum kvs_mode mode;
	const struct kvs_options *o;
	const char *log;
	double logged_interval;
	uint64_t k;
	bool self;		/* the tool's own cost asked for */
	uint64_t self_k;	/* k when it was */
};

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

/*
 * The rows of reading k as the driver made them ("reading BY K", then
 * "row BY PAGES CALLS NAME", cumulative, names a terminal shows as they
 * are), for the test to compare the table with.
 */
static int log_rows(const char *path, const char *by, uint64_t k, const struct kvs_top_list *l)
{
	bool bad;
	FILE *f;

	if (!path)
		return 0;
	f = fopen(path, "a");
	if (!f)
		return -errno;
	bad = fprintf(f, "reading %s %" PRIu64 "\n", by, k) < 0;
	for (size_t i = 0; i < l->nr; i++) {
		const struct kvs_top_entry *e = &l->e[i];
		bool plain = true;

		for (const char *c = e->name; *c; c++)
			plain = plain && *c >= 0x20 && *c < 0x7f;
		if (plain)
			bad |= fprintf(f, "row %s %" PRIu64 " %" PRIu64 " %s\n", by,
				       e->pages_populated, e->populate_calls, e->name) < 0;
	}
	bad |= fclose(f) != 0;
	return bad ? -EIO : 0;
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

		if (i < nnames)
			snprintf(e->name, sizeof(e->name), "%s", names[i]);
		else
			snprintf(e->name, sizeof(e->name), "%s%zu", prefix, i);
		/* Monotonic in k, as cumulative counters are. */
		e->pages_populated = (nr - i) * 7 * k + (i % 3 ? i * k * k / 5 : 0);
		e->populate_calls = (i + 1) * 3 * k;
	}
	l->dropped_pages = 5 * k;
	l->dropped_calls = k;
	return 0;
}

static void fill_hist(struct kvs_reading *r, enum kvs_hist_id h, uint64_t k, unsigned int at,
		      const char *source)
{
	r->hist_available[h] = true;
	r->hist_source[h] = source;
	for (unsigned int i = at; i < at + 4; i++) {
		uint64_t n = k * (4 - (i - at)) * 3;

		r->hist[h].slots[i] = n;
		r->hist[h].count += n;
		r->hist[h].sum_ns += n * ((uint64_t)3 << i >> 1);
	}
}

/* The debugfs file as the kernel would show it with these counters. */
static int write_debugfs(const char *path, const struct kvs_counters *c)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	for (size_t i = 0; i < KVS_NR_DEBUGFS; i++)
		fprintf(f, "%s %llu\n", kvs_counter_info[i].name,
			(unsigned long long)kvs_counter_get(c, i));
	if (fclose(f))
		return -errno;
	return rename(tmp, path) ? -errno : 0;
}

static void counters(struct kvs_counters *c, uint64_t k)
{
	*c = (struct kvs_counters){ .populate_calls = 40 * k, .pages_populated = 120 * k + k * k % 50,
		.pages_released = 60 * k, .release_calls = 4 * k, .pages_allocated = 130 * k,
		.populate_failures = k > 3 ? 1 : 0, .vmap_area_allocs = 50 * k,
		.vmap_area_alloc_bytes = 50 * k * 16384, .vmap_area_frees = 45 * k,
		.vmap_purges = k / 2 };
	c->shadow_pages = 300 + c->pages_populated - c->pages_released;
	c->shadow_pages_peak = c->shadow_pages + 17;
}

static int fake_open(void **state, enum kvs_mode mode, const struct kvs_options *o,
		     char *err, size_t errlen)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (!f)
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	f->mode = mode;
	f->o = o;
	f->log = getenv("KVS_TUIDRIVER_LOG");
	*state = f;
	return 0;
}

/*
 * --slow: three records an interval, the second from a process with a
 * hostile name, the third a purge by the kernel's drain work.
 */
static int fill_slow(struct kvs_reading *r, uint64_t k)
{
	r->slow = calloc(3, sizeof(*r->slow));
	if (!r->slow)
		return -ENOMEM;
	r->have_slow = true;
	r->nr_slow = 3;
	r->slow[2] = (struct kvs_slow_rec){ .kind = KVS_SLOW_PURGE, .ts = 1700000000.0 + (double)k,
		.pid = 77, .tgid = 77, .comm = "kworker/0:1", .caller = "unknown",
		.purge_ns = 25000000, .areas_known = true, .areas = 12 };
	r->bpf.slow_vmalloc = 2 * k;
	for (int i = 0; i < 2; i++) {
		struct kvs_slow_rec *s = &r->slow[i];

		*s = (struct kvs_slow_rec){ .ts = 1700000000.0 + (double)k, .pid = 1001 + i,
			.tgid = 1001, .size = 262144, .vmalloc_ns = 3000000, .shadow_known = true,
			.populate_ns = 1500000, .nr_populated = 64, .nr_allocated = 64 };
		snprintf(s->comm, sizeof(s->comm), "%s", i ? "\\x1b[2J" : "stress-ng-vm");
		snprintf(s->caller, sizeof(s->caller), "module_alloc");
	}
	return 0;
}

static int fake_read(void *state, struct kvs_reading *r, char *err, size_t errlen)
{
	struct fake *f = state;
	uint64_t k = ++f->k;
	struct kvs_counters c;

	if (f->o->interval_s != f->logged_interval) {
		f->logged_interval = f->o->interval_s;
		log_line(f->log, "interval", f->logged_interval);
	}
	counters(&c, k);
	r->have_bpf = true;
	r->bpf = c;
	r->bpf_net = (int64_t)(c.pages_populated - c.pages_released);
	r->bpf_net_peak = r->bpf_net + 17;
	fill_hist(r, KVS_HIST_POPULATE, k, 10, "tracepoint");
	fill_hist(r, KVS_HIST_VMALLOC, k, 12, "fentry");
	if (f->mode == KVS_MODE_EXACT) {
		/* The tool's own maps' share of the shadow. */
		r->have_self_shadow = true;
		r->self_shadow_pages = 61;
		fill_hist(r, KVS_HIST_RELEASE, k, 11, "tracepoint");
		if (write_debugfs(f->o->debugfs_file, &c))
			return kvs_err(err, errlen, -EIO,
				       "writing %s: %s", f->o->debugfs_file, strerror(errno));
	} else {
		snprintf(r->hist_why[KVS_HIST_RELEASE], KVS_WHY_LEN,
			 "no kasan tracepoints: %s mode", kvs_mode_name(f->mode));
		r->have_estimate = true;
		r->est = c;
		r->events_lost = k > 2 ? 3 : 0;
		r->unknown_frees = 1;
	}
	if (f->self) {
		/* One program, 450 ns a run, 1000 runs a reading since it was turned on. */
		r->have_self = true;
		r->self.nr = 1;
		snprintf(r->self.prog[0].name, sizeof(r->self.prog[0].name), "kvs_fake_prog");
		r->self.prog[0].runs = 1000 * (k - f->self_k);
		r->self.prog[0].run_ns = 450 * r->self.prog[0].runs;
	}
	/* 12 MiB waiting of a 64 MiB limit; a purge of a second or more every other reading. */
	r->purge = (struct kvs_purge){ .lazy_traced = true, .have_lazy = true, .lazy_pages = 3072,
		.lazy_max_pages = 16384, .lazy_mono = r->mono, .have_stalls = true,
		.stall_ns = 1000000000, .stalls = k / 2 };
	if (f->o->slow_set && fill_slow(r, k))
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	if (fill_top(&r->callers, NR_CALLERS, callers, sizeof(callers) / sizeof(callers[0]),
		     "vm_caller_", k) ||
	    fill_top(&r->processes, NR_PROCS, procs, sizeof(procs) / sizeof(procs[0]),
		     "worker/", k))
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	if (log_rows(f->log, "caller", k, &r->callers) ||
	    log_rows(f->log, "process", k, &r->processes))
		return kvs_err(err, errlen, -EIO, "cannot write %s", f->log);
	return 0;
}

static int fake_set_self(void *state, bool on, char *err, size_t errlen)
{
	struct fake *f = state;

	f->self = on;
	f->self_k = f->k;
	return 0;
}

static void fake_close(void *state)
{
	free(state);
}

static enum kvs_mode fake_auto_mode(void)
{
	return KVS_MODE_ESTIMATE;
}

static const struct kvs_source_ops fake_source = {
	.name = "tuidriver",
	.auto_mode = fake_auto_mode,
	.open = fake_open,
	.read = fake_read,
	.set_self = fake_set_self,
	.close = fake_close,
};

int main(int argc, char **argv)
{
	char path[] = "/tmp/tuidriver-debugfs.XXXXXX", err[512];
	struct kvs_counters c;
	struct kvs_options o;
	int fd, status;

	/* The key table, for tests/tui/manpage.sh. */
	if (argc == 2 && !strcmp(argv[1], "--list-keys"))
		return tui_keys_print(stdout) ? 1 : 0;
	if (kvshadowtop_parse_args(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, "tuidriver: %s\n", err);
		return 2;
	}
	fd = mkstemp(path);
	if (fd < 0) {
		perror("tuidriver: mkstemp");
		return 1;
	}
	close(fd);
	/* Estimate mode has no debugfs file; debugfs mode a fixed one. */
	counters(&c, 1);
	if (o.mode == KVS_MODE_ESTIMATE)
		unlink(path);
	else if (write_debugfs(path, &c))
		return 1;
	o.debugfs_file = path;
	/* The view kvshadowtop's main would pick. */
	if (!isatty(STDOUT_FILENO))
		o.batch = true;
	status = kvs_run(&o, "tuidriver", &fake_source, o.json ? &kvs_json_view :
			 o.batch ? &kvs_text_view : kvs_tui_or_batch("tuidriver"));
	log_line(getenv("KVS_TUIDRIVER_LOG"), "end", status);
	unlink(path);
	return status;
}
