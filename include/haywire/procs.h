/*
 * haywire/procs.h — layer 4: the guest's processes and threads.
 *
 * A snapshot is taken once (walking the kernel's task list) and is then
 * immutable: read it from any number of threads, free it when done.
 */
#ifndef HAYWIRE_PROCS_H
#define HAYWIRE_PROCS_H

#include <haywire/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bits of haywire_task.flags. */
enum haywire_task_flag {
	HAYWIRE_TASK_KERNEL_THREAD = 1u << 0, /* PF_KTHREAD: no user address space */
	HAYWIRE_TASK_THREAD = 1u << 1,        /* not its process's leader (pid != tgid) */
};

#define HAYWIRE_COMM_LEN 16

/* One task (a process, or a thread when asked for). */
typedef struct haywire_task {
	uint32_t struct_size;            /* set by the caller of haywire_procs_get */
	uint32_t flags;                  /* enum haywire_task_flag */
	int32_t pid;                     /* thread id as the guest's init namespace sees it */
	int32_t tgid;                    /* process id */
	int32_t ppid;                    /* tgid of real_parent, as /proc's PPid */
	uint32_t uid;                    /* real uid */
	char comm[HAYWIRE_COMM_LEN];     /* task_struct.comm, NUL-terminated */
	uint64_t task;                   /* kernel-virtual address of the task_struct */
	uint64_t mm;                     /* kernel-virtual address of the mm_struct, 0 if none */
	uint64_t pgd;                    /* physical address of the user page-table root, 0 if
	                                    none (x86 with PTI: the kernel copy of the PGD) */
} haywire_task;

#ifdef __cplusplus
}
#endif

#endif /* HAYWIRE_PROCS_H */
