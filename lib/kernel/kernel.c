/* The kernel handle: opening (three steps), reads through its page tables, accessors. */
#include "kernel/kernel_impl.h"

#include "core/error.h"
#include "mmu/mmu_impl.h"
#include "kernel/tasklist.h"
#include "source/source_impl.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int hw_kernel_kread(void *ctx, uint64_t kva, void *buf, uint64_t len)
{
	const haywire_kernel *k = ctx;
	uint8_t *out = buf;
	while (len) {
		uint64_t pa, page;
		int rc = hw_aspace_translate_fast(k->kas, kva, &pa, &page, NULL);
		if (rc)
			return rc;
		uint64_t chunk = page - (kva & (page - 1));
		if (chunk > len)
			chunk = len;
		if ((rc = hw_source_read_quiet(k->src, pa, out, chunk, NULL)))
			return rc;
		atomic_fetch_add_explicit(&((haywire_kernel *)k)->bytes_read, chunk,
		                          memory_order_relaxed);
		out += chunk;
		kva += chunk;
		len -= chunk;
	}
	return HAYWIRE_OK;
}

static int kernel_to_pa(void *ctx, uint64_t kva, uint64_t *pa)
{
	const haywire_kernel *k = ctx;
	return hw_aspace_translate_fast(k->kas, kva, pa, NULL, NULL);
}

/*
 * Is the table at PA a process's top-level page table? x86: Linux copies the
 * kernel half of init_top_pgt into every process PGD, so the halves must be
 * equal. arm64: user tables (TTBR0) hold only table entries into RAM.
 */
static int kernel_is_user_root(void *ctx, uint64_t pa)
{
	const haywire_kernel *k = ctx;
	enum { ENTRIES = 512 };
	uint64_t table[ENTRIES], root[ENTRIES];
	if (hw_source_read_quiet(k->src, pa, table, sizeof table, NULL))
		return 0;
	if (k->paging.arch == HAYWIRE_ARCH_X86_64) {
		if (hw_source_read_quiet(k->src, k->paging.root_pa, root, sizeof root, NULL))
			return 0;
		int kernel_entries = 0;
		for (int i = ENTRIES / 2; i < ENTRIES; i++) {
			if (table[i] != root[i])
				return 0;
			kernel_entries += (int)(root[i] & 1);
		}
		return kernel_entries > 0;
	}
	uint32_t n = k->user_fmt.top_entries < ENTRIES ? k->user_fmt.top_entries : ENTRIES;
	int valid = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (!(table[i] & 1))
			continue;
		if ((table[i] & 3) != 3 || !haywire_source_is_ram(k->src, table[i] & 0xfffffffff000ull, 8))
			return 0;
		valid++;
	}
	return valid > 0;
}

void hw_kernel_kmem(const haywire_kernel *k, struct hw_kmem *out)
{
	*out = (struct hw_kmem){.read = hw_kernel_kread,
	                        .to_pa = kernel_to_pa,
	                        .is_user_root = kernel_is_user_root,
	                        .ctx = (void *)k};
}

int hw_kernel_user_aspace(const haywire_kernel *k, uint64_t pgd_pa, haywire_aspace **out)
{
	return haywire_aspace_new(k->src, &k->user_fmt, pgd_pa, out);
}

/* Process address spaces: x86 like the kernel's (PTI NX quirk allowed for); arm64 TTBR0. */
static int make_user_format(haywire_kernel *k)
{
	haywire_mmu_format *f = &k->user_fmt;
	*f = (haywire_mmu_format){.struct_size = sizeof *f, .arch = k->paging.arch};
	if (k->paging.arch == HAYWIRE_ARCH_X86_64) {
		f->levels = k->paging.levels;
		/* Harmless without PTI: Linux never sets NX on user PGD entries otherwise. */
		f->flags = HAYWIRE_MMU_PTI_KERNEL_PGD;
	} else {
		uint64_t va_bits;
		f->granule = k->paging.page_size;
		f->va_bits = hw_vmcoreinfo_number(k->vmci, "VA_BITS", &va_bits) == HAYWIRE_OK
		                 ? (uint32_t)va_bits
		                 : k->paging.va_bits;
		uint64_t pa_bits;
		if (hw_vmcoreinfo_number(k->vmci, "MAX_PHYSMEM_BITS", &pa_bits) == HAYWIRE_OK &&
		    pa_bits == 52)
			f->pa_bits = 52;
	}
	return haywire_mmu_format_derive(f);
}

/* Whatever an attempt on one source left behind, so the next can start clean. */
static void forget(haywire_kernel *k)
{
	hw_btf_free(k->btf);
	hw_kallsyms_free(k->ksyms);
	haywire_aspace_free(k->kas);
	hw_vmcoreinfo_free(k->vmci);
	k->btf = NULL;
	k->ksyms = NULL;
	k->kas = NULL;
	k->vmci = NULL;
	k->init_task = 0;
	k->info.symbols = 0;
	k->info.types = 0;
}

/*
 * Every step on SRC, ending with a walk of the task list: a RAM file read
 * under a wrong layout can still show the kernel image (it sits low in RAM)
 * but not the memory the kernel allocated, so only a whole walk proves it.
 */
static int open_on(haywire_kernel *k, haywire_source *src, int prove)
{
	uint64_t t0 = now_ns();
	int rc = hw_kernel_find_vmcoreinfo(k, src);
	uint64_t t1 = now_ns();
	if (!rc)
		rc = make_user_format(k);
	if (!rc)
		rc = hw_kernel_load_symbols(k);
	uint64_t t2 = now_ns();
	if (!rc)
		rc = hw_kernel_load_types(k);
	uint64_t t3 = now_ns();
	if (!rc && prove) {
		struct hw_kmem km;
		haywire_task *tasks;
		uint64_t n;
		hw_kernel_kmem(k, &km);
		if (!(rc = hw_tasks_walk(&km, &k->layout, k->init_task, 0, &tasks, &n)))
			free(tasks);
	}
	k->info.ns_vmcoreinfo += t1 - t0;
	k->info.ns_symbols += t2 - t1;
	k->info.ns_types += t3 - t2;
	return rc;
}

