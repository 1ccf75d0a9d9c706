/* SPDX-License-Identifier: GPL-2.0 */
/* Clocks as seconds in a double: what the loop, the sources and the readings use. */
#ifndef KVS_CLOCK_H
#define KVS_CLOCK_H

#include <time.h>

/* clk's time in seconds; 0 for a clock this system lacks. */
double kvs_clock_s(clockid_t clk);

/* CLOCK_MONOTONIC in seconds: intervals, budgets, timeouts. */
static inline double kvs_mono_s(void)
{
	return kvs_clock_s(CLOCK_MONOTONIC);
}

#endif /* KVS_CLOCK_H */
