/*
 * QMP client: line framing over a socket, greeting and capabilities,
 * commands with ids, events skipped, every wait bounded by a deadline.
 */
#include "qmp/client.h"

#include "core/error.h"

#include <haywire/common.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct hw_qmp {
	int fd;
	int timeout_ms;
	int broken;     /* a framing or I/O failure left the stream unusable: its status */
	char *buf;      /* received bytes not yet consumed */
	size_t len, cap;
	uint64_t next_id;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for EVENTS on FD until DEADLINE: HAYWIRE_OK, TIMEOUT or IO. */
static int wait_fd(int fd, short events, int64_t deadline, const char *what)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return hw_fail(HAYWIRE_E_TIMEOUT, "QMP: no %s within the timeout", what);
		struct pollfd p = {.fd = fd, .events = events};
		int n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return HAYWIRE_OK; /* readable, writable, or an error the next call reports */
		if (n < 0 && errno != EINTR)
			return hw_fail_errno(errno, "QMP: poll");
	}
}

static int mark_broken(struct hw_qmp *q, int status)
{
	q->broken = status;
	return status;
}

/* Next line (without its newline, NUL-terminated, in q->buf); *LINE_LEN its length. */
static int read_line(struct hw_qmp *q, int64_t deadline, size_t *line_len, const char *what)
{
	size_t scanned = 0;
	for (;;) {
		char *nl = q->len > scanned ? memchr(q->buf + scanned, '\n', q->len - scanned) : NULL;
		if (nl) {
			*nl = '\0';
			*line_len = (size_t)(nl - q->buf);
			return HAYWIRE_OK;
		}
		scanned = q->len;
		if (q->len >= HW_QMP_MAX_REPLY)
			return mark_broken(q, hw_fail(HAYWIRE_E_LIMIT,
			                              "QMP: %s is longer than the %u-byte reply limit",
			                              what, HW_QMP_MAX_REPLY));
		if (q->cap - q->len < 65536) {
			size_t cap = q->cap ? q->cap * 2 : 65536;
			if (cap > HW_QMP_MAX_REPLY + 1)
				cap = HW_QMP_MAX_REPLY + 1;
			char *b = realloc(q->buf, cap);
			if (!b)
				return hw_fail_nomem("QMP reply buffer");
			q->buf = b;
			q->cap = cap;
		}
		int rc = wait_fd(q->fd, POLLIN, deadline, what);
		if (rc)
			return rc;
		size_t room = q->cap - 1 - q->len; /* keep a byte for the NUL */
		if (q->len + room > HW_QMP_MAX_REPLY)
			room = HW_QMP_MAX_REPLY - q->len;
		ssize_t n = recv(q->fd, q->buf + q->len, room, 0);
		if (n == 0)
			return mark_broken(q, hw_fail(q->len ? HAYWIRE_E_PROTOCOL : HAYWIRE_E_IO,
			                              "QMP: connection closed %s %s",
			                              q->len ? "in the middle of" : "while waiting for",
			                              what));
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			return mark_broken(q, hw_fail_errno(errno, "QMP: receiving %s", what));
		}
		q->len += (size_t)n;
	}
}

/* Drop the line of LINE_LEN bytes (plus its newline) from the buffer. */
static void consume_line(struct hw_qmp *q, size_t line_len)
{
	size_t used = line_len + 1;
	memmove(q->buf, q->buf + used, q->len - used);
	q->len -= used;
}

/* Read one line and parse it as a JSON object into *OBJ. */
static int read_object(struct hw_qmp *q, int64_t deadline, json_object **obj, const char *what)
{
	size_t n = 0;
	int rc = read_line(q, deadline, &n, what);
	if (rc)
		return rc;
	size_t full = n, start = 0;
	while (start < n && (q->buf[start] == ' ' || q->buf[start] == '\t'))
		start++;
	if (n && q->buf[n - 1] == '\r')
		q->buf[--n] = '\0';
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return hw_fail_nomem("JSON parser");
	json_object *o = json_tokener_parse_ex(tok, q->buf + start, (int)(n - start));
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t used = (size_t)json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	char head[48];
	snprintf(head, sizeof head, "%.40s", q->buf + start);
	consume_line(q, full);
	if (!o || jerr != json_tokener_success || start + used != n ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return mark_broken(q, hw_fail(HAYWIRE_E_PROTOCOL,
		                              "QMP: %s is not a JSON object: \"%s\"", what, head));
	}
	*obj = o;
	return HAYWIRE_OK;
}

static int send_all(struct hw_qmp *q, const char *data, size_t len, int64_t deadline)
{
	while (len) {
		ssize_t n = send(q->fd, data, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				int rc = wait_fd(q->fd, POLLOUT, deadline, "room to send a command");
				if (rc)
					return rc;
				continue;
			}
			return mark_broken(q, hw_fail_errno(errno, "QMP: sending a command"));
		}
		data += n;
		len -= (size_t)n;
	}
	return HAYWIRE_OK;
}

