/*
 * Enumerating mapped ranges: a bounded depth-first walk over every entry of
 * every table, skipping empty subtrees, coalescing leaves into ranges.
 */
#include "mmu_impl.h"

#include <stdlib.h>

#include "core/error.h"

enum { GO = 0, STOP_HOOK = 1, STOP_LIMIT = 2, STOP_NOMEM = 3 };

struct walker {
	const haywire_aspace *as;
	const struct hw_walk_visitor *v;
	uint64_t first, last;
	uint64_t max_tables, max_anomalies;
	struct hw_walk_stats st;
	int stop;
	haywire_va_range cur; /* the range being grown */
	bool have_cur;
	uint64_t ancestors[HAYWIRE_MAX_LEVELS];
	const struct hw_range *ram; /* last RAM range a leaf hit: most leaves hit it again */
	uint8_t *scratch;           /* per-depth table copies when the source cannot map */
	uint64_t scratch_stride;
};

static void halt(struct walker *w, int why, uint64_t va)
{
	if (!w->stop) {
		w->stop = why;
		w->st.stop_va = va;
	}
}

static void flush(struct walker *w)
{
	if (!w->have_cur)
		return;
	w->have_cur = false;
	w->st.ranges++;
	if (w->v->on_range && w->v->on_range(&w->cur, w->v->user)) {
		w->st.stopped_by_callback = true;
		halt(w, STOP_HOOK, w->cur.va + w->cur.size);
	}
}

static void anomaly(struct walker *w, uint64_t va, uint64_t table, uint32_t idx, uint32_t depth,
                    uint64_t entry, uint32_t bits)
{
	if (w->st.anomalies >= w->max_anomalies) {
		halt(w, STOP_LIMIT, va);
		return;
	}
	w->st.anomalies++;
	if (w->v->on_anomaly) {
		haywire_anomaly_info a = {.va = va, .table_pa = table, .entry = entry, .index = idx,
		                          .depth = depth, .anomaly = bits};
		if (w->v->on_anomaly(&a, w->v->user)) {
			w->st.stopped_by_callback = true;
			halt(w, STOP_HOOK, va);
		}
	}
}

static bool ram_holds(struct walker *w, uint64_t pa, uint64_t len)
{
	const struct hw_range *r = w->ram;
	if (!r || pa < r->gpa || pa - r->gpa >= r->size) {
		r = hw_source_find(w->as->src, pa);
		if (!r)
			return false;
		w->ram = r;
	}
	if (len <= r->size - (pa - r->gpa))
		return true;
	return haywire_source_is_ram(w->as->src, pa, len);
}

/* Append one leaf (already clipped) to the current range or start a new one. */
static void emit(struct walker *w, const haywire_va_range *r)
{
	haywire_va_range *c = &w->cur;
	if (w->have_cur && c->va + c->size == r->va && c->pa + c->size == r->pa &&
	    c->page_size == r->page_size && c->perms == r->perms && c->flags == r->flags &&
	    c->memtype == r->memtype) {
		c->size += r->size;
		return;
	}
	flush(w);
	if (w->stop)
		return;
	*c = *r;
	w->have_cur = true;
}

/* Deliver a leaf; returns true when it was clean (in RAM, unclipped) and *MADE holds it. */
static bool leaf(struct walker *w, uint64_t va, uint32_t depth, uint32_t deny,
                 const struct hw_pte *p, uint64_t table, uint32_t idx, uint64_t e,
                 haywire_va_range *made)
{
	bool clean = true;
	uint64_t size = 1ull << w->as->geom.shift[depth];
	haywire_va_range r = {.va = va, .pa = p->out, .size = size, .page_size = size,
	                      .perms = (p->flags & HAYWIRE_MAP_PROTNONE) ? 0 : hw_leaf_perms(p, deny),
	                      .flags = p->flags & (HAYWIRE_MAP_GLOBAL | HAYWIRE_MAP_PROTNONE),
	                      .memtype = p->memtype};
	if (!ram_holds(w, p->out, size)) {
		r.flags |= HAYWIRE_MAP_NOT_RAM;
		anomaly(w, va, table, idx, depth, e, HAYWIRE_ANOMALY_NOT_RAM);
		clean = false;
		if (w->stop)
			return false;
	}
	/* clip to the window */
	if (r.va < w->first) {
		uint64_t cut = w->first - r.va;
		r.va += cut, r.pa += cut, r.size -= cut;
		clean = false;
	}
	if (r.va + (r.size - 1) > w->last) {
		r.size = w->last - r.va + 1;
		clean = false;
	}
	emit(w, &r);
	*made = r;
	return clean && !(p->flags & HAYWIRE_MAP_PROTNONE);
}

