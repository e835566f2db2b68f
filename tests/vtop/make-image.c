/*
 * Writes the synthetic guest image the haywire-vtop smoke test walks: 4 MiB
 * of RAM at PA 0x100000 (layout 0x100000:4M) holding x86-64 4-level tables:
 *   VA 0x7f0000001000 -> PA 0x105000  4K, rw user NX
 *   VA 0x7f0000002000 -> PA 0x4f0000000000 (87 TB: outside RAM)
 *   VA 0xffffffff81000000 -> PA 0x200000  2M, kernel global
 * Root table at PA 0x100000. Also arm64 4K/39-bit (3-level) tables with root
 * at PA 0x110000:
 *   VA 0x40200000 -> PA 0x200000  2M block, EL0 read-only, UXN
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define BASE 0x100000ull
#define SIZE (4ull << 20)
static uint8_t mem[SIZE];

static void put(uint64_t pa, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		mem[pa - BASE + i] = (uint8_t)(v >> (8 * i)); /* little-endian, as the guest */
}

static unsigned idx(uint64_t va, int level) /* level 4 = PGD .. 1 = PTE */
{
	return (unsigned)(va >> (12 + 9 * (level - 1))) & 511;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTPUT\n", argv[0]);
		return 2;
	}
	const uint64_t pgd = 0x100000, pud = 0x101000, pmd = 0x102000, pt = 0x103000;
	const uint64_t kpud = 0x106000, kpmd = 0x107000, user = 0x7f0000001000ull;
	const uint64_t kva = 0xffffffff81000000ull;
	put(pgd + 8 * idx(user, 4), pud | 0x67);
	put(pud + 8 * idx(user, 3), pmd | 0x67);
	put(pmd + 8 * idx(user, 2), pt | 0x67);
	put(pt + 8 * idx(user, 1), 0x105000 | 0x67 | 1ull << 63);
	put(pt + 8 * idx(user + 0x1000, 1), 0x4f0000000000ull | 0x67);
	put(pgd + 8 * idx(kva, 4), kpud | 0x63);
	put(kpud + 8 * idx(kva, 3), kpmd | 0x63);
	put(kpmd + 8 * idx(kva, 2), 0x200000 | 0x1e3); /* PS, G, D, A, RW, P */
	/* arm64: L1 table at 0x110000, L2 at 0x111000 */
	const uint64_t l1 = 0x110000, l2 = 0x111000, ava = 0x40200000;
	put(l1 + 8 * ((ava >> 30) & 511), l2 | 3);
	put(l2 + 8 * ((ava >> 21) & 511), 0x200000 | 1 | 1 << 10 | 1 << 7 | 1 << 6 | 1ull << 54);
	FILE *f = fopen(argv[1], "wb");
	if (!f || fwrite(mem, 1, SIZE, f) != SIZE || fclose(f)) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
