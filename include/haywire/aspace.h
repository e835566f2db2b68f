/*
 * haywire/aspace.h — layer 2 ("mmu"): guest virtual address spaces.
 *
 * An address space is (source, paging format, root). It translates a
 * virtual address (VA) to a guest-physical address (PA) with a trace of every
 * level's entry, and enumerates the mapped ranges in VA order. Page tables
 * are guest data: entries that cannot be right (output outside RAM, reserved
 * bits, a table pointing back to one of its ancestors) are reported as
 * anomalies and never followed, and every enumeration is bounded.
 *
 * Formats:
 *   x86-64   4-level (48-bit VA) or 5-level (LA57, 57-bit VA), 4 KiB pages,
 *            2 MiB and 1 GiB pages. One root (CR3) covers both halves; the
 *            upper (kernel) half is the canonical sign extension.
 *   arm64    VMSAv8-64 stage 1, 4K/16K/64K granule, VA sizes 25..48 bits, and
 *            52 bits (64K with LVA; 4K/16K need LPA2, i.e. pa_bits 52).
 *            Blocks: 2 MiB/1 GiB (4K), 32 MiB (16K), 512 MiB (64K); with
 *            pa_bits 52 also 512 GiB (4K), 64 GiB (16K), 4 TiB (64K).
 *            One root is one TTBR: without HAYWIRE_MMU_TTBR1 the root
 *            translates the lower half [0, 2^va_bits) (TTBR0, user space);
 *            with it, the upper half [2^64 - 2^va_bits, 2^64) (TTBR1, kernel).
 *            A process's full view is two address spaces.
 *
 * Permissions (HAYWIRE_PERM_*) are the effective ones after combining every
 * level (x86: R/W and U/S ANDed, NX ORed; arm64: leaf AP/UXN/PXN limited by
 * the tables' APTable/UXNTable/PXNTable). arm64 "write" is AP[2]==0 or DBM
 * set (Linux marks writable-clean pages read-only with DBM). EXEC is
 * "executable at the page's own level": !UXN for user pages, !PXN for
 * kernel pages on arm64, !NX on x86.
 *
 * "Present": an entry is mapped when its valid/present bit is set. With
 * haywire_mmu_format.sw_present_bit nonzero, a not-valid LEAF-level entry with
 * that bit set is also mapped, flagged HAYWIRE_MAP_PROTNONE, with no access
 * permissions (Linux PROT_NONE pages / NUMA hinting faults). Linux values:
 * x86-64 8 (_PAGE_PROTNONE; its PFN is stored inverted since the L1TF fix,
 * which the walker undoes), arm64 58 (PTE_PROT_NONE, kernels up to 6.9) or
 * 11 (PTE_PRESENT_INVALID, 6.10 and later).
 *
 * Thread safety: an address space is immutable after creation and may be
 * used from many threads at once. It borrows its source: close the source
 * only after freeing every address space made on it.
 */
#ifndef HAYWIRE_ASPACE_H
#define HAYWIRE_ASPACE_H

#include <haywire/common.h>
#include <haywire/source.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque handle on one address space. */
typedef struct haywire_aspace haywire_aspace;

/* Most levels any format has (arm64 4K/LPA2 and x86 LA57 have 5). */
#define HAYWIRE_MAX_LEVELS 6

/* Bits of haywire_mmu_format.flags. */
enum haywire_mmu_flag {
	/*
	 * x86-64, Linux PTI: the root is the KERNEL copy of a process PGD, on
	 * which Linux sets NX in the top-level entries of the user half so the
	 * kernel cannot run user code. Ignore NX on those entries, so the walk
	 * shows the permissions the user copy grants.
	 */
	HAYWIRE_MMU_PTI_KERNEL_PGD = 1u << 0,
	/* arm64: the root is a TTBR1 table (upper-half VAs); see above. */
	HAYWIRE_MMU_TTBR1 = 1u << 1,
};

/*
 * A paging format. Zero fields are derived by haywire_mmu_format_derive()
 * (and by haywire_aspace_new, which derives a private copy).
 */
