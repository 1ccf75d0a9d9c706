// SPDX-License-Identifier: GPL-2.0
/*
 * kvshadowtop diff A B: two recordings' summaries (summary.h) side by
 * side, number by number (counters, peaks, latency percentiles) and per
 * caller row, with the absolute and relative change; --fail-on turns
 * thresholds into exit status 3. Numbers that do not mean the same in
 * both runs (other page size, modelled against measured) are left out,
 * and the output says which and why.
 */
#include "diff.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "failon.h"
#include "json_view.h"
#include "recording.h"
#include "summary.h"

struct run {
	const char *path;
	enum kvs_mode mode;
	uint64_t page_size;
	char kernel[65];
	bool complete;
	json_t *sum;			/* the summary */
	json_t *flat;			/* its numbers by dotted key (null where unknown) */
};

/* Summary keys that describe the file or the machine, not the workload. */
static const char *const not_compared[] = {
	"event", "intervals", "complete", "mode", "kernel", "page_size", "start_ts", "end_ts",
	"elapsed_s", "shadow_pages_max_ts", "top", "top_by", "debugfs", "debugfs_baseline",
	"caller_walk", "ring_buffer_bytes", "estimate_reseeds",
};

static bool compared(const char *key)
{
	for (size_t i = 0; i < sizeof(not_compared) / sizeof(not_compared[0]); i++)
		if (!strcmp(key, not_compared[i]))
			return false;
	return true;
}

/* Numbers and nulls of o into flat, as prefix.key. */
static int flatten(json_t *flat, json_t *o, const char *prefix)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		char *key;
		int ret = 0;

		if (!*prefix && !compared(k))
			continue;
		if (asprintf(&key, "%s%s%s", prefix, *prefix ? "." : "", k) < 0)
			return -ENOMEM;
		if (json_is_object(v))
			ret = flatten(flat, v, key);
		else if (json_is_number(v) || json_is_null(v))
			ret = json_object_set(flat, key, v) ? -ENOMEM : 0;
		free(key);
		if (ret)
			return ret;
	}
	return 0;
}

