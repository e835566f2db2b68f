/*
 * The forward walk: every process's user half, one hw_aspace_walk each,
 * turned into records. USER records go straight into r->recs (so each
 * process's are contiguous, in VA order); page-table records wait in
 * r->tables and are appended after the last process.
 */
#include "core/error.h"
#include "mmu/mmu_impl.h"
#include "rmap/rmap_impl.h"

#include <string.h>

struct walk_ctx {
	haywire_rmap *r;
	const haywire_aspace *as;
	uint32_t proc;
	int rc; /* HAYWIRE_E_LIMIT or _NOMEM that stopped the walk */
};

static int over_cap(const haywire_rmap *r)
{
	return r->recs.n + r->tables.n >= r->max_entries;
}

static int push(struct walk_ctx *c, struct hw_vec *v, const struct hw_rmap_rec *rec)
{
	if (over_cap(c->r)) {
		c->rc = HAYWIRE_E_LIMIT;
		return 1;
	}
	if (hw_vec_reserve(v, 1, sizeof *rec)) {
		c->rc = HAYWIRE_E_NOMEM;
		return 1;
	}
	((struct hw_rmap_rec *)v->p)[v->n++] = *rec;
	return 0;
}

static uint8_t log2_u64(uint64_t v)
{
	uint8_t s = 0;
	while (s < 63 && (1ull << (s + 1)) <= v)
		s++;
	return s;
}

/*
 * Not a "normal" page for smaps: the zero page, vvar (see rmap.h). Both are
 * read-only, non-executable mappings of kernel-image frames. Writable ones
 * are user pages however the image looks: on arm64 the image's extent is
 * inferred, and a user page in memory the kernel freed once counted as image
 * and left one page out of a process's RSS.
 */
static int is_special(const haywire_rmap *r, const haywire_va_range *range)
{
	if (range->perms & (HAYWIRE_PERM_EXEC | HAYWIRE_PERM_WRITE))
		return 0;
	for (uint32_t i = 0; i < r->kimg.n; i++)
		if (range->pa >= r->kimg.pa[i] && range->pa - r->kimg.pa[i] < r->kimg.size[i])
			return 1;
	return 0;
}

static int on_range(const haywire_va_range *range, void *user)
{
	struct walk_ctx *c = user;
	struct hw_rmap_rec rec = {
		.pa = range->pa,
		.size = range->size,
		.va = range->va,
		.proc = c->proc,
		.kind = HAYWIRE_RMAP_USER,
		.perms = (uint8_t)range->perms,
		.flags = (uint8_t)((is_special(c->r, range) ? HAYWIRE_RMAP_F_SPECIAL : 0) |
		                   (range->flags & HAYWIRE_MAP_PROTNONE ? HAYWIRE_RMAP_F_PROTNONE : 0)),
		.aux = log2_u64(range->page_size),
	};
	return push(c, &c->r->recs, &rec);
}

static int on_table(uint64_t table_pa, uint32_t depth, void *user)
{
	struct walk_ctx *c = user;
	struct hw_rmap_rec rec = {
		.pa = table_pa,
		.size = hw_table_bytes(c->as, depth),
		.proc = c->proc,
		.kind = HAYWIRE_RMAP_PAGE_TABLE,
		.aux = (uint8_t)depth,
	};
	return push(c, &c->r->tables, &rec);
}

/* The user half: x86 the lower canonical half, arm64 all of TTBR0's range. */
static void user_half(const haywire_aspace *as, uint64_t *first, uint64_t *last)
{
	haywire_aspace_va_bounds(as, first, last);
	if (as->fmt.arch == HAYWIRE_ARCH_X86_64) {
		*first = 0;
		*last = (1ull << (as->fmt.va_bits - 1)) - 1;
	}
}

