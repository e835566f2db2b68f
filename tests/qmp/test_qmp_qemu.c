/*
 * QMP sources against real QEMU (suite "qmp-qemu"; exit 77 without QEMU).
 * QEMU runs with -S (no guest code, no kernel needed), RAM in a sparse
 * memory-backend-file filled with a known pattern at a few places, and two
 * QMP sockets: one for libhaywire, one for the test's own independent look
 * (info mtree -f, query-status). QEMU is killed by PID on every path
 * (PR_SET_PDEATHSIG covers a failed assertion).
 */
#include <haywire/haywire.h>

#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#define GiB (1ull << 30)
#define MiB (1ull << 20)

struct vm {
	pid_t pid;
	char dir[256], ram[300], sock[300], sock2[300];
	FILE *mon; /* the test's own QMP connection */
};

/* File spans that hold the pattern (the rest of the sparse file is zero). */
static const struct {
	uint64_t off, len;
} patterned[] = {
	{0, 2 * MiB},                    /* low RAM, incl. the 0xa0000 hole */
	{0x7ff00000, 2 * MiB},           /* end of q35 low RAM / start of RAM above 4 GiB */
	{0xfff00000, 1 * MiB},           /* last MiB of 4 GiB */
};

static int fill_pattern(const char *path, uint64_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)size))
		return -1;
	uint8_t *buf = malloc(2 * MiB);
	for (size_t i = 0; i < sizeof patterned / sizeof *patterned; i++) {
		if (patterned[i].off + patterned[i].len > size)
			continue;
		for (uint64_t k = 0; k < patterned[i].len; k++)
			buf[k] = tu_pattern(patterned[i].off + k);
		if (pwrite(fd, buf, patterned[i].len, (off_t)patterned[i].off) != (ssize_t)patterned[i].len)
			return -1;
	}
	free(buf);
	close(fd);
	return 0;
}

static int connect_sock(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sa.sun_path)
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	struct timeval tv = {.tv_sec = 20};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

/* The test's own QMP exchange: returns the "return" member (caller puts it). */
static json_object *mon_cmd(struct vm *vm, const char *json)
{
	fprintf(vm->mon, "%s\n", json);
	fflush(vm->mon);
	char line[1 << 16];
	static char big[4 << 20];
	for (int i = 0; i < 100; i++) {
		char *got = fgets(big, sizeof big, vm->mon);
		ck_assert_msg(got != NULL, "QMP monitor: no reply to %s", json);
		json_object *o = json_tokener_parse(big), *r;
		ck_assert_ptr_nonnull(o);
		if (json_object_object_get_ex(o, "return", &r)) {
			json_object_get(r);
			json_object_put(o);
			return r;
		}
		snprintf(line, sizeof line, "%.200s", big);
		ck_assert_msg(!json_object_object_get_ex(o, "error", NULL), "%s: %s", json, line);
		json_object_put(o);
	}
	ck_abort_msg("QMP monitor: too many events");
	return NULL;
}

static int mon_running(struct vm *vm)
{
	json_object *r = mon_cmd(vm, "{\"execute\": \"query-status\"}"), *run;
	ck_assert(json_object_object_get_ex(r, "running", &run));
	int v = json_object_get_boolean(run);
	json_object_put(r);
	return v;
}