static int load(struct run *r, const char *prog)
{
	struct kvs_summary_acc acc = { 0 };
	struct kvs_rec_reader *rd;
	struct kvs_rec_interval iv;
	const struct kvs_rec_header *h;
	char err[640];
	int ret;

	if (kvs_rec_open(&rd, r->path, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	h = kvs_rec_header(rd);
	r->mode = h->mode;
	r->page_size = h->page_size;
	memcpy(r->kernel, h->kernel, sizeof(r->kernel));
	while ((ret = kvs_rec_next(rd, &iv, err, sizeof(err))) == 1) {
		kvs_summary_add(&acc, iv.object);
		kvs_rec_interval_free(&iv);
	}
	if (ret == KVS_REC_EARLY)
		fprintf(stderr, "%s: warning: %s\n", prog, err);
	r->complete = ret == KVS_REC_END;
	r->sum = ret == -ENOMEM ? NULL : kvs_summary_json(&acc, h, r->complete);
	json_decref(acc.last);
	kvs_rec_close(rd);
	r->flat = json_object();
	if (!r->sum || !r->flat || flatten(r->flat, r->sum, "")) {
		fprintf(stderr, "%s: %s: out of memory\n", prog, r->path);
		return -1;
	}
	return 0;
}

static bool shadow_key(const char *key)
{
	static const char *const derived[] = {
		"shadow_bytes", "shadow_pages_max", "overhead_ratio", "overhead_ratio_vmap",
		"drift_pages", "pagetable_pages", "latency.populate.", "latency.release.",
		"populate_p50_ns", "populate_p99_ns",
	};

	for (size_t i = 0; i < KVS_NR_COUNTERS; i++)
		if (kvs_counter_info[i].shadow && !strcmp(key, kvs_counter_info[i].name))
			return true;
	for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++)
		if (!strncmp(key, derived[i], strlen(derived[i])) &&
		    (derived[i][strlen(derived[i]) - 1] == '.' || !key[strlen(derived[i])]))
			return true;
	return false;
}

/* The value at a dotted key of o, or NULL. */
static json_t *dotted(json_t *o, const char *key)
{
	char *copy = strdup(key), *save = NULL, *k;

	for (k = copy ? strtok_r(copy, ".", &save) : NULL; k && o; k = strtok_r(NULL, ".", &save))
		o = json_object_get(o, k);
	free(copy);
	return copy ? o : NULL;
}

/* Why key is not compared between a and b, or NULL: it means the same in both. */
static const char *left_out(const struct run *a, const struct run *b, const char *key,
			    char *buf, size_t len)
{
	bool est_a = kvs_modes[a->mode].estimate, est_b = kvs_modes[b->mode].estimate;

	if (a->page_size != b->page_size && strstr(key, "pages")) {
		snprintf(buf, len, "pages of %llu bytes in A, %llu in B: compare the bytes",
			 (unsigned long long)a->page_size, (unsigned long long)b->page_size);
		return buf;
	}
	if (est_a != est_b && shadow_key(key)) {
		snprintf(buf, len, "modelled in %s mode, measured in %s mode",
			 kvs_mode_name(est_a ? a->mode : b->mode), kvs_mode_name(est_a ? b->mode : a->mode));
		return buf;
	}
	if (!strcmp(key, "purge.stalls") &&
	    !json_equal(json_object_get(a->flat, "purge.stall_ns"),
			json_object_get(b->flat, "purge.stall_ns"))) {
		snprintf(buf, len, "counted against another --stall threshold in each run");
		return buf;
	}
	if ((a->mode == KVS_MODE_DEBUGFS) != (b->mode == KVS_MODE_DEBUGFS) &&
	    !strcmp(key, "shadow_pages_peak")) {
		snprintf(buf, len, "since boot or reset in debugfs mode, since start in %s mode",
			 kvs_mode_name(a->mode == KVS_MODE_DEBUGFS ? b->mode : a->mode));
		return buf;
	}
	return NULL;
}

/* The rows of a run's top table and the key that names them. */
static json_t *rows_of(const struct run *r, const char **by)
{
	*by = json_string_value(json_object_get(r->sum, "top_by"));
	return json_object_get(r->sum, "top");
}

static json_t *row_named(const struct run *r, const char *name)
{
	const char *by;
	json_t *rows = rows_of(r, &by), *row;
	size_t i;

	json_array_foreach(rows, i, row)
		if (by && json_is_string(json_object_get(row, by)) &&
		    !strcmp(json_string_value(json_object_get(row, by)), name))
			return row;
	return NULL;
}

/* One compared number: {key, a, b, change, relative_change} (or left_out). */
static json_t *compare(json_t *va, json_t *vb, const char *why)
{
	double a, b;
	bool both = kvs_json_number(va, &a) && kvs_json_number(vb, &b);

	if (why)
		return json_pack("{s:s}", "left_out", why);
	return json_pack("{s:O, s:O, s:o, s:o}", "a", va ? va : json_null(),
			 "b", vb ? vb : json_null(),
			 "change", both ? json_real(b - a) : json_null(),
			 "relative_change", both && a != 0 ? json_real((b - a) / fabs(a)) : json_null());
}

static const char *const row_keys[] = {
	"pages_populated", "populate_calls", "vmalloc_p50_ns", "vmalloc_p99_ns",
	"populate_p50_ns", "populate_p99_ns",
};

static int add(json_t *a, json_t *o)
{
	return o ? json_array_append_new(a, o) : -1;
}

/* Every compared number of both runs, and the rows. */
static json_t *comparison(const struct run *a, const struct run *b)
{
	json_t *keys = json_array(), *rows = json_array(), *left = json_array(), *v;
	const char *k, *by_a, *by_b;
	json_t *all = json_deep_copy(a->flat);
	char why[160];

	if (!all || json_object_update_missing(all, b->flat))
		goto nomem;
	json_object_foreach(all, k, v) {
		const char *w = left_out(a, b, k, why, sizeof(why));
		json_t *c = compare(json_object_get(a->flat, k), json_object_get(b->flat, k), w);

		if (!c || json_object_set_new(c, "key", json_string(k)) ||
		    add(w ? left : keys, c))
			goto nomem;
	}
	rows_of(a, &by_a);
	rows_of(b, &by_b);
	if (!by_a || !by_b || strcmp(by_a, by_b)) {
		if (add(left, json_pack("{s:s, s:s}", "key", "top",
					"left_out", "rows by caller in one run, by process in the other")))
			goto nomem;
	} else {
		json_t *names = json_object(), *row;
		const struct run *runs[2] = { a, b };
		size_t i;

		/* A row number left out is said once, as top.KEY. */
		for (size_t j = 0; j < sizeof(row_keys) / sizeof(row_keys[0]); j++) {
			const char *w = left_out(a, b, row_keys[j], why, sizeof(why));
			char key[64];

			snprintf(key, sizeof(key), "top.%s", row_keys[j]);
			if (w && add(left, json_pack("{s:s, s:s}", "key", key, "left_out", w)))
				goto nomem;
		}

		for (int r = 0; names && r < 2; r++)
			json_array_foreach(rows_of(runs[r], &by_a), i, row)
				if (json_is_string(json_object_get(row, by_b)))
					json_object_set(names, json_string_value(json_object_get(row, by_b)),
							json_null());
		json_object_foreach(names, k, v) {
			json_t *ra = row_named(a, k), *rb = row_named(b, k);

			for (size_t j = 0; j < sizeof(row_keys) / sizeof(row_keys[0]); j++) {
				const char *w = left_out(a, b, row_keys[j], why, sizeof(why));
				json_t *c = w ? NULL : compare(json_object_get(ra, row_keys[j]),
							     json_object_get(rb, row_keys[j]), NULL);

				if (!w && (!c || json_object_set_new(c, by_b, json_string(k)) ||
					   json_object_set_new(c, "key", json_string(row_keys[j])) ||
					   add(rows, c)))
					goto nomem;
			}
		}
		json_decref(names);
	}
	json_decref(all);
	return json_pack("{s:o, s:o, s:o}", "keys", keys, "rows", rows, "left_out", left);
nomem:
	json_decref(all);
	json_decref(keys);
	json_decref(rows);
	json_decref(left);
	return NULL;
}

/* One --fail-on expression's verdict: {expr, result: ok|crossed|missing, why}. */
static json_t *verdict(const struct kvs_failon *f, const struct run *a, const struct run *b)
{
	json_t *va, *vb;
	double x, y;
	char why[320], lo[160];
	const char *w = left_out(a, b, f->key, lo, sizeof(lo)), *by;
	const char *res = "missing";

	if (f->row) {
		json_t *ra = row_named(a, f->row), *rb = row_named(b, f->row);

		rows_of(a, &by);
		va = json_object_get(ra, f->key);
		vb = json_object_get(rb, f->key);
		if (!ra || !rb)
			snprintf(why, sizeof(why), "%s '%s' is not among %s's top rows (-r)",
				 by ? by : "caller", f->row, !ra ? "A" : "B");
		else if (!va || !vb)
			snprintf(why, sizeof(why), "the rows have no number '%s'", f->key);
		else
			why[0] = '\0';
	} else {
		va = json_object_get(a->flat, f->key);
		vb = json_object_get(b->flat, f->key);
		if (!va && !vb && (json_is_number(dotted(a->sum, f->key)) ||
				   json_is_number(dotted(b->sum, f->key))))
			snprintf(why, sizeof(why), "'%s' is not compared: it describes the file or "
				 "the machine, not the workload", f->key);
		else if (!va && !vb)
			snprintf(why, sizeof(why), "neither run has a number '%s'", f->key);
		else
			why[0] = '\0';
	}
	if (!why[0] && w) {
		snprintf(why, sizeof(why), "left out: %s", w);
	} else if (!why[0] && (!kvs_json_number(va, &x) || !kvs_json_number(vb, &y))) {
		const struct run *r = !kvs_json_number(va, &x) ? a : b;

		snprintf(why, sizeof(why), "%s is %s in %s (%s mode)", f->key,
			 json_is_null(r == a ? va : vb) ? "null" : "missing", r == a ? "A" : "B",
			 kvs_mode_name(r->mode));
	} else if (!why[0]) {
		double c = kvs_failon_change(f, x, y);

		res = kvs_failon_crossed(f, x, y) ? "crossed" : "ok";
		snprintf(why, sizeof(why), "%+g%s (%g -> %g) against %c%+g%s", c,
			 f->percent ? "%" : "", x, y, f->greater ? '>' : '<', f->n,
			 f->percent ? "%" : "");
	}
	return json_pack("{s:s, s:s, s:s}", "expr", f->text, "result", res, "why", why);
}

static json_t *run_json(const struct run *r)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:b, s:O}", "file", r->path, "kernel", r->kernel,
			 "mode", kvs_mode_name(r->mode), "page_size", (json_int_t)r->page_size,
			 "complete", r->complete,
			 "intervals", json_object_get(r->sum, "intervals"));
}

