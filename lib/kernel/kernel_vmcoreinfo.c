/*
 * Step 1 of opening a kernel: a VMCOREINFO we can trust, the paging it
 * describes, and (for a RAM file opened without one) the layout of guest RAM.
 *
 * A copy is trusted only when the page-table root it implies translates its
 * own SYMBOL(init_uts_ns) to a utsname whose release is the OSRELEASE it
 * claims: stale copies from earlier boots and look-alike text fail that.
 */
#include "kernel/kernel_impl.h"

#include "core/error.h"
#include "source/source_impl.h"

#include <stdlib.h>
#include <string.h>

/* struct new_utsname: six 65-byte fields; release is the third. (A user ABI.) */
#define UTS_FIELD 65

static int make_kernel_aspace(haywire_kernel *k, haywire_source *src)
{
	const struct hw_kernel_paging *p = &k->paging;
	haywire_mmu_format fmt = {
		.struct_size = sizeof fmt,
		.arch = p->arch,
		.granule = p->page_size,
		.va_bits = p->va_bits,
		.levels = p->levels,
		.flags = p->arch == HAYWIRE_ARCH_ARM64 ? HAYWIRE_MMU_TTBR1 : 0,
	};
	uint64_t pa_bits;
	if (p->arch == HAYWIRE_ARCH_ARM64 &&
	    hw_vmcoreinfo_number(k->vmci, "MAX_PHYSMEM_BITS", &pa_bits) == HAYWIRE_OK &&
	    pa_bits == 52)
		fmt.pa_bits = 52;
	return haywire_aspace_new(src, &fmt, p->root_pa, &k->kas);
}

/* Does the root translate init_uts_ns to "Linux" ... RELEASE? */
static int uts_matches(const haywire_kernel *k, const char *release)
{
	uint64_t uts;
	if (hw_vmcoreinfo_symbol(k->vmci, "init_uts_ns", &uts))
		return 0;
	char buf[128 + 3 * UTS_FIELD];
	if (hw_kernel_kread((void *)k, uts, buf, sizeof buf))
		return 0;
	/* name is the first member today; older kernels put a kref before it */
	for (size_t at = 0; at + 3 * UTS_FIELD <= sizeof buf; at += 4) {
		const char *sys = buf + at, *rel = buf + at + 2 * UTS_FIELD;
		if (!memcmp(sys, "Linux", 6) && !strncmp(rel, release, UTS_FIELD))
			return 1;
	}
	return 0;
}

/* Try one parsed candidate V (ownership passes to K on success). */
static int try_candidate(haywire_kernel *k, haywire_source *src, struct hw_vmcoreinfo *v)
{
	k->vmci = v;
	k->src = src;
	if (hw_vmcoreinfo_paging(v, &k->paging) == HAYWIRE_OK &&
	    make_kernel_aspace(k, src) == HAYWIRE_OK) {
		k->image = (struct hw_kimage_reader){.src = src, .paging = k->paging};
		if (uts_matches(k, hw_vmcoreinfo_osrelease(v)))
			return HAYWIRE_OK;
	}
	haywire_aspace_free(k->kas);
	k->kas = NULL;
	k->vmci = NULL;
	return HAYWIRE_E_NOT_FOUND;
}

struct scan_ctx {
	haywire_kernel *k;
	haywire_source *src;
	int done;
};

/* Each copy found in RAM, in address order, until one validates (stale ones do not). */
static int try_found(void *ctx, struct hw_vmci_found *found)
{
	struct scan_ctx *c = ctx;
	c->k->info.vmcoreinfo_candidates++;
	if (c->k->info.vmcoreinfo_candidates > HW_VMCI_MAX_FOUND)
		return 1; /* enough look-alikes: give up */
	if (try_candidate(c->k, c->src, found->info) != HAYWIRE_OK)
		return 0;
	found->info = NULL; /* now the kernel's */
	return c->done = 1;
}

/* Candidates on SRC: the source's own note first, then every copy in RAM. */
static int find_on(haywire_kernel *k, haywire_source *src)
{
	const char *text;
	uint64_t len;
	if (!(k->flags & HAYWIRE_KERNEL_SCAN_VMCOREINFO) &&
	    haywire_source_vmcoreinfo(src, &text, &len) == HAYWIRE_OK) {
		struct hw_vmcoreinfo *v;
		k->info.vmcoreinfo_candidates++;
		if (hw_vmcoreinfo_parse(text, len, &v) == HAYWIRE_OK) {
			if (try_candidate(k, src, v) == HAYWIRE_OK)
				return HAYWIRE_OK;
			hw_vmcoreinfo_free(v);
		}
	}
	struct scan_ctx c = {.k = k, .src = src};
	if (hw_vmcoreinfo_scan_each(src, try_found, &c) || !c.done)
		return HAYWIRE_E_NOT_FOUND;
	return HAYWIRE_OK;
}

int hw_kernel_find_vmcoreinfo(haywire_kernel *k, haywire_source *src)
{
	if (find_on(k, src) == HAYWIRE_OK)
		return HAYWIRE_OK;
	return hw_fail(HAYWIRE_E_NOT_FOUND,
	               "no Linux kernel found: %u VMCOREINFO candidates, none whose page tables "
	               "translate its own init_uts_ns to its release",
	               k->info.vmcoreinfo_candidates);
}
