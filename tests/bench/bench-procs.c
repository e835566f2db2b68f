/*
 * bench-procs SOURCE [ROUNDS]: time from open to a full process list.
 *
 * Each round opens the source and the kernel (split into finding VMCOREINFO,
 * decoding kallsyms and BTF or calibration, as haywire_kernel_info reports)
 * and takes a snapshot of every thread. Best and median of ROUNDS (default 5)
 * are printed, with the bytes of guest memory read, against a baseline from
 * the same run: reading 64 MiB of the source's RAM sequentially.
 *
 *   ninja -C build tests/bench/bench-procs && build/tests/bench/bench-procs "$SOURCE_SPEC" 5
 */
#include <haywire/haywire.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

enum { OPEN, VMCI, SYMS, TYPES, WALK, TOTAL, NCOLS };
static const char *const names[NCOLS] = {"source open", "VMCOREINFO", "kallsyms",
                                         "types (BTF/calib.)", "task walk", "total"};

static int round_once(const char *spec, uint32_t flags, double *t, uint64_t *bytes,
                      uint64_t *tasks)
{
	haywire_source *src = NULL;
	haywire_kernel *k = NULL;
	haywire_procs *p = NULL;
	haywire_kernel_options opts = {.struct_size = sizeof opts, .flags = flags};
	haywire_kernel_info info = {.struct_size = sizeof info};
	double t0 = now_ms();
	int rc = haywire_source_open(spec, &src);
	double t1 = now_ms();
	if (!rc)
		rc = haywire_kernel_open(src, &opts, &k);
	double t2 = now_ms();
	if (!rc)
		rc = haywire_procs_snapshot(k, HAYWIRE_PROCS_THREADS, &p);
	double t3 = now_ms();
	if (!rc) {
		haywire_kernel_get_info(k, &info);
		t[OPEN] = t1 - t0;
		t[VMCI] = info.ns_vmcoreinfo / 1e6;
		t[SYMS] = info.ns_symbols / 1e6;
		t[TYPES] = info.ns_types / 1e6;
		t[WALK] = t3 - t2;
		t[TOTAL] = t3 - t0;
		*bytes = info.bytes_read;
		*tasks = haywire_procs_count(p);
	} else {
		fprintf(stderr, "bench-procs: %s\n", haywire_last_error());
	}
	haywire_procs_free(p);
	haywire_kernel_close(k);
	haywire_source_close(src);
	return rc;
}

static double baseline_ms(const char *spec, uint64_t bytes)
{
	haywire_source *src;
	if (haywire_source_open(spec, &src))
		return 0;
	haywire_ram_range r;
	uint64_t n;
	haywire_source_ram_ranges(src, &r, 1, &n);
	uint64_t len = bytes < r.size ? bytes : r.size;
	char *buf = malloc(1 << 20);
	double t0 = now_ms();
	for (uint64_t off = 0; off + (1 << 20) <= len; off += 1 << 20)
		haywire_source_read(src, r.gpa + off, buf, 1 << 20, NULL);
	double t = now_ms() - t0;
	free(buf);
	haywire_source_close(src);
	return t;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s SOURCE [ROUNDS]\n", argv[0]);
		return 2;
	}
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	if (rounds < 1 || rounds > 1000)
		rounds = 5;
	for (int calibrate = 0; calibrate < 2; calibrate++) {
		double (*t)[NCOLS] = calloc((size_t)rounds, sizeof *t);
		uint64_t bytes = 0, tasks = 0;
		for (int i = 0; i < rounds; i++)
			if (round_once(argv[1], calibrate ? HAYWIRE_KERNEL_CALIBRATE : 0, t[i], &bytes,
			               &tasks))
				return 1;
		double base = baseline_ms(argv[1], 64u << 20);
		printf("%s, %" PRIu64 " tasks, %d rounds, %" PRIu64 " KiB of guest memory read "
		       "through page tables:\n",
		       calibrate ? "calibrated (no BTF)" : "BTF", tasks, rounds, bytes >> 10);
		for (int c = 0; c < NCOLS; c++) {
			double col[1000];
			for (int i = 0; i < rounds; i++)
				col[i] = t[i][c];
			qsort(col, (size_t)rounds, sizeof *col, cmp_double);
			printf("  %-20s best %9.2f ms  median %9.2f ms\n", names[c], col[0],
			       col[rounds / 2]);
		}
		double best_total = t[0][TOTAL];
		for (int i = 1; i < rounds; i++)
			best_total = t[i][TOTAL] < best_total ? t[i][TOTAL] : best_total;
		printf("  baseline: reading 64 MiB of RAM takes %.2f ms; open-to-list = %.1fx that\n",
		       base, base > 0 ? best_total / base : 0);
		free(t);
	}
	return 0;
}
