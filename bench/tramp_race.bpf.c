// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest tracing programs there are: an fentry and an fexit that
 * count their runs. bench/tramp-race attaches them to a kernel function
 * (set at load time) and detaches them again, over and over, while other
 * CPUs call that function; nothing of kvshadow is involved.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

__u64 entries, exits;

SEC("fentry")
int BPF_PROG(race_entry)
{
	__sync_fetch_and_add(&entries, 1);
	return 0;
}

SEC("fexit")
int BPF_PROG(race_exit)
{
	__sync_fetch_and_add(&exits, 1);
	return 0;
}