static int error_reply(json_object *err, const char *cmd)
{
	json_object *cls = NULL, *desc = NULL;
	json_object_object_get_ex(err, "class", &cls);
	json_object_object_get_ex(err, "desc", &desc);
	const char *c = cls ? json_object_get_string(cls) : "?";
	const char *d = desc ? json_object_get_string(desc) : "(no description)";
	int status = !strcmp(c, "CommandNotFound") ? HAYWIRE_E_UNSUPPORTED : HAYWIRE_E_PROTOCOL;
	return hw_fail(status, "QMP command %s failed: %s: %s", cmd, c, d);
}

int hw_qmp_execute(struct hw_qmp *q, const char *cmd, json_object *args, json_object **ret)
{
	if (ret)
		*ret = NULL;
	if (q->broken) {
		json_object_put(args);
		return hw_fail(q->broken, "QMP: the connection failed earlier; reopen the source");
	}
	int64_t deadline = now_ms() + q->timeout_ms;
	uint64_t id = q->next_id++;
	json_object *msg = json_object_new_object();
	if (!msg) {
		json_object_put(args);
		return hw_fail_nomem("QMP command");
	}
	json_object_object_add(msg, "execute", json_object_new_string(cmd));
	if (args)
		json_object_object_add(msg, "arguments", args);
	json_object_object_add(msg, "id", json_object_new_int64((int64_t)id));
	const char *text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
	size_t tlen = strlen(text);
	char *line = malloc(tlen + 2);
	if (!line) {
		json_object_put(msg);
		return hw_fail_nomem("QMP command");
	}
	memcpy(line, text, tlen);
	line[tlen] = '\n';
	json_object_put(msg);
	int rc = send_all(q, line, tlen + 1, deadline);
	free(line);
	if (rc)
		return rc;

	char what[96];
	snprintf(what, sizeof what, "reply to %s", cmd);
	for (;;) { /* bounded by DEADLINE: every pass reads one more line */
		json_object *o;
		if ((rc = read_object(q, deadline, &o, what)))
			return rc;
		json_object *v;
		if (json_object_object_get_ex(o, "event", NULL)) {
			json_object_put(o);
			continue;
		}
		if (json_object_object_get_ex(o, "id", &v) &&
		    (!json_object_is_type(v, json_type_int) || (uint64_t)json_object_get_int64(v) != id)) {
			json_object_put(o); /* a reply to a command that timed out earlier */
			continue;
		}
		if (json_object_object_get_ex(o, "error", &v)) {
			rc = error_reply(v, cmd);
			json_object_put(o);
			return rc;
		}
		if (!json_object_object_get_ex(o, "return", &v)) {
			json_object_put(o);
			return mark_broken(q, hw_fail(HAYWIRE_E_PROTOCOL,
			                              "QMP: %s has neither \"return\" nor \"error\"", what));
		}
		if (ret)
			*ret = json_object_get(v);
		json_object_put(o);
		return HAYWIRE_OK;
	}
}

int hw_qmp_hmp(struct hw_qmp *q, const char *cmdline, int cpu_index, char **text)
{
	*text = NULL;
	json_object *args = json_object_new_object();
	if (!args)
		return hw_fail_nomem("QMP arguments");
	json_object_object_add(args, "command-line", json_object_new_string(cmdline));
	if (cpu_index >= 0)
		json_object_object_add(args, "cpu-index", json_object_new_int(cpu_index));
	json_object *ret;
	int rc = hw_qmp_execute(q, "human-monitor-command", args, &ret);
	if (rc)
		return rc;
	if (!json_object_is_type(ret, json_type_string)) {
		json_object_put(ret);
		return hw_fail(HAYWIRE_E_PROTOCOL, "QMP: \"%s\" returned no text", cmdline);
	}
	*text = strdup(json_object_get_string(ret));
	json_object_put(ret);
	return *text ? HAYWIRE_OK : hw_fail_nomem("HMP output");
}

static int connect_unix(const char *path, int *fd_out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sa.sun_path)
		return hw_fail(HAYWIRE_E_INVALID, "qmp:%s: socket path longer than %zu bytes", path,
		               sizeof sa.sun_path - 1);
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hw_fail_errno(errno, "qmp:%s: socket", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int err = errno;
		close(fd);
		return hw_fail_errno(err, "qmp:%s: cannot connect", path);
	}
	*fd_out = fd;
	return HAYWIRE_OK;
}

