/*
 * The BTF parser and the task layout on this host's real kernel BTF
 * (/sys/kernel/btf/vmlinux, or $HW_TEST_VMLINUX_BTF), checked against bpftool's
 * own decoding of the same file ("bpftool btf dump file F", raw format),
 * parsed here independently of the library. Skipped, with a message, when the
 * file or bpftool is missing.
 */
#include "kernel/btf.h"
#include "kernel/task_layout.h"

#include "testutil.h"

#include <haywire/haywire.h>
#include <sys/stat.h>
#include <time.h>

static const char *btf_path(void)
{
	const char *p = getenv("HW_TEST_VMLINUX_BTF");
	return p ? p : "/sys/kernel/btf/vmlinux";
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 20, n = 0;
	uint8_t *b = malloc(cap);
	for (;;) {
		if (n == cap)
			b = realloc(b, cap *= 2);
		size_t got = fread(b + n, 1, cap - n, f);
		if (got == 0)
			break;
		n += got;
	}
	fclose(f);
	*len = n;
	return b;
}

/* ---- bpftool's view: "[id] KIND 'name' k=v..." lines, members indented ---- */
struct bt_member {
	char name[256];
	uint32_t type;
	uint64_t bits;
};
struct bt_type {
	char kind[16];
	char name[256];
	uint64_t size, nelems;
	uint32_t type; /* type_id= (PTR, TYPEDEF, ARRAY element...) */
	uint32_t first, count; /* members */
};
static struct bt_type *bt;
static uint32_t bt_n;
static struct bt_member *bm;
static uint32_t bm_n, bm_cap;

static uint64_t field(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static void quoted(const char *line, char *out, size_t cap)
{
	const char *a = strchr(line, '\''), *b = a ? strchr(a + 1, '\'') : NULL;
	size_t n = a && b ? (size_t)(b - a - 1) : 0;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, a ? a + 1 : "", n);
	out[n] = '\0';
}

/* 1 when bpftool produced a dump of F, 0 when bpftool is not there. */
static int bpftool_load(const char *f)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "bpftool btf dump file '%s' 2>/dev/null", f);
	FILE *p = popen(cmd, "r");
	if (!p)
		return 0;
	uint32_t cap = 1 << 18;
	bt = calloc(cap, sizeof *bt);
	char line[1024];
	int32_t cur = -1;
	while (fgets(line, sizeof line, p)) {
		if (line[0] == '[') {
			uint32_t id = (uint32_t)strtoul(line + 1, NULL, 10);
			ck_assert_uint_lt(id, cap);
			struct bt_type *t = &bt[id];
			sscanf(strchr(line, ']') + 2, "%15s", t->kind);
			quoted(line, t->name, sizeof t->name);
			t->size = field(line, " size=");
			t->type = (uint32_t)field(line, " type_id=");
			t->nelems = field(line, " nr_elems=");
			t->first = bm_n;
			if (id >= bt_n)
				bt_n = id + 1;
			cur = (int32_t)id;
		} else if (line[0] == '\t' && cur >= 0 &&
		           (!strcmp(bt[cur].kind, "STRUCT") || !strcmp(bt[cur].kind, "UNION"))) {
			if (bm_n == bm_cap)
				bm = realloc(bm, (bm_cap = bm_cap ? bm_cap * 2 : 4096) * sizeof *bm);
			quoted(line, bm[bm_n].name, sizeof bm[bm_n].name);
			bm[bm_n].type = (uint32_t)field(line, " type_id=");
			bm[bm_n].bits = field(line, " bits_offset=");
			bm_n++;
			bt[cur].count++;
		}
	}
	int rc = pclose(p);
	return rc == 0 && bt_n > 1;
}

static uint32_t bt_strip(uint32_t id)
{
	for (int i = 0; i < 64 && id; i++) {
		const char *k = bt[id].kind;
		if (strcmp(k, "TYPEDEF") && strcmp(k, "CONST") && strcmp(k, "VOLATILE") &&
		    strcmp(k, "RESTRICT") && strcmp(k, "TYPE_TAG"))
			return id;
		id = bt[id].type;
	}
	return id;
}

