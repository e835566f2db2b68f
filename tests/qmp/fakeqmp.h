/*
 * A small QMP server for tests, in a forked child on a unix socket. It
 * serves a synthetic machine (RAM file, memory map, two x86 vCPUs) and can
 * misbehave in one chosen way per run.
 */
#ifndef HW_FAKEQMP_H
#define HW_FAKEQMP_H

#include <check.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

enum fake_mode {
	FAKE_NORMAL,
	FAKE_NOT_QMP,        /* greets with plain text */
	FAKE_TRUNCATED,      /* half a greeting, then closes */
	FAKE_MALFORMED,      /* answers qmp_capabilities with broken JSON */
	FAKE_HUGE,           /* answers qmp_capabilities with 17 MiB and no newline */
	FAKE_SILENT,         /* never answers qmp_capabilities */
	FAKE_ERROR,          /* qom-list fails with an error reply */
	FAKE_BOGUS_MTREE,    /* "info mtree -f" text that is not a memory map */
	FAKE_NO_MEMORY_AS,   /* a flat view without address space "memory" */
	FAKE_MTREE_PAST_END, /* a RAM range that runs past its backend */
	FAKE_DISCONNECT,     /* closes in the middle of the "info mtree -f" reply */
	FAKE_CHATTY,         /* an event and a stale reply before every reply */
	FAKE_WRONG_TYPES,    /* nulls and numbers where QOM gives strings */
};

/* Counters the test reads back (shared memory between test and server). */
struct fake_stats {
	int stops, conts, running, pmemsaves, xps;
};

/* The synthetic machine: RAM file offsets of the three RAM ranges. */
#define FAKE_RAM_SIZE (8u << 20)
static const struct {
	uint64_t gpa, size, offset;
} fake_map[] = {
	{0x0, 0xa0000, 0x0},
	{0x100000, 0x300000, 0x100000},
	{0x100000000ull, 0x400000, 0x400000},
};

struct fake_qmp {
	pid_t pid;
	char *sock;
	struct fake_stats *stats;
};

static void fake_send(int fd, const char *s)
{
	size_t len = strlen(s);
	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);
		if (n <= 0)
			_exit(0);
		s += n;
		len -= (size_t)n;
	}
}

static void fake_reply(int fd, enum fake_mode mode, json_object *id, json_object *ret)
{
	if (mode == FAKE_CHATTY) {
		fake_send(fd, "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": "
		              "\"RTC_CHANGE\", \"data\": {\"offset\": 1}}\r\n");
		fake_send(fd, "{\"return\": {}, \"id\": 999999}\r\n");
	}
	json_object *r = json_object_new_object();
	json_object_object_add(r, "return", ret);
	if (id)
		json_object_object_add(r, "id", json_object_get(id));
	fake_send(fd, json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN));
	fake_send(fd, "\r\n");
	json_object_put(r);
}

static const char *fake_mtree(enum fake_mode mode)
{
	switch (mode) {
	case FAKE_BOGUS_MTREE:
		return "FlatView #0\n AS \"memory\", root: system\n Root memory region: system\n"
		       "  00000000zz-0000 (prio 0, ram): ram\n\n";
	case FAKE_NO_MEMORY_AS:
		return "FlatView #0\n AS \"I/O\", root: io\n Root memory region: io\n"
		       "  0000000000000000-0000000000000007 (prio 0, i/o): dma-chan\n\n";
	case FAKE_MTREE_PAST_END:
		return "FlatView #0\n AS \"memory\", root: system\n Root memory region: system\n"
		       "  0000000000000000-0000000000ffffff (prio 0, ram): ram\n\n";
	default:
		return "FlatView #0\n AS \"mch\", root: bus master container\n"
		       " Root memory region: (none)\n  No rendered FlatView\n\n"
		       "FlatView #1\n AS \"memory\", root: system\n AS \"cpu-memory-0\", root: system\n"
		       " Root memory region: system\n"
		       "  0000000000000000-000000000009ffff (prio 0, ram): ram\n"
		       "  00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem\n"
		       "  00000000000e0000-00000000000fffff (prio 0, rom): pc.bios @0000000000020000\n"
		       "  0000000000100000-00000000003fffff (prio 0, ram): ram @0000000000100000\n"
		       "  00000000fd000000-00000000fdffffff (prio 1, ram): vga.vram\n"
		       "  0000000100000000-00000001003fffff (prio 0, ram): ram @0000000000400000\n\n"
		       "FlatView #2\n AS \"I/O\", root: io\n Root memory region: io\n"
		       "  0000000000000000-0000000000000007 (prio 0, i/o): dma-chan\n\n";
	}
}

/* File offset of guest-physical PA in the synthetic map, or -1. */
static int64_t fake_offset(uint64_t pa)
{
	for (size_t i = 0; i < sizeof fake_map / sizeof *fake_map; i++)
		if (pa >= fake_map[i].gpa && pa - fake_map[i].gpa < fake_map[i].size)
			return (int64_t)(fake_map[i].offset + pa - fake_map[i].gpa);
	return -1;
}

