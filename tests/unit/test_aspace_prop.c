/*
 * Property test: on random synthetic tables (seeded, several formats),
 * enumeration and translation agree: every enumerated range translates page
 * by page to the stated PA, ranges are sorted, disjoint and maximal, random
 * VAs outside every range fault, and the page-table hook sees every table.
 */
#include <haywire/haywire.h>

#include "mmu/mmu_impl.h"
#include "ptbuild.h"

static uint64_t rng_state;
static uint64_t rnd(void)
{
	/* splitmix64: tiny, seeded, good enough to scatter mappings */
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

#define FMT(...) {.struct_size = sizeof(haywire_mmu_format), __VA_ARGS__}
static const haywire_mmu_format formats[] = {
    FMT(.arch = HAYWIRE_ARCH_X86_64),
    FMT(.arch = HAYWIRE_ARCH_X86_64, .levels = 5),
    FMT(.arch = HAYWIRE_ARCH_ARM64),
    FMT(.arch = HAYWIRE_ARCH_ARM64, .granule = 16384, .va_bits = 47),
    FMT(.arch = HAYWIRE_ARCH_ARM64, .granule = 65536, .va_bits = 42),
    FMT(.arch = HAYWIRE_ARCH_ARM64, .va_bits = 39, .flags = HAYWIRE_MMU_TTBR1),
    FMT(.arch = HAYWIRE_ARCH_ARM64, .va_bits = 52, .pa_bits = 52),
};

#define RAM_BASE 0x40000000ull
#define RAM_SIZE (48ull << 20)

static bool is_leaf(const struct ptb *b, unsigned depth, uint64_t e)
{
	if (depth + 1 == b->fmt.levels)
		return true;
	if (b->fmt.arch == HAYWIRE_ARCH_X86_64)
		return e & (1ull << 7);
	return !(e & 2);
}

/* May a leaf go at DEPTH for VA without cutting through an existing block or table? */
static bool path_free(struct ptb *b, uint64_t va, unsigned depth)
{
	for (unsigned d = 0; d <= depth; d++) {
		uint64_t slot = ptb_slot(b, va, d, 0);
		uint64_t e = ptb_peek(b, slot);
		if (!(e & 1))
			return true;
		if (is_leaf(b, d, e) != (d == depth))
			return false;
		if (d == depth)
			return true;
	}
	return true;
}

static bool block_allowed(const struct ptb *b, unsigned depth)
{
	unsigned L = b->fmt.levels;
	if (depth + 1 == L)
		return true;
	if (b->fmt.arch == HAYWIRE_ARCH_X86_64)
		return depth + 3 == L || depth + 2 == L;
	int level = 4 - (int)L + (int)depth;
	return level == 2 || (level == 1 && b->fmt.granule == 4096);
}

static uint64_t top_va(const struct ptb *b, uint64_t va)
{
	unsigned vb = b->fmt.va_bits;
	va &= (1ull << vb) - 1;
	if (b->fmt.flags & HAYWIRE_MMU_TTBR1)
		return va | ~0ull << vb;
	if (b->fmt.arch == HAYWIRE_ARCH_X86_64 && (va >> (vb - 1) & 1))
		return va | ~0ull << vb;
	return va;
}

static uint64_t random_attrs(const struct ptb *b)
{
	static const uint64_t x86[] = {0, 1ull << 1, 1ull << 2 | 1ull << 1, 1ull << 63, 1ull << 8};
	static const uint64_t a64[] = {0, 1ull << 6, 1ull << 7, 1ull << 54 | 1ull << 53, 1ull << 11};
	return b->fmt.arch == HAYWIRE_ARCH_X86_64 ? x86[rnd() % 5] : a64[rnd() % 5];
}

struct rangelist {
	haywire_va_range *r;
	size_t n, cap;
};

static int collect(const haywire_va_range *r, void *u)
{
	struct rangelist *l = u;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->r = realloc(l->r, l->cap * sizeof *l->r);
		ck_assert_ptr_nonnull(l->r);
	}
	l->r[l->n++] = *r;
	return 0;
}

static int count_table(uint64_t pa, uint32_t depth, void *u)
{
	(*(uint64_t *)u)++;
	return 0;
}

/* A copy-only view of SRC (no zero-copy mapping): exercises the walker's read fallback. */
static int copy_read(const haywire_source *src, const struct hw_range *r, uint64_t off, void *buf,
                     uint64_t len)
{
	const haywire_source *inner = src->priv;
	return hw_source_read_quiet(inner, r->gpa + off, buf, len, NULL);
}

static const struct hw_source_ops copy_ops = {.kind = "test-copy", .read = copy_read};

