/*
 * A synthetic guest kernel for process-layer tests: task_structs, mm_structs,
 * creds and signal structs laid out in a buffer that stands for kernel-virtual
 * memory, with field offsets drawn from a seed, garbage everywhere else, and
 * the kernel's own declaration order (so calibration faces realistic decoys:
 * parent beside real_parent, active_mm beside mm, cred beside real_cred).
 */
#ifndef HW_FAKE_KERNEL_H
#define HW_FAKE_KERNEL_H

#include <haywire/common.h>

#include "kernel/kmem.h"
#include "kernel/task_layout.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FK_BASE 0xffff888000000000ull /* where the buffer sits in kernel-virtual space */
#define FK_PA 0x1000000ull
#define FK_SIZE (8u << 20)
#define FK_MAX 64
#define FK_USER_ROOT_MAGIC 0x3030303052455355ull /* "USER0000" */

struct fk_task {
	int pid, tgid, ppid;
	unsigned uid;
	int kthread;
	const char *comm;
	uint64_t addr, mm, cred, signal;
};

struct fake_kernel {
	uint8_t *mem;
	uint64_t brk;
	unsigned seed;
	struct hw_task_layout L; /* the truth */
	uint32_t task_size, signal_thread_head;
	struct fk_task t[FK_MAX];
	int n;
	struct hw_kmem km;
};

static inline uint64_t fk_rand(struct fake_kernel *fk)
{
	fk->seed = fk->seed * 1103515245u + 12345u;
	uint64_t hi = fk->seed;
	fk->seed = fk->seed * 1103515245u + 12345u;
	return (hi << 32) ^ fk->seed;
}

static inline uint8_t *fk_ptr(struct fake_kernel *fk, uint64_t kva)
{
	return fk->mem + (kva - FK_BASE);
}

static inline void fk_w64(struct fake_kernel *fk, uint64_t kva, uint64_t v)
{
	memcpy(fk_ptr(fk, kva), &v, 8);
}

static inline void fk_w32(struct fake_kernel *fk, uint64_t kva, uint32_t v)
{
	memcpy(fk_ptr(fk, kva), &v, 4);
}

static inline uint64_t fk_r64(struct fake_kernel *fk, uint64_t kva)
{
	uint64_t v;
	memcpy(&v, fk_ptr(fk, kva), 8);
	return v;
}

/* Allocate SIZE bytes of garbage (small numbers, not pointers) at a random gap. */
static inline uint64_t fk_alloc(struct fake_kernel *fk, uint64_t size, uint64_t align)
{
	fk->brk += fk_rand(fk) % 4096;
	fk->brk = (fk->brk + align - 1) & ~(align - 1);
	uint64_t kva = FK_BASE + fk->brk;
	for (uint64_t i = 0; i < size; i += 4)
		fk_w32(fk, kva + i, (uint32_t)(fk_rand(fk) % 5000));
	fk->brk += size;
	return kva;
}

static int fk_read(void *ctx, uint64_t kva, void *buf, uint64_t len)
{
	struct fake_kernel *fk = ctx;
	if (kva < FK_BASE || kva - FK_BASE > FK_SIZE || len > FK_SIZE - (kva - FK_BASE))
		return HAYWIRE_E_NOT_MAPPED;
	memcpy(buf, fk->mem + (kva - FK_BASE), len);
	return HAYWIRE_OK;
}

static int fk_to_pa(void *ctx, uint64_t kva, uint64_t *pa)
{
	(void)ctx;
	if (kva < FK_BASE || kva - FK_BASE >= FK_SIZE)
		return HAYWIRE_E_NOT_MAPPED;
	*pa = kva - FK_BASE + FK_PA;
	return HAYWIRE_OK;
}

static int fk_is_user_root(void *ctx, uint64_t pa)
{
	struct fake_kernel *fk = ctx;
	uint64_t v;
	return fk_read(fk, pa - FK_PA + FK_BASE, &v, 8) == 0 && v == FK_USER_ROOT_MAGIC;
}

