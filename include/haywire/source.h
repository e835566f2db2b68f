/*
 * haywire/source.h — layer 1: guest-physical memory sources.
 *
 * A source turns guest-physical addresses (PA) into bytes. It knows which
 * ranges of the guest-physical address space are RAM and where each range's
 * bytes live (a file offset, a dump segment, a live QEMU). Guest-physical
 * address is NOT file offset: the mapping always comes from a layout, a dump
 * header or the machine itself.
 *
 * Spec grammar (haywire_source_open):
 *
 *   spec    := "file:" PATH [ ",layout=" LAYOUT ]    QEMU memory-backend-file
 *            | "dump:" PATH [ ",layout=" LAYOUT ]    dump file (ELF, kdump, LiME);
 *                                                     with a layout: a raw image
 *            | "qmp:" ( SOCKETPATH | HOST ":" PORT ) { "," QMPOPT }
 *                                                    live QEMU over QMP
 *            | PATH                                   auto-detected by content
 *   LAYOUT  := "virt"        arm64 virt: all RAM at PA 0x40000000
 *            | "q35"         x86 q35: RAM below 4 GiB is min(size, lowmem) where
 *                            lowmem = 0x80000000 if size >= 0xB0000000 else
 *                            0xB0000000; the rest from PA 4 GiB
 *            | "pc"          x86 i440fx: as q35 with lowmem = 0xC0000000 if
 *                            size >= 0xE0000000 else 0xE0000000
 *            | "flat"        all RAM at PA 0
 *            | RANGE { ";" RANGE }
 *   RANGE   := GPA ":" SIZE [ "@" FILEOFFSET ]
 *
 *   QMPOPT  := "timeout=" MS   bound on every QMP wait (connect, each reply),
 *                              1..600000 ms, default 5000
 *            | "snapshot=" ("0" | "1")   1: discoveries by the upper layers
 *                              (processes, rmap) pause a running guest for
 *                              their duration and resume it after
 *            | "read=" ("auto" | "pmemsave" | "xp")   auto (default): map
 *                              each memory-backend-file that is readable and
 *                              share=on (zero copy), read other RAM through
 *                              QEMU; pmemsave/xp: read all RAM through QEMU
 *
 * QMP: the target is HOST:PORT when it has no '/' and ends in ":DIGITS",
 * else a unix socket path. Upstream QEMU (7.2+) suffices: the memory map is
 * the flat view of address space "memory" from "info mtree -f", restricted
 * to regions that are memory backends (qom-list /objects; x86 PAM windows
 * that show the RAM block read-only count as RAM, like the RAM file's bytes
 * there) with neighbours that continue each other joined, taken at open
 * (reopen after the firmware or a hotplug changes it); registers come
 * from "info registers" per vCPU at open time (a vCPU whose text is not
 * understood, e.g. a 32-bit Arm core, is listed with valid = 0). RAM that cannot be mapped is
 * read with QMP "pmemsave" into a private temp file in $TMPDIR (unlinked at
 * once), or with HMP "xp" when QEMU cannot write our files; such a source
 * has HAYWIRE_SOURCE_FALLBACK and a "read_path" property. A reply line longer
 * than 16 MiB fails with HAYWIRE_E_LIMIT, a peer that is not QMP with
 * HAYWIRE_E_PROTOCOL, a wait past the timeout with HAYWIRE_E_TIMEOUT, an
 * error reply with HAYWIRE_E_PROTOCOL (HAYWIRE_E_UNSUPPORTED for a command
 * QEMU lacks), bogus "info mtree" text with HAYWIRE_E_CORRUPT. A HOST name
 * is resolved before the timeout starts (use a numeric address to bound
 * everything). Reads through QEMU are serialized on the one socket. QEMU serves
 * one QMP client per socket: open a second socket for libhaywire.
 *
 * Numbers are decimal, 0x-hex or 0-octal, with an optional K, M, G or T
 * suffix (powers of 1024). A RANGE without "@" starts in the file where the
 * previous range ended (ranges packed in the order written). Ranges must not
 * overlap in guest-physical space, must not be empty and must lie inside the
 * file. PATH is everything up to the last ",layout=". Without a layout a RAM
 * file is read as "flat" and flagged HAYWIRE_SOURCE_LAYOUT_GUESSED.
 *
 * Dumps ("dump:PATH" or a bare PATH; the format comes from the magic):
 *   - ELF cores as QEMU's dump-guest-memory writes them (ELF64 and ELF32,
 *     little-endian): PT_LOAD segments by p_paddr, mapped without copies
 *     (kind "dump-elf"). Bytes past a segment's p_filesz up to p_memsz are
 *     RAM that reads as zeros (such a dump is not HAYWIRE_SOURCE_ZERO_COPY).
 *   - kdump-compressed, plain ("KDUMP   ") or flattened ("makedumpfile",
 *     what QEMU's kdump-* formats write); zlib pages, plus lzo, snappy and
 *     zstd when the build has them (kind "dump-kdump"). RAM is the pages the
 *     dump stores; pages are decompressed on demand and cached.
 *   - LiME ("EMiL"), mapped without copies (kind "dump-lime").
 * The RAM ranges are what the dump holds. QEMU dumps what the guest sees at
 * each address, so a dump may hold ROMs the RAM file lacks (x86: the BIOS
 * below 4 GiB) and shows ROM rather than RAM where firmware has not yet
 * shadowed it (x86: 0xC0000-0xFFFFF at reset). VMCOREINFO and vCPU registers
 * come from the dump's notes (NT_PRSTATUS: PC, SP; QEMU's x86 note: CR0,
 * CR3, CR4). A damaged dump fails with HAYWIRE_E_CORRUPT, one asking for
 * more than the documented caps with HAYWIRE_E_LIMIT, an unknown file with
 * HAYWIRE_E_FORMAT naming its first bytes.
 *
 * Thread safety: a source may be read from many threads at once. Closing it
 * while another thread reads is the caller's bug.
 */