/* Start QEMU_BIN with MACHINE args and a RAM backend BACKEND (printf with %s = ram path). */
static int vm_start(struct vm *vm, const char *qemu, const char *const *machine, const char *backend,
                    uint64_t ram_size)
{
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(vm->dir, sizeof vm->dir, "%s/hw-qemu-XXXXXX", tmp);
	ck_assert_ptr_nonnull(mkdtemp(vm->dir));
	snprintf(vm->ram, sizeof vm->ram, "%s/ram", vm->dir);
	snprintf(vm->sock, sizeof vm->sock, "%s/qmp.sock", vm->dir);
	snprintf(vm->sock2, sizeof vm->sock2, "%s/mon.sock", vm->dir);
	ck_assert_int_eq(fill_pattern(vm->ram, ram_size), 0);
	char obj[600], q1[400], q2[400];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(obj, sizeof obj, backend, vm->ram); /* BACKEND is one of this file's literals */
#pragma GCC diagnostic pop
	snprintf(q1, sizeof q1, "unix:%s,server=on,wait=off", vm->sock);
	snprintf(q2, sizeof q2, "unix:%s,server=on,wait=off", vm->sock2);
	const char *argv[40];
	int n = 0;
	argv[n++] = qemu;
	for (int i = 0; machine[i]; i++)
		argv[n++] = machine[i];
	const char *tail[] = {"-S", "-display", "none", "-nodefaults", "-object", obj, "-machine",
	                      "memory-backend=ram", "-qmp", q1, "-qmp", q2, NULL};
	for (int i = 0; tail[i]; i++)
		argv[n++] = tail[i];
	argv[n] = NULL;
	vm->pid = fork();
	ck_assert_int_ge(vm->pid, 0);
	if (vm->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		execvp(qemu, (char *const *)argv);
		_exit(127);
	}
	/* bounded wait for the monitor socket */
	int fd = -1;
	for (int i = 0; i < 300 && fd < 0; i++) {
		int status;
		if (waitpid(vm->pid, &status, WNOHANG) == vm->pid)
			ck_abort_msg("%s exited early (status %d)", qemu, status);
		fd = connect_sock(vm->sock2);
		if (fd < 0)
			usleep(100000);
	}
	ck_assert_msg(fd >= 0, "QEMU's QMP socket never appeared");
	vm->mon = fdopen(fd, "r+");
	char greet[4096];
	ck_assert_ptr_nonnull(fgets(greet, sizeof greet, vm->mon));
	json_object_put(mon_cmd(vm, "{\"execute\": \"qmp_capabilities\"}"));
	return 0;
}

static void vm_stop(struct vm *vm)
{
	if (vm->mon)
		fclose(vm->mon);
	kill(vm->pid, SIGKILL);
	waitpid(vm->pid, NULL, 0);
	unlink(vm->ram);
	unlink(vm->sock);
	unlink(vm->sock2);
	rmdir(vm->dir);
}

/* RAM ranges of "info mtree -f" for "memory", read by the test itself (region RAM_NAME). */
static size_t mtree_ram(struct vm *vm, haywire_ram_range *out, size_t cap)
{
	json_object *r = mon_cmd(vm, "{\"execute\": \"human-monitor-command\", \"arguments\": "
	                             "{\"command-line\": \"info mtree -f\"}}");
	const char *text = json_object_get_string(r);
	const char *view = strstr(text, " AS \"memory\"");
	ck_assert_ptr_nonnull(view);
	const char *end = strstr(view, "FlatView"); /* HMP text ends lines with \r\n */
	if (!end)
		end = view + strlen(view);
	size_t n = 0;
	for (const char *l = strchr(view, '\n'); l && l < end && n < cap; l = strchr(l + 1, '\n')) {
		unsigned long long a, b;
		char kind[16], name[64];
		if (sscanf(l + 1, " %llx-%llx (prio %*d, %15[^)]): %63s", &a, &b, kind, name) == 4 &&
		    !strcmp(kind, "ram") && !strcmp(name, "ram"))
			out[n++] = (haywire_ram_range){.gpa = a, .size = b - a + 1};
	}
	json_object_put(r);
	return n;
}

static haywire_source *open_ok(const char *spec)
{
	haywire_source *src = NULL;
	int st = haywire_source_open(spec, &src);
	ck_assert_msg(st == HAYWIRE_OK, "open %s: %s", spec, haywire_last_error());
	return src;
}

