/*
 * struct-layout: the C compiler's view of every public struct, as JSON
 * ({"haywire_task": {"size": 56, "fields": {"pid": 8, ...}}, ...}), for the
 * binding tests to compare with their ctypes / koffi / ffi-napi layouts.
 * A public struct missing here fails the tests (they list the headers'
 * typedefs); a field missing here still shows up as a size mismatch.
 */
#include <haywire/haywire.h>

#include <stddef.h>
#include <stdio.h>

static int first_struct = 1, first_field;

static void begin(const char *name, size_t size)
{
	printf("%s\n \"%s\": {\"size\": %zu, \"fields\": {", first_struct ? "{" : ",", name, size);
	first_struct = 0;
	first_field = 1;
}

static void member(const char *name, size_t offset)
{
	printf("%s\"%s\": %zu", first_field ? "" : ", ", name, offset);
	first_field = 0;
}

static void end(void)
{
	printf("}}");
}

#define BEGIN(T) begin(#T, sizeof(T))
#define F(T, f) member(#f, offsetof(T, f))

int main(void)
{
	BEGIN(haywire_ram_range), F(haywire_ram_range, gpa), F(haywire_ram_range, size), end();

	BEGIN(haywire_cpu_state);
	F(haywire_cpu_state, struct_size), F(haywire_cpu_state, arch), F(haywire_cpu_state, cpu);
	F(haywire_cpu_state, valid), F(haywire_cpu_state, pc), F(haywire_cpu_state, sp);
	F(haywire_cpu_state, cr0), F(haywire_cpu_state, cr3), F(haywire_cpu_state, cr4);
	F(haywire_cpu_state, efer), F(haywire_cpu_state, ttbr0_el1);
	F(haywire_cpu_state, ttbr1_el1), F(haywire_cpu_state, tcr_el1);
	F(haywire_cpu_state, sctlr_el1), end();

	BEGIN(haywire_mmu_format);
	F(haywire_mmu_format, struct_size), F(haywire_mmu_format, arch);
	F(haywire_mmu_format, granule), F(haywire_mmu_format, va_bits);
	F(haywire_mmu_format, levels), F(haywire_mmu_format, pa_bits);
	F(haywire_mmu_format, flags), F(haywire_mmu_format, sw_present_bit);
	F(haywire_mmu_format, page_shift), F(haywire_mmu_format, top_entries), end();

	BEGIN(haywire_walk_step);
	F(haywire_walk_step, table_pa), F(haywire_walk_step, entry), F(haywire_walk_step, out_pa);
	F(haywire_walk_step, index), F(haywire_walk_step, kind), F(haywire_walk_step, anomaly);
	F(haywire_walk_step, depth), end();

	BEGIN(haywire_translation);
	F(haywire_translation, struct_size), F(haywire_translation, status);
	F(haywire_translation, va), F(haywire_translation, pa), F(haywire_translation, page_size);
	F(haywire_translation, attrs), F(haywire_translation, perms);
	F(haywire_translation, flags), F(haywire_translation, levels);
	F(haywire_translation, nsteps), F(haywire_translation, steps), end();

	BEGIN(haywire_va_range);
	F(haywire_va_range, va), F(haywire_va_range, pa), F(haywire_va_range, size);
	F(haywire_va_range, page_size), F(haywire_va_range, perms), F(haywire_va_range, flags);
	F(haywire_va_range, memtype), F(haywire_va_range, reserved), end();

	BEGIN(haywire_anomaly_info);
	F(haywire_anomaly_info, va), F(haywire_anomaly_info, table_pa);
	F(haywire_anomaly_info, entry), F(haywire_anomaly_info, index);
	F(haywire_anomaly_info, depth), F(haywire_anomaly_info, anomaly);
	F(haywire_anomaly_info, reserved), end();

	BEGIN(haywire_walk_options);
	F(haywire_walk_options, struct_size), F(haywire_walk_options, reserved);
	F(haywire_walk_options, max_tables), F(haywire_walk_options, max_anomalies);
	F(haywire_walk_options, on_anomaly), F(haywire_walk_options, anomaly_user);
	F(haywire_walk_options, tables_visited), F(haywire_walk_options, anomalies);
	F(haywire_walk_options, ranges), F(haywire_walk_options, stop_va), end();

	BEGIN(haywire_kernel_options);
	F(haywire_kernel_options, struct_size), F(haywire_kernel_options, flags), end();

	BEGIN(haywire_kernel_info);
	F(haywire_kernel_info, struct_size), F(haywire_kernel_info, arch);
	F(haywire_kernel_info, kaslr_offset), F(haywire_kernel_info, root);
	F(haywire_kernel_info, page_size), F(haywire_kernel_info, types);
	F(haywire_kernel_info, symbols), F(haywire_kernel_info, vmcoreinfo_candidates);
	F(haywire_kernel_info, ns_vmcoreinfo), F(haywire_kernel_info, ns_symbols);
	F(haywire_kernel_info, ns_types), F(haywire_kernel_info, bytes_read), end();

	BEGIN(haywire_task);
	F(haywire_task, struct_size), F(haywire_task, flags), F(haywire_task, pid);
	F(haywire_task, tgid), F(haywire_task, ppid), F(haywire_task, uid), F(haywire_task, comm);
	F(haywire_task, task), F(haywire_task, mm), F(haywire_task, pgd), end();

	BEGIN(haywire_rmap_options);
	F(haywire_rmap_options, struct_size), F(haywire_rmap_options, reserved);
	F(haywire_rmap_options, max_entries), F(haywire_rmap_options, max_tables);
	F(haywire_rmap_options, max_anomalies), end();

	BEGIN(haywire_rmap_stats);
	F(haywire_rmap_stats, struct_size), F(haywire_rmap_stats, page_size);
	F(haywire_rmap_stats, procs), F(haywire_rmap_stats, mappings);
	F(haywire_rmap_stats, mapped_pages), F(haywire_rmap_stats, user_frames);
	F(haywire_rmap_stats, shared_frames), F(haywire_rmap_stats, page_table_pages);
	F(haywire_rmap_stats, kernel_image_bytes), F(haywire_rmap_stats, index_bytes);
	F(haywire_rmap_stats, tables_visited), F(haywire_rmap_stats, anomalies);
	F(haywire_rmap_stats, build_ns), end();

	BEGIN(haywire_rmap_proc);
	F(haywire_rmap_proc, struct_size), F(haywire_rmap_proc, flags), F(haywire_rmap_proc, pid);
	F(haywire_rmap_proc, uid), F(haywire_rmap_proc, comm), F(haywire_rmap_proc, pgd);
	F(haywire_rmap_proc, rss_bytes), F(haywire_rmap_proc, pss_bytes);
	F(haywire_rmap_proc, uss_bytes), F(haywire_rmap_proc, page_table_bytes);
	F(haywire_rmap_proc, mappings), end();

	BEGIN(haywire_rmap_owner);
	F(haywire_rmap_owner, struct_size), F(haywire_rmap_owner, kind);
	F(haywire_rmap_owner, proc), F(haywire_rmap_owner, pid), F(haywire_rmap_owner, va);
	F(haywire_rmap_owner, page_size), F(haywire_rmap_owner, page_pa);
	F(haywire_rmap_owner, perms), F(haywire_rmap_owner, flags), F(haywire_rmap_owner, level);
	F(haywire_rmap_owner, mapcount), end();

	BEGIN(haywire_rmap_mapping);
	F(haywire_rmap_mapping, va), F(haywire_rmap_mapping, pa), F(haywire_rmap_mapping, size);
	F(haywire_rmap_mapping, page_size), F(haywire_rmap_mapping, perms);
	F(haywire_rmap_mapping, flags), end();

	printf("\n}\n");
	return 0;
}
