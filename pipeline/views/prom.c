// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus view (--prom-file): each model update becomes one
 * node_exporter textfile, replaced atomically. The counter families come
 * from the counter table (lib/kvs_counters.h); the others are derived here
 * from the model. Names: docs/interfaces.md §3.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "prom.h"
#include "promtext.h"
#include "view.h"
#include "errmsg.h"

/*
 * Buckets exported: slot upper bounds 2^9 ns (512 ns) to 2^30 ns (~1.07 s).
 * Buckets are cumulative, so leaving slots out loses resolution, never
 * counts; a fixed set keeps series stable and about 25 per histogram.
 */
#define PROM_FIRST_SLOT 8
#define PROM_LAST_SLOT 29
/*
 * Purges run far longer than a vmalloc: their buckets go on to 2^35 ns
 * (~34 s), past the kernel's 21 s RCU stall report, so a stall's length
 * shows too.
 */
#define PROM_LAST_PURGE_SLOT 34
#define PROM_BOUNDS (PROM_LAST_PURGE_SLOT - PROM_FIRST_SLOT + 1)

struct family {
	const char *name;
	enum promtext_type type;
	const char *help;
	bool measured;		/* the same in every mode: never an estimate */
};

static const struct family vmalloc_used = {
	"kvshadow_vmalloc_used_bytes", PROMTEXT_GAUGE,
	"VmallocUsed from /proc/meminfo, in bytes.", true };
static const struct family vmap_bytes = {
	"kvshadow_vmap_bytes", PROMTEXT_GAUGE,
	"Bytes of all live vmap areas (vmalloc, vmap, ioremap, lazily freed) from "
	"/proc/vmallocinfo: the fair denominator of shadow overhead.", true };
static const struct family overhead = {
	"kvshadow_shadow_overhead_ratio", PROMTEXT_GAUGE,
	"kvshadow_shadow_bytes / kvshadow_vmalloc_used_bytes.", false };
static const struct family drift = {
	"kvshadow_debugfs_drift_bytes", PROMTEXT_GAUGE,
	"Difference between the shadow bytes counted by BPF and the kernel's "
	"debugfs counter (stock mode without it: the kernel page tables at the "
	"last quiet walk); should stay 0.", true };
static const struct family events_lost = {
	"kvshadow_events_lost_total", PROMTEXT_COUNTER,
	"Trace records lost (ring buffer full); the estimate is low when "
	"this grows.", true };
static const struct family bound = {
	"kvshadow_shadow_bound_bytes", PROMTEXT_GAUGE,
	"Where the true shadow bytes lie when estimate mode's seed is approximate "
	"(area addresses hidden): bound=\"low\" and bound=\"high\"; absent when exact.", false };
static const struct family self_shadow = {
	"kvshadow_self_shadow_bytes", PROMTEXT_GAUGE,
	"Of kvshadow_shadow_bytes, the shadow only kvshadowtop's own BPF maps keep "
	"mapped (their vmap areas' shadow pages no other live area touches), "
	"found at its start.", true };
static const struct family node_shadow = {
	"kvshadow_node_shadow_bytes", PROMTEXT_GAUGE,
	"Shadow bytes on each NUMA node, from the kernel's per-node "
	"nr_kasan_vmalloc_shadow.", true };
static const struct family hists[KVS_NR_HISTS] = {
	[KVS_HIST_POPULATE] = { "kvshadow_populate_duration_seconds", PROMTEXT_HISTOGRAM,
		"Latency of kasan_populate_vmalloc.", false },
	[KVS_HIST_RELEASE] = { "kvshadow_release_duration_seconds", PROMTEXT_HISTOGRAM,
		"Latency of kasan_release_vmalloc.", false },
	[KVS_HIST_VMALLOC] = { "kvshadow_vmalloc_duration_seconds", PROMTEXT_HISTOGRAM,
		"Latency of vmalloc itself, to set populate latency against.", true },
	/* This kernel's own purges, also in estimate mode: measured. */
	[KVS_HIST_PURGE] = { "kvshadow_purge_duration_seconds", PROMTEXT_HISTOGRAM,
		"Duration of each lazy purge of freed vmap areas (__purge_vmap_area_lazy), "
		"shadow release and TLB flushes included.", true },
};
static const struct family lazy_bytes = {
	"kvshadow_lazy_purge_bytes", PROMTEXT_GAUGE,
	"Bytes of lazily freed vmap areas waiting for a purge, as the kernel reported "
	"them at the last lazy free (vmap_lazy_nr); absent after a purge until the next "
	"free reports again.", true };
