// SPDX-License-Identifier: GPL-2.0
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"

int hc_key_decode(const char *text, size_t len, uint8_t key[HANDOFF_KEY_LEN], const char **why)
{
	uint8_t buf[HANDOFF_KEY_LEN];
	static const uint8_t zero[HANDOFF_KEY_LEN];
	int n;

	if (len && text[len - 1] == '\n')
		len--;
	if (len && text[len - 1] == '\r')
		len--;
	if (len != HC_KEY_B64_LEN) {
		*why = "not a base64 key of 32 bytes (expected 44 characters, as from `wg genkey`)";
		return -EINVAL;
	}
	n = hc_base64_decode(text, len, buf, sizeof(buf));
	if (n != HANDOFF_KEY_LEN) {
		explicit_bzero(buf, sizeof(buf));
		*why = "not valid base64 of a 32-byte key";
		return -EINVAL;
	}
	if (!memcmp(buf, zero, sizeof(buf))) {
		*why = "the key is all zeros";
		return -EINVAL;
	}
	memcpy(key, buf, HANDOFF_KEY_LEN);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

int hc_key_read(const char *path, uint8_t key[HANDOFF_KEY_LEN], const char **why)
{
	/* Room to tell "a bit too long" from "one key": a key, CRLF, and one more. */
	char text[HC_KEY_B64_LEN + 3];
	struct stat st;
	size_t len = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err = -errno;
		*why = strerror(errno);
		return err;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		*why = strerror(errno);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		err = -EINVAL;
		goto out;
	}
	if (st.st_mode & 077) {
		*why = "readable or writable by group or others (chmod 600 it)";
		err = -EPERM;
		goto out;
	}
	while (len < sizeof(text)) {
		ssize_t n = read(fd, text + len, sizeof(text) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			*why = strerror(errno);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	err = hc_key_decode(text, len, key, why);
out:
	explicit_bzero(text, sizeof(text));
	close(fd);
	return err;
}
