/*
 * ELF core dumps as QEMU's dump-guest-memory writes them: PT_LOAD segments
 * by guest-physical address (p_paddr), notes with VMCOREINFO and vCPU
 * registers. The file is mapped once; RAM ranges point into the mapping.
 *
 * A segment whose p_filesz is below p_memsz follows the ELF rule: the bytes
 * past p_filesz are RAM that reads as zeros (makedumpfile stores excluded
 * zero pages that way). Such tails are ranges without a host pointer, so a
 * dump that has any is not flagged HAYWIRE_SOURCE_ZERO_COPY.
 */
#include "source/dump.h"

#include "core/error.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct elf_dump {
	struct hw_mapped_file file;
};

/* One program header, whatever the class. */
struct phdr {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz;
};

/* Only called for the zero tails of segments (every other range is mapped). */
static int tail_read(const haywire_source *src, const struct hw_range *r, uint64_t off, void *buf,
                     uint64_t len)
{
	memset(buf, 0, len);
	return HAYWIRE_OK;
}

static void elf_destroy(haywire_source *src)
{
	struct elf_dump *d = src->priv;
	hw_unmap_file(&d->file);
	free(d);
}

static const struct hw_source_ops elf_ops = {
	.kind = "dump-elf",
	.read = tail_read,
	.destroy = elf_destroy,
};

static void read_phdr(const uint8_t *p, int is64, struct phdr *h)
{
	if (is64) {
		Elf64_Phdr x;
		memcpy(&x, p, sizeof x);
		*h = (struct phdr){x.p_type, x.p_offset, x.p_paddr, x.p_filesz, x.p_memsz};
	} else {
		Elf32_Phdr x;
		memcpy(&x, p, sizeof x);
		*h = (struct phdr){x.p_type, x.p_offset, x.p_paddr, x.p_filesz, x.p_memsz};
	}
}

struct elf_header {
	int is64;
	uint16_t machine;
	uint64_t phoff, phentsize, phnum;
};

/* Check the ELF header and find the program header table (PN_XNUM included). */
static int read_header(const struct hw_mapped_file *f, const char *what, struct elf_header *h)
{
	const uint8_t *b = f->base;
	if (f->size < EI_NIDENT)
		return hw_fail(HAYWIRE_E_CORRUPT, "%s: truncated ELF header (%llu bytes)", what,
		               (unsigned long long)f->size);
	if (b[EI_CLASS] != ELFCLASS64 && b[EI_CLASS] != ELFCLASS32)
		return hw_fail(HAYWIRE_E_CORRUPT, "%s: ELF class %u is neither 32- nor 64-bit", what,
		               b[EI_CLASS]);
	if (b[EI_DATA] != ELFDATA2LSB)
		return hw_fail(HAYWIRE_E_UNSUPPORTED, "%s: big-endian ELF dumps are not supported",
		               what);
	h->is64 = b[EI_CLASS] == ELFCLASS64;
	uint64_t ehsize = h->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if (f->size < ehsize)
		return hw_fail(HAYWIRE_E_CORRUPT, "%s: truncated ELF header (%llu bytes)", what,
		               (unsigned long long)f->size);
	uint64_t type, shoff, shentsize;
	if (h->is64) {
		Elf64_Ehdr e;
		memcpy(&e, b, sizeof e);
		type = e.e_type, h->machine = e.e_machine, h->phoff = e.e_phoff;
		h->phentsize = e.e_phentsize, h->phnum = e.e_phnum;
		shoff = e.e_shoff, shentsize = e.e_shentsize;
	} else {
		Elf32_Ehdr e;
		memcpy(&e, b, sizeof e);
		type = e.e_type, h->machine = e.e_machine, h->phoff = e.e_phoff;
		h->phentsize = e.e_phentsize, h->phnum = e.e_phnum;
		shoff = e.e_shoff, shentsize = e.e_shentsize;
	}
	if (type != ET_CORE)
		return hw_fail(HAYWIRE_E_FORMAT, "%s: an ELF file but not a core dump (e_type %llu)",
		               what, (unsigned long long)type);
	if (h->phnum == PN_XNUM) {
		/* More than 65534 headers: the real count is section header 0's sh_info. */
		uint64_t need = h->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
		if (shentsize < need || shoff > f->size || f->size - shoff < need)
			return hw_fail(HAYWIRE_E_CORRUPT,
			               "%s: e_phnum is PN_XNUM but section header 0 is missing", what);
		if (h->is64) {
			Elf64_Shdr s;
			memcpy(&s, b + shoff, sizeof s);
			h->phnum = s.sh_info;
		} else {
			Elf32_Shdr s;
			memcpy(&s, b + shoff, sizeof s);
			h->phnum = s.sh_info;
		}
	}
	uint64_t need = h->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	if (h->phnum == 0)
		return hw_fail(HAYWIRE_E_CORRUPT, "%s: ELF core without program headers", what);
	if (h->phentsize < need)
		return hw_fail(HAYWIRE_E_CORRUPT, "%s: e_phentsize %llu is below %llu", what,
		               (unsigned long long)h->phentsize, (unsigned long long)need);
	/* phnum < 2^32 and phentsize < 2^16: the product cannot wrap. */
	if (h->phoff > f->size || h->phnum * h->phentsize > f->size - h->phoff)
		return hw_fail(HAYWIRE_E_CORRUPT,
		               "%s: %llu program headers at byte %llu run past the end of the "
		               "%llu-byte file",
		               what, (unsigned long long)h->phnum, (unsigned long long)h->phoff,
		               (unsigned long long)f->size);
	return HAYWIRE_OK;
}

