// SPDX-License-Identifier: GPL-2.0
/*
 * kvshadowtop: watch the memory KASAN spends on vmalloc shadow.
 * Options and mode choice, then the loop: collect -> model -> views.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "collect.h"
#include "loader.h"
#include "model.h"
#include "view.h"
#include "vmalloc_shadow.h"

#define EXIT_USAGE 2

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static const char usage_text[] =
	"Usage: kvshadowtop [-b] [-n COUNT] [-d SECONDS] [--json] [--mode exact|estimate|debugfs]\n"
	"                   [--prom-file PATH] [-s SORT] [-r ROWS] [--by caller|process] [--top N] [-h]\n"
	"Watch the pages KASAN maps to back vmalloc shadow, who causes them and what they cost.\n"
	"\n"
	"  -b, --batch          plain text, no terminal control (implied when stdout is not a tty)\n"
	"  -n, --count COUNT    intervals, then exit (0 = forever, the default)\n"
	"  -d, --delay SECONDS  interval, fractions allowed (default 1)\n"
	"      --json           one JSON object per interval per line\n"
	"      --mode MODE      exact: kasan:* tracepoints (kvshadow-patched KASAN kernel)\n"
	"                       estimate: model what KASAN_VMALLOC would map, any kernel\n"
	"                       debugfs: counters only, no BPF\n"
	"                       (default: exact when the kernel has the kasan tracepoints, else estimate)\n"
	"      --prom-file PATH write Prometheus text to PATH each interval (atomically)\n"
	"  -s, --sort SORT      top order: pages (default), calls, rate, name\n"
	"  -r, --rows ROWS      rows of the top table (default 10)\n"
	"      --by WHAT        attribute to caller (default) or process\n"
	"      --top N          caller labels in the Prometheus file (default 10)\n"
	"  -h, --help           this help\n"
	"Exit status: 0 success, 1 runtime failure, 2 usage error.\n";

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kvshadowtop: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'kvshadowtop -h'.\n");
	return EXIT_USAGE;
}

/* Keep the start of a long message in a short field. */
static void copy_trunc(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return -1;
	*out = (size_t)v;
	return 0;
}

/* 0, or the exit status to leave with (-1: -h). */
static int parse_args(int argc, char **argv, struct kvs_options *o)
{
	enum { OPT_JSON = 256, OPT_MODE, OPT_PROM, OPT_BY, OPT_TOP };
	static const struct option longopts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "count", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "prom-file", required_argument, NULL, OPT_PROM },
		{ "sort", required_argument, NULL, 's' },
		{ "rows", required_argument, NULL, 'r' },
		{ "by", required_argument, NULL, OPT_BY },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char *const sorts[] = {
		[KVS_SORT_PAGES] = "pages", [KVS_SORT_CALLS] = "calls",
		[KVS_SORT_RATE] = "rate", [KVS_SORT_NAME] = "name",
	};
	size_t n;
	char *end;
	int c;

	*o = (struct kvs_options){ .interval_s = 1, .rows = 10, .prom_top = 10 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":bn:d:s:r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->batch = true;
			break;
		case 'n':
			if (parse_size(optarg, &n))
				return usage_error("-n needs a count, not '%s'", optarg);
			o->count = n;
			break;
		case 'd':
			errno = 0;
			o->interval_s = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->interval_s >= 0.01) ||
			    o->interval_s > 86400)
				return usage_error("-d needs seconds between 0.01 and 86400, not '%s'", optarg);
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_MODE:
			o->mode_set = true;
			if (!strcmp(optarg, "exact"))
				o->mode = KVS_MODE_EXACT;
			else if (!strcmp(optarg, "estimate"))
				o->mode = KVS_MODE_ESTIMATE;
			else if (!strcmp(optarg, "debugfs"))
				o->mode = KVS_MODE_DEBUGFS;
			else
				return usage_error("--mode is exact, estimate or debugfs, not '%s'", optarg);
			break;
		case OPT_PROM:
			if (!*optarg)
				return usage_error("--prom-file needs a path");
			o->prom_file = optarg;
			break;
		case 's': {
			size_t i;

			for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
				if (!strcmp(optarg, sorts[i]))
					break;
			if (i == sizeof(sorts) / sizeof(sorts[0]))
				return usage_error("-s is pages, calls, rate or name, not '%s'", optarg);
			o->sort = (enum kvs_sort)i;
			break;
		}
		case 'r':
			if (parse_size(optarg, &n) || n > 100000)
				return usage_error("-r needs a number of rows, not '%s'", optarg);
			o->rows = n;
			break;
		case OPT_BY:
			if (!strcmp(optarg, "caller"))
				o->by = KVS_BY_CALLER;
			else if (!strcmp(optarg, "process"))
				o->by = KVS_BY_PROCESS;
			else
				return usage_error("--by is caller or process, not '%s'", optarg);
			break;
		case OPT_TOP:
			if (parse_size(optarg, &n) || n > 10000)
				return usage_error("--top needs a number of callers, not '%s'", optarg);
			o->prom_top = n;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!isatty(STDOUT_FILENO))
		o->batch = true;
	return 0;
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Open the collector, choosing the mode when the user did not. */
static int open_collect(struct kvs_options *o, struct kvs_collect **c, char *note, size_t notelen)
{
	char err[512];
	enum kvs_mode mode = o->mode;
	int ret;

	if (!o->mode_set)
		mode = kvs_bpf_kernel_has_exact() ? KVS_MODE_EXACT : KVS_MODE_ESTIMATE;
	ret = kvs_collect_open(c, mode, err, sizeof(err));
	if (ret && !o->mode_set && mode != KVS_MODE_DEBUGFS &&
	    (ret == -EPERM || ret == -EACCES || ret == -ENOENT)) {
		/* No BPF rights or no BTF: the debugfs counters still work. */
		fprintf(stderr, "kvshadowtop: %s mode unavailable: %s; falling back to debugfs mode\n",
			kvs_mode_name(mode), err);
		copy_trunc(note, notelen, err);
		mode = KVS_MODE_DEBUGFS;
		ret = kvs_collect_open(c, mode, err, sizeof(err));
	}
	if (ret) {
		fprintf(stderr, "kvshadowtop: %s mode: %s\n", kvs_mode_name(mode), err);
		return ret;
	}
	o->mode = mode;
	return 0;
}

