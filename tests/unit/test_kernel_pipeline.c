/*
 * The kernel-layer pieces plugged together on a synthetic x86-64 guest RAM
 * image with KASLR: find VMCOREINFO in RAM, derive the page-table root and the
 * image mapping, decode kallsyms through the image reader, load BTF from
 * __start_BTF..__stop_BTF, get the task layout, and read init_task's comm.
 */
#include "kernel/btf.h"
#include "kernel/init_task.h"
#include "kernel/kallsyms.h"
#include "kernel/kimage_reader.h"
#include "kernel/task_layout.h"
#include "kernel/vmcoreinfo.h"

#include "kallsyms_writer.h"
#include "kernel_btf_writer.h"
#include "testutil.h"

#include <haywire/haywire.h>

#define MiB (1ull << 20)
/* The guest: KASLR moved the image by 0x2000000; it was loaded 0x1000000 above its link PA. */
#define KERNEL_OFFSET 0x2000000ull
#define PHYS_BASE 0x1000000ull
#define STEXT (0xffffffff81000000ull + KERNEL_OFFSET)
#define IMAGE_PA(kva) ((kva) - 0xffffffff80000000ull + PHYS_BASE)
#define KALLSYMS_AT (STEXT + 0x100000)
#define BTF_AT (STEXT + 0x300000 + 0x1b88)
#define INIT_TASK (STEXT + 0x600000)
#define INIT_TOP_PGT (STEXT + 0x500000)

static void write_at(const char *path, uint64_t offset, const void *data, size_t len)
{
	FILE *f = fopen(path, "r+b");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseeko(f, (off_t)offset, SEEK_SET), 0);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

