/*
 * kdump-compressed dumps ("KDUMP   ", as QEMU's kdump-zlib/-lzo/-snappy and
 * makedumpfile write them), plain or flattened.
 *
 * Layout (the plain one; a flattened file is read through its index):
 *   block 0                disk_dump_header (packed, little-endian)
 *   block 1..              kdump_sub_header: notes, VMCOREINFO, 64-bit counts
 *   after sub_hdr_size     bitmap_blocks blocks: 1st bitmap (RAM), 2nd bitmap
 *                          (pages stored), one bit per page frame
 *   then                   one 24-byte page descriptor per stored page, in
 *                          frame order: u64 offset, u32 size, u32 flags, u64
 *   then                   page data, each compressed or raw (flags say)
 *
 * RAM ranges are the runs of stored pages. Page k's descriptor is found by
 * counting set bits before it (prefix counts every 512 frames keep that
 * cheap). Pages are decompressed on demand into a small direct-mapped cache
 * guarded by one mutex; decompression itself runs outside the lock, so
 * reads from many threads proceed in parallel.
 *
 * libkdumpfile is not used: 0.5.1 (Debian 12) frees attributes twice in
 * kdump_free() for every diskdump file (drgn issue #280), which corrupts the
 * heap of a long-lived process.
 *
 * VMCOREINFO and vCPU registers come from the note section, parsed like an
 * ELF dump's. The header's phys_base is not used.
 */
#include "source/dump.h"

#include "core/error.h"

#include <stdio.h>

#ifndef HW_HAVE_KDUMP

int hw_dump_kdump_open(const char *path, int flattened, haywire_source **out)
{
	return hw_fail(HAYWIRE_E_UNSUPPORTED,
	               "dump:%s: a %s dump; this build has no kdump support (needs zlib)", path,
	               flattened ? "flattened kdump" : "kdump-compressed");
}

#else

#include <elf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#ifdef HW_HAVE_LZO
#include <lzo/lzo1x.h>
#endif
#ifdef HW_HAVE_SNAPPY
#include <snappy-c.h>
#endif
#ifdef HW_HAVE_ZSTD
#include <zstd.h>
#endif

#ifdef HW_HAVE_LZO
static void lzo_init_once(void)
{
	lzo_init();
}
#endif

/* Packed disk_dump_header (64-bit targets) and kdump_sub_header offsets. */
#define DH_SIZE 464
#define DH_VERSION 8
#define DH_MACHINE (12 + 4 * 65)
#define DH_BLOCK_SIZE 428
#define DH_SUB_HDR_SIZE 432
#define DH_BITMAP_BLOCKS 436
#define DH_MAX_MAPNR 440
#define SH_OFFSET_VMCOREINFO 32
#define SH_SIZE_VMCOREINFO 40
#define SH_OFFSET_NOTE 48
#define SH_NOTE_SIZE 56
#define SH_MAX_MAPNR_64 96
#define SH_SIZE 104

#define PD_SIZE 24
#define PD_ZLIB 0x1u
#define PD_LZO 0x2u
#define PD_SNAPPY 0x4u
#define PD_ZSTD 0x20u

/* Bitmap cap (2nd half 64 MiB: 2 TiB of 4 KiB pages); cache size in bytes. */
#define MAX_BITMAP (128ull << 20)
#define CACHE_BYTES (4u << 20)
#define CACHE_MIN_SLOTS 16u
#define RANK_STRIDE 512 /* frames per prefix count */

struct kdump_dump {
	struct hw_kd_view view;
	uint64_t page_size;
	unsigned page_shift;
	uint64_t max_mapnr;
	uint8_t *bitmap;     /* 2nd bitmap: pages stored */
	uint64_t *rank;      /* set bits before frame i * RANK_STRIDE */
	uint64_t desc_base;  /* plain offset of descriptor 0 */
	pthread_mutex_t lock;
	uint32_t nslots;
	uint64_t *slot_tag;  /* pfn + 1 of the page held, 0 if empty */
	uint8_t *slot_data;  /* nslots pages */
};

static uint64_t get_le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int bit(const uint8_t *map, uint64_t i)
{
	return map[i >> 3] >> (i & 7) & 1;
}

