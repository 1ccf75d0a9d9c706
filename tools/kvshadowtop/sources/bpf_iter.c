// SPDX-License-Identifier: GPL-2.0
/* Run-once BPF objects' shared steps (see bpf_iter.h). */
#include "bpf_iter.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "errmsg.h"

int kvs_iter_run(struct bpf_program *prog, kvs_iter_sink sink, void *arg, char *err,
		 size_t errlen)
{
	struct bpf_link *link = bpf_program__attach_iter(prog, NULL);
	const char *name = bpf_program__name(prog);
	char buf[4096];
	int fd, ret = 0;
	ssize_t got;

	if (!link)
		return kvs_err(err, errlen, -errno, "attaching %s: %s", name, strerror(errno));
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		ret = kvs_err(err, errlen, -errno, "running %s: %s", name, strerror(errno));
		goto out;
	}
	while ((got = read(fd, buf, sizeof(buf))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ret = kvs_err(err, errlen, -errno, "reading %s: %s", name, strerror(errno));
			break;
		}
		if (!sink)
			continue;
		ret = sink(arg, buf, (size_t)got);
		if (ret) {
			ret = kvs_err(err, errlen, ret, "reading %s: %s", name, strerror(-ret));
			break;
		}
	}
	close(fd);
out:
	bpf_link__destroy(link);
	return ret;
}

int kvs_prog_id(const struct bpf_program *prog, __u32 *id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_program__fd(prog);

	if (fd < 0)
		return -EBADF;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*id = info.id;
	return 0;
}
