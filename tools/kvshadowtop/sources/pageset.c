// SPDX-License-Identifier: GPL-2.0
/* Sparse page bitmap (see pageset.h). */
#include "pageset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_PAGES (1ULL << KVS_PAGESET_CHUNK_SHIFT)
#define CHUNK_WORDS (CHUNK_PAGES / 64)

/* The position of chunk idx in the sorted array, or where it would go. */
static size_t chunk_pos(const struct kvs_pageset *s, uint64_t idx)
{
	size_t lo = 0, hi = s->nr;

	if (s->last < s->nr && s->chunks[s->last].idx == idx)
		return s->last;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->chunks[mid].idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t *chunk_find(const struct kvs_pageset *s, uint64_t idx)
{
	size_t pos = chunk_pos(s, idx);

	return pos < s->nr && s->chunks[pos].idx == idx ? s->chunks[pos].bits : NULL;
}

static uint64_t *chunk_get(struct kvs_pageset *s, uint64_t idx)
{
	size_t pos = chunk_pos(s, idx);
	uint64_t *bits;

	if (pos < s->nr && s->chunks[pos].idx == idx) {
		s->last = pos;
		return s->chunks[pos].bits;
	}
	if (s->nr == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 8;
		struct kvs_pageset_chunk *n = realloc(s->chunks, nc * sizeof(*n));

		if (!n)
			return NULL;
		s->chunks = n;
		s->cap = nc;
	}
	bits = calloc(CHUNK_WORDS, sizeof(*bits));
	if (!bits)
		return NULL;
	memmove(s->chunks + pos + 1, s->chunks + pos, (s->nr - pos) * sizeof(*s->chunks));
	s->chunks[pos] = (struct kvs_pageset_chunk){ idx, bits };
	s->nr++;
	s->last = pos;
	return bits;
}

/* Bits [lo, hi) of one 64-bit word, 0 <= lo < hi <= 64. */
static uint64_t word_mask(unsigned int lo, unsigned int hi)
{
	uint64_t upto = hi == 64 ? ~0ULL : (1ULL << hi) - 1;

	return upto & ~((1ULL << lo) - 1);
}

enum op { OP_ADD, OP_REMOVE, OP_COUNT };

/*
 * Apply op to pages [lo, hi) of one chunk (offsets within it): the number
 * of bits that were clear (add) or set (remove).
 */
static uint64_t chunk_apply(uint64_t *bits, uint64_t lo, uint64_t hi, enum op op)
{
	uint64_t n = 0;

	while (lo < hi) {
		uint64_t w = lo / 64, end = (w + 1) * 64 < hi ? (w + 1) * 64 : hi;
		uint64_t m = word_mask((unsigned int)(lo % 64), (unsigned int)(end - w * 64));

		switch (op) {
		case OP_ADD:
			n += (uint64_t)__builtin_popcountll(m & ~bits[w]);
			bits[w] |= m;
			break;
		case OP_REMOVE:
			n += (uint64_t)__builtin_popcountll(m & bits[w]);
			bits[w] &= ~m;
			break;
		case OP_COUNT:
			n += (uint64_t)__builtin_popcountll(m & bits[w]);
			break;
		}
		lo = end;
	}
	return n;
}

/*
 * The chunks [lo, hi) touches, each with its part of the range; add makes
 * them. Page indices are addresses / 32 KiB, below 2^49: no overflow.
 */
static long apply(struct kvs_pageset *s, uint64_t lo, uint64_t hi, enum op op)
{
	uint64_t n = 0;

	if (op == OP_ADD) {
		/* Make every chunk first: a failure leaves the set as it was. */
		for (uint64_t c = lo >> KVS_PAGESET_CHUNK_SHIFT; lo < hi &&
		     c <= (hi - 1) >> KVS_PAGESET_CHUNK_SHIFT; c++)
			if (!chunk_get(s, c))
				return -ENOMEM;
	}
	while (lo < hi) {
		uint64_t c = lo >> KVS_PAGESET_CHUNK_SHIFT, base = c << KVS_PAGESET_CHUNK_SHIFT;
		uint64_t end = hi - base > CHUNK_PAGES ? base + CHUNK_PAGES : hi;
		uint64_t *bits = chunk_find(s, c);

		if (bits)
			n += chunk_apply(bits, lo - base, end - base, op);
		lo = end;
	}
	return (long)n;
}

long kvs_pageset_add(struct kvs_pageset *s, uint64_t lo, uint64_t hi)
{
	return apply(s, lo, hi, OP_ADD);
}

long kvs_pageset_remove(struct kvs_pageset *s, uint64_t lo, uint64_t hi)
{
	return apply(s, lo, hi, OP_REMOVE);
}

long kvs_pageset_count(struct kvs_pageset *s, uint64_t lo, uint64_t hi)
{
	return apply(s, lo, hi, OP_COUNT);
}

/* Chunks that do not exist hold no page: both searches go by the sorted array. */
uint64_t kvs_pageset_next(const struct kvs_pageset *s, uint64_t lo, uint64_t hi)
{
	for (size_t i = chunk_pos(s, lo >> KVS_PAGESET_CHUNK_SHIFT); i < s->nr && lo < hi; i++) {
		uint64_t base = s->chunks[i].idx << KVS_PAGESET_CHUNK_SHIFT;
		uint64_t from = lo > base ? lo - base : 0;
		uint64_t to = hi - base > CHUNK_PAGES ? CHUNK_PAGES : hi - base;
		const uint64_t *bits = s->chunks[i].bits;

		if (hi <= base)
			break;
		for (uint64_t w = from / 64; w * 64 < to; w++) {
			uint64_t m = bits[w] & ~((1ULL << (w * 64 < from ? from % 64 : 0)) - 1);

			if (m) {
				uint64_t p = base + w * 64 + (uint64_t)__builtin_ctzll(m);

				return p < hi ? p : hi;
			}
		}
	}
	return hi;
}

uint64_t kvs_pageset_prev(const struct kvs_pageset *s, uint64_t upto)
{
	uint64_t idx = upto >> KVS_PAGESET_CHUNK_SHIFT;
	size_t i = chunk_pos(s, idx);

	/* From the chunk holding upto, or the last one before where it would be. */
	if (i == s->nr || s->chunks[i].idx != idx) {
		if (!i)
			return UINT64_MAX;
		i--;
	}
	for (;; i--) {
		uint64_t base = s->chunks[i].idx << KVS_PAGESET_CHUNK_SHIFT;
		uint64_t top = upto - base < CHUNK_PAGES ? upto - base : CHUNK_PAGES - 1;
		const uint64_t *bits = s->chunks[i].bits;

		for (uint64_t w = top / 64 + 1; w-- > 0;) {
			uint64_t m = bits[w];

			if (w == top / 64 && top % 64 != 63)
				m &= (1ULL << (top % 64 + 1)) - 1;
			if (m)
				return base + w * 64 + 63 - (uint64_t)__builtin_clzll(m);
		}
		if (!i)
			return UINT64_MAX;
	}
}

void kvs_pageset_free(struct kvs_pageset *s)
{
	for (size_t i = 0; i < s->nr; i++)
		free(s->chunks[i].bits);
	free(s->chunks);
	memset(s, 0, sizeof(*s));
}
