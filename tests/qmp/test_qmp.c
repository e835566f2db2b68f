/*
 * QMP sources against a fake QMP server (tests/unit/fakeqmp.h): the memory
 * map, zero-copy and fallback reads, registers, pause/resume, snapshot
 * holds, and every kind of misbehaving peer.
 */
#include <haywire/haywire.h>

#include "fakeqmp.h"
#include "qmp/hmp_parse.h"
#include "source/source_impl.h"
#include "testutil.h"

#include <pthread.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static haywire_source *open_ok(const char *spec)
{
	haywire_source *src = NULL;
	int st = haywire_source_open(spec, &src);
	ck_assert_msg(st == HAYWIRE_OK, "open %s: %s", spec, haywire_last_error());
	return src;
}

/* Every byte of every fake RAM range reads back as the file's byte there. */
static void assert_map_and_bytes(haywire_source *src)
{
	size_t nmap = sizeof fake_map / sizeof *fake_map;
	haywire_ram_range r[8];
	uint64_t n = 0;
	ck_assert_int_eq(haywire_source_ram_ranges(src, r, 8, &n), HAYWIRE_OK);
	ck_assert_uint_eq(n, nmap); /* vga.vram (device RAM, no backend) is not guest RAM */
	for (size_t i = 0; i < nmap; i++) {
		ck_assert_uint_eq(r[i].gpa, fake_map[i].gpa);
		ck_assert_uint_eq(r[i].size, fake_map[i].size);
		uint8_t *buf = malloc(fake_map[i].size);
		uint64_t done = 0;
		ck_assert_int_eq(haywire_source_read(src, r[i].gpa, buf, r[i].size, &done),
		                 HAYWIRE_OK);
		ck_assert_uint_eq(done, r[i].size);
		uint64_t k = 0; /* one assertion per range: check logs every assertion */
		while (k < r[i].size && buf[k] == tu_pattern(fake_map[i].offset + k))
			k++;
		ck_assert_msg(k == r[i].size, "PA 0x%llx", (unsigned long long)(r[i].gpa + k));
		free(buf);
	}
	uint8_t b[4];
	ck_assert_int_eq(haywire_source_read(src, 0xa0000, b, 4, NULL), HAYWIRE_E_NOT_RAM);
}

START_TEST(zero_copy_map_registers)
{
	char *ram = tu_make_file(FAKE_RAM_SIZE, FAKE_RAM_SIZE);
	struct fake_qmp f = fake_start(FAKE_NORMAL, ram);
	char *spec = fake_spec(&f, "");
	haywire_source *src = open_ok(spec);
	ck_assert_str_eq(haywire_source_kind(src), "qmp");
	uint32_t flags = haywire_source_flags(src);
	ck_assert_uint_eq(flags & (HAYWIRE_SOURCE_LIVE | HAYWIRE_SOURCE_ZERO_COPY |
	                           HAYWIRE_SOURCE_FALLBACK),
	                  HAYWIRE_SOURCE_LIVE | HAYWIRE_SOURCE_ZERO_COPY);
	ck_assert_str_eq(haywire_source_property(src, "read_path"), "map");
	ck_assert_str_eq(haywire_source_property(src, "qemu_version"), "7.2.9");
	ck_assert_str_eq(haywire_source_property(src, "timeout_ms"), "5000");
	ck_assert_ptr_null(haywire_source_property(src, "no-such-property"));
	assert_map_and_bytes(src);
	ck_assert_int_eq(f.stats->pmemsaves + f.stats->xps, 0);

	/* zero copy: the pointer is the file's mapping, so later writes show through */
	const void *p;
	ck_assert_int_eq(haywire_source_map(src, 0x100000000ull, 4096, &p), HAYWIRE_OK);
	ck_assert_uint_eq(((const uint8_t *)p)[5], tu_pattern(0x400000 + 5));
	FILE *w = fopen(ram, "r+b");
	fseek(w, 0x400005, SEEK_SET);
	fputc(tu_pattern(0x400005) ^ 0xff, w);
	fclose(w);
	ck_assert_uint_eq(((const uint8_t *)p)[5], tu_pattern(0x400005) ^ 0xff);

	ck_assert_uint_eq(haywire_source_cpu_count(src), 2);
	for (uint32_t i = 0; i < 2; i++) {
		haywire_cpu_state c = {.struct_size = sizeof c};
		ck_assert_int_eq(haywire_source_cpu_state(src, i, &c), HAYWIRE_OK);
		ck_assert_uint_eq(c.cpu, i);
		ck_assert_uint_eq(c.arch, HAYWIRE_ARCH_X86_64);
		uint32_t want = HAYWIRE_CPU_PC | HAYWIRE_CPU_SP | HAYWIRE_CPU_CR0 | HAYWIRE_CPU_CR3 |
		                HAYWIRE_CPU_CR4 | HAYWIRE_CPU_EFER;
		ck_assert_uint_eq(c.valid, want);
		ck_assert_uint_eq(c.cr3, 0x100000 + i * 0x1000);
		ck_assert_uint_eq(c.pc, 0xffffffff81000000ull + 0x2000 + i);
		ck_assert_uint_eq(c.sp, 0xffffc90000000000ull + 0x1000 * i + 0x10);
		ck_assert_uint_eq(c.cr0, 0x80050033);
		ck_assert_uint_eq(c.cr4, 0x370ef0);
		ck_assert_uint_eq(c.efer, 0xd01);
	}
	haywire_source_close(src);
	fake_stop(&f);
	unlink(ram);
	free(ram);
	free(spec);
}
END_TEST

