/*
 * haywire/kernel.h — layer 3: the guest's Linux kernel, found with no symbols.
 *
 * haywire_kernel_open() looks at guest memory it has never seen and works out,
 * all from the guest itself:
 *   - VMCOREINFO (the kernel's own description for crash tools): taken from
 *     the source when it carries it (dump notes), else found in RAM; a copy is
 *     trusted only once its page-table root translates its own
 *     SYMBOL(init_uts_ns) to the release string it claims;
 *   - the paging format, the KASLR offset and the kernel page-table root;
 *   - symbols, from the kernel's compressed kallsyms tables;
 *   - struct layouts, from the kernel's BTF type data, or — without BTF, or
 *     when HAYWIRE_KERNEL_CALIBRATE asks for it — calibrated from the task
 *     structures themselves and cross-checked.
 * For a RAM file opened without a layout, the standard QEMU layouts are tried
 * and the one under which the kernel validates is kept.
 *
 * Thread safety: immutable once open; read it from many threads.
 */
#ifndef HAYWIRE_KERNEL_H
#define HAYWIRE_KERNEL_H

#include <haywire/aspace.h>
#include <haywire/common.h>
#include <haywire/source.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct haywire_kernel haywire_kernel;

/* Bits of haywire_kernel_options.flags. */
enum haywire_kernel_flag {
	/* Ignore BTF: calibrate struct layouts from the structures themselves. */
	HAYWIRE_KERNEL_CALIBRATE = 1u << 0,
	/* Ignore kallsyms: find init_task by scanning the kernel image. */
	HAYWIRE_KERNEL_NO_KALLSYMS = 1u << 1,
	/* Ignore the VMCOREINFO a source carries: find it in RAM. */
	HAYWIRE_KERNEL_SCAN_VMCOREINFO = 1u << 2,
};

typedef struct haywire_kernel_options {
	uint32_t struct_size; /* sizeof(haywire_kernel_options) */
	uint32_t flags;       /* enum haywire_kernel_flag */
} haywire_kernel_options;

/* How struct layouts were found (haywire_kernel_info.types). */
enum haywire_kernel_types {
	HAYWIRE_TYPES_BTF = 1,
	HAYWIRE_TYPES_CALIBRATED = 2,
};

/* What was found, and what it cost (for tools and benchmarks). */
typedef struct haywire_kernel_info {
	uint32_t struct_size;  /* set by the caller */
	uint32_t arch;         /* haywire_arch */
	uint64_t kaslr_offset; /* KERNELOFFSET */
	uint64_t root;         /* PA of the kernel page-table root (x86 init_top_pgt,
	                          arm64 swapper_pg_dir) */
	uint32_t page_size;
	uint32_t types;        /* enum haywire_kernel_types */
	uint32_t symbols;      /* number of kallsyms symbols decoded (0 if none) */
	uint32_t vmcoreinfo_candidates; /* copies of VMCOREINFO looked at */
	uint64_t ns_vmcoreinfo; /* time spent finding and validating VMCOREINFO */
	uint64_t ns_symbols;    /* decoding kallsyms */
	uint64_t ns_types;      /* locating and parsing BTF, or calibrating */
	uint64_t bytes_read;    /* guest memory read through the kernel's page tables so
	                           far: opening, and every walk since (the VMCOREINFO
	                           scan, which compares a few bytes per page, is apart) */
} haywire_kernel_info;

/*
 * Find the kernel in SRC (borrowed: close it after the kernel). OPTS may be
 * NULL. Errors: HAYWIRE_E_NOT_FOUND (no valid VMCOREINFO: no Linux kernel,
 * or it was zeroed), HAYWIRE_E_CORRUPT (a kernel structure failed its
 * checks), HAYWIRE_E_UNSUPPORTED (an architecture or format not handled).
 */
HAYWIRE_API int haywire_kernel_open(haywire_source *src, const haywire_kernel_options *opts,
                                    haywire_kernel **out);

/* Release a kernel handle. NULL is ignored. */
HAYWIRE_API void haywire_kernel_close(haywire_kernel *k);

/* Copy what was found into *OUT (OUT->struct_size set by the caller). */
HAYWIRE_API int haywire_kernel_get_info(const haywire_kernel *k, haywire_kernel_info *out);

/* The kernel release (uname -r), e.g. "6.1.0-18-amd64"; "" for NULL. */
HAYWIRE_API const char *haywire_kernel_release(const haywire_kernel *k);

/*
 * The source the kernel reads through: SRC itself, or, for a RAM file opened
 * without a layout, a source with the layout that validated (owned by K).
 */
HAYWIRE_API haywire_source *haywire_kernel_source(const haywire_kernel *k);

/* The kernel's own address space (owned by K): x86 init_top_pgt, arm64 TTBR1. */
HAYWIRE_API const haywire_aspace *haywire_kernel_aspace(const haywire_kernel *k);

/*
 * Address of kernel symbol NAME (from kallsyms, KASLR included).
 * HAYWIRE_E_NOT_FOUND if the kernel lacks it or has no kallsyms.
 */
HAYWIRE_API int haywire_kernel_symbol(const haywire_kernel *k, const char *name, uint64_t *addr);

/* Read LEN bytes of kernel-virtual memory at KVA; like haywire_source_read. */
HAYWIRE_API int haywire_kernel_read(const haywire_kernel *k, uint64_t kva, void *buf,
                                    uint64_t len, uint64_t *done);

#ifdef __cplusplus
}
#endif

#endif /* HAYWIRE_KERNEL_H */
