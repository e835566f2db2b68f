/*
 * QMP source: a live QEMU. The memory map comes from "info mtree -f", the
 * backing file of each memory backend from QOM. A readable share=on file is
 * mapped (zero copy); any other RAM is read through QEMU itself (pmemsave
 * into a private temp file, or "xp" text when QEMU cannot reach our files).
 */
#include "qmp/client.h"
#include "qmp/hmp_parse.h"
#include "source/source_impl.h"

#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Caps on what a hostile peer may make us allocate or loop over. */
#define MAX_BACKENDS 256
#define MAX_CPUS 4096
/* Fallback chunk sizes: pmemsave writes a file, xp prints ~5 text bytes per byte. */
#define PMEMSAVE_CHUNK (4u << 20)
#define XP_CHUNK 4096u

enum read_mode { READ_AUTO, READ_PMEMSAVE, READ_XP };

struct backend {
	char name[HW_MTREE_NAME_MAX];
	uint64_t size;
	int share;
	char *mem_path; /* memory-backend-file only */
	void *map;      /* mapped file or NULL */
};

struct qmp_source {
	pthread_mutex_t lock; /* one socket: every QMP exchange holds it */
	struct hw_qmp *q;
	enum read_mode fallback; /* READ_PMEMSAVE or READ_XP for unmapped RAM */
	int snapshot;
	int hold_depth, paused_by_hold;
	struct backend *backends;
	uint32_t nbackends;
	char *version;
	char read_path[32];
	char timeout_text[16];
};

struct qmp_options {
	char *target;
	int is_tcp;
	int timeout_ms;
	int snapshot;
	enum read_mode read;
};

/* ---- spec ------------------------------------------------------------- */

static const char *const option_keys[] = {",timeout=", ",snapshot=", ",read="};

static int parse_options(const char *rest, struct qmp_options *o)
{
	*o = (struct qmp_options){.timeout_ms = HW_QMP_DEFAULT_TIMEOUT_MS};
	const char *cut = NULL;
	for (const char *c = strchr(rest, ','); c && !cut; c = strchr(c + 1, ','))
		for (size_t k = 0; k < sizeof option_keys / sizeof *option_keys; k++)
			if (!strncmp(c, option_keys[k], strlen(option_keys[k])))
				cut = c;
	size_t tlen = cut ? (size_t)(cut - rest) : strlen(rest);
	if (!tlen)
		return hw_fail(HAYWIRE_E_INVALID, "qmp:%s: no socket path or HOST:PORT", rest);
	o->target = strndup(rest, tlen);
	if (!o->target)
		return hw_fail_nomem("QMP target");
	/* HOST:PORT when there is no '/' and the part after the last ':' is a port number. */
	const char *colon = strrchr(o->target, ':');
	if (!strchr(o->target, '/') && colon && colon != o->target && colon[1] &&
	    strspn(colon + 1, "0123456789") == strlen(colon + 1))
		o->is_tcp = 1;
	for (const char *p = cut; p && *p;) {
		const char *next = strchr(p + 1, ',');
		size_t len = next ? (size_t)(next - p) : strlen(p);
		char opt[64];
		if (len >= sizeof opt)
			return hw_fail(HAYWIRE_E_INVALID, "qmp: option \"%.40s\" too long", p + 1);
		memcpy(opt, p + 1, len - 1);
		opt[len - 1] = '\0';
		char *end;
		if (!strncmp(opt, "timeout=", 8)) {
			errno = 0;
			long ms = strtol(opt + 8, &end, 10);
			if (errno || *end || end == opt + 8 || ms < 1 || ms > 600000)
				return hw_fail(HAYWIRE_E_INVALID,
				               "qmp: timeout=\"%s\" is not 1..600000 milliseconds", opt + 8);
			o->timeout_ms = (int)ms;
		} else if (!strcmp(opt, "snapshot=0") || !strcmp(opt, "snapshot=1")) {
			o->snapshot = opt[9] == '1';
		} else if (!strcmp(opt, "read=auto")) {
			o->read = READ_AUTO;
		} else if (!strcmp(opt, "read=pmemsave")) {
			o->read = READ_PMEMSAVE;
		} else if (!strcmp(opt, "read=xp")) {
			o->read = READ_XP;
		} else {
			return hw_fail(HAYWIRE_E_INVALID,
			               "qmp: unknown option \"%s\" (timeout=MS, snapshot=0|1, "
			               "read=auto|pmemsave|xp)",
			               opt);
		}
		p = next;
	}
	return HAYWIRE_OK;
}

