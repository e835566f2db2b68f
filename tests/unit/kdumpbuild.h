/*
 * A tiny kdump-compressed file, laid out as QEMU and makedumpfile write it
 * (see lib/source/dump_kdump.c), and its flattened form.
 */
#ifndef HW_KDUMPBUILD_H
#define HW_KDUMPBUILD_H

#include "dumpbuild.h"

#include <zlib.h>
#ifdef HW_TEST_LZO
#include <lzo/lzo1x.h>
#endif
#ifdef HW_TEST_SNAPPY
#include <snappy-c.h>
#endif
#ifdef HW_TEST_ZSTD
#include <zstd.h>
#endif

#define KD_BLOCK 4096u

enum kd_page { KD_ZLIB, KD_RAW, KD_ZERO, KD_LZO, KD_SNAPPY, KD_ZSTD };

/* Compress a page with the codec KIND names; returns the page-descriptor flag. */
static inline uint32_t kd_compress(enum kd_page kind, const uint8_t *page, uint8_t *out,
                                   size_t *len)
{
	switch (kind) {
#ifdef HW_TEST_LZO
	case KD_LZO: {
		static uint8_t work[LZO1X_1_MEM_COMPRESS];
		lzo_uint n = *len;
		ck_assert_int_eq(lzo_init(), LZO_E_OK);
		ck_assert_int_eq(lzo1x_1_compress(page, KD_BLOCK, out, &n, work), LZO_E_OK);
		*len = n;
		return 0x2;
	}
#endif
#ifdef HW_TEST_SNAPPY
	case KD_SNAPPY:
		ck_assert_int_eq(snappy_compress((const char *)page, KD_BLOCK, (char *)out, len),
		                 SNAPPY_OK);
		return 0x4;
#endif
#ifdef HW_TEST_ZSTD
	case KD_ZSTD:
		*len = ZSTD_compress(out, *len, page, KD_BLOCK, 3);
		ck_assert(!ZSTD_isError(*len));
		return 0x20;
#endif
	default: {
		uLongf n = *len;
		ck_assert_int_eq(compress2(out, &n, page, KD_BLOCK, 6), Z_OK);
		*len = n;
		return 0x1;
	}
	}
}

/*
 * Page bytes of the synthetic kdump: compressible (zlib must win, as QEMU
 * stores a page raw when it would not) yet varying with the address.
 */
static inline uint8_t kd_byte(uint64_t pa)
{
	return tu_pattern(pa >> 4) ^ (uint8_t)(pa & 1);
}

struct kd_page_spec {
	uint64_t pfn; /* ascending */
	enum kd_page kind;
};

/* Offsets of interest in the built file, for tests that damage it. */
struct kd_layout {
	size_t bitmap2;   /* 2nd bitmap */
	size_t desc;      /* descriptor 0 */
	size_t data;      /* first page data */
};

static inline struct buf kd_build(const struct kd_page_spec *pages, int n, uint64_t max_mapnr,
                                  const char *machine, const struct buf *notes,
                                  struct kd_layout *lay)
{
	struct buf b = {0};
	buf_at(&b, 0, "KDUMP   ", 8);
	buf_le(&b, 8, 6, 4); /* header_version */
	buf_at(&b, 12 + 4 * 65, machine, strlen(machine));
	uint64_t note_at = KD_BLOCK + 128, note_len = notes ? notes->len : 0;
	uint64_t sub_blocks = (128 + note_len + KD_BLOCK - 1) / KD_BLOCK;
	buf_le(&b, 428, KD_BLOCK, 4);
	buf_le(&b, 432, sub_blocks, 4);
	buf_le(&b, 436, 1, 4); /* bitmap_blocks: two 2048-byte bitmaps */
	buf_le(&b, 440, max_mapnr, 4);
	buf_le(&b, 460, 1, 4); /* nr_cpus */
	/* sub-header */
	buf_le(&b, KD_BLOCK + 48, note_len ? note_at : 0, 8);
	buf_le(&b, KD_BLOCK + 56, note_len, 8);
	buf_le(&b, KD_BLOCK + 96, max_mapnr, 8);
	if (note_len)
		buf_at(&b, note_at, notes->p, note_len);
	size_t bitmap = KD_BLOCK * (1 + sub_blocks);
	buf_at(&b, bitmap, NULL, KD_BLOCK);
	for (int i = 0; i < n; i++) {
		b.p[bitmap + pages[i].pfn / 8] |= (uint8_t)(1u << (pages[i].pfn % 8));
		b.p[bitmap + KD_BLOCK / 2 + pages[i].pfn / 8] |= (uint8_t)(1u << (pages[i].pfn % 8));
	}
	size_t desc = bitmap + KD_BLOCK, data = desc + 24 * (size_t)n;
	if (lay)
		*lay = (struct kd_layout){bitmap + KD_BLOCK / 2, desc, data};
	uint8_t page[KD_BLOCK], packed[2 * KD_BLOCK];
	for (int i = 0; i < n; i++) {
		uint64_t pa = pages[i].pfn * KD_BLOCK;
		for (unsigned k = 0; k < KD_BLOCK; k++)
			page[k] = pages[i].kind == KD_ZERO ? 0 : kd_byte(pa + k);
		size_t len = sizeof packed;
		uint32_t flags = 0;
		const uint8_t *src = page;
		if (pages[i].kind != KD_RAW) {
			flags = kd_compress(pages[i].kind, page, packed, &len);
			ck_assert_uint_lt(len, KD_BLOCK);
			src = packed;
		} else
			len = KD_BLOCK;
		buf_le(&b, desc + 24 * (size_t)i, data, 8);
		buf_le(&b, desc + 24 * (size_t)i + 8, len, 4);
		buf_le(&b, desc + 24 * (size_t)i + 12, flags, 4);
		buf_at(&b, data, src, len);
		data += len;
	}
	return b;
}

/*
 * PLAIN as a flattened stream: records of at most CHUNK bytes, written in
 * reverse order (readers must sort), all-zero chunks left out (holes).
 */
static inline struct buf kd_flatten(const struct buf *plain, size_t chunk)
{
	struct buf f = {0};
	buf_at(&f, 0, "makedumpfile", 12);
	buf_be(&f, 16, 1);
	buf_be(&f, 24, 1);
	buf_at(&f, 32, NULL, 4096 - 32);
	size_t nchunks = (plain->len + chunk - 1) / chunk;
	for (size_t c = nchunks; c-- > 0;) {
		size_t off = c * chunk, len = plain->len - off < chunk ? plain->len - off : chunk;
		size_t z = 0;
		while (z < len && plain->p[off + z] == 0)
			z++;
		if (z == len && off + len != plain->len) /* keep the last one: it sets the size */
			continue;
		buf_be(&f, f.len, off);
		buf_be(&f, f.len, len);
		buf_put(&f, plain->p + off, len);
	}
	buf_be(&f, f.len, UINT64_MAX);
	buf_be(&f, f.len, UINT64_MAX);
	return f;
}

#endif
