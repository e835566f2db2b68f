/*
 * The reverse map on synthetic page tables: several "processes" (roots)
 * built with ptbuild in one RAM image, indexed through the internal entry
 * point (the public build only adds the kernel and process discovery,
 * which the guest suite covers).
 */
#include "rmap/rmap_impl.h"
#include "mmu/mmu_impl.h"

#include "ptbuild.h"

#include <pthread.h>
#include "testutil.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

/* x86 leaf bits */
#define U 4ull                /* user */
#define W 2ull                /* writable */
#define NX (1ull << 63)       /* not executable */

static const haywire_mmu_format x86 = {.struct_size = sizeof(haywire_mmu_format),
                                       .arch = HAYWIRE_ARCH_X86_64};

#define RAM_BASE 0x100000ull
#define RAM_SIZE (8 * MiB)

struct world {
	struct ptb b;
	uint64_t roots[8];
	int nprocs;
	haywire_source *src;
	haywire_aspace *as[8];
	struct hw_rmap_input in[8];
};

static void world_init(struct world *w, int nprocs)
{
	memset(w, 0, sizeof *w);
	uint64_t gpa[] = {RAM_BASE}, size[] = {RAM_SIZE};
	ptb_init(&w->b, &x86, 1, gpa, size);
	w->nprocs = nprocs;
	w->roots[0] = w->b.root;
	for (int i = 1; i < nprocs; i++)
		w->roots[i] = ptb_table(&w->b, 0, 0);
}

/* Map in process P. */
static void wmap(struct world *w, int p, uint64_t va, uint64_t pa, unsigned depth, uint64_t attrs)
{
	w->b.root = w->roots[p];
	ptb_map(&w->b, va, pa, depth, attrs);
	w->b.root = w->roots[0];
}

static void world_open(struct world *w)
{
	w->src = ptb_open(&w->b);
	for (int i = 0; i < w->nprocs; i++) {
		ck_assert_int_eq(haywire_aspace_new(w->src, &x86, w->roots[i], &w->as[i]), HAYWIRE_OK);
		w->in[i].info.pid = 100 + i;
		w->in[i].info.pgd = w->roots[i];
		snprintf(w->in[i].info.comm, sizeof w->in[i].info.comm, "proc%d", i);
		w->in[i].as = w->as[i];
	}
}

static haywire_rmap *world_rmap(struct world *w, uint64_t kpa, uint64_t ksize,
                                const haywire_rmap_options *opts, int expect)
{
	haywire_rmap *r = calloc(1, sizeof *r);
	ck_assert_ptr_nonnull(r);
	struct hw_kimage kimg = {.pa = {kpa}, .size = {ksize}, .n = ksize ? 1 : 0};
	int rc = hw_rmap_fill(r, w->src, w->in, (uint32_t)w->nprocs, &kimg, opts);
	ck_assert_msg(rc == expect, "fill: %d (%s)", rc, haywire_last_error());
	return r;
}

static void world_free(struct world *w)
{
	for (int i = 0; i < w->nprocs; i++)
		haywire_aspace_free(w->as[i]);
	haywire_source_close(w->src);
	ptb_free(&w->b);
}

static haywire_rmap_proc proc_of(const haywire_rmap *r, uint32_t i)
{
	haywire_rmap_proc p = {.struct_size = sizeof p};
	ck_assert_int_eq(haywire_rmap_proc_get(r, i, &p), HAYWIRE_OK);
	return p;
}

/* Frames well away from the tables (allocated from RAM_BASE up). */
#define F(n) (RAM_BASE + 1 * MiB + (uint64_t)(n) * 4096)