static haywire_source *unmapped_view(haywire_source *inner)
{
	struct hw_range *r = calloc(inner->nranges, sizeof *r);
	ck_assert_ptr_nonnull(r);
	for (uint64_t i = 0; i < inner->nranges; i++) {
		r[i] = inner->ranges[i];
		r[i].host = NULL;
	}
	haywire_source *out = NULL;
	ck_assert_int_eq(hw_source_new(&copy_ops, inner, r, inner->nranges, 0, &out), HAYWIRE_OK);
	return out;
}

static int stop_at_third(uint64_t pa, uint32_t depth, void *u)
{
	return ++*(uint64_t *)u == 3;
}

static void expect_page(const haywire_aspace *as, const haywire_va_range *r, uint64_t off)
{
	uint64_t va = r->va + off, pa = 0, size = 0;
	uint32_t perms = 0;
	haywire_translation t = {.struct_size = sizeof t};
	ck_assert_msg(haywire_aspace_translate(as, va, &t) == HAYWIRE_OK, "VA 0x%llx: %s",
	              (unsigned long long)va, haywire_last_error());
	ck_assert_msg(t.pa == r->pa + off, "VA 0x%llx -> 0x%llx, range says 0x%llx",
	              (unsigned long long)va, (unsigned long long)t.pa,
	              (unsigned long long)(r->pa + off));
	ck_assert_uint_eq(t.perms, r->perms);
	ck_assert_uint_eq(t.page_size, r->page_size);
	ck_assert_uint_eq(t.flags & (HAYWIRE_MAP_GLOBAL | HAYWIRE_MAP_NOT_RAM), r->flags);
	ck_assert_int_eq(hw_aspace_translate_fast(as, va, &pa, &size, &perms), HAYWIRE_OK);
	ck_assert_uint_eq(pa, t.pa);
	ck_assert_uint_eq(size, t.page_size);
	ck_assert_uint_eq(perms, t.perms);
}

