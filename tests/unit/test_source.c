/* RAM-file sources through the public API: specs, reads, mapping, bad input, threads. */
#include <haywire/haywire.h>

#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>

#define MiB (1ull << 20)

static haywire_source *open_ok(const char *spec)
{
	haywire_source *src = NULL;
	int st = haywire_source_open(spec, &src);
	ck_assert_msg(st == HAYWIRE_OK, "open %s: %s", spec, haywire_last_error());
	ck_assert_ptr_nonnull(src);
	return src;
}

static void open_fails(const char *spec, int status, const char *needle)
{
	haywire_source *src = (void *)1;
	int st = haywire_source_open(spec, &src);
	ck_assert_msg(st == status, "open \"%s\": got %d (%s), want %d", spec, st,
	              haywire_last_error(), status);
	ck_assert_ptr_null(src);
	ck_assert_int_eq(haywire_last_status(), status);
	ck_assert_msg(strstr(haywire_last_error(), needle), "message \"%s\" lacks \"%s\"",
	              haywire_last_error(), needle);
}

/* Every byte of [PA, PA+LEN) reads back as the file's byte at OFFSET. */
static void assert_reads_file(haywire_source *src, uint64_t pa, uint64_t offset, uint64_t len)
{
	uint8_t *buf = malloc(len);
	uint64_t done = 0;
	ck_assert_int_eq(haywire_source_read(src, pa, buf, len, &done), HAYWIRE_OK);
	ck_assert_uint_eq(done, len);
	for (uint64_t i = 0; i < len; i++)
		ck_assert_msg(buf[i] == tu_pattern(offset + i), "PA 0x%llx",
		              (unsigned long long)(pa + i));
	free(buf);
}

START_TEST(virt_layout_reads_file_at_1gib)
{
	char *path = tu_make_file(4 * MiB, 4 * MiB);
	char *spec = tu_spec("file:", path, "virt");
	haywire_source *src = open_ok(spec);
	ck_assert_str_eq(haywire_source_kind(src), "file");
	ck_assert_uint_eq(haywire_source_flags(src) & HAYWIRE_SOURCE_ZERO_COPY,
	                  HAYWIRE_SOURCE_ZERO_COPY);
	ck_assert_uint_eq(haywire_source_flags(src) & HAYWIRE_SOURCE_LAYOUT_GUESSED, 0);
	ck_assert_uint_eq(haywire_source_ram_size(src), 4 * MiB);

	haywire_ram_range r[2];
	uint64_t n = 0;
	ck_assert_int_eq(haywire_source_ram_ranges(src, r, 2, &n), HAYWIRE_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(r[0].gpa, 0x40000000);
	ck_assert_uint_eq(r[0].size, 4 * MiB);

	assert_reads_file(src, 0x40000000, 0, 4096);
	assert_reads_file(src, 0x40000000 + 3 * MiB + 17, 3 * MiB + 17, 5000);

	/* PA 0 is not RAM on virt: nothing copied, buffer untouched */
	uint8_t buf[64];
	memset(buf, 0xAA, sizeof buf);
	uint64_t done = 1;
	ck_assert_int_eq(haywire_source_read(src, 0, buf, sizeof buf, &done), HAYWIRE_E_NOT_RAM);
	ck_assert_uint_eq(done, 0);
	ck_assert_uint_eq(buf[0], 0xAA);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "not RAM"));

	/* a read running past the end copies what is RAM and says where it stopped */
	ck_assert_int_eq(haywire_source_read(src, 0x40000000 + 4 * MiB - 10, buf, 64, &done),
	                 HAYWIRE_E_NOT_RAM);
	ck_assert_uint_eq(done, 10);
	for (int i = 0; i < 10; i++)
		ck_assert_uint_eq(buf[i], tu_pattern(4 * MiB - 10 + i));
	ck_assert_uint_eq(buf[10], 0xAA);

	haywire_source_close(src);
	unlink(path);
	free(spec);
	free(path);
}
END_TEST

