/* Finding the kallsyms tables in kernel memory by their structure alone. */
#include "kernel/kallsyms.h"

#include "core/error.h"

#include <string.h>

#define MAX_TOKEN_INDEX_CANDIDATES 64u
#define MAX_TOKEN_PAD 1024u /* bytes between the table's computed start and its real one */

static uint64_t align8(uint64_t x)
{
	return (x + 7) & ~(uint64_t)7;
}

/* 256 strictly increasing u16 from 0, spanning a table of mostly multi-byte tokens. */
static int token_index_at(const uint8_t *p, uint16_t idx[256])
{
	if (p[0] || p[1])
		return 0;
	for (int k = 0; k < 256; k++) {
		idx[k] = hw_le16(p + 2 * k);
		if (k && idx[k] <= idx[k - 1])
			return 0;
	}
	return idx[255] >= 2 * 256; /* tokens average two characters or more */
}

/* Offset of the token table ending before index offset TI, or UINT64_MAX. */
static uint64_t token_table_before(const uint8_t *buf, uint64_t ti, const uint16_t idx[256])
{
	if (ti < (uint64_t)idx[255] + 2)
		return UINT64_MAX;
	uint64_t first = (ti - idx[255] - 2) & ~(uint64_t)7;
	for (uint64_t tt = first, j = 0; j < MAX_TOKEN_PAD / 8 && tt <= first; j++, tt -= 8) {
		int ok = 1;
		for (int k = 0; k < 256 && ok; k++) {
			uint64_t end = k < 255 ? tt + idx[k + 1] - 1 : UINT64_MAX;
			const uint8_t *s = buf + tt + idx[k];
			if (k == 255) { /* the last one ends at its NUL, before the index */
				const uint8_t *nul = memchr(s, 0, ti - (tt + idx[k]));
				ok = nul != NULL;
				end = nul ? (uint64_t)(nul - buf) : 0;
			} else {
				ok = buf[end] == 0 && !memchr(s, 0, end - (tt + idx[k]));
			}
			for (uint64_t c = tt + idx[k]; ok && c < end; c++)
				ok = buf[c] > 0x20 && buf[c] < 0x7f;
		}
		if (ok)
			return tt;
		if (tt < 8)
			break;
	}
	return UINT64_MAX;
}

/* Offset just past the compressed name at POS (not past LIMIT), or 0. */
static uint64_t skip_name(const uint8_t *buf, uint64_t pos, uint64_t limit)
{
	if (pos + 2 > limit)
		return 0;
	uint32_t len = buf[pos], hdr = 1;
	if (len & 0x80) {
		len = (len & 0x7f) | ((uint32_t)buf[pos + 1] << 7);
		hdr = 2;
	}
	if (len == 0 || pos + hdr + len > limit)
		return 0;
	return pos + hdr + len;
}

/*
 * Is X (offset of a candidate kallsyms_num_syms) the count for a names area
 * that ends at the markers before S (the seqs or token table)? Cheap checks
 * first: markers well-formed, the last 256 names end at the markers; then every
 * marker against the names.
 */
static int count_fits(const uint8_t *buf, uint64_t x, uint32_t n, uint64_t s)
{
	uint64_t m = (n + 255u) / 256u, names = x + 8;
	if (s < align8(4 * m) || s - align8(4 * m) <= names)
		return 0;
	uint64_t mk = s - align8(4 * m);
	if (hw_le32(buf + mk) != 0)
		return 0;
	for (uint64_t k = 1; k < m; k++)
		if (hw_le32(buf + mk + 4 * k) <= hw_le32(buf + mk + 4 * (k - 1)))
			return 0;
	uint64_t pos = names + hw_le32(buf + mk + 4 * (m - 1));
	for (uint64_t i = 256 * (m - 1); i < n && pos; i++)
		pos = skip_name(buf, pos, mk);
	if (!pos || align8(pos) != mk)
		return 0;
	pos = names;
	for (uint64_t i = 0; i < n && pos; i++) {
		if (i % 256 == 0 && pos - names != hw_le32(buf + mk + 4 * (i / 256)))
			return 0;
		pos = skip_name(buf, pos, mk);
	}
	return pos != 0;
}

int hw_kallsyms_locate(const uint8_t *buf, uint64_t len, uint64_t base,
                       struct hw_kallsyms_addrs *out)
{
	memset(out, 0, sizeof *out);
	if (!buf)
		return hw_fail(HAYWIRE_E_INVALID, "kallsyms locate: NULL buffer");
	uint32_t tried = 0;
	uint16_t idx[256];
	for (uint64_t ti = 0; len >= 512 && ti <= len - 512; ti += 8) {
		if (buf[ti] || buf[ti + 1] || !token_index_at(buf + ti, idx))
			continue;
		if (++tried > MAX_TOKEN_INDEX_CANDIDATES)
			break;
		uint64_t tt = token_table_before(buf, ti, idx);
		if (tt == UINT64_MAX)
			continue;
		/* Walk back from the table over 8-aligned candidates for the count. */
		for (uint64_t x = tt & ~(uint64_t)7; x >= 16; x -= 8) {
			uint32_t n = hw_le32(buf + x);
			if (n == 0 || n > HW_KALLSYMS_MAX_SYMS || hw_le32(buf + x + 4) != 0)
				continue;
			/* Names need >= 2 bytes each: past this, no count can fit. */
			if ((uint64_t)n * 2 > tt - x)
				continue;
			uint64_t with_seqs = tt >= align8(3ull * n) ? tt - align8(3ull * n) : 0;
			int seqs = with_seqs > x && count_fits(buf, x, n, with_seqs);
			if (!seqs && !count_fits(buf, x, n, tt))
				continue;
			uint64_t offsets = x - 8;
			if (offsets < align8(4ull * n))
				continue;
			offsets -= align8(4ull * n);
			out->num_syms = base + x;
			out->names = base + x + 8;
			out->relative_base = base + x - 8;
			out->offsets = base + offsets;
			out->token_table = base + tt;
			out->token_index = base + ti;
			return HAYWIRE_OK;
		}
	}
	return hw_fail(HAYWIRE_E_NOT_FOUND, "kallsyms locate: no kallsyms tables in %llu bytes",
	               (unsigned long long)len);
}
