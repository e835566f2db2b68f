/*
 * haywire-vtop: translate a guest virtual address by walking its page tables,
 * printing every level the way the kernel's fault messages do (PGD P4D PUD
 * PMD PTE), or list the mapped ranges of an address space.
 *
 *   haywire-vtop SOURCE --arch arm64|x86_64 [--granule 4k|16k|64k] [--va-bits N]
 *                [--levels 4|5] [--pa-bits N] [--ttbr1] [--pti] [--protnone-bit N]
 *                --root REG [--json] (VA | --ranges [FIRST [LAST]])
 *   haywire-vtop SOURCE (--pid N | --kernel) [--json] (VA | --ranges [FIRST [LAST]])
 *
 * --root takes a table PA or a raw CR3 / TTBR value (PCID, ASID, CnP dropped).
 * --pid walks that process's own page tables, --kernel the kernel's, both
 * found in the guest with no symbols (the format too); on arm64 a kernel-half
 * VA with --pid is walked in the kernel's tables (TTBR1), as the CPU would.
 * Exit status: 0 mapped, 1 not mapped / error, 2 usage.
 */
#include <haywire/haywire.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *usage =
    "usage: haywire-vtop SOURCE --arch arm64|x86_64 [--granule 4k|16k|64k] [--va-bits N]\n"
    "       [--levels 4|5] [--pa-bits N] [--ttbr1] [--pti] [--protnone-bit N]\n"
    "       --root REG [--json] (VA | --ranges [FIRST [LAST]])\n"
    "       haywire-vtop SOURCE (--pid N | --kernel) [--json] (VA | --ranges [FIRST [LAST]])\n";

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s)
		return 0;
	*out = strtoull(s, &end, 0);
	return !*end;
}

static const char *kind_name(uint32_t kind)
{
	static const char *const names[] = {"invalid", "table", "block", "page", "anomaly"};
	return kind < 5 ? names[kind] : "?";
}

static void perms_string(uint32_t perms, uint32_t flags, char out[8])
{
	snprintf(out, 8, "%c%c%c%c%s", perms & HAYWIRE_PERM_READ ? 'r' : '-',
	         perms & HAYWIRE_PERM_WRITE ? 'w' : '-', perms & HAYWIRE_PERM_EXEC ? 'x' : '-',
	         perms & HAYWIRE_PERM_USER ? 'u' : 'k', flags & HAYWIRE_MAP_GLOBAL ? "g" : "");
}

static void anomaly_string(uint32_t a, char *out, size_t n, int json)
{
	static const char *const names[] = {"not-ram", "reserved-bits", "cycle", "bad-type",
	                                    "unreadable"};
	out[0] = 0;
	for (int i = 0; i < 5; i++)
		if (a & (1u << i)) {
			size_t len = strlen(out);
			snprintf(out + len, n - len, json ? "%s\"%s\"" : "%s%s", len ? "," : "", names[i]);
		}
}

static void size_string(uint64_t size, char out[16])
{
	if (size >= (1ull << 40))
		snprintf(out, 16, "%" PRIu64 "T", size >> 40);
	else if (size >= (1ull << 30))
		snprintf(out, 16, "%" PRIu64 "G", size >> 30);
	else if (size >= (1ull << 20))
		snprintf(out, 16, "%" PRIu64 "M", size >> 20);
	else
		snprintf(out, 16, "%" PRIu64 "K", size >> 10);
}

static void print_text(const haywire_translation *t, int st)
{
	for (uint32_t i = 0; i < t->nsteps; i++) {
		const haywire_walk_step *s = &t->steps[i];
		char an[96];
		anomaly_string(s->anomaly, an, sizeof an, 0);
		printf("%-3s %016" PRIx64 "  table 0x%" PRIx64 "[%u]  %s", haywire_mmu_level_name(t->levels, i),
		       s->entry, s->table_pa, s->index, kind_name(s->kind));
		if (s->kind == HAYWIRE_ENTRY_TABLE || s->kind == HAYWIRE_ENTRY_BLOCK ||
		    s->kind == HAYWIRE_ENTRY_PAGE)
			printf(" -> 0x%" PRIx64, s->out_pa);
		printf("%s%s\n", an[0] ? "  !" : "", an);
	}
	if (st == HAYWIRE_OK) {
		char p[8], sz[16];
		perms_string(t->perms, t->flags, p);
		size_string(t->page_size, sz);
		printf("VA 0x%" PRIx64 " -> PA 0x%" PRIx64 "  %s page  %s%s%s\n", t->va, t->pa, sz, p,
		       t->flags & HAYWIRE_MAP_PROTNONE ? "  prot-none" : "",
		       t->flags & HAYWIRE_MAP_NOT_RAM ? "  NOT RAM" : "");
	} else {
		printf("VA 0x%" PRIx64 ": %s\n", t->va, haywire_last_error());
	}
}

