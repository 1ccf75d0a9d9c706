// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the parser of /proc/kallsyms (ksyms_parse) and the caller
 * naming that uses it. Properties: an error leaves nothing to free and a
 * message; the symbols are those of the text's lines as the kernel writes
 * them (checked against a reference reading: no sign, no 0x, at most 16
 * lowercase hex digits), sorted by address with non-empty names; the
 * search finds each symbol's own address; naming a caller writes a
 * terminated name, "unknown" when it fails. The input's last 64 bytes
 * double as a stack of return addresses.
 */
#include <errno.h>

#include "fuzz.h"
#include "ksyms.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The reference: the addresses of the text symbols, each line read as the
 * kernel writes it ("%px %c %s", a tab and "[module]" for modules): 1 to
 * 16 lowercase hex digits, a space, t or T, a space, a name (at most 4096
 * bytes). Sorted.
 */
static size_t ref_text_addrs(const uint8_t *data, size_t size, uint64_t **out)
{
	size_t nr = 0;

	*out = malloc((size / 5 + 1) * sizeof(**out));
	if (!*out)
		abort();
	for (size_t off = 0; off < size;) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - data) - off : size - off;
		char *line = fuzz_str(data + off, len), *p = line;
		uint64_t addr = 0;
		int n = 0;

		for (; *p && strchr("0123456789abcdef", *p) && n <= 16; p++, n++)
			addr = addr << 4 | (uint64_t)(strchr("0123456789abcdef", *p) - "0123456789abcdef");
		if (n && n <= 16 && p[0] == ' ' && (p[1] == 't' || p[1] == 'T') && p[2] == ' ' &&
		    p[3] && !strchr(" \t\r\v\f", p[3]) && strcspn(p + 3, " \t\r\v\f") <= 4096)
			(*out)[nr++] = addr;
		free(line);
		off += len + 1;
	}
	qsort(*out, nr, sizeof(**out), cmp_u64);
	return nr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t *want;
	size_t nr_want;
	struct ksyms ks;
	uint64_t ips[8] = { 0 };
	char err[256] = "", name[64], full[2 * 4096 + 8];
	char *buf;
	FILE *f;
	int ret;

	f = fuzz_stream(data, size, &buf);
	ret = ksyms_parse(f, &ks, err, sizeof(err));
	fclose(f);
	free(buf);
	if (ret) {
		CHECK(ret == -EACCES || ret == -EIO || ret == -ENOMEM, "ret %d", ret);
		CHECK(!ks.syms && !ks.nr, "a failed parse left symbols");
		check_message(err, sizeof(err));
		return 0;
	}
	nr_want = ref_text_addrs(data, size, &want);
	CHECK(ks.nr == nr_want, "%zu text symbols, the text has %zu", ks.nr, nr_want);
	for (size_t i = 0; i < ks.nr; i++)
		CHECK(ks.syms[i].addr == want[i], "symbol %zu at %#llx, the text says %#llx", i,
		      (unsigned long long)ks.syms[i].addr, (unsigned long long)want[i]);
	free(want);
	for (size_t i = 0; i < ks.nr; i++) {
		const struct ksym *s;

		CHECK(ks.syms[i].name && ks.syms[i].name[0], "symbol %zu has no name", i);
		CHECK(!i || ks.syms[i - 1].addr <= ks.syms[i].addr, "not sorted at %zu", i);
		s = ksyms_search(&ks, ks.syms[i].addr);
		CHECK(s && s->addr == ks.syms[i].addr, "search(%#llx) missed",
		      (unsigned long long)ks.syms[i].addr);
	}
	if (ks.nr)
		CHECK(!ks.syms[0].addr || !ksyms_search(&ks, ks.syms[0].addr - 1),
		      "a symbol below the lowest");
	memcpy(ips, data + (size > sizeof(ips) ? size - sizeof(ips) : 0),
	       size < sizeof(ips) ? size : sizeof(ips));
	ret = kvs_caller_name(&ks, ips, sizeof(ips) / sizeof(ips[0]), name, sizeof(name));
	CHECK(memchr(name, '\0', sizeof(name)), "name not terminated");
	CHECK(ret == 0 || ret == -ENOENT || ret == -ESTALE, "ret %d", ret);
	if (ret)
		CHECK(!strcmp(name, "unknown"), "failed but named '%s'", name);
	/* The rule judges whole names: a cut one ("... [bpf") may read otherwise. */
	ret = kvs_caller_name(&ks, ips, sizeof(ips) / sizeof(ips[0]), full, sizeof(full));
	if (!ret)
		CHECK(!kvs_caller_is_internal(full), "named an internal frame '%s'", full);
	ret = kvs_caller_name_ip(&ks, ips[0], name, sizeof(name));
	CHECK(ret || ksyms_search(&ks, ips[0]), "named ip %#llx below every symbol",
	      (unsigned long long)ips[0]);
	ksyms_free(&ks);
	return 0;
}