static json_object *fake_hmp(const char *line, int cpu, enum fake_mode mode, int fd,
                             json_object *id, const char *ram, struct fake_stats *st)
{
	char out[65536];
	if (!strcmp(line, "info mtree -f")) {
		if (mode == FAKE_DISCONNECT) {
			fake_send(fd, "{\"return\": \"FlatView #0\\n AS \\\"memory\\\", root: sys");
			_exit(0);
		}
		return json_object_new_string(fake_mtree(mode));
	}
	if (!strcmp(line, "info registers")) {
		snprintf(out, sizeof out,
		         "\nCPU#%d\nRAX=0000000000000000 RBX=0000000000000001\n"
		         "RSI=0000000000000000 RDI=0000000000000000 RBP=0000000000000000 "
		         "RSP=ffffc900000%05x\nRIP=ffffffff81%06x RFL=00000246 [---Z-P-] CPL=0\n"
		         "ES =0000 0000000000000000 00000000 00000000\n"
		         "CR0=80050033 CR2=00007f0000001000 CR3=00000000%08x CR4=00370ef0\n"
		         "DR0=0000000000000000 DR1=0000000000000000\nEFER=0000000000000d01\n",
		         cpu, 0x1000 * cpu + 0x10, 0x2000 + cpu, 0x100000 + cpu * 0x1000);
		return json_object_new_string(out);
	}
	unsigned long long n, pa;
	if (sscanf(line, "xp /%lluxb %llx", &n, &pa) == 2 && n <= 4096) {
		st->xps++;
		FILE *f = fopen(ram, "rb");
		size_t o = 0;
		for (unsigned long long i = 0; i < n; i++) {
			int64_t off = fake_offset(pa + i);
			unsigned char b = 0;
			if (off >= 0 && fseek(f, off, SEEK_SET) == 0)
				b = (unsigned char)fgetc(f);
			if (i % 8 == 0)
				o += (size_t)snprintf(out + o, sizeof out - o, "%s%016llx:", i ? "\n" : "",
				                      pa + i);
			o += (size_t)snprintf(out + o, sizeof out - o, " 0x%02x", b);
		}
		snprintf(out + o, sizeof out - o, "\n");
		fclose(f);
		return json_object_new_string(out);
	}
	return json_object_new_string("unknown command\r\n");
}

