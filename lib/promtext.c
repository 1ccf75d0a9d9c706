// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus text exposition format 0.0.4 writer. See promtext.h for the
 * contract; the format is described at
 * https://prometheus.io/docs/instrumenting/exposition_formats/
 */
#include "promtext.h"
#include "errmsg.h"

#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct strbuf {
	char *data;
	size_t len, cap;
};

struct promtext {
	struct strbuf out;
	/* Names already taken, including a histogram's _bucket/_sum/_count. */
	char **names;
	size_t nnames, capnames;
	/* "name{sorted labels}" of every series written. */
	char **series;
	size_t nseries, capseries;
	const char *family;		/* current family, points into names[] */
	enum promtext_type type;
	/* printf and strtod follow LC_NUMERIC; the format wants '.' always. */
	locale_t c_locale;
	char err[256];
};

static const char *const type_names[] = {
	[PROMTEXT_GAUGE] = "gauge",
	[PROMTEXT_COUNTER] = "counter",
	[PROMTEXT_HISTOGRAM] = "histogram",
};

static int buf_reserve(struct strbuf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 1024;
	char *p;

	if (more > SIZE_MAX - b->len - 1)
		return -ENOMEM;
	while (cap < b->len + more + 1) {
		if (cap > SIZE_MAX / 2)
			return -ENOMEM;
		cap *= 2;
	}
	if (cap == b->cap)
		return 0;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

static int buf_put(struct strbuf *b, const char *s, size_t n)
{
	int err = buf_reserve(b, n);

	if (err)
		return err;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static int buf_puts(struct strbuf *b, const char *s)
{
	return buf_put(b, s, strlen(s));
}

/* Appends each string up to the terminating NULL. */
__attribute__((sentinel))
static int buf_cat(struct strbuf *b, ...)
{
	const char *s;
	va_list ap;
	int err = 0;

	va_start(ap, b);
	while (!err && (s = va_arg(ap, const char *)))
		err = buf_puts(b, s);
	va_end(ap);
	return err;
}

/* Appends s with each character in `special` escaped as the format wants. */
static int buf_escaped(struct strbuf *b, const char *s, const char *special)
{
	int err = 0;

	for (; *s && !err; s++) {
		if (*s == '\n')
			err = buf_put(b, "\\n", 2);
		else if (strchr(special, *s))
			err = buf_put(b, (const char[]){ '\\', *s }, 2);
		else
			err = buf_put(b, s, 1);
	}
	return err;
}

/* sep name="value", the value escaped. */
static int buf_label(struct strbuf *b, const char *sep,
		     const struct promtext_label *l)
{
	int err = buf_cat(b, sep, l->name, "=\"", NULL);

	if (!err)
		err = buf_escaped(b, l->value, "\\\"");
	if (!err)
		err = buf_put(b, "\"", 1);
	return err;
}

/*
 * Shortest text that reads back as the same double; integers up to 2^53
 * (exactly representable) without exponent, as Prometheus itself prints them.
 */
static int buf_value(struct promtext *pt, struct strbuf *b, double v)
{
	locale_t old;
	char text[40];
	int prec, n = 0;

	if (isnan(v))
		return buf_puts(b, "NaN");
	if (isinf(v))
		return buf_puts(b, v > 0 ? "+Inf" : "-Inf");
	old = uselocale(pt->c_locale);
	if (fabs(v) <= 9007199254740992.0 && v == (double)(int64_t)v) {
		n = snprintf(text, sizeof(text), "%" PRId64, (int64_t)v);
	} else {
		for (prec = 15; prec <= 17; prec++) {
			n = snprintf(text, sizeof(text), "%.*g", prec, v);
			if (strtod(text, NULL) == v)
				break;
		}
	}
	uselocale(old);
	if (n < 0 || (size_t)n >= sizeof(text))
		return -EINVAL;
	return buf_put(b, text, (size_t)n);
}

static int grow_list(char ***list, size_t *cap, size_t n)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	char **p;

	if (n < *cap)
		return 0;
	p = reallocarray(*list, ncap, sizeof(**list));
	if (!p)
		return -ENOMEM;
	*list = p;
	*cap = ncap;
	return 0;
}

/* Linear: a kvshadow file holds tens of series, not thousands. */
static bool in_list(char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

static bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned int c = *p, n, cp;

		if (c < 0x80) {
			p++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1, cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, cp = c & 0x07;
		} else {
			return false;
		}
		for (unsigned int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		/* Overlong forms, surrogates and beyond U+10FFFF are invalid. */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/*
 * [a-zA-Z_][a-zA-Z0-9_]*: the format also allows ':' in metric names, but
 * it is reserved for recording rules and promtool flags it.
 */
static bool name_valid(const char *s)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!name_char(*p, p == s))
			return false;
	return true;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int add_name(struct promtext *pt, const char *base, const char *suffix)
{
	size_t n = strlen(base) + strlen(suffix) + 1;
	char *s;

	if (grow_list(&pt->names, &pt->capnames, pt->nnames))
		return -ENOMEM;
	s = malloc(n);
	if (!s)
		return -ENOMEM;
	snprintf(s, n, "%s%s", base, suffix);
	pt->names[pt->nnames++] = s;
	return 0;
}

struct promtext *promtext_new(void)
{
	struct promtext *pt = calloc(1, sizeof(*pt));

	if (!pt)
		return NULL;
	pt->c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (pt->c_locale == (locale_t)0) {
		free(pt);
		return NULL;
	}
	return pt;
}

void promtext_free(struct promtext *pt)
{
	if (!pt)
		return;
	for (size_t i = 0; i < pt->nnames; i++)
		free(pt->names[i]);
	for (size_t i = 0; i < pt->nseries; i++)
		free(pt->series[i]);
	free(pt->names);
	free(pt->series);
	free(pt->out.data);
	freelocale(pt->c_locale);
	free(pt);
}

const char *promtext_error(const struct promtext *pt)
{
	return pt->err;
}

int promtext_family(struct promtext *pt, const char *name,
		    enum promtext_type type, const char *help)
{
	static const char *const reserved[] = { "_bucket", "_sum", "_count" };
	size_t mark = pt->out.len, nmark = pt->nnames;
	int err = 0;

	if (!name || !name_valid(name))
		return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
			       "invalid metric name \"%s\"", name ? name : "(null)");
	if ((unsigned int)type > PROMTEXT_HISTOGRAM)
		return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
			       "%s: unknown type %d", name, (int)type);
	if (!help || !*help)
		return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
			       "%s: HELP text is required", name);
	if (!utf8_valid(help))
		return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
			       "%s: HELP is not valid UTF-8", name);
	if (!strncmp(name, "__", 2))
		return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
			       "%s: names starting with __ are reserved", name);
	if (type == PROMTEXT_COUNTER && !has_suffix(name, "_total"))
		return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
			       "counter %s must end in _total", name);
	if (type != PROMTEXT_COUNTER && has_suffix(name, "_total"))
		return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
			       "%s: only counters end in _total", name);
	for (size_t i = 0; i < 3; i++)
		if (type != PROMTEXT_HISTOGRAM && has_suffix(name, reserved[i]))
			return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
				       "%s: the %s suffix is for histograms", name, reserved[i]);
	/* A histogram owns its suffixed names, so nothing may reuse them. */
	if (in_list(pt->names, pt->nnames, name))
		return kvs_err(pt->err, sizeof(pt->err), -EEXIST, "family %s written twice", name);
	if (type == PROMTEXT_HISTOGRAM) {
		for (size_t i = 0; i < 3; i++) {
			size_t n = strlen(name);

			for (size_t j = 0; j < pt->nnames; j++)
				if (!strncmp(pt->names[j], name, n) &&
				    !strcmp(pt->names[j] + n, reserved[i]))
					return kvs_err(pt->err, sizeof(pt->err), -EEXIST,
						       "histogram %s clashes with family %s",
						       name, pt->names[j]);
		}
	}

	err = add_name(pt, name, "");
	for (size_t i = 0; !err && type == PROMTEXT_HISTOGRAM && i < 3; i++)
		err = add_name(pt, name, reserved[i]);
	if (!err)
		err = buf_cat(&pt->out, "# HELP ", name, " ", NULL);
	if (!err)
		err = buf_escaped(&pt->out, help, "\\");
	if (!err)
		err = buf_cat(&pt->out, "\n# TYPE ", name, " ", type_names[type],
			      "\n", NULL);
	if (err) {
		pt->out.len = mark;
		while (pt->nnames > nmark)
			free(pt->names[--pt->nnames]);
		return kvs_err(pt->err, sizeof(pt->err), err, "%s: out of memory", name);
	}
	pt->family = pt->names[nmark];
	pt->type = type;
	return 0;
}

