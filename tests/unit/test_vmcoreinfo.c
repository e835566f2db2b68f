/* VMCOREINFO: strict parsing, typed look-ups, paging facts, and the RAM scan. */
#include "kernel/vmcoreinfo.h"

#include "buffer_source.h"
#include "testutil.h"

#include <haywire/haywire.h>
#include <time.h>

/* Shaped like a Debian 6.1 x86-64 kernel's text (values made up, formats real). */
static const char x86_text[] =
	"OSRELEASE=6.1.0-18-amd64\n"
	"BUILD-ID=6a1e0a2d2a1c6cf3f8d0a4b2ab3e4a4c5d6e7f80\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_uts_ns)=ffffffff9d613b40\n"
	"OFFSET(uts_namespace.name)=0\n"
	"SYMBOL(node_online_map)=ffffffff9d5f4a08\n"
	"SYMBOL(swapper_pg_dir)=ffffffff9d20a000\n"
	"SYMBOL(_stext)=ffffffff9b000000\n"
	"SYMBOL(mem_section)=ffff8fa43ffd6000\n"
	"LENGTH(mem_section)=2048\n"
	"SIZE(mem_section)=16\n"
	"OFFSET(mem_section.section_mem_map)=0\n"
	"SIZE(page)=64\n"
	"OFFSET(page.flags)=0\n"
	"LENGTH(zone.free_area)=11\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"SYMBOL(kallsyms_names)=ffffffff9c8b0a48\n"
	"SYMBOL(kallsyms_num_syms)=ffffffff9c8b0a40\n"
	"SYMBOL(kallsyms_token_table)=ffffffff9ca4e6e8\n"
	"SYMBOL(kallsyms_token_index)=ffffffff9ca4ea80\n"
	"SYMBOL(kallsyms_offsets)=ffffffff9c82f9b8\n"
	"SYMBOL(kallsyms_relative_base)=ffffffff9c8b0a38\n"
	"NUMBER(phys_base)=454033408\n"
	"SYMBOL(init_top_pgt)=ffffffff9d20a000\n"
	"NUMBER(pgtable_l5_enabled)=0\n"
	"KERNELOFFSET=1a000000\n"
	"NUMBER(KERNEL_IMAGE_SIZE)=1073741824\n"
	"NUMBER(sme_mask)=0\n"
	"CRASHTIME=1700000000\n";

/* Shaped like an arm64 6.1 kernel's, with a randomised linear map. */
static const char arm64_text[] =
	"OSRELEASE=6.1.0-18-arm64\n"
	"PAGESIZE=4096\n"
	"SYMBOL(swapper_pg_dir)=ffffa3c0f8a2e000\n"
	"SYMBOL(_stext)=ffffa3c0f6c10000\n"
	"NUMBER(VA_BITS)=48\n"
	"NUMBER(kimage_voffset)=0xffffa3c0b6400000\n"
	"NUMBER(PHYS_OFFSET)=0xffffe5d4c0000000\n"
	"NUMBER(TCR_EL1_T1SZ)=0x10\n"
	"KERNELOFFSET=23c076400000\n"
	"NUMBER(KERNELPACMASK)=0x0\n";

static struct hw_vmcoreinfo *parse_ok(const char *text, size_t len)
{
	struct hw_vmcoreinfo *v = NULL;
	int st = hw_vmcoreinfo_parse(text, len, &v);
	ck_assert_msg(st == HAYWIRE_OK, "parse: %s", haywire_last_error());
	return v;
}

static void parse_fails(const char *text, size_t len, int status, const char *needle)
{
	struct hw_vmcoreinfo *v = (void *)1;
	int st = hw_vmcoreinfo_parse(text, len, &v);
	ck_assert_msg(st == status, "\"%.40s\": got %d (%s), want %d", text, st,
	              haywire_last_error(), status);
	ck_assert_ptr_null(v);
	ck_assert_msg(strstr(haywire_last_error(), needle), "message \"%s\" lacks \"%s\"",
	              haywire_last_error(), needle);
}