#ifndef HAYWIRE_SOURCE_H
#define HAYWIRE_SOURCE_H

#include <haywire/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque handle on a guest-physical memory source. */
typedef struct haywire_source haywire_source;

/* One range of guest-physical RAM. */
typedef struct haywire_ram_range {
	uint64_t gpa;  /* first guest-physical address of the range */
	uint64_t size; /* length in bytes, > 0 */
} haywire_ram_range;

/* Properties of a source, from haywire_source_flags(). */
enum haywire_source_flag {
	/* haywire_source_map() works on every RAM range (memory is mapped). */
	HAYWIRE_SOURCE_ZERO_COPY = 1u << 0,
	/* Memory may change while it is read (a running guest). */
	HAYWIRE_SOURCE_LIVE = 1u << 1,
	/* No layout was given: the RAM ranges are a guess ("flat"). */
	HAYWIRE_SOURCE_LAYOUT_GUESSED = 1u << 2,
	/*
	 * Some RAM is read through a slow path (a live QEMU copies it out over
	 * QMP) instead of a mapping; haywire_source_property(src, "read_path")
	 * says which. Such reads are bounded by the source's timeout.
	 */
	HAYWIRE_SOURCE_FALLBACK = 1u << 3,
};

/*
 * Open a source described by SPEC (grammar above) and store it in *OUT.
 * Returns HAYWIRE_OK, or e.g. HAYWIRE_E_INVALID (malformed spec, unknown or
 * bad layout), HAYWIRE_E_NOT_FOUND (no such file), HAYWIRE_E_IO,
 * HAYWIRE_E_CORRUPT (empty file, file smaller than its layout, damaged dump),
 * HAYWIRE_E_FORMAT (a dump: file of unknown format), HAYWIRE_E_LIMIT (a dump
 * beyond a cap, e.g. more than 4096 separate RAM ranges),
 * HAYWIRE_E_UNSUPPORTED (a source type this build lacks). *OUT is NULL on
 * failure.
 */
HAYWIRE_API int haywire_source_open(const char *spec, haywire_source **out);

/* Release a source and everything it mapped. NULL is ignored. */
HAYWIRE_API void haywire_source_close(haywire_source *src);

/*
 * Short name of the source's backend: "file", "dump-elf", "dump-kdump",
 * "dump-lime", "qmp". Static storage; "" for NULL.
 */
HAYWIRE_API const char *haywire_source_kind(const haywire_source *src);

/* Bitwise OR of enum haywire_source_flag values; 0 for NULL. */
HAYWIRE_API uint32_t haywire_source_flags(const haywire_source *src);

/* Number of RAM ranges (sorted by address, disjoint); 0 for NULL. */
HAYWIRE_API uint64_t haywire_source_ram_range_count(const haywire_source *src);

/*
 * Copy up to CAP RAM ranges, in address order, into OUT and store the total
 * number of ranges in *COUNT (COUNT may be NULL). Returns HAYWIRE_E_RANGE if
 * CAP is smaller than the total (the first CAP are still copied). OUT may be
 * NULL when CAP is 0, to ask for the count only.
 */
HAYWIRE_API int haywire_source_ram_ranges(const haywire_source *src, haywire_ram_range *out,
                                          uint64_t cap, uint64_t *count);

/* Total bytes of RAM over all ranges; 0 for NULL. */
HAYWIRE_API uint64_t haywire_source_ram_size(const haywire_source *src);

/*
 * Copy LEN bytes of guest-physical memory at PA into BUF. *DONE (may be
 * NULL) receives how many leading bytes were copied. Returns HAYWIRE_OK when
 * all LEN bytes are RAM, HAYWIRE_E_NOT_RAM when the read reaches an address
 * outside RAM (bytes before it are copied, BUF past *DONE is left untouched),
 * or a backend error (e.g. HAYWIRE_E_IO). A read may span adjacent ranges.
 */
