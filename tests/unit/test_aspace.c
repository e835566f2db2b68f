/*
 * Page-table walker, data-driven: each fixture builds tables in a synthetic
 * image (tests/unit/ptbuild.h), then checks translations, faults, anomalies
 * and the per-level trace; plus enumeration behaviour and format errors.
 */
#include <haywire/haywire.h>

#include "ptbuild.h"

#define R HAYWIRE_PERM_READ
#define W HAYWIRE_PERM_WRITE
#define X HAYWIRE_PERM_EXEC
#define U HAYWIRE_PERM_USER
#define GLOBAL HAYWIRE_MAP_GLOBAL
#define PROTNONE HAYWIRE_MAP_PROTNONE
#define NOT_RAM HAYWIRE_MAP_NOT_RAM

/* x86-64 entry bits */
#define X_RW (1ull << 1)
#define X_US (1ull << 2)
#define X_PS (1ull << 7)
#define X_G (1ull << 8)
#define X_NX (1ull << 63)
/* arm64 descriptor bits */
#define A_AP1 (1ull << 6)
#define A_AP2 (1ull << 7)
#define A_NG (1ull << 11)
#define A_DBM (1ull << 51)
#define A_PXN (1ull << 53)
#define A_UXN (1ull << 54)
#define A_UXNTABLE (1ull << 60)
#define A_APTABLE1 (1ull << 62)

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define TiB (1ull << 40)
#define ANY_PERMS 0xffffffffu

enum op_kind {
	MAP = 1,      /* leaf VA -> PA at DEPTH with extra bits V */
	POKE,         /* raw V into VA's slot at DEPTH */
	POKE_OR,      /* OR V into VA's slot at DEPTH */
	POKE_TABLE,   /* VA's slot at DEPTH := table entry to PA (bits V | builder's table bits) */
	POKE_ANCESTOR /* VA's slot at DEPTH := table entry to the table at depth PA on VA's path */
};

struct op {
	int kind;
	uint64_t va, pa;
	unsigned depth;
	uint64_t v;
};

struct check {
	uint64_t va;
	int status;
	uint64_t pa, size;
	uint32_t perms; /* exact, or ANY_PERMS */
	uint32_t flags; /* exact value of flags & (GLOBAL|PROTNONE|NOT_RAM) */
	uint32_t anomaly; /* bits expected in the last step */
	unsigned nsteps;  /* 0 = don't check */
};

struct fixture {
	const char *name;
	haywire_mmu_format fmt;
	int nreg;
	uint64_t gpa[3], size[3];
	int root_region;
	uint64_t root_extra; /* OR'ed into the root register value (PCID, ASID, CnP, ...) */
	uint64_t table_bits; /* table bits, 0 = builder default */
	struct op ops[10];
	struct check checks[8];
};

#define FMT(...) {.struct_size = sizeof(haywire_mmu_format), __VA_ARGS__}
#define X86 .arch = HAYWIRE_ARCH_X86_64
#define A64 .arch = HAYWIRE_ARCH_ARM64
#define X86_RAM 2, {0x200000, 0x100000000ull}, {4 * MiB, 4 * MiB}
#define A64_RAM 2, {0x40000000, 0x800000000ull}, {4 * MiB, 4 * MiB}
#define HI52 0x8000000000000ull /* 2^51: needs 52-bit output addresses */
#define A64_RAM52 3, {0x40000000, 0x800000000ull, HI52}, {4 * MiB, 4 * MiB, 4 * MiB}

