/* libFuzzer target: the layout grammar of file: specs. */
#include "source/layout.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct hw_range *r = NULL;
	uint64_t n = 0;
	if (hw_layout_parse(text, 1ull << 30, &r, &n) == 0)
		free(r);
	free(text);
	return 0;
}
