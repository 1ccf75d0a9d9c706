// SPDX-License-Identifier: GPL-2.0
/*
 * lib/atomicfile: bad paths fail at open with a message naming the path,
 * nothing is ever written through a symlink, and no temporary file is left
 * behind after success, failure or cleanup.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "atomicfile.h"

struct fixture {
	char dir[64];
	char path[128];		/* dir/kvshadow.prom */
	char err[512];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_atomicfile.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/kvshadow.prom", f->dir);
	*state = f;
	return 0;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	chmod(p, 0700);
	return remove(p);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	chmod(f->dir, 0700);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static int not_dots(const struct dirent *e)
{
	return strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
}

/* Names in dir other than . and .., sorted, joined by spaces. */
static char *listing(const char *dir)
{
	struct dirent **names;
	char *out = strdup(""), *tmp;
	int n = scandir(dir, &names, not_dots, alphasort);

	assert_true(n >= 0);
	assert_non_null(out);
	for (int i = 0; i < n; i++) {
		if (asprintf(&tmp, "%s%s%s", out, *out ? " " : "",
			     names[i]->d_name) < 0)
			tmp = NULL;
		free(out);
		out = tmp;
		free(names[i]);
	}
	free(names);
	assert_non_null(out);
	return out;
}

static void assert_listing(const char *dir, const char *want)
{
	char *got = listing(dir);
	int same = !strcmp(got, want);

	if (!same)
		print_error("%s holds \"%s\", want \"%s\"\n", dir, got, want);
	free(got);
	assert_true(same);
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	assert_non_null(fp);
	n = getdelim(&buf, &cap, '\0', fp);
	fclose(fp);
	if (n < 0) {
		free(buf);
		return strdup("");
	}
	return buf;
}

static void test_success(void **state)
{
	struct fixture *f = *state;
	struct atomicfile af;
	struct stat st;
	char *s;

	umask(077);	/* the file must still come out 0644 */
	assert_int_equal(atomicfile_open(&af, f->path, f->err, sizeof(f->err)), 0);
	assert_string_equal(f->err, "");
	/* Opening checks by creating a temporary file: none is left. */
	assert_listing(f->dir, "");
	for (int i = 0; i < 20; i++) {
		assert_int_equal(atomicfile_write(&af, "a 1\n", 4, f->err,
						  sizeof(f->err)), 0);
		assert_listing(f->dir, "kvshadow.prom");
	}
	assert_int_equal(atomicfile_write(&af, "b 2\n", 4, f->err, sizeof(f->err)), 0);
	atomicfile_close(&af);
	umask(022);
	assert_listing(f->dir, "kvshadow.prom");
	s = slurp(f->path);
	assert_string_equal(s, "b 2\n");
	free(s);
	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
}

static void test_missing_dir(void **state)
{
	struct fixture *f = *state;
	struct atomicfile af;
	char path[192];

	snprintf(path, sizeof(path), "%s/nodir/kvshadow.prom", f->dir);
	assert_int_equal(atomicfile_open(&af, path, f->err, sizeof(f->err)), -ENOENT);
	assert_non_null(strstr(f->err, path));
	assert_non_null(strstr(f->err, "does not exist"));
	assert_listing(f->dir, "");
}