/* Index of PFN's descriptor: stored pages before it. */
static uint64_t rank_of(const struct kdump_dump *d, uint64_t pfn)
{
	uint64_t k = pfn / RANK_STRIDE, n = d->rank[k];
	for (uint64_t i = k * RANK_STRIDE; i < pfn; i++) /* < 512 rounds */
		n += (uint64_t)bit(d->bitmap, i);
	return n;
}

static const char *codec_name(uint32_t flags)
{
	return flags == PD_ZLIB     ? "zlib"
	       : flags == PD_LZO    ? "lzo"
	       : flags == PD_SNAPPY ? "snappy"
	       : flags == PD_ZSTD   ? "zstd"
	                            : "an unknown method";
}

/* Decompress IN (LEN bytes, codec FLAGS) into exactly one page at OUT. */
static int decompress(uint32_t flags, const uint8_t *in, uint64_t len, uint8_t *out,
                      uint64_t page)
{
	switch (flags) {
	case PD_ZLIB: {
		uLongf got = page;
		return uncompress(out, &got, in, len) == Z_OK && got == page;
	}
#ifdef HW_HAVE_LZO
	case PD_LZO: {
		lzo_uint got = page;
		return lzo1x_decompress_safe(in, len, out, &got, NULL) == LZO_E_OK && got == page;
	}
#endif
#ifdef HW_HAVE_SNAPPY
	case PD_SNAPPY: {
		size_t got = page;
		return snappy_uncompress((const char *)in, len, (char *)out, &got) == SNAPPY_OK &&
		       got == page;
	}
#endif
#ifdef HW_HAVE_ZSTD
	case PD_ZSTD: {
		size_t got = ZSTD_decompress(out, page, in, len);
		return !ZSTD_isError(got) && got == page;
	}
#endif
	default:
		return -1; /* not in this build */
	}
}

/* Load page PFN (a stored page) into PAGE, using SCRATCH for compressed bytes. */
static int load_page(const struct kdump_dump *d, uint64_t pfn, uint8_t *page, uint8_t *scratch)
{
	uint64_t pa = pfn << d->page_shift;
	uint8_t pd[PD_SIZE];
	uint64_t at = d->desc_base + rank_of(d, pfn) * PD_SIZE;
	if (hw_kd_view_read(&d->view, at, pd, PD_SIZE))
		return hw_fail(HAYWIRE_E_CORRUPT, "dump-kdump: descriptor of PA 0x%llx is past the end",
		               (unsigned long long)pa);
	uint64_t off = get_le(pd, 8), size = get_le(pd + 8, 4);
	uint32_t flags = (uint32_t)get_le(pd + 12, 4) & (PD_ZLIB | PD_LZO | PD_SNAPPY | PD_ZSTD);
	if (size == 0 || size > d->page_size || (!flags && size != d->page_size))
		return hw_fail(HAYWIRE_E_CORRUPT,
		               "dump-kdump: page at PA 0x%llx has a bad descriptor (%llu bytes, flags "
		               "0x%x)",
		               (unsigned long long)pa, (unsigned long long)size, flags);
	uint8_t *dst = flags ? scratch : page;
	if (hw_kd_view_read(&d->view, off, dst, size))
		return hw_fail(HAYWIRE_E_CORRUPT,
		               "dump-kdump: page at PA 0x%llx (%llu bytes at %llu) runs past the end "
		               "of the dump",
		               (unsigned long long)pa, (unsigned long long)size,
		               (unsigned long long)off);
	if (!flags)
		return HAYWIRE_OK;
	int ok = decompress(flags, scratch, size, page, d->page_size);
	if (ok < 0)
		return hw_fail(HAYWIRE_E_UNSUPPORTED,
		               "dump-kdump: page at PA 0x%llx is compressed with %s, which this build "
		               "cannot decompress",
		               (unsigned long long)pa, codec_name(flags));
	if (!ok)
		return hw_fail(HAYWIRE_E_CORRUPT,
		               "dump-kdump: page at PA 0x%llx does not decompress (%s) to %llu bytes",
		               (unsigned long long)pa, codec_name(flags),
		               (unsigned long long)d->page_size);
	return HAYWIRE_OK;
}

