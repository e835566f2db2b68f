/*
 * Calibration of the task_struct layout without BTF.
 *
 * Start from a "swapper/0" comm (init_task.comm) and find, relative to comm:
 *   tasks        a list_head whose circular list closes, prev links agreeing,
 *                and every member's comm is a printable name;
 *   pid, tgid    adjacent ints: 0 for init_task, equal, unique, 1 first;
 *   real_parent  init_task's points to init_task itself (this fixes where the
 *                struct starts), every task's to a task in the list;
 *   mm           NULL for init_task and kthreadd, a pointer for pid 1, whose
 *                mm_struct holds a pgd that is a real user page-table root;
 *   flags        PF_KTHREAD set exactly where mm is NULL (bar zombies);
 *   real_cred    pointer (equal to the next one, cred) to ids uid..fsgid that
 *                agree with each other;
 *   threads      a list_head whose members share the leader's tgid.
 * The first field in memory wins where two look alike (real_parent/parent,
 * mm/active_mm, real_cred/cred), matching the kernel's declaration order.
 */
#include "kernel/calibrate.h"

#include "core/error.h"

#include <stdlib.h>
#include <string.h>

#define SPAN 0x3000u       /* bytes before comm searched for fields */
#define COMM_LEN 16u       /* TASK_COMM_LEN; names are checked to end inside it */
#define MAX_LIST 100000u   /* bound on the calibration walk */
#define PF_KTHREAD 0x00200000u
#define MAX_THREAD_WALK 4096u

struct view {
	uint64_t comm;  /* kernel-virtual address of this task's comm */
	uint8_t *win;   /* bytes [comm - SPAN, comm + COMM_LEN) */
};

struct cal {
	const struct hw_kmem *km;
	struct view *v;
	uint64_t n;      /* v[0] is init_task */
	int64_t d_tasks; /* offsets relative to comm */
	int64_t d_pid;
	uint64_t kthreadd; /* index of pid 2 in v */
	uint64_t comm_off;
	int64_t d_mm;
	uint32_t mm_pgd;
};

static uint64_t u64_at(const struct view *v, int64_t rel)
{
	uint64_t x;
	memcpy(&x, v->win + SPAN + rel, sizeof x);
	return x;
}

static uint32_t u32_at(const struct view *v, int64_t rel)
{
	uint32_t x;
	memcpy(&x, v->win + SPAN + rel, sizeof x);
	return x;
}

static int printable_name(const uint8_t *s)
{
	unsigned i = 0;
	while (i < COMM_LEN && s[i] >= 0x20 && s[i] < 0x7f)
		i++;
	return i > 0 && i < COMM_LEN && s[i] == '\0';
}

static int read_ok(const struct cal *c, uint64_t kva, void *buf, uint64_t len)
{
	return hw_kmem_read(c->km, kva, buf, len) == HAYWIRE_OK;
}

/* Read a window page by page; unreadable parts become zeros. */
static int load_view(const struct cal *c, uint64_t comm, struct view *v)
{
	v->comm = comm;
	v->win = calloc(1, SPAN + COMM_LEN);
	if (!v->win)
		return hw_fail_nomem("calibration window");
	uint64_t start = comm - SPAN, end = comm + COMM_LEN;
	for (uint64_t a = start; a < end;) {
		uint64_t next = (a | 0xfff) + 1;
		if (next > end)
			next = end;
		if (!read_ok(c, a, v->win + (a - start), next - a))
			memset(v->win + (a - start), 0, next - a);
		a = next;
	}
	return HAYWIRE_OK;
}

/* Follow the list_head at X+d; on success fill COMMS (malloc'd) with each member's comm. */
static int follow_tasks(const struct cal *c, uint64_t x, int64_t d, uint64_t **comms,
                        uint64_t *count)
{
	uint64_t head = x + (uint64_t)d, prev = head, node;
	if (!read_ok(c, head, &node, 8) || !node || (node & 7) || node == head)
		return 0;
	uint64_t cap = 64, n = 1;
	uint64_t *out = malloc(cap * sizeof *out);
	if (!out)
		return 0;
	out[0] = x;
	while (node != head) {
		uint64_t links[2];
		uint8_t name[COMM_LEN];
		uint64_t comm = node - (uint64_t)d;
		if (n >= MAX_LIST || !read_ok(c, node, links, sizeof links) || links[1] != prev ||
		    !read_ok(c, comm, name, sizeof name) || !printable_name(name))
			goto fail;
		if (n == cap) {
			uint64_t *grown = realloc(out, 2 * cap * sizeof *out);
			if (!grown)
				goto fail;
			out = grown;
			cap *= 2;
		}
		out[n++] = comm;
		prev = node;
		node = links[0];
	}
	if (n < 3) /* init_task, init and kthreadd at least */
		goto fail;
	*comms = out;
	*count = n;
	return 1;
fail:
	free(out);
	return 0;
}

