// SPDX-License-Identifier: GPL-2.0
/*
 * bpfobjs: list the BPF programs, maps and links the kernel holds, from its
 * own ID tables (BPF_{PROG,MAP,LINK}_GET_NEXT_ID, what bpftool walks), for
 * the guest of the VM tests, which has no bpftool. Static, no libbpf: the
 * tests use it as a truth independent of the tool they test.
 *
 *   bpfobjs          "progs=N maps=N links=N"
 *   bpfobjs -v       then one line per object: "prog ID type TYPE NAME
 *                    runs N ns N" (the kernel's run statistics, while
 *                    kernel.bpf_stats_enabled), "map ID type TYPE NAME",
 *                    "link ID type TYPE prog PROG_ID"
 *
 * An object is listed from the moment it gets its ID until its last
 * reference is gone (a file descriptor, a pin, an attachment), whoever
 * holds it.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* The next ID after id, 0 at the end, -1 on an error (errno set). */
static long next_id(int cmd, unsigned int id)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.start_id = id;
	if (sys_bpf(cmd, &attr) == 0)
		return attr.next_id;
	return errno == ENOENT ? 0 : -1;
}

static int fd_by_id(int cmd, unsigned int id)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	if (cmd == BPF_LINK_GET_FD_BY_ID)
		attr.link_id = id;
	else if (cmd == BPF_MAP_GET_FD_BY_ID)
		attr.map_id = id;
	else
		attr.prog_id = id;
	return (int)sys_bpf(cmd, &attr);
}

static int info(int fd, void *buf, unsigned int len)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = len;
	attr.info.info = (unsigned long)buf;
	return (int)sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr);
}

/* One line about object id (it may be gone already: then say so). */
static void describe(const char *kind, int get_fd, unsigned int id)
{
	int fd = fd_by_id(get_fd, id);

	if (fd < 0) {
		printf("%s %u gone\n", kind, id);
		return;
	}
	if (get_fd == BPF_PROG_GET_FD_BY_ID) {
		struct bpf_prog_info p;

		memset(&p, 0, sizeof(p));
		if (info(fd, &p, sizeof(p)) == 0)
			printf("prog %u type %u %s runs %llu ns %llu\n", id, p.type, p.name,
			       (unsigned long long)p.run_cnt, (unsigned long long)p.run_time_ns);
	} else if (get_fd == BPF_MAP_GET_FD_BY_ID) {
		struct bpf_map_info m;

		memset(&m, 0, sizeof(m));
		if (info(fd, &m, sizeof(m)) == 0)
			printf("map %u type %u %s\n", id, m.type, m.name);
	} else {
		struct bpf_link_info l;

		memset(&l, 0, sizeof(l));
		if (info(fd, &l, sizeof(l)) == 0)
			printf("link %u type %u prog %u\n", id, l.type, l.prog_id);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *kind;
		int next, get_fd;
	} t[] = {
		{ "prog", BPF_PROG_GET_NEXT_ID, BPF_PROG_GET_FD_BY_ID },
		{ "map", BPF_MAP_GET_NEXT_ID, BPF_MAP_GET_FD_BY_ID },
		{ "link", BPF_LINK_GET_NEXT_ID, BPF_LINK_GET_FD_BY_ID },
	};
	int verbose = argc > 1 && !strcmp(argv[1], "-v");
	unsigned int n[3] = { 0 };
	int i;

	for (i = 0; i < 3; i++) {
		long id = 0;

		while ((id = next_id(t[i].next, (unsigned int)id)) > 0)
			n[i]++;
		if (id < 0) {
			fprintf(stderr, "bpfobjs: %s IDs: %s\n", t[i].kind, strerror(errno));
			return 1;
		}
	}
	printf("progs=%u maps=%u links=%u\n", n[0], n[1], n[2]);
	if (!verbose)
		return 0;
	for (i = 0; i < 3; i++) {
		long id = 0;

		while ((id = next_id(t[i].next, (unsigned int)id)) > 0)
			describe(t[i].kind, t[i].get_fd, (unsigned int)id);
	}
	return 0;
}