/* "HOST:PORT" or "[V6]:PORT"; a non-blocking connect bounded by DEADLINE. */
static int connect_tcp(const char *target, int64_t deadline, int *fd_out)
{
	const char *colon = strrchr(target, ':');
	if (!colon || colon == target || !colon[1])
		return hw_fail(HAYWIRE_E_INVALID, "qmp:%s: expected HOST:PORT", target);
	const char *h = target;
	size_t hlen = (size_t)(colon - target);
	if (h[0] == '[' && hlen >= 2 && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	char *host = strndup(h, hlen);
	if (!host)
		return hw_fail_nomem("host name");
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	int gai = getaddrinfo(host, colon + 1, &hints, &res);
	free(host);
	if (gai)
		return hw_fail(HAYWIRE_E_NOT_FOUND, "qmp:%s: cannot resolve: %s", target,
		               gai_strerror(gai));
	int rc = hw_fail(HAYWIRE_E_IO, "qmp:%s: no address to connect to", target);
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		                ai->ai_protocol);
		if (fd < 0) {
			rc = hw_fail_errno(errno, "qmp:%s: socket", target);
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
			rc = hw_fail_errno(errno, "qmp:%s: cannot connect", target);
			close(fd);
			continue;
		}
		if ((rc = wait_fd(fd, POLLOUT, deadline, "TCP connection"))) {
			close(fd);
			continue;
		}
		int err = 0;
		socklen_t elen = sizeof err;
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
		if (err) {
			rc = hw_fail_errno(err, "qmp:%s: cannot connect", target);
			close(fd);
			continue;
		}
		*fd_out = fd;
		rc = HAYWIRE_OK;
		break;
	}
	freeaddrinfo(res);
	return rc;
}

static int read_greeting(struct hw_qmp *q, int64_t deadline, char **version)
{
	json_object *o;
	int rc = read_object(q, deadline, &o, "QMP greeting");
	if (rc == HAYWIRE_E_PROTOCOL || rc == HAYWIRE_E_LIMIT) {
		char why[512]; /* copied: the message buffer is rewritten below */
		snprintf(why, sizeof why, "%s", haywire_last_error());
		return hw_fail(HAYWIRE_E_PROTOCOL, "not a QMP server: %s", why);
	}
	if (rc)
		return rc;
	json_object *qmp, *ver, *qemu;
	if (!json_object_object_get_ex(o, "QMP", &qmp) ||
	    !json_object_is_type(qmp, json_type_object)) {
		json_object_put(o);
		return mark_broken(q, hw_fail(HAYWIRE_E_PROTOCOL,
		                              "not a QMP server: the greeting has no \"QMP\" object"));
	}
	if (version && json_object_object_get_ex(qmp, "version", &ver) &&
	    json_object_object_get_ex(ver, "qemu", &qemu)) {
		json_object *ma = NULL, *mi = NULL, *mc = NULL;
		json_object_object_get_ex(qemu, "major", &ma);
		json_object_object_get_ex(qemu, "minor", &mi);
		json_object_object_get_ex(qemu, "micro", &mc);
		char v[64];
		snprintf(v, sizeof v, "%d.%d.%d", json_object_get_int(ma), json_object_get_int(mi),
		         json_object_get_int(mc));
		*version = strdup(v);
	}
	json_object_put(o);
	return HAYWIRE_OK;
}

int hw_qmp_connect(const char *target, int is_tcp, int timeout_ms, struct hw_qmp **out,
                   char **version)
{
	*out = NULL;
	if (version)
		*version = NULL;
	struct hw_qmp *q = calloc(1, sizeof *q);
	if (!q)
		return hw_fail_nomem("QMP connection");
	q->fd = -1;
	q->timeout_ms = timeout_ms > 0 ? timeout_ms : HW_QMP_DEFAULT_TIMEOUT_MS;
	q->next_id = 1;
	int64_t deadline = now_ms() + q->timeout_ms;
	int rc = is_tcp ? connect_tcp(target, deadline, &q->fd) : connect_unix(target, &q->fd);
	if (!rc) {
		int fl = fcntl(q->fd, F_GETFL);
		if (fl < 0 || fcntl(q->fd, F_SETFL, fl | O_NONBLOCK) < 0)
			rc = hw_fail_errno(errno, "qmp:%s: fcntl", target);
	}
	if (!rc)
		rc = read_greeting(q, deadline, version);
	if (!rc) {
		rc = hw_qmp_execute(q, "qmp_capabilities", NULL, NULL);
		if (rc == HAYWIRE_E_UNSUPPORTED) /* keep the message, change the class */
			rc = hw_fail(HAYWIRE_E_PROTOCOL, "QMP peer refused qmp_capabilities");
	}
	if (rc) {
		if (version) {
			free(*version);
			*version = NULL;
		}
		hw_qmp_close(q);
		return rc;
	}
	*out = q;
	return HAYWIRE_OK;
}

void hw_qmp_close(struct hw_qmp *q)
{
	if (!q)
		return;
	if (q->fd >= 0)
		close(q->fd);
	free(q->buf);
	free(q);
}
