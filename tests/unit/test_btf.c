/* BTF parser on synthetic blobs: every kind, member look-ups, and broken input. */
#include "kernel/btf.h"

#include "btf_writer.h"
#include "buffer_source.h"
#include "testutil.h"

#include <haywire/haywire.h>
#include <time.h>

/* A miniature kernel: ids are fixed by the order below (see the comments). */
static uint8_t *mini_kernel(size_t *len)
{
	struct bw w;
	bw_init(&w);
	bw_int(&w, "int", 4);                              /* 1 */
	bw_int(&w, "long unsigned int", 8);                /* 2 */
	bw_int(&w, "char", 1);                             /* 3 */
	bw_ref(&w, 8, "pid_t", 1);                         /* 4 typedef */
	bw_array(&w, 3, 1, 16);                            /* 5 char[16] */
	bw_struct(&w, 4, "list_head", 0, 2, 16);           /* 6 */
	bw_member(&w, "next", 7, 0, 0);
	bw_member(&w, "prev", 7, 64, 0);
	bw_ref(&w, 2, NULL, 6);                            /* 7 list_head * */
	bw_struct(&w, 4, "task_struct", 1, 10, 256);       /* 8, bitfield offsets */
	bw_member(&w, "flags", 1, 0, 0);
	bw_member(&w, "tasks", 6, 64, 0);
	bw_member(&w, NULL, 9, 192, 0);
	bw_member(&w, "pid", 4, 320, 0);
	bw_member(&w, "tgid", 4, 352, 0);
	bw_member(&w, "comm", 5, 384, 0);
	bw_member(&w, "in_execve", 1, 512, 1);
	bw_member(&w, "in_iowait", 1, 513, 1);
	bw_member(&w, "mm", 12, 576, 0);
	bw_member(&w, "thread_info", 13, 640, 0);
	bw_struct(&w, 5, NULL, 0, 2, 16);                  /* 9 anonymous union */
	bw_member(&w, "a", 1, 0, 0);
	bw_member(&w, NULL, 10, 0, 0);
	bw_struct(&w, 4, NULL, 0, 2, 16);                  /* 10 anonymous struct in it */
	bw_member(&w, "deep_x", 2, 0, 0);
	bw_member(&w, "deep_y", 2, 64, 0);
	bw_struct(&w, 4, "mm_struct", 0, 1, 64);           /* 11 */
	bw_member(&w, NULL, 14, 0, 0);
	bw_ref(&w, 2, NULL, 11);                           /* 12 mm_struct * */
	bw_struct(&w, 4, "thread_info", 0, 2, 16);         /* 13 */
	bw_member(&w, "flags", 2, 0, 0);
	bw_member(&w, "cpu", 15, 64, 0);
	bw_struct(&w, 4, NULL, 0, 2, 64);                  /* 14 */
	bw_member(&w, "mmap_base", 2, 0, 0);
	bw_member(&w, "pgd", 16, 128, 0);
	bw_ref(&w, 10, NULL, 4);                           /* 15 const pid_t */
	bw_ref(&w, 2, NULL, 2);                            /* 16 unsigned long * */
	bw_ref(&w, 9, NULL, 15);                           /* 17 volatile */
	bw_ref(&w, 11, NULL, 16);                          /* 18 restrict */
	bw_ref(&w, 18, "user", 16);                        /* 19 type tag */
	bw_type(&w, "e", 6, 0, 2, 4);                      /* 20 enum */
	bw_u32(&w, bw_str(&w, "A"));
	bw_u32(&w, 0);
	bw_u32(&w, bw_str(&w, "B"));
	bw_u32(&w, (uint32_t)-1);
	bw_type(&w, "e64", 19, 0, 1, 8);                   /* 21 enum64 */
	bw_u32(&w, bw_str(&w, "BIG"));
	bw_u32(&w, 1);
	bw_u32(&w, 0x80000000u);
	bw_type(&w, NULL, 13, 0, 1, 1);                    /* 22 func proto */
	bw_u32(&w, 0);
	bw_u32(&w, 2);
	bw_ref(&w, 12, "do_it", 22);                       /* 23 func */
	bw_type(&w, "global_var", 14, 0, 0, 1);            /* 24 var */
	bw_u32(&w, 1);
	bw_type(&w, ".data", 15, 0, 1, 8);                 /* 25 datasec */
	bw_u32(&w, 24);
	bw_u32(&w, 0);
	bw_u32(&w, 4);
	bw_type(&w, "double", 16, 0, 0, 8);                /* 26 float */
	bw_type(&w, "opaque", 7, 0, 0, 0);                 /* 27 fwd */
	bw_type(&w, "tag", 17, 0, 0, 8);                   /* 28 decl tag */
	bw_u32(&w, (uint32_t)-1);
	bw_ref(&w, 8, "typedef_chain", 17);                /* 29 typedef -> volatile -> const */
	uint8_t *b = bw_finish(&w, len);
	bw_free(&w);
	return b;
}

