/* Decoding the kernel's compressed symbol table through a kernel-virtual reader. */
#include "kernel/kallsyms.h"

#include "core/error.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DECODED_TOTAL (256u << 20) /* bytes of all decoded names together */
#define MAX_TOKEN_LEN 1024u
#define NAMES_WINDOW (64u << 10)

struct ksym {
	uint64_t addr;
	uint32_t name; /* offset in pool */
	char type;
};

struct hw_kallsyms {
	struct ksym *syms;
	uint32_t count;
	char *pool;
	uint32_t *by_name; /* symbol indices sorted by name, globals first */
	enum hw_kallsyms_mode mode;
};

/* A read-ahead window over the names stream: one reader call per 64 KiB. */
struct window {
	const struct hw_kreader *r;
	uint64_t base; /* kva of the names area */
	uint8_t *buf;
	uint64_t start, len; /* window covers [start, start+len) of the stream */
};

static int window_get(struct window *w, uint64_t pos, uint64_t n, const uint8_t **out)
{
	if (pos + n > HW_KALLSYMS_MAX_NAMES)
		return hw_fail(HAYWIRE_E_LIMIT, "kallsyms: names run past %u bytes",
		               HW_KALLSYMS_MAX_NAMES);
	if (pos < w->start || pos + n > w->start + w->len) {
		/* Refill at POS; near the end of mapped memory fall back to the exact size. */
		if (hw_kread(w->r, w->base + pos, w->buf, NAMES_WINDOW) == HAYWIRE_OK) {
			w->len = NAMES_WINDOW;
		} else {
			int st = hw_kread(w->r, w->base + pos, w->buf, n);
			if (st)
				return hw_fail(st, "kallsyms: cannot read names at 0x%llx",
				               (unsigned long long)(w->base + pos));
			w->len = n;
		}
		w->start = pos;
	}
	*out = w->buf + (pos - w->start);
	return HAYWIRE_OK;
}

struct tokens {
	char *table;
	uint32_t off[256];
	uint32_t len[256];
};

static int read_tokens(const struct hw_kreader *r, const struct hw_kallsyms_addrs *a,
                       struct tokens *t)
{
	uint8_t idx[512];
	int st = hw_kread(r, a->token_index, idx, sizeof idx);
	if (st)
		return hw_fail(st, "kallsyms: cannot read kallsyms_token_index at 0x%llx",
		               (unsigned long long)a->token_index);
	uint32_t max_off = 0;
	for (int i = 0; i < 256; i++) {
		t->off[i] = hw_le16(idx + 2 * i);
		if (t->off[i] > max_off)
			max_off = t->off[i];
	}
	/* The last token's end is unknown: read on in small steps until its NUL. */
	uint32_t size = max_off + 1, cap = max_off + MAX_TOKEN_LEN;
	t->table = malloc(cap);
	if (!t->table)
		return hw_fail_nomem("kallsyms tokens");
	if ((st = hw_kread(r, a->token_table, t->table, size)))
		return hw_fail(st, "kallsyms: cannot read kallsyms_token_table at 0x%llx",
		               (unsigned long long)a->token_table);
	while (!memchr(t->table + max_off, '\0', size - max_off)) {
		uint32_t more = cap - size < 64 ? cap - size : 64;
		if (more == 0)
			return hw_fail(HAYWIRE_E_CORRUPT, "kallsyms: token at %u is not terminated",
			               max_off);
		if ((st = hw_kread(r, a->token_table + size, t->table + size, more)))
			return hw_fail(st, "kallsyms: cannot read kallsyms_token_table at 0x%llx",
			               (unsigned long long)(a->token_table + size));
		size += more;
	}
	for (int i = 0; i < 256; i++) {
		const char *nul = memchr(t->table + t->off[i], '\0', size - t->off[i]);
		t->len[i] = (uint32_t)(nul - (t->table + t->off[i]));
		if (t->len[i] > MAX_TOKEN_LEN)
			return hw_fail(HAYWIRE_E_CORRUPT, "kallsyms: token %d is %u bytes long", i,
			               t->len[i]);
	}
	return HAYWIRE_OK;
}

static int valid_name_char(char c)
{
	return c > 0x20 && c < 0x7f;
}

