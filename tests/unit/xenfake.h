/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers for tests driving the fake Xen (agent/xen_fake.c). */
#ifndef HC_XENFAKE_H
#define HC_XENFAKE_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "xen.h"

static inline struct hx_xen *fake_open(void)
{
	char err[256] = "";
	struct hx_xen *x = hx_xen_open_fake(NULL, err, sizeof(err));

	if (!x)
		hc_check_fail(__FILE__, __LINE__, "hx_xen_open_fake: %s", err);
	return x;
}

/* Applies a command that must succeed. */
static inline bool fake_apply_ok(struct hx_xen *x, const char *line, const char *file,
				 int lineno)
{
	char err[256] = "";

	if (hx_fake_apply(x, line, err, sizeof(err)))
		return hc_check_fail(file, lineno, "%s: %s", line, err);
	return true;
}

#define APPLY(x, line) fake_apply_ok((x), (line), __FILE__, __LINE__)

/*
 * Drains the fired watches into out as "path token" lines joined by ';'.
 * Returns the number of events.
 */
static inline int fake_events(struct hx_xen *x, char *out, size_t len)
{
	char path[HX_XS_PATH_MAX + 1], token[64];
	size_t used = 0;
	int n = 0, r;

	out[0] = '\0';
	while ((r = x->ops->read_watch(x, path, sizeof(path), token, sizeof(token))) == 0) {
		if (used < len)
			used += (size_t)snprintf(out + used, len - used, "%s%s %s", n ? ";" : "",
						 path, token);
		n++;
	}
	if (r != -EAGAIN)
		hc_check_fail(__FILE__, __LINE__, "read_watch: %d", r);
	return n;
}

#endif