static const struct family lazy_max_bytes = {
	"kvshadow_lazy_purge_max_bytes", PROMTEXT_GAUGE,
	"The kernel's limit on that backlog (lazy_max_pages()): above it a purge is "
	"scheduled.", true };
static const struct family purge_stalls = {
	"kvshadow_purge_stalls_total", PROMTEXT_COUNTER,
	"Lazy purges that ran at least the stall threshold (--stall).", true };
static const struct family by_caller = {
	"kvshadow_populated_bytes_by_caller_total", PROMTEXT_COUNTER,
	"Shadow bytes populated, by vmalloc caller: the top callers by name, "
	"the rest as caller=\"other\".", false };
/* The rows' latency, for the callers named in by_caller only (bounded series). */
static const struct family caller_latency[] = {
	{ "kvshadow_caller_vmalloc_p50_seconds", PROMTEXT_GAUGE,
	  "Median vmalloc latency of the caller's calls since the tool started.", true },
	{ "kvshadow_caller_vmalloc_p99_seconds", PROMTEXT_GAUGE,
	  "99th percentile vmalloc latency of the caller's calls.", true },
	{ "kvshadow_caller_populate_p50_seconds", PROMTEXT_GAUGE,
	  "Median latency of the shadow populates of the caller's areas.", false },
	{ "kvshadow_caller_populate_p99_seconds", PROMTEXT_GAUGE,
	  "99th percentile latency of the shadow populates of the caller's areas.", false },
};

/* The tool's own cost, only while its statistics are on (--self-stats). */
static const struct family bpf_run_seconds = {
	"kvshadow_bpf_run_seconds_total", PROMTEXT_COUNTER,
	"Time the tool's BPF program ran, since its statistics were enabled.", true };
static const struct family bpf_runs = {
	"kvshadow_bpf_runs_total", PROMTEXT_COUNTER,
	"Runs of the tool's BPF program, since its statistics were enabled.", true };

/* kvshadow_info's HELP, from the mode table. 0 or -ENOMEM. */
static int info_family(struct promtext *pt)
{
	char *help = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&help, &len);
	int r = 0;

	if (!f)
		return -ENOMEM;
	if (fputs("Always 1. mode: where the numbers come from (", f) < 0)
		r = -ENOMEM;
	for (unsigned int i = 0; !r && i < KVS_NR_MODES; i++)
		if (fprintf(f, "%s%s: %s", i ? "; " : "", kvs_modes[i].name, kvs_modes[i].prom) < 0)
			r = -ENOMEM;
	if (!r && fputs(").", f) < 0)
		r = -ENOMEM;
	if (fclose(f) || !help)
		r = -ENOMEM;
	if (!r)
		r = promtext_family(pt, "kvshadow_info", PROMTEXT_GAUGE, help);
	free(help);
	return r;
}

/* Estimates must never read as measurements, not even in HELP. */
static int family(struct promtext *pt, const struct family *f, bool estimate)
{
	char *help;
	int r;

	if (!estimate || f->measured)
		return promtext_family(pt, f->name, f->type, f->help);
	if (asprintf(&help, "ESTIMATE (what KASAN_VMALLOC would cost; not "
		     "measured): %s", f->help) < 0)
		return -ENOMEM;
	r = promtext_family(pt, f->name, f->type, help);
	free(help);
	return r;
}

static int sample(struct promtext *pt, const struct family *f, bool estimate, double v)
{
	int r = family(pt, f, estimate);

	return r ? r : promtext_sample(pt, NULL, 0, v);
}