START_TEST(owners_of_shared_and_private_frames)
{
	struct world w;
	world_init(&w, 2);
	wmap(&w, 0, 0x400000, F(1), 3, U | W | NX);
	wmap(&w, 0, 0x401000, F(2), 3, U | NX);
	wmap(&w, 1, 0x7000, F(2), 3, U);
	world_open(&w);
	haywire_rmap *r = world_rmap(&w, 0, 0, NULL, HAYWIRE_OK);

	haywire_rmap_owner o[4] = {{.struct_size = sizeof o[0]}};
	uint64_t n = 0;
	ck_assert_int_eq(haywire_rmap_owners(r, F(2) + 0x123, o, 4, &n), HAYWIRE_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(o[0].kind, HAYWIRE_RMAP_USER);
	ck_assert_int_eq(o[0].pid, 100);
	ck_assert_uint_eq(o[0].va, 0x401123);
	ck_assert_uint_eq(o[0].perms & (HAYWIRE_PERM_WRITE | HAYWIRE_PERM_EXEC), 0);
	ck_assert_int_eq(o[1].pid, 101);
	ck_assert_uint_eq(o[1].va, 0x7123);
	ck_assert(o[1].perms & HAYWIRE_PERM_EXEC);
	ck_assert_uint_eq(o[1].mapcount, 2);
	ck_assert_uint_eq(o[1].struct_size, sizeof o[1]);

	/* Too small a buffer: the count, HAYWIRE_E_RANGE, and the first owner. */
	memset(o, 0, sizeof o);
	o[0].struct_size = sizeof o[0];
	ck_assert_int_eq(haywire_rmap_owners(r, F(2), o, 1, &n), HAYWIRE_E_RANGE);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(o[0].pid, 100);
	ck_assert_int_eq(haywire_rmap_owners(r, F(2), NULL, 0, &n), HAYWIRE_E_RANGE);
	ck_assert_uint_eq(n, 2);

	/* An older, smaller owner struct: filled to its size, stride respected. */
	struct small { uint32_t struct_size, kind, proc; int32_t pid; } s[2] = {{sizeof s[0], 0, 0, 0}};
	ck_assert_int_eq(haywire_rmap_owners(r, F(2), (haywire_rmap_owner *)s, 2, &n), HAYWIRE_OK);
	ck_assert_int_eq(s[0].pid, 100);
	ck_assert_int_eq(s[1].pid, 101);
	ck_assert_uint_eq(s[1].struct_size, sizeof s[1]);

	/* Nobody maps F(3). */
	ck_assert_int_eq(haywire_rmap_owners(r, F(3), o, 4, &n), HAYWIRE_OK);
	ck_assert_uint_eq(n, 0);

	/* Page tables: each root is owned by its process at level 0. */
	for (int p = 0; p < 2; p++) {
		ck_assert_int_eq(haywire_rmap_owners(r, w.roots[p] + 8, o, 4, &n), HAYWIRE_OK);
		ck_assert_uint_eq(n, 1);
		ck_assert_uint_eq(o[0].kind, HAYWIRE_RMAP_PAGE_TABLE);
		ck_assert_uint_eq(o[0].proc, (uint32_t)p);
		ck_assert_uint_eq(o[0].level, 0);
		ck_assert_uint_eq(o[0].page_pa, w.roots[p]);
	}
	/* Each process has 4 tables (PGD, PUD, PMD, PT). */
	ck_assert_uint_eq(proc_of(r, 0).page_table_bytes, 4 * 4096);

	haywire_rmap_free(r);
	world_free(&w);
}
END_TEST

/*
 * F1 private to A; F2 shared by A and B; F3 mapped twice by A; F4 private to
 * B. Kernel mapcount semantics: PSS(A) = 4 + 2 + 2*2 = 10 KiB.
 */
START_TEST(rss_pss_uss_arithmetic)
{
	struct world w;
	world_init(&w, 2);
	wmap(&w, 0, 0x10000, F(1), 3, U | W);
	wmap(&w, 0, 0x20000, F(2), 3, U | W);
	wmap(&w, 0, 0x30000, F(3), 3, U);
	wmap(&w, 0, 0x40000, F(3), 3, U);
	wmap(&w, 1, 0x10000, F(2), 3, U);
	wmap(&w, 1, 0x50000, F(4), 3, U);
	world_open(&w);
	haywire_rmap *r = world_rmap(&w, 0, 0, NULL, HAYWIRE_OK);
	haywire_rmap_proc a = proc_of(r, 0), b = proc_of(r, 1);
	ck_assert_uint_eq(a.rss_bytes, 16 * KiB);
	ck_assert_uint_eq(a.pss_bytes, 10 * KiB);
	ck_assert_uint_eq(a.uss_bytes, 8 * KiB);
	ck_assert_uint_eq(b.rss_bytes, 8 * KiB);
	ck_assert_uint_eq(b.pss_bytes, 6 * KiB);
	ck_assert_uint_eq(b.uss_bytes, 4 * KiB);
	haywire_rmap_stats st = {.struct_size = sizeof st};
	ck_assert_int_eq(haywire_rmap_get_stats(r, &st), HAYWIRE_OK);
	ck_assert_uint_eq(st.procs, 2);
	ck_assert_uint_eq(st.mapped_pages, 6);
	ck_assert_uint_eq(st.user_frames, 4);
	ck_assert_uint_eq(st.shared_frames, 1);
	ck_assert_uint_eq(st.page_size, 4096);
	ck_assert_uint_eq(st.page_table_pages, 8); /* PML4, PDPT, PD, PT each */
	/* The per-page view agrees. */
	uint8_t kind[5];
	uint32_t owner[5], count[5];
	ck_assert_int_eq(haywire_rmap_pages(r, F(0), 5, kind, owner, count), HAYWIRE_OK);
	uint32_t want_count[5] = {0, 1, 2, 2, 1}, want_owner[5] = {HAYWIRE_RMAP_NO_PROC, 0, 0, 0, 1};
	for (int i = 0; i < 5; i++) {
		ck_assert_uint_eq(count[i], want_count[i]);
		ck_assert_uint_eq(owner[i], want_owner[i]);
		ck_assert_uint_eq(kind[i], i ? HAYWIRE_RMAP_USER : HAYWIRE_RMAP_UNOWNED);
	}
	haywire_rmap_free(r);
	world_free(&w);
}
END_TEST

/* A 2 MiB page covers all its 512 frames, a 1 GiB page all of its, as one record each. */
START_TEST(huge_pages_cover_every_frame)
{
	struct world w;
	world_init(&w, 2);
	uint64_t huge = RAM_BASE + 3 * MiB; /* 2 MiB aligned (RAM_BASE is 1 MiB: adjust) */
	huge = (huge + 2 * MiB - 1) & ~(2 * MiB - 1);
	wmap(&w, 0, 0x40000000, huge, 2, U | W);
	wmap(&w, 1, 0x80000000ull, 4 * GiB, 1, U); /* 1 GiB page outside RAM: still an owner */
	wmap(&w, 1, 0xc0001000ull, huge + 5 * 4096, 3, U);
	world_open(&w);
	haywire_rmap *r = world_rmap(&w, 0, 0, NULL, HAYWIRE_OK);
	haywire_rmap_stats st = {.struct_size = sizeof st};
	haywire_rmap_get_stats(r, &st);
	ck_assert_uint_eq(st.mappings, 3);
	ck_assert_uint_eq(st.mapped_pages, 512 + 262144 + 1);
	ck_assert_uint_lt(st.index_bytes, 4096);

	uint8_t *kind = malloc(600);
	uint32_t *owner = malloc(600 * 4), *count = malloc(600 * 4);
	ck_assert_int_eq(haywire_rmap_pages(r, huge - 8 * 4096, 600, kind, owner, count),
	                 HAYWIRE_OK);
	for (int i = 0; i < 600; i++) {
		int in = i >= 8 && i < 8 + 512;
		ck_assert_uint_eq(kind[i], in ? HAYWIRE_RMAP_USER : HAYWIRE_RMAP_UNOWNED);
		ck_assert_uint_eq(owner[i], in ? 0 : HAYWIRE_RMAP_NO_PROC);
		ck_assert_uint_eq(count[i], in ? (i == 8 + 5 ? 2 : 1) : 0);
	}
	haywire_rmap_owner o[2] = {{.struct_size = sizeof o[0]}};
	uint64_t n;
	ck_assert_int_eq(haywire_rmap_owners(r, huge + 0x12345, o, 2, &n), HAYWIRE_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(o[0].va, 0x40012345);
	ck_assert_uint_eq(o[0].page_size, 2 * MiB);
	ck_assert_uint_eq(o[0].page_pa, huge);
	/* Last frame of the 1 GiB page; outside RAM the page view still shows the owner. */
	ck_assert_int_eq(haywire_rmap_owners(r, 5 * GiB - 1, o, 2, &n), HAYWIRE_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(o[0].va, 0xbfffffffull);
	ck_assert_uint_eq(o[0].page_size, GiB);
	ck_assert_int_eq(haywire_rmap_pages(r, 5 * GiB - 4096, 2, kind, owner, count), HAYWIRE_OK);
	ck_assert_uint_eq(kind[0], HAYWIRE_RMAP_USER);
	ck_assert_uint_eq(owner[0], 1);
	ck_assert_uint_eq(kind[1], HAYWIRE_RMAP_NOT_RAM);
	/* PSS of the shared small frame inside the huge page: half a page each. */
	ck_assert_uint_eq(proc_of(r, 0).pss_bytes, 2 * MiB - 2 * KiB);
	ck_assert_uint_eq(proc_of(r, 0).uss_bytes, 2 * MiB - 4 * KiB);
	free(kind);
	free(owner);
	free(count);
	haywire_rmap_free(r);
	world_free(&w);
}
END_TEST

/* Non-executable user mappings of kernel-image frames (zero page, vvar) stay out of RSS. */
START_TEST(kernel_image_and_special_mappings)
{
	struct world w;
	world_init(&w, 1);
	uint64_t kimg = RAM_BASE + 6 * MiB;
	wmap(&w, 0, 0x1000, kimg + 0x5000, 3, U | NX); /* "zero page" */
	wmap(&w, 0, 0x2000, kimg + 0x6000, 3, U);      /* "vdso": executable, counts */
	wmap(&w, 0, 0x3000, F(1), 3, U | W | NX);
	/* writable: a user page, even where the map believes the image is (freed memory) */
	wmap(&w, 0, 0x4000, kimg + 0x7000, 3, U | W | NX);
	world_open(&w);
	haywire_rmap *r = world_rmap(&w, kimg, 1 * MiB, NULL, HAYWIRE_OK);
	haywire_rmap_proc p = proc_of(r, 0);
	ck_assert_uint_eq(p.rss_bytes, 12 * KiB);
	ck_assert_uint_eq(p.pss_bytes, 12 * KiB);
	haywire_rmap_owner o[2] = {{.struct_size = sizeof o[0]}};
	uint64_t n;
	ck_assert_int_eq(haywire_rmap_owners(r, kimg + 0x5000, o, 2, &n), HAYWIRE_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(o[0].kind, HAYWIRE_RMAP_USER);
	ck_assert(o[0].flags & HAYWIRE_RMAP_F_SPECIAL);
	ck_assert_uint_eq(o[1].kind, HAYWIRE_RMAP_KERNEL_IMAGE);
	ck_assert_uint_eq(o[1].proc, HAYWIRE_RMAP_NO_PROC);
	ck_assert_int_eq(haywire_rmap_owners(r, kimg + 0x6000, o, 2, &n), HAYWIRE_OK);
	ck_assert(!(o[0].flags & HAYWIRE_RMAP_F_SPECIAL));
	uint8_t kind[3];
	ck_assert_int_eq(haywire_rmap_pages(r, kimg - 4096, 3, kind, NULL, NULL), HAYWIRE_OK);
	ck_assert_uint_eq(kind[0], HAYWIRE_RMAP_UNOWNED);
	ck_assert_uint_eq(kind[1], HAYWIRE_RMAP_KERNEL_IMAGE);
	uint64_t kpa, ksize;
	ck_assert_int_eq(haywire_rmap_kernel_ranges(r, &kpa, &ksize, 1, &n), HAYWIRE_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(kpa, kimg);
	ck_assert_uint_eq(ksize, MiB);
	haywire_rmap_free(r);
	world_free(&w);
}
END_TEST

/*
 * More entries than the cap: HAYWIRE_E_LIMIT with a message naming the
 * option, whether the records or the owner lists overflow it.
 */
START_TEST(the_entry_cap_holds)
{
	struct world w;
	world_init(&w, 1);
	uint64_t huge = (RAM_BASE + 3 * MiB + 2 * MiB - 1) & ~(2 * MiB - 1);
	wmap(&w, 0, 0x40000000, huge, 2, U);
	for (int i = 0; i < 100; i++) /* every other frame of the huge page: 100 runs */
		wmap(&w, 0, 0x10000 + (uint64_t)i * 4096, huge + (uint64_t)i * 8192, 3, U);
	world_open(&w);
	haywire_rmap_options o = {.struct_size = sizeof o, .max_entries = 50};
	haywire_rmap *r = world_rmap(&w, 0, 0, &o, HAYWIRE_E_LIMIT);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "max_entries"));
	hw_rmap_destroy(r);
	o.max_entries = 150; /* room for the 106 records, not for ~300 owner-list entries */
	r = world_rmap(&w, 0, 0, &o, HAYWIRE_E_LIMIT);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "owner lists"));
	hw_rmap_destroy(r);
	o.max_entries = 400;
	r = world_rmap(&w, 0, 0, &o, HAYWIRE_OK);
	ck_assert_uint_eq(proc_of(r, 0).mappings, 101);
	hw_rmap_destroy(r);
	/* The walker's own table cap passes through. */
	o = (haywire_rmap_options){.struct_size = sizeof o, .max_tables = 2};
	r = world_rmap(&w, 0, 0, &o, HAYWIRE_E_LIMIT);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "caps"));
	hw_rmap_destroy(r);
	world_free(&w);
}
END_TEST

