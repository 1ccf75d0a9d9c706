/* SPDX-License-Identifier: GPL-2.0 */
/* kvshadowtop report FILE [-b|--json|--prom-file PATH] (report.c, replay_tui.c). */
#ifndef KVS_REPORT_H
#define KVS_REPORT_H

#include "options.h"

/* Replay o->rec_files[0] into the views o asks for; the exit status (0 or 1). */
int kvs_report(struct kvs_options *o, const char *prog);

#endif /* KVS_REPORT_H */
