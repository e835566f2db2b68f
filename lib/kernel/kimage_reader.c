/* Reading the kernel image through its fixed virtual-to-physical offset. */
#include "kernel/kimage_reader.h"

#include "source/source_impl.h"

int hw_kimage_read(void *ctx, uint64_t kva, void *buf, uint64_t len)
{
	const struct hw_kimage_reader *r = ctx;
	if (len == 0)
		return HAYWIRE_OK;
	uint64_t first, last;
	/* Both ends in the window and no wrap: the window is one linear mapping. */
	if (kva + (len - 1) < kva)
		return HAYWIRE_E_NOT_MAPPED;
	if (hw_kernel_image_pa_quiet(&r->paging, kva, &first) ||
	    hw_kernel_image_pa_quiet(&r->paging, kva + (len - 1), &last) || last - first != len - 1)
		return HAYWIRE_E_NOT_MAPPED;
	return hw_source_read_quiet(r->src, first, buf, len, NULL);
}
