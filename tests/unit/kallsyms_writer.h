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
	while (im->len % align)
		im->len++;
	if (im->len + len > im->cap) {
		im->cap = (im->len + len) * 2;
		im->mem = realloc(im->mem, im->cap);
	}
	memcpy(im->mem + im->len, data, len);
	im->len += len;
	return im->base + im->len - len;
}

static inline void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Multi-character tokens given to byte values no symbol uses. */
static const char *const common[] = {"kallsyms_", "sym_", "init", "task", "_t", "ext",
                                     "__", "per_cpu", "0", "00"};

enum layout { OFFSETS_RELATIVE, OFFSETS_ABSOLUTE_PERCPU, ADDRESSES };

/* Tables for SYMS (sorted by address) laid out from kernel VA BASE. */
static inline struct image build_at(uint64_t base, const struct sym *syms, uint32_t n,
                                    enum layout how, uint64_t relative_base)
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
		for (uint32_t i = 0; i < n; i++) {
			int64_t off;
			if (how == OFFSETS_RELATIVE)
				off = (int64_t)(syms[i].addr - relative_base);
			else if (syms[i].addr < relative_base) /* per-CPU: absolute */
				off = (int64_t)syms[i].addr;
			else
				off = -(int64_t)(syms[i].addr - relative_base + 1);
			put_le(addrs + 4 * i, (uint64_t)off, 4);
		}
		im.a.offsets = put(&im, addrs, (size_t)n * 4, 8);
		uint8_t b[8];
		put_le(b, relative_base, 8);
		im.a.relative_base = put(&im, b, 8, 8);
	}
	uint8_t cnt[4];
	put_le(cnt, n, 4);
	im.a.num_syms = put(&im, cnt, 4, 8);
	im.a.names = put(&im, names, nlen, 8);
	im.a.token_table = put(&im, table, tlen, 8);
	im.a.token_index = put(&im, index, sizeof index, 8);
	free(names);
	free(addrs);
	return im;
}

#endif
