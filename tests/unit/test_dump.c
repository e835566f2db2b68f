/* Dump sources (ELF core, LiME, raw) on synthetic dumps: reads, notes, bad input. */
#include <haywire/haywire.h>

#include "dumpbuild.h"

#define KiB 1024ull

static haywire_source *open_ok(const char *spec)
{
	haywire_source *src = NULL;
	int st = haywire_source_open(spec, &src);
	ck_assert_msg(st == HAYWIRE_OK, "open %s: %s", spec, haywire_last_error());
	return src;
}

static char *dump_spec(const char *path)
{
	return tu_spec("dump:", path, NULL);
}

/* Opening B's file fails with STATUS and a message containing NEEDLE. */
static void dump_fails(const struct buf *b, int status, const char *needle)
{
	char *path = buf_file(b), *spec = dump_spec(path);
	haywire_source *src = (void *)1;
	int st = haywire_source_open(spec, &src);
	ck_assert_msg(st == status, "got %d (%s), want %d", st, haywire_last_error(), status);
	ck_assert_ptr_null(src);
	ck_assert_msg(strstr(haywire_last_error(), needle), "message \"%s\" lacks \"%s\"",
	              haywire_last_error(), needle);
	unlink(path);
	free(path);
	free(spec);
}

static void assert_pattern(haywire_source *src, uint64_t pa, uint64_t len)
{
	uint8_t *buf = malloc(len);
	uint64_t done = 0;
	ck_assert_msg(haywire_source_read(src, pa, buf, len, &done) == HAYWIRE_OK, "read 0x%llx: %s",
	              (unsigned long long)pa, haywire_last_error());
	ck_assert_uint_eq(done, len);
	for (uint64_t i = 0; i < len; i++)
		ck_assert_msg(buf[i] == tu_pattern(pa + i), "PA 0x%llx", (unsigned long long)(pa + i));
	free(buf);
}

static void assert_not_ram(haywire_source *src, uint64_t pa)
{
	uint8_t b;
	ck_assert_int_eq(haywire_source_read(src, pa, &b, 1, NULL), HAYWIRE_E_NOT_RAM);
}

START_TEST(elf_segments_are_read_by_physical_address)
{
	/* Segments touching in PA and file (merge), a hole, an odd size, a zero tail. */
	struct seg segs[] = {
		{PT_LOAD, 0x1000, 0x3000, 0x3000, 0, 0},
		{PT_LOAD, 0x4000, 0x1000, 0x1000, SEG_PACKED, 0},
		{PT_LOAD, 0x10000, 0x1234, 0x1234, 0, 0},
		{PT_LOAD, 0x20000, 0x1000, 0x3000, 0, 0},
		{PT_NULL, 0, 0, 0, 0, 1},
	};
	struct buf b = elf_build(1, EM_X86_64, segs, 5, NULL);
	char *path = buf_file(&b), *spec = dump_spec(path);
	haywire_source *src = open_ok(spec);
	ck_assert_str_eq(haywire_source_kind(src), "dump-elf");
	ck_assert_uint_eq(haywire_source_flags(src) & HAYWIRE_SOURCE_ZERO_COPY, 0); /* the tail */
	haywire_ram_range r[8];
	uint64_t n;
	ck_assert_int_eq(haywire_source_ram_ranges(src, r, 8, &n), HAYWIRE_OK);
	/* 0x1000..0x5000 merged; the tail is its own range next to its segment */
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(r[0].gpa, 0x1000);
	ck_assert_uint_eq(r[0].size, 0x4000);
	ck_assert_uint_eq(r[1].gpa, 0x10000);
	ck_assert_uint_eq(r[1].size, 0x1234);
	ck_assert_uint_eq(r[2].gpa, 0x20000);
	ck_assert_uint_eq(r[3].gpa, 0x21000);
	ck_assert_uint_eq(r[3].size, 0x2000);
	ck_assert_uint_eq(haywire_source_ram_size(src), 0x4000 + 0x1234 + 0x3000);

	assert_pattern(src, 0x1000, 0x4000); /* across the two merged segments */
	assert_pattern(src, 0x10000, 0x1234);
	assert_not_ram(src, 0x0);
	assert_not_ram(src, 0x5000);
	assert_not_ram(src, 0x10000 + 0x1234);

	/* the tail past p_filesz reads as zeros, in one read with the backed part */
	uint8_t buf[0x3000];
	ck_assert_int_eq(haywire_source_read(src, 0x20000, buf, sizeof buf, NULL), HAYWIRE_OK);
	for (unsigned i = 0; i < sizeof buf; i++)
		ck_assert_uint_eq(buf[i], i < 0x1000 ? tu_pattern(0x20000 + i) : 0);

	/* mapped ranges point into the file (zero copy); the tail cannot be mapped */
	const void *p;
	ck_assert_int_eq(haywire_source_map(src, 0x10000, 0x1234, &p), HAYWIRE_OK);
	ck_assert_uint_eq(((const uint8_t *)p)[0x1233], tu_pattern(0x10000 + 0x1233));
	ck_assert_int_eq(haywire_source_map(src, 0x21000, 16, &p), HAYWIRE_E_UNSUPPORTED);
	ck_assert_int_eq(haywire_source_vmcoreinfo(src, (const char **)&p, &n), HAYWIRE_E_NOT_FOUND);
	haywire_source_close(src);

	/* a bare path is recognised by its magic too */
	src = open_ok(path);
	ck_assert_str_eq(haywire_source_kind(src), "dump-elf");
	haywire_source_close(src);
	unlink(path);
	free(path);
	free(spec);
	buf_free(&b);
}
END_TEST