static int kdump_read(const haywire_source *src, const struct hw_range *r, uint64_t off,
                      void *buf, uint64_t len)
{
	struct kdump_dump *d = src->priv;
	uint64_t pa = r->gpa + off;
	uint8_t *dst = buf, *work = NULL; /* two pages: decompressed, compressed */
	int rc = HAYWIRE_OK;
	while (len) {
		uint64_t pfn = pa >> d->page_shift, in_page = pa & (d->page_size - 1);
		uint64_t chunk = d->page_size - in_page < len ? d->page_size - in_page : len;
		uint32_t slot = (uint32_t)(((pfn * 0x9E3779B97F4A7C15ull) >> 32) % d->nslots);
		uint8_t *cached = d->slot_data + (uint64_t)slot * d->page_size;
		pthread_mutex_lock(&d->lock);
		int hit = d->slot_tag[slot] == pfn + 1;
		if (hit)
			memcpy(dst, cached + in_page, chunk);
		pthread_mutex_unlock(&d->lock);
		if (!hit) {
			if (!work && !(work = malloc(2 * d->page_size))) {
				rc = hw_fail_nomem("kdump page buffer");
				break;
			}
			if ((rc = load_page(d, pfn, work, work + d->page_size)))
				break;
			memcpy(dst, work + in_page, chunk);
			pthread_mutex_lock(&d->lock);
			memcpy(cached, work, d->page_size);
			d->slot_tag[slot] = pfn + 1;
			pthread_mutex_unlock(&d->lock);
		}
		dst += chunk, pa += chunk, len -= chunk;
	}
	free(work);
	return rc;
}

static void kdump_state_free(struct kdump_dump *d)
{
	hw_kd_view_close(&d->view);
	pthread_mutex_destroy(&d->lock);
	free(d->bitmap);
	free(d->rank);
	free(d->slot_tag);
	free(d->slot_data);
	free(d);
}

static void kdump_destroy(haywire_source *src)
{
	kdump_state_free(src->priv);
}

static const struct hw_source_ops kdump_ops = {
	.kind = "dump-kdump",
	.read = kdump_read,
	.destroy = kdump_destroy,
};

/* Which registers the notes hold: the header's machine, else the PRSTATUS size. */
static uint16_t machine_of(const uint8_t *dh, const uint8_t *notes, uint64_t len)
{
	char name[66] = {0};
	memcpy(name, dh + DH_MACHINE, 65);
	if (!strcmp(name, "x86_64"))
		return EM_X86_64;
	if (!strcmp(name, "aarch64"))
		return EM_AARCH64;
	/* QEMU's arm64 header says "Unknown": 392-byte PRSTATUS is arm64's, 336 x86-64's. */
	if (len >= 12 && get_le(notes + 8, 4) == NT_PRSTATUS) {
		uint64_t descsz = get_le(notes + 4, 4);
		return descsz == 392 ? EM_AARCH64 : descsz == 336 ? EM_X86_64 : 0;
	}
	return 0;
}

/* Copy LEN (capped by the caller) bytes at OFF into a new NUL-terminated buffer. */
static int read_blob(const struct hw_kd_view *v, uint64_t off, uint64_t len, const char *what,
                     const char *part, uint8_t **out)
{
	uint8_t *b = malloc(len + 1);
	if (!b)
		return hw_fail_nomem(part);
	if (hw_kd_view_read(v, off, b, len)) {
		free(b);
		return hw_fail(HAYWIRE_E_CORRUPT,
		               "%s: %s (%llu bytes at %llu) runs past the end of the dump", what, part,
		               (unsigned long long)len, (unsigned long long)off);
	}
	b[len] = '\0';
	*out = b;
	return HAYWIRE_OK;
}

/* VMCOREINFO and registers: the note section (header version 4 on), else the raw text. */
static int read_notes(const struct hw_kd_view *v, const uint8_t *dh, const uint8_t *sh,
                      uint64_t version, const char *what, struct hw_notes *notes)
{
	uint8_t *blob;
	int rc;
	uint64_t off = get_le(sh + SH_OFFSET_NOTE, 8), len = get_le(sh + SH_NOTE_SIZE, 8);
	if (version >= 4 && len) {
		if (len > HW_DUMP_MAX_NOTES)
			return hw_fail(HAYWIRE_E_LIMIT, "%s: %llu bytes of notes, at most %u allowed",
			               what, (unsigned long long)len, HW_DUMP_MAX_NOTES);
		if ((rc = read_blob(v, off, len, what, "note section", &blob)))
			return rc;
		rc = hw_notes_parse(blob, len, machine_of(dh, blob, len), what, notes);
		free(blob);
		if (rc)
			return rc;
	}
	off = get_le(sh + SH_OFFSET_VMCOREINFO, 8), len = get_le(sh + SH_SIZE_VMCOREINFO, 8);
	if (version >= 3 && len && !notes->vmcoreinfo) { /* makedumpfile keeps it apart */
		if (len > HW_DUMP_MAX_VMCOREINFO) {
			hw_notes_free(notes);
			return hw_fail(HAYWIRE_E_LIMIT, "%s: VMCOREINFO of %llu bytes, at most %u allowed",
			               what, (unsigned long long)len, HW_DUMP_MAX_VMCOREINFO);
		}
		if ((rc = read_blob(v, off, len, what, "VMCOREINFO", &blob))) {
			hw_notes_free(notes);
			return rc;
		}
		while (len && blob[len - 1] == '\0')
			len--;
		notes->vmcoreinfo = (char *)blob;
		notes->vmcoreinfo_len = len;
	}
	return HAYWIRE_OK;
}