typedef struct haywire_mmu_format {
	uint32_t struct_size;    /* sizeof(haywire_mmu_format) */
	uint32_t arch;           /* haywire_arch: HAYWIRE_ARCH_X86_64 or _ARM64 */
	uint32_t granule;        /* bytes: 4096, 16384, 65536 (x86: 4096); 0 = 4096 */
	uint32_t va_bits;        /* x86: 48 or 57; arm64: 25..48 or 52; 0 = from levels / 48 */
	uint32_t levels;         /* 0 = derived; if set it must match the rest */
	uint32_t pa_bits;        /* output-address width: x86 36..52 (default 52);
	                            arm64 32..48 (default 48) or 52 (64K: LPA,
	                            4K/16K: LPA2 descriptor layout) */
	uint32_t flags;          /* enum haywire_mmu_flag */
	uint32_t sw_present_bit; /* 0, or the software "present" bit (see above) */
	/* Filled by haywire_mmu_format_derive: */
	uint32_t page_shift;     /* log2(granule) */
	uint32_t top_entries;    /* entries in the top-level table */
} haywire_mmu_format;

/*
 * Fill the zero fields of *FMT and check the combination. Returns
 * HAYWIRE_E_INVALID with a message naming the problem (e.g. "arm64 4K
 * granule with 52-bit VA needs pa_bits 52 (LPA2)", "levels 4 does not match
 * 64K granule and 48-bit VA (3 levels)").
 */
HAYWIRE_API int haywire_mmu_format_derive(haywire_mmu_format *fmt);

/*
 * Turn a root register value into the PA of the top-level table: x86 CR3
 * (PCID / PWT / PCD in bits 11:0, NOFLUSH in bit 63 and LAM bits dropped;
 * bits above pa_bits masked; bit 12, which Linux PTI sets to select a
 * process's user PGD copy, is an address bit and kept) or arm64 TTBRn_EL1
 * (ASID in 63:48 and CnP in bit 0 dropped; with pa_bits 52, BADDR[51:48]
 * from bits 5:2). A plain
 * table PA below 2^48 is a valid register value (ASID 0), so it passes
 * through unchanged. FMT is derived first (it may have zero fields).
 */
HAYWIRE_API int haywire_mmu_root_from_register(const haywire_mmu_format *fmt, uint64_t reg,
                                               uint64_t *table_pa);

/*
 * Linux's name for level DEPTH (0 = top) of a LEVELS-level table:
 * "PGD", "P4D", "PUD", "PMD", "PTE" (folded levels omitted, as in the
 * kernel's fault messages). "" when out of range. Static storage.
 */
HAYWIRE_API const char *haywire_mmu_level_name(uint32_t levels, uint32_t depth);

/*
 * Create an address space over SRC (borrowed) with format FMT (copied and
 * derived) and root ROOT, a root register value (see
 * haywire_mmu_root_from_register; a plain table PA works). The root table
 * must lie in RAM (HAYWIRE_E_NOT_RAM otherwise). *OUT is NULL on failure.
 */
HAYWIRE_API int haywire_aspace_new(haywire_source *src, const haywire_mmu_format *fmt,
                                   uint64_t root, haywire_aspace **out);

/* Release an address space. NULL is ignored. */
HAYWIRE_API void haywire_aspace_free(haywire_aspace *as);

/* Copy the derived format into *OUT (OUT->struct_size set by the caller). */
HAYWIRE_API int haywire_aspace_format(const haywire_aspace *as, haywire_mmu_format *out);

/* PA of the top-level table; 0 for NULL. */
HAYWIRE_API uint64_t haywire_aspace_root(const haywire_aspace *as);

/*
 * First and last VA this address space can map (x86: the whole 64-bit space,
 * holes included; arm64: its half). Returns HAYWIRE_E_INVALID for NULL.
 */
HAYWIRE_API int haywire_aspace_va_bounds(const haywire_aspace *as, uint64_t *first,
                                         uint64_t *last);

/* Permission bits (haywire_translation.perms, haywire_va_range.perms). */
enum haywire_perm {
	HAYWIRE_PERM_READ = 1u << 0,
	HAYWIRE_PERM_WRITE = 1u << 1,
	HAYWIRE_PERM_EXEC = 1u << 2,
	HAYWIRE_PERM_USER = 1u << 3, /* accessible from user mode (x86 U/S, arm64 AP[1]) */
};