/* A rebuild on the same map gives the same answers, with no growth of its buffers. */
START_TEST(rebuild_reuses_memory)
{
	struct world w;
	world_init(&w, 3);
	for (int p = 0; p < 3; p++)
		for (int i = 0; i < 200; i++)
			wmap(&w, p, 0x100000 + (uint64_t)i * 4096, F((i * 7 + p * 3) % 300), 3, U);
	world_open(&w);
	haywire_rmap *r = world_rmap(&w, 0, 0, NULL, HAYWIRE_OK);
	haywire_rmap_proc before[3];
	for (int p = 0; p < 3; p++)
		before[p] = proc_of(r, (uint32_t)p);
	void *recs = r->recs.p, *segs = r->segs.p;
	ck_assert_int_eq(hw_rmap_fill(r, w.src, w.in, 3, NULL, NULL), HAYWIRE_OK);
	ck_assert_ptr_eq(r->recs.p, recs);
	ck_assert_ptr_eq(r->segs.p, segs);
	for (int p = 0; p < 3; p++) {
		haywire_rmap_proc now = proc_of(r, (uint32_t)p);
		ck_assert_uint_eq(now.rss_bytes, before[p].rss_bytes);
		ck_assert_uint_eq(now.pss_bytes, before[p].pss_bytes);
		ck_assert_uint_eq(now.uss_bytes, before[p].uss_bytes);
	}
	/* PSS adds up to the mapped frames exactly when every count divides evenly. */
	haywire_rmap_stats st = {.struct_size = sizeof st};
	haywire_rmap_get_stats(r, &st);
	uint64_t pss = 0;
	for (int p = 0; p < 3; p++)
		pss += before[p].pss_bytes;
	ck_assert_uint_le(pss, st.user_frames * 4096);
	ck_assert_uint_ge(pss + 3 * 4096, st.user_frames * 4096);
	haywire_rmap_free(r);
	world_free(&w);
}
END_TEST