/* Header, sub-header and the 2nd bitmap with its prefix counts. */
static int read_layout(struct kdump_dump *d, const char *what, struct hw_notes *notes)
{
	uint8_t dh[DH_SIZE], sh[SH_SIZE] = {0};
	if (hw_kd_view_read(&d->view, 0, dh, DH_SIZE))
		return hw_fail(HAYWIRE_E_CORRUPT, "%s: truncated kdump header", what);
	uint64_t version = get_le(dh + DH_VERSION, 4), block = get_le(dh + DH_BLOCK_SIZE, 4);
	uint64_t sub_blocks = get_le(dh + DH_SUB_HDR_SIZE, 4);
	uint64_t bitmap_blocks = get_le(dh + DH_BITMAP_BLOCKS, 4);
	if (block < 1024 || block > (1u << 20) || (block & (block - 1)))
		return hw_fail(HAYWIRE_E_CORRUPT,
		               "%s: block size %llu is not a power of two in 1 KiB..1 MiB", what,
		               (unsigned long long)block);
	d->page_size = block;
	d->page_shift = (unsigned)__builtin_ctzll(block);
	uint64_t bitmap_bytes = bitmap_blocks * block; /* both < 2^32: no wrap */
	if (bitmap_bytes == 0 || bitmap_bytes > MAX_BITMAP)
		return hw_fail(bitmap_bytes ? HAYWIRE_E_LIMIT : HAYWIRE_E_CORRUPT,
		               "%s: bitmap of %llu bytes (at most %llu allowed)", what,
		               (unsigned long long)bitmap_bytes, MAX_BITMAP);
	if (sub_blocks && hw_kd_view_read(&d->view, block, sh, SH_SIZE))
		return hw_fail(HAYWIRE_E_CORRUPT, "%s: truncated kdump sub-header", what);
	d->max_mapnr = version >= 6 && sub_blocks ? get_le(sh + SH_MAX_MAPNR_64, 8)
	                                          : get_le(dh + DH_MAX_MAPNR, 4);
	uint64_t half = bitmap_bytes / 2;
	if (d->max_mapnr == 0 || d->max_mapnr > half * 8 ||
	    d->max_mapnr > (UINT64_MAX >> d->page_shift))
		return hw_fail(HAYWIRE_E_CORRUPT,
		               "%s: %llu page frames do not fit the %llu-byte bitmap", what,
		               (unsigned long long)d->max_mapnr, (unsigned long long)half);
	uint64_t bitmap_at = block * (1 + sub_blocks);
	d->desc_base = bitmap_at + bitmap_bytes;
	d->bitmap = malloc(half);
	uint64_t nrank = d->max_mapnr / RANK_STRIDE + 1;
	d->rank = malloc(nrank * sizeof *d->rank);
	if (!d->bitmap || !d->rank)
		return hw_fail_nomem("kdump bitmap");
	if (hw_kd_view_read(&d->view, bitmap_at + half, d->bitmap, half))
		return hw_fail(HAYWIRE_E_CORRUPT,
		               "%s: the page bitmap (%llu bytes at %llu) runs past the end of the dump",
		               what, (unsigned long long)bitmap_bytes, (unsigned long long)bitmap_at);
	/* Frames past max_mapnr do not exist, whatever their bits say. */
	uint64_t stored = 0;
	for (uint64_t pfn = 0; pfn < d->max_mapnr;) {
		if (pfn % RANK_STRIDE == 0)
			d->rank[pfn / RANK_STRIDE] = stored;
		if ((pfn & 7) == 0 && d->max_mapnr - pfn >= 8) { /* 8 divides RANK_STRIDE */
			stored += (uint64_t)__builtin_popcount(d->bitmap[pfn >> 3]);
			pfn += 8;
		} else {
			stored += (uint64_t)bit(d->bitmap, pfn);
			pfn++;
		}
	}
	if (d->max_mapnr % RANK_STRIDE == 0)
		d->rank[d->max_mapnr / RANK_STRIDE] = stored;
	uint64_t room = d->desc_base < d->view.size ? d->view.size - d->desc_base : 0;
	if (stored == 0 || stored > room / PD_SIZE)
		return hw_fail(HAYWIRE_E_CORRUPT,
		               "%s: the bitmap lists %llu stored pages but the dump has room for %llu "
		               "descriptors",
		               what, (unsigned long long)stored, (unsigned long long)(room / PD_SIZE));
	return read_notes(&d->view, dh, sh, version, what, notes);
}