/* Bytes of SRC at [PA, PA+LEN) equal REF's (both must be RAM there). */
static void assert_same_bytes(haywire_source *src, haywire_source *ref, uint64_t pa, uint64_t len)
{
	uint8_t *a = malloc(len), *b = malloc(len);
	ck_assert_msg(haywire_source_read(src, pa, a, len, NULL) == HAYWIRE_OK, "PA 0x%llx: %s",
	              (unsigned long long)pa, haywire_last_error());
	ck_assert_int_eq(haywire_source_read(ref, pa, b, len, NULL), HAYWIRE_OK);
	ck_assert_msg(!memcmp(a, b, len), "bytes differ at PA 0x%llx", (unsigned long long)pa);
	free(a);
	free(b);
}

/* Some byte of the file pattern is non-zero in [PA, PA+len) of REF (the test is not vacuous). */
static int nonzero(haywire_source *ref, uint64_t pa, uint64_t len)
{
	uint8_t *b = malloc(len);
	int any = 0;
	if (haywire_source_read(ref, pa, b, len, NULL) == HAYWIRE_OK)
		for (uint64_t i = 0; i < len && !any; i++)
			any = b[i] != 0;
	free(b);
	return any;
}

static const char *x86_machine[] = {"-M", "q35", "-m", "4G", NULL};
static const char *virt_machine[] = {"-M", "virt", "-cpu", "max", "-m", "1G", NULL};

/* Map, bytes, registers and pause/resume for one machine. */
static void live_machine(const char *qemu, const char *const *machine, uint64_t size,
                         const char *layout, uint32_t arch)
{
	struct vm vm = {0};
	char backend[128];
	snprintf(backend, sizeof backend, "memory-backend-file,id=ram,size=%llu,mem-path=%%s,share=on",
	         (unsigned long long)size);
	vm_start(&vm, qemu, machine, backend, size);
	char *spec = tu_spec("qmp:", vm.sock, NULL);
	char *fspec = tu_spec("file:", vm.ram, layout);
	haywire_source *src = open_ok(spec), *ref = open_ok(fspec);
	ck_assert_uint_eq(haywire_source_flags(src) & (HAYWIRE_SOURCE_LIVE | HAYWIRE_SOURCE_ZERO_COPY),
	                  HAYWIRE_SOURCE_LIVE | HAYWIRE_SOURCE_ZERO_COPY);
	ck_assert_str_eq(haywire_source_property(src, "read_path"), "map");

	/* the memory map is exactly info mtree -f's RAM */
	haywire_ram_range want[16], got[16];
	size_t nw = mtree_ram(&vm, want, 16);
	uint64_t ng = 0;
	ck_assert_int_eq(haywire_source_ram_ranges(src, got, 16, &ng), HAYWIRE_OK);
	ck_assert_uint_eq(ng, nw);
	ck_assert_uint_gt(nw, 0);
	for (size_t i = 0; i < nw; i++) {
		ck_assert_uint_eq(got[i].gpa, want[i].gpa);
		ck_assert_uint_eq(got[i].size, want[i].size);
	}
	ck_assert_uint_eq(haywire_source_ram_size(src) <= size, 1);

	/* bytes agree with the file read under the machine's named layout, at every range's
	 * first and last 64 KiB (the patterned spans cover those for these sizes) */
	int checked_nonzero = 0;
	for (size_t i = 0; i < nw; i++) {
		uint64_t span = got[i].size < 65536 ? got[i].size : 65536;
		assert_same_bytes(src, ref, got[i].gpa, span);
		assert_same_bytes(src, ref, got[i].gpa + got[i].size - span, span);
		checked_nonzero += nonzero(ref, got[i].gpa, span);
	}
	ck_assert_int_gt(checked_nonzero, 0);

	/* registers */
	ck_assert_uint_ge(haywire_source_cpu_count(src), 1);
	haywire_cpu_state c = {.struct_size = sizeof c};
	ck_assert_int_eq(haywire_source_cpu_state(src, 0, &c), HAYWIRE_OK);
	ck_assert_uint_eq(c.arch, arch);
	if (arch == HAYWIRE_ARCH_X86_64) {
		uint32_t need = HAYWIRE_CPU_CR0 | HAYWIRE_CPU_CR3 | HAYWIRE_CPU_CR4 | HAYWIRE_CPU_PC;
		ck_assert_uint_eq(c.valid & need, need);
		ck_assert_uint_eq(c.cr0 & 1, 0); /* reset state: real mode, paging off */
		ck_assert_uint_eq(c.cr0 & 0x10, 0x10); /* CR0.ET is hard-wired to 1 */
	} else {
		ck_assert_uint_eq(c.valid & (HAYWIRE_CPU_PC | HAYWIRE_CPU_SP),
		                  HAYWIRE_CPU_PC | HAYWIRE_CPU_SP);
	}

	/* pause/resume, seen through the test's own monitor */
	ck_assert_int_eq(mon_running(&vm), 0); /* -S */
	ck_assert_int_eq(haywire_source_resume(src), HAYWIRE_OK);
	ck_assert_int_eq(mon_running(&vm), 1);
	/* reading while the firmware runs neither crashes nor hangs */
	uint8_t buf[4096];
	ck_assert_int_eq(haywire_source_read(src, got[nw - 1].gpa, buf, sizeof buf, NULL), HAYWIRE_OK);
	ck_assert_int_eq(haywire_source_pause(src), HAYWIRE_OK);
	ck_assert_int_eq(mon_running(&vm), 0);

	haywire_source_close(src);
	haywire_source_close(ref);
	vm_stop(&vm);
	free(spec);
	free(fspec);
}

