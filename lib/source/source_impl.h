/*
 * Internal: what every source backend provides, and the fast paths the
 * upper layers (walker, kernel, rmap) use to read guest-physical memory.
 */
#ifndef HW_SOURCE_IMPL_H
#define HW_SOURCE_IMPL_H

#include <haywire/source.h>
#include <stddef.h>

/* At most this many RAM ranges per source: bounds hostile layouts and headers. */
#define HW_MAX_RANGES 4096

/* One RAM range: where its bytes come from. */
struct hw_range {
	uint64_t gpa;        /* first guest-physical address */
	uint64_t size;       /* bytes */
	uint64_t offset;     /* backend-defined position (file offset for files) */
	const uint8_t *host; /* the range's bytes if mapped, else NULL */
};

struct hw_source_ops {
	const char *kind;
	/* Copy LEN bytes at OFF inside range R (only called when R->host is NULL). */
	int (*read)(const haywire_source *src, const struct hw_range *r, uint64_t off, void *buf,
	            uint64_t len);
	/* Free the backend's private state. */
	void (*destroy)(haywire_source *src);
	/* Live sources only (NULL otherwise): stop and restart the guest's vCPUs. */
	int (*pause)(haywire_source *src);
	int (*resume)(haywire_source *src);
	/* Live sources only (NULL otherwise): see hw_source_hold/hw_source_release. */
	int (*hold)(const haywire_source *src);
	void (*release)(const haywire_source *src);
	/* A named property's text owned by the source, or NULL (see haywire_source_property). */
	const char *(*property)(const haywire_source *src, const char *name);
	/*
	 * Optional: the first stretch [*START, *END) of range R at or after OFF
	 * that may hold nonzero bytes (a sparse RAM file's untouched pages are
	 * holes that read as zeros). 0 if found, nonzero if the rest is a hole.
	 */
	int (*data_extent)(const haywire_source *src, const struct hw_range *r, uint64_t off,
	                   uint64_t *start, uint64_t *end);
};

struct haywire_source {
	const struct hw_source_ops *ops;
	void *priv;
	struct hw_range *ranges; /* sorted by gpa, disjoint */
	uint64_t nranges;
	uint64_t ram_size;
	uint32_t flags;
	char *vmcoreinfo; /* owned copy, or NULL */
	uint64_t vmcoreinfo_len;
	haywire_cpu_state *cpus; /* owned array of ncpus, or NULL */
	uint32_t ncpus;
};

/*
 * Allocate a source around OPS/PRIV and take ownership of RANGES (which must
 * be sorted and validated, see hw_ranges_validate). On failure, RANGES is
 * freed and OPS->destroy is NOT called: the caller still owns PRIV.
 */
int hw_source_new(const struct hw_source_ops *ops, void *priv, struct hw_range *ranges,
                  uint64_t nranges, uint32_t flags, haywire_source **out);

/*
 * Sort RANGES by gpa and check them: non-empty, no wrap-around, no overlap,
 * at most HW_MAX_RANGES. WHAT names the input in messages.
 */
int hw_ranges_validate(struct hw_range *ranges, uint64_t n, const char *what);

/* The range holding PA, or NULL. */
const struct hw_range *hw_source_find(const haywire_source *src, uint64_t pa);

/*
 * Pointer to LEN bytes at PA when they are mapped and inside one range, else
 * NULL. The walker's fast path: no copy, no error message.
 */
static inline const void *hw_source_ptr(const haywire_source *src, uint64_t pa, uint64_t len)
{
	const struct hw_range *r = hw_source_find(src, pa);
	if (!r || !r->host || len > r->size - (pa - r->gpa))
		return NULL;
	return r->host + (pa - r->gpa);
}

/*
 * Where range R may hold nonzero bytes at or after OFF: [*START, *END) within
 * R. Scanners use it to skip the holes of sparse files; sources that cannot
 * tell say the whole rest of the range. Returns 0, or nonzero when nothing
 * past OFF can be nonzero.
 */
int hw_source_data_extent(const haywire_source *src, const struct hw_range *r, uint64_t off,
                          uint64_t *start, uint64_t *end);

/*
 * Read without recording an error message (for probing callers that expect
 * misses). Same contract as haywire_source_read otherwise.
 */
int hw_source_read_quiet(const haywire_source *src, uint64_t pa, void *buf, uint64_t len,
                         uint64_t *done);

/*
 * Bracket a discovery that needs one consistent view of guest memory (the
 * process and rmap layers call these around a whole walk). For a live source
 * opened with snapshot=1 the first hold pauses a running guest and the
 * matching last release resumes it (only if the hold paused it). Calls nest;
 * every successful hold needs one release. No-op for other sources.
 */
int hw_source_hold(const haywire_source *src);
void hw_source_release(const haywire_source *src);

/* Open a live QEMU over QMP; REST is the spec after "qmp:". */
int hw_qmp_source_open(const char *rest, haywire_source **out);

/* Open a QEMU memory-backend-file (or raw image) at PATH with layout text LAYOUT (may be NULL). */
int hw_ramfile_open(const char *path, const char *layout, haywire_source **out);

/*
 * The same RAM file as SRC under another LAYOUT (a new source). The kernel
 * layer uses it to find the layout of a file opened without one.
 * HAYWIRE_E_UNSUPPORTED for other backends.
 */
int hw_ramfile_relayout(const haywire_source *src, const char *layout, haywire_source **out);

#endif
