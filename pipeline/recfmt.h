/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The recording's format (kvshadowtop record / report / diff), one header
 * for both directions (recfmt_write.c, recfmt_read.c): the writer (views/record.c) builds its lines here
 * from the model, the reader (sources/recording.c) turns them back into
 * the snapshots the model was built from, so a report replays the very
 * numbers of the live run. docs/interfaces.md §8 lists the lines:
 *
 *   {"kvshadow_recording":1, ...header...}
 *   per interval: its event lines ({"event":"slow_vmalloc",...} as --json),
 *                 {"event":"state",...} (what the model was built from),
 *                 the interval object (as --json, no "event" key)
 *   {"event":"end","intervals":N}   when the run ended cleanly
 */
#ifndef KVS_RECFMT_H
#define KVS_RECFMT_H

#include <stddef.h>

#include <jansson.h>

#include "model.h"
#include "options.h"
#include "snapshot.h"

/* The format's version: the value of the header's "kvshadow_recording". */
#define KVS_REC_VERSION 1
/* The header's first key, which says what the file is. */
#define KVS_REC_MAGIC "kvshadow_recording"
/* State lines keep doubles exactly (17 digits); the others dump as --json does. */
#define KVS_REC_STATE_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(17))

/* The why-unavailable notes of struct kvs_unavailable, each as X(field). */
#define KVS_REC_UNAVAILABLE(X) \
	X(debugfs) X(attribution) X(vmalloc_used) X(vmap_bytes) X(slow) X(bpf) X(self)

/* The header's facts, as read back. */
struct kvs_rec_header {
	char kernel[65];		/* uname -r of the recording machine */
	enum kvs_mode mode;
	uint64_t page_size;
	uint64_t cpus;
	char tool_version[64];
	char *command_line;		/* the arguments joined by spaces (malloc'd) */
	double started;			/* when counting started, unix seconds */
	/* The options the views ran with (-d, -r, -s, --by, --top, --slow). */
	double interval_s;
	size_t rows;
	enum kvs_sort sort;
	enum kvs_by by;
	size_t prom_top;
	bool slow_set;
	uint64_t slow_ns;
};

/*
 * The header line of a run of m's mode and kernel with options o (argv:
 * o->argv, the tool's version, the CPUs given); NULL: no memory.
 */
json_t *kvs_rec_header_json(const struct kvs_model *m, const struct kvs_options *o,
			    const char *version, long cpus);
/* Parse a header line; 0, or -EINVAL with what is wrong in err. Free with _free(). */
int kvs_rec_header_parse(json_t *j, struct kvs_rec_header *h, char *err, size_t errlen);
void kvs_rec_header_free(struct kvs_rec_header *h);
/* The options a report's views run with: the recorded ones. */
void kvs_rec_header_options(const struct kvs_rec_header *h, struct kvs_options *o);

/* The state line of m's last update; NULL: no memory. */
json_t *kvs_rec_state_json(const struct kvs_model *m);
/*
 * A state line back into the snapshot it came from (mode from the
 * header); 0, -EINVAL with the reason in err (s is then empty), -ENOMEM.
 */
int kvs_rec_state_parse(json_t *j, enum kvs_mode mode, struct kvs_snapshot *s, char *err,
			size_t errlen);

#endif /* KVS_RECFMT_H */
