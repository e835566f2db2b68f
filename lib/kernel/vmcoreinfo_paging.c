/* What VMCOREINFO says about the kernel's page tables and image mapping. */
#include "kernel/vmcoreinfo.h"

#include "core/error.h"

#include <string.h>

uint32_t hw_vmcoreinfo_arch(const struct hw_vmcoreinfo *v)
{
	if (hw_vmcoreinfo_get(v, "SYMBOL(init_top_pgt)") && hw_vmcoreinfo_get(v, "NUMBER(phys_base)"))
		return HAYWIRE_ARCH_X86_64;
	if (hw_vmcoreinfo_get(v, "NUMBER(kimage_voffset)"))
		return HAYWIRE_ARCH_ARM64;
	return HAYWIRE_ARCH_UNKNOWN;
}

static int paging_x86_64(const struct hw_vmcoreinfo *v, struct hw_kernel_paging *p)
{
	int st;
	uint64_t l5 = 0, page = 0;
	if ((st = hw_vmcoreinfo_symbol(v, "init_top_pgt", &p->root_kva)) ||
	    (st = hw_vmcoreinfo_number(v, "phys_base", &p->phys_base)) ||
	    (st = hw_vmcoreinfo_page_size(v, &page)))
		return st;
	if (page != 4096)
		return hw_fail(HAYWIRE_E_CORRUPT, "vmcoreinfo: x86-64 with PAGESIZE=%llu",
		               (unsigned long long)page);
	/* Absent before Linux 4.14 (no 5-level support then): 4 levels. */
	if (hw_vmcoreinfo_number(v, "pgtable_l5_enabled", &l5) == HAYWIRE_OK && l5 > 1)
		return hw_fail(HAYWIRE_E_CORRUPT, "vmcoreinfo: pgtable_l5_enabled=%llu",
		               (unsigned long long)l5);
	if (hw_vmcoreinfo_number(v, "KERNEL_IMAGE_SIZE", &p->image_size) != HAYWIRE_OK)
		p->image_size = 0;
	/* The image window is at most the 2 GiB of the kernel code model. */
	uint64_t window = 0 - HW_X86_64_START_KERNEL_MAP;
	if (p->image_size == 0 || p->image_size > window)
		p->image_size = window;
	p->page_size = 4096;
	p->levels = l5 ? 5 : 4;
	p->va_bits = l5 ? 57 : 48;
	if (p->root_kva < HW_X86_64_START_KERNEL_MAP ||
	    p->root_kva - HW_X86_64_START_KERNEL_MAP >= p->image_size || (p->root_kva & 4095))
		return hw_fail(HAYWIRE_E_CORRUPT,
		               "vmcoreinfo: init_top_pgt 0x%llx is not a page in the kernel image",
		               (unsigned long long)p->root_kva);
	return hw_kernel_image_pa(p, p->root_kva, &p->root_pa);
}

static int paging_arm64(const struct hw_vmcoreinfo *v, struct hw_kernel_paging *p)
{
	int st;
	uint64_t page = 0, va_bits = 0, t1sz = 0;
	if ((st = hw_vmcoreinfo_symbol(v, "swapper_pg_dir", &p->root_kva)) ||
	    (st = hw_vmcoreinfo_number(v, "kimage_voffset", &p->kimage_voffset)) ||
	    (st = hw_vmcoreinfo_page_size(v, &page)))
		return st;
	if (hw_vmcoreinfo_number(v, "PHYS_OFFSET", &p->phys_offset) != HAYWIRE_OK)
		p->phys_offset = 0;
	unsigned shift;
	if (page == 4096)
		shift = 12;
	else if (page == 16384)
		shift = 14;
	else if (page == 65536)
		shift = 16;
	else
		return hw_fail(HAYWIRE_E_CORRUPT, "vmcoreinfo: arm64 granule PAGESIZE=%llu",
		               (unsigned long long)page);
	/* TCR_EL1.T1SZ is what the MMU uses; VA_BITS is the build's maximum. */
	if (hw_vmcoreinfo_number(v, "TCR_EL1_T1SZ", &t1sz) == HAYWIRE_OK) {
		if (t1sz < 12 || t1sz > 39)
			return hw_fail(HAYWIRE_E_CORRUPT, "vmcoreinfo: TCR_EL1_T1SZ=%llu",
			               (unsigned long long)t1sz);
		va_bits = 64 - t1sz;
	} else if ((st = hw_vmcoreinfo_number(v, "VA_BITS", &va_bits))) {
		return st;
	}
	if (va_bits < 25 || va_bits > 52)
		return hw_fail(HAYWIRE_E_CORRUPT, "vmcoreinfo: arm64 with %llu VA bits",
		               (unsigned long long)va_bits);
	p->page_size = (uint32_t)page;
	p->va_bits = (uint32_t)va_bits;
	/* Each level resolves shift-3 bits (8-byte descriptors in one granule). */
	p->levels = (uint32_t)((va_bits - shift + (shift - 3) - 1) / (shift - 3));
	if (p->root_kva & (8 - 1))
		return hw_fail(HAYWIRE_E_CORRUPT, "vmcoreinfo: swapper_pg_dir 0x%llx misaligned",
		               (unsigned long long)p->root_kva);
	return hw_kernel_image_pa(p, p->root_kva, &p->root_pa);
}

int hw_vmcoreinfo_paging(const struct hw_vmcoreinfo *v, struct hw_kernel_paging *out)
{
	memset(out, 0, sizeof *out);
	if (!v)
		return hw_fail(HAYWIRE_E_INVALID, "vmcoreinfo: NULL");
	out->arch = hw_vmcoreinfo_arch(v);
	if (hw_vmcoreinfo_kaslr_offset(v, &out->kaslr_offset) != HAYWIRE_OK)
		out->kaslr_offset = 0;
	if (out->arch == HAYWIRE_ARCH_X86_64)
		return paging_x86_64(v, out);
	if (out->arch == HAYWIRE_ARCH_ARM64)
		return paging_arm64(v, out);
	return hw_fail(HAYWIRE_E_UNSUPPORTED,
	               "vmcoreinfo: neither x86-64 (init_top_pgt, phys_base) nor arm64 "
	               "(kimage_voffset) keys present");
}

int hw_kernel_image_pa_quiet(const struct hw_kernel_paging *p, uint64_t kva, uint64_t *pa)
{
	if (p->arch == HAYWIRE_ARCH_X86_64) {
		if (kva >= HW_X86_64_START_KERNEL_MAP &&
		    kva - HW_X86_64_START_KERNEL_MAP < p->image_size) {
			*pa = kva - HW_X86_64_START_KERNEL_MAP + p->phys_base;
			return HAYWIRE_OK;
		}
	} else if (p->arch == HAYWIRE_ARCH_ARM64) {
		/* The image lives in the TTBR1 (upper) half, above kimage_voffset. */
		uint64_t upper = ~0ull << p->va_bits;
		if ((kva & upper) == upper && kva >= p->kimage_voffset) {
			*pa = kva - p->kimage_voffset;
			return HAYWIRE_OK;
		}
	}
	return HAYWIRE_E_NOT_MAPPED;
}

int hw_kernel_image_pa(const struct hw_kernel_paging *p, uint64_t kva, uint64_t *pa)
{
	int st = hw_kernel_image_pa_quiet(p, kva, pa);
	if (st)
		return hw_fail(st, "kernel VA 0x%llx is outside the kernel image",
		               (unsigned long long)kva);
	return HAYWIRE_OK;
}
