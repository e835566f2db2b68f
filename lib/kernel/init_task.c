/* Finding init_task by its name and its self-parenthood. */
#include "kernel/init_task.h"

#include "core/error.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK (1u << 20)

/* Is the task at KVA init_task? Reads a few fields through R. */
static int is_init_task(const struct hw_kreader *r, const struct hw_task_layout *l, uint64_t kva)
{
	uint8_t b[8];
	uint64_t real_parent, parent, mm;
	int32_t pid;
	if (hw_kread(r, kva + l->real_parent, b, 8))
		return 0;
	real_parent = hw_le64(b);
	if (real_parent != kva || hw_kread(r, kva + l->parent, b, 8))
		return 0;
	parent = hw_le64(b);
	if (parent != kva || hw_kread(r, kva + l->mm, b, 8))
		return 0;
	mm = hw_le64(b);
	if (mm != 0 || hw_kread(r, kva + l->pid, b, 4))
		return 0;
	pid = (int32_t)hw_le32(b);
	return pid == 0;
}

int hw_find_init_task(const struct hw_kreader *r, const struct hw_task_layout *l, uint64_t start,
                      uint64_t len, uint64_t *task)
{
	if (!r || !l || !task || l->ptr_size != 8)
		return hw_fail(HAYWIRE_E_INVALID, "find init_task: bad arguments");
	if (len > HW_INIT_TASK_SCAN_MAX)
		len = HW_INIT_TASK_SCAN_MAX;
	static const char name[] = "swapper";
	uint8_t *buf = malloc(CHUNK);
	if (!buf)
		return hw_fail_nomem("find init_task");
	int found = 0;
	/* Chunks overlap by the name's length so no name is split unseen. */
	for (uint64_t off = 0; off < len && !found;) {
		uint64_t n = len - off < CHUNK ? len - off : CHUNK;
		if (hw_kread(r, start + off, buf, n))
			break;
		for (uint8_t *p = buf; !found && p < buf + n;) {
			p = memmem(p, (size_t)(buf + n - p), name, sizeof name - 1);
			if (!p)
				break;
			uint64_t kva = start + off + (uint64_t)(p - buf);
			/* comm is "swapper" or "swapper/0", NUL-terminated within it. */
			size_t rest = (size_t)(buf + n - p);
			int named = (rest > 7 && p[7] == 0) ||
			            (rest > 9 && !memcmp(p + 7, "/0", 2) && p[9] == 0);
			if (named && kva >= start + l->comm && is_init_task(r, l, kva - l->comm)) {
				*task = kva - l->comm;
				found = 1;
			}
			p++;
		}
		if (n < CHUNK)
			break;
		off += CHUNK - 16;
	}
	free(buf);
	if (!found)
		return hw_fail(HAYWIRE_E_NOT_FOUND,
		               "init_task: no self-parented pid-0 \"swapper\" task in 0x%llx bytes "
		               "from 0x%llx", (unsigned long long)len, (unsigned long long)start);
	return HAYWIRE_OK;
}