START_TEST(explicit_ranges_read_across_holes_and_neighbours)
{
	char *path = tu_make_file(64 * 1024, 64 * 1024);
	/* [0x1000,0x3000) from file 0x8000, then adjacent [0x3000,0x4000) from file 0,
	 * then a hole, then [0x10000,0x11000) from file 0x2000 */
	char *spec = tu_spec("file:", path, "0x1000:8K@0x8000;0x3000:4K@0;0x10000:4K@0x2000");
	haywire_source *src = open_ok(spec);
	ck_assert_uint_eq(haywire_source_ram_range_count(src), 3);

	/* one read spanning two adjacent ranges with unrelated file offsets */
	uint8_t buf[0x2000];
	uint64_t done;
	ck_assert_int_eq(haywire_source_read(src, 0x2800, buf, 0x1000, &done), HAYWIRE_OK);
	for (int i = 0; i < 0x800; i++)
		ck_assert_uint_eq(buf[i], tu_pattern(0x8000 + 0x1800 + i));
	for (int i = 0x800; i < 0x1000; i++)
		ck_assert_uint_eq(buf[i], tu_pattern(i - 0x800));

	/* into the hole */
	ck_assert_int_eq(haywire_source_read(src, 0x3800, buf, 0x1000, &done), HAYWIRE_E_NOT_RAM);
	ck_assert_uint_eq(done, 0x800);
	assert_reads_file(src, 0x10000, 0x2000, 0x1000);

	ck_assert_int_eq(haywire_source_is_ram(src, 0x1000, 0x3000), 1);
	ck_assert_int_eq(haywire_source_is_ram(src, 0x1000, 0x3001), 0);
	ck_assert_int_eq(haywire_source_is_ram(src, 0x0fff, 2), 0);
	ck_assert_int_eq(haywire_source_is_ram(src, 0x10fff, 1), 1);

	/* copy-out with a short buffer reports the total */
	haywire_ram_range r[1];
	uint64_t n = 0;
	ck_assert_int_eq(haywire_source_ram_ranges(src, r, 1, &n), HAYWIRE_E_RANGE);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(r[0].gpa, 0x1000);
	ck_assert_int_eq(haywire_source_ram_ranges(src, NULL, 0, &n), HAYWIRE_E_RANGE);
	ck_assert_uint_eq(n, 3);

	haywire_source_close(src);
	unlink(path);
	free(spec);
	free(path);
}
END_TEST

START_TEST(map_gives_the_files_bytes_without_copy)
{
	char *path = tu_make_file(1 * MiB, 1 * MiB);
	char *spec = tu_spec("file:", path, "0:512K;0x100000:512K");
	haywire_source *src = open_ok(spec);
	const void *p = NULL;
	ck_assert_int_eq(haywire_source_map(src, 0x100000 + 100, 4096, &p), HAYWIRE_OK);
	ck_assert_uint_eq(((const uint8_t *)p)[0], tu_pattern(512 * 1024 + 100));
	/* not one range: refused rather than silently crossing */
	ck_assert_int_eq(haywire_source_map(src, 512 * 1024 - 8, 16, &p), HAYWIRE_E_NOT_RAM);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(haywire_source_map(src, 0x200000, 1, &p), HAYWIRE_E_NOT_RAM);

	/* a write to the file (a running guest) shows through the shared mapping */
	ck_assert_int_eq(haywire_source_map(src, 0x100000, 8, &p), HAYWIRE_OK);
	int fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, "LIVEDATA", 8, 512 * 1024), 8);
	close(fd);
	ck_assert_int_eq(memcmp(p, "LIVEDATA", 8), 0);
	char got[8];
	ck_assert_int_eq(haywire_source_read(src, 0x100000, got, 8, NULL), HAYWIRE_OK);
	ck_assert_int_eq(memcmp(got, "LIVEDATA", 8), 0);

	haywire_source_close(src);
	unlink(path);
	free(spec);
	free(path);
}
END_TEST

