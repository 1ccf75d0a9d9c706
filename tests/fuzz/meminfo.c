// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the parser of /proc/meminfo (meminfo_vmalloc_used_file).
 * Properties: success means the text holds the line "VmallocUsed:",
 * blanks, the decimal KiB and " kB", and the result is those KiB times
 * 1024; a failure leaves the result alone and says why, naming the key.
 */
#include <errno.h>
#include <inttypes.h>

#include "fuzz.h"
#include "meminfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t bytes = 12345;
	char err[256] = "", *buf, *text, want[64], *line;

	FILE *f;
	int ret;

	f = fuzz_stream(data, size, &buf);
	ret = meminfo_vmalloc_used_file(f, "meminfo", &bytes, err, sizeof(err));
	fclose(f);
	free(buf);
	if (ret) {
		CHECK(ret == -ENOENT || ret == -EINVAL || ret == -ERANGE || ret == -EIO,
		      "ret %d", ret);
		CHECK(bytes == 12345, "a failure changed the result");
		check_message(err, sizeof(err));
		CHECK(strstr(err, "VmallocUsed"), "'%s' does not name the key", err);
		return 0;
	}
	CHECK(bytes % 1024 == 0, "%" PRIu64 " bytes is not whole KiB", bytes);
	/* The first VmallocUsed line says exactly this many KiB (it has no NUL: refused). */
	snprintf(want, sizeof(want), "%" PRIu64 " kB", bytes / 1024);
	for (size_t off = 0; off < size;) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - data) - off : size - off;

		if (len < 12 || memcmp(data + off, "VmallocUsed:", 12)) {
			off += len + 1;
			continue;
		}
		line = text = fuzz_str(data + off + 12, len - 12);
		line += strspn(line, " \t");
		line += strspn(line, "0");
		if (!strncmp(want, "0 kB", 4))
			line--;		/* "0 kB": the zero skipped */
		CHECK(!strcmp(line, want), "the line says '%s', not '%s'", line, want);
		free(text);
		return 0;
	}
	CHECK(0, "a result without a VmallocUsed line");
	return 0;
}
