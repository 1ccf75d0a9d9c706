// SPDX-License-Identifier: GPL-2.0
/*
 * promgen: writes a kvshadow .prom file with every family filled, through
 * the same lib/kvshadow_prom code the tools use, for the tests in
 * tests/prom/ and tests/install/.
 *
 *   promgen [-m MODE]                 the file to stdout
 *   promgen [-m MODE] -o PATH [-n N]  replace PATH atomically N times (0: until
 *                                     SIGTERM/SIGINT), values changing each time
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvshadow_prom.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* Synthetic but plausible numbers; round i changes them and the file size. */
static void fill(struct kvshadow_prom *p, const char *mode, unsigned long i,
		 struct kvshadow_prom_caller *callers, char names[][48],
		 size_t *ncallers)
{
	static const double bounds[] = { 1e-6, 4e-6, 16e-6, 64e-6, 256e-6, 1e-3 };
	static uint64_t cum[KVSHADOW_PROM_HISTS][6];
	const uint64_t page = 4096;

	*p = (struct kvshadow_prom){ .mode = mode, .kernel = "6.12.0-kvshadow" };
	kvshadow_prom_set(p, KVSHADOW_SHADOW_BYTES, (63 + i % 50) * page);
	kvshadow_prom_set(p, KVSHADOW_SHADOW_PEAK_BYTES, 113 * page);
	kvshadow_prom_set(p, KVSHADOW_POPULATED_BYTES, (140 + 3 * i) * page);
	kvshadow_prom_set(p, KVSHADOW_RELEASED_BYTES, (77 + 2 * i) * page);
	kvshadow_prom_set(p, KVSHADOW_POPULATE_CALLS, 37 + i);
	kvshadow_prom_set(p, KVSHADOW_POPULATE_FAILURES, i / 100);
	kvshadow_prom_set(p, KVSHADOW_RELEASE_CALLS, 6 + i / 2);
	kvshadow_prom_set(p, KVSHADOW_VMALLOC_USED_BYTES, 8u << 20);
	/* Every family, even those one mode alone has: tests list them all. */
	kvshadow_prom_set(p, KVSHADOW_DRIFT_BYTES, 0);
	kvshadow_prom_set(p, KVSHADOW_EVENTS_LOST, i / 10);
	for (int h = 0; h < KVSHADOW_PROM_HISTS; h++) {
		for (int b = 0; b < 6; b++)
			cum[h][b] = (uint64_t)(b + 1) * (10 + i);
		p->has_hist[h] = true;
		p->hist[h] = (struct kvshadow_prom_hist){
			.bounds = bounds, .cumulative = cum[h], .nbounds = 6,
			.sum = 0.0015 * (double)(1 + i), .count = 7 * (10 + i),
		};
	}
	*ncallers = 3 + i % 12;
	for (size_t c = 0; c < *ncallers; c++) {
		snprintf(names[c], sizeof(names[c]), "caller_%u+0x%x/0x40",
			 (unsigned int)c, (unsigned int)c);
		callers[c] = (struct kvshadow_prom_caller){
			.caller = names[c], .populated_bytes = (c + 1) * page * (1 + i),
		};
	}
	p->has_callers = true;
	p->callers = callers;
	p->ncallers = *ncallers;
	p->top_n = KVSHADOW_PROM_TOP_N_DEFAULT;
}

int main(int argc, char **argv)
{
	struct kvshadow_prom_caller callers[16];
	char names[16][48], err[512];
	const char *mode = "exact", *path = NULL;
	struct kvshadow_prom_state st = { 0 };
	struct kvshadow_prom p;
	struct atomicfile af;
	unsigned long count = 1;
	size_t ncallers;
	int opt, r = 0;

	while ((opt = getopt(argc, argv, "m:o:n:")) != -1) {
		switch (opt) {
		case 'm': mode = optarg; break;
		case 'o': path = optarg; break;
		case 'n': count = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: promgen [-m MODE] [-o PATH [-n N]]\n");
			return 2;
		}
	}
	if (!path) {
		struct promtext *pt = promtext_new();
		const char *data;
		size_t len;

		if (!pt)
			return 1;
		fill(&p, mode, 0, callers, names, &ncallers);
		r = kvshadow_prom_render(pt, &p, &st);
		if (!r)
			r = promtext_finish(pt, &data, &len);
		if (r)
			fprintf(stderr, "promgen: %s\n", promtext_error(pt));
		else if (fwrite(data, 1, len, stdout) != len || fflush(stdout))
			r = -EIO;
		promtext_free(pt);
		return r ? 1 : 0;
	}

	if (atomicfile_open(&af, path, err, sizeof(err))) {
		fprintf(stderr, "promgen: %s\n", err);
		return 1;
	}
	if (signal(SIGTERM, on_signal) == SIG_ERR ||
	    signal(SIGINT, on_signal) == SIG_ERR) {
		perror("promgen: signal");
		atomicfile_close(&af);
		return 1;
	}
	for (unsigned long i = 0; !stop && (count == 0 || i < count); i++) {
		fill(&p, mode, i, callers, names, &ncallers);
		r = kvshadow_prom_write(&af, &p, &st, err, sizeof(err));
		if (r) {
			fprintf(stderr, "promgen: %s\n", err);
			break;
		}
		if (count == 0)
			usleep(1000);
	}
	atomicfile_close(&af);
	return r ? 1 : 0;
}
