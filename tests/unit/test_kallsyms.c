/*
 * kallsyms decoding on synthetic tables built by a small encoder here (token
 * compression, 1- and 2-byte name lengths, relative / absolute-percpu offsets,
 * plain addresses), read through a reader over a buffer; and damaged tables.
 */
#include "kernel/kallsyms.h"

#include "kallsyms_writer.h"
#include "testutil.h"

#include <haywire/haywire.h>

#define BASE_KVA 0xffffffff82000000ull

static struct image build(const struct sym *syms, uint32_t n, enum layout how,
                          uint64_t relative_base)
{
	return build_at(BASE_KVA, syms, n, how, relative_base);
}

/* N symbols in address order from ADDR0; a few well-known names among them. */
static struct sym *make_syms(uint32_t n, uint64_t addr0, uint32_t percpu)
{
	struct sym *s = calloc(n, sizeof *s);
	static const char *known[] = {"_text", "_stext", "init_task", "swapper_pg_dir",
	                              "__start_BTF", "__stop_BTF", "cleanup", "cleanup"};
	static const char known_types[] = "TTDDRRtT";
	for (uint32_t i = 0; i < n; i++) {
		if (i < percpu) {
			s[i].type = 'D';
			snprintf(s[i].name, sizeof s[i].name, "per_cpu_var_%u", i);
			s[i].addr = 0x1000ull * i;
			continue;
		}
		uint32_t k = i - percpu;
		s[i].addr = addr0 + 0x40ull * k;
		if (k < 8) {
			s[i].type = known_types[k];
			strcpy(s[i].name, known[k]);
		} else if (k == 8) { /* 300 characters: compresses to more than 127 tokens */
			s[i].type = 't';
			memset(s[i].name, 'q', 300);
		} else {
			s[i].type = "TtDdBbRr"[k % 8];
			snprintf(s[i].name, sizeof s[i].name, "sym_%05u_%s", k,
			         k % 3 ? "init_task_ext" : "kallsyms_x");
		}
	}
	return s;
}

static struct hw_kallsyms *load_ok(struct image *im, enum hw_kallsyms_mode mode)
{
	struct hw_kreader r = {image_read, im};
	struct hw_kallsyms *ks = NULL;
	int st = hw_kallsyms_load(&r, &im->a, mode, &ks);
	ck_assert_msg(st == HAYWIRE_OK, "load: %s", haywire_last_error());
	return ks;
}

static void load_fails(struct image *im, enum hw_kallsyms_mode mode, int status,
                       const char *needle)
{
	struct hw_kreader r = {image_read, im};
	struct hw_kallsyms *ks = (void *)1;
	int st = hw_kallsyms_load(&r, &im->a, mode, &ks);
	ck_assert_msg(st == status, "got %d (%s), want %d", st, haywire_last_error(), status);
	ck_assert_ptr_null(ks);
	ck_assert_msg(strstr(haywire_last_error(), needle), "message \"%s\" lacks \"%s\"",
	              haywire_last_error(), needle);
}

static void assert_same(const struct hw_kallsyms *ks, const struct sym *s, uint32_t n)
{
	ck_assert_uint_eq(hw_kallsyms_count(ks), n);
	for (uint32_t i = 0; i < n; i++) {
		const char *name;
		char type;
		uint64_t addr;
		ck_assert_int_eq(hw_kallsyms_symbol(ks, i, &name, &type, &addr), HAYWIRE_OK);
		ck_assert_str_eq(name, s[i].name);
		ck_assert_int_eq(type, s[i].type);
		ck_assert_uint_eq(addr, s[i].addr);
	}
	ck_assert_int_eq(hw_kallsyms_symbol(ks, n, NULL, NULL, NULL), HAYWIRE_E_NOT_FOUND);
}

