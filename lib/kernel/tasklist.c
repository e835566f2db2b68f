/*
 * The task list: init_task.tasks links every process; each process's threads
 * hang off a second list. Both come from guest memory, so every link is
 * checked (readable, prev agrees, no revisits) and every walk is bounded.
 */
#include "kernel/tasklist.h"

#include "core/error.h"
#include "core/u64set.h"

#include <stdlib.h>
#include <string.h>

/* PF_KTHREAD: the kernel's own mark for kernel threads, as /proc/PID/stat shows it. */
#define HW_PF_KTHREAD 0x00200000u

struct walk {
	const struct hw_kmem *km;
	const struct hw_task_layout *L;
	uint8_t *buf; /* one task_struct */
	haywire_task *out;
	uint64_t count, cap;
	struct hw_u64set seen; /* task addresses already recorded */
};

static uint64_t field_u64(const uint8_t *buf, uint32_t off)
{
	uint64_t v;
	memcpy(&v, buf + off, sizeof v);
	return v;
}

/* The list linking a process's threads: thread_group where it exists, else thread_node. */
static uint32_t threads_offset(const struct hw_task_layout *L)
{
	return L->thread_group != HW_LAYOUT_ABSENT ? L->thread_group : L->thread_node;
}

static uint32_t field_u32(const uint8_t *buf, uint32_t off)
{
	uint32_t v;
	memcpy(&v, buf + off, sizeof v);
	return v;
}

static int push(struct walk *w, const haywire_task *t)
{
	if (w->count == HW_MAX_TASKS)
		return hw_fail(HAYWIRE_E_LIMIT, "task list: more than %u tasks", HW_MAX_TASKS);
	if (w->count == w->cap) {
		uint64_t cap = w->cap ? w->cap * 2 : 256;
		haywire_task *grown = realloc(w->out, cap * sizeof *grown);
		if (!grown)
			return hw_fail_nomem("task records");
		w->out = grown;
		w->cap = cap;
	}
	w->out[w->count++] = *t;
	return HAYWIRE_OK;
}

/* Read the task at TASK into w->buf and decode it into *T. */
static int read_task(struct walk *w, uint64_t task, haywire_task *t)
{
	const struct hw_task_layout *L = w->L;
	if (hw_kmem_read(w->km, task, w->buf, L->task_size))
		return hw_fail(HAYWIRE_E_CORRUPT, "task list: task_struct at 0x%llx is unreadable",
		               (unsigned long long)task);
	memset(t, 0, sizeof *t);
	t->struct_size = sizeof *t;
	t->task = task;
	t->pid = (int32_t)field_u32(w->buf, L->pid);
	t->tgid = (int32_t)field_u32(w->buf, L->tgid);
	uint32_t n = L->comm_size < HAYWIRE_COMM_LEN ? L->comm_size : HAYWIRE_COMM_LEN;
	memcpy(t->comm, w->buf + L->comm, n);
	t->comm[HAYWIRE_COMM_LEN - 1] = '\0';
	if (field_u32(w->buf, L->flags) & HW_PF_KTHREAD)
		t->flags |= HAYWIRE_TASK_KERNEL_THREAD;
	if (t->pid != t->tgid)
		t->flags |= HAYWIRE_TASK_THREAD;
	t->mm = field_u64(w->buf, L->mm);

	uint64_t parent = field_u64(w->buf, L->real_parent);
	uint32_t ptgid = 0;
	if (parent && hw_kmem_read(w->km, parent + L->tgid, &ptgid, sizeof ptgid))
		return hw_fail(HAYWIRE_E_CORRUPT, "task %d: real_parent 0x%llx is unreadable",
		               t->pid, (unsigned long long)parent);
	t->ppid = (int32_t)ptgid;

	uint64_t cred = field_u64(w->buf, L->real_cred);
	if (!cred || hw_kmem_read(w->km, cred + L->cred_uid, &t->uid, sizeof t->uid))
		return hw_fail(HAYWIRE_E_CORRUPT, "task %d: cred 0x%llx is unreadable", t->pid,
		               (unsigned long long)cred);

	if (t->mm && !(t->flags & HAYWIRE_TASK_KERNEL_THREAD)) {
		uint64_t pgd;
		if (hw_kmem_u64(w->km, t->mm + L->mm_pgd, &pgd) || w->km->to_pa(w->km->ctx, pgd, &t->pgd))
			return hw_fail(HAYWIRE_E_CORRUPT, "task %d: mm 0x%llx has no readable pgd",
			               t->pid, (unsigned long long)t->mm);
	} else if (t->flags & HAYWIRE_TASK_KERNEL_THREAD) {
		t->mm = 0; /* a kernel thread borrowing an mm (kthread_use_mm) owns none */
	}
	return HAYWIRE_OK;
}

