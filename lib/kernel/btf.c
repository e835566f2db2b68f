/* BTF: parsing and validating a blob, type queries. */
#include "kernel/btf.h"

#include "core/error.h"

#include <stdlib.h>
#include <string.h>

#define BTF_MAGIC 0xEB9F
#define HDR_LEN 24u
#define TYPE_HDR 12u
#define MEMBER_VISIT_BUDGET (1u << 20) /* members examined per path component */

struct hw_btf {
	uint8_t *data; /* owned copy of the blob */
	uint64_t size;
	const uint8_t *types;
	uint32_t types_len;
	const char *strs;
	uint32_t strs_len;
	uint32_t count;     /* type ids 0 .. count-1 */
	uint32_t *offs;     /* offs[id]: record offset in the type section (id >= 1) */
	uint32_t *hash;     /* bucket heads (type ids, 0 = empty) */
	uint32_t *next;     /* chain per type id */
	uint32_t hash_mask;
	uint32_t ptr_size;
};

static uint32_t rec_kind(uint32_t info)
{
	return (info >> 24) & 0x1f;
}

static uint32_t rec_vlen(uint32_t info)
{
	return info & 0xffff;
}

/* Bytes that follow the 12-byte header of a record of KIND with VLEN entries. */
static int extra_size(uint32_t kind, uint32_t vlen, uint64_t *out)
{
	switch (kind) {
	case HW_BTF_INT: *out = 4; return 1;
	case HW_BTF_PTR: case HW_BTF_FWD: case HW_BTF_TYPEDEF: case HW_BTF_VOLATILE:
	case HW_BTF_CONST: case HW_BTF_RESTRICT: case HW_BTF_FUNC: case HW_BTF_FLOAT:
	case HW_BTF_TYPE_TAG:
		*out = 0; return 1;
	case HW_BTF_ARRAY: *out = 12; return 1;
	case HW_BTF_STRUCT: case HW_BTF_UNION: *out = 12ull * vlen; return 1;
	case HW_BTF_ENUM: *out = 8ull * vlen; return 1;
	case HW_BTF_FUNC_PROTO: *out = 8ull * vlen; return 1;
	case HW_BTF_VAR: *out = 4; return 1;
	case HW_BTF_DATASEC: *out = 12ull * vlen; return 1;
	case HW_BTF_DECL_TAG: *out = 4; return 1;
	case HW_BTF_ENUM64: *out = 12ull * vlen; return 1;
	default: return 0;
	}
}

static const uint8_t *rec(const struct hw_btf *b, uint32_t id)
{
	return b->types + b->offs[id];
}

