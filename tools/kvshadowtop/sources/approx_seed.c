// SPDX-License-Identifier: GPL-2.0
/* Estimate mode's seed from sizes alone: the bounds of approx_seed.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "approx_seed.h"

/* Sums saturate: no real kernel comes near, a file of made-up sizes may. */
static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

uint64_t kvs_approx_touched_min(uint64_t n, uint64_t p)
{
	return div_up(n, p);
}

uint64_t kvs_approx_touched_max(uint64_t n, uint64_t p)
{
	/* ceil((n + p - 1) / p), with n - 1 = q*p + r: q + 1 + (r > 0), no overflow */
	return n ? (n - 1) / p + 1 + ((n - 1) % p != 0) : 0;
}

uint64_t kvs_approx_covered_min(uint64_t n, uint64_t p)
{
	/* o = 1: floor((n + 1) / p) - 1, never below 0 */
	uint64_t f = n / p + (n % p + 1 >= p);

	return f ? f - 1 : 0;
}

uint64_t kvs_approx_covered_max(uint64_t n, uint64_t p)
{
	return n / p;
}

void kvs_approx_seed_init(struct kvs_approx_seed *s, uint64_t pages_per_shadow)
{
	memset(s, 0, sizeof(*s));
	s->p = pages_per_shadow ? pages_per_shadow : 1;
}

int kvs_approx_seed_add(struct kvs_approx_seed *s, uint64_t pages, bool lazy)
{
	struct kvs_seed_pool *pl = &s->pool[lazy ? KVS_SEED_LAZY : KVS_SEED_LIVE];

	if (!pages)
		return -EINVAL;
	if (pl->nr == pl->cap) {
		size_t cap = pl->cap ? pl->cap * 2 : 256;
		uint64_t *n = realloc(pl->pages, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		pl->pages = n;
		pl->cap = cap;
	}
	pl->pages[pl->nr++] = pages;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Prefix sums of what the pool's areas release: most (largest first), least (smallest first). */
static int pool_finish(struct kvs_seed_pool *pl, uint64_t p)
{
	pl->most = calloc(pl->nr + 1, sizeof(*pl->most));
	pl->least = calloc(pl->nr + 1, sizeof(*pl->least));
	if (!pl->most || !pl->least)
		return -ENOMEM;
	/* Both covered_min and covered_max grow with n: one order serves both. */
	if (pl->nr)
		qsort(pl->pages, pl->nr, sizeof(*pl->pages), cmp_u64);
	for (size_t i = 0; i < pl->nr; i++) {
		uint64_t n = pl->pages[i];

		pl->least[i + 1] = add_sat(pl->least[i], kvs_approx_covered_min(n, p));
		pl->most[i + 1] = add_sat(pl->most[i],
					  kvs_approx_covered_max(pl->pages[pl->nr - 1 - i], p));
		pl->expect_p = add_sat(pl->expect_p, n + 1 > p ? n + 1 - p : 0);
		pl->total = add_sat(pl->total, n);
	}
	free(pl->pages);
	pl->pages = NULL;
	pl->cap = 0;
	return 0;
}

int kvs_approx_seed_finish(struct kvs_approx_seed *s)
{
	uint64_t biggest_min = 0;

	for (int k = 0; k < KVS_SEED_POOLS; k++) {
		struct kvs_seed_pool *pl = &s->pool[k];

		for (size_t i = 0; i < pl->nr; i++) {
			uint64_t n = pl->pages[i], lo = kvs_approx_touched_min(n, s->p);

			s->nr_areas++;
			s->area_pages = add_sat(s->area_pages, n);
			s->high = add_sat(s->high, kvs_approx_touched_max(n, s->p));
			if (lo > biggest_min)
				biggest_min = lo;
		}
		if (pool_finish(pl, s->p))
			return -ENOMEM;
	}
	s->low = div_up(s->area_pages, s->p);
	if (biggest_min > s->low)
		s->low = biggest_min;
	s->shown = s->low + (s->high - s->low) / 2;
	return 0;
}

size_t kvs_approx_seed_waiting(const struct kvs_approx_seed *s)
{
	const struct kvs_seed_pool *lazy = &s->pool[KVS_SEED_LAZY], *live = &s->pool[KVS_SEED_LIVE];

	return (lazy->nr - lazy->purged) + (s->freed - live->purged);
}

/* j/nr of v, rounded: what pool pl's first j purged areas have of v on average. */
static uint64_t share(const struct kvs_seed_pool *pl, double v, size_t j)
{
	return pl->nr ? (uint64_t)(v * (double)j / (double)pl->nr + 0.5) : 0;
}

size_t kvs_approx_seed_purge(struct kvs_approx_seed *s, size_t k, uint64_t *released,
			     uint64_t *pages)
{
	size_t done = 0;

	*released = *pages = 0;
	for (int w = 0; w < KVS_SEED_POOLS && done < k; w++) {
		struct kvs_seed_pool *pl = &s->pool[w];
		size_t avail = w == KVS_SEED_LAZY ? pl->nr - pl->purged : s->freed - pl->purged;
		size_t j = k - done < avail ? k - done : avail;
		uint64_t most, least, exp;

		if (!j)
			continue;
		/*
		 * Which j of them is unknown: the j that could release the most
		 * bound the low side, the j that release the least the high side;
		 * the bound of the pool's first i purged areas grows with i.
		 */
		most = pl->most[pl->purged + j] - pl->most[pl->purged];
		least = pl->least[pl->purged + j] - pl->least[pl->purged];
		exp = share(pl, (double)pl->expect_p / (double)s->p, pl->purged + j) -
		      share(pl, (double)pl->expect_p / (double)s->p, pl->purged);
		*pages += share(pl, (double)pl->total, pl->purged + j) -
			  share(pl, (double)pl->total, pl->purged);
		pl->purged += j;
		done += j;
		s->low = s->low > most ? s->low - most : 0;
		s->high = s->high > least ? s->high - least : 0;
		exp = exp < s->shown ? exp : s->shown;
		s->shown -= exp;
		*released += exp;
	}
	/* The middle estimate stays inside the bounds. */
	if (s->shown < s->low) {
		*released -= s->low - s->shown < *released ? s->low - s->shown : *released;
		s->shown = s->low;
	}
	if (s->shown > s->high) {
		*released += s->shown - s->high;
		s->shown = s->high;
	}
	return done;
}

void kvs_approx_seed_free(struct kvs_approx_seed *s)
{
	for (int k = 0; k < KVS_SEED_POOLS; k++) {
		free(s->pool[k].pages);
		free(s->pool[k].most);
		free(s->pool[k].least);
	}
	memset(s, 0, sizeof(*s));
}
