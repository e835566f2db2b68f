/*
 * Internal: the guest kernel's VMCOREINFO text ("OSRELEASE=6.1.0-18-amd64\n
 * PAGESIZE=4096\nSYMBOL(swapper_pg_dir)=ffffffff...\n..."), the kernel's own
 * description of itself for crash tools. Parsed strictly: random bytes and
 * damaged copies are rejected, not half-read.
 */
#ifndef HW_KERNEL_VMCOREINFO_H
#define HW_KERNEL_VMCOREINFO_H

#include <haywire/source.h>
#include <stdint.h>

/* Caps on hostile input. The kernel's text fits in one page (VMCOREINFO_BYTES). */
#define HW_VMCI_MAX_TEXT (1u << 20)  /* bytes of text */
#define HW_VMCI_MAX_LINE 256u        /* the kernel formats lines into 80 bytes */
#define HW_VMCI_MAX_ENTRIES 8192u

struct hw_vmcoreinfo;

/*
 * Parse LEN bytes of TEXT. The text ends at the first NUL byte (the kernel's
 * page is zero-padded) or at LEN. Every line must be KEY=VALUE with a
 * well-formed key (NAME or KIND(name)), printable ASCII, at most
 * HW_VMCI_MAX_LINE bytes; the first line must be OSRELEASE=; the values of
 * SYMBOL(), NUMBER(), OFFSET(), SIZE(), LENGTH(), PAGESIZE, KERNELOFFSET and
 * CRASHTIME must be numbers of their kind. Returns HAYWIRE_E_LIMIT for text
 * over HW_VMCI_MAX_TEXT, HAYWIRE_E_FORMAT when it does not start with
 * OSRELEASE=, HAYWIRE_E_CORRUPT for any bad line (the message names it).
 */
int hw_vmcoreinfo_parse(const char *text, uint64_t len, struct hw_vmcoreinfo **out);

/* Release. NULL is ignored. */
void hw_vmcoreinfo_free(struct hw_vmcoreinfo *v);

/* Number of KEY=VALUE lines, and the I-th of them in text order. */
uint32_t hw_vmcoreinfo_count(const struct hw_vmcoreinfo *v);
int hw_vmcoreinfo_entry(const struct hw_vmcoreinfo *v, uint32_t i, const char **key,
                        const char **value);

/* Value of KEY (e.g. "OSRELEASE", "SYMBOL(_stext)"), first occurrence, or NULL. */
const char *hw_vmcoreinfo_get(const struct hw_vmcoreinfo *v, const char *key);

/* OSRELEASE value; never NULL for a parsed text. */
const char *hw_vmcoreinfo_osrelease(const struct hw_vmcoreinfo *v);

/*
 * Typed look-ups: SYMBOL(name) (hex address), NUMBER(name) (decimal, possibly
 * negative, or 0x-hex; negative values come back as uint64 two's complement),
 * OFFSET(name), SIZE(name), LENGTH(name), PAGESIZE and KERNELOFFSET.
 * HAYWIRE_E_NOT_FOUND (with a message naming the key) when absent.
 */
int hw_vmcoreinfo_symbol(const struct hw_vmcoreinfo *v, const char *name, uint64_t *out);
int hw_vmcoreinfo_number(const struct hw_vmcoreinfo *v, const char *name, uint64_t *out);
int hw_vmcoreinfo_offset(const struct hw_vmcoreinfo *v, const char *name, uint64_t *out);
int hw_vmcoreinfo_size(const struct hw_vmcoreinfo *v, const char *name, uint64_t *out);
int hw_vmcoreinfo_length(const struct hw_vmcoreinfo *v, const char *name, uint64_t *out);
int hw_vmcoreinfo_page_size(const struct hw_vmcoreinfo *v, uint64_t *out);
int hw_vmcoreinfo_kaslr_offset(const struct hw_vmcoreinfo *v, uint64_t *out);

/*
 * x86-64: the start of the kernel image mapping, Linux's __START_KERNEL_map.
 * Not a guest address that KASLR or the machine moves: it is the base of the
 * top 2 GiB that the x86-64 "kernel" code model (-mcmodel=kernel, which every
 * x86-64 Linux is built with) requires the image to be linked into, fixed in
 * Documentation/arch/x86/x86_64/mm.rst. KASLR shifts the image inside this
 * window (KERNELOFFSET) and the physical load address (phys_base). VMCOREINFO
 * does not carry it, so it is the one architectural constant used here.
 */
#define HW_X86_64_START_KERNEL_MAP 0xffffffff80000000ull

