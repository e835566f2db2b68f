/*
 * A kallsyms table writer for tests, following scripts/kallsyms.c's format:
 * token compression (greedy, with multi-character tokens on unused byte
 * values), 1- and 2-byte name lengths, relative or absolute-per-CPU offsets
 * or plain addresses; and a kernel-virtual reader over the result.
 */
#ifndef HW_TEST_KALLSYMS_WRITER_H
#define HW_TEST_KALLSYMS_WRITER_H

#include "kernel/kallsyms.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sym {
	char type;
	char name[400];
	uint64_t addr;
};

/* The kernel-virtual memory the reader serves: [base, base + len). */
struct image {
	uint64_t base;
	uint8_t *mem;
	size_t len, cap;
	struct hw_kallsyms_addrs a;
};

static inline int image_read(void *ctx, uint64_t kva, void *buf, uint64_t len)
{
	const struct image *im = ctx;
	if (kva < im->base || kva - im->base > im->len || len > im->len - (kva - im->base))
		return HAYWIRE_E_NOT_MAPPED;
	memcpy(buf, im->mem + (kva - im->base), len);
	return HAYWIRE_OK;
}

static inline uint64_t put(struct image *im, const void *data, size_t len, size_t align)
{
	size_t at = (im->len + align - 1) / align * align; /* .balign: zero padding */
	if (at + len > im->cap) {
		im->cap = (at + len) * 2;
		im->mem = realloc(im->mem, im->cap);
	}
	memset(im->mem + im->len, 0, at - im->len);
	memcpy(im->mem + at, data, len);
	im->len = at + len;
	return im->base + at;
}

static inline void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Multi-character tokens given to byte values no symbol uses (then letter pairs). */
static const char *const common[] = {"kallsyms_", "sym_", "init", "task", "_t", "ext",
                                     "__", "per_cpu", "0", "00"};

enum layout { OFFSETS_RELATIVE, OFFSETS_ABSOLUTE_PERCPU, ADDRESSES, OFFSETS_PLACE_RELATIVE };

/*
 * Tables for SYMS (sorted by address) laid out from kernel VA BASE in
 * scripts/kallsyms.c's order: offsets (or addresses), relative_base, num_syms,
 * names, markers, [seqs_of_names when SEQS], token_table, token_index.
 */