START_TEST(relative_offsets)
{
	const uint32_t n = 3000;
	uint64_t text = 0xffff800008000000ull;
	struct sym *s = make_syms(n, text, 0);
	struct image im = build(s, n, OFFSETS_RELATIVE, text);
	struct hw_kallsyms *ks = load_ok(&im, HW_KALLSYMS_AUTO);
	ck_assert_int_eq(hw_kallsyms_mode_used(ks), HW_KALLSYMS_RELATIVE);
	assert_same(ks, s, n);
	uint64_t addr;
	char type;
	ck_assert_int_eq(hw_kallsyms_lookup(ks, "init_task", &addr, &type), HAYWIRE_OK);
	ck_assert_uint_eq(addr, text + 2 * 0x40);
	ck_assert_int_eq(type, 'D');
	/* "cleanup" is a local 't' at index 6 and a global 'T' at 7: the global wins. */
	ck_assert_int_eq(hw_kallsyms_lookup(ks, "cleanup", &addr, &type), HAYWIRE_OK);
	ck_assert_uint_eq(addr, text + 7 * 0x40);
	ck_assert_int_eq(type, 'T');
	for (uint32_t i = 9; i < n; i += 97) {
		ck_assert_int_eq(hw_kallsyms_lookup(ks, s[i].name, &addr, NULL), HAYWIRE_OK);
		ck_assert_uint_eq(addr, s[i].addr);
	}
	ck_assert_int_eq(hw_kallsyms_lookup(ks, "no_such_symbol", &addr, NULL),
	                 HAYWIRE_E_NOT_FOUND);
	ck_assert_int_eq(hw_kallsyms_lookup(ks, "", &addr, NULL), HAYWIRE_E_NOT_FOUND);
	hw_kallsyms_free(ks);
	free(im.mem);
	free(s);
}
END_TEST

START_TEST(absolute_percpu_offsets)
{
	const uint32_t n = 2000, percpu = 50;
	uint64_t text = 0xffffffff81000000ull;
	struct sym *s = make_syms(n, text, percpu);
	struct image im = build(s, n, OFFSETS_ABSOLUTE_PERCPU, text);
	struct hw_kallsyms *ks = load_ok(&im, HW_KALLSYMS_AUTO);
	ck_assert_int_eq(hw_kallsyms_mode_used(ks), HW_KALLSYMS_ABSOLUTE_PERCPU);
	assert_same(ks, s, n);
	uint64_t addr;
	ck_assert_int_eq(hw_kallsyms_lookup(ks, "per_cpu_var_7", &addr, NULL), HAYWIRE_OK);
	ck_assert_uint_eq(addr, 0x7000);
	ck_assert_int_eq(hw_kallsyms_lookup(ks, "_stext", &addr, NULL), HAYWIRE_OK);
	ck_assert_uint_eq(addr, text + 0x40);
	hw_kallsyms_free(ks);
	ks = load_ok(&im, HW_KALLSYMS_ABSOLUTE_PERCPU);
	assert_same(ks, s, n);
	hw_kallsyms_free(ks);
	/* Read as plain relative offsets the addresses go down: rejected. */
	load_fails(&im, HW_KALLSYMS_RELATIVE, HAYWIRE_E_CORRUPT, "not sorted");
	free(im.mem);
	free(s);
}
END_TEST

START_TEST(place_relative_offsets)
{
	const uint32_t n = 700;
	struct sym *s = make_syms(n, 0xffffffff81000000ull, 0);
	struct image im = build(s, n, OFFSETS_PLACE_RELATIVE, 0);
	ck_assert_uint_eq(im.a.relative_base, 0);
	struct hw_kallsyms *ks = load_ok(&im, HW_KALLSYMS_AUTO);
	ck_assert_int_eq(hw_kallsyms_mode_used(ks), HW_KALLSYMS_PLACE_RELATIVE);
	assert_same(ks, s, n);
	hw_kallsyms_free(ks);
	free(im.mem);
	free(s);
}
END_TEST

START_TEST(plain_addresses)
{
	const uint32_t n = 500;
	struct sym *s = make_syms(n, 0xffffffff81000000ull, 0);
	struct image im = build(s, n, ADDRESSES, 0);
	struct hw_kallsyms *ks = load_ok(&im, HW_KALLSYMS_AUTO);
	assert_same(ks, s, n);
	hw_kallsyms_free(ks);
	free(im.mem);
	free(s);
}
END_TEST

