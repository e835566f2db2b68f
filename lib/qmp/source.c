/*
 * QMP source: a live QEMU. The memory map comes from "info mtree -f", the
 * backing file of each memory backend from QOM. A readable share=on file is
 * mapped (zero copy); any other RAM is read through QEMU itself (pmemsave
 * into a private temp file, or "xp" text when QEMU cannot reach our files).
 */
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

static int qmp_read(const haywire_source *src, const struct hw_range *r, uint64_t off, void *buf,
                    uint64_t len)
{
	struct qmp_source *qs = src->priv;
	pthread_mutex_lock(&qs->lock);
	int rc = hw_qmp_read_via_qemu(qs, qs->fallback, r->gpa + off, buf, len);
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
		rc = hw_qmp_find_backends(qs);
	if (!rc)
		rc = hw_qmp_build_ranges(qs, o.read, &ranges, &n, &mapped, &unmapped);
	if (!rc && unmapped) {
		uint64_t probe = 0;
		for (uint64_t i = 0; i < n; i++)
			if (!ranges[i].host) {
				probe = ranges[i].gpa;
				break;
			}
		rc = hw_qmp_choose_fallback(qs, o.read, probe);
	}
	if (!rc)
		rc = hw_qmp_read_cpus(qs, &cpus, &ncpus);
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