static const char *qemu_x86 = "qemu-system-x86_64", *qemu_arm = "qemu-system-aarch64";

static int have(const char *prog)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

START_TEST(q35_zero_copy)
{
	live_machine(qemu_x86, x86_machine, 4 * GiB, "q35", HAYWIRE_ARCH_X86_64);
}
END_TEST

START_TEST(virt_zero_copy)
{
	if (!have(qemu_arm))
		return;
	live_machine(qemu_arm, virt_machine, 1 * GiB, "virt", HAYWIRE_ARCH_ARM64);
}
END_TEST

/* share=off: the file does not show the guest's bytes, so reads go through QEMU. */
START_TEST(q35_share_off_fallback)
{
	struct vm vm = {0};
	vm_start(&vm, qemu_x86, x86_machine,
	         "memory-backend-file,id=ram,size=4294967296,mem-path=%s,share=off", 4 * GiB);
	char *spec = tu_spec("qmp:", vm.sock, NULL);
	char *fspec = tu_spec("file:", vm.ram, "q35");
	haywire_source *src = open_ok(spec), *ref = open_ok(fspec);
	ck_assert_uint_eq(haywire_source_flags(src) & (HAYWIRE_SOURCE_ZERO_COPY | HAYWIRE_SOURCE_FALLBACK),
	                  HAYWIRE_SOURCE_FALLBACK);
	ck_assert_str_eq(haywire_source_property(src, "read_path"), "pmemsave");
	/* QEMU's private copy still holds the file's bytes: compare across the 4 GiB split */
	assert_same_bytes(src, ref, 0, 640 * 1024);
	assert_same_bytes(src, ref, 0x7ff00000, 1 * MiB);
	assert_same_bytes(src, ref, 0x100000000ull, 1 * MiB);
	assert_same_bytes(src, ref, 0x17ff00000ull, 1 * MiB);
	ck_assert_int_eq(nonzero(ref, 0x100000000ull, 4096), 1);
	const void *p;
	ck_assert_int_eq(haywire_source_map(src, 0x100000, 4096, &p), HAYWIRE_E_UNSUPPORTED);

	/* the xp path (second socket) returns the same bytes as pmemsave */
	json_object_put(NULL);
	fclose(vm.mon);
	vm.mon = NULL;
	char *xspec = malloc(strlen(vm.sock2) + 32);
	sprintf(xspec, "qmp:%s,read=xp", vm.sock2);
	haywire_source *xsrc = open_ok(xspec);
	ck_assert_str_eq(haywire_source_property(xsrc, "read_path"), "xp");
	assert_same_bytes(xsrc, src, 0x100000000ull - 0 + 0x1000 - 100, 200);
	assert_same_bytes(xsrc, src, 0x7ffff000, 4096);
	haywire_source_close(xsrc);
	haywire_source_close(src);
	haywire_source_close(ref);
	vm_stop(&vm);
	free(spec);
	free(fspec);
	free(xspec);
}
END_TEST

