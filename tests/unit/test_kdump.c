/* kdump-compressed sources on tiny synthetic dumps: plain and flattened, notes, damage, threads. */
#include <haywire/haywire.h>

#include "kdumpbuild.h"

#include <pthread.h>

static const struct kd_page_spec pages[] = {
	{1, KD_ZLIB}, {2, KD_RAW}, {3, KD_ZLIB}, {8, KD_ZERO}, {9, KD_ZLIB}, {100, KD_RAW},
};
#define NPAGES (int)(sizeof pages / sizeof pages[0])

static char *spec_of(const struct buf *b, char **path)
{
	*path = buf_file(b);
	return tu_spec("dump:", *path, NULL);
}

static void check_page(haywire_source *src, uint64_t pfn, int zero)
{
	uint8_t buf[KD_BLOCK];
	uint64_t pa = pfn * KD_BLOCK;
	ck_assert_msg(haywire_source_read(src, pa, buf, KD_BLOCK, NULL) == HAYWIRE_OK, "pfn %llu: %s",
	              (unsigned long long)pfn, haywire_last_error());
	for (unsigned i = 0; i < KD_BLOCK; i++)
		ck_assert_msg(buf[i] == (zero ? 0 : kd_byte(pa + i)), "PA 0x%llx",
		              (unsigned long long)(pa + i));
}

static void check_contents(haywire_source *src)
{
	ck_assert_str_eq(haywire_source_kind(src), "dump-kdump");
	ck_assert_uint_eq(haywire_source_flags(src) & HAYWIRE_SOURCE_ZERO_COPY, 0);
	haywire_ram_range r[8];
	uint64_t n;
	ck_assert_int_eq(haywire_source_ram_ranges(src, r, 8, &n), HAYWIRE_OK);
	ck_assert_uint_eq(n, 3); /* pfns 1-3, 8-9, 100 */
	ck_assert_uint_eq(r[0].gpa, 1 * KD_BLOCK);
	ck_assert_uint_eq(r[0].size, 3 * KD_BLOCK);
	ck_assert_uint_eq(r[1].gpa, 8 * KD_BLOCK);
	ck_assert_uint_eq(r[1].size, 2 * KD_BLOCK);
	ck_assert_uint_eq(r[2].gpa, 100 * KD_BLOCK);
	for (int i = 0; i < NPAGES; i++)
		check_page(src, pages[i].pfn, pages[i].kind == KD_ZERO);
	/* twice: the second time from the cache */
	for (int i = 0; i < NPAGES; i++)
		check_page(src, pages[i].pfn, pages[i].kind == KD_ZERO);
	/* a read across pages of different kinds, unaligned */
	uint8_t buf[3 * KD_BLOCK];
	ck_assert_int_eq(haywire_source_read(src, KD_BLOCK + 100, buf, sizeof buf - 200, NULL),
	                 HAYWIRE_OK);
	for (unsigned i = 0; i < sizeof buf - 200; i++)
		ck_assert_uint_eq(buf[i], kd_byte(KD_BLOCK + 100 + i));
	/* pages the dump does not store are not RAM */
	uint64_t done = 7;
	ck_assert_int_eq(haywire_source_read(src, 0, buf, 1, &done), HAYWIRE_E_NOT_RAM);
	ck_assert_int_eq(haywire_source_read(src, 3 * KD_BLOCK + 10, buf, KD_BLOCK, &done),
	                 HAYWIRE_E_NOT_RAM);
	ck_assert_uint_eq(done, KD_BLOCK - 10);
	ck_assert_int_eq(haywire_source_read(src, 7 * KD_BLOCK, buf, 1, NULL), HAYWIRE_E_NOT_RAM);
	const void *p;
	ck_assert_int_eq(haywire_source_map(src, KD_BLOCK, 16, &p), HAYWIRE_E_UNSUPPORTED);
}

