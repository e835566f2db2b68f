/*
 * The kernel layer on a real kernel image, named by $HW_TEST_KERNEL_IMAGE (an
 * x86 vmlinux ELF, e.g. decompressed from Debian's vmlinuz, or an arm64 Image);
 * skipped when unset. Ground truth comes from the image itself: the ELF section
 * headers (.text, .rodata, .BTF) and, for a raw Image, where the BTF scan
 * found the blob. Checked: the BTF scan, the task layout, locating and decoding
 * kallsyms without symbols, and that kallsyms' addresses match the sections.
 */
#include "kernel/btf.h"
#include "kernel/kallsyms.h"
#include "kernel/task_layout.h"

#include "testutil.h"

#include <elf.h>
#include <haywire/haywire.h>

static uint8_t *image;
static size_t image_len;

static int load_image(void)
{
	const char *path = getenv("HW_TEST_KERNEL_IMAGE");
	if (!path) {
		printf("SKIP: HW_TEST_KERNEL_IMAGE not set (a vmlinux or arm64 Image)\n");
		return 0;
	}
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f, "cannot open %s", path);
	ck_assert_int_eq(fseeko(f, 0, SEEK_END), 0);
	image_len = (size_t)ftello(f);
	rewind(f);
	image = malloc(image_len);
	ck_assert_uint_eq(fread(image, 1, image_len, f), image_len);
	fclose(f);
	return 1;
}

/* Section NAME of the ELF image: address, file offset, size. 0 if absent. */
static int elf_section(const char *name, uint64_t *addr, uint64_t *off, uint64_t *size)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;
	if (image_len < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64)
		return 0;
	ck_assert_uint_le(eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), image_len);
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(image + eh->e_shoff);
	const char *names = (const char *)image + sh[eh->e_shstrndx].sh_offset;
	for (unsigned i = 0; i < eh->e_shnum; i++)
		if (!strcmp(names + sh[i].sh_name, name)) {
			*addr = sh[i].sh_addr;
			*off = sh[i].sh_offset;
			*size = sh[i].sh_size;
			return 1;
		}
	return 0;
}

static const uint8_t *flat_mem;
static uint64_t flat_base, flat_len;

static int flat_read(void *ctx, uint64_t kva, void *buf, uint64_t len)
{
	if (kva < flat_base || kva - flat_base > flat_len || len > flat_len - (kva - flat_base))
		return HAYWIRE_E_NOT_MAPPED;
	memcpy(buf, flat_mem + (kva - flat_base), len);
	return HAYWIRE_OK;
}

START_TEST(real_kernel_image)
{
	if (!load_image())
		return;
	/* BTF: found by scanning the image as if it were RAM. */
	char *spec = tu_spec("file:", getenv("HW_TEST_KERNEL_IMAGE"), "flat");
	haywire_source *src = NULL;
	ck_assert_msg(haywire_source_open(spec, &src) == HAYWIRE_OK, "%s", haywire_last_error());
	struct hw_btf *btf = NULL;
	uint64_t btf_off = 0;
	ck_assert_msg(hw_btf_scan_source(src, &btf_off, &btf) == HAYWIRE_OK, "%s",
	              haywire_last_error());
	struct hw_task_layout l;
	ck_assert_msg(hw_task_layout_from_btf(btf, &l) == HAYWIRE_OK, "%s", haywire_last_error());
	printf("BTF at file offset 0x%llx: %u types; task_struct %u bytes, pid at %u, comm at %u, "
	       "thread_group %s\n", (unsigned long long)btf_off, hw_btf_type_count(btf),
	       l.task_size, l.pid, l.comm, l.thread_group == HW_LAYOUT_ABSENT ? "absent" : "present");

	/* kallsyms: ELF images are searched in .rodata at its address; raw Images from 0. */
	uint64_t text = 0, text_off, text_size, ro = 0, ro_off = 0, ro_size = image_len;
	uint64_t sec_btf = 0, btf_sec_off, btf_size = 0;
	int elf = elf_section(".rodata", &ro, &ro_off, &ro_size);
	if (elf) {
		ck_assert(elf_section(".text", &text, &text_off, &text_size));
		ck_assert(elf_section(".BTF", &sec_btf, &btf_sec_off, &btf_size));
		ck_assert_uint_eq(btf_sec_off, btf_off); /* the scan found the .BTF section */
	}
	flat_mem = image + ro_off;
	flat_base = ro;
	flat_len = ro_size;
	struct hw_kallsyms_addrs a;
	ck_assert_msg(hw_kallsyms_locate(flat_mem, flat_len, flat_base, &a) == HAYWIRE_OK, "%s",
	              haywire_last_error());
	struct hw_kreader r = {flat_read, NULL};
	struct hw_kallsyms *ks = NULL;
	ck_assert_msg(hw_kallsyms_load(&r, &a, HW_KALLSYMS_AUTO, &ks) == HAYWIRE_OK, "%s",
	              haywire_last_error());
	printf("kallsyms: %u symbols, %s offsets\n", hw_kallsyms_count(ks),
	       hw_kallsyms_mode_used(ks) == HW_KALLSYMS_ABSOLUTE_PERCPU ? "absolute-percpu"
	                                                                 : "relative");
	ck_assert_uint_gt(hw_kallsyms_count(ks), 10000);
	uint64_t stext, start_btf, stop_btf;
	ck_assert_int_eq(hw_kallsyms_lookup(ks, "_stext", &stext, NULL), HAYWIRE_OK);
	if (elf) {
		ck_assert_uint_eq(stext, text);
		ck_assert_int_eq(hw_kallsyms_lookup(ks, "__start_BTF", &start_btf, NULL), HAYWIRE_OK);
		ck_assert_int_eq(hw_kallsyms_lookup(ks, "__stop_BTF", &stop_btf, NULL), HAYWIRE_OK);
		ck_assert_uint_eq(start_btf, sec_btf);
		ck_assert_uint_eq(stop_btf, sec_btf + btf_size);
	} else if (hw_kallsyms_lookup(ks, "__start_BTF", &start_btf, NULL) == HAYWIRE_OK) {
		/* A raw Image starts at _text, which its (unrelocated) offsets count from. */
		uint64_t text0;
		ck_assert_int_eq(hw_kallsyms_lookup(ks, "_text", &text0, NULL), HAYWIRE_OK);
		ck_assert_uint_eq(start_btf - text0, btf_off);
	} else {
		printf("note: no data symbols (CONFIG_KALLSYMS_ALL unset): __start_BTF unknown\n");
	}
	hw_kallsyms_free(ks);
	hw_btf_free(btf);
	haywire_source_close(src);
	free(spec);
	free(image);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kernel_image");
	TCase *tc = tcase_create("image");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, real_kernel_image);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
