/* The calling thread's last failure: a status and a message, never printed. */
#include "core/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define HW_ERROR_MAX 512

static _Thread_local char last_message[HW_ERROR_MAX];
static _Thread_local int last_status;

__attribute__((format(printf, 3, 0))) static int record(int status, const char *suffix,
                                                        const char *fmt, va_list ap)
{
	int n = vsnprintf(last_message, sizeof last_message, fmt, ap);
	if (suffix && n >= 0 && (size_t)n < sizeof last_message)
		snprintf(last_message + n, sizeof last_message - (size_t)n, ": %s", suffix);
	last_status = status;
	return status;
}

int hw_fail(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record(status, NULL, fmt, ap);
	va_end(ap);
	return status;
}

int hw_fail_errno(int err, const char *fmt, ...)
{
	int status = err == ENOENT ? HAYWIRE_E_NOT_FOUND
	             : err == ENOMEM ? HAYWIRE_E_NOMEM
	                             : HAYWIRE_E_IO;
	char reason[128];
	/* GNU strerror_r may return a static string instead of filling REASON. */
	const char *text = strerror_r(err, reason, sizeof reason);
	va_list ap;
	va_start(ap, fmt);
	record(status, text, fmt, ap);
	va_end(ap);
	return status;
}

int hw_fail_nomem(const char *what)
{
	return hw_fail(HAYWIRE_E_NOMEM, "out of memory allocating %s", what);
}

HAYWIRE_API const char *haywire_last_error(void)
{
	return last_message;
}

HAYWIRE_API int haywire_last_status(void)
{
	return last_status;
}

static const struct {
	int status;
	const char *name;
	const char *text;
} status_table[] = {
	{HAYWIRE_OK, "HAYWIRE_OK", "success"},
	{HAYWIRE_E_INVALID, "HAYWIRE_E_INVALID", "invalid argument"},
	{HAYWIRE_E_NOMEM, "HAYWIRE_E_NOMEM", "out of memory"},
	{HAYWIRE_E_IO, "HAYWIRE_E_IO", "input/output error"},
	{HAYWIRE_E_NOT_RAM, "HAYWIRE_E_NOT_RAM", "address not backed by RAM"},
	{HAYWIRE_E_CORRUPT, "HAYWIRE_E_CORRUPT", "corrupt or inconsistent input"},
	{HAYWIRE_E_FORMAT, "HAYWIRE_E_FORMAT", "unrecognised input format"},
	{HAYWIRE_E_UNSUPPORTED, "HAYWIRE_E_UNSUPPORTED", "not supported"},
	{HAYWIRE_E_NOT_FOUND, "HAYWIRE_E_NOT_FOUND", "not found"},
	{HAYWIRE_E_TIMEOUT, "HAYWIRE_E_TIMEOUT", "timed out"},
	{HAYWIRE_E_PROTOCOL, "HAYWIRE_E_PROTOCOL", "protocol error"},
	{HAYWIRE_E_NOT_MAPPED, "HAYWIRE_E_NOT_MAPPED", "virtual address not mapped"},
	{HAYWIRE_E_LIMIT, "HAYWIRE_E_LIMIT", "size or count limit reached"},
	{HAYWIRE_E_RANGE, "HAYWIRE_E_RANGE", "buffer too small"},
};

HAYWIRE_API const char *haywire_strerror(int status)
{
	for (size_t i = 0; i < sizeof status_table / sizeof status_table[0]; i++)
		if (status_table[i].status == status)
			return status_table[i].text;
	return "unknown status";
}

HAYWIRE_API const char *haywire_status_name(int status)
{
	for (size_t i = 0; i < sizeof status_table / sizeof status_table[0]; i++)
		if (status_table[i].status == status)
			return status_table[i].name;
	return NULL;
}