static const struct fixture fixtures[] = {
    {"x86 4-level: 4K, 2M and 1G pages, both halves", FMT(X86), X86_RAM, 0, 0, 0,
     {{MAP, 0x7f0000001000, 0x100003000, 3, X_RW | X_US | X_NX},
      {MAP, 0x40000000, 0x100200000, 2, X_RW},
      {MAP, 0xffff888000000000, 0x100000000, 1, X_G},
      {MAP, 0xffffffff81000000, 0x300000, 3, X_G}},
     {{0x7f0000001123, 0, 0x100003123, 4 * KiB, R | W | U, 0, 0, 4},
      {0x40012345, 0, 0x100212345, 2 * MiB, R | W | X, 0, 0, 3},
      {0xffff888000000042, 0, 0x100000042, 1 * GiB, R | X, GLOBAL | NOT_RAM,
       HAYWIRE_ANOMALY_NOT_RAM, 2},
      {0xffffffff81000fff, 0, 0x300fff, 4 * KiB, R | X, GLOBAL, 0, 4},
      {0x7f0000002000, HAYWIRE_E_NOT_MAPPED, 0, 0, 0, 0, 0, 4},
      {0x0000800000000000, HAYWIRE_E_NOT_MAPPED, 0, 0, 0, 0, 0, 0}}},
    {"x86: CR3 with PCID and NOFLUSH", FMT(X86), X86_RAM, 0, (1ull << 63) | 0xabc, 0,
     {{MAP, 0x1000, 0x201000, 3, X_US}},
     {{0x1010, 0, 0x201010, 4 * KiB, R | U | X, 0, 0, 4}}},
    {"x86: 87 TB PTE in a small guest, table out of RAM, cycle", FMT(X86), X86_RAM, 0, 0, 0,
     {{MAP, 0x1000, 0x4f0000000000ull, 3, X_RW},
      {POKE_TABLE, 0x40000000, 0x500000000000ull, 2, 0},
      {POKE_ANCESTOR, 0x80000000, 0, 2, 0},
      {POKE_ANCESTOR, 0xc0000000, 1, 1, 0}},
     {{0x1000, 0, 0x4f0000000000ull, 4 * KiB, R | W | X, NOT_RAM, HAYWIRE_ANOMALY_NOT_RAM, 4},
      {0x40000000, HAYWIRE_E_CORRUPT, 0, 0, 0, 0, HAYWIRE_ANOMALY_NOT_RAM, 3},
      {0x80000000, HAYWIRE_E_CORRUPT, 0, 0, 0, 0, HAYWIRE_ANOMALY_CYCLE, 3},
      {0xc0000000, HAYWIRE_E_CORRUPT, 0, 0, 0, 0, HAYWIRE_ANOMALY_CYCLE, 2}}},
    {"x86: reserved bits (MAXPHYADDR 46, huge-page low bits, PS in PML4)", FMT(X86, .pa_bits = 46),
     X86_RAM, 0, 0, 0,
     {{MAP, 0x1000, 0x201000 | 1ull << 50, 3, 0},
      {MAP, 0x40000000, 0x400000 | 1ull << 13, 2, 0},
      {POKE, 0x008000000000ull, 0, 0, 0x1 | X_PS},
      {MAP, 0x2000, 0x202000 | 1ull << 45, 3, 0}},
     {{0x1000, HAYWIRE_E_CORRUPT, 0, 0, 0, 0, HAYWIRE_ANOMALY_RESERVED, 4},
      {0x40000000, HAYWIRE_E_CORRUPT, 0, 0, 0, 0, HAYWIRE_ANOMALY_RESERVED, 3},
      {0x008000000000ull, HAYWIRE_E_CORRUPT, 0, 0, 0, 0, HAYWIRE_ANOMALY_RESERVED, 1},
      {0x2000, 0, 0x202000 | 1ull << 45, 4 * KiB, R | X, NOT_RAM, HAYWIRE_ANOMALY_NOT_RAM, 4}}},
    {"x86 PTI kernel PGD: NX on user top-level entries ignored",
     FMT(X86, .flags = HAYWIRE_MMU_PTI_KERNEL_PGD), X86_RAM, 0, 0, 0,
     {{MAP, 0x400000, 0x300000, 3, X_US},
      {POKE_OR, 0x400000, 0, 0, X_NX},
      {MAP, 0xffffc90000000000, 0x301000, 3, 0},
      {POKE_OR, 0xffffc90000000000, 0, 0, X_NX}},
     {{0x400000, 0, 0x300000, 4 * KiB, R | U | X, 0, 0, 4},
      {0xffffc90000000000, 0, 0x301000, 4 * KiB, R, 0, 0, 4}}},
    {"x86 without PTI flag: the same NX applies", FMT(X86), X86_RAM, 0, 0, 0,
     {{MAP, 0x400000, 0x300000, 3, X_US}, {POKE_OR, 0x400000, 0, 0, X_NX}},
     {{0x400000, 0, 0x300000, 4 * KiB, R | U, 0, 0, 4}}},
    {"x86 5-level (LA57)", FMT(X86, .levels = 5), X86_RAM, 0, 0, 0,
     {{MAP, 0x00ff123456789000ull, 0x205000, 4, X_RW | X_US},
      {MAP, 0xff11000000000000ull, 0x100200000, 3, X_RW | X_NX}},
     {{0x00ff123456789abcull, 0, 0x205abc, 4 * KiB, R | W | U | X, 0, 0, 5},
      {0xff11000000000123ull, 0, 0x100200123, 2 * MiB, R | W, 0, 0, 4},
      {0x0100000000000000ull, HAYWIRE_E_NOT_MAPPED, 0, 0, 0, 0, 0, 0}}},
    {"x86 52-bit output addresses", FMT(X86), 3, {0x200000, 0x100000000ull, HI52},
     {4 * MiB, 4 * MiB, 4 * MiB}, 2, 0, 0,
     {{MAP, 0x1000, HI52 + 0x3000, 3, 0}},
     {{0x1008, 0, HI52 + 0x3008, 4 * KiB, R | X, 0, 0, 4}}},
    {"x86 PROT_NONE (software bit 8, inverted PFN)", FMT(X86, .sw_present_bit = 8), X86_RAM, 0,
     0, 0,
     {{MAP, 0x1000, 0x201000, 3, 0},
      {POKE, 0x1000, 0, 3, (~0x201000ull & 0x000ffffffffff000ull) | 1ull << 8 | X_US},
      {POKE, 0x2000, 0, 3, 0x202000 | 1ull << 9}},
     {{0x1234, 0, 0x201234, 4 * KiB, 0, PROTNONE, 0, 4},
      {0x2000, HAYWIRE_E_NOT_MAPPED, 0, 0, 0, 0, 0, 4}}},
    {"arm64 4K/48 TTBR0: pages with AP, DBM, UXN/PXN", FMT(A64), A64_RAM, 0, 0x1234ull << 48 | 1,
     0,
     {{MAP, 0xaaaabbbbc000ull, 0x800001000ull, 3, A_AP1 | A_NG | A_PXN},
      {MAP, 0xaaaabbbbd000ull, 0x800002000ull, 3, A_AP1 | A_AP2 | A_NG | A_PXN | A_UXN},
      {MAP, 0xaaaabbbbe000ull, 0x800003000ull, 3, A_AP1 | A_AP2 | A_DBM | A_NG | A_PXN},
      {MAP, 0x400000000ull, 0x40200000, 2, A_UXN}},
     {{0xaaaabbbbc010ull, 0, 0x800001010ull, 4 * KiB, R | W | U | X, 0, 0, 4},
      {0xaaaabbbbd000ull, 0, 0x800002000ull, 4 * KiB, R | U, 0, 0, 4},
      {0xaaaabbbbe000ull, 0, 0x800003000ull, 4 * KiB, R | W | U | X, 0, 0, 4},
      {0x400012345ull, 0, 0x40212345, 2 * MiB, R | W | X, GLOBAL, 0, 3},
      {0xffff000000001000ull, HAYWIRE_E_NOT_MAPPED, 0, 0, 0, 0, 0, 0}}},
    {"arm64 4K/48 TTBR1: kernel half", FMT(A64, .flags = HAYWIRE_MMU_TTBR1), A64_RAM, 0, 0, 0,
     {{MAP, 0xffff800010000000ull, 0x40200000, 2, A_UXN},
      {MAP, 0xffff000000000000ull, 0x800000000ull, 1, A_UXN | A_PXN}},
     {{0xffff800010000abcull, 0, 0x40200abc, 2 * MiB, R | W | X, GLOBAL, 0, 3},
      {0xffff000000100000ull, 0, 0x800100000ull, 1 * GiB, R | W, GLOBAL | NOT_RAM,
       HAYWIRE_ANOMALY_NOT_RAM, 2},
      {0x0000800010000000ull, HAYWIRE_E_NOT_MAPPED, 0, 0, 0, 0, 0, 0}}},
    {"arm64 4K/39: 3 levels, 1G and 2M blocks", FMT(A64, .va_bits = 39), A64_RAM, 0, 0, 0,
     {{MAP, 0x40000000, 0x40000000, 0, 0},
      {MAP, 0x7fc0000000ull, 0x800200000ull, 1, A_AP1 | A_UXN},
      {MAP, 0x1000, 0x800005000ull, 2, A_AP1}},
     {{0x40001000, 0, 0x40001000, 1 * GiB, R | W | X, GLOBAL | NOT_RAM, HAYWIRE_ANOMALY_NOT_RAM, 1},
      {0x7fc0000123ull, 0, 0x800200123ull, 2 * MiB, R | W | U, GLOBAL, 0, 2},
      {0x1fff, 0, 0x800005fffull, 4 * KiB, R | W | U | X, GLOBAL, 0, 3},
      {0x8000000000ull, HAYWIRE_E_NOT_MAPPED, 0, 0, 0, 0, 0, 0}}},
    {"arm64 4K/42: 4 levels with an 8-entry top", FMT(A64, .va_bits = 42), A64_RAM, 0, 0, 0,
     {{MAP, 0x3ff00001000ull, 0x40003000, 3, 0}},
     {{0x3ff00001004ull, 0, 0x40003004, 4 * KiB, R | W | X, GLOBAL, 0, 4}}},
    {"arm64 16K/47: 3 levels, 32M block", FMT(A64, .granule = 16384, .va_bits = 47), A64_RAM, 0,
     0, 0,
     {{MAP, 0x7fff12344000ull, 0x800004000ull, 2, A_AP1 | A_PXN},
      {MAP, 0x2000000, 0x42000000 - 0x2000000, 1, 0}},
     {{0x7fff12345678ull, 0, 0x800005678ull, 16 * KiB, R | W | U | X, GLOBAL, 0, 3},
      {0x2000010, 0, 0x40000010, 32 * MiB, R | W | X, GLOBAL | NOT_RAM, HAYWIRE_ANOMALY_NOT_RAM,
       2}}},
    {"arm64 16K/48: 4 levels, 2-entry top", FMT(A64, .granule = 16384, .va_bits = 48), A64_RAM, 0,
     0, 0,
     {{MAP, 0xffff00004000ull, 0x800008000ull, 3, 0}},
     {{0xffff00004008ull, 0, 0x800008008ull, 16 * KiB, R | W | X, GLOBAL, 0, 4}}},
    {"arm64 64K/42: 2 levels, 512M block", FMT(A64, .granule = 65536, .va_bits = 42), A64_RAM, 0,
     0, 0,
     {{MAP, 0x3ffffff0000ull, 0x800010000ull, 1, 0},
      {MAP, 0x20000000, 0x40000000, 0, A_AP2}},
     {{0x3ffffff1234ull, 0, 0x800011234ull, 64 * KiB, R | W | X, GLOBAL, 0, 2},
      {0x20000100, 0, 0x40000100, 512 * MiB, R | X, GLOBAL | NOT_RAM, HAYWIRE_ANOMALY_NOT_RAM,
       1}}},
    {"arm64 64K/48: 3 levels, 64-entry top", FMT(A64, .granule = 65536), A64_RAM, 0, 0, 0,
     {{MAP, 0xfedc00010000ull, 0x40010000, 2, 0},
      {MAP, 0x40000000000ull, 0x40000000000ull, 0, 0}}, /* level-1 block needs LPA */
     {{0xfedc0001fff0ull, 0, 0x4001fff0, 64 * KiB, R | W | X, GLOBAL, 0, 3},
      {0x40000000100ull, HAYWIRE_E_CORRUPT, 0, 0, 0, 0, HAYWIRE_ANOMALY_BAD_TYPE, 1}}},
    {"arm64 64K/52 LPA: tables and pages above 2^48, TTBR BADDR[51:48]",
     FMT(A64, .granule = 65536, .va_bits = 52, .pa_bits = 52), A64_RAM52, 2, 0x77ull << 48, 0,
     {{MAP, 0xfedc00010000ull, HI52 + 0x10000, 2, 0},
      {MAP, 0xf000000000000ull, HI52 + 0x20000, 2, A_NG},
      {MAP, 0x40000000000ull, 0x40000000000ull, 0, 0}}, /* 4 TiB level-1 block: LPA only */
     {{0xfedc00010010ull, 0, HI52 + 0x10010, 64 * KiB, R | W | X, GLOBAL, 0, 3},
      {0xf000000000008ull, 0, HI52 + 0x20008, 64 * KiB, R | W | X, 0, 0, 3},
      {0x40000000100ull, 0, 0x40000000100ull, 4 * TiB, R | W | X, GLOBAL | NOT_RAM,
       HAYWIRE_ANOMALY_NOT_RAM, 1}}},
    {"arm64 4K/52 LPA2: 5 levels, 16-entry top",
     FMT(A64, .va_bits = 52, .pa_bits = 52), A64_RAM52, 2, 0, 0,
     {{MAP, 0xf123456789000ull, HI52 + 0x5000, 4, 0},
      {MAP, 0x200000, HI52 + 0x200000, 3, 0},
      {MAP, 0x10000000000ull, 0x8000000000ull, 1, 0}}, /* level-0 block: LPA2 only */
     {{0xf123456789abcull, 0, HI52 + 0x5abc, 4 * KiB, R | W | X, GLOBAL, 0, 5},
      {0x200008, 0, HI52 + 0x200008, 2 * MiB, R | W | X, GLOBAL, 0, 4},
      {0x10000001234ull, 0, 0x8000001234ull, 512 * GiB, R | W | X, GLOBAL | NOT_RAM,
       HAYWIRE_ANOMALY_NOT_RAM, 2}}},
    {"arm64 16K/52 LPA2: 4 levels, 32-entry top",
     FMT(A64, .granule = 16384, .va_bits = 52, .pa_bits = 52), A64_RAM52, 2, 0, 0,
     {{MAP, 0xf123456788000ull, HI52 + 0x8000, 3, 0},
      {MAP, 0x1000000000ull, 0x1000000000ull, 1, 0}}, /* 64 GiB level-1 block */
     {{0xf12345678abcdull, 0, HI52 + 0xabcd, 16 * KiB, R | W | X, GLOBAL, 0, 4},
      {0x1000000010ull, 0, 0x1000000010ull, 64 * GiB, R | W | X, GLOBAL | NOT_RAM,
       HAYWIRE_ANOMALY_NOT_RAM, 2}}},
    {"arm64 anomalies: bad types, reserved bits, cycle, out of RAM", FMT(A64), A64_RAM, 0, 0, 0,
     {{MAP, 0x1000, 0x40001000, 3, 0},
      {POKE, 0x2000, 0, 3, 0x40002000 | 1 | 1 << 10},  /* 0b01 at level 3 */
      {POKE, 0x8000000000ull, 0, 0, 0x40000000 | 1},   /* block at level 0 (no LPA2) */
      {MAP, 0x3000, 0x40003000 | 1ull << 49, 3, 0},    /* bit 49 with 48-bit output */
      {POKE_ANCESTOR, 0x40000000, 0, 2, 0},
      {MAP, 0x4000, 0x570000000000ull, 3, 0}},
     {{0x1000, 0, 0x40001000, 4 * KiB, R | W | X, GLOBAL, 0, 4},
      {0x2000, HAYWIRE_E_CORRUPT, 0, 0, 0, 0, HAYWIRE_ANOMALY_BAD_TYPE, 4},
      {0x8000000000ull, HAYWIRE_E_CORRUPT, 0, 0, 0, 0, HAYWIRE_ANOMALY_BAD_TYPE, 1},
      {0x3000, HAYWIRE_E_CORRUPT, 0, 0, 0, 0, HAYWIRE_ANOMALY_RESERVED, 4},
      {0x40000000, HAYWIRE_E_CORRUPT, 0, 0, 0, 0, HAYWIRE_ANOMALY_CYCLE, 3},
      {0x4000, 0, 0x570000000000ull, 4 * KiB, R | W | X, GLOBAL | NOT_RAM,
       HAYWIRE_ANOMALY_NOT_RAM, 4}}},
    {"arm64 PROT_NONE (bit 58) and table restrictions", FMT(A64, .sw_present_bit = 58), A64_RAM,
     0, 0, 3 | A_APTABLE1 | A_UXNTABLE,
     {{MAP, 0x1000, 0x40001000, 3, A_AP1},
      {POKE, 0x2000, 0, 3, 0x40002000 | 2 | 1ull << 58 | 1 << 10},
      {POKE, 0x3000, 0, 3, 0x40003000 | 2 | 1 << 10}},
     {{0x1000, 0, 0x40001000, 4 * KiB, R | U, GLOBAL, 0, 4},
      {0x2000, 0, 0x40002000, 4 * KiB, 0, PROTNONE, 0, 4},
      {0x3000, HAYWIRE_E_NOT_MAPPED, 0, 0, 0, 0, 0, 4}}},
};