/* ---- slow reads through QEMU ------------------------------------------- */

static int read_pmemsave(struct qmp_source *qs, uint64_t pa, uint8_t *buf, uint64_t len)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || dir[0] != '/')
		dir = "/tmp"; /* QEMU's working directory is not ours: the path must be absolute */
	char path[4096];
	if (snprintf(path, sizeof path, "%s/haywire-pmem-XXXXXX", dir) >= (int)sizeof path)
		return hw_fail(HAYWIRE_E_INVALID, "TMPDIR is too long");
	int fd = mkstemp(path);
	if (fd < 0)
		return hw_fail_errno(errno, "pmemsave: cannot create a temp file in %s", dir);
	json_object *args = json_object_new_object();
	if (!args) {
		close(fd);
		unlink(path);
		return hw_fail_nomem("QMP arguments");
	}
	json_object_object_add(args, "val", json_object_new_uint64(pa));
	json_object_object_add(args, "size", json_object_new_uint64(len));
	json_object_object_add(args, "filename", json_object_new_string(path));
	int rc = hw_qmp_execute(qs->q, "pmemsave", args, NULL);
	unlink(path); /* QEMU has closed it by the time it answers; our fd keeps the bytes */
	struct stat st = {0};
	if (!rc && (fstat(fd, &st) < 0 || (uint64_t)st.st_size != len))
		rc = hw_fail(HAYWIRE_E_PROTOCOL,
		             "pmemsave: QEMU wrote %lld bytes of 0x%llx to %s, not %llu (does QEMU "
		             "see this host's files? try read=xp)",
		             (long long)st.st_size, (unsigned long long)pa, path,
		             (unsigned long long)len);
	for (uint64_t got = 0; !rc && got < len;) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)got);
		if (n <= 0)
			rc = n < 0 ? hw_fail_errno(errno, "pmemsave: reading %s", path)
			           : hw_fail(HAYWIRE_E_IO, "pmemsave: %s shrank while read", path);
		else
			got += (uint64_t)n;
	}
	close(fd);
	return rc;
}

static int read_xp(struct qmp_source *qs, uint64_t pa, uint8_t *buf, uint64_t len)
{
	char line[64];
	/* "/Nxb": hex bytes, one unit per byte, so endianness never matters */
	snprintf(line, sizeof line, "xp /%lluxb 0x%llx", (unsigned long long)len,
	         (unsigned long long)pa);
	char *text;
	int rc = hw_qmp_hmp(qs->q, line, -1, &text);
	if (rc)
		return rc;
	rc = hw_xp_parse(text, pa, buf, len);
	free(text);
	return rc;
}

/* Read through QEMU with the lock held, in chunks that each fit one timeout. */
static int read_via_qemu(struct qmp_source *qs, enum read_mode how, uint64_t pa, uint8_t *buf,
                         uint64_t len)
{
	uint64_t chunk = how == READ_XP ? XP_CHUNK : PMEMSAVE_CHUNK;
	for (uint64_t done = 0; done < len;) {
		uint64_t n = len - done < chunk ? len - done : chunk;
		int rc = how == READ_XP ? read_xp(qs, pa + done, buf + done, n)
		                        : read_pmemsave(qs, pa + done, buf + done, n);
		if (rc)
			return rc;
		done += n;
	}
	return HAYWIRE_OK;
}

static int qmp_read(const haywire_source *src, const struct hw_range *r, uint64_t off, void *buf,
                    uint64_t len)
{
	struct qmp_source *qs = src->priv;
	pthread_mutex_lock(&qs->lock);
	int rc = read_via_qemu(qs, qs->fallback, r->gpa + off, buf, len);
	pthread_mutex_unlock(&qs->lock);
	return rc;
}

/* ---- pause, resume, holds ---------------------------------------------- */

