// SPDX-License-Identifier: GPL-2.0
/* Clocks as seconds (see clock.h). */
#include "clock.h"

double kvs_clock_s(clockid_t clk)
{
	struct timespec ts;

	/* Fails only for a clock id the kernel lacks; REALTIME and MONOTONIC it always has. */
	if (clock_gettime(clk, &ts))
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
