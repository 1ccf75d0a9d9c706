// SPDX-License-Identifier: GPL-2.0
/*
 * The recording view (kvshadowtop record -o FILE): the run as JSON Lines
 * in a gzip stream (zlib), in the format of recfmt.h. Each interval is
 * flushed whole (Z_SYNC_FLUSH), so a run killed at any moment leaves a
 * file that reads back to its last complete interval; a clean end writes
 * the end line and the gzip trailer. Every write is checked: a full disk
 * ends the run with status 1 and says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "errmsg.h"
#include "json_view.h"
#include "recfmt.h"
#include "view.h"

#ifndef KVS_VERSION
#define KVS_VERSION "unknown"
#endif

struct record {
	const struct kvs_options *o;
	gzFile gz;
	bool header;			/* the header line is written */
	uint64_t intervals;
};

/* zlib's reason for the last failure: errno's when it was the file system. */
static int gz_failed(struct record *r, const char *what, char *err, size_t errlen)
{
	int errnum = Z_OK, saved = errno;
	const char *msg = gzerror(r->gz, &errnum);

	if (errnum == Z_ERRNO || errnum == Z_OK)
		return kvs_err(err, errlen, saved ? -saved : -EIO, "%s %s: %s", what,
			       r->o->record_file, saved ? strerror(saved) : "write error");
	return kvs_err(err, errlen, -EIO, "%s %s: %s", what, r->o->record_file, msg);
}

/* One line: j dumped with flags, then '\n'; takes j. */
static int line(struct record *r, json_t *j, size_t flags, char *err, size_t errlen)
{
	char *s = j ? json_dumps(j, flags) : NULL;
	size_t len = s ? strlen(s) : 0;
	int ret = 0;

	json_decref(j);
	if (!s)
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	s[len] = '\n';		/* json_dumps' NUL: the line ends there instead */
	errno = 0;
	if (gzwrite(r->gz, s, (unsigned int)(len + 1)) != (int)(len + 1))
		ret = gz_failed(r, "writing", err, errlen);
	free(s);
	return ret;
}

static int record_open(const struct kvs_options *o, void **state, char *err, size_t errlen)
{
	struct record *r = calloc(1, sizeof(*r));
	int fd;

	if (!r)
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	r->o = o;
	fd = open(o->record_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;

		free(r);
		return kvs_err(err, errlen, -e, "cannot create %s: %s", o->record_file, strerror(e));
	}
	r->gz = gzdopen(fd, "wb");
	if (!r->gz) {
		close(fd);
		free(r);
		return kvs_err(err, errlen, -ENOMEM, "%s: out of memory", o->record_file);
	}
	*state = r;
	return 0;
}

static int record_update(void *state, const struct kvs_model *m, char *err, size_t errlen)
{
	struct record *r = state;
	json_t *events, *e;
	size_t i;
	int ret = 0;

	if (!r->header) {
		ret = line(r, kvs_rec_header_json(m, r->o, KVS_VERSION,
						  sysconf(_SC_NPROCESSORS_ONLN)), KVS_JSON_FLAGS,
			   err, errlen);
		if (ret)
			return ret;
		r->header = true;
	}
	events = kvs_json_events(m);
	if (!events)
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	json_array_foreach(events, i, e) {
		ret = line(r, json_incref(e), KVS_JSON_FLAGS, err, errlen);
		if (ret)
			break;
	}
	json_decref(events);
	if (!ret)
		ret = line(r, kvs_rec_state_json(m), KVS_REC_STATE_FLAGS, err, errlen);
	if (!ret)
		ret = line(r, kvs_json_interval(m, r->o), KVS_JSON_FLAGS, err, errlen);
	/* The interval whole in the file: a kill from now on loses nothing of it. */
	errno = 0;
	if (!ret && gzflush(r->gz, Z_SYNC_FLUSH) != Z_OK)
		ret = gz_failed(r, "writing", err, errlen);
	if (!ret)
		r->intervals++;
	return ret;
}

static int record_finish(void *state, char *err, size_t errlen)
{
	struct record *r = state;
	int ret = 0, z;

	if (r->header)
		ret = line(r, json_pack("{s:s, s:I}", "event", "end",
					"intervals", (json_int_t)r->intervals),
			   KVS_JSON_FLAGS, err, errlen);
	errno = 0;
	z = gzclose(r->gz);
	r->gz = NULL;
	if (!ret && z != Z_OK)
		ret = kvs_err(err, errlen, -EIO, "closing %s: %s", r->o->record_file,
			      z == Z_ERRNO && errno ? strerror(errno) : "write error");
	return ret;
}

static void record_close(void *state)
{
	struct record *r = state;

	/* After a failure: what was flushed stays, a readable prefix. */
	if (r->gz)
		(void)gzclose(r->gz);
	free(r);
}

const struct kvs_view_ops kvs_record_view = {
	.name = "record",
	.open = record_open,
	.update = record_update,
	.close = record_close,
	.finish = record_finish,
};