static void print_json(const haywire_translation *t, int st)
{
	char p[8], an[128];
	perms_string(t->perms, t->flags, p);
	printf("{\"va\": \"0x%" PRIx64 "\", \"status\": \"%s\"", t->va, haywire_status_name(st));
	if (st == HAYWIRE_OK)
		printf(", \"pa\": \"0x%" PRIx64 "\", \"page_size\": %" PRIu64
		       ", \"perms\": \"%s\", \"prot_none\": %s, \"not_ram\": %s",
		       t->pa, t->page_size, p, t->flags & HAYWIRE_MAP_PROTNONE ? "true" : "false",
		       t->flags & HAYWIRE_MAP_NOT_RAM ? "true" : "false");
	printf(", \"steps\": [");
	for (uint32_t i = 0; i < t->nsteps; i++) {
		const haywire_walk_step *s = &t->steps[i];
		anomaly_string(s->anomaly, an, sizeof an, 1);
		printf("%s{\"level\": \"%s\", \"table_pa\": \"0x%" PRIx64 "\", \"index\": %u, "
		       "\"entry\": \"0x%016" PRIx64 "\", \"kind\": \"%s\", \"out_pa\": \"0x%" PRIx64
		       "\", \"anomalies\": [%s]}",
		       i ? ", " : "", haywire_mmu_level_name(t->levels, i), s->table_pa, s->index,
		       s->entry, kind_name(s->kind), s->out_pa, an);
	}
	printf("]}\n");
}

struct range_out {
	int json, n;
};

static int print_range(const haywire_va_range *r, void *user)
{
	struct range_out *o = user;
	char p[8], sz[16], psz[16];
	perms_string(r->perms, r->flags, p);
	size_string(r->size, sz);
	size_string(r->page_size, psz);
	if (o->json)
		printf("%s\n  {\"va\": \"0x%" PRIx64 "\", \"pa\": \"0x%" PRIx64 "\", \"size\": %" PRIu64
		       ", \"page_size\": %" PRIu64 ", \"perms\": \"%s\", \"not_ram\": %s}",
		       o->n ? "," : "", r->va, r->pa, r->size, r->page_size, p,
		       r->flags & HAYWIRE_MAP_NOT_RAM ? "true" : "false");
	else
		printf("%016" PRIx64 "-%016" PRIx64 " -> %012" PRIx64 " %6s %-5s %4s pages%s%s\n", r->va,
		       r->va + (r->size - 1), r->pa, sz, p, psz,
		       r->flags & HAYWIRE_MAP_PROTNONE ? " prot-none" : "",
		       r->flags & HAYWIRE_MAP_NOT_RAM ? " NOT-RAM" : "");
	o->n++;
	return 0;
}