START_TEST(plain_and_flattened_read_the_same_pages)
{
	static const char info[] = "OSRELEASE=6.1.0\nNUMBER(phys_base)=16777216\n";
	struct buf notes = {0};
	note_x86_prstatus(&notes, 0xffffffff81000010, 0xffffc90000003f00);
	note_add(&notes, "VMCOREINFO", 0, info, sizeof info);
	note_qemu_x86(&notes, 0x80050033, 0x2a000, 0x3506f0);
	struct buf plain = kd_build(pages, NPAGES, 128, "x86_64", &notes, NULL);
	struct buf flat = kd_flatten(&plain, 3000);
	struct buf *which[] = {&plain, &flat};
	for (int w = 0; w < 2; w++) {
		char *path, *spec = spec_of(which[w], &path);
		haywire_source *src = NULL;
		ck_assert_msg(haywire_source_open(spec, &src) == HAYWIRE_OK, "%s",
		              haywire_last_error());
		check_contents(src);
		const char *text;
		uint64_t len;
		ck_assert_int_eq(haywire_source_vmcoreinfo(src, &text, &len), HAYWIRE_OK);
		ck_assert_uint_eq(len, strlen(info));
		ck_assert_int_eq(memcmp(text, info, len), 0);
		ck_assert_uint_eq(haywire_source_cpu_count(src), 1);
		haywire_cpu_state c = {.struct_size = sizeof c};
		ck_assert_int_eq(haywire_source_cpu_state(src, 0, &c), HAYWIRE_OK);
		ck_assert_uint_eq(c.arch, HAYWIRE_ARCH_X86_64);
		ck_assert_uint_eq(c.pc, 0xffffffff81000010);
		ck_assert_uint_eq(c.cr3, 0x2a000);
		ck_assert_uint_eq(c.valid & HAYWIRE_CPU_CR4, HAYWIRE_CPU_CR4);
		haywire_source_close(src);
		/* a bare path is recognised too */
		ck_assert_int_eq(haywire_source_open(path, &src), HAYWIRE_OK);
		ck_assert_str_eq(haywire_source_kind(src), "dump-kdump");
		haywire_source_close(src);
		unlink(path);
		free(path);
		free(spec);
	}
	buf_free(&plain);
	buf_free(&flat);
	buf_free(&notes);

	/* QEMU's arm64 header says "Unknown": the PRSTATUS size tells the arch */
	note_arm64_prstatus(&notes, 0xffff800008001000, 0xffff80000a003f00);
	plain = kd_build(pages, NPAGES, 128, "Unknown", &notes, NULL);
	char *path, *spec = spec_of(&plain, &path);
	haywire_source *src = NULL;
	ck_assert_int_eq(haywire_source_open(spec, &src), HAYWIRE_OK);
	haywire_cpu_state c = {.struct_size = sizeof c};
	ck_assert_int_eq(haywire_source_cpu_state(src, 0, &c), HAYWIRE_OK);
	ck_assert_uint_eq(c.arch, HAYWIRE_ARCH_ARM64);
	ck_assert_uint_eq(c.pc, 0xffff800008001000);
	ck_assert_uint_eq(c.sp, 0xffff80000a003f00);
	haywire_source_close(src);
	unlink(path);
	free(path);
	free(spec);
	buf_free(&plain);
	buf_free(&notes);
}
END_TEST

