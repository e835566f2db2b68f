/* Filling the process layer's structure layout from BTF. */
#include "kernel/task_layout.h"

#include "core/error.h"

#include <string.h>

/* Offset of STRUCT.PATH into *OUT; if SIZE is nonzero the member must be that big. */
static int member(const struct hw_btf *btf, const char *st, const char *path, uint64_t size,
                  uint32_t *out)
{
	struct hw_btf_member m;
	int s = hw_btf_struct_member(btf, st, path, &m);
	if (s == HAYWIRE_E_NOT_FOUND)
		return hw_fail(s, "task layout: %s.%s not found in BTF", st, path);
	if (s)
		return s;
	if (m.bitfield_size || m.bit_offset % 8 || m.offset >= UINT32_MAX)
		return hw_fail(HAYWIRE_E_CORRUPT, "task layout: %s.%s is not a byte-aligned member",
		               st, path);
	if (size && m.size != size)
		return hw_fail(HAYWIRE_E_CORRUPT, "task layout: %s.%s is %llu bytes, expected %llu",
		               st, path, (unsigned long long)m.size, (unsigned long long)size);
	*out = (uint32_t)m.offset;
	return HAYWIRE_OK;
}

static int optional(const struct hw_btf *btf, const char *st, const char *path, uint64_t size,
                    uint32_t *out)
{
	int s = member(btf, st, path, size, out);
	if (s == HAYWIRE_E_NOT_FOUND) {
		*out = HW_LAYOUT_ABSENT;
		return HAYWIRE_OK;
	}
	return s;
}

int hw_task_layout_from_btf(const struct hw_btf *btf, struct hw_task_layout *out)
{
	memset(out, 0, sizeof *out);
	if (!btf)
		return hw_fail(HAYWIRE_E_INVALID, "task layout: NULL BTF");
	uint64_t p = hw_btf_pointer_size(btf), list = 2 * p, comm_size = 0, task_size = 0;
	uint32_t id;
	int s;
	if ((s = hw_btf_find(btf, "task_struct", HW_BTF_STRUCT, &id)))
		return hw_fail(s, "task layout: struct task_struct not found in BTF");
	if ((s = hw_btf_type_size(btf, id, &task_size)))
		return s;
	out->ptr_size = (uint32_t)p;
	out->task_size = (uint32_t)task_size;
	if ((s = member(btf, "list_head", "next", p, &out->list_next)) ||
	    (s = member(btf, "list_head", "prev", p, &out->list_prev)) ||
	    (s = member(btf, "task_struct", "tasks", list, &out->tasks)) ||
	    (s = member(btf, "task_struct", "pid", 4, &out->pid)) ||
	    (s = member(btf, "task_struct", "tgid", 4, &out->tgid)) ||
	    (s = member(btf, "task_struct", "comm", 0, &out->comm)) ||
	    (s = member(btf, "task_struct", "real_parent", p, &out->real_parent)) ||
	    (s = member(btf, "task_struct", "parent", p, &out->parent)) ||
	    (s = member(btf, "task_struct", "mm", p, &out->mm)) ||
	    (s = member(btf, "task_struct", "active_mm", p, &out->active_mm)) ||
	    (s = member(btf, "task_struct", "flags", 4, &out->flags)) ||
	    (s = member(btf, "task_struct", "real_cred", p, &out->real_cred)) ||
	    (s = member(btf, "task_struct", "cred", p, &out->cred)) ||
	    (s = member(btf, "task_struct", "signal", p, &out->signal)) ||
	    (s = optional(btf, "task_struct", "thread_node", list, &out->thread_node)) ||
	    (s = optional(btf, "task_struct", "thread_group", list, &out->thread_group)) ||
	    (s = optional(btf, "signal_struct", "thread_head", list, &out->signal_thread_head)) ||
	    (s = member(btf, "mm_struct", "pgd", p, &out->mm_pgd)) ||
	    (s = member(btf, "cred", "uid.val", 4, &out->cred_uid)))
		return s;
	struct hw_btf_member m;
	if ((s = hw_btf_struct_member(btf, "task_struct", "comm", &m)))
		return s;
	comm_size = m.size;
	if (comm_size < 8 || comm_size > 256)
		return hw_fail(HAYWIRE_E_CORRUPT, "task layout: task_struct.comm is %llu bytes",
		               (unsigned long long)comm_size);
	out->comm_size = (uint32_t)comm_size;
	int threads_by_node = out->thread_node != HW_LAYOUT_ABSENT &&
	                      out->signal_thread_head != HW_LAYOUT_ABSENT;
	if (!threads_by_node && out->thread_group == HW_LAYOUT_ABSENT)
		return hw_fail(HAYWIRE_E_NOT_FOUND,
		               "task layout: neither task_struct.thread_node with "
		               "signal_struct.thread_head nor task_struct.thread_group in BTF");
	return HAYWIRE_OK;
}