int main(int argc, char **argv)
{
	haywire_mmu_format fmt = {.struct_size = sizeof fmt};
	const char *spec = NULL, *va_arg = NULL;
	uint64_t root = 0, v;
	int have_root = 0, json = 0, ranges = 0, have_pid = 0, kernel_space = 0;
	int32_t pid = 0;
	uint64_t first = 0, last = ~0ull;
	int nrange_args = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--arch") && next) {
			fmt.arch = !strcmp(next, "arm64") || !strcmp(next, "aarch64") ? HAYWIRE_ARCH_ARM64
			           : !strcmp(next, "x86_64") || !strcmp(next, "x86-64")
			               ? HAYWIRE_ARCH_X86_64
			               : 99;
			i++;
		} else if (!strcmp(a, "--granule") && next) {
			fmt.granule = !strcmp(next, "4k") ? 4096 : !strcmp(next, "16k") ? 16384
			              : !strcmp(next, "64k") ? 65536 : 1;
			i++;
		} else if ((!strcmp(a, "--va-bits") || !strcmp(a, "--levels") ||
		            !strcmp(a, "--pa-bits") || !strcmp(a, "--protnone-bit")) &&
		           parse_u64(next, &v) && v < 64) {
			uint32_t *field = a[2] == 'v' ? &fmt.va_bits : a[2] == 'l' ? &fmt.levels
			                  : a[3] == 'a' ? &fmt.pa_bits : &fmt.sw_present_bit;
			*field = (uint32_t)v;
			i++;
		} else if (!strcmp(a, "--ttbr1")) {
			fmt.flags |= HAYWIRE_MMU_TTBR1;
		} else if (!strcmp(a, "--pti")) {
			fmt.flags |= HAYWIRE_MMU_PTI_KERNEL_PGD;
		} else if (!strcmp(a, "--root") && parse_u64(next, &root)) {
			have_root = 1;
			i++;
		} else if (!strcmp(a, "--pid") && parse_u64(next, &v) && v < (1u << 22)) {
			pid = (int32_t)v;
			have_pid = 1;
			i++;
		} else if (!strcmp(a, "--kernel")) {
			kernel_space = 1;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--ranges")) {
			ranges = 1;
		} else if (a[0] != '-' && !spec) {
			spec = a;
		} else if (a[0] != '-' && ranges && nrange_args < 2 && parse_u64(a, &v)) {
			*(nrange_args++ ? &last : &first) = v;
		} else if (a[0] != '-' && !ranges && !va_arg) {
			va_arg = a;
		} else {
			fprintf(stderr, "haywire-vtop: bad argument '%s'\n%s", a, usage);
			return 2;
		}
	}
	uint64_t va = 0;
	int from_guest = have_pid || kernel_space;
	if (!spec || (from_guest ? have_root || (have_pid && kernel_space) : !fmt.arch || !have_root) ||
	    (!ranges && !parse_u64(va_arg, &va))) {
		fputs(usage, stderr);
		return 2;
	}
	haywire_source *src = NULL;
	haywire_kernel *kernel = NULL;
	haywire_procs *procs = NULL;
	haywire_aspace *owned = NULL;
	const haywire_aspace *as = NULL;
	int rc = haywire_source_open(spec, &src);
	if (!rc && !from_guest) {
		rc = haywire_aspace_new(src, &fmt, root, &owned);
		as = owned;
	} else if (!rc) {
		rc = haywire_kernel_open(src, NULL, &kernel);
		uint64_t index = 0;
		haywire_task task = {.struct_size = sizeof task};
		if (!rc && have_pid)
			rc = haywire_procs_snapshot(kernel, HAYWIRE_PROCS_THREADS, &procs);
		if (!rc && have_pid)
			rc = haywire_procs_find(procs, pid, &index);
		if (!rc && have_pid)
			rc = haywire_procs_get(procs, index, &task);
		haywire_mmu_format kfmt = {.struct_size = sizeof kfmt};
		if (!rc)
			rc = haywire_aspace_format(haywire_kernel_aspace(kernel), &kfmt);
		/* arm64 splits user and kernel halves between two roots; x86 has both in one */
		int kernel_half = kfmt.arch == HAYWIRE_ARCH_ARM64 && !ranges && (va >> 63);
		if (!rc && have_pid && !kernel_half) {
			rc = haywire_procs_aspace(procs, index, &owned);
			as = owned;
		} else if (!rc) {
			as = haywire_kernel_aspace(kernel);
		}
		if (!rc && !json)
			printf("%s %d (%s), Linux %s, root 0x%" PRIx64 "\n", have_pid ? "pid" : "kernel",
			       have_pid ? task.pid : 0, have_pid ? task.comm : "swapper",
			       haywire_kernel_release(kernel), haywire_aspace_root(as));
	}
	if (rc) {
		fprintf(stderr, "haywire-vtop: %s\n", haywire_last_error());
		haywire_aspace_free(owned);
		haywire_procs_free(procs);
		haywire_kernel_close(kernel);
		haywire_source_close(src);
		return 1;
	}
	if (ranges) {
		struct range_out o = {json, 0};
		haywire_walk_options opts = {.struct_size = sizeof opts};
		if (json)
			printf("{\"ranges\": [");
		int st = haywire_aspace_enumerate(as, first, last, print_range, &o, &opts);
		if (json)
			printf("\n], \"anomalies\": %" PRIu64 ", \"tables\": %" PRIu64 ", \"status\": \"%s\"}\n",
			       opts.anomalies, opts.tables_visited, haywire_status_name(st));
		else
			printf("%d ranges, %" PRIu64 " page-table pages, %" PRIu64 " anomalies\n", o.n,
			       opts.tables_visited, opts.anomalies);
		if (st) {
			fprintf(stderr, "haywire-vtop: %s\n", haywire_last_error());
			rc = 1;
		}
	} else {
		haywire_translation t = {.struct_size = sizeof t};
		int st = haywire_aspace_translate(as, va, &t);
		(json ? print_json : print_text)(&t, st);
		rc = st != HAYWIRE_OK;
	}
	haywire_aspace_free(owned);
	haywire_procs_free(procs);
	haywire_kernel_close(kernel);
	haywire_source_close(src);
	return rc;
}
