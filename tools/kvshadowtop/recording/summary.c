// SPDX-License-Identifier: GPL-2.0
/* A recording's summary (see summary.h). */
#include "summary.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "format.h"
#include "json_view.h"

bool kvs_json_number(json_t *v, double *out)
{
	if (!json_is_number(v))
		return false;
	*out = json_number_value(v);
	return true;
}

void kvs_summary_add(struct kvs_summary_acc *a, json_t *object)
{
	json_t *pages = json_object_get(object, "shadow_pages"), *lazy;
	double ts = json_number_value(json_object_get(object, "ts"));

	if (!a->intervals)
		a->start_ts = ts;
	a->end_ts = ts;
	a->intervals++;
	if (json_is_integer(pages) && json_integer_value(pages) >= 0 &&
	    (!a->have_max || (uint64_t)json_integer_value(pages) > a->max_pages)) {
		a->have_max = true;
		a->max_pages = (uint64_t)json_integer_value(pages);
		a->max_ts = ts;
	}
	lazy = json_object_get(json_object_get(object, "purge"), "lazy_pages");
	if (json_is_integer(lazy) && json_integer_value(lazy) >= 0 &&
	    (!a->have_lazy_max || (uint64_t)json_integer_value(lazy) > a->lazy_max_pages)) {
		a->have_lazy_max = true;
		a->lazy_max_pages = (uint64_t)json_integer_value(lazy);
	}
	json_decref(a->last);
	a->last = json_incref(object);
}

/* Keys of the interval object that describe one interval, not the run. */
static const char *const per_interval[] = {
	"ts", "interval_s", "since_boot", "delta", "peak_reset", "purge_crossed", "self",
};

static void drop_interval_keys(json_t *s)
{
	json_t *lat = json_object_get(s, "latency"), *h;
	json_t *purge = json_object_get(s, "purge");
	const char *name;

	for (size_t i = 0; i < sizeof(per_interval) / sizeof(per_interval[0]); i++)
		json_object_del(s, per_interval[i]);
	json_object_foreach(lat, name, h) {
		json_object_del(h, "interval_p50_ns");
		json_object_del(h, "interval_p99_ns");
	}
	/* An instant's report and an interval's count: not the run's. */
	json_object_del(purge, "lazy_ts");
	json_object_del(purge, "interval_stalls");
}

json_t *kvs_summary_json(struct kvs_summary_acc *a, const struct kvs_rec_header *h,
			 bool complete)
{
	json_t *s = a->last ? json_deep_copy(a->last) : json_object(), *run, *purge;

	json_decref(a->last);
	a->last = NULL;
	if (!s)
		return NULL;
	drop_interval_keys(s);
	/* The run's worst lazy backlog, where a run has purge keys at all. */
	purge = json_object_get(s, "purge");
	if (purge && json_object_set_new(purge, "lazy_pages_max", a->have_lazy_max ?
					 json_integer((json_int_t)a->lazy_max_pages) : json_null())) {
		json_decref(s);
		return NULL;
	}
	run = json_pack("{s:s, s:I, s:b, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o}",
			"event", "summary", "intervals", (json_int_t)a->intervals,
			"complete", complete, "mode", kvs_mode_name(h->mode), "kernel", h->kernel,
			"page_size", (json_int_t)h->page_size,
			"start_ts", a->intervals ? json_real(a->start_ts) : json_null(),
			"end_ts", a->intervals ? json_real(a->end_ts) : json_null(),
			"elapsed_s", a->intervals ? json_real(a->end_ts - a->start_ts) : json_null(),
			"shadow_pages_max", a->have_max ? json_integer((json_int_t)a->max_pages) :
			json_null(),
			"shadow_pages_max_ts", a->have_max ? json_real(a->max_ts) : json_null());
	/* The run's keys first, then the last interval's totals. */
	if (!run || json_object_update_missing(run, s)) {
		json_decref(run);
		run = NULL;
	}
	json_decref(s);
	return run;
}

static const char *num(char *buf, size_t len, json_t *v)
{
	double d;

	if (!kvs_json_number(v, &d))
		snprintf(buf, len, "n/a");
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else
		snprintf(buf, len, "%.4g", d);
	return buf;
}

