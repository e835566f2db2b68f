/*
 * ELF notes of a dump: the kernel's VMCOREINFO text and per-vCPU registers
 * (NT_PRSTATUS, and QEMU's own "QEMU" CPU-state note with the control
 * registers). Layouts follow what the kernel and QEMU write; all
 * little-endian.
 */
#include "source/dump.h"

#include "core/error.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

/* NT_PRSTATUS descriptor: pr_reg starts at byte 112 on both 64-bit targets. */
#define PRSTATUS_REGS 112
/* x86-64 user_regs_struct: rip is word 16, rsp word 19. */
#define X86_PRSTATUS_RIP (PRSTATUS_REGS + 16 * 8)
#define X86_PRSTATUS_RSP (PRSTATUS_REGS + 19 * 8)
/* arm64 user_pt_regs: x0..x30, then sp, pc. */
#define ARM64_PRSTATUS_SP (PRSTATUS_REGS + 31 * 8)
#define ARM64_PRSTATUS_PC (PRSTATUS_REGS + 32 * 8)

/*
 * QEMU's x86 CPU-state note (target/i386/arch_dump.c): u32 version, u32
 * size, 16 GPRs, rip, rflags, 10 segment records of 24 bytes, then cr[0..4].
 */
#define QEMU_X86_RSP (8 + 6 * 8)
#define QEMU_X86_RIP (8 + 16 * 8)
#define QEMU_X86_CR (QEMU_X86_RIP + 16 + 10 * 24)
#define QEMU_X86_END (QEMU_X86_CR + 5 * 8)

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint64_t align4(uint64_t x)
{
	return (x + 3) & ~(uint64_t)3;
}

struct note {
	const char *name; /* not NUL-terminated; NAMELEN excludes any NUL */
	uint32_t namelen;
	uint32_t type;
	const uint8_t *desc;
	uint64_t desclen;
};

/*
 * Step over the note at *POS in [P, P+LEN). 1 with *N filled, 0 at the end,
 * or a negative status for a note that overruns the section.
 */
static int next_note(const uint8_t *p, uint64_t len, uint64_t *pos, struct note *n,
                     const char *what)
{
	uint64_t at = *pos;
	if (len - at < 12) /* trailing padding shorter than a header ends the list */
		return 0;
	uint64_t namesz = get32(p + at), descsz = get32(p + at + 4);
	uint64_t name_at = at + 12;
	uint64_t desc_at = name_at + align4(namesz); /* 64-bit sums: cannot wrap */
	if (desc_at > len || descsz > len - desc_at)
		return hw_fail(HAYWIRE_E_CORRUPT,
		               "%s: note at byte %llu (name %llu bytes, data %llu bytes) runs past its "
		               "%llu-byte section",
		               what, (unsigned long long)at, (unsigned long long)namesz,
		               (unsigned long long)descsz, (unsigned long long)len);
	n->name = (const char *)p + name_at;
	n->namelen = (uint32_t)namesz;
	while (n->namelen && n->name[n->namelen - 1] == '\0')
		n->namelen--;
	n->type = get32(p + at + 8);
	n->desc = p + desc_at;
	n->desclen = descsz;
	uint64_t end = desc_at + align4(descsz);
	*pos = end < len ? end : len;
	return 1;
}

static int name_is(const struct note *n, const char *s)
{
	return n->namelen == strlen(s) && !memcmp(n->name, s, n->namelen);
}

static uint32_t arch_of(uint16_t e_machine)
{
	return e_machine == EM_X86_64    ? HAYWIRE_ARCH_X86_64
	       : e_machine == EM_AARCH64 ? HAYWIRE_ARCH_ARM64
	                                 : HAYWIRE_ARCH_UNKNOWN;
}

static void take_prstatus(haywire_cpu_state *c, const struct note *n, uint16_t e_machine)
{
	if (e_machine == EM_X86_64 && n->desclen >= X86_PRSTATUS_RSP + 8) {
		c->pc = get64(n->desc + X86_PRSTATUS_RIP);
		c->sp = get64(n->desc + X86_PRSTATUS_RSP);
		c->valid |= HAYWIRE_CPU_PC | HAYWIRE_CPU_SP;
	} else if (e_machine == EM_AARCH64 && n->desclen >= ARM64_PRSTATUS_PC + 8) {
		c->sp = get64(n->desc + ARM64_PRSTATUS_SP);
		c->pc = get64(n->desc + ARM64_PRSTATUS_PC);
		c->valid |= HAYWIRE_CPU_PC | HAYWIRE_CPU_SP;
	}
}