/* Build fixture F's image; returns the source, fills B and the root register value. */
static haywire_source *build(const struct fixture *f, struct ptb *b, uint64_t *root_reg)
{
	ptb_init(b, &f->fmt, f->nreg, f->gpa, f->size);
	if (f->root_region)
		b->root = ptb_table(b, f->root_region, 0);
	if (f->table_bits)
		b->table_bits = f->table_bits;
	for (const struct op *o = f->ops; o->kind; o++) {
		uint64_t slot = ptb_slot(b, o->va, o->depth, 0);
		switch (o->kind) {
		case MAP: ptb_map(b, o->va, o->pa, o->depth, o->v); break;
		case POKE: ptb_poke(b, slot, o->v); break;
		case POKE_OR: ptb_poke(b, slot, ptb_peek(b, slot) | o->v); break;
		case POKE_TABLE: ptb_poke(b, slot, ptb_encode_pa(b, o->pa) | b->table_bits | o->v); break;
		case POKE_ANCESTOR:
			ptb_poke(b, slot, ptb_encode_pa(b, ptb_slot(b, o->va, (unsigned)o->pa, 0) &
			                                       ~((uint64_t)b->entries[o->pa] * 8 - 1)) |
			                      b->table_bits);
			break;
		}
	}
	uint64_t r = b->root;
	if (f->fmt.arch == HAYWIRE_ARCH_ARM64 && b->fmt.pa_bits == 52)
		r = (r & ptb_bits(47, 6)) | ((r >> 48) & 0xf) << 2;
	*root_reg = r | f->root_extra;
	return ptb_open(b);
}

