/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal test framework. TEST(name) { CHECK(...); } registers itself;
 * main.c runs every test, prints one line per failed check and ends with
 * "N passed, N failed" (counting test functions).
 */
#ifndef HC_CHECK_H
#define HC_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct hc_test {
	const char *name;
	void (*fn)(void);
	struct hc_test *next;
};

void hc_test_register(struct hc_test *t);
/* Records a failed check of the running test; returns false. */
bool hc_check_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool hc_check_str(const char *file, int line, const char *expr, const char *got,
		  const char *want);
bool hc_check_int(const char *file, int line, const char *expr, long long got, long long want);
bool hc_check_mem(const char *file, int line, const char *expr, const void *got,
		  const void *want, size_t len);

#define TEST(name)							\
	static void name(void);						\
	static struct hc_test name##_test = { #name, name, NULL };	\
	__attribute__((constructor)) static void name##_register(void)	\
	{								\
		hc_test_register(&name##_test);				\
	}								\
	static void name(void)

#define CHECK(cond) \
	((cond) ? true : hc_check_fail(__FILE__, __LINE__, "CHECK(%s)", #cond))
#define CHECK_INT(got, want) \
	hc_check_int(__FILE__, __LINE__, #got, (long long)(got), (long long)(want))
#define CHECK_STR(got, want) hc_check_str(__FILE__, __LINE__, #got, (got), (want))
#define CHECK_MEM(got, want, len) hc_check_mem(__FILE__, __LINE__, #got, (got), (want), (len))

#endif
