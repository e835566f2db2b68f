/* The process layer's layout from synthetic BTF: 6.1-like, older and broken kernels. */
#include "kernel/task_layout.h"

#include "kernel_btf_writer.h"
#include "testutil.h"

#include <haywire/haywire.h>

static struct hw_btf *kernel_btf(enum variant v)
{
	size_t len;
	uint8_t *b = kernel_btf_blob(v, &len);
	struct hw_btf *btf = NULL;
	int st = hw_btf_parse(b, len, &btf);
	ck_assert_msg(st == HAYWIRE_OK, "parse: %s", haywire_last_error());
	free(b);
	return btf;
}

START_TEST(linux_6_1_layout)
{
	struct hw_btf *btf = kernel_btf(LINUX_6_1);
	struct hw_task_layout l;
	int st = hw_task_layout_from_btf(btf, &l);
	ck_assert_msg(st == HAYWIRE_OK, "layout: %s", haywire_last_error());
	ck_assert_uint_eq(l.ptr_size, 8);
	ck_assert_uint_eq(l.task_size, 1024);
	ck_assert_uint_eq(l.flags, 32);
	ck_assert_uint_eq(l.tasks, 100);
	ck_assert_uint_eq(l.mm, 120);
	ck_assert_uint_eq(l.active_mm, 128);
	ck_assert_uint_eq(l.pid, 200);
	ck_assert_uint_eq(l.tgid, 208);
	ck_assert_uint_eq(l.real_parent, 216);
	ck_assert_uint_eq(l.parent, 224);
	ck_assert_uint_eq(l.thread_group, 300);
	ck_assert_uint_eq(l.thread_node, 316);
	ck_assert_uint_eq(l.real_cred, 400);
	ck_assert_uint_eq(l.cred, 408);
	ck_assert_uint_eq(l.comm, 416);
	ck_assert_uint_eq(l.comm_size, 16);
	ck_assert_uint_eq(l.signal, 440);
	ck_assert_uint_eq(l.signal_thread_head, 16);
	ck_assert_uint_eq(l.mm_pgd, 80);
	ck_assert_uint_eq(l.cred_uid, 8);
	ck_assert_uint_eq(l.list_next, 0);
	ck_assert_uint_eq(l.list_prev, 8);
	hw_btf_free(btf);
}
END_TEST

START_TEST(older_and_newer_thread_lists)
{
	struct hw_task_layout l;
	struct hw_btf *btf = kernel_btf(LINUX_6_7);
	ck_assert_int_eq(hw_task_layout_from_btf(btf, &l), HAYWIRE_OK);
	ck_assert_uint_eq(l.thread_group, HW_LAYOUT_ABSENT);
	ck_assert_uint_eq(l.thread_node, 300 + 16);
	hw_btf_free(btf);
	btf = kernel_btf(LINUX_3_10);
	ck_assert_int_eq(hw_task_layout_from_btf(btf, &l), HAYWIRE_OK);
	ck_assert_uint_eq(l.thread_group, 300);
	ck_assert_uint_eq(l.thread_node, HW_LAYOUT_ABSENT);
	hw_btf_free(btf);
}
END_TEST

START_TEST(missing_or_wrong_members)
{
	struct hw_task_layout l;
	struct hw_btf *btf = kernel_btf(NO_THREAD_LISTS);
	ck_assert_int_eq(hw_task_layout_from_btf(btf, &l), HAYWIRE_E_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "thread_group"));
	hw_btf_free(btf);
	btf = kernel_btf(NO_PGD);
	ck_assert_int_eq(hw_task_layout_from_btf(btf, &l), HAYWIRE_E_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "mm_struct.pgd"));
	hw_btf_free(btf);
	btf = kernel_btf(WIDE_PID);
	ck_assert_int_eq(hw_task_layout_from_btf(btf, &l), HAYWIRE_E_CORRUPT);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "task_struct.pid"));
	hw_btf_free(btf);

	struct bw w; /* no task_struct at all */
	bw_init(&w);
	bw_int(&w, "int", 4);
	size_t len;
	uint8_t *b = bw_finish(&w, &len);
	bw_free(&w);
	ck_assert_int_eq(hw_btf_parse(b, len, &btf), HAYWIRE_OK);
	free(b);
	ck_assert_int_eq(hw_task_layout_from_btf(btf, &l), HAYWIRE_E_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "task_struct"));
	hw_btf_free(btf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("task_layout");
	TCase *tc = tcase_create("task_layout");
	tcase_add_test(tc, linux_6_1_layout);
	tcase_add_test(tc, older_and_newer_thread_lists);
	tcase_add_test(tc, missing_or_wrong_members);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
