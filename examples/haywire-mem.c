/*
 * haywire-mem: print a source's RAM ranges and hex-dump guest-physical memory.
 *
 *   haywire-mem SOURCE              list the RAM ranges
 *   haywire-mem SOURCE PA [LEN]     also hex-dump LEN bytes (default 256) at PA
 */
#include <haywire/haywire.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	*out = strtoull(s, &end, 0);
	return *s && !*end;
}

static void hexdump(uint64_t pa, const unsigned char *buf, uint64_t len)
{
	for (uint64_t i = 0; i < len; i += 16) {
		printf("%016" PRIx64 " ", pa + i);
		for (uint64_t j = i; j < i + 16; j++)
			j < len ? printf(" %02x", buf[j]) : printf("   ");
		printf("  |");
		for (uint64_t j = i; j < i + 16 && j < len; j++)
			putchar(buf[j] >= 0x20 && buf[j] < 0x7f ? buf[j] : '.');
		printf("|\n");
	}
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: %s SOURCE [PA [LEN]]\n", argv[0]);
		return 2;
	}
	uint64_t pa = 0, len = 256;
	if ((argc > 2 && !parse_u64(argv[2], &pa)) || (argc > 3 && !parse_u64(argv[3], &len)) ||
	    len > (1u << 20)) {
		fprintf(stderr, "%s: bad PA or LEN (LEN at most 1 MiB)\n", argv[0]);
		return 2;
	}

	haywire_source *src;
	if (haywire_source_open(argv[1], &src)) {
		fprintf(stderr, "%s: %s\n", argv[0], haywire_last_error());
		return 1;
	}
	printf("source: %s (%s%s)\n", argv[1], haywire_source_kind(src),
	       haywire_source_flags(src) & HAYWIRE_SOURCE_LAYOUT_GUESSED ? ", layout guessed" : "");
	uint64_t n = haywire_source_ram_range_count(src);
	haywire_ram_range *ranges = calloc(n ? n : 1, sizeof *ranges);
	if (!ranges || haywire_source_ram_ranges(src, ranges, n, &n)) {
		fprintf(stderr, "%s: cannot list RAM ranges\n", argv[0]);
		haywire_source_close(src);
		return 1;
	}
	for (uint64_t i = 0; i < n; i++)
		printf("ram  0x%016" PRIx64 "-0x%016" PRIx64 "  %" PRIu64 " MiB\n", ranges[i].gpa,
		       ranges[i].gpa + ranges[i].size - 1, ranges[i].size >> 20);
	free(ranges);

	int rc = 0;
	if (argc > 2) {
		unsigned char *buf = malloc(len ? len : 1);
		uint64_t done = 0;
		int st = buf ? haywire_source_read(src, pa, buf, len, &done) : HAYWIRE_E_NOMEM;
		if (buf)
			hexdump(pa, buf, done);
		if (st) {
			fprintf(stderr, "%s: %s\n", argv[0], haywire_last_error());
			rc = 1;
		}
		free(buf);
	}
	haywire_source_close(src);
	return rc;
}