/* Random bytes as page tables: a clean status, never a crash, hang or leak. */
START_TEST(hostile_tables)
{
	struct world w;
	world_init(&w, 2);
	unsigned seed = (unsigned)_i * 2654435761u + 1;
	for (int t = 0; t < 2; t++) {
		uint8_t *root = ptb_ptr(&w.b, w.roots[t]);
		for (int i = 0; i < 4096; i++) {
			seed = seed * 1103515245u + 12345u;
			root[i] = (uint8_t)(seed >> 16);
		}
	}
	/* Tables that point into RAM and at each other. */
	for (int i = 0; i < 64; i++) {
		seed = seed * 1103515245u + 12345u;
		uint64_t target = RAM_BASE + (seed % (RAM_SIZE / 4096)) * 4096;
		ptb_poke(&w.b, w.roots[i & 1] + (uint64_t)(seed % 256) * 8, target | 7);
	}
	world_open(&w);
	haywire_rmap_options o = {.struct_size = sizeof o, .max_tables = 5000, .max_entries = 100000};
	haywire_rmap *r = calloc(1, sizeof *r);
	int rc = hw_rmap_fill(r, w.src, w.in, 2, NULL, &o);
	ck_assert_msg(rc == HAYWIRE_OK || rc == HAYWIRE_E_LIMIT, "rc %d", rc);
	if (rc == HAYWIRE_OK) {
		uint8_t kind[64];
		ck_assert_int_eq(haywire_rmap_pages(r, 0, 64, kind, NULL, NULL), HAYWIRE_OK);
	}
	hw_rmap_destroy(r);
	world_free(&w);
}
END_TEST

