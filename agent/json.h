/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny streaming JSON writer. Pure: writes to a FILE *. Output is always
 * valid JSON: strings are escaped and invalid UTF-8 becomes U+FFFD.
 */
#ifndef HC_JSON_H
#define HC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HC_JSON_MAX_DEPTH 16

struct hc_json {
	FILE *f;
	bool pretty;
	int depth;
	bool nonempty[HC_JSON_MAX_DEPTH];
	bool after_key;
	bool error;		/* misuse (depth, key outside object) */
};

void hc_json_init(struct hc_json *j, FILE *f, bool pretty);
void hc_json_obj_begin(struct hc_json *j);
void hc_json_obj_end(struct hc_json *j);
void hc_json_arr_begin(struct hc_json *j);
void hc_json_arr_end(struct hc_json *j);
void hc_json_key(struct hc_json *j, const char *key);
void hc_json_str(struct hc_json *j, const char *s);
void hc_json_strn(struct hc_json *j, const char *s, size_t len);
void hc_json_u64(struct hc_json *j, uint64_t v);
void hc_json_i64(struct hc_json *j, int64_t v);
void hc_json_bool(struct hc_json *j, bool v);
void hc_json_null(struct hc_json *j);

/* key: value shorthands. */
void hc_json_kv_str(struct hc_json *j, const char *key, const char *s);
void hc_json_kv_u64(struct hc_json *j, const char *key, uint64_t v);
void hc_json_kv_bool(struct hc_json *j, const char *key, bool v);

/* Ends a top-level value with a newline. Returns -1 if the writer was misused. */
int hc_json_end(struct hc_json *j);

/* Writes s as a quoted JSON string. */
void hc_json_escape(FILE *f, const char *s, size_t len);

#endif