/* The families of the counter table: pages exported as bytes. */
static int write_counters(struct promtext *pt, const struct kvs_model *m, bool estimate)
{
	int r = 0;

	for (size_t i = 0; !r && i < KVS_NR_COUNTERS; i++) {
		const struct kvs_counter_info *c = &kvs_counter_info[i];
		uint64_t v = kvs_counter_get(&m->total, i);
		char help[256];

		if (!c->prom || !kvs_model_knows(m, i))
			continue;
		if (c->unit == KVS_UNIT_PAGES)
			v = kvs_pages_to_bytes(v, m->page_size);
		snprintf(help, sizeof(help), "%s%s.", c->help,
			 c->unit == KVS_UNIT_PAGES ? ", in bytes" : "");
		r = sample(pt, &(struct family){ c->prom, c->type == KVS_GAUGE ? PROMTEXT_GAUGE :
				 PROMTEXT_COUNTER, help, !c->shadow }, estimate, (double)v);
	}
	return r;
}

static int write_hist(struct promtext *pt, const struct family *f, bool estimate,
		      const struct kvs_hist *h, unsigned int last_slot)
{
	double bounds[PROM_BOUNDS];
	uint64_t cumulative[PROM_BOUNDS], seen = 0;
	size_t n = 0;
	int r;

	for (unsigned int i = 0; i < KVS_HIST_SLOTS; i++) {
		seen += h->total.slots[i];
		if (i < PROM_FIRST_SLOT || i > last_slot)
			continue;
		bounds[n] = (double)kvs_hist_upper_ns(i) / 1e9;
		cumulative[n++] = seen;
	}
	r = family(pt, f, estimate);
	/* +Inf must equal _count: trust the slots if they say more. */
	return r ? r : promtext_histogram(pt, NULL, 0, bounds, cumulative, n,
					  (double)h->total.sum_ns / 1e9,
					  h->total.count > seen ? h->total.count : seen);
}

/*
 * A label value from a caller name: "func+0x1a/0x30" becomes "func" (fewer
 * series, no offsets), and anything that still looks like an address
 * becomes "unknown", so no kernel address ever reaches a label.
 */
void kvs_prom_caller_label(char *dst, size_t len, const char *name)
{
	size_t n = strcspn(name, "+"), hex = 0;

	while (n && isspace((unsigned char)name[n - 1]))
		n--;
	for (size_t i = 0; i < n; i++)
		hex = isxdigit((unsigned char)name[i]) ? hex + 1 : 0;
	if (!n || hex == n || hex >= 12 ||
	    (n > 2 && name[0] == '0' && (name[1] == 'x' || name[1] == 'X')))
		snprintf(dst, len, "unknown");
	else
		snprintf(dst, len, "%.*s", (int)n, name);
}

/* The callers by label, rows of one label merged; "other" rows join the dropped. */
static int label_rows(const struct kvs_top_list *l, struct kvs_top_list *out)
{
	size_t n = 0;

	*out = (struct kvs_top_list){ .dropped_pages = l->dropped_pages };
	if (!l->nr)
		return 0;
	out->e = calloc(l->nr, sizeof(*out->e));
	if (!out->e)
		return -ENOMEM;
	for (size_t i = 0; i < l->nr; i++) {
		out->e[i] = l->e[i];
		kvs_prom_caller_label(out->e[i].name, sizeof(out->e[i].name), l->e[i].name);
	}
	qsort(out->e, l->nr, sizeof(*out->e), kvs_top_entry_cmp_name);
	for (size_t i = 0; i < l->nr; i++) {
		if (!strcmp(out->e[i].name, "other")) {
			out->dropped_pages += out->e[i].pages_populated;
		} else if (n && !strcmp(out->e[n - 1].name, out->e[i].name)) {
			out->e[n - 1].pages_populated += out->e[i].pages_populated;
			for (int k = 0; k < KVS_ROW_SLOTS; k++) {
				out->e[n - 1].vmalloc_ns[k] += out->e[i].vmalloc_ns[k];
				out->e[n - 1].populate_ns[k] += out->e[i].populate_ns[k];
			}
		} else {
			out->e[n++] = out->e[i];
		}
	}
	out->nr = n;
	return 0;
}

/* p50/p99 of the named callers' vmalloc and populate calls; families only with samples. */
static int write_caller_latency(struct promtext *pt, const struct kvs_top_entry *top, size_t n,
				bool estimate)
{
	int r = 0;

	for (size_t f = 0; !r && f < sizeof(caller_latency) / sizeof(caller_latency[0]); f++) {
		bool written = false;

		for (size_t i = 0; !r && i < n; i++) {
			const uint32_t *slots = f < 2 ? top[i].vmalloc_ns : top[i].populate_ns;
			double ns = kvs_row_quantile(slots, f % 2 ? 0.99 : 0.50);
			struct promtext_label l = { "caller", top[i].name };

			if (isnan(ns))
				continue;
			if (!written)
				r = family(pt, &caller_latency[f], estimate);
			written = true;
			if (!r)
				r = promtext_sample(pt, &l, 1, ns / 1e9);
		}
	}
	return r;
}