/* Mapping flags (haywire_translation.flags, haywire_va_range.flags). */
enum haywire_map_flag {
	HAYWIRE_MAP_GLOBAL = 1u << 0,   /* x86 G, arm64 !nG */
	HAYWIRE_MAP_ACCESSED = 1u << 1, /* x86 A, arm64 AF (translation only) */
	HAYWIRE_MAP_DIRTY = 1u << 2,    /* x86 D, arm64 DBM && !AP[2] (translation only) */
	HAYWIRE_MAP_CONTIG = 1u << 3,   /* arm64 contiguous hint (translation only) */
	HAYWIRE_MAP_PROTNONE = 1u << 4, /* present only by the software bit */
	HAYWIRE_MAP_NOT_RAM = 1u << 5,  /* output address outside the source's RAM */
};

/* What one table entry meant (haywire_walk_step.kind). */
typedef enum haywire_entry_kind {
	HAYWIRE_ENTRY_INVALID = 0, /* not present: translation stops (fault) */
	HAYWIRE_ENTRY_TABLE = 1,   /* points to the next level */
	HAYWIRE_ENTRY_BLOCK = 2,   /* leaf above the last level (huge page / block) */
	HAYWIRE_ENTRY_PAGE = 3,    /* leaf at the last level */
	HAYWIRE_ENTRY_ANOMALY = 4, /* impossible entry: not followed (see anomaly bits) */
} haywire_entry_kind;

/* Why an entry is anomalous (bitwise OR). */
enum haywire_anomaly {
	HAYWIRE_ANOMALY_NOT_RAM = 1u << 0,  /* table or output address outside RAM */
	HAYWIRE_ANOMALY_RESERVED = 1u << 1, /* reserved bits set */
	HAYWIRE_ANOMALY_CYCLE = 1u << 2,    /* table points to itself or an ancestor */
	HAYWIRE_ANOMALY_BAD_TYPE = 1u << 3, /* descriptor type impossible at this level */
	HAYWIRE_ANOMALY_UNREADABLE = 1u << 4, /* the table could not be read */
};

/* One level of a walk. */
typedef struct haywire_walk_step {
	uint64_t table_pa; /* PA of the table read at this level */
	uint64_t entry;    /* raw entry value */
	uint64_t out_pa;   /* next table (TABLE) or page/block base (leaf), else 0 */
	uint32_t index;    /* index of the entry in its table */
	uint32_t kind;     /* haywire_entry_kind */
	uint32_t anomaly;  /* enum haywire_anomaly bits (a leaf outside RAM is
	                      PAGE/BLOCK with NOT_RAM set) */
	uint32_t depth;    /* 0 = top level; haywire_mmu_level_name() names it */
} haywire_walk_step;

/* Result of haywire_aspace_translate: fixed size, FFI-friendly. */
typedef struct haywire_translation {
	uint32_t struct_size; /* sizeof(haywire_translation), set by the caller */
	int32_t status;       /* HAYWIRE_OK, HAYWIRE_E_NOT_MAPPED, HAYWIRE_E_CORRUPT, ... */
	uint64_t va;
	uint64_t pa;          /* valid when status is HAYWIRE_OK */
	uint64_t page_size;   /* size of the page or block mapping VA */
	uint64_t attrs;       /* raw leaf entry with its output-address bits cleared */
	uint32_t perms;       /* enum haywire_perm */
	uint32_t flags;       /* enum haywire_map_flag */
	uint32_t levels;      /* levels of the format */
	uint32_t nsteps;      /* steps[] filled (walk stops at a leaf, fault or anomaly) */
	haywire_walk_step steps[HAYWIRE_MAX_LEVELS];
} haywire_translation;

/*
 * Translate VA. Fills *OUT (OUT->struct_size must be set) and returns its
 * status: HAYWIRE_OK (PA found; a leaf outside RAM still translates, with
 * HAYWIRE_MAP_NOT_RAM), HAYWIRE_E_NOT_MAPPED (invalid entry, or VA outside
 * this space, e.g. non-canonical: then nsteps is 0), HAYWIRE_E_CORRUPT (an
 * anomaly stopped the walk; the last step says which).
 */
HAYWIRE_API int haywire_aspace_translate(const haywire_aspace *as, uint64_t va,
                                         haywire_translation *out);

/* One mapped range: VA and PA contiguous, equal attributes. */
typedef struct haywire_va_range {
	uint64_t va;
	uint64_t pa;
	uint64_t size;
	uint64_t page_size; /* size of each page or block in the range */
	uint32_t perms;     /* enum haywire_perm */
	uint32_t flags;     /* enum haywire_map_flag: GLOBAL, PROTNONE, NOT_RAM only */
	uint32_t memtype;   /* arm64 AttrIndx | SH << 3; x86 PWT | PCD << 1 | PAT << 2 */
	uint32_t reserved;
} haywire_va_range;

