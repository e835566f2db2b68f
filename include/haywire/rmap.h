/*
 * haywire/rmap.h — layer 5: the reverse page map.
 *
 * One forward walk of every process's user page tables, turned around: for
 * each guest-physical frame, every (process, VA, permissions, page size)
 * that maps it, plus the page-table pages themselves (attributed to their
 * process and level) and the kernel image. From it: the owners of one
 * address, per-page owner counts for a whole physical window (what a
 * visualizer colours), every mapping of one process, shared-frame counts
 * and per-process RSS, PSS and USS computed from outside the guest.
 *
 * Storage grows with the real mappings only: contiguous runs (VA and PA
 * contiguous, same permissions and page size) are kept as one record, so a
 * 1 GiB block costs one record, not 262144. A map is a snapshot: immutable
 * once built, safe to read from many threads. Building a fresh one is the
 * refresh; haywire_rmap_rebuild reuses an old map's memory for that. A map
 * keeps no reference to the kernel or source it was built from: free them
 * in any order. For a live guest, pause it (or accept that a build reads
 * tables the guest is changing: every read stays checked and bounded, and
 * the result is a best-effort picture).
 *
 * Kernel semantics followed by the statistics (Linux's smaps):
 *   - RSS: bytes of present user mappings of the process.
 *   - PSS: every page contributes page_size / mapcount, mapcount being the
 *     number of user mappings of that frame across all processes (a frame
 *     mapped twice by one process counts twice, like the kernel's mapcount).
 *   - USS: frames whose every user mapping belongs to this one process.
 *   - "Special" mappings are left out of all three, as smaps leaves out what
 *     is not a "normal" page: user mappings of kernel-image frames that are
 *     read-only and not executable, i.e. the shared zero page and the vDSO data page
 *     (vvar), which the kernel inserts as raw PFNs. (The vDSO code, mapped
 *     executable, is a normal page and counts.) They stay in the map, with
 *     HAYWIRE_RMAP_F_SPECIAL set.
 */
#ifndef HAYWIRE_RMAP_H
#define HAYWIRE_RMAP_H

#include <haywire/aspace.h>
#include <haywire/common.h>
#include <haywire/kernel.h>
#include <haywire/procs.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct haywire_rmap haywire_rmap;

/* What a page or an owner record is (haywire_rmap_owner.kind, page kinds). */
typedef enum haywire_rmap_kind {
	HAYWIRE_RMAP_UNOWNED = 0,      /* RAM no user mapping, page table or image claims */
	HAYWIRE_RMAP_USER = 1,         /* mapped into a process's user address space */
	HAYWIRE_RMAP_PAGE_TABLE = 2,   /* a page-table page of a process */
	HAYWIRE_RMAP_KERNEL_IMAGE = 3, /* kernel text/rodata/data/bss in use (see below) */
	HAYWIRE_RMAP_NOT_RAM = 4,      /* outside the source's RAM (page queries only) */
} haywire_rmap_kind;

/* Bits of haywire_rmap_owner.flags / haywire_rmap_mapping.flags. */
enum haywire_rmap_flag {
	HAYWIRE_RMAP_F_SPECIAL = 1u << 0, /* zero page / vvar: not in RSS/PSS/USS (see above) */
	HAYWIRE_RMAP_F_PROTNONE = 1u << 1, /* present only by the software bit (PROT_NONE) */
};

/* "No process" in proc fields (kernel image, unowned pages). */
#define HAYWIRE_RMAP_NO_PROC 0xffffffffu

/* Default cap on records (mapping runs + page tables + per-page-run owner refs). */
#define HAYWIRE_RMAP_DEFAULT_MAX_ENTRIES (1ull << 24)

/* Options of a build. Zero fields mean defaults. */
typedef struct haywire_rmap_options {
	uint32_t struct_size;   /* sizeof(haywire_rmap_options) */
	uint32_t reserved;
	uint64_t max_entries;   /* cap on index entries; 0 = HAYWIRE_RMAP_DEFAULT_MAX_ENTRIES.
	                           Over it: HAYWIRE_E_LIMIT. */
	uint64_t max_tables;    /* per process walk: haywire_walk_options.max_tables */
	uint64_t max_anomalies; /* per process walk: haywire_walk_options.max_anomalies */
} haywire_rmap_options;

