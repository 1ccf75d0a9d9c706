/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one number parser for command lines and prompts. Strict: decimal
 * digits only (a '.' where fractions are allowed), no sign, no blanks, no
 * 0x, no exponents, no inf/nan, so " -5" or "1e-25" are refused instead of
 * wrapping or rounding to something else. 0, -EINVAL (not such a number) or
 * -ERANGE (outside [min, max]).
 */
#ifndef KVS_NUMPARSE_H
#define KVS_NUMPARSE_H

#include <stdint.h>

/* The interval range of every tool (-d, INTERVAL, the TUI's d prompt). */
#define KVS_INTERVAL_MIN 0.01
#define KVS_INTERVAL_MAX 86400.0

int kvs_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int kvs_parse_seconds(const char *s, double min, double max, double *out);
/*
 * A duration with its unit: "500us", "2ms", "1s", "1.5ms", "250ns" (no
 * unit: refused, a bare number is ambiguous). Result in ns, <= max_ns.
 */
int kvs_parse_duration_ns(const char *s, uint64_t max_ns, uint64_t *out);

#endif /* KVS_NUMPARSE_H */
