/* x86-64 (4- and 5-level) page-table entries: what one entry means. */
#include "mmu_impl.h"

#define X86_P (1ull << 0)
#define X86_RW (1ull << 1)
#define X86_US (1ull << 2)
#define X86_PWT (1ull << 3)
#define X86_PCD (1ull << 4)
#define X86_A (1ull << 5)
#define X86_D (1ull << 6)
#define X86_PS (1ull << 7) /* PAT at the last level */
#define X86_G (1ull << 8)
#define X86_PAT_HUGE (1ull << 12)
#define X86_NX (1ull << 63)

static void leaf(const haywire_aspace *as, uint32_t depth, uint64_t e, uint64_t addr_mask,
                 struct hw_pte *p)
{
	bool last = depth + 1 == as->geom.levels;
	uint64_t size = 1ull << as->geom.shift[depth];
	uint64_t out_mask = addr_mask & ~(size - 1);
	p->kind = last ? HAYWIRE_ENTRY_PAGE : HAYWIRE_ENTRY_BLOCK;
	p->attrs = e & ~out_mask;
	p->flags = ((e & X86_G) ? HAYWIRE_MAP_GLOBAL : 0) | ((e & X86_A) ? HAYWIRE_MAP_ACCESSED : 0) |
	           ((e & X86_D) ? HAYWIRE_MAP_DIRTY : 0);
	uint64_t pat = last ? (e & X86_PS) : (e & X86_PAT_HUGE);
	p->memtype = (uint32_t)(((e & X86_PWT) ? 1 : 0) | ((e & X86_PCD) ? 2 : 0) | (pat ? 4 : 0));
	/* huge pages: bits between the PAT bit and the page size are reserved */
	if (!last && (e & (size - 1) & ~0x1fffull & addr_mask))
		p->anomaly |= HAYWIRE_ANOMALY_RESERVED;
}

void hw_x86_64_decode(const haywire_aspace *as, uint32_t depth, uint64_t e, uint64_t va,
                      struct hw_pte *p)
{
	memset(p, 0, sizeof *p);
	const haywire_mmu_format *f = &as->fmt;
	uint64_t addr_mask = ((1ull << f->pa_bits) - 1) & ~0xfffull;
	bool last = depth + 1 == as->geom.levels;
	bool leaf_level = last || as->geom.block_ok[depth];

	if (!(e & X86_P)) {
		/* Linux PROT_NONE: present to the kernel, PFN inverted against L1TF */
		uint32_t b = f->sw_present_bit;
		if (b && leaf_level && (e >> b & 1) && (last || (e & X86_PS))) {
			leaf(as, depth, e, addr_mask, p);
			uint64_t size = 1ull << as->geom.shift[depth];
			p->out = ~e & addr_mask & ~(size - 1);
			p->attrs = e & ~(addr_mask & ~(size - 1));
			p->anomaly = 0;
			p->flags = HAYWIRE_MAP_PROTNONE;
			p->perms = 0;
			p->xbits = 0;
		}
		return;
	}
	/* bits between MAXPHYADDR and 51 are reserved; 62:52 are free for software / keys */
	uint64_t reserved = 0x000fffffffffffffull & ~((1ull << f->pa_bits) - 1);
	if (e & reserved)
		p->anomaly |= HAYWIRE_ANOMALY_RESERVED;

	/* PTI: the kernel copy of a user PGD has NX on user-half top-level entries */
	bool nx = (e & X86_NX) &&
	          !(depth == 0 && (f->flags & HAYWIRE_MMU_PTI_KERNEL_PGD) && !(va >> 63));

	if (last || ((e & X86_PS) && as->geom.block_ok[depth])) {
		leaf(as, depth, e, addr_mask, p);
		p->out = e & addr_mask & ~((1ull << as->geom.shift[depth]) - 1);
		p->perms = HAYWIRE_PERM_READ | ((e & X86_RW) ? HAYWIRE_PERM_WRITE : 0) |
		           ((e & X86_US) ? HAYWIRE_PERM_USER : 0);
		p->xbits = nx ? 0 : HW_X_USER | HW_X_PRIV;
	} else {
		if (e & X86_PS) /* PS is reserved in PML4/PML5 entries */
			p->anomaly |= HAYWIRE_ANOMALY_RESERVED;
		p->kind = HAYWIRE_ENTRY_TABLE;
		p->out = e & addr_mask;
		p->deny = ((e & X86_RW) ? 0 : HW_DENY_WRITE) | ((e & X86_US) ? 0 : HW_DENY_USER) |
		          (nx ? HW_DENY_UEXEC | HW_DENY_PEXEC : 0);
	}
	if (p->anomaly)
		p->kind = HAYWIRE_ENTRY_ANOMALY;
}
