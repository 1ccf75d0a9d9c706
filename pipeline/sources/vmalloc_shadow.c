// SPDX-License-Identifier: GPL-2.0
/*
 * Reader of /sys/kernel/debug/kasan/vmalloc_shadow: reads it whole and
 * parses it strictly, so that a changed kernel format is an error a user
 * sees and not a wrong number. When it is missing, says why. Mounting
 * debugfs is a separate call the tools make once at start, never here:
 * the reader runs every interval.
 */
#include "vmalloc_shadow.h"

#include "errmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#define MOUNT_HINT "mount -t debugfs none " DEBUGFS_DIR

/* The real file is ~200 bytes; anything this large is not it. */
#define MAX_FILE_SIZE (1024 * 1024)
/* Newer kernels append a few keys, not thousands; bounds the duplicate scan. */
#define MAX_EXTRA 1024
/* How much of a bad line an error message quotes. */
#define QUOTE_MAX 60

/* The known keys: the debugfs rows of the counter table, in file order. */
#define NR_KNOWN KVS_NR_DEBUGFS
#define KNOWN(i) (kvs_counter_info[i].name)

/* A failed system call: errno is taken before anything can change it. */
static int fail_sys(char *err, size_t errlen, const char *path, const char *what)
{
	int e = errno;

	return kvs_err(err, errlen, -e, "%s: %s: %s", path, what, strerror(e));
}

/*
 * ASCII classes by hand: <ctype.h> follows the locale, and a tool that calls
 * setlocale() (ncurses does) must not parse the kernel's file differently.
 */
