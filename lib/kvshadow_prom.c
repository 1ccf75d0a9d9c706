// SPDX-License-Identifier: GPL-2.0
/* The kvshadow metric families: one table of names, one writer. */
#include "kvshadow_prom.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

struct family {
	const char *name;
	enum promtext_type type;
	const char *help;
	bool measured;		/* the same in every mode: never an estimate */
};

static const struct family scalars[KVSHADOW_PROM_SCALARS] = {
	[KVSHADOW_SHADOW_BYTES] = { "kvshadow_shadow_bytes", PROMTEXT_GAUGE,
		"KASAN shadow memory currently backing vmalloc space, in bytes.", false },
	[KVSHADOW_SHADOW_PEAK_BYTES] = { "kvshadow_shadow_peak_bytes", PROMTEXT_GAUGE,
		"High-water mark of kvshadow_shadow_bytes.", false },
	[KVSHADOW_POPULATED_BYTES] = { "kvshadow_shadow_populated_bytes_total", PROMTEXT_COUNTER,
		"Shadow bytes mapped by kasan_populate_vmalloc.", false },
	[KVSHADOW_RELEASED_BYTES] = { "kvshadow_shadow_released_bytes_total", PROMTEXT_COUNTER,
		"Shadow bytes unmapped and freed by kasan_release_vmalloc.", false },
	[KVSHADOW_POPULATE_CALLS] = { "kvshadow_populate_calls_total", PROMTEXT_COUNTER,
		"kasan_populate_vmalloc calls.", false },
	[KVSHADOW_POPULATE_FAILURES] = { "kvshadow_populate_failures_total", PROMTEXT_COUNTER,
		"kasan_populate_vmalloc calls that returned an error.", false },
	[KVSHADOW_RELEASE_CALLS] = { "kvshadow_release_calls_total", PROMTEXT_COUNTER,
		"kasan_release_vmalloc calls.", false },
	[KVSHADOW_VMALLOC_USED_BYTES] = { "kvshadow_vmalloc_used_bytes", PROMTEXT_GAUGE,
		"VmallocUsed from /proc/meminfo, in bytes.", true },
	[KVSHADOW_DRIFT_BYTES] = { "kvshadow_debugfs_drift_bytes", PROMTEXT_GAUGE,
		"Difference between the shadow bytes counted from tracepoints and "
		"the kernel's debugfs counter; should stay near 0.", true },
	[KVSHADOW_EVENTS_LOST] = { "kvshadow_events_lost_total", PROMTEXT_COUNTER,
		"Trace records lost (ring buffer full); the estimate is low when "
		"this grows.", true },
};

static const struct family overhead = {
	"kvshadow_shadow_overhead_ratio", PROMTEXT_GAUGE,
	"kvshadow_shadow_bytes / kvshadow_vmalloc_used_bytes.", false };

static const struct family hists[KVSHADOW_PROM_HISTS] = {
	[KVSHADOW_POPULATE_DURATION] = { "kvshadow_populate_duration_seconds", PROMTEXT_HISTOGRAM,
		"Latency of kasan_populate_vmalloc.", false },
	[KVSHADOW_RELEASE_DURATION] = { "kvshadow_release_duration_seconds", PROMTEXT_HISTOGRAM,
		"Latency of kasan_release_vmalloc.", false },
	[KVSHADOW_VMALLOC_DURATION] = { "kvshadow_vmalloc_duration_seconds", PROMTEXT_HISTOGRAM,
		"Latency of vmalloc itself, to set populate latency against.", true },
};

static const struct family by_caller = {
	"kvshadow_populated_bytes_by_caller_total", PROMTEXT_COUNTER,
	"Shadow bytes populated, by vmalloc caller: the top callers by name, "
	"the rest as caller=\"other\".", false };

static const struct family info = {
	"kvshadow_info", PROMTEXT_GAUGE,
	"Always 1. mode: where the numbers come from (exact: kvshadow kernel "
	"counters; estimate: modelled from vmalloc tracepoints on a kernel "
	"without KASAN_VMALLOC; debugfs: kernel counters only).", false };

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

/*
 * A label value from a symbol: "func+0x1a/0x30" becomes "func" (fewer
 * series, no offsets), and anything that still looks like an address
 * becomes "unknown", so no kernel address ever reaches a label.
 */
static char *caller_label(const char *sym)
{
	size_t n = sym ? strcspn(sym, "+") : 0, hex = 0;
	const char *p = sym;

	while (n && isspace((unsigned char)sym[n - 1]))
		n--;
	if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		return strdup("unknown");
	for (size_t i = 0; i < n; i++)
		hex = isxdigit((unsigned char)p[i]) ? hex + 1 : 0;
	if (!n || hex == n || hex >= 12)
		return strdup("unknown");
	/* Our own bucket name: a symbol called "other" joins it. */
	if (n == 5 && !strncmp(sym, "other", 5))
		return strdup("other");
	return strndup(sym, n);
}

struct labelled {
	char *label;
	uint64_t bytes;
};

static int by_bytes(const void *a, const void *b)
{
	const struct labelled *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return strcmp(x->label, y->label);
}

