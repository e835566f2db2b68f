/*
 * Benchmark (not a test): QMP source read throughput on the zero-copy path
 * and the fallback paths (pmemsave, xp), against a file: source on the same
 * RAM file, plus the time to open a QMP source. Starts its own QEMU (TCG,
 * -S, q35, 1 GiB share=on memory-backend-file in $TMPDIR) and kills it.
 *
 *   build/tests/bench/bench-qmp [MiB to read, default 256]
 */
#include <haywire/haywire.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MiB (1ull << 20)

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static haywire_source *open_or_die(const char *spec)
{
	haywire_source *s;
	if (haywire_source_open(spec, &s)) {
		fprintf(stderr, "open %s: %s\n", spec, haywire_last_error());
		exit(1);
	}
	return s;
}

/* MiB/s reading LEN bytes from PA in CHUNK-sized reads; checksum keeps the reads honest. */
static double throughput(haywire_source *s, uint64_t pa, uint64_t len, uint64_t chunk,
                         uint64_t *sum)
{
	uint8_t *buf = malloc(chunk);
	double t0 = now();
	for (uint64_t off = 0; off < len; off += chunk) {
		if (haywire_source_read(s, pa + off, buf, chunk, NULL)) {
			fprintf(stderr, "read: %s\n", haywire_last_error());
			exit(1);
		}
		for (uint64_t i = 0; i < chunk; i += 4096)
			*sum += buf[i];
	}
	double t = now() - t0;
	free(buf);
	return (double)len / MiB / t;
}

int main(int argc, char **argv)
{
	uint64_t mib = argc > 1 ? strtoull(argv[1], NULL, 0) : 256;
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[256], ram[300], sock[300], obj[400], q[400];
	snprintf(dir, sizeof dir, "%s/hw-bench-XXXXXX", tmp);
	if (!mkdtemp(dir))
		return 1;
	snprintf(ram, sizeof ram, "%s/ram", dir);
	snprintf(sock, sizeof sock, "%s/qmp.sock", dir);
	int fd = open(ram, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 1 << 30))
		return 1;
	uint8_t *block = malloc(MiB);
	for (uint64_t off = 0; off < (mib + 2) * MiB && off < (1ull << 30); off += MiB) {
		for (uint64_t i = 0; i < MiB; i++)
			block[i] = (uint8_t)((off + i) * 2654435761u >> 13);
		if (pwrite(fd, block, MiB, (off_t)off) != (ssize_t)MiB)
			return 1;
	}
	free(block);
	close(fd);
	snprintf(obj, sizeof obj, "memory-backend-file,id=ram,size=1G,mem-path=%s,share=on", ram);
	snprintf(q, sizeof q, "unix:%s,server=on,wait=off", sock);
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execlp("qemu-system-x86_64", "qemu-system-x86_64", "-M", "q35", "-m", "1G", "-S",
		       "-display", "none", "-nodefaults", "-object", obj, "-machine",
		       "memory-backend=ram", "-qmp", q, (char *)NULL);
		_exit(127);
	}
	char spec[400], pspec[420], xspec[420], fspec[420];
	snprintf(spec, sizeof spec, "qmp:%s", sock);
	snprintf(pspec, sizeof pspec, "qmp:%s,read=pmemsave", sock);
	snprintf(xspec, sizeof xspec, "qmp:%s,read=xp", sock);
	snprintf(fspec, sizeof fspec, "file:%s,layout=q35", ram);
	for (int i = 0; i < 100 && access(sock, F_OK); i++)
		usleep(100000);
	usleep(200000);

	/* open time: QEMU serves one client at a time, so opens are sequential */
	double best = 1e9, total = 0;
	const int opens = 5;
	for (int i = 0; i < opens; i++) {
		double t0 = now();
		haywire_source *s = open_or_die(spec);
		double t = now() - t0;
		haywire_source_close(s);
		total += t;
		best = t < best ? t : best;
	}

	uint64_t pa = 0x100000, len = mib * MiB, sum[5] = {0};
	haywire_source *f = open_or_die(fspec);
	uint64_t warm = 0; /* first pass faults the mapping in; measure the second */
	throughput(f, pa, len, MiB, &warm);
	double file_rate = throughput(f, pa, len, MiB, &sum[0]);
	haywire_source_close(f);
	haywire_source *z = open_or_die(spec);
	throughput(z, pa, len, MiB, &warm);
	double map_rate = throughput(z, pa, len, MiB, &sum[1]);
	haywire_source_close(z);
	haywire_source *p = open_or_die(pspec);
	double pmem_rate_1m = throughput(p, pa, len, MiB, &sum[2]);
	double pmem_rate_64k = throughput(p, pa, len / 16, 64 * 1024, &sum[3]);
	haywire_source_close(p);
	haywire_source *x = open_or_die(xspec);
	uint64_t xlen = len / 64 < 4 * MiB ? len / 64 : 4 * MiB;
	uint64_t xsum = 0;
	double xp_rate = throughput(x, pa, xlen, 4096, &xsum);
	haywire_source_close(x);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(ram);
	unlink(sock);
	rmdir(dir);
	if (sum[0] != sum[1] || sum[0] != sum[2]) {
		fprintf(stderr, "checksums differ: file %llu map %llu pmemsave %llu\n",
		        (unsigned long long)sum[0], (unsigned long long)sum[1],
		        (unsigned long long)sum[2]);
		return 1;
	}
	printf("QMP source benchmark (QEMU q35 1 GiB TCG -S, %llu MiB read from PA 0x100000)\n",
	       (unsigned long long)mib);
	printf("open qmp: source          best %.1f ms, mean %.1f ms over %d opens\n", best * 1e3,
	       total / opens * 1e3, opens);
	printf("file: source (baseline)   %9.0f MiB/s  (1 MiB reads, warm)\n", file_rate);
	printf("qmp zero-copy (map)       %9.0f MiB/s  (1 MiB reads, warm)  %.2fx file\n", map_rate,
	       map_rate / file_rate);
	printf("qmp pmemsave fallback     %9.0f MiB/s  (1 MiB reads)  map/pmemsave = %.0fx\n",
	       pmem_rate_1m, map_rate / pmem_rate_1m);
	printf("qmp pmemsave fallback     %9.0f MiB/s  (64 KiB reads) map/pmemsave = %.0fx\n",
	       pmem_rate_64k, map_rate / pmem_rate_64k);
	printf("qmp xp fallback           %9.2f MiB/s  (4 KiB reads, %llu KiB) map/xp = %.0fx\n",
	       xp_rate, (unsigned long long)(xlen / 1024), map_rate / xp_rate);
	return 0;
}