/* The trace must be a chain from the root with indices taken from the VA. */
static void check_trace(const struct fixture *f, struct ptb *b, const struct check *c,
                        const haywire_translation *t)
{
	uint64_t table = b->root;
	for (unsigned d = 0; d < t->nsteps; d++) {
		const haywire_walk_step *s = &t->steps[d];
		ck_assert_uint_eq(s->depth, d);
		ck_assert_msg(s->table_pa == table, "%s: VA 0x%llx step %u table 0x%llx want 0x%llx",
		              f->name, (unsigned long long)c->va, d, (unsigned long long)s->table_pa,
		              (unsigned long long)table);
		ck_assert_uint_eq(s->index, (c->va >> b->shift[d]) & (b->entries[d] - 1));
		ck_assert_uint_eq(s->entry, ptb_peek(b, table + s->index * 8ull));
		if (d + 1 < t->nsteps) {
			ck_assert_uint_eq(s->kind, HAYWIRE_ENTRY_TABLE);
			table = s->out_pa;
		}
	}
	const haywire_walk_step *last = &t->steps[t->nsteps - 1];
	if (c->status == HAYWIRE_OK) {
		ck_assert_uint_eq(last->kind, c->size == b->fmt.granule ? HAYWIRE_ENTRY_PAGE
		                                                        : HAYWIRE_ENTRY_BLOCK);
		ck_assert_uint_eq(last->out_pa, c->pa & ~(c->size - 1));
	} else if (c->status == HAYWIRE_E_CORRUPT) {
		ck_assert_uint_eq(last->kind, HAYWIRE_ENTRY_ANOMALY);
	} else {
		ck_assert_uint_eq(last->kind, HAYWIRE_ENTRY_INVALID);
	}
	ck_assert_msg((last->anomaly & c->anomaly) == c->anomaly && (c->anomaly || !last->anomaly),
	              "%s: VA 0x%llx anomaly 0x%x want 0x%x", f->name, (unsigned long long)c->va,
	              last->anomaly, c->anomaly);
}

