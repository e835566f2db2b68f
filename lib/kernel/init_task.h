/*
 * Internal: finding init_task (the boot CPU's idle task, head of the task
 * list) without its symbol, as on kernels whose kallsyms has no data symbols
 * (Debian arm64: CONFIG_KALLSYMS_ALL unset).
 */
#ifndef HW_KERNEL_INIT_TASK_H
#define HW_KERNEL_INIT_TASK_H

#include "kernel/kread.h"
#include "kernel/task_layout.h"

#define HW_INIT_TASK_SCAN_MAX (256u << 20) /* bytes of image searched from START */

/*
 * Search kernel memory [START, START + LEN) through R (the kernel-image reader)
 * for init_task: a task named "swapper/0" (or "swapper", before the idle task
 * is renamed) whose pid is 0, whose mm is NULL and whose real_parent and parent
 * both point to itself (true of init_task alone). The search stops early at the
 * first unreadable chunk (end of RAM or of the image window). *TASK receives its
 * kernel VA. HAYWIRE_E_NOT_FOUND when no candidate passes.
 */
int hw_find_init_task(const struct hw_kreader *r, const struct hw_task_layout *l, uint64_t start,
                      uint64_t len, uint64_t *task);

#endif