/*
 * Checks the labels and builds the series identity: the label set sorted by
 * name, so {a,b} and {b,a} count as the same series, as Prometheus sees it.
 */
static int series_key(struct promtext *pt, const struct promtext_label *labels,
		      size_t nlabels, struct strbuf *key)
{
	const struct promtext_label **sorted;
	int err = 0;

	if (nlabels && !labels)
		return kvs_err(pt->err, sizeof(pt->err), -EINVAL, "%s: labels missing", pt->family);
	for (size_t i = 0; i < nlabels; i++) {
		const char *n = labels[i].name, *v = labels[i].value;

		if (!n || !name_valid(n))
			return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
				       "%s: invalid label name \"%s\"",
				       pt->family, n ? n : "(null)");
		if (!strncmp(n, "__", 2))
			return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
				       "%s: label names starting with __ are reserved", pt->family);
		if (pt->type == PROMTEXT_HISTOGRAM && !strcmp(n, "le"))
			return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
				       "%s: label le is the histogram's own", pt->family);
		if (!v)
			return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
				       "%s: label %s has no value", pt->family, n);
		if (!utf8_valid(v))
			return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
				       "%s: label %s is not valid UTF-8", pt->family, n);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(labels[j].name, n))
				return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
					       "%s: label %s twice", pt->family, n);
	}

	sorted = calloc(nlabels ? nlabels : 1, sizeof(*sorted));
	if (!sorted)
		return kvs_err(pt->err, sizeof(pt->err), -ENOMEM, "out of memory");
	for (size_t i = 0; i < nlabels; i++) {
		size_t j = i;

		for (; j > 0 && strcmp(sorted[j - 1]->name, labels[i].name) > 0; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = &labels[i];
	}
	err = buf_puts(key, pt->family);
	for (size_t i = 0; !err && i < nlabels; i++)
		err = buf_label(key, i ? "," : "{", sorted[i]);
	if (!err)
		err = buf_puts(key, nlabels ? "}" : "{}");
	free(sorted);
	if (err)
		return kvs_err(pt->err, sizeof(pt->err), err, "out of memory");
	if (in_list(pt->series, pt->nseries, key->data))
		return kvs_err(pt->err, sizeof(pt->err), -EEXIST,
			       "series %s written twice", key->data);
	return 0;
}