static void open_fails(const struct buf *b, int status, const char *needle)
{
	char *path, *spec = spec_of(b, &path);
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

/* The dump opens, but reading page PFN fails with STATUS and NEEDLE; others still read. */
static void page_fails(const struct buf *b, uint64_t pfn, int status, const char *needle)
{
	char *path, *spec = spec_of(b, &path);
	haywire_source *src = NULL;
	ck_assert_msg(haywire_source_open(spec, &src) == HAYWIRE_OK, "%s", haywire_last_error());
	uint8_t buf[KD_BLOCK];
	int st = haywire_source_read(src, pfn * KD_BLOCK, buf, KD_BLOCK, NULL);
	ck_assert_msg(st == status, "got %d (%s), want %d", st, haywire_last_error(), status);
	ck_assert_msg(strstr(haywire_last_error(), needle), "message \"%s\" lacks \"%s\"",
	              haywire_last_error(), needle);
	check_page(src, 9, 0);
	haywire_source_close(src);
	unlink(path);
	free(path);
	free(spec);
}

START_TEST(damaged_kdumps_fail_cleanly)
{
	struct kd_layout lay;
	struct buf good = kd_build(pages, NPAGES, 128, "x86_64", NULL, &lay), b = {0};
#define FRESH() (b.len = 0, buf_at(&b, 0, good.p, good.len))

	/* page descriptors: data past the end, oversized, raw but short, garbage zlib */
	FRESH();
	buf_le(&b, lay.desc + 0 * 24, 1ull << 40, 8);
	page_fails(&b, 1, HAYWIRE_E_CORRUPT, "runs past the end");
	FRESH();
	buf_le(&b, lay.desc + 0 * 24 + 8, KD_BLOCK + 1, 4);
	page_fails(&b, 1, HAYWIRE_E_CORRUPT, "bad descriptor");
	FRESH();
	buf_le(&b, lay.desc + 1 * 24 + 8, 100, 4);
	page_fails(&b, 2, HAYWIRE_E_CORRUPT, "bad descriptor");
	FRESH();
	buf_le(&b, lay.desc + 2 * 24, lay.desc, 8); /* points at descriptors, not zlib data */
	page_fails(&b, 3, HAYWIRE_E_CORRUPT, "does not decompress");
	FRESH();
	buf_le(&b, lay.desc + 0 * 24 + 12, 0x40, 4); /* an unknown compression flag only */
	page_fails(&b, 1, HAYWIRE_E_CORRUPT, "bad descriptor");

	/* header and bitmap damage */
	FRESH();
	buf_le(&b, 428, 4095, 4);
	open_fails(&b, HAYWIRE_E_CORRUPT, "block size");
	FRESH();
	buf_le(&b, 436, 0x10000000, 4); /* bitmap_blocks */
	open_fails(&b, HAYWIRE_E_LIMIT, "bitmap");
	FRESH();
	buf_le(&b, KD_BLOCK + 96, 1ull << 40, 8); /* max_mapnr beyond the bitmap */
	open_fails(&b, HAYWIRE_E_CORRUPT, "do not fit");
	FRESH();
	memset(b.p + lay.bitmap2, 0xff, KD_BLOCK / 2); /* 16384 frames "stored" */
	buf_le(&b, KD_BLOCK + 96, KD_BLOCK / 2 * 8, 8);
	open_fails(&b, HAYWIRE_E_CORRUPT, "room for");
	FRESH();
	memset(b.p + lay.bitmap2, 0, KD_BLOCK / 2); /* nothing stored */
	open_fails(&b, HAYWIRE_E_CORRUPT, "stored pages");
	FRESH();
	b.len = lay.bitmap2 + 10; /* truncated inside the bitmap */
	open_fails(&b, HAYWIRE_E_CORRUPT, "bitmap");
	FRESH();
	b.len = 300; /* truncated inside the header */
	open_fails(&b, HAYWIRE_E_CORRUPT, "truncated kdump header");
	FRESH();
	buf_le(&b, KD_BLOCK + 48, 1ull << 40, 8); /* note section past the end */
	buf_le(&b, KD_BLOCK + 56, 64, 8);
	open_fails(&b, HAYWIRE_E_CORRUPT, "note section");
	FRESH();
	buf_le(&b, KD_BLOCK + 56, 1ull << 40, 8);
	open_fails(&b, HAYWIRE_E_LIMIT, "notes");

	/* flattened damage: no end marker, a record past the end, overlapping records */
	struct buf flat = kd_flatten(&good, 3000);
	b.len = 0;
	buf_at(&b, 0, flat.p, flat.len - 16);
	open_fails(&b, HAYWIRE_E_CORRUPT, "end marker");
	b.len = 0;
	buf_at(&b, 0, flat.p, flat.len);
	buf_be(&b, 4096 + 8, 1ull << 40); /* first record's size */
	open_fails(&b, HAYWIRE_E_CORRUPT, "runs past the end");
	b.len = 0;
	buf_at(&b, 0, flat.p, flat.len);
	buf_be(&b, 4096, (uint64_t)-5); /* negative offset */
	open_fails(&b, HAYWIRE_E_CORRUPT, "negative");
	b.len = 0;
	buf_at(&b, 0, flat.p, 4096);
	for (int i = 0; i < 2; i++) { /* overlapping, not the same extent */
		buf_be(&b, b.len, (uint64_t)i * 512);
		buf_be(&b, b.len, 1024);
		buf_put(&b, good.p + i * 512, 1024);
	}
	buf_be(&b, b.len, UINT64_MAX);
	buf_be(&b, b.len, UINT64_MAX);
	open_fails(&b, HAYWIRE_E_CORRUPT, "overlap");
	b.len = 0;
	buf_at(&b, 0, flat.p, flat.len);
	buf_be(&b, 16, 2); /* type */
	open_fails(&b, HAYWIRE_E_UNSUPPORTED, "type 2");
	buf_free(&flat);
	buf_free(&b);
	buf_free(&good);
#undef FRESH
}
END_TEST

START_TEST(a_rewritten_flattened_record_wins)
{
	struct kd_layout lay;
	struct buf plain = kd_build(pages, NPAGES, 128, "x86_64", NULL, &lay);
	/* block-sized records; then the bitmap block again, without pfn 100 */
	struct buf flat = kd_flatten(&plain, KD_BLOCK);
	size_t block = lay.bitmap2 - KD_BLOCK / 2;
	ck_assert_uint_eq(block % KD_BLOCK, 0);
	uint8_t bitmaps[KD_BLOCK];
	memcpy(bitmaps, plain.p + block, KD_BLOCK);
	bitmaps[100 / 8] &= (uint8_t) ~(1u << (100 % 8));
	bitmaps[KD_BLOCK / 2 + 100 / 8] &= (uint8_t) ~(1u << (100 % 8));
	flat.len -= 16; /* reopen the stream before its end marker */
	buf_be(&flat, flat.len, block);
	buf_be(&flat, flat.len, KD_BLOCK);
	buf_put(&flat, bitmaps, KD_BLOCK);
	buf_be(&flat, flat.len, UINT64_MAX);
	buf_be(&flat, flat.len, UINT64_MAX);
	char *path, *spec = spec_of(&flat, &path);
	haywire_source *src = NULL;
	ck_assert_msg(haywire_source_open(spec, &src) == HAYWIRE_OK, "%s", haywire_last_error());
	ck_assert_uint_eq(haywire_source_ram_range_count(src), 2);
	uint8_t b;
	ck_assert_int_eq(haywire_source_read(src, 100 * KD_BLOCK, &b, 1, NULL), HAYWIRE_E_NOT_RAM);
	check_page(src, 9, 0);
	haywire_source_close(src);
	unlink(path);
	free(path);
	free(spec);
	buf_free(&plain);
	buf_free(&flat);
}
END_TEST

START_TEST(every_built_in_codec_decompresses)
{
	/* zlib always; lzo, snappy and zstd when both library and test have them */
	struct kd_page_spec codecs[] = {
		{1, KD_ZLIB},
#if defined(HW_TEST_LZO)
		{2, KD_LZO},
#endif
#if defined(HW_TEST_SNAPPY)
		{3, KD_SNAPPY},
#endif
#if defined(HW_TEST_ZSTD)
		{4, KD_ZSTD},
#endif
	};
	int n = (int)(sizeof codecs / sizeof codecs[0]);
	struct buf plain = kd_build(codecs, n, 64, "x86_64", NULL, NULL);
	char *path, *spec = spec_of(&plain, &path);
	haywire_source *src = NULL;
	ck_assert_msg(haywire_source_open(spec, &src) == HAYWIRE_OK, "%s", haywire_last_error());
	for (int i = 0; i < n; i++)
		check_page(src, codecs[i].pfn, 0);
	haywire_source_close(src);
	unlink(path);
	free(path);
	free(spec);
	buf_free(&plain);
}
END_TEST

struct reader {
	haywire_source *src;
	unsigned seed;
	int bad;
};

static void *read_pages(void *arg)
{
	struct reader *r = arg;
	uint8_t buf[KD_BLOCK];
	for (int round = 0; round < 2000; round++) {
		r->seed = r->seed * 1103515245 + 12345;
		const struct kd_page_spec *p = &pages[(r->seed >> 8) % NPAGES];
		uint64_t pa = p->pfn * KD_BLOCK;
		if (haywire_source_read(r->src, pa, buf, KD_BLOCK, NULL)) {
			r->bad++;
			continue;
		}
		for (unsigned i = 0; i < KD_BLOCK; i += 61)
			r->bad += buf[i] != (p->kind == KD_ZERO ? 0 : kd_byte(pa + i));
	}
	return NULL;
}

START_TEST(concurrent_reads_share_the_cache)
{
	struct buf plain = kd_build(pages, NPAGES, 128, "x86_64", NULL, NULL);
	struct buf flat = kd_flatten(&plain, 1000);
	char *path, *spec = spec_of(&flat, &path);
	haywire_source *src = NULL;
	ck_assert_int_eq(haywire_source_open(spec, &src), HAYWIRE_OK);
	pthread_t t[4];
	struct reader r[4];
	for (int i = 0; i < 4; i++) {
		r[i] = (struct reader){src, (unsigned)i * 7919u + 1, 0};
		ck_assert_int_eq(pthread_create(&t[i], NULL, read_pages, &r[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(r[i].bad, 0);
	}
	haywire_source_close(src);
	unlink(path);
	free(path);
	free(spec);
	buf_free(&plain);
	buf_free(&flat);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kdump");
	TCase *tc = tcase_create("kdump");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, plain_and_flattened_read_the_same_pages);
	tcase_add_test(tc, damaged_kdumps_fail_cleanly);
	tcase_add_test(tc, a_rewritten_flattened_record_wins);
	tcase_add_test(tc, every_built_in_codec_decompresses);
	tcase_add_test(tc, concurrent_reads_share_the_cache);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
