/* arm64 VMSAv8-64 stage-1 descriptors (4K/16K/64K, LPA and LPA2 layouts). */
#include "mmu_impl.h"

#define A64_VALID (1ull << 0)
#define A64_TABLE (1ull << 1) /* table (above the last level) or page (at it) */
#define A64_AP1 (1ull << 6)   /* EL0 access */
#define A64_AP2 (1ull << 7)   /* read-only */
#define A64_AF (1ull << 10)
#define A64_NG (1ull << 11)
#define A64_NT (1ull << 16)   /* FEAT_BBM block hint, allowed inside a block's low bits */
#define A64_DBM (1ull << 51)
#define A64_CONT (1ull << 52)
#define A64_PXN (1ull << 53)
#define A64_UXN (1ull << 54)
#define A64_SW_DIRTY (1ull << 55) /* Linux PTE_DIRTY */
#define A64_PXNTABLE (1ull << 59)
#define A64_UXNTABLE (1ull << 60)
#define A64_APTABLE0 (1ull << 61) /* no EL0 access below */
#define A64_APTABLE1 (1ull << 62) /* read-only below */

static uint64_t bits(unsigned hi, unsigned lo)
{
	return (~0ull >> (63 - hi)) & ~((1ull << lo) - 1);
}

/* Output address of E at granule alignment, and which entry bits hold it. */
static uint64_t out_addr(const haywire_mmu_format *f, uint64_t e, uint64_t *addr_bits)
{
	unsigned g = f->page_shift;
	if (f->pa_bits != 52) {
		*addr_bits = bits(47, g);
		return e & *addr_bits;
	}
	if (g == 16) { /* FEAT_LPA: OA[51:48] in bits 15:12 */
		*addr_bits = bits(47, 12);
		return (e & bits(47, 16)) | ((e >> 12) & 0xf) << 48;
	}
	/* FEAT_LPA2: OA[49:g] in place, OA[51:50] in bits 9:8 */
	*addr_bits = bits(49, g) | bits(9, 8);
	return (e & bits(49, g)) | ((e >> 8) & 3) << 50;
}

/* RES0 bits between the output address and the upper attributes (50 is GP, 51 DBM). */
static uint64_t reserved_bits(const haywire_mmu_format *f)
{
	if (f->pa_bits != 52)
		return bits(49, f->pa_bits); /* also: beyond the configured output size */
	return f->page_shift == 16 ? bits(49, 48) : 0; /* LPA2 uses 49:48 for the address */
}

static void leaf(const haywire_aspace *as, uint32_t depth, uint64_t e, struct hw_pte *p)
{
	const haywire_mmu_format *f = &as->fmt;
	bool last = depth + 1 == as->geom.levels;
	uint64_t size = 1ull << as->geom.shift[depth], addr_bits;
	uint64_t oa = out_addr(f, e, &addr_bits);
	p->kind = last ? HAYWIRE_ENTRY_PAGE : HAYWIRE_ENTRY_BLOCK;
	p->out = oa & ~(size - 1);
	p->attrs = e & ~addr_bits;
	if (!last) {
		/* a block's address bits below its size are RES0 (nT excepted) */
		uint64_t low = bits(as->geom.shift[depth] - 1, f->page_shift) & ~A64_NT;
		if (e & low)
			p->anomaly |= HAYWIRE_ANOMALY_RESERVED;
	}
	bool rdonly = e & A64_AP2;
	p->perms = HAYWIRE_PERM_READ | ((e & A64_AP1) ? HAYWIRE_PERM_USER : 0) |
	           ((!rdonly || (e & A64_DBM)) ? HAYWIRE_PERM_WRITE : 0);
	p->xbits = ((e & A64_UXN) ? 0 : HW_X_USER) | ((e & A64_PXN) ? 0 : HW_X_PRIV);
	p->flags = ((e & A64_NG) ? 0 : HAYWIRE_MAP_GLOBAL) | ((e & A64_AF) ? HAYWIRE_MAP_ACCESSED : 0) |
	           (((e & A64_DBM) && !rdonly) || (e & A64_SW_DIRTY) ? HAYWIRE_MAP_DIRTY : 0) |
	           ((e & A64_CONT) ? HAYWIRE_MAP_CONTIG : 0);
	p->memtype = (uint32_t)((e >> 2) & 7);
	if (!(f->pa_bits == 52 && f->page_shift != 16)) /* LPA2 moves SH to TCR */
		p->memtype |= (uint32_t)((e >> 8) & 3) << 3;
}

void hw_arm64_decode(const haywire_aspace *as, uint32_t depth, uint64_t e, uint64_t va,
                     struct hw_pte *p)
{
	(void)va;
	memset(p, 0, sizeof *p);
	const haywire_mmu_format *f = &as->fmt;
	bool last = depth + 1 == as->geom.levels;
	bool block_ok = as->geom.block_ok[depth];

	if (!(e & A64_VALID)) {
		/* Linux PROT_NONE: valid bit cleared, descriptor type bit kept */
		uint32_t b = f->sw_present_bit;
		bool shape = last ? (e & A64_TABLE) : (block_ok && !(e & A64_TABLE));
		if (b && shape && (e >> b & 1)) {
			leaf(as, depth, e, p);
			p->anomaly = 0;
			p->perms = 0;
			p->xbits = 0;
			p->flags = HAYWIRE_MAP_PROTNONE;
		}
		return;
	}
	uint64_t reserved = e & reserved_bits(f);
	if (last || !(e & A64_TABLE)) {
		if (last && !(e & A64_TABLE)) {
			p->kind = HAYWIRE_ENTRY_ANOMALY; /* 0b01 at the last level is reserved */
			p->anomaly = HAYWIRE_ANOMALY_BAD_TYPE;
			return;
		}
		if (!last && !block_ok) {
			p->kind = HAYWIRE_ENTRY_ANOMALY; /* no blocks at this level for this format */
			p->anomaly = HAYWIRE_ANOMALY_BAD_TYPE;
			return;
		}
		leaf(as, depth, e, p);
	} else {
		uint64_t addr_bits;
		p->kind = HAYWIRE_ENTRY_TABLE;
		p->out = out_addr(f, e, &addr_bits);
		p->deny = ((e & A64_APTABLE1) ? HW_DENY_WRITE : 0) |
		          ((e & A64_APTABLE0) ? HW_DENY_USER : 0) |
		          ((e & A64_UXNTABLE) ? HW_DENY_UEXEC : 0) |
		          ((e & A64_PXNTABLE) ? HW_DENY_PEXEC : 0);
	}
	if (reserved)
		p->anomaly |= HAYWIRE_ANOMALY_RESERVED;
	if (p->anomaly)
		p->kind = HAYWIRE_ENTRY_ANOMALY;
}