static int write_callers(struct promtext *pt, const struct kvs_model *m, struct kvs_prom_state *st,
			 bool estimate)
{
	struct kvs_top_list labels;
	struct kvs_top_entry *top, other;
	uint64_t total, named = 0, other_bytes;
	size_t n;
	int r = label_rows(&m->callers, &labels);

	if (r)
		return r;
	top = calloc(st->top_n ? st->top_n : 1, sizeof(*top));
	if (!top) {
		free(labels.e);
		return -ENOMEM;
	}
	n = kvs_top_fold(&labels, st->top_n, KVS_SORT_PAGES, top, &other);
	r = family(pt, &by_caller, estimate);
	for (size_t i = 0; !r && i < n; i++) {
		struct promtext_label l = { "caller", top[i].name };
		uint64_t bytes = kvs_pages_to_bytes(top[i].pages_populated, m->page_size);

		r = promtext_sample(pt, &l, 1, (double)bytes);
		named += bytes;
	}
	total = named + kvs_pages_to_bytes(other.pages_populated, m->page_size);
	if (kvs_model_knows(m, KVS_ID_pages_populated)) {
		uint64_t populated = kvs_pages_to_bytes(m->total.pages_populated, m->page_size);

		if (populated > total)
			total = populated;
	}
	/*
	 * Ranking by cumulative bytes means the remainder cannot shrink when
	 * the top N changes (whoever enters had more than whoever leaves).
	 * It can when the caller list and the populated counter disagree
	 * (bounded BPF maps, merged labels): then "other" holds its previous
	 * value rather than go down and read as a counter reset.
	 */
	other_bytes = total - named;
	if (other_bytes < st->other_bytes)
		other_bytes = st->other_bytes;
	st->other_bytes = other_bytes;
	if (!r) {
		struct promtext_label l = { "caller", "other" };

		r = promtext_sample(pt, &l, 1, (double)other_bytes);
	}
	if (!r)
		r = write_caller_latency(pt, top, n, estimate);
	free(top);
	free(labels.e);
	return r;
}

static int write_self(struct promtext *pt, const struct kvs_model *m)
{
	int r = family(pt, &bpf_run_seconds, false);

	for (size_t i = 0; !r && i < m->self.nr; i++) {
		struct promtext_label l = { "program", m->self.prog[i].name };

		r = promtext_sample(pt, &l, 1, (double)m->self.prog[i].run_ns / 1e9);
	}
	if (!r)
		r = family(pt, &bpf_runs, false);
	for (size_t i = 0; !r && i < m->self.nr; i++) {
		struct promtext_label l = { "program", m->self.prog[i].name };

		r = promtext_sample(pt, &l, 1, (double)m->self.prog[i].runs);
	}
	return r;
}

static int write_nodes(struct promtext *pt, const struct kvs_model *m)
{
	int r = family(pt, &node_shadow, false);

	for (size_t i = 0; !r && i < m->nr_nodes; i++) {
		char node[16];
		struct promtext_label l = { "node", node };

		snprintf(node, sizeof(node), "%u", m->nodes[i].node);
		r = promtext_sample(pt, &l, 1, (double)kvs_pages_to_bytes(m->nodes[i].shadow_pages,
									   m->page_size));
	}
	return r;
}

static int write_bound(struct promtext *pt, const struct kvs_model *m, bool estimate)
{
	struct promtext_label low = { "bound", "low" }, high = { "bound", "high" };
	int r = family(pt, &bound, estimate);

	if (!r)
		r = promtext_sample(pt, &low, 1,
				    (double)kvs_pages_to_bytes(m->seed.low, m->page_size));
	if (!r)
		r = promtext_sample(pt, &high, 1,
				    (double)kvs_pages_to_bytes(m->seed.high, m->page_size));
	return r;
}

