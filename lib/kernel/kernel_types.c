/*
 * Steps 2 and 3 of opening a kernel: its symbols (kallsyms) and the layout
 * of its task structures (BTF, or calibration from the structures), with
 * init_task, the head of the task list.
 */
#include "kernel/kernel_impl.h"

#include "core/error.h"
#include "kernel/init_task.h"
#include "kernel/calibrate.h"

#include <stdlib.h>
#include <string.h>

int hw_kernel_load_symbols(haywire_kernel *k)
{
	if (k->flags & HAYWIRE_KERNEL_NO_KALLSYMS)
		return HAYWIRE_OK;
	struct hw_kallsyms_addrs a;
	struct hw_kreader r = hw_kimage_reader_of(&k->image);
	/* Without kallsyms the kernel still opens: symbols are a convenience here. */
	if (hw_kallsyms_addrs_from_vmcoreinfo(k->vmci, &a) == HAYWIRE_OK &&
	    hw_kallsyms_load(&r, &a, HW_KALLSYMS_AUTO, &k->ksyms) == HAYWIRE_OK)
		k->info.symbols = hw_kallsyms_count(k->ksyms);
	return HAYWIRE_OK;
}

static int symbol(const haywire_kernel *k, const char *name, uint64_t *addr)
{
	if (k->ksyms && hw_kallsyms_lookup(k->ksyms, name, addr, NULL) == HAYWIRE_OK)
		return HAYWIRE_OK;
	return hw_vmcoreinfo_symbol(k->vmci, name, addr);
}

static int types_from_btf(haywire_kernel *k)
{
	struct hw_kreader r = hw_kimage_reader_of(&k->image);
	uint64_t start, stop, pa;
	int rc;
	if (symbol(k, "__start_BTF", &start) == HAYWIRE_OK &&
	    symbol(k, "__stop_BTF", &stop) == HAYWIRE_OK)
		rc = hw_btf_load_kva(&r, start, stop, &k->btf);
	else
		rc = hw_btf_scan_source(k->src, &pa, &k->btf);
	if (rc || (rc = hw_task_layout_from_btf(k->btf, &k->layout)))
		return rc;
	if (!(k->flags & HAYWIRE_KERNEL_NO_KALLSYMS) &&
	    symbol(k, "init_task", &k->init_task) == HAYWIRE_OK)
		return HAYWIRE_OK;
	uint64_t stext;
	if ((rc = hw_vmcoreinfo_symbol(k->vmci, "_stext", &stext)))
		return rc;
	return hw_find_init_task(&r, &k->layout, stext, HW_INIT_TASK_SCAN_MAX, &k->init_task);
}

/* Every "swapper/0" comm (NUL-padded to 16 bytes) in the kernel image, tried in turn. */
static int types_by_calibration(haywire_kernel *k)
{
	static const char comm[16] = "swapper/0";
	enum { CHUNK = 1 << 20 };
	uint64_t stext;
	int rc = hw_vmcoreinfo_symbol(k->vmci, "_stext", &stext);
	if (rc)
		return rc;
	uint8_t *buf = malloc(CHUNK + sizeof comm);
	if (!buf)
		return hw_fail_nomem("image scan buffer");
	struct hw_kmem km;
	hw_kernel_kmem(k, &km);
	rc = hw_fail(HAYWIRE_E_NOT_FOUND,
	             "calibration: no \"swapper/0\" in the kernel image heads a task list");
	for (uint64_t off = 0; off < HW_INIT_TASK_SCAN_MAX; off += CHUNK) {
		/* the image ends where the image reader stops */
		if (hw_kimage_read(&k->image, stext + off, buf, CHUNK + sizeof comm))
			break;
		for (uint8_t *p = buf; (p = memmem(p, buf + CHUNK + sizeof comm - p, comm,
		                                   sizeof comm));
		     p++) {
			if (p - buf >= CHUNK)
				break; /* the next chunk sees it */
			uint64_t hit = stext + off + (uint64_t)(p - buf);
			if (hw_calibrate_tasks(&km, hit, &k->layout, &k->init_task) == HAYWIRE_OK) {
				rc = HAYWIRE_OK;
				goto out;
			}
		}
	}
out:
	free(buf);
	return rc;
}

int hw_kernel_load_types(haywire_kernel *k)
{
	if (!(k->flags & HAYWIRE_KERNEL_CALIBRATE)) {
		if (types_from_btf(k) == HAYWIRE_OK) {
			k->info.types = HAYWIRE_TYPES_BTF;
			return HAYWIRE_OK;
		}
		hw_btf_free(k->btf); /* no usable BTF: calibrate instead */
		k->btf = NULL;
	}
	int rc = types_by_calibration(k);
	if (!rc)
		k->info.types = HAYWIRE_TYPES_CALIBRATED;
	return rc;
}