static struct hw_btf *parse_ok(const uint8_t *b, size_t len)
{
	struct hw_btf *btf = NULL;
	int st = hw_btf_parse(b, len, &btf);
	ck_assert_msg(st == HAYWIRE_OK, "parse: %s", haywire_last_error());
	return btf;
}

static void parse_fails(const uint8_t *b, size_t len, int status, const char *needle)
{
	struct hw_btf *btf = (void *)1;
	int st = hw_btf_parse(b, len, &btf);
	ck_assert_msg(st == status, "got %d (%s), want %d", st, haywire_last_error(), status);
	ck_assert_ptr_null(btf);
	ck_assert_msg(strstr(haywire_last_error(), needle), "message \"%s\" lacks \"%s\"",
	              haywire_last_error(), needle);
}

static struct hw_btf_member member_ok(struct hw_btf *btf, const char *st, const char *path)
{
	struct hw_btf_member m;
	int s = hw_btf_struct_member(btf, st, path, &m);
	ck_assert_msg(s == HAYWIRE_OK, "%s.%s: %s", st, path, haywire_last_error());
	return m;
}

START_TEST(parses_every_kind)
{
	size_t len;
	uint8_t *b = mini_kernel(&len);
	struct hw_btf *btf = parse_ok(b, len);
	free(b); /* the parser keeps its own copy */
	ck_assert_uint_eq(hw_btf_type_count(btf), 30);
	ck_assert_uint_eq(hw_btf_pointer_size(btf), 8);
	uint32_t id;
	ck_assert_int_eq(hw_btf_find(btf, "task_struct", HW_BTF_STRUCT, &id), HAYWIRE_OK);
	ck_assert_uint_eq(id, 8);
	ck_assert_int_eq(hw_btf_find(btf, "pid_t", HW_BTF_UNKN, &id), HAYWIRE_OK);
	ck_assert_uint_eq(id, 4);
	ck_assert_int_eq(hw_btf_find(btf, "pid_t", HW_BTF_STRUCT, &id), HAYWIRE_E_NOT_FOUND);
	ck_assert_int_eq(hw_btf_find(btf, "nothing", HW_BTF_UNKN, &id), HAYWIRE_E_NOT_FOUND);

	struct hw_btf_type t;
	ck_assert_int_eq(hw_btf_type(btf, 21, &t), HAYWIRE_OK);
	ck_assert_uint_eq(t.kind, HW_BTF_ENUM64);
	ck_assert_str_eq(t.name, "e64");
	ck_assert_uint_eq(t.vlen, 1);
	ck_assert_int_eq(hw_btf_type(btf, 8, &t), HAYWIRE_OK);
	ck_assert_uint_eq(t.kind_flag, 1);
	ck_assert_int_eq(hw_btf_type(btf, 30, &t), HAYWIRE_E_NOT_FOUND);
	ck_assert_int_eq(hw_btf_type(btf, 0, &t), HAYWIRE_E_NOT_FOUND);

	uint64_t size;
	ck_assert_int_eq(hw_btf_type_size(btf, 5, &size), HAYWIRE_OK);
	ck_assert_uint_eq(size, 16);
	ck_assert_int_eq(hw_btf_type_size(btf, 29, &size), HAYWIRE_OK);
	ck_assert_uint_eq(size, 4);
	ck_assert_int_eq(hw_btf_type_size(btf, 19, &size), HAYWIRE_OK);
	ck_assert_uint_eq(size, 8);
	ck_assert_int_eq(hw_btf_type_size(btf, 26, &size), HAYWIRE_OK);
	ck_assert_uint_eq(size, 8);
	ck_assert_int_eq(hw_btf_type_size(btf, 22, &size), HAYWIRE_E_INVALID);
	ck_assert_int_eq(hw_btf_type_size(btf, 0, &size), HAYWIRE_E_INVALID);
	ck_assert_int_eq(hw_btf_resolve(btf, 29, &id), HAYWIRE_OK);
	ck_assert_uint_eq(id, 1);
	hw_btf_free(btf);
}
END_TEST

