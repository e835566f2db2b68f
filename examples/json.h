/* Tiny helpers the examples share to print JSON. */
#ifndef HAYWIRE_EXAMPLES_JSON_H
#define HAYWIRE_EXAMPLES_JSON_H

#include <stdio.h>

/* Print S as a JSON string literal (quotes included). */
static inline void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

#endif
