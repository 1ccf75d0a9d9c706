/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one way kvshadow reports an error: a function returns 0 or a negative
 * errno and writes a message a user can act on into the caller's buffer.
 */
#ifndef KVS_ERRMSG_H
#define KVS_ERRMSG_H

#include <stddef.h>

/*
 * Format the message into err (errlen bytes, NUL-terminated when errlen >
 * 0; err may be NULL when errlen is 0) and return ret. A message that does
 * not fit loses its middle, not its end: the reason comes last ("PATH:
 * what: why"), and a 5000-byte path must not push it out.
 */
int kvs_err(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* KVS_ERRMSG_H */
