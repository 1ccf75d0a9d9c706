/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names that come from other processes (comm) or the kernel (symbols) made
 * safe for every view: no control characters, valid UTF-8. A byte that is
 * a control character or not part of a valid UTF-8 sequence becomes the
 * four characters \xNN. Idempotent: a sanitized name passes unchanged, so
 * views may sanitize again without double escapes. The result is always
 * NUL-terminated and cut at a character boundary when dst is too small.
 */
#ifndef KVS_SANITIZE_H
#define KVS_SANITIZE_H

#include <stddef.h>

/* Sanitize src[0..srclen) into dst (dstlen >= 1). Returns dst. */
char *kvs_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen);

#endif /* KVS_SANITIZE_H */
