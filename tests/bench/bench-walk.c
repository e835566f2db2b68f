/*
 * bench-walk: page-table walker throughput on a synthetic x86-64 4-level
 * address space mapping 1 GiB with 4K pages (262144 PTEs in 512 tables).
 *
 *   bench-walk [ROUNDS]
 *
 * Prints translations per second (random VAs, warm; with trace through the
 * public API and without through the internal fast path) and enumeration
 * throughput in mapped GiB/s, for physically contiguous pages (one range)
 * and shuffled pages (no coalescing), next to a baseline: memcpy of the same
 * page-table pages out of the source's mapping, measured in the same run.
 */
#include <haywire/haywire.h>

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mmu/mmu_impl.h"

#define GiB (1ull << 30)
#define PAGES (GiB >> 12)
#define TABLES_PA GiB /* tables live above the mapped frames */
#define VA_BASE 0x7f0000000000ull

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Write PGD, PUD, PMD and 512 PTE tables; frame I of the mapping is FRAMES[I]. */
static char *make_image(const uint32_t *frames)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *path = malloc(strlen(dir) + 32);
	sprintf(path, "%s/hw-bench-XXXXXX", dir);
	int fd = mkstemp(path);
	uint64_t ntables = 3 + 512, bytes = ntables * 4096;
	uint64_t *t = calloc(ntables, 4096);
	if (fd < 0 || !t || ftruncate(fd, (off_t)(GiB + 4 * 1024 * 1024))) {
		perror("bench image");
		exit(1);
	}
	uint64_t pgd = TABLES_PA, pud = pgd + 4096, pmd = pud + 4096, pte0 = pmd + 4096;
	t[(VA_BASE >> 39) & 511] = pud | 0x67;
	t[512 + ((VA_BASE >> 30) & 511)] = pmd | 0x67;
	for (int i = 0; i < 512; i++)
		t[1024 + i] = (pte0 + (uint64_t)i * 4096) | 0x67;
	for (uint64_t i = 0; i < PAGES; i++)
		t[1536 + i] = ((uint64_t)frames[i] << 12) | 0x67;
	if (pwrite(fd, t, bytes, (off_t)TABLES_PA) != (ssize_t)bytes) {
		perror("pwrite");
		exit(1);
	}
	close(fd);
	free(t);
	return path;
}

static int count_range(const haywire_va_range *r, void *u)
{
	(*(uint64_t *)u)++;
	return 0;
}

static void run(const char *label, const uint32_t *frames, int rounds)
{
	char *path = make_image(frames);
	char spec[512];
	snprintf(spec, sizeof spec, "file:%s,layout=flat", path);
	haywire_source *src;
	haywire_aspace *as;
	haywire_mmu_format fmt = {.struct_size = sizeof fmt, .arch = HAYWIRE_ARCH_X86_64};
	if (haywire_source_open(spec, &src) || haywire_aspace_new(src, &fmt, TABLES_PA, &as)) {
		fprintf(stderr, "bench: %s\n", haywire_last_error());
		exit(1);
	}

	/* baseline: copy the 515 page-table pages out of the source's mapping */
	uint64_t tbytes = 515 * 4096ull;
	uint8_t *copy = malloc(tbytes);
	const void *tables;
	haywire_source_map(src, TABLES_PA, tbytes, &tables);
	double best_copy = 1e9, best_enum = 1e9;
	uint64_t ranges = 0, sink = 0;
	for (int r = 0; r < rounds; r++) {
		double t0 = now();
		memcpy(copy, tables, tbytes);
		double t1 = now();
		sink += copy[(r * 4099) % tbytes];
		ranges = 0;
		if (haywire_aspace_enumerate(as, 0, ~0ull, count_range, &ranges, NULL)) {
			fprintf(stderr, "bench: %s\n", haywire_last_error());
			exit(1);
		}
		double t2 = now();
		best_copy = t1 - t0 < best_copy ? t1 - t0 : best_copy;
		best_enum = t2 - t1 < best_enum ? t2 - t1 : best_enum;
	}
	printf("%s: enumerate 1 GiB of 4K pages -> %" PRIu64 " ranges: %.3f ms = %.1f GiB/s; "
	       "memcpy of the 2.0 MiB of tables: %.3f ms; ratio %.1fx\n",
	       label, ranges, best_enum * 1e3, 1.0 / best_enum, best_copy * 1e3,
	       best_enum / best_copy);

	/* translations of random VAs in the mapping, warm: best of ROUNDS passes */
	enum { N = 200000 };
	uint64_t *vas = malloc(N * sizeof *vas);
	for (int i = 0; i < N; i++)
		vas[i] = VA_BASE + (xorshift() % GiB);
	for (int fast = 0; fast < 2; fast++) {
		double best = 1e9;
		for (int r = 0; r < rounds; r++) {
			double t0 = now();
			for (int i = 0; i < N; i++) {
				uint64_t pa;
				if (!fast) {
					haywire_translation t = {.struct_size = sizeof t};
					haywire_aspace_translate(as, vas[i], &t);
					pa = t.pa;
				} else {
					hw_aspace_translate_fast(as, vas[i], &pa, NULL, NULL);
				}
				sink += pa;
			}
			double dt = now() - t0;
			best = dt < best ? dt : best;
		}
		printf("%s: %s translate: %.2f M/s (%.0f ns each)\n", label,
		       fast ? "fast (no trace)" : "public (with trace)", N / best / 1e6, best / N * 1e9);
	}
	if (sink == 42)
		puts("");
	free(vas);
	free(copy);
	haywire_aspace_free(as);
	haywire_source_close(src);
	unlink(path);
	free(path);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 20;
	if (rounds < 1)
		rounds = 1;
	uint32_t *frames = malloc(PAGES * sizeof *frames);
	for (uint32_t i = 0; i < PAGES; i++)
		frames[i] = i;
	run("contiguous", frames, rounds);
	for (uint32_t i = PAGES - 1; i > 0; i--) { /* Fisher-Yates: no two neighbours adjacent */
		uint32_t j = (uint32_t)(xorshift() % (i + 1)), tmp = frames[i];
		frames[i] = frames[j];
		frames[j] = tmp;
	}
	run("shuffled", frames, rounds);
	free(frames);
	return 0;
}