/*
 * A RAM file opened without a layout: the machines QEMU has, then flat (what
 * the source guessed). The first under which the whole kernel opens wins.
 */
static int open_guessing_layout(haywire_kernel *k, haywire_source *src)
{
	static const char *const layouts[] = {"virt", "q35", "pc", NULL};
	char why[256] = "";
	for (size_t i = 0; i < sizeof layouts / sizeof *layouts; i++) {
		haywire_source *alt = src;
		if (layouts[i] && hw_ramfile_relayout(src, layouts[i], &alt))
			continue; /* e.g. the file is too small for it */
		if (open_on(k, alt, 1) == HAYWIRE_OK) {
			if (alt != src)
				k->owned_src = alt;
			return HAYWIRE_OK;
		}
		if (!*why || layouts[i] == NULL)
			snprintf(why, sizeof why, "%s", haywire_last_error());
		forget(k);
		if (alt != src)
			haywire_source_close(alt);
	}
	return hw_fail(HAYWIRE_E_NOT_FOUND,
	               "%s (under each of the layouts virt, q35, pc and flat)", why);
}

HAYWIRE_API int haywire_kernel_open(haywire_source *src, const haywire_kernel_options *opts,
                                    haywire_kernel **out)
{
	if (!out)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_kernel_open: NULL output pointer");
	*out = NULL;
	if (!src)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_kernel_open: NULL source");
	if (opts && opts->struct_size < offsetof(haywire_kernel_options, flags) + sizeof opts->flags)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_kernel_open: options struct_size unset");
	haywire_kernel *k = calloc(1, sizeof *k);
	if (!k)
		return hw_fail_nomem("kernel");
	k->flags = opts ? opts->flags : 0;
	k->info.struct_size = sizeof k->info;

	int rc = haywire_source_flags(src) & HAYWIRE_SOURCE_LAYOUT_GUESSED
	             ? open_guessing_layout(k, src)
	             : open_on(k, src, 0);
	if (rc) {
		haywire_kernel_close(k);
		return rc; /* each step recorded its message */
	}
	k->info.arch = k->paging.arch;
	k->info.kaslr_offset = k->paging.kaslr_offset;
	k->info.root = k->paging.root_pa;
	k->info.page_size = k->paging.page_size;
	*out = k;
	return HAYWIRE_OK;
}

HAYWIRE_API void haywire_kernel_close(haywire_kernel *k)
{
	if (!k)
		return;
	forget(k);
	haywire_source_close(k->owned_src);
	free(k);
}

HAYWIRE_API int haywire_kernel_get_info(const haywire_kernel *k, haywire_kernel_info *out)
{
	if (!k || !out || out->struct_size < sizeof(uint32_t))
		return hw_fail(HAYWIRE_E_INVALID,
		               "haywire_kernel_get_info: NULL argument or struct_size unset");
	haywire_kernel_info info = k->info;
	info.bytes_read = atomic_load(&((haywire_kernel *)k)->bytes_read);
	uint32_t size = out->struct_size < sizeof info ? out->struct_size : sizeof info;
	memcpy(out, &info, size);
	out->struct_size = size;
	return HAYWIRE_OK;
}

HAYWIRE_API const char *haywire_kernel_release(const haywire_kernel *k)
{
	return k ? hw_vmcoreinfo_osrelease(k->vmci) : "";
}

HAYWIRE_API haywire_source *haywire_kernel_source(const haywire_kernel *k)
{
	return k ? k->src : NULL;
}

HAYWIRE_API const haywire_aspace *haywire_kernel_aspace(const haywire_kernel *k)
{
	return k ? k->kas : NULL;
}

HAYWIRE_API int haywire_kernel_symbol(const haywire_kernel *k, const char *name, uint64_t *addr)
{
	if (!k || !name || !addr)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_kernel_symbol: NULL argument");
	if (!k->ksyms)
		return hw_fail(HAYWIRE_E_NOT_FOUND, "symbol %s: this kernel's kallsyms was not read",
		               name);
	if (hw_kallsyms_lookup(k->ksyms, name, addr, NULL))
		return hw_fail(HAYWIRE_E_NOT_FOUND, "no kernel symbol %s", name);
	return HAYWIRE_OK;
}

HAYWIRE_API int haywire_kernel_read(const haywire_kernel *k, uint64_t kva, void *buf,
                                    uint64_t len, uint64_t *done)
{
	if (done)
		*done = 0;
	if (!k || (!buf && len))
		return hw_fail(HAYWIRE_E_INVALID, "haywire_kernel_read: NULL argument");
	/* page by page, so *done says how far a partial read got */
	uint64_t copied = 0;
	while (copied < len) {
		uint64_t chunk = 4096 - ((kva + copied) & 4095);
		if (chunk > len - copied)
			chunk = len - copied;
		int rc = hw_kernel_kread((void *)k, kva + copied, (uint8_t *)buf + copied, chunk);
		if (rc) {
			if (done)
				*done = copied;
			return hw_fail(rc, "kernel read at 0x%llx: %s", (unsigned long long)(kva + copied),
			               haywire_strerror(rc));
		}
		copied += chunk;
	}
	if (done)
		*done = copied;
	return HAYWIRE_OK;
}
