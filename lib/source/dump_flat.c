/*
 * The bytes of a kdump-compressed file at offsets of its plain ("KDUMP   ")
 * layout, whether it is stored plain or flattened.
 *
 * makedumpfile's flattened format (what QEMU writes for kdump-* formats) is
 * a 4096-byte header ("makedumpfile", type 1, version 1, big-endian) then
 * records of (be64 offset, be64 size, data) placing data in the plain
 * layout, ended by a record whose offset is -1. It is indexed, not copied:
 * one small entry per record, sorted by plain offset, and reads copy out of
 * the file's mapping. Bytes no record covers read as zeros, as holes in a
 * plain file would. A record that rewrites exactly the bytes of an earlier
 * one (makedumpfile updates its sub-header that way) replaces it; any other
 * overlap is corruption.
 */
#include "source/dump.h"

#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLAT_HEADER_SIZE 4096
#define FLAT_RECORD_HEADER 16
/* Caps: plain-layout size (16 TiB) and index entries (16 Mi, 384 MiB of index). */
#define FLAT_MAX_OFFSET (1ull << 44)
#define FLAT_MAX_RECORDS (1ull << 24)

struct hw_flat_record {
	uint64_t plain;  /* offset in the plain layout */
	uint64_t len;
	uint64_t stored; /* offset of the data in the flattened file */
	uint64_t seq;    /* position in the stream: later records win */
};

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int by_plain(const void *a, const void *b)
{
	const struct hw_flat_record *x = a, *y = b;
	if (x->plain != y->plain)
		return x->plain < y->plain ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Walk the records twice: count (bounding the index), then fill. */
static int index_records(struct hw_kd_view *v, const char *what)
{
	const uint8_t *b = v->file.base;
	uint64_t size = v->file.size;
	if (size < FLAT_HEADER_SIZE)
		return hw_fail(HAYWIRE_E_CORRUPT, "%s: truncated flattened header (%llu bytes)", what,
		               (unsigned long long)size);
	uint64_t type = get_be64(b + 16), version = get_be64(b + 24);
	if (type != 1 || version != 1)
		return hw_fail(HAYWIRE_E_UNSUPPORTED,
		               "%s: flattened dump of type %llu version %llu (only 1/1 is known)", what,
		               (unsigned long long)type, (unsigned long long)version);
	for (int pass = 0; pass < 2; pass++) {
		uint64_t pos = FLAT_HEADER_SIZE, n = 0;
		for (;;) { /* each record advances POS by at least 16 bytes */
			if (size - pos < FLAT_RECORD_HEADER)
				return hw_fail(HAYWIRE_E_CORRUPT,
				               "%s: flattened stream ends at byte %llu without its end "
				               "marker",
				               what, (unsigned long long)pos);
			int64_t off = (int64_t)get_be64(b + pos), len = (int64_t)get_be64(b + pos + 8);
			if (off == -1)
				break;
			pos += FLAT_RECORD_HEADER;
			if (off < 0 || len < 0 || (uint64_t)len > size - pos)
				return hw_fail(HAYWIRE_E_CORRUPT,
				               "%s: record at byte %llu (offset %lld, %lld bytes) is "
				               "negative or runs past the end of the %llu-byte file",
				               what, (unsigned long long)(pos - FLAT_RECORD_HEADER),
				               (long long)off, (long long)len, (unsigned long long)size);
			if ((uint64_t)off > FLAT_MAX_OFFSET ||
			    (uint64_t)len > FLAT_MAX_OFFSET - (uint64_t)off)
				return hw_fail(HAYWIRE_E_LIMIT,
				               "%s: record places data at byte %lld, beyond the %llu-byte "
				               "limit",
				               what, (long long)off, FLAT_MAX_OFFSET);
			if (len && pass == 1)
				v->rec[n] = (struct hw_flat_record){(uint64_t)off, (uint64_t)len, pos, n};
			n += len != 0;
			if (n > FLAT_MAX_RECORDS)
				return hw_fail(HAYWIRE_E_LIMIT, "%s: more than %llu flattened records",
				               what, FLAT_MAX_RECORDS);
			pos += (uint64_t)len;
		}
		if (pass == 0) {
			v->rec = malloc((n ? n : 1) * sizeof *v->rec);
			if (!v->rec)
				return hw_fail_nomem("flattened index");
		}
		v->nrec = n;
	}
	qsort(v->rec, v->nrec, sizeof *v->rec, by_plain);
	uint64_t kept = 0;
	for (uint64_t i = 0; i < v->nrec; i++) {
		struct hw_flat_record *last = kept ? &v->rec[kept - 1] : NULL;
		if (last && last->plain == v->rec[i].plain && last->len == v->rec[i].len) {
			*last = v->rec[i]; /* the same bytes written again: the later one */
			continue;
		}
		if (last && v->rec[i].plain < last->plain + last->len)
			return hw_fail(HAYWIRE_E_CORRUPT,
			               "%s: flattened records overlap at plain offset %llu", what,
			               (unsigned long long)v->rec[i].plain);
		v->rec[kept++] = v->rec[i];
		v->size = v->rec[i].plain + v->rec[i].len;
	}
	v->nrec = kept;
	return HAYWIRE_OK;
}

int hw_kd_view_open(const char *path, int flattened, struct hw_kd_view *v)
{
	*v = (struct hw_kd_view){0};
	int rc = hw_map_file("dump", path, &v->file);
	if (rc || !flattened) {
		v->size = v->file.size;
		return rc;
	}
	char what[512];
	snprintf(what, sizeof what, "dump:%s", path);
	if ((rc = index_records(v, what)))
		hw_kd_view_close(v);
	return rc;
}

void hw_kd_view_close(struct hw_kd_view *v)
{
	hw_unmap_file(&v->file);
	free(v->rec);
	*v = (struct hw_kd_view){0};
}

int hw_kd_view_read(const struct hw_kd_view *v, uint64_t off, void *buf, uint64_t len)
{
	if (off > v->size || len > v->size - off)
		return HAYWIRE_E_CORRUPT;
	if (!v->rec) {
		memcpy(buf, v->file.base + off, len);
		return HAYWIRE_OK;
	}
	/* The last record starting at or before OFF, then onwards. */
	uint64_t lo = 0, hi = v->nrec;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (v->rec[mid].plain <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint8_t *dst = buf;
	uint64_t i = lo ? lo - 1 : 0;
	while (len) {
		const struct hw_flat_record *r = i < v->nrec ? &v->rec[i] : NULL;
		uint64_t chunk;
		if (r && off >= r->plain && off - r->plain < r->len) {
			chunk = r->len - (off - r->plain);
			if (chunk > len)
				chunk = len;
			memcpy(dst, v->file.base + r->stored + (off - r->plain), chunk);
			i++;
		} else { /* a hole up to the next record */
			if (r && off >= r->plain) {
				i++;
				continue;
			}
			chunk = r ? r->plain - off : len;
			if (chunk > len)
				chunk = len;
			memset(dst, 0, chunk);
		}
		dst += chunk, off += chunk, len -= chunk;
	}
	return HAYWIRE_OK;
}
