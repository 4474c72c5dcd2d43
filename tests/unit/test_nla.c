// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "check.h"
#include "nla.h"
#include "nlbuf.h"

TEST(nla_parse_takes_last_and_ignores_unknown)
{
	const struct nlattr *tb[4];
	struct nlbuf b;
	uint32_t v = 0;

	nb_init(&b);
	nb_u32(&b, 1, 10);
	nb_u32(&b, 1, 11);
	nb_u32(&b, 9, 99);	/* > maxtype */
	nb_u8(&b, 3, 5);
	CHECK_INT(hc_nla_parse(tb, 3, b.data, b.len), 0);
	CHECK(hc_nla_u32(tb[1], &v)) && CHECK_INT(v, 11);
	CHECK(!tb[2]);
	CHECK(tb[3] && hc_nla_type(tb[3]) == 3);
}

TEST(nla_parse_rejects_truncation)
{
	const struct nlattr *tb[4];
	struct nlbuf b;
	struct nlattr *a = (struct nlattr *)b.data;

	nb_init(&b);
	nb_u32(&b, 1, 10);
	CHECK_INT(hc_nla_parse(tb, 3, b.data, b.len - 1), -EINVAL);	/* cut payload */
	CHECK_INT(hc_nla_parse(tb, 3, b.data, 2), -EINVAL);		/* cut header */
	a->nla_len = 3;							/* < header */
	CHECK_INT(hc_nla_parse(tb, 3, b.data, b.len), -EINVAL);
	a->nla_len = 200;						/* past the end */
	CHECK_INT(hc_nla_parse(tb, 3, b.data, b.len), -EINVAL);
	CHECK_INT(hc_nla_parse(tb, 3, b.data, 0), 0);			/* empty is fine */
}

TEST(nla_parse_accepts_unpadded_last)
{
	const struct nlattr *tb[2];
	struct nlbuf b;
	uint8_t v = 0;

	nb_init(&b);
	nb_u8(&b, 1, 7);
	CHECK_INT(hc_nla_parse(tb, 1, b.data, NLA_HDRLEN + 1), 0);
	CHECK(hc_nla_u8(tb[1], &v)) && CHECK_INT(v, 7);
	/* Trailing junk shorter than a header is not an attribute. */
	CHECK_INT(hc_nla_parse(tb, 1, b.data, b.len + 2), -EINVAL);
}

TEST(nla_getters_check_length)
{
	const struct nlattr *tb[8];
	struct nlbuf b;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	char s[8];

	nb_init(&b);
	nb_u16(&b, 1, 1);
	nb_u64(&b, 2, 1);
	nb_put(&b, 3, "abc", 3);	/* no NUL */
	nb_str(&b, 4, "abcdefgh");	/* does not fit s[8] */
	nb_str(&b, 5, "vif1.0");
	nb_put(&b, 6, NULL, 0);
	CHECK_INT(hc_nla_parse(tb, 7, b.data, b.len), 0);
	CHECK(!hc_nla_u8(tb[1], &u8));
	CHECK(hc_nla_u16(tb[1], &u16));
	CHECK(!hc_nla_u32(tb[1], &u32));
	CHECK(!hc_nla_u32(tb[2], &u32));
	CHECK(hc_nla_u64(tb[2], &u64));
	CHECK(!hc_nla_u64(tb[7], &u64));	/* absent */
	CHECK(!hc_nla_str(tb[3], s, sizeof(s)));
	CHECK(!hc_nla_str(tb[4], s, sizeof(s)));
	CHECK(hc_nla_str(tb[5], s, sizeof(s))) && CHECK_STR(s, "vif1.0");
	CHECK(!hc_nla_str(tb[6], s, sizeof(s)));
}