/* memory-backend-ram: no file at all; pmemsave and xp agree with each other. */
START_TEST(q35_ram_backend_fallback)
{
	struct vm vm = {0};
	/* a free TCP port for a third QMP server (HOST:PORT specs) */
	int ps = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t slen = sizeof sin;
	ck_assert_int_eq(bind(ps, (struct sockaddr *)&sin, sizeof sin), 0);
	ck_assert_int_eq(getsockname(ps, (struct sockaddr *)&sin, &slen), 0);
	int port = ntohs(sin.sin_port);
	close(ps);
	char tcp[64], tspec[64];
	snprintf(tcp, sizeof tcp, "tcp:127.0.0.1:%d,server=on,wait=off", port);
	snprintf(tspec, sizeof tspec, "qmp:127.0.0.1:%d,timeout=10000", port);
	vm_start(&vm, qemu_x86, (const char *[]){"-M", "q35", "-m", "512M", "-qmp", tcp, NULL},
	         "memory-backend-ram,id=ram,size=512M%.0s", 0);
	char *spec = tu_spec("qmp:", vm.sock, NULL);
	haywire_source *src = open_ok(spec);
	ck_assert_str_eq(haywire_source_property(src, "read_path"), "pmemsave");
	ck_assert_uint_eq(haywire_source_ram_size(src) > 500 * MiB, 1);
	/* let the firmware write RAM; reads through QEMU while it runs stay bounded */
	ck_assert_int_eq(haywire_source_resume(src), HAYWIRE_OK);
	uint8_t *big = malloc(8 * MiB);
	ck_assert_int_eq(haywire_source_read(src, 0x100000, big, 8 * MiB, NULL), HAYWIRE_OK);
	free(big);
	usleep(300000);
	ck_assert_int_eq(haywire_source_pause(src), HAYWIRE_OK);
	fclose(vm.mon);
	vm.mon = NULL;
	char *xspec = malloc(strlen(vm.sock2) + 32);
	sprintf(xspec, "qmp:%s,read=xp", vm.sock2);
	haywire_source *xsrc = open_ok(xspec);
	assert_same_bytes(xsrc, src, 0x0, 4096);
	assert_same_bytes(xsrc, src, 0x9f000, 4096);
	ck_assert_int_eq(nonzero(src, 0x0, 0xa0000), 1); /* the firmware wrote low RAM */
	/* the same machine over TCP: same map as a source opened as late (the firmware
	 * changed the map since SRC was opened: maps are taken at open), same bytes */
	haywire_source *tsrc = open_ok(tspec);
	ck_assert_uint_eq(haywire_source_ram_range_count(tsrc), haywire_source_ram_range_count(xsrc));
	ck_assert_uint_eq(haywire_source_ram_size(tsrc), haywire_source_ram_size(xsrc));
	assert_same_bytes(tsrc, src, 0x9f000, 4096);
	haywire_source_close(tsrc);
	haywire_source_close(xsrc);
	haywire_source_close(src);
	vm_stop(&vm);
	free(spec);
	free(xspec);
}
END_TEST

int main(void)
{
	if (!have(qemu_x86)) {
		printf("SKIP: %s not found\n", qemu_x86);
		return 77;
	}
	Suite *s = suite_create("qmp-qemu");
	TCase *tc = tcase_create("qemu");
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, q35_zero_copy);
	tcase_add_test(tc, virt_zero_copy);
	tcase_add_test(tc, q35_share_off_fallback);
	tcase_add_test(tc, q35_ram_backend_fallback);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