/*
 * Build a reverse map of the processes in PROCS (a snapshot of kernel K;
 * NULL: one is taken here, processes only). Threads are folded into their
 * process (tgid); each distinct user page-table root is walked once: a
 * process sharing another's mm (vfork) is listed with no mappings and
 * HAYWIRE_RMAP_PROC_SHARED_MM. OPTS may be NULL. Errors: HAYWIRE_E_LIMIT
 * (over max_entries, or a process walk over its caps: the message says
 * which), HAYWIRE_E_NOMEM, errors of haywire_procs_snapshot.
 */
HAYWIRE_API int haywire_rmap_build(haywire_kernel *k, const haywire_procs *procs,
                                   const haywire_rmap_options *opts, haywire_rmap **out);

/*
 * The same, recycling OLD's memory (OLD may be NULL): OLD is consumed — on
 * success and on failure — so no thread may still read it. With its buffers
 * already grown, a rebuild allocates almost nothing.
 */
HAYWIRE_API int haywire_rmap_rebuild(haywire_rmap *old, haywire_kernel *k,
                                     const haywire_procs *procs,
                                     const haywire_rmap_options *opts, haywire_rmap **out);

/* Release a map. NULL is ignored. */
HAYWIRE_API void haywire_rmap_free(haywire_rmap *r);

/* Totals of a map. */
typedef struct haywire_rmap_stats {
	uint32_t struct_size;       /* set by the caller */
	uint32_t page_size;         /* base page size of the guest (granule) */
	uint64_t procs;             /* processes with a user address space */
	uint64_t mappings;          /* user mapping runs stored */
	uint64_t mapped_pages;      /* user page mappings (base pages, all processes) */
	uint64_t user_frames;       /* distinct frames with at least one user mapping */
	uint64_t shared_frames;     /* frames mapped by more than one process */
	uint64_t page_table_pages;  /* page-table pages (base pages) */
	uint64_t kernel_image_bytes;
	uint64_t index_bytes;       /* memory the map's index uses */
	uint64_t tables_visited;    /* page-table reads of all walks */
	uint64_t anomalies;         /* impossible entries met (skipped) */
	uint64_t build_ns;          /* time the build took (walks and index) */
} haywire_rmap_stats;

/* Copy the totals into *OUT (OUT->struct_size set by the caller). */
HAYWIRE_API int haywire_rmap_get_stats(const haywire_rmap *r, haywire_rmap_stats *out);

/* Bits of haywire_rmap_proc.flags. */
enum haywire_rmap_proc_flag {
	HAYWIRE_RMAP_PROC_SHARED_MM = 1u << 0, /* same page tables as an earlier process */
};

/* One process of the map, with its memory statistics. */
typedef struct haywire_rmap_proc {
	uint32_t struct_size;  /* set by the caller */
	uint32_t flags;        /* enum haywire_rmap_proc_flag */
	int32_t pid;           /* tgid */
	uint32_t uid;
	char comm[HAYWIRE_COMM_LEN];
	uint64_t pgd;          /* user page-table root walked */
	uint64_t rss_bytes;
	uint64_t pss_bytes;    /* rounded down */
	uint64_t uss_bytes;
	uint64_t page_table_bytes;
	uint64_t mappings;     /* mapping runs (haywire_rmap_proc_mappings) */
} haywire_rmap_proc;

/* Number of processes in the map (owner ids are 0..count-1); 0 for NULL. */
HAYWIRE_API uint32_t haywire_rmap_proc_count(const haywire_rmap *r);

/* Copy process INDEX into *OUT. HAYWIRE_E_NOT_FOUND past the end. */
HAYWIRE_API int haywire_rmap_proc_get(const haywire_rmap *r, uint32_t index,
                                      haywire_rmap_proc *out);

