/*
 * Test-side page-table builder: lays out x86-64 and arm64 tables in a
 * synthetic guest memory image, written independently of the library's
 * decoders (from the architecture manuals), then saved as a RAM file.
 */
#ifndef HW_PTBUILD_H
#define HW_PTBUILD_H

#include <haywire/haywire.h>

#include "testutil.h"

#include <stdbool.h>

#define PTB_MAX_REGIONS 4

struct ptb {
	haywire_mmu_format fmt; /* derived */
	unsigned shift[8], entries[8];
	struct {
		uint64_t gpa, size, next; /* next: bump allocator for tables */
		uint8_t *mem;
	} reg[PTB_MAX_REGIONS];
	int nreg;
	uint64_t root;
	uint64_t table_bits;  /* bits for tables the builder creates */
	uint64_t ntables;     /* tables allocated so far */
	char *path, *spec;
};

static inline uint64_t ptb_bits(unsigned hi, unsigned lo)
{
	return (~0ull >> (63 - hi)) & ~((1ull << lo) - 1);
}

/* Output-address field of an entry for PA (LPA/LPA2 layouts included). */
static inline uint64_t ptb_encode_pa(const struct ptb *b, uint64_t pa)
{
	if (b->fmt.arch == HAYWIRE_ARCH_X86_64 || b->fmt.pa_bits != 52)
		return pa;
	if (b->fmt.granule == 65536)
		return (pa & ptb_bits(47, 16)) | ((pa >> 48) & 0xf) << 12;
	return (pa & ptb_bits(49, 12)) | ((pa >> 50) & 3) << 8;
}

static inline uint8_t *ptb_ptr(struct ptb *b, uint64_t pa)
{
	for (int i = 0; i < b->nreg; i++)
		if (pa >= b->reg[i].gpa && pa - b->reg[i].gpa < b->reg[i].size)
			return b->reg[i].mem + (pa - b->reg[i].gpa);
	ck_abort_msg("builder: PA 0x%llx outside the image", (unsigned long long)pa);
	return NULL;
}

static inline void ptb_poke(struct ptb *b, uint64_t pa, uint64_t v)
{
	memcpy(ptb_ptr(b, pa), &v, 8); /* little-endian host assumed, as the guests are */
}

static inline uint64_t ptb_peek(struct ptb *b, uint64_t pa)
{
	uint64_t v;
	memcpy(&v, ptb_ptr(b, pa), 8);
	return v;
}

/* A zeroed table of LEVEL's size in region R. */
static inline uint64_t ptb_table(struct ptb *b, int r, unsigned depth)
{
	uint64_t bytes = (uint64_t)b->entries[depth] * 8, align = bytes < 64 ? 64 : bytes;
	uint64_t pa = (b->reg[r].next + align - 1) & ~(align - 1);
	ck_assert_msg(pa + bytes <= b->reg[r].gpa + b->reg[r].size, "builder: region %d full", r);
	b->reg[r].next = pa + bytes;
	b->ntables++;
	memset(ptb_ptr(b, pa), 0, bytes);
	return pa;
}

/*
 * New builder for FMT over the RAM regions "GPA:SIZE" given in LAYOUT order;
 * tables are allocated from region 0 starting at its first byte.
 */
static inline void ptb_init(struct ptb *b, const haywire_mmu_format *fmt, int nreg,
                            const uint64_t *gpa, const uint64_t *size)
{
	memset(b, 0, sizeof *b);
	b->fmt = *fmt;
	b->fmt.struct_size = sizeof b->fmt;
	ck_assert_int_eq(haywire_mmu_format_derive(&b->fmt), HAYWIRE_OK);
	unsigned g = b->fmt.page_shift, bits = g - 3, L = b->fmt.levels;
	for (unsigned d = 0; d < L; d++) {
		b->shift[d] = g + bits * (L - 1 - d);
		b->entries[d] = d ? 1u << bits : b->fmt.top_entries;
	}
	b->nreg = nreg;
	for (int i = 0; i < nreg; i++) {
		b->reg[i].gpa = gpa[i];
		b->reg[i].size = size[i];
		b->reg[i].next = gpa[i];
		b->reg[i].mem = calloc(1, size[i]);
		ck_assert_ptr_nonnull(b->reg[i].mem);
	}
	b->table_bits = b->fmt.arch == HAYWIRE_ARCH_X86_64 ? 0x7 /* P RW US */ : 0x3;
	b->root = ptb_table(b, 0, 0);
}

