// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfstats.h"
#include "errmsg.h"

void kvs_bpf_stats_init(struct kvs_bpf_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

/* Each loaded program's totals now, in object order, at most KVS_SELF_PROGS. */
static int totals(struct bpf_object *obj, struct kvs_prog_cost *out, size_t *nr)
{
	struct bpf_program *prog;

	*nr = 0;
	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0)
			continue;	/* not loaded in this mode */
		if (*nr == KVS_SELF_PROGS)
			break;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return -errno;
		snprintf(out[*nr].name, sizeof(out[*nr].name), "%s", bpf_program__name(prog));
		out[*nr].runs = info.run_cnt;
		out[*nr].run_ns = info.run_time_ns;
		(*nr)++;
	}
	return 0;
}

int kvs_bpf_stats_enable(struct kvs_bpf_stats *s, struct bpf_object *obj, char *err,
			 size_t errlen)
{
	int fd, ret;

	if (s->fd >= 0)
		return 0;
	fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd < 0) {
		ret = -errno;
		return kvs_err(err, errlen, ret, "BPF run-time statistics (BPF_ENABLE_STATS): %s",
			       strerror(-ret));
	}
	/* Programs count while any enabler is on: start from their totals now. */
	ret = totals(obj, s->base, &s->nr);
	if (ret) {
		close(fd);
		return kvs_err(err, errlen, ret, "reading BPF program statistics: %s", strerror(-ret));
	}
	s->fd = fd;
	return 0;
}

void kvs_bpf_stats_disable(struct kvs_bpf_stats *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

int kvs_bpf_stats_read(const struct kvs_bpf_stats *s, struct bpf_object *obj,
		       struct kvs_self *out)
{
	int ret = totals(obj, out->prog, &out->nr);

	if (ret)
		return ret;
	for (size_t i = 0; i < out->nr && i < s->nr; i++) {
		struct kvs_prog_cost *p = &out->prog[i];

		/* The same object, the same order: base[i] is this program. */
		p->runs -= p->runs >= s->base[i].runs ? s->base[i].runs : p->runs;
		p->run_ns -= p->run_ns >= s->base[i].run_ns ? s->base[i].run_ns : p->run_ns;
	}
	return 0;
}
