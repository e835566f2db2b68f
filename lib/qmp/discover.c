/* What the QMP source learns at open: memory backends, the memory map, vCPU registers. */
#include "qmp/qmp_source.h"

#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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
int hw_qmp_find_backends(struct qmp_source *qs)
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
	qs->backends = calloc(HW_QMP_MAX_BACKENDS, sizeof *qs->backends);
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
		if (qs->nbackends == HW_QMP_MAX_BACKENDS) {
			rc = hw_fail(HAYWIRE_E_LIMIT, "more than %d memory backends", HW_QMP_MAX_BACKENDS);
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

/*
 * Join neighbours that continue each other in guest-physical space, in the
 * backend and in the mapping (QEMU's flat view splits one RAM block where
 * x86 PAM windows switch to read-only), so the map reads like the RAM file's.
 */
static uint64_t coalesce(struct hw_range *rs, uint64_t n)
{
	uint64_t k = 0;
	for (uint64_t i = 0; i < n; i++) {
		struct hw_range *prev = k ? &rs[k - 1] : NULL;
		if (prev && prev->gpa + prev->size == rs[i].gpa &&
		    prev->offset + prev->size == rs[i].offset &&
		    (prev->host ? prev->host + prev->size == rs[i].host : !rs[i].host))
			prev->size += rs[i].size;
		else
			rs[k++] = rs[i];
	}
	return k;
}

/* RAM ranges from the flat view, each tied to its backend (device RAM is skipped). */
int hw_qmp_build_ranges(struct qmp_source *qs, enum read_mode mode, struct hw_range **out,
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
	*count = coalesce(rs, k);
	return HAYWIRE_OK;
}

/* Pick pmemsave or xp for unmapped RAM: pmemsave only if QEMU can write our temp files. */
static int arch_of(const char *target)
{
	if (!strcmp(target, "x86_64") || !strcmp(target, "i386"))
		return HAYWIRE_ARCH_X86_64;
	if (!strcmp(target, "aarch64") || !strcmp(target, "arm"))
		return HAYWIRE_ARCH_ARM64;
	return HAYWIRE_ARCH_UNKNOWN;
}

int hw_qmp_read_cpus(struct qmp_source *qs, haywire_cpu_state **out, uint32_t *count)
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
	if (n > HW_QMP_MAX_CPUS) {
		json_object_put(list);
		return hw_fail(HAYWIRE_E_LIMIT, "query-cpus-fast: %zu vCPUs, at most %d", n, HW_QMP_MAX_CPUS);
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
