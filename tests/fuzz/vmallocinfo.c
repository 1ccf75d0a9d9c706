// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the parsers of /proc/vmallocinfo (kvs_vmallocinfo_parse,
 * kvs_vmallocinfo_bytes) on the same text. Properties: every area handed
 * on is a kernel address range, start < end, exactly as the line writes it
 * ("0x<hex>-0x<hex>", no sign, no blanks, at most 16 digits: checked
 * against a reference reading of the text); the count returned is the
 * areas handed on; hidden addresses are -EACCES only when no area was
 * usable; a callback error stops the parse and is returned. The sizes
 * parser (kvs_vmallocinfo_sizes) hands on the lines the bytes count sums,
 * and the approximate seed built from them keeps low <= shown <= high,
 * also after purges, whatever the sizes.
 */
#include <errno.h>

#include "approx_seed.h"
#include "fuzz.h"
#include "vmallocinfo.h"

#define MAX_AREAS 4096

struct seen {
	long areas;
	long stop_at;		/* return an error at this area; -1: never */
	uint64_t (*want)[2];	/* the areas the text holds, as the kernel writes them */
	long nr_want;
};

/* 1 to 16 hex digits after "0x", as the kernel prints %px and %pK. */
static const char *ref_hex(const char *p, uint64_t *v)
{
	int n = 0;

	if (strncmp(p, "0x", 2))
		return NULL;
	*v = 0;
	for (p += 2; n <= 16 && strchr("0123456789abcdef", *p) && *p; p++, n++)
		*v = *v << 4 | (uint64_t)(strchr("0123456789abcdef", *p) - "0123456789abcdef");
	return n && n <= 16 ? p : NULL;
}

/* The reference: each line "0x<start>-0x<end>" (a line ends at '\n' or a NUL). */
static long ref_areas(const uint8_t *data, size_t size, uint64_t (*out)[2])
{
	long nr = 0;

	for (size_t off = 0; off < size && nr < MAX_AREAS;) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - data) - off : size - off;
		char *line = fuzz_str(data + off, len);
		const char *p = ref_hex(line, &out[nr][0]);
		uint64_t start = out[nr][0], end;

		if (p && *p == '-' && (p = ref_hex(p + 1, &end)) && (!*p || *p == ' ') &&
		    start >> 63 && end > start)
			out[nr++][1] = end;
		free(line);
		off += len + 1;
	}
	return nr;
}

static int on_area(void *arg, uint64_t start, uint64_t end, int lazy)
{
	struct seen *s = arg;

	CHECK(start >> 63, "not a kernel address: %#llx", (unsigned long long)start);
	CHECK(end > start, "empty or reversed area %#llx-%#llx", (unsigned long long)start,
	      (unsigned long long)end);
	CHECK(lazy == 0 || lazy == 1, "lazy %d", lazy);
	CHECK(s->areas < s->nr_want && s->want[s->areas][0] == start &&
	      s->want[s->areas][1] == end, "area %ld %#llx-%#llx is not in the text as written",
	      s->areas, (unsigned long long)start, (unsigned long long)end);
	if (s->areas++ == s->stop_at)
		return -E2BIG;
	return 0;
}

struct sizes {
	struct kvs_approx_seed seed;
	uint64_t sum;
	long lines;
};

static int on_size(void *arg, uint64_t size, int lazy)
{
	struct sizes *z = arg;

	CHECK(lazy == 0 || lazy == 1, "lazy %d", lazy);
	z->sum = z->sum + size < z->sum ? UINT64_MAX : z->sum + size;
	z->lines++;
	/* As estimate mode seeds: whole pages only. */
	if (size && !(size % 4096))
		CHECK(!kvs_approx_seed_add(&z->seed, size / 4096, lazy), "add");
	return 0;
}

/* The sizes the bytes count sums; the seed from them in order, before and after purges. */
static void check_sizes(const uint8_t *data, size_t size, uint64_t bytes, int bytes_ret)
{
	struct sizes z = { .lines = 0 };
	uint64_t rel, pages;
	char *buf;
	FILE *f;
	long n;

	kvs_approx_seed_init(&z.seed, 8);
	f = fuzz_stream(data, size, &buf);
	n = kvs_vmallocinfo_sizes(f, on_size, &z);
	fclose(f);
	free(buf);
	CHECK(n >= 0 || n == -EIO, "ret %ld", n);
	if (n >= 0 && bytes_ret != -EIO) {
		CHECK(n == z.lines, "returned %ld, handed on %ld", n, z.lines);
		CHECK((n > 0) == (bytes_ret == 0), "%ld sizes, bytes said %d", n, bytes_ret);
		CHECK(!n || z.sum == bytes, "sizes sum to %llu, bytes %llu",
		      (unsigned long long)z.sum, (unsigned long long)bytes);
	}
	CHECK(!kvs_approx_seed_finish(&z.seed), "finish");
	CHECK(z.seed.low <= z.seed.shown && z.seed.shown <= z.seed.high, "seed %llu <= %llu <= %llu",
	      (unsigned long long)z.seed.low, (unsigned long long)z.seed.shown,
	      (unsigned long long)z.seed.high);
	z.seed.freed = z.seed.pool[KVS_SEED_LIVE].nr;
	for (size_t k = 1; kvs_approx_seed_waiting(&z.seed); k *= 2) {
		kvs_approx_seed_purge(&z.seed, k, &rel, &pages);
		CHECK(z.seed.low <= z.seed.shown && z.seed.shown <= z.seed.high,
		      "after a purge: %llu <= %llu <= %llu", (unsigned long long)z.seed.low,
		      (unsigned long long)z.seed.shown, (unsigned long long)z.seed.high);
	}
	kvs_approx_seed_free(&z.seed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t want[MAX_AREAS][2];
	struct seen s = { .stop_at = -1, .want = want };
	uint64_t bytes = 0;
	char *buf;
	FILE *f;
	long nr;
	int ret;

	s.nr_want = ref_areas(data, size, want);
	f = fuzz_stream(data, size, &buf);
	nr = kvs_vmallocinfo_parse(f, on_area, &s, NULL);
	fclose(f);
	free(buf);
	CHECK(nr >= 0 || nr == -EACCES || nr == -EIO, "ret %ld", nr);
	if (nr >= 0) {
		CHECK(nr == s.areas, "returned %ld areas, handed on %ld", nr, s.areas);
		CHECK(nr == s.nr_want || s.nr_want == MAX_AREAS, "%ld areas, the text has %ld",
		      nr, s.nr_want);
	}
	if (nr == -EACCES)
		CHECK(!s.areas, "-EACCES after %ld usable areas", s.areas);

	/* A callback that fails stops the parse with its error. */
	if (s.areas) {
		struct seen t = { .stop_at = s.areas / 2, .want = want, .nr_want = s.nr_want };

		f = fuzz_stream(data, size, &buf);
		nr = kvs_vmallocinfo_parse(f, on_area, &t, NULL);
		fclose(f);
		free(buf);
		CHECK(nr == -E2BIG && t.areas == s.areas / 2 + 1, "ret %ld after %ld areas", nr,
		      t.areas);
	}

	f = fuzz_stream(data, size, &buf);
	ret = kvs_vmallocinfo_bytes(f, &bytes);
	fclose(f);
	free(buf);
	CHECK(ret == 0 || ret == -ENODATA || ret == -EIO, "ret %d", ret);
	check_sizes(data, size, ret == 0 ? bytes : 0, ret);
	return 0;
}
