/*
 * The kernel layer on a real guest's RAM, named by $HW_TEST_GUEST_RAM (a
 * source spec such as "file:/path/ram,layout=q35" of a booted Linux guest);
 * skipped when unset. No symbols are given: VMCOREINFO is found in RAM, and
 * from it the page-table root, kallsyms (through the kernel-image reader),
 * BTF and the task layout; init_task is found by search (and must match its
 * kallsyms symbol when there is one), its comm, pid and mm must be the boot
 * task's.
 */
#include "kernel/btf.h"
#include "kernel/init_task.h"
#include "kernel/kallsyms.h"
#include "kernel/kimage_reader.h"
#include "kernel/task_layout.h"
#include "kernel/vmcoreinfo.h"

#include "testutil.h"

#include <haywire/haywire.h>
#include <time.h>

START_TEST(real_guest)
{
	const char *spec = getenv("HW_TEST_GUEST_RAM");
	if (!spec) {
		printf("SKIP: HW_TEST_GUEST_RAM not set (a source spec of a booted guest)\n");
		return;
	}
	haywire_source *src = NULL;
	ck_assert_msg(haywire_source_open(spec, &src) == HAYWIRE_OK, "%s", haywire_last_error());

	struct hw_vmci_found *found = NULL;
	uint32_t nfound = 0;
	struct timespec s0, s1;
	clock_gettime(CLOCK_MONOTONIC, &s0);
	ck_assert_msg(hw_vmcoreinfo_scan(src, &found, &nfound) == HAYWIRE_OK, "%s",
	              haywire_last_error());
	clock_gettime(CLOCK_MONOTONIC, &s1);
	printf("VMCOREINFO scan of %llu MiB: %.1f ms\n",
	       (unsigned long long)(haywire_source_ram_size(src) >> 20),
	       (double)(s1.tv_sec - s0.tv_sec) * 1e3 + (s1.tv_nsec - s0.tv_nsec) / 1e6);
	for (uint32_t i = 0; i < nfound; i++)
		printf("VMCOREINFO %s at PA 0x%llx: %s, %u lines\n",
		       found[i].is_note ? "note" : "text", (unsigned long long)found[i].pa,
		       hw_vmcoreinfo_osrelease(found[i].info), hw_vmcoreinfo_count(found[i].info));
	const struct hw_vmcoreinfo *v = found[0].info;

	struct hw_kimage_reader kr = {.src = src};
	ck_assert_msg(hw_vmcoreinfo_paging(v, &kr.paging) == HAYWIRE_OK, "%s", haywire_last_error());
	struct hw_kernel_paging *p = &kr.paging;
	printf("arch %u, %u-level, %u-bit VA, granule %u, root PA 0x%llx, KASLR offset 0x%llx\n",
	       p->arch, p->levels, p->va_bits, p->page_size, (unsigned long long)p->root_pa,
	       (unsigned long long)p->kaslr_offset);
	ck_assert(haywire_source_is_ram(src, p->root_pa, p->page_size));
	/* The root table maps the kernel: some upper-half entry is valid and points into RAM. */
	uint64_t table[512];
	ck_assert_int_eq(haywire_source_read(src, p->root_pa, table, sizeof table, NULL),
	                 HAYWIRE_OK);
	int kernel_entries = 0;
	for (int i = 256; i < 512; i++) {
		uint64_t e = table[i], next = e & 0x000ffffffffff000ull;
		int valid = p->arch == HAYWIRE_ARCH_X86_64 ? (e & 1) : ((e & 3) == 3);
		kernel_entries += valid && haywire_source_is_ram(src, next, 8);
	}
	if (p->arch == HAYWIRE_ARCH_X86_64 || p->va_bits == 48)
		ck_assert_int_gt(kernel_entries, 0);

	struct hw_kreader r = hw_kimage_reader_of(&kr);
	struct hw_kallsyms_addrs a;
	ck_assert_msg(hw_kallsyms_addrs_from_vmcoreinfo(v, &a) == HAYWIRE_OK, "%s",
	              haywire_last_error());
	struct hw_kallsyms *ks = NULL;
	ck_assert_msg(hw_kallsyms_load(&r, &a, HW_KALLSYMS_AUTO, &ks) == HAYWIRE_OK, "%s",
	              haywire_last_error());
	uint64_t stext, vmci_stext;
	ck_assert_int_eq(hw_kallsyms_lookup(ks, "_stext", &stext, NULL), HAYWIRE_OK);
	ck_assert_int_eq(hw_vmcoreinfo_symbol(v, "_stext", &vmci_stext), HAYWIRE_OK);
	ck_assert_uint_eq(stext, vmci_stext);
	printf("kallsyms: %u symbols; _stext 0x%llx\n", hw_kallsyms_count(ks),
	       (unsigned long long)stext);

	struct hw_btf *btf = NULL;
	uint64_t btf_pa = 0, image_btf_pa = 0, stext_pa;
	struct timespec t0, t1, t2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_msg(hw_btf_scan_source(src, &btf_pa, &btf) == HAYWIRE_OK, "%s",
	              haywire_last_error());
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Only the kernel image: the same blob, sooner. */
	ck_assert_int_eq(hw_kernel_image_pa(p, stext, &stext_pa), HAYWIRE_OK);
	struct hw_btf *image_btf = NULL;
	ck_assert_int_eq(hw_btf_scan_pa_range(src, stext_pa, 128u << 20, &image_btf_pa, &image_btf),
	                 HAYWIRE_OK);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	ck_assert_uint_eq(image_btf_pa, btf_pa);
	hw_btf_free(image_btf);
	printf("BTF scan: all RAM %.1f ms, image only %.1f ms\n",
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6,
	       (double)(t2.tv_sec - t1.tv_sec) * 1e3 + (t2.tv_nsec - t1.tv_nsec) / 1e6);
	uint64_t start_btf, stop_btf;
	if (hw_kallsyms_lookup(ks, "__start_BTF", &start_btf, NULL) == HAYWIRE_OK &&
	    hw_kallsyms_lookup(ks, "__stop_BTF", &stop_btf, NULL) == HAYWIRE_OK) {
		uint64_t pa;
		ck_assert_int_eq(hw_kernel_image_pa(p, start_btf, &pa), HAYWIRE_OK);
		ck_assert_uint_eq(pa, btf_pa); /* the scan found the kernel's own blob */
		struct hw_btf *by_symbol = NULL;
		ck_assert_int_eq(hw_btf_load_kva(&r, start_btf, stop_btf, &by_symbol), HAYWIRE_OK);
		ck_assert_uint_eq(hw_btf_type_count(by_symbol), hw_btf_type_count(btf));
		hw_btf_free(by_symbol);
	}
	struct hw_task_layout l;
	ck_assert_msg(hw_task_layout_from_btf(btf, &l) == HAYWIRE_OK, "%s", haywire_last_error());
	printf("BTF at PA 0x%llx: %u types; task_struct %u bytes\n", (unsigned long long)btf_pa,
	       hw_btf_type_count(btf), l.task_size);

	/* init_task without its symbol: searched for in the image from _stext. */
	uint64_t init_task = 0, found_task = 0;
	ck_assert_msg(hw_find_init_task(&r, &l, stext, 128u << 20, &found_task) == HAYWIRE_OK, "%s",
	              haywire_last_error());
	if (hw_kallsyms_lookup(ks, "init_task", &init_task, NULL) == HAYWIRE_OK)
		ck_assert_uint_eq(found_task, init_task);
	else
		printf("note: init_task not in kallsyms (no CONFIG_KALLSYMS_ALL): found by search\n");
	init_task = found_task;
	{
		char comm[64] = {0};
		int32_t pid = -1;
		uint64_t mm = 1, next = 0;
		ck_assert_uint_le(l.comm_size, sizeof comm);
		ck_assert_int_eq(hw_kread(&r, init_task + l.comm, comm, l.comm_size), HAYWIRE_OK);
		ck_assert_int_eq(hw_kread(&r, init_task + l.pid, &pid, 4), HAYWIRE_OK);
		ck_assert_int_eq(hw_kread(&r, init_task + l.mm, &mm, 8), HAYWIRE_OK);
		ck_assert_int_eq(hw_kread(&r, init_task + l.tasks + l.list_next, &next, 8),
		                 HAYWIRE_OK);
		printf("init_task 0x%llx: comm \"%s\", pid %d, mm 0x%llx, tasks.next 0x%llx\n",
		       (unsigned long long)init_task, comm, pid, (unsigned long long)mm,
		       (unsigned long long)next);
		ck_assert_str_eq(comm, "swapper/0");
		ck_assert_int_eq(pid, 0);
		ck_assert_uint_eq(mm, 0);                   /* a kernel thread */
		ck_assert_uint_eq(next >> 63, 1);           /* a kernel pointer */
	}
	hw_btf_free(btf);
	hw_kallsyms_free(ks);
	hw_vmci_found_free(found, nfound);
	haywire_source_close(src);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kernel_guest");
	TCase *tc = tcase_create("guest");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, real_guest);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
