/* What the dump backends share: a read-only mapping of the file and range checks. */
#include "source/dump.h"

#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int hw_map_file(const char *kind, const char *path, struct hw_mapped_file *out)
{
	*out = (struct hw_mapped_file){0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hw_fail_errno(errno, "%s:%s: cannot open", kind, path);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int err = errno;
		close(fd);
		return hw_fail_errno(err, "%s:%s: cannot stat", kind, path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return hw_fail(HAYWIRE_E_INVALID, "%s:%s: not a regular file", kind, path);
	}
	if (st.st_size == 0) {
		close(fd);
		return hw_fail(HAYWIRE_E_CORRUPT, "%s:%s: file is empty", kind, path);
	}
	/* Private and read-only: the dump is never written, so no page is ever copied. */
	void *base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	int err = errno;
	close(fd);
	if (base == MAP_FAILED)
		return hw_fail_errno(err, "%s:%s: cannot map %lld bytes", kind, path,
		                     (long long)st.st_size);
	out->base = base;
	out->size = (uint64_t)st.st_size;
	return HAYWIRE_OK;
}

void hw_unmap_file(struct hw_mapped_file *m)
{
	if (m->base)
		munmap((void *)m->base, m->size);
	*m = (struct hw_mapped_file){0};
}

static int by_gpa(const void *a, const void *b)
{
	const struct hw_range *x = a, *y = b;
	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

/*
 * B (sorted after A) touches or overlaps A and its bytes come from the same
 * place as A's would: the union is one range. Covers neighbours and aliases
 * (ELF dumps with paging on repeat a physical block once per mapping).
 */
static int continues(const struct hw_range *a, const struct hw_range *b)
{
	uint64_t delta = b->gpa - a->gpa; /* b->gpa >= a->gpa: sorted */
	if (delta > a->size)
		return 0;
	if (a->host || b->host)
		return a->host && b->host && a->host + delta == b->host;
	return a->offset + delta == b->offset;
}

int hw_dump_ranges_finish(struct hw_range *r, uint64_t *n, const char *what)
{
	uint64_t count = *n;
	if (count == 0)
		return hw_fail(HAYWIRE_E_CORRUPT, "%s: the dump holds no memory", what);
	for (uint64_t i = 0; i < count; i++)
		if (r[i].size == 0 || r[i].gpa + r[i].size < r[i].gpa)
			return hw_fail(HAYWIRE_E_CORRUPT,
			               "%s: memory at PA 0x%llx of 0x%llx bytes wraps past 2^64", what,
			               (unsigned long long)r[i].gpa, (unsigned long long)r[i].size);
	qsort(r, count, sizeof *r, by_gpa);
	uint64_t out = 0;
	for (uint64_t i = 0; i < count; i++) {
		struct hw_range *last = out ? &r[out - 1] : NULL;
		if (last && continues(last, &r[i])) {
			uint64_t end = r[i].gpa + r[i].size;
			if (end > last->gpa + last->size)
				last->size = end - last->gpa;
		} else
			r[out++] = r[i];
	}
	*n = out;
	if (out > HW_MAX_RANGES)
		return hw_fail(HAYWIRE_E_LIMIT, "%s: %llu separate memory ranges, at most %d allowed",
		               what, (unsigned long long)out, HW_MAX_RANGES);
	int rc = hw_ranges_validate(r, out, what);
	if (rc == HAYWIRE_E_INVALID) {
		/* The listing came from the file, not the caller: it is corrupt. */
		char why[512];
		snprintf(why, sizeof why, "%s", haywire_last_error());
		return hw_fail(HAYWIRE_E_CORRUPT, "%s", why);
	}
	return rc;
}
