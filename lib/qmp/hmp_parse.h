/*
 * Internal: parsers for the text of HMP commands QEMU 7.2 offers through
 * human-monitor-command. The text is hostile input: bounded, checked.
 */
#ifndef HW_QMP_HMP_PARSE_H
#define HW_QMP_HMP_PARSE_H

#include <haywire/source.h>
#include <stdint.h>

/* Longest memory-region name kept; longer names are reported as corrupt. */
#define HW_MTREE_NAME_MAX 128

/* One RAM range of "info mtree -f": GPA span backed by region NAME at OFFSET. */
struct hw_mtree_range {
	uint64_t gpa, size;
	uint64_t offset; /* offset into the memory region (the "@" field, else 0) */
	char name[HW_MTREE_NAME_MAX];
};

/*
 * RAM ranges (kind "ram") of the flat view of address space "memory" in
 * TEXT, in the order printed. *OUT is malloc'd. HAYWIRE_E_CORRUPT when that
 * view is missing or a range line is malformed, HAYWIRE_E_LIMIT past
 * HW_MAX_RANGES ranges.
 */
int hw_mtree_parse(const char *text, struct hw_mtree_range **out, uint64_t *count);

/*
 * Fill CPU from "info registers" TEXT for ARCH (x86: RIP/EIP, RSP/ESP, CR0,
 * CR3, CR4, EFER; arm64: PC, SP). Sets CPU->valid; HAYWIRE_E_CORRUPT when
 * the text holds none of the expected registers.
 */
int hw_registers_parse(const char *text, uint32_t arch, haywire_cpu_state *cpu);

/*
 * Bytes of "xp /Nxb PA" TEXT into BUF: exactly LEN bytes at consecutive
 * addresses starting at PA, else HAYWIRE_E_PROTOCOL.
 */
int hw_xp_parse(const char *text, uint64_t pa, uint8_t *buf, uint64_t len);

#endif
