// SPDX-License-Identifier: GPL-2.0
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Splits line into at most max words separated by single spaces. */
static int split(const char *line, char words[][128], int max, char *err, size_t errlen)
{
	int n = 0;

	while (*line) {
		size_t len = strcspn(line, " ");

		if (!len) {
			snprintf(err, errlen, "empty word (two spaces?)");
			return -EINVAL;
		}
		if (n == max) {
			snprintf(err, errlen, "too many words");
			return -EINVAL;
		}
		if (len >= 128) {
			snprintf(err, errlen, "word too long (%zu bytes)", len);
			return -EINVAL;
		}
		memcpy(words[n], line, len);
		words[n][len] = '\0';
		n++;
		line += len;
		if (*line == ' ' && !*++line) {
			snprintf(err, errlen, "trailing space");
			return -EINVAL;
		}
	}
	return n;
}

int hd_ctl_parse(const char *line, struct hd_ctl_req *req, char *err, size_t errlen)
{
	char w[4][128];
	const char *p;
	int n;

	for (p = line; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen, "control character in the request");
			return -EINVAL;
		}
	}
	if (p - line >= HD_CTL_LINE_MAX) {
		snprintf(err, errlen, "request too long");
		return -EINVAL;
	}
	n = split(line, w, 4, err, errlen);
	if (n < 0)
		return n;
	if (n == 0) {
		snprintf(err, errlen, "empty request");
		return -EINVAL;
	}
	memset(req, 0, sizeof(*req));
	if (!strcmp(w[0], "status") && (n == 1 || (n == 2 && !strcmp(w[1], "json")))) {
		req->verb = HD_CTL_STATUS;
		req->json = n == 2;
		return 0;
	}
	if (!strcmp(w[0], "migrate-begin") && n == 3) {
		req->verb = HD_CTL_BEGIN;
		memcpy(req->vm, w[1], sizeof(req->vm));
		memcpy(req->dest, w[2], sizeof(req->dest));
		return 0;
	}
	if (!strcmp(w[0], "migrate-expect") && n == 2) {
		req->verb = HD_CTL_EXPECT;
		memcpy(req->vm, w[1], sizeof(req->vm));
		return 0;
	}
	if (!strcmp(w[0], "migrate-end") && n == 3 &&
	    (!strcmp(w[2], "ok") || !strcmp(w[2], "failed"))) {
		req->verb = HD_CTL_END;
		memcpy(req->vm, w[1], sizeof(req->vm));
		req->ok = !strcmp(w[2], "ok");
		return 0;
	}
	snprintf(err, errlen, "unknown request (expected: status [json] | migrate-begin VM DEST | "
		 "migrate-end VM ok|failed | migrate-expect UUID)");
	return -EINVAL;
}

int hd_ctl_answer(const char *line, const char **text)
{
	char *end;
	long e;

	if (!strncmp(line, "ok", 2) && (line[2] == ' ' || !line[2])) {
		*text = line[2] ? line + 3 : "";
		return 0;
	}
	if (strncmp(line, "error ", 6))
		return -1;
	errno = 0;
	e = strtol(line + 6, &end, 10);
	if (errno || end == line + 6 || e <= 0 || e > 4095 || (*end != ' ' && *end))
		return -1;
	*text = *end ? end + 1 : "";
	return (int)e;
}
