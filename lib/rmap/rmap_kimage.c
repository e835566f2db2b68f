/*
 * The kernel image's physical ranges, so pictures can tell kernel
 * text/data/bss from user memory and the statistics can spot the zero page.
 *
 * The image spans _stext.._end: _stext from kallsyms, else VMCOREINFO
 * SYMBOL(_stext); _end from kallsyms (x86 Debian has KALLSYMS_ALL), else
 * unknown (arm64 Debian: kallsyms has text symbols only). Inside that window
 * the ranges kept are those the kernel's own page tables still map at the
 * image's fixed VA-PA offset: init memory is freed after boot (and reused,
 * e.g. for user pages), and both x86 and arm64 unmap it, so the gap drops
 * out. Without _end, the window is the first HW_KIMAGE_MAX_SIZE bytes after
 * _stext and the last range at the image offset ends it: vmalloc mappings
 * beyond the image do not sit at that offset in practice (a coincidence is
 * possible in principle; the guest suite checks the result on arm64).
 * Freed parts the page tables still map (x86 unmaps them only under PTI)
 * are cut out by their symbols when kallsyms has them: the text/rodata and
 * rodata/data alignment gaps and the init sections, as x86's
 * mark_rodata_ro() and free_initmem() free them.
 */
#include "core/error.h"
#include "kernel/kernel_impl.h"
#include "rmap/rmap_impl.h"

#include <string.h>

#define HW_KIMAGE_MAX_SIZE (256ull << 20) /* far above any kernel image */

struct collect {
	uint64_t offset; /* image VA - PA */
	struct hw_kimage *out;
	int full;
};

static int on_image_range(const haywire_va_range *range, void *user)
{
	struct collect *c = user;
	if (range->va - range->pa != c->offset)
		return 0;
	struct hw_kimage *k = c->out;
	if (k->n && k->pa[k->n - 1] + k->size[k->n - 1] == range->pa) {
		k->size[k->n - 1] += range->size;
		return 0;
	}
	if (k->n == HW_RMAP_MAX_KRANGES) {
		c->full = 1;
		return 1;
	}
	k->pa[k->n] = range->pa;
	k->size[k->n++] = range->size;
	return 0;
}

void hw_kimage_cut(struct hw_kimage *k, uint64_t a, uint64_t b)
{
	for (uint32_t i = 0; i < k->n && a < b; i++) {
		uint64_t s = k->pa[i], e = s + k->size[i];
		if (b <= s || a >= e)
			continue;
		if (a > s && b < e) { /* inside: split in two */
			if (k->n == HW_RMAP_MAX_KRANGES)
				return;
			memmove(&k->pa[i + 2], &k->pa[i + 1], (k->n - i - 1) * sizeof *k->pa);
			memmove(&k->size[i + 2], &k->size[i + 1], (k->n - i - 1) * sizeof *k->size);
			k->n++;
			k->size[i] = a - s;
			k->pa[i + 1] = b;
			k->size[i + 1] = e - b;
			return;
		}
		if (a <= s && b >= e) { /* all of it */
			memmove(&k->pa[i], &k->pa[i + 1], (k->n - i - 1) * sizeof *k->pa);
			memmove(&k->size[i], &k->size[i + 1], (k->n - i - 1) * sizeof *k->size);
			k->n--;
			i--;
		} else if (a <= s) {
			k->pa[i] = b;
			k->size[i] = e - b;
		} else {
			k->size[i] = a - s;
		}
	}
}

/* Cut the window between symbols FROM (rounded up to a page) and TO, when both are known. */
static void cut_symbols(const haywire_kernel *k, struct hw_kimage *out, const char *from,
                        const char *to)
{
	uint64_t a, b, pa, pb, page = k->paging.page_size ? k->paging.page_size : 4096;
	if (haywire_kernel_symbol(k, from, &a) || haywire_kernel_symbol(k, to, &b) || a > UINT64_MAX - page)
		return;
	a = (a + page - 1) & ~(page - 1);
	if (a < b && !hw_kernel_image_pa_quiet(&k->paging, a, &pa) &&
	    !hw_kernel_image_pa_quiet(&k->paging, b - 1, &pb) && pb - pa == b - 1 - a)
		hw_kimage_cut(out, pa, pb + 1);
}

int hw_rmap_kernel_image(const haywire_kernel *k, struct hw_kimage *out)
{
	memset(out, 0, sizeof *out);
	uint64_t start, end, start_pa;
	if (haywire_kernel_symbol(k, "_stext", &start) &&
	    hw_vmcoreinfo_symbol(k->vmci, "_stext", &start))
		return HAYWIRE_E_NOT_FOUND;
	if (hw_kernel_image_pa_quiet(&k->paging, start, &start_pa))
		return HAYWIRE_E_NOT_FOUND;
	if (haywire_kernel_symbol(k, "_end", &end) || end <= start ||
	    end - start > HW_KIMAGE_MAX_SIZE)
		end = start + HW_KIMAGE_MAX_SIZE < start ? UINT64_MAX : start + HW_KIMAGE_MAX_SIZE;
	struct collect c = {.offset = start - start_pa, .out = out};
	haywire_walk_options o = {.struct_size = sizeof o, .max_tables = 4096};
	haywire_aspace_enumerate(haywire_kernel_aspace(k), start, end - 1, on_image_range, &c, &o);
	if (c.full)
		memset(out, 0, sizeof *out); /* not an image layout: claim nothing */
	cut_symbols(k, out, "_etext", "__start_rodata");
	cut_symbols(k, out, "__end_rodata", "_sdata");
	cut_symbols(k, out, "__init_begin", "__init_end");
	return out->n ? HAYWIRE_OK : HAYWIRE_E_NOT_FOUND;
}
