/*
 * libFuzzer target: a file of arbitrary bytes opened as a dump (ELF, kdump,
 * flattened kdump, LiME by magic), then every RAM range read at its edges
 * and the notes' VMCOREINFO and registers fetched.
 */
#include <haywire/haywire.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("hw-fuzz-dump", 0);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	char spec[64];
	snprintf(spec, sizeof spec, "dump:/proc/self/fd/%d", fd);
	haywire_source *src;
	if (haywire_source_open(spec, &src) == HAYWIRE_OK) {
		haywire_ram_range r[8];
		uint64_t n = 0;
		haywire_source_ram_ranges(src, r, 8, &n);
		uint8_t buf[64];
		for (uint64_t i = 0; i < n && i < 8; i++) {
			haywire_source_read(src, r[i].gpa, buf, sizeof buf, NULL);
			haywire_source_read(src, r[i].gpa + r[i].size - 8, buf, sizeof buf, NULL);
		}
		const char *text;
		uint64_t len;
		haywire_source_vmcoreinfo(src, &text, &len);
		haywire_cpu_state cpu = {.struct_size = sizeof cpu};
		haywire_source_cpu_state(src, 0, &cpu);
		haywire_source_close(src);
	}
	close(fd);
	return 0;
}
