// SPDX-License-Identifier: GPL-2.0
/*
 * foreign: attach foreign.bpf.c's programs and keep them attached until
 * killed (SIGTERM or SIGINT), then print how often they ran. For the
 * guest of the VM tests: static, the skeleton built in.
 *
 *   foreign &        ... kill %1
 *
 * It attaches what the kernel has, as another tool would: the vmalloc
 * function by its name there, the alloc_vmap_area event only where it
 * exists (not on 6.1), and the fentry on vmalloc only where the kernel
 * takes it (6.1's trampolines refuse its nine arguments). It says which.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "foreign.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static bool has_func(const struct btf *btf, const char *name)
{
	return btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
}

/* Open, load and attach the programs the kernel has; NULL on failure. */
static struct foreign_bpf *start(const char *vmalloc_fn, bool event, bool vmalloc_fentry)
{
	struct foreign_bpf *s;
	int ret;

	s = foreign_bpf__open();
	if (!s) {
		fprintf(stderr, "foreign: open: %s\n", strerror(errno));
		return NULL;
	}
	ret = bpf_program__set_attach_target(s->progs.foreign_vmalloc_entry, 0, vmalloc_fn);
	if (!ret)
		ret = bpf_program__set_autoload(s->progs.foreign_vmalloc_entry, vmalloc_fentry);
	if (!ret)
		ret = bpf_program__set_autoload(s->progs.foreign_area_tp, event);
	if (!ret)
		ret = foreign_bpf__load(s);
	if (!ret)
		ret = foreign_bpf__attach(s);
	if (!ret) {
		s->links.foreign_vmalloc_kprobe =
			bpf_program__attach_kprobe(s->progs.foreign_vmalloc_kprobe, false, vmalloc_fn);
		if (!s->links.foreign_vmalloc_kprobe)
			ret = -errno;
	}
	if (ret) {
		fprintf(stderr, "foreign: %s: %s\n", vmalloc_fentry ? "with fentry" : "without fentry",
			strerror(-ret));
		foreign_bpf__destroy(s);
		return NULL;
	}
	return s;
}

int main(void)
{
	struct foreign_bpf *s;
	struct btf *btf;
	const char *fn = "__vmalloc_node_range_noprof";
	bool event, fentry = true;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		fprintf(stderr, "foreign: kernel BTF: %s\n", strerror(errno));
		return 1;
	}
	if (!has_func(btf, fn))
		fn = "__vmalloc_node_range";
	event = btf__find_by_name_kind(btf, "btf_trace_alloc_vmap_area", BTF_KIND_TYPEDEF) > 0;
	btf__free(btf);

	s = start(fn, event, fentry);
	if (!s) {
		fentry = false;
		fprintf(stderr, "foreign: again without the fentry on %s\n", fn);
		s = start(fn, event, fentry);
		if (!s)
			return 1;
	}
	printf("foreign: attached: kprobe%s on %s, fexit on alloc_vmap_area%s\n",
	       fentry ? " and fentry" : "", fn, event ? ", tp_btf on its event" : "");
	fflush(stdout);
	while (!stop)
		pause();
	printf("foreign: %llu hits\n", (unsigned long long)s->bss->hits);
	foreign_bpf__destroy(s);
	return 0;
}