/* Works as root too: a regular file as parent defeats every capability. */
static void test_parent_is_file(void **state)
{
	struct fixture *f = *state;
	struct atomicfile af;
	char file[160], path[192];
	int fd;

	snprintf(file, sizeof(file), "%s/plain", f->dir);
	fd = open(file, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/kvshadow.prom", file);
	assert_int_equal(atomicfile_open(&af, path, f->err, sizeof(f->err)), -ENOTDIR);
	assert_non_null(strstr(f->err, path));
	assert_non_null(strstr(f->err, "not a directory"));
	assert_listing(f->dir, "plain");
}

static void test_readonly_dir(void **state)
{
	struct fixture *f = *state;
	struct atomicfile af;
	char sub[128], path[192];

	if (geteuid() == 0) {
		/* root writes a mode 0555 directory anyway: nothing to test. */
		fprintf(stderr, "SKIP: read-only directory check needs a non-root user\n");
		skip();
	}
	snprintf(sub, sizeof(sub), "%s/ro", f->dir);
	assert_int_equal(mkdir(sub, 0555), 0);
	snprintf(path, sizeof(path), "%s/kvshadow.prom", sub);
	assert_int_equal(atomicfile_open(&af, path, f->err, sizeof(f->err)), -EACCES);
	assert_non_null(strstr(f->err, path));
	assert_non_null(strstr(f->err, "not writable"));
	assert_listing(sub, "");
}

static void test_target_is_dir(void **state)
{
	struct fixture *f = *state;
	struct atomicfile af;
	char slash[160];

	assert_int_equal(mkdir(f->path, 0755), 0);
	assert_int_equal(atomicfile_open(&af, f->path, f->err, sizeof(f->err)), -EISDIR);
	assert_non_null(strstr(f->err, f->path));
	assert_non_null(strstr(f->err, "is a directory"));
	snprintf(slash, sizeof(slash), "%s/", f->dir);
	assert_int_equal(atomicfile_open(&af, slash, f->err, sizeof(f->err)), -EISDIR);
	assert_int_equal(atomicfile_open(&af, "", f->err, sizeof(f->err)), -EINVAL);
	assert_listing(f->dir, "kvshadow.prom");
}

/* victim holds "keep\n"; f->path is a symlink to it. */
static void plant_link(struct fixture *f, char *victim, size_t len)
{
	int fd;

	snprintf(victim, len, "%s/victim", f->dir);
	fd = open(victim, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep\n", 5), 5);
	close(fd);
	assert_int_equal(symlink(victim, f->path), 0);
}

static void assert_kept(const char *victim)
{
	char *s = slurp(victim);
	int same = !strcmp(s, "keep\n");

	free(s);
	assert_true(same);
}

static void test_symlink_at_open(void **state)
{
	struct fixture *f = *state;
	struct atomicfile af;
	char victim[160];

	plant_link(f, victim, sizeof(victim));
	assert_int_equal(atomicfile_open(&af, f->path, f->err, sizeof(f->err)), -ELOOP);
	assert_non_null(strstr(f->err, f->path));
	assert_non_null(strstr(f->err, "symbolic link"));
	assert_kept(victim);
}

/* A link planted after the start is replaced, never written through. */
static void test_symlink_after_open(void **state)
{
	struct fixture *f = *state;
	struct atomicfile af;
	char victim[160];
	struct stat st;

	assert_int_equal(atomicfile_open(&af, f->path, f->err, sizeof(f->err)), 0);
	plant_link(f, victim, sizeof(victim));
	assert_int_equal(atomicfile_write(&af, "new\n", 4, f->err, sizeof(f->err)), 0);
	atomicfile_close(&af);
	assert_kept(victim);
	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_listing(f->dir, "kvshadow.prom victim");
}

/* A failed replace (the target became a directory) leaves no temp behind. */
static void test_failure_cleans_up(void **state)
{
	struct fixture *f = *state;
	struct atomicfile af;
	char inner[192];
	int fd;

	assert_int_equal(atomicfile_open(&af, f->path, f->err, sizeof(f->err)), 0);
	assert_int_equal(mkdir(f->path, 0755), 0);
	snprintf(inner, sizeof(inner), "%s/x", f->path);
	fd = open(inner, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_true(atomicfile_write(&af, "a 1\n", 4, f->err, sizeof(f->err)) < 0);
	assert_non_null(strstr(f->err, f->path));
	assert_non_null(strstr(f->err, "rename"));
	assert_listing(f->dir, "kvshadow.prom");
	atomicfile_close(&af);
	assert_listing(f->dir, "kvshadow.prom");
}

/*
 * An interrupted write (the loop saw a signal flag while af.tmp existed)
 * is cleaned up by atomicfile_close. Simulated by planting af.tmp.
 */
static void test_close_removes_temp(void **state)
{
	struct fixture *f = *state;
	struct atomicfile af;
	int fd;

	assert_int_equal(atomicfile_open(&af, f->path, f->err, sizeof(f->err)), 0);
	af.tmp = strdup(af.tmpl);
	assert_non_null(af.tmp);
	fd = mkstemp(af.tmp);
	assert_true(fd >= 0);
	close(fd);
	atomicfile_close(&af);
	assert_listing(f->dir, "");
	assert_null(af.path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_success),
		T(test_missing_dir),
		T(test_parent_is_file),
		T(test_readonly_dir),
		T(test_target_is_dir),
		T(test_symlink_at_open),
		T(test_symlink_after_open),
		T(test_failure_cleans_up),
		T(test_close_removes_temp),
#undef T
	};

	return cmocka_run_group_tests_name("atomicfile", tests, NULL, NULL);
}