static int valid_type(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Decode all names into KS->pool / KS->syms[i].name, .type. */
static int decode_names(const struct hw_kreader *r, const struct hw_kallsyms_addrs *a,
                        const struct tokens *t, struct hw_kallsyms *ks)
{
	struct window w = {.r = r, .base = a->names};
	w.buf = malloc(NAMES_WINDOW > HW_KALLSYMS_MAX_NAME + 2 ? NAMES_WINDOW
	                                                       : HW_KALLSYMS_MAX_NAME + 2);
	uint64_t pool_cap = 1u << 20, pool_len = 0;
	ks->pool = malloc(pool_cap);
	if (!w.buf || !ks->pool) {
		free(w.buf);
		return hw_fail_nomem("kallsyms names");
	}
	char name[HW_KALLSYMS_MAX_NAME + 1];
	uint64_t pos = 0;
	int st = HAYWIRE_OK;
	for (uint32_t i = 0; i < ks->count && !st; i++) {
		const uint8_t *p;
		if ((st = window_get(&w, pos, 2, &p)))
			break;
		uint32_t len = p[0], hdr = 1;
		if (len & 0x80) { /* "big" symbol: 15-bit length in two bytes (Linux 6.1+) */
			len = (len & 0x7f) | ((uint32_t)p[1] << 7);
			hdr = 2;
		}
		if (len == 0 || len > HW_KALLSYMS_MAX_NAME) {
			st = hw_fail(HAYWIRE_E_CORRUPT, "kallsyms: symbol %u has compressed length %u",
			             i, len);
			break;
		}
		if ((st = window_get(&w, pos + hdr, len, &p)))
			break;
		uint32_t n = 0;
		for (uint32_t k = 0; k < len; k++) {
			uint32_t tl = t->len[p[k]];
			if (n + tl > HW_KALLSYMS_MAX_NAME) {
				n = HW_KALLSYMS_MAX_NAME + 1;
				break;
			}
			memcpy(name + n, t->table + t->off[p[k]], tl);
			n += tl;
		}
		pos += hdr + len;
		if (n > HW_KALLSYMS_MAX_NAME || n < 2 || !valid_type(name[0])) {
			st = hw_fail(HAYWIRE_E_CORRUPT, "kallsyms: symbol %u does not decode to a "
			             "type letter and a name", i);
			break;
		}
		for (uint32_t k = 1; k < n; k++)
			if (!valid_name_char(name[k])) {
				st = hw_fail(HAYWIRE_E_CORRUPT,
				             "kallsyms: symbol %u has a non-printable name", i);
				break;
			}
		if (st)
			break;
		if (pool_len + n > MAX_DECODED_TOTAL) {
			st = hw_fail(HAYWIRE_E_LIMIT, "kallsyms: names exceed %u bytes",
			             MAX_DECODED_TOTAL);
			break;
		}
		if (pool_len + n > pool_cap) {
			uint64_t nc = pool_cap * 2;
			char *np = realloc(ks->pool, nc);
			if (!np) {
				st = hw_fail_nomem("kallsyms names");
				break;
			}
			ks->pool = np;
			pool_cap = nc;
		}
		ks->syms[i].type = name[0];
		ks->syms[i].name = (uint32_t)pool_len;
		memcpy(ks->pool + pool_len, name + 1, n - 1);
		ks->pool[pool_len + n - 1] = '\0';
		pool_len += n;
	}
	free(w.buf);
	return st;
}

/* Read COUNT little-endian words of SIZE bytes at KVA, 1 MiB per reader call. */
static int read_array(const struct hw_kreader *r, uint64_t kva, uint32_t count, unsigned size,
                      uint8_t *out, const char *what)
{
	uint64_t total = (uint64_t)count * size, done = 0;
	while (done < total) {
		uint64_t n = total - done < (1u << 20) ? total - done : (1u << 20);
		int st = hw_kread(r, kva + done, out + done, n);
		if (st)
			return hw_fail(st, "kallsyms: cannot read %s at 0x%llx", what,
			               (unsigned long long)(kva + done));
		done += n;
	}
	return HAYWIRE_OK;
}

static int read_addresses(const struct hw_kreader *r, const struct hw_kallsyms_addrs *a,
                          enum hw_kallsyms_mode mode, struct hw_kallsyms *ks)
{
	unsigned size = a->addresses ? 8 : 4;
	uint8_t *raw = malloc((size_t)ks->count * size);
	if (!raw)
		return hw_fail_nomem("kallsyms addresses");
	int st = read_array(r, a->addresses ? a->addresses : a->offsets, ks->count, size, raw,
	                    a->addresses ? "kallsyms_addresses" : "kallsyms_offsets");
	uint8_t b[8] = {0};
	if (!st && !a->addresses && a->relative_base && (st = hw_kread(r, a->relative_base, b, 8)))
		st = hw_fail(st, "kallsyms: cannot read kallsyms_relative_base at 0x%llx",
		             (unsigned long long)a->relative_base);
	if (st) {
		free(raw);
		return st;
	}
	if (a->addresses) {
		for (uint32_t i = 0; i < ks->count; i++)
			ks->syms[i].addr = hw_le64(raw + 8 * i);
		ks->mode = HW_KALLSYMS_AUTO;
	} else {
		uint64_t base = hw_le64(b);
		if (!a->relative_base)
			mode = HW_KALLSYMS_PLACE_RELATIVE;
		if (mode == HW_KALLSYMS_AUTO) {
			mode = HW_KALLSYMS_RELATIVE;
			for (uint32_t i = 0; i < ks->count; i++)
				if ((int32_t)hw_le32(raw + 4 * i) < 0) {
					mode = HW_KALLSYMS_ABSOLUTE_PERCPU;
					break;
				}
		}
		for (uint32_t i = 0; i < ks->count; i++) {
			uint32_t u = hw_le32(raw + 4 * i);
			int32_t s = (int32_t)u;
			if (mode == HW_KALLSYMS_PLACE_RELATIVE) /* &offsets[i] + offsets[i] */
				ks->syms[i].addr = a->offsets + 4ull * i + (uint64_t)(int64_t)s;
			else if (mode == HW_KALLSYMS_RELATIVE)
				ks->syms[i].addr = base + u;
			else if (s >= 0)
				ks->syms[i].addr = (uint64_t)s;
			else /* base - 1 - s, with s < 0 */
				ks->syms[i].addr = base - 1 + (uint64_t)(-(int64_t)s);
		}
		ks->mode = mode;
	}
	free(raw);
	/* The kernel sorts by address: many descents mean a wrong mode or garbage. */
	uint64_t descents = 0;
	for (uint32_t i = 1; i < ks->count; i++)
		descents += ks->syms[i].addr < ks->syms[i - 1].addr;
	if (descents * 100 > ks->count)
		return hw_fail(HAYWIRE_E_CORRUPT,
		               "kallsyms: addresses are not sorted (%llu of %u go down)",
		               (unsigned long long)descents, ks->count);
	return HAYWIRE_OK;
}

static int is_global(char type)
{
	return type >= 'A' && type <= 'Z';
}

struct name_key {
	const char *name;
	uint32_t index;
	uint32_t local; /* 0 for globals, so they sort first among equal names */
};

static int compare_keys(const void *x, const void *y)
{
	const struct name_key *a = x, *b = y;
	int c = strcmp(a->name, b->name);
	if (c)
		return c;
	if (a->local != b->local)
		return a->local < b->local ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int build_name_index(struct hw_kallsyms *ks)
{
	struct name_key *keys = malloc((size_t)ks->count * sizeof *keys);
	ks->by_name = malloc((size_t)ks->count * sizeof *ks->by_name);
	if (!keys || !ks->by_name) {
		free(keys);
		return hw_fail_nomem("kallsyms index");
	}
	for (uint32_t i = 0; i < ks->count; i++) {
		keys[i].name = ks->pool + ks->syms[i].name;
		keys[i].index = i;
		keys[i].local = !is_global(ks->syms[i].type);
	}
	qsort(keys, ks->count, sizeof *keys, compare_keys);
	for (uint32_t i = 0; i < ks->count; i++)
		ks->by_name[i] = keys[i].index;
	free(keys);
	return HAYWIRE_OK;
}

int hw_kallsyms_load(const struct hw_kreader *r, const struct hw_kallsyms_addrs *a,
                     enum hw_kallsyms_mode mode, struct hw_kallsyms **out)
{
	*out = NULL;
	if (!r || !r->read || !a)
		return hw_fail(HAYWIRE_E_INVALID, "kallsyms: NULL argument");
	if (!a->num_syms || !a->names || !a->token_table || !a->token_index ||
	    !(a->addresses || a->offsets))
		return hw_fail(HAYWIRE_E_INVALID, "kallsyms: table addresses incomplete");
	uint8_t b[4];
	int st = hw_kread(r, a->num_syms, b, 4);
	if (st)
		return hw_fail(st, "kallsyms: cannot read kallsyms_num_syms at 0x%llx",
		               (unsigned long long)a->num_syms);
	uint32_t count = hw_le32(b);
	if (count == 0 || count > HW_KALLSYMS_MAX_SYMS)
		return hw_fail(count ? HAYWIRE_E_LIMIT : HAYWIRE_E_CORRUPT,
		               "kallsyms: kallsyms_num_syms is %u (at most %u allowed)", count,
		               HW_KALLSYMS_MAX_SYMS);

	struct hw_kallsyms *ks = calloc(1, sizeof *ks);
	struct tokens t = {0};
	if (!ks || !(ks->syms = calloc(count, sizeof *ks->syms))) {
		free(ks);
		return hw_fail_nomem("kallsyms");
	}
	ks->count = count;
	if (!(st = read_tokens(r, a, &t)) && !(st = decode_names(r, a, &t, ks)) &&
	    !(st = read_addresses(r, a, mode, ks)))
		st = build_name_index(ks);
	free(t.table);
	if (st) {
		hw_kallsyms_free(ks);
		return st;
	}
	*out = ks;
	return HAYWIRE_OK;
}

void hw_kallsyms_free(struct hw_kallsyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->pool);
	free(ks->by_name);
	free(ks);
}

uint32_t hw_kallsyms_count(const struct hw_kallsyms *ks)
{
	return ks ? ks->count : 0;
}

enum hw_kallsyms_mode hw_kallsyms_mode_used(const struct hw_kallsyms *ks)
{
	return ks ? ks->mode : HW_KALLSYMS_AUTO;
}

int hw_kallsyms_symbol(const struct hw_kallsyms *ks, uint32_t i, const char **name, char *type,
                       uint64_t *addr)
{
	if (!ks || i >= ks->count)
		return hw_fail(HAYWIRE_E_NOT_FOUND, "kallsyms: no symbol %u", i);
	if (name)
		*name = ks->pool + ks->syms[i].name;
	if (type)
		*type = ks->syms[i].type;
	if (addr)
		*addr = ks->syms[i].addr;
	return HAYWIRE_OK;
}

int hw_kallsyms_lookup(const struct hw_kallsyms *ks, const char *name, uint64_t *addr,
                       char *type)
{
	if (!ks || !name)
		return hw_fail(HAYWIRE_E_INVALID, "kallsyms lookup: NULL argument");
	uint32_t lo = 0, hi = ks->count;
	while (lo < hi) { /* first entry whose name is >= NAME */
		uint32_t mid = lo + (hi - lo) / 2;
		if (strcmp(ks->pool + ks->syms[ks->by_name[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == ks->count || strcmp(ks->pool + ks->syms[ks->by_name[lo]].name, name))
		return hw_fail(HAYWIRE_E_NOT_FOUND, "kallsyms: no symbol %s", name);
	const struct ksym *s = &ks->syms[ks->by_name[lo]];
	if (addr)
		*addr = s->addr;
	if (type)
		*type = s->type;
	return HAYWIRE_OK;
}

int hw_kallsyms_addrs_from_vmcoreinfo(const struct hw_vmcoreinfo *v,
                                      struct hw_kallsyms_addrs *out)
{
	memset(out, 0, sizeof *out);
	int st;
	if ((st = hw_vmcoreinfo_symbol(v, "kallsyms_num_syms", &out->num_syms)) ||
	    (st = hw_vmcoreinfo_symbol(v, "kallsyms_names", &out->names)) ||
	    (st = hw_vmcoreinfo_symbol(v, "kallsyms_token_table", &out->token_table)) ||
	    (st = hw_vmcoreinfo_symbol(v, "kallsyms_token_index", &out->token_index)))
		return st;
	if (hw_vmcoreinfo_symbol(v, "kallsyms_offsets", &out->offsets) == HAYWIRE_OK) {
		/* Kernels with place-relative offsets (2026 on) have no base. */
		if (hw_vmcoreinfo_symbol(v, "kallsyms_relative_base", &out->relative_base))
			out->relative_base = 0;
		return HAYWIRE_OK;
	}
	return hw_vmcoreinfo_symbol(v, "kallsyms_addresses", &out->addresses);
}
