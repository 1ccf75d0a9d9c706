// SPDX-License-Identifier: GPL-2.0
/* Stock mode: run the page-table walk and judge its answer (see ptwalk.h). */
#include "ptwalk.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kvshadow.h"
#include "kvshadow.skel.h"
#include "meminfo.h"
#include "errmsg.h"

/* bpf/stock.bpf.c's err when kallsyms shows no addresses of data symbols. */
#define PT_ERR_NO_KALLSYMS 1000

static int run_walk(struct kvs_bpf_skel *skel, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int ret;

	ret = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.kvs_pt_walk), &opts);
	if (ret)
		return kvs_err(err, errlen, -errno, "running the page-table walk: %s",
			       strerror(errno));
	return 0;
}

static uint64_t load_u64(const __u64 *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

int kvs_ptwalk_init(struct kvs_bpf_skel *skel, char *err, size_t errlen)
{
	const struct kvs_layout *l = &skel->bss->layout;
	char why[256] = "";
	uint64_t total;
	int ret;

	ret = run_walk(skel, err, errlen);
	if (ret)
		return ret;
	if (l->err == -PT_ERR_NO_KALLSYMS)
		return kvs_err(err, errlen, -ENOENT,
			       "/proc/kallsyms shows no address of init_mm or _end (it needs "
			       "CONFIG_KALLSYMS_ALL, and kernel.kptr_restrict 0 or 1 with CAP_SYSLOG)");
	if (l->err || !l->ready)
		return kvs_err(err, errlen, -ENOENT, "reading the kernel's layout failed: %s",
			       strerror(l->err ? -l->err : EIO));
	/* VmallocTotal is VMALLOC_END - VMALLOC_START, in KiB: the layout must agree. */
	if (meminfo_value(NULL, "VmallocTotal", &total, why, sizeof(why)))
		return kvs_err(err, errlen, -ENOENT, "cannot check the kernel's layout: %s", why);
	if ((l->vmalloc_end - l->vmalloc_start - 1) >> 10 != total >> 10)
		return kvs_err(err, errlen, -ENOENT,
			       "the vmalloc area found (%llu KiB, %u-level page tables) is "
			       "not /proc/meminfo's VmallocTotal (%llu KiB): unknown kernel layout",
			       (unsigned long long)((l->vmalloc_end - l->vmalloc_start - 1) >> 10),
			       l->levels, (unsigned long long)(total >> 10));
	if (skel->bss->pt_count.err)
		return kvs_err(err, errlen, -ENOENT, "walking the kernel page tables failed: %s",
			       strerror(-skel->bss->pt_count.err));
	return 0;
}

int kvs_ptwalk_count(struct kvs_bpf_skel *skel, int tries, struct kvs_ptwalk *out,
		     char *err, size_t errlen)
{
	struct kvs_bpf_net *net = &skel->bss->net_state;
	int ret;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < tries && !out->quiet; i++) {
		uint64_t enter = load_u64(&skel->bss->pt_enter), exit = load_u64(&skel->bss->pt_exit);
		int64_t n = __atomic_load_n(&net->net, __ATOMIC_ACQUIRE);

		ret = run_walk(skel, err, errlen);
		if (ret)
			return ret;
		if (skel->bss->pt_count.err)
			return kvs_err(err, errlen, -EIO, "walking the kernel page tables failed: %s",
				       strerror(-skel->bss->pt_count.err));
		out->pages = skel->bss->pt_count.present;
		out->steps = skel->bss->pt_count.steps;
		out->net = n;
		/* Nothing in flight before, nothing begun or ended since. */
		out->quiet = enter == exit && load_u64(&skel->bss->pt_enter) == enter &&
			     load_u64(&skel->bss->pt_exit) == exit;
	}
	return 0;
}
