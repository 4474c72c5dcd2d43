// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "parse.h"

static const struct {
	const char *name;
	int level;
} levels[] = {
	{ "error", LOG_ERR }, { "warning", LOG_WARNING }, { "info", LOG_INFO }, { "debug", LOG_DEBUG },
};

const char *hd_log_level_name(int level)
{
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (levels[i].level == level)
			return levels[i].name;
	return NULL;
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

void hd_config_defaults(struct hd_config *c)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&c->listen;

	memset(c, 0, sizeof(*c));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_ANY);
	set_port(&c->listen, HD_DEFAULT_PORT);
	c->listen_len = sizeof(*sin);
	snprintf(c->key_file, sizeof(c->key_file), "%s", "/etc/handoff/psk");
	snprintf(c->control_socket, sizeof(c->control_socket), "%s", "/run/handoff/handoffd.sock");
	c->log_level = LOG_INFO;
	c->arm_point = HD_ARM_REQUEST;
}

/* Error lines accumulate in a caller's buffer, cut short with "...". */
struct errs {
	char *buf;
	size_t cap, len;
	const char *name;
	unsigned int count;
	bool cut;
};

__attribute__((format(printf, 3, 4)))
static void report(struct errs *e, unsigned int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	e->count++;
	if (e->cut || !e->cap)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		n = snprintf(e->buf + e->len, e->cap - e->len, "%s:%u: %s\n", e->name, line, msg);
	else
		n = snprintf(e->buf + e->len, e->cap - e->len, "%s: %s\n", e->name, msg);
	if (n >= 0 && (size_t)n < e->cap - e->len) {
		e->len += (size_t)n;
		return;
	}
	/* Full: end with "...\n" where it fits. */
	e->cut = true;
	e->len = e->cap - 1 > 4 ? e->cap - 1 - 4 : 0;
	while (e->len && e->buf[e->len - 1] != '\n')
		e->len--;
	snprintf(e->buf + e->len, e->cap - e->len, "...\n");
	e->len = strlen(e->buf);
}

/*
 * ADDR with an optional port: "A.B.C.D", "A.B.C.D:P", "V6", "[V6]", "[V6]:P"
 * (V6 may carry %scope). Numeric only: no resolver. Returns NULL or why not.
 */
static const char *parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char buf[160];
	const char *colon = strchr(s, ':');
	int err;

	if (strlen(s) >= sizeof(buf) - 8)
		return "address too long";
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (end && end[1] == '\0')
			snprintf(buf, sizeof(buf), "%s:%d", s, HD_DEFAULT_PORT);
		else
			snprintf(buf, sizeof(buf), "%s", s);
	} else if (!colon) {
		snprintf(buf, sizeof(buf), "%s:%d", s, HD_DEFAULT_PORT);
	} else if (strchr(colon + 1, ':')) {
		snprintf(buf, sizeof(buf), "[%s]:%d", s, HD_DEFAULT_PORT);	/* bare IPv6 */
	} else {
		snprintf(buf, sizeof(buf), "%s", s);
	}
	err = hc_parse_peer(buf, ss, len);
	if (err == -ERANGE)
		return "port out of range (1..65535)";
	if (err == -ENODEV)
		return "no such interface for the IPv6 scope";
	if (err)
		return "not a numeric IPv4 or IPv6 address with an optional port "
		       "(host names are not resolved)";
	return NULL;
}

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) &&
	       ((const struct sockaddr_in6 *)a)->sin6_scope_id ==
		       ((const struct sockaddr_in6 *)b)->sin6_scope_id;
}

enum key { K_LISTEN, K_PEER, K_KEY_FILE, K_CONTROL_SOCKET, K_LOG_LEVEL, K_ARM_POINT, K_DIVERT, K_COUNT };
static const char *const key_names[K_COUNT] = {
	"listen", "peer", "key-file", "control-socket", "log-level", "arm-point", "divert",
};

static const char *copy_path(char *dst, size_t cap, const char *v)
{
	if (v[0] != '/')
		return "not an absolute path";
	if (strlen(v) >= cap)
		return "path too long";
	memcpy(dst, v, strlen(v) + 1);
	return NULL;
}

