/*
 * Internal: where the process layer finds things in the kernel's task and mm
 * structures. Byte offsets, filled from BTF (calibrated heuristically when a
 * kernel has none, later).
 */
#ifndef HW_KERNEL_TASK_LAYOUT_H
#define HW_KERNEL_TASK_LAYOUT_H

#include "kernel/btf.h"

#include <stdint.h>

/* Offset of a member the running kernel does not have. */
#define HW_LAYOUT_ABSENT UINT32_MAX

struct hw_task_layout {
	uint32_t ptr_size;
	uint32_t task_size;      /* sizeof(struct task_struct) */
	/* struct task_struct */
	uint32_t tasks;          /* list_head linking every thread-group leader (init_task.tasks) */
	uint32_t pid, tgid;      /* pid_t, 4 bytes each */
	uint32_t comm, comm_size;/* char comm[TASK_COMM_LEN] */
	uint32_t real_parent, parent; /* struct task_struct * */
	uint32_t mm, active_mm;  /* struct mm_struct *; mm is NULL for kernel threads */
	uint32_t flags;          /* PF_* (PF_KTHREAD) */
	uint32_t real_cred, cred;/* const struct cred * */
	uint32_t signal;         /* struct signal_struct * */
	uint32_t thread_node;    /* list_head on signal->thread_head (3.14+), or ABSENT */
	uint32_t thread_group;   /* list_head of the thread group (removed in 6.7), or ABSENT */
	/* struct signal_struct */
	uint32_t signal_thread_head; /* list_head of the threads' thread_node, or ABSENT */
	/* struct mm_struct */
	uint32_t mm_pgd;         /* pgd_t *: the user page-table root (kernel VA) */
	/* struct cred */
	uint32_t cred_uid;       /* kuid_t uid: its uid_t val, 4 bytes */
	/* struct list_head */
	uint32_t list_next, list_prev;
};

/*
 * Fill *OUT from BTF. Required: every member above except thread_node,
 * thread_group and signal_thread_head, of which a way to list threads
 * (thread_node with signal_struct.thread_head, or thread_group) must exist.
 * HAYWIRE_E_NOT_FOUND names the missing struct.member; HAYWIRE_E_CORRUPT when
 * a member has an impossible size (pid not 4 bytes, a pointer not a pointer).
 */
int hw_task_layout_from_btf(const struct hw_btf *btf, struct hw_task_layout *out);

#endif
