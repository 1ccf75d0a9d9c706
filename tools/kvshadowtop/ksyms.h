/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel symbols: /proc/kallsyms parsed once, searched by address. */
#ifndef KVS_KSYMS_H
#define KVS_KSYMS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct ksym {
	uint64_t addr;
	char *name;		/* "symbol" or "symbol [module]" */
};

struct ksyms {
	struct ksym *syms;	/* sorted by addr */
	size_t nr;
};

/* Parse kallsyms text from f (text symbols only). 0 or -errno; -EACCES when
 * every address reads as 0 (not root: kptr_restrict hides them). */
int ksyms_parse(FILE *f, struct ksyms *ks, char *err, size_t errlen);
/* ksyms_parse of path (NULL: /proc/kallsyms). */
int ksyms_load(const char *path, struct ksyms *ks, char *err, size_t errlen);
void ksyms_free(struct ksyms *ks);
/* The symbol containing addr (the last one at or below it), or NULL. */
const struct ksym *ksyms_search(const struct ksyms *ks, uint64_t addr);

/*
 * Name the vmalloc caller of a kernel stack (innermost frame first): the
 * first frame outside the tracing, BPF, KASAN and vmalloc internals, as
 * "symbol" or "symbol [module]" (no offset, no address). Writes at most
 * len bytes; returns 0, or -ENOENT when no frame qualifies ("unknown").
 */
int kvs_caller_name(const struct ksyms *ks, const uint64_t *ips, size_t nr,
		    char *buf, size_t len);
/* Whether a symbol name is one of those internals (exposed for tests). */
int kvs_caller_is_internal(const char *name);

#endif /* KVS_KSYMS_H */