START_TEST(elf_without_tails_is_zero_copy_and_elf32_works)
{
	struct seg segs[] = {{PT_LOAD, 0x40000000, 0x2000, 0x2000, 0, 0}};
	struct buf b = elf_build(1, EM_AARCH64, segs, 1, NULL);
	char *path = buf_file(&b), *spec = dump_spec(path);
	haywire_source *src = open_ok(spec);
	ck_assert_uint_eq(haywire_source_flags(src) & HAYWIRE_SOURCE_ZERO_COPY,
	                  HAYWIRE_SOURCE_ZERO_COPY);
	assert_pattern(src, 0x40000000, 0x2000);
	haywire_source_close(src);
	unlink(path);
	free(path);
	free(spec);
	buf_free(&b);

	struct seg segs32[] = {{PT_LOAD, 0x100000, 0x1800, 0x1800, 0, 0},
	                       {PT_LOAD, 0x0, 0x800, 0x800, 0, 0}};
	b = elf_build(0, EM_386, segs32, 2, NULL);
	path = buf_file(&b), spec = dump_spec(path);
	src = open_ok(spec);
	ck_assert_uint_eq(haywire_source_ram_range_count(src), 2);
	assert_pattern(src, 0x0, 0x800);
	assert_pattern(src, 0x100000, 0x1800);
	haywire_source_close(src);
	unlink(path);
	free(path);
	free(spec);
	buf_free(&b);
}
END_TEST

