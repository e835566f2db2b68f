/*
 * haywire-map: a picture of a guest's physical memory, coloured by owner.
 *
 *   haywire-map SOURCE -o FILE.png
 *
 * RAM ranges are drawn one after the other (holes between them left out),
 * left to right, top to bottom, one cell per guest page (its base page size) — or per group of pages
 * (a power of two) when the guest has more than 1024 x 1024 pages. The
 * picture is 1024 px wide; small guests get 2x2 or 4x4 px cells. A cell
 * shows its most telling page: kernel image, then page tables, then pages
 * mapped more than once (shared), then the owning process's colour, then
 * RAM nobody maps. The 12 processes with the largest RSS get their own
 * colours; the legend under the map names them. Prints one line:
 * "haywire-map: FILE width=W height=H map_height=M cell_px=C pages_per_cell=P cols=N pages=T".
 */
#include <haywire/haywire.h>

#include "font5x7.h"

#include <inttypes.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 1024
#define MAX_ROWS 1024
#define TOP 12
#define SCALE 2
#define LINE_H (8 * SCALE + 6)
#define HEADER_H (LINE_H + 8)

struct rgb {
	uint8_t r, g, b;
};

/* Cell classes, in the order a cell prefers them. */
enum cls { C_NOT_RAM, C_UNOWNED, C_OTHER, C_PROC, C_SHARED, C_TABLE, C_KERNEL };

static const struct rgb fixed[] = {
	[C_NOT_RAM] = {0, 0, 0},       [C_UNOWNED] = {56, 56, 68},   [C_OTHER] = {110, 130, 110},
	[C_SHARED] = {255, 255, 255}, [C_TABLE] = {255, 40, 40}, [C_KERNEL] = {60, 90, 255},
};
static const char *const fixed_names[] = {
	[C_UNOWNED] = "unowned RAM",     [C_OTHER] = "other processes", [C_SHARED] = "shared (mapcount>1)",
	[C_TABLE] = "page tables",       [C_KERNEL] = "kernel image",
};
static const struct rgb palette[TOP] = {
	{255, 160, 0},  {0, 200, 120}, {200, 60, 220}, {0, 190, 255}, {255, 230, 60},
	{255, 110, 180}, {140, 220, 40}, {150, 120, 255}, {0, 140, 140}, {200, 120, 70},
	{255, 200, 150}, {120, 170, 255},
};

struct image {
	uint8_t *px;
	uint32_t w, h;
};

static void fill_rect(struct image *im, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
                      struct rgb c)
{
	for (uint32_t j = y; j < y + h && j < im->h; j++)
		for (uint32_t i = x; i < x + w && i < im->w; i++) {
			uint8_t *p = im->px + ((uint64_t)j * im->w + i) * 3;
			p[0] = c.r, p[1] = c.g, p[2] = c.b;
		}
}

static void draw_text(struct image *im, uint32_t x, uint32_t y, const char *s, struct rgb c)
{
	for (; *s; s++, x += 6 * SCALE) {
		const uint8_t *g = font5x7_glyph(*s);
		for (int row = 0; row < 7; row++)
			for (int col = 0; col < 5; col++)
				if (g[row] & (0x10 >> col))
					fill_rect(im, x + col * SCALE, y + row * SCALE, SCALE, SCALE, c);
	}
}

static int write_png(const char *path, const struct image *im)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return 1;
	}
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!info || setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		fclose(f);
		fprintf(stderr, "haywire-map: writing %s failed\n", path);
		return 1;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, im->w, im->h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
	             PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_filter(png, 0, PNG_FILTER_NONE); /* simple to decode in tests */
	png_write_info(png, info);
	for (uint32_t y = 0; y < im->h; y++)
		png_write_row(png, im->px + (uint64_t)y * im->w * 3);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	return fclose(f) ? 1 : 0;
}