static const uint64_t *load_table(struct walker *w, uint64_t pa, uint32_t depth)
{
	uint64_t bytes = hw_table_bytes(w->as, depth);
	const void *p = hw_source_ptr(w->as->src, pa, bytes);
	if (p && ((uintptr_t)p & 7) == 0)
		return p;
	if (!w->scratch) {
		w->scratch_stride = (uint64_t)1 << w->as->fmt.page_shift;
		if (w->scratch_stride < (uint64_t)w->as->fmt.top_entries * 8)
			w->scratch_stride = (uint64_t)w->as->fmt.top_entries * 8;
		w->scratch = malloc(w->scratch_stride * HAYWIRE_MAX_LEVELS);
		if (!w->scratch) {
			halt(w, STOP_NOMEM, 0);
			return NULL;
		}
	}
	uint8_t *buf = w->scratch + w->scratch_stride * depth;
	if (hw_source_read_quiet(w->as->src, pa, buf, bytes, NULL))
		return NULL;
	return (const uint64_t *)buf;
}

/* First VA of entry IDX of a table at DEPTH whose first VA is BASE. */
static uint64_t entry_va(const haywire_aspace *as, uint32_t depth, uint64_t base, uint32_t idx)
{
	uint64_t va = base | ((uint64_t)idx << as->geom.shift[depth]);
	if (depth == 0 && as->x86_canonical && (va >> (as->fmt.va_bits - 1) & 1))
		va |= ~0ull << as->fmt.va_bits; /* upper half: canonical sign extension */
	return va;
}

static void walk_table(struct walker *w, uint64_t table, uint32_t depth, uint64_t base,
                       uint32_t deny, uint64_t parent_va)
{
	const haywire_aspace *as = w->as;
	if (w->st.tables_visited >= w->max_tables) {
		halt(w, STOP_LIMIT, parent_va);
		return;
	}
	w->st.tables_visited++;
	if (w->v->on_table && w->v->on_table(table, depth, w->v->user)) {
		w->st.stopped_by_callback = true;
		halt(w, STOP_HOOK, parent_va);
		return;
	}
	const uint64_t *t = load_table(w, table, depth);
	if (!t) {
		if (!w->stop) /* the parent checked RAM, so this is a backend read error */
			anomaly(w, parent_va, table, 0, depth, 0, HAYWIRE_ANOMALY_UNREADABLE);
		return;
	}
	w->ancestors[depth] = table;
	uint32_t n = as->geom.entries[depth];
	uint32_t shift = as->geom.shift[depth];
	uint64_t span_last = (1ull << shift) - 1;
	bool last_level = depth + 1 == as->geom.levels;
	uint32_t sw = as->fmt.sw_present_bit;
	/* last level wholly inside the window: entries like the previous one skip decoding */
	bool fast = last_level && as->leaf_key_mask && depth > 0 && base >= w->first &&
	            base + ((uint64_t)n << shift) - 1 <= w->last;
	uint64_t key = 0, psz = 1ull << shift;
	bool have_key = false;
	haywire_va_range tmpl = {0};
	uint32_t i = 0;
	/* skip entries wholly below the window (tables below the top are VA-contiguous) */
	if (depth > 0 && w->first > base) {
		uint64_t skip = (w->first - base) >> shift;
		i = skip < n ? (uint32_t)skip : n;
	}
	for (; i < n && !w->stop; i++) {
		uint64_t e = le64toh(t[i]);
		if (!(e & 1) && (!sw || !(e >> sw & 1)))
			continue; /* not present: the common case, decided without decoding */
		if (fast && have_key && (e & as->leaf_key_mask) == key) {
			uint64_t pa = e & as->leaf_addr_bits;
			const struct hw_range *ram = w->ram;
			if (ram && ram->size >= psz && pa >= ram->gpa &&
			    pa - ram->gpa <= ram->size - psz) {
				/* while HAVE_KEY holds, the current range carries TMPL's attributes */
				uint64_t va = base + ((uint64_t)i << shift);
				haywire_va_range *c = &w->cur;
				if (c->va + c->size == va && c->pa + c->size == pa) {
					c->size += psz;
					continue;
				}
				tmpl.va = va;
				tmpl.pa = pa;
				emit(w, &tmpl);
				continue;
			}
		}
		uint64_t va = entry_va(as, depth, base, i);
		if (va + span_last < w->first)
			continue;
		if (va > w->last)
			break;
		struct hw_pte p;
		as->decode(as, depth, e, va, &p);
		switch (p.kind) {
		case HAYWIRE_ENTRY_PAGE:
		case HAYWIRE_ENTRY_BLOCK:
			if (leaf(w, va, depth, deny, &p, table, i, e, &tmpl) && fast && w->have_cur) {
				key = e & as->leaf_key_mask;
				have_key = true;
			} else {
				have_key = false;
			}
			break;
		case HAYWIRE_ENTRY_TABLE: {
			if (last_level)
				break;
			uint32_t bad = 0;
			for (uint32_t a = 0; a <= depth; a++)
				if (w->ancestors[a] == p.out)
					bad |= HAYWIRE_ANOMALY_CYCLE;
			if (!ram_holds(w, p.out, hw_table_bytes(as, depth + 1)))
				bad |= HAYWIRE_ANOMALY_NOT_RAM;
			if (bad)
				anomaly(w, va, table, i, depth, e, bad);
			else
				walk_table(w, p.out, depth + 1, va, deny | p.deny, va);
			break;
		}
		case HAYWIRE_ENTRY_ANOMALY:
			anomaly(w, va, table, i, depth, e, p.anomaly);
			break;
		default:
			break;
		}
	}
}

