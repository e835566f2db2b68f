/*
 * haywire/procs.h — layer 4: the guest's processes and threads.
 *
 * A snapshot is taken once (walking the kernel's task list) and is then
 * immutable: read it from any number of threads, free it when done.
 */
#ifndef HAYWIRE_PROCS_H
#define HAYWIRE_PROCS_H

#include <haywire/aspace.h>
#include <haywire/common.h>
#include <haywire/kernel.h>

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

typedef struct haywire_procs haywire_procs;

/* Bits of haywire_procs_snapshot's FLAGS. */
enum haywire_procs_flag {
	HAYWIRE_PROCS_THREADS = 1u << 0, /* list every thread, not only processes */
};

/*
 * Walk the kernel's task list now and keep the result. Processes come in the
 * kernel's task-list order (creation order), each followed by its threads
 * when HAYWIRE_PROCS_THREADS is set. The idle task (pid 0) is not listed.
 * Errors: HAYWIRE_E_CORRUPT (a list that does not close, a broken link, a
 * repeated pid: e.g. a running guest changed it mid-walk; try again),
 * HAYWIRE_E_LIMIT (more than 2^22 tasks).
 */
HAYWIRE_API int haywire_procs_snapshot(haywire_kernel *k, uint32_t flags, haywire_procs **out);

/* Release a snapshot. NULL is ignored. */
HAYWIRE_API void haywire_procs_free(haywire_procs *p);

/* Number of tasks in the snapshot; 0 for NULL. */
HAYWIRE_API uint64_t haywire_procs_count(const haywire_procs *p);

/*
 * Copy task INDEX into *OUT (OUT->struct_size set by the caller; smaller,
 * older structs are filled up to their size). HAYWIRE_E_NOT_FOUND past the end.
 */
HAYWIRE_API int haywire_procs_get(const haywire_procs *p, uint64_t index, haywire_task *out);

/* Index of the task with pid PID; HAYWIRE_E_NOT_FOUND if absent. */
HAYWIRE_API int haywire_procs_find(const haywire_procs *p, int32_t pid, uint64_t *index);

/*
 * A new address space for the user half of task INDEX (free it with
 * haywire_aspace_free before closing the kernel): x86 on the process's PGD
 * (with HAYWIRE_MMU_PTI_KERNEL_PGD when the kernel runs PTI), arm64 on its
 * TTBR0 table. HAYWIRE_E_NOT_FOUND for kernel threads.
 */
HAYWIRE_API int haywire_procs_aspace(const haywire_procs *p, uint64_t index,
                                     haywire_aspace **out);

#ifdef __cplusplus
}
#endif

#endif /* HAYWIRE_PROCS_H */