START_TEST(enumerate_and_translate_agree)
{
	const haywire_mmu_format *f = &formats[_i];
	for (uint64_t seed = 1; seed <= 3; seed++) {
		rng_state = seed * 1000 + (uint64_t)_i;
		struct ptb b;
		uint64_t gpa[] = {RAM_BASE}, size[] = {RAM_SIZE};
		ptb_init(&b, f, 1, gpa, size);
		b.reg[0].next = RAM_BASE + RAM_SIZE / 2; /* tables in the upper half of RAM */
		unsigned L = b.fmt.levels;
		uint64_t clusters[4];
		for (int c = 0; c < 4; c++)
			clusters[c] = top_va(&b, rnd() << b.shift[0]);
		uint64_t prev_va = 0, prev_pa = 0;
		unsigned prev_depth = ~0u;
		for (int m = 0; m < 150; m++) {
			unsigned depth = L - 1;
			if (rnd() % 6 == 0)
				for (unsigned d = 0; d + 1 < L; d++)
					if (block_allowed(&b, d) && rnd() % 2)
						depth = d;
			uint64_t psz = 1ull << b.shift[depth];
			uint64_t span = (uint64_t)4 << b.shift[L > 1 ? 1 : 0];
			uint64_t va = top_va(&b, (clusters[rnd() % 4] + rnd() % span) & ~(psz - 1));
			uint64_t pa;
			if (rnd() % 5 && psz <= RAM_SIZE / 2)
				pa = RAM_BASE + (rnd() % (RAM_SIZE / 2 / psz)) * psz;
			else
				pa = (rnd() % (1ull << 40)) & ~(psz - 1); /* mostly not RAM */
			uint64_t attrs = random_attrs(&b);
			if (m && rnd() % 4 == 0 && prev_depth == depth) {
				/* continue the previous run in VA and PA: only attributes may split them */
				va = prev_va;
				pa = prev_pa;
			}
			unsigned run = 1 + (unsigned)(rnd() % 8);
			for (unsigned k = 0; k < run; k++) {
				uint64_t v = va + k * psz;
				if (top_va(&b, v) != v || !path_free(&b, v, depth))
					break;
				ptb_map(&b, v, pa + k * psz, depth, attrs);
				prev_va = v + psz;
				prev_pa = pa + (k + 1) * psz;
				prev_depth = depth;
			}
		}
		haywire_source *src = ptb_open(&b);
		haywire_aspace *as;
		ck_assert_int_eq(haywire_aspace_new(src, f, b.root, &as), HAYWIRE_OK);

		struct rangelist l = {0};
		uint64_t tables = 0;
		struct hw_walk_visitor v = {.on_range = collect, .user = &l};
		ck_assert_int_eq(hw_aspace_walk(as, 0, ~0ull, &v, NULL), HAYWIRE_OK);
		struct hw_walk_visitor vt = {.on_table = count_table, .user = &tables};
		ck_assert_int_eq(hw_aspace_walk(as, 0, ~0ull, &vt, NULL), HAYWIRE_OK);
		ck_assert_uint_eq(tables, b.ntables);
		/* a page-table hook can stop the walk: nothing after it is delivered */
		struct hw_walk_visitor vs = {.on_table = stop_at_third, .user = &tables};
		struct hw_walk_stats wst;
		tables = 0;
		ck_assert_int_eq(hw_aspace_walk(as, 0, ~0ull, &vs, &wst), HAYWIRE_OK);
		ck_assert(wst.stopped_by_callback);
		ck_assert_uint_eq(wst.tables_visited, 3);
		tables = 0;
		ck_assert_int_eq(hw_aspace_walk(as, 0, ~0ull, &vt, NULL), HAYWIRE_OK);
		ck_assert_uint_gt(l.n, 10);

		for (size_t i = 0; i < l.n; i++) {
			const haywire_va_range *r = &l.r[i];
			ck_assert_uint_gt(r->size, 0);
			ck_assert_uint_eq(r->size % r->page_size, 0);
			if (i) {
				const haywire_va_range *p = &l.r[i - 1];
				ck_assert_uint_gt(r->va, p->va + (p->size - 1)); /* sorted, disjoint */
				bool mergeable = p->va + p->size == r->va && p->pa + p->size == r->pa &&
				                 p->perms == r->perms && p->flags == r->flags &&
				                 p->memtype == r->memtype && p->page_size == r->page_size;
				ck_assert_msg(!mergeable, "ranges %zu and %zu should be one", i - 1, i);
			}
			uint64_t pages = r->size / r->page_size;
			for (uint64_t k = 0; k < pages; k += (k < 4 || k + 4 > pages) ? 1 : pages / 8 + 1)
				expect_page(as, r, k * r->page_size + (rnd() % r->page_size & ~7ull));
		}
		/* random VAs near the clusters: in a range iff they translate */
		for (int k = 0; k < 3000; k++) {
			uint64_t span = (uint64_t)8 << b.shift[L > 1 ? 1 : 0];
			uint64_t va = top_va(&b, clusters[rnd() % 4] + rnd() % span);
			size_t lo = 0, hi = l.n;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				if (l.r[mid].va + (l.r[mid].size - 1) < va)
					lo = mid + 1;
				else
					hi = mid;
			}
			bool inside = lo < l.n && l.r[lo].va <= va;
			haywire_translation t = {.struct_size = sizeof t};
			int st = haywire_aspace_translate(as, va, &t);
			if (inside) {
				ck_assert_int_eq(st, HAYWIRE_OK);
				ck_assert_uint_eq(t.pa, l.r[lo].pa + (va - l.r[lo].va));
			} else {
				ck_assert_msg(st == HAYWIRE_E_NOT_MAPPED, "VA 0x%llx: %d outside every range",
				              (unsigned long long)va, st);
			}
		}
		/* a source without zero-copy access gives the same ranges and translations */
		haywire_source *copy = unmapped_view(src);
		haywire_aspace *cas;
		ck_assert_int_eq(haywire_aspace_new(copy, f, b.root, &cas), HAYWIRE_OK);
		struct rangelist cl = {0};
		ck_assert_int_eq(haywire_aspace_enumerate(cas, 0, ~0ull, collect, &cl, NULL), 0);
		ck_assert_uint_eq(cl.n, l.n);
		ck_assert_int_eq(memcmp(cl.r, l.r, l.n * sizeof *l.r), 0);
		for (size_t i = 0; i < l.n; i += 7)
			expect_page(cas, &l.r[i], 0);
		free(cl.r);
		haywire_aspace_free(cas);
		haywire_source_close(copy);

		/* a window sees exactly the clipped overlap of the full list */
		uint64_t w0 = l.r[l.n / 3].va + l.r[l.n / 3].size / 2, w1 = l.r[2 * l.n / 3].va + 5;
		struct rangelist wl = {0};
		ck_assert_int_eq(haywire_aspace_enumerate(as, w0, w1, collect, &wl, NULL), HAYWIRE_OK);
		uint64_t want = 0, got = 0;
		for (size_t i = 0; i < l.n; i++) {
			uint64_t a = l.r[i].va > w0 ? l.r[i].va : w0;
			uint64_t e = l.r[i].va + (l.r[i].size - 1);
			e = e < w1 ? e : w1;
			if (a <= e)
				want += e - a + 1;
		}
		for (size_t i = 0; i < wl.n; i++)
			got += wl.r[i].size;
		ck_assert_uint_eq(got, want);
		free(wl.r);
		free(l.r);
		haywire_aspace_free(as);
		haywire_source_close(src);
		ptb_free(&b);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("aspace-prop");
	TCase *tc = tcase_create("agree");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, enumerate_and_translate_agree, 0, sizeof formats / sizeof formats[0]);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
