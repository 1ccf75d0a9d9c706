// SPDX-License-Identifier: GPL-2.0
/* /proc/kallsyms parsed once into a sorted array; binary search by address. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksyms.h"
#include "errmsg.h"

static int cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	/* Compare, never subtract: a u64 difference does not fit an int. */
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void ksyms_free(struct ksyms *ks)
{
	free(ks->names);
	free(ks->syms);
	free(ks->mods);
	memset(ks, 0, sizeof(*ks));
}

/* One symbol of a kallsyms line. */
struct ksym_line {
	uint64_t addr;
	char type;			/* 't', 'T', 'd', 'B', ... */
	const char *name, *mod;		/* not terminated: name_len, mod_len */
	int name_len, mod_len;		/* mod_len 0: the core kernel */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * A line as the kernel writes it, "%px %c %s" and "\t[%s]" for a module:
 * 1 to 16 lowercase hex digits, a space, the type (a letter), a space,
 * the name. By hand, and strict: sscanf took "2T?" and "-1 T x"
 * (tests/fuzz/kallsyms), and cut names at 255 bytes.
 */
static bool parse_line(const char *line, struct ksym_line *l)
{
	const char *p = line;
	int n = 0;

	l->addr = 0;
	for (; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++) {
		if (++n > 16)
			return false;
		l->addr = l->addr << 4 | (uint64_t)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
	}
	if (!n || p[0] != ' ' || !((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z')) ||
	    p[2] != ' ')
		return false;
	l->type = p[1];
	l->name = p += 3;
	while (*p && !is_blank(*p))
		p++;
	l->name_len = (int)(p - l->name);
	if (!l->name_len || l->name_len > 4096)
		return false;
	l->mod = NULL;
	l->mod_len = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '[') {
		const char *close = strchr(p + 1, ']');

		if (close && close - p - 1 <= 4096) {
			l->mod = p + 1;
			l->mod_len = (int)(close - p - 1);
		}
	}
	return true;
}

/*
 * Append "name" or "name [module]" and its NUL to the names arena; the
 * offset at *off. One arena, not a string per symbol: a malloc per symbol
 * costs start-up time and allocator overhead for every one of them.
 */
static int arena_add(struct ksyms *ks, size_t *cap, const struct ksym_line *l, size_t *off)
{
	size_t need = (size_t)l->name_len + (l->mod_len ? (size_t)l->mod_len + 3 : 0) + 1;
	char *p;

	if (*cap - ks->names_len < need) {
		size_t nc = *cap ? *cap : 1 << 20;
		char *nn;

		while (nc - ks->names_len < need)
			nc *= 2;
		nn = realloc(ks->names, nc);
		if (!nn)
			return -ENOMEM;
		ks->names = nn;
		*cap = nc;
	}
	*off = ks->names_len;
	p = ks->names + ks->names_len;
	memcpy(p, l->name, (size_t)l->name_len);
	p += l->name_len;
	if (l->mod_len) {
		memcpy(p, " [", 2);
		memcpy(p + 2, l->mod, (size_t)l->mod_len);
		p += 2 + l->mod_len;
		*p++ = ']';
	}
	*p = '\0';
	ks->names_len += need;
	return 0;
}

int ksyms_parse(FILE *f, struct ksyms *ks, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0, alloc = 0, names_cap = 0, off;
	bool nonzero = false;
	int ret;
	ssize_t n;

	memset(ks, 0, sizeof(*ks));
	while ((n = getline(&line, &cap, f)) > 0) {
		struct ksym_line l;
		struct ksym *s;

		if (!parse_line(line, &l) || (l.type != 't' && l.type != 'T'))
			continue;
		if (l.addr)
			nonzero = true;
		if (!l.mod_len && l.addr > ks->core_end)
			ks->core_end = l.addr;
		if (ks->nr == alloc) {
			size_t na = alloc ? alloc * 2 : 4096;
			struct ksym *ns = realloc(ks->syms, na * sizeof(*ns));

			if (!ns)
				goto nomem;
			ks->syms = ns;
			alloc = na;
		}
		s = &ks->syms[ks->nr];
		s->addr = l.addr;
		if (arena_add(ks, &names_cap, &l, &off))
			goto nomem;
		/* The arena still moves: the offset now, the pointer below. */
		s->name = (char *)(uintptr_t)off;
		ks->nr++;
	}
	free(line);
	/* Give back the arena's spare room (up to half of it) before pointing into it. */
	if (ks->names_len) {
		char *fit = realloc(ks->names, ks->names_len);

		if (fit)
			ks->names = fit;
	}
	for (size_t i = 0; i < ks->nr; i++)
		ks->syms[i].name = ks->names + (uintptr_t)ks->syms[i].name;
	if (ferror(f)) {
		ret = kvs_err(err, errlen, -EIO, "reading kallsyms: %s", strerror(errno));
		ksyms_free(ks);
		return ret;
	}
	if (ks->nr && !nonzero) {
		ksyms_free(ks);
		return kvs_err(err, errlen, -EACCES,
			       "kallsyms shows no addresses (need root, or kptr_restrict)");
	}
	/* qsort(NULL, 0) is undefined: a file without text symbols has nothing to sort. */
	if (ks->nr)
		qsort(ks->syms, ks->nr, sizeof(*ks->syms), cmp_addr);
	return 0;
nomem:
	free(line);
	ksyms_free(ks);
	return kvs_err(err, errlen, -ENOMEM, "out of memory reading kallsyms");
}

int ksyms_find_file(FILE *f, const char *const *names, uint64_t *addrs, size_t n)
{
	char *line = NULL;
	size_t cap = 0;

	memset(addrs, 0, n * sizeof(*addrs));
	while (getline(&line, &cap, f) > 0) {
		struct ksym_line l;

		/* The core kernel's symbols only: a module's of the same name is not ours. */
		if (!parse_line(line, &l) || l.mod_len)
			continue;
		for (size_t i = 0; i < n; i++)
			if (!addrs[i] && (size_t)l.name_len == strlen(names[i]) &&
			    !memcmp(l.name, names[i], (size_t)l.name_len))
				addrs[i] = l.addr;
	}
	free(line);
	return ferror(f) ? -EIO : 0;
}

int ksyms_find(const char *path, const char *const *names, uint64_t *addrs, size_t n,
	       char *err, size_t errlen)
{
	FILE *f = fopen(path ? path : "/proc/kallsyms", "re");
	int ret;

	if (!f) {
		ret = -errno;
		return kvs_err(err, errlen, ret,
			       "%s: %s", path ? path : "/proc/kallsyms", strerror(-ret));
	}
	ret = ksyms_find_file(f, names, addrs, n);
	fclose(f);
	if (ret)
		return kvs_err(err, errlen, ret, "reading kallsyms: %s", strerror(-ret));
	return 0;
}

int ksyms_parse_modules(FILE *f, struct ksyms *ks)
{
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	int ret = 0;

	free(ks->mods);
	ks->mods = NULL;
	ks->nr_mods = 0;
	while (getline(&line, &cap, f) > 0) {
		unsigned long long size, base;

		/* "name size refcount deps state address [taints]" */
		if (sscanf(line, "%*s %llu %*s %*s %*s 0x%llx", &size, &base) != 2 || !base)
			continue;
		if (ks->nr_mods == alloc) {
			size_t na = alloc ? alloc * 2 : 64;
			struct kmod *nm = realloc(ks->mods, na * sizeof(*nm));

			if (!nm) {
				ret = -ENOMEM;
				break;
			}
			ks->mods = nm;
			alloc = na;
		}
		ks->mods[ks->nr_mods++] = (struct kmod){ base, size };
	}
	free(line);
	if (!ret && ferror(f))
		ret = -EIO;
	/* An empty, readable list still enables the checks: no module is loaded. */
	if (!ret && !ks->mods)
		ks->mods = calloc(1, sizeof(*ks->mods));
	return ret ? ret : ks->mods ? 0 : -ENOMEM;
}

int ksyms_load(const char *path, struct ksyms *ks, char *err, size_t errlen)
{
	FILE *f;
	int ret;

	f = fopen(path ? path : "/proc/kallsyms", "re");
	if (!f) {
		ret = -errno;
		return kvs_err(err, errlen, ret,
			       "%s: %s", path ? path : "/proc/kallsyms", strerror(errno));
	}
	ret = ksyms_parse(f, ks, err, errlen);
	fclose(f);
	if (ret || path)
		return ret;
	/* Without /proc/modules (no modules): no range checks, as before. */
	f = fopen("/proc/modules", "re");
	if (f) {
		(void)ksyms_parse_modules(f, ks);
		fclose(f);
	}
	return 0;
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
 * space. By module: BPF programs and BPF trampolines live in "[bpf]", the
 * ftrace and kprobe trampolines in "[__builtin__ftrace]" and
 * "[__builtin__kprobes]" (ours or any other tool's). By name: the tracing
 * glue, KASAN, and the vmalloc API layers down to alloc_vmap_area. Kernel
 * functions that merely start with "bpf_prog_" (bpf_prog_alloc_no_stats)
 * are callers like any other.
 */
static const char *const internal_modules[] = {
	"bpf", "__builtin__ftrace", "__builtin__kprobes",
};

static const char *const internal_prefixes[] = {
	"bpf_trace_run", "__bpf_trace_", "__traceiter_", "trace_",
	"perf_", "kasan_", "__kasan_", "alloc_vmap_area", "__alloc_vmap_area",
	"__get_vm_area", "get_vm_area", "__vmap", "vmap", "vm_map_ram",
	"new_vmap_block", "vb_alloc", "pcpu_get_vm_areas", "node_alloc",
	/*
	 * The vmalloc API and its wrappers (vmalloc_noprof,
	 * __vmalloc_node_range_noprof, kvmalloc_node_noprof, vcalloc_noprof,
	 * ...): by prefix, so a caller that merely has vmalloc in its name
	 * (kvshadow_wl_vmalloc) stays a caller.
	 */
	"vmalloc", "__vmalloc", "vzalloc", "__vzalloc", "vcalloc", "__vcalloc",
	"kvmalloc", "__kvmalloc", "kvzalloc", "kvcalloc", "kvrealloc", "__kvrealloc",
	"vrealloc",
};

int kvs_caller_is_internal(const char *name)
{
	size_t len = strcspn(name, " \t");
	const char *mod = strchr(name, '[');
	char sym[256];

	if (mod) {
		size_t mlen = strcspn(mod + 1, "]");

		for (size_t i = 0; i < sizeof(internal_modules) / sizeof(internal_modules[0]); i++)
			if (strlen(internal_modules[i]) == mlen &&
			    !strncmp(mod + 1, internal_modules[i], mlen))
				return 1;
	}
	/* Judge the symbol, not its " [module]" suffix (test_vmalloc is a caller). */
	snprintf(sym, sizeof(sym), "%.*s", (int)(len < sizeof(sym) ? len : sizeof(sym) - 1), name);
	for (size_t i = 0; i < sizeof(internal_prefixes) / sizeof(internal_prefixes[0]); i++)
		if (!strncmp(sym, internal_prefixes[i], strlen(internal_prefixes[i])))
			return 1;
	return 0;
}

/* Trampolines and BPF programs are small: farther from their start is something else. */
#define PSEUDO_MODULE_SPAN 8192

/*
 * The symbol holding ip, when our snapshot can vouch for it; NULL with
 * *stale when ip lies in module space but in no module or trampoline we
 * know: the snapshot is older than that code.
 */
static const struct ksym *vouch(const struct ksyms *ks, uint64_t ip, bool *stale)
{
	const struct ksym *s = ksyms_search(ks, ip);
	const char *mod;

	*stale = false;
	if (!s || !ks->mods || ip <= ks->core_end)
		return s;
	for (size_t i = 0; i < ks->nr_mods; i++)
		if (ip >= ks->mods[i].base && ip - ks->mods[i].base < ks->mods[i].size)
			return s;
	mod = strchr(s->name, '[');
	if (mod && kvs_caller_is_internal(s->name) && ip - s->addr < PSEUDO_MODULE_SPAN)
		return s;
	*stale = true;
	return NULL;
}

int kvs_frame_internal(const struct ksyms *ks, uint64_t ip)
{
	bool stale;
	const struct ksym *s = vouch(ks, ip, &stale);

	if (stale)
		return -ESTALE;
	return !s || kvs_caller_is_internal(s->name);
}

int kvs_caller_name(const struct ksyms *ks, const uint64_t *ips, size_t nr,
		    char *buf, size_t len)
{
	for (size_t i = 0; i < nr && ips[i]; i++) {
		int internal = kvs_frame_internal(ks, ips[i]);

		if (internal < 0) {
			/* Skipping it could name its caller instead: say unknown. */
			snprintf(buf, len, "unknown");
			return -ESTALE;
		}
		if (internal)
			continue;
		return kvs_caller_name_ip(ks, ips[i], buf, len);
	}
	snprintf(buf, len, "unknown");
	return -ENOENT;
}

int kvs_caller_name_ip(const struct ksyms *ks, uint64_t ip, char *buf, size_t len)
{
	bool stale;
	const struct ksym *s = vouch(ks, ip, &stale);

	snprintf(buf, len, "%s", s ? s->name : "unknown");
	return s ? 0 : stale ? -ESTALE : -ENOENT;
}