/* One anomaly met while enumerating. */
typedef struct haywire_anomaly_info {
	uint64_t va;       /* first VA the entry covers */
	uint64_t table_pa; /* table holding the entry */
	uint64_t entry;    /* raw value */
	uint32_t index;
	uint32_t depth;
	uint32_t anomaly;  /* enum haywire_anomaly bits */
	uint32_t reserved;
} haywire_anomaly_info;

/* Callbacks return 0 to go on, anything else to stop the walk early. */
typedef int (*haywire_range_cb)(const haywire_va_range *range, void *user);
typedef int (*haywire_anomaly_cb)(const haywire_anomaly_info *anomaly, void *user);

/* Default caps on one enumeration (see haywire_walk_options). */
#define HAYWIRE_WALK_DEFAULT_MAX_TABLES (1ull << 20)
#define HAYWIRE_WALK_DEFAULT_MAX_ANOMALIES (1ull << 16)

/*
 * Options and statistics of one enumeration. The caps bound the work
 * whatever the tables say: a walk that would read more than MAX_TABLES
 * tables (shared tables count each time) or meet more than MAX_ANOMALIES
 * anomalies stops there with HAYWIRE_E_LIMIT; ranges before that point have
 * been delivered.
 */
typedef struct haywire_walk_options {
	uint32_t struct_size;         /* sizeof(haywire_walk_options) */
	uint32_t reserved;
	uint64_t max_tables;          /* 0 = HAYWIRE_WALK_DEFAULT_MAX_TABLES */
	uint64_t max_anomalies;       /* 0 = HAYWIRE_WALK_DEFAULT_MAX_ANOMALIES */
	haywire_anomaly_cb on_anomaly; /* may be NULL */
	void *anomaly_user;
	/* Out: */
	uint64_t tables_visited;
	uint64_t anomalies;
	uint64_t ranges;
	uint64_t stop_va;             /* where the walk stopped (HAYWIRE_E_LIMIT / callback) */
} haywire_walk_options;

/*
 * Call CB for every mapped range overlapping [VA_FIRST, VA_LAST] (inclusive;
 * ranges are clipped to it), in VA order, coalescing runs contiguous in VA
 * and PA with equal page size, perms, memtype and flags. Empty subtrees are
 * skipped. OPTS may be NULL (defaults). Returns HAYWIRE_OK, HAYWIRE_E_LIMIT,
 * or HAYWIRE_OK early when a callback asked to stop.
 */
HAYWIRE_API int haywire_aspace_enumerate(const haywire_aspace *as, uint64_t va_first,
                                         uint64_t va_last, haywire_range_cb cb, void *user,
                                         haywire_walk_options *opts);

/*
 * Copy-out form for FFI: store up to CAP ranges from [VA_FIRST, VA_LAST]
 * into OUT and their number in *COUNT. Returns HAYWIRE_OK when the window is
 * finished, HAYWIRE_E_RANGE when OUT filled up first: call again with
 * VA_FIRST = *NEXT_VA to resume (the ranges already returned are complete),
 * or HAYWIRE_E_LIMIT (default caps). NEXT_VA may be NULL.
 */
HAYWIRE_API int haywire_aspace_ranges(const haywire_aspace *as, uint64_t va_first,
                                      uint64_t va_last, haywire_va_range *out, uint64_t cap,
                                      uint64_t *count, uint64_t *next_va);

/*
 * Copy-out form of the anomalies in [VA_FIRST, VA_LAST]: the first CAP into
 * OUT (may be NULL if CAP is 0) and the total found into *COUNT (bounded by
 * HAYWIRE_WALK_DEFAULT_MAX_ANOMALIES). Returns HAYWIRE_OK, HAYWIRE_E_RANGE
 * (more than CAP) or HAYWIRE_E_LIMIT.
 */
HAYWIRE_API int haywire_aspace_anomalies(const haywire_aspace *as, uint64_t va_first,
                                         uint64_t va_last, haywire_anomaly_info *out,
                                         uint64_t cap, uint64_t *count);

#ifdef __cplusplus
}
#endif

#endif /* HAYWIRE_ASPACE_H */
