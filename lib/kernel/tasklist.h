/* Internal: walking the guest kernel's task list into haywire_task records. */
#ifndef HW_KERNEL_TASKLIST_H
#define HW_KERNEL_TASKLIST_H

#include <haywire/procs.h>

#include "kernel/kmem.h"
#include "kernel/task_layout.h"

/* More tasks than this means the list is corrupt (Linux's PID_MAX_LIMIT is 2^22). */
#define HW_MAX_TASKS (1u << 22)

/*
 * Walk every process linked from INIT_TASK (the idle task, which heads the
 * list and is not reported), and with WITH_THREADS every thread of each.
 * The list must close, its prev links must agree, pids must be unique.
 * *OUT is malloc'd, *COUNT records.
 */
int hw_tasks_walk(const struct hw_kmem *km, const struct hw_task_layout *layout,
                  uint64_t init_task, int with_threads, haywire_task **out, uint64_t *count);

#endif