START_TEST(damaged_tables)
{
	const uint32_t n = 400;
	uint64_t text = 0xffffffff81000000ull;
	struct sym *s = make_syms(n, text, 0);
	struct image im = build(s, n, OFFSETS_RELATIVE, text);
	uint8_t *good = malloc(im.len);
	memcpy(good, im.mem, im.len);
	size_t at_count = im.a.num_syms - BASE_KVA, at_names = im.a.names - BASE_KVA;
	size_t at_index = im.a.token_index - BASE_KVA, at_offsets = im.a.offsets - BASE_KVA;

	put_le(im.mem + at_count, 0, 4);
	load_fails(&im, HW_KALLSYMS_AUTO, HAYWIRE_E_CORRUPT, "num_syms is 0");
	put_le(im.mem + at_count, 5u << 20, 4);
	load_fails(&im, HW_KALLSYMS_AUTO, HAYWIRE_E_LIMIT, "num_syms");
	/* More symbols than names: decoding runs into the token table and fails. */
	put_le(im.mem + at_count, n + 40, 4);
	struct hw_kreader r = {image_read, &im};
	struct hw_kallsyms *ks = (void *)1;
	ck_assert_int_lt(hw_kallsyms_load(&r, &im.a, HW_KALLSYMS_AUTO, &ks), 0);
	ck_assert_ptr_null(ks);
	memcpy(im.mem, good, im.len);

	im.mem[at_names] = 0; /* a zero-length name */
	load_fails(&im, HW_KALLSYMS_AUTO, HAYWIRE_E_CORRUPT, "compressed length 0");
	memcpy(im.mem, good, im.len);

	/* The first symbol's first token made token 0 (""): its name starts with '_', no type. */
	im.mem[at_names + 1] = 0;
	load_fails(&im, HW_KALLSYMS_AUTO, HAYWIRE_E_CORRUPT, "type letter");
	memcpy(im.mem, good, im.len);

	put_le(im.mem + at_index + 2 * 200, 0xfff0, 2); /* a token past the mapped memory */
	load_fails(&im, HW_KALLSYMS_AUTO, HAYWIRE_E_NOT_MAPPED, "kallsyms_token_table");
	memcpy(im.mem, good, im.len);

	/* The last token's NUL chopped off by the end of mapped memory. */
	size_t saved = im.len;
	put_le(im.mem + at_index + 2 * 255, (uint64_t)(im.len - (im.a.token_table - BASE_KVA) - 1),
	       2);
	im.mem[im.len - 1] = 'x';
	load_fails(&im, HW_KALLSYMS_AUTO, HAYWIRE_E_NOT_MAPPED, "kallsyms_token_table");
	im.len = saved;
	memcpy(im.mem, good, im.len);

	for (uint32_t i = 0; i < 20; i++) /* swap pairs: addresses no longer sorted */
		put_le(im.mem + at_offsets + 4 * (i * 2), 0x100000 - i, 4);
	load_fails(&im, HW_KALLSYMS_AUTO, HAYWIRE_E_CORRUPT, "not sorted");
	memcpy(im.mem, good, im.len);

	struct hw_kallsyms_addrs a = im.a;
	im.a.relative_base = BASE_KVA - 8;
	load_fails(&im, HW_KALLSYMS_AUTO, HAYWIRE_E_NOT_MAPPED, "relative_base");
	im.a = a;
	im.a.names = 0;
	load_fails(&im, HW_KALLSYMS_AUTO, HAYWIRE_E_INVALID, "incomplete");

	im.a = a;

	/* Random damage anywhere: any status, never a crash (ASan watches). */
	uint64_t seed = 42;
	for (int round = 0; round < 300; round++) {
		memcpy(im.mem, good, im.len);
		for (int f = 0; f < 4; f++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			im.mem[(seed >> 33) % im.len] = (uint8_t)(seed >> 13);
		}
		ks = NULL;
		if (hw_kallsyms_load(&r, &im.a, HW_KALLSYMS_AUTO, &ks) == HAYWIRE_OK) {
			uint64_t addr;
			hw_kallsyms_lookup(ks, "init_task", &addr, NULL);
			hw_kallsyms_free(ks);
		} else {
			ck_assert_ptr_null(ks);
		}
	}
	free(good);
	free(im.mem);
	free(s);
}
END_TEST