static uint64_t bt_size(uint32_t id)
{
	id = bt_strip(id);
	if (!strcmp(bt[id].kind, "PTR"))
		return 8;
	if (!strcmp(bt[id].kind, "ARRAY"))
		return bt[id].nelems * bt_size(bt[id].type);
	return bt[id].size;
}

static uint32_t bt_struct(const char *name)
{
	for (uint32_t i = 1; i < bt_n; i++)
		if (!strcmp(bt[i].kind, "STRUCT") && !strcmp(bt[i].name, name) && bt[i].count)
			return i;
	return 0;
}

/* Member NAME of struct ID (anonymous members searched too): bits offset, or -1. */
static int64_t bt_member(uint32_t id, const char *name, uint64_t base, uint32_t *type)
{
	struct bt_type *t = &bt[bt_strip(id)];
	for (uint32_t i = 0; i < t->count; i++) {
		struct bt_member *m = &bm[t->first + i];
		if (!strcmp(m->name, name)) {
			*type = m->type;
			return (int64_t)(base + m->bits);
		}
		if (!strcmp(m->name, "(anon)")) {
			int64_t r = bt_member(m->type, name, base + m->bits, type);
			if (r >= 0)
				return r;
		}
	}
	return -1;
}

static struct hw_btf *host_btf;

static void load_host(void)
{
	size_t len;
	uint8_t *blob = read_file(btf_path(), &len);
	if (!blob) {
		printf("SKIP: %s not readable: no real BTF to test against\n", btf_path());
		return;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int st = hw_btf_parse(blob, len, &host_btf);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_msg(st == HAYWIRE_OK, "parse %s: %s", btf_path(), haywire_last_error());
	printf("parsed %s: %zu bytes, %u types in %.1f ms\n", btf_path(), len,
	       hw_btf_type_count(host_btf),
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6));
	free(blob);
}

START_TEST(real_btf_matches_bpftool)
{
	load_host();
	if (!host_btf)
		return;
	if (!bpftool_load(btf_path())) {
		printf("SKIP: bpftool not available: offsets not cross-checked\n");
		hw_btf_free(host_btf);
		return;
	}
	ck_assert_uint_eq(hw_btf_type_count(host_btf), bt_n);
	static const char *checks[][2] = {
		{"task_struct", "pid"},         {"task_struct", "tgid"},
		{"task_struct", "comm"},        {"task_struct", "tasks"},
		{"task_struct", "mm"},          {"task_struct", "active_mm"},
		{"task_struct", "real_parent"}, {"task_struct", "parent"},
		{"task_struct", "cred"},        {"task_struct", "real_cred"},
		{"task_struct", "flags"},       {"task_struct", "signal"},
		{"task_struct", "thread_node"}, {"task_struct", "thread_group"},
		{"mm_struct", "pgd"},           {"cred", "uid"},
		{"signal_struct", "thread_head"}, {"list_head", "prev"},
	};
	int compared = 0;
	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		uint32_t sid = bt_struct(checks[i][0]), type = 0;
		ck_assert_msg(sid, "bpftool has no struct %s", checks[i][0]);
		int64_t bits = bt_member(sid, checks[i][1], 0, &type);
		struct hw_btf_member m;
		int st = hw_btf_struct_member(host_btf, checks[i][0], checks[i][1], &m);
		if (bits < 0) { /* e.g. thread_group, gone since Linux 6.7 */
			ck_assert_int_eq(st, HAYWIRE_E_NOT_FOUND);
			continue;
		}
		ck_assert_msg(st == HAYWIRE_OK, "%s.%s: %s", checks[i][0], checks[i][1],
		              haywire_last_error());
		ck_assert_msg(m.bit_offset == (uint64_t)bits, "%s.%s at bit %llu, bpftool says %lld",
		              checks[i][0], checks[i][1], (unsigned long long)m.bit_offset,
		              (long long)bits);
		ck_assert_uint_eq(m.type_id, type);
		ck_assert_uint_eq(m.size, bt_size(type));
		compared++;
	}
	ck_assert_int_ge(compared, 16);

	/* Every struct bpftool lists is found, with bpftool's size. */
	uint32_t structs = 0;
	for (uint32_t i = 1; i < bt_n; i++) {
		if (strcmp(bt[i].kind, "STRUCT") || !strcmp(bt[i].name, "(anon)"))
			continue;
		uint32_t id;
		uint64_t size;
		ck_assert_msg(hw_btf_find(host_btf, bt[i].name, HW_BTF_STRUCT, &id) == HAYWIRE_OK,
		              "struct %s (id %u) not found", bt[i].name, i);
		ck_assert_int_eq(hw_btf_type_size(host_btf, id, &size), HAYWIRE_OK);
		ck_assert_msg(size == bt[id].size, "struct %s", bt[i].name);
		structs++;
	}
	ck_assert_uint_gt(structs, 1000);

	struct hw_task_layout l;
	ck_assert_msg(hw_task_layout_from_btf(host_btf, &l) == HAYWIRE_OK, "layout: %s",
	              haywire_last_error());
	uint32_t task = bt_struct("task_struct"), t;
	ck_assert_uint_eq(l.task_size, bt[task].size);
	ck_assert_uint_eq(l.pid, bt_member(task, "pid", 0, &t) / 8);
	ck_assert_uint_eq(l.tgid, bt_member(task, "tgid", 0, &t) / 8);
	ck_assert_uint_eq(l.comm, bt_member(task, "comm", 0, &t) / 8);
	ck_assert_uint_eq(l.comm_size, bt_size(t));
	ck_assert_uint_eq(l.tasks, bt_member(task, "tasks", 0, &t) / 8);
	ck_assert_uint_eq(l.mm, bt_member(task, "mm", 0, &t) / 8);
	ck_assert_uint_eq(l.real_parent, bt_member(task, "real_parent", 0, &t) / 8);
	ck_assert_uint_eq(l.cred, bt_member(task, "cred", 0, &t) / 8);
	ck_assert_uint_eq(l.signal, bt_member(task, "signal", 0, &t) / 8);
	ck_assert_uint_eq(l.thread_node, bt_member(task, "thread_node", 0, &t) / 8);
	ck_assert_uint_eq(l.mm_pgd, bt_member(bt_struct("mm_struct"), "pgd", 0, &t) / 8);
	uint32_t cred = bt_struct("cred");
	int64_t uid = bt_member(cred, "uid", 0, &t);
	ck_assert_uint_eq(l.cred_uid, uid / 8 + bt_member(bt_strip(t), "val", 0, &t) / 8);
	free(bt);
	free(bm);
	hw_btf_free(host_btf);
}
END_TEST

