/*
 * The kernel image's physical range, _stext.._end, so pictures can tell
 * kernel text/data/bss from user memory.
 *   start: kallsyms _stext, else VMCOREINFO SYMBOL(_stext);
 *   end:   kallsyms _end (x86 Debian has KALLSYMS_ALL), else where the
 *          kernel's own page tables stop mapping the image (arm64 Debian:
 *          kallsyms has text symbols only), else _etext (text only).
 * Image VAs become PAs through the image's fixed mapping (hw_kernel_image_pa).
 */
#include "core/error.h"
#include "kernel/kernel_impl.h"
#include "rmap/rmap_impl.h"
#include "source/source_impl.h"

#include <string.h>

#define KIMAGE_MAX_SIZE (256ull << 20) /* far above any kernel image: rejects nonsense */

struct extent {
	uint64_t start, offset; /* image VA - PA */
	uint64_t end;           /* end of the last range at the image's offset */
};

static int on_image_range(const haywire_va_range *range, void *user)
{
	struct extent *e = user;
	if (range->va - range->pa == e->offset && range->va >= e->start)
		e->end = range->va + range->size;
	return 0;
}

/*
 * The end of the image as the kernel's own page tables map it: the last
 * range after _stext whose PA sits at the image's fixed offset (arm64 maps
 * text, rodata and data+bss up to _end as separate segments, and unmaps
 * init memory after boot: the gap is skipped, other vmalloc mappings never
 * share that offset by design).
 */
static int mapped_image_end(const haywire_kernel *k, uint64_t start, uint64_t start_pa,
                            uint64_t *end)
{
	struct extent e = {.start = start, .offset = start - start_pa};
	haywire_walk_options o = {.struct_size = sizeof o, .max_tables = 4096};
	uint64_t last = start + KIMAGE_MAX_SIZE - 1 < start ? UINT64_MAX
	                                                     : start + KIMAGE_MAX_SIZE - 1;
	haywire_aspace_enumerate(haywire_kernel_aspace(k), start, last, on_image_range, &e, &o);
	if (e.end <= start)
		return HAYWIRE_E_NOT_FOUND;
	*end = e.end;
	return HAYWIRE_OK;
}

int hw_rmap_kernel_image(const haywire_kernel *k, uint64_t *pa, uint64_t *size)
{
	*pa = *size = 0;
	uint64_t start, end, start_pa, end_pa;
	if (haywire_kernel_symbol(k, "_stext", &start) &&
	    hw_vmcoreinfo_symbol(k->vmci, "_stext", &start))
		return HAYWIRE_E_NOT_FOUND;
	if (hw_kernel_image_pa_quiet(&k->paging, start, &start_pa))
		return HAYWIRE_E_NOT_FOUND;
	if (haywire_kernel_symbol(k, "_end", &end) &&
	    mapped_image_end(k, start, start_pa, &end) &&
	    haywire_kernel_symbol(k, "_etext", &end))
		return HAYWIRE_E_NOT_FOUND;
	if (end <= start || end - start > KIMAGE_MAX_SIZE ||
	    hw_kernel_image_pa_quiet(&k->paging, end - 1, &end_pa) ||
	    end_pa + 1 - start_pa != end - start)
		return HAYWIRE_E_NOT_FOUND;
	*pa = start_pa;
	*size = end - start;
	return HAYWIRE_OK;
}