/* read=pmemsave / read=xp: every byte copied through the server, flagged as such. */
static void fallback_reads(const char *opt, const char *path)
{
	char *ram = tu_make_file(FAKE_RAM_SIZE, FAKE_RAM_SIZE);
	struct fake_qmp f = fake_start(FAKE_NORMAL, ram);
	char *spec = fake_spec(&f, opt);
	haywire_source *src = open_ok(spec);
	uint32_t flags = haywire_source_flags(src);
	ck_assert_uint_eq(flags & (HAYWIRE_SOURCE_ZERO_COPY | HAYWIRE_SOURCE_FALLBACK),
	                  HAYWIRE_SOURCE_FALLBACK);
	ck_assert_str_eq(haywire_source_property(src, "read_path"), path);
	if (!strcmp(path, "pmemsave")) {
		assert_map_and_bytes(src);
		ck_assert_int_gt(f.stats->pmemsaves, 0);
	} else { /* xp is slow text: check spans crossing lines and ranges */
		uint8_t buf[300];
		uint64_t done = 0;
		ck_assert_int_eq(haywire_source_read(src, 0x3fff00 - 44, buf, 44, &done), HAYWIRE_OK);
		for (int i = 0; i < 44; i++)
			ck_assert_uint_eq(buf[i], tu_pattern(0x3fff00 - 44 + (uint64_t)i));
		ck_assert_int_eq(haywire_source_read(src, 0x100000123ull, buf, 300, &done),
		                 HAYWIRE_OK);
		for (int i = 0; i < 300; i++)
			ck_assert_uint_eq(buf[i], tu_pattern(0x400123 + (uint64_t)i));
		ck_assert_int_gt(f.stats->xps, 0);
	}
	const void *p;
	ck_assert_int_eq(haywire_source_map(src, 0, 16, &p), HAYWIRE_E_UNSUPPORTED);
	haywire_source_close(src);
	fake_stop(&f);
	unlink(ram);
	free(ram);
	free(spec);
}

START_TEST(pmemsave_fallback)
{
	fallback_reads(",read=pmemsave", "pmemsave");
}
END_TEST

START_TEST(xp_fallback)
{
	fallback_reads(",timeout=3000,read=xp", "xp");
}
END_TEST

struct reader {
	haywire_source *src;
	int failures;
	unsigned seed;
};

static void *read_many(void *arg)
{
	struct reader *r = arg;
	uint8_t buf[5000];
	for (int i = 0; i < 40; i++) {
		uint64_t off = 0x100000 + (rand_r(&r->seed) % (0x300000 - sizeof buf));
		if (haywire_source_read(r->src, off, buf, sizeof buf, NULL) != HAYWIRE_OK)
			r->failures++;
		for (size_t k = 0; k < sizeof buf; k++)
			if (buf[k] != tu_pattern(off + k)) {
				r->failures++;
				break;
			}
	}
	return NULL;
}

