/* The task-list walk and the no-BTF calibration, on synthetic kernels. */
#include "kernel/calibrate.h"
#include "kernel/tasklist.h"

#include "fake_kernel.h"
#include "testutil.h"

static const struct fk_task *truth_of(const struct fake_kernel *fk, int pid)
{
	for (int i = 0; i < fk->n; i++)
		if (fk->t[i].pid == pid)
			return &fk->t[i];
	return NULL;
}

/* Every task but the idle task found once with the right fields, nothing else. */
static void assert_matches(const struct fake_kernel *fk, const haywire_task *got, uint64_t n,
                           int with_threads)
{
	int expected = 0;
	for (int i = 1; i < fk->n; i++)
		expected += with_threads || fk->t[i].pid == fk->t[i].tgid;
	ck_assert_uint_eq(n, (uint64_t)expected);
	for (uint64_t i = 0; i < n; i++) {
		const struct fk_task *t = truth_of(fk, got[i].pid);
		ck_assert_msg(t != NULL, "pid %d is not in the kernel", got[i].pid);
		ck_assert_int_eq(got[i].tgid, t->tgid);
		ck_assert_int_eq(got[i].ppid, t->ppid);
		ck_assert_uint_eq(got[i].uid, t->uid);
		ck_assert_str_eq(got[i].comm, t->comm);
		ck_assert_uint_eq(got[i].task, t->addr);
		ck_assert_int_eq(!!(got[i].flags & HAYWIRE_TASK_KERNEL_THREAD), t->kthread);
		ck_assert_int_eq(!!(got[i].flags & HAYWIRE_TASK_THREAD), t->pid != t->tgid);
		ck_assert_uint_eq(got[i].mm, t->mm);
		if (t->mm)
			ck_assert_uint_eq(got[i].pgd, fk_r64((struct fake_kernel *)fk,
			                                      t->mm + fk->L.mm_pgd) -
			                                      FK_BASE + FK_PA);
		else
			ck_assert_uint_eq(got[i].pgd, 0);
		for (uint64_t j = 0; j < i; j++)
			ck_assert_int_ne(got[j].pid, got[i].pid);
	}
}

START_TEST(walk_finds_every_task_with_the_true_layout)
{
	struct fake_kernel fk;
	fk_build(&fk, (unsigned)_i + 1);
	for (int threads = 0; threads < 2; threads++) {
		haywire_task *t;
		uint64_t n;
		int rc = hw_tasks_walk(&fk.km, &fk.L, fk.t[0].addr, threads, &t, &n);
		ck_assert_msg(rc == HAYWIRE_OK, "%s", haywire_last_error());
		assert_matches(&fk, t, n, threads);
		free(t);
	}
	fk_free(&fk);
}
END_TEST

START_TEST(calibration_recovers_the_layout_without_btf)
{
	struct fake_kernel fk;
	fk_build(&fk, (unsigned)_i * 7919u + 3);
	struct hw_task_layout L;
	uint64_t init_task = 0;
	int rc = hw_calibrate_tasks(&fk.km, fk.t[0].addr + fk.L.comm, &L, &init_task);
	ck_assert_msg(rc == HAYWIRE_OK, "seed %d: %s", _i, haywire_last_error());
	ck_assert_uint_eq(init_task, fk.t[0].addr);
	ck_assert_uint_eq(L.tasks, fk.L.tasks);
	ck_assert_uint_eq(L.pid, fk.L.pid);
	ck_assert_uint_eq(L.tgid, fk.L.tgid);
	ck_assert_uint_eq(L.comm, fk.L.comm);
	ck_assert_uint_eq(L.real_parent, fk.L.real_parent);
	ck_assert_uint_eq(L.flags, fk.L.flags);
	ck_assert_uint_eq(L.mm, fk.L.mm);
	ck_assert_uint_eq(L.real_cred, fk.L.real_cred);
	ck_assert_uint_eq(L.cred_uid, fk.L.cred_uid);
	ck_assert_uint_eq(L.mm_pgd, fk.L.mm_pgd);
	ck_assert_uint_eq(L.thread_group, fk.L.thread_group);

	haywire_task *t;
	uint64_t n;
	ck_assert_int_eq(hw_tasks_walk(&fk.km, &L, init_task, 1, &t, &n), HAYWIRE_OK);
	assert_matches(&fk, t, n, 1);
	free(t);
	fk_free(&fk);
}
END_TEST