/* Merges callers that map to the same label, sorts by bytes, biggest first. */
static int collect_callers(const struct kvshadow_prom *in,
			   struct labelled **out, size_t *nout)
{
	struct labelled *v = calloc(in->ncallers ? in->ncallers : 1, sizeof(*v));
	size_t n = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < in->ncallers; i++) {
		char *label = caller_label(in->callers[i].caller);
		size_t j;

		if (!label) {
			while (n)
				free(v[--n].label);
			free(v);
			return -ENOMEM;
		}
		for (j = 0; j < n && strcmp(v[j].label, label); j++)
			;
		if (j < n) {
			free(label);
		} else {
			v[n].label = label;
			n++;
		}
		v[j].bytes += in->callers[i].populated_bytes;
	}
	qsort(v, n, sizeof(*v), by_bytes);
	*out = v;
	*nout = n;
	return 0;
}

static int write_callers(struct promtext *pt, const struct kvshadow_prom *in,
			 struct kvshadow_prom_state *st, bool estimate)
{
	struct labelled *v;
	uint64_t total = 0, named = 0, other;
	size_t n, shown = 0;
	int r = collect_callers(in, &v, &n);

	if (r)
		return r;
	r = family(pt, &by_caller, estimate);
	for (size_t i = 0; i < n; i++) {
		total += v[i].bytes;
		if (r || shown >= in->top_n || !strcmp(v[i].label, "other"))
			continue;
		struct promtext_label l = { "caller", v[i].label };

		r = promtext_sample(pt, &l, 1, (double)v[i].bytes);
		named += v[i].bytes;
		shown++;
	}
	if (in->has[KVSHADOW_POPULATED_BYTES] &&
	    in->value[KVSHADOW_POPULATED_BYTES] > total)
		total = in->value[KVSHADOW_POPULATED_BYTES];
	/*
	 * Ranking by cumulative bytes means the remainder cannot shrink when
	 * the top N changes (whoever enters had more than whoever leaves).
	 * It can when the caller list and the populated counter disagree
	 * (bounded BPF maps, merged labels): then "other" holds its previous
	 * value rather than go down and read as a counter reset.
	 */
	other = total - named;
	if (st) {
		if (other < st->other_bytes)
			other = st->other_bytes;
		st->other_bytes = other;
	}
	if (!r) {
		struct promtext_label l = { "caller", "other" };

		r = promtext_sample(pt, &l, 1, (double)other);
	}
	while (n)
		free(v[--n].label);
	free(v);
	return r;
}

static int write_info(struct promtext *pt, const struct kvshadow_prom *in)
{
	struct utsname u;
	const char *kernel = in->kernel;
	int r;

	if (!kernel) {
		if (uname(&u))
			return -errno;
		kernel = u.release;
	}
	struct promtext_label l[] = { { "mode", in->mode }, { "kernel", kernel } };

	r = promtext_family(pt, info.name, info.type, info.help);
	if (!r)
		r = promtext_sample(pt, l, 2, 1);
	return r;
}

int kvshadow_prom_render(struct promtext *pt, const struct kvshadow_prom *in,
			 struct kvshadow_prom_state *st)
{
	bool estimate;
	int r = 0;

	if (!in->mode || (strcmp(in->mode, "exact") && strcmp(in->mode, "debugfs") &&
			  strcmp(in->mode, "estimate")))
		return -EINVAL;
	estimate = !strcmp(in->mode, "estimate");

	r = write_info(pt, in);
	for (int i = 0; !r && i < KVSHADOW_PROM_SCALARS; i++) {
		if (!in->has[i])
			continue;
		r = family(pt, &scalars[i], estimate);
		if (!r)
			r = promtext_sample(pt, NULL, 0, (double)in->value[i]);
	}
	if (!r && in->has[KVSHADOW_SHADOW_BYTES] &&
	    in->has[KVSHADOW_VMALLOC_USED_BYTES] &&
	    in->value[KVSHADOW_VMALLOC_USED_BYTES]) {
		r = family(pt, &overhead, estimate);
		if (!r)
			r = promtext_sample(pt, NULL, 0,
					    (double)in->value[KVSHADOW_SHADOW_BYTES] /
					    (double)in->value[KVSHADOW_VMALLOC_USED_BYTES]);
	}
	for (int i = 0; !r && i < KVSHADOW_PROM_HISTS; i++) {
		const struct kvshadow_prom_hist *h = &in->hist[i];

		if (!in->has_hist[i])
			continue;
		r = family(pt, &hists[i], estimate);
		if (!r)
			r = promtext_histogram(pt, NULL, 0, h->bounds, h->cumulative,
					       h->nbounds, h->sum, h->count);
	}
	if (!r && in->has_callers)
		r = write_callers(pt, in, st, estimate);
	return r;
}

int kvshadow_prom_write(struct atomicfile *af, const struct kvshadow_prom *in,
			struct kvshadow_prom_state *st, char *err, size_t errlen)
{
	struct promtext *pt = promtext_new();
	const char *data;
	size_t len;
	int r;

	if (!pt) {
		snprintf(err, errlen, "%s: out of memory", af->path);
		return -ENOMEM;
	}
	r = kvshadow_prom_render(pt, in, st);
	if (!r)
		r = promtext_finish(pt, &data, &len);
	if (r) {
		snprintf(err, errlen, "%s: cannot write metrics: %s", af->path,
			 *promtext_error(pt) ? promtext_error(pt) : strerror(-r));
	} else {
		r = atomicfile_write(af, data, len, err, errlen);
	}
	promtext_free(pt);
	return r;
}