static void take_qemu_x86(haywire_cpu_state *c, const struct note *n)
{
	/* The struct says how big it is; trust only what both it and the note cover. */
	if (n->desclen < QEMU_X86_END || get32(n->desc + 4) < QEMU_X86_END)
		return;
	const uint8_t *cr = n->desc + QEMU_X86_CR;
	c->cr0 = get64(cr);
	c->cr3 = get64(cr + 3 * 8);
	c->cr4 = get64(cr + 4 * 8);
	c->valid |= HAYWIRE_CPU_CR0 | HAYWIRE_CPU_CR3 | HAYWIRE_CPU_CR4;
	if (!(c->valid & HAYWIRE_CPU_PC)) {
		c->pc = get64(n->desc + QEMU_X86_RIP);
		c->sp = get64(n->desc + QEMU_X86_RSP);
		c->valid |= HAYWIRE_CPU_PC | HAYWIRE_CPU_SP;
	}
}

int hw_notes_parse(const uint8_t *p, uint64_t len, uint16_t e_machine, const char *what,
                   struct hw_notes *out)
{
	*out = (struct hw_notes){0};
	if (len > HW_DUMP_MAX_NOTES)
		return hw_fail(HAYWIRE_E_LIMIT, "%s: %llu bytes of notes, at most %u allowed", what,
		               (unsigned long long)len, HW_DUMP_MAX_NOTES);
	uint32_t arch = arch_of(e_machine);
	struct note n;
	int rc;

	/* Pass 1: check every note's bounds and count the vCPUs. */
	uint64_t pos = 0, nprstatus = 0, nqemu = 0;
	while ((rc = next_note(p, len, &pos, &n, what)) == 1) {
		if (n.type == NT_PRSTATUS && name_is(&n, "CORE"))
			nprstatus++;
		else if (name_is(&n, "QEMU"))
			nqemu++;
	}
	if (rc < 0)
		return rc;
	/* EM_386: an x86 vCPU outside long mode; QEMU's note still has its registers. */
	int x86 = e_machine == EM_X86_64 || e_machine == EM_386;
	int known = x86 || e_machine == EM_AARCH64;
	uint64_t ncpus = !known ? 0 : nprstatus > nqemu ? nprstatus : nqemu;
	if (ncpus > HW_DUMP_MAX_CPUS)
		return hw_fail(HAYWIRE_E_LIMIT, "%s: notes for %llu vCPUs, at most %d allowed", what,
		               (unsigned long long)ncpus, HW_DUMP_MAX_CPUS);
	if (ncpus) {
		out->cpus = calloc(ncpus, sizeof *out->cpus);
		if (!out->cpus)
			return hw_fail_nomem("vCPU registers");
		out->ncpus = (uint32_t)ncpus;
		for (uint32_t i = 0; i < out->ncpus; i++)
			out->cpus[i] = (haywire_cpu_state){
				.struct_size = sizeof(haywire_cpu_state), .arch = arch, .cpu = i};
	}

	/* Pass 2: the k-th PRSTATUS and the k-th QEMU note both describe vCPU k. */
	uint64_t kp = 0, kq = 0;
	pos = 0;
	while (next_note(p, len, &pos, &n, what) == 1) {
		if (n.type == NT_PRSTATUS && name_is(&n, "CORE")) {
			if (ncpus)
				take_prstatus(&out->cpus[kp], &n, e_machine);
			kp++;
		} else if (name_is(&n, "QEMU")) {
			if (ncpus && x86)
				take_qemu_x86(&out->cpus[kq], &n);
			kq++;
		} else if (name_is(&n, "VMCOREINFO") && !out->vmcoreinfo) {
			uint64_t tl = n.desclen;
			while (tl && n.desc[tl - 1] == '\0')
				tl--;
			if (tl > HW_DUMP_MAX_VMCOREINFO) {
				hw_notes_free(out);
				return hw_fail(HAYWIRE_E_LIMIT,
				               "%s: VMCOREINFO note of %llu bytes, at most %u allowed", what,
				               (unsigned long long)tl, HW_DUMP_MAX_VMCOREINFO);
			}
			out->vmcoreinfo = malloc(tl + 1);
			if (!out->vmcoreinfo) {
				hw_notes_free(out);
				return hw_fail_nomem("VMCOREINFO");
			}
			memcpy(out->vmcoreinfo, n.desc, tl);
			out->vmcoreinfo[tl] = '\0';
			out->vmcoreinfo_len = tl;
		}
	}
	return HAYWIRE_OK;
}

void hw_notes_free(struct hw_notes *n)
{
	free(n->vmcoreinfo);
	free(n->cpus);
	*n = (struct hw_notes){0};
}

void hw_notes_give(struct hw_notes *n, haywire_source *src)
{
	src->vmcoreinfo = n->vmcoreinfo;
	src->vmcoreinfo_len = n->vmcoreinfo_len;
	src->cpus = n->cpus;
	src->ncpus = n->ncpus;
	*n = (struct hw_notes){0};
}