/* How the kernel's own page tables look, derived from VMCOREINFO. */
struct hw_kernel_paging {
	uint32_t arch;          /* haywire_arch */
	uint32_t page_size;     /* translation granule in bytes */
	uint32_t va_bits;       /* x86: 48 or 57; arm64: TTBR1 region size, 64 - T1SZ */
	uint32_t levels;        /* translation levels walked from the root */
	uint64_t root_kva;      /* init_top_pgt (x86) or swapper_pg_dir (arm64) */
	uint64_t root_pa;       /* its physical address: the kernel page-table root */
	uint64_t kaslr_offset;  /* KERNELOFFSET (0 when the text lacks it) */
	uint64_t phys_base;     /* x86: phys_base */
	uint64_t kimage_voffset;/* arm64: kernel image VA - PA */
	uint64_t phys_offset;   /* arm64: PHYS_OFFSET (PA of the linear map's start) */
	uint64_t image_size;    /* x86: KERNEL_IMAGE_SIZE window, 0 if unknown */
};

/* HAYWIRE_ARCH_X86_64, HAYWIRE_ARCH_ARM64 or HAYWIRE_ARCH_UNKNOWN, from the keys present. */
uint32_t hw_vmcoreinfo_arch(const struct hw_vmcoreinfo *v);

/*
 * Fill *OUT from V. x86-64: root = init_top_pgt - __START_KERNEL_map +
 * phys_base, levels 5 when NUMBER(pgtable_l5_enabled)=1 else 4. arm64: root
 * = swapper_pg_dir - kimage_voffset, granule = PAGESIZE, VA bits from
 * NUMBER(TCR_EL1_T1SZ) (what the CPU really uses) else NUMBER(VA_BITS).
 * HAYWIRE_E_NOT_FOUND names a missing key; HAYWIRE_E_CORRUPT flags values
 * that cannot be (root outside the image window, granule not 4/16/64K...).
 */
int hw_vmcoreinfo_paging(const struct hw_vmcoreinfo *v, struct hw_kernel_paging *out);

/*
 * Physical address of a kernel-image virtual address (kernel text, rodata,
 * data, bss: where kallsyms, BTF and swapper_pg_dir live), without a page
 * walk: the image is mapped at a fixed offset. HAYWIRE_E_NOT_MAPPED when KVA
 * is outside the image window.
 */
int hw_kernel_image_pa(const struct hw_kernel_paging *p, uint64_t kva, uint64_t *pa);
/* The same without recording a message (for readers that probe). */
int hw_kernel_image_pa_quiet(const struct hw_kernel_paging *p, uint64_t kva, uint64_t *pa);

/* One VMCOREINFO copy found in guest RAM. */
struct hw_vmci_found {
	uint64_t pa;       /* guest-physical address of the page it starts on */
	uint64_t text_pa;  /* where the text starts (pa, or pa + 24 for a note) */
	uint32_t is_note;  /* 1: ELF note "VMCOREINFO" (vmcoreinfo_note), 0: bare text */
	struct hw_vmcoreinfo *info; /* parsed text, owned by the array */
};

#define HW_VMCI_MAX_FOUND 64u

/*
 * Look for VMCOREINFO in every RAM page of SRC: pages starting with
 * "OSRELEASE=" (the kernel's vmcoreinfo_data page, its crash-kernel safe copy)
 * or with an ELF note header named "VMCOREINFO" (vmcoreinfo_note). Only page
 * starts are examined (both live in page-aligned allocations), so the scan
 * costs one small compare per 4 KiB. Every hit is parsed; copies that do not
 * parse are skipped. Stale copies from earlier boots may be among them: the
 * caller decides (e.g. by matching the CPU's page-table root). On success
 * *FOUND is a malloc'd array of *COUNT entries (NULL if none; release with
 * hw_vmci_found_free); HAYWIRE_E_NOT_FOUND when there is none; at most
 * HW_VMCI_MAX_FOUND are kept.
 */
int hw_vmcoreinfo_scan(const haywire_source *src, struct hw_vmci_found **found,
                       uint32_t *count);

/*
 * The same scan, streaming: EACH is called with every copy that parses, in
 * address order. It may keep FOUND->info (setting it to NULL); it returns 1
 * to stop the scan (e.g. at the first copy that validates), 0 to go on.
 * Returns HAYWIRE_OK, or an error that stopped the scan (NOMEM, a read).
 */
typedef int (*hw_vmci_each_fn)(void *ctx, struct hw_vmci_found *found);
int hw_vmcoreinfo_scan_each(const haywire_source *src, hw_vmci_each_fn each, void *ctx);
void hw_vmci_found_free(struct hw_vmci_found *found, uint32_t count);

#endif