int hw_aspace_walk(const haywire_aspace *as, uint64_t first, uint64_t last,
                   const struct hw_walk_visitor *v, struct hw_walk_stats *stats)
{
	struct walker w = {.as = as, .v = v};
	w.first = first > as->va_first ? first : as->va_first;
	w.last = last < as->va_last ? last : as->va_last;
	w.max_tables = v->max_tables ? v->max_tables : HAYWIRE_WALK_DEFAULT_MAX_TABLES;
	w.max_anomalies = v->max_anomalies ? v->max_anomalies : HAYWIRE_WALK_DEFAULT_MAX_ANOMALIES;
	if (w.first <= w.last)
		walk_table(&w, as->root, 0, as->va_first, 0, w.first); /* arm64 TTBR1: upper half */
	if (w.stop != STOP_HOOK && w.stop != STOP_NOMEM)
		flush(&w);
	free(w.scratch);
	if (stats)
		*stats = w.st;
	if (w.stop == STOP_NOMEM)
		return HAYWIRE_E_NOMEM;
	return w.stop == STOP_LIMIT ? HAYWIRE_E_LIMIT : HAYWIRE_OK;
}

static int limit_message(int st, const struct hw_walk_stats *s, uint64_t max_tables,
                         uint64_t max_anomalies)
{
	if (st == HAYWIRE_E_LIMIT)
		return hw_fail(st, "page-table walk stopped at VA 0x%llx: %llu tables / %llu anomalies "
		               "(caps %llu / %llu)", (unsigned long long)s->stop_va,
		               (unsigned long long)s->tables_visited, (unsigned long long)s->anomalies,
		               (unsigned long long)max_tables, (unsigned long long)max_anomalies);
	if (st == HAYWIRE_E_NOMEM)
		return hw_fail_nomem("page-table buffers");
	return st;
}

/* The public callbacks each have their own user pointer; the visitor has one. */
struct public_hooks {
	haywire_range_cb cb;
	void *user;
	haywire_anomaly_cb acb;
	void *auser;
};

static int range_tramp(const haywire_va_range *r, void *u)
{
	const struct public_hooks *h = u;
	return h->cb(r, h->user);
}

static int anomaly_tramp(const haywire_anomaly_info *a, void *u)
{
	const struct public_hooks *h = u;
	return h->acb(a, h->auser);
}