/* The threads of LEADER other than itself, from its thread list. */
static int walk_threads(struct walk *w, const haywire_task *leader)
{
	const struct hw_task_layout *L = w->L;
	uint32_t threads = threads_offset(L);
	uint64_t head = leader->task + threads;
	uint64_t node;
	if (hw_kmem_u64(w->km, head + L->list_next, &node))
		return hw_fail(HAYWIRE_E_CORRUPT, "process %d: thread list unreadable", leader->pid);
	int skipped_head = 0; /* thread_node lists run through signal->thread_head once */
	for (uint64_t steps = 0; node != head; steps++) {
		if (steps > HW_MAX_TASKS)
			return hw_fail(HAYWIRE_E_CORRUPT, "process %d: thread list does not close",
			               leader->pid);
		uint64_t task = node - threads;
		haywire_task t;
		int is_thread = hw_u64set_has(&w->seen, task) == 0 && read_task(w, task, &t) == 0 &&
		                t.tgid == leader->tgid && t.pid != leader->pid;
		if (is_thread) {
			int rc = push(w, &t);
			if (rc)
				return rc;
			if (hw_u64set_add(&w->seen, task) < 0)
				return hw_fail_nomem("task set");
		} else if (!skipped_head) {
			skipped_head = 1;
		} else {
			return hw_fail(HAYWIRE_E_CORRUPT,
			               "process %d: thread list reaches 0x%llx, which is no thread of it",
			               leader->pid, (unsigned long long)node);
		}
		if (hw_kmem_u64(w->km, node + L->list_next, &node))
			return hw_fail(HAYWIRE_E_CORRUPT, "process %d: thread link unreadable",
			               leader->pid);
	}
	return HAYWIRE_OK;
}

int hw_tasks_walk(const struct hw_kmem *km, const struct hw_task_layout *L, uint64_t init_task,
                  int with_threads, haywire_task **out, uint64_t *count)
{
	*out = NULL;
	*count = 0;
	struct walk w = {.km = km, .L = L};
	w.buf = malloc(L->task_size);
	if (!w.buf)
		return hw_fail_nomem("task buffer");

	int rc = HAYWIRE_OK;
	struct hw_u64set pids = {0};
	uint64_t head = init_task + L->tasks, prev = head, node;
	if (hw_kmem_u64(km, head + L->list_next, &node)) {
		rc = hw_fail(HAYWIRE_E_CORRUPT, "task list: init_task at 0x%llx is unreadable",
		             (unsigned long long)init_task);
		goto out;
	}
	while (node != head) {
		uint64_t task = node - L->tasks;
		if (hw_u64set_add(&w.seen, task) == 0) {
			rc = hw_fail(HAYWIRE_E_CORRUPT,
			             "task list: cycle at 0x%llx that never returns to init_task",
			             (unsigned long long)task);
			goto out;
		}
		haywire_task t;
		if ((rc = read_task(&w, task, &t)))
			goto out;
		if (field_u64(w.buf, L->tasks + L->list_prev) != prev) {
			rc = hw_fail(HAYWIRE_E_CORRUPT,
			             "task list: broken link at task %d (prev 0x%llx, expected 0x%llx)",
			             t.pid, (unsigned long long)field_u64(w.buf, L->tasks + L->list_prev),
			             (unsigned long long)prev);
			goto out;
		}
		if (t.pid <= 0 || hw_u64set_add(&pids, (uint64_t)(uint32_t)t.pid) != 1) {
			rc = hw_fail(HAYWIRE_E_CORRUPT, "task list: implausible or repeated pid %d at 0x%llx",
			             t.pid, (unsigned long long)task);
			goto out;
		}
		prev = node;
		node = field_u64(w.buf, L->tasks + L->list_next);
		if ((rc = push(&w, &t)))
			goto out;
		if (with_threads && (rc = walk_threads(&w, &t)))
			goto out;
	}
	*out = w.out;
	*count = w.count;
	w.out = NULL;
out:
	free(w.out);
	free(w.buf);
	hw_u64set_free(&w.seen);
	hw_u64set_free(&pids);
	return rc;
}
