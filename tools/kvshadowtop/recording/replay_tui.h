/* SPDX-License-Identifier: GPL-2.0 */
/*
 * report FILE without -b, --json or --prom-file: the recording in the live
 * run's TUI, played at its recorded pace, with pause and steps back and
 * forth through its intervals (the keys of tui_keys.c).
 */
#ifndef KVS_REPLAY_TUI_H
#define KVS_REPLAY_TUI_H

#include "options.h"
#include "recording.h"

/* Read every interval of rd and let the user step through them; the exit status. */
int kvs_replay_tui(const struct kvs_options *o, const char *prog, struct kvs_rec_reader *rd);

#endif /* KVS_REPLAY_TUI_H */