START_TEST(vmcoreinfo_to_init_task)
{
	/* The kernel's own tables, at their kernel VAs. */
	size_t btf_len;
	uint8_t *btf_blob = kernel_btf_blob(LINUX_6_1, &btf_len);
	struct sym syms[64];
	uint32_t n = 0;
	memset(syms, 0, sizeof syms);
	for (uint32_t i = 0; i < 8; i++) /* per-CPU variables: absolute offsets on x86-64 */
		syms[n++] = (struct sym){'D', "", 0x1000ull * i};
	for (uint32_t i = 0; i < 8; i++)
		snprintf(syms[i].name, sizeof syms[i].name, "per_cpu_%u", i);
	syms[n++] = (struct sym){'T', "_stext", STEXT};
	syms[n++] = (struct sym){'T', "start_kernel", STEXT + 0x4000};
	syms[n++] = (struct sym){'R', "__start_BTF", BTF_AT};
	syms[n++] = (struct sym){'R', "__stop_BTF", BTF_AT + btf_len};
	syms[n++] = (struct sym){'D', "init_top_pgt", INIT_TOP_PGT};
	syms[n++] = (struct sym){'D', "init_task", INIT_TASK};
	struct image ks = build_at(KALLSYMS_AT, syms, n, OFFSETS_ABSOLUTE_PERCPU, STEXT);

	char text[2048];
	snprintf(text, sizeof text,
	         "OSRELEASE=6.1.0-18-amd64\nPAGESIZE=4096\n"
	         "SYMBOL(_stext)=%llx\n"
	         "SYMBOL(kallsyms_names)=%llx\nSYMBOL(kallsyms_num_syms)=%llx\n"
	         "SYMBOL(kallsyms_token_table)=%llx\nSYMBOL(kallsyms_token_index)=%llx\n"
	         "SYMBOL(kallsyms_offsets)=%llx\nSYMBOL(kallsyms_relative_base)=%llx\n"
	         "NUMBER(phys_base)=%llu\nSYMBOL(init_top_pgt)=%llx\n"
	         "NUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=%llx\n"
	         "NUMBER(KERNEL_IMAGE_SIZE)=1073741824\n",
	         (unsigned long long)STEXT, (unsigned long long)ks.a.names,
	         (unsigned long long)ks.a.num_syms, (unsigned long long)ks.a.token_table,
	         (unsigned long long)ks.a.token_index, (unsigned long long)ks.a.offsets,
	         (unsigned long long)ks.a.relative_base, (unsigned long long)PHYS_BASE,
	         (unsigned long long)INIT_TOP_PGT, (unsigned long long)KERNEL_OFFSET);

	/* Guest RAM: q35 with 128 MiB, everything below 4 GiB. */
	char *path = tu_make_file(128 * MiB, 128 * MiB);
	write_at(path, 0x7f000, text, strlen(text) + 1);
	write_at(path, IMAGE_PA(KALLSYMS_AT), ks.mem, ks.len);
	write_at(path, IMAGE_PA(BTF_AT), btf_blob, btf_len);
	/* init_task as LINUX_6_1 lays it out; and a decoy "swapper/0" that is not self-parented. */
	char comm[16] = "swapper/0";
	uint64_t zero = 0, self = INIT_TASK, other = INIT_TASK + 0x1000;
	for (int decoy = 1; decoy >= 0; decoy--) {
		uint64_t task = decoy ? INIT_TASK - 0x2000 : INIT_TASK;
		write_at(path, IMAGE_PA(task) + 416, comm, sizeof comm);
		write_at(path, IMAGE_PA(task) + 200, &zero, 4); /* pid */
		write_at(path, IMAGE_PA(task) + 120, &zero, 8); /* mm */
		write_at(path, IMAGE_PA(task) + 216, decoy ? &other : &self, 8); /* real_parent */
		write_at(path, IMAGE_PA(task) + 224, decoy ? &other : &self, 8); /* parent */
	}
	char *spec = tu_spec("file:", path, "q35");
	haywire_source *src = NULL;
	ck_assert_int_eq(haywire_source_open(spec, &src), HAYWIRE_OK);

	struct hw_vmci_found *found = NULL;
	uint32_t nfound = 0;
	ck_assert_int_eq(hw_vmcoreinfo_scan(src, &found, &nfound), HAYWIRE_OK);
	ck_assert_uint_eq(nfound, 1);
	ck_assert_uint_eq(found[0].pa, 0x7f000);
	const struct hw_vmcoreinfo *v = found[0].info;

	struct hw_kimage_reader kr = {.src = src};
	ck_assert_int_eq(hw_vmcoreinfo_paging(v, &kr.paging), HAYWIRE_OK);
	ck_assert_uint_eq(kr.paging.root_pa, IMAGE_PA(INIT_TOP_PGT));
	ck_assert_uint_eq(kr.paging.kaslr_offset, KERNEL_OFFSET);
	struct hw_kreader r = hw_kimage_reader_of(&kr);

	struct hw_kallsyms_addrs a;
	ck_assert_int_eq(hw_kallsyms_addrs_from_vmcoreinfo(v, &a), HAYWIRE_OK);
	struct hw_kallsyms *ksyms = NULL;
	int st = hw_kallsyms_load(&r, &a, HW_KALLSYMS_AUTO, &ksyms);
	ck_assert_msg(st == HAYWIRE_OK, "kallsyms: %s", haywire_last_error());
	ck_assert_int_eq(hw_kallsyms_mode_used(ksyms), HW_KALLSYMS_ABSOLUTE_PERCPU);
	uint64_t start_btf, stop_btf, init_task, stext;
	ck_assert_int_eq(hw_kallsyms_lookup(ksyms, "__start_BTF", &start_btf, NULL), HAYWIRE_OK);
	ck_assert_int_eq(hw_kallsyms_lookup(ksyms, "__stop_BTF", &stop_btf, NULL), HAYWIRE_OK);
	ck_assert_int_eq(hw_kallsyms_lookup(ksyms, "init_task", &init_task, NULL), HAYWIRE_OK);
	ck_assert_int_eq(hw_kallsyms_lookup(ksyms, "_stext", &stext, NULL), HAYWIRE_OK);
	uint64_t vmci_stext;
	ck_assert_int_eq(hw_vmcoreinfo_symbol(v, "_stext", &vmci_stext), HAYWIRE_OK);
	ck_assert_uint_eq(stext, vmci_stext); /* kallsyms and VMCOREINFO agree */

	struct hw_btf *btf = NULL;
	st = hw_btf_load_kva(&r, start_btf, stop_btf, &btf);
	ck_assert_msg(st == HAYWIRE_OK, "btf: %s", haywire_last_error());
	struct hw_task_layout l;
	ck_assert_int_eq(hw_task_layout_from_btf(btf, &l), HAYWIRE_OK);
	char got[16];
	ck_assert_uint_le(l.comm_size, sizeof got);
	ck_assert_int_eq(hw_kread(&r, init_task + l.comm, got, l.comm_size), HAYWIRE_OK);
	ck_assert_str_eq(got, "swapper/0");
	/* Without the symbol: found by name and self-parenthood, past the decoy. */
	uint64_t found_task = 0;
	ck_assert_int_eq(hw_find_init_task(&r, &l, stext, 64 * MiB, &found_task), HAYWIRE_OK);
	ck_assert_uint_eq(found_task, init_task);
	uint64_t zero8 = 0;
	write_at(path, IMAGE_PA(INIT_TASK) + 224, &zero8, 8); /* parent no longer itself */
	ck_assert_int_eq(hw_find_init_task(&r, &l, stext, 64 * MiB, &found_task),
	                 HAYWIRE_E_NOT_FOUND);

	/* The image reader refuses what is not in the image window. */
	ck_assert_int_eq(hw_kread(&r, 0xffff888000000000ull, got, 8), HAYWIRE_E_NOT_MAPPED);
	ck_assert_int_eq(hw_kread(&r, 0xffffffff80000000ull - 4, got, 8), HAYWIRE_E_NOT_MAPPED);
	ck_assert_int_eq(hw_kread(&r, 0xffffffffbffffffcull, got, 8), HAYWIRE_E_NOT_MAPPED);
	/* In the window but past RAM (128 MiB): not RAM. */
	ck_assert_int_eq(hw_kread(&r, 0xffffffff80000000ull + 0x10000000, got, 8),
	                 HAYWIRE_E_NOT_RAM);

	hw_btf_free(btf);
	hw_kallsyms_free(ksyms);
	hw_vmci_found_free(found, nfound);
	haywire_source_close(src);
	unlink(path);
	free(path);
	free(spec);
	free(ks.mem);
	free(btf_blob);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kernel_pipeline");
	TCase *tc = tcase_create("pipeline");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, vmcoreinfo_to_init_task);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
