/*
 * LiME dumps: a sequence of (32-byte header, data) pairs, one per RAM range.
 * Header: u32 magic 0x4C694D45 ("EMiL" on disk), u32 version 1, u64 first
 * PA, u64 last PA (inclusive), 8 reserved bytes; all little-endian. The file
 * is mapped once and the ranges point into it.
 */
#include "source/dump.h"

#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIME_MAGIC 0x4C694D45u
#define LIME_HEADER 32

static void lime_destroy(haywire_source *src)
{
	struct hw_mapped_file *f = src->priv;
	hw_unmap_file(f);
	free(f);
}

static const struct hw_source_ops lime_ops = {
	.kind = "dump-lime",
	.read = NULL, /* every range is mapped */
	.destroy = lime_destroy,
};

static uint64_t get_le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int parse(const struct hw_mapped_file *f, const char *what, struct hw_range **out,
                 uint64_t *count)
{
	/* Each range costs at least a header and one byte: bounds the count before allocating. */
	uint64_t cap = f->size / (LIME_HEADER + 1) + 1;
	if (cap > HW_MAX_RANGES)
		cap = HW_MAX_RANGES;
	struct hw_range *r = calloc(cap, sizeof *r);
	if (!r)
		return hw_fail_nomem("LiME ranges");
	uint64_t n = 0, pos = 0;
	int rc = HAYWIRE_OK;
	while (pos < f->size) {
		const uint8_t *h = f->base + pos;
		if (f->size - pos < LIME_HEADER) {
			rc = hw_fail(HAYWIRE_E_CORRUPT, "%s: truncated range header at byte %llu", what,
			             (unsigned long long)pos);
			break;
		}
		if (get_le(h, 4) != LIME_MAGIC) {
			rc = hw_fail(HAYWIRE_E_CORRUPT, "%s: no LiME magic in the header at byte %llu",
			             what, (unsigned long long)pos);
			break;
		}
		if (get_le(h + 4, 4) != 1) {
			rc = hw_fail(HAYWIRE_E_UNSUPPORTED, "%s: LiME version %llu (only 1 is known)",
			             what, (unsigned long long)get_le(h + 4, 4));
			break;
		}
		uint64_t first = get_le(h + 8, 8), last = get_le(h + 16, 8);
		if (last < first || last - first == UINT64_MAX) {
			rc = hw_fail(HAYWIRE_E_CORRUPT,
			             "%s: range header at byte %llu: end 0x%llx is below start 0x%llx "
			             "or covers all of 2^64",
			             what, (unsigned long long)pos, (unsigned long long)last,
			             (unsigned long long)first);
			break;
		}
		uint64_t size = last - first + 1;
		uint64_t data = pos + LIME_HEADER;
		if (size > f->size - data) {
			rc = hw_fail(HAYWIRE_E_CORRUPT,
			             "%s: range at PA 0x%llx needs 0x%llx bytes but the file ends after "
			             "0x%llx",
			             what, (unsigned long long)first, (unsigned long long)size,
			             (unsigned long long)(f->size - data));
			break;
		}
		if (n == cap) {
			rc = hw_fail(HAYWIRE_E_LIMIT, "%s: more than %llu ranges", what,
			             (unsigned long long)cap);
			break;
		}
		r[n++] = (struct hw_range){.gpa = first, .size = size, .offset = data,
		                           .host = f->base + data};
		pos = data + size;
	}
	if (!rc)
		rc = hw_dump_ranges_finish(r, &n, what);
	if (rc) {
		free(r);
		return rc;
	}
	*out = r;
	*count = n;
	return HAYWIRE_OK;
}

int hw_dump_lime_open(const char *path, haywire_source **out)
{
	struct hw_mapped_file *f = calloc(1, sizeof *f);
	if (!f)
		return hw_fail_nomem("LiME dump state");
	int rc = hw_map_file("dump", path, f);
	if (rc) {
		free(f);
		return rc;
	}
	char what[512];
	snprintf(what, sizeof what, "dump:%s", path);
	struct hw_range *ranges = NULL;
	uint64_t n = 0;
	rc = parse(f, what, &ranges, &n);
	if (!rc)
		rc = hw_source_new(&lime_ops, f, ranges, n, HAYWIRE_SOURCE_ZERO_COPY, out);
	if (rc) {
		hw_unmap_file(f);
		free(f);
	}
	return rc;
}
