/* The process snapshot handle: an immutable array of tasks and its lookups. */
#include <haywire/procs.h>

#include "core/error.h"
#include "kernel/kernel_impl.h"
#include "kernel/tasklist.h"
#include "source/source_impl.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct haywire_procs {
	haywire_kernel *kernel;
	haywire_task *tasks;
	uint64_t count;
};

HAYWIRE_API int haywire_procs_snapshot(haywire_kernel *k, uint32_t flags, haywire_procs **out)
{
	if (!out)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_procs_snapshot: NULL output pointer");
	*out = NULL;
	if (!k)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_procs_snapshot: NULL kernel");
	haywire_procs *p = calloc(1, sizeof *p);
	if (!p)
		return hw_fail_nomem("process snapshot");
	p->kernel = k;
	struct hw_kmem km;
	hw_kernel_kmem(k, &km);
	/* a live source opened with snapshot=1 pauses the guest for the walk */
	int rc = hw_source_hold(haywire_kernel_source(k));
	if (!rc) {
		rc = hw_tasks_walk(&km, hw_kernel_task_layout(k), hw_kernel_init_task(k),
		                   (flags & HAYWIRE_PROCS_THREADS) != 0, &p->tasks, &p->count);
		hw_source_release(haywire_kernel_source(k));
	}
	if (rc) {
		free(p);
		return rc;
	}
	*out = p;
	return HAYWIRE_OK;
}

HAYWIRE_API void haywire_procs_free(haywire_procs *p)
{
	if (!p)
		return;
	free(p->tasks);
	free(p);
}

HAYWIRE_API uint64_t haywire_procs_count(const haywire_procs *p)
{
	return p ? p->count : 0;
}

HAYWIRE_API int haywire_procs_get(const haywire_procs *p, uint64_t index, haywire_task *out)
{
	if (!p || !out || out->struct_size < offsetof(haywire_task, pid))
		return hw_fail(HAYWIRE_E_INVALID,
		               "haywire_procs_get: NULL argument or struct_size unset");
	if (index >= p->count)
		return hw_fail(HAYWIRE_E_NOT_FOUND, "task index %llu past the %llu tasks",
		               (unsigned long long)index, (unsigned long long)p->count);
	uint32_t size = out->struct_size < sizeof *out ? out->struct_size : sizeof *out;
	memcpy(out, &p->tasks[index], size);
	out->struct_size = size;
	return HAYWIRE_OK;
}

HAYWIRE_API int haywire_procs_find(const haywire_procs *p, int32_t pid, uint64_t *index)
{
	if (!p || !index)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_procs_find: NULL argument");
	for (uint64_t i = 0; i < p->count; i++)
		if (p->tasks[i].pid == pid) {
			*index = i;
			return HAYWIRE_OK;
		}
	return hw_fail(HAYWIRE_E_NOT_FOUND, "no task with pid %d", pid);
}

HAYWIRE_API int haywire_procs_aspace(const haywire_procs *p, uint64_t index, haywire_aspace **out)
{
	if (!p || !out)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_procs_aspace: NULL argument");
	*out = NULL;
	if (index >= p->count)
		return hw_fail(HAYWIRE_E_NOT_FOUND, "task index %llu past the %llu tasks",
		               (unsigned long long)index, (unsigned long long)p->count);
	const haywire_task *t = &p->tasks[index];
	if (!t->pgd)
		return hw_fail(HAYWIRE_E_NOT_FOUND, "task %d (%s) has no user address space", t->pid,
		               t->comm);
	return hw_kernel_user_aspace(p->kernel, t->pgd, out);
}