/* Processes ranked by RSS: rank[proc] = palette slot or -1. */
static int *rank_processes(const haywire_rmap *r, uint32_t *top, uint32_t *ntop)
{
	uint32_t n = haywire_rmap_proc_count(r);
	int *rank = malloc((n ? n : 1) * sizeof *rank);
	if (!rank)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		rank[i] = -1;
	*ntop = 0;
	for (uint32_t slot = 0; slot < TOP; slot++) {
		uint64_t best = 0;
		int64_t pick = -1;
		for (uint32_t i = 0; i < n; i++) {
			haywire_rmap_proc p = {.struct_size = sizeof p};
			haywire_rmap_proc_get(r, i, &p);
			if (rank[i] < 0 && p.rss_bytes > best)
				best = p.rss_bytes, pick = i;
		}
		if (pick < 0)
			break;
		rank[pick] = (int)slot;
		top[(*ntop)++] = (uint32_t)pick;
	}
	return rank;
}

static enum cls page_class(uint8_t kind, uint32_t owner, uint32_t mapcount, const int *rank)
{
	switch (kind) {
	case HAYWIRE_RMAP_KERNEL_IMAGE: return C_KERNEL;
	case HAYWIRE_RMAP_PAGE_TABLE: return C_TABLE;
	case HAYWIRE_RMAP_USER:
		return mapcount > 1 ? C_SHARED : rank[owner] >= 0 ? C_PROC : C_OTHER;
	case HAYWIRE_RMAP_UNOWNED: return C_UNOWNED;
	default: return C_NOT_RAM;
	}
}

#define CHUNK 65536u

/* Colour every cell of the map part of IM. */
static int draw_map(const haywire_rmap *r, const haywire_ram_range *ranges, uint64_t nranges,
                    uint64_t page_size, uint64_t ppc, uint32_t cell, const int *rank,
                    struct image *im)
{
	uint8_t *kind = malloc(CHUNK);
	uint32_t *owner = malloc(CHUNK * sizeof *owner), *count = malloc(CHUNK * sizeof *count);
	int rc = kind && owner && count ? 0 : 1;
	uint32_t cols = WIDTH / cell;
	uint64_t page = 0; /* pages drawn so far, over all ranges */
	enum cls best = C_NOT_RAM;
	uint32_t best_owner = 0;
	for (uint64_t k = 0; !rc && k < nranges; k++) {
		uint64_t npages = ranges[k].size / page_size;
		for (uint64_t done = 0; !rc && done < npages; done += CHUNK) {
			uint64_t n = npages - done < CHUNK ? npages - done : CHUNK;
			if (haywire_rmap_pages(r, ranges[k].gpa + done * page_size, n, kind, owner, count)) {
				fprintf(stderr, "haywire-map: %s\n", haywire_last_error());
				rc = 1;
				break;
			}
			for (uint64_t i = 0; i < n; i++, page++) {
				enum cls c = page_class(kind[i], owner[i], count[i], rank);
				if (page % ppc == 0 || c > best) {
					best = c;
					best_owner = owner[i];
				}
				if (page % ppc != ppc - 1 && !(k == nranges - 1 && done + i == npages - 1))
					continue;
				uint64_t cellno = page / ppc;
				struct rgb col = best == C_PROC ? palette[rank[best_owner]] : fixed[best];
				fill_rect(im, (uint32_t)(cellno % cols) * cell,
				          (uint32_t)(cellno / cols) * cell, cell, cell, col);
			}
		}
	}
	free(kind);
	free(owner);
	free(count);
	return rc;
}

static void draw_legend(const haywire_rmap *r, const uint32_t *top, uint32_t ntop,
                        uint32_t map_h, uint64_t ram_mib, uint64_t ppc, struct image *im)
{
	struct rgb text = {230, 230, 230};
	fill_rect(im, 0, map_h, im->w, im->h - map_h, (struct rgb){16, 16, 16});
	char line[128];
	snprintf(line, sizeof line, "guest RAM %" PRIu64 " MiB, %" PRIu64 " page%s per cell", ram_mib,
	         ppc, ppc == 1 ? "" : "s");
	draw_text(im, 8, map_h + 8, line, text);
	uint32_t entry = 0;
	const enum cls order[] = {C_KERNEL, C_TABLE, C_SHARED, C_OTHER, C_UNOWNED};
	for (uint32_t i = 0; i < ntop + 5; i++, entry++) {
		uint32_t x = 8 + (entry % 2) * (WIDTH / 2), y = map_h + HEADER_H + (entry / 2) * LINE_H;
		struct rgb c;
		if (i < 5) {
			c = fixed[order[i]];
			snprintf(line, sizeof line, "%s", fixed_names[order[i]]);
		} else {
			haywire_rmap_proc p = {.struct_size = sizeof p};
			haywire_rmap_proc_get(r, top[i - 5], &p);
			c = palette[i - 5];
			snprintf(line, sizeof line, "%d %s %" PRIu64 " MiB", p.pid, p.comm,
			         p.rss_bytes >> 20);
		}
		fill_rect(im, x, y, 14 * SCALE / 2 + 6, 7 * SCALE, c);
		draw_text(im, x + 24, y, line, text);
	}
}

