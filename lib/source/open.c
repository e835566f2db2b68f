/*
 * haywire_source_open: parse a spec string and hand it to the right backend.
 * A bare path is recognised by its first bytes.
 */
#include "source/dump.h"
#include "source/source_impl.h"

#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the first bytes of a file say it is. */
enum file_kind { KIND_RAW, KIND_ELF, KIND_KDUMP, KIND_FLATTENED, KIND_LIME };

static const struct {
	enum file_kind kind;
	const char *magic;
	size_t len;
	const char *name;
} magics[] = {
	{KIND_ELF, "\x7f" "ELF", 4, "an ELF core dump"},
	{KIND_KDUMP, "KDUMP   ", 8, "a kdump-compressed dump"},
	{KIND_FLATTENED, "makedumpfile", 12, "a flattened kdump dump"},
	{KIND_LIME, "EMiL", 4, "a LiME dump"},
};

static int sniff(const char *path, const char **what)
{
	*what = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return KIND_RAW; /* the RAM-file backend reports the open error */
	char head[16] = {0};
	ssize_t n = read(fd, head, sizeof head);
	close(fd);
	for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
		if (n >= (ssize_t)magics[i].len && !memcmp(head, magics[i].magic, magics[i].len)) {
			*what = magics[i].name;
			return (int)magics[i].kind;
		}
	return KIND_RAW;
}

/* A file whose magic is known: hand it to its backend. */
static int open_known_dump(const char *path, int kind, haywire_source **out)
{
	switch (kind) {
	case KIND_ELF:
		return hw_dump_elf_open(path, out);
	case KIND_LIME:
		return hw_dump_lime_open(path, out);
	case KIND_KDUMP:
		return hw_dump_kdump_open(path, 0, out);
	default:
		return hw_dump_kdump_open(path, 1, out);
	}
}

/* A dump without a layout: the format comes from the magic, and must be known. */
static int open_dump(const char *path, haywire_source **out)
{
	const char *what;
	int kind = sniff(path, &what);
	if (kind != KIND_RAW)
		return open_known_dump(path, kind, out);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hw_fail_errno(errno, "dump:%s: cannot open", path);
	unsigned char head[8] = {0};
	ssize_t n = read(fd, head, sizeof head);
	close(fd);
	if (n <= 0)
		return hw_fail(HAYWIRE_E_FORMAT, "dump:%s: the file is empty", path);
	char found[3 * sizeof head + 1] = "";
	for (ssize_t i = 0; i < n; i++)
		snprintf(found + 3 * i, sizeof found - 3 * (size_t)i, "%02x ", head[i]);
	found[3 * n - 1] = '\0';
	return hw_fail(HAYWIRE_E_FORMAT,
	               "dump:%s: not a recognised dump: it starts with bytes %s, not an ELF, "
	               "KDUMP, makedumpfile or LiME magic; for a raw image add ,layout=...",
	               path, found);
}

/* "dump:PATH[,layout=L]": a layout makes it a raw image (a known magic with one is refused). */
static int open_dump_spec(const char *rest, haywire_source **out)
{
	const char *key = ",layout=";
	const char *cut = NULL;
	for (const char *p = strstr(rest, key); p; p = strstr(p + 1, key))
		cut = p;
	if (!cut)
		return open_dump(rest, out);
	if (cut == rest)
		return hw_fail(HAYWIRE_E_INVALID, "dump: spec has no path before \",layout=\"");
	char *path = strndup(rest, (size_t)(cut - rest));
	if (!path)
		return hw_fail_nomem("path");
	const char *what;
	int rc = sniff(path, &what) == KIND_RAW
	                 ? hw_ramfile_open(path, cut + strlen(key), out)
	                 : hw_fail(HAYWIRE_E_INVALID,
	                           "dump:%s: %s carries its own memory map; layout= is only for "
	                           "raw images",
	                           path, what);
	free(path);
	return rc;
}

/* "file:PATH[,layout=L]": split at the last ",layout=". */
static int open_file_spec(const char *rest, haywire_source **out)
{
	const char *key = ",layout=";
	const char *cut = NULL;
	for (const char *p = strstr(rest, key); p; p = strstr(p + 1, key))
		cut = p;
	if (!cut)
		return *rest ? hw_ramfile_open(rest, NULL, out)
		             : hw_fail(HAYWIRE_E_INVALID, "file: spec has no path");
	if (cut == rest)
		return hw_fail(HAYWIRE_E_INVALID, "file: spec has no path before \",layout=\"");
	const char *layout = cut + strlen(key);
	if (!*layout)
		return hw_fail(HAYWIRE_E_INVALID, "file:%s: empty layout", rest);
	char *path = strndup(rest, (size_t)(cut - rest));
	if (!path)
		return hw_fail_nomem("path");
	int rc = hw_ramfile_open(path, layout, out);
	free(path);
	return rc;
}

/* True if SPEC starts with a scheme-like "word:" prefix. */
static int has_scheme(const char *spec, size_t *len)
{
	size_t i = 0;
	while ((spec[i] >= 'a' && spec[i] <= 'z') || (spec[i] >= '0' && spec[i] <= '9'))
		i++;
	*len = i;
	return i > 0 && spec[i] == ':';
}

HAYWIRE_API int haywire_source_open(const char *spec, haywire_source **out)
{
	if (!out)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_source_open: NULL output pointer");
	*out = NULL;
	if (!spec || !*spec)
		return hw_fail(HAYWIRE_E_INVALID, "haywire_source_open: empty spec");

	if (!strncmp(spec, "file:", 5))
		return open_file_spec(spec + 5, out);
	if (!strncmp(spec, "dump:", 5))
		return *(spec + 5) ? open_dump_spec(spec + 5, out)
		                   : hw_fail(HAYWIRE_E_INVALID, "dump: spec has no path");
	if (!strncmp(spec, "qmp:", 4))
		return *(spec + 4) ? hw_qmp_source_open(spec + 4, out)
		                   : hw_fail(HAYWIRE_E_INVALID, "qmp: spec has no socket");

	size_t n;
	if (has_scheme(spec, &n) && access(spec, F_OK) < 0)
		return hw_fail(HAYWIRE_E_INVALID,
		               "unknown source type \"%.*s:\" (expected file:, dump:, qmp: or a path)",
		               (int)n, spec);

	const char *what;
	int kind = sniff(spec, &what);
	if (kind != KIND_RAW)
		return open_known_dump(spec, kind, out);
	return hw_ramfile_open(spec, NULL, out);
}
