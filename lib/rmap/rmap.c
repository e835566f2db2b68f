/* Building a reverse map from a kernel and its processes; rebuilding in place. */
#include "core/error.h"
#include "core/u64set.h"
#include "kernel/kernel_impl.h"
#include "rmap/rmap_impl.h"
#include "source/source_impl.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * One input per process (tgid) with a user address space, in snapshot
 * order. Threads fold into their process; a root already taken is listed
 * without an address space (SHARED_MM).
 */
static int gather(const haywire_procs *procs, struct hw_rmap_input **out, uint32_t *n)
{
	uint64_t count = haywire_procs_count(procs);
	struct hw_rmap_input *in = count ? calloc(count, sizeof *in) : NULL;
	struct hw_u64set tgids = {0}, roots = {0};
	int rc = count && !in ? hw_fail_nomem("reverse map inputs") : HAYWIRE_OK;
	uint32_t m = 0;
	for (uint64_t i = 0; !rc && i < count; i++) {
		haywire_task t = {.struct_size = sizeof t};
		if (haywire_procs_get(procs, i, &t) || !t.pgd ||
		    (t.flags & HAYWIRE_TASK_KERNEL_THREAD))
			continue;
		int fresh = hw_u64set_add(&tgids, (uint32_t)t.tgid);
		if (fresh < 0)
			rc = hw_fail_nomem("reverse map inputs");
		if (fresh <= 0)
			continue;
		struct hw_rmap_input *p = &in[m++];
		p->info.struct_size = sizeof p->info;
		p->info.pid = t.tgid;
		p->info.uid = t.uid;
		p->info.pgd = t.pgd;
		memcpy(p->info.comm, t.comm, sizeof p->info.comm);
		int root_fresh = hw_u64set_add(&roots, t.pgd);
		if (root_fresh < 0)
			rc = hw_fail_nomem("reverse map inputs");
		else if (!root_fresh)
			p->info.flags |= HAYWIRE_RMAP_PROC_SHARED_MM;
		/* A root outside RAM (a task exiting under a live guest): listed, not walked. */
		else if (haywire_procs_aspace(procs, i, (haywire_aspace **)&p->as))
			p->as = NULL;
	}
	hw_u64set_free(&tgids);
	hw_u64set_free(&roots);
	*out = in;
	*n = m;
	return rc;
}

static void release_inputs(struct hw_rmap_input *in, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		haywire_aspace_free((haywire_aspace *)in[i].as);
	free(in);
}

HAYWIRE_API int haywire_rmap_rebuild(haywire_rmap *old, haywire_kernel *k,
                                     const haywire_procs *procs,
                                     const haywire_rmap_options *opts, haywire_rmap **out)
{
	if (!out) {
		hw_rmap_destroy(old);
		return hw_fail(HAYWIRE_E_INVALID, "haywire_rmap_build: NULL output pointer");
	}
	*out = NULL;
	if (!k || (opts && opts->struct_size < offsetof(haywire_rmap_options, max_entries))) {
		hw_rmap_destroy(old);
		return hw_fail(HAYWIRE_E_INVALID, "haywire_rmap_build: NULL kernel or bad options");
	}
	/* Older, smaller options structs: the fields they lack are defaults. */
	haywire_rmap_options o = {.struct_size = sizeof o};
	if (opts)
		memcpy(&o, opts, opts->struct_size < sizeof o ? opts->struct_size : sizeof o);
	uint64_t t0 = now_ns();
	haywire_rmap *r = old ? old : calloc(1, sizeof *r);
	if (!r)
		return hw_fail_nomem("reverse map");
	haywire_procs *own = NULL;
	/* a live source opened with snapshot=1 pauses the guest for the whole build */
	haywire_source *src = haywire_kernel_source(k);
	int rc = hw_source_hold(src);
	int held = rc == HAYWIRE_OK;
	if (!rc && !procs) {
		rc = haywire_procs_snapshot(k, 0, &own);
		procs = own;
	}
	struct hw_rmap_input *in = NULL;
	uint32_t n = 0;
	if (!rc)
		rc = gather(procs, &in, &n);
	if (!rc) {
		struct hw_kimage kimg;
		hw_rmap_kernel_image(k, &kimg); /* none found: no image records */
		rc = hw_rmap_fill(r, haywire_kernel_source(k), in, n, &kimg, &o);
	}
	release_inputs(in, n);
	haywire_procs_free(own);
	if (held)
		hw_source_release(src);
	if (rc) {
		hw_rmap_destroy(r);
		return rc;
	}
	r->stats.build_ns = now_ns() - t0;
	*out = r;
	return HAYWIRE_OK;
}

HAYWIRE_API int haywire_rmap_build(haywire_kernel *k, const haywire_procs *procs,
                                   const haywire_rmap_options *opts, haywire_rmap **out)
{
	return haywire_rmap_rebuild(NULL, k, procs, opts, out);
}

HAYWIRE_API void haywire_rmap_free(haywire_rmap *r)
{
	hw_rmap_destroy(r);
}
