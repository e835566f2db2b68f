/*
 * Internal: how the task-list walk and the calibration read the guest
 * kernel's memory. kernel.c provides reads and translations through the
 * kernel's own page tables; unit tests provide them over a synthetic buffer.
 */
#ifndef HW_KERNEL_KMEM_H
#define HW_KERNEL_KMEM_H

#include "kernel/kread.h"

#include <stdint.h>

struct hw_kmem {
	/* Copy LEN bytes at kernel-virtual KVA; HAYWIRE_OK or a status (no message needed). */
	hw_kread_fn read;
	/* Kernel-virtual → guest-physical; HAYWIRE_OK or a status. */
	int (*to_pa)(void *ctx, uint64_t kva, uint64_t *pa);
	/*
	 * Optional, for calibration without BTF: 1 if the page at PA looks like a
	 * user page-table root of this kernel (e.g. x86: its kernel half equals
	 * the kernel's own root's), else 0.
	 */
	int (*is_user_root)(void *ctx, uint64_t pa);
	void *ctx;
};

static inline int hw_kmem_read(const struct hw_kmem *k, uint64_t kva, void *buf, uint64_t len)
{
	return k->read(k->ctx, kva, buf, len);
}

static inline int hw_kmem_u64(const struct hw_kmem *k, uint64_t kva, uint64_t *v)
{
	return k->read(k->ctx, kva, v, sizeof *v);
}

#endif