/* Draw a layout: the kernel's field order, random gaps between fields. */
static inline void fk_layout(struct fake_kernel *fk)
{
	uint32_t off = 16 + (uint32_t)(fk_rand(fk) % 8) * 4;
	struct hw_task_layout *L = &fk->L;
#define FK_FIELD(name, size, align)                                                      \
	do {                                                                               \
		off = (off + (uint32_t)(fk_rand(fk) % 64) + (align)-1) & ~((uint32_t)(align)-1); \
		L->name = off;                                                             \
		off += (size);                                                             \
	} while (0)
	FK_FIELD(flags, 4, 4);
	off += 0x100;
	FK_FIELD(tasks, 16, 8);
	FK_FIELD(mm, 16, 8); /* mm, active_mm */
	off += 0x80;
	FK_FIELD(pid, 8, 8); /* pid, tgid */
	L->tgid = L->pid + 4;
	FK_FIELD(real_parent, 16, 8); /* real_parent, parent */
	off += 48;                    /* children, sibling: written below */
	FK_FIELD(thread_group, 16, 8);
	off += 0x200;
	FK_FIELD(real_cred, 16, 8); /* real_cred, cred */
	off += 8;                   /* cached_requested_key */
	FK_FIELD(comm, 16, 8);
	L->comm_size = 16;
	L->ptr_size = 8;
	L->list_next = 0;
	L->list_prev = 8;
	L->parent = L->real_parent + 8;
	L->active_mm = L->mm + 8;
	L->cred = L->real_cred + 8;
	L->signal = L->thread_node = L->signal_thread_head = HW_LAYOUT_ABSENT;
#undef FK_FIELD
	fk->task_size = off + 0x100 + (uint32_t)(fk_rand(fk) % 0x400);
	L->task_size = L->comm + 16;
	L->cred_uid = fk_rand(fk) % 2 ? 4 : 8; /* atomic_t or atomic_long_t usage */
	L->mm_pgd = 8 * (1 + (uint32_t)(fk_rand(fk) % 16));
	fk->signal_thread_head = 8 * (1 + (uint32_t)(fk_rand(fk) % 32));
}

static inline void fk_list_init(struct fake_kernel *fk, uint64_t head)
{
	fk_w64(fk, head, head);
	fk_w64(fk, head + 8, head);
}

static inline void fk_list_add_tail(struct fake_kernel *fk, uint64_t head, uint64_t node)
{
	uint64_t last = fk_r64(fk, head + 8);
	fk_w64(fk, node, head);
	fk_w64(fk, node + 8, last);
	fk_w64(fk, last, node);
	fk_w64(fk, head + 8, node);
}