static int walk_status(struct fake_kernel *fk)
{
	haywire_task *t = (void *)1;
	uint64_t n = 7;
	int rc = hw_tasks_walk(&fk->km, &fk->L, fk->t[0].addr, 1, &t, &n);
	if (rc) {
		ck_assert_ptr_null(t);
		ck_assert_uint_eq(n, 0);
	} else {
		free(t);
	}
	return rc;
}

START_TEST(a_task_list_cycle_is_an_error_not_a_hang)
{
	struct fake_kernel fk;
	fk_build(&fk, 11);
	/* the last process links back to the third instead of closing at init_task */
	uint64_t last = fk_r64(&fk, fk.t[0].addr + fk.L.tasks + 8);
	fk_w64(&fk, last, fk.t[2].addr + fk.L.tasks);
	ck_assert_int_eq(walk_status(&fk), HAYWIRE_E_CORRUPT);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "cycle"));
	/* a task linking to itself: its prev link disagrees with the way in */
	uint64_t node = fk.t[3].addr + fk.L.tasks;
	fk_w64(&fk, node, node);
	fk_w64(&fk, node + 8, node);
	fk_w64(&fk, fk.t[2].addr + fk.L.tasks, node);
	ck_assert_int_eq(walk_status(&fk), HAYWIRE_E_CORRUPT);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "broken link"));
	fk_free(&fk);
}
END_TEST

START_TEST(a_broken_link_is_an_error)
{
	struct fake_kernel fk;
	fk_build(&fk, 12);
	fk_w64(&fk, fk.t[4].addr + fk.L.tasks, 0xdead000000000100ull);
	ck_assert_int_eq(walk_status(&fk), HAYWIRE_E_CORRUPT);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "unreadable"));
	fk_free(&fk);

	fk_build(&fk, 13); /* a pid repeated */
	fk_w32(&fk, fk.t[5].addr + fk.L.pid, 1);
	ck_assert_int_eq(walk_status(&fk), HAYWIRE_E_CORRUPT);
	fk_free(&fk);

	fk_build(&fk, 14); /* a thread list that never closes */
	const struct fk_task *mt = truth_of(&fk, 15);
	ck_assert_ptr_nonnull(mt);
	uint64_t node = fk_r64(&fk, mt->addr + fk.L.thread_group);
	fk_w64(&fk, node, node);
	ck_assert_int_eq(walk_status(&fk), HAYWIRE_E_CORRUPT);
	fk_free(&fk);
}
END_TEST

START_TEST(calibration_refuses_garbage)
{
	struct fake_kernel fk;
	fk_build(&fk, 21);
	struct hw_task_layout L;
	uint64_t init_task;
	/* a "swapper/0" that heads no task list */
	uint64_t fake = FK_BASE + FK_SIZE - 0x100;
	memcpy(fk_ptr(&fk, fake), "swapper/0\0\0\0\0\0\0", 16);
	ck_assert_int_eq(hw_calibrate_tasks(&fk.km, fake, &L, &init_task), HAYWIRE_E_NOT_FOUND);
	/* a kernel whose init_task links are zeroed */
	memset(fk_ptr(&fk, fk.t[0].addr), 0, fk.task_size);
	memcpy(fk_ptr(&fk, fk.t[0].addr + fk.L.comm), "swapper/0", 9);
	ck_assert_int_eq(hw_calibrate_tasks(&fk.km, fk.t[0].addr + fk.L.comm, &L, &init_task),
	                 HAYWIRE_E_NOT_FOUND);
	/* an address outside memory */
	ck_assert_int_eq(hw_calibrate_tasks(&fk.km, 0x1000, &L, &init_task), HAYWIRE_E_NOT_FOUND);
	fk_free(&fk);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tasks");
	TCase *tc = tcase_create("tasks");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, walk_finds_every_task_with_the_true_layout, 0, 10);
	tcase_add_loop_test(tc, calibration_recovers_the_layout_without_btf, 0, 40);
	tcase_add_test(tc, a_task_list_cycle_is_an_error_not_a_hang);
	tcase_add_test(tc, a_broken_link_is_an_error);
	tcase_add_test(tc, calibration_refuses_garbage);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