START_TEST(parses_x86_text)
{
	/* The kernel's page is zero-padded: garbage after the first NUL is ignored. */
	char page[4096];
	memset(page, 0, sizeof page);
	memcpy(page, x86_text, sizeof x86_text - 1);
	for (size_t i = sizeof x86_text + 16; i < sizeof page; i++)
		page[i] = (char)tu_pattern(i);
	struct hw_vmcoreinfo *v = parse_ok(page, sizeof page);
	ck_assert_uint_eq(hw_vmcoreinfo_count(v), 29);
	ck_assert_str_eq(hw_vmcoreinfo_osrelease(v), "6.1.0-18-amd64");
	const char *k, *val;
	ck_assert_int_eq(hw_vmcoreinfo_entry(v, 2, &k, &val), HAYWIRE_OK);
	ck_assert_str_eq(k, "PAGESIZE");
	ck_assert_str_eq(val, "4096");
	ck_assert_int_eq(hw_vmcoreinfo_entry(v, 29, &k, &val), HAYWIRE_E_NOT_FOUND);

	uint64_t x;
	ck_assert_int_eq(hw_vmcoreinfo_symbol(v, "_stext", &x), HAYWIRE_OK);
	ck_assert_uint_eq(x, 0xffffffff9b000000ull);
	ck_assert_int_eq(hw_vmcoreinfo_number(v, "phys_base", &x), HAYWIRE_OK);
	ck_assert_uint_eq(x, 454033408);
	ck_assert_int_eq(hw_vmcoreinfo_number(v, "PAGE_BUDDY_MAPCOUNT_VALUE", &x), HAYWIRE_OK);
	ck_assert_uint_eq(x, (uint64_t)-129);
	ck_assert_int_eq(hw_vmcoreinfo_offset(v, "mem_section.section_mem_map", &x), HAYWIRE_OK);
	ck_assert_uint_eq(x, 0);
	ck_assert_int_eq(hw_vmcoreinfo_size(v, "page", &x), HAYWIRE_OK);
	ck_assert_uint_eq(x, 64);
	ck_assert_int_eq(hw_vmcoreinfo_length(v, "zone.free_area", &x), HAYWIRE_OK);
	ck_assert_uint_eq(x, 11);
	ck_assert_int_eq(hw_vmcoreinfo_page_size(v, &x), HAYWIRE_OK);
	ck_assert_uint_eq(x, 4096);
	ck_assert_int_eq(hw_vmcoreinfo_kaslr_offset(v, &x), HAYWIRE_OK);
	ck_assert_uint_eq(x, 0x1a000000);
	ck_assert_int_eq(hw_vmcoreinfo_symbol(v, "init_task", &x), HAYWIRE_E_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "SYMBOL(init_task)"));
	ck_assert_ptr_null(hw_vmcoreinfo_get(v, "NOPE"));
	ck_assert_str_eq(hw_vmcoreinfo_get(v, "BUILD-ID"),
	                 "6a1e0a2d2a1c6cf3f8d0a4b2ab3e4a4c5d6e7f80");

	ck_assert_uint_eq(hw_vmcoreinfo_arch(v), HAYWIRE_ARCH_X86_64);
	struct hw_kernel_paging p;
	ck_assert_int_eq(hw_vmcoreinfo_paging(v, &p), HAYWIRE_OK);
	ck_assert_uint_eq(p.levels, 4);
	ck_assert_uint_eq(p.va_bits, 48);
	ck_assert_uint_eq(p.page_size, 4096);
	ck_assert_uint_eq(p.root_kva, 0xffffffff9d20a000ull);
	/* __pa_symbol(): kva - __START_KERNEL_map + phys_base */
	ck_assert_uint_eq(p.root_pa, 0xffffffff9d20a000ull - 0xffffffff80000000ull + 454033408);
	ck_assert_uint_eq(p.kaslr_offset, 0x1a000000);
	ck_assert_uint_eq(p.image_size, 1u << 30);
	uint64_t pa;
	ck_assert_int_eq(hw_kernel_image_pa(&p, 0xffffffff9c8b0a40ull, &pa), HAYWIRE_OK);
	ck_assert_uint_eq(pa, 0x1c8b0a40ull + 454033408);
	ck_assert_int_eq(hw_kernel_image_pa(&p, 0xffffffff80000000ull + (1u << 30), &pa),
	                 HAYWIRE_E_NOT_MAPPED);
	ck_assert_int_eq(hw_kernel_image_pa(&p, 0xffff888000000000ull, &pa), HAYWIRE_E_NOT_MAPPED);
	hw_vmcoreinfo_free(v);
}
END_TEST

