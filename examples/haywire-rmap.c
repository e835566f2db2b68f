/*
 * haywire-rmap: who maps a guest-physical page, and how much memory each
 * process really uses, from outside the guest.
 *
 *   haywire-rmap [--json] SOURCE PA     owners of the page containing PA
 *   haywire-rmap --stats [--json] SOURCE
 *                                       per process pid, comm, rss/pss/uss kB
 *                                       and totals
 *   haywire-rmap --dump SOURCE          JSON Lines, one per user mapping of a
 *                                       base page: {"pid","va","pfn","writable","exec"}
 */
#include <haywire/haywire.h>

#include "json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum mode { OWNERS, STATS, DUMP };

static const char *kind_name(uint32_t kind)
{
	switch (kind) {
	case HAYWIRE_RMAP_USER: return "user";
	case HAYWIRE_RMAP_PAGE_TABLE: return "page_table";
	case HAYWIRE_RMAP_KERNEL_IMAGE: return "kernel_image";
	default: return "unowned";
	}
}

static void perm_string(uint32_t perms, char out[4])
{
	out[0] = perms & HAYWIRE_PERM_READ ? 'r' : '-';
	out[1] = perms & HAYWIRE_PERM_WRITE ? 'w' : '-';
	out[2] = perms & HAYWIRE_PERM_EXEC ? 'x' : '-';
	out[3] = 0;
}

static int owners(const haywire_rmap *r, uint64_t pa, int json)
{
	uint64_t n = 0;
	haywire_rmap_owner one = {.struct_size = sizeof one};
	int rc = haywire_rmap_owners(r, pa, &one, 1, &n);
	haywire_rmap_owner *o = calloc(n ? n : 1, sizeof *o);
	if (!o)
		return 1;
	o[0].struct_size = sizeof *o;
	if (rc == HAYWIRE_OK || rc == HAYWIRE_E_RANGE)
		rc = haywire_rmap_owners(r, pa, o, n, &n);
	if (rc) {
		fprintf(stderr, "haywire-rmap: %s\n", haywire_last_error());
		free(o);
		return 1;
	}
	if (json)
		printf("{\"pa\":\"0x%" PRIx64 "\",\"owners\":[", pa);
	else
		printf("page 0x%" PRIx64 ": %" PRIu64 " owner%s\n", pa, n, n == 1 ? "" : "s");
	for (uint64_t i = 0; i < n; i++) {
		haywire_rmap_proc p = {.struct_size = sizeof p};
		if (o[i].proc != HAYWIRE_RMAP_NO_PROC)
			haywire_rmap_proc_get(r, o[i].proc, &p);
		char perms[4];
		perm_string(o[i].perms, perms);
		if (json) {
			printf("%s{\"kind\":\"%s\",\"pid\":%d,\"comm\":", i ? "," : "",
			       kind_name(o[i].kind), o[i].pid);
			json_string(stdout, o[i].proc != HAYWIRE_RMAP_NO_PROC ? p.comm : "");
			printf(",\"va\":\"0x%" PRIx64 "\",\"page_size\":%" PRIu64 ",\"perms\":\"%s\","
			       "\"level\":%u,\"mapcount\":%u,\"special\":%s}",
			       o[i].va, o[i].page_size, perms, o[i].level, o[i].mapcount,
			       o[i].flags & HAYWIRE_RMAP_F_SPECIAL ? "true" : "false");
		} else if (o[i].kind == HAYWIRE_RMAP_USER) {
			printf("  pid %-7d %-16s VA 0x%016" PRIx64 " %s %6" PRIu64 " KiB page%s\n",
			       o[i].pid, p.comm, o[i].va, perms, o[i].page_size >> 10,
			       o[i].flags & HAYWIRE_RMAP_F_SPECIAL ? " (special)" : "");
		} else if (o[i].kind == HAYWIRE_RMAP_PAGE_TABLE) {
			printf("  pid %-7d %-16s page table, level %u\n", o[i].pid, p.comm, o[i].level);
		} else {
			printf("  kernel image\n");
		}
	}
	if (json)
		printf("]}\n");
	free(o);
	return 0;
}