static inline struct image build_layout(uint64_t base, const struct sym *syms, uint32_t n,
                                        enum layout how, uint64_t relative_base, int seqs)
{
	struct image im = {0};
	im.base = base;
	char tokens[256][32];
	memset(tokens, 0, sizeof tokens);
	int used[256] = {0};
	for (uint32_t i = 0; i < n; i++) {
		used[(uint8_t)syms[i].type] = 1;
		for (const char *c = syms[i].name; *c; c++)
			used[(uint8_t)*c] = 1;
	}
	size_t next_common = 0;
	for (int t = 1; t < 256; t++) {
		if (used[t])
			tokens[t][0] = (char)t;
		else if (next_common < sizeof common / sizeof common[0])
			strcpy(tokens[t], common[next_common++]);
		else /* like the kernel, leave no slot empty: pairs of letters */
			snprintf(tokens[t], sizeof tokens[t], "%c%c", 'a' + t % 26,
			         'a' + (t / 26) % 26);
	}
	/* Names: greedy longest-token compression of type + name. */
	uint8_t *names = malloc((size_t)n * 410);
	size_t nlen = 0;
	for (uint32_t i = 0; i < n; i++) {
		char full[402];
		snprintf(full, sizeof full, "%c%s", syms[i].type, syms[i].name);
		uint8_t codes[402];
		uint32_t nc = 0;
		for (size_t pos = 0; full[pos];) {
			int best = 0;
			size_t best_len = 0;
			for (int t = 1; t < 256; t++) {
				size_t tl = strlen(tokens[t]);
				if (tl > best_len && !strncmp(full + pos, tokens[t], tl)) {
					best = t;
					best_len = tl;
				}
			}
			ck_assert_int_gt(best, 0);
			codes[nc++] = (uint8_t)best;
			pos += best_len;
		}
		if (nc < 128) {
			names[nlen++] = (uint8_t)nc;
		} else { /* the 6.1 "big symbol" form */
			names[nlen++] = (uint8_t)(0x80 | (nc & 0x7f));
			names[nlen++] = (uint8_t)(nc >> 7);
		}
		memcpy(names + nlen, codes, nc);
		nlen += nc;
	}
	char table[256 * 33];
	uint8_t index[512];
	size_t tlen = 0;
	for (int t = 0; t < 256; t++) {
		put_le(index + 2 * t, tlen, 2);
		size_t l = strlen(tokens[t]) + 1;
		memcpy(table + tlen, tokens[t], l);
		tlen += l;
	}
	uint8_t *addrs = malloc((size_t)n * 8);
	if (how == ADDRESSES) {
		for (uint32_t i = 0; i < n; i++)
			put_le(addrs + 8 * i, syms[i].addr, 8);
		im.a.addresses = put(&im, addrs, (size_t)n * 8, 8);
	} else {
		uint64_t at = im.base + (im.len + 7) / 8 * 8; /* where the offsets will sit */
		for (uint32_t i = 0; i < n; i++) {
			int64_t off;
			if (how == OFFSETS_PLACE_RELATIVE)
				off = (int64_t)(syms[i].addr - (at + 4ull * i));
			else if (how == OFFSETS_RELATIVE)
				off = (int64_t)(syms[i].addr - relative_base);
			else if (syms[i].addr < relative_base) /* per-CPU: absolute */
				off = (int64_t)syms[i].addr;
			else
				off = -(int64_t)(syms[i].addr - relative_base + 1);
			put_le(addrs + 4 * i, (uint64_t)off, 4);
		}
		im.a.offsets = put(&im, addrs, (size_t)n * 4, 8);
		ck_assert_uint_eq(im.a.offsets, at);
		if (how != OFFSETS_PLACE_RELATIVE) {
			uint8_t b[8];
			put_le(b, relative_base, 8);
			im.a.relative_base = put(&im, b, 8, 8);
		}
	}
	uint8_t cnt[4];
	put_le(cnt, n, 4);
	im.a.num_syms = put(&im, cnt, 4, 8);
	im.a.names = put(&im, names, nlen, 8);
	/* markers: offset in names of every 256th symbol */
	uint32_t nm = (n + 255) / 256;
	uint8_t *markers = calloc(nm, 4);
	for (uint32_t i = 0, pos = 0; i < n; i++) {
		if (i % 256 == 0)
			put_le(markers + 4 * (i / 256), pos, 4);
		pos += (names[pos] & 0x80) ? 2 + ((names[pos] & 0x7f) | (names[pos + 1] << 7))
		                           : 1 + names[pos];
	}
	put(&im, markers, (size_t)nm * 4, 8);
	free(markers);
	if (seqs) { /* contents do not matter to the decoder; the size does */
		uint8_t *q = malloc((size_t)n * 3);
		for (uint32_t i = 0; i < n; i++) {
			q[3 * i] = (uint8_t)(i >> 16);
			q[3 * i + 1] = (uint8_t)(i >> 8);
			q[3 * i + 2] = (uint8_t)i;
		}
		put(&im, q, (size_t)n * 3, 8);
		free(q);
	}
	im.a.token_table = put(&im, table, tlen, 8);
	im.a.token_index = put(&im, index, sizeof index, 8);
	free(names);
	free(addrs);
	return im;
}

static inline struct image build_at(uint64_t base, const struct sym *syms, uint32_t n,
                                    enum layout how, uint64_t relative_base)
{
	return build_layout(base, syms, n, how, relative_base, 0);
}

#endif
