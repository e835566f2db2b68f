/*
 * bench-rmap: cost of the reverse map on a real guest.
 *
 *   bench-rmap SOURCE [ROUNDS]
 *
 * Cold: open the source, find the kernel, snapshot the processes, build the
 * map (each step timed). Warm: ROUNDS refreshes as a live view would do them
 * (new process snapshot + haywire_rmap_rebuild recycling the previous map),
 * and rebuilds alone on one snapshot. Also: haywire_rmap_pages over all RAM
 * (what a picture needs per refresh), and the baseline measured in the same
 * run: copying every page-table page the walks read (memcpy from the
 * source's mapping), the least any forward walk must touch.
 */
#include <haywire/haywire.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rmap/rmap_impl.h"
#include "source/source_impl.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int die(const char *what)
{
	fprintf(stderr, "bench-rmap: %s: %s\n", what, haywire_last_error());
	return 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Copy every page-table page of the map, ROUNDS times; seconds per round. */
static double baseline(const haywire_rmap *r, haywire_source *src, int rounds, uint64_t *bytes)
{
	const struct hw_rmap_rec *recs = r->recs.p;
	uint8_t *buf = malloc(1 << 16);
	double t0 = now();
	volatile uint8_t sink = 0;
	*bytes = 0;
	for (int k = 0; k < rounds; k++)
		for (uint64_t i = 0; i < r->recs.n; i++) {
			if (recs[i].kind != HAYWIRE_RMAP_PAGE_TABLE || recs[i].size > (1 << 16))
				continue;
			const void *p = hw_source_ptr(src, recs[i].pa, recs[i].size);
			if (p)
				memcpy(buf, p, recs[i].size);
			else
				haywire_source_read(src, recs[i].pa, buf, recs[i].size, NULL);
			sink ^= buf[recs[i].size - 1];
			if (!k)
				*bytes += recs[i].size;
		}
	free(buf);
	return (now() - t0) / rounds;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s SOURCE [ROUNDS]\n", argv[0]);
		return 2;
	}
	int rounds = argc > 2 ? atoi(argv[2]) : 200;
	if (rounds < 1)
		rounds = 1;
	haywire_source *src;
	haywire_kernel *k;
	haywire_procs *procs;
	haywire_rmap *r;
	double t0 = now();
	if (haywire_source_open(argv[1], &src))
		return die("open");
	double t1 = now();
	if (haywire_kernel_open(src, NULL, &k))
		return die("kernel");
	double t2 = now();
	if (haywire_procs_snapshot(k, 0, &procs))
		return die("procs");
	double t3 = now();
	if (haywire_rmap_build(k, procs, NULL, &r))
		return die("rmap");
	double t4 = now();
	haywire_rmap_stats st = {.struct_size = sizeof st};
	haywire_rmap_get_stats(r, &st);
	printf("guest: Linux %s, %" PRIu64 " processes, %" PRIu64 " mapping runs, %" PRIu64
	       " page mappings, %" PRIu64 " page-table pages, RAM %" PRIu64 " MiB\n",
	       haywire_kernel_release(k), st.procs, st.mappings, st.mapped_pages,
	       st.page_table_pages, haywire_source_ram_size(src) >> 20);
	printf("cold: open %.1f ms, kernel %.1f ms, procs %.2f ms, rmap build %.2f ms; total %.1f ms\n",
	       (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3, (t4 - t3) * 1e3, (t4 - t0) * 1e3);
	printf("index: %" PRIu64 " bytes = %.1f bytes per page mapping, %.1f per mapping run\n",
	       st.index_bytes, (double)st.index_bytes / (double)st.mapped_pages,
	       (double)st.index_bytes / (double)st.mappings);

	double *refresh = calloc((size_t)rounds, sizeof *refresh);
	double *rebuild = calloc((size_t)rounds, sizeof *rebuild);
	for (int i = 0; i < rounds; i++) {
		double a = now();
		haywire_procs *p2;
		if (haywire_procs_snapshot(k, 0, &p2) || haywire_rmap_rebuild(r, k, p2, NULL, &r))
			return die("refresh");
		refresh[i] = now() - a;
		haywire_procs_free(p2);
	}
	for (int i = 0; i < rounds; i++) {
		double a = now();
		if (haywire_rmap_rebuild(r, k, procs, NULL, &r))
			return die("rebuild");
		rebuild[i] = now() - a;
	}
	qsort(refresh, (size_t)rounds, sizeof *refresh, cmp_double);
	qsort(rebuild, (size_t)rounds, sizeof *rebuild, cmp_double);
	double rb = rebuild[rounds / 2];
	printf("warm refresh (procs snapshot + rebuild): median %.3f ms, p90 %.3f ms -> %.0f/s\n",
	       refresh[rounds / 2] * 1e3, refresh[rounds * 9 / 10] * 1e3, 1 / refresh[rounds / 2]);
	printf("warm rebuild only: median %.3f ms, p90 %.3f ms; %.1f M page mappings/s, %.2f M runs/s\n",
	       rb * 1e3, rebuild[rounds * 9 / 10] * 1e3, st.mapped_pages / rb / 1e6,
	       st.mappings / rb / 1e6);

	uint64_t pages = 0, nr = haywire_source_ram_range_count(src);
	haywire_ram_range *ranges = calloc(nr, sizeof *ranges);
	haywire_source_ram_ranges(src, ranges, nr, &nr);
	for (uint64_t i = 0; i < nr; i++)
		pages += ranges[i].size >> 12;
	uint8_t *kind = malloc(pages);
	uint32_t *owner = malloc(pages * 4), *count = malloc(pages * 4);
	double a = now();
	int prounds = rounds < 20 ? rounds : 20;
	for (int i = 0; i < prounds; i++)
		for (uint64_t j = 0, off = 0; j < nr; off += ranges[j].size >> 12, j++)
			haywire_rmap_pages(r, ranges[j].gpa, ranges[j].size >> 12, kind + off, owner + off,
			                   count + off);
	double per = (now() - a) / prounds;
	printf("haywire_rmap_pages over all %" PRIu64 " pages: %.2f ms (%.0f M pages/s)\n", pages,
	       per * 1e3, pages / per / 1e6);

	uint64_t bytes;
	double base = baseline(r, haywire_kernel_source(k), rounds, &bytes);
	printf("baseline: memcpy of the %" PRIu64 " KiB of page tables the walks read: %.3f ms "
	       "(rebuild = %.1fx baseline)\n",
	       bytes >> 10, base * 1e3, rb / base);
	free(kind);
	free(owner);
	free(count);
	free(ranges);
	free(refresh);
	free(rebuild);
	haywire_rmap_free(r);
	haywire_procs_free(procs);
	haywire_kernel_close(k);
	haywire_source_close(src);
	return 0;
}
