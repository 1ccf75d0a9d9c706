// SPDX-License-Identifier: GPL-2.0
/*
 * vmload: a vmalloc workload any root shell can run on any kernel, for
 * bench/bpf-cost. Each round creates a BPF array map of SIZE bytes (its
 * values live in one vmalloc area, bpf_map_area_alloc) and closes it (the
 * area is freed from a workqueue, then purged lazily): COUNT vmalloc
 * allocations and as many frees, with the purges the kernel decides on.
 *
 *   vmload [-n COUNT] [-s BYTES] [-r RATE]
 *
 * Default 3000 maps of 4 MiB, as fast as it can; -r RATE paces it to RATE
 * maps per second (2 * RATE vmalloc events per second), to measure a
 * watcher's CPU at a known event rate.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "numparse.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: vmload [-n COUNT] [-s BYTES] [-r RATE]\n"
		"  create and close COUNT BPF array maps of BYTES each (default 3000, 4194304),\n"
		"  RATE maps per second (default: as fast as it can)\n");
}

/* Sleep until map i is due at rate maps per second after start. */
static int pace(const struct timespec *start, uint64_t i, uint64_t rate)
{
	uint64_t ns = i * 1000000000ULL / rate;
	struct timespec due = {
		.tv_sec = start->tv_sec + (time_t)(ns / 1000000000ULL),
		.tv_nsec = start->tv_nsec + (long)(ns % 1000000000ULL),
	};
	int ret;

	if (due.tv_nsec >= 1000000000L) {
		due.tv_sec++;
		due.tv_nsec -= 1000000000L;
	}
	while ((ret = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL)) == EINTR)
		;
	return ret;
}

int main(int argc, char **argv)
{
	uint64_t count = 3000, bytes = 4 << 20, rate = 0;
	struct timespec start;
	int c;

	while ((c = getopt(argc, argv, "n:s:r:h")) != -1) {
		switch (c) {
		case 'n':
			if (kvs_parse_u64(optarg, 1, 10000000, &count)) {
				fprintf(stderr, "vmload: -n needs a count from 1 to 10000000, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 's':
			if (kvs_parse_u64(optarg, 4096, 1ULL << 30, &bytes)) {
				fprintf(stderr, "vmload: -s needs bytes from 4096 to 1 GiB, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'r':
			if (kvs_parse_u64(optarg, 1, 1000000, &rate)) {
				fprintf(stderr, "vmload: -r needs maps per second from 1 to 1000000, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &start)) {
		perror("vmload: clock_gettime");
		return 1;
	}
	for (uint64_t i = 0; i < count; i++) {
		if (rate && (errno = pace(&start, i, rate))) {
			perror("vmload: clock_nanosleep");
			return 1;
		}
		/* 4 KiB values: one page each, bytes / 4096 of them. */
		int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "kvs_vmload", 4, 4096,
					(uint32_t)(bytes / 4096), NULL);

		if (fd < 0) {
			fprintf(stderr, "vmload: creating map %llu: %s\n", (unsigned long long)i,
				strerror(errno));
			return 1;
		}
		if (close(fd)) {
			perror("vmload: close");
			return 1;
		}
	}
	return 0;
}
