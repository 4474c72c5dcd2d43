// SPDX-License-Identifier: GPL-2.0
/* Runs the registered tests; an optional argument selects tests by substring. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static struct hc_test *tests, **tail = &tests;
static const struct hc_test *current;
static int failed_checks;

void hc_test_register(struct hc_test *t)
{
	*tail = t;
	tail = &t->next;
}

bool hc_check_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	failed_checks++;
	printf("FAIL %s:%d: %s: ", file, line, current ? current->name : "?");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return false;
}

bool hc_check_str(const char *file, int line, const char *expr, const char *got,
		  const char *want)
{
	if (got && want && !strcmp(got, want))
		return true;
	return hc_check_fail(file, line, "%s is \"%s\", want \"%s\"", expr,
			     got ? got : "(null)", want ? want : "(null)");
}

bool hc_check_int(const char *file, int line, const char *expr, long long got, long long want)
{
	if (got == want)
		return true;
	return hc_check_fail(file, line, "%s is %lld, want %lld", expr, got, want);
}

bool hc_check_mem(const char *file, int line, const char *expr, const void *got,
		  const void *want, size_t len)
{
	if (!memcmp(got, want, len))
		return true;
	return hc_check_fail(file, line, "%s differs from the expected %zu bytes", expr, len);
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	int passed = 0, failed = 0;
	struct hc_test *t;

	/* Line-buffered: failure lines stay ordered with sanitizer reports. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (t = tests; t; t = t->next) {
		int before = failed_checks;

		if (filter && !strstr(t->name, filter))
			continue;
		current = t;
		t->fn();
		if (failed_checks == before)
			passed++;
		else
			failed++;
	}
	current = NULL;
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