/* One owner of a physical address. */
typedef struct haywire_rmap_owner {
	uint32_t struct_size; /* element size: set in OUT[0] by the caller, see below */
	uint32_t kind;        /* haywire_rmap_kind: USER, PAGE_TABLE or KERNEL_IMAGE */
	uint32_t proc;        /* process index, HAYWIRE_RMAP_NO_PROC for the kernel image */
	int32_t pid;          /* its pid, 0 for the kernel image */
	uint64_t va;          /* USER: the VA that maps the queried address */
	uint64_t page_size;   /* USER: page or block size; PAGE_TABLE: table bytes */
	uint64_t page_pa;     /* USER: PA of the page/block; PAGE_TABLE: of the table */
	uint32_t perms;       /* USER: enum haywire_perm */
	uint32_t flags;       /* USER: enum haywire_rmap_flag */
	uint32_t level;       /* PAGE_TABLE: depth (0 = top; haywire_mmu_level_name) */
	uint32_t mapcount;    /* user mappings of this frame, all processes */
} haywire_rmap_owner;

/*
 * Every owner of the address PA: up to CAP of them into OUT, their total
 * in *COUNT. OUT is an array of elements of OUT[0].struct_size bytes (set it
 * in the first element only; older, smaller structs are filled to their
 * size; every element filled gets struct_size). Order: user mappings by
 * process then VA, page tables, kernel image. Returns HAYWIRE_OK (also for
 * no owner: *COUNT 0) or HAYWIRE_E_RANGE when more than CAP (OUT may be
 * NULL with CAP 0 to ask for the count).
 */
HAYWIRE_API int haywire_rmap_owners(const haywire_rmap *r, uint64_t pa,
                                    haywire_rmap_owner *out, uint64_t cap, uint64_t *count);

/*
 * Per-page summary of NPAGES base pages from PA (rounded down to a page):
 * for page i, any of these arrays that is not NULL gets
 *   KIND[i]     haywire_rmap_kind: KERNEL_IMAGE, else PAGE_TABLE, else USER,
 *               else UNOWNED, or NOT_RAM for addresses outside RAM;
 *   OWNER[i]    the lowest process index owning it (user mapping or page
 *               table), HAYWIRE_RMAP_NO_PROC if none;
 *   MAPCOUNT[i] number of user mappings (all processes).
 * One pass over the index: cheap enough to colour a whole guest per frame.
 * HAYWIRE_E_INVALID when NPAGES exceeds 2^32.
 */
HAYWIRE_API int haywire_rmap_pages(const haywire_rmap *r, uint64_t pa, uint64_t npages,
                                   uint8_t *kind, uint32_t *owner, uint32_t *mapcount);

/* One user mapping run of a process. */
typedef struct haywire_rmap_mapping {
	uint64_t va;
	uint64_t pa;
	uint64_t size;      /* bytes; VA and PA both contiguous */
	uint64_t page_size; /* each page's or block's size */
	uint32_t perms;     /* enum haywire_perm */
	uint32_t flags;     /* enum haywire_rmap_flag */
} haywire_rmap_mapping;

/*
 * The user mappings of process PROC in VA order, from the FIRST-th on: up to
 * CAP into OUT, the process's total in *TOTAL. HAYWIRE_E_NOT_FOUND for a bad
 * PROC. Page through a large process with FIRST.
 */
HAYWIRE_API int haywire_rmap_proc_mappings(const haywire_rmap *r, uint32_t proc,
                                           uint64_t first, haywire_rmap_mapping *out,
                                           uint64_t cap, uint64_t *total);

/*
 * The kernel-image physical ranges recorded, up to CAP [pa, pa+size) pairs
 * into PA/SIZE, their number in *COUNT (HAYWIRE_E_RANGE when more than CAP;
 * at most 16). The image is _stext.._end (kallsyms, or VMCOREINFO
 * SYMBOL(_stext); without a _end symbol, as far as the kernel maps it), less
 * what the kernel's own page tables no longer map at the image's fixed
 * offset: the init sections, freed after boot and reused for other pages.
 */
HAYWIRE_API int haywire_rmap_kernel_ranges(const haywire_rmap *r, uint64_t *pa, uint64_t *size,
                                           uint64_t cap, uint64_t *count);

#ifdef __cplusplus
}
#endif

#endif /* HAYWIRE_RMAP_H */