static void apply(struct hd_config *c, struct errs *e, unsigned int line, enum key k, const char *v)
{
	struct sockaddr_storage ss;
	const char *why = NULL;
	socklen_t slen;
	unsigned int i;

	switch (k) {
	case K_LISTEN:
		why = parse_addr(v, &ss, &slen);
		if (!why) {
			c->listen = ss;
			c->listen_len = slen;
		}
		break;
	case K_PEER:
		why = parse_addr(v, &ss, &slen);
		if (why)
			break;
		if (strlen(v) >= sizeof(c->peers[0].text)) {
			why = "address too long";
			break;
		}
		for (i = 0; i < c->npeers; i++) {
			if (same_host(&c->peers[i].addr, &ss)) {
				report(e, line, "duplicate peer \"%s\" (same host as \"%s\")", v,
				       c->peers[i].text);
				return;
			}
		}
		if (c->npeers == HD_MAX_PEERS) {
			report(e, line, "too many peers (at most %d)", HD_MAX_PEERS);
			return;
		}
		snprintf(c->peers[c->npeers].text, sizeof(c->peers[0].text), "%s", v);
		c->peers[c->npeers].addr = ss;
		c->peers[c->npeers].addrlen = slen;
		c->npeers++;
		return;
	case K_KEY_FILE:
		why = copy_path(c->key_file, sizeof(c->key_file), v);
		break;
	case K_CONTROL_SOCKET:
		why = copy_path(c->control_socket, sizeof(c->control_socket), v);
		if (why && !strcmp(why, "path too long"))
			why = "path too long for a unix socket (at most 107 bytes)";
		break;
	case K_LOG_LEVEL:
		for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
			if (!strcmp(v, levels[i].name))
				break;
		if (i == sizeof(levels) / sizeof(levels[0]))
			why = "not one of error, warning, info, debug";
		else
			c->log_level = levels[i].level;
		break;
	case K_ARM_POINT:
		if (!strcmp(v, "request"))
			c->arm_point = HD_ARM_REQUEST;
		else if (!strcmp(v, "suspended"))
			c->arm_point = HD_ARM_SUSPENDED;
		else
			why = "not one of request, suspended";
		break;
	case K_DIVERT:
		if (!strcmp(v, "yes"))
			c->divert = 1;
		else if (!strcmp(v, "no"))
			c->divert = 0;
		else
			why = "not yes or no";
		break;
	case K_COUNT:
		break;
	}
	if (why)
		report(e, line, "%s \"%s\": %s", key_names[k], v, why);
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Trims s[0..n) in place; returns the new start, the length in *n. */
static char *trim(char *s, size_t *n)
{
	while (*n && is_space(*s)) {
		s++;
		(*n)--;
	}
	while (*n && is_space(s[*n - 1]))
		(*n)--;
	s[*n] = '\0';
	return s;
}

int hd_config_parse(struct hd_config *c, const char *name, const char *text, size_t len, char *err,
		    size_t errlen)
{
	struct errs e = { .buf = err, .cap = errlen, .name = name };
	unsigned int first[K_COUNT] = { 0 };
	unsigned int lineno = 0;
	size_t off = 0;
	char *line = NULL;

	if (errlen)
		err[0] = '\0';
	line = malloc(len + 1);
	if (!line) {
		report(&e, 0, "out of memory");
		return -ENOMEM;
	}
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		size_t klen, vlen;
		char *s, *eq, *key, *val;
		int k;

		lineno++;
		memcpy(line, text + off, n);
		line[n] = '\0';
		off += n + (nl ? 1 : 0);
		if (memchr(line, '\0', n)) {
			report(&e, lineno, "NUL byte in the line");
			continue;
		}
		s = trim(line, &n);
		if (!n || s[0] == '#')
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			report(&e, lineno, "missing '=' (expected \"key = value\")");
			continue;
		}
		*eq = '\0';
		klen = (size_t)(eq - s);
		vlen = n - klen - 1;
		key = trim(s, &klen);
		val = trim(eq + 1, &vlen);
		if (!klen) {
			report(&e, lineno, "missing key before '='");
			continue;
		}
		for (k = 0; k < K_COUNT; k++)
			if (!strcmp(key, key_names[k]))
				break;
		if (k == K_COUNT) {
			report(&e, lineno, "unknown key \"%s\"", key);
			continue;
		}
		if (!vlen) {
			report(&e, lineno, "empty value for %s", key);
			continue;
		}
		if (k != K_PEER && first[k]) {
			report(&e, lineno, "duplicate %s (first set on line %u)", key, first[k]);
			continue;
		}
		first[k] = lineno;
		apply(c, &e, lineno, (enum key)k, val);
	}
	free(line);
	if (!c->npeers && !first[K_PEER])
		report(&e, 0, "no peer configured: the daemon would accept and reach nobody "
			      "(add \"peer = ADDRESS\" lines)");
	return e.count ? -EINVAL : 0;
}

int hd_config_load(struct hd_config *c, const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int fd, ret;

	hd_config_defaults(c);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s\n", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s\n", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		snprintf(err, errlen, "%s: not a regular file\n", path);
		goto out;
	}
	if (st.st_size > HD_CONFIG_MAX) {
		ret = -EFBIG;
		snprintf(err, errlen, "%s: larger than %d bytes\n", path, HD_CONFIG_MAX);
		goto out;
	}
	/* One byte more than allowed: a file that grew since fstat is noticed. */
	text = malloc(HD_CONFIG_MAX + 1);
	if (!text) {
		ret = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory\n", path);
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, text + len, HD_CONFIG_MAX + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s\n", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > HD_CONFIG_MAX) {
			ret = -EFBIG;
			snprintf(err, errlen, "%s: larger than %d bytes\n", path, HD_CONFIG_MAX);
			goto out;
		}
	}
	ret = hd_config_parse(c, path, text, len, err, errlen);
out:
	free(text);
	close(fd);
	return ret;
}

const struct hd_peer_cfg *hd_config_peer(const struct hd_config *c, const struct sockaddr *sa,
					 socklen_t len)
{
	struct sockaddr_storage ss;
	unsigned int i;

	if (!sa || len > sizeof(ss))
		return NULL;
	memset(&ss, 0, sizeof(ss));
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		memcpy(&ss, sa, sizeof(struct sockaddr_in));
	} else if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			/* An IPv4 peer on a dual-stack socket. */
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

			sin->sin_family = AF_INET;
			memcpy(&sin->sin_addr, &s6->sin6_addr.s6_addr[12], 4);
		} else {
			memcpy(&ss, sa, sizeof(*s6));
		}
	} else {
		return NULL;
	}
	for (i = 0; i < c->npeers; i++) {
		const struct sockaddr_storage *p = &c->peers[i].addr;

		if (p->ss_family == AF_INET6 && ss.ss_family == AF_INET6 &&
		    !((const struct sockaddr_in6 *)p)->sin6_scope_id) {
			/* No scope configured: any interface's scope matches. */
			if (!memcmp(&((const struct sockaddr_in6 *)p)->sin6_addr,
				    &((struct sockaddr_in6 *)&ss)->sin6_addr, sizeof(struct in6_addr)))
				return &c->peers[i];
			continue;
		}
		if (same_host(p, &ss))
			return &c->peers[i];
	}
	return NULL;
}
