/*
 * Internal: how the process layer reads the guest kernel's memory. The kernel
 * layer provides it (kernel-virtual reads through the kernel's page tables);
 * unit tests provide one over a synthetic buffer.
 */
#ifndef HW_PROCS_KMEM_H
#define HW_PROCS_KMEM_H

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
