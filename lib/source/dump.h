/*
 * Internal: dump-file backends (ELF core, kdump-compressed, LiME) and the
 * pieces they share (a read-only file mapping, ELF note parsing).
 */
#ifndef HW_SOURCE_DUMP_H
#define HW_SOURCE_DUMP_H

#include "source/source_impl.h"

#include <stddef.h>

/* Caps on what a dump header may ask for: hostile sizes fail with HAYWIRE_E_LIMIT. */
#define HW_DUMP_MAX_CPUS 4096
#define HW_DUMP_MAX_VMCOREINFO (1u << 20)
#define HW_DUMP_MAX_NOTES (64u << 20)

/* A whole file mapped read-only (never written, so MAP_PRIVATE costs no copies). */
struct hw_mapped_file {
	const uint8_t *base;
	uint64_t size;
};

/* Map PATH; KIND ("dump-elf", ...) prefixes messages. An empty file is HAYWIRE_E_CORRUPT. */
int hw_map_file(const char *kind, const char *path, struct hw_mapped_file *out);
void hw_unmap_file(struct hw_mapped_file *m);

/*
 * hw_ranges_validate for ranges read from a dump header: a bad listing is
 * the file's fault, so it is reported as HAYWIRE_E_CORRUPT (too many ranges
 * as HAYWIRE_E_LIMIT). Merges ranges that touch or overlap in PA when their
 * bytes come from one contiguous place (so listings match the RAM-file
 * source, and aliases collapse). Updates *N.
 */
int hw_dump_ranges_finish(struct hw_range *ranges, uint64_t *n, const char *what);

/* What the ELF notes of a dump say (all owned, free with hw_notes_free). */
struct hw_notes {
	char *vmcoreinfo;
	uint64_t vmcoreinfo_len;
	haywire_cpu_state *cpus;
	uint32_t ncpus;
};

/*
 * Parse the ELF notes in [P, P+LEN) (little-endian, 4-byte aligned as
 * Linux and QEMU write them) for a machine E_MACHINE: EM_X86_64 and
 * EM_AARCH64 give registers of that arch; EM_386 (an x86 vCPU outside long
 * mode) gives QEMU-note registers with arch HAYWIRE_ARCH_UNKNOWN; anything
 * else gives no registers. Collects the first
 * VMCOREINFO note, NT_PRSTATUS registers and QEMU's CPU-state notes.
 * WHAT prefixes messages.
 */
int hw_notes_parse(const uint8_t *p, uint64_t len, uint16_t e_machine, const char *what,
                   struct hw_notes *out);
void hw_notes_free(struct hw_notes *n);

/* Hand parsed notes over to SRC (which then owns them); N is emptied. */
void hw_notes_give(struct hw_notes *n, haywire_source *src);

/* Backends. PATH has a recognised magic; each validates the rest. */
int hw_dump_elf_open(const char *path, haywire_source **out);
int hw_dump_lime_open(const char *path, haywire_source **out);
/* KDUMP   and makedumpfile-flattened files (HAYWIRE_E_UNSUPPORTED without zlib). */
int hw_dump_kdump_open(const char *path, int flattened, haywire_source **out);

/*
 * A kdump-compressed file's bytes at plain-layout offsets. A flattened file
 * is indexed (one entry per record), never copied. Read-only after open,
 * so safe to read from many threads.
 */
struct hw_flat_record;
struct hw_kd_view {
	struct hw_mapped_file file;
	uint64_t size;              /* size of the plain layout */
	struct hw_flat_record *rec; /* flattened index, NULL for a plain file */
	uint64_t nrec;
};
int hw_kd_view_open(const char *path, int flattened, struct hw_kd_view *v);
void hw_kd_view_close(struct hw_kd_view *v);
/*
 * Copy LEN bytes at plain offset OFF into BUF: HAYWIRE_E_CORRUPT (no message
 * recorded) if they run past the end. Holes in a flattened file read as zeros.
 */
int hw_kd_view_read(const struct hw_kd_view *v, uint64_t off, void *buf, uint64_t len);

#endif
