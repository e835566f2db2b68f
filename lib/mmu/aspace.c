/* Address-space handles: creation from (source, format, root), accessors. */
#include "mmu_impl.h"

#include <stdlib.h>

#include "core/error.h"

HAYWIRE_API int haywire_aspace_new(haywire_source *src, const haywire_mmu_format *fmt,
                                   uint64_t root, haywire_aspace **out)
{
	if (out)
		*out = NULL;
	if (!src || !fmt || !out)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_aspace_new: NULL argument");
	haywire_mmu_format f;
	int st = hw_mmu_format_load(fmt, &f);
	if (st)
		return st;
	uint64_t table;
	if ((st = haywire_mmu_root_from_register(&f, root, &table)))
		return st;
	if (!haywire_source_is_ram(src, table, (uint64_t)f.top_entries * 8))
		return hw_fail(HAYWIRE_E_NOT_RAM, "root table at PA 0x%llx (from 0x%llx) is not in RAM",
		               (unsigned long long)table, (unsigned long long)root);
	haywire_aspace *as = calloc(1, sizeof *as);
	if (!as)
		return hw_fail_nomem("address space");
	as->src = src;
	as->fmt = f;
	as->root = table;
	hw_mmu_geom_init(&f, &as->geom);
	if (f.arch == HAYWIRE_ARCH_X86_64) {
		as->decode = hw_x86_64_decode;
		as->x86_canonical = true;
		as->va_first = 0;
		as->va_last = ~0ull;
		as->leaf_addr_bits = ((1ull << f.pa_bits) - 1) & ~0xfffull;
		as->leaf_key_mask = ~as->leaf_addr_bits & ~0x60ull; /* A and D do not split ranges */
	} else {
		as->decode = hw_arm64_decode;
		uint64_t half = (1ull << f.va_bits) - 1;
		as->va_first = (f.flags & HAYWIRE_MMU_TTBR1) ? ~half : 0;
		as->va_last = (f.flags & HAYWIRE_MMU_TTBR1) ? ~0ull : half;
		if (f.pa_bits != 52) { /* LPA/LPA2 scatter the address: no fast path */
			as->leaf_addr_bits = (~0ull >> 16) & ~((1ull << f.page_shift) - 1);
			/* AF and Linux's software dirty bit do not split ranges */
			as->leaf_key_mask = ~as->leaf_addr_bits & ~(1ull << 10 | 1ull << 55);
		}
	}
	*out = as;
	return HAYWIRE_OK;
}

HAYWIRE_API void haywire_aspace_free(haywire_aspace *as)
{
	free(as);
}

HAYWIRE_API int haywire_aspace_format(const haywire_aspace *as, haywire_mmu_format *out)
{
	if (!as || !out || out->struct_size < sizeof(uint32_t))
		return hw_fail(HAYWIRE_E_INVALID, "haywire_aspace_format: NULL or bad struct_size");
	uint32_t n = out->struct_size < sizeof *out ? out->struct_size : (uint32_t)sizeof *out;
	haywire_mmu_format f = as->fmt;
	f.struct_size = n;
	memcpy(out, &f, n);
	return HAYWIRE_OK;
}

HAYWIRE_API uint64_t haywire_aspace_root(const haywire_aspace *as)
{
	return as ? as->root : 0;
}

HAYWIRE_API int haywire_aspace_va_bounds(const haywire_aspace *as, uint64_t *first,
                                         uint64_t *last)
{
	if (!as)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_aspace_va_bounds: NULL address space");
	if (first)
		*first = as->va_first;
	if (last)
		*last = as->va_last;
	return HAYWIRE_OK;
}
