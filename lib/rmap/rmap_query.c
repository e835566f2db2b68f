/* Reading a built map: owners of an address, per-page summaries, processes, totals. */
#include "core/error.h"
#include "rmap/rmap_impl.h"

#include <stddef.h>
#include <string.h>

/* Index of the segment holding PA, or of the first one after it (segs.n if none). */
static uint64_t seg_at_or_after(const haywire_rmap *r, uint64_t pa)
{
	const struct hw_rmap_seg *s = r->segs.p;
	uint64_t lo = 0, hi = r->segs.n;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (s[mid].end <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Copy SIZE bytes of a full struct into a caller's possibly smaller one. */
static int copy_sized(void *out, const void *full, uint32_t full_size, uint32_t min_size,
                      const char *what)
{
	uint32_t want;
	memcpy(&want, out, sizeof want);
	if (want < min_size)
		return hw_fail(HAYWIRE_E_INVALID, "%s: struct_size %u is too small", what, want);
	uint32_t size = want < full_size ? want : full_size;
	memcpy(out, full, size);
	memcpy(out, &size, sizeof size);
	return HAYWIRE_OK;
}

HAYWIRE_API int haywire_rmap_get_stats(const haywire_rmap *r, haywire_rmap_stats *out)
{
	if (!r || !out)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_rmap_get_stats: NULL argument");
	return copy_sized(out, &r->stats, sizeof r->stats, offsetof(haywire_rmap_stats, procs),
	                  "haywire_rmap_get_stats");
}

HAYWIRE_API uint32_t haywire_rmap_proc_count(const haywire_rmap *r)
{
	return r ? (uint32_t)r->procs.n : 0;
}

HAYWIRE_API int haywire_rmap_proc_get(const haywire_rmap *r, uint32_t index,
                                      haywire_rmap_proc *out)
{
	if (!r || !out)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_rmap_proc_get: NULL argument");
	if (index >= r->procs.n)
		return hw_fail(HAYWIRE_E_NOT_FOUND, "process index %u past the %llu processes", index,
		               (unsigned long long)r->procs.n);
	return copy_sized(out, (const haywire_rmap_proc *)r->procs.p + index,
	                  sizeof(haywire_rmap_proc), offsetof(haywire_rmap_proc, pid),
	                  "haywire_rmap_proc_get");
}

static void fill_owner(const haywire_rmap *r, const struct hw_rmap_rec *rec,
                       const struct hw_rmap_seg *s, uint64_t pa, haywire_rmap_owner *o)
{
	memset(o, 0, sizeof *o);
	o->struct_size = sizeof *o;
	o->kind = rec->kind;
	o->proc = rec->proc;
	if (rec->proc != HAYWIRE_RMAP_NO_PROC)
		o->pid = ((const haywire_rmap_proc *)r->procs.p)[rec->proc].pid;
	o->mapcount = s->mapcount;
	if (rec->kind == HAYWIRE_RMAP_USER) {
		uint64_t ps = 1ull << rec->aux, off = pa - rec->pa;
		o->va = rec->va + off;
		o->page_size = ps;
		/* The page's base: the run is page-aligned in PA (runs start on page boundaries). */
		o->page_pa = rec->pa + (off & ~(ps - 1));
		o->perms = rec->perms;
		o->flags = rec->flags;
	} else if (rec->kind == HAYWIRE_RMAP_PAGE_TABLE) {
		o->page_size = rec->size;
		o->page_pa = rec->pa;
		o->level = rec->aux;
	} else {
		o->page_size = rec->size;
		o->page_pa = rec->pa;
	}
}

HAYWIRE_API int haywire_rmap_owners(const haywire_rmap *r, uint64_t pa,
                                    haywire_rmap_owner *out, uint64_t cap, uint64_t *count)
{
	if (!r || !count || (cap && !out))
		return hw_fail(HAYWIRE_E_INVALID, "haywire_rmap_owners: NULL argument");
	*count = 0;
	uint32_t stride = 0;
	if (cap) {
		stride = out->struct_size;
		if (stride < offsetof(haywire_rmap_owner, va))
			return hw_fail(HAYWIRE_E_INVALID,
			               "haywire_rmap_owners: OUT[0].struct_size %u is too small", stride);
	}
	uint64_t k = seg_at_or_after(r, pa);
	const struct hw_rmap_seg *s = (const struct hw_rmap_seg *)r->segs.p + k;
	if (k == r->segs.n || s->pa > pa)
		return HAYWIRE_OK;
	const struct hw_rmap_rec *recs = r->recs.p;
	const uint32_t *refs = (const uint32_t *)r->refs.p + s->first;
	uint32_t size = stride < sizeof(haywire_rmap_owner) ? stride : sizeof(haywire_rmap_owner);
	for (uint32_t i = 0; i < s->nrefs && i < cap; i++) {
		haywire_rmap_owner o;
		fill_owner(r, &recs[refs[i]], s, pa, &o);
		o.struct_size = size;
		memcpy((uint8_t *)out + (uint64_t)i * stride, &o, size);
	}
	*count = s->nrefs;
	if (s->nrefs > cap)
		return hw_fail(HAYWIRE_E_RANGE, "PA 0x%llx has %u owners, room for %llu",
		               (unsigned long long)pa, s->nrefs, (unsigned long long)cap);
	return HAYWIRE_OK;
}

/* Fill pages [from, to) of the output with one value set. */
static void fill_pages(uint8_t *kind, uint32_t *owner, uint32_t *mapcount, uint64_t from,
                       uint64_t to, uint8_t k, uint32_t o, uint32_t m)
{
	for (uint64_t i = from; i < to; i++) {
		if (kind)
			kind[i] = k;
		if (owner)
			owner[i] = o;
		if (mapcount)
			mapcount[i] = m;
	}
}

/* Page index (relative to BASE) of address A, clamped to [0, N]. */
static uint64_t page_of(uint64_t a, uint64_t base, uint32_t shift, uint64_t n)
{
	if (a <= base)
		return 0;
	uint64_t p = (a - base) >> shift;
	return p > n ? n : p;
}

HAYWIRE_API int haywire_rmap_pages(const haywire_rmap *r, uint64_t pa, uint64_t npages,
                                   uint8_t *kind, uint32_t *owner, uint32_t *mapcount)
{
	if (!r)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_rmap_pages: NULL map");
	if (npages > (1ull << 32))
		return hw_fail(HAYWIRE_E_INVALID, "haywire_rmap_pages: %llu pages (at most 2^32)",
		               (unsigned long long)npages);
	uint32_t shift = 12;
	while (shift < 30 && (1u << shift) < r->stats.page_size)
		shift++;
	uint64_t base = pa & ~((1ull << shift) - 1);
	if (npages && (npages - 1) > (UINT64_MAX - base) >> shift)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_rmap_pages: window wraps around");
	uint64_t last = base + ((npages ? npages - 1 : 0) << shift); /* first byte of last page */
	/* Everything unowned first, then RAM holes, then the segments. */
	fill_pages(kind, owner, mapcount, 0, npages, HAYWIRE_RMAP_NOT_RAM, HAYWIRE_RMAP_NO_PROC,
	           0);
	if (!npages)
		return HAYWIRE_OK;
	if (kind) {
		const haywire_ram_range *ram = r->ram.p;
		for (uint64_t i = 0; i < r->ram.n; i++) {
			const haywire_ram_range *g = &ram[i];
			if (g->gpa > last || g->gpa + g->size <= base)
				continue;
			uint64_t a = page_of(g->gpa, base, shift, npages);
			uint64_t b = page_of(g->gpa + g->size - 1, base, shift, npages) + 1;
			memset(kind + a, HAYWIRE_RMAP_UNOWNED, (b > npages ? npages : b) - a);
		}
	}
	const struct hw_rmap_seg *segs = r->segs.p;
	for (uint64_t k = seg_at_or_after(r, base); k < r->segs.n && segs[k].pa <= last; k++) {
		const struct hw_rmap_seg *s = &segs[k];
		/* A page counts when the segment covers any of it. */
		uint64_t a = page_of(s->pa, base, shift, npages);
		uint64_t b = page_of(s->end - 1, base, shift, npages) + 1;
		if (b > npages)
			b = npages;
		for (uint64_t i = a; i < b; i++) {
			/* NOT_RAM gives way too: e.g. a device page mapped into a process. */
			if (kind && (s->kind > kind[i] || kind[i] == HAYWIRE_RMAP_NOT_RAM))
				kind[i] = s->kind;
			if (owner && s->owner < owner[i])
				owner[i] = s->owner;
			if (mapcount && s->mapcount > mapcount[i])
				mapcount[i] = s->mapcount;
		}
	}
	return HAYWIRE_OK;
}

HAYWIRE_API int haywire_rmap_proc_mappings(const haywire_rmap *r, uint32_t proc,
                                           uint64_t first, haywire_rmap_mapping *out,
                                           uint64_t cap, uint64_t *total)
{
	if (!r || !total || (cap && !out))
		return hw_fail(HAYWIRE_E_INVALID, "haywire_rmap_proc_mappings: NULL argument");
	*total = 0;
	if (proc >= r->procs.n)
		return hw_fail(HAYWIRE_E_NOT_FOUND, "process index %u past the %llu processes", proc,
		               (unsigned long long)r->procs.n);
	const haywire_rmap_proc *p = (const haywire_rmap_proc *)r->procs.p + proc;
	const struct hw_rmap_rec *recs =
	    (const struct hw_rmap_rec *)r->recs.p + ((const uint64_t *)r->user_first.p)[proc];
	*total = p->mappings;
	for (uint64_t i = 0; first < p->mappings && i < cap && first + i < p->mappings; i++) {
		const struct hw_rmap_rec *rec = &recs[first + i];
		out[i] = (haywire_rmap_mapping){.va = rec->va, .pa = rec->pa, .size = rec->size,
		                                .page_size = 1ull << rec->aux, .perms = rec->perms,
		                                .flags = rec->flags};
	}
	return HAYWIRE_OK;
}

HAYWIRE_API int haywire_rmap_kernel_ranges(const haywire_rmap *r, uint64_t *pa, uint64_t *size,
                                           uint64_t cap, uint64_t *count)
{
	if (!r || !count || (cap && (!pa || !size)))
		return hw_fail(HAYWIRE_E_INVALID, "haywire_rmap_kernel_ranges: NULL argument");
	*count = r->kimg.n;
	for (uint32_t i = 0; i < r->kimg.n && i < cap; i++) {
		pa[i] = r->kimg.pa[i];
		size[i] = r->kimg.size[i];
	}
	return *count > cap ? hw_fail(HAYWIRE_E_RANGE, "%u kernel ranges, room for %llu",
	                              r->kimg.n, (unsigned long long)cap)
	                    : HAYWIRE_OK;
}
