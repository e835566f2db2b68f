/*
 * dump-compare DUMPSPEC RAMSPEC [--cpus] [--ncpus N] [--want-cr3] [--x86-reset]
 *                                 [--rom START:END]... [--extra BYTES]
 *
 * Checks a dump against the RAM file of the same moment: every byte of
 * every RAM range the dump lists reads the same through both sources, and
 * every RAM-file page the dump lacks is reported (at most 1 MiB may be).
 *
 * QEMU dumps what the guest sees at each PA, ROMs included: --rom names a
 * PA window where the guest sees a ROM instead of the RAM behind it (x86's
 * 0xc0000..0x100000 before firmware shadows it), so bytes there may differ;
 * --extra allows that many dump bytes outside the RAM file (x86's BIOS
 * ROM below 4 GiB). With --cpus, prints the vCPU registers and fails if
 * there are none (--ncpus N: not exactly N); --want-cr3 also requires CR3/CR4. --x86-reset checks the
 * values a vCPU that never ran must hold (CR0 0x60000010, IP 0xfff0), which
 * proves the registers are read from the right place.
 */
#include <haywire/haywire.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (1u << 20)

static haywire_source *open_or_die(const char *spec)
{
	haywire_source *s;
	if (haywire_source_open(spec, &s)) {
		fprintf(stderr, "open %s: %s\n", spec, haywire_last_error());
		exit(2);
	}
	return s;
}

/* The first RAM-file range boundary above PA (UINT64_MAX if none). */
static uint64_t ram_edge_after(const haywire_ram_range *rr, uint64_t n, uint64_t pa)
{
	uint64_t edge = UINT64_MAX;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t lo = rr[i].gpa, hi = rr[i].gpa + rr[i].size;
		if (lo > pa && lo < edge)
			edge = lo;
		if (hi > pa && hi < edge)
			edge = hi;
	}
	return edge;
}

