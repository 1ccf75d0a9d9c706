/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reader of recordings (kvshadowtop report and diff): a gzip stream of
 * the lines of recfmt.h back into the run's header and, interval by
 * interval, the snapshot the live model was built from and the objects
 * --json printed. Nothing in the file is trusted (tests/fuzz/recording.c):
 * a damaged or foreign header is an error, damage after it ends the
 * recording early at its last complete interval, with the reason.
 */
#ifndef KVS_RECORDING_H
#define KVS_RECORDING_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "recfmt.h"
#include "snapshot.h"

struct kvs_rec_reader;

/* One recorded interval. */
struct kvs_rec_interval {
	struct kvs_snapshot s;		/* what the model was built from */
	json_t *events;			/* its event lines (slow calls), an array */
	json_t *object;			/* its interval object, as --json printed it */
};

/*
 * Open path (name: how messages call it, NULL: path) and read its header.
 * 0, or -errno with the reason in err: the file cannot be read, is empty,
 * is not a recording, or its header is damaged.
 */
int kvs_rec_open(struct kvs_rec_reader **rr, const char *path, char *err, size_t errlen);
/* The same from an open file descriptor (taken: closed by kvs_rec_close). */
int kvs_rec_open_fd(struct kvs_rec_reader **rr, int fd, const char *name, char *err,
		    size_t errlen);
const struct kvs_rec_header *kvs_rec_header(const struct kvs_rec_reader *r);

/* kvs_rec_next()'s results besides 1 (an interval) and -ENOMEM. */
#define KVS_REC_END 0		/* the end line: the run ended cleanly */
#define KVS_REC_EARLY (-EPIPE)	/* the file ends early or is damaged there; why in err */

/*
 * The next complete interval into *iv (kvs_rec_interval_free() it): 1, or
 * KVS_REC_END, KVS_REC_EARLY or -ENOMEM with the reason in err.
 */
int kvs_rec_next(struct kvs_rec_reader *r, struct kvs_rec_interval *iv, char *err,
		 size_t errlen);
void kvs_rec_interval_free(struct kvs_rec_interval *iv);
void kvs_rec_close(struct kvs_rec_reader *r);

#endif /* KVS_RECORDING_H */