static int find_tasks_list(struct cal *c, uint64_t x)
{
	uint64_t *best = NULL, best_n = 0;
	for (int64_t d = -(int64_t)SPAN; d < 0; d += 8) {
		uint64_t *comms, n;
		if (!follow_tasks(c, x, d, &comms, &n))
			continue;
		if (n > best_n) {
			free(best);
			best = comms;
			best_n = n;
			c->d_tasks = d;
		} else {
			free(comms);
		}
	}
	if (!best)
		return hw_fail(HAYWIRE_E_NOT_FOUND,
		               "calibration: no circular task list around comm at 0x%llx",
		               (unsigned long long)x);
	c->v = calloc(best_n, sizeof *c->v);
	if (!c->v) {
		free(best);
		return hw_fail_nomem("calibration views");
	}
	c->n = best_n;
	int rc = HAYWIRE_OK;
	for (uint64_t i = 0; i < best_n && !rc; i++)
		rc = load_view(c, best[i], &c->v[i]);
	free(best);
	return rc;
}

static int pid_candidate(const struct cal *c, int64_t d)
{
	if (u32_at(&c->v[0], d) != 0 || u32_at(&c->v[0], d + 4) != 0 || u32_at(&c->v[1], d) != 1)
		return 0;
	for (uint64_t i = 1; i < c->n; i++) {
		uint32_t pid = u32_at(&c->v[i], d);
		if (pid == 0 || pid > (1u << 22) || u32_at(&c->v[i], d + 4) != pid)
			return 0;
		for (uint64_t j = 1; j < i; j++) /* lists are short at calibration */
			if (u32_at(&c->v[j], d) == pid)
				return 0;
	}
	return 1;
}

static int find_pid(struct cal *c)
{
	for (int64_t d = -(int64_t)SPAN; d < 0; d += 4) {
		if (!pid_candidate(c, d))
			continue;
		c->d_pid = d;
		for (uint64_t i = 1; i < c->n; i++)
			if (u32_at(&c->v[i], d) == 2)
				c->kthreadd = i;
		if (c->kthreadd)
			return HAYWIRE_OK;
	}
	return hw_fail(HAYWIRE_E_NOT_FOUND, "calibration: no pid/tgid pair fits the task list (with pids 1 and 2)");
}

/* Index of the task whose struct starts at BASE given COMM_OFF, or -1. */
static int64_t task_at(const struct cal *c, uint64_t base, uint64_t comm_off)
{
	for (uint64_t i = 0; i < c->n; i++)
		if (c->v[i].comm - comm_off == base)
			return (int64_t)i;
	return -1;
}

static int find_real_parent(struct cal *c, int64_t *d_rp)
{
	for (int64_t d = -(int64_t)SPAN; d < 0; d += 8) {
		uint64_t self = u64_at(&c->v[0], d); /* init_task.real_parent == &init_task */
		uint64_t comm_off = c->v[0].comm - self;
		if (!self || comm_off > SPAN || comm_off < (uint64_t)-d || (comm_off & 7))
			continue;
		int ok = task_at(c, u64_at(&c->v[1], d), comm_off) == 0;
		for (uint64_t i = 2; ok && i < c->n; i++)
			ok = task_at(c, u64_at(&c->v[i], d), comm_off) >= 0;
		if (ok) {
			c->comm_off = comm_off;
			*d_rp = d;
			return HAYWIRE_OK;
		}
	}
	return hw_fail(HAYWIRE_E_NOT_FOUND,
	               "calibration: no real_parent pointer links the task list to init_task");
}

/* mm_struct offset whose value is a user page-table root for every MMS[i]. */
static int find_pgd(const struct cal *c, const uint64_t *mms, uint64_t n, uint32_t *off)
{
	if (!c->km->is_user_root)
		return 0;
	for (uint32_t o = 0; o < 0x400; o += 8) {
		int ok = 1;
		for (uint64_t i = 0; ok && i < n; i++) {
			uint64_t pgd, pa;
			ok = read_ok(c, mms[i] + o, &pgd, 8) && pgd && !(pgd & 0xfff) &&
			     c->km->to_pa(c->km->ctx, pgd, &pa) == HAYWIRE_OK &&
			     c->km->is_user_root(c->km->ctx, pa);
		}
		if (ok) {
			*off = o;
			return 1;
		}
	}
	return 0;
}