/* TEXT with line KEY=... replaced by LINE (or appended when KEY is absent). */
static char *with_line(const char *text, const char *key, const char *line)
{
	char *out = malloc(strlen(text) + strlen(line) + 2);
	const char *at = strstr(text, key);
	if (!at) {
		sprintf(out, "%s%s\n", text, line);
		return out;
	}
	const char *end = strchr(at, '\n') + 1;
	sprintf(out, "%.*s%s\n%s", (int)(at - text), text, line, end);
	return out;
}

START_TEST(x86_five_levels_and_bad_roots)
{
	char *t = with_line(x86_text, "NUMBER(pgtable_l5_enabled)", "NUMBER(pgtable_l5_enabled)=1");
	struct hw_vmcoreinfo *v = parse_ok(t, strlen(t));
	struct hw_kernel_paging p;
	ck_assert_int_eq(hw_vmcoreinfo_paging(v, &p), HAYWIRE_OK);
	ck_assert_uint_eq(p.levels, 5);
	ck_assert_uint_eq(p.va_bits, 57);
	hw_vmcoreinfo_free(v);
	free(t);

	t = with_line(x86_text, "SYMBOL(init_top_pgt)", "SYMBOL(init_top_pgt)=ffff888001000000");
	v = parse_ok(t, strlen(t));
	ck_assert_int_eq(hw_vmcoreinfo_paging(v, &p), HAYWIRE_E_CORRUPT);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "init_top_pgt"));
	hw_vmcoreinfo_free(v);
	free(t);

	t = with_line(x86_text, "NUMBER(phys_base)", "NUMBER(physbase)=0");
	v = parse_ok(t, strlen(t));
	ck_assert_uint_eq(hw_vmcoreinfo_arch(v), HAYWIRE_ARCH_UNKNOWN);
	ck_assert_int_eq(hw_vmcoreinfo_paging(v, &p), HAYWIRE_E_UNSUPPORTED);
	hw_vmcoreinfo_free(v);
	free(t);
}
END_TEST