START_TEST(fallback_reads_from_many_threads)
{
	char *ram = tu_make_file(FAKE_RAM_SIZE, FAKE_RAM_SIZE);
	struct fake_qmp f = fake_start(FAKE_NORMAL, ram);
	char *spec = fake_spec(&f, ",read=pmemsave");
	haywire_source *src = open_ok(spec);
	pthread_t t[4];
	struct reader r[4];
	for (int i = 0; i < 4; i++) {
		r[i] = (struct reader){.src = src, .seed = (unsigned)i + 1};
		pthread_create(&t[i], NULL, read_many, &r[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(r[i].failures, 0);
	}
	ck_assert_int_ge(f.stats->pmemsaves, 160);
	haywire_source_close(src);
	fake_stop(&f);
	unlink(ram);
	free(ram);
	free(spec);
}
END_TEST

START_TEST(pause_resume_and_snapshot_holds)
{
	char *ram = tu_make_file(FAKE_RAM_SIZE, 0);
	struct fake_qmp f = fake_start(FAKE_CHATTY, ram); /* events everywhere: still fine */
	char *spec = fake_spec(&f, ",snapshot=1");
	haywire_source *src = open_ok(spec);
	ck_assert_str_eq(haywire_source_property(src, "snapshot"), "1");
	ck_assert_int_eq(haywire_source_pause(src), HAYWIRE_OK);
	ck_assert_int_eq(f.stats->running, 0);
	ck_assert_int_eq(haywire_source_resume(src), HAYWIRE_OK);
	ck_assert_int_eq(f.stats->running, 1);
	ck_assert_int_eq(f.stats->stops, 1);
	ck_assert_int_eq(f.stats->conts, 1);

	/* nested holds pause once and resume once */
	ck_assert_int_eq(hw_source_hold(src), HAYWIRE_OK);
	ck_assert_int_eq(hw_source_hold(src), HAYWIRE_OK);
	ck_assert_int_eq(f.stats->running, 0);
	hw_source_release(src);
	ck_assert_int_eq(f.stats->running, 0);
	hw_source_release(src);
	ck_assert_int_eq(f.stats->running, 1);
	ck_assert_int_eq(f.stats->stops, 2);
	ck_assert_int_eq(f.stats->conts, 2);

	/* a guest the caller paused stays paused across a hold */
	ck_assert_int_eq(haywire_source_pause(src), HAYWIRE_OK);
	ck_assert_int_eq(hw_source_hold(src), HAYWIRE_OK);
	hw_source_release(src);
	ck_assert_int_eq(f.stats->running, 0);
	ck_assert_int_eq(f.stats->conts, 2);
	ck_assert_int_eq(haywire_source_resume(src), HAYWIRE_OK);

	/* a forgotten hold does not leave the guest stopped after close */
	ck_assert_int_eq(hw_source_hold(src), HAYWIRE_OK);
	ck_assert_int_eq(f.stats->running, 0);
	haywire_source_close(src);
	ck_assert_int_eq(f.stats->running, 1);
	free(spec);

	/* without snapshot=1 a hold never pauses */
	spec = fake_spec(&f, "");
	src = open_ok(spec);
	int stops = f.stats->stops;
	ck_assert_int_eq(hw_source_hold(src), HAYWIRE_OK);
	hw_source_release(src);
	ck_assert_int_eq(f.stats->stops, stops);
	haywire_source_close(src);

	/* non-live sources: pause is unsupported, holds are no-ops */
	char *fspec = tu_spec("file:", ram, "flat");
	src = open_ok(fspec);
	ck_assert_int_eq(haywire_source_pause(src), HAYWIRE_E_UNSUPPORTED);
	ck_assert_int_eq(haywire_source_resume(src), HAYWIRE_E_UNSUPPORTED);
	ck_assert_int_eq(hw_source_hold(src), HAYWIRE_OK);
	hw_source_release(src);
	ck_assert_ptr_null(haywire_source_property(src, "read_path"));
	haywire_source_close(src);
	ck_assert_int_eq(haywire_source_pause(NULL), HAYWIRE_E_INVALID);
	free(fspec);
	fake_stop(&f);
	unlink(ram);
	free(ram);
	free(spec);
}
END_TEST

/* Opening against a misbehaving server fails with STATUS, quickly, mentioning NEEDLE. */
static void bad_server(enum fake_mode mode, int status, const char *needle)
{
	char *ram = tu_make_file(FAKE_RAM_SIZE, 0);
	struct fake_qmp f = fake_start(mode, ram);
	/* 17 MiB must arrive within the timeout even on a loaded machine */
	char *spec = fake_spec(&f, mode == FAKE_HUGE ? ",timeout=10000" : ",timeout=300");
	haywire_source *src = (void *)1;
	double t0 = now_s();
	int st = haywire_source_open(spec, &src);
	double took = now_s() - t0;
	ck_assert_msg(st == status, "mode %d: got %d (%s), want %d", mode, st,
	              haywire_last_error(), status);
	ck_assert_ptr_null(src);
	ck_assert_msg(strstr(haywire_last_error(), needle), "message \"%s\" lacks \"%s\"",
	              haywire_last_error(), needle);
	ck_assert_msg(took < (mode == FAKE_HUGE ? 10.0 : 3.0), "mode %d took %.2f s", mode, took);
	fake_stop(&f);
	unlink(ram);
	free(ram);
	free(spec);
}

START_TEST(not_qmp)
{
	bad_server(FAKE_NOT_QMP, HAYWIRE_E_PROTOCOL, "not a QMP server");
}
END_TEST
START_TEST(truncated_greeting)
{
	bad_server(FAKE_TRUNCATED, HAYWIRE_E_PROTOCOL, "closed in the middle");
}
END_TEST
START_TEST(malformed_json)
{
	bad_server(FAKE_MALFORMED, HAYWIRE_E_PROTOCOL, "not a JSON object");
}
END_TEST
START_TEST(enormous_reply)
{
	bad_server(FAKE_HUGE, HAYWIRE_E_LIMIT, "reply limit");
}
END_TEST
START_TEST(never_answers)
{
	bad_server(FAKE_SILENT, HAYWIRE_E_TIMEOUT, "timeout");
}
END_TEST
START_TEST(error_reply)
{
	bad_server(FAKE_ERROR, HAYWIRE_E_PROTOCOL, "boom: no objects today");
}
END_TEST
START_TEST(bogus_mtree)
{
	bad_server(FAKE_BOGUS_MTREE, HAYWIRE_E_CORRUPT, "not a memory range");
}
END_TEST
START_TEST(mtree_without_memory)
{
	bad_server(FAKE_NO_MEMORY_AS, HAYWIRE_E_CORRUPT, "no flat view");
}
END_TEST
START_TEST(mtree_past_backend)
{
	bad_server(FAKE_MTREE_PAST_END, HAYWIRE_E_CORRUPT, "past the end");
}
END_TEST
START_TEST(disconnect_mid_reply)
{
	bad_server(FAKE_DISCONNECT, HAYWIRE_E_PROTOCOL, "closed in the middle");
}
END_TEST

START_TEST(wrong_json_types)
{
	bad_server(FAKE_WRONG_TYPES, HAYWIRE_E_PROTOCOL, "mem-path: not a string");
}
END_TEST

START_TEST(bad_specs)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char spec[512];
	haywire_source *src;
	snprintf(spec, sizeof spec, "qmp:%s/hw-no-such-socket-%d", dir, (int)getpid());
	ck_assert_int_eq(haywire_source_open(spec, &src), HAYWIRE_E_NOT_FOUND);
	ck_assert_ptr_null(src);
	ck_assert_int_eq(haywire_source_open("qmp:", &src), HAYWIRE_E_INVALID);
	ck_assert_int_eq(haywire_source_open("qmp:/x,timeout=0", &src), HAYWIRE_E_INVALID);
	ck_assert_int_eq(haywire_source_open("qmp:/x,timeout=abc", &src), HAYWIRE_E_INVALID);
	ck_assert_int_eq(haywire_source_open("qmp:/x,read=maybe", &src), HAYWIRE_E_INVALID);
	ck_assert_int_eq(haywire_source_open("qmp:/x,snapshot=1,bogus=2", &src),
	                 HAYWIRE_E_INVALID);
	ck_assert_int_eq(haywire_source_open("qmp:,timeout=5", &src), HAYWIRE_E_INVALID);
	/* TCP: nothing listens on port 1 of localhost */
	int st = haywire_source_open("qmp:127.0.0.1:1,timeout=500", &src);
	ck_assert_msg(st == HAYWIRE_E_IO || st == HAYWIRE_E_TIMEOUT, "%d %s", st,
	              haywire_last_error());
}
END_TEST

/* ---- parsers on real QEMU 7.2 text ------------------------------------ */

START_TEST(mtree_parser_real_q35_and_virt)
{
	const char *q35 =
		"FlatView #1\n AS \"memory\", root: system\n AS \"cpu-memory-0\", root: system\n"
		" Root memory region: system\n"
		"  0000000000000000-000000000009ffff (prio 0, ram): ram\n"
		"  00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem\n"
		"  00000000000c0000-00000000000dffff (prio 1, rom): pc.rom\n"
		"  00000000000e0000-00000000000fffff (prio 0, rom): ram @00000000000e0000\n"
		"  0000000000100000-000000007fffffff (prio 0, ram): ram @0000000000100000\n"
		"  0000000100000000-000000017fffffff (prio 0, ram): ram @0000000080000000 KVM\n\n"
		"FlatView #3\n AS \"cpu-smm-0\", root: memory\n Root memory region: memory\n"
		"  0000000000000000-000000000009ffff (prio 0, ram): ram\n\n";
	struct hw_mtree_range *r;
	uint64_t n;
	ck_assert_int_eq(hw_mtree_parse(q35, &r, &n), HAYWIRE_OK);
	/* RAM and ROM-mode regions are candidates; backends decide later (pc.rom is none) */
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(r[1].name, "pc.rom");
	ck_assert_uint_eq(r[2].gpa, 0xe0000); /* a PAM shadow: RAM-block bytes, read-only */
	ck_assert_uint_eq(r[2].offset, 0xe0000);
	ck_assert_str_eq(r[2].name, "ram");
	ck_assert_uint_eq(r[3].gpa, 0x100000);
	ck_assert_uint_eq(r[3].size, 0x7ff00000);
	ck_assert_uint_eq(r[3].offset, 0x100000);
	ck_assert_uint_eq(r[4].gpa, 0x100000000ull);
	ck_assert_uint_eq(r[4].offset, 0x80000000ull);
	ck_assert_str_eq(r[4].name, "ram");
	free(r);
	const char *virt = "FlatView #1\n AS \"memory\", root: system\n Root memory region: system\n"
	                   "  0000000000000000-0000000003ffffff (prio 0, romd): virt.flash0\n"
	                   "  0000000040000000-000000007fffffff (prio 0, ram): mem0\n";
	ck_assert_int_eq(hw_mtree_parse(virt, &r, &n), HAYWIRE_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(r[0].name, "virt.flash0");
	ck_assert_uint_eq(r[1].gpa, 0x40000000);
	ck_assert_uint_eq(r[1].size, 0x40000000);
	ck_assert_str_eq(r[1].name, "mem0");
	free(r);
	ck_assert_int_eq(hw_mtree_parse("", &r, &n), HAYWIRE_E_CORRUPT);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(hw_mtree_parse("FlatView #1\n AS \"memory\", root: system\n"
	                                " Root memory region: system\n"
	                                "  0000000000002000-0000000000001000 (prio 0, ram): ram\n",
	                                &r, &n),
	                 HAYWIRE_E_CORRUPT);
	ck_assert_int_eq(hw_mtree_parse("FlatView #1\n AS \"memory\", root: system\n"
	                                " Root memory region: system\n"
	                                "  00000000000000000-0000000000001000 (prio 0, ram): ram\n",
	                                &r, &n),
	                 HAYWIRE_E_CORRUPT);
}
END_TEST

START_TEST(registers_parser_real_text)
{
	const char *x86_real =
		"CPU#0\nEAX=00000000 EBX=00000000 ECX=00000000 EDX=00060fb1\n"
		"ESI=00000000 EDI=00000000 EBP=00000000 ESP=00000000\n"
		"EIP=0000fff0 EFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0\n"
		"CR0=60000010 CR2=00000000 CR3=00000000 CR4=00000000\nEFER=0000000000000000\n";
	haywire_cpu_state c = {.struct_size = sizeof c};
	ck_assert_int_eq(hw_registers_parse(x86_real, HAYWIRE_ARCH_X86_64, &c), HAYWIRE_OK);
	ck_assert_uint_eq(c.pc, 0xfff0);
	ck_assert_uint_eq(c.cr0, 0x60000010);
	ck_assert_uint_eq(c.valid & HAYWIRE_CPU_EFER, HAYWIRE_CPU_EFER);
	const char *arm = "CPU#0\n PC=ffff800008012345 X00=0000000000000000 X01=0000000000000001\n"
	                  "X29=0000000000000000 X30=0000000000000000  SP=ffff80000800bf00\n"
	                  "PSTATE=400003c5 -Z-- EL1h  SVCR=00000000 --  BTYPE=0    FPU disabled\n";
	ck_assert_int_eq(hw_registers_parse(arm, HAYWIRE_ARCH_ARM64, &c), HAYWIRE_OK);
	ck_assert_uint_eq(c.valid, HAYWIRE_CPU_PC | HAYWIRE_CPU_SP);
	ck_assert_uint_eq(c.pc, 0xffff800008012345ull);
	ck_assert_uint_eq(c.sp, 0xffff80000800bf00ull);
	ck_assert_int_eq(hw_registers_parse("nothing here PC=zz", HAYWIRE_ARCH_ARM64, &c),
	                 HAYWIRE_E_CORRUPT);
	uint8_t b[20];
	ck_assert_int_eq(hw_xp_parse("0000000000100000: 0x01 0x02\n", 0x100000, b, 3),
	                 HAYWIRE_E_PROTOCOL);
	ck_assert_int_eq(hw_xp_parse("0000000000100008: 0x01 0x02\n", 0x100000, b, 2),
	                 HAYWIRE_E_PROTOCOL);
	ck_assert_int_eq(hw_xp_parse("Cannot access memory\n", 0x100000, b, 2), HAYWIRE_E_PROTOCOL);
	ck_assert_int_eq(hw_xp_parse("0000000000100000: 0x01 0x02\n", 0x100000, b, 2), HAYWIRE_OK);
	ck_assert_uint_eq(b[1], 2);
}
END_TEST

static Suite *qmp_suite(void)
{
	Suite *s = suite_create("qmp");
	TCase *ok = tcase_create("live");
	tcase_set_timeout(ok, 60);
	tcase_add_test(ok, zero_copy_map_registers);
	tcase_add_test(ok, pmemsave_fallback);
	tcase_add_test(ok, xp_fallback);
	tcase_add_test(ok, fallback_reads_from_many_threads);
	tcase_add_test(ok, pause_resume_and_snapshot_holds);
	suite_add_tcase(s, ok);
	TCase *bad = tcase_create("bad-peers");
	tcase_set_timeout(bad, 30);
	tcase_add_test(bad, not_qmp);
	tcase_add_test(bad, truncated_greeting);
	tcase_add_test(bad, malformed_json);
	tcase_add_test(bad, enormous_reply);
	tcase_add_test(bad, never_answers);
	tcase_add_test(bad, error_reply);
	tcase_add_test(bad, bogus_mtree);
	tcase_add_test(bad, mtree_without_memory);
	tcase_add_test(bad, mtree_past_backend);
	tcase_add_test(bad, disconnect_mid_reply);
	tcase_add_test(bad, wrong_json_types);
	tcase_add_test(bad, bad_specs);
	suite_add_tcase(s, bad);
	TCase *parse = tcase_create("parsers");
	tcase_add_test(parse, mtree_parser_real_q35_and_virt);
	tcase_add_test(parse, registers_parser_real_text);
	suite_add_tcase(s, parse);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(qmp_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
