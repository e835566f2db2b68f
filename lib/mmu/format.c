/* Paging formats: derive table shapes from (arch, granule, VA bits); reject impossible ones. */
#include "mmu_impl.h"

#include "core/error.h"

static int log2_granule(uint32_t granule)
{
	switch (granule) {
	case 4096: return 12;
	case 16384: return 14;
	case 65536: return 16;
	default: return -1;
	}
}

static int derive_x86(haywire_mmu_format *f)
{
	if (f->granule != 4096)
		return hw_fail(HAYWIRE_E_INVALID, "x86-64 paging has 4K granules only, not %u",
		               f->granule);
	if (!f->va_bits)
		f->va_bits = f->levels == 5 ? 57 : 48;
	if (f->va_bits != 48 && f->va_bits != 57)
		return hw_fail(HAYWIRE_E_INVALID,
		               "x86-64 VA size must be 48 (4-level) or 57 (5-level), not %u",
		               f->va_bits);
	uint32_t levels = f->va_bits == 57 ? 5 : 4;
	if (f->levels && f->levels != levels)
		return hw_fail(HAYWIRE_E_INVALID, "x86-64 %u-bit VA has %u levels, not %u",
		               f->va_bits, levels, f->levels);
	f->levels = levels;
	if (!f->pa_bits)
		f->pa_bits = 52;
	if (f->pa_bits < 32 || f->pa_bits > 52)
		return hw_fail(HAYWIRE_E_INVALID, "x86-64 pa_bits must be 32..52, not %u", f->pa_bits);
	if (f->flags & HAYWIRE_MMU_TTBR1)
		return hw_fail(HAYWIRE_E_INVALID,
		               "HAYWIRE_MMU_TTBR1 is arm64 only (x86 CR3 covers both halves)");
	f->page_shift = 12;
	f->top_entries = 512;
	return HAYWIRE_OK;
}

static int derive_arm64(haywire_mmu_format *f)
{
	int g = log2_granule(f->granule);
	if (g < 0)
		return hw_fail(HAYWIRE_E_INVALID, "arm64 granule must be 4096, 16384 or 65536, not %u",
		               f->granule);
	if (!f->pa_bits)
		f->pa_bits = 48;
	if (f->pa_bits != 52 && (f->pa_bits < 32 || f->pa_bits > 48))
		return hw_fail(HAYWIRE_E_INVALID, "arm64 pa_bits must be 32..48 or 52, not %u",
		               f->pa_bits);
	if (!f->va_bits)
		f->va_bits = 48;
	if (f->va_bits < 25 || f->va_bits > 52)
		return hw_fail(HAYWIRE_E_INVALID, "arm64 VA size must be 25..52 bits, not %u",
		               f->va_bits);
	if (f->va_bits > 48 && g != 16 && f->pa_bits != 52)
		return hw_fail(HAYWIRE_E_INVALID,
		               "arm64 %uK granule with %u-bit VA needs pa_bits 52 (LPA2)",
		               f->granule / 1024, f->va_bits);
	uint32_t bits = (uint32_t)g - 3, n = f->va_bits - (uint32_t)g;
	uint32_t levels = (n + bits - 1) / bits;
	if (f->levels && f->levels != levels)
		return hw_fail(HAYWIRE_E_INVALID,
		               "levels %u does not match %uK granule and %u-bit VA (%u levels)",
		               f->levels, f->granule / 1024, f->va_bits, levels);
	f->levels = levels;
	f->page_shift = (uint32_t)g;
	f->top_entries = 1u << (n - (levels - 1) * bits);
	if (f->flags & HAYWIRE_MMU_PTI_KERNEL_PGD)
		return hw_fail(HAYWIRE_E_INVALID, "HAYWIRE_MMU_PTI_KERNEL_PGD is x86-64 only");
	return HAYWIRE_OK;
}

