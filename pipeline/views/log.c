// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON log (--log FILE): the lines --json would print, written to a
 * file by the same process that shows the TUI, batch text or --prom-file,
 * so one interval can be compared on every surface. It shows what the
 * other views show: in a TUI run also the first screen (the baseline, all
 * counters 0) and a redraw after a key that changes the view's numbers.
 *
 * Each interval (its event lines and its object) is formatted in memory,
 * then written with one write(2) and nothing buffered after it: a reader
 * that follows the file (tail -f) sees whole lines, each interval as soon
 * as it is shown. The file is created, or truncated, at start; a path
 * that cannot be written fails the run before any BPF is loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "errmsg.h"
#include "view.h"

struct log_view {
	const struct kvs_options *opts;
	int fd;
};

static int log_open(const struct kvs_options *opts, void **state, char *err, size_t errlen)
{
	struct log_view *v = calloc(1, sizeof(*v));

	if (!v)
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	v->opts = opts;
	v->fd = open(opts->log_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
	if (v->fd < 0) {
		int e = errno;

		free(v);
		return kvs_err(err, errlen, -e, "%s: cannot write it: %s", opts->log_file,
			       strerror(e));
	}
	*state = v;
	return 0;
}

static int log_update(void *state, const struct kvs_model *m, char *err, size_t errlen)
{
	struct log_view *v = state;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int r;

	if (!mem)
		return kvs_err(err, errlen, -errno, "%s: %s", v->opts->log_file,
			       strerror(errno));
	r = kvs_json_write(mem, m, v->opts);
	if (fclose(mem) && !r)
		r = -errno;
	if (!r)
		r = kvs_write_all(v->fd, buf, len);
	free(buf);
	if (r)
		return kvs_err(err, errlen, r, "%s: %s", v->opts->log_file, strerror(-r));
	return 0;
}

static void log_close(void *state)
{
	struct log_view *v = state;

	if (!v)
		return;
	/* Everything was written at each update; a late error has no one to tell. */
	(void)close(v->fd);
	free(v);
}

const struct kvs_view_ops kvs_log_view = {
	.name = "--log",
	.open = log_open,
	.update = log_update,
	.close = log_close,
};