static int find_mm(struct cal *c)
{
	uint64_t *mms = malloc(c->n * sizeof *mms);
	if (!mms)
		return hw_fail_nomem("calibration");
	for (int64_t d = -(int64_t)c->comm_off; d < 0; d += 8) {
		/* init_task and kthreadd have none; init (v[1]) has one */
		if (u64_at(&c->v[0], d) || u64_at(&c->v[c->kthreadd], d) || !u64_at(&c->v[1], d))
			continue;
		uint64_t n = 0;
		for (uint64_t i = 1; i < c->n; i++) {
			uint64_t mm = u64_at(&c->v[i], d);
			if (!mm)
				continue;
			int repeated = 0;
			for (uint64_t j = 0; j < n; j++)
				repeated |= mms[j] == mm;
			if (repeated) { /* leaders never share an mm */
				n = 0;
				break;
			}
			mms[n++] = mm;
		}
		if (n && find_pgd(c, mms, n, &c->mm_pgd)) {
			c->d_mm = d;
			free(mms);
			return HAYWIRE_OK;
		}
	}
	free(mms);
	return hw_fail(HAYWIRE_E_NOT_FOUND,
	               "calibration: no mm pointer leads to user page tables in every process");
}

static int find_flags(const struct cal *c, int64_t *d_flags)
{
	for (int64_t d = -(int64_t)c->comm_off; d < 0; d += 4) {
		uint64_t kthreads = 0, no_mm = 0;
		int ok = (u32_at(&c->v[0], d) & PF_KTHREAD) &&
		         (u32_at(&c->v[c->kthreadd], d) & PF_KTHREAD);
		for (uint64_t i = 1; ok && i < c->n; i++) {
			int k = (u32_at(&c->v[i], d) & PF_KTHREAD) != 0;
			int has_mm = u64_at(&c->v[i], c->d_mm) != 0;
			ok = !(k && has_mm);
			kthreads += (uint64_t)k;
			no_mm += (uint64_t)!has_mm;
		}
		/* zombies have no mm and no PF_KTHREAD: allow a few */
		if (ok && kthreads * 10 >= no_mm * 9) {
			*d_flags = d;
			return HAYWIRE_OK;
		}
	}
	return hw_fail(HAYWIRE_E_NOT_FOUND, "calibration: no flags word marks the kernel threads");
}

/* uid offset in the cred at CRED: ids uid,gid,suid,sgid,euid,egid,fsuid,fsgid agree. */
static int ids_agree(const struct cal *c, uint64_t cred, uint32_t u, int must_be_root)
{
	uint32_t id[8];
	if (!read_ok(c, cred + u, id, sizeof id))
		return 0;
	if (must_be_root)
		return !(id[0] | id[1] | id[2] | id[3] | id[4] | id[5] | id[6] | id[7]);
	return id[0] == id[2] && id[0] == id[4] && id[0] == id[6] && id[1] == id[3] &&
	       id[1] == id[5] && id[1] == id[7];
}

static int find_cred(const struct cal *c, int64_t *d_cred, uint32_t *uid_off)
{
	/* nearest to comm first: cred pointers sit just before it */
	for (int64_t d = -16; d >= -(int64_t)c->comm_off; d -= 8) {
		uint64_t same = 0;
		int ok = 1;
		for (uint64_t i = 0; ok && i < c->n; i++) {
			uint64_t p = u64_at(&c->v[i], d);
			ok = p && !(p & 7);
			same += p == u64_at(&c->v[i], d + 8);
		}
		if (!ok || same * 20 < c->n * 19)
			continue;
		/* the offset where the most tasks' ids agree (a root-only guest agrees at
		 * several: a non-root task tells them apart); the first on a tie */
		uint64_t best_agree = 0;
		uint32_t best_u = 0;
		for (uint32_t u = 4; u < 64; u += 4) {
			uint64_t agree = 0;
			int root_ok = ids_agree(c, u64_at(&c->v[0], d), u, 1) &&
			              ids_agree(c, u64_at(&c->v[c->kthreadd], d), u, 1);
			for (uint64_t i = 0; root_ok && i < c->n; i++)
				agree += (uint64_t)ids_agree(c, u64_at(&c->v[i], d), u, 0);
			if (root_ok && agree > best_agree) {
				best_agree = agree;
				best_u = u;
			}
		}
		if (best_agree * 20 >= c->n * 19) {
			/* the pair found is (real_cred, cred) or (cred, ...): take the lower */
			*d_cred = d;
			*uid_off = best_u;
			return HAYWIRE_OK;
		}
	}
	return hw_fail(HAYWIRE_E_NOT_FOUND, "calibration: no cred pointer with consistent ids");
}

