/*
 * haywire_kernel_open on guest images that hold no trustworthy kernel: each
 * gives a clear status and message, never a crash or a hang. (Real kernels
 * are opened in the guest suite.)
 */
#include <haywire/haywire.h>

#include "testutil.h"

#include <fcntl.h>

#define MiB (1ull << 20)

static int open_kernel(const char *spec, haywire_kernel **k)
{
	haywire_source *src = NULL;
	ck_assert_int_eq(haywire_source_open(spec, &src), HAYWIRE_OK);
	*k = (void *)1;
	int rc = haywire_kernel_open(src, NULL, k);
	if (rc)
		ck_assert_ptr_null(*k);
	haywire_kernel_close(*k);
	haywire_source_close(src);
	return rc;
}

static void write_at(const char *path, uint64_t off, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, data, len, (off_t)off), (ssize_t)len);
	close(fd);
}

/* A VMCOREINFO that parses, for an x86 kernel whose tables are not there. */
static const char vmcoreinfo[] =
    "OSRELEASE=6.1.0-99-amd64\nPAGESIZE=4096\nSYMBOL(init_uts_ns)=ffffffff82e0f1a0\n"
    "SYMBOL(_stext)=ffffffff81000000\nSYMBOL(init_top_pgt)=ffffffff82e0a000\n"
    "NUMBER(phys_base)=0\nNUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=0\n";

START_TEST(random_memory_has_no_kernel)
{
	char *path = tu_make_file(64 * MiB, 64 * MiB); /* pattern bytes everywhere */
	char *spec = tu_spec("file:", path, "q35");
	haywire_kernel *k;
	ck_assert_int_eq(open_kernel(spec, &k), HAYWIRE_E_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "no Linux kernel found"));
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "0 VMCOREINFO candidates"));
	/* a bare path: every QEMU layout is tried, and the message says so */
	ck_assert_int_eq(open_kernel(path, &k), HAYWIRE_E_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "each of the layouts"));
	unlink(path);
	free(spec);
	free(path);
}
END_TEST

START_TEST(vmcoreinfo_without_its_kernel_is_not_trusted)
{
	char *path = tu_make_file(64 * MiB, 0);
	write_at(path, 0x2345000, vmcoreinfo, sizeof vmcoreinfo);
	char *spec = tu_spec("file:", path, "q35");
	haywire_kernel *k;
	/* found, parsed, but its root does not translate init_uts_ns to its release */
	ck_assert_int_eq(open_kernel(spec, &k), HAYWIRE_E_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "1 VMCOREINFO candidates"));
	/* zeroed, as a kernel that wiped it would leave it */
	char zero[4096] = {0};
	write_at(path, 0x2345000, zero, sizeof zero);
	ck_assert_int_eq(open_kernel(spec, &k), HAYWIRE_E_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "0 VMCOREINFO candidates"));
	/* damaged: a copy that no longer parses is no candidate */
	write_at(path, 0x2345000, vmcoreinfo, sizeof vmcoreinfo);
	write_at(path, 0x2345000 + 40, "\x01\x02\x03", 3);
	ck_assert_int_eq(open_kernel(spec, &k), HAYWIRE_E_NOT_FOUND);
	unlink(path);
	free(spec);
	free(path);
}
END_TEST

START_TEST(null_arguments_are_refused)
{
	haywire_kernel *k = (void *)1;
	ck_assert_int_eq(haywire_kernel_open(NULL, NULL, &k), HAYWIRE_E_INVALID);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(haywire_kernel_open(NULL, NULL, NULL), HAYWIRE_E_INVALID);
	haywire_procs *p = (void *)1;
	ck_assert_int_eq(haywire_procs_snapshot(NULL, 0, &p), HAYWIRE_E_INVALID);
	ck_assert_ptr_null(p);
	haywire_kernel_close(NULL);
	haywire_procs_free(NULL);
	ck_assert_str_eq(haywire_kernel_release(NULL), "");
	ck_assert_uint_eq(haywire_procs_count(NULL), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kernel_open");
	TCase *tc = tcase_create("kernel_open");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, random_memory_has_no_kernel);
	tcase_add_test(tc, vmcoreinfo_without_its_kernel_is_not_trusted);
	tcase_add_test(tc, null_arguments_are_refused);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
