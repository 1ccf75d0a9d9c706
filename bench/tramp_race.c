// SPDX-License-Identifier: GPL-2.0
/*
 * tramp-race: load, attach, hold and destroy an fentry/fexit pair on one
 * kernel function, ROUNDS times, each round a new load (as a tool started
 * again would). The guest of bench/tramp-race runs it while other CPUs
 * call FUNC; it reports how often the programs ran.
 *
 *   tramp-race FUNC ROUNDS [HOLD_MS] [entry|exit|both|exit-first]
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "tramp_race.skel.h"
#include "numparse.h"

static int hold(uint64_t ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int round_trip(const char *func, int entry, int exit_, int exit_first, uint64_t hold_ms,
		      unsigned long long *entries, unsigned long long *exits)
{
	struct tramp_race_bpf *skel = tramp_race_bpf__open();
	int err;

	if (!skel)
		return -errno;
	bpf_program__set_autoload(skel->progs.race_entry, entry);
	bpf_program__set_autoload(skel->progs.race_exit, exit_);
	err = bpf_program__set_attach_target(skel->progs.race_entry, 0, func);
	if (!err)
		err = bpf_program__set_attach_target(skel->progs.race_exit, 0, func);
	if (!err)
		err = tramp_race_bpf__load(skel);
	/* exit-first: the order kvshadowtop attaches in (ends before starts). */
	if (!err && exit_first) {
		skel->links.race_exit = bpf_program__attach(skel->progs.race_exit);
		err = skel->links.race_exit ? 0 : -errno;
		if (!err) {
			skel->links.race_entry = bpf_program__attach(skel->progs.race_entry);
			err = skel->links.race_entry ? 0 : -errno;
		}
	} else if (!err) {
		err = tramp_race_bpf__attach(skel);
	}
	if (!err)
		err = hold(hold_ms);
	*entries += skel->bss->entries;
	*exits += skel->bss->exits;
	tramp_race_bpf__destroy(skel);
	return err;
}

int main(int argc, char **argv)
{
	unsigned long long entries = 0, exits = 0;
	uint64_t rounds, hold_ms = 20;
	int entry = 1, exit_ = 1, exit_first = 0;

	if (argc < 3 || argc > 5 || kvs_parse_u64(argv[2], 1, 1000000, &rounds) ||
	    (argc > 3 && kvs_parse_u64(argv[3], 0, 60000, &hold_ms))) {
		fprintf(stderr, "usage: tramp-race FUNC ROUNDS [HOLD_MS] [entry|exit|both|exit-first]\n");
		return 2;
	}
	if (argc > 4) {
		entry = strcmp(argv[4], "exit") != 0;
		exit_ = strcmp(argv[4], "entry") != 0;
		exit_first = !strcmp(argv[4], "exit-first");
		if (!strcmp(argv[4], "entry") + !strcmp(argv[4], "exit") + !strcmp(argv[4], "both") +
		    exit_first != 1) {
			fprintf(stderr, "tramp-race: '%s' is not entry, exit, both or exit-first\n", argv[4]);
			return 2;
		}
	}
	for (uint64_t i = 0; i < rounds; i++) {
		int err = round_trip(argv[1], entry, exit_, exit_first, hold_ms, &entries, &exits);

		if (err) {
			fprintf(stderr, "tramp-race: round %llu: %s\n", (unsigned long long)i + 1, strerror(-err));
			return 1;
		}
	}
	printf("tramp-race %s: %llu rounds, %llu entries, %llu exits\n", argv[1],
	       (unsigned long long)rounds, entries, exits);
	return 0;
}
