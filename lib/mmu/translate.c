/* Translating one VA: with a per-level trace (public) or without (fast path). */
#include "mmu_impl.h"

#include "core/error.h"

/* Read the entry at PA: zero-copy when mapped. */
static bool read_entry(const haywire_source *src, uint64_t pa, uint64_t *e)
{
	const void *p = hw_source_ptr(src, pa, 8);
	if (p) {
		*e = hw_load_entry(p);
		return true;
	}
	uint8_t buf[8];
	if (hw_source_read_quiet(src, pa, buf, 8, NULL))
		return false;
	*e = hw_load_entry(buf);
	return true;
}

/* Whether [PA, PA+LEN) is RAM, trying the one-range case first. */
static bool in_ram(const haywire_source *src, uint64_t pa, uint64_t len)
{
	const struct hw_range *r = hw_source_find(src, pa);
	if (r && len <= r->size - (pa - r->gpa))
		return true;
	return r && haywire_source_is_ram(src, pa, len);
}

/*
 * The one walk both translate flavours share. STEPS may be NULL. Returns the
 * status; on success fills PA, SIZE, PERMS, FLAGS, ATTRS.
 */
static int walk_va(const haywire_aspace *as, uint64_t va, haywire_walk_step *steps,
                   uint32_t *nsteps, uint64_t *pa, uint64_t *size, uint32_t *perms,
                   uint32_t *flags, uint64_t *attrs)
{
	*nsteps = 0;
	if (!hw_va_in_space(as, va))
		return HAYWIRE_E_NOT_MAPPED;
	uint64_t table = as->root, ancestors[HAYWIRE_MAX_LEVELS];
	/* the current table's bytes when the source maps them: one range lookup per level */
	const uint8_t *tbytes = hw_source_ptr(as->src, table, hw_table_bytes(as, 0));
	uint32_t deny = 0;
	for (uint32_t d = 0; d < as->geom.levels; d++) {
		ancestors[d] = table;
		uint32_t idx = hw_va_index(as, d, va);
		uint64_t e = 0;
		struct hw_pte p;
		bool ok = true;
		if (tbytes)
			e = hw_load_entry(tbytes + (uint64_t)idx * 8);
		else
			ok = read_entry(as->src, table + (uint64_t)idx * 8, &e);
		if (ok) {
			as->decode(as, d, e, va, &p);
		} else {
			memset(&p, 0, sizeof p);
			p.kind = HAYWIRE_ENTRY_ANOMALY;
			p.anomaly = HAYWIRE_ANOMALY_UNREADABLE;
		}
		if (p.kind == HAYWIRE_ENTRY_TABLE) {
			uint64_t next_bytes = hw_table_bytes(as, d + 1);
			for (uint32_t a = 0; a <= d; a++)
				if (ancestors[a] == p.out)
					p.anomaly |= HAYWIRE_ANOMALY_CYCLE;
			tbytes = hw_source_ptr(as->src, p.out, next_bytes);
			if (!tbytes && !in_ram(as->src, p.out, next_bytes))
				p.anomaly |= HAYWIRE_ANOMALY_NOT_RAM;
			if (p.anomaly)
				p.kind = HAYWIRE_ENTRY_ANOMALY;
		} else if (p.kind == HAYWIRE_ENTRY_PAGE || p.kind == HAYWIRE_ENTRY_BLOCK) {
			uint64_t sz = 1ull << as->geom.shift[d];
			if (!in_ram(as->src, p.out, sz)) {
				p.anomaly |= HAYWIRE_ANOMALY_NOT_RAM;
				p.flags |= HAYWIRE_MAP_NOT_RAM;
			}
		}
		if (steps) {
			haywire_walk_step *s = &steps[d];
			s->table_pa = table;
			s->entry = e;
			s->out_pa = p.kind == HAYWIRE_ENTRY_INVALID || p.kind == HAYWIRE_ENTRY_ANOMALY
			                    ? 0
			                    : p.out;
			s->index = idx;
			s->kind = p.kind;
			s->anomaly = p.anomaly;
			s->depth = d;
		}
		*nsteps = d + 1;
		switch (p.kind) {
		case HAYWIRE_ENTRY_TABLE:
			deny |= p.deny;
			table = p.out;
			continue;
		case HAYWIRE_ENTRY_PAGE:
		case HAYWIRE_ENTRY_BLOCK: {
			uint64_t sz = 1ull << as->geom.shift[d];
			*pa = p.out | (va & (sz - 1));
			*size = sz;
			*perms = (p.flags & HAYWIRE_MAP_PROTNONE) ? 0 : hw_leaf_perms(&p, deny);
			*flags = p.flags;
			*attrs = p.attrs;
			return HAYWIRE_OK;
		}
		case HAYWIRE_ENTRY_ANOMALY:
			return HAYWIRE_E_CORRUPT;
		default:
			return HAYWIRE_E_NOT_MAPPED;
		}
	}
	return HAYWIRE_E_CORRUPT; /* unreachable: the last level never yields a table */
}

int hw_aspace_translate_fast(const haywire_aspace *as, uint64_t va, uint64_t *pa,
                             uint64_t *page_size, uint32_t *perms)
{
	uint64_t p = 0, sz = 0, attrs;
	uint32_t n, pr = 0, fl;
	int st = walk_va(as, va, NULL, &n, &p, &sz, &pr, &fl, &attrs);
	if (st == HAYWIRE_OK) {
		*pa = p;
		if (page_size)
			*page_size = sz;
		if (perms)
			*perms = pr;
	}
	return st;
}

HAYWIRE_API int haywire_aspace_translate(const haywire_aspace *as, uint64_t va,
                                         haywire_translation *out)
{
	if (!as || !out || out->struct_size < sizeof *out)
		return hw_fail(HAYWIRE_E_INVALID,
		               "haywire_aspace_translate: NULL argument or struct_size too small");
	uint32_t size = out->struct_size;
	memset(out, 0, sizeof *out);
	out->struct_size = size;
	out->va = va;
	out->levels = as->geom.levels;
	int st = walk_va(as, va, out->steps, &out->nsteps, &out->pa, &out->page_size, &out->perms,
	                 &out->flags, &out->attrs);
	out->status = st;
	if (st == HAYWIRE_E_NOT_MAPPED)
		return hw_fail(st, "VA 0x%llx is not mapped%s", (unsigned long long)va,
		               out->nsteps ? "" : " (outside this address space)");
	if (st == HAYWIRE_E_CORRUPT) {
		const haywire_walk_step *s = &out->steps[out->nsteps - 1];
		return hw_fail(st, "VA 0x%llx: anomalous %s entry 0x%016llx at PA 0x%llx (anomaly 0x%x)",
		               (unsigned long long)va, haywire_mmu_level_name(out->levels, s->depth),
		               (unsigned long long)s->entry,
		               (unsigned long long)(s->table_pa + (uint64_t)s->index * 8), s->anomaly);
	}
	return st;
}