START_TEST(member_offsets)
{
	size_t len;
	uint8_t *b = mini_kernel(&len);
	struct hw_btf *btf = parse_ok(b, len);
	free(b);
	struct hw_btf_member m = member_ok(btf, "task_struct", "pid");
	ck_assert_uint_eq(m.offset, 40);
	ck_assert_uint_eq(m.size, 4);
	ck_assert_uint_eq(m.type_id, 4);
	m = member_ok(btf, "task_struct", "tgid");
	ck_assert_uint_eq(m.offset, 44);
	m = member_ok(btf, "task_struct", "comm");
	ck_assert_uint_eq(m.offset, 48);
	ck_assert_uint_eq(m.size, 16);
	m = member_ok(btf, "task_struct", "tasks");
	ck_assert_uint_eq(m.offset, 8);
	ck_assert_uint_eq(m.size, 16);
	m = member_ok(btf, "task_struct", "in_iowait"); /* kind_flag: bitfield */
	ck_assert_uint_eq(m.bit_offset, 513);
	ck_assert_uint_eq(m.bitfield_size, 1);
	ck_assert_uint_eq(m.offset, 64);
	m = member_ok(btf, "task_struct", "a"); /* in an anonymous union */
	ck_assert_uint_eq(m.offset, 24);
	m = member_ok(btf, "task_struct", "deep_y"); /* anonymous struct in anonymous union */
	ck_assert_uint_eq(m.offset, 32);
	ck_assert_uint_eq(m.size, 8);
	m = member_ok(btf, "task_struct", "mm");
	ck_assert_uint_eq(m.offset, 72);
	ck_assert_uint_eq(m.size, 8);
	m = member_ok(btf, "task_struct", "thread_info.cpu"); /* dotted, through an embedded struct */
	ck_assert_uint_eq(m.offset, 88);
	ck_assert_uint_eq(m.size, 4);
	m = member_ok(btf, "mm_struct", "pgd");
	ck_assert_uint_eq(m.offset, 16);
	ck_assert_uint_eq(m.size, 8);
	m = member_ok(btf, "list_head", "prev");
	ck_assert_uint_eq(m.offset, 8);

	struct hw_btf_member x;
	ck_assert_int_eq(hw_btf_struct_member(btf, "task_struct", "nope", &x), HAYWIRE_E_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "nope"));
	ck_assert_int_eq(hw_btf_struct_member(btf, "task_struct", "pid.x", &x), HAYWIRE_E_INVALID);
	ck_assert_int_eq(hw_btf_struct_member(btf, "task_struct", "thread_info.", &x),
	                 HAYWIRE_E_NOT_FOUND);
	ck_assert_int_eq(hw_btf_struct_member(btf, "no_struct", "pid", &x), HAYWIRE_E_NOT_FOUND);
	hw_btf_free(btf);
}
END_TEST

START_TEST(bad_headers)
{
	size_t len;
	uint8_t *good = mini_kernel(&len);
	uint8_t *b = malloc(len);
#define MUTATE(stmt, status, needle)                                                          \
	do {                                                                                  \
		memcpy(b, good, len);                                                          \
		stmt;                                                                          \
		parse_fails(b, len, status, needle);                                           \
	} while (0)
	MUTATE(b[0] = 0, HAYWIRE_E_FORMAT, "magic");
	MUTATE((b[0] = 0xeb, b[1] = 0x9f), HAYWIRE_E_UNSUPPORTED, "big-endian");
	MUTATE(b[2] = 2, HAYWIRE_E_UNSUPPORTED, "version");
	MUTATE(put32(b + 4, 23), HAYWIRE_E_CORRUPT, "header length");
	MUTATE(put32(b + 4, 0x7fffffff), HAYWIRE_E_CORRUPT, "header length");
	MUTATE(put32(b + 20, hw_le32(b + 20) + 1), HAYWIRE_E_CORRUPT, "exceed");
	MUTATE(put32(b + 16, 0xfffffff0u), HAYWIRE_E_CORRUPT, "exceed");
	MUTATE(put32(b + 12, hw_le32(b + 12) - 2), HAYWIRE_E_CORRUPT, "aligned");
	MUTATE(put32(b + 12, hw_le32(b + 12) - 4), HAYWIRE_E_CORRUPT, "truncated");
	MUTATE(b[len - 1] = 'x', HAYWIRE_E_CORRUPT, "NUL");
	MUTATE(put32(b + 12, hw_le32(b + 12) + 4), HAYWIRE_E_CORRUPT, "overlap");
#undef MUTATE
	parse_fails(good, 10, HAYWIRE_E_FORMAT, "short");
	parse_fails(good, (uint64_t)HW_BTF_MAX_SIZE + 1, HAYWIRE_E_LIMIT, "exceeds");
	free(b);
	free(good);
}
END_TEST

