// SPDX-License-Identifier: GPL-2.0
/* Error messages into the caller's buffer (see errmsg.h). */
#include "errmsg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ELLIPSIS "..."

int kvs_err(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	size_t n, head, tail;
	int len;

	if (!err || !errlen)
		return ret;
	va_start(ap, fmt);
	len = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (len < 0) {
		/* No memory for the whole: the start of it, at least. */
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		return ret;
	}
	n = (size_t)len;
	if (n < errlen || errlen <= sizeof(ELLIPSIS) + 2) {
		snprintf(err, errlen, "%s", msg);
	} else {
		/* Keep a third of the start (what failed) and the rest from the end (why). */
		head = (errlen - sizeof(ELLIPSIS)) / 3;
		tail = errlen - sizeof(ELLIPSIS) - head;
		memcpy(err, msg, head);
		memcpy(err + head, ELLIPSIS, sizeof(ELLIPSIS) - 1);
		memcpy(err + head + sizeof(ELLIPSIS) - 1, msg + n - tail, tail);
		err[errlen - 1] = '\0';
	}
	free(msg);
	return ret;
}
