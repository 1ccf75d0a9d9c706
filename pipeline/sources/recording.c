// SPDX-License-Identifier: GPL-2.0
/* The reader of recordings (see recording.h). */
#include "recording.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "errmsg.h"

/* A longer line is damage, not a reason to take all memory. */
#define LINE_MAX_BYTES (64u << 20)
#define CHUNK (64u << 10)

struct kvs_rec_reader {
	gzFile gz;
	char *name;
	struct kvs_rec_header h;
	char *buf;			/* read but not consumed: [pos, len) */
	size_t pos, len, cap;
	bool eof;			/* gzread has nothing more */
	int gz_errnum;			/* what zlib said at the end (Z_OK: a clean end) */
	char gz_msg[128];
	unsigned long line;		/* lines read so far */
	unsigned long intervals;	/* complete intervals read */
	bool done;			/* end line read, or ended early: nothing more */
};

const struct kvs_rec_header *kvs_rec_header(const struct kvs_rec_reader *r)
{
	return &r->h;
}

/* More bytes into buf; false at the end of the data (r->gz_errnum says how it ended). */
static bool fill(struct kvs_rec_reader *r)
{
	int n;

	if (r->eof)
		return false;
	if (r->pos) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->cap - r->len < CHUNK) {
		char *grown = realloc(r->buf, r->cap + CHUNK);

		if (!grown) {
			r->eof = true;
			r->gz_errnum = Z_MEM_ERROR;
			snprintf(r->gz_msg, sizeof(r->gz_msg), "out of memory");
			return false;
		}
		r->buf = grown;
		r->cap += CHUNK;
	}
	errno = 0;
	n = gzread(r->gz, r->buf + r->len, CHUNK);
	if (n > 0) {
		r->len += (size_t)n;
		return true;
	}
	r->eof = true;
	{
		int saved = errno;
		const char *msg = gzerror(r->gz, &r->gz_errnum);

		if (r->gz_errnum == Z_ERRNO)
			snprintf(r->gz_msg, sizeof(r->gz_msg), "%s", strerror(saved ? saved : EIO));
		else if (r->gz_errnum == Z_BUF_ERROR)
			snprintf(r->gz_msg, sizeof(r->gz_msg),
				 "the compressed stream is cut short");
		else
			snprintf(r->gz_msg, sizeof(r->gz_msg), "%s", msg ? msg : "read error");
	}
	return false;
}

/*
 * The next whole line (without '\n', NUL-terminated in place) into *line.
 * 1, or 0 at the end with why: an empty why for a clean end after the
 * last whole line, else what cut the file.
 */
static int next_line(struct kvs_rec_reader *r, char **line, size_t *len, char *why, size_t whylen)
{
	size_t scanned = 0;

	why[0] = '\0';
	for (;;) {
		char *nl = r->len > r->pos + scanned ?
			memchr(r->buf + r->pos + scanned, '\n', r->len - r->pos - scanned) : NULL;

		if (nl) {
			*line = r->buf + r->pos;
			*len = (size_t)(nl - *line);
			*nl = '\0';
			r->pos += *len + 1;
			r->line++;
			return 1;
		}
		scanned = r->len - r->pos;
		if (scanned > LINE_MAX_BYTES) {
			snprintf(why, whylen, "line %lu is longer than %u MiB", r->line + 1,
				 LINE_MAX_BYTES >> 20);
			return 0;
		}
		if (!fill(r))
			break;
	}
	if (r->gz_errnum != Z_OK)
		snprintf(why, whylen, "%s", r->gz_msg);
	else if (r->len > r->pos)
		snprintf(why, whylen, "its last line is cut short");
	return 0;
}

