/*
 * Internal: address-space representation shared by the mmu files, and the
 * fast paths later layers (process discovery, reverse map) build on.
 */
#ifndef HW_MMU_IMPL_H
#define HW_MMU_IMPL_H

#include <haywire/aspace.h>

#include <endian.h>
#include <stdbool.h>
#include <string.h>

#include "source/source_impl.h"

/* Restrictions a table entry imposes on everything below it. */
enum hw_deny {
	HW_DENY_WRITE = 1u << 0,
	HW_DENY_USER = 1u << 1,
	HW_DENY_UEXEC = 1u << 2, /* no execution from user mode */
	HW_DENY_PEXEC = 1u << 3, /* no execution from kernel mode */
};

/* Executability a leaf allows before table restrictions (hw_pte.xbits). */
#define HW_X_USER 1u
#define HW_X_PRIV 2u

/* Shape of the tables, derived from the format. Depth 0 is the top level. */
struct hw_mmu_geom {
	uint32_t levels;
	uint32_t shift[HAYWIRE_MAX_LEVELS];     /* VA bits below this level's index */
	uint32_t entries[HAYWIRE_MAX_LEVELS];   /* entries per table */
	uint8_t block_ok[HAYWIRE_MAX_LEVELS];   /* a leaf may sit here above the last level */
};

/* One decoded entry. */
struct hw_pte {
	uint32_t kind;    /* haywire_entry_kind */
	uint32_t anomaly; /* haywire_anomaly bits */
	uint64_t out;     /* next table PA, or leaf base PA */
	uint64_t attrs;   /* leaf: entry with its output-address bits cleared */
	uint32_t perms;   /* leaf: READ/WRITE/USER (EXEC comes from xbits) */
	uint32_t xbits;   /* leaf: HW_X_* */
	uint32_t flags;   /* leaf: haywire_map_flag */
	uint32_t memtype; /* leaf */
	uint32_t deny;    /* table: hw_deny bits for the levels below */
};

struct haywire_aspace;
typedef void (*hw_decode_fn)(const struct haywire_aspace *as, uint32_t depth, uint64_t entry,
                             uint64_t va, struct hw_pte *out);

struct haywire_aspace {
	haywire_source *src; /* borrowed */
	haywire_mmu_format fmt;
	struct hw_mmu_geom geom;
	uint64_t root;             /* top-level table PA */
	uint64_t va_first, va_last;
	bool x86_canonical;        /* VAs must be sign-extended from va_bits - 1 */
	/*
	 * Enumeration fast path for last-level entries: when the output address
	 * is simply (entry & leaf_addr_bits), two present entries equal under
	 * leaf_key_mask decode to the same range attributes. 0 = no fast path.
	 */
	uint64_t leaf_addr_bits;
	uint64_t leaf_key_mask;
	hw_decode_fn decode;
};

/* Check FMT's struct_size, copy it into *OUT and derive it (format.c). */
int hw_mmu_format_load(const haywire_mmu_format *fmt, haywire_mmu_format *out);

/* Geometry of a derived format (format.c). */
void hw_mmu_geom_init(const haywire_mmu_format *fmt, struct hw_mmu_geom *g);

/* Per-architecture entry decoders. */
void hw_x86_64_decode(const struct haywire_aspace *as, uint32_t depth, uint64_t entry,
                      uint64_t va, struct hw_pte *out);
void hw_arm64_decode(const struct haywire_aspace *as, uint32_t depth, uint64_t entry,
                     uint64_t va, struct hw_pte *out);

/* Bytes of a table at DEPTH. */
static inline uint64_t hw_table_bytes(const haywire_aspace *as, uint32_t depth)
{
	return (uint64_t)as->geom.entries[depth] * 8;
}

/* Index of VA's entry at DEPTH. */
static inline uint32_t hw_va_index(const haywire_aspace *as, uint32_t depth, uint64_t va)
{
	return (uint32_t)((va >> as->geom.shift[depth]) & (as->geom.entries[depth] - 1));
}

/* Whether VA is one this space can map (canonical, right half). */
static inline bool hw_va_in_space(const haywire_aspace *as, uint64_t va)
{
	if (as->x86_canonical) {
		uint32_t b = as->fmt.va_bits;
		int64_t sext = (int64_t)(va << (64 - b)) >> (64 - b);
		return (uint64_t)sext == va;
	}
	return va >= as->va_first && va <= as->va_last;
}

/* Effective permissions of a leaf under the restrictions DENY. */
static inline uint32_t hw_leaf_perms(const struct hw_pte *p, uint32_t deny)
{
	uint32_t perms = p->perms;
	if (deny & HW_DENY_WRITE)
		perms &= ~(uint32_t)HAYWIRE_PERM_WRITE;
	if (deny & HW_DENY_USER)
		perms &= ~(uint32_t)HAYWIRE_PERM_USER;
	bool x = (perms & HAYWIRE_PERM_USER) ? (p->xbits & HW_X_USER) && !(deny & HW_DENY_UEXEC)
	                                     : (p->xbits & HW_X_PRIV) && !(deny & HW_DENY_PEXEC);
	if (x && (perms & HAYWIRE_PERM_READ))
		perms |= HAYWIRE_PERM_EXEC;
	return perms;
}

/* Load a little-endian entry from possibly unaligned memory. */
static inline uint64_t hw_load_entry(const void *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return le64toh(v);
}

/*
 * Fast translate for later layers: no trace, no error message. Returns
 * HAYWIRE_OK (with *PA, and *PAGE_SIZE / *PERMS when not NULL),
 * HAYWIRE_E_NOT_MAPPED or HAYWIRE_E_CORRUPT (an anomaly on the path).
 */
int hw_aspace_translate_fast(const haywire_aspace *as, uint64_t va, uint64_t *pa,
                             uint64_t *page_size, uint32_t *perms);

/*
 * Enumeration with every hook later layers need. ON_TABLE (may be NULL) is
 * told about every page-table page read, so the reverse map can attribute
 * page-table pages; it may stop the walk by returning nonzero, like the
 * others. Caps of 0 mean the public defaults.
 */
struct hw_walk_visitor {
	haywire_range_cb on_range;
	int (*on_table)(uint64_t table_pa, uint32_t depth, void *user);
	haywire_anomaly_cb on_anomaly;
	void *user;
	uint64_t max_tables;
	uint64_t max_anomalies;
};

struct hw_walk_stats {
	uint64_t tables_visited;
	uint64_t anomalies;
	uint64_t ranges;
	uint64_t stop_va;
	bool stopped_by_callback;
};

/*
 * Walk [FIRST, LAST] (inclusive) calling V's hooks. Returns HAYWIRE_OK (also
 * when a hook stopped it: see STATS), HAYWIRE_E_LIMIT or HAYWIRE_E_NOMEM,
 * without recording a message. STATS may be NULL.
 */
int hw_aspace_walk(const haywire_aspace *as, uint64_t first, uint64_t last,
                   const struct hw_walk_visitor *v, struct hw_walk_stats *stats);

#endif