/* Turn the PT_LOADs into ranges (a zero tail is its own range) and parse the notes. */
static int read_segments(const struct hw_mapped_file *f, const struct elf_header *h,
                         const char *what, struct hw_range **out, uint64_t *count,
                         struct hw_notes *notes)
{
	uint64_t nload = 0;
	struct phdr p;
	for (uint64_t i = 0; i < h->phnum; i++) {
		read_phdr(f->base + h->phoff + i * h->phentsize, h->is64, &p);
		nload += p.type == PT_LOAD;
	}
	/* Twice the cap: each segment may add a tail, and neighbours merge later. */
	if (nload > 2 * HW_MAX_RANGES)
		return hw_fail(HAYWIRE_E_LIMIT, "%s: %llu PT_LOAD segments, at most %d allowed", what,
		               (unsigned long long)nload, 2 * HW_MAX_RANGES);
	struct hw_range *r = calloc(nload ? 2 * nload : 1, sizeof *r);
	if (!r)
		return hw_fail_nomem("dump ranges");
	uint64_t n = 0;
	int rc = HAYWIRE_OK, have_notes = 0;
	for (uint64_t i = 0; i < h->phnum && !rc; i++) {
		read_phdr(f->base + h->phoff + i * h->phentsize, h->is64, &p);
		if (p.type != PT_LOAD && p.type != PT_NOTE)
			continue;
		if (p.offset > f->size || p.filesz > f->size - p.offset) {
			rc = hw_fail(HAYWIRE_E_CORRUPT,
			             "%s: segment %llu (bytes %llu..+%llu) runs past the end of the "
			             "%llu-byte file",
			             what, (unsigned long long)i, (unsigned long long)p.offset,
			             (unsigned long long)p.filesz, (unsigned long long)f->size);
			break;
		}
		if (p.type == PT_NOTE) {
			if (have_notes) /* QEMU writes one; a second one would only add to it */
				continue;
			have_notes = 1;
			rc = hw_notes_parse(f->base + p.offset, p.filesz, h->machine, what, notes);
			continue;
		}
		if (p.filesz > p.memsz) {
			rc = hw_fail(HAYWIRE_E_CORRUPT,
			             "%s: segment %llu has p_filesz 0x%llx above p_memsz 0x%llx", what,
			             (unsigned long long)i, (unsigned long long)p.filesz,
			             (unsigned long long)p.memsz);
			break;
		}
		if (p.paddr + p.memsz < p.paddr) {
			rc = hw_fail(HAYWIRE_E_CORRUPT,
			             "%s: segment %llu at PA 0x%llx of 0x%llx bytes wraps past 2^64", what,
			             (unsigned long long)i, (unsigned long long)p.paddr,
			             (unsigned long long)p.memsz);
			break;
		}
		if (p.filesz)
			r[n++] = (struct hw_range){.gpa = p.paddr, .size = p.filesz, .offset = p.offset,
			                           .host = f->base + p.offset};
		if (p.memsz > p.filesz) /* offset = PA lets adjacent zero tails merge */
			r[n++] = (struct hw_range){.gpa = p.paddr + p.filesz,
			                           .size = p.memsz - p.filesz,
			                           .offset = p.paddr + p.filesz};
	}
	if (!rc)
		rc = hw_dump_ranges_finish(r, &n, what);
	if (rc) {
		free(r);
		hw_notes_free(notes);
		return rc;
	}
	*out = r;
	*count = n;
	return HAYWIRE_OK;
}

int hw_dump_elf_open(const char *path, haywire_source **out)
{
	struct elf_dump *d = calloc(1, sizeof *d);
	if (!d)
		return hw_fail_nomem("ELF dump state");
	int rc = hw_map_file("dump", path, &d->file);
	if (rc) {
		free(d);
		return rc;
	}
	size_t wl = strlen(path) + 8;
	char *what = malloc(wl);
	struct hw_range *ranges = NULL;
	uint64_t n = 0;
	struct hw_notes notes = {0};
	struct elf_header h = {0};
	if (!what)
		rc = hw_fail_nomem("message");
	else {
		snprintf(what, wl, "dump:%s", path);
		rc = read_header(&d->file, what, &h);
	}
	if (!rc)
		rc = read_segments(&d->file, &h, what, &ranges, &n, &notes);
	free(what);
	if (rc) {
		hw_unmap_file(&d->file);
		free(d);
		return rc;
	}
	uint32_t flags = HAYWIRE_SOURCE_ZERO_COPY;
	for (uint64_t i = 0; i < n; i++)
		if (!ranges[i].host)
			flags &= ~(uint32_t)HAYWIRE_SOURCE_ZERO_COPY;
	rc = hw_source_new(&elf_ops, d, ranges, n, flags, out);
	if (rc) {
		hw_notes_free(&notes);
		hw_unmap_file(&d->file);
		free(d);
		return rc;
	}
	hw_notes_give(&notes, *out);
	return HAYWIRE_OK;
}