/* Add a task; LEADER is the index of its process leader (itself for leaders). */
static inline int fk_add(struct fake_kernel *fk, int pid, int leader, int parent, unsigned uid,
                         int kthread, const char *comm)
{
	const struct hw_task_layout *L = &fk->L;
	struct fk_task *t = &fk->t[fk->n];
	*t = (struct fk_task){.pid = pid, .uid = uid, .kthread = kthread, .comm = comm};
	t->addr = fk_alloc(fk, fk->task_size, 64);
	int self = fk->n++;
	struct fk_task *lead = &fk->t[leader == self ? self : leader];
	t->tgid = leader == self ? pid : lead->pid;
	t->ppid = parent < 0 ? 0 : fk->t[parent].tgid;

	fk_w32(fk, t->addr + L->flags, (kthread ? 0x00200000u : 0) | 0x40u);
	fk_w32(fk, t->addr + L->pid, (uint32_t)pid);
	fk_w32(fk, t->addr + L->tgid, (uint32_t)t->tgid);
	memset(fk_ptr(fk, t->addr + L->comm), 0, 16);
	memcpy(fk_ptr(fk, t->addr + L->comm), comm, strlen(comm));
	uint64_t rp = parent < 0 ? t->addr : fk->t[parent].addr;
	fk_w64(fk, t->addr + L->real_parent, rp);
	fk_w64(fk, t->addr + L->real_parent + 8, rp);
	fk_list_init(fk, t->addr + L->real_parent + 16); /* children */
	fk_list_init(fk, t->addr + L->real_parent + 32); /* sibling */

	if (leader == self) {
		t->signal = fk_alloc(fk, 0x400, 64);
		fk_list_init(fk, t->signal + fk->signal_thread_head);
		if (!kthread && pid != 0) {
			t->mm = fk_alloc(fk, 0x400, 64);
			uint64_t pgd = fk_alloc(fk, 4096, 4096);
			fk_w64(fk, pgd, FK_USER_ROOT_MAGIC);
			fk_w64(fk, t->mm + L->mm_pgd, pgd);
		}
		uint64_t cred = fk_alloc(fk, 0xa0, 64);
		fk_w64(fk, cred, 3); /* usage */
		for (int i = 0; i < 8; i++)
			fk_w32(fk, cred + L->cred_uid + 4 * (uint32_t)i, uid);
		t->cred = cred;
	} else {
		t->signal = lead->signal;
		t->mm = lead->mm;
		t->cred = lead->cred;
	}
	fk_w64(fk, t->addr + L->mm, t->mm);
	fk_w64(fk, t->addr + L->mm + 8, t->mm ? t->mm : (fk->n > 1 ? fk->t[1].mm : 0));
	fk_w64(fk, t->addr + L->real_cred, t->cred);
	fk_w64(fk, t->addr + L->real_cred + 8, t->cred);
	fk_w64(fk, t->addr + L->real_cred + 16, 0);
	fk_list_add_tail(fk, t->signal + fk->signal_thread_head, t->addr + L->thread_group);
	if (leader == self) {
		if (self == 0)
			fk_list_init(fk, t->addr + L->tasks);
		else
			fk_list_add_tail(fk, fk->t[0].addr + L->tasks, t->addr + L->tasks);
	}
	return self;
}

/* A small Linux: idle task, init, kthreadd, workers, user processes, threads. */
static inline void fk_build(struct fake_kernel *fk, unsigned seed)
{
	memset(fk, 0, sizeof *fk);
	fk->seed = seed;
	fk->mem = malloc(FK_SIZE);
	for (uint64_t i = 0; i < FK_SIZE; i += 4) {
		uint32_t g = (uint32_t)fk_rand(fk) % 100000;
		memcpy(fk->mem + i, &g, 4);
	}
	fk_layout(fk);
	fk_add(fk, 0, 0, -1, 0, 1, "swapper/0");
	int init = fk_add(fk, 1, 1, 0, 0, 0, "init");
	int kthreadd = fk_add(fk, 2, 2, 0, 0, 1, "kthreadd");
	static const char *workers[] = {"rcu_gp", "kworker/0:0", "ksoftirqd/0", "migration/0",
	                                "kworker/1:1", "khungtaskd", "oom_reaper", "kswapd0"};
	int pid = 3;
	for (unsigned i = 0; i < sizeof workers / sizeof *workers; i++)
		fk_add(fk, pid++, fk->n, kthreadd, 0, 1, workers[i]);
	int sh = fk_add(fk, pid++, fk->n, init, 0, 0, "sh");
	fk_add(fk, pid++, fk->n, sh, 1000, 0, "sleeper");
	int mt = fk_add(fk, pid++, fk->n, sh, 0, 0, "threads");
	for (int i = 0; i < 3; i++)
		fk_add(fk, pid++, mt, sh, 0, 0, "threads");
	for (int i = 0; i < 5; i++)
		fk_add(fk, pid++, fk->n, sh, 0, 0, "idle");
	fk->km = (struct hw_kmem){.read = fk_read, .to_pa = fk_to_pa,
	                          .is_user_root = fk_is_user_root, .ctx = fk};
}

static inline void fk_free(struct fake_kernel *fk)
{
	free(fk->mem);
}

#endif