/* A line as a JSON object, or NULL with why. */
static json_t *parse_line(struct kvs_rec_reader *r, const char *line, size_t len, char *why,
			  size_t whylen)
{
	json_error_t e;
	json_t *j = json_loadb(line, len, JSON_REJECT_DUPLICATES, &e);

	if (!j) {
		snprintf(why, whylen, "line %lu is not JSON (%s)", r->line, e.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		snprintf(why, whylen, "line %lu is not a JSON object", r->line);
		return NULL;
	}
	return j;
}

static int read_header(struct kvs_rec_reader *r, char *err, size_t errlen)
{
	char why[256];
	char *line;
	size_t len;
	json_t *j;
	int ret;

	if (!next_line(r, &line, &len, why, sizeof(why))) {
		if (!why[0] && r->len == 0)
			return kvs_err(err, errlen, -EINVAL, "%s: empty file, not a kvshadowtop "
				       "recording", r->name);
		if (r->gz_errnum == Z_ERRNO)
			return kvs_err(err, errlen, -EIO, "%s: cannot read: %s", r->name, why);
		return kvs_err(err, errlen, -EINVAL, "%s: not a kvshadowtop recording, or its "
			       "header is damaged: %s", r->name, why[0] ? why : "no whole first line");
	}
	j = parse_line(r, line, len, why, sizeof(why));
	if (!j)
		return kvs_err(err, errlen, -EINVAL, "%s: not a kvshadowtop recording: %s",
			       r->name, why);
	ret = kvs_rec_header_parse(j, &r->h, why, sizeof(why));
	json_decref(j);
	if (ret)
		return kvs_err(err, errlen, ret, "%s: %s", r->name, why);
	return 0;
}

int kvs_rec_open_fd(struct kvs_rec_reader **rr, int fd, const char *name, char *err,
		    size_t errlen)
{
	struct kvs_rec_reader *r = calloc(1, sizeof(*r));
	struct stat st;
	int ret;

	*rr = NULL;
	if (!r || !(r->name = strdup(name))) {
		free(r);
		close(fd);
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	}
	if (!fstat(fd, &st) && S_ISDIR(st.st_mode)) {
		close(fd);
		kvs_rec_close(r);
		return kvs_err(err, errlen, -EISDIR, "%s: is a directory, not a recording", name);
	}
	r->gz = gzdopen(fd, "rb");
	if (!r->gz) {
		close(fd);
		kvs_rec_close(r);
		return kvs_err(err, errlen, -ENOMEM, "%s: out of memory", name);
	}
	ret = read_header(r, err, errlen);
	if (ret) {
		kvs_rec_close(r);
		return ret;
	}
	*rr = r;
	return 0;
}

int kvs_rec_open(struct kvs_rec_reader **rr, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*rr = NULL;
	if (fd < 0)
		return kvs_err(err, errlen, -errno, "cannot open %s: %s", path, strerror(errno));
	return kvs_rec_open_fd(rr, fd, path, err, errlen);
}

void kvs_rec_interval_free(struct kvs_rec_interval *iv)
{
	kvs_snapshot_free(&iv->s);
	json_decref(iv->events);
	json_decref(iv->object);
	memset(iv, 0, sizeof(*iv));
}

/* The end line: it must count the intervals read. */
static int end_line(struct kvs_rec_reader *r, json_t *j, char *why, size_t whylen)
{
	json_t *n = json_object_get(j, "intervals");

	if (!json_is_integer(n) || json_integer_value(n) < 0 ||
	    (unsigned long long)json_integer_value(n) != r->intervals) {
		snprintf(why, whylen, "line %lu: the end line does not count the %lu intervals read",
			 r->line, r->intervals);
		return KVS_REC_EARLY;
	}
	return KVS_REC_END;
}

/* take_line(): read on. */
#define MORE 2

/*
 * One line into the interval being read; 1 when the interval is whole,
 * MORE to read on, else KVS_REC_END, KVS_REC_EARLY (why), -ENOMEM.
 */
static int take_line(struct kvs_rec_reader *r, json_t *j, struct kvs_rec_interval *iv,
		     bool *have_state, char *why, size_t whylen)
{
	json_t *ev = json_object_get(j, "event");
	char err[256];
	int ret;

	if (!ev) {
		if (!*have_state || !json_is_number(json_object_get(j, "ts"))) {
			snprintf(why, whylen, "line %lu: an interval object %s", r->line,
				 *have_state ? "without its ts" : "without its state line");
			return KVS_REC_EARLY;
		}
		iv->object = json_incref(j);
		return 1;
	}
	if (!json_is_string(ev)) {
		snprintf(why, whylen, "line %lu: its event is not a string", r->line);
		return KVS_REC_EARLY;
	}
	if (!strcmp(json_string_value(ev), "end"))
		return *have_state || json_array_size(iv->events) ?
			(snprintf(why, whylen, "line %lu: the end line inside an interval", r->line),
			 KVS_REC_EARLY) : end_line(r, j, why, whylen);
	if (strcmp(json_string_value(ev), "state"))
		/* Event lines (slow calls, and kinds newer versions add) go with the interval. */
		return json_array_append(iv->events, j) ? -ENOMEM : MORE;
	if (*have_state) {
		snprintf(why, whylen, "line %lu: two state lines in one interval", r->line);
		return KVS_REC_EARLY;
	}
	ret = kvs_rec_state_parse(j, r->h.mode, &iv->s, err, sizeof(err));
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		snprintf(why, whylen, "line %lu: %s", r->line, err);
		return KVS_REC_EARLY;
	}
	*have_state = true;
	return MORE;
}

int kvs_rec_next(struct kvs_rec_reader *r, struct kvs_rec_interval *iv, char *err,
		 size_t errlen)
{
	bool have_state = false;
	char why[512];
	int ret = MORE;

	memset(iv, 0, sizeof(*iv));
	if (r->done)
		return kvs_err(err, errlen, KVS_REC_END, "the recording was read to its end");
	iv->events = json_array();
	if (!iv->events)
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	while (ret == MORE) {
		char *line;
		size_t len;
		json_t *j;

		if (!next_line(r, &line, &len, why, sizeof(why))) {
			if (!why[0])
				snprintf(why, sizeof(why), "no end line: the run was stopped before it "
					 "could write one");
			ret = KVS_REC_EARLY;
			break;
		}
		j = parse_line(r, line, len, why, sizeof(why));
		if (!j) {
			ret = KVS_REC_EARLY;
			break;
		}
		ret = take_line(r, j, iv, &have_state, why, sizeof(why));
		json_decref(j);
	}
	if (ret == 1) {
		r->intervals++;
		return 1;
	}
	kvs_rec_interval_free(iv);
	r->done = true;
	if (ret == -ENOMEM)
		return kvs_err(err, errlen, ret, "out of memory");
	if (ret == KVS_REC_END)
		return kvs_err(err, errlen, ret, "the recording ends cleanly");
	return kvs_err(err, errlen, ret, "%s ends early after %lu complete intervals: %s",
		       r->name, r->intervals, why);
}

void kvs_rec_close(struct kvs_rec_reader *r)
{
	if (!r)
		return;
	if (r->gz)
		(void)gzclose(r->gz);
	kvs_rec_header_free(&r->h);
	free(r->buf);
	free(r->name);
	free(r);
}
