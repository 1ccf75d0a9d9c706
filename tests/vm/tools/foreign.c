// SPDX-License-Identifier: GPL-2.0
/*
 * foreign: attach foreign.bpf.c's programs and keep them attached until
 * killed (SIGTERM or SIGINT), then print how often they ran. For the
 * guest of the VM tests: static, the skeleton built in.
 *
 *   foreign &        ... kill %1
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "foreign.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

int main(void)
{
	struct foreign_bpf *s;
	int ret;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	s = foreign_bpf__open_and_load();
	if (!s) {
		fprintf(stderr, "foreign: load: %s\n", strerror(errno));
		return 1;
	}
	ret = foreign_bpf__attach(s);
	if (ret) {
		fprintf(stderr, "foreign: attach: %s\n", strerror(-ret));
		foreign_bpf__destroy(s);
		return 1;
	}
	printf("foreign: attached\n");
	fflush(stdout);
	while (!stop)
		pause();
	printf("foreign: %llu hits\n", (unsigned long long)s->bss->hits);
	foreign_bpf__destroy(s);
	return 0;
}
