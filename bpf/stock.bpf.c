// SPDX-License-Identifier: GPL-2.0
/* Stock KASAN kernels (placeholder: filled in by the next commit). */
#include "kvshadow.bpf.h"
