/*
 * Internal: find the task_struct layout with no BTF, from the structures
 * themselves. Every field is chosen by a pattern that must hold across the
 * whole task list, never by one weak match.
 */
#ifndef HW_KERNEL_CALIBRATE_H
#define HW_KERNEL_CALIBRATE_H

#include "kernel/kmem.h"
#include "kernel/task_layout.h"

/*
 * INIT_COMM is the kernel-virtual address of a "swapper/0" comm candidate
 * (init_task.comm). On success fills *LAYOUT and *INIT_TASK. Returns
 * HAYWIRE_E_NOT_FOUND when the candidate is not the head of a task list.
 */
int hw_calibrate_tasks(const struct hw_kmem *km, uint64_t init_comm,
                       struct hw_task_layout *layout, uint64_t *init_task);

#endif