/* name{labels[,le="bound"]} value\n, labels in the caller's order. */
static int write_line(struct promtext *pt, const char *suffix,
		      const struct promtext_label *labels, size_t nlabels,
		      const char *le, double value)
{
	struct strbuf *b = &pt->out;
	int err = buf_puts(b, pt->family);

	if (!err)
		err = buf_puts(b, suffix);
	for (size_t i = 0; !err && i < nlabels; i++)
		err = buf_label(b, i ? "," : "{", &labels[i]);
	if (!err && le)
		err = buf_cat(b, nlabels ? ",le=\"" : "{le=\"", le, "\"", NULL);
	if (!err && (nlabels || le))
		err = buf_puts(b, "}");
	if (!err)
		err = buf_put(b, " ", 1);
	if (!err)
		err = buf_value(pt, b, value);
	if (!err)
		err = buf_put(b, "\n", 1);
	return err;
}

/* Takes ownership of key->data on success. */
static int record_series(struct promtext *pt, struct strbuf *key)
{
	if (grow_list(&pt->series, &pt->capseries, pt->nseries))
		return -ENOMEM;
	pt->series[pt->nseries++] = key->data;
	key->data = NULL;
	return 0;
}

int promtext_sample(struct promtext *pt, const struct promtext_label *labels,
		    size_t nlabels, double value)
{
	struct strbuf key = { 0 };
	size_t mark = pt->out.len;
	int err;

	if (!pt->family)
		return kvs_err(pt->err, sizeof(pt->err), -EINVAL, "sample before any family");
	if (pt->type == PROMTEXT_HISTOGRAM)
		return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
			       "%s: histogram samples need promtext_histogram", pt->family);
	if (pt->type == PROMTEXT_COUNTER && (value < 0 || isnan(value)))
		return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
			       "counter %s cannot be %g", pt->family, value);
	err = series_key(pt, labels, nlabels, &key);
	if (!err)
		err = write_line(pt, "", labels, nlabels, NULL, value);
	if (!err)
		err = record_series(pt, &key);
	free(key.data);
	if (err == -ENOMEM) {
		pt->out.len = mark;
		return kvs_err(pt->err, sizeof(pt->err), -ENOMEM, "%s: out of memory", pt->family);
	}
	return err;
}

