/*
 * Layouts: where each guest-physical RAM range lives in a RAM file.
 *
 * Named layouts reproduce how QEMU places its single RAM block in the guest's
 * physical address space for a given RAM size; explicit layouts list ranges.
 */
#include "source/layout.h"

#include "core/error.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GiB (1ull << 30)
#define FOUR_GIB (4ull << 30)

/* Parse one number with optional K/M/G/T suffix; advances *P. */
static int parse_number(const char **p, uint64_t *out, const char *what)
{
	const char *s = *p;
	if (!isdigit((unsigned char)*s))
		return hw_fail(HAYWIRE_E_INVALID, "layout: expected a number for %s at \"%.32s\"",
		               what, s);
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return hw_fail(HAYWIRE_E_INVALID, "layout: %s \"%.32s\" does not fit in 64 bits",
		               what, s);
	unsigned shift = 0;
	switch (*end) {
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	case 'T': case 't': shift = 40; break;
	}
	if (shift) {
		if (v > (UINT64_MAX >> shift))
			return hw_fail(HAYWIRE_E_INVALID,
			               "layout: %s \"%.32s\" does not fit in 64 bits", what, s);
		v <<= shift;
		end++;
	}
	*out = v;
	*p = end;
	return HAYWIRE_OK;
}

/* Explicit "GPA:SIZE[@OFF];..." ranges. */
static int parse_ranges(const char *text, uint64_t file_size, struct hw_range **out,
                        uint64_t *count)
{
	uint64_t n = 1;
	for (const char *c = text; *c; c++)
		n += *c == ';';
	if (n > HW_MAX_RANGES)
		return hw_fail(HAYWIRE_E_INVALID, "layout: %llu ranges, at most %d allowed",
		               (unsigned long long)n, HW_MAX_RANGES);
	struct hw_range *r = calloc(n, sizeof *r);
	if (!r)
		return hw_fail_nomem("layout ranges");

	const char *p = text;
	uint64_t next_offset = 0;
	int st = HAYWIRE_OK;
	for (uint64_t i = 0; i < n; i++) {
		if ((st = parse_number(&p, &r[i].gpa, "guest-physical address")))
			goto fail;
		if (*p != ':') {
			st = hw_fail(HAYWIRE_E_INVALID,
			             "layout: expected ':' after range %llu's address at \"%.32s\"",
			             (unsigned long long)i + 1, p);
			goto fail;
		}
		p++;
		if ((st = parse_number(&p, &r[i].size, "size")))
			goto fail;
		r[i].offset = next_offset;
		if (*p == '@') {
			p++;
			if ((st = parse_number(&p, &r[i].offset, "file offset")))
				goto fail;
		}
		if (*p != (i + 1 < n ? ';' : '\0')) {
			st = hw_fail(HAYWIRE_E_INVALID, "layout: unexpected \"%.32s\" in range %llu",
			             p, (unsigned long long)i + 1);
			goto fail;
		}
		p++;
		if (r[i].size && r[i].offset + r[i].size < r[i].offset) {
			st = hw_fail(HAYWIRE_E_INVALID,
			             "layout: range %llu: file offset 0x%llx + size 0x%llx wraps",
			             (unsigned long long)i + 1, (unsigned long long)r[i].offset,
			             (unsigned long long)r[i].size);
			goto fail;
		}
		next_offset = r[i].offset + r[i].size;
	}
	if ((st = hw_ranges_validate(r, n, "layout")))
		goto fail;
	for (uint64_t i = 0; i < n; i++) {
		if (r[i].offset + r[i].size > file_size) {
			st = hw_fail(HAYWIRE_E_CORRUPT,
			             "layout: range at PA 0x%llx needs file bytes up to 0x%llx but the "
			             "file is only 0x%llx bytes",
			             (unsigned long long)r[i].gpa,
			             (unsigned long long)(r[i].offset + r[i].size),
			             (unsigned long long)file_size);
			goto fail;
		}
	}
	*out = r;
	*count = n;
	return HAYWIRE_OK;
fail:
	free(r);
	return st;
}

/* x86: one RAM block split around the PCI hole below 4 GiB, as QEMU does. */
static int split_x86(uint64_t size, uint64_t lowmem, struct hw_range **out, uint64_t *count)
{
	uint64_t low = size < lowmem ? size : lowmem;
	uint64_t n = size > low ? 2 : 1;
	struct hw_range *r = calloc(n, sizeof *r);
	if (!r)
		return hw_fail_nomem("layout ranges");
	r[0] = (struct hw_range){.gpa = 0, .size = low, .offset = 0};
	if (n == 2)
		r[1] = (struct hw_range){.gpa = FOUR_GIB, .size = size - low, .offset = low};
	*out = r;
	*count = n;
	return HAYWIRE_OK;
}

static int single_range(uint64_t gpa, uint64_t size, struct hw_range **out, uint64_t *count)
{
	if (gpa + size < gpa)
		return hw_fail(HAYWIRE_E_INVALID, "layout: 0x%llx bytes at PA 0x%llx wraps",
		               (unsigned long long)size, (unsigned long long)gpa);
	struct hw_range *r = calloc(1, sizeof *r);
	if (!r)
		return hw_fail_nomem("layout ranges");
	*r = (struct hw_range){.gpa = gpa, .size = size, .offset = 0};
	*out = r;
	*count = 1;
	return HAYWIRE_OK;
}

int hw_layout_parse(const char *layout, uint64_t file_size, struct hw_range **out,
                    uint64_t *count)
{
	*out = NULL;
	*count = 0;
	if (file_size == 0)
		return hw_fail(HAYWIRE_E_CORRUPT, "layout: the file is empty");
	if (!layout || !*layout || !strcmp(layout, "flat"))
		return single_range(0, file_size, out, count);
	if (!strcmp(layout, "virt"))
		return single_range(0x40000000ull, file_size, out, count);
	if (!strcmp(layout, "q35"))
		return split_x86(file_size, file_size >= 0xB0000000ull ? 2 * GiB : 0xB0000000ull,
		                 out, count);
	if (!strcmp(layout, "pc"))
		return split_x86(file_size, file_size >= 0xE0000000ull ? 3 * GiB : 0xE0000000ull,
		                 out, count);
	if (isdigit((unsigned char)layout[0]))
		return parse_ranges(layout, file_size, out, count);
	return hw_fail(HAYWIRE_E_INVALID,
	               "layout: unknown layout \"%.64s\" (expected virt, q35, pc, flat or "
	               "GPA:SIZE[@OFFSET];...)",
	               layout);
}