START_TEST(parses_arm64_text)
{
	struct hw_vmcoreinfo *v = parse_ok(arm64_text, sizeof arm64_text - 1);
	ck_assert_uint_eq(hw_vmcoreinfo_arch(v), HAYWIRE_ARCH_ARM64);
	uint64_t x;
	ck_assert_int_eq(hw_vmcoreinfo_number(v, "PHYS_OFFSET", &x), HAYWIRE_OK);
	ck_assert_uint_eq(x, 0xffffe5d4c0000000ull); /* "negative": kept as two's complement */
	struct hw_kernel_paging p;
	ck_assert_int_eq(hw_vmcoreinfo_paging(v, &p), HAYWIRE_OK);
	ck_assert_uint_eq(p.page_size, 4096);
	ck_assert_uint_eq(p.va_bits, 48);
	ck_assert_uint_eq(p.levels, 4);
	ck_assert_uint_eq(p.root_pa, 0xffffa3c0f8a2e000ull - 0xffffa3c0b6400000ull);
	ck_assert_uint_eq(p.phys_offset, 0xffffe5d4c0000000ull);
	ck_assert_uint_eq(p.kaslr_offset, 0x23c076400000ull);
	uint64_t pa;
	ck_assert_int_eq(hw_kernel_image_pa(&p, 0xffffa3c0f6c10000ull, &pa), HAYWIRE_OK);
	ck_assert_uint_eq(pa, 0x40810000ull);
	ck_assert_int_eq(hw_kernel_image_pa(&p, 0x0000aaaa00000000ull, &pa), HAYWIRE_E_NOT_MAPPED);
	hw_vmcoreinfo_free(v);

	/* Granules and TTBR1 sizes: T1SZ wins over VA_BITS. */
	static const struct {
		const char *pagesize, *t1sz;
		uint32_t va_bits, levels;
	} cases[] = {
		{"PAGESIZE=65536", "NUMBER(TCR_EL1_T1SZ)=0x16", 42, 2},
		{"PAGESIZE=65536", "NUMBER(TCR_EL1_T1SZ)=0xc", 52, 3},
		{"PAGESIZE=16384", "NUMBER(TCR_EL1_T1SZ)=0x11", 47, 3},
		{"PAGESIZE=4096", "NUMBER(TCR_EL1_T1SZ)=0x19", 39, 3},
		{"PAGESIZE=4096", "NUMBER(TCR_EL1_T1SZ)=0xc", 52, 5},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		/* An image address that is in the TTBR1 half for every VA size. */
		char *a = with_line(arm64_text, "PAGESIZE", cases[i].pagesize);
		char *b = with_line(a, "NUMBER(TCR_EL1_T1SZ)", cases[i].t1sz);
		char *c = with_line(b, "SYMBOL(swapper_pg_dir)",
		                    "SYMBOL(swapper_pg_dir)=ffffffffc8a20000");
		char *d = with_line(c, "NUMBER(kimage_voffset)",
		                    "NUMBER(kimage_voffset)=0xffffffff88000000");
		v = parse_ok(d, strlen(d));
		ck_assert_int_eq(hw_vmcoreinfo_paging(v, &p), HAYWIRE_OK);
		ck_assert_uint_eq(p.va_bits, cases[i].va_bits);
		ck_assert_uint_eq(p.levels, cases[i].levels);
		ck_assert_uint_eq(p.root_pa, 0x40a20000);
		hw_vmcoreinfo_free(v);
		free(a);
		free(b);
		free(c);
		free(d);
	}
	/* Without T1SZ, VA_BITS is used; a 2 KiB granule does not exist. */
	char *a = with_line(arm64_text, "NUMBER(TCR_EL1_T1SZ)", "NUMBER(VA_BITS_MIN)=48");
	v = parse_ok(a, strlen(a));
	ck_assert_int_eq(hw_vmcoreinfo_paging(v, &p), HAYWIRE_OK);
	ck_assert_uint_eq(p.va_bits, 48);
	hw_vmcoreinfo_free(v);
	free(a);
	a = with_line(arm64_text, "PAGESIZE", "PAGESIZE=2048");
	v = parse_ok(a, strlen(a));
	ck_assert_int_eq(hw_vmcoreinfo_paging(v, &p), HAYWIRE_E_CORRUPT);
	hw_vmcoreinfo_free(v);
	free(a);
}
END_TEST

START_TEST(rejects_bad_text)
{
	char buf[8192];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (char)tu_pattern(i);
	parse_fails(buf, sizeof buf, HAYWIRE_E_FORMAT, "OSRELEASE");
	memcpy(buf, "OSRELEASE=6.1\n", 14); /* then noise */
	parse_fails(buf, sizeof buf, HAYWIRE_E_CORRUPT, "line 2");
	parse_fails("PAGESIZE=4096\nOSRELEASE=6.1\n", 28, HAYWIRE_E_FORMAT, "OSRELEASE");

	static const char *bad_lines[] = {
		"SYMBOL(_stext)=ffffffffg1000000", /* not hex */
		"SYMBOL(_stext)=",
		"SYMBOL(_stext)=1ffffffff81000000", /* 17 digits */
		"NUMBER(x)=12a",
		"NUMBER(x)=99999999999999999999999",
		"NUMBER(x)=-9223372036854775809",
		"OFFSET(page.flags)=0x10",
		"PAGESIZE=4095",
		"KERNELOFFSET=-1",
		"SYM BOL(x)=1",
		"SYMBOL(a b)=1",
		"SYMBOL()=1",
		"SYMBOL(x)x=1",
		"=1",
		"no equals sign",
		"",
		"KEY=tab\there",
	};
	for (size_t i = 0; i < sizeof bad_lines / sizeof bad_lines[0]; i++) {
		char *t = with_line(x86_text, "CRASHTIME", bad_lines[i]);
		parse_fails(t, strlen(t), HAYWIRE_E_CORRUPT, "line 29");
		free(t);
	}
	char long_line[400];
	memset(long_line, 'A', sizeof long_line);
	memcpy(long_line, "X=", 2);
	long_line[sizeof long_line - 1] = '\0';
	char *t = with_line(x86_text, "CRASHTIME", long_line);
	parse_fails(t, strlen(t), HAYWIRE_E_CORRUPT, "too long");
	free(t);

	/* Over 1 MiB without a NUL: refused before any work. */
	size_t big = (1u << 20) + 100;
	char *huge = malloc(big);
	memset(huge, 'A', big);
	memcpy(huge, "OSRELEASE=", 10);
	parse_fails(huge, big, HAYWIRE_E_LIMIT, "exceeds");
	free(huge);

	/* Odd but well-formed keys are kept; a final line without '\n' counts. */
	struct hw_vmcoreinfo *v = parse_ok("OSRELEASE=x\nFUTURE_KEY(a.b-c)=what ever", 39);
	ck_assert_str_eq(hw_vmcoreinfo_get(v, "FUTURE_KEY(a.b-c)"), "what ever");
	hw_vmcoreinfo_free(v);
}
END_TEST