static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_key_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* A bounded, printable copy of s[0..n) for messages: the input may be any bytes. */
static void quote(char *dst, size_t dstlen, const char *s, size_t n)
{
	size_t i, max = dstlen - 4;	/* room for "..." and the NUL */

	for (i = 0; i < n && i < max; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (i < n) {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
}

static int find_known(const char *key, size_t keylen)
{
	int i = kvs_counter_find(key, keylen);

	return i < NR_KNOWN ? i : -1;
}

struct parse_state {
	struct vmalloc_shadow vs;
	size_t cap_extra;
	size_t lineno;
	char q[QUOTE_MAX + 4];		/* the current line, quoted */
};

static int add_extra(struct parse_state *st, const char *key, size_t keylen,
		     uint64_t value, char *err, size_t errlen)
{
	struct vmalloc_shadow *vs = &st->vs;
	size_t i;
	char *dup;

	for (i = 0; i < vs->nr_extra; i++)
		if (strlen(vs->extra[i].key) == keylen && !memcmp(vs->extra[i].key, key, keylen))
			return kvs_err(err, errlen, -EINVAL, "line %zu: \"%s\": duplicate key (first on line %zu)",
				       st->lineno, st->q, NR_KNOWN + i + 1);
	if (vs->nr_extra == MAX_EXTRA)
		return kvs_err(err, errlen, -EINVAL,
			       "line %zu: \"%s\": more than %d unknown keys: this is not the vmalloc_shadow file",
			       st->lineno, st->q, MAX_EXTRA);
	if (vs->nr_extra == st->cap_extra) {
		size_t cap = st->cap_extra ? 2 * st->cap_extra : 4;
		struct kvs_kv *e = realloc(vs->extra, cap * sizeof(*e));

		if (!e)
			return kvs_err(err, errlen, -ENOMEM, "out of memory");
		vs->extra = e;
		st->cap_extra = cap;
	}
	dup = strndup(key, keylen);
	if (!dup)
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	vs->extra[vs->nr_extra].key = dup;
	vs->extra[vs->nr_extra].value = value;
	vs->nr_extra++;
	return 0;
}

/* One "key value" line, without its newline. */
static int parse_line(struct parse_state *st, const char *line, size_t n,
		      char *err, size_t errlen)
{
	const char *sp = memchr(line, ' ', n), *val;
	size_t keylen, vlen, i, pos = st->lineno - 1;
	unsigned long long v;
	char *end;
	int known;

	quote(st->q, sizeof(st->q), line, n);
	if (!sp || sp == line)
		return kvs_err(err, errlen, -EINVAL, "line %zu: \"%s\": expected \"key value\"",
			       st->lineno, st->q);
	keylen = sp - line;
	for (i = 0; i < keylen; i++)
		if (!is_key_char(line[i]))
			return kvs_err(err, errlen, -EINVAL,
				       "line %zu: \"%s\": a key is letters, digits and '_'",
				       st->lineno, st->q);
	val = sp + 1;
	vlen = n - keylen - 1;
	if (!vlen)
		return kvs_err(err, errlen, -EINVAL, "line %zu: \"%s\": no value", st->lineno, st->q);
	if (val[0] == '-')
		return kvs_err(err, errlen, -EINVAL, "line %zu: \"%s\": negative value",
			       st->lineno, st->q);
	for (i = 0; i < vlen; i++)
		if (!is_digit(val[i]))
			return kvs_err(err, errlen, -EINVAL, "line %zu: \"%s\": %s",
				       st->lineno, st->q, i ? "junk after the number" :
				       "value is not a decimal unsigned number");

	/* The digits are followed by the line's '\n', which stops strtoull. */
	errno = 0;
	v = strtoull(val, &end, 10);
	if (errno == ERANGE)
		return kvs_err(err, errlen, -EINVAL, "line %zu: \"%s\": value larger than %llu",
			       st->lineno, st->q, (unsigned long long)UINT64_MAX);
	if (errno || end != val + vlen)
		return kvs_err(err, errlen, -EINVAL, "line %zu: \"%s\": value is not a decimal unsigned number",
			       st->lineno, st->q);

	known = find_known(line, keylen);
	if (pos >= NR_KNOWN) {
		if (known >= 0)
			return kvs_err(err, errlen, -EINVAL, "line %zu: \"%s\": duplicate key (first on line %d)",
				       st->lineno, st->q, known + 1);
		return add_extra(st, line, keylen, v, err, errlen);
	}
	if (known == (int)pos) {
		kvs_counter_set(&st->vs.c, pos, v);
		return 0;
	}
	if (known >= 0 && (size_t)known < pos)
		return kvs_err(err, errlen, -EINVAL, "line %zu: \"%s\": duplicate key (first on line %d)",
			       st->lineno, st->q, known + 1);
	if (known >= 0)
		return kvs_err(err, errlen, -EINVAL,
			       "line %zu: \"%s\": expected '%s' on this line: keys out of order, or one missing",
			       st->lineno, st->q, KNOWN(pos));
	return kvs_err(err, errlen, -EINVAL,
		       "line %zu: \"%s\": unknown key before the known ones: expected '%s' on this line",
		       st->lineno, st->q, KNOWN(pos));
}

int vmalloc_shadow_parse(const char *text, size_t len, struct vmalloc_shadow *vs,
			 char *err, size_t errlen)
{
	struct parse_state st = { .lineno = 0 };
	size_t pos = 0;
	int ret;

	memset(vs, 0, sizeof(*vs));
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);

		st.lineno++;
		if (!nl) {
			quote(st.q, sizeof(st.q), line, len - pos);
			ret = kvs_err(err, errlen, -EINVAL,
				      "line %zu: \"%s\": no newline at the end: truncated read?",
				      st.lineno, st.q);
			goto out;
		}
		ret = parse_line(&st, line, nl - line, err, errlen);
		if (ret)
			goto out;
		pos += nl - line + 1;
	}
	if (st.lineno < NR_KNOWN) {
		ret = kvs_err(err, errlen, -EINVAL, "key '%s' missing: the text ends after line %zu",
			      KNOWN(st.lineno), st.lineno);
		goto out;
	}
	*vs = st.vs;
	return 0;
out:
	vmalloc_shadow_free(&st.vs);
	return ret;
}

void vmalloc_shadow_free(struct vmalloc_shadow *vs)
{
	size_t i;

	for (i = 0; i < vs->nr_extra; i++)
		free(vs->extra[i].key);
	free(vs->extra);
	vs->extra = NULL;
	vs->nr_extra = 0;
}

/* 1 if debugfs is mounted on DEBUGFS_DIR, 0 if not, or a negative errno. */
static int debugfs_mounted(char *err, size_t errlen)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, *save, *tok;
	size_t cap = 0;
	int found = 0, ret, i;

	if (!f) {
		ret = -errno;
		return kvs_err(err, errlen, ret,
			       "cannot tell whether debugfs is mounted: /proc/self/mountinfo: %s",
			       strerror(-ret));
	}
	/* mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS... - FSTYPE SOURCE SUPEROPTS */
	while (!found && getline(&line, &cap, f) >= 0) {
		const char *mnt = NULL;

		tok = strtok_r(line, " \n", &save);
		for (i = 1; tok && i < 5; i++)
			tok = strtok_r(NULL, " \n", &save);
		mnt = tok;
		while (tok && strcmp(tok, "-"))
			tok = strtok_r(NULL, " \n", &save);
		if (tok)
			tok = strtok_r(NULL, " \n", &save);
		found = mnt && tok && !strcmp(mnt, DEBUGFS_DIR) && !strcmp(tok, "debugfs");
	}
	ret = ferror(f) ? -EIO : found;
	free(line);
	if (fclose(f) && ret >= 0)
		ret = -errno;
	if (ret < 0)
		return kvs_err(err, errlen, ret, "cannot tell whether debugfs is mounted: "
			       "reading /proc/self/mountinfo failed: %s", strerror(-ret));
	return ret;
}

