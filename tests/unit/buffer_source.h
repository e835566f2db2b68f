/*
 * A source whose RAM is a malloc'd buffer served only through the backend's
 * read callback (no zero-copy mapping), like a dump or a live QEMU: it
 * exercises the copying paths of the scanners.
 */
#ifndef HW_TEST_BUFFER_SOURCE_H
#define HW_TEST_BUFFER_SOURCE_H

#include "source/source_impl.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

struct buffer_ram {
	uint8_t *bytes;
	uint64_t size;
	uint64_t reads; /* calls to the read callback */
};

static inline int buffer_read(const haywire_source *src, const struct hw_range *r, uint64_t off,
                              void *buf, uint64_t len)
{
	struct buffer_ram *b = src->priv;
	b->reads++;
	ck_assert_uint_le(r->offset + off + len, b->size);
	memcpy(buf, b->bytes + r->offset + off, len);
	return HAYWIRE_OK;
}

static inline void buffer_destroy(haywire_source *src)
{
	struct buffer_ram *b = src->priv;
	free(b->bytes);
	free(b);
}

static const struct hw_source_ops buffer_ops = {
	.kind = "test-buffer",
	.read = buffer_read,
	.destroy = buffer_destroy,
};

/* A source of SIZE bytes of RAM at GPA, initially filled by FILL(offset). */
static inline haywire_source *buffer_source(uint64_t gpa, uint64_t size,
                                            uint8_t (*fill)(uint64_t), struct buffer_ram **ram)
{
	struct buffer_ram *b = calloc(1, sizeof *b);
	b->bytes = malloc(size);
	b->size = size;
	for (uint64_t i = 0; i < size; i++)
		b->bytes[i] = fill(i);
	struct hw_range *r = calloc(1, sizeof *r);
	r->gpa = gpa;
	r->size = size;
	haywire_source *src = NULL;
	ck_assert_int_eq(hw_source_new(&buffer_ops, b, r, 1, 0, &src), HAYWIRE_OK);
	*ram = b;
	return src;
}

#endif
