// SPDX-License-Identifier: GPL-2.0
/*
 * mapfill: fill BPF hash maps, given by id, until each is full, so that
 * bench/footprint and tests/host/footprint can read what a running tool's
 * maps take at their worst (BPF_F_NO_PREALLOC hashes grow as rows come).
 * For benches and tests only: it writes rows the tool never made.
 *
 *   mapfill ID...
 *
 * Keys are small counters (1, 2, ...) in the key's first bytes, values
 * zero, inserted with BPF_NOEXIST: a row the tool made is kept. Small
 * counters are never kernel addresses, so the address-keyed maps
 * (caller names, stack-walk frames) never match one of them. Prints
 * "ID NAME ENTRIES_ADDED" per map; maps of other types are left alone.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "numparse.h"

/* Fill one hash map; entries added, or -errno. */
static long fill(int fd, const struct bpf_map_info *info)
{
	uint8_t *key = calloc(1, info->key_size), *value = calloc(1, info->value_size);
	long added = 0;
	int ret = 0;

	if (!key || !value) {
		free(key);
		free(value);
		return -ENOMEM;
	}
	/* Twice max_entries tries at most: rows of the tool's own keep some keys taken. */
	for (uint64_t k = 1; k <= 2ULL * info->max_entries; k++) {
		memcpy(key, &k, info->key_size < sizeof(k) ? info->key_size : sizeof(k));
		if (!bpf_map_update_elem(fd, key, value, BPF_NOEXIST)) {
			added++;
			continue;
		}
		if (errno == EEXIST)
			continue;
		/* E2BIG: full, what we came for. */
		ret = errno == E2BIG ? 0 : -errno;
		break;
	}
	free(key);
	free(value);
	return ret ? ret : added;
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: mapfill ID...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct bpf_map_info info;
		uint32_t len = sizeof(info);
		uint64_t id;
		long added;
		int fd;

		if (kvs_parse_u64(argv[i], 1, UINT32_MAX, &id)) {
			fprintf(stderr, "mapfill: '%s' is not a map id\n", argv[i]);
			return 2;
		}
		fd = bpf_map_get_fd_by_id((uint32_t)id);
		if (fd < 0) {
			fprintf(stderr, "mapfill: map %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			fprintf(stderr, "mapfill: map %s: %s\n", argv[i], strerror(errno));
			status = 1;
		} else if (info.type == BPF_MAP_TYPE_HASH) {
			added = fill(fd, &info);
			if (added < 0) {
				fprintf(stderr, "mapfill: filling map %s (%s): %s\n", argv[i], info.name,
					strerror((int)-added));
				status = 1;
			} else if (printf("%s %s %ld\n", argv[i], info.name, added) < 0) {
				status = 1;
			}
		}
		if (close(fd)) {
			perror("mapfill: close");
			status = 1;
		}
	}
	if (fflush(stdout))
		status = 1;
	return status;
}
