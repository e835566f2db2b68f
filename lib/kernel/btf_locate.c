/* Finding the kernel's BTF blob: by its symbols, or by scanning guest RAM. */
#include "kernel/btf.h"

#include "core/error.h"
#include "source/source_impl.h"

#include <stdlib.h>
#include <string.h>

#define HDR_LEN 24u
#define SCAN_CHUNK (4u << 20)
#define MAX_CANDIDATES 256u /* headers that look right but do not parse */

static const uint8_t btf_signature[8] = {0x9f, 0xeb, 0x01, 0x00, 0x18, 0x00, 0x00, 0x00};

int hw_btf_header_plausible(const void *buf, uint64_t len, uint64_t *total)
{
	const uint8_t *d = buf;
	if (len < HDR_LEN || memcmp(d, btf_signature, 3) != 0 || d[3] != 0 ||
	    hw_le32(d + 4) != HDR_LEN)
		return 0;
	uint32_t type_off = hw_le32(d + 8), type_len = hw_le32(d + 12);
	uint32_t str_off = hw_le32(d + 16), str_len = hw_le32(d + 20);
	/* What pahole and the kernel write: types first, strings right after. */
	if (type_off != 0 || (type_len & 3) || type_len < 12 || str_off != type_len ||
	    str_len == 0)
		return 0;
	uint64_t t = (uint64_t)HDR_LEN + str_off + str_len;
	if (t > HW_BTF_MAX_SIZE)
		return 0;
	*total = t;
	return 1;
}

int hw_btf_load_kva(const struct hw_kreader *r, uint64_t start, uint64_t stop,
                    struct hw_btf **out)
{
	*out = NULL;
	if (!r || !r->read || stop <= start)
		return hw_fail(HAYWIRE_E_INVALID, "btf: bad range 0x%llx..0x%llx",
		               (unsigned long long)start, (unsigned long long)stop);
	if (stop - start > HW_BTF_MAX_SIZE)
		return hw_fail(HAYWIRE_E_LIMIT, "btf: %llu bytes between __start_BTF and "
		               "__stop_BTF exceeds %u", (unsigned long long)(stop - start),
		               HW_BTF_MAX_SIZE);
	uint64_t len = stop - start;
	uint8_t *buf = malloc(len);
	if (!buf)
		return hw_fail_nomem("btf");
	for (uint64_t done = 0; done < len;) {
		uint64_t n = len - done < (1u << 20) ? len - done : (1u << 20);
		int st = hw_kread(r, start + done, buf + done, n);
		if (st) {
			free(buf);
			return hw_fail(st, "btf: cannot read kernel memory at 0x%llx",
			               (unsigned long long)(start + done));
		}
		done += n;
	}
	int st = hw_btf_parse(buf, len, out);
	free(buf);
	return st;
}

/* Try the blob whose header is at PA: read it whole and parse it. */
static int try_blob(const haywire_source *src, uint64_t pa, uint64_t total, struct hw_btf **out)
{
	uint8_t *buf = malloc(total);
	if (!buf)
		return hw_fail_nomem("btf");
	uint64_t done = 0;
	int st = hw_source_read_quiet(src, pa, buf, total, &done);
	if (st == HAYWIRE_OK)
		st = hw_btf_parse(buf, total, out);
	free(buf);
	/*
	 * A module's split BTF has the same header and may parse on its own when it
	 * only refers to itself; vmlinux's is the one that defines task_struct.
	 */
	uint32_t id;
	if (st == HAYWIRE_OK && hw_btf_find(*out, "task_struct", HW_BTF_STRUCT, &id) != HAYWIRE_OK) {
		hw_btf_free(*out);
		*out = NULL;
		st = HAYWIRE_E_NOT_FOUND;
	}
	return st;
}

int hw_btf_scan_pa_range(const haywire_source *src, uint64_t start, uint64_t len, uint64_t *pa,
                         struct hw_btf **out)
{
	*out = NULL;
	if (!src || !pa)
		return hw_fail(HAYWIRE_E_INVALID, "btf scan: NULL argument");
	uint64_t stop = start + len < start ? UINT64_MAX : start + len;
	uint8_t *chunk = NULL;
	uint32_t tried = 0;
	int st = HAYWIRE_E_NOT_FOUND;
	for (uint64_t i = 0; i < src->nranges && st == HAYWIRE_E_NOT_FOUND; i++) {
		const struct hw_range *r = &src->ranges[i];
		uint64_t r_end = r->gpa + r->size; /* validated: no wrap */
		uint64_t lo = r->gpa > start ? r->gpa : start, hi = r_end < stop ? r_end : stop;
		if (lo >= hi)
			continue;
		uint64_t end = hi - r->gpa;
		/* Chunks overlap by a header less a byte: each header is seen whole once. */
		for (uint64_t off = lo - r->gpa; off < end && st == HAYWIRE_E_NOT_FOUND;) {
			uint64_t n = end - off < SCAN_CHUNK ? end - off : SCAN_CHUNK;
			const uint8_t *p;
			if (r->host) {
				p = r->host + off;
			} else {
				if (!chunk && !(chunk = malloc(SCAN_CHUNK))) {
					st = hw_fail_nomem("btf scan");
					break;
				}
				uint64_t got = 0;
				hw_source_read_quiet(src, r->gpa + off, chunk, n, &got);
				n = got;
				p = chunk;
			}
			for (const uint8_t *hit = p; n >= HDR_LEN && hit;) {
				hit = memmem(hit, n - (uint64_t)(hit - p), btf_signature,
				             sizeof btf_signature);
				if (!hit)
					break;
				uint64_t total, at = r->gpa + off + (uint64_t)(hit - p);
				uint64_t left = n - (uint64_t)(hit - p);
				if (left >= HDR_LEN && hw_btf_header_plausible(hit, left, &total)) {
					if (++tried > MAX_CANDIDATES) {
						st = hw_fail(HAYWIRE_E_LIMIT,
						             "btf scan: more than %u candidate headers, "
						             "none parses", MAX_CANDIDATES);
						break;
					}
					int t = try_blob(src, at, total, out);
					if (t == HAYWIRE_OK) {
						*pa = at;
						st = HAYWIRE_OK;
						break;
					}
					if (t == HAYWIRE_E_NOMEM) {
						st = t;
						break;
					}
				}
				hit++;
			}
			if (n < SCAN_CHUNK || end - off <= SCAN_CHUNK)
				break;
			off += SCAN_CHUNK - (HDR_LEN - 1);
		}
	}
	free(chunk);
	if (st == HAYWIRE_E_NOT_FOUND)
		return hw_fail(st, "no parseable BTF blob in guest RAM 0x%llx..0x%llx",
		               (unsigned long long)start, (unsigned long long)stop);
	return st;
}

int hw_btf_scan_source(const haywire_source *src, uint64_t *pa, struct hw_btf **out)
{
	return hw_btf_scan_pa_range(src, 0, UINT64_MAX, pa, out);
}
