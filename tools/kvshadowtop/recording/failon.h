/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diff --fail-on EXPR[,EXPR...] (docs/interfaces.md §8): KEY>+N%, KEY>+N,
 * KEY<-N%, KEY<-N and caller=NAME:KEY... (NAME everything up to the last
 * ':'). KEY is a key of the summary, dotted for nested ones.
 */
#ifndef KVS_FAILON_H
#define KVS_FAILON_H

#include <stdbool.h>
#include <stddef.h>

struct kvs_failon {
	char *text;			/* the expression as given (malloc'd) */
	char *row;			/* caller=NAME: the row's name, else NULL (malloc'd) */
	char *key;			/* malloc'd */
	bool greater;			/* '>' (else '<') */
	bool percent;			/* N is a relative change in percent */
	double n;			/* signed */
};

/*
 * Parse the comma-separated list s into *out (*nr entries, free with
 * kvs_failon_free). 0, or -EINVAL with the reason in err, -ENOMEM.
 */
int kvs_failon_parse(const char *s, struct kvs_failon **out, size_t *nr, char *err,
		     size_t errlen);
void kvs_failon_free(struct kvs_failon *f, size_t nr);

/* The change from a to b as the expression measures it (relative: percent of |a|). */
double kvs_failon_change(const struct kvs_failon *f, double a, double b);
/* Whether the change from a to b crosses f's threshold. */
bool kvs_failon_crossed(const struct kvs_failon *f, double a, double b);

#endif /* KVS_FAILON_H */
