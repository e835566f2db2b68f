/* The process layer's layout from synthetic BTF: 6.1-like, older and broken kernels. */
#include "kernel/task_layout.h"

#include "btf_writer.h"
#include "testutil.h"

#include <haywire/haywire.h>

enum variant {
	LINUX_6_1,       /* thread_group and thread_node + signal->thread_head */
	LINUX_6_7,       /* thread_group gone */
	LINUX_3_10,      /* thread_group only */
	NO_THREAD_LISTS, /* neither */
	NO_PGD,          /* mm_struct without pgd */
	WIDE_PID,        /* pid of 8 bytes */
};

static struct hw_btf *kernel_btf(enum variant v)
{
	struct bw w;
	bw_init(&w);
	bw_int(&w, "int", 4);                               /* 1 */
	bw_int(&w, "long unsigned int", 8);                 /* 2 */
	bw_int(&w, "char", 1);                              /* 3 */
	bw_ref(&w, 8, "pid_t", v == WIDE_PID ? 2 : 1);      /* 4 */
	bw_array(&w, 3, 1, 16);                             /* 5 char[16] */
	bw_struct(&w, 4, "list_head", 0, 2, 16);            /* 6 */
	bw_member(&w, "next", 7, 0, 0);
	bw_member(&w, "prev", 7, 64, 0);
	bw_ref(&w, 2, NULL, 6);                             /* 7 */
	bw_ref(&w, 2, NULL, 9);                             /* 8 task_struct * */
	uint32_t members = 15 - (v == LINUX_6_7 || v == NO_THREAD_LISTS) -
	                   (v == LINUX_3_10 || v == NO_THREAD_LISTS);
	bw_struct(&w, 4, "task_struct", 0, members, 1024);  /* 9 */
	bw_member(&w, "flags", 1, 32 * 8, 0);
	bw_member(&w, "tasks", 6, 100 * 8, 0);
	bw_member(&w, "mm", 11, 120 * 8, 0);
	bw_member(&w, "active_mm", 11, 128 * 8, 0);
	bw_member(&w, "pid", 4, 200 * 8, 0);
	bw_member(&w, "tgid", 4, 208 * 8, 0);
	bw_member(&w, "real_parent", 8, 216 * 8, 0);
	bw_member(&w, "parent", 8, 224 * 8, 0);
	if (v != LINUX_6_7 && v != NO_THREAD_LISTS)
		bw_member(&w, "thread_group", 6, 300 * 8, 0);
	if (v != LINUX_3_10 && v != NO_THREAD_LISTS)
		bw_member(&w, "thread_node", 6, 316 * 8, 0);
	bw_member(&w, "real_cred", 15, 400 * 8, 0);
	bw_member(&w, "cred", 15, 408 * 8, 0);
	bw_member(&w, "comm", 5, 416 * 8, 0);
	bw_member(&w, "signal", 17, 440 * 8, 0);
	bw_member(&w, NULL, 12, 500 * 8, 0); /* randomized_struct_fields tail, say */
	bw_struct(&w, 4, "mm_struct", 0, 1, 128);           /* 10 */
	bw_member(&w, v == NO_PGD ? "pgdir" : "pgd", 2, 80 * 8, 0);
	bw_ref(&w, 2, NULL, 10);                            /* 11 mm_struct * */
	bw_struct(&w, 4, NULL, 0, 1, 8);                    /* 12 anonymous */
	bw_member(&w, "unused", 2, 0, 0);
	bw_struct(&w, 4, "kuid_t", 0, 1, 4);                /* 13 */
	bw_member(&w, "val", 1, 0, 0);
	bw_struct(&w, 4, "cred", 0, 2, 64);                 /* 14 */
	bw_member(&w, "usage", 1, 0, 0);
	bw_member(&w, "uid", 13, 8 * 8, 0);
	bw_ref(&w, 2, NULL, 18);                            /* 15 const cred * */
	bw_struct(&w, 4, "signal_struct", 0, 1, 256);       /* 16 */
	bw_member(&w, "thread_head", 6, 16 * 8, 0);
	bw_ref(&w, 2, NULL, 16);                            /* 17 signal_struct * */
	bw_ref(&w, 10, NULL, 14);                           /* 18 const cred */
	size_t len;
	uint8_t *b = bw_finish(&w, &len);
	bw_free(&w);
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
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