START_TEST(elf_notes_give_vmcoreinfo_and_registers)
{
	static const char info[] = "OSRELEASE=6.1.0\nPAGESIZE=4096\nNUMBER(phys_base)=0\n";
	struct buf notes = {0};
	note_x86_prstatus(&notes, 0xffffffff81000010, 0xffffc90000003f00);
	note_x86_prstatus(&notes, 0xffffffff81000020, 0xffffc90000007f00);
	note_add(&notes, "VMCOREINFO", 0, info, sizeof info); /* with its NUL, as Linux writes */
	note_qemu_x86(&notes, 0x80050033, 0x1234000, 0x3506f0);
	note_qemu_x86(&notes, 0x80050033, 0x5678000, 0x3506f0);
	struct seg segs[] = {{PT_LOAD, 0, 0x1000, 0x1000, 0, 0}};
	struct buf b = elf_build(1, EM_X86_64, segs, 1, &notes);
	char *path = buf_file(&b), *spec = dump_spec(path);
	haywire_source *src = open_ok(spec);

	const char *text;
	uint64_t len;
	ck_assert_int_eq(haywire_source_vmcoreinfo(src, &text, &len), HAYWIRE_OK);
	ck_assert_uint_eq(len, strlen(info));
	ck_assert_int_eq(memcmp(text, info, len), 0);

	ck_assert_uint_eq(haywire_source_cpu_count(src), 2);
	haywire_cpu_state c = {.struct_size = sizeof c};
	ck_assert_int_eq(haywire_source_cpu_state(src, 1, &c), HAYWIRE_OK);
	ck_assert_uint_eq(c.arch, HAYWIRE_ARCH_X86_64);
	ck_assert_uint_eq(c.cpu, 1);
	uint32_t want = HAYWIRE_CPU_PC | HAYWIRE_CPU_SP | HAYWIRE_CPU_CR0 | HAYWIRE_CPU_CR3 |
	                HAYWIRE_CPU_CR4;
	ck_assert_uint_eq(c.valid, want);
	ck_assert_uint_eq(c.pc, 0xffffffff81000020);
	ck_assert_uint_eq(c.sp, 0xffffc90000007f00);
	ck_assert_uint_eq(c.cr3, 0x5678000);
	ck_assert_uint_eq(c.cr4, 0x3506f0);
	ck_assert_uint_eq(c.cr0, 0x80050033);
	ck_assert_int_eq(haywire_source_cpu_state(src, 0, &c), HAYWIRE_OK);
	ck_assert_uint_eq(c.cr3, 0x1234000);
	ck_assert_uint_eq(c.pc, 0xffffffff81000010);
	ck_assert_int_eq(haywire_source_cpu_state(src, 2, &c), HAYWIRE_E_NOT_FOUND);
	haywire_source_close(src);
	unlink(path);
	free(path);
	free(spec);
	buf_free(&b);
	buf_free(&notes);

	/* arm64: PC and SP from user_pt_regs */
	note_arm64_prstatus(&notes, 0xffff800008001000, 0xffff80000a003f00);
	struct seg aseg[] = {{PT_LOAD, 0x40000000, 0x1000, 0x1000, 0, 0}};
	b = elf_build(1, EM_AARCH64, aseg, 1, &notes);
	path = buf_file(&b), spec = dump_spec(path);
	src = open_ok(spec);
	ck_assert_uint_eq(haywire_source_cpu_count(src), 1);
	ck_assert_int_eq(haywire_source_cpu_state(src, 0, &c), HAYWIRE_OK);
	ck_assert_uint_eq(c.arch, HAYWIRE_ARCH_ARM64);
	ck_assert_uint_eq(c.valid, HAYWIRE_CPU_PC | HAYWIRE_CPU_SP);
	ck_assert_uint_eq(c.pc, 0xffff800008001000);
	ck_assert_uint_eq(c.sp, 0xffff80000a003f00);
	haywire_source_close(src);
	unlink(path);
	free(path);
	free(spec);
	buf_free(&b);
	buf_free(&notes);
}
END_TEST