static void fake_serve(int fd, enum fake_mode mode, const char *ram, struct fake_stats *st)
{
	if (mode == FAKE_NOT_QMP) {
		fake_send(fd, "SSH-2.0-OpenSSH_9.2\r\n");
		pause();
	}
	if (mode == FAKE_TRUNCATED) {
		fake_send(fd, "{\"QMP\": {\"version\": {\"qemu\": ");
		_exit(0);
	}
	fake_send(fd, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 9, \"minor\": 2, \"major\": 7}, "
	              "\"package\": \"fake\"}, \"capabilities\": [\"oob\"]}}\r\n");
	FILE *in = fdopen(dup(fd), "r");
	char *line = NULL;
	size_t cap = 0;
	uint8_t *all = NULL;
	while (getline(&line, &cap, in) > 0) {
		json_object *req = json_tokener_parse(line), *jcmd, *args = NULL, *id = NULL;
		if (!req || !json_object_object_get_ex(req, "execute", &jcmd))
			_exit(2);
		json_object_object_get_ex(req, "arguments", &args);
		json_object_object_get_ex(req, "id", &id);
		const char *cmd = json_object_get_string(jcmd);
		json_object *a1 = NULL, *a2 = NULL, *a3 = NULL;
		if (args) {
			json_object_object_get_ex(args, "path", &a1);
			json_object_object_get_ex(args, "property", &a2);
		}
		if (!strcmp(cmd, "qmp_capabilities")) {
			if (mode == FAKE_MALFORMED) {
				fake_send(fd, "{\"return\": ]\r\n");
				continue;
			}
			if (mode == FAKE_HUGE) {
				char *big = malloc(17u << 20);
				memset(big, ' ', 17u << 20);
				big[0] = '{';
				for (size_t off = 0; off < (17u << 20); off += 65536) {
					ssize_t n = send(fd, big + off, 65536, MSG_NOSIGNAL);
					if (n <= 0)
						break;
				}
				pause();
			}
			if (mode == FAKE_SILENT)
				pause();
			fake_reply(fd, mode, id, json_object_new_object());
		} else if (!strcmp(cmd, "qom-list")) {
			if (mode == FAKE_ERROR) {
				fake_send(fd, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"boom: "
				              "no objects today\"}, \"id\": ");
				fake_send(fd, json_object_to_json_string(id));
				fake_send(fd, "}\r\n");
				continue;
			}
			const char *objects =
				mode == FAKE_WRONG_TYPES
					? "[null, 5, {\"name\": null, \"type\": 3}, {\"name\": \"ram\", "
					  "\"type\": \"child<memory-backend-file>\"}]"
					: "[{\"name\": \"type\", \"type\": \"string\"}, {\"name\": \"ram\", "
					  "\"type\": \"child<memory-backend-file>\"}]";
			fake_reply(fd, mode, id, json_tokener_parse(objects));
		} else if (!strcmp(cmd, "qom-get")) {
			const char *prop = json_object_get_string(a2);
			if (!strcmp(prop, "size"))
				fake_reply(fd, mode, id, json_object_new_int64(FAKE_RAM_SIZE));
			else if (!strcmp(prop, "share"))
				fake_reply(fd, mode, id, json_object_new_boolean(1));
			else if (!strcmp(prop, "mem-path"))
				fake_reply(fd, mode, id,
				           mode == FAKE_WRONG_TYPES ? json_object_new_int(7)
				                                    : json_object_new_string(ram));
			else
				fake_send(fd, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}}\r\n");
		} else if (!strcmp(cmd, "human-monitor-command")) {
			json_object *cl = NULL, *ci = NULL;
			json_object_object_get_ex(args, "command-line", &cl);
			json_object_object_get_ex(args, "cpu-index", &ci);
			fake_reply(fd, mode, id,
			           fake_hmp(json_object_get_string(cl), ci ? json_object_get_int(ci) : 0,
			                    mode, fd, id, ram, st));
		} else if (!strcmp(cmd, "query-cpus-fast")) {
			fake_reply(fd, mode, id,
			           json_tokener_parse("[{\"cpu-index\": 0, \"target\": \"x86_64\"}, "
			                              "{\"cpu-index\": 1, \"target\": \"x86_64\"}]"));
		} else if (!strcmp(cmd, "pmemsave")) {
			json_object_object_get_ex(args, "val", &a1);
			json_object_object_get_ex(args, "size", &a2);
			json_object_object_get_ex(args, "filename", &a3);
			uint64_t pa = (uint64_t)json_object_get_int64(a1);
			uint64_t n = (uint64_t)json_object_get_int64(a2);
			st->pmemsaves++;
			FILE *o = fopen(json_object_get_string(a3), "wb");
			uint8_t *out = malloc(n ? n : 1);
			if (!all) { /* the RAM file, read once per connection */
				FILE *f = fopen(ram, "rb");
				all = malloc(FAKE_RAM_SIZE);
				if (fread(all, 1, FAKE_RAM_SIZE, f) != FAKE_RAM_SIZE)
					_exit(3);
				fclose(f);
			}
			for (uint64_t i = 0; i < n; i++) {
				int64_t off = fake_offset(pa + i);
				out[i] = off >= 0 ? all[off] : 0;
			}
			fwrite(out, 1, n, o);
			free(out);
			fclose(o);
			fake_reply(fd, mode, id, json_object_new_object());
		} else if (!strcmp(cmd, "stop") || !strcmp(cmd, "cont")) {
			int stop = !strcmp(cmd, "stop");
			stop ? st->stops++ : st->conts++;
			st->running = !stop;
			fake_reply(fd, mode, id, json_object_new_object());
		} else if (!strcmp(cmd, "query-status")) {
			json_object *r = json_object_new_object();
			json_object_object_add(r, "running", json_object_new_boolean(st->running));
			fake_reply(fd, mode, id, r);
		} else {
			fake_send(fd, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no\"}}\r\n");
		}
		json_object_put(req);
	}
	_exit(0);
}

/* Start a server in MODE for RAM file RAM (may be NULL when never read). */
static inline struct fake_qmp fake_start(enum fake_mode mode, const char *ram)
{
	struct fake_qmp f = {0};
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	f.sock = malloc(strlen(dir) + 40);
	snprintf(f.sock, strlen(dir) + 40, "%s/hw-fakeqmp-%d-%d.sock", dir, (int)getpid(),
	         (int)mode);
	unlink(f.sock);
	f.stats = mmap(NULL, sizeof *f.stats, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	               -1, 0);
	ck_assert_ptr_ne(f.stats, MAP_FAILED);
	f.stats->running = 1;
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", f.sock);
	ck_assert_int_eq(bind(ls, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(listen(ls, 4), 0);
	f.pid = fork();
	ck_assert_int_ge(f.pid, 0);
	if (f.pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed test */
		for (;;) {
			int c = accept(ls, NULL, NULL);
			if (c < 0)
				_exit(1);
			pid_t conn = fork(); /* one process per connection, like sessions */
			if (conn == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				fake_serve(c, mode, ram, f.stats);
			}
			close(c);
		}
	}
	close(ls);
	return f;
}

static inline void fake_stop(struct fake_qmp *f)
{
	kill(f->pid, SIGKILL);
	waitpid(f->pid, NULL, 0);
	unlink(f->sock);
	free(f->sock);
	munmap(f->stats, sizeof *f->stats);
}

/* "qmp:SOCK" plus OPTIONS (may be ""); malloc'd. */
static inline char *fake_spec(const struct fake_qmp *f, const char *options)
{
	size_t n = strlen(f->sock) + strlen(options) + 8;
	char *s = malloc(n);
	snprintf(s, n, "qmp:%s%s", f->sock, options);
	return s;
}

#endif
