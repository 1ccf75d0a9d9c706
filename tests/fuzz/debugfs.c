// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the parser of /sys/kernel/debug/kasan/vmalloc_shadow
 * (vmalloc_shadow_parse). Properties: an error leaves nothing to free and
 * a printable message; a parsed file, written back in the kernel's format,
 * parses to the same values (known keys and appended ones, in order).
 */
#include <errno.h>
#include <inttypes.h>

#include "fuzz.h"
#include "vmalloc_shadow.h"

/* The file as the kernel would print these values. */
static char *format(const struct vmalloc_shadow *vs, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		abort();
	for (size_t i = 0; i < KVS_NR_DEBUGFS; i++)
		fprintf(f, "%s %" PRIu64 "\n", kvs_counter_info[i].name, kvs_counter_get(&vs->c, i));
	for (size_t i = 0; i < vs->nr_extra; i++)
		fprintf(f, "%s %" PRIu64 "\n", vs->extra[i].key, vs->extra[i].value);
	if (fclose(f))
		abort();
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmalloc_shadow vs, again;
	char err[256], *text;
	size_t len;
	int ret;

	memset(err, 'x', sizeof(err));
	ret = vmalloc_shadow_parse((const char *)data, size, &vs, err, sizeof(err));
	if (ret) {
		CHECK(ret == -EINVAL || ret == -ENOMEM, "ret %d", ret);
		CHECK(!vs.extra && !vs.nr_extra, "a failed parse left extra keys");
		check_message(err, sizeof(err));
		return 0;
	}
	text = format(&vs, &len);
	ret = vmalloc_shadow_parse(text, len, &again, err, sizeof(err));
	CHECK(!ret, "the file written back does not parse: %s\n%s", err, text);
	CHECK(!memcmp(&vs.c, &again.c, sizeof(vs.c)), "values changed on the way back:\n%s", text);
	CHECK(vs.nr_extra == again.nr_extra, "%zu extra keys became %zu", vs.nr_extra,
	      again.nr_extra);
	for (size_t i = 0; i < vs.nr_extra; i++) {
		CHECK(!strcmp(vs.extra[i].key, again.extra[i].key) &&
		      vs.extra[i].value == again.extra[i].value, "extra key %zu changed", i);
		CHECK(vs.extra[i].key[0], "an empty key");
	}
	free(text);
	vmalloc_shadow_free(&again);
	vmalloc_shadow_free(&vs);
	return 0;
}
