// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the parser of /proc/modules (ksyms_parse_modules) and the
 * module range check of caller naming. Properties: a readable list, even
 * an empty one, enables the checks (mods is set); every module has a
 * non-zero base; an address in module space outside every module and
 * trampoline is never named (-ESTALE, "unknown").
 */
#include <errno.h>
#include <stdbool.h>

#include "fuzz.h"
#include "ksyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Core text, a module, and one symbol that no listed module may vouch for. */
	struct ksym syms[] = {
		{ 0xffffffff81000000ull, "_stext" },
		{ 0xffffffffc0000000ull, "xfs_init [xfs]" },
		{ 0xfffffffffffff000ull, "late_symbol [late]" },
	};
	struct ksyms ks = { .syms = syms, .nr = 3, .core_end = 0xffffffff81000000ull };
	const uint64_t ip = 0xfffffffffffff800ull;
	char name[64], *buf;
	bool covered = false;
	FILE *f;
	int ret;

	f = fuzz_stream(data, size, &buf);
	ret = ksyms_parse_modules(f, &ks);
	fclose(f);
	free(buf);
	CHECK(ret == 0 || ret == -ENOMEM || ret == -EIO, "ret %d", ret);
	if (ret) {
		free(ks.mods);
		return 0;
	}
	CHECK(ks.mods, "a readable list must enable the range checks");
	for (size_t i = 0; i < ks.nr_mods; i++) {
		CHECK(ks.mods[i].base, "module %zu at 0", i);
		if (ip >= ks.mods[i].base && ip - ks.mods[i].base < ks.mods[i].size)
			covered = true;
	}
	ret = kvs_caller_name_ip(&ks, ip, name, sizeof(name));
	if (covered)
		CHECK(!ret && !strcmp(name, "late_symbol [late]"), "ret %d '%s'", ret, name);
	else
		CHECK(ret == -ESTALE && !strcmp(name, "unknown"), "ret %d '%s'", ret, name);
	free(ks.mods);
	return 0;
}
