/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The oracle of the sanitize tests (tests/unit/test_sanitize.c and
 * tests/fuzz/sanitize.c), written apart from lib/sanitize.c so that the
 * two do not share a mistake: whether s is what kvs_sanitize() produces,
 * valid UTF-8 (no overlong form, surrogate or code point past U+10FFFF)
 * without a C0 or C1 control or DEL. Only the tests ask.
 */
#ifndef KVS_SANITIZE_ORACLE_H
#define KVS_SANITIZE_ORACLE_H

#include <stdbool.h>
#include <stdint.h>

static inline bool kvs_is_sanitized(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		uint32_t cp, min;
		int more;

		if (*p < 0x80)
			cp = *p, more = 0, min = 0;
		else if ((*p & 0xe0) == 0xc0)
			cp = *p & 0x1f, more = 1, min = 0x80;
		else if ((*p & 0xf0) == 0xe0)
			cp = *p & 0x0f, more = 2, min = 0x800;
		else if ((*p & 0xf8) == 0xf0)
			cp = *p & 0x07, more = 3, min = 0x10000;
		else
			return false;
		for (p++; more; more--, p++) {
			/* The terminating NUL is no continuation byte either. */
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (*p & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0x20 ||
		    (cp >= 0x7f && cp < 0xa0))
			return false;
	}
	return true;
}

#endif /* KVS_SANITIZE_ORACLE_H */
