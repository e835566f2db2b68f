/*
 * guest-read: the library's view of a source, as text for the guest tests.
 *
 *   guest-read SPEC ranges      one line per RAM range: "range GPA SIZE" (hex)
 *   guest-read SPEC read N      then reads guest-physical addresses (hex, one a
 *                               line) from stdin; for each prints "PA HEX" with
 *                               N bytes (1..4096) in memory order, or "PA notram"
 *
 * The Python tests compare this with QEMU's own answers (QMP) and with the
 * guest's truth; keeping the library access in C tests the C ABI itself.
 */
#include <haywire/haywire.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int list_ranges(haywire_source *src)
{
	uint64_t n = haywire_source_ram_range_count(src);
	haywire_ram_range *r = calloc(n ? n : 1, sizeof *r);
	if (!r || haywire_source_ram_ranges(src, r, n, &n)) {
		fprintf(stderr, "guest-read: cannot list ranges: %s\n", haywire_last_error());
		free(r);
		return 1;
	}
	for (uint64_t i = 0; i < n; i++)
		printf("range %" PRIx64 " %" PRIx64 "\n", r[i].gpa, r[i].size);
	free(r);
	return 0;
}

static int read_addresses(haywire_source *src, uint64_t len)
{
	unsigned char buf[4096];
	char line[128];
	while (fgets(line, sizeof line, stdin)) {
		char *end;
		uint64_t pa = strtoull(line, &end, 16);
		if (end == line)
			continue;
		uint64_t done = 0;
		int st = haywire_source_read(src, pa, buf, len, &done);
		if (st == HAYWIRE_E_NOT_RAM) {
			printf("%" PRIx64 " notram\n", pa);
			continue;
		}
		if (st) {
			fprintf(stderr, "guest-read: read %" PRIx64 ": %s\n", pa, haywire_last_error());
			return 1;
		}
		printf("%" PRIx64 " ", pa);
		for (uint64_t i = 0; i < len; i++)
			printf("%02x", buf[i]);
		putchar('\n');
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t len = 0;
	if (argc < 3 || (strcmp(argv[2], "ranges") && strcmp(argv[2], "read")) ||
	    (!strcmp(argv[2], "read") &&
	     (argc != 4 || (len = strtoull(argv[3], NULL, 0)) == 0 || len > 4096))) {
		fprintf(stderr, "usage: guest-read SPEC ranges | guest-read SPEC read N < addresses\n");
		return 2;
	}
	haywire_source *src;
	if (haywire_source_open(argv[1], &src)) {
		fprintf(stderr, "guest-read: %s: %s\n", argv[1], haywire_last_error());
		return 1;
	}
	int rc = !strcmp(argv[2], "ranges") ? list_ranges(src) : read_addresses(src, len);
	haywire_source_close(src);
	return rc;
}
