/*
 * Internal: a QMP client. One connection = one socket; callers serialize
 * (the QMP source holds a mutex around every call). Every wait is bounded
 * by the connection's timeout and every reply line by HW_QMP_MAX_REPLY.
 */
#ifndef HW_QMP_CLIENT_H
#define HW_QMP_CLIENT_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/* Longest reply line accepted; a longer one fails with HAYWIRE_E_LIMIT. */
#define HW_QMP_MAX_REPLY (16u << 20)
/* Default bound on every wait (connect, greeting, each command's reply). */
#define HW_QMP_DEFAULT_TIMEOUT_MS 5000

struct hw_qmp;

/*
 * Connect to TARGET (a unix socket path, or "HOST:PORT" when IS_TCP), read
 * the greeting, negotiate capabilities. Statuses: NOT_FOUND (no socket),
 * IO, TIMEOUT, PROTOCOL (not a QMP peer), LIMIT. *VERSION (may be NULL)
 * receives "major.minor.micro" of the peer, malloc'd.
 */
int hw_qmp_connect(const char *target, int is_tcp, int timeout_ms, struct hw_qmp **out,
                   char **version);

void hw_qmp_close(struct hw_qmp *q);

/*
 * Run CMD with ARGS (ownership taken; may be NULL) and store the "return"
 * value in *RET (caller puts it; may be NULL to discard). Events and stale
 * replies are skipped. An error reply gives HAYWIRE_E_UNSUPPORTED for
 * CommandNotFound, HAYWIRE_E_PROTOCOL otherwise, with QEMU's text.
 */
int hw_qmp_execute(struct hw_qmp *q, const char *cmd, json_object *args, json_object **ret);

/*
 * Run an HMP command line through human-monitor-command (CPU_INDEX >= 0
 * selects the vCPU) and store its malloc'd text output in *TEXT.
 */
int hw_qmp_hmp(struct hw_qmp *q, const char *line, int cpu_index, char **text);

#endif
