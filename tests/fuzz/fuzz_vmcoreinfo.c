/* libFuzzer target: the VMCOREINFO parser on arbitrary text. */
#include "kernel/vmcoreinfo.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hw_vmcoreinfo *v = NULL;
	if (hw_vmcoreinfo_parse((const char *)data, size, &v) == 0) {
		struct hw_kernel_paging p;
		uint64_t x;
		hw_vmcoreinfo_paging(v, &p);
		hw_vmcoreinfo_symbol(v, "init_uts_ns", &x);
		hw_vmcoreinfo_number(v, "phys_base", &x);
		hw_vmcoreinfo_free(v);
	}
	return 0;
}
