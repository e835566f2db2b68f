/* libFuzzer target: the BTF parser and the task layout taken from it. */
#include "kernel/btf.h"
#include "kernel/task_layout.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hw_btf *btf = NULL;
	if (hw_btf_parse(data, size, &btf) == 0) {
		struct hw_task_layout layout;
		struct hw_btf_member m;
		hw_task_layout_from_btf(btf, &layout);
		hw_btf_struct_member(btf, "task_struct", "comm", &m);
		hw_btf_free(btf);
	}
	return 0;
}