static int run_locked(struct qmp_source *qs, const char *cmd)
{
	pthread_mutex_lock(&qs->lock);
	int rc = hw_qmp_execute(qs->q, cmd, NULL, NULL);
	qs->paused_by_hold = 0; /* the caller took control of the run state */
	pthread_mutex_unlock(&qs->lock);
	return rc;
}

static int qmp_pause(haywire_source *src)
{
	return run_locked(src->priv, "stop");
}

static int qmp_resume(haywire_source *src)
{
	return run_locked(src->priv, "cont");
}

/* 1 if the guest runs, 0 if not, or a negative status. */
static int is_running(struct qmp_source *qs)
{
	json_object *ret, *running;
	int rc = hw_qmp_execute(qs->q, "query-status", NULL, &ret);
	if (rc)
		return rc;
	if (!json_object_object_get_ex(ret, "running", &running) ||
	    !json_object_is_type(running, json_type_boolean)) {
		json_object_put(ret);
		return hw_fail(HAYWIRE_E_PROTOCOL, "query-status: no boolean \"running\"");
	}
	int r = json_object_get_boolean(running);
	json_object_put(ret);
	return r;
}

static int qmp_hold(const haywire_source *src)
{
	struct qmp_source *qs = src->priv;
	if (!qs->snapshot)
		return HAYWIRE_OK;
	pthread_mutex_lock(&qs->lock);
	int rc = HAYWIRE_OK;
	if (qs->hold_depth == 0) {
		int running = is_running(qs);
		if (running < 0)
			rc = running;
		else if (running && !(rc = hw_qmp_execute(qs->q, "stop", NULL, NULL)))
			qs->paused_by_hold = 1;
	}
	if (!rc)
		qs->hold_depth++;
	pthread_mutex_unlock(&qs->lock);
	return rc;
}

static void release_locked(struct qmp_source *qs)
{
	if (qs->hold_depth == 0)
		return;
	if (--qs->hold_depth == 0 && qs->paused_by_hold) {
		qs->paused_by_hold = 0;
		(void)hw_qmp_execute(qs->q, "cont", NULL, NULL); /* nothing to report it to */
	}
}

static void qmp_release(const haywire_source *src)
{
	struct qmp_source *qs = src->priv;
	if (!qs->snapshot)
		return;
	pthread_mutex_lock(&qs->lock);
	release_locked(qs);
	pthread_mutex_unlock(&qs->lock);
}

static const char *qmp_property(const haywire_source *src, const char *name)
{
	struct qmp_source *qs = src->priv;
	if (!strcmp(name, "read_path"))
		return qs->read_path;
	if (!strcmp(name, "qemu_version"))
		return qs->version;
	if (!strcmp(name, "snapshot"))
		return qs->snapshot ? "1" : "0";
	if (!strcmp(name, "timeout_ms"))
		return qs->timeout_text;
	return NULL;
}

static void free_state(struct qmp_source *qs)
{
	if (!qs)
		return;
	for (uint32_t i = 0; i < qs->nbackends; i++) {
		if (qs->backends[i].map)
			munmap(qs->backends[i].map, qs->backends[i].size);
		free(qs->backends[i].mem_path);
	}
	free(qs->backends);
	hw_qmp_close(qs->q);
	free(qs->version);
	pthread_mutex_destroy(&qs->lock);
	free(qs);
}

static void qmp_destroy(haywire_source *src)
{
	struct qmp_source *qs = src->priv;
	pthread_mutex_lock(&qs->lock);
	while (qs->hold_depth) /* a forgotten hold must not leave the guest stopped */
		release_locked(qs);
	pthread_mutex_unlock(&qs->lock);
	free_state(qs);
}

static const struct hw_source_ops qmp_ops = {
	.kind = "qmp",
	.read = qmp_read,
	.destroy = qmp_destroy,
	.pause = qmp_pause,
	.resume = qmp_resume,
	.hold = qmp_hold,
	.release = qmp_release,
	.property = qmp_property,
};

/* ---- discovery ----------------------------------------------------------- */

static int qom_get(struct hw_qmp *q, const char *path, const char *prop, json_object **ret)
{
	json_object *args = json_object_new_object();
	if (!args)
		return hw_fail_nomem("QMP arguments");
	json_object_object_add(args, "path", json_object_new_string(path));
	json_object_object_add(args, "property", json_object_new_string(prop));
	return hw_qmp_execute(q, "qom-get", args, ret);
}

