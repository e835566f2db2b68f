/*
 * A small BTF writer for tests: builds blobs type by type, so tests can make
 * good and deliberately broken BTF. Little-endian, version 1, 24-byte header.
 */
#ifndef HW_TEST_BTF_WRITER_H
#define HW_TEST_BTF_WRITER_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct bw {
	uint8_t *types;
	size_t tlen, tcap;
	char *strs;
	size_t slen, scap;
	uint32_t ntypes; /* ids handed out so far (last id) */
};

static inline void bw_grow(void **p, size_t *cap, size_t need)
{
	if (need <= *cap)
		return;
	size_t n = *cap ? *cap : 256;
	while (n < need)
		n *= 2;
	*p = realloc(*p, n);
	ck_assert_ptr_nonnull(*p);
	*cap = n;
}

static inline void bw_init(struct bw *w)
{
	memset(w, 0, sizeof *w);
	bw_grow((void **)&w->strs, &w->scap, 1);
	w->strs[0] = '\0';
	w->slen = 1;
}

static inline void bw_free(struct bw *w)
{
	free(w->types);
	free(w->strs);
}

/* Offset of NAME in the string section ("" and NULL give 0). */
static inline uint32_t bw_str(struct bw *w, const char *name)
{
	if (!name || !*name)
		return 0;
	size_t n = strlen(name) + 1;
	bw_grow((void **)&w->strs, &w->scap, w->slen + n);
	memcpy(w->strs + w->slen, name, n);
	w->slen += n;
	return (uint32_t)(w->slen - n);
}

static inline void bw_u32(struct bw *w, uint32_t v)
{
	bw_grow((void **)&w->types, &w->tcap, w->tlen + 4);
	for (int i = 0; i < 4; i++)
		w->types[w->tlen++] = (uint8_t)(v >> (8 * i));
}

/* A record header; returns the new type id. Kind-specific data follows with bw_u32. */
static inline uint32_t bw_type(struct bw *w, const char *name, uint32_t kind, uint32_t kflag,
                               uint32_t vlen, uint32_t size_type)
{
	bw_u32(w, bw_str(w, name));
	bw_u32(w, (kflag << 31) | (kind << 24) | vlen);
	bw_u32(w, size_type);
	return ++w->ntypes;
}

static inline uint32_t bw_int(struct bw *w, const char *name, uint32_t size)
{
	uint32_t id = bw_type(w, name, 1, 0, 0, size);
	bw_u32(w, size * 8); /* encoding 0, offset 0, nr_bits */
	return id;
}

static inline uint32_t bw_ref(struct bw *w, uint32_t kind, const char *name, uint32_t target)
{
	return bw_type(w, name, kind, 0, 0, target);
}

static inline uint32_t bw_array(struct bw *w, uint32_t elem, uint32_t index, uint32_t n)
{
	uint32_t id = bw_type(w, NULL, 3, 0, 0, 0);
	bw_u32(w, elem);
	bw_u32(w, index);
	bw_u32(w, n);
	return id;
}

/* STRUCT (kind 4) or UNION (5) header; add exactly VLEN bw_member calls after it. */
static inline uint32_t bw_struct(struct bw *w, uint32_t kind, const char *name, uint32_t kflag,
                                 uint32_t vlen, uint32_t size)
{
	return bw_type(w, name, kind, kflag, vlen, size);
}

/* A member; with kind_flag set on the struct, BITS is the bitfield size (0 = none). */
static inline void bw_member(struct bw *w, const char *name, uint32_t type, uint32_t bit_off,
                             uint32_t bits)
{
	bw_u32(w, bw_str(w, name));
	bw_u32(w, type);
	bw_u32(w, (bits << 24) | bit_off);
}

/* The blob: header + types + strings, malloc'd. */
static inline uint8_t *bw_finish(const struct bw *w, size_t *len)
{
	size_t n = 24 + w->tlen + w->slen;
	uint8_t *b = malloc(n);
	ck_assert_ptr_nonnull(b);
	uint32_t h[6] = {0, 24, 0, (uint32_t)w->tlen, (uint32_t)w->tlen, (uint32_t)w->slen};
	for (int i = 1; i < 6; i++)
		for (int k = 0; k < 4; k++)
			b[4 * i + k] = (uint8_t)(h[i] >> (8 * k));
	b[0] = 0x9f;
	b[1] = 0xeb;
	b[2] = 1;
	b[3] = 0;
	if (w->tlen)
		memcpy(b + 24, w->types, w->tlen);
	memcpy(b + 24 + w->tlen, w->strs, w->slen);
	*len = n;
	return b;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#endif
