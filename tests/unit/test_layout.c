/* Layouts: every named machine, explicit ranges, and every malformed layout. */
#include "source/layout.h"
#include "testutil.h"

#define GiB (1ull << 30)
#define MiB (1ull << 20)

struct expect {
	uint64_t gpa, size, offset;
};

static void check_layout(const char *layout, uint64_t file_size, const struct expect *want,
                         uint64_t nwant)
{
	struct hw_range *r;
	uint64_t n;
	int st = hw_layout_parse(layout, file_size, &r, &n);
	ck_assert_msg(st == HAYWIRE_OK, "layout %s size 0x%llx: %s", layout,
	              (unsigned long long)file_size, haywire_last_error());
	ck_assert_uint_eq(n, nwant);
	for (uint64_t i = 0; i < n; i++) {
		ck_assert_uint_eq(r[i].gpa, want[i].gpa);
		ck_assert_uint_eq(r[i].size, want[i].size);
		ck_assert_uint_eq(r[i].offset, want[i].offset);
	}
	free(r);
}

static void check_bad(const char *layout, uint64_t file_size, int status, const char *needle)
{
	struct hw_range *r = (void *)1;
	uint64_t n = 99;
	int st = hw_layout_parse(layout, file_size, &r, &n);
	ck_assert_msg(st == status, "layout \"%s\": got %d (%s), want %d", layout, st,
	              haywire_last_error(), status);
	ck_assert_ptr_null(r);
	ck_assert_uint_eq(n, 0);
	ck_assert_msg(strstr(haywire_last_error(), needle), "message \"%s\" lacks \"%s\"",
	              haywire_last_error(), needle);
}

START_TEST(virt_puts_ram_at_1gib)
{
	check_layout("virt", 512 * MiB, (struct expect[]){{0x40000000, 512 * MiB, 0}}, 1);
}
END_TEST

START_TEST(flat_and_default_put_ram_at_0)
{
	check_layout("flat", 64 * MiB, (struct expect[]){{0, 64 * MiB, 0}}, 1);
	check_layout(NULL, 64 * MiB, (struct expect[]){{0, 64 * MiB, 0}}, 1);
}
END_TEST

START_TEST(q35_small_ram_is_all_low)
{
	check_layout("q35", 1 * GiB, (struct expect[]){{0, 1 * GiB, 0}}, 1);
	/* just under the threshold: 0xAFFFF000 stays below 4 GiB in one piece */
	check_layout("q35", 0xAFFFF000, (struct expect[]){{0, 0xAFFFF000, 0}}, 1);
}
END_TEST

START_TEST(q35_large_ram_keeps_2gib_low)
{
	/* at the threshold QEMU drops lowmem to 2 GiB */
	check_layout("q35", 0xB0000000,
	             (struct expect[]){{0, 2 * GiB, 0}, {4 * GiB, 0x30000000, 2 * GiB}}, 2);
	check_layout("q35", 8 * GiB, (struct expect[]){{0, 2 * GiB, 0}, {4 * GiB, 6 * GiB, 2 * GiB}},
	             2);
}
END_TEST

START_TEST(pc_keeps_3gib_low_when_large)
{
	check_layout("pc", 0xDFFFF000, (struct expect[]){{0, 0xDFFFF000, 0}}, 1);
	check_layout("pc", 0xE0000000,
	             (struct expect[]){{0, 3 * GiB, 0}, {4 * GiB, 0x20000000, 3 * GiB}}, 2);
	check_layout("pc", 4 * GiB, (struct expect[]){{0, 3 * GiB, 0}, {4 * GiB, 1 * GiB, 3 * GiB}},
	             2);
}
END_TEST

START_TEST(explicit_ranges_pack_and_sort)
{
	/* packed in written order, returned sorted by gpa; suffixes; explicit offset */
	check_layout("0x100000000:1M;0:64K;0x20000:4K@0x10000", 4 * MiB,
	             (struct expect[]){{0, 64 * 1024, 1 * MiB},
	                               {0x20000, 4096, 0x10000},
	                               {0x100000000, 1 * MiB, 0}},
	             3);
	check_layout("1G:2M@1M", 3 * MiB, (struct expect[]){{1 * GiB, 2 * MiB, 1 * MiB}}, 1);
}
END_TEST

START_TEST(bad_layouts_are_refused)
{
	check_bad("virtual", 4096, HAYWIRE_E_INVALID, "unknown layout");
	check_bad("0x1000", 4096, HAYWIRE_E_INVALID, "expected ':'");
	check_bad("0x1000:", 4096, HAYWIRE_E_INVALID, "expected a number for size");
	check_bad("0:4K;", 8192, HAYWIRE_E_INVALID, "expected a number");
	check_bad("0:4K@", 8192, HAYWIRE_E_INVALID, "file offset");
	check_bad("0:4Kx", 8192, HAYWIRE_E_INVALID, "unexpected");
	check_bad("0:0", 8192, HAYWIRE_E_INVALID, "empty range");
	check_bad("0:8K;0x1000:4K@0", 8192, HAYWIRE_E_INVALID, "overlaps");
	check_bad("0xFFFFFFFFFFFFF000:8K@0", 8192, HAYWIRE_E_INVALID, "wraps");
	check_bad("0:4K@0xFFFFFFFFFFFFF000", 8192, HAYWIRE_E_INVALID, "wraps");
	check_bad("0:99999999999999999999", 8192, HAYWIRE_E_INVALID, "64 bits");
	check_bad("0:0xFFFFFFFFFFFFT", 8192, HAYWIRE_E_INVALID, "64 bits");
	check_bad("0:16K", 8192, HAYWIRE_E_CORRUPT, "file is only");
	check_bad("0:4K@8K", 8192, HAYWIRE_E_CORRUPT, "file is only");
	check_bad("virt", 0, HAYWIRE_E_CORRUPT, "empty");
}
END_TEST

START_TEST(absurd_range_count_is_refused)
{
	size_t n = HW_MAX_RANGES + 1;
	char *text = malloc(n * 16 + 1), *p = text;
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%zu:1", i ? ";" : "", i * 2);
	check_bad(text, 1 << 20, HAYWIRE_E_INVALID, "at most");
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("layout");
	TCase *tc = tcase_create("layout");
	tcase_add_test(tc, virt_puts_ram_at_1gib);
	tcase_add_test(tc, flat_and_default_put_ram_at_0);
	tcase_add_test(tc, q35_small_ram_is_all_low);
	tcase_add_test(tc, q35_large_ram_keeps_2gib_low);
	tcase_add_test(tc, pc_keeps_3gib_low_when_large);
	tcase_add_test(tc, explicit_ranges_pack_and_sort);
	tcase_add_test(tc, bad_layouts_are_refused);
	tcase_add_test(tc, absurd_range_count_is_refused);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