/* Every memory backend under /objects with its size, share and mem-path. */
static int find_backends(struct qmp_source *qs)
{
	json_object *args = json_object_new_object(), *list;
	if (!args)
		return hw_fail_nomem("QMP arguments");
	json_object_object_add(args, "path", json_object_new_string("/objects"));
	int rc = hw_qmp_execute(qs->q, "qom-list", args, &list);
	if (rc)
		return rc;
	if (!json_object_is_type(list, json_type_array)) {
		json_object_put(list);
		return hw_fail(HAYWIRE_E_PROTOCOL, "qom-list /objects: not a list");
	}
	size_t n = json_object_array_length(list);
	qs->backends = calloc(MAX_BACKENDS, sizeof *qs->backends);
	if (!qs->backends) {
		json_object_put(list);
		return hw_fail_nomem("memory backends");
	}
	for (size_t i = 0; i < n && !rc; i++) {
		json_object *e = json_object_array_get_idx(list, i), *jn, *jt;
		if (!json_object_object_get_ex(e, "name", &jn) ||
		    !json_object_object_get_ex(e, "type", &jt) ||
		    !json_object_is_type(jn, json_type_string) ||
		    !json_object_is_type(jt, json_type_string))
			continue;
		const char *name = json_object_get_string(jn), *type = json_object_get_string(jt);
		if (strncmp(type, "child<memory-backend-", 21))
			continue;
		if (qs->nbackends == MAX_BACKENDS) {
			rc = hw_fail(HAYWIRE_E_LIMIT, "more than %d memory backends", MAX_BACKENDS);
			break;
		}
		if (strlen(name) >= HW_MTREE_NAME_MAX || strchr(name, '/'))
			continue; /* cannot be a region name we parse */
		struct backend *b = &qs->backends[qs->nbackends++];
		strcpy(b->name, name);
		char path[HW_MTREE_NAME_MAX + 16];
		snprintf(path, sizeof path, "/objects/%s", name);
		json_object *v;
		if ((rc = qom_get(qs->q, path, "size", &v)))
			break;
		if (!json_object_is_type(v, json_type_int))
			rc = hw_fail(HAYWIRE_E_PROTOCOL, "qom-get %s size: not a number", path);
		b->size = (uint64_t)json_object_get_uint64(v);
		json_object_put(v);
		if (rc)
			break;
		if (qom_get(qs->q, path, "share", &v) == HAYWIRE_OK) {
			b->share = json_object_get_boolean(v);
			json_object_put(v);
		}
		if (!strcmp(type, "child<memory-backend-file>")) {
			if ((rc = qom_get(qs->q, path, "mem-path", &v)))
				break;
			if (!json_object_is_type(v, json_type_string))
				rc = hw_fail(HAYWIRE_E_PROTOCOL, "qom-get %s mem-path: not a string", path);
			else if (!(b->mem_path = strdup(json_object_get_string(v))))
				rc = hw_fail_nomem("mem-path");
			json_object_put(v);
		}
	}
	json_object_put(list);
	return rc;
}

/* Map B's file read-only and shared when that shows the guest's own bytes. */
static void try_map(struct backend *b)
{
	if (!b->share || !b->mem_path || !b->size)
		return; /* share=off: QEMU's copy is private, the file would lie */
	int fd = open(b->mem_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size >= b->size) {
		void *m = mmap(NULL, b->size, PROT_READ, MAP_SHARED, fd, 0);
		if (m != MAP_FAILED)
			b->map = m;
	}
	close(fd);
}

static struct backend *backend_named(struct qmp_source *qs, const char *name)
{
	for (uint32_t i = 0; i < qs->nbackends; i++)
		if (!strcmp(qs->backends[i].name, name))
			return &qs->backends[i];
	return NULL;
}

