/*
 * Builders for small synthetic dumps (ELF cores, LiME, kdump-compressed
 * plain and flattened) used by the dump unit tests. Page data always holds
 * tu_pattern(PA), so a read can be checked against its guest-physical
 * address.
 */
#ifndef HW_DUMPBUILD_H
#define HW_DUMPBUILD_H

#include "testutil.h"

#include <elf.h>
#include <fcntl.h>

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static inline void buf_at(struct buf *b, size_t off, const void *d, size_t n)
{
	if (off + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < off + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		ck_assert_ptr_nonnull(b->p);
		memset(b->p + b->cap, 0, cap - b->cap);
		b->cap = cap;
	}
	if (d)
		memcpy(b->p + off, d, n);
	if (off + n > b->len)
		b->len = off + n;
}

static inline void buf_put(struct buf *b, const void *d, size_t n)
{
	buf_at(b, b->len, d, n);
}

static inline void buf_le(struct buf *b, size_t off, uint64_t v, int bytes)
{
	uint8_t x[8];
	for (int i = 0; i < bytes; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	buf_at(b, off, x, (size_t)bytes);
}

static inline void buf_be(struct buf *b, size_t off, uint64_t v)
{
	uint8_t x[8];
	for (int i = 0; i < 8; i++)
		x[i] = (uint8_t)(v >> (56 - 8 * i));
	buf_at(b, off, x, 8);
}

/* Append LEN pattern bytes for guest-physical address PA. */
static inline void buf_pattern(struct buf *b, size_t off, uint64_t pa, uint64_t len)
{
	buf_at(b, off, NULL, len);
	for (uint64_t i = 0; i < len; i++)
		b->p[off + i] = tu_pattern(pa + i);
}

/* Write B to a new temp file; returns its malloc'd path. */
static inline char *buf_file(const struct buf *b)
{
	char *path = tu_make_file(0, 0);
	int fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, b->p, b->len), (ssize_t)b->len);
	close(fd);
	return path;
}

static inline void buf_free(struct buf *b)
{
	free(b->p);
	*b = (struct buf){0};
}

/* One ELF note (4-byte aligned). */
static inline void note_add(struct buf *b, const char *name, uint32_t type, const void *desc,
                            uint32_t desclen)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	size_t at = b->len;
	buf_le(b, at, namesz, 4);
	buf_le(b, at + 4, desclen, 4);
	buf_le(b, at + 8, type, 4);
	buf_at(b, at + 12, name, namesz);
	size_t d = at + 12 + ((namesz + 3) & ~3u);
	buf_at(b, d, desc, desclen);
	buf_at(b, d + ((desclen + 3) & ~3u), NULL, 0);
	b->len = d + ((desclen + 3) & ~3u);
}

/* x86-64 NT_PRSTATUS with RIP and RSP; QEMU's x86 CPU-state note with CRs. */
static inline void note_x86_prstatus(struct buf *b, uint64_t rip, uint64_t rsp)
{
	struct buf d = {0};
	buf_at(&d, 0, NULL, 336);
	buf_le(&d, 112 + 16 * 8, rip, 8);
	buf_le(&d, 112 + 19 * 8, rsp, 8);
	note_add(b, "CORE", NT_PRSTATUS, d.p, 336);
	buf_free(&d);
}

static inline void note_qemu_x86(struct buf *b, uint64_t cr0, uint64_t cr3, uint64_t cr4)
{
	struct buf d = {0};
	buf_at(&d, 0, NULL, 440);
	buf_le(&d, 0, 1, 4);
	buf_le(&d, 4, 440, 4);
	buf_le(&d, 392, cr0, 8);
	buf_le(&d, 392 + 3 * 8, cr3, 8);
	buf_le(&d, 392 + 4 * 8, cr4, 8);
	note_add(b, "QEMU", 0, d.p, 440);
	buf_free(&d);
}

static inline void note_arm64_prstatus(struct buf *b, uint64_t pc, uint64_t sp)
{
	struct buf d = {0};
	buf_at(&d, 0, NULL, 392);
	buf_le(&d, 112 + 31 * 8, sp, 8);
	buf_le(&d, 112 + 32 * 8, pc, 8);
	note_add(b, "CORE", NT_PRSTATUS, d.p, 392);
	buf_free(&d);
}

