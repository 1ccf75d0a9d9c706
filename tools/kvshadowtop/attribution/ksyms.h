/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel symbols: /proc/kallsyms parsed once, searched by address. */
#ifndef KVS_KSYMS_H
#define KVS_KSYMS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct ksym {
	uint64_t addr;
	const char *name;	/* "symbol" or "symbol [module]", in the names arena */
};

/* A loaded module's text, from /proc/modules. */
struct kmod {
	uint64_t base, size;
};

struct ksyms {
	struct ksym *syms;	/* sorted by addr */
	size_t nr;
	char *names;		/* every name, NUL-terminated, one after another */
	size_t names_len;
	uint64_t core_end;	/* above the last core kernel symbol: module space */
	struct kmod *mods;	/* NULL: /proc/modules unknown, no range checks */
	size_t nr_mods;
};

/* Parse kallsyms text from f (text symbols only). 0 or -errno; -EACCES when
 * every address reads as 0 (not root: kptr_restrict hides them). */
int ksyms_parse(FILE *f, struct ksyms *ks, char *err, size_t errlen);
/*
 * The module ranges of /proc/modules text from f, to tell a module address
 * our kallsyms snapshot knows from one of a module loaded after it. 0 or
 * -errno.
 */
int ksyms_parse_modules(FILE *f, struct ksyms *ks);
/*
 * The addresses of the core kernel symbols named, of any type (data too,
 * where the kernel lists them: CONFIG_KALLSYMS_ALL), from kallsyms text;
 * 0 for a name not found or hidden (kptr_restrict). 0 or -errno (with err
 * for the path form; path NULL: /proc/kallsyms).
 */
int ksyms_find_file(FILE *f, const char *const *names, uint64_t *addrs, size_t n);
int ksyms_find(const char *path, const char *const *names, uint64_t *addrs, size_t n,
	       char *err, size_t errlen);
/* ksyms_parse of path (NULL: /proc/kallsyms), then /proc/modules when path is NULL. */
int ksyms_load(const char *path, struct ksyms *ks, char *err, size_t errlen);
void ksyms_free(struct ksyms *ks);
/* The symbol containing addr (the last one at or below it), or NULL. */
const struct ksym *ksyms_search(const struct ksyms *ks, uint64_t addr);

/*
 * Name the vmalloc caller of a kernel stack (innermost frame first): the
 * first frame outside the tracing, BPF, KASAN and vmalloc internals, as
 * "symbol" or "symbol [module]" (no offset, no address). Writes at most
 * len bytes; returns 0, -ENOENT when no frame qualifies, or -ESTALE when a
 * frame lies in module space outside every module and trampoline we know
 * (a module loaded after the snapshot: reload and ask again). Both write
 * "unknown": never a neighbour's name.
 */
int kvs_caller_name(const struct ksyms *ks, const uint64_t *ips, size_t nr,
		    char *buf, size_t len);
/*
 * Name the function holding ip, a return address the kernel recorded as
 * the caller (vm->caller): "symbol" or "symbol [module]". 0, or -ENOENT.
 */
int kvs_caller_name_ip(const struct ksyms *ks, uint64_t ip, char *buf, size_t len);
/*
 * How that rule sees one frame: 1 internal (skipped), 0 the caller, or
 * -ESTALE (module space our snapshot does not know).
 */
int kvs_frame_internal(const struct ksyms *ks, uint64_t ip);
/* Whether a symbol name is one of those internals (exposed for tests). */
int kvs_caller_is_internal(const char *name);

#endif /* KVS_KSYMS_H */
