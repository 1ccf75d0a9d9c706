// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the reader of recordings (pipeline/sources/recording.c,
 * recfmt.c), on any bytes, gzip-compressed or plain (zlib reads both).
 * Properties: opening fails with a message that names the file, or gives
 * a header with a known mode and a page size in range; then every interval
 * comes with its object and a snapshot of the header's mode, which the
 * model takes and the JSON view writes, and whose model, written as a
 * state line, reads back; the end is a clean end or an early one, said
 * with a message. No crash, no leak, no sanitizer report.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "json_view.h"
#include "model.h"
#include "recording.h"

static void check_msg(const char *err, size_t len)
{
	CHECK(memchr(err, '\0', len), "message not terminated");
	CHECK(err[0], "empty message");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvs_options o = { .rows = 10, .prom_top = 10 };
	struct kvs_rec_reader *rd;
	const struct kvs_rec_header *h;
	struct kvs_rec_interval iv;
	struct kvs_model m;
	char err[640] = "";
	int fd = memfd_create("fuzz", MFD_CLOEXEC), ret;
	unsigned long n = 0;

	CHECK(fd >= 0, "memfd_create: %s", strerror(errno));
	CHECK(write(fd, data, size) == (ssize_t)size, "write");
	CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
	ret = kvs_rec_open_fd(&rd, fd, "input.rec", err, sizeof(err));
	if (ret) {
		CHECK(ret == -EINVAL || ret == -EIO || ret == -ENOMEM, "open: %d", ret);
		check_msg(err, sizeof(err));
		CHECK(strstr(err, "input.rec"), "'%s' does not name the file", err);
		return 0;
	}
	h = kvs_rec_header(rd);
	CHECK((unsigned int)h->mode < KVS_NR_MODES, "mode %d", h->mode);
	CHECK(h->page_size >= 512 && h->page_size <= (1u << 30), "page size %llu",
	      (unsigned long long)h->page_size);
	CHECK(h->command_line, "no command line");
	kvs_rec_header_options(h, &o);
	kvs_model_init(&m, h->mode, h->kernel, (long)h->page_size);
	while ((ret = kvs_rec_next(rd, &iv, err, sizeof(err))) == 1) {
		json_t *j;

		n++;
		CHECK(json_is_object(iv.object), "an interval without its object");
		CHECK(json_is_array(iv.events), "an interval without its events");
		CHECK(iv.s.mode == h->mode, "a snapshot of mode %d in a %d recording", iv.s.mode,
		      h->mode);
		CHECK(!kvs_model_update(&m, &iv.s), "the model refused a snapshot");
		j = kvs_json_interval(&m, &o);
		json_decref(j);
		/* What the model holds, written as a recording would, reads back. */
		j = kvs_rec_state_json(&m);
		if (j) {
			struct kvs_snapshot back;
			int r = kvs_rec_state_parse(j, h->mode, &back, err, sizeof(err));

			CHECK(r == 0 || r == -ENOMEM, "a state line the writer wrote is refused: %s", err);
			if (!r)
				kvs_snapshot_free(&back);
			json_decref(j);
		}
		kvs_rec_interval_free(&iv);
	}
	CHECK(ret == KVS_REC_END || ret == KVS_REC_EARLY || ret == -ENOMEM, "next: %d", ret);
	check_msg(err, sizeof(err));
	if (ret == KVS_REC_EARLY) {
		char want[64];

		snprintf(want, sizeof(want), "after %lu complete intervals", n);
		CHECK(strstr(err, want), "'%s' does not count the %lu intervals", err, n);
	}
	CHECK(kvs_rec_next(rd, &iv, err, sizeof(err)) == KVS_REC_END, "a read after the end");
	kvs_model_free(&m);
	kvs_rec_close(rd);
	return 0;
}