HAYWIRE_API int haywire_mmu_format_derive(haywire_mmu_format *fmt)
{
	if (!fmt || fmt->struct_size < sizeof *fmt)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_mmu_format: NULL or struct_size too small");
	if (!fmt->granule)
		fmt->granule = 4096;
	if (fmt->flags & ~(uint32_t)(HAYWIRE_MMU_PTI_KERNEL_PGD | HAYWIRE_MMU_TTBR1))
		return hw_fail(HAYWIRE_E_INVALID, "unknown format flags 0x%x", fmt->flags);
	int st;
	switch (fmt->arch) {
	case HAYWIRE_ARCH_X86_64: st = derive_x86(fmt); break;
	case HAYWIRE_ARCH_ARM64: st = derive_arm64(fmt); break;
	default: return hw_fail(HAYWIRE_E_INVALID, "unknown architecture %u", fmt->arch);
	}
	if (st == HAYWIRE_OK && fmt->sw_present_bit) {
		/* the bit must not be one the hardware reads as the valid bit or an address bit */
		uint32_t b = fmt->sw_present_bit;
		if (b >= 64 || (b >= fmt->page_shift && b < 52))
			return hw_fail(HAYWIRE_E_INVALID,
			               "sw_present_bit %u is not a software bit of an entry", b);
	}
	return st;
}

int hw_mmu_format_load(const haywire_mmu_format *in, haywire_mmu_format *out)
{
	if (!in || in->struct_size < sizeof *out)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_mmu_format: NULL or struct_size too small");
	memcpy(out, in, sizeof *out); /* a newer, larger struct: its extra fields are ignored */
	out->struct_size = sizeof *out;
	return haywire_mmu_format_derive(out);
}

void hw_mmu_geom_init(const haywire_mmu_format *f, struct hw_mmu_geom *g)
{
	memset(g, 0, sizeof *g);
	g->levels = f->levels;
	uint32_t bits = f->page_shift - 3;
	for (uint32_t d = 0; d < f->levels; d++) {
		g->shift[d] = f->page_shift + bits * (f->levels - 1 - d);
		g->entries[d] = d ? 1u << bits : f->top_entries;
	}
	if (f->arch == HAYWIRE_ARCH_X86_64) {
		g->block_ok[f->levels - 3] = 1; /* 1 GiB */
		g->block_ok[f->levels - 2] = 1; /* 2 MiB */
		return;
	}
	/* arm64 level numbers end at 3; which levels may hold blocks depends on granule and LPA */
	bool pa52 = f->pa_bits == 52;
	for (uint32_t d = 0; d + 1 < f->levels; d++) {
		int level = 4 - (int)f->levels + (int)d;
		if (level == 2)
			g->block_ok[d] = 1;
		else if (level == 1)
			g->block_ok[d] = f->page_shift == 12 || pa52;
		else if (level == 0)
			g->block_ok[d] = f->page_shift == 12 && pa52;
	}
}

HAYWIRE_API int haywire_mmu_root_from_register(const haywire_mmu_format *fmt, uint64_t reg,
                                               uint64_t *table_pa)
{
	if (!fmt || !table_pa)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_mmu_root_from_register: NULL argument");
	haywire_mmu_format f;
	int st = hw_mmu_format_load(fmt, &f);
	if (st)
		return st;
	uint64_t pa;
	if (f.arch == HAYWIRE_ARCH_X86_64) {
		/* drops PCID/PWT/PCD (11:0), NOFLUSH (63), LAM (62:61) and anything above MAXPHYADDR */
		pa = reg & (((1ull << f.pa_bits) - 1) & ~0xfffull);
	} else {
		if (f.pa_bits == 52) /* BADDR[51:48] lives in TTBR bits 5:2 */
			pa = (reg & 0x0000ffffffffffc0ull) | ((reg >> 2) & 0xf) << 48;
		else
			pa = reg & 0x0000fffffffffffeull; /* ASID 63:48, CnP 0 */
		uint64_t align = (uint64_t)f.top_entries * 8;
		pa &= ~(align - 1);
	}
	*table_pa = pa;
	return HAYWIRE_OK;
}

HAYWIRE_API const char *haywire_mmu_level_name(uint32_t levels, uint32_t depth)
{
	static const char *const from_bottom[] = {"PTE", "PMD", "PUD", "P4D"};
	if (levels == 0 || levels > HAYWIRE_MAX_LEVELS || depth >= levels)
		return "";
	if (depth == 0)
		return "PGD";
	uint32_t up = levels - 1 - depth;
	return up < 4 ? from_bottom[up] : "";
}
