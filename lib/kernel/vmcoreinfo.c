/* VMCOREINFO text: strict parsing and typed look-ups. */
#include "kernel/vmcoreinfo.h"

#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hw_vmci_entry {
	const char *key;
	const char *value;
};

struct hw_vmcoreinfo {
	char *buf; /* owned copy of the text, '=' and '\n' replaced by NULs */
	struct hw_vmci_entry *entries;
	uint32_t count;
};

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	return (unsigned)(c - 'A' + 10);
}

/* S is 1..16 hex digits, optionally after "0x". */
static int parse_hex(const char *s, uint64_t *out)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	size_t n = strlen(s);
	if (n == 0 || n > 16)
		return 0;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_hex(s[i]))
			return 0;
		v = (v << 4) | hex_val(s[i]);
	}
	*out = v;
	return 1;
}

/* S is an optionally negative decimal fitting int64 (or uint64 if positive). */
static int parse_dec(const char *s, uint64_t *out)
{
	int neg = 0;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	size_t n = strlen(s);
	if (n == 0 || n > 20)
		return 0;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	if (neg) {
		if (v > (1ull << 63))
			return 0;
		v = (uint64_t)0 - v; /* two's complement of -v */
	}
	*out = v;
	return 1;
}

/* NUMBER() values: "%ld" on most keys, "0x%llx" on arm64's. */
static int parse_number(const char *s, uint64_t *out)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_hex(s, out);
	return parse_dec(s, out);
}

static int key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* KEY := NAME [ "(" INNER ")" ], NAME of key_char, INNER of key_char or '.'. */
static int key_ok(const char *k)
{
	size_t i = 0;
	while (key_char(k[i]))
		i++;
	if (i == 0)
		return 0;
	if (k[i] == '\0')
		return 1;
	if (k[i] != '(')
		return 0;
	size_t start = ++i;
	while (key_char(k[i]) || k[i] == '.')
		i++;
	return i > start && k[i] == ')' && k[i + 1] == '\0';
}

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* Values of the keys whose syntax we know must be numbers of their kind. */
static int value_ok(const char *key, const char *value)
{
	uint64_t v;
	if (has_prefix(key, "SYMBOL(") || !strcmp(key, "KERNELOFFSET"))
		return parse_hex(value, &v);
	if (has_prefix(key, "NUMBER("))
		return parse_number(value, &v);
	if (has_prefix(key, "OFFSET(") || has_prefix(key, "SIZE(") ||
	    has_prefix(key, "LENGTH(") || !strcmp(key, "CRASHTIME"))
		return parse_dec(value, &v);
	if (!strcmp(key, "PAGESIZE"))
		return parse_dec(value, &v) && v >= 1024 && v <= (1u << 20) && !(v & (v - 1));
	if (!strcmp(key, "OSRELEASE"))
		return value[0] != '\0';
	return 1;
}

int hw_vmcoreinfo_parse(const char *text, uint64_t len, struct hw_vmcoreinfo **out)
{
	*out = NULL;
	if (!text)
		return hw_fail(HAYWIRE_E_INVALID, "vmcoreinfo: NULL text");
	const char *nul = memchr(text, '\0', len < HW_VMCI_MAX_TEXT + 1 ? len : HW_VMCI_MAX_TEXT + 1);
	uint64_t n = nul ? (uint64_t)(nul - text) : len;
	if (n > HW_VMCI_MAX_TEXT)
		return hw_fail(HAYWIRE_E_LIMIT, "vmcoreinfo: text of %llu bytes exceeds %u",
		               (unsigned long long)n, HW_VMCI_MAX_TEXT);
	if (n < 10 || memcmp(text, "OSRELEASE=", 10) != 0)
		return hw_fail(HAYWIRE_E_FORMAT, "vmcoreinfo: text does not start with OSRELEASE=");

	struct hw_vmcoreinfo *v = calloc(1, sizeof *v);
	char *buf = malloc(n + 1);
	uint32_t cap = 0;
	for (uint64_t i = 0; i < n; i++)
		cap += text[i] == '\n';
	cap += 1;
	if (cap > HW_VMCI_MAX_ENTRIES + 1)
		cap = HW_VMCI_MAX_ENTRIES + 1;
	struct hw_vmci_entry *e = malloc(cap * sizeof *e);
	if (!v || !buf || !e) {
		free(v);
		free(buf);
		free(e);
		return hw_fail_nomem("vmcoreinfo");
	}
	memcpy(buf, text, n);
	buf[n] = '\0';
	v->buf = buf;
	v->entries = e;

	int st = HAYWIRE_OK;
	uint64_t pos = 0, line = 0;
	while (pos < n) {
		line++;
		char *s = buf + pos;
		char *end = memchr(s, '\n', n - pos);
		uint64_t llen = end ? (uint64_t)(end - s) : n - pos;
		pos += llen + (end ? 1 : 0);
		if (llen == 0 || llen > HW_VMCI_MAX_LINE) {
			st = hw_fail(HAYWIRE_E_CORRUPT, "vmcoreinfo: line %llu is %s",
			             (unsigned long long)line, llen ? "too long" : "empty");
			break;
		}
		s[llen] = '\0';
		int printable = 1;
		for (uint64_t i = 0; i < llen; i++)
			if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
				printable = 0;
		char *eq = printable ? strchr(s, '=') : NULL;
		if (!eq) {
			st = hw_fail(HAYWIRE_E_CORRUPT,
			             "vmcoreinfo: line %llu is not printable KEY=VALUE",
			             (unsigned long long)line);
			break;
		}
		*eq = '\0';
		if (!key_ok(s) || !value_ok(s, eq + 1)) {
			st = hw_fail(HAYWIRE_E_CORRUPT, "vmcoreinfo: line %llu: bad %s \"%.64s\"",
			             (unsigned long long)line, key_ok(s) ? "value for key" : "key", s);
			break;
		}
		if (v->count >= HW_VMCI_MAX_ENTRIES) {
			st = hw_fail(HAYWIRE_E_LIMIT, "vmcoreinfo: more than %u lines",
			             HW_VMCI_MAX_ENTRIES);
			break;
		}
		e[v->count].key = s;
		e[v->count].value = eq + 1;
		v->count++;
	}
	if (st) {
		hw_vmcoreinfo_free(v);
		return st;
	}
	*out = v;
	return HAYWIRE_OK;
}

