/*
 * RAM-file backend: a QEMU memory-backend-file (or any raw image) mapped
 * read-only and shared, so a running guest's writes show through.
 */
#include "source/layout.h"
#include "source/source_impl.h"

#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct ramfile {
	void *base;
	uint64_t length;
	char *path; /* kept so the kernel layer can try other layouts */
	int fd;     /* kept for SEEK_DATA: scans skip a sparse file's holes */
};

static void ramfile_destroy(haywire_source *src)
{
	struct ramfile *rf = src->priv;
	if (rf->base)
		munmap(rf->base, rf->length);
	free(rf->path);
	close(rf->fd);
	free(rf);
}

static int ramfile_data_extent(const haywire_source *src, const struct hw_range *r,
                               uint64_t off, uint64_t *start, uint64_t *end)
{
	const struct ramfile *rf = src->priv;
	off_t data = lseek(rf->fd, (off_t)(r->offset + off), SEEK_DATA);
	if (data < 0) /* ENXIO: only a hole follows; anything else: assume data */
		return errno == ENXIO ? 1 : (*start = off, *end = r->size, 0);
	if ((uint64_t)data >= r->offset + r->size)
		return 1;
	off_t hole = lseek(rf->fd, data, SEEK_HOLE);
	uint64_t hole_end = hole < 0 ? r->offset + r->size : (uint64_t)hole;
	*start = (uint64_t)data - r->offset;
	*end = hole_end > r->offset + r->size ? r->size : hole_end - r->offset;
	return 0;
}

static const struct hw_source_ops ramfile_ops = {
	.kind = "file",
	.read = NULL, /* every range is mapped */
	.destroy = ramfile_destroy,
	.data_extent = ramfile_data_extent,
};

int hw_ramfile_open(const char *path, const char *layout, haywire_source **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hw_fail_errno(errno, "file:%s: cannot open", path);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int err = errno;
		close(fd);
		return hw_fail_errno(err, "file:%s: cannot stat", path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return hw_fail(HAYWIRE_E_INVALID, "file:%s: not a regular file", path);
	}
	uint64_t size = (uint64_t)st.st_size;

	struct hw_range *ranges;
	uint64_t n;
	int rc = hw_layout_parse(layout, size, &ranges, &n);
	if (rc) {
		close(fd);
		return rc; /* message names the layout problem */
	}

	void *base = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	int err = errno;
	if (base == MAP_FAILED) {
		close(fd);
		free(ranges);
		return hw_fail_errno(err, "file:%s: cannot map %llu bytes", path,
		                     (unsigned long long)size);
	}
	for (uint64_t i = 0; i < n; i++)
		ranges[i].host = (const uint8_t *)base + ranges[i].offset;

	struct ramfile *rf = malloc(sizeof *rf);
	char *copy = strdup(path);
	if (!rf || !copy) {
		free(rf);
		free(copy);
		munmap(base, size);
		close(fd);
		free(ranges);
		return hw_fail_nomem("RAM file state");
	}
	*rf = (struct ramfile){.base = base, .length = size, .path = copy, .fd = fd};
	uint32_t flags = HAYWIRE_SOURCE_ZERO_COPY;
	if (!layout || !*layout)
		flags |= HAYWIRE_SOURCE_LAYOUT_GUESSED;
	rc = hw_source_new(&ramfile_ops, rf, ranges, n, flags, out);
	if (rc) {
		munmap(base, size);
		close(fd);
		free(rf->path);
		free(rf);
	}
	return rc;
}

int hw_ramfile_relayout(const haywire_source *src, const char *layout, haywire_source **out)
{
	*out = NULL;
	if (src->ops != &ramfile_ops)
		return hw_fail(HAYWIRE_E_UNSUPPORTED, "only RAM files can take another layout");
	const struct ramfile *rf = src->priv;
	return hw_ramfile_open(rf->path, layout, out);
}
