/* Parsers for "info mtree -f", "info registers" and "xp" text (QEMU 7.2 formats). */
#include "qmp/hmp_parse.h"

#include "core/error.h"
#include "source/source_impl.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Parse hex digits at *P (no prefix required, "0x" accepted) into *V; advance *P. */
static int parse_hex(const char **p, uint64_t *v)
{
	const char *s = *p;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!isxdigit((unsigned char)*s))
		return -1;
	uint64_t x = 0;
	int digits = 0;
	while (isxdigit((unsigned char)*s)) {
		if (++digits > 16)
			return -1;
		int c = tolower((unsigned char)*s++);
		x = x * 16 + (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	*v = x;
	*p = s;
	return 0;
}

static int starts(const char *line, const char *prefix)
{
	return !strncmp(line, prefix, strlen(prefix));
}

/* "  START-END (prio P, KIND): NAME[ @OFFSET][ ...]"; RAM ranges go to R. */
static int parse_range_line(const char *line, size_t len, struct hw_mtree_range *r, int *is_ram)
{
	const char *p = line, *end = line + len;
	while (p < end && *p == ' ')
		p++;
	uint64_t first, last;
	if (parse_hex(&p, &first) || *p++ != '-' || parse_hex(&p, &last) || last < first)
		return -1;
	if (strncmp(p, " (prio ", 7))
		return -1;
	const char *comma = memchr(p, ',', (size_t)(end - p));
	const char *close = memchr(p, ')', (size_t)(end - p));
	if (!comma || !close || close < comma || close + 3 > end || close[1] != ':' ||
	    close[2] != ' ')
		return -1;
	const char *kind = comma + 1;
	while (kind < close && *kind == ' ')
		kind++;
	/*
	 * "ram", and "rom"/"romd": x86 PAM shadows below 1 MiB show RAM-block
	 * bytes read-only as "(rom): ram @OFFSET". Which of these are guest RAM
	 * is decided later, by whether NAME is a memory backend (pc.bios is not).
	 */
	size_t klen = (size_t)(close - kind);
	*is_ram = (klen == 3 && (!strncmp(kind, "ram", 3) || !strncmp(kind, "rom", 3))) ||
	          (klen == 4 && !strncmp(kind, "romd", 4));
	const char *name = close + 3;
	const char *name_end = name;
	while (name_end < end && *name_end != ' ')
		name_end++;
	if (name_end == name || name_end - name >= HW_MTREE_NAME_MAX)
		return -1;
	memcpy(r->name, name, (size_t)(name_end - name));
	r->name[name_end - name] = '\0';
	r->gpa = first;
	r->size = last - first + 1; /* 0 when the view spans all of 2^64: rejected later */
	r->offset = 0;
	if (name_end + 2 < end && name_end[1] == '@') {
		const char *o = name_end + 2;
		if (parse_hex(&o, &r->offset) || (o < end && *o != ' '))
			return -1;
	}
	return 0;
}

int hw_mtree_parse(const char *text, struct hw_mtree_range **out, uint64_t *count)
{
	*out = NULL;
	*count = 0;
	struct hw_mtree_range *rs = NULL;
	uint64_t n = 0, cap = 0;
	int in_view = 0, is_memory = 0, in_ranges = 0, found = 0;
	unsigned lineno = 0;
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		lineno++;
		if (len && line[len - 1] == '\r')
			len--;
		if (starts(line, "FlatView #")) {
			if (found)
				break; /* the view of "memory" is complete */
			in_view = 1;
			is_memory = in_ranges = 0;
		} else if (in_view && !in_ranges && starts(line, " AS \"memory\",")) {
			is_memory = found = 1;
		} else if (in_view && starts(line, " Root memory region:")) {
			in_ranges = 1;
		} else if (in_ranges && is_memory && len > 2 && starts(line, "  ") &&
		           isxdigit((unsigned char)line[2])) {
			struct hw_mtree_range r;
			int is_ram = 0;
			if (parse_range_line(line, len, &r, &is_ram)) {
				free(rs);
				return hw_fail(HAYWIRE_E_CORRUPT,
				               "info mtree -f: line %u is not a memory range: \"%.60s\"",
				               lineno, line);
			}
			if (is_ram) {
				if (n == HW_MAX_RANGES) {
					free(rs);
					return hw_fail(HAYWIRE_E_LIMIT,
					               "info mtree -f: more than %d RAM ranges", HW_MAX_RANGES);
				}
				if (n == cap) {
					cap = cap ? cap * 2 : 16;
					void *g = realloc(rs, cap * sizeof *rs);
					if (!g) {
						free(rs);
						return hw_fail_nomem("memory map");
					}
					rs = g;
				}
				rs[n++] = r;
			}
		} else if (len == 0) {
			in_ranges = 0;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	if (!found) {
		free(rs);
		return hw_fail(HAYWIRE_E_CORRUPT,
		               "info mtree -f: no flat view of address space \"memory\"");
	}
	if (n == 0) {
		free(rs);
		return hw_fail(HAYWIRE_E_CORRUPT, "info mtree -f: address space \"memory\" has no RAM");
	}
	*out = rs;
	*count = n;
	return HAYWIRE_OK;
}

/* Value of register NAME in TEXT ("NAME=HEX" at a token start), or -1. */
static int find_reg(const char *text, const char *name, uint64_t *v)
{
	size_t nlen = strlen(name);
	for (const char *p = strstr(text, name); p; p = strstr(p + 1, name)) {
		if (p != text && !isspace((unsigned char)p[-1]))
			continue;
		if (p[nlen] != '=')
			continue;
		const char *h = p + nlen + 1;
		uint64_t x;
		if (parse_hex(&h, &x) == 0 && (!*h || isspace((unsigned char)*h))) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

int hw_registers_parse(const char *text, uint32_t arch, haywire_cpu_state *cpu)
{
	struct {
		const char *name;
		uint32_t bit;
		uint64_t *field;
	} x86[] = {
		{"RIP", HAYWIRE_CPU_PC, &cpu->pc},    {"EIP", HAYWIRE_CPU_PC, &cpu->pc},
		{"RSP", HAYWIRE_CPU_SP, &cpu->sp},    {"ESP", HAYWIRE_CPU_SP, &cpu->sp},
		{"CR0", HAYWIRE_CPU_CR0, &cpu->cr0},  {"CR3", HAYWIRE_CPU_CR3, &cpu->cr3},
		{"CR4", HAYWIRE_CPU_CR4, &cpu->cr4},  {"EFER", HAYWIRE_CPU_EFER, &cpu->efer},
	}, arm[] = {
		{"PC", HAYWIRE_CPU_PC, &cpu->pc},
		{"SP", HAYWIRE_CPU_SP, &cpu->sp},
	};
	const size_t nx = sizeof x86 / sizeof x86[0], na = sizeof arm / sizeof arm[0];
	size_t n = arch == HAYWIRE_ARCH_X86_64 ? nx : arch == HAYWIRE_ARCH_ARM64 ? na : 0;
	cpu->arch = arch;
	cpu->valid = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t v;
		uint32_t bit = arch == HAYWIRE_ARCH_X86_64 ? x86[i].bit : arm[i].bit;
		if (cpu->valid & bit)
			continue; /* RIP wins over EIP, RSP over ESP */
		if (find_reg(text, arch == HAYWIRE_ARCH_X86_64 ? x86[i].name : arm[i].name, &v) == 0) {
			*(arch == HAYWIRE_ARCH_X86_64 ? x86[i].field : arm[i].field) = v;
			cpu->valid |= bit;
		}
	}
	if (!cpu->valid)
		return hw_fail(HAYWIRE_E_CORRUPT,
		               "info registers: no known register in the output for CPU %u", cpu->cpu);
	return HAYWIRE_OK;
}

int hw_xp_parse(const char *text, uint64_t pa, uint8_t *buf, uint64_t len)
{
	uint64_t got = 0;
	const char *p = text;
	while (*p && got < len) {
		while (*p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		uint64_t addr;
		if (parse_hex(&p, &addr) || *p++ != ':')
			return hw_fail(HAYWIRE_E_PROTOCOL, "xp: unexpected output \"%.40s\"", p);
		if (addr != pa + got)
			return hw_fail(HAYWIRE_E_PROTOCOL, "xp: line for 0x%llx where 0x%llx was due",
			               (unsigned long long)addr, (unsigned long long)(pa + got));
		while (*p == ' ') {
			while (*p == ' ')
				p++;
			if (*p == '\n' || *p == '\r' || !*p)
				break;
			uint64_t b;
			if (parse_hex(&p, &b) || b > 0xff || got == len)
				return hw_fail(HAYWIRE_E_PROTOCOL, "xp: bad byte near \"%.20s\"", p);
			buf[got++] = (uint8_t)b;
		}
		if (*p && *p != '\n' && *p != '\r')
			return hw_fail(HAYWIRE_E_PROTOCOL, "xp: unexpected output \"%.20s\"", p);
	}
	if (got != len)
		return hw_fail(HAYWIRE_E_PROTOCOL, "xp: %llu bytes returned, %llu asked",
		               (unsigned long long)got, (unsigned long long)len);
	return HAYWIRE_OK;
}