struct found {
	const struct check *c;
	int hits;
};

static int find_check(const haywire_va_range *r, void *u)
{
	struct found *fd = u;
	if (fd->c->va >= r->va && fd->c->va - r->va < r->size) {
		fd->hits++;
		ck_assert_uint_eq(r->pa + (fd->c->va - r->va), fd->c->pa);
		ck_assert_uint_eq(r->perms, fd->c->perms);
		ck_assert_uint_eq(r->page_size, fd->c->size);
	}
	return 0;
}

START_TEST(fixture_translations)
{
	const struct fixture *f = &fixtures[_i];
	struct ptb b;
	uint64_t root;
	haywire_source *src = build(f, &b, &root);
	haywire_aspace *as = NULL;
	ck_assert_msg(haywire_aspace_new(src, &f->fmt, root, &as) == HAYWIRE_OK, "%s: %s", f->name,
	              haywire_last_error());
	ck_assert_uint_eq(haywire_aspace_root(as), b.root);
	haywire_walk_options opts = {.struct_size = sizeof opts};
	for (const struct check *c = f->checks; c->va || c->status || c->pa; c++) {
		haywire_translation t = {.struct_size = sizeof t};
		int st = haywire_aspace_translate(as, c->va, &t);
		ck_assert_msg(st == c->status && t.status == c->status,
		              "%s: VA 0x%llx status %d (%s) want %d", f->name,
		              (unsigned long long)c->va, st, haywire_last_error(), c->status);
		if (c->nsteps)
			ck_assert_msg(t.nsteps == c->nsteps, "%s: VA 0x%llx nsteps %u want %u", f->name,
			              (unsigned long long)c->va, t.nsteps, c->nsteps);
		else
			ck_assert_uint_eq(t.nsteps, 0);
		if (t.nsteps)
			check_trace(f, &b, c, &t);
		if (st != HAYWIRE_OK)
			continue;
		ck_assert_msg(t.pa == c->pa, "%s: VA 0x%llx -> 0x%llx want 0x%llx", f->name,
		              (unsigned long long)c->va, (unsigned long long)t.pa,
		              (unsigned long long)c->pa);
		ck_assert_uint_eq(t.page_size, c->size);
		ck_assert_msg(t.perms == c->perms, "%s: VA 0x%llx perms 0x%x want 0x%x", f->name,
		              (unsigned long long)c->va, t.perms, c->perms);
		ck_assert_msg((t.flags & (GLOBAL | PROTNONE | NOT_RAM)) == c->flags,
		              "%s: VA 0x%llx flags 0x%x want 0x%x", f->name, (unsigned long long)c->va,
		              t.flags, c->flags);
		/* enumeration must list the same mapping exactly once */
		struct found fd = {c, 0};
		ck_assert_int_eq(haywire_aspace_enumerate(as, 0, ~0ull, find_check, &fd, &opts),
		                 HAYWIRE_OK);
		ck_assert_msg(fd.hits == 1, "%s: VA 0x%llx in %d ranges", f->name,
		              (unsigned long long)c->va, fd.hits);
	}
	/* every anomalous check is also reported by the enumeration's anomaly list */
	haywire_anomaly_info list[16];
	uint64_t n = 0;
	ck_assert_int_eq(haywire_aspace_anomalies(as, 0, ~0ull, list, 16, &n), HAYWIRE_OK);
	for (const struct check *c = f->checks; c->va || c->status || c->pa; c++) {
		if (!c->anomaly)
			continue;
		int seen = 0;
		for (uint64_t i = 0; i < n; i++)
			seen |= c->va >= list[i].va && (list[i].anomaly & c->anomaly) &&
			        list[i].depth == c->nsteps - 1;
		ck_assert_msg(seen, "%s: anomaly at VA 0x%llx not enumerated", f->name,
		              (unsigned long long)c->va);
	}
	haywire_aspace_free(as);
	haywire_source_close(src);
	ptb_free(&b);
}
END_TEST