/*
 * open() with the diagnosis a user needs when it fails: which of "not
 * root", "debugfs not mounted" and "kernel without the counters" it is.
 */
static int open_shadow(const char *path, int flags, char *err, size_t errlen)
{
	int fd = open(path, flags | O_CLOEXEC), e = errno, m;

	if (fd >= 0)
		return fd;
	if (e == EINTR)
		return kvs_err(err, errlen, -EINTR, "%s: interrupted", path);
	if (e == EACCES || e == EPERM)
		return kvs_err(err, errlen, -EACCES, "%s: permission denied: "
			       "the KASAN counters in debugfs are for root only, run as root",
			       path);
	if (e != ENOENT)
		return fail_sys(err, errlen, path, "open");
	if (strncmp(path, DEBUGFS_DIR "/", strlen(DEBUGFS_DIR "/")))
		return kvs_err(err, errlen, -ENOENT, "%s: no such file", path);

	m = debugfs_mounted(err, errlen);
	if (m < 0)
		return m;
	if (m)
		return kvs_err(err, errlen, -ENOENT, "%s: no such file: kernel without the "
			       "kvshadow patches or CONFIG_KASAN_VMALLOC/DEBUG_FS", path);
	return kvs_err(err, errlen, -ENOENT, "%s: debugfs is not mounted: as root, run '%s'",
		       path, MOUNT_HINT);
}

int debugfs_mount_if_needed(char *err, size_t errlen)
{
	int m = debugfs_mounted(err, errlen);

	if (m)
		return m < 0 ? m : 0;
	if (geteuid() != 0)
		return 0;
	if (mount("none", DEBUGFS_DIR, "debugfs", 0, NULL)) {
		int e = errno;

		return kvs_err(err, errlen, -e, "debugfs is not mounted and mounting it on %s failed: %s",
			       DEBUGFS_DIR, strerror(e));
	}
	return 1;
}

/* Read all of fd into a NUL-terminated buffer that grows as needed. */
static int read_all(int fd, const char *path, char **bufp, size_t *lenp, char *err, size_t errlen)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *nbuf;
	ssize_t n;
	int ret;

	if (!buf)
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	for (;;) {
		if (len + 1 == cap) {
			if (cap >= MAX_FILE_SIZE) {
				free(buf);
				return kvs_err(err, errlen, -EFBIG, "%s: larger than %d bytes: "
					       "this is not the vmalloc_shadow file", path, MAX_FILE_SIZE);
			}
			nbuf = realloc(buf, cap * 2);
			if (!nbuf) {
				free(buf);
				return kvs_err(err, errlen, -ENOMEM, "out of memory");
			}
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR) {
			free(buf);
			return kvs_err(err, errlen, -EINTR, "%s: interrupted", path);
		}
		if (n < 0) {
			ret = fail_sys(err, errlen, path, "read");
			free(buf);
			return ret;
		}
		if (!n)
			break;
		len += n;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
}

int vmalloc_shadow_read(const char *path, struct vmalloc_shadow *vs, char *err, size_t errlen)
{
	char *buf = NULL, msg[512];
	size_t len = 0;
	int fd, ret;

	memset(vs, 0, sizeof(*vs));
	if (!path)
		path = VMALLOC_SHADOW_PATH;
	fd = open_shadow(path, O_RDONLY, err, errlen);
	if (fd < 0)
		return fd;
	ret = read_all(fd, path, &buf, &len, err, errlen);
	if (close(fd) && !ret)
		ret = fail_sys(err, errlen, path, "close");
	if (ret) {
		free(buf);
		return ret;
	}
	ret = vmalloc_shadow_parse(buf, len, vs, msg, sizeof(msg));
	free(buf);
	if (ret)
		return kvs_err(err, errlen, ret, "%s: %s", path, msg);
	return 0;
}