/* Does the list at offset D (absolute) group threads under every leader? */
static int threads_candidate(const struct cal *c, uint64_t d, const struct hw_task_layout *L,
                             uint64_t *threads_found)
{
	for (uint64_t i = 1; i < c->n; i++) {
		uint64_t base = c->v[i].comm - c->comm_off;
		uint32_t tgid = u32_at(&c->v[i], c->d_pid + 4);
		uint64_t head = base + d, node;
		if (!read_ok(c, head, &node, 8) || !node)
			return 0;
		int skipped = 0;
		for (uint64_t steps = 0; node != head; steps++) {
			uint32_t ids[2];
			if (steps > MAX_THREAD_WALK)
				return 0;
			uint64_t t = node - d;
			int member = read_ok(c, t + L->pid, ids, sizeof ids) && ids[1] == tgid &&
			             ids[0] != tgid;
			if (member)
				(*threads_found)++;
			else if (skipped++)
				return 0;
			if (!read_ok(c, node, &node, 8))
				return 0;
		}
	}
	return 1;
}

static int find_threads(const struct cal *c, struct hw_task_layout *L)
{
	uint64_t fallback = 0;
	int have_fallback = 0;
	for (uint64_t d = 0; d + 16 <= c->comm_off; d += 8) {
		if (d == c->comm_off + (uint64_t)c->d_tasks)
			continue;
		uint64_t found = 0;
		if (!threads_candidate(c, d, L, &found))
			continue;
		if (found) {
			L->thread_group = (uint32_t)d;
			return HAYWIRE_OK;
		}
		if (!have_fallback) {
			fallback = d;
			have_fallback = 1;
		}
	}
	/* no multi-threaded process: any consistent list finds the same (no) threads */
	if (have_fallback) {
		L->thread_group = (uint32_t)fallback;
		return HAYWIRE_OK;
	}
	return hw_fail(HAYWIRE_E_NOT_FOUND, "calibration: no thread list fits every process");
}

int hw_calibrate_tasks(const struct hw_kmem *km, uint64_t init_comm,
                       struct hw_task_layout *layout, uint64_t *init_task)
{
	struct cal c = {.km = km};
	int64_t d_rp = 0, d_flags = 0, d_cred = 0;
	uint32_t uid_off = 0;
	int rc;
	if ((rc = find_tasks_list(&c, init_comm)) || (rc = find_pid(&c)) ||
	    (rc = find_real_parent(&c, &d_rp)) || (rc = find_mm(&c)) ||
	    (rc = find_flags(&c, &d_flags)) || (rc = find_cred(&c, &d_cred, &uid_off)))
		goto out;

	uint64_t o = c.comm_off;
	/* Fields calibration does not need stay ABSENT; the thread list found is
	 * stored as thread_group (the walk tolerates a thread_node list head). */
	struct hw_task_layout L = {
		.ptr_size = 8,
		.parent = HW_LAYOUT_ABSENT,
		.active_mm = HW_LAYOUT_ABSENT,
		.cred = HW_LAYOUT_ABSENT,
		.signal = HW_LAYOUT_ABSENT,
		.thread_node = HW_LAYOUT_ABSENT,
		.signal_thread_head = HW_LAYOUT_ABSENT,
		.list_next = 0,
		.list_prev = 8,
		.tasks = (uint32_t)(o + (uint64_t)c.d_tasks),
		.pid = (uint32_t)(o + (uint64_t)c.d_pid),
		.tgid = (uint32_t)(o + (uint64_t)c.d_pid + 4),
		.comm = (uint32_t)o,
		.comm_size = COMM_LEN,
		.real_parent = (uint32_t)(o + (uint64_t)d_rp),
		.flags = (uint32_t)(o + (uint64_t)d_flags),
		.mm = (uint32_t)(o + (uint64_t)c.d_mm),
		.real_cred = (uint32_t)(o + (uint64_t)d_cred),
		.cred_uid = uid_off,
		.mm_pgd = c.mm_pgd,
		.task_size = (uint32_t)(o + COMM_LEN),
	};
	if ((rc = find_threads(&c, &L)))
		goto out;
	*layout = L;
	*init_task = init_comm - o;
out:
	for (uint64_t i = 0; i < c.n; i++)
		free(c.v[i].win);
	free(c.v);
	return rc;
}