/* RAM ranges from the flat view, each tied to its backend (device RAM is skipped). */
static int build_ranges(struct qmp_source *qs, enum read_mode mode, struct hw_range **out,
                        uint64_t *count, int *mapped, int *unmapped)
{
	char *text;
	int rc = hw_qmp_hmp(qs->q, "info mtree -f", -1, &text);
	if (rc)
		return rc;
	struct hw_mtree_range *mr;
	uint64_t n;
	rc = hw_mtree_parse(text, &mr, &n);
	free(text);
	if (rc)
		return rc;
	struct hw_range *rs = calloc(n, sizeof *rs);
	if (!rs) {
		free(mr);
		return hw_fail_nomem("RAM ranges");
	}
	uint64_t k = 0;
	*mapped = *unmapped = 0;
	for (uint64_t i = 0; i < n && !rc; i++) {
		struct backend *b = backend_named(qs, mr[i].name);
		if (!b)
			continue;
		if (mr[i].size == 0 || mr[i].offset > b->size || mr[i].size > b->size - mr[i].offset) {
			rc = hw_fail(HAYWIRE_E_CORRUPT,
			             "info mtree -f: range at PA 0x%llx runs past the end of backend "
			             "\"%s\" (0x%llx bytes)",
			             (unsigned long long)mr[i].gpa, b->name, (unsigned long long)b->size);
			break;
		}
		if (mode == READ_AUTO && !b->map)
			try_map(b);
		rs[k] = (struct hw_range){.gpa = mr[i].gpa, .size = mr[i].size, .offset = mr[i].offset};
		if (mode == READ_AUTO && b->map) {
			rs[k].host = (const uint8_t *)b->map + mr[i].offset;
			++*mapped;
		} else {
			++*unmapped;
		}
		k++;
	}
	free(mr);
	if (!rc && k == 0)
		rc = hw_fail(HAYWIRE_E_CORRUPT,
		             "info mtree -f: no RAM range belongs to a memory backend (%u backends)",
		             qs->nbackends);
	if (!rc && hw_ranges_validate(rs, k, "info mtree -f")) {
		char why[512]; /* copied: the message buffer is rewritten below */
		snprintf(why, sizeof why, "%s", haywire_last_error());
		rc = hw_fail(HAYWIRE_E_CORRUPT, "%s", why);
	}
	if (rc) {
		free(rs);
		return rc;
	}
	*out = rs;
	*count = k;
	return HAYWIRE_OK;
}

/* Pick pmemsave or xp for unmapped RAM: pmemsave only if QEMU can write our temp files. */
static int choose_fallback(struct qmp_source *qs, enum read_mode mode, uint64_t probe_pa)
{
	uint8_t a[16], b[16];
	if (mode == READ_XP) {
		qs->fallback = READ_XP;
		return read_xp(qs, probe_pa, a, sizeof a);
	}
	int rc = read_pmemsave(qs, probe_pa, a, sizeof a);
	if (rc == HAYWIRE_OK || mode == READ_PMEMSAVE) {
		qs->fallback = READ_PMEMSAVE;
		return rc;
	}
	qs->fallback = READ_XP;
	return read_xp(qs, probe_pa, b, sizeof b);
}

static int arch_of(const char *target)
{
	if (!strcmp(target, "x86_64") || !strcmp(target, "i386"))
		return HAYWIRE_ARCH_X86_64;
	if (!strcmp(target, "aarch64") || !strcmp(target, "arm"))
		return HAYWIRE_ARCH_ARM64;
	return HAYWIRE_ARCH_UNKNOWN;
}