/* Runs of stored pages, as ranges. */
static int read_ranges(const struct kdump_dump *d, const char *what, struct hw_range **out,
                       uint64_t *count)
{
	struct hw_range *r = calloc(HW_MAX_RANGES, sizeof *r);
	if (!r)
		return hw_fail_nomem("kdump ranges");
	uint64_t n = 0, pfn = 0;
	int rc = HAYWIRE_OK;
	while (pfn < d->max_mapnr) {
		while (pfn < d->max_mapnr && !bit(d->bitmap, pfn))
			pfn += (pfn & 7) == 0 && d->bitmap[pfn >> 3] == 0 ? 8 : 1;
		if (pfn >= d->max_mapnr)
			break;
		uint64_t start = pfn;
		while (pfn < d->max_mapnr && bit(d->bitmap, pfn))
			pfn += (pfn & 7) == 0 && d->bitmap[pfn >> 3] == 0xff && d->max_mapnr - pfn >= 8
			               ? 8
			               : 1;
		if (n == HW_MAX_RANGES) {
			rc = hw_fail(HAYWIRE_E_LIMIT,
			             "%s: the dump stores more than %d separate runs of pages (a "
			             "filtered dump?)",
			             what, HW_MAX_RANGES);
			break;
		}
		r[n] = (struct hw_range){.gpa = start << d->page_shift,
		                         .size = (pfn - start) << d->page_shift};
		r[n].offset = r[n].gpa;
		n++;
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

static int setup_cache(struct kdump_dump *d)
{
	d->nslots = CACHE_BYTES / (uint32_t)d->page_size;
	if (d->nslots < CACHE_MIN_SLOTS)
		d->nslots = CACHE_MIN_SLOTS;
	d->slot_tag = calloc(d->nslots, sizeof *d->slot_tag);
	d->slot_data = malloc((size_t)d->nslots * d->page_size);
	if (!d->slot_tag || !d->slot_data)
		return hw_fail_nomem("kdump page cache");
	return HAYWIRE_OK;
}

int hw_dump_kdump_open(const char *path, int flattened, haywire_source **out)
{
	char what[512];
	snprintf(what, sizeof what, "dump:%s", path);
	struct kdump_dump *d = calloc(1, sizeof *d);
	if (!d)
		return hw_fail_nomem("kdump state");
	pthread_mutex_init(&d->lock, NULL);
#ifdef HW_HAVE_LZO
	static pthread_once_t lzo_once = PTHREAD_ONCE_INIT;
	pthread_once(&lzo_once, lzo_init_once);
#endif
	struct hw_notes notes = {0};
	struct hw_range *ranges = NULL;
	uint64_t n = 0;
	int rc = hw_kd_view_open(path, flattened, &d->view);
	if (!rc)
		rc = read_layout(d, what, &notes);
	if (!rc)
		rc = read_ranges(d, what, &ranges, &n);
	if (!rc)
		rc = setup_cache(d);
	if (!rc)
		rc = hw_source_new(&kdump_ops, d, ranges, n, 0, out);
	else
		free(ranges);
	if (rc) {
		hw_notes_free(&notes);
		kdump_state_free(d);
		return rc;
	}
	hw_notes_give(&notes, *out);
	return HAYWIRE_OK;
}

#endif
