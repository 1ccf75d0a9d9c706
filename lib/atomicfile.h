/* SPDX-License-Identifier: GPL-2.0 */
/*
 * atomicfile: replace a file so that readers (node_exporter's textfile
 * collector) only ever see the old or the new content, never a partial one.
 *
 * atomicfile_open() checks everything it can up front, so a tool given a bad
 * path fails at start rather than after its first interval. Each
 * atomicfile_write() creates a fresh temporary file in the same directory
 * (exclusively, never through a symlink), writes, fsyncs and renames it over
 * the target; on any failure the temporary file is removed.
 *
 * Signals: a tool's SIGINT/SIGTERM handler should only set a flag; the main
 * loop then calls atomicfile_close(), which removes a temporary file if one
 * is still there. Between writes there is none.
 */
#ifndef KVSHADOW_ATOMICFILE_H
#define KVSHADOW_ATOMICFILE_H

#include <stddef.h>

struct atomicfile {
	char *path;		/* the target, as given */
	char *tmpl;		/* mkostemp template: DIR/.BASE.XXXXXX */
	char *tmp;		/* the temporary file while one exists */
};

/*
 * Checks that path's directory exists, is a directory and can be written,
 * and that path is absent or a regular file (not a directory, not a symlink).
 * Returns 0, or a negative errno with a message naming the path and the
 * problem in err (always NUL-terminated, truncated to errlen).
 */
int atomicfile_open(struct atomicfile *af, const char *path,
		    char *err, size_t errlen);

/* Replaces the target with data[0..len). 0 or a negative errno + message. */
int atomicfile_write(struct atomicfile *af, const void *data, size_t len,
		     char *err, size_t errlen);

/* All of buf to fd, a write interrupted by a signal resumed: 0 or -errno (-EIO: nothing written). */
int kvs_write_all(int fd, const void *buf, size_t len);

/* Removes a leftover temporary file and frees af. The target stays. */
void atomicfile_close(struct atomicfile *af);

#endif
