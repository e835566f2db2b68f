/* The source handle: RAM ranges, checked reads and zero-copy access. */
#include "source/source_impl.h"

#include "core/error.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static int compare_gpa(const void *a, const void *b)
{
	const struct hw_range *x = a, *y = b;
	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

int hw_ranges_validate(struct hw_range *r, uint64_t n, const char *what)
{
	if (n == 0)
		return hw_fail(HAYWIRE_E_CORRUPT, "%s: no RAM ranges", what);
	if (n > HW_MAX_RANGES)
		return hw_fail(HAYWIRE_E_INVALID, "%s: %llu RAM ranges, at most %d allowed", what,
		               (unsigned long long)n, HW_MAX_RANGES);
	for (uint64_t i = 0; i < n; i++) {
		if (r[i].size == 0)
			return hw_fail(HAYWIRE_E_INVALID, "%s: empty range at PA 0x%llx", what,
			               (unsigned long long)r[i].gpa);
		if (r[i].gpa + r[i].size < r[i].gpa || r[i].gpa + r[i].size == 0)
			return hw_fail(HAYWIRE_E_INVALID,
			               "%s: range at PA 0x%llx of 0x%llx bytes wraps past 2^64", what,
			               (unsigned long long)r[i].gpa, (unsigned long long)r[i].size);
	}
	qsort(r, n, sizeof *r, compare_gpa);
	for (uint64_t i = 1; i < n; i++)
		if (r[i].gpa < r[i - 1].gpa + r[i - 1].size)
			return hw_fail(HAYWIRE_E_INVALID,
			               "%s: range at PA 0x%llx overlaps the range at PA 0x%llx (0x%llx "
			               "bytes)",
			               what, (unsigned long long)r[i].gpa,
			               (unsigned long long)r[i - 1].gpa,
			               (unsigned long long)r[i - 1].size);
	return HAYWIRE_OK;
}

int hw_source_new(const struct hw_source_ops *ops, void *priv, struct hw_range *ranges,
                  uint64_t nranges, uint32_t flags, haywire_source **out)
{
	haywire_source *src = calloc(1, sizeof *src);
	if (!src) {
		free(ranges);
		return hw_fail_nomem("source");
	}
	src->ops = ops;
	src->priv = priv;
	src->ranges = ranges;
	src->nranges = nranges;
	src->flags = flags;
	for (uint64_t i = 0; i < nranges; i++)
		src->ram_size += ranges[i].size;
	*out = src;
	return HAYWIRE_OK;
}

const struct hw_range *hw_source_find(const haywire_source *src, uint64_t pa)
{
	uint64_t lo = 0, hi = src->nranges;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		const struct hw_range *r = &src->ranges[mid];
		if (pa < r->gpa)
			hi = mid;
		else if (pa - r->gpa >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

int hw_source_read_quiet(const haywire_source *src, uint64_t pa, void *buf, uint64_t len,
                         uint64_t *done)
{
	uint64_t copied = 0;
	int st = HAYWIRE_OK;
	while (copied < len) {
		uint64_t at = pa + copied;
		if (at < pa) { /* wrapped past 2^64 */
			st = HAYWIRE_E_NOT_RAM;
			break;
		}
		const struct hw_range *r = hw_source_find(src, at);
		if (!r) {
			st = HAYWIRE_E_NOT_RAM;
			break;
		}
		uint64_t off = at - r->gpa;
		uint64_t chunk = r->size - off;
		if (chunk > len - copied)
			chunk = len - copied;
		if (r->host)
			memcpy((uint8_t *)buf + copied, r->host + off, chunk);
		else if ((st = src->ops->read(src, r, off, (uint8_t *)buf + copied, chunk)))
			break;
		copied += chunk;
	}
	if (done)
		*done = copied;
	return st;
}

HAYWIRE_API int haywire_source_read(const haywire_source *src, uint64_t pa, void *buf,
                                    uint64_t len, uint64_t *done)
{
	if (done)
		*done = 0;
	if (!src || (!buf && len))
		return hw_fail(HAYWIRE_E_INVALID, "haywire_source_read: NULL %s",
		               src ? "buffer" : "source");
	uint64_t copied;
	int st = hw_source_read_quiet(src, pa, buf, len, &copied);
	if (done)
		*done = copied;
	if (st == HAYWIRE_E_NOT_RAM)
		return hw_fail(st, "read of 0x%llx bytes at PA 0x%llx: PA 0x%llx is not RAM",
		               (unsigned long long)len, (unsigned long long)pa,
		               (unsigned long long)(pa + copied));
	return st; /* backends record their own messages */
}

HAYWIRE_API int haywire_source_map(const haywire_source *src, uint64_t pa, uint64_t len,
                                   const void **ptr)
{
	if (!ptr || !src)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_source_map: NULL argument");
	*ptr = NULL;
	const struct hw_range *r = hw_source_find(src, pa);
	if (!r || len > r->size - (pa - r->gpa))
		return hw_fail(HAYWIRE_E_NOT_RAM,
		               "map of 0x%llx bytes at PA 0x%llx: not inside one RAM range",
		               (unsigned long long)len, (unsigned long long)pa);
	if (!r->host)
		return hw_fail(HAYWIRE_E_UNSUPPORTED,
		               "map: the %s source cannot map memory; use haywire_source_read",
		               src->ops->kind);
	*ptr = r->host + (pa - r->gpa);
	return HAYWIRE_OK;
}

HAYWIRE_API int haywire_source_is_ram(const haywire_source *src, uint64_t pa, uint64_t len)
{
	if (!src || len == 0)
		return 0;
	while (len) {
		const struct hw_range *r = hw_source_find(src, pa);
		if (!r)
			return 0;
		uint64_t left = r->size - (pa - r->gpa);
		if (len <= left)
			return 1;
		len -= left;
		pa += left; /* cannot wrap: validated ranges end at or below 2^64 - 1 */
	}
	return 1;
}

HAYWIRE_API void haywire_source_close(haywire_source *src)
{
	if (!src)
		return;
	if (src->ops && src->ops->destroy)
		src->ops->destroy(src);
	free(src->ranges);
	free(src->vmcoreinfo);
	free(src->cpus);
	free(src);
}

HAYWIRE_API const char *haywire_source_kind(const haywire_source *src)
{
	return src ? src->ops->kind : "";
}

HAYWIRE_API uint32_t haywire_source_flags(const haywire_source *src)
{
	return src ? src->flags : 0;
}

HAYWIRE_API uint64_t haywire_source_ram_range_count(const haywire_source *src)
{
	return src ? src->nranges : 0;
}

HAYWIRE_API uint64_t haywire_source_ram_size(const haywire_source *src)
{
	return src ? src->ram_size : 0;
}

HAYWIRE_API int haywire_source_ram_ranges(const haywire_source *src, haywire_ram_range *out,
                                          uint64_t cap, uint64_t *count)
{
	if (!src || (!out && cap))
		return hw_fail(HAYWIRE_E_INVALID, "haywire_source_ram_ranges: NULL argument");
	if (count)
		*count = src->nranges;
	uint64_t n = cap < src->nranges ? cap : src->nranges;
	for (uint64_t i = 0; i < n; i++)
		out[i] = (haywire_ram_range){.gpa = src->ranges[i].gpa, .size = src->ranges[i].size};
	if (cap < src->nranges)
		return hw_fail(HAYWIRE_E_RANGE, "source has %llu RAM ranges, buffer holds %llu",
		               (unsigned long long)src->nranges, (unsigned long long)cap);
	return HAYWIRE_OK;
}

HAYWIRE_API int haywire_source_vmcoreinfo(const haywire_source *src, const char **text,
                                          uint64_t *len)
{
	if (!src || !text || !len)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_source_vmcoreinfo: NULL argument");
	*text = src->vmcoreinfo;
	*len = src->vmcoreinfo_len;
	if (!src->vmcoreinfo)
		return hw_fail(HAYWIRE_E_NOT_FOUND, "the %s source carries no VMCOREINFO",
		               src->ops->kind);
	return HAYWIRE_OK;
}

HAYWIRE_API uint32_t haywire_source_cpu_count(const haywire_source *src)
{
	return src ? src->ncpus : 0;
}

HAYWIRE_API int haywire_source_cpu_state(const haywire_source *src, uint32_t index,
                                         haywire_cpu_state *out)
{
	if (!src || !out || out->struct_size < offsetof(haywire_cpu_state, pc))
		return hw_fail(HAYWIRE_E_INVALID,
		               "haywire_source_cpu_state: NULL argument or struct_size unset");
	if (index >= src->ncpus)
		return hw_fail(HAYWIRE_E_NOT_FOUND, "the %s source knows %u vCPUs, not vCPU %u",
		               src->ops->kind, src->ncpus, index);
	uint32_t size = out->struct_size < sizeof *out ? out->struct_size : sizeof *out;
	memcpy(out, &src->cpus[index], size);
	out->struct_size = size;
	return HAYWIRE_OK;
}

int hw_source_data_extent(const haywire_source *src, const struct hw_range *r, uint64_t off,
                          uint64_t *start, uint64_t *end)
{
	if (off >= r->size)
		return 1;
	if (src->ops->data_extent)
		return src->ops->data_extent(src, r, off, start, end);
	*start = off;
	*end = r->size;
	return 0;
}