HAYWIRE_API int haywire_aspace_enumerate(const haywire_aspace *as, uint64_t va_first,
                                         uint64_t va_last, haywire_range_cb cb, void *user,
                                         haywire_walk_options *opts)
{
	if (!as || !cb)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_aspace_enumerate: NULL argument");
	if (opts && opts->struct_size < sizeof *opts)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_walk_options: struct_size too small");
	struct public_hooks h = {cb, user, opts ? opts->on_anomaly : NULL,
	                         opts ? opts->anomaly_user : NULL};
	struct hw_walk_visitor v = {.on_range = range_tramp,
	                            .on_anomaly = h.acb ? anomaly_tramp : NULL,
	                            .user = &h,
	                            .max_tables = opts ? opts->max_tables : 0,
	                            .max_anomalies = opts ? opts->max_anomalies : 0};
	struct hw_walk_stats s;
	int st = hw_aspace_walk(as, va_first, va_last, &v, &s);
	if (opts) {
		opts->tables_visited = s.tables_visited;
		opts->anomalies = s.anomalies;
		opts->ranges = s.ranges;
		opts->stop_va = s.stop_va;
	}
	return limit_message(st, &s, v.max_tables ? v.max_tables : HAYWIRE_WALK_DEFAULT_MAX_TABLES,
	                     v.max_anomalies ? v.max_anomalies : HAYWIRE_WALK_DEFAULT_MAX_ANOMALIES);
}

struct collect {
	haywire_va_range *out;
	haywire_anomaly_info *aout;
	uint64_t cap, count;
	bool full;
	uint64_t next_va;
};

static int collect_range(const haywire_va_range *r, void *u)
{
	struct collect *c = u;
	if (c->count == c->cap) { /* every range so far is complete: resume at this one */
		c->full = true;
		c->next_va = r->va;
		return 1;
	}
	c->out[c->count++] = *r;
	return 0;
}

HAYWIRE_API int haywire_aspace_ranges(const haywire_aspace *as, uint64_t va_first,
                                      uint64_t va_last, haywire_va_range *out, uint64_t cap,
                                      uint64_t *count, uint64_t *next_va)
{
	if (count)
		*count = 0;
	if (!as || !count || (!out && cap))
		return hw_fail(HAYWIRE_E_INVALID, "haywire_aspace_ranges: NULL argument");
	struct collect c = {.out = out, .cap = cap};
	struct hw_walk_visitor v = {.on_range = collect_range, .user = &c};
	struct hw_walk_stats s;
	int st = hw_aspace_walk(as, va_first, va_last, &v, &s);
	*count = c.count;
	if (next_va)
		*next_va = c.full ? c.next_va : s.stop_va;
	if (st)
		return limit_message(st, &s, HAYWIRE_WALK_DEFAULT_MAX_TABLES,
		                     HAYWIRE_WALK_DEFAULT_MAX_ANOMALIES);
	if (c.full)
		return hw_fail(HAYWIRE_E_RANGE, "more than %llu ranges: resume at VA 0x%llx",
		               (unsigned long long)cap, (unsigned long long)c.next_va);
	if (next_va)
		*next_va = va_last + 1;
	return HAYWIRE_OK;
}

static int collect_anomaly(const haywire_anomaly_info *a, void *u)
{
	struct collect *c = u;
	if (c->count < c->cap)
		c->aout[c->count] = *a;
	c->count++;
	return 0;
}

HAYWIRE_API int haywire_aspace_anomalies(const haywire_aspace *as, uint64_t va_first,
                                         uint64_t va_last, haywire_anomaly_info *out,
                                         uint64_t cap, uint64_t *count)
{
	if (count)
		*count = 0;
	if (!as || !count || (!out && cap))
		return hw_fail(HAYWIRE_E_INVALID, "haywire_aspace_anomalies: NULL argument");
	struct collect c = {.aout = out, .cap = cap};
	struct hw_walk_visitor v = {.on_anomaly = collect_anomaly, .user = &c};
	struct hw_walk_stats s;
	int st = hw_aspace_walk(as, va_first, va_last, &v, &s);
	*count = c.count;
	if (st)
		return limit_message(st, &s, HAYWIRE_WALK_DEFAULT_MAX_TABLES,
		                     HAYWIRE_WALK_DEFAULT_MAX_ANOMALIES);
	if (c.count > cap)
		return hw_fail(HAYWIRE_E_RANGE, "%llu anomalies, room for %llu",
		               (unsigned long long)c.count, (unsigned long long)cap);
	return HAYWIRE_OK;
}
