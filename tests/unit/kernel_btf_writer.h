/*
 * BTF for tests of the kernel layer: a miniature kernel with task_struct,
 * mm_struct, cred, signal_struct and list_head at known offsets, in the
 * variants real kernels come in (and broken ones).
 */
#ifndef HW_TEST_KERNEL_BTF_WRITER_H
#define HW_TEST_KERNEL_BTF_WRITER_H

#include "btf_writer.h"

enum variant {
	LINUX_6_1,       /* thread_group and thread_node + signal->thread_head */
	LINUX_6_7,       /* thread_group gone */
	LINUX_3_10,      /* thread_group only */
	NO_THREAD_LISTS, /* neither */
	NO_PGD,          /* mm_struct without pgd */
	WIDE_PID,        /* pid of 8 bytes */
};

/* BTF of a kernel whose task_struct etc. sit at the offsets written below. */
static inline uint8_t *kernel_btf_blob(enum variant v, size_t *len)
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
	uint8_t *b = bw_finish(&w, len);
	bw_free(&w);
	return b;
}

#endif
