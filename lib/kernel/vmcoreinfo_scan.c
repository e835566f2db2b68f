/* Finding VMCOREINFO copies in guest RAM by looking at page starts only. */
#include "kernel/vmcoreinfo.h"

#include "core/error.h"
#include "source/source_impl.h"

#include <stdlib.h>
#include <string.h>

#define SCAN_STEP 4096u
/* The note header: namesz=11 ("VMCOREINFO\0"), descsz, type 0, name padded to 12. */
#define NOTE_HDR 24u
#define PROBE_LEN (NOTE_HDR)

/* 0: nothing, 1: bare text, 2: ELF note. P holds PROBE_LEN bytes. */
static int page_kind(const uint8_t *p)
{
	if (p[0] == 'O' && memcmp(p, "OSRELEASE=", 10) == 0)
		return 1;
	if (p[0] == 11 && p[1] == 0 && p[2] == 0 && p[3] == 0 && memcmp(p + 12, "VMCOREINFO", 11) == 0)
		return 2;
	return 0;
}

/* Read a page's text: up to the first NUL, at most HW_VMCI_MAX_TEXT... and what is RAM. */
static int read_text(const haywire_source *src, uint64_t pa, uint64_t limit, char **text,
                     uint64_t *len)
{
	/* The kernel's text fits one page of the guest's; grow 4 KiB at a time up to 64 KiB. */
	uint64_t cap = 65536 < limit ? 65536 : limit;
	char *buf = malloc(cap);
	if (!buf)
		return hw_fail_nomem("vmcoreinfo scan");
	uint64_t have = 0;
	while (have < cap) {
		uint64_t want = cap - have < 4096 ? cap - have : 4096, done = 0;
		hw_source_read_quiet(src, pa + have, buf + have, want, &done);
		const char *nul = memchr(buf + have, '\0', done);
		have += done;
		if (nul) {
			have = (uint64_t)(nul - buf);
			break;
		}
		if (done < want)
			break;
	}
	*text = buf;
	*len = have;
	return HAYWIRE_OK;
}

/* Parse the copy at PA (if it is one) and offer it to EACH; 1 when EACH says stop. */
static int consider(const haywire_source *src, uint64_t pa, const uint8_t *probe,
                    hw_vmci_each_fn each, void *ctx, int *stop)
{
	int kind = page_kind(probe);
	if (!kind)
		return HAYWIRE_OK;
	uint64_t text_pa = kind == 2 ? pa + NOTE_HDR : pa;
	uint64_t limit = HW_VMCI_MAX_TEXT;
	if (kind == 2) {
		uint32_t descsz = (uint32_t)probe[4] | (uint32_t)probe[5] << 8 |
		                  (uint32_t)probe[6] << 16 | (uint32_t)probe[7] << 24;
		if (descsz == 0 || descsz > HW_VMCI_MAX_TEXT)
			return HAYWIRE_OK;
		limit = descsz; /* the note says exactly how long its text is */
	}
	char *text = NULL;
	uint64_t len = 0;
	int st = read_text(src, text_pa, limit, &text, &len);
	if (st)
		return st;
	struct hw_vmcoreinfo *info = NULL;
	st = hw_vmcoreinfo_parse(text, len, &info);
	free(text);
	if (st == HAYWIRE_E_NOMEM)
		return st;
	if (st == HAYWIRE_OK) {
		struct hw_vmci_found f = {.pa = pa, .text_pa = text_pa, .is_note = kind == 2,
		                          .info = info};
		*stop = each(ctx, &f);
		hw_vmcoreinfo_free(f.info); /* NULL if EACH kept it */
	}
	return HAYWIRE_OK;
}

int hw_vmcoreinfo_scan_each(const haywire_source *src, hw_vmci_each_fn each, void *ctx)
{
	if (!src)
		return hw_fail(HAYWIRE_E_INVALID, "vmcoreinfo scan: NULL source");
	int st = HAYWIRE_OK, stop = 0;
	for (uint64_t i = 0; i < src->nranges && !st && !stop; i++) {
		const struct hw_range *r = &src->ranges[i];
		uint64_t first = (r->gpa + SCAN_STEP - 1) & ~(uint64_t)(SCAN_STEP - 1);
		if (first < r->gpa || first - r->gpa >= r->size)
			continue;
		uint64_t data_end = 0; /* pages before it may hold data; past it, ask again */
		for (uint64_t off = first - r->gpa; r->size - off >= PROBE_LEN && !st && !stop;
		     off += SCAN_STEP) {
			uint8_t copy[PROBE_LEN];
			const uint8_t *p;
			if (off >= data_end) { /* skip a sparse file's holes: they read as zeros */
				uint64_t start, end;
				if (hw_source_data_extent(src, r, off, &start, &end))
					break;
				uint64_t page = (r->gpa + start) & ~(uint64_t)(SCAN_STEP - 1);
				if (page > r->gpa + off)
					off = page - r->gpa;
				data_end = end;
				if (r->size - off < PROBE_LEN)
					break;
			}
			if (r->host) {
				p = r->host + off;
				if (p[0] != 'O' && p[0] != 11) /* the common case: one byte per page */
					goto next;
			} else {
				uint64_t done = 0;
				if (hw_source_read_quiet(src, r->gpa + off, copy, PROBE_LEN, &done))
					goto next;
				p = copy;
			}
			st = consider(src, r->gpa + off, p, each, ctx, &stop);
		next:
			if (r->size - off < SCAN_STEP)
				break;
		}
	}
	return st;
}

struct collect {
	struct hw_vmci_found *f;
	uint32_t n;
};

static int collect_one(void *ctx, struct hw_vmci_found *found)
{
	struct collect *c = ctx;
	c->f[c->n++] = *found;
	found->info = NULL; /* kept */
	return c->n == HW_VMCI_MAX_FOUND;
}

int hw_vmcoreinfo_scan(const haywire_source *src, struct hw_vmci_found **found, uint32_t *count)
{
	*found = NULL;
	*count = 0;
	struct collect c = {.f = calloc(HW_VMCI_MAX_FOUND, sizeof *c.f)};
	if (!c.f)
		return hw_fail_nomem("vmcoreinfo scan");
	int st = hw_vmcoreinfo_scan_each(src, collect_one, &c);
	if (st || c.n == 0) {
		hw_vmci_found_free(c.f, c.n);
		return st ? st : hw_fail(HAYWIRE_E_NOT_FOUND, "no VMCOREINFO text in guest RAM");
	}
	*found = c.f;
	*count = c.n;
	return HAYWIRE_OK;
}

void hw_vmci_found_free(struct hw_vmci_found *found, uint32_t count)
{
	if (!found)
		return;
	for (uint32_t i = 0; i < count; i++)
		hw_vmcoreinfo_free(found[i].info);
	free(found);
}