static void text_latency(FILE *f, json_t *s)
{
	json_t *lat = json_object_get(s, "latency"), *h;
	const char *name;
	char a[32], b[32], c[32];

	json_object_foreach(lat, name, h) {
		double p50 = NAN, p99 = NAN;

		if (!json_is_true(json_object_get(h, "available"))) {
			fprintf(f, "  latency %-9s n/a: %s\n", name,
				json_string_value(json_object_get(h, "why")) ?: "not measured");
			continue;
		}
		(void)kvs_json_number(json_object_get(h, "p50_ns"), &p50);
		(void)kvs_json_number(json_object_get(h, "p99_ns"), &p99);
		fprintf(f, "  latency %-9s p50 %s  p99 %s  (%s calls)\n", name,
			kvs_fmt_ns(a, sizeof(a), p50), kvs_fmt_ns(b, sizeof(b), p99),
			num(c, sizeof(c), json_object_get(h, "count")));
	}
}

/* The run's worst lazy backlog and its stalls, where the run has purge keys. */
static void text_purge(FILE *f, json_t *s)
{
	json_t *p = json_object_get(s, "purge");
	char a[32], b[32], c[32];
	double page = 0, max = 0;

	if (!p)
		return;
	(void)kvs_json_number(json_object_get(s, "page_size"), &page);
	if (kvs_json_number(json_object_get(p, "lazy_pages_max"), &max))
		fprintf(f, "  lazy purge backlog peak %s pages (%s)", num(a, sizeof(a),
			json_object_get(p, "lazy_pages_max")),
			kvs_fmt_bytes(b, sizeof(b), (uint64_t)(max * page)));
	else
		fprintf(f, "  lazy purge backlog peak n/a");
	fprintf(f, ", purge stalls %s\n", num(c, sizeof(c), json_object_get(p, "stalls")));
}

static void text_top(FILE *f, json_t *s)
{
	const char *by = json_string_value(json_object_get(s, "top_by"));
	json_t *top = json_object_get(s, "top"), *row;
	size_t i;
	char a[32], b[32];

	if (!by || !json_array_size(top))
		return;
	fprintf(f, "  top %s by pages populated:\n", by);
	json_array_foreach(top, i, row)
		fprintf(f, "    %-40s %10s pages %8s calls\n",
			json_string_value(json_object_get(row, by)) ?: "?",
			num(a, sizeof(a), json_object_get(row, "pages_populated")),
			num(b, sizeof(b), json_object_get(row, "populate_calls")));
}

int kvs_summary_text(FILE *f, json_t *s, const char *file)
{
	char a[32], b[32], c[40], d[32];
	double max_ts = 0, elapsed = 0, bytes = 0;
	json_t *max = json_object_get(s, "shadow_pages_max");

	(void)kvs_json_number(json_object_get(s, "elapsed_s"), &elapsed);
	fprintf(f, "\nSummary of %s: %s intervals over %.1f s, %s mode, kernel %s%s\n", file,
		num(a, sizeof(a), json_object_get(s, "intervals")), elapsed,
		json_string_value(json_object_get(s, "mode")),
		json_string_value(json_object_get(s, "kernel")),
		json_is_true(json_object_get(s, "complete")) ? "" : " (the file ends early)");
	if (json_is_integer(max) && kvs_json_number(json_object_get(s, "shadow_pages_max_ts"),
						     &max_ts)) {
		(void)kvs_json_number(json_object_get(s, "page_size"), &bytes);
		fprintf(f, "  shadow_pages peak %s (%s) at %s\n", num(a, sizeof(a), max),
			kvs_fmt_bytes(b, sizeof(b), (uint64_t)(bytes * (double)json_integer_value(max))),
			kvs_fmt_clock(c, sizeof(c), max_ts));
	} else {
		fprintf(f, "  shadow_pages peak n/a\n");
	}
	fprintf(f, "  totals:");
	for (size_t i = 0, shown = 0; i < KVS_NR_COUNTERS; i++) {
		const char *name = kvs_counter_info[i].name;

		if (kvs_counter_info[i].type != KVS_COUNTER && i != KVS_ID_shadow_pages_peak)
			continue;
		fprintf(f, "%s %s %s", shown && shown % 4 == 0 ? "\n         " : "", name,
			num(d, sizeof(d), json_object_get(s, name)));
		shown++;
	}
	fputc('\n', f);
	text_purge(f, s);
	text_latency(f, s);
	text_top(f, s);
	return fflush(f) || ferror(f) ? (errno ? -errno : -EIO) : 0;
}