/* PA of the entry slot for VA at DEPTH, creating tables (in region R) on the way. */
static inline uint64_t ptb_slot(struct ptb *b, uint64_t va, unsigned depth, int r)
{
	uint64_t table = b->root;
	for (unsigned d = 0;; d++) {
		uint64_t idx = (va >> b->shift[d]) & (b->entries[d] - 1);
		uint64_t slot = table + idx * 8;
		if (d == depth)
			return slot;
		uint64_t e = ptb_peek(b, slot);
		if (!(e & 1)) {
			uint64_t t = ptb_table(b, r, d + 1);
			ptb_poke(b, slot, ptb_encode_pa(b, t) | b->table_bits);
			table = t;
		} else if (b->fmt.arch == HAYWIRE_ARCH_X86_64) {
			table = e & ptb_bits(b->fmt.pa_bits - 1, 12);
		} else if (b->fmt.pa_bits != 52) {
			table = e & ptb_bits(47, b->fmt.page_shift);
		} else if (b->fmt.granule == 65536) {
			table = (e & ptb_bits(47, 16)) | ((e >> 12) & 0xf) << 48;
		} else {
			table = (e & ptb_bits(49, b->fmt.page_shift)) | ((e >> 8) & 3) << 50;
		}
	}
}

/*
 * Map VA to PA with a leaf at DEPTH (a page at the last level, else a huge
 * page / block) carrying the extra bits ATTRS; tables come from region 0.
 */
static inline void ptb_map(struct ptb *b, uint64_t va, uint64_t pa, unsigned depth, uint64_t attrs)
{
	uint64_t slot = ptb_slot(b, va, depth, 0);
	bool last = depth + 1 == b->fmt.levels;
	uint64_t e;
	if (b->fmt.arch == HAYWIRE_ARCH_X86_64)
		e = pa | 1 | (last ? 0 : 1ull << 7) | attrs;
	else
		e = ptb_encode_pa(b, pa) | (last ? 3 : 1) | 1ull << 10 /* AF */ | attrs;
	ptb_poke(b, slot, e);
}

/* Write the image to a file in $TMPDIR and open it as a source. */
static inline haywire_source *ptb_open(struct ptb *b)
{
	uint64_t total = 0;
	char layout[512] = "";
	for (int i = 0; i < b->nreg; i++) {
		char part[64];
		snprintf(part, sizeof part, "%s0x%llx:0x%llx", i ? ";" : "",
		         (unsigned long long)b->reg[i].gpa, (unsigned long long)b->reg[i].size);
		strcat(layout, part);
		total += b->reg[i].size;
	}
	b->path = tu_make_file(total, 0);
	FILE *f = fopen(b->path, "r+b");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < b->nreg; i++)
		ck_assert_uint_eq(fwrite(b->reg[i].mem, 1, b->reg[i].size, f), b->reg[i].size);
	fclose(f);
	b->spec = tu_spec("file:", b->path, layout);
	haywire_source *src = NULL;
	ck_assert_msg(haywire_source_open(b->spec, &src) == HAYWIRE_OK, "%s: %s", b->spec,
	              haywire_last_error());
	return src;
}

static inline void ptb_free(struct ptb *b)
{
	for (int i = 0; i < b->nreg; i++)
		free(b->reg[i].mem);
	if (b->path)
		unlink(b->path);
	free(b->path);
	free(b->spec);
}

#endif
