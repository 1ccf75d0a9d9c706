// SPDX-License-Identifier: GPL-2.0
/*
 * kvshadowstat's views: a vmstat-like text table and JSON Lines, both
 * printed from the same model row.
 */
#include "kvshadowstat_view.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#define FIELD_INDEX(name) kvstat_field_index(offsetof(struct vmalloc_shadow, name))

static size_t kvstat_field_index(size_t offset)
{
	size_t i;

	for (i = 0; i < VMALLOC_SHADOW_NR_FIELDS; i++)
		if (vmalloc_shadow_fields[i].offset == offset)
			return i;
	return 0;	/* unreachable: every caller names a known field */
}

static int text_header(FILE *f)
{
	return fprintf(f,
		"-----------shadow now---------- --------------------per interval---------------------\n"
		"     pages        KiB      peak   populated   released  pop_calls  failures  rel_calls\n");
}

static int text_row(FILE *f, const struct kvstat_row *row)
{
	const struct vmalloc_shadow *vs = &row->cur->vs;

	return fprintf(f, "%10" PRIu64 " %10" PRIu64 " %9" PRIu64 " %11" PRId64 " %10" PRId64
		       " %10" PRId64 " %9" PRId64 " %10" PRId64 "\n",
		       vs->shadow_pages, row->shadow_bytes / 1024, vs->shadow_pages_peak,
		       row->delta[FIELD_INDEX(pages_populated)],
		       row->delta[FIELD_INDEX(pages_released)],
		       row->delta[FIELD_INDEX(populate_calls)],
		       row->delta[FIELD_INDEX(populate_failures)],
		       row->delta[FIELD_INDEX(release_calls)]);
}

static int view_text(struct kvstat_views *v, const struct kvstat_row *row)
{
	if (v->text_rows % KVSTAT_HEADER_EVERY == 0 && text_header(v->out) < 0)
		return -EIO;
	if (text_row(v->out, row) < 0)
		return -EIO;
	v->text_rows++;
	return 0;
}

/* JSON integers are signed 64-bit in jansson: beyond that, a real keeps the magnitude. */
static json_t *json_u64(uint64_t v)
{
	return v > INT64_MAX ? json_real((double)v) : json_integer((json_int_t)v);
}

/* json_object_set_new that reports failure (it frees value either way). */
static int set(json_t *obj, const char *key, json_t *value)
{
	return value && !json_object_set_new(obj, key, value) ? 0 : -ENOMEM;
}

json_t *kvstat_json_row(const struct kvstat_row *row)
{
	const struct vmalloc_shadow *vs = &row->cur->vs;
	json_t *obj = json_object(), *delta = json_object();
	int ret = obj && delta ? 0 : -ENOMEM;
	size_t i;

	if (!ret)
		ret = set(obj, "ts", json_real(row->ts)) ?:
		      set(obj, "interval_s", json_real(row->interval_s)) ?:
		      set(obj, "mode", json_string("debugfs")) ?:
		      set(obj, "since_boot", json_boolean(row->since_boot));
	for (i = 0; !ret && i < VMALLOC_SHADOW_NR_FIELDS; i++)
		ret = set(obj, vmalloc_shadow_fields[i].name, json_u64(vmalloc_shadow_get(vs, i))) ?:
		      set(delta, vmalloc_shadow_fields[i].name, json_integer(row->delta[i]));
	if (!ret) {
		ret = set(obj, "shadow_bytes", json_u64(row->shadow_bytes)) ?:
		      set(obj, "peak_reset", json_boolean(row->peak_reset)) ?:
		      set(obj, "delta", json_incref(delta));
	}
	/* Keys of newer kernels too, as long as they do not clash with ours. */
	for (i = 0; !ret && i < vs->nr_extra; i++)
		if (!json_object_get(obj, vs->extra[i].key))
			ret = set(obj, vs->extra[i].key, json_u64(vs->extra[i].value));
	json_decref(delta);
	if (ret) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static int view_json(struct kvstat_views *v, const struct kvstat_row *row)
{
	json_t *obj = kvstat_json_row(row);
	int ret = 0;

	if (!obj)
		return -ENOMEM;
	/* 13 digits: ts to the millisecond without binary noise. */
	if (json_dumpf(obj, v->out, JSON_COMPACT | JSON_REAL_PRECISION(13)) ||
	    fputc('\n', v->out) == EOF)
		ret = -EIO;
	json_decref(obj);
	return ret;
}

int kvstat_views_emit(struct kvstat_views *v, const struct kvstat_row *row)
{
	int ret = v->json ? view_json(v, row) : view_text(v, row);

	if (ret)
		return ret;
	/* Each line must reach a pipe when it is printed, not at exit. */
	return fflush(v->out) ? -errno : 0;
}