START_TEST(bare_path_is_a_guessed_flat_ram_file)
{
	char *path = tu_make_file(64 * 1024, 64 * 1024);
	haywire_source *src = open_ok(path);
	ck_assert_uint_eq(haywire_source_flags(src) & HAYWIRE_SOURCE_LAYOUT_GUESSED,
	                  HAYWIRE_SOURCE_LAYOUT_GUESSED);
	assert_reads_file(src, 0, 0, 64 * 1024);
	const char *text;
	uint64_t len;
	ck_assert_int_eq(haywire_source_vmcoreinfo(src, &text, &len), HAYWIRE_E_NOT_FOUND);
	ck_assert_uint_eq(haywire_source_cpu_count(src), 0);
	haywire_cpu_state cpu = {.struct_size = sizeof cpu};
	ck_assert_int_eq(haywire_source_cpu_state(src, 0, &cpu), HAYWIRE_E_NOT_FOUND);
	cpu.struct_size = 0;
	ck_assert_int_eq(haywire_source_cpu_state(src, 0, &cpu), HAYWIRE_E_INVALID);
	haywire_source_close(src);
	haywire_source_close(NULL); /* NULL-safe */
	unlink(path);
	free(path);
}
END_TEST

START_TEST(bad_specs_each_have_a_status_and_message)
{
	char *path = tu_make_file(8192, 8192);
	char *empty = tu_make_file(0, 0);
	char spec[512];

	open_fails("", HAYWIRE_E_INVALID, "empty spec");
	open_fails("file:", HAYWIRE_E_INVALID, "no path");
	open_fails("file:,layout=virt", HAYWIRE_E_INVALID, "no path");
	open_fails("file:/nonexistent/haywire/ram", HAYWIRE_E_NOT_FOUND, "No such file");
	open_fails("/nonexistent/haywire/ram", HAYWIRE_E_NOT_FOUND, "No such file");
	open_fails("file:/tmp", HAYWIRE_E_INVALID, "not a regular file");
	open_fails("bogus:thing", HAYWIRE_E_INVALID, "unknown source type");
	snprintf(spec, sizeof spec, "file:%s", empty);
	open_fails(spec, HAYWIRE_E_CORRUPT, "empty");
	snprintf(spec, sizeof spec, "file:%s,layout=nosuch", path);
	open_fails(spec, HAYWIRE_E_INVALID, "unknown layout");
	snprintf(spec, sizeof spec, "file:%s,layout=", path);
	open_fails(spec, HAYWIRE_E_INVALID, "empty layout");
	snprintf(spec, sizeof spec, "file:%s,layout=0:16K", path);
	open_fails(spec, HAYWIRE_E_CORRUPT, "file is only");
	snprintf(spec, sizeof spec, "file:%s,layout=0:8K;4K:4K@0", path);
	open_fails(spec, HAYWIRE_E_INVALID, "overlaps");
	snprintf(spec, sizeof spec, "file:%s,layout=0xFFFFFFFFFFFFF000:8K@0", path);
	open_fails(spec, HAYWIRE_E_INVALID, "wraps");
	snprintf(spec, sizeof spec, "file:%s,layout=0:zz", path);
	open_fails(spec, HAYWIRE_E_INVALID, "expected a number");
	snprintf(spec, sizeof spec, "dump:%s", path);
	open_fails(spec, HAYWIRE_E_FORMAT, "not a recognised dump");
	open_fails("dump:", HAYWIRE_E_INVALID, "no path");

	haywire_source *src;
	ck_assert_int_eq(haywire_source_open(NULL, &src), HAYWIRE_E_INVALID);
	ck_assert_int_eq(haywire_source_open(path, NULL), HAYWIRE_E_INVALID);
	ck_assert_int_eq(haywire_source_read(NULL, 0, spec, 1, NULL), HAYWIRE_E_INVALID);

	unlink(path);
	unlink(empty);
	free(path);
	free(empty);
}
END_TEST

