/* Internal: the kernel handle, shared by the kernel layer's files and the layers below it. */
#ifndef HW_KERNEL_KERNEL_IMPL_H
#define HW_KERNEL_KERNEL_IMPL_H

#include <haywire/kernel.h>

#include "kernel/btf.h"
#include "kernel/kallsyms.h"
#include "kernel/kimage_reader.h"
#include "kernel/task_layout.h"
#include "kernel/vmcoreinfo.h"
#include "kernel/kmem.h"

#include <stdatomic.h>

struct haywire_kernel {
	haywire_source *src;       /* what every read goes through */
	haywire_source *owned_src; /* src when it is a re-layout made here, else NULL */
	struct hw_vmcoreinfo *vmci;
	struct hw_kernel_paging paging;
	struct hw_kimage_reader image; /* reads the kernel image without a walk */
	haywire_aspace *kas;           /* the kernel's own address space */
	haywire_mmu_format user_fmt;   /* format of process address spaces */
	struct hw_kallsyms *ksyms;     /* NULL without kallsyms */
	struct hw_btf *btf;            /* NULL when calibrated */
	struct hw_task_layout layout;
	uint64_t init_task;
	haywire_kernel_info info;
	uint32_t flags; /* haywire_kernel_options.flags */
	_Atomic uint64_t bytes_read;
};

/* Kernel-virtual read through the kernel's page tables (CTX: the kernel). No message. */
int hw_kernel_kread(void *ctx, uint64_t kva, void *buf, uint64_t len);

/* The reader, translation and user-root check the process layer needs. */
void hw_kernel_kmem(const haywire_kernel *k, struct hw_kmem *out);

static inline const struct hw_task_layout *hw_kernel_task_layout(const haywire_kernel *k)
{
	return &k->layout;
}

static inline uint64_t hw_kernel_init_task(const haywire_kernel *k)
{
	return k->init_task;
}

/* A new address space on a process's user page-table root PGD_PA. */
int hw_kernel_user_aspace(const haywire_kernel *k, uint64_t pgd_pa, haywire_aspace **out);

/*
 * Steps of haywire_kernel_open on one source, each in its own file:
 * find and validate VMCOREINFO — kernel_vmcoreinfo.c;
 * symbols, types and init_task — kernel_types.c.
 */
int hw_kernel_find_vmcoreinfo(haywire_kernel *k, haywire_source *src);
int hw_kernel_load_symbols(haywire_kernel *k);
int hw_kernel_load_types(haywire_kernel *k);

#endif