static void write_at(const char *path, uint64_t offset, const void *data, size_t len)
{
	FILE *f = fopen(path, "r+b");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseeko(f, (off_t)offset, SEEK_SET), 0);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* The kernel's vmcoreinfo_note: Elf64_Nhdr, "VMCOREINFO\0" padded to 12, the text. */
static size_t make_note(uint8_t *out, const char *text)
{
	uint32_t n = (uint32_t)strlen(text);
	memset(out, 0, 24 + n + 16);
	out[0] = 11;
	for (int i = 0; i < 4; i++)
		out[4 + i] = (uint8_t)(n >> (8 * i));
	memcpy(out + 12, "VMCOREINFO", 10);
	memcpy(out + 24, text, n);
	return 24 + n + 16; /* the next (final, empty) note header */
}

START_TEST(scan_finds_every_copy)
{
	const uint64_t size = 8u << 20, page = 4096;
	char *path = tu_make_file(size, size);
	/* Pattern bytes never start a page with 'O' + "SRELEASE=" or a note header. */
	write_at(path, 5 * page, x86_text, sizeof x86_text); /* with its NUL */
	uint8_t note[4096];
	size_t nlen = make_note(note, x86_text);
	write_at(path, 300 * page, note, nlen);
	char *stale = with_line(x86_text, "OSRELEASE", "OSRELEASE=5.10.0-old");
	write_at(path, 600 * page, stale, strlen(stale) + 1);
	write_at(path, 700 * page, "OSRELEASE=but then noise", 24); /* rejected */
	write_at(path, 800 * page + 8, x86_text, sizeof x86_text);  /* not page-aligned */
	write_at(path, size - page, arm64_text, sizeof arm64_text);  /* the last page */
	char *spec = tu_spec("file:", path, "virt");
	haywire_source *src = NULL;
	ck_assert_int_eq(haywire_source_open(spec, &src), HAYWIRE_OK);

	struct hw_vmci_found *f = NULL;
	uint32_t n = 0;
	ck_assert_int_eq(hw_vmcoreinfo_scan(src, &f, &n), HAYWIRE_OK);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(f[0].pa, 0x40000000 + 5 * page);
	ck_assert_uint_eq(f[0].is_note, 0);
	ck_assert_uint_eq(f[0].text_pa, f[0].pa);
	ck_assert_uint_eq(f[1].pa, 0x40000000 + 300 * page);
	ck_assert_uint_eq(f[1].is_note, 1);
	ck_assert_uint_eq(f[1].text_pa, f[1].pa + 24);
	ck_assert_uint_eq(hw_vmcoreinfo_count(f[1].info), 29);
	ck_assert_str_eq(hw_vmcoreinfo_osrelease(f[2].info), "5.10.0-old");
	ck_assert_uint_eq(f[3].pa, 0x40000000 + size - page);
	ck_assert_uint_eq(hw_vmcoreinfo_arch(f[3].info), HAYWIRE_ARCH_ARM64);
	hw_vmci_found_free(f, n);
	haywire_source_close(src);
	unlink(path);
	free(path);
	free(spec);
	free(stale);

	/* Nothing there: NOT_FOUND, nothing allocated. */
	path = tu_make_file(1u << 20, 1u << 20);
	spec = tu_spec("file:", path, "flat");
	ck_assert_int_eq(haywire_source_open(spec, &src), HAYWIRE_OK);
	ck_assert_int_eq(hw_vmcoreinfo_scan(src, &f, &n), HAYWIRE_E_NOT_FOUND);
	ck_assert_ptr_null(f);
	ck_assert_uint_eq(n, 0);
	haywire_source_close(src);
	unlink(path);
	free(path);
	free(spec);
}
END_TEST

