// SPDX-License-Identifier: GPL-2.0
/*
 * kvshadowstat: vmstat for the pages that back KASAN's vmalloc shadow.
 *
 * Data flows one way: read the debugfs file into a snapshot, compute the
 * row (deltas) from the previous snapshot, hand the row to the views.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "kvshadow_prom_debugfs.h"
#include "kvshadowstat_model.h"
#include "kvshadowstat_opts.h"
#include "kvshadowstat_view.h"
#include "vmalloc_shadow.h"

#define PROG "kvshadowstat"

static int snapshot_take(const char *path, struct kvstat_snapshot *s, char *err, size_t errlen)
{
	if (clock_gettime(CLOCK_REALTIME, &s->realtime) ||
	    clock_gettime(CLOCK_BOOTTIME, &s->boottime)) {
		int e = errno;

		snprintf(err, errlen, "clock_gettime: %s", strerror(e));
		return -e;
	}
	return vmalloc_shadow_read(path, &s->vs, err, errlen);
}

static void timespec_add(struct timespec *t, double seconds)
{
	time_t sec = (time_t)seconds;

	t->tv_sec += sec;
	t->tv_nsec += (long)((seconds - sec) * 1e9 + 0.5);
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

/*
 * Sleep until *next (CLOCK_MONOTONIC), then move it on by one interval.
 * SIGINT and SIGTERM are blocked and taken here, so a signal that comes
 * while a line is printed lets that line finish. Returns 1 when one came,
 * 0 when the time is up, or a negative errno.
 */
static int wait_next(struct timespec *next, double interval_s, const sigset_t *stop)
{
	struct timespec now, left;

	for (;;) {
		if (clock_gettime(CLOCK_MONOTONIC, &now))
			return -errno;
		left.tv_sec = next->tv_sec - now.tv_sec;
		left.tv_nsec = next->tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_nsec += 1000000000L;
			left.tv_sec--;
		}
		if (left.tv_sec < 0) {
			/* Late (stopped, or a slow read): start over from now, no burst. */
			*next = now;
			left.tv_sec = left.tv_nsec = 0;
		}
		if (sigtimedwait(stop, NULL, &left) > 0)
			return 1;
		if (errno == EAGAIN)
			break;
		if (errno != EINTR)
			return -errno;
	}
	timespec_add(next, interval_s);
	return 0;
}

/*
 * The signals that end the loop: SIGINT and SIGTERM, unless ignored (as the
 * shell does for SIGINT in background jobs), since blocking them for
 * sigtimedwait would otherwise let them through after all.
 */
static int stop_signals(sigset_t *set)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	struct sigaction old;
	size_t i;

	if (sigemptyset(set))
		return -1;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], NULL, &old))
			return -1;
		if (old.sa_handler != SIG_IGN && sigaddset(set, sigs[i]))
			return -1;
	}
	return 0;
}

static void warn_row(const struct kvstat_row *row, const struct kvstat_snapshot *prev)
{
	int i = row->counter_back;

	if (row->peak_reset)
		fprintf(stderr, PROG ": shadow_pages_peak dropped from %llu to %llu: it was reset\n",
			(unsigned long long)prev->vs.shadow_pages_peak,
			(unsigned long long)row->cur->vs.shadow_pages_peak);
	if (i >= 0)
		fprintf(stderr, PROG ": warning: %s went backwards (%llu -> %llu), "
			"though it only ever counts up: was the file replaced?\n",
			vmalloc_shadow_fields[i].name,
			(unsigned long long)vmalloc_shadow_get(&prev->vs, i),
			(unsigned long long)vmalloc_shadow_get(&row->cur->vs, i));
}

static int run(const struct kvstat_opts *o)
{
	struct kvstat_snapshot snap[2];
	struct kvstat_views views = { .out = stdout, .json = o->json };
	struct kvstat_row row;
	struct atomicfile prom = { 0 };
	struct timespec next;
	unsigned long n, count = o->interval_s > 0 ? o->count : 1;
	long page_size = sysconf(_SC_PAGESIZE);
	char err[512];
	sigset_t stop;
	int cur = 0, ret = 0;

	memset(snap, 0, sizeof(snap));
	if (page_size <= 0) {
		fprintf(stderr, PROG ": cannot get the page size\n");
		return 1;
	}
	if (stop_signals(&stop) || sigprocmask(SIG_BLOCK, &stop, NULL) ||
	    clock_gettime(CLOCK_MONOTONIC, &next)) {
		fprintf(stderr, PROG ": setting up: %s\n", strerror(errno));
		return 1;
	}
	timespec_add(&next, o->interval_s);
	/* A bad --prom-file is reported now, not after the first interval. */
	if (o->prom_file && atomicfile_open(&prom, o->prom_file, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}

	for (n = 0; !count || n < count; n++) {
		const struct kvstat_snapshot *prev = n ? &snap[!cur] : NULL;

		if (n) {
			ret = wait_next(&next, o->interval_s, &stop);
			if (ret < 0) {
				fprintf(stderr, PROG ": waiting: %s\n", strerror(-ret));
				break;
			}
			if (ret > 0) {
				ret = 0;	/* interrupted: a clean end */
				break;
			}
		}
		ret = snapshot_take(o->file, &snap[cur], err, sizeof(err));
		if (ret) {
			fprintf(stderr, PROG ": %s\n", err);
			break;
		}
		kvstat_row_compute(prev, &snap[cur], (uint64_t)page_size, &row);
		if (prev)
			warn_row(&row, prev);
		ret = kvstat_views_emit(&views, &row);
		if (ret) {
			fprintf(stderr, PROG ": writing the output: %s\n", strerror(-ret));
			break;
		}
		if (o->prom_file) {
			ret = kvshadow_prom_debugfs_write(&prom, &snap[cur].vs, (uint64_t)page_size,
							  err, sizeof(err));
			if (ret) {
				fprintf(stderr, PROG ": %s\n", err);
				break;
			}
		}
		vmalloc_shadow_free(&snap[!cur].vs);
		cur = !cur;
	}
	vmalloc_shadow_free(&snap[0].vs);
	vmalloc_shadow_free(&snap[1].vs);
	if (o->prom_file)
		atomicfile_close(&prom);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct kvstat_opts o;
	char err[256];
	int ret = kvstat_parse_args(argc, argv, &o, err, sizeof(err));

	if (ret == KVSTAT_ARGS_HELP) {
		kvstat_usage(stdout, false);
		return fflush(stdout) ? 1 : 0;
	}
	if (ret < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		kvstat_usage(stderr, true);
		return 2;
	}
	return run(&o);
}
