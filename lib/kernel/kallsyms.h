/*
 * Internal: the kernel's compressed symbol table (kallsyms), decoded through a
 * kernel-virtual reader. Layout (scripts/kallsyms.c, Linux 4.6 .. 6.x):
 *   kallsyms_num_syms      u32 count
 *   kallsyms_names         per symbol: length (1 byte, or 2 when bit 7 of the
 *                          first is set: (b0 & 0x7f) | b1 << 7), then that many
 *                          token numbers; the expansion's first char is the
 *                          symbol type ('T', 'd'...), the rest its name
 *   kallsyms_token_table   256 NUL-terminated token strings, back to back
 *   kallsyms_token_index   256 u16 offsets of the tokens in the table
 *   kallsyms_offsets       s32 per symbol + kallsyms_relative_base (u64), or
 *   kallsyms_addresses     u64 per symbol (kernels without BASE_RELATIVE)
 * Every key is in VMCOREINFO since Linux 6.0.
 */
#ifndef HW_KERNEL_KALLSYMS_H
#define HW_KERNEL_KALLSYMS_H

#include "kernel/kread.h"
#include "kernel/vmcoreinfo.h"

#include <stdint.h>

#define HW_KALLSYMS_MAX_SYMS (1u << 22)      /* a distro kernel has ~150k */
#define HW_KALLSYMS_MAX_NAMES (64u << 20)    /* bytes of compressed names */
#define HW_KALLSYMS_MAX_NAME 1024u           /* decoded length (KSYM_NAME_LEN is 512) */

/* Kernel-virtual addresses of the tables; ADDRESSES is 0 unless the kernel lacks offsets. */
struct hw_kallsyms_addrs {
	uint64_t num_syms, names, token_table, token_index;
	uint64_t offsets, relative_base; /* CONFIG_KALLSYMS_BASE_RELATIVE (default) */
	uint64_t addresses;              /* kernels without BASE_RELATIVE */
	/* OFFSETS without RELATIVE_BASE (0): place-relative offsets, kernels of 2026 on. */
};

/*
 * How kallsyms_offsets become addresses. CONFIG_KALLSYMS_ABSOLUTE_PERCPU (x86-64
 * SMP up to Linux 6.14): offsets >= 0 are absolute values (per-CPU variables),
 * negative ones mean relative_base - 1 - offset. Otherwise an address is
 * relative_base + (u32)offset. AUTO picks ABSOLUTE when any offset is
 * negative, which a relative table (image < 2 GiB) never has. Tables without
 * kallsyms_relative_base are PLACE_RELATIVE: address = &offsets[i] + offsets[i].
 */
enum hw_kallsyms_mode {
	HW_KALLSYMS_AUTO = 0,
	HW_KALLSYMS_ABSOLUTE_PERCPU = 1,
	HW_KALLSYMS_RELATIVE = 2,
	HW_KALLSYMS_PLACE_RELATIVE = 3,
};

struct hw_kallsyms;

/*
 * Fill *OUT from VMCOREINFO's SYMBOL(kallsyms_*) keys; HAYWIRE_E_NOT_FOUND names
 * a missing one. kallsyms_offsets without kallsyms_relative_base is taken as
 * the place-relative form (relative_base 0).
 */
int hw_kallsyms_addrs_from_vmcoreinfo(const struct hw_vmcoreinfo *v,
                                      struct hw_kallsyms_addrs *out);

/*
 * Read and decode every symbol through R. Validates as it goes: count within
 * HW_KALLSYMS_MAX_SYMS, every name inside the names area and made of
 * printable characters after a letter type, token table terminated, and the
 * addresses (sorted by the kernel) nondecreasing for at least 99% of the
 * table, which also rejects a wrong MODE. HAYWIRE_E_CORRUPT / _LIMIT with a
 * message; reader failures are passed on with the address that failed.
 */
int hw_kallsyms_load(const struct hw_kreader *r, const struct hw_kallsyms_addrs *a,
                     enum hw_kallsyms_mode mode, struct hw_kallsyms **out);

void hw_kallsyms_free(struct hw_kallsyms *ks);

uint32_t hw_kallsyms_count(const struct hw_kallsyms *ks);

/* Symbol I in table (address) order. NAME stays valid until hw_kallsyms_free. */
int hw_kallsyms_symbol(const struct hw_kallsyms *ks, uint32_t i, const char **name, char *type,
                       uint64_t *addr);

/*
 * Address (and type, TYPE may be NULL) of NAME. Static symbols can share a
 * name: a global one (upper-case type) wins, else the first in the table.
 * HAYWIRE_E_NOT_FOUND when absent. O(log n).
 */
int hw_kallsyms_lookup(const struct hw_kallsyms *ks, const char *name, uint64_t *addr,
                       char *type);

/*
 * Find the tables without symbols, in LEN bytes of kernel memory BUF that
 * start at address BASE (a kernel image, its read-only data): the layout
 * scripts/kallsyms.c writes for base-relative tables, every label 8-aligned:
 *   kallsyms_offsets, kallsyms_relative_base, kallsyms_num_syms,
 *   kallsyms_names, kallsyms_markers (u32 per 256 symbols),
 *   [kallsyms_seqs_of_names (3 bytes per symbol): Linux 6.2+, and Debian's
 *   6.1 through a stable backport], kallsyms_token_table, kallsyms_token_index.
 * The token index (256 increasing u16 starting at 0) is found first, then the
 * token table whose tokens lie back to back before it, then a count whose names
 * end exactly where the markers computed from it begin, and whose markers
 * match the names. Fills *OUT with addresses in BASE's space; HAYWIRE_E_NOT_FOUND
 * if no candidate survives. Cost: one pass over BUF plus checks per candidate.
 */
int hw_kallsyms_locate(const uint8_t *buf, uint64_t len, uint64_t base,
                       struct hw_kallsyms_addrs *out);

/* Whether the table was decoded as HW_KALLSYMS_ABSOLUTE_PERCPU or _RELATIVE. */
enum hw_kallsyms_mode hw_kallsyms_mode_used(const struct hw_kallsyms *ks);

#endif
