/*
 * Internal: BTF, the kernel's compact type information (/sys/kernel/btf/vmlinux,
 * the .BTF section between __start_BTF and __stop_BTF). Layout: a header
 * (magic 0xEB9F, version 1, flags, hdr_len, type_off/len, str_off/len, offsets
 * counted from the header's end), a type section of variable-length records
 * (type ids count from 1; 0 is void) and a string section starting with "".
 * Parsed as hostile input: every record, id, name and size is checked once at
 * parse time, and every query is bounded (typedef cycles, nesting depth).
 */
#ifndef HW_KERNEL_BTF_H
#define HW_KERNEL_BTF_H

#include "kernel/kread.h"

#include <haywire/source.h>
#include <stdint.h>

#define HW_BTF_MAX_SIZE (64u << 20)  /* a distro vmlinux BTF is ~5 MiB */
#define HW_BTF_MAX_TYPES (1u << 20)  /* the format's own limit (BTF_MAX_TYPE) */
#define HW_BTF_MAX_DEPTH 32u         /* typedef chains, nested anonymous members, arrays */

enum hw_btf_kind {
	HW_BTF_UNKN = 0,
	HW_BTF_INT = 1,
	HW_BTF_PTR = 2,
	HW_BTF_ARRAY = 3,
	HW_BTF_STRUCT = 4,
	HW_BTF_UNION = 5,
	HW_BTF_ENUM = 6,
	HW_BTF_FWD = 7,
	HW_BTF_TYPEDEF = 8,
	HW_BTF_VOLATILE = 9,
	HW_BTF_CONST = 10,
	HW_BTF_RESTRICT = 11,
	HW_BTF_FUNC = 12,
	HW_BTF_FUNC_PROTO = 13,
	HW_BTF_VAR = 14,
	HW_BTF_DATASEC = 15,
	HW_BTF_FLOAT = 16,
	HW_BTF_DECL_TAG = 17,
	HW_BTF_TYPE_TAG = 18,
	HW_BTF_ENUM64 = 19,
	HW_BTF_KIND_MAX = 19,
};

struct hw_btf;

/*
 * Parse LEN bytes of BTF (copied; BLOB may be freed afterwards). Returns
 * HAYWIRE_E_FORMAT when the magic is not BTF's, HAYWIRE_E_UNSUPPORTED for
 * big-endian BTF or another version, HAYWIRE_E_LIMIT past HW_BTF_MAX_SIZE or
 * HW_BTF_MAX_TYPES, HAYWIRE_E_CORRUPT (message says what and where) for a
 * header, record, type id or string offset out of bounds.
 */
int hw_btf_parse(const void *blob, uint64_t len, struct hw_btf **out);

void hw_btf_free(struct hw_btf *btf);

/* Number of type ids including void (valid ids are 1 .. count-1). */
uint32_t hw_btf_type_count(const struct hw_btf *btf);

/* Pointer size of the target, from the "long" integer types (8 when absent). */
uint32_t hw_btf_pointer_size(const struct hw_btf *btf);

/* One type record, decoded. */
struct hw_btf_type {
	uint32_t kind;      /* enum hw_btf_kind */
	uint32_t kind_flag;
	uint32_t vlen;      /* members, enumerators, parameters, variables */
	const char *name;   /* "" when anonymous; valid while BTF lives */
	uint32_t size_type; /* size (INT, STRUCT, UNION, ENUM*, FLOAT, DATASEC) or type id */
};

/* Decode type ID (1 .. count-1); HAYWIRE_E_NOT_FOUND otherwise. */
int hw_btf_type(const struct hw_btf *btf, uint32_t id, struct hw_btf_type *out);

/*
 * Type id of the first type called NAME of kind KIND (HW_BTF_UNKN: any kind).
 * For STRUCT and UNION a complete definition is preferred over a FWD-like
 * empty one. O(1) average (hash built at parse time).
 */
int hw_btf_find(const struct hw_btf *btf, const char *name, uint32_t kind, uint32_t *id);

/* Follow TYPEDEF, CONST, VOLATILE, RESTRICT and TYPE_TAG to the underlying type. */
int hw_btf_resolve(const struct hw_btf *btf, uint32_t id, uint32_t *out);

/* Size in bytes of type ID (resolved; arrays multiply; pointers hw_btf_pointer_size). */
int hw_btf_type_size(const struct hw_btf *btf, uint32_t id, uint64_t *size);

/* Where a member sits. */
struct hw_btf_member {
	uint64_t bit_offset;    /* from the start of the outermost struct */
	uint64_t offset;        /* bit_offset / 8 */
	uint32_t bitfield_size; /* bits, 0 when not a bitfield */
	uint32_t type_id;       /* the member's declared type */
	uint64_t size;          /* hw_btf_type_size of type_id */
};

/*
 * Find member PATH in the STRUCT or UNION type ID (typedefs resolved). PATH is
 * a member name, or names joined by '.' through embedded (not pointed-to)
 * structs: "pgd", "thread_info.flags". Members of anonymous struct/union
 * members are found as if they were direct members (at most HW_BTF_MAX_DEPTH
 * levels). HAYWIRE_E_NOT_FOUND names the missing member.
 */
int hw_btf_member(const struct hw_btf *btf, uint32_t id, const char *path,
                  struct hw_btf_member *out);

/* hw_btf_find(STRUCT NAME) then hw_btf_member(PATH). */
int hw_btf_struct_member(const struct hw_btf *btf, const char *struct_name, const char *path,
                         struct hw_btf_member *out);

/*
 * Check that BUF (LEN bytes) starts with a plausible BTF header for a blob in
 * memory: magic, version 1, flags 0, hdr_len 24, type section first and 4-byte
 * aligned, string section right after it, total within HW_BTF_MAX_SIZE.
 * Stores the blob's total length. 1 if plausible, else 0. No message.
 */
int hw_btf_header_plausible(const void *buf, uint64_t len, uint64_t *total);

/*
 * Read and parse the blob [START, STOP) (__start_BTF, __stop_BTF from kallsyms)
 * through R.
 */
int hw_btf_load_kva(const struct hw_kreader *r, uint64_t start, uint64_t stop,
                    struct hw_btf **out);

/*
 * Find vmlinux BTF in guest RAM without symbols: look for the header bytes
 * (9f eb 01 00 18 00 00 00) at any address, keep plausible
 * headers, and take the first blob that parses completely and defines struct
 * task_struct (vmlinux's, not a module's split BTF; the kernel image is
 * physically contiguous, so the blob is too). *PA receives its address.
 * HAYWIRE_E_NOT_FOUND when no candidate parses.
 */
int hw_btf_scan_source(const haywire_source *src, uint64_t *pa, struct hw_btf **out);

/*
 * The same, looking for headers only in guest-physical [START, START + LEN)
 * (the blob itself may run past it): e.g. the kernel image from _stext's
 * physical address, far cheaper than all of RAM.
 */
int hw_btf_scan_pa_range(const haywire_source *src, uint64_t start, uint64_t len, uint64_t *pa,
                         struct hw_btf **out);

#endif
