/*
 * dump-bench SPEC...: open time, sequential and random 4 KiB read throughput
 * of each source (best of REPEATS runs), relative to the first (the RAM file
 * of the same moment).
 * Not a test: run by hand (see tests/bench/run-dump-bench.sh).
 */
#include <haywire/haywire.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEQ_CHUNK (1u << 20)
#define RANDOM_READS 200000u
#define REPEATS 5 /* best of: the machine is shared */

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

struct result {
	double open_ms, seq_mbs, rand_kops;
};

static int measure(const char *spec, struct result *res)
{
	double t0 = now();
	haywire_source *src;
	if (haywire_source_open(spec, &src)) {
		fprintf(stderr, "%s: %s\n", spec, haywire_last_error());
		return -1;
	}
	res->open_ms = (now() - t0) * 1e3;
	uint64_t n = haywire_source_ram_range_count(src);
	haywire_ram_range *r = calloc(n, sizeof *r);
	haywire_source_ram_ranges(src, r, n, NULL);
	uint8_t *buf = malloc(SEQ_CHUNK);
	volatile uint8_t sink = 0;

	/* sequential: every RAM byte once, 1 MiB at a time */
	uint64_t bytes = 0;
	t0 = now();
	for (uint64_t i = 0; i < n; i++)
		for (uint64_t off = 0; off < r[i].size; off += SEQ_CHUNK) {
			uint64_t len = r[i].size - off < SEQ_CHUNK ? r[i].size - off : SEQ_CHUNK;
			if (haywire_source_read(src, r[i].gpa + off, buf, len, NULL))
				fprintf(stderr, "%s: %s\n", spec, haywire_last_error());
			sink ^= buf[len - 1];
			bytes += len;
		}
	res->seq_mbs = (double)bytes / (now() - t0) / 1e6;

	/* random: page-aligned 4 KiB reads anywhere in RAM (same sequence for every source) */
	uint64_t total_pages = haywire_source_ram_size(src) / 4096, x = 88172645463325252ull;
	t0 = now();
	for (unsigned k = 0; k < RANDOM_READS; k++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint64_t page = x % total_pages;
		uint64_t i = 0;
		while (page >= r[i].size / 4096)
			page -= r[i].size / 4096, i++;
		if (haywire_source_read(src, r[i].gpa + page * 4096, buf, 4096, NULL))
			fprintf(stderr, "%s: %s\n", spec, haywire_last_error());
		sink ^= buf[0];
	}
	res->rand_kops = RANDOM_READS / (now() - t0) / 1e3;
	(void)sink;
	free(buf);
	free(r);
	haywire_source_close(src);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s BASELINE-SPEC [SPEC...]\n", argv[0]);
		return 2;
	}
	struct result base = {0};
	printf("%-14s %9s %10s %7s %12s %7s\n", "source", "open ms", "seq MB/s", "ratio",
	       "rand 4K k/s", "ratio");
	for (int i = 1; i < argc; i++) {
		struct result res = {1e30, 0, 0}, one;
		for (int k = 0; k < REPEATS; k++) {
			if (measure(argv[i], &one))
				return 1;
			res.open_ms = one.open_ms < res.open_ms ? one.open_ms : res.open_ms;
			res.seq_mbs = one.seq_mbs > res.seq_mbs ? one.seq_mbs : res.seq_mbs;
			res.rand_kops = one.rand_kops > res.rand_kops ? one.rand_kops : res.rand_kops;
		}
		if (i == 1)
			base = res;
		const char *name = strrchr(argv[i], '/');
		printf("%-14s %9.2f %10.0f %7.3f %12.1f %7.3f\n", name ? name + 1 : argv[i],
		       res.open_ms, res.seq_mbs, res.seq_mbs / base.seq_mbs, res.rand_kops,
		       res.rand_kops / base.rand_kops);
	}
	return 0;
}
