// SPDX-License-Identifier: GPL-2.0
/* /proc/kallsyms parsed once into a sorted array; binary search by address. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksyms.h"

static int cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	/* Compare, never subtract: a u64 difference does not fit an int. */
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void ksyms_free(struct ksyms *ks)
{
	for (size_t i = 0; i < ks->nr; i++)
		free(ks->syms[i].name);
	free(ks->syms);
	ks->syms = NULL;
	ks->nr = 0;
}

int ksyms_parse(FILE *f, struct ksyms *ks, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	bool nonzero = false;
	ssize_t n;

	ks->syms = NULL;
	ks->nr = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		char type, name[256], mod[128] = "";
		unsigned long long addr;
		struct ksym *s;
		int got;

		got = sscanf(line, "%llx %c %255s [%127[^]]]", &addr, &type, name, mod);
		if (got < 3)
			continue;
		if (type != 't' && type != 'T')
			continue;
		if (addr)
			nonzero = true;
		if (ks->nr == alloc) {
			size_t na = alloc ? alloc * 2 : 4096;
			struct ksym *ns = realloc(ks->syms, na * sizeof(*ns));

			if (!ns)
				goto nomem;
			ks->syms = ns;
			alloc = na;
		}
		s = &ks->syms[ks->nr];
		s->addr = addr;
		if (got == 4 && mod[0]) {
			if (asprintf(&s->name, "%s [%s]", name, mod) < 0)
				goto nomem;
		} else {
			s->name = strdup(name);
			if (!s->name)
				goto nomem;
		}
		ks->nr++;
	}
	free(line);
	if (ferror(f)) {
		snprintf(err, errlen, "reading kallsyms: %s", strerror(errno));
		ksyms_free(ks);
		return -EIO;
	}
	if (ks->nr && !nonzero) {
		snprintf(err, errlen, "kallsyms shows no addresses (need root, or kptr_restrict)");
		ksyms_free(ks);
		return -EACCES;
	}
	qsort(ks->syms, ks->nr, sizeof(*ks->syms), cmp_addr);
	return 0;
nomem:
	free(line);
	ksyms_free(ks);
	snprintf(err, errlen, "out of memory reading kallsyms");
	return -ENOMEM;
}

int ksyms_load(const char *path, struct ksyms *ks, char *err, size_t errlen)
{
	FILE *f;
	int ret;

	path = path ? path : "/proc/kallsyms";
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	ret = ksyms_parse(f, ks, err, errlen);
	fclose(f);
	return ret;
}

const struct ksym *ksyms_search(const struct ksyms *ks, uint64_t addr)
{
	size_t lo = 0, hi = ks->nr;

	/* Find the last symbol with syms[i].addr <= addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &ks->syms[lo - 1] : NULL;
}

/*
 * Frames that are how the event reached us, not who asked for vmalloc
 * space: the BPF and tracing trampolines, KASAN, and the vmalloc API
 * layers down to alloc_vmap_area.
 */
static const char *const internal_prefixes[] = {
	"bpf_prog_", "bpf_trampoline_", "bpf_trace_run", "__bpf_trace_", "__traceiter_", "trace_",
	"perf_", "kasan_", "__kasan_", "alloc_vmap_area", "__alloc_vmap_area",
	"__get_vm_area", "get_vm_area", "__vmap", "vmap", "vm_map_ram",
	"new_vmap_block", "vb_alloc", "kvrealloc", "vrealloc", "__kvrealloc",
	"pcpu_get_vm_areas", "node_alloc",
};

int kvs_caller_is_internal(const char *name)
{
	/* Judge the symbol, not its " [module]" suffix (test_vmalloc is a caller). */
	size_t len = strcspn(name, " \t");
	char sym[256];

	snprintf(sym, sizeof(sym), "%.*s", (int)(len < sizeof(sym) ? len : sizeof(sym) - 1), name);
	/* Every API wrapper has vmalloc or vzalloc in its name (vmalloc_noprof,
	 * __vmalloc_node_range_noprof, kvmalloc_node_noprof, vzalloc, ...). */
	if (strstr(sym, "vmalloc") || strstr(sym, "vzalloc"))
		return 1;
	for (size_t i = 0; i < sizeof(internal_prefixes) / sizeof(internal_prefixes[0]); i++)
		if (!strncmp(sym, internal_prefixes[i], strlen(internal_prefixes[i])))
			return 1;
	return 0;
}

int kvs_caller_name(const struct ksyms *ks, const uint64_t *ips, size_t nr,
		    char *buf, size_t len)
{
	for (size_t i = 0; i < nr && ips[i]; i++) {
		const struct ksym *s = ksyms_search(ks, ips[i]);

		if (!s || kvs_caller_is_internal(s->name))
			continue;
		snprintf(buf, len, "%s", s->name);
		return 0;
	}
	snprintf(buf, len, "unknown");
	return -ENOENT;
}