int main(int argc, char **argv)
{
	const char *spec = NULL, *out = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (argv[i][0] != '-' && !spec)
			spec = argv[i];
		else
			spec = NULL, i = argc;
	}
	if (!spec || !out) {
		fprintf(stderr, "usage: %s SOURCE -o FILE.png\n", argv[0]);
		return 2;
	}
	haywire_source *src = NULL;
	haywire_kernel *kernel = NULL;
	haywire_rmap *rmap = NULL;
	int rc = haywire_source_open(spec, &src);
	if (!rc)
		rc = haywire_kernel_open(src, NULL, &kernel);
	if (!rc)
		rc = haywire_rmap_build(kernel, NULL, NULL, &rmap);
	if (rc) {
		fprintf(stderr, "%s: %s\n", argv[0], haywire_last_error());
		goto done;
	}
	/* The kernel's source: for a RAM file opened without a layout, the one that validated. */
	haywire_source *ksrc = haywire_kernel_source(kernel);
	uint64_t nranges = haywire_source_ram_range_count(ksrc), pages = 0;
	haywire_ram_range *ranges = calloc(nranges ? nranges : 1, sizeof *ranges);
	uint32_t top[TOP], ntop = 0;
	int *rank = rank_processes(rmap, top, &ntop);
	rc = !ranges || !rank || haywire_source_ram_ranges(ksrc, ranges, nranges, &nranges);
	haywire_rmap_stats st = {.struct_size = sizeof st};
	haywire_rmap_get_stats(rmap, &st);
	for (uint64_t i = 0; !rc && i < nranges; i++)
		pages += ranges[i].size / st.page_size;
	/* Geometry: the biggest cells that fit, then pages per cell if even 1 px is too many. */
	uint32_t cell = 4;
	uint64_t ppc = 1;
	while (cell > 1 && (pages + WIDTH / cell - 1) / (WIDTH / cell) * cell > MAX_ROWS)
		cell /= 2;
	while ((pages / ppc + WIDTH / cell - 1) / (WIDTH / cell) * cell > MAX_ROWS)
		ppc *= 2;
	uint64_t cells = (pages + ppc - 1) / ppc, cols = WIDTH / cell;
	uint32_t map_h = (uint32_t)((cells + cols - 1) / cols) * cell;
	uint32_t legend_h = HEADER_H + (ntop + 5 + 1) / 2 * LINE_H + 8;
	struct image im = {.w = WIDTH, .h = map_h + legend_h};
	im.px = rc ? NULL : calloc((uint64_t)im.w * im.h, 3);
	if (!rc && !im.px)
		rc = 1;
	if (!rc)
		rc = draw_map(rmap, ranges, nranges, st.page_size, ppc, cell, rank, &im);
	if (!rc) {
		draw_legend(rmap, top, ntop, map_h, haywire_source_ram_size(ksrc) >> 20, ppc, &im);
		rc = write_png(out, &im);
	}
	if (!rc)
		printf("haywire-map: %s width=%u height=%u map_height=%u cell_px=%u "
		       "pages_per_cell=%" PRIu64 " cols=%" PRIu64 " pages=%" PRIu64 "\n",
		       out, im.w, im.h, map_h, cell, ppc, cols, pages);
	free(im.px);
	free(rank);
	free(ranges);
done:
	haywire_rmap_free(rmap);
	haywire_kernel_close(kernel);
	haywire_source_close(src);
	return rc ? 1 : 0;
}