START_TEST(scan_speed)
{
	/* 256 MiB of (sparse) RAM: the scan looks at one byte per page. */
	const uint64_t size = 256ull << 20;
	char *path = tu_make_file(size, 0);
	write_at(path, size - (1u << 20), x86_text, sizeof x86_text);
	char *spec = tu_spec("file:", path, "q35");
	haywire_source *src = NULL;
	ck_assert_int_eq(haywire_source_open(spec, &src), HAYWIRE_OK);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct hw_vmci_found *f = NULL;
	uint32_t n = 0;
	ck_assert_int_eq(hw_vmcoreinfo_scan(src, &f, &n), HAYWIRE_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_uint_eq(n, 1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(secs < 30, "scan took %.1f s", secs);
	hw_vmci_found_free(f, n);
	/* Again, with the pages already mapped (as a live guest's RAM mostly is). */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(hw_vmcoreinfo_scan(src, &f, &n), HAYWIRE_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double again = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("vmcoreinfo scan of 256 MiB: %.3f s first (page faults), %.3f s again\n", secs,
	       again);
	hw_vmci_found_free(f, n);
	haywire_source_close(src);
	unlink(path);
	free(path);
	free(spec);
}
END_TEST

static uint8_t noise(uint64_t off)
{
	return tu_pattern(off);
}

START_TEST(scan_through_reads)
{
	/* A source without mapping (dump, QMP): the scan reads 24 bytes per page. */
	struct buffer_ram *ram;
	const uint64_t size = 4u << 20;
	haywire_source *src = buffer_source(0x100000000ull, size, noise, &ram);
	memcpy(ram->bytes + 77 * 4096, x86_text, sizeof x86_text);
	uint8_t note[4096];
	size_t nlen = make_note(note, arm64_text);
	memcpy(ram->bytes + size - 4096, note, nlen < 4096 ? nlen : 4096);
	struct hw_vmci_found *f = NULL;
	uint32_t n = 0;
	ck_assert_int_eq(hw_vmcoreinfo_scan(src, &f, &n), HAYWIRE_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(f[0].pa, 0x100000000ull + 77 * 4096);
	ck_assert_uint_eq(hw_vmcoreinfo_count(f[0].info), 29);
	ck_assert_uint_eq(f[1].is_note, 1);
	ck_assert_uint_eq(hw_vmcoreinfo_arch(f[1].info), HAYWIRE_ARCH_ARM64);
	ck_assert_uint_ge(ram->reads, size / 4096); /* it really went through the reader */
	hw_vmci_found_free(f, n);
	haywire_source_close(src);
}
END_TEST

START_TEST(random_damage_never_crashes)
{
	size_t len = sizeof x86_text - 1;
	char *t = malloc(len);
	uint64_t seed = 7, parsed = 0;
	for (int round = 0; round < 20000; round++) {
		memcpy(t, x86_text, len);
		for (int f = 0; f < 1 + round % 3; f++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			t[10 + (seed >> 33) % (len - 10)] = (char)(seed >> 20);
		}
		struct hw_vmcoreinfo *v = NULL;
		if (hw_vmcoreinfo_parse(t, len, &v) != HAYWIRE_OK) {
			ck_assert_ptr_null(v);
			continue;
		}
		parsed++;
		struct hw_kernel_paging p;
		uint64_t x;
		hw_vmcoreinfo_paging(v, &p);
		hw_vmcoreinfo_number(v, "phys_base", &x);
		hw_vmcoreinfo_free(v);
	}
	/* Many mutations hit values or names harmlessly, or a NUL that shortens the text. */
	ck_assert_uint_gt(parsed, 0);
	free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vmcoreinfo");
	TCase *tc = tcase_create("vmcoreinfo");
	tcase_set_timeout(tc, 100);
	tcase_add_test(tc, parses_x86_text);
	tcase_add_test(tc, x86_five_levels_and_bad_roots);
	tcase_add_test(tc, parses_arm64_text);
	tcase_add_test(tc, rejects_bad_text);
	tcase_add_test(tc, scan_finds_every_copy);
	tcase_add_test(tc, scan_speed);
	tcase_add_test(tc, scan_through_reads);
	tcase_add_test(tc, random_damage_never_crashes);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