int kvs_diff(struct kvs_options *o, const char *prog)
{
	struct run runs[2] = { { .path = o->rec_files[0] }, { .path = o->rec_files[1] } };
	struct kvs_failon *f = NULL;
	size_t nf = 0, i;
	json_t *out = NULL, *verdicts = json_array(), *v;
	char err[512];
	int status = 1;

	if (o->fail_on && kvs_failon_parse(o->fail_on, &f, &nf, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\nTry 'kvshadowtop -h'.\n", prog, err);
		json_decref(verdicts);
		return KVS_EXIT_USAGE;
	}
	if (!verdicts || load(&runs[0], prog) || load(&runs[1], prog))
		goto out;
	status = 0;
	for (i = 0; i < nf; i++) {
		v = verdict(&f[i], &runs[0], &runs[1]);
		if (!v || json_array_append_new(verdicts, v)) {
			status = 1;
			goto out;
		}
		if (strcmp(json_string_value(json_object_get(v, "result")), "ok"))
			status = KVS_DIFF_CROSSED;
	}
	out = comparison(&runs[0], &runs[1]);
	if (!out || json_object_set_new(out, "a", run_json(&runs[0])) ||
	    json_object_set_new(out, "b", run_json(&runs[1])) ||
	    json_object_set(out, "fail_on", verdicts) ||
	    json_object_set_new(out, "status", json_integer(status))) {
		fprintf(stderr, "%s: out of memory\n", prog);
		status = 1;
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	errno = 0;
	if ((o->json ? kvs_json_line(stdout, out) : kvs_diff_text(stdout, out)) &&
	    errno != EPIPE) {
		fprintf(stderr, "%s: writing the comparison: %s\n", prog,
			errno ? strerror(errno) : "write error");
		status = 1;
	}
out:
	json_decref(out);
	json_decref(verdicts);
	for (i = 0; i < 2; i++) {
		json_decref(runs[i].sum);
		json_decref(runs[i].flat);
	}
	kvs_failon_free(f, nf);
	return status;
}
