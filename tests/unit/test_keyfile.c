// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "keyfile.h"

/* Bytes 0..31. */
static const char key_b64[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

static void expected_key(uint8_t *k)
{
	int i;

	for (i = 0; i < HANDOFF_KEY_LEN; i++)
		k[i] = (uint8_t)i;
}

static int decode(const char *text, uint8_t *key, const char **why)
{
	return hc_key_decode(text, strlen(text), key, why);
}

TEST(key_decode_accepts_wg_format)
{
	uint8_t key[HANDOFF_KEY_LEN], want[HANDOFF_KEY_LEN];
	const char *why = NULL;
	char buf[64];

	expected_key(want);
	CHECK_INT(decode(key_b64, key, &why), 0) && CHECK_MEM(key, want, sizeof(want));
	snprintf(buf, sizeof(buf), "%s\n", key_b64);
	CHECK_INT(decode(buf, key, &why), 0) && CHECK_MEM(key, want, sizeof(want));
	snprintf(buf, sizeof(buf), "%s\r\n", key_b64);
	CHECK_INT(decode(buf, key, &why), 0);
}

TEST(key_decode_rejects_malformed)
{
	uint8_t key[HANDOFF_KEY_LEN];
	const char *why;
	char buf[80];

	why = NULL;
	CHECK_INT(decode("", key, &why), -EINVAL) && CHECK(why != NULL);
	snprintf(buf, sizeof(buf), "%.43s", key_b64);			/* short */
	CHECK_INT(decode(buf, key, &why), -EINVAL);
	snprintf(buf, sizeof(buf), "%sA", key_b64);			/* long */
	CHECK_INT(decode(buf, key, &why), -EINVAL);
	snprintf(buf, sizeof(buf), "%s\n\n", key_b64);			/* two newlines */
	CHECK_INT(decode(buf, key, &why), -EINVAL);
	snprintf(buf, sizeof(buf), " %.43s", key_b64);			/* leading space */
	CHECK_INT(decode(buf, key, &why), -EINVAL);
	snprintf(buf, sizeof(buf), "%.43sA", key_b64);			/* no padding: 33 bytes */
	CHECK_INT(decode(buf, key, &why), -EINVAL);
	snprintf(buf, sizeof(buf), "%.42s==", key_b64);		/* 31 bytes */
	CHECK_INT(decode(buf, key, &why), -EINVAL);
	snprintf(buf, sizeof(buf), "%.42s9=", key_b64);		/* non-canonical tail */
	CHECK_INT(decode(buf, key, &why), -EINVAL);
	snprintf(buf, sizeof(buf), "%.10s*%.33s", key_b64, key_b64 + 11);	/* bad char */
	CHECK_INT(decode(buf, key, &why), -EINVAL);
	CHECK_INT(decode("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", key, &why), -EINVAL) &&
		CHECK_STR(why, "the key is all zeros");
}

struct tmp {
	char dir[64];
	char path[96];
};

static void tmp_key(struct tmp *t, const char *content, size_t len, mode_t mode)
{
	int fd;

	snprintf(t->dir, sizeof(t->dir), "/tmp/hc-unit-XXXXXX");
	if (!mkdtemp(t->dir)) {
		hc_check_fail(__FILE__, __LINE__, "mkdtemp failed");
		return;
	}
	snprintf(t->path, sizeof(t->path), "%s/key", t->dir);
	fd = open(t->path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, content, len) != (ssize_t)len)
		hc_check_fail(__FILE__, __LINE__, "writing %s failed", t->path);
	if (fd >= 0)
		close(fd);
	chmod(t->path, mode);
}

static void tmp_rm(struct tmp *t)
{
	unlink(t->path);
	rmdir(t->dir);
}

static int read_key(const char *content, mode_t mode, uint8_t *key, const char **why)
{
	struct tmp t;
	int r;

	tmp_key(&t, content, strlen(content), mode);
	r = hc_key_read(t.path, key, why);
	tmp_rm(&t);
	return r;
}

TEST(key_read_checks_permissions)
{
	uint8_t key[HANDOFF_KEY_LEN], want[HANDOFF_KEY_LEN];
	const char *why = NULL;
	char line[64];

	expected_key(want);
	snprintf(line, sizeof(line), "%s\n", key_b64);
	CHECK_INT(read_key(line, 0600, key, &why), 0) && CHECK_MEM(key, want, sizeof(want));
	CHECK_INT(read_key(line, 0400, key, &why), 0);
	why = NULL;
	CHECK_INT(read_key(line, 0640, key, &why), -EPERM) &&
		CHECK(why && strstr(why, "group or others"));
	CHECK_INT(read_key(line, 0604, key, &why), -EPERM);
	CHECK_INT(read_key(line, 0620, key, &why), -EPERM);
	CHECK_INT(read_key(line, 0602, key, &why), -EPERM);
}

TEST(key_read_rejects_bad_files)
{
	uint8_t key[HANDOFF_KEY_LEN];
	const char *why = NULL;
	char big[200];
	struct tmp t;

	CHECK_INT(read_key("", 0600, key, &why), -EINVAL);
	CHECK_INT(read_key("not a key\n", 0600, key, &why), -EINVAL);
	/* The error never quotes the file. */
	CHECK(why && !strstr(why, "not a key"));
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(read_key(big, 0600, key, &why), -EINVAL);
	CHECK_INT(hc_key_read("/nonexistent/hc-key", key, &why), -ENOENT);

	tmp_key(&t, "x", 1, 0600);
	CHECK_INT(hc_key_read(t.dir, key, &why), -EINVAL) &&	/* a directory (mode 0700) */
		CHECK_STR(why, "not a regular file");
	tmp_rm(&t);
}
