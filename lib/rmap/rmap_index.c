/*
 * From records to segments: one sweep over the records' start and end
 * addresses in physical order. Between two consecutive boundaries the set of
 * covering records is constant; that set is one segment. The sweep also
 * yields every statistic that depends on how many mappings share a frame
 * (PSS, USS, shared frames).
 */
#include "core/error.h"
#include "rmap/rmap_impl.h"

#include <stdlib.h>
#include <string.h>

struct key {
	uint64_t key;
	uint32_t idx;
	uint32_t pad;
};

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Short lists (the usual case) by insertion, long ones by qsort. */
static void sort_refs(uint32_t *v, uint32_t n)
{
	if (n > 32) {
		qsort(v, n, sizeof *v, u32_cmp);
		return;
	}
	for (uint32_t i = 1; i < n; i++) {
		uint32_t x = v[i], j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static uint64_t rec_end(const struct hw_rmap_rec *r)
{
	return r->size > UINT64_MAX - r->pa ? UINT64_MAX : r->pa + r->size;
}

/* PSS share of LEN bytes mapped N times, fixed point << 12 like the kernel's per-page sum. */
static uint64_t pss_share(uint64_t len, uint32_t page_shift, uint32_t n)
{
	uint64_t per_page = ((uint64_t)1 << (page_shift + 12)) / n;
	if (!(len & (((uint64_t)1 << page_shift) - 1)))
		return (len >> page_shift) * per_page;
	return (len / n) << 12;
}

/* Everything a segment's refs say: kind, owner, mapcount, and the statistics. */
static void account(haywire_rmap *r, struct hw_rmap_seg *s, uint32_t page_shift)
{
	const struct hw_rmap_rec *recs = r->recs.p;
	const uint32_t *refs = (const uint32_t *)r->refs.p + s->first;
	haywire_rmap_proc *procs = r->procs.p;
	uint64_t *pss = r->pss_fp.p;
	uint64_t len = s->end - s->pa;
	uint32_t normal = 0, procs_all = 0, procs_normal = 0;
	uint32_t last_all = HAYWIRE_RMAP_NO_PROC, last_normal = HAYWIRE_RMAP_NO_PROC;
	s->kind = HAYWIRE_RMAP_UNOWNED;
	s->owner = HAYWIRE_RMAP_NO_PROC;
	s->mapcount = 0;
	for (uint32_t i = 0; i < s->nrefs; i++) {
		const struct hw_rmap_rec *rec = &recs[refs[i]];
		if (rec->kind > s->kind)
			s->kind = rec->kind;
		if (rec->proc < s->owner)
			s->owner = rec->proc;
		if (rec->kind != HAYWIRE_RMAP_USER)
			continue;
		s->mapcount++;
		/* USER refs come by process: a change of proc is a new process. */
		if (rec->proc != last_all)
			procs_all++, last_all = rec->proc;
		if (rec->flags & HAYWIRE_RMAP_F_SPECIAL)
			continue;
		normal++;
		if (rec->proc != last_normal)
			procs_normal++, last_normal = rec->proc;
	}
	uint64_t pages = len >> page_shift;
	if (s->mapcount)
		r->stats.user_frames += pages;
	if (procs_all > 1)
		r->stats.shared_frames += pages;
	if (!normal)
		return;
	uint64_t share = pss_share(len, page_shift, normal);
	for (uint32_t i = 0; i < s->nrefs; i++) {
		const struct hw_rmap_rec *rec = &recs[refs[i]];
		if (rec->kind == HAYWIRE_RMAP_USER && !(rec->flags & HAYWIRE_RMAP_F_SPECIAL))
			pss[rec->proc] += share;
	}
	if (procs_normal == 1)
		procs[last_normal].uss_bytes += len;
}

static int emit(haywire_rmap *r, uint64_t pa, uint64_t end, uint32_t page_shift)
{
	uint32_t n = (uint32_t)r->active.n;
	if (r->refs.n + n > r->max_entries)
		return hw_fail(HAYWIRE_E_LIMIT,
		               "reverse map: more than %llu entries (owner lists at PA 0x%llx); "
		               "raise haywire_rmap_options.max_entries",
		               (unsigned long long)r->max_entries, (unsigned long long)pa);
	if (hw_vec_reserve(&r->refs, n, sizeof(uint32_t)) ||
	    hw_vec_reserve(&r->segs, 1, sizeof(struct hw_rmap_seg)))
		return hw_fail_nomem("reverse map index");
	uint32_t *dst = (uint32_t *)r->refs.p + r->refs.n;
	memcpy(dst, r->active.p, n * sizeof *dst);
	sort_refs(dst, n);
	struct hw_rmap_seg *s = (struct hw_rmap_seg *)r->segs.p + r->segs.n++;
	*s = (struct hw_rmap_seg){.pa = pa, .end = end, .first = (uint32_t)r->refs.n, .nrefs = n};
	r->refs.n += n;
	account(r, s, page_shift);
	return HAYWIRE_OK;
}

static void active_add(haywire_rmap *r, uint32_t idx)
{
	((uint32_t *)r->where.p)[idx] = (uint32_t)r->active.n;
	((uint32_t *)r->active.p)[r->active.n++] = idx;
}

static void active_remove(haywire_rmap *r, uint32_t idx)
{
	uint32_t *act = r->active.p, *where = r->where.p;
	uint32_t pos = where[idx], last = act[--r->active.n];
	act[pos] = last;
	where[last] = pos;
}

/* Per-record sums: RSS, page-table bytes, mapped pages. */
static void record_stats(haywire_rmap *r, uint32_t page_shift)
{
	const struct hw_rmap_rec *recs = r->recs.p;
	haywire_rmap_proc *procs = r->procs.p;
	uint64_t pt_bytes = 0;
	for (uint64_t i = 0; i < r->recs.n; i++) {
		const struct hw_rmap_rec *rec = &recs[i];
		if (rec->kind == HAYWIRE_RMAP_USER) {
			r->stats.mappings++;
			r->stats.mapped_pages += rec->size >> page_shift;
			if (!(rec->flags & HAYWIRE_RMAP_F_SPECIAL))
				procs[rec->proc].rss_bytes += rec->size;
		} else if (rec->kind == HAYWIRE_RMAP_PAGE_TABLE) {
			procs[rec->proc].page_table_bytes += rec->size;
			pt_bytes += rec->size;
		} else {
			r->stats.kernel_image_bytes += rec->size;
		}
	}
	r->stats.page_table_pages = (pt_bytes + ((1ull << page_shift) - 1)) >> page_shift;
	for (uint64_t i = 0; i < r->procs.n; i++)
		r->stats.procs += !(procs[i].flags & HAYWIRE_RMAP_PROC_SHARED_MM);
}

int hw_rmap_index(haywire_rmap *r)
{
	uint64_t n = r->recs.n;
	uint32_t page_shift = 12;
	while (page_shift < 30 && (1u << page_shift) < r->stats.page_size)
		page_shift++;
	r->segs.n = r->refs.n = r->active.n = r->sort_a.n = r->sort_b.n = r->where.n = 0;
	r->pss_fp.n = 0;
	if (hw_vec_reserve(&r->sort_a, n, sizeof(struct key)) ||
	    hw_vec_reserve(&r->sort_b, n, sizeof(struct key)) ||
	    hw_vec_reserve(&r->active, n, sizeof(uint32_t)) ||
	    hw_vec_reserve(&r->where, n, sizeof(uint32_t)) ||
	    hw_vec_reserve(&r->pss_fp, r->procs.n, sizeof(uint64_t)))
		return hw_fail_nomem("reverse map index");
	memset(r->pss_fp.p, 0, r->procs.n * sizeof(uint64_t));
	const struct hw_rmap_rec *recs = r->recs.p;
	struct key *starts = r->sort_a.p, *ends = r->sort_b.p;
	uint64_t m = 0;
	for (uint64_t i = 0; i < n; i++) {
		if (!recs[i].size)
			continue;
		starts[m] = (struct key){.key = recs[i].pa, .idx = (uint32_t)i};
		ends[m] = (struct key){.key = rec_end(&recs[i]), .idx = (uint32_t)i};
		m++;
	}
	qsort(starts, m, sizeof *starts, key_cmp);
	qsort(ends, m, sizeof *ends, key_cmp);

	uint64_t i = 0, j = 0;
	while (i < m) {
		uint64_t p = starts[i].key < ends[j].key ? starts[i].key : ends[j].key;
		while (j < m && ends[j].key == p)
			active_remove(r, ends[j++].idx);
		while (i < m && starts[i].key == p)
			active_add(r, starts[i++].idx);
		/* Every start before this point has its end at or after it: j < m here. */
		while (r->active.n) {
			uint64_t q = i < m && starts[i].key < ends[j].key ? starts[i].key : ends[j].key;
			int rc = emit(r, p, q, page_shift);
			if (rc)
				return rc;
			if (i < m && starts[i].key == q)
				break; /* the outer loop adds the starts at q */
			while (j < m && ends[j].key == q)
				active_remove(r, ends[j++].idx);
			p = q;
		}
	}
	record_stats(r, page_shift);
	haywire_rmap_proc *procs = r->procs.p;
	for (uint64_t k = 0; k < r->procs.n; k++)
		procs[k].pss_bytes = ((uint64_t *)r->pss_fp.p)[k] >> 12;
	r->stats.index_bytes = r->recs.n * sizeof(struct hw_rmap_rec) +
	                       r->segs.n * sizeof(struct hw_rmap_seg) +
	                       r->refs.n * sizeof(uint32_t) +
	                       r->procs.n * (sizeof(haywire_rmap_proc) + sizeof(uint64_t));
	return HAYWIRE_OK;
}
