/* Helpers shared by the unit tests: synthetic RAM files with a known pattern. */
#ifndef HW_TESTUTIL_H
#define HW_TESTUTIL_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The byte every synthetic file holds at OFFSET: varies with every address bit. */
static inline uint8_t tu_pattern(uint64_t offset)
{
	uint64_t x = offset * 0x9E3779B97F4A7C15ull;
	return (uint8_t)(x >> 56) ^ (uint8_t)offset;
}

/*
 * Create a file of SIZE bytes in $TMPDIR (sparse past PATTERN_BYTES, which
 * hold tu_pattern). Returns a malloc'd path; the caller unlinks and frees it.
 */
static inline char *tu_make_file(uint64_t size, uint64_t pattern_bytes)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *path = malloc(strlen(dir) + 32);
	ck_assert_ptr_nonnull(path);
	sprintf(path, "%s/hw-test-XXXXXX", dir);
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)size), 0);
	uint8_t buf[65536];
	for (uint64_t off = 0; off < pattern_bytes && off < size; off += sizeof buf) {
		uint64_t n = size - off < sizeof buf ? size - off : sizeof buf;
		for (uint64_t i = 0; i < n; i++)
			buf[i] = tu_pattern(off + i);
		ck_assert_int_eq(pwrite(fd, buf, n, (off_t)off), (ssize_t)n);
	}
	close(fd);
	return path;
}

/* "PREFIX:PATH,layout=LAYOUT" (or without the layout part if LAYOUT is NULL). */
static inline char *tu_spec(const char *prefix, const char *path, const char *layout)
{
	size_t n = strlen(prefix) + strlen(path) + (layout ? strlen(layout) : 0) + 16;
	char *s = malloc(n);
	ck_assert_ptr_nonnull(s);
	if (layout)
		snprintf(s, n, "%s%s,layout=%s", prefix, path, layout);
	else
		snprintf(s, n, "%s%s", prefix, path);
	return s;
}

/* Run every test of S (each forked, so one crash fails only its test); the exit status. */
static inline int tu_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