void hw_vmcoreinfo_free(struct hw_vmcoreinfo *v)
{
	if (!v)
		return;
	free(v->buf);
	free(v->entries);
	free(v);
}

uint32_t hw_vmcoreinfo_count(const struct hw_vmcoreinfo *v)
{
	return v ? v->count : 0;
}

int hw_vmcoreinfo_entry(const struct hw_vmcoreinfo *v, uint32_t i, const char **key,
                        const char **value)
{
	if (!v || i >= v->count)
		return hw_fail(HAYWIRE_E_NOT_FOUND, "vmcoreinfo: no entry %u", i);
	*key = v->entries[i].key;
	*value = v->entries[i].value;
	return HAYWIRE_OK;
}

const char *hw_vmcoreinfo_get(const struct hw_vmcoreinfo *v, const char *key)
{
	if (!v || !key)
		return NULL;
	/* A few hundred short lines: a linear pass is cheaper than keeping an index. */
	for (uint32_t i = 0; i < v->count; i++)
		if (!strcmp(v->entries[i].key, key))
			return v->entries[i].value;
	return NULL;
}

const char *hw_vmcoreinfo_osrelease(const struct hw_vmcoreinfo *v)
{
	return hw_vmcoreinfo_get(v, "OSRELEASE");
}

static int lookup(const struct hw_vmcoreinfo *v, const char *kind, const char *name,
                  int (*parse)(const char *, uint64_t *), uint64_t *out)
{
	char key[HW_VMCI_MAX_LINE];
	int n = name ? snprintf(key, sizeof key, "%s(%s)", kind, name)
	             : snprintf(key, sizeof key, "%s", kind);
	if (n < 0 || (size_t)n >= sizeof key)
		return hw_fail(HAYWIRE_E_INVALID, "vmcoreinfo: key name too long");
	const char *val = hw_vmcoreinfo_get(v, key);
	if (!val)
		return hw_fail(HAYWIRE_E_NOT_FOUND, "vmcoreinfo: no %s", key);
	if (!parse(val, out)) /* cannot happen for parsed text; kept as a guard */
		return hw_fail(HAYWIRE_E_CORRUPT, "vmcoreinfo: bad value for %s", key);
	return HAYWIRE_OK;
}

int hw_vmcoreinfo_symbol(const struct hw_vmcoreinfo *v, const char *name, uint64_t *out)
{
	return lookup(v, "SYMBOL", name, parse_hex, out);
}

int hw_vmcoreinfo_number(const struct hw_vmcoreinfo *v, const char *name, uint64_t *out)
{
	return lookup(v, "NUMBER", name, parse_number, out);
}

int hw_vmcoreinfo_offset(const struct hw_vmcoreinfo *v, const char *name, uint64_t *out)
{
	return lookup(v, "OFFSET", name, parse_dec, out);
}

int hw_vmcoreinfo_size(const struct hw_vmcoreinfo *v, const char *name, uint64_t *out)
{
	return lookup(v, "SIZE", name, parse_dec, out);
}

int hw_vmcoreinfo_length(const struct hw_vmcoreinfo *v, const char *name, uint64_t *out)
{
	return lookup(v, "LENGTH", name, parse_dec, out);
}

int hw_vmcoreinfo_page_size(const struct hw_vmcoreinfo *v, uint64_t *out)
{
	return lookup(v, "PAGESIZE", NULL, parse_dec, out);
}

int hw_vmcoreinfo_kaslr_offset(const struct hw_vmcoreinfo *v, uint64_t *out)
{
	return lookup(v, "KERNELOFFSET", NULL, parse_hex, out);
}
