/*
 * Internal: a kernel-virtual reader for the kernel image alone (text, rodata,
 * data, bss), which the kernel maps at a fixed offset from its physical load
 * address: enough to read kallsyms, BTF and swapper_pg_dir before any page
 * table is walked.
 */
#ifndef HW_KERNEL_KIMAGE_READER_H
#define HW_KERNEL_KIMAGE_READER_H

#include "kernel/kread.h"
#include "kernel/vmcoreinfo.h"

struct hw_kimage_reader {
	const haywire_source *src;
	struct hw_kernel_paging paging; /* from hw_vmcoreinfo_paging */
};

/*
 * hw_kread_fn over CTX, a struct hw_kimage_reader: HAYWIRE_E_NOT_MAPPED when
 * [KVA, KVA+LEN) leaves the image window, HAYWIRE_E_NOT_RAM when its physical
 * address is not RAM. Records no message (callers add context).
 */
int hw_kimage_read(void *ctx, uint64_t kva, void *buf, uint64_t len);

/* A reader for R (R must outlive the returned value's use). */
static inline struct hw_kreader hw_kimage_reader_of(struct hw_kimage_reader *r)
{
	struct hw_kreader k = {hw_kimage_read, r};
	return k;
}

#endif