/* A blob with one struct whose single member has type MEMBER_TYPE. */
static uint8_t *one_struct(uint32_t member_type, uint32_t name_off_override, size_t *len)
{
	struct bw w;
	bw_init(&w);
	bw_int(&w, "int", 4);
	bw_struct(&w, 4, "s", 0, 1, 4);
	bw_member(&w, "x", member_type, 0, 0);
	uint8_t *b = bw_finish(&w, len);
	if (name_off_override)
		put32(b + 52, name_off_override); /* int record 16 bytes, struct header 12 */
	bw_free(&w);
	return b;
}

START_TEST(bad_records)
{
	size_t len;
	uint8_t *b = one_struct(99, 0, &len);
	parse_fails(b, len, HAYWIRE_E_CORRUPT, "refers to");
	free(b);
	b = one_struct(1, 0xffff, &len);
	parse_fails(b, len, HAYWIRE_E_CORRUPT, "name offset");
	free(b);
	b = one_struct(1, 0, &len);
	put32(b + 44, (4u << 24) | 1000); /* the struct info (at 24 + 16 + 4): vlen past the end */
	parse_fails(b, len, HAYWIRE_E_CORRUPT, "runs past");
	put32(b + 44, (20u << 24) | 1); /* kind 20 does not exist */
	parse_fails(b, len, HAYWIRE_E_CORRUPT, "unknown kind");
	put32(b + 24, 0xffffff); /* the int's name offset */
	put32(b + 44, (4u << 24) | 1);
	parse_fails(b, len, HAYWIRE_E_CORRUPT, "name offset");
	free(b);

	struct bw w; /* a function whose "prototype" is an int */
	bw_init(&w);
	bw_int(&w, "int", 4);
	bw_ref(&w, 12, "f", 1);
	b = bw_finish(&w, &len);
	bw_free(&w);
	parse_fails(b, len, HAYWIRE_E_CORRUPT, "prototype");
	free(b);
}
END_TEST

START_TEST(typedef_cycle_is_bounded)
{
	struct bw w;
	bw_init(&w);
	bw_ref(&w, 8, "a", 2); /* 1: typedef a -> b */
	bw_ref(&w, 8, "b", 1); /* 2: typedef b -> a */
	bw_struct(&w, 4, "s", 0, 1, 4);
	bw_member(&w, "x", 1, 0, 0);
	size_t len;
	uint8_t *b = bw_finish(&w, &len);
	bw_free(&w);
	struct hw_btf *btf = parse_ok(b, len); /* structurally valid: ids exist */
	free(b);
	uint32_t id;
	uint64_t size;
	ck_assert_int_eq(hw_btf_resolve(btf, 1, &id), HAYWIRE_E_CORRUPT);
	ck_assert_int_eq(hw_btf_type_size(btf, 2, &size), HAYWIRE_E_CORRUPT);
	struct hw_btf_member m;
	ck_assert_int_eq(hw_btf_struct_member(btf, "s", "x", &m), HAYWIRE_E_CORRUPT);
	ck_assert_int_eq(hw_btf_member(btf, 1, "x", &m), HAYWIRE_E_INVALID);
	hw_btf_free(btf);
}
END_TEST

START_TEST(self_nesting_is_bounded)
{
	/* A struct made of 16 anonymous copies of itself: 16^32 paths if unbounded. */
	struct bw w;
	bw_init(&w);
	bw_struct(&w, 4, "s", 0, 16, 64);
	for (int i = 0; i < 16; i++)
		bw_member(&w, NULL, 1, 0, 0);
	size_t len;
	uint8_t *b = bw_finish(&w, &len);
	bw_free(&w);
	struct hw_btf *btf = parse_ok(b, len);
	free(b);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct hw_btf_member m;
	ck_assert_int_eq(hw_btf_struct_member(btf, "s", "missing", &m), HAYWIRE_E_NOT_FOUND);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(secs < 2.0, "look-up took %.2f s", secs);
	hw_btf_free(btf);
}
END_TEST

