// SPDX-License-Identifier: GPL-2.0
/*
 * promgen: writes kvshadow .prom files through the tools' own Prometheus
 * view (pipeline/views/prom.c) from a synthetic model with every family
 * of its mode filled, for the tests in tests/prom/ and tests/install/.
 *
 *   promgen [-m MODE]                 the file to stdout
 *   promgen [-m MODE] -o PATH [-n N]  replace PATH atomically N times (0: until
 *                                     SIGTERM/SIGINT), values changing each time
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "prom.h"
#include "promtext.h"
#include "view.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* Synthetic but plausible numbers; round i changes them and the file size. */
static void fill(struct kvs_model *m, enum kvs_mode mode, unsigned long i,
		 struct kvs_top_entry *callers)
{
	static struct kvs_node_shadow nodes[2];

	kvs_model_init(m, mode, "6.12.0-kvshadow", 4096);
	m->known = kvs_mode_known(mode);
	m->total = (struct kvs_counters){
		.shadow_pages = 63 + i % 50, .shadow_pages_peak = 113,
		.pages_populated = 140 + 3 * i, .pages_released = 77 + 2 * i,
		.pages_allocated = 150 + 3 * i, .populate_calls = 37 + i,
		.populate_failures = i / 100, .release_calls = 6 + i / 2,
	};
	m->shadow_bytes = m->total.shadow_pages * 4096;
	m->shadow_peak_bytes = m->total.shadow_pages_peak * 4096;
	m->have_vmalloc_used = true;
	m->vmalloc_used_bytes = 8u << 20;
	m->drift_valid = mode != KVS_MODE_ESTIMATE;
	m->drift_pages = 0;
	m->events_lost = i / 10;
	for (int h = 0; h < KVS_NR_HISTS; h++) {
		m->hist[h].available = true;
		for (int s = 9; s < 21; s += 2)
			m->hist[h].total.slots[s] = 10 + i;
		m->hist[h].total.count = 6 * (10 + i);
		m->hist[h].total.sum_ns = 1500000 * (1 + i);
	}
	/* The lazy backlog, stale one interval in seven; stalls now and then. */
	m->purge = (struct kvs_purge){ .lazy_traced = true, .have_lazy = true,
		.lazy_stale = i % 7 == 3, .lazy_pages = 1000 + 37 * (i % 100),
		.lazy_max_pages = 16384, .have_stalls = true, .stall_ns = 1000000000,
		.stalls = i / 50 };
	/* The kernel's count per node (not in estimate mode: no KASAN there). */
	m->have_nodes = mode != KVS_MODE_ESTIMATE;
	m->nr_nodes = m->have_nodes ? 2 : 0;
	m->nodes = m->have_nodes ? nodes : NULL;
	nodes[0] = (struct kvs_node_shadow){ 0, 40 + i % 30 };
	nodes[1] = (struct kvs_node_shadow){ 1, 23 + i % 20 };
	/* Estimate mode seeded from sizes alone: its bound. */
	if (mode == KVS_MODE_ESTIMATE)
		m->seed = (struct kvs_seed_note){ KVS_SEED_APPROXIMATE, m->total.shadow_pages - 20,
						  m->total.shadow_pages + 30, "addresses hidden" };
	m->callers.available = true;
	m->callers.nr = 3 + i % 12;
	m->callers.e = callers;
	for (size_t c = 0; c < m->callers.nr; c++) {
		snprintf(callers[c].name, sizeof(callers[c].name), "caller_%u+0x%x/0x40",
			 (unsigned int)c, (unsigned int)c);
		callers[c].pages_populated = (c + 1) * (1 + i);
	}
}

int main(int argc, char **argv)
{
	struct kvs_top_entry callers[16];
	struct kvs_options o = { .prom_top = 10 };
	char err[512];
	enum kvs_mode mode = KVS_MODE_EXACT;
	struct kvs_model m;
	unsigned long count = 1;
	void *v;
	int opt, r = 0, i;

	while ((opt = getopt(argc, argv, "m:o:n:")) != -1) {
		switch (opt) {
		case 'm':
			i = kvs_enum_parse(kvs_mode_name_i, KVS_NR_MODES, optarg);
			if (i < 0) {
				fprintf(stderr, "promgen: no mode '%s'\n", optarg);
				return 2;
			}
			mode = (enum kvs_mode)i;
			break;
		case 'o': o.prom_file = optarg; break;
		case 'n': count = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: promgen [-m MODE] [-o PATH [-n N]]\n");
			return 2;
		}
	}
	if (!o.prom_file) {
		struct kvs_prom_state st = { .top_n = o.prom_top };
		struct promtext *pt = promtext_new();
		const char *data;
		size_t len;

		if (!pt)
			return 1;
		fill(&m, mode, 0, callers);
		r = kvs_prom_render(pt, &m, &st);
		if (!r)
			r = promtext_finish(pt, &data, &len);
		if (r)
			fprintf(stderr, "promgen: %s\n", promtext_error(pt));
		else if (fwrite(data, 1, len, stdout) != len || fflush(stdout))
			r = -EIO;
		promtext_free(pt);
		return r ? 1 : 0;
	}

	if (kvs_prom_view.open(&o, &v, err, sizeof(err))) {
		fprintf(stderr, "promgen: %s\n", err);
		return 1;
	}
	if (signal(SIGTERM, on_signal) == SIG_ERR ||
	    signal(SIGINT, on_signal) == SIG_ERR) {
		perror("promgen: signal");
		kvs_prom_view.close(v);
		return 1;
	}
	for (unsigned long k = 0; !stop && (count == 0 || k < count); k++) {
		fill(&m, mode, k, callers);
		r = kvs_prom_view.update(v, &m, err, sizeof(err));
		if (r) {
			fprintf(stderr, "promgen: %s\n", err);
			break;
		}
		if (count == 0)
			usleep(1000);
	}
	kvs_prom_view.close(v);
	return r ? 1 : 0;
}