static int walk_one(haywire_rmap *r, const struct hw_rmap_input *in, uint32_t index,
                    const haywire_rmap_options *opts)
{
	haywire_rmap_proc *p = &((haywire_rmap_proc *)r->procs.p)[index];
	((uint64_t *)r->user_first.p)[index] = r->recs.n;
	if (!in->as)
		return HAYWIRE_OK;
	struct walk_ctx c = {.r = r, .as = in->as, .proc = index};
	struct hw_walk_visitor v = {
		.on_range = on_range,
		.on_table = on_table,
		.user = &c,
		.max_tables = opts ? opts->max_tables : 0,
		.max_anomalies = opts ? opts->max_anomalies : 0,
	};
	struct hw_walk_stats st = {0};
	uint64_t first, last;
	user_half(in->as, &first, &last);
	uint64_t before = r->recs.n;
	int rc = hw_aspace_walk(in->as, first, last, &v, &st);
	r->stats.tables_visited += st.tables_visited;
	r->stats.anomalies += st.anomalies;
	p->mappings = r->recs.n - before;
	if (c.rc == HAYWIRE_E_LIMIT)
		return hw_fail(HAYWIRE_E_LIMIT,
		               "reverse map: more than %llu entries (at pid %d, VA 0x%llx); "
		               "raise haywire_rmap_options.max_entries",
		               (unsigned long long)r->max_entries, p->pid,
		               (unsigned long long)st.stop_va);
	if (c.rc)
		return hw_fail_nomem("reverse map records");
	if (rc == HAYWIRE_E_LIMIT)
		return hw_fail(HAYWIRE_E_LIMIT,
		               "reverse map: the page tables of pid %d (root 0x%llx) exceed the walk's "
		               "caps (%llu tables, %llu anomalies) at VA 0x%llx",
		               p->pid, (unsigned long long)p->pgd,
		               (unsigned long long)st.tables_visited, (unsigned long long)st.anomalies,
		               (unsigned long long)st.stop_va);
	if (rc)
		return hw_fail(rc, "reverse map: walking pid %d failed", p->pid);
	return HAYWIRE_OK;
}

int hw_rmap_fill(haywire_rmap *r, haywire_source *src, const struct hw_rmap_input *in,
                 uint32_t n, const struct hw_kimage *kimg, const haywire_rmap_options *opts)
{
	r->ram.n = 0;
	uint64_t nram = haywire_source_ram_range_count(src);
	if (hw_vec_reserve(&r->ram, nram, sizeof(haywire_ram_range)))
		return hw_fail_nomem("reverse map RAM ranges");
	if (nram && haywire_source_ram_ranges(src, r->ram.p, nram, &r->ram.n))
		return haywire_last_status();
	if (kimg && kimg->n <= HW_RMAP_MAX_KRANGES)
		r->kimg = *kimg;
	else
		memset(&r->kimg, 0, sizeof r->kimg);
	r->max_entries = opts && opts->max_entries ? opts->max_entries
	                                           : HAYWIRE_RMAP_DEFAULT_MAX_ENTRIES;
	if (r->max_entries > UINT32_MAX - 1)
		r->max_entries = UINT32_MAX - 1; /* records are named by uint32 indices */
	r->procs.n = r->recs.n = r->user_first.n = r->tables.n = 0;
	memset(&r->stats, 0, sizeof r->stats);
	r->stats.struct_size = sizeof r->stats;
	r->stats.page_size = 4096;
	for (uint32_t i = 0; i < n; i++)
		if (in[i].as) {
			r->stats.page_size = in[i].as->fmt.granule;
			break;
		}
	if (hw_vec_reserve(&r->procs, n, sizeof(haywire_rmap_proc)) ||
	    hw_vec_reserve(&r->user_first, n, sizeof(uint64_t)))
		return hw_fail_nomem("reverse map processes");
	for (uint32_t i = 0; i < n; i++) {
		haywire_rmap_proc *p = &((haywire_rmap_proc *)r->procs.p)[i];
		*p = in[i].info;
		p->struct_size = sizeof *p;
		p->rss_bytes = p->pss_bytes = p->uss_bytes = p->page_table_bytes = p->mappings = 0;
		r->procs.n = r->user_first.n = i + 1;
		int rc = walk_one(r, &in[i], i, opts);
		if (rc)
			return rc;
	}
	/* Page tables, then the kernel image, after every USER record. */
	uint64_t extra = r->tables.n + r->kimg.n;
	if (hw_vec_reserve(&r->recs, extra, sizeof(struct hw_rmap_rec)))
		return hw_fail_nomem("reverse map records");
	if (r->tables.n)
		memcpy((struct hw_rmap_rec *)r->recs.p + r->recs.n, r->tables.p,
		       r->tables.n * sizeof(struct hw_rmap_rec));
	r->recs.n += r->tables.n;
	for (uint32_t i = 0; i < r->kimg.n; i++)
		((struct hw_rmap_rec *)r->recs.p)[r->recs.n++] = (struct hw_rmap_rec){
			.pa = r->kimg.pa[i], .size = r->kimg.size[i], .proc = HAYWIRE_RMAP_NO_PROC,
			.kind = HAYWIRE_RMAP_KERNEL_IMAGE};
	return hw_rmap_index(r);
}
