/*
 * Internal: the reverse map's representation. Records are the raw facts
 * (one per mapping run, page-table page or kernel-image range); segments cut
 * physical space where the set of records covering it changes, so every
 * query is a binary search plus a walk over a short list of references.
 */
#ifndef HW_RMAP_IMPL_H
#define HW_RMAP_IMPL_H

#include <haywire/rmap.h>

#include <stdint.h>

/* The kernel image's physical ranges (text, rodata, data+bss: init is freed). */
#define HW_RMAP_MAX_KRANGES 16
struct hw_kimage {
	uint64_t pa[HW_RMAP_MAX_KRANGES], size[HW_RMAP_MAX_KRANGES];
	uint32_t n;
};

/* One fact: a physical run and who holds it. 32 bytes. */
struct hw_rmap_rec {
	uint64_t pa, size;
	uint64_t va;   /* USER: VA of pa; else 0 */
	uint32_t proc; /* process index, HAYWIRE_RMAP_NO_PROC for the kernel image */
	uint8_t kind;  /* haywire_rmap_kind */
	uint8_t perms; /* USER: haywire_perm */
	uint8_t flags; /* USER: haywire_rmap_flag */
	uint8_t aux;   /* USER: log2(page size); PAGE_TABLE: depth */
};

/* [pa, end) where the covering records are refs[first .. first + nrefs). */
struct hw_rmap_seg {
	uint64_t pa, end;
	uint32_t first, nrefs;
	uint32_t owner;    /* lowest process among USER and PAGE_TABLE refs */
	uint32_t mapcount; /* USER refs */
	uint8_t kind;      /* KERNEL_IMAGE > PAGE_TABLE > USER */
};

/* A growable array that survives rebuilds. */
struct hw_vec {
	void *p;
	uint64_t n, cap;
};

struct haywire_rmap {
	struct hw_vec procs; /* haywire_rmap_proc, struct_size = sizeof */
	struct hw_vec recs;  /* struct hw_rmap_rec: every process's USER records,
	                        contiguous and in VA order, then the page tables,
	                        then the kernel image */
	struct hw_vec user_first; /* uint64_t per process: its first USER record */
	struct hw_vec tables;     /* scratch: page-table records until the walks end */
	struct hw_vec segs;       /* struct hw_rmap_seg, sorted, disjoint */
	struct hw_vec refs;       /* uint32_t record indices */
	struct hw_vec sort_a, sort_b; /* scratch of the build */
	struct hw_vec active, where;  /* scratch of the sweep */
	struct hw_vec pss_fp;         /* scratch: PSS per process, fixed point << 12 */
	struct hw_vec ram;            /* haywire_ram_range: the source's RAM, for page queries */
	struct hw_kimage kimg;
	uint64_t max_entries;
	haywire_rmap_stats stats;
};

/* One process to put in the map: its identity and user address space. */
struct hw_rmap_input {
	haywire_rmap_proc info; /* pid, uid, comm, pgd, flags */
	const haywire_aspace *as; /* NULL: listed, not walked (SHARED_MM) */
};

/*
 * Fill R (fresh or recycled: its vectors are reused) from the N processes in
 * IN and the kernel image ranges KIMG (NULL: none); SRC's RAM ranges are
 * copied (the map does not keep SRC). OPTS may be
 * NULL. Records a message on failure.
 */
int hw_rmap_fill(haywire_rmap *r, haywire_source *src, const struct hw_rmap_input *in,
                 uint32_t n, const struct hw_kimage *kimg, const haywire_rmap_options *opts);

/* Sort the records into segments and compute the statistics (rmap_index.c). */
int hw_rmap_index(haywire_rmap *r);

/* Make room for N more elements of SIZE bytes; 0 or HAYWIRE_E_NOMEM (no message). */
int hw_vec_reserve(struct hw_vec *v, uint64_t more, uint64_t size);
void hw_vec_release(struct hw_vec *v);

/* Release every vector of R and R. */
void hw_rmap_destroy(haywire_rmap *r);

/*
 * Remove [A, B) from K's ranges, splitting one when [A, B) lies inside it
 * (when K is full, such a cut is skipped: the ranges then claim too much).
 */
void hw_kimage_cut(struct hw_kimage *k, uint64_t a, uint64_t b);

/* Kernel-image physical ranges of K (see rmap_kimage.c); HAYWIRE_E_NOT_FOUND, no message. */
int hw_rmap_kernel_image(const haywire_kernel *k, struct hw_kimage *out);

#endif