int kvs_prom_render(struct promtext *pt, const struct kvs_model *m, struct kvs_prom_state *st)
{
	bool estimate = (unsigned int)m->mode < KVS_NR_MODES && kvs_modes[m->mode].estimate;
	struct promtext_label l[] = { { "mode", m->mode_name }, { "kernel", m->kernel } };
	int r;

	r = info_family(pt);
	if (!r)
		r = promtext_sample(pt, l, 2, 1);
	if (!r)
		r = write_counters(pt, m, estimate);
	if (!r && m->have_vmalloc_used)
		r = sample(pt, &vmalloc_used, estimate, (double)m->vmalloc_used_bytes);
	if (!r && m->have_vmap_bytes)
		r = sample(pt, &vmap_bytes, estimate, (double)m->vmap_bytes);
	if (!r && m->have_vmalloc_used && m->vmalloc_used_bytes &&
	    kvs_model_knows(m, KVS_ID_shadow_pages))
		r = sample(pt, &overhead, estimate,
			   (double)m->shadow_bytes / (double)m->vmalloc_used_bytes);
	if (!r && m->drift_valid)
		r = sample(pt, &drift, estimate,
			   (double)kvs_pages_to_bytes(m->drift_pages, m->page_size));
	if (!r && estimate)
		r = sample(pt, &events_lost, estimate, (double)m->events_lost);
	if (!r && m->seed.kind == KVS_SEED_APPROXIMATE)
		r = write_bound(pt, m, estimate);
	if (!r && m->have_nodes && m->nr_nodes)
		r = write_nodes(pt, m);
	if (!r && m->have_self_shadow)
		r = sample(pt, &self_shadow, estimate,
			   (double)kvs_pages_to_bytes(m->self_shadow_pages, m->page_size));
	if (!r && kvs_purge_lazy_known(&m->purge))
		r = sample(pt, &lazy_bytes, estimate,
			   (double)kvs_pages_to_bytes(m->purge.lazy_pages, m->page_size));
	if (!r && m->purge.have_lazy)
		r = sample(pt, &lazy_max_bytes, estimate,
			   (double)kvs_pages_to_bytes(m->purge.lazy_max_pages, m->page_size));
	if (!r && m->purge.have_stalls)
		r = sample(pt, &purge_stalls, estimate, (double)m->purge.stalls);
	for (int h = 0; !r && h < KVS_NR_HISTS; h++)
		if (m->hist[h].available)
			r = write_hist(pt, &hists[h], estimate, &m->hist[h],
				       h == KVS_HIST_PURGE ? PROM_LAST_PURGE_SLOT : PROM_LAST_SLOT);
	if (!r && m->callers.available)
		r = write_callers(pt, m, st, estimate);
	if (!r && m->have_self && m->self.nr)
		r = write_self(pt, m);
	return r;
}

struct prom_view {
	struct atomicfile af;
	struct kvs_prom_state st;
};

static int prom_open(const struct kvs_options *opts, void **state, char *err, size_t errlen)
{
	struct prom_view *v = calloc(1, sizeof(*v));
	int r;

	if (!v)
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	/* Fail now, at start, rather than after the first interval. */
	r = atomicfile_open(&v->af, opts->prom_file, err, errlen);
	if (r) {
		free(v);
		return r;
	}
	v->st.top_n = opts->prom_top;
	*state = v;
	return 0;
}

static int prom_update(void *state, const struct kvs_model *m, char *err, size_t errlen)
{
	struct prom_view *v = state;
	struct promtext *pt = promtext_new();
	const char *data;
	size_t len;
	int r;

	if (!pt)
		return kvs_err(err, errlen, -ENOMEM, "%s: out of memory", v->af.path);
	r = kvs_prom_render(pt, m, &v->st);
	if (!r)
		r = promtext_finish(pt, &data, &len);
	if (r)
		r = kvs_err(err, errlen, r, "%s: cannot write metrics: %s", v->af.path,
			    *promtext_error(pt) ? promtext_error(pt) : strerror(-r));
	else
		r = atomicfile_write(&v->af, data, len, err, errlen);
	promtext_free(pt);
	return r;
}

static void prom_close(void *state)
{
	struct prom_view *v = state;

	if (!v)
		return;
	atomicfile_close(&v->af);
	free(v);
}

const struct kvs_view_ops kvs_prom_view = {
	.name = "prom",
	.open = prom_open,
	.update = prom_update,
	.close = prom_close,
};