START_TEST(elf_bad_input_each_has_a_status_and_message)
{
	struct seg one[] = {{PT_LOAD, 0x1000, 0x1000, 0x1000, 0, 0}};
	struct buf b = elf_build(1, EM_X86_64, one, 1, NULL);
	struct buf t = {0};

	/* truncated: inside the ELF header, inside the program headers, inside a segment */
	buf_at(&t, 0, b.p, 30);
	dump_fails(&t, HAYWIRE_E_CORRUPT, "truncated ELF header");
	t.len = 64 + 20;
	buf_at(&t, 0, b.p, t.len);
	dump_fails(&t, HAYWIRE_E_CORRUPT, "program headers");
	t.len = 0;
	buf_at(&t, 0, b.p, b.len - 1);
	dump_fails(&t, HAYWIRE_E_CORRUPT, "runs past the end");
	buf_free(&t);

	/* not a core; big-endian; absurd e_phnum; tiny e_phentsize */
	buf_at(&t, 0, b.p, b.len);
	buf_le(&t, 16, ET_EXEC, 2);
	dump_fails(&t, HAYWIRE_E_FORMAT, "not a core dump");
	buf_at(&t, 0, b.p, b.len);
	t.p[EI_DATA] = ELFDATA2MSB;
	dump_fails(&t, HAYWIRE_E_UNSUPPORTED, "big-endian");
	buf_at(&t, 0, b.p, b.len);
	buf_le(&t, 56, 0xfffe, 2);
	dump_fails(&t, HAYWIRE_E_CORRUPT, "65534 program headers");
	buf_at(&t, 0, b.p, b.len);
	buf_le(&t, 54, 8, 2);
	dump_fails(&t, HAYWIRE_E_CORRUPT, "e_phentsize");
	/* PN_XNUM without a section header, then with one claiming 2^32-1 headers */
	buf_at(&t, 0, b.p, b.len);
	buf_le(&t, 56, PN_XNUM, 2);
	dump_fails(&t, HAYWIRE_E_CORRUPT, "PN_XNUM");
	buf_le(&t, 40, t.len, 8);  /* e_shoff */
	buf_le(&t, 58, 64, 2);     /* e_shentsize */
	buf_at(&t, t.len, NULL, 64);
	buf_le(&t, t.len - 64 + 44, 0xffffffff, 4); /* sh_info */
	dump_fails(&t, HAYWIRE_E_CORRUPT, "4294967295 program headers");
	buf_free(&t);
	buf_free(&b);

	/* enormous p_filesz; offset past the end */
	struct seg huge[] = {{PT_LOAD, 0x1000, UINT64_MAX - 8, UINT64_MAX - 8, 0x200, 1}};
	b = elf_build(1, EM_X86_64, huge, 1, NULL);
	dump_fails(&b, HAYWIRE_E_CORRUPT, "runs past the end");
	buf_free(&b);
	struct seg far[] = {{PT_LOAD, 0x1000, 0x10, 0x10, 1ull << 40, 1}};
	b = elf_build(1, EM_X86_64, far, 1, NULL);
	dump_fails(&b, HAYWIRE_E_CORRUPT, "runs past the end");
	buf_free(&b);

	/* the same bytes listed twice (aliases, as with paging on) are one range */
	struct seg alias[] = {{PT_LOAD, 0x1000, 0x3000, 0x3000, 0x1000, 0},
	                      {PT_LOAD, 0x2000, 0x1000, 0x1000, 0x2000, 1},
	                      {PT_LOAD, 0x1000, 0x3000, 0x3000, 0x1000, 1}};
	b = elf_build(1, EM_X86_64, alias, 3, NULL);
	char *path = buf_file(&b), *spec = tu_spec("dump:", path, NULL);
	haywire_source *src = open_ok(spec);
	ck_assert_uint_eq(haywire_source_ram_range_count(src), 1);
	ck_assert_uint_eq(haywire_source_ram_size(src), 0x3000);
	assert_pattern(src, 0x1000, 0x3000);
	haywire_source_close(src);
	unlink(path);
	free(path);
	free(spec);
	buf_free(&b);

	/* overlapping segments with different bytes; p_filesz > p_memsz; PA wrapping; none */
	struct seg overlap[] = {{PT_LOAD, 0x1000, 0x2000, 0x2000, 0, 0},
	                        {PT_LOAD, 0x2000, 0x1000, 0x1000, 0, 0}};
	b = elf_build(1, EM_X86_64, overlap, 2, NULL);
	dump_fails(&b, HAYWIRE_E_CORRUPT, "overlaps");
	buf_free(&b);
	struct seg inverted[] = {{PT_LOAD, 0x1000, 0x2000, 0x1000, 0, 0}};
	b = elf_build(1, EM_X86_64, inverted, 1, NULL);
	dump_fails(&b, HAYWIRE_E_CORRUPT, "above p_memsz");
	buf_free(&b);
	struct seg wrap[] = {{PT_LOAD, UINT64_MAX - 0xfff, 0x10, 0x2000, 0, 0}};
	b = elf_build(1, EM_X86_64, wrap, 1, NULL);
	dump_fails(&b, HAYWIRE_E_CORRUPT, "wraps");
	buf_free(&b);
	struct seg none[] = {{PT_NULL, 0, 0, 0, 0, 1}};
	b = elf_build(1, EM_X86_64, none, 1, NULL);
	dump_fails(&b, HAYWIRE_E_CORRUPT, "no memory");
	buf_free(&b);
}
END_TEST

