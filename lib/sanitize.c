// SPDX-License-Identifier: GPL-2.0
/* Safe names for terminals, JSON and labels (see sanitize.h). */
#include "sanitize.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF; C1 controls too. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
		return 0;
	return len;
}

char *kvs_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0;

	for (size_t i = 0; i < srclen && s[i];) {
		size_t len = utf8_len(s + i, srclen - i);
		char esc[5];
		const char *out = (const char *)s + i;
		size_t outlen = len;

		if (!len || s[i] < 0x20 || s[i] == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
			out = esc;
			outlen = 4;
			len = 1;
		}
		if (o + outlen >= dstlen)
			break;
		memcpy(dst + o, out, outlen);
		o += outlen;
		i += len;
	}
	dst[o] = '\0';
	return dst;
}
