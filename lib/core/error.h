/* Internal: recording the calling thread's last failure. */
#ifndef HW_CORE_ERROR_H
#define HW_CORE_ERROR_H

#include <haywire/common.h>

/* Record STATUS with a printf-style message for this thread; returns STATUS. */
int hw_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Record an operating-system failure: ENOENT becomes HAYWIRE_E_NOT_FOUND,
 * ENOMEM HAYWIRE_E_NOMEM, anything else HAYWIRE_E_IO. The message is
 * "<formatted>: <strerror(err)>". Returns the status.
 */
int hw_fail_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Shorthand for the ubiquitous allocation failure. */
int hw_fail_nomem(const char *what);

#endif