static int read_cpus(struct qmp_source *qs, haywire_cpu_state **out, uint32_t *count)
{
	json_object *list;
	int rc = hw_qmp_execute(qs->q, "query-cpus-fast", NULL, &list);
	if (rc)
		return rc;
	if (!json_object_is_type(list, json_type_array)) {
		json_object_put(list);
		return hw_fail(HAYWIRE_E_PROTOCOL, "query-cpus-fast: not a list");
	}
	size_t n = json_object_array_length(list);
	if (n > MAX_CPUS) {
		json_object_put(list);
		return hw_fail(HAYWIRE_E_LIMIT, "query-cpus-fast: %zu vCPUs, at most %d", n, MAX_CPUS);
	}
	haywire_cpu_state *cpus = calloc(n ? n : 1, sizeof *cpus);
	if (!cpus) {
		json_object_put(list);
		return hw_fail_nomem("vCPU states");
	}
	for (size_t i = 0; i < n && !rc; i++) {
		json_object *e = json_object_array_get_idx(list, i), *ji, *jt;
		if (!json_object_object_get_ex(e, "cpu-index", &ji) ||
		    !json_object_is_type(ji, json_type_int)) {
			rc = hw_fail(HAYWIRE_E_PROTOCOL, "query-cpus-fast: entry %zu has no cpu-index", i);
			break;
		}
		int64_t index = json_object_get_int64(ji);
		if (index < 0 || index > 0x7fffffff) {
			rc = hw_fail(HAYWIRE_E_PROTOCOL, "query-cpus-fast: cpu-index %lld",
			             (long long)index);
			break;
		}
		haywire_cpu_state *c = &cpus[i];
		c->struct_size = sizeof *c;
		c->cpu = (uint32_t)index;
		c->arch = json_object_object_get_ex(e, "target", &jt) &&
		                          json_object_is_type(jt, json_type_string)
		                  ? (uint32_t)arch_of(json_object_get_string(jt))
		                  : HAYWIRE_ARCH_UNKNOWN;
		if (c->arch == HAYWIRE_ARCH_UNKNOWN)
			continue; /* a target we cannot read registers of: listed, nothing valid */
		char *text;
		if ((rc = hw_qmp_hmp(qs->q, "info registers", (int)index, &text)))
			break;
		/* Registers are hints: a vCPU whose text we cannot read (e.g. a 32-bit
		 * Arm core under qemu-system-aarch64) is listed with nothing valid. */
		if (hw_registers_parse(text, c->arch, c) != HAYWIRE_OK) {
			c->arch = HAYWIRE_ARCH_UNKNOWN;
			c->valid = 0;
		}
		free(text);
	}
	json_object_put(list);
	if (rc) {
		free(cpus);
		return rc;
	}
	*out = cpus;
	*count = (uint32_t)n;
	return HAYWIRE_OK;
}

int hw_qmp_source_open(const char *rest, haywire_source **out)
{
	*out = NULL;
	struct qmp_options o;
	int rc = parse_options(rest, &o);
	if (rc) {
		free(o.target);
		return rc;
	}
	struct qmp_source *qs = calloc(1, sizeof *qs);
	if (!qs) {
		free(o.target);
		return hw_fail_nomem("QMP source");
	}
	pthread_mutex_init(&qs->lock, NULL);
	qs->snapshot = o.snapshot;
	snprintf(qs->timeout_text, sizeof qs->timeout_text, "%d", o.timeout_ms);

	struct hw_range *ranges = NULL;
	uint64_t n = 0;
	int mapped = 0, unmapped = 0;
	haywire_cpu_state *cpus = NULL;
	uint32_t ncpus = 0;
	rc = hw_qmp_connect(o.target, o.is_tcp, o.timeout_ms, &qs->q, &qs->version);
	if (!rc)
		rc = find_backends(qs);
	if (!rc)
		rc = build_ranges(qs, o.read, &ranges, &n, &mapped, &unmapped);
	if (!rc && unmapped) {
		uint64_t probe = 0;
		for (uint64_t i = 0; i < n; i++)
			if (!ranges[i].host) {
				probe = ranges[i].gpa;
				break;
			}
		rc = choose_fallback(qs, o.read, probe);
	}
	if (!rc)
		rc = read_cpus(qs, &cpus, &ncpus);
	if (rc) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s", haywire_last_error());
		free(ranges);
		free_state(qs);
		hw_fail(rc, "qmp:%s: %s", o.target, msg);
		free(o.target);
		return rc;
	}
	free(o.target);

	const char *slow = qs->fallback == READ_XP ? "xp" : "pmemsave";
	snprintf(qs->read_path, sizeof qs->read_path, "%s%s%s", mapped ? "map" : "",
	         mapped && unmapped ? "+" : "", unmapped ? slow : "");
	uint32_t flags = HAYWIRE_SOURCE_LIVE;
	flags |= unmapped ? HAYWIRE_SOURCE_FALLBACK : HAYWIRE_SOURCE_ZERO_COPY;
	rc = hw_source_new(&qmp_ops, qs, ranges, n, flags, out);
	if (rc) {
		free(cpus);
		free_state(qs);
		return rc;
	}
	(*out)->cpus = cpus;
	(*out)->ncpus = ncpus;
	return HAYWIRE_OK;
}