static const char *str_at(const struct hw_btf *b, uint32_t off)
{
	return b->strs + off; /* offsets were checked at parse time */
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static int check_header(const uint8_t *d, uint64_t len, uint32_t *type_off, uint32_t *type_len,
                        uint32_t *str_off, uint32_t *str_len, uint32_t *hdr_len)
{
	if (len < HDR_LEN)
		return hw_fail(HAYWIRE_E_FORMAT, "btf: %llu bytes is too short for a header",
		               (unsigned long long)len);
	uint16_t magic = hw_le16(d);
	if (magic == 0x9FEB)
		return hw_fail(HAYWIRE_E_UNSUPPORTED, "btf: big-endian BTF is not supported");
	if (magic != BTF_MAGIC)
		return hw_fail(HAYWIRE_E_FORMAT, "btf: bad magic 0x%04x", magic);
	if (d[2] != 1)
		return hw_fail(HAYWIRE_E_UNSUPPORTED, "btf: version %u (only 1 is known)", d[2]);
	*hdr_len = hw_le32(d + 4);
	*type_off = hw_le32(d + 8);
	*type_len = hw_le32(d + 12);
	*str_off = hw_le32(d + 16);
	*str_len = hw_le32(d + 20);
	if (*hdr_len < HDR_LEN || *hdr_len > len)
		return hw_fail(HAYWIRE_E_CORRUPT, "btf: header length %u", *hdr_len);
	/* A longer header from a newer writer is fine only if the extra bytes are zero. */
	for (uint32_t i = HDR_LEN; i < *hdr_len; i++)
		if (d[i])
			return hw_fail(HAYWIRE_E_UNSUPPORTED, "btf: unknown header fields set");
	uint64_t body = len - *hdr_len;
	if ((uint64_t)*type_off + *type_len > body || (uint64_t)*str_off + *str_len > body)
		return hw_fail(HAYWIRE_E_CORRUPT,
		               "btf: sections (types %u+%u, strings %u+%u) exceed the %llu-byte "
		               "blob",
		               *type_off, *type_len, *str_off, *str_len, (unsigned long long)body);
	if ((*type_off & 3) || (*type_len & 3))
		return hw_fail(HAYWIRE_E_CORRUPT, "btf: type section not 4-byte aligned");
	if (*type_off < *str_off ? (uint64_t)*type_off + *type_len > *str_off
	                         : (uint64_t)*str_off + *str_len > *type_off)
		return hw_fail(HAYWIRE_E_CORRUPT, "btf: type and string sections overlap");
	if (*str_len == 0 || d[*hdr_len + *str_off] != '\0' ||
	    d[*hdr_len + *str_off + *str_len - 1] != '\0')
		return hw_fail(HAYWIRE_E_CORRUPT,
		               "btf: string section must start with \"\" and end with a NUL");
	return HAYWIRE_OK;
}

/* Pass 1: walk the records, record offsets, check sizes and string offsets. */
static int index_types(struct hw_btf *b)
{
	uint32_t cap = 1024;
	b->offs = malloc(cap * sizeof *b->offs);
	if (!b->offs)
		return hw_fail_nomem("btf");
	b->offs[0] = 0;
	b->count = 1;
	uint64_t pos = 0;
	while (pos < b->types_len) {
		if (b->types_len - pos < TYPE_HDR)
			return hw_fail(HAYWIRE_E_CORRUPT, "btf: truncated type record at offset %llu",
			               (unsigned long long)pos);
		const uint8_t *r = b->types + pos;
		uint32_t name_off = hw_le32(r), info = hw_le32(r + 4);
		uint32_t kind = rec_kind(info), vlen = rec_vlen(info);
		uint64_t extra;
		if (!extra_size(kind, vlen, &extra) || kind == HW_BTF_UNKN)
			return hw_fail(HAYWIRE_E_CORRUPT, "btf: type %u has unknown kind %u", b->count,
			               kind);
		if (b->types_len - pos - TYPE_HDR < extra)
			return hw_fail(HAYWIRE_E_CORRUPT, "btf: type %u (kind %u, vlen %u) runs past "
			               "the type section", b->count, kind, vlen);
		if (name_off >= b->strs_len)
			return hw_fail(HAYWIRE_E_CORRUPT, "btf: type %u has name offset %u past the "
			               "%u-byte string section", b->count, name_off, b->strs_len);
		/* Names inside members, enumerators and parameters. */
		const uint8_t *x = r + TYPE_HDR;
		uint32_t stride = 0;
		if (kind == HW_BTF_STRUCT || kind == HW_BTF_UNION || kind == HW_BTF_ENUM64)
			stride = 12;
		else if (kind == HW_BTF_ENUM || kind == HW_BTF_FUNC_PROTO)
			stride = 8;
		for (uint32_t i = 0; stride && i < vlen; i++)
			if (hw_le32(x + (uint64_t)i * stride) >= b->strs_len)
				return hw_fail(HAYWIRE_E_CORRUPT,
				               "btf: type %u entry %u has a name offset past the "
				               "string section", b->count, i);
		if (b->count >= HW_BTF_MAX_TYPES)
			return hw_fail(HAYWIRE_E_LIMIT, "btf: more than %u types", HW_BTF_MAX_TYPES);
		if (b->count == cap) {
			uint32_t *n = realloc(b->offs, (size_t)cap * 2 * sizeof *n);
			if (!n)
				return hw_fail_nomem("btf");
			b->offs = n;
			cap *= 2;
		}
		b->offs[b->count++] = (uint32_t)pos;
		pos += TYPE_HDR + extra;
	}
	return HAYWIRE_OK;
}

static int ref_ok(const struct hw_btf *b, uint32_t id, uint32_t ref, const char *what)
{
	if (ref < b->count)
		return HAYWIRE_OK;
	return hw_fail(HAYWIRE_E_CORRUPT, "btf: type %u refers to %s type %u, only %u exist", id,
	               what, ref, b->count - 1);
}

/* Pass 2: every type id a record mentions must exist; kinds must fit. */
static int check_refs(const struct hw_btf *b)
{
	for (uint32_t id = 1; id < b->count; id++) {
		const uint8_t *r = rec(b, id), *x = r + TYPE_HDR;
		uint32_t info = hw_le32(r + 4), kind = rec_kind(info), vlen = rec_vlen(info);
		uint32_t st = hw_le32(r + 8);
		int s = HAYWIRE_OK;
		switch (kind) {
		case HW_BTF_PTR: case HW_BTF_TYPEDEF: case HW_BTF_VOLATILE: case HW_BTF_CONST:
		case HW_BTF_RESTRICT: case HW_BTF_TYPE_TAG: case HW_BTF_FUNC: case HW_BTF_VAR:
		case HW_BTF_DECL_TAG:
			s = ref_ok(b, id, st, "a");
			if (!s && kind == HW_BTF_FUNC &&
			    (st == 0 || rec_kind(hw_le32(rec(b, st) + 4)) != HW_BTF_FUNC_PROTO))
				s = hw_fail(HAYWIRE_E_CORRUPT, "btf: function %u has no prototype", id);
			break;
		case HW_BTF_ARRAY:
			if (!(s = ref_ok(b, id, hw_le32(x), "an element")))
				s = ref_ok(b, id, hw_le32(x + 4), "an index");
			break;
		case HW_BTF_STRUCT: case HW_BTF_UNION:
			for (uint32_t i = 0; i < vlen && !s; i++)
				s = ref_ok(b, id, hw_le32(x + 12ull * i + 4), "a member");
			break;
		case HW_BTF_FUNC_PROTO:
			s = ref_ok(b, id, st, "a return");
			for (uint32_t i = 0; i < vlen && !s; i++)
				s = ref_ok(b, id, hw_le32(x + 8ull * i + 4), "a parameter");
			break;
		case HW_BTF_DATASEC:
			for (uint32_t i = 0; i < vlen && !s; i++)
				s = ref_ok(b, id, hw_le32(x + 12ull * i), "a variable");
			break;
		case HW_BTF_INT:
			if (st > 16 || (hw_le32(x) & 0xff) > 128)
				s = hw_fail(HAYWIRE_E_CORRUPT, "btf: integer %u of %u bytes", id, st);
			break;
		default:
			break;
		}
		if (s)
			return s;
	}
	return HAYWIRE_OK;
}

static int build_hash(struct hw_btf *b)
{
	uint32_t n = 1;
	while (n < b->count)
		n <<= 1;
	b->hash_mask = n - 1;
	b->hash = calloc(n, sizeof *b->hash);
	b->next = calloc(b->count, sizeof *b->next);
	if (!b->hash || !b->next)
		return hw_fail_nomem("btf index");
	/* Insert in reverse so each chain lists ids in increasing order. */
	for (uint32_t id = b->count - 1; id >= 1; id--) {
		uint32_t name_off = hw_le32(rec(b, id));
		if (!name_off)
			continue;
		uint32_t h = hash_str(str_at(b, name_off)) & b->hash_mask;
		b->next[id] = b->hash[h];
		b->hash[h] = id;
	}
	return HAYWIRE_OK;
}

static void find_pointer_size(struct hw_btf *b)
{
	uint32_t id;
	b->ptr_size = 8;
	if (hw_btf_find(b, "long unsigned int", HW_BTF_INT, &id) == HAYWIRE_OK ||
	    hw_btf_find(b, "long int", HW_BTF_INT, &id) == HAYWIRE_OK) {
		uint32_t size = hw_le32(rec(b, id) + 8);
		if (size == 4 || size == 8)
			b->ptr_size = size;
	}
}

int hw_btf_parse(const void *blob, uint64_t len, struct hw_btf **out)
{
	*out = NULL;
	if (!blob)
		return hw_fail(HAYWIRE_E_INVALID, "btf: NULL blob");
	if (len > HW_BTF_MAX_SIZE)
		return hw_fail(HAYWIRE_E_LIMIT, "btf: %llu bytes exceeds %u", (unsigned long long)len,
		               HW_BTF_MAX_SIZE);
	uint32_t type_off = 0, type_len = 0, str_off = 0, str_len = 0, hdr_len = 0;
	int st = check_header(blob, len, &type_off, &type_len, &str_off, &str_len, &hdr_len);
	if (st)
		return st;
	struct hw_btf *b = calloc(1, sizeof *b);
	if (!b || !(b->data = malloc(len ? len : 1))) {
		free(b);
		return hw_fail_nomem("btf");
	}
	memcpy(b->data, blob, len);
	b->size = len;
	b->types = b->data + hdr_len + type_off;
	b->types_len = type_len;
	b->strs = (const char *)b->data + hdr_len + str_off;
	b->strs_len = str_len;
	if ((st = index_types(b)) || (st = check_refs(b)) || (st = build_hash(b))) {
		hw_btf_free(b);
		return st;
	}
	find_pointer_size(b);
	*out = b;
	return HAYWIRE_OK;
}

void hw_btf_free(struct hw_btf *b)
{
	if (!b)
		return;
	free(b->data);
	free(b->offs);
	free(b->hash);
	free(b->next);
	free(b);
}

uint32_t hw_btf_type_count(const struct hw_btf *b)
{
	return b ? b->count : 0;
}

uint32_t hw_btf_pointer_size(const struct hw_btf *b)
{
	return b ? b->ptr_size : 0;
}

int hw_btf_type(const struct hw_btf *b, uint32_t id, struct hw_btf_type *out)
{
	if (!b || id == 0 || id >= b->count)
		return hw_fail(HAYWIRE_E_NOT_FOUND, "btf: no type %u", id);
	const uint8_t *r = rec(b, id);
	uint32_t info = hw_le32(r + 4);
	out->kind = rec_kind(info);
	out->kind_flag = info >> 31;
	out->vlen = rec_vlen(info);
	out->name = str_at(b, hw_le32(r));
	out->size_type = hw_le32(r + 8);
	return HAYWIRE_OK;
}

int hw_btf_find(const struct hw_btf *b, const char *name, uint32_t kind, uint32_t *id)
{
	if (!b || !name || !*name)
		return hw_fail(HAYWIRE_E_INVALID, "btf find: no name");
	uint32_t fallback = 0;
	for (uint32_t t = b->hash[hash_str(name) & b->hash_mask]; t; t = b->next[t]) {
		const uint8_t *r = rec(b, t);
		uint32_t info = hw_le32(r + 4);
		if ((kind && rec_kind(info) != kind) || strcmp(str_at(b, hw_le32(r)), name))
			continue;
		/* An empty struct may be a stand-in; keep looking for the real one. */
		if ((kind == HW_BTF_STRUCT || kind == HW_BTF_UNION) && rec_vlen(info) == 0) {
			if (!fallback)
				fallback = t;
			continue;
		}
		*id = t;
		return HAYWIRE_OK;
	}
	if (fallback) {
		*id = fallback;
		return HAYWIRE_OK;
	}
	return hw_fail(HAYWIRE_E_NOT_FOUND, "btf: no type named %s", name);
}

int hw_btf_resolve(const struct hw_btf *b, uint32_t id, uint32_t *out)
{
	for (uint32_t step = 0; step <= HW_BTF_MAX_DEPTH; step++) {
		if (id == 0 || id >= b->count) { /* void: nothing to resolve further */
			*out = id;
			return id < b->count ? HAYWIRE_OK
			                     : hw_fail(HAYWIRE_E_NOT_FOUND, "btf: no type %u", id);
		}
		uint32_t kind = rec_kind(hw_le32(rec(b, id) + 4));
		if (kind != HW_BTF_TYPEDEF && kind != HW_BTF_CONST && kind != HW_BTF_VOLATILE &&
		    kind != HW_BTF_RESTRICT && kind != HW_BTF_TYPE_TAG) {
			*out = id;
			return HAYWIRE_OK;
		}
		id = hw_le32(rec(b, id) + 8);
	}
	return hw_fail(HAYWIRE_E_CORRUPT, "btf: typedef/qualifier chain longer than %u (a cycle?)",
	               HW_BTF_MAX_DEPTH);
}

static int type_size(const struct hw_btf *b, uint32_t id, uint32_t depth, uint64_t *size)
{
	if (depth > HW_BTF_MAX_DEPTH)
		return hw_fail(HAYWIRE_E_CORRUPT, "btf: array nesting deeper than %u",
		               HW_BTF_MAX_DEPTH);
	int st = hw_btf_resolve(b, id, &id);
	if (st)
		return st;
	if (id == 0)
		return hw_fail(HAYWIRE_E_INVALID, "btf: void has no size");
	const uint8_t *r = rec(b, id);
	uint32_t kind = rec_kind(hw_le32(r + 4));
	switch (kind) {
	case HW_BTF_INT: case HW_BTF_STRUCT: case HW_BTF_UNION: case HW_BTF_ENUM:
	case HW_BTF_ENUM64: case HW_BTF_FLOAT: case HW_BTF_DATASEC:
		*size = hw_le32(r + 8);
		return HAYWIRE_OK;
	case HW_BTF_PTR:
		*size = b->ptr_size;
		return HAYWIRE_OK;
	case HW_BTF_ARRAY: {
		uint64_t elem;
		uint32_t nelems = hw_le32(r + TYPE_HDR + 8);
		if ((st = type_size(b, hw_le32(r + TYPE_HDR), depth + 1, &elem)))
			return st;
		if (elem && nelems > UINT64_MAX / elem)
			return hw_fail(HAYWIRE_E_CORRUPT, "btf: array %u size overflows", id);
		*size = elem * nelems;
		return HAYWIRE_OK;
	}
	default:
		return hw_fail(HAYWIRE_E_INVALID, "btf: type %u of kind %u has no size", id, kind);
	}
}

int hw_btf_type_size(const struct hw_btf *b, uint32_t id, uint64_t *size)
{
	if (!b)
		return hw_fail(HAYWIRE_E_INVALID, "btf: NULL");
	return type_size(b, id, 0, size);
}

/* STRUCT or UNION record of ID after resolving, or NULL. */
static const uint8_t *composite(const struct hw_btf *b, uint32_t id)
{
	if (hw_btf_resolve(b, id, &id) || id == 0)
		return NULL;
	const uint8_t *r = rec(b, id);
	uint32_t kind = rec_kind(hw_le32(r + 4));
	return kind == HW_BTF_STRUCT || kind == HW_BTF_UNION ? r : NULL;
}

/* Member NAME (LEN bytes) of composite R, descending into anonymous members. */
static int find_in(const struct hw_btf *b, const uint8_t *r, const char *name, size_t len,
                   uint32_t depth, uint64_t base_bits, uint32_t *budget,
                   struct hw_btf_member *out)
{
	/* Depth and a visit budget: hostile BTF can nest anonymous members exponentially. */
	if (depth > HW_BTF_MAX_DEPTH)
		return 0;
	uint32_t info = hw_le32(r + 4), vlen = rec_vlen(info), kflag = info >> 31;
	const uint8_t *m = r + TYPE_HDR;
	for (uint32_t i = 0; i < vlen; i++, m += 12) {
		if (*budget == 0)
			return 0;
		(*budget)--;
		uint32_t name_off = hw_le32(m), type = hw_le32(m + 4), off = hw_le32(m + 8);
		uint64_t bits = base_bits + (kflag ? (off & 0xffffff) : off);
		const char *mn = str_at(b, name_off);
		if (name_off && strlen(mn) == len && !memcmp(mn, name, len)) {
			out->bit_offset = bits;
			out->bitfield_size = kflag ? off >> 24 : 0;
			out->type_id = type;
			return 1;
		}
		const uint8_t *sub;
		if (!name_off && (sub = composite(b, type)) &&
		    find_in(b, sub, name, len, depth + 1, bits, budget, out))
			return 1;
	}
	return 0;
}

int hw_btf_member(const struct hw_btf *b, uint32_t id, const char *path,
                  struct hw_btf_member *out)
{
	if (!b || !path || !out)
		return hw_fail(HAYWIRE_E_INVALID, "btf member: NULL argument");
	memset(out, 0, sizeof *out);
	uint64_t bits = 0;
	const char *p = path;
	for (uint32_t part = 0;; part++) {
		const uint8_t *r = composite(b, id);
		if (!r)
			return hw_fail(HAYWIRE_E_INVALID, "btf: type %u before \"%s\" is not a struct "
			               "or union", id, p);
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		struct hw_btf_member m;
		uint32_t budget = MEMBER_VISIT_BUDGET;
		if (len == 0 || part >= HW_BTF_MAX_DEPTH ||
		    !find_in(b, r, p, len, 0, bits, &budget, &m))
			return hw_fail(HAYWIRE_E_NOT_FOUND, "btf: no member %.*s (in %s)", (int)len, p,
			               path);
		bits = m.bit_offset;
		id = m.type_id;
		if (!dot) {
			*out = m;
			out->offset = bits / 8;
			int st = type_size(b, id, 0, &out->size);
			return st == HAYWIRE_E_INVALID ? (out->size = 0, HAYWIRE_OK) : st;
		}
		p = dot + 1;
	}
}

int hw_btf_struct_member(const struct hw_btf *b, const char *struct_name, const char *path,
                         struct hw_btf_member *out)
{
	uint32_t id;
	int st = hw_btf_find(b, struct_name, HW_BTF_STRUCT, &id);
	if (st)
		return st;
	return hw_btf_member(b, id, path, out);
}
