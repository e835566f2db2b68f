/*
 * guest-translate SOURCE TRUTH [--calibrate]
 *
 * For every present page the guest's pagemap reported (the truth's "pages"
 * records), translate its VA through the process's own page tables as the
 * library found them, and compare with the PFN the guest gave. Prints a
 * summary; exit 1 on any mismatch, missing process or untranslated page.
 */
#include <haywire/haywire.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int die(const char *what)
{
	fprintf(stderr, "guest-translate: %s: %s\n", what, haywire_last_error());
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s SOURCE TRUTH [--calibrate]\n", argv[0]);
		return 2;
	}
	haywire_kernel_options opts = {.struct_size = sizeof opts};
	if (argc > 3 && !strcmp(argv[3], "--calibrate"))
		opts.flags |= HAYWIRE_KERNEL_CALIBRATE;
	FILE *truth = fopen(argv[2], "r");
	if (!truth) {
		perror(argv[2]);
		return 2;
	}
	haywire_source *src;
	haywire_kernel *k;
	haywire_procs *procs;
	if (haywire_source_open(argv[1], &src))
		return die("open");
	if (haywire_kernel_open(src, &opts, &k))
		return die("kernel");
	if (haywire_procs_snapshot(k, 0, &procs))
		return die("procs");

	char line[512];
	uint64_t page_size = 4096, pages = 0, bad = 0, runs = 0;
	int cur_pid = -1;
	haywire_aspace *as = NULL;
	while (fgets(line, sizeof line, truth)) {
		int pid;
		uint64_t va, pfn, count;
		if (sscanf(line, "pagesize %" SCNu64, &page_size) == 1)
			continue;
		if (sscanf(line, "pages %d %" SCNx64 " %" SCNx64 " %" SCNu64, &pid, &va, &pfn,
		           &count) != 4)
			continue;
		runs++;
		if (pid != cur_pid) {
			haywire_aspace_free(as);
			as = NULL;
			cur_pid = pid;
			uint64_t index;
			if (haywire_procs_find(procs, pid, &index) ||
			    haywire_procs_aspace(procs, index, &as)) {
				fprintf(stderr, "pid %d: %s\n", pid, haywire_last_error());
				bad += count;
				continue;
			}
		}
		if (!as) {
			bad += count;
			continue;
		}
		for (uint64_t i = 0; i < count; i++) {
			haywire_translation t = {.struct_size = sizeof t};
			uint64_t v = va + i * page_size;
			int rc = haywire_aspace_translate(as, v, &t);
			pages++;
			if (rc || t.pa / page_size != pfn + i) {
				if (bad++ < 10)
					fprintf(stderr,
					        "pid %d VA 0x%" PRIx64 ": guest says PFN 0x%" PRIx64
					        ", library %s 0x%" PRIx64 "\n",
					        pid, v, pfn + i, rc ? haywire_strerror(rc) : "PFN",
					        t.pa / page_size);
			}
		}
	}
	haywire_aspace_free(as);
	fclose(truth);
	printf("%" PRIu64 " pages in %" PRIu64 " runs translated, %" PRIu64 " wrong\n", pages, runs,
	       bad);
	haywire_procs_free(procs);
	haywire_kernel_close(k);
	haywire_source_close(src);
	return bad || !pages ? 1 : 0;
}
