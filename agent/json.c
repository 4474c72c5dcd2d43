// SPDX-License-Identifier: GPL-2.0
#include "json.h"

#include <inttypes.h>
#include <string.h>

void hc_json_init(struct hc_json *j, FILE *f, bool pretty)
{
	*j = (struct hc_json){ .f = f, .pretty = pretty };
}

static void indent(struct hc_json *j)
{
	int i;

	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Separator and indentation before a value or a key. */
static void before_value(struct hc_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth == 0)
		return;
	if (j->nonempty[j->depth - 1])
		fputc(',', j->f);
	j->nonempty[j->depth - 1] = true;
	indent(j);
}

static void begin(struct hc_json *j, char c)
{
	before_value(j);
	fputc(c, j->f);
	if (j->depth >= HC_JSON_MAX_DEPTH) {
		j->error = true;
		return;
	}
	j->nonempty[j->depth++] = false;
}

static void end(struct hc_json *j, char c)
{
	bool nonempty;

	if (j->depth == 0 || j->after_key) {
		j->error = true;
		return;
	}
	nonempty = j->nonempty[--j->depth];
	if (nonempty)
		indent(j);
	fputc(c, j->f);
}

void hc_json_obj_begin(struct hc_json *j) { begin(j, '{'); }
void hc_json_obj_end(struct hc_json *j) { end(j, '}'); }
void hc_json_arr_begin(struct hc_json *j) { begin(j, '['); }
void hc_json_arr_end(struct hc_json *j) { end(j, ']'); }

void hc_json_key(struct hc_json *j, const char *key)
{
	if (j->depth == 0 || j->after_key)
		j->error = true;
	before_value(j);
	hc_json_escape(j->f, key, strlen(key));
	fputs(j->pretty ? ": " : ":", j->f);
	j->after_key = true;
}

void hc_json_strn(struct hc_json *j, const char *s, size_t len)
{
	before_value(j);
	hc_json_escape(j->f, s, len);
}

void hc_json_str(struct hc_json *j, const char *s)
{
	hc_json_strn(j, s, strlen(s));
}

void hc_json_u64(struct hc_json *j, uint64_t v)
{
	before_value(j);
	fprintf(j->f, "%" PRIu64, v);
}

void hc_json_i64(struct hc_json *j, int64_t v)
{
	before_value(j);
	fprintf(j->f, "%" PRId64, v);
}

void hc_json_bool(struct hc_json *j, bool v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->f);
}

void hc_json_null(struct hc_json *j)
{
	before_value(j);
	fputs("null", j->f);
}

void hc_json_kv_str(struct hc_json *j, const char *key, const char *s)
{
	hc_json_key(j, key);
	hc_json_str(j, s);
}

void hc_json_kv_u64(struct hc_json *j, const char *key, uint64_t v)
{
	hc_json_key(j, key);
	hc_json_u64(j, v);
}

void hc_json_kv_bool(struct hc_json *j, const char *key, bool v)
{
	hc_json_key(j, key);
	hc_json_bool(j, v);
}

int hc_json_end(struct hc_json *j)
{
	if (j->depth != 0 || j->after_key)
		j->error = true;
	fputc('\n', j->f);
	return j->error ? -1 : 0;
}

/* Length of the valid UTF-8 sequence at s, or 0 if invalid (RFC 3629). */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;	/* continuation byte, overlong 0xc0/0xc1, > U+10FFFF */
	}
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void hc_json_escape(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	fputc('"', f);
	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		switch (c) {
		case '"': fputs("\\\"", f); i++; continue;
		case '\\': fputs("\\\\", f); i++; continue;
		case '\b': fputs("\\b", f); i++; continue;
		case '\f': fputs("\\f", f); i++; continue;
		case '\n': fputs("\\n", f); i++; continue;
		case '\r': fputs("\\r", f); i++; continue;
		case '\t': fputs("\\t", f); i++; continue;
		default:
			break;
		}
		if (c < 0x20) {
			fprintf(f, "\\u%04x", c);
			i++;
			continue;
		}
		n = utf8_len(s + i, len - i);
		if (!n) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		fwrite(s + i, 1, n, f);
		i += n;
	}
	fputc('"', f);
}
