/*
 * bench-calls: the C side of the binding benchmark (bench-bindings.py).
 *
 *   bench-calls SOURCE [ROUNDS]
 *
 * Prints one JSON line: ns per haywire_version() call, ms to open the source
 * and the kernel, and ms per full task list (snapshot with threads, every
 * task copied out), the best of ROUNDS, with the task count.
 */
#include <haywire/haywire.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench-calls SOURCE [ROUNDS]\n");
		return 2;
	}
	int rounds = argc > 2 ? atoi(argv[2]) : 20;
	const long calls = 10000000;
	volatile uint32_t sink = 0;
	double t = now();
	for (long i = 0; i < calls; i++)
		sink += haywire_version();
	double ns_call = (now() - t) * 1e9 / calls;

	haywire_source *src;
	haywire_kernel *k;
	t = now();
	if (haywire_source_open(argv[1], &src) || haywire_kernel_open(src, NULL, &k)) {
		fprintf(stderr, "bench-calls: %s\n", haywire_last_error());
		return 1;
	}
	double ms_open = (now() - t) * 1e3, best = 1e9;
	uint64_t count = 0;
	for (int r = 0; r < rounds; r++) {
		t = now();
		haywire_procs *p;
		if (haywire_procs_snapshot(k, HAYWIRE_PROCS_THREADS, &p)) {
			fprintf(stderr, "bench-calls: %s\n", haywire_last_error());
			return 1;
		}
		count = haywire_procs_count(p);
		for (uint64_t i = 0; i < count; i++) {
			haywire_task task = {.struct_size = sizeof task};
			haywire_procs_get(p, i, &task);
			sink += (uint32_t)task.pid;
		}
		haywire_procs_free(p);
		double ms = (now() - t) * 1e3;
		best = ms < best ? ms : best;
	}
	/* the reverse map: build it, read its totals and every process's statistics */
	double best_rmap = 1e9;
	for (int r = 0; r < rounds; r++) {
		t = now();
		haywire_rmap *map;
		if (haywire_rmap_build(k, NULL, NULL, &map)) {
			fprintf(stderr, "bench-calls: %s\n", haywire_last_error());
			return 1;
		}
		haywire_rmap_stats st = {.struct_size = sizeof st};
		haywire_rmap_get_stats(map, &st);
		for (uint32_t i = 0; i < haywire_rmap_proc_count(map); i++) {
			haywire_rmap_proc proc = {.struct_size = sizeof proc};
			haywire_rmap_proc_get(map, i, &proc);
			sink += (uint32_t)proc.rss_bytes;
		}
		haywire_rmap_free(map);
		double ms = (now() - t) * 1e3;
		best_rmap = ms < best_rmap ? ms : best_rmap;
	}
	printf("{\"binding\": \"C\", \"ns_per_call\": %.2f, \"ms_open\": %.1f, "
	       "\"ms_tasks\": %.3f, \"tasks\": %llu, \"ms_rmap\": %.3f}\n",
	       ns_call, ms_open, best, (unsigned long long)count, best_rmap);
	haywire_kernel_close(k);
	haywire_source_close(src);
	return 0;
}