static haywire_ram_range *ranges_of(haywire_source *s, uint64_t *n)
{
	*n = haywire_source_ram_range_count(s);
	haywire_ram_range *r = calloc(*n, sizeof *r);
	if (!r || haywire_source_ram_ranges(s, r, *n, n)) {
		fprintf(stderr, "ranges: %s\n", haywire_last_error());
		exit(2);
	}
	return r;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s DUMPSPEC RAMSPEC [--cpus] [--want-cr3]\n", argv[0]);
		return 2;
	}
	int cpus = 0, want_cr3 = 0, x86_reset = 0;
	uint64_t rom_lo[8], rom_hi[8], extra_allowed = 0, extra = 0;
	int nrom = 0;
	uint32_t want_ncpus = 0;
	for (int i = 3; i < argc; i++) {
		cpus |= !strcmp(argv[i], "--cpus");
		want_cr3 |= !strcmp(argv[i], "--want-cr3");
		x86_reset |= !strcmp(argv[i], "--x86-reset");
		if (!strcmp(argv[i], "--rom") && i + 1 < argc && nrom < 8 &&
		    sscanf(argv[i + 1], "%" SCNx64 ":%" SCNx64, &rom_lo[nrom], &rom_hi[nrom]) == 2)
			nrom++, i++;
		else if (!strcmp(argv[i], "--ncpus") && i + 1 < argc)
			want_ncpus = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--extra") && i + 1 < argc)
			extra_allowed = strtoull(argv[++i], NULL, 0);
	}
	haywire_source *dump = open_or_die(argv[1]), *ram = open_or_die(argv[2]);
	printf("dump kind %s, flags 0x%x, %" PRIu64 " bytes of RAM\n", haywire_source_kind(dump),
	       haywire_source_flags(dump), haywire_source_ram_size(dump));
	uint64_t n, nram;
	haywire_ram_range *r = ranges_of(dump, &n), *rr = ranges_of(ram, &nram);
	uint8_t *a = malloc(CHUNK), *b = malloc(CHUNK);
	int bad = 0;
	uint64_t compared = 0;
	for (uint64_t i = 0; i < n; i++) {
		printf("  range 0x%" PRIx64 "..0x%" PRIx64 "\n", r[i].gpa, r[i].gpa + r[i].size);
		for (uint64_t off = 0, len; off < r[i].size && bad < 10; off += len) {
			uint64_t pa = r[i].gpa + off;
			len = r[i].size - off < CHUNK ? r[i].size - off : CHUNK;
			/* a chunk lies wholly inside or wholly outside the RAM file's RAM */
			uint64_t edge = ram_edge_after(rr, nram, pa);
			if (edge - pa < len)
				len = edge - pa;
			int s1 = haywire_source_read(dump, pa, a, len, NULL);
			if (s1) {
				printf("FAIL dump read at 0x%" PRIx64 ": %s\n", pa, haywire_last_error());
				bad++;
				continue;
			}
			if (!haywire_source_is_ram(ram, pa, len)) {
				printf("  dump has PA 0x%" PRIx64 "..0x%" PRIx64 " the RAM file lacks\n",
				       pa, pa + len);
				extra += len;
				continue;
			}
			if (haywire_source_read(ram, pa, b, len, NULL)) {
				printf("FAIL RAM file read at 0x%" PRIx64 ": %s\n", pa, haywire_last_error());
				bad++;
				continue;
			}
			for (uint64_t k = 0; k < len; k++) {
				if (a[k] == b[k])
					continue;
				int in_rom = 0;
				for (int w = 0; w < nrom; w++)
					in_rom |= pa + k >= rom_lo[w] && pa + k < rom_hi[w];
				if (!in_rom) {
					printf("FAIL bytes differ at PA 0x%" PRIx64 "\n", pa + k);
					bad++;
					break;
				}
			}
			compared += len;
		}
	}
	/* RAM the dump does not have, page by page (summarised as runs). */
	uint64_t missing = 0;
	for (uint64_t i = 0; i < nram; i++)
		for (uint64_t pa = rr[i].gpa; pa < rr[i].gpa + rr[i].size;) {
			uint64_t start = pa;
			while (pa < rr[i].gpa + rr[i].size && !haywire_source_is_ram(dump, pa, 4096))
				pa += 4096;
			if (pa > start) {
				printf("  not in dump: 0x%" PRIx64 "..0x%" PRIx64 "\n", start, pa);
				missing += pa - start;
			} else
				pa += 4096;
		}
	printf("compared %" PRIu64 " bytes, %" PRIu64 " RAM-file bytes not in the dump, %" PRIu64
	       " dump bytes not in the RAM file\n",
	       compared, missing, extra);
	if (extra > extra_allowed) {
		printf("FAIL more dump bytes outside the RAM file than --extra allows\n");
		bad++;
	}
	if (compared + missing != haywire_source_ram_size(ram)) {
		printf("FAIL the dump and the RAM file do not cover the same RAM\n");
		bad++;
	}
	/* QEMU drops only small device windows below 1 MiB. */
	if (missing > (1u << 20)) {
		printf("FAIL more than 1 MiB of RAM is missing from the dump\n");
		bad++;
	}
	uint32_t ncpu = haywire_source_cpu_count(dump);
	if (cpus) {
		if (!ncpu || (want_ncpus && ncpu != want_ncpus)) {
			printf("FAIL registers of %u vCPUs\n", ncpu);
			bad++;
		}
		for (uint32_t c = 0; c < ncpu; c++) {
			haywire_cpu_state st = {.struct_size = sizeof st};
			haywire_source_cpu_state(dump, c, &st);
			printf("  cpu %u arch %u valid 0x%x pc 0x%" PRIx64 " sp 0x%" PRIx64
			       " cr0 0x%" PRIx64 " cr3 0x%" PRIx64 " cr4 0x%" PRIx64 "\n",
			       st.cpu, st.arch, st.valid, st.pc, st.sp, st.cr0, st.cr3, st.cr4);
			if (!(st.valid & HAYWIRE_CPU_PC)) {
				printf("FAIL cpu %u has no PC\n", c);
				bad++;
			}
			if (want_cr3 && (st.valid & (HAYWIRE_CPU_CR3 | HAYWIRE_CPU_CR4)) !=
			                        (HAYWIRE_CPU_CR3 | HAYWIRE_CPU_CR4)) {
				printf("FAIL cpu %u has no CR3/CR4\n", c);
				bad++;
			}
			if (x86_reset && (st.cr0 != 0x60000010 || st.pc != 0xfff0)) {
				printf("FAIL cpu %u is not in the x86 reset state\n", c);
				bad++;
			}
		}
	}
	free(a);
	free(b);
	free(r);
	free(rr);
	haywire_source_close(dump);
	haywire_source_close(ram);
	printf("%s\n", bad ? "FAILED" : "ok");
	return bad ? 1 : 0;
}
