// SPDX-License-Identifier: GPL-2.0
/*
 * vmalloc_as: a process with a chosen comm that causes a known number of
 * vmallocs, for the host tests of hostile process names.
 *
 *   vmalloc_as COMM N
 *
 * Sets its comm to COMM (any bytes but NUL; the kernel keeps 15), then
 * creates and closes N BPF array maps with the bpf() syscall: exactly N
 * vmallocs (N vmap areas, N populate calls in estimate mode) under COMM in
 * this process, nothing else. Needs root (or CAP_BPF). Exit 0, or 1 with a
 * reason.
 *
 * Why 1 MiB maps: the values are one bpf_map_area_alloc(), a vmalloc above
 * 32 KiB; above 2 MiB vmalloc allocates its page array with a second,
 * nested vmalloc, so a 4 MiB map is two vmap areas. Built without the
 * sanitizers: LeakSanitizer clones a thread at exit, whose kernel stack is
 * one more vmalloc under COMM.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define VALUE_SIZE 4096
#define ENTRIES 256	/* 1 MiB of values */

static int map_create(void)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = VALUE_SIZE;
	attr.max_entries = ENTRIES;
	return (int)syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
}

int main(int argc, char **argv)
{
	unsigned long n;
	char *end;

	if (argc != 3) {
		fprintf(stderr, "usage: vmalloc_as COMM N\n");
		return 2;
	}
	errno = 0;
	n = strtoul(argv[2], &end, 10);
	if (errno || !*argv[2] || *end || n > 100000) {
		fprintf(stderr, "vmalloc_as: N '%s' is not a number up to 100000\n", argv[2]);
		return 2;
	}
	if (prctl(PR_SET_NAME, argv[1], 0, 0, 0)) {
		perror("vmalloc_as: prctl(PR_SET_NAME)");
		return 1;
	}
	for (unsigned long i = 0; i < n; i++) {
		int fd = map_create();

		if (fd < 0) {
			fprintf(stderr, "vmalloc_as: map %lu of %lu: bpf(BPF_MAP_CREATE): %s\n",
				i + 1, n, strerror(errno));
			return 1;
		}
		if (close(fd)) {
			perror("vmalloc_as: close");
			return 1;
		}
	}
	return 0;
}