/* The locator on real data: the host's blob inside a RAM image, after noise. */
START_TEST(scan_finds_real_blob)
{
	size_t len;
	uint8_t *blob = read_file(btf_path(), &len);
	if (!blob) {
		printf("SKIP: %s not readable\n", btf_path());
		return;
	}
	const uint64_t size = 64u << 20, at = (23u << 20) + 0xb88; /* .BTF is byte-aligned */
	char *path = tu_make_file(size, size);
	FILE *f = fopen(path, "r+b");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseeko(f, (off_t)at, SEEK_SET), 0);
	ck_assert_uint_eq(fwrite(blob, 1, len, f), len);
	fclose(f);
	char *spec = tu_spec("file:", path, "virt");
	haywire_source *src = NULL;
	ck_assert_int_eq(haywire_source_open(spec, &src), HAYWIRE_OK);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct hw_btf *btf = NULL;
	uint64_t pa = 0;
	int st = hw_btf_scan_source(src, &pa, &btf);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_msg(st == HAYWIRE_OK, "scan: %s", haywire_last_error());
	printf("BTF scan of 64 MiB found the blob at +0x%llx in %.1f ms\n",
	       (unsigned long long)(pa - 0x40000000),
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6));
	ck_assert_uint_eq(pa, 0x40000000 + at);
	struct hw_btf *direct = NULL;
	ck_assert_int_eq(hw_btf_parse(blob, len, &direct), HAYWIRE_OK);
	ck_assert_uint_eq(hw_btf_type_count(btf), hw_btf_type_count(direct));
	hw_btf_free(direct);
	hw_btf_free(btf);
	haywire_source_close(src);
	unlink(path);
	free(path);
	free(spec);
	free(blob);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("btf_vmlinux");
	TCase *tc = tcase_create("real");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, real_btf_matches_bpftool);
	tcase_add_test(tc, scan_finds_real_blob);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