/* Placement of a segment's data: 7 bytes past the previous data (misaligned), or right after. */
#define SEG_AFTER 0
#define SEG_PACKED 1

/* One program header of a synthetic ELF core. */
struct seg {
	uint32_t type;
	uint64_t paddr, filesz, memsz;
	uint64_t offset; /* SEG_AFTER or SEG_PACKED: placed after the previous data */
	int nodata;      /* write no bytes (for headers that lie) */
};

/*
 * An ELF core: header, program headers (a PT_NOTE first when NOTES has
 * bytes), the notes, then each PT_LOAD's pattern bytes.
 */
static inline struct buf elf_build(int is64, uint16_t machine, const struct seg *segs, int n,
                                   const struct buf *notes)
{
	struct buf b = {0};
	size_t eh = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t ph = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	int nph = n + (notes && notes->len ? 1 : 0);
	buf_at(&b, 0, NULL, eh + ph * (size_t)nph);
	uint8_t ident[EI_NIDENT] = {0x7f, 'E', 'L', 'F', is64 ? ELFCLASS64 : ELFCLASS32,
	                            ELFDATA2LSB, EV_CURRENT};
	buf_at(&b, 0, ident, EI_NIDENT);
	buf_le(&b, 16, ET_CORE, 2);
	buf_le(&b, 18, machine, 2);
	buf_le(&b, 20, EV_CURRENT, 4);
	if (is64) {
		buf_le(&b, 32, eh, 8);    /* e_phoff */
		buf_le(&b, 52, eh, 2);    /* e_ehsize */
		buf_le(&b, 54, ph, 2);    /* e_phentsize */
		buf_le(&b, 56, (uint64_t)nph, 2);
	} else {
		buf_le(&b, 28, eh, 4);
		buf_le(&b, 40, eh, 2);
		buf_le(&b, 42, ph, 2);
		buf_le(&b, 44, (uint64_t)nph, 2);
	}
	size_t data = b.len;
	for (int i = 0; i < nph; i++) {
		struct seg s;
		size_t at = eh + ph * (size_t)i;
		if (notes && notes->len && i == 0) {
			s = (struct seg){PT_NOTE, 0, notes->len, notes->len, data, 1};
			buf_at(&b, data, notes->p, notes->len);
			data += notes->len;
		} else {
			s = segs[i - (nph - n)];
			if (s.offset == SEG_AFTER || s.offset == SEG_PACKED)
				s.offset = data + (s.offset == SEG_AFTER ? 7 : 0);
			if (!s.nodata) {
				buf_pattern(&b, s.offset, s.paddr, s.filesz);
				data = s.offset + s.filesz;
			}
		}
		if (is64) {
			buf_le(&b, at, s.type, 4);
			buf_le(&b, at + 8, s.offset, 8);
			buf_le(&b, at + 16, s.paddr, 8); /* p_vaddr: as QEMU with paging off, ignored */
			buf_le(&b, at + 24, s.paddr, 8);
			buf_le(&b, at + 32, s.filesz, 8);
			buf_le(&b, at + 40, s.memsz, 8);
		} else {
			buf_le(&b, at, s.type, 4);
			buf_le(&b, at + 4, s.offset, 4);
			buf_le(&b, at + 12, s.paddr, 4);
			buf_le(&b, at + 16, s.filesz, 4);
			buf_le(&b, at + 20, s.memsz, 4);
		}
	}
	return b;
}

/* LiME: one header plus pattern data per [first, last] range. */
static inline void lime_add(struct buf *b, uint64_t first, uint64_t last, uint64_t datalen)
{
	size_t at = b->len;
	buf_le(b, at, 0x4C694D45, 4);
	buf_le(b, at + 4, 1, 4);
	buf_le(b, at + 8, first, 8);
	buf_le(b, at + 16, last, 8);
	buf_at(b, at + 24, NULL, 8);
	buf_pattern(b, at + 32, first, datalen);
}

#endif