/* Cutting freed sections out of the kernel image ranges. */
START_TEST(kernel_image_cuts)
{
	struct hw_kimage k = {.pa = {0x1000, 0x10000}, .size = {0x9000, 0x4000}, .n = 2};
	hw_kimage_cut(&k, 0x3000, 0x5000); /* inside the first: split */
	ck_assert_uint_eq(k.n, 3);
	ck_assert_uint_eq(k.pa[0], 0x1000);
	ck_assert_uint_eq(k.size[0], 0x2000);
	ck_assert_uint_eq(k.pa[1], 0x5000);
	ck_assert_uint_eq(k.size[1], 0x5000);
	ck_assert_uint_eq(k.pa[2], 0x10000);
	hw_kimage_cut(&k, 0x0, 0x2000); /* the head of the first */
	ck_assert_uint_eq(k.pa[0], 0x2000);
	ck_assert_uint_eq(k.size[0], 0x1000);
	hw_kimage_cut(&k, 0x9000, 0x11000); /* the tail of one and the head of the next */
	ck_assert_uint_eq(k.n, 3);
	ck_assert_uint_eq(k.size[1], 0x4000);
	ck_assert_uint_eq(k.pa[2], 0x11000);
	ck_assert_uint_eq(k.size[2], 0x3000);
	hw_kimage_cut(&k, 0x0, 0x10000); /* the first two whole */
	ck_assert_uint_eq(k.n, 1);
	ck_assert_uint_eq(k.pa[0], 0x11000);
	hw_kimage_cut(&k, 0x20000, 0x30000); /* outside: nothing */
	ck_assert_uint_eq(k.n, 1);
	ck_assert_uint_eq(k.size[0], 0x3000);
}
END_TEST

