/*
 * Internal: where the fields the process layer needs sit inside the guest
 * kernel's structures. Filled from BTF, or calibrated from the structures
 * themselves when the kernel has no BTF. Never hard-coded.
 */
#ifndef HW_PROCS_TASK_LAYOUT_H
#define HW_PROCS_TASK_LAYOUT_H

#include <stdint.h>

struct hw_task_layout {
	uint32_t task_size;   /* bytes of task_struct to read: covers every field below */
	uint32_t tasks;       /* struct list_head linking every process (group leader) */
	uint32_t pid;         /* pid_t */
	uint32_t tgid;        /* pid_t */
	uint32_t comm;        /* char[comm_len] */
	uint32_t comm_len;
	uint32_t real_parent; /* struct task_struct * */
	uint32_t flags;       /* unsigned int, PF_* */
	uint32_t mm;          /* struct mm_struct * */
	uint32_t real_cred;   /* const struct cred * */
	uint32_t threads;     /* list_head linking a process's threads (thread_group or
	                         thread_node; a non-task list head is tolerated) */
	uint32_t cred_uid;    /* kuid_t inside struct cred */
	uint32_t mm_pgd;      /* pgd_t * inside struct mm_struct */
};

#endif
