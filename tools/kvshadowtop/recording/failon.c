// SPDX-License-Identifier: GPL-2.0
/* diff --fail-on thresholds (see failon.h). */
#include "failon.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"

#define ROW_PREFIX "caller="

void kvs_failon_free(struct kvs_failon *f, size_t nr)
{
	for (size_t i = 0; f && i < nr; i++) {
		free(f[i].text);
		free(f[i].row);
		free(f[i].key);
	}
	free(f);
}

/* KEY: letters, digits, '_' and the dots between names. */
static bool key_ok(const char *k, size_t len)
{
	if (!len || k[0] == '.' || k[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(k[i] == '_' || (k[i] == '.' && k[i + 1] != '.') ||
		      (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') ||
		      (k[i] >= '0' && k[i] <= '9')))
			return false;
	return true;
}

static int parse_one(const char *e, struct kvs_failon *f, char *err, size_t errlen)
{
	const char *k = e, *op, *num;
	char *end;

	if (!strncmp(e, ROW_PREFIX, strlen(ROW_PREFIX))) {
		const char *colon = strrchr(e, ':');

		if (!colon || colon == e + strlen(ROW_PREFIX))
			return kvs_err(err, errlen, -EINVAL, "--fail-on '%s': caller=NAME:KEY... "
				       "needs a NAME and a ':' before the KEY", e);
		f->row = strndup(e + strlen(ROW_PREFIX), (size_t)(colon - e) - strlen(ROW_PREFIX));
		if (!f->row)
			return -ENOMEM;
		k = colon + 1;
	}
	op = k + strcspn(k, "<>");
	if (!*op || !key_ok(k, (size_t)(op - k)))
		return kvs_err(err, errlen, -EINVAL, "--fail-on '%s': needs KEY>+N%%, KEY>+N, "
			       "KEY<-N%% or KEY<-N, KEY a JSON key (dotted for nested ones)", e);
	f->key = strndup(k, (size_t)(op - k));
	if (!f->key)
		return -ENOMEM;
	f->greater = *op == '>';
	num = op + 1;
	if (*num != '+' && *num != '-')
		return kvs_err(err, errlen, -EINVAL, "--fail-on '%s': the number after '%c' needs "
			       "its sign (+N or -N)", e, *op);
	errno = 0;
	f->n = strtod(num, &end);
	if (errno || end == num + 1 || !isfinite(f->n) || (*end && strcmp(end, "%")) ||
	    !(num[1] >= '0' && num[1] <= '9'))
		return kvs_err(err, errlen, -EINVAL, "--fail-on '%s': '%s' is not a signed "
			       "number, with %% for a relative change", e, num);
	f->percent = *end == '%';
	return 0;
}

int kvs_failon_parse(const char *s, struct kvs_failon **out, size_t *nr, char *err,
		     size_t errlen)
{
	char *copy = strdup(s), *save = NULL, *e;
	int ret = 0;

	*out = NULL;
	*nr = 0;
	if (!copy)
		return kvs_err(err, errlen, -ENOMEM, "out of memory");
	for (e = strtok_r(copy, ",", &save); e && !ret; e = strtok_r(NULL, ",", &save)) {
		struct kvs_failon *grown = realloc(*out, (*nr + 1) * sizeof(**out));

		if (!grown) {
			ret = -ENOMEM;
			break;
		}
		*out = grown;
		memset(&grown[*nr], 0, sizeof(**out));
		grown[*nr].text = strdup(e);
		(*nr)++;
		ret = grown[*nr - 1].text ? parse_one(e, &grown[*nr - 1], err, errlen) : -ENOMEM;
	}
	if (!ret && !*nr)
		ret = kvs_err(err, errlen, -EINVAL, "--fail-on needs at least one EXPR");
	free(copy);
	if (ret == -ENOMEM)
		kvs_err(err, errlen, ret, "out of memory");
	if (ret) {
		kvs_failon_free(*out, *nr);
		*out = NULL;
		*nr = 0;
	}
	return ret;
}

double kvs_failon_change(const struct kvs_failon *f, double a, double b)
{
	if (!f->percent)
		return b - a;
	if (a == 0)
		return b == 0 ? 0 : b > 0 ? INFINITY : -INFINITY;
	return (b - a) / fabs(a) * 100.0;
}

bool kvs_failon_crossed(const struct kvs_failon *f, double a, double b)
{
	double c = kvs_failon_change(f, a, b);

	return f->greater ? c > f->n : c < f->n;
}
