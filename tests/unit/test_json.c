// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "json.h"

/* Captures what a writer produces. */
struct cap {
	char *buf;
	size_t len;
	FILE *f;
};

static void cap_open(struct cap *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
}

static const char *cap_done(struct cap *c)
{
	fclose(c->f);
	return c->buf ? c->buf : "";
}

static void check_escape(const char *file, int line, const char *in, size_t len, const char *want)
{
	struct cap c;

	cap_open(&c);
	hc_json_escape(c.f, in, len);
	hc_check_str(file, line, "escape", cap_done(&c), want);
	free(c.buf);
}

#define ESC(in, want) check_escape(__FILE__, __LINE__, in, sizeof(in) - 1, want)

TEST(json_escapes_quotes_backslash_controls)
{
	ESC("", "\"\"");
	ESC("plain", "\"plain\"");
	ESC("a\"b", "\"a\\\"b\"");
	ESC("a\\b", "\"a\\\\b\"");
	ESC("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"");
	ESC("\x01\x1f", "\"\\u0001\\u001f\"");
	ESC("a\0b", "\"a\\u0000b\"");
	ESC("/\x7f", "\"/\x7f\"");	/* legal unescaped in JSON */
}

TEST(json_passes_valid_utf8)
{
	ESC("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	ESC("\xe2\x82\xac", "\"\xe2\x82\xac\"");		/* U+20AC */
	ESC("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");	/* U+1F600 */
	ESC("\xef\xbf\xbf", "\"\xef\xbf\xbf\"");		/* U+FFFF */
	ESC("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");	/* U+10FFFF */
}

TEST(json_replaces_invalid_utf8)
{
	ESC("\x80", "\"\\ufffd\"");			/* lone continuation */
	ESC("a\xc3", "\"a\\ufffd\"");			/* truncated at the end */
	ESC("\xc3(", "\"\\ufffd(\"");			/* bad continuation */
	ESC("\xc0\x80", "\"\\ufffd\\ufffd\"");		/* overlong NUL */
	ESC("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");	/* overlong '/' */
	ESC("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
	ESC("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");	/* > U+10FFFF */
	ESC("\xf5\x80", "\"\\ufffd\\ufffd\"");
	ESC("\xff", "\"\\ufffd\"");
}

static void build_sample(struct hc_json *j)
{
	hc_json_obj_begin(j);
	hc_json_kv_str(j, "s", "x\"y");
	hc_json_kv_u64(j, "max", UINT64_MAX);
	hc_json_key(j, "neg");
	hc_json_i64(j, INT64_MIN);
	hc_json_kv_bool(j, "t", true);
	hc_json_key(j, "n");
	hc_json_null(j);
	hc_json_key(j, "arr");
	hc_json_arr_begin(j);
	hc_json_u64(j, 1);
	hc_json_str(j, "two");
	hc_json_obj_begin(j);
	hc_json_obj_end(j);
	hc_json_arr_end(j);
	hc_json_key(j, "empty");
	hc_json_arr_begin(j);
	hc_json_arr_end(j);
	hc_json_obj_end(j);
}

TEST(json_compact)
{
	struct hc_json j;
	struct cap c;

	cap_open(&c);
	hc_json_init(&j, c.f, false);
	build_sample(&j);
	CHECK_INT(hc_json_end(&j), 0);
	CHECK_STR(cap_done(&c),
		  "{\"s\":\"x\\\"y\",\"max\":18446744073709551615,\"neg\":-9223372036854775808,"
		  "\"t\":true,\"n\":null,\"arr\":[1,\"two\",{}],\"empty\":[]}\n");
	free(c.buf);
}

TEST(json_pretty)
{
	struct hc_json j;
	struct cap c;

	cap_open(&c);
	hc_json_init(&j, c.f, true);
	build_sample(&j);
	CHECK_INT(hc_json_end(&j), 0);
	CHECK_STR(cap_done(&c),
		  "{\n"
		  "  \"s\": \"x\\\"y\",\n"
		  "  \"max\": 18446744073709551615,\n"
		  "  \"neg\": -9223372036854775808,\n"
		  "  \"t\": true,\n"
		  "  \"n\": null,\n"
		  "  \"arr\": [\n"
		  "    1,\n"
		  "    \"two\",\n"
		  "    {}\n"
		  "  ],\n"
		  "  \"empty\": []\n"
		  "}\n");
	free(c.buf);
}

TEST(json_top_level_array_of_objects)
{
	struct hc_json j;
	struct cap c;

	cap_open(&c);
	hc_json_init(&j, c.f, false);
	hc_json_arr_begin(&j);
	hc_json_obj_begin(&j);
	hc_json_kv_u64(&j, "a", 1);
	hc_json_obj_end(&j);
	hc_json_obj_begin(&j);
	hc_json_kv_u64(&j, "a", 2);
	hc_json_obj_end(&j);
	hc_json_arr_end(&j);
	CHECK_INT(hc_json_end(&j), 0);
	CHECK_STR(cap_done(&c), "[{\"a\":1},{\"a\":2}]\n");
	free(c.buf);
}

TEST(json_escapes_keys)
{
	struct hc_json j;
	struct cap c;

	cap_open(&c);
	hc_json_init(&j, c.f, false);
	hc_json_obj_begin(&j);
	hc_json_kv_str(&j, "k\n\"", "v\x01");
	hc_json_obj_end(&j);
	CHECK_INT(hc_json_end(&j), 0);
	CHECK_STR(cap_done(&c), "{\"k\\n\\\"\":\"v\\u0001\"}\n");
	free(c.buf);
}

TEST(json_detects_misuse)
{
	struct hc_json j;
	struct cap c;
	int i;

	cap_open(&c);
	hc_json_init(&j, c.f, false);
	hc_json_obj_begin(&j);		/* never closed */
	CHECK_INT(hc_json_end(&j), -1);

	hc_json_init(&j, c.f, false);
	hc_json_key(&j, "k");		/* key outside an object */
	CHECK_INT(hc_json_end(&j), -1);

	hc_json_init(&j, c.f, false);
	hc_json_arr_end(&j);		/* close without open */
	CHECK_INT(hc_json_end(&j), -1);

	hc_json_init(&j, c.f, false);
	hc_json_obj_begin(&j);
	hc_json_key(&j, "k");
	hc_json_obj_end(&j);		/* key without value */
	CHECK_INT(hc_json_end(&j), -1);

	hc_json_init(&j, c.f, false);
	for (i = 0; i < HC_JSON_MAX_DEPTH + 2; i++)
		hc_json_arr_begin(&j);	/* deeper than supported: no overflow */
	CHECK(j.error);
	cap_done(&c);
	free(c.buf);
}
