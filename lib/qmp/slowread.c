/* Reading guest RAM through QEMU: QMP pmemsave into a private temp file, or HMP xp. */
#include "qmp/qmp_source.h"

#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_pmemsave(struct qmp_source *qs, uint64_t pa, uint8_t *buf, uint64_t len)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || dir[0] != '/')
		dir = "/tmp"; /* QEMU's working directory is not ours: the path must be absolute */
	char path[4096];
	if (snprintf(path, sizeof path, "%s/haywire-pmem-XXXXXX", dir) >= (int)sizeof path)
		return hw_fail(HAYWIRE_E_INVALID, "TMPDIR is too long");
	int fd = mkstemp(path);
	if (fd < 0)
		return hw_fail_errno(errno, "pmemsave: cannot create a temp file in %s", dir);
	json_object *args = json_object_new_object();
	if (!args) {
		close(fd);
		unlink(path);
		return hw_fail_nomem("QMP arguments");
	}
	json_object_object_add(args, "val", json_object_new_uint64(pa));
	json_object_object_add(args, "size", json_object_new_uint64(len));
	json_object_object_add(args, "filename", json_object_new_string(path));
	int rc = hw_qmp_execute(qs->q, "pmemsave", args, NULL);
	unlink(path); /* QEMU has closed it by the time it answers; our fd keeps the bytes */
	struct stat st = {0};
	if (!rc && (fstat(fd, &st) < 0 || (uint64_t)st.st_size != len))
		rc = hw_fail(HAYWIRE_E_PROTOCOL,
		             "pmemsave: QEMU wrote %lld bytes of 0x%llx to %s, not %llu (does QEMU "
		             "see this host's files? try read=xp)",
		             (long long)st.st_size, (unsigned long long)pa, path,
		             (unsigned long long)len);
	for (uint64_t got = 0; !rc && got < len;) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)got);
		if (n <= 0)
			rc = n < 0 ? hw_fail_errno(errno, "pmemsave: reading %s", path)
			           : hw_fail(HAYWIRE_E_IO, "pmemsave: %s shrank while read", path);
		else
			got += (uint64_t)n;
	}
	close(fd);
	return rc;
}

static int read_xp(struct qmp_source *qs, uint64_t pa, uint8_t *buf, uint64_t len)
{
	char line[64];
	/* "/Nxb": hex bytes, one unit per byte, so endianness never matters */
	snprintf(line, sizeof line, "xp /%lluxb 0x%llx", (unsigned long long)len,
	         (unsigned long long)pa);
	char *text;
	int rc = hw_qmp_hmp(qs->q, line, -1, &text);
	if (rc)
		return rc;
	rc = hw_xp_parse(text, pa, buf, len);
	free(text);
	return rc;
}

/* Read through QEMU with the lock held, in chunks that each fit one timeout. */
int hw_qmp_read_via_qemu(struct qmp_source *qs, enum read_mode how, uint64_t pa, uint8_t *buf,
                         uint64_t len)
{
	uint64_t chunk = how == READ_XP ? XP_CHUNK : PMEMSAVE_CHUNK;
	for (uint64_t done = 0; done < len;) {
		uint64_t n = len - done < chunk ? len - done : chunk;
		int rc = how == READ_XP ? read_xp(qs, pa + done, buf + done, n)
		                        : read_pmemsave(qs, pa + done, buf + done, n);
		if (rc)
			return rc;
		done += n;
	}
	return HAYWIRE_OK;
}

int hw_qmp_choose_fallback(struct qmp_source *qs, enum read_mode mode, uint64_t probe_pa)
{
	uint8_t a[16], b[16];
	if (mode == READ_XP) {
		qs->fallback = READ_XP;
		return read_xp(qs, probe_pa, a, sizeof a);
	}
	int rc = read_pmemsave(qs, probe_pa, a, sizeof a);
	if (rc == HAYWIRE_OK || mode == READ_PMEMSAVE) {
		qs->fallback = READ_PMEMSAVE;
		return rc;
	}
	qs->fallback = READ_XP;
	return read_xp(qs, probe_pa, b, sizeof b);
}