START_TEST(random_damage_never_crashes)
{
	size_t len;
	uint8_t *good = mini_kernel(&len);
	uint8_t *b = malloc(len);
	uint64_t seed = 0x5eed, parsed = 0;
	for (int round = 0; round < 4000; round++) {
		memcpy(b, good, len);
		int flips = 1 + round % 6;
		for (int f = 0; f < flips; f++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			size_t at = 24 + (size_t)((seed >> 33) % (len - 24)); /* keep the header */
			b[at] = (uint8_t)(seed >> 17);
		}
		struct hw_btf *btf = NULL;
		if (hw_btf_parse(b, len, &btf) != HAYWIRE_OK) {
			ck_assert_ptr_null(btf);
			continue;
		}
		parsed++;
		for (uint32_t id = 0; id < hw_btf_type_count(btf); id++) {
			uint64_t size;
			uint32_t r;
			struct hw_btf_member m;
			hw_btf_type_size(btf, id, &size);
			hw_btf_resolve(btf, id, &r);
			hw_btf_member(btf, id, "pid", &m);
			hw_btf_member(btf, id, "thread_info.cpu", &m);
		}
		hw_btf_free(btf);
	}
	ck_assert_uint_gt(parsed, 0); /* some damage is harmless (names, offsets) */
	free(b);
	free(good);
}
END_TEST

static int buffer_kread(void *ctx, uint64_t kva, void *buf, uint64_t len)
{
	const uint64_t *m = ctx; /* {base, size, pointer} */
	if (kva < m[0] || kva - m[0] > m[1] || len > m[1] - (kva - m[0]))
		return HAYWIRE_E_NOT_MAPPED;
	memcpy(buf, (const uint8_t *)(uintptr_t)m[2] + (kva - m[0]), len);
	return HAYWIRE_OK;
}

START_TEST(load_through_reader)
{
	size_t len;
	uint8_t *b = mini_kernel(&len);
	uint64_t base = 0xffffffff82000000ull, m[3] = {base, len, (uint64_t)(uintptr_t)b};
	struct hw_kreader r = {buffer_kread, m};
	struct hw_btf *btf = NULL;
	ck_assert_int_eq(hw_btf_load_kva(&r, base, base + len, &btf), HAYWIRE_OK);
	ck_assert_uint_eq(hw_btf_type_count(btf), 30);
	hw_btf_free(btf);
	ck_assert_int_eq(hw_btf_load_kva(&r, base, base + len + 4096, &btf), HAYWIRE_E_NOT_MAPPED);
	ck_assert_ptr_null(btf);
	ck_assert_int_eq(hw_btf_load_kva(&r, base + len, base, &btf), HAYWIRE_E_INVALID);
	ck_assert_int_eq(hw_btf_load_kva(&r, base, base + (256u << 20), &btf), HAYWIRE_E_LIMIT);
	free(b);
}
END_TEST

START_TEST(header_plausibility)
{
	size_t len;
	uint8_t *b = mini_kernel(&len);
	uint64_t total = 0;
	ck_assert_int_eq(hw_btf_header_plausible(b, len, &total), 1);
	ck_assert_uint_eq(total, len);
	put32(b + 16, hw_le32(b + 16) + 4); /* strings not right after types */
	ck_assert_int_eq(hw_btf_header_plausible(b, len, &total), 0);
	ck_assert_int_eq(hw_btf_header_plausible(b, 23, &total), 0);
	free(b);
}
END_TEST

/* Write LEN bytes of DATA at OFFSET of the file at PATH. */
static void write_at(const char *path, uint64_t offset, const void *data, size_t len)
{
	FILE *f = fopen(path, "r+b");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseeko(f, (off_t)offset, SEEK_SET), 0);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

