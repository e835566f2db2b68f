/*
 * Internal: how the kernel layer reads kernel-virtual memory. The modules in
 * lib/kernel/ never translate addresses themselves; whoever assembles them
 * (the kernel handle, a test) supplies a reader: a page-table walk over a
 * source, the kernel image's linear offset, or a plain buffer.
 */
#ifndef HW_KERNEL_KREAD_H
#define HW_KERNEL_KREAD_H

#include <haywire/common.h>
#include <stdint.h>
#include <string.h>

/*
 * Copy LEN bytes of kernel-virtual memory at KVA into BUF. Returns HAYWIRE_OK
 * only when all LEN bytes were copied, else a negative HAYWIRE status
 * (HAYWIRE_E_NOT_MAPPED, HAYWIRE_E_NOT_RAM, HAYWIRE_E_IO...). Callers add
 * their own context to the message, so the reader need not record one.
 */
typedef int (*hw_kread_fn)(void *ctx, uint64_t kva, void *buf, uint64_t len);

/* A reader and its context, passed around as one value. */
struct hw_kreader {
	hw_kread_fn read;
	void *ctx;
};

static inline int hw_kread(const struct hw_kreader *r, uint64_t kva, void *buf, uint64_t len)
{
	return r->read(r->ctx, kva, buf, len);
}

/* Little-endian loads from byte buffers (guests we support are little-endian). */
static inline uint16_t hw_le16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | (b[1] << 8));
}

static inline uint32_t hw_le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
	       ((uint32_t)b[3] << 24);
}

static inline uint64_t hw_le64(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)hw_le32(b) | ((uint64_t)hw_le32(b + 4) << 32);
}

#endif
