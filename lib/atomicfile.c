// SPDX-License-Identifier: GPL-2.0
/* Atomic replacement of a file: temporary file in the same directory, rename. */
#include "atomicfile.h"
#include "errmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The error as this file reports it: -errnum, the message in err. */
#define fail(errnum, err, errlen, ...) kvs_err(err, errlen, -(errnum), __VA_ARGS__)

/* Creates the next temporary file; af->tmp names it while it exists. */
static int make_temp(struct atomicfile *af, char *err, size_t errlen)
{
	int fd, e;

	af->tmp = strdup(af->tmpl);
	if (!af->tmp)
		return fail(ENOMEM, err, errlen, "%s: out of memory", af->path);
	/*
	 * mkostemp opens with O_CREAT|O_EXCL, so a name planted beforehand
	 * (symlink included) is never opened; O_NOFOLLOW says so twice.
	 */
	fd = mkostemp(af->tmp, O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		e = errno;
		free(af->tmp);
		af->tmp = NULL;
		return fail(e, err, errlen,
			    "%s: cannot create a temporary file in its directory: %s",
			    af->path, strerror(e));
	}
	/* mkostemp makes 0600; node_exporter runs as another user. */
	if (fchmod(fd, 0644)) {
		e = errno;
		close(fd);
		return fail(e, err, errlen, "%s: chmod %s: %s", af->path,
			    af->tmp, strerror(e));
	}
	return fd;
}

static void drop_temp(struct atomicfile *af)
{
	if (!af->tmp)
		return;
	unlink(af->tmp);	/* nothing better to do if this fails */
	free(af->tmp);
	af->tmp = NULL;
}

static int check_dir(const char *path, const char *dir, char *err,
		     size_t errlen)
{
	struct stat st;

	if (stat(dir, &st)) {
		if (errno == ENOENT)
			return fail(ENOENT, err, errlen,
				    "%s: directory %s does not exist", path, dir);
		return fail(errno, err, errlen, "%s: directory %s: %s", path,
			    dir, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return fail(ENOTDIR, err, errlen, "%s: %s is not a directory",
			    path, dir);
	if (access(dir, W_OK | X_OK))
		return fail(errno, err, errlen,
			    "%s: directory %s is not writable: %s", path, dir,
			    strerror(errno));
	return 0;
}

static int check_target(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		return fail(errno, err, errlen, "%s: %s", path, strerror(errno));
	}
	if (S_ISDIR(st.st_mode))
		return fail(EISDIR, err, errlen, "%s: is a directory", path);
	/* Replacing a link would surprise whoever planted it, innocent or not. */
	if (S_ISLNK(st.st_mode))
		return fail(ELOOP, err, errlen,
			    "%s: is a symbolic link; refusing to replace it", path);
	if (!S_ISREG(st.st_mode))
		return fail(EINVAL, err, errlen, "%s: is not a regular file",
			    path);
	return 0;
}

int atomicfile_open(struct atomicfile *af, const char *path,
		    char *err, size_t errlen)
{
	const char *slash, *base;
	char *dir;
	int r, fd;

	*af = (struct atomicfile){ 0 };
	if (errlen)
		err[0] = '\0';
	if (!path || !*path)
		return fail(EINVAL, err, errlen, "empty file name");
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return fail(EISDIR, err, errlen, "%s: names a directory, not a file",
			    path);
	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return fail(ENOMEM, err, errlen, "out of memory");

	r = check_dir(path, dir, err, errlen);
	if (!r)
		r = check_target(path, err, errlen);
	if (!r) {
		af->path = strdup(path);
		r = asprintf(&af->tmpl, "%s/.%s.XXXXXX", dir, base) < 0 ?
			    -ENOMEM : 0;
		if (r)
			af->tmpl = NULL;
		if (r || !af->path)
			r = fail(ENOMEM, err, errlen, "out of memory");
	}
	free(dir);
	if (r)
		goto out;

	/*
	 * access() cannot see a read-only mount, a full disk or an LSM:
	 * creating (and removing) a real temporary file can.
	 */
	fd = make_temp(af, err, errlen);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	close(fd);
	drop_temp(af);
	return 0;
out:
	atomicfile_close(af);
	return r;
}

int kvs_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int atomicfile_write(struct atomicfile *af, const void *data, size_t len,
		     char *err, size_t errlen)
{
	const char *op = "write";
	int fd, e;

	if (errlen)
		err[0] = '\0';
	fd = make_temp(af, err, errlen);
	if (fd < 0) {
		drop_temp(af);
		return fd;
	}
	e = -kvs_write_all(fd, data, len);
	if (e)
		goto fail_fd;
	/* Without fsync a crash could leave the renamed file empty. */
	if (fsync(fd)) {
		e = errno, op = "fsync";
		goto fail_fd;
	}
	if (close(fd)) {
		e = errno, op = "close";
		goto fail;
	}
	/*
	 * No fsync of the directory: after a crash the rename may be lost,
	 * leaving the previous whole file, which is as good for metrics.
	 */
	if (rename(af->tmp, af->path)) {
		e = errno, op = "rename";
		goto fail;
	}
	free(af->tmp);
	af->tmp = NULL;
	return 0;

fail_fd:
	close(fd);
fail:
	drop_temp(af);
	return fail(e, err, errlen, "%s: %s: %s", af->path, op, strerror(e));
}

void atomicfile_close(struct atomicfile *af)
{
	drop_temp(af);
	free(af->path);
	free(af->tmpl);
	*af = (struct atomicfile){ 0 };
}
