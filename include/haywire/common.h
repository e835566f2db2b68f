/*
 * haywire/common.h — status codes, errors and version of libhaywire.
 *
 * Every fallible libhaywire call returns an int status: HAYWIRE_OK (0) on
 * success or one of the negative HAYWIRE_E_* classes below. The detailed,
 * human-readable reason for the calling thread's most recent failure is
 * available from haywire_last_error(). The library never prints.
 */
#ifndef HAYWIRE_COMMON_H
#define HAYWIRE_COMMON_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define HAYWIRE_API __attribute__((visibility("default")))
#else
#define HAYWIRE_API
#endif

/* Compile-time version of the headers. */
#define HAYWIRE_VERSION_MAJOR 0
#define HAYWIRE_VERSION_MINOR 1
#define HAYWIRE_VERSION_PATCH 0
/* Encoded as (major << 16) | (minor << 8) | patch, comparable with haywire_version(). */
#define HAYWIRE_VERSION_ENCODE(maj, min, pat) (((maj) << 16) | ((min) << 8) | (pat))
#define HAYWIRE_VERSION \
	HAYWIRE_VERSION_ENCODE(HAYWIRE_VERSION_MAJOR, HAYWIRE_VERSION_MINOR, HAYWIRE_VERSION_PATCH)

/*
 * Status codes. Values are part of the ABI: never renumber, only append.
 */
typedef enum haywire_status {
	HAYWIRE_OK = 0,
	HAYWIRE_E_INVALID = -1,     /* invalid argument, malformed spec or layout */
	HAYWIRE_E_NOMEM = -2,       /* out of memory */
	HAYWIRE_E_IO = -3,          /* an operating-system I/O call failed */
	HAYWIRE_E_NOT_RAM = -4,     /* guest-physical address not backed by RAM */
	HAYWIRE_E_CORRUPT = -5,     /* input recognised but damaged or inconsistent */
	HAYWIRE_E_FORMAT = -6,      /* input not recognised */
	HAYWIRE_E_UNSUPPORTED = -7, /* valid request this build or source cannot serve */
	HAYWIRE_E_NOT_FOUND = -8,   /* a looked-for thing does not exist */
	HAYWIRE_E_TIMEOUT = -9,     /* a bounded wait ran out */
	HAYWIRE_E_PROTOCOL = -10,   /* a peer (e.g. QMP) broke its protocol */
	HAYWIRE_E_NOT_MAPPED = -11, /* virtual address not mapped (translation fault) */
	HAYWIRE_E_LIMIT = -12,      /* a documented size or count cap was reached */
	HAYWIRE_E_RANGE = -13,      /* a caller buffer is too small; see the count returned */
} haywire_status;

/*
 * Runtime version of the library, encoded like HAYWIRE_VERSION. Compare it
 * with HAYWIRE_VERSION to detect header/library skew.
 */
HAYWIRE_API uint32_t haywire_version(void);

/* The library's version as a string, e.g. "0.1.0". Never NULL, static storage. */
HAYWIRE_API const char *haywire_version_string(void);

/*
 * Short fixed description of a status code, e.g. "address not backed by RAM".
 * Never NULL; unknown codes give "unknown status". Static storage.
 */
HAYWIRE_API const char *haywire_strerror(int status);

/*
 * Symbolic name of a status code, e.g. "HAYWIRE_E_NOT_RAM", or NULL for an
 * unknown code. Bindings use this to build their constants at run time.
 */
HAYWIRE_API const char *haywire_status_name(int status);

/*
 * Detailed message for the calling thread's most recent failed call, e.g.
 * "file:/tmp/ram: file is 4096 bytes but layout 'virt' needs ...".
 * Empty string if no call on this thread has failed. The pointer stays valid
 * until the next libhaywire call on the same thread.
 */
HAYWIRE_API const char *haywire_last_error(void);

/* Status of the calling thread's most recent failed call (HAYWIRE_OK if none). */
HAYWIRE_API int haywire_last_status(void);

#ifdef __cplusplus
}
#endif

#endif /* HAYWIRE_COMMON_H */