START_TEST(scan_finds_blob_across_chunk_boundary)
{
	size_t len;
	uint8_t *b = mini_kernel(&len);
	char *path = tu_make_file(8u << 20, 8u << 20);
	/* A decoy: a plausible header whose body is the file's noise. */
	uint8_t decoy[24];
	memcpy(decoy, b, 24);
	write_at(path, 1000, decoy, sizeof decoy);
	/* The real blob straddles the scanner's 4 MiB chunk edge, at an odd offset. */
	uint64_t at = (4u << 20) - 11;
	write_at(path, at, b, len);
	char *spec = tu_spec("file:", path, "virt");
	haywire_source *src = NULL;
	ck_assert_int_eq(haywire_source_open(spec, &src), HAYWIRE_OK);
	struct hw_btf *btf = NULL;
	uint64_t pa = 0;
	int st = hw_btf_scan_source(src, &pa, &btf);
	ck_assert_msg(st == HAYWIRE_OK, "scan: %s", haywire_last_error());
	ck_assert_uint_eq(pa, 0x40000000 + at);
	ck_assert_uint_eq(hw_btf_type_count(btf), 30);
	hw_btf_free(btf);
	/* A window holding the whole blob finds it; one that cuts its header does not. */
	ck_assert_int_eq(hw_btf_scan_pa_range(src, 0x40000000 + at - 100, len + 200, &pa, &btf),
	                 HAYWIRE_OK);
	ck_assert_uint_eq(pa, 0x40000000 + at);
	hw_btf_free(btf);
	ck_assert_int_eq(hw_btf_scan_pa_range(src, 0x40000000 + at + 1, 8u << 20, &pa, &btf),
	                 HAYWIRE_E_NOT_FOUND);
	ck_assert_int_eq(hw_btf_scan_pa_range(src, 0, 0x40000000 + at + 23, &pa, &btf),
	                 HAYWIRE_E_NOT_FOUND);
	ck_assert_int_eq(hw_btf_scan_pa_range(src, 0x40000000 + at, UINT64_MAX, &pa, &btf),
	                 HAYWIRE_OK);
	hw_btf_free(btf);
	haywire_source_close(src);

	/* Without the real blob only the decoy and a blob without task_struct (like a
	 * module's split BTF) are left: not found. */
	uint8_t *zeros = calloc(1, len);
	write_at(path, at, zeros, len);
	size_t olen;
	uint8_t *other = one_struct(1, 0, &olen);
	write_at(path, 5u << 20, other, olen);
	free(other);
	ck_assert_int_eq(haywire_source_open(spec, &src), HAYWIRE_OK);
	ck_assert_int_eq(hw_btf_scan_source(src, &pa, &btf), HAYWIRE_E_NOT_FOUND);
	ck_assert_ptr_null(btf);
	haywire_source_close(src);
	free(zeros);
	unlink(path);
	free(path);
	free(spec);
	free(b);
}
END_TEST

static uint8_t noise(uint64_t off)
{
	return tu_pattern(off * 3);
}

START_TEST(scan_through_reads)
{
	/* No mapping: 4 MiB chunks are copied; the blob straddles the second chunk edge. */
	size_t len;
	uint8_t *b = mini_kernel(&len);
	struct buffer_ram *ram;
	haywire_source *src = buffer_source(0x80000000ull, 12u << 20, noise, &ram);
	uint64_t at = 2 * ((4u << 20) - 23) - 5;
	memcpy(ram->bytes + at, b, len);
	struct hw_btf *btf = NULL;
	uint64_t pa = 0;
	ck_assert_msg(hw_btf_scan_source(src, &pa, &btf) == HAYWIRE_OK, "%s", haywire_last_error());
	ck_assert_uint_eq(pa, 0x80000000ull + at);
	ck_assert_uint_eq(hw_btf_type_count(btf), 30);
	ck_assert_uint_gt(ram->reads, 1);
	hw_btf_free(btf);
	haywire_source_close(src);
	free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("btf");
	TCase *tc = tcase_create("btf");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, parses_every_kind);
	tcase_add_test(tc, member_offsets);
	tcase_add_test(tc, bad_headers);
	tcase_add_test(tc, bad_records);
	tcase_add_test(tc, typedef_cycle_is_bounded);
	tcase_add_test(tc, self_nesting_is_bounded);
	tcase_add_test(tc, random_damage_never_crashes);
	tcase_add_test(tc, load_through_reader);
	tcase_add_test(tc, header_plausibility);
	tcase_add_test(tc, scan_finds_blob_across_chunk_boundary);
	tcase_add_test(tc, scan_through_reads);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