START_TEST(addresses_from_vmcoreinfo)
{
	static const char text[] = "OSRELEASE=6.1.0-18-amd64\n"
	                           "SYMBOL(kallsyms_names)=ffffffff9c8b0a48\n"
	                           "SYMBOL(kallsyms_num_syms)=ffffffff9c8b0a40\n"
	                           "SYMBOL(kallsyms_token_table)=ffffffff9ca4e6e8\n"
	                           "SYMBOL(kallsyms_token_index)=ffffffff9ca4ea80\n"
	                           "SYMBOL(kallsyms_offsets)=ffffffff9c82f9b8\n"
	                           "SYMBOL(kallsyms_relative_base)=ffffffff9c8b0a38\n";
	struct hw_vmcoreinfo *v = NULL;
	ck_assert_int_eq(hw_vmcoreinfo_parse(text, sizeof text - 1, &v), HAYWIRE_OK);
	struct hw_kallsyms_addrs a;
	ck_assert_int_eq(hw_kallsyms_addrs_from_vmcoreinfo(v, &a), HAYWIRE_OK);
	ck_assert_uint_eq(a.names, 0xffffffff9c8b0a48ull);
	ck_assert_uint_eq(a.num_syms, 0xffffffff9c8b0a40ull);
	ck_assert_uint_eq(a.token_table, 0xffffffff9ca4e6e8ull);
	ck_assert_uint_eq(a.token_index, 0xffffffff9ca4ea80ull);
	ck_assert_uint_eq(a.offsets, 0xffffffff9c82f9b8ull);
	ck_assert_uint_eq(a.relative_base, 0xffffffff9c8b0a38ull);
	ck_assert_uint_eq(a.addresses, 0);
	hw_vmcoreinfo_free(v);

	/* Older kernels without base-relative tables name kallsyms_addresses. */
	static const char old[] = "OSRELEASE=6.0.0\n"
	                          "SYMBOL(kallsyms_names)=1\nSYMBOL(kallsyms_num_syms)=2\n"
	                          "SYMBOL(kallsyms_token_table)=3\nSYMBOL(kallsyms_token_index)=4\n"
	                          "SYMBOL(kallsyms_addresses)=5\n";
	ck_assert_int_eq(hw_vmcoreinfo_parse(old, sizeof old - 1, &v), HAYWIRE_OK);
	ck_assert_int_eq(hw_kallsyms_addrs_from_vmcoreinfo(v, &a), HAYWIRE_OK);
	ck_assert_uint_eq(a.addresses, 5);
	ck_assert_uint_eq(a.offsets, 0);
	hw_vmcoreinfo_free(v);

	/* Newest kernels: offsets without a base are place-relative. */
	static const char newest[] = "OSRELEASE=7.0.0\n"
	                             "SYMBOL(kallsyms_names)=1\nSYMBOL(kallsyms_num_syms)=2\n"
	                             "SYMBOL(kallsyms_token_table)=3\nSYMBOL(kallsyms_token_index)=4\n"
	                             "SYMBOL(kallsyms_offsets)=5\n";
	ck_assert_int_eq(hw_vmcoreinfo_parse(newest, sizeof newest - 1, &v), HAYWIRE_OK);
	ck_assert_int_eq(hw_kallsyms_addrs_from_vmcoreinfo(v, &a), HAYWIRE_OK);
	ck_assert_uint_eq(a.offsets, 5);
	ck_assert_uint_eq(a.relative_base, 0);
	hw_vmcoreinfo_free(v);

	static const char none[] = "OSRELEASE=5.15.0\nSYMBOL(_stext)=ffffffff81000000\n";
	ck_assert_int_eq(hw_vmcoreinfo_parse(none, sizeof none - 1, &v), HAYWIRE_OK);
	ck_assert_int_eq(hw_kallsyms_addrs_from_vmcoreinfo(v, &a), HAYWIRE_E_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(haywire_last_error(), "kallsyms_num_syms"));
	hw_vmcoreinfo_free(v);
}
END_TEST