/* A format-error case: fields, status substring. */
struct bad_format {
	haywire_mmu_format fmt;
	const char *needle;
};

START_TEST(impossible_formats_are_refused)
{
	static const struct bad_format bad[] = {
	    {FMT(X86, .va_bits = 50), "48 (4-level) or 57"},
	    {FMT(X86, .levels = 5, .va_bits = 48), "has 4 levels, not 5"},
	    {FMT(X86, .granule = 65536), "4K granules only"},
	    {FMT(X86, .flags = HAYWIRE_MMU_TTBR1), "arm64 only"},
	    {FMT(X86, .pa_bits = 60), "pa_bits"},
	    {FMT(A64, .granule = 8192), "granule must be"},
	    {FMT(A64, .va_bits = 52), "needs pa_bits 52 (LPA2)"},
	    {FMT(A64, .granule = 16384, .va_bits = 52), "needs pa_bits 52 (LPA2)"},
	    {FMT(A64, .granule = 65536, .levels = 4), "does not match 64K granule and 48-bit VA (3"},
	    {FMT(A64, .va_bits = 53), "25..52"},
	    {FMT(A64, .va_bits = 20), "25..52"},
	    {FMT(A64, .pa_bits = 50), "pa_bits"},
	    {FMT(A64, .flags = HAYWIRE_MMU_PTI_KERNEL_PGD), "x86-64 only"},
	    {FMT(A64, .sw_present_bit = 20), "sw_present_bit"},
	    {FMT(.arch = 7), "unknown architecture"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		haywire_mmu_format f = bad[i].fmt;
		ck_assert_int_eq(haywire_mmu_format_derive(&f), HAYWIRE_E_INVALID);
		ck_assert_msg(strstr(haywire_last_error(), bad[i].needle), "case %zu: \"%s\" lacks \"%s\"",
		              i, haywire_last_error(), bad[i].needle);
	}
	haywire_mmu_format small = {.struct_size = 8, .arch = HAYWIRE_ARCH_X86_64};
	ck_assert_int_eq(haywire_mmu_format_derive(&small), HAYWIRE_E_INVALID);
}
END_TEST

START_TEST(formats_derive_levels_and_top_size)
{
	static const struct {
		uint32_t arch, granule, va_bits, pa_bits, levels, top;
	} ok[] = {
	    {HAYWIRE_ARCH_X86_64, 0, 0, 0, 4, 512},      {HAYWIRE_ARCH_X86_64, 0, 57, 0, 5, 512},
	    {HAYWIRE_ARCH_ARM64, 4096, 39, 0, 3, 512},   {HAYWIRE_ARCH_ARM64, 4096, 42, 0, 4, 8},
	    {HAYWIRE_ARCH_ARM64, 4096, 48, 0, 4, 512},   {HAYWIRE_ARCH_ARM64, 4096, 52, 52, 5, 16},
	    {HAYWIRE_ARCH_ARM64, 16384, 47, 0, 3, 2048}, {HAYWIRE_ARCH_ARM64, 16384, 48, 0, 4, 2},
	    {HAYWIRE_ARCH_ARM64, 16384, 52, 52, 4, 32},  {HAYWIRE_ARCH_ARM64, 65536, 42, 0, 2, 8192},
	    {HAYWIRE_ARCH_ARM64, 65536, 48, 0, 3, 64},   {HAYWIRE_ARCH_ARM64, 65536, 52, 0, 3, 1024},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		haywire_mmu_format f = {.struct_size = sizeof f, .arch = ok[i].arch,
		                        .granule = ok[i].granule, .va_bits = ok[i].va_bits,
		                        .pa_bits = ok[i].pa_bits};
		ck_assert_msg(haywire_mmu_format_derive(&f) == HAYWIRE_OK, "case %zu: %s", i,
		              haywire_last_error());
		ck_assert_uint_eq(f.levels, ok[i].levels);
		ck_assert_uint_eq(f.top_entries, ok[i].top);
	}
	ck_assert_str_eq(haywire_mmu_level_name(4, 0), "PGD");
	ck_assert_str_eq(haywire_mmu_level_name(4, 1), "PUD");
	ck_assert_str_eq(haywire_mmu_level_name(5, 1), "P4D");
	ck_assert_str_eq(haywire_mmu_level_name(3, 1), "PMD");
	ck_assert_str_eq(haywire_mmu_level_name(2, 1), "PTE");
	ck_assert_str_eq(haywire_mmu_level_name(4, 4), "");
}
END_TEST

START_TEST(root_registers_lose_their_extra_bits)
{
	haywire_mmu_format x = {.struct_size = sizeof x, .arch = HAYWIRE_ARCH_X86_64, .pa_bits = 46};
	uint64_t pa = 0;
	ck_assert_int_eq(haywire_mmu_root_from_register(&x, 0x8000123456789fffull, &pa), 0);
	ck_assert_uint_eq(pa, 0x123456789000ull & ((1ull << 46) - 1));
	haywire_mmu_format a = {.struct_size = sizeof a, .arch = HAYWIRE_ARCH_ARM64};
	ck_assert_int_eq(haywire_mmu_root_from_register(&a, 0xbeef000041234001ull, &pa), 0);
	ck_assert_uint_eq(pa, 0x41234000);
	haywire_mmu_format l = {.struct_size = sizeof l, .arch = HAYWIRE_ARCH_ARM64,
	                        .granule = 65536, .va_bits = 52, .pa_bits = 52};
	/* BADDR[51:48] = 0xa in bits 5:2, ASID 0x42, CnP */
	ck_assert_int_eq(haywire_mmu_root_from_register(&l, 0x0042000041230000ull | 0xa << 2 | 1, &pa),
	                 0);
	ck_assert_uint_eq(pa, 0xa000041230000ull);
}
END_TEST

static const haywire_mmu_format x86_fmt = {.struct_size = sizeof(haywire_mmu_format),
                                           .arch = HAYWIRE_ARCH_X86_64};

/* 16 4K pages: 0-7 contiguous RW, 8-11 contiguous RO, 12 elsewhere, 14-15 contiguous. */
static haywire_source *build_runs(struct ptb *b)
{
	uint64_t gpa[] = {0x100000}, size[] = {8 * MiB};
	ptb_init(b, &x86_fmt, 1, gpa, size);
	for (int i = 0; i < 16; i++) {
		if (i == 13)
			continue;
		uint64_t pa = 0x200000 + (uint64_t)i * 4096 + (i == 12 ? 0x10000 : 0);
		ptb_map(b, 0x10000000 + (uint64_t)i * 4096, pa, 3, i < 8 ? X_RW : 0);
	}
	ptb_map(b, 0xffffffff80000000ull, 0x400000, 2, X_G);
	return ptb_open(b);
}

static int collect(const haywire_va_range *r, void *u)
{
	haywire_va_range **p = u;
	*(*p)++ = *r;
	return 0;
}

START_TEST(ranges_coalesce_clip_and_resume)
{
	struct ptb b;
	haywire_source *src = build_runs(&b);
	haywire_aspace *as;
	ck_assert_int_eq(haywire_aspace_new(src, &x86_fmt, b.root, &as), 0);
	haywire_va_range r[8], *p = r;
	ck_assert_int_eq(haywire_aspace_enumerate(as, 0, ~0ull, collect, &p, NULL), 0);
	ck_assert_int_eq(p - r, 5);
	ck_assert_uint_eq(r[0].va, 0x10000000);
	ck_assert_uint_eq(r[0].size, 8 * 4096);
	ck_assert_uint_eq(r[0].perms, R | W | X);
	ck_assert_uint_eq(r[1].va, 0x10008000);
	ck_assert_uint_eq(r[1].size, 4 * 4096);
	ck_assert_uint_eq(r[1].perms, R | X);
	ck_assert_uint_eq(r[2].pa, 0x21c000);
	ck_assert_uint_eq(r[2].size, 4096);
	ck_assert_uint_eq(r[3].va, 0x1000e000);
	ck_assert_uint_eq(r[3].size, 2 * 4096);
	ck_assert_uint_eq(r[4].va, 0xffffffff80000000ull); /* upper half last, sign-extended */
	ck_assert_uint_eq(r[4].size, 2 * MiB);
	ck_assert_uint_eq(r[4].flags, GLOBAL);

	/* a window clips ranges */
	p = r;
	ck_assert_int_eq(haywire_aspace_enumerate(as, 0x10003000, 0x10008fff, collect, &p, NULL), 0);
	ck_assert_int_eq(p - r, 2);
	ck_assert_uint_eq(r[0].va, 0x10003000);
	ck_assert_uint_eq(r[0].pa, 0x203000);
	ck_assert_uint_eq(r[0].size, 5 * 4096);
	ck_assert_uint_eq(r[1].size, 4096);

	/* copy-out, two at a time, resumes to the same five */
	uint64_t va = 0, n, total = 0;
	int st, calls = 0;
	do {
		st = haywire_aspace_ranges(as, va, ~0ull, r, 2, &n, &va);
		ck_assert(st == HAYWIRE_OK || st == HAYWIRE_E_RANGE);
		ck_assert_uint_le(n, 2);
		if (total == 0)
			ck_assert_uint_eq(r[0].size, 8 * 4096);
		total += n;
		calls++;
	} while (st == HAYWIRE_E_RANGE && calls < 10);
	ck_assert_int_eq(st, HAYWIRE_OK);
	ck_assert_uint_eq(total, 5);
	ck_assert_int_eq(calls, 3);

	/* caps */
	haywire_walk_options o = {.struct_size = sizeof o, .max_tables = 2};
	p = r;
	ck_assert_int_eq(haywire_aspace_enumerate(as, 0, ~0ull, collect, &p, &o), HAYWIRE_E_LIMIT);
	ck_assert_int_eq(haywire_last_status(), HAYWIRE_E_LIMIT);
	ck_assert_uint_eq(o.tables_visited, 2);
	ck_assert_int_eq(p - r, 0);
	haywire_aspace_free(as);
	haywire_source_close(src);
	ptb_free(&b);
}
END_TEST

static int stop_after_one(const haywire_va_range *r, void *u)
{
	(*(int *)u)++;
	return 1;
}

static int ignore_range(const haywire_va_range *r, void *u)
{
	return 0;
}

static int stop_anomaly(const haywire_anomaly_info *a, void *u)
{
	(*(int *)u)++;
	return 1;
}

static int count_anomaly(const haywire_anomaly_info *a, void *u)
{
	(*(int *)u)++;
	return 0;
}

START_TEST(hostile_tables_stay_bounded)
{
	/* every PMD and PTE slot of one path points back up: a maze of cycles and shared tables */
	struct ptb b;
	uint64_t gpa[] = {0x100000}, size[] = {4 * MiB};
	ptb_init(&b, &x86_fmt, 1, gpa, size);
	ptb_map(&b, 0, 0x200000, 3, 0);
	uint64_t pud = ptb_slot(&b, 0, 1, 0) & ~0xfffull, pmd = ptb_slot(&b, 0, 2, 0) & ~0xfffull;
	uint64_t pte = ptb_slot(&b, 0, 3, 0) & ~0xfffull;
	for (int i = 1; i < 512; i++) {
		ptb_poke(&b, pmd + i * 8, pmd | 7); /* cycle */
		ptb_poke(&b, pud + i * 8, pmd | 7); /* shared PMD: legal, but multiplies work */
		ptb_poke(&b, b.root + i * 8, pud | 7);
		ptb_poke(&b, pte + i * 8, 0x7ff0000000000ull | (uint64_t)i << 12 | 1); /* not RAM */
	}
	haywire_source *src = ptb_open(&b);
	haywire_aspace *as;
	ck_assert_int_eq(haywire_aspace_new(src, &x86_fmt, b.root, &as), 0);
	int n = 0, na = 0;
	haywire_walk_options o = {.struct_size = sizeof o, .max_anomalies = 1000,
	                          .on_anomaly = count_anomaly, .anomaly_user = &na};
	ck_assert_int_eq(haywire_aspace_enumerate(as, 0, ~0ull, stop_after_one, &n, &o),
	                 HAYWIRE_OK); /* the callback stops it after the first range */
	ck_assert_int_eq(n, 1);
	n = 0;
	haywire_va_range r[4];
	uint64_t cnt;
	int st = haywire_aspace_ranges(as, 0, ~0ull, r, 4, &cnt, NULL);
	ck_assert_int_eq(st, HAYWIRE_E_RANGE);
	o.anomalies = 0;
	na = 0;
	int sink = 0;
	st = haywire_aspace_enumerate(as, 0, ~0ull, ignore_range, &sink, &o);
	ck_assert_int_eq(st, HAYWIRE_E_LIMIT);
	ck_assert_uint_eq(o.anomalies, 1000);
	ck_assert_int_eq(na, 1000);
	/* an anomaly callback can stop the walk too */
	haywire_walk_options o1 = {.struct_size = sizeof o1, .on_anomaly = stop_anomaly,
	                           .anomaly_user = &na};
	na = 0;
	ck_assert_int_eq(haywire_aspace_enumerate(as, 0, ~0ull, ignore_range, &sink, &o1), HAYWIRE_OK);
	ck_assert_int_eq(na, 1);
	ck_assert_uint_eq(o1.anomalies, 1);
	ck_assert_uint_eq(o1.stop_va, 0x1000); /* the first not-RAM PTE */
	uint64_t total = 0;
	ck_assert_int_eq(haywire_aspace_anomalies(as, 0, ~0ull, NULL, 0, &total), HAYWIRE_E_LIMIT);
	ck_assert_uint_eq(total, HAYWIRE_WALK_DEFAULT_MAX_ANOMALIES);
	haywire_aspace_free(as);
	haywire_source_close(src);
	ptb_free(&b);
}
END_TEST

START_TEST(bad_arguments)
{
	haywire_aspace *as = (void *)1;
	ck_assert_int_eq(haywire_aspace_new(NULL, &x86_fmt, 0, &as), HAYWIRE_E_INVALID);
	ck_assert_ptr_null(as);
	haywire_aspace_free(NULL);
	struct ptb b;
	uint64_t gpa[] = {0x100000}, size[] = {1 * MiB};
	ptb_init(&b, &x86_fmt, 1, gpa, size);
	haywire_source *src = ptb_open(&b);
	ck_assert_int_eq(haywire_aspace_new(src, &x86_fmt, 0x5000000, &as), HAYWIRE_E_NOT_RAM);
	ck_assert_ptr_null(as);
	ck_assert_int_eq(haywire_aspace_new(src, &x86_fmt, b.root, &as), 0);
	haywire_translation t = {.struct_size = 8};
	ck_assert_int_eq(haywire_aspace_translate(as, 0, &t), HAYWIRE_E_INVALID);
	ck_assert_int_eq(haywire_aspace_enumerate(as, 0, 1, NULL, NULL, NULL), HAYWIRE_E_INVALID);
	uint64_t n;
	ck_assert_int_eq(haywire_aspace_ranges(as, 0, ~0ull, NULL, 4, &n, NULL), HAYWIRE_E_INVALID);
	ck_assert_int_eq(haywire_aspace_ranges(as, 0, ~0ull, NULL, 0, &n, NULL), HAYWIRE_OK);
	ck_assert_uint_eq(n, 0);
	haywire_mmu_format got = {.struct_size = sizeof got};
	ck_assert_int_eq(haywire_aspace_format(as, &got), 0);
	ck_assert_uint_eq(got.levels, 4);
	ck_assert_uint_eq(got.pa_bits, 52);
	haywire_aspace_free(as);
	haywire_source_close(src);
	ptb_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("aspace");
	TCase *tc = tcase_create("walker");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, fixture_translations, 0, sizeof fixtures / sizeof fixtures[0]);
	tcase_add_test(tc, impossible_formats_are_refused);
	tcase_add_test(tc, formats_derive_levels_and_top_size);
	tcase_add_test(tc, root_registers_lose_their_extra_bits);
	tcase_add_test(tc, ranges_coalesce_clip_and_resume);
	tcase_add_test(tc, hostile_tables_stay_bounded);
	tcase_add_test(tc, bad_arguments);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