START_TEST(elf_bad_notes_and_absurd_counts)
{
	struct seg one[] = {{PT_LOAD, 0x1000, 0x1000, 0x1000, 0, 0}};
	struct buf notes = {0};
	note_x86_prstatus(&notes, 1, 2);
	/* a note whose data size runs past its section */
	struct buf bad = {0};
	buf_at(&bad, 0, notes.p, notes.len);
	buf_le(&bad, 4, 0x10000, 4);
	struct buf b = elf_build(1, EM_X86_64, one, 1, &bad);
	dump_fails(&b, HAYWIRE_E_CORRUPT, "runs past its");
	buf_free(&b);
	/* name and data sizes that wrap 32-bit arithmetic */
	buf_le(&bad, 0, 0xffffffff, 4);
	buf_le(&bad, 4, 0xfffffff0, 4);
	b = elf_build(1, EM_X86_64, one, 1, &bad);
	dump_fails(&b, HAYWIRE_E_CORRUPT, "runs past its");
	buf_free(&b);
	buf_free(&bad);
	/* a PT_NOTE that claims more bytes than the file has */
	b = elf_build(1, EM_X86_64, one, 1, &notes);
	buf_le(&b, 64 + 32, 1ull << 50, 8); /* p_filesz of the PT_NOTE */
	dump_fails(&b, HAYWIRE_E_CORRUPT, "runs past the end");
	buf_free(&b);
	buf_free(&notes);

	/* a VMCOREINFO beyond its cap */
	uint8_t *big = calloc(1, (1u << 20) + 16);
	memset(big, 'A', (1u << 20) + 15);
	note_add(&notes, "VMCOREINFO", 0, big, (1u << 20) + 16);
	free(big);
	b = elf_build(1, EM_X86_64, one, 1, &notes);
	dump_fails(&b, HAYWIRE_E_LIMIT, "VMCOREINFO");
	buf_free(&b);
	buf_free(&notes);

	/* more vCPUs than allowed */
	for (int i = 0; i < 4097; i++)
		note_qemu_x86(&notes, 0, (uint64_t)i << 12, 0);
	b = elf_build(1, EM_X86_64, one, 1, &notes);
	dump_fails(&b, HAYWIRE_E_LIMIT, "vCPUs");
	buf_free(&b);
	buf_free(&notes);

	/* more segments than allowed (each 1 byte, apart) */
	int n = 2 * 4096 + 1;
	struct seg *many = calloc((size_t)n, sizeof *many);
	for (int i = 0; i < n; i++)
		many[i] = (struct seg){PT_LOAD, 0x1000 * (uint64_t)i, 1, 1, 0, 0};
	b = elf_build(1, EM_X86_64, many, n, NULL);
	dump_fails(&b, HAYWIRE_E_LIMIT, "PT_LOAD segments");
	buf_free(&b);
	/* fewer segments, still too many separate ranges after merging */
	b = elf_build(1, EM_X86_64, many, 4097, NULL);
	dump_fails(&b, HAYWIRE_E_LIMIT, "separate memory ranges");
	buf_free(&b);
	free(many);
}
END_TEST

START_TEST(lime_ranges_point_into_the_file)
{
	struct buf b = {0};
	lime_add(&b, 0x0, 0x9ffff, 0xa0000);
	lime_add(&b, 0x100000, 0x100fff + 0x10, 0x1010); /* inclusive end, odd size */
	lime_add(&b, 0x100000 + 0x1010, 0x100000 + 0x1fff, 0x1000 - 0x10); /* touches in PA */
	char *path = buf_file(&b), *spec = dump_spec(path);
	haywire_source *src = open_ok(spec);
	ck_assert_str_eq(haywire_source_kind(src), "dump-lime");
	ck_assert_uint_eq(haywire_source_flags(src) & HAYWIRE_SOURCE_ZERO_COPY,
	                  HAYWIRE_SOURCE_ZERO_COPY);
	haywire_ram_range r[4];
	uint64_t n;
	ck_assert_int_eq(haywire_source_ram_ranges(src, r, 4, &n), HAYWIRE_OK);
	/* the last two are contiguous in PA but not in the file (a header between): apart */
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(r[0].size, 0xa0000);
	ck_assert_uint_eq(r[1].gpa, 0x100000);
	ck_assert_uint_eq(r[1].size, 0x1010);
	assert_pattern(src, 0, 0xa0000);
	assert_pattern(src, 0x100000, 0x2000); /* one read across both */
	assert_not_ram(src, 0xa0000);
	assert_not_ram(src, 0x102000);
	const void *p;
	ck_assert_int_eq(haywire_source_map(src, 0x100000 + 0x1010, 16, &p), HAYWIRE_OK);
	ck_assert_uint_eq(*(const uint8_t *)p, tu_pattern(0x101010));
	ck_assert_uint_eq(haywire_source_cpu_count(src), 0);
	haywire_source_close(src);
	src = open_ok(path); /* bare path */
	ck_assert_str_eq(haywire_source_kind(src), "dump-lime");
	haywire_source_close(src);
	unlink(path);
	free(path);
	free(spec);
	buf_free(&b);
}
END_TEST