/* A reader over a plain buffer at BASE (ctx: {base, len, pointer}). */
static int flat_read(void *ctx, uint64_t kva, void *buf, uint64_t len)
{
	const uint64_t *m = ctx;
	if (kva < m[0] || kva - m[0] > m[1] || len > m[1] - (kva - m[0]))
		return HAYWIRE_E_NOT_MAPPED;
	memcpy(buf, (const uint8_t *)(uintptr_t)m[2] + (kva - m[0]), len);
	return HAYWIRE_OK;
}

START_TEST(locates_tables_without_symbols)
{
	static const struct {
		uint32_t n;
		enum layout how;
		int seqs;
	} cases[] = {
		{3000, OFFSETS_RELATIVE, 0},        {3000, OFFSETS_RELATIVE, 1},
		{2001, OFFSETS_ABSOLUTE_PERCPU, 1}, {100, OFFSETS_RELATIVE, 1},
		{257, OFFSETS_ABSOLUTE_PERCPU, 0},
	};
	const size_t pad = 64 << 10;
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		uint32_t percpu = cases[c].how == OFFSETS_ABSOLUTE_PERCPU ? 20 : 0;
		uint64_t text = 0xffffffff81000000ull;
		struct sym *s = make_syms(cases[c].n, text, percpu);
		struct image im = build_layout(BASE_KVA, s, cases[c].n, cases[c].how, text,
		                               cases[c].seqs);
		/* Noise around it, with a decoy "index" (0, 2, 4 ... 510) the real tables lack. */
		size_t len = pad + im.len + pad;
		uint8_t *buf = malloc(len);
		for (size_t i = 0; i < len; i++)
			buf[i] = tu_pattern(i);
		for (int k = 0; k < 256; k++)
			put_le(buf + 4096 + 2 * k, 2u * k, 2);
		memcpy(buf + pad, im.mem, im.len);
		struct hw_kallsyms_addrs a;
		int st = hw_kallsyms_locate(buf, len, BASE_KVA - pad, &a);
		ck_assert_msg(st == HAYWIRE_OK, "case %zu: %s", c, haywire_last_error());
		ck_assert_uint_eq(a.num_syms, im.a.num_syms);
		ck_assert_uint_eq(a.names, im.a.names);
		ck_assert_uint_eq(a.token_table, im.a.token_table);
		ck_assert_uint_eq(a.token_index, im.a.token_index);
		ck_assert_uint_eq(a.offsets, im.a.offsets);
		ck_assert_uint_eq(a.relative_base, im.a.relative_base);
		uint64_t ctx[3] = {BASE_KVA - pad, len, (uint64_t)(uintptr_t)buf};
		struct hw_kreader r = {flat_read, ctx};
		struct hw_kallsyms *ks = NULL;
		ck_assert_int_eq(hw_kallsyms_load(&r, &a, HW_KALLSYMS_AUTO, &ks), HAYWIRE_OK);
		assert_same(ks, s, cases[c].n);
		hw_kallsyms_free(ks);

		/* Markers that disagree with the names: no longer a kallsyms table. */
		size_t at_names = im.a.names - BASE_KVA;
		buf[pad + at_names] ^= 0x01; /* first name one token longer or shorter */
		ck_assert_int_eq(hw_kallsyms_locate(buf, len, BASE_KVA - pad, &a),
		                 HAYWIRE_E_NOT_FOUND);
		free(buf);
		free(im.mem);
		free(s);
	}
	uint8_t noise[1 << 16];
	for (size_t i = 0; i < sizeof noise; i++)
		noise[i] = tu_pattern(i * 7);
	struct hw_kallsyms_addrs a;
	ck_assert_int_eq(hw_kallsyms_locate(noise, sizeof noise, 0, &a), HAYWIRE_E_NOT_FOUND);
	ck_assert_int_eq(hw_kallsyms_locate(noise, 100, 0, &a), HAYWIRE_E_NOT_FOUND);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kallsyms");
	TCase *tc = tcase_create("kallsyms");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, relative_offsets);
	tcase_add_test(tc, absolute_percpu_offsets);
	tcase_add_test(tc, plain_addresses);
	tcase_add_test(tc, place_relative_offsets);
	tcase_add_test(tc, damaged_tables);
	tcase_add_test(tc, addresses_from_vmcoreinfo);
	tcase_add_test(tc, locates_tables_without_symbols);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