int promtext_histogram(struct promtext *pt,
		       const struct promtext_label *labels, size_t nlabels,
		       const double *bounds, const uint64_t *cumulative,
		       size_t nbounds, double sum, uint64_t count)
{
	struct strbuf key = { 0 }, le = { 0 };
	size_t mark = pt->out.len;
	int err;

	if (!pt->family)
		return kvs_err(pt->err, sizeof(pt->err), -EINVAL, "histogram before any family");
	if (pt->type != PROMTEXT_HISTOGRAM)
		return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
			       "%s is a %s, not a histogram", pt->family, type_names[pt->type]);
	if (nbounds && (!bounds || !cumulative))
		return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
			       "%s: buckets missing", pt->family);
	for (size_t i = 0; i < nbounds; i++) {
		if (!isfinite(bounds[i]))
			return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
				       "%s: bucket bounds must be finite (+Inf is written from count)",
				       pt->family);
		if (i && !(bounds[i] > bounds[i - 1]))
			return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
				       "%s: bucket bounds must increase (%g after %g)",
				       pt->family, bounds[i], bounds[i - 1]);
		if (i && cumulative[i] < cumulative[i - 1])
			return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
				       "%s: bucket counts must be cumulative", pt->family);
	}
	if (nbounds && cumulative[nbounds - 1] > count)
		return kvs_err(pt->err, sizeof(pt->err), -EINVAL,
			       "%s: bucket count above _count", pt->family);
	if (isnan(sum))
		return kvs_err(pt->err, sizeof(pt->err), -EINVAL, "%s: _sum is NaN", pt->family);

	err = series_key(pt, labels, nlabels, &key);
	if (err) {
		free(key.data);
		return err;
	}
	for (size_t i = 0; !err && i <= nbounds; i++) {
		le.len = 0;
		err = i < nbounds ? buf_value(pt, &le, bounds[i]) :
				    buf_puts(&le, "+Inf");
		if (!err)
			err = write_line(pt, "_bucket", labels, nlabels, le.data,
					 (double)(i < nbounds ? cumulative[i] : count));
	}
	if (!err)
		err = write_line(pt, "_sum", labels, nlabels, NULL, sum);
	if (!err)
		err = write_line(pt, "_count", labels, nlabels, NULL,
				 (double)count);
	if (!err)
		err = record_series(pt, &key);
	free(key.data);
	free(le.data);
	if (err) {
		pt->out.len = mark;
		return kvs_err(pt->err, sizeof(pt->err), err, "%s: out of memory", pt->family);
	}
	return 0;
}

int promtext_finish(struct promtext *pt, const char **data, size_t *len)
{
	if (!pt->out.len)
		return kvs_err(pt->err, sizeof(pt->err), -ENODATA, "no metrics written");
	/* Every line ends in "\n", so the file does too. */
	*data = pt->out.data;
	*len = pt->out.len;
	return 0;
}