struct reader {
	const haywire_rmap *r;
	uint64_t from;
	uint64_t sum;
};

static void *read_map(void *arg)
{
	struct reader *rd = arg;
	uint32_t count[256];
	haywire_rmap_owner o[4];
	for (int round = 0; round < 200; round++) {
		if (haywire_rmap_pages(rd->r, rd->from, 256, NULL, NULL, count))
			return NULL;
		for (int i = 0; i < 256; i++) {
			uint64_t n = 0;
			o[0].struct_size = sizeof o[0];
			haywire_rmap_owners(rd->r, rd->from + (uint64_t)i * 4096, o, 4, &n);
			rd->sum += count[i] * 1000 + n;
		}
	}
	return NULL;
}

/* Many threads reading one map see what one thread sees. */
START_TEST(concurrent_reads_agree)
{
	struct world w;
	world_init(&w, 3);
	for (int p = 0; p < 3; p++)
		for (int i = 0; i < 150; i++)
			wmap(&w, p, 0x100000 + (uint64_t)i * 4096, F((i * 5 + p) % 256), 3, U);
	world_open(&w);
	haywire_rmap *r = world_rmap(&w, 0, 0, NULL, HAYWIRE_OK);
	struct reader one = {.r = r, .from = F(0)};
	read_map(&one);
	ck_assert_uint_gt(one.sum, 0);
	pthread_t t[4];
	struct reader rd[4];
	for (int i = 0; i < 4; i++) {
		rd[i] = (struct reader){.r = r, .from = F(0)};
		ck_assert_int_eq(pthread_create(&t[i], NULL, read_map, &rd[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_uint_eq(rd[i].sum, one.sum);
	}
	haywire_rmap_free(r);
	world_free(&w);
}
END_TEST

START_TEST(public_calls_refuse_bad_arguments)
{
	haywire_rmap *r = (haywire_rmap *)1;
	ck_assert_int_eq(haywire_rmap_build(NULL, NULL, NULL, &r), HAYWIRE_E_INVALID);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(haywire_rmap_build(NULL, NULL, NULL, NULL), HAYWIRE_E_INVALID);
	haywire_rmap_free(NULL);
	ck_assert_uint_eq(haywire_rmap_proc_count(NULL), 0);
	uint64_t n;
	ck_assert_int_eq(haywire_rmap_owners(NULL, 0, NULL, 0, &n), HAYWIRE_E_INVALID);
	ck_assert_int_eq(haywire_rmap_pages(NULL, 0, 1, NULL, NULL, NULL), HAYWIRE_E_INVALID);
	haywire_rmap_stats st = {.struct_size = 4};
	ck_assert_int_eq(haywire_rmap_get_stats(NULL, &st), HAYWIRE_E_INVALID);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rmap");
	TCase *tc = tcase_create("rmap");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, owners_of_shared_and_private_frames);
	tcase_add_test(tc, rss_pss_uss_arithmetic);
	tcase_add_test(tc, huge_pages_cover_every_frame);
	tcase_add_test(tc, kernel_image_and_special_mappings);
	tcase_add_test(tc, the_entry_cap_holds);
	tcase_add_test(tc, rebuild_reuses_memory);
	tcase_add_loop_test(tc, hostile_tables, 0, 20);
	tcase_add_test(tc, kernel_image_cuts);
	tcase_add_test(tc, concurrent_reads_agree);
	tcase_add_test(tc, public_calls_refuse_bad_arguments);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