HAYWIRE_API int haywire_source_read(const haywire_source *src, uint64_t pa, void *buf,
                                    uint64_t len, uint64_t *done);

/*
 * Zero-copy access: store in *PTR a pointer to LEN bytes of guest-physical
 * memory at PA, valid until the source is closed. The bytes are the guest's
 * own (a live guest's writes show through). Returns HAYWIRE_E_NOT_RAM unless
 * [PA, PA+LEN) lies in one RAM range, HAYWIRE_E_UNSUPPORTED if the backend
 * cannot map memory (use haywire_source_read).
 */
HAYWIRE_API int haywire_source_map(const haywire_source *src, uint64_t pa, uint64_t len,
                                   const void **ptr);

/* 1 if every byte of [PA, PA+LEN) is RAM, else 0. LEN 0 gives 0. */
HAYWIRE_API int haywire_source_is_ram(const haywire_source *src, uint64_t pa, uint64_t len);

/*
 * The guest kernel's VMCOREINFO text when the source carries it (a dump's
 * note, QEMU's vmcoreinfo device). *TEXT points to LEN bytes owned by the
 * source, not NUL-terminated. HAYWIRE_E_NOT_FOUND if the source has none:
 * the kernel layer then looks for it in guest RAM.
 */
HAYWIRE_API int haywire_source_vmcoreinfo(const haywire_source *src, const char **text,
                                          uint64_t *len);

/* Guest CPU architectures. */
typedef enum haywire_arch {
	HAYWIRE_ARCH_UNKNOWN = 0,
	HAYWIRE_ARCH_X86_64 = 1,
	HAYWIRE_ARCH_ARM64 = 2,
} haywire_arch;

/* Which fields of a haywire_cpu_state hold values (bits of .valid). */
enum haywire_cpu_field {
	HAYWIRE_CPU_PC = 1u << 0,
	HAYWIRE_CPU_SP = 1u << 1,
	HAYWIRE_CPU_CR0 = 1u << 2,
	HAYWIRE_CPU_CR3 = 1u << 3,
	HAYWIRE_CPU_CR4 = 1u << 4,
	HAYWIRE_CPU_EFER = 1u << 5,
	HAYWIRE_CPU_TTBR0 = 1u << 6,
	HAYWIRE_CPU_TTBR1 = 1u << 7,
	HAYWIRE_CPU_TCR = 1u << 8,
	HAYWIRE_CPU_SCTLR = 1u << 9,
};

/*
 * Registers of one virtual CPU as the source saw them (a dump's notes, QMP's
 * "info registers"): ground truth that survives KASLR. Only the fields whose
 * HAYWIRE_CPU_* bit is set in VALID mean anything.
 */
typedef struct haywire_cpu_state {
	uint32_t struct_size; /* set by the caller to sizeof(haywire_cpu_state) */
	uint32_t arch;        /* haywire_arch */
	uint32_t cpu;         /* vCPU index */
	uint32_t valid;       /* bitwise OR of enum haywire_cpu_field */
	uint64_t pc, sp;
	uint64_t cr0, cr3, cr4, efer;             /* x86-64 */
	uint64_t ttbr0_el1, ttbr1_el1, tcr_el1, sctlr_el1; /* arm64 */
} haywire_cpu_state;

/* Number of vCPUs whose registers the source knows (0 if none, or NULL). */
HAYWIRE_API uint32_t haywire_source_cpu_count(const haywire_source *src);

/*
 * Copy vCPU INDEX's registers into *OUT; OUT->struct_size must be set by the
 * caller (older, smaller structs are filled up to their size). Returns
 * HAYWIRE_E_NOT_FOUND if INDEX >= haywire_source_cpu_count().
 */
HAYWIRE_API int haywire_source_cpu_state(const haywire_source *src, uint32_t index,
                                         haywire_cpu_state *out);

/*
 * Stop (pause) or restart (resume) a live guest's vCPUs (QMP "stop" and
 * "cont"). Returns HAYWIRE_E_UNSUPPORTED for sources that are not live, or
 * a QMP status (HAYWIRE_E_TIMEOUT, HAYWIRE_E_IO, ...). Pausing a paused
 * guest is not an error.
 */
HAYWIRE_API int haywire_source_pause(haywire_source *src);
HAYWIRE_API int haywire_source_resume(haywire_source *src);

/*
 * Text of a named property of the source, owned by it (valid until close),
 * or NULL if the source has no such property. QMP sources know:
 *   "read_path"     "map" (every range mapped, zero copy), "pmemsave" or
 *                   "xp" (every range copied through QEMU), or "map+pmemsave"
 *                   / "map+xp" (mixed)
 *   "qemu_version"  e.g. "7.2.22"
 *   "snapshot"      "0" or "1" (the spec option)
 *   "timeout_ms"    the bound on every QMP wait, e.g. "5000"
 */
HAYWIRE_API const char *haywire_source_property(const haywire_source *src, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* HAYWIRE_SOURCE_H */