START_TEST(errors_are_per_thread)
{
	haywire_source *src;
	haywire_source_open("file:/nonexistent/x", &src);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "/nonexistent/x"));
	ck_assert_str_eq(haywire_strerror(HAYWIRE_E_NOT_RAM), "address not backed by RAM");
	ck_assert_str_eq(haywire_status_name(HAYWIRE_E_PROTOCOL), "HAYWIRE_E_PROTOCOL");
	ck_assert_ptr_null(haywire_status_name(-999));
	ck_assert_str_eq(haywire_strerror(-999), "unknown status");
	ck_assert_uint_eq(haywire_version(), HAYWIRE_VERSION);
	ck_assert_str_eq(haywire_version_string(), "0.1.0");
}
END_TEST

struct reader {
	haywire_source *src;
	unsigned seed;
	int bad;
};

static void *read_randomly(void *arg)
{
	struct reader *r = arg;
	uint8_t buf[4096];
	for (int i = 0; i < 20000; i++) {
		uint64_t off = (uint64_t)rand_r(&r->seed) % (8 * MiB - sizeof buf);
		uint64_t len = 1 + (uint64_t)rand_r(&r->seed) % sizeof buf;
		uint64_t done;
		if (haywire_source_read(r->src, 0x40000000 + off, buf, len, &done) || done != len) {
			r->bad++;
			continue;
		}
		for (uint64_t j = 0; j < len; j += 97)
			r->bad += buf[j] != tu_pattern(off + j);
	}
	return NULL;
}

START_TEST(concurrent_reads_agree)
{
	char *path = tu_make_file(8 * MiB, 8 * MiB);
	char *spec = tu_spec("file:", path, "virt");
	haywire_source *src = open_ok(spec);
	enum { THREADS = 8 };
	pthread_t t[THREADS];
	struct reader r[THREADS];
	for (int i = 0; i < THREADS; i++) {
		r[i] = (struct reader){.src = src, .seed = (unsigned)i * 7919u + 1};
		ck_assert_int_eq(pthread_create(&t[i], NULL, read_randomly, &r[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(r[i].bad, 0);
	}
	haywire_source_close(src);
	unlink(path);
	free(spec);
	free(path);
}
END_TEST

START_TEST(large_sparse_q35_file_splits_at_4gib)
{
	/* 3 GiB sparse: q35 keeps 2 GiB low and puts 1 GiB at 4 GiB */
	char *path = tu_make_file(3ull << 30, 4096);
	int fd = open(path, O_WRONLY);
	ck_assert_int_eq(pwrite(fd, "HIGHRAM!", 8, (off_t)(2ull << 30)), 8);
	close(fd);
	char *spec = tu_spec("file:", path, "q35");
	haywire_source *src = open_ok(spec);
	ck_assert_uint_eq(haywire_source_ram_range_count(src), 2);
	char got[8];
	ck_assert_int_eq(haywire_source_read(src, 4ull << 30, got, 8, NULL), HAYWIRE_OK);
	ck_assert_int_eq(memcmp(got, "HIGHRAM!", 8), 0);
	ck_assert_int_eq(haywire_source_read(src, 3ull << 30, got, 8, NULL), HAYWIRE_E_NOT_RAM);
	assert_reads_file(src, 0, 0, 4096);
	haywire_source_close(src);
	unlink(path);
	free(spec);
	free(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("source");
	TCase *tc = tcase_create("ramfile");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, virt_layout_reads_file_at_1gib);
	tcase_add_test(tc, explicit_ranges_read_across_holes_and_neighbours);
	tcase_add_test(tc, map_gives_the_files_bytes_without_copy);
	tcase_add_test(tc, bare_path_is_a_guessed_flat_ram_file);
	tcase_add_test(tc, bad_specs_each_have_a_status_and_message);
	tcase_add_test(tc, errors_are_per_thread);
	tcase_add_test(tc, concurrent_reads_agree);
	tcase_add_test(tc, large_sparse_q35_file_splits_at_4gib);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