START_TEST(lime_bad_input_each_has_a_status_and_message)
{
	struct buf b = {0};
	lime_add(&b, 0x2000, 0x1000, 0); /* end below start */
	dump_fails(&b, HAYWIRE_E_CORRUPT, "below start");
	buf_free(&b);
	lime_add(&b, 0, 0x1fff, 0x1000); /* data cut short */
	dump_fails(&b, HAYWIRE_E_CORRUPT, "file ends");
	buf_free(&b);
	lime_add(&b, 0, 0xfff, 0x1000);
	buf_at(&b, b.len, "EMiL\1\0\0", 8); /* a truncated second header */
	dump_fails(&b, HAYWIRE_E_CORRUPT, "truncated range header");
	buf_free(&b);
	lime_add(&b, 0, 0xfff, 0x1000);
	buf_at(&b, b.len, NULL, 40); /* trailing garbage */
	dump_fails(&b, HAYWIRE_E_CORRUPT, "no LiME magic");
	buf_free(&b);
	lime_add(&b, 0, 0xfff, 0x1000);
	buf_le(&b, 4, 2, 4);
	dump_fails(&b, HAYWIRE_E_UNSUPPORTED, "version 2");
	buf_free(&b);
	lime_add(&b, 0, 0xfff, 0x1000);
	lime_add(&b, 0x800, 0x17ff, 0x1000); /* overlaps the first */
	dump_fails(&b, HAYWIRE_E_CORRUPT, "overlaps");
	buf_free(&b);
	lime_add(&b, 0, UINT64_MAX, 0); /* all of 2^64 */
	dump_fails(&b, HAYWIRE_E_CORRUPT, "2^64");
	buf_free(&b);
	for (uint64_t i = 0; i < 4097; i++)
		lime_add(&b, i * 0x2000, i * 0x2000, 1);
	dump_fails(&b, HAYWIRE_E_LIMIT, "4096");
	buf_free(&b);
}
END_TEST

START_TEST(format_detection_and_raw_dumps)
{
	char *raw = tu_make_file(64 * KiB, 64 * KiB);
	char spec[600];
	haywire_source *src = (void *)1;
	/* an unknown format says what it found */
	snprintf(spec, sizeof spec, "dump:%s", raw);
	ck_assert_int_eq(haywire_source_open(spec, &src), HAYWIRE_E_FORMAT);
	ck_assert_ptr_null(src);
	char want[64];
	snprintf(want, sizeof want, "starts with bytes %02x %02x", tu_pattern(0), tu_pattern(1));
	ck_assert_msg(strstr(haywire_last_error(), want), "%s", haywire_last_error());
	/* a raw image with a layout is a dump too */
	snprintf(spec, sizeof spec, "dump:%s,layout=virt", raw);
	src = open_ok(spec);
	ck_assert_str_eq(haywire_source_kind(src), "file");
	ck_assert_uint_eq(haywire_source_ram_size(src), 64 * KiB);
	uint8_t head[16];
	ck_assert_int_eq(haywire_source_read(src, 0x40000000, head, 16, NULL), HAYWIRE_OK);
	for (int i = 0; i < 16; i++) /* file offset 0 is PA 1 GiB */
		ck_assert_uint_eq(head[i], tu_pattern((uint64_t)i));
	haywire_source_close(src);
	unlink(raw);
	free(raw);

	/* a dump with its own memory map refuses a layout */
	struct buf b = {0};
	lime_add(&b, 0, 0xfff, 0x1000);
	char *path = buf_file(&b);
	snprintf(spec, sizeof spec, "dump:%s,layout=virt", path);
	ck_assert_int_eq(haywire_source_open(spec, &src), HAYWIRE_E_INVALID);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "only for raw images"));
	unlink(path);
	free(path);
	buf_free(&b);
}
END_TEST

static Suite *dump_suite(void)
{
	Suite *s = suite_create("dump");
	TCase *tc = tcase_create("elf-lime");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, elf_segments_are_read_by_physical_address);
	tcase_add_test(tc, elf_without_tails_is_zero_copy_and_elf32_works);
	tcase_add_test(tc, elf_notes_give_vmcoreinfo_and_registers);
	tcase_add_test(tc, elf_bad_input_each_has_a_status_and_message);
	tcase_add_test(tc, elf_bad_notes_and_absurd_counts);
	tcase_add_test(tc, lime_ranges_point_into_the_file);
	tcase_add_test(tc, lime_bad_input_each_has_a_status_and_message);
	tcase_add_test(tc, format_detection_and_raw_dumps);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(dump_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
