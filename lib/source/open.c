/*
 * haywire_source_open: parse a spec string and hand it to the right backend.
 * A bare path is recognised by its first bytes.
 */
#include "source/source_impl.h"

#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
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

static int open_dump(const char *path)
{
	const char *what;
	int kind = sniff(path, &what);
	if (kind == KIND_RAW) {
		if (access(path, R_OK) < 0)
			return hw_fail_errno(errno, "dump:%s: cannot open", path);
		return hw_fail(HAYWIRE_E_FORMAT,
		               "dump:%s: not a recognised dump (no ELF, KDUMP, makedumpfile or "
		               "LiME magic); for a raw image use file:PATH,layout=...",
		               path);
	}
	return hw_fail(HAYWIRE_E_UNSUPPORTED, "dump:%s: %s; dump sources are not in this build",
	               path, what);
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
		return *(spec + 5) ? open_dump(spec + 5)
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
	if (sniff(spec, &what) != KIND_RAW)
		return open_dump(spec);
	return hw_ramfile_open(spec, NULL, out);
}
