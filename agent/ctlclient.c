// SPDX-License-Identifier: GPL-2.0
#include "ctlclient.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* A status of many migrations is a few KiB; anything far beyond is not handoffd. */
#define ANSWER_MAX (1 << 20)

int hc_ctl_call(const char *path, const char *line, char **answer, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = 0, cap = 4096;
	char *buf = NULL;
	ssize_t n;
	int fd, r = 0;

	*answer = NULL;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		r = -errno;
		snprintf(err, errlen, "cannot reach handoffd at %s: %s (is it running?)", path,
			 strerror(errno));
		goto out;
	}
	if (dprintf(fd, "%s\n", line) < 0) {
		r = -errno;
		snprintf(err, errlen, "writing to handoffd: %s", strerror(errno));
		goto out;
	}
	shutdown(fd, SHUT_WR);
	buf = malloc(cap);
	for (;;) {
		if (!buf) {
			r = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			snprintf(err, errlen, "reading from handoffd: %s", strerror(errno));
			goto out;
		}
		if (!n)
			break;
		len += (size_t)n;
		if (len + 1 == cap) {
			char *nb = cap < ANSWER_MAX ? realloc(buf, cap * 2) : NULL;

			if (!nb) {
				r = -EMSGSIZE;
				snprintf(err, errlen, "handoffd's answer is too long");
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (!len) {
		r = -ECONNRESET;
		snprintf(err, errlen, "handoffd closed the connection without an answer");
		goto out;
	}
	buf[len] = '\0';
	*answer = buf;
	buf = NULL;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return r;
}