struct open_view {
	const struct kvs_view_ops *ops;
	void *state;
};

/* Report after the views are closed: a message printed under the TUI is lost. */
#define FAIL(...) do { snprintf(fatal, sizeof(fatal), __VA_ARGS__); goto out; } while (0)

static int open_view(struct open_view *v, const struct kvs_view_ops *ops,
		     const struct kvs_options *o, char *err, size_t errlen)
{
	v->ops = ops;
	return ops->open(o, &v->state, err, errlen);
}

static int run(struct kvs_options *o)
{
	struct open_view views[2];
	size_t nviews = 0;
	struct kvs_collect *c = NULL;
	struct kvs_model m;
	struct utsname uts;
	char err[512], fatal[640] = "", bpf_note[KVS_WHY_LEN] = "";
	double next;
	unsigned long done = 0;
	int status = 1;

	kvs_model_init(&m, o->mode, "unknown", sysconf(_SC_PAGESIZE));
	/* A bad --prom-file is reported before any BPF is loaded. */
	if (o->prom_file) {
		if (!&kvs_prom_view)
			FAIL("--prom-file: this build has no Prometheus writer");
		if (open_view(&views[nviews], &kvs_prom_view, o, err, sizeof(err)))
			FAIL("%s: %s", kvs_prom_view.name, err);
		nviews++;
	}
	if (open_collect(o, &c, bpf_note, sizeof(bpf_note)))
		goto out;
	if (uname(&uts))
		snprintf(uts.release, sizeof(uts.release), "unknown");
	kvs_model_free(&m);
	kvs_model_init(&m, o->mode, uts.release, sysconf(_SC_PAGESIZE));

	if (open_view(&views[nviews], o->json ? &kvs_json_view :
		      (!o->batch && &kvs_tui_view) ? &kvs_tui_view : &kvs_text_view,
		      o, err, sizeof(err)))
		FAIL("%s: %s", views[nviews].ops->name, err);
	nviews++;

	next = mono_now() + o->interval_s;
	while (!stop && (!o->count || done < o->count)) {
		struct pollfd fds[3];
		struct kvs_snapshot s;
		nfds_t nfds = 0;
		double left = next - mono_now();

		if (left > 0) {
			int cfd = kvs_collect_fd(c);

			if (cfd >= 0)
				fds[nfds++] = (struct pollfd){ .fd = cfd, .events = POLLIN };
			for (size_t i = 0; i < nviews; i++) {
				int fd = views[i].ops->input_fd ? views[i].ops->input_fd(views[i].state) : -1;

				if (fd >= 0)
					fds[nfds++] = (struct pollfd){ .fd = fd, .events = POLLIN };
			}
			/* The BPF side wakes us only when its buffer fills: drain every 100 ms. */
			if (cfd >= 0 && left > 0.1)
				left = 0.1;
			if (poll(fds, nfds, (int)ceil(left * 1000)) < 0 && errno != EINTR)
				FAIL("poll: %s", strerror(errno));
			if (kvs_collect_drain(c))
				FAIL("replaying events failed");
			for (size_t i = 0; i < nviews; i++) {
				enum kvs_view_action a;

				if (!views[i].ops->input || !views[i].ops->input_fd ||
				    views[i].ops->input_fd(views[i].state) < 0)
					continue;
				a = views[i].ops->input(views[i].state, &m);
				if (a == KVS_VIEW_QUIT) {
					stop = 1;
				} else if (a == KVS_VIEW_SET_INTERVAL && views[i].ops->interval) {
					/* The new delay counts from now, as in top. */
					o->interval_s = views[i].ops->interval(views[i].state);
					next = mono_now() + o->interval_s;
				} else if (a == KVS_VIEW_REDRAW && m.updates &&
					   views[i].ops->update(views[i].state, &m)) {
					FAIL("%s view failed", views[i].ops->name);
				}
			}
			continue;
		}
		if (kvs_collect_snapshot(c, &s, err, sizeof(err)))
			FAIL("%s", err);
		if (bpf_note[0])
			copy_trunc(s.unavailable.bpf, KVS_WHY_LEN, bpf_note);
		if (kvs_model_update(&m, &s)) {
			kvs_snapshot_free(&s);
			FAIL("out of memory");
		}
		kvs_snapshot_free(&s);
		for (size_t i = 0; i < nviews; i++) {
			/* A view prints its own reason; this line names the view. */
			if (views[i].ops->update(views[i].state, &m))
				FAIL("%s view failed", views[i].ops->name);
		}
		done++;
		next += o->interval_s;
	}
	status = 0;
out:
	while (nviews) {
		nviews--;
		views[nviews].ops->close(views[nviews].state);
	}
	if (fatal[0])
		fprintf(stderr, "kvshadowtop: %s\n", fatal);
	/* Links go before exit, also after SIGINT/SIGTERM. */
	kvs_collect_close(c);
	kvs_model_free(&m);
	return status;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct kvs_options o;
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret < 0 ? 0 : ret;
	/* No SA_RESTART: poll() must return so the loop sees stop. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) {
		perror("kvshadowtop: sigaction");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	return run(&o);
}