static int stats(const haywire_rmap *r, int json)
{
	haywire_rmap_stats s = {.struct_size = sizeof s};
	haywire_rmap_get_stats(r, &s);
	if (json)
		printf("{\"processes\":[");
	else
		printf("%7s  %-16s %10s %10s %10s\n", "PID", "COMM", "RSS_KB", "PSS_KB", "USS_KB");
	for (uint32_t i = 0; i < haywire_rmap_proc_count(r); i++) {
		haywire_rmap_proc p = {.struct_size = sizeof p};
		haywire_rmap_proc_get(r, i, &p);
		if (json) {
			printf("%s\n {\"pid\":%d,\"comm\":", i ? "," : "", p.pid);
			json_string(stdout, p.comm);
			printf(",\"rss_kb\":%" PRIu64 ",\"pss_kb\":%" PRIu64 ",\"uss_kb\":%" PRIu64
			       ",\"page_table_kb\":%" PRIu64 ",\"mappings\":%" PRIu64 "}",
			       p.rss_bytes >> 10, p.pss_bytes >> 10, p.uss_bytes >> 10,
			       p.page_table_bytes >> 10, p.mappings);
		} else {
			printf("%7d  %-16s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n", p.pid, p.comm,
			       p.rss_bytes >> 10, p.pss_bytes >> 10, p.uss_bytes >> 10);
		}
	}
	if (json)
		printf("\n],\"totals\":{\"page_size\":%u,\"processes\":%" PRIu64
		       ",\"mappings\":%" PRIu64 ",\"mapped_pages\":%" PRIu64
		       ",\"pages_tracked\":%" PRIu64 ",\"shared_pages\":%" PRIu64
		       ",\"page_table_pages\":%" PRIu64 ",\"kernel_image_bytes\":%" PRIu64
		       ",\"index_bytes\":%" PRIu64 ",\"build_ns\":%" PRIu64 "}}\n",
		       s.page_size, s.procs, s.mappings, s.mapped_pages, s.user_frames,
		       s.shared_frames, s.page_table_pages, s.kernel_image_bytes, s.index_bytes,
		       s.build_ns);
	else
		printf("# %" PRIu64 " processes, %" PRIu64 " mapping runs, %" PRIu64
		       " page mappings, %" PRIu64 " pages tracked, %" PRIu64 " shared, %" PRIu64
		       " page-table pages, kernel image %" PRIu64 " KiB; index %" PRIu64
		       " KiB, built in %.1f ms\n",
		       s.procs, s.mappings, s.mapped_pages, s.user_frames, s.shared_frames,
		       s.page_table_pages, s.kernel_image_bytes >> 10, s.index_bytes >> 10,
		       s.build_ns / 1e6);
	return 0;
}

static int dump(const haywire_rmap *r)
{
	haywire_rmap_stats s = {.struct_size = sizeof s};
	haywire_rmap_get_stats(r, &s);
	haywire_rmap_mapping m[256];
	for (uint32_t i = 0; i < haywire_rmap_proc_count(r); i++) {
		haywire_rmap_proc p = {.struct_size = sizeof p};
		haywire_rmap_proc_get(r, i, &p);
		uint64_t total = 0;
		for (uint64_t first = 0;; first += 256) {
			if (haywire_rmap_proc_mappings(r, i, first, m, 256, &total))
				return 1;
			for (uint64_t j = 0; j < 256 && first + j < total; j++)
				for (uint64_t off = 0; off < m[j].size; off += s.page_size)
					printf("{\"pid\":%d,\"va\":\"0x%" PRIx64 "\",\"pfn\":\"0x%" PRIx64
					       "\",\"writable\":%s,\"exec\":%s}\n",
					       p.pid, m[j].va + off, (m[j].pa + off) / s.page_size,
					       m[j].perms & HAYWIRE_PERM_WRITE ? "true" : "false",
					       m[j].perms & HAYWIRE_PERM_EXEC ? "true" : "false");
			if (first + 256 >= total)
				break;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	enum mode mode = OWNERS;
	int json = 0, bad = 0;
	const char *spec = NULL, *pa_text = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--stats"))
			mode = STATS;
		else if (!strcmp(argv[i], "--dump"))
			mode = DUMP;
		else if (argv[i][0] != '-' && !spec)
			spec = argv[i];
		else if (argv[i][0] != '-' && !pa_text)
			pa_text = argv[i];
		else
			bad = 1;
	}
	char *end = NULL;
	uint64_t pa = pa_text ? strtoull(pa_text, &end, 0) : 0;
	if (bad || !spec || (mode == OWNERS) != (pa_text != NULL) || (pa_text && *end)) {
		fprintf(stderr,
		        "usage: %s [--json] SOURCE PA\n       %s --stats [--json] SOURCE\n"
		        "       %s --dump SOURCE\n",
		        argv[0], argv[0], argv[0]);
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
	if (rc)
		fprintf(stderr, "%s: %s\n", argv[0], haywire_last_error());
	else
		rc = mode == OWNERS ? owners(rmap, pa, json) : mode == STATS ? stats(rmap, json)
		                                                              : dump(rmap);
	haywire_rmap_free(rmap);
	haywire_kernel_close(kernel);
	haywire_source_close(src);
	return rc ? 1 : 0;
}
