// SPDX-License-Identifier: GPL-2.0
/* xenvm.c against the fake Xen: good xenstore contents and malformed ones. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xen.h"
#include "xenfake.h"
#include "xenvm.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UUID_A "6f1e3a52-0c4b-4d8e-9a7f-2b3c4d5e6f70"
#define UUID_B "00000000-0000-0000-0000-0000000000b0"

static const uint8_t uuid_a[16] = {
	0x6f, 0x1e, 0x3a, 0x52, 0x0c, 0x4b, 0x4d, 0x8e,
	0x9a, 0x7f, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70,
};

TEST(xenvm_uuid_parse_format)
{
	uint8_t u[16];
	char out[37];

	CHECK_INT(hx_uuid_parse(UUID_A, u), 0) && CHECK_MEM(u, uuid_a, 16);
	hx_uuid_format(u, out);
	CHECK_STR(out, UUID_A);
	CHECK_INT(hx_uuid_parse("6F1E3A52-0C4B-4D8E-9A7F-2B3C4D5E6F70", u), 0) &&
		CHECK_MEM(u, uuid_a, 16);
	memset(u, 0xee, sizeof(u));
	CHECK_INT(hx_uuid_parse("6f1e3a52-0c4b-4d8e-9a7f-2b3c4d5e6f7", u), -EINVAL);
	CHECK_INT(hx_uuid_parse("6f1e3a52-0c4b-4d8e-9a7f-2b3c4d5e6f700", u), -EINVAL);
	CHECK_INT(hx_uuid_parse("6f1e3a520c4b-4d8e-9a7f-2b3c4d5e6f70-", u), -EINVAL);
	CHECK_INT(hx_uuid_parse("6f1e3a52-0c4b-4d8e-9a7f-2b3c4d5e6f7g", u), -EINVAL);
	CHECK_INT(hx_uuid_parse("+f1e3a52-0c4b-4d8e-9a7f-2b3c4d5e6f70", u), -EINVAL);
	CHECK_INT(hx_uuid_parse("", u), -EINVAL);
	CHECK_INT(hx_uuid_parse(NULL, u), -EINVAL);
	CHECK_INT(u[0], 0xee);	/* untouched on failure */
}

TEST(xenvm_mac_parse)
{
	static const uint8_t want[6] = { 0x00, 0x16, 0x3e, 0xab, 0xcd, 0xef };
	uint8_t m[6];

	CHECK_INT(hx_mac_parse("00:16:3e:ab:cd:ef", m), 0) && CHECK_MEM(m, want, 6);
	CHECK_INT(hx_mac_parse("00:16:3E:AB:CD:EF", m), 0) && CHECK_MEM(m, want, 6);
	CHECK_INT(hx_mac_parse("00:16:3e:ab:cd", m), -EINVAL);
	CHECK_INT(hx_mac_parse("00:16:3e:ab:cd:ef:", m), -EINVAL);
	CHECK_INT(hx_mac_parse("0:16:3e:ab:cd:eff", m), -EINVAL);
	CHECK_INT(hx_mac_parse("00-16-3e-ab-cd-ef", m), -EINVAL);
	CHECK_INT(hx_mac_parse("00:16:3e:ab:cd:eg", m), -EINVAL);
	CHECK_INT(hx_mac_parse(NULL, m), -EINVAL);
}

TEST(xenvm_ifname_check)
{
	CHECK_INT(hx_ifname_check("vif5.0"), 0);
	CHECK_INT(hx_ifname_check("abcdefghijklmno"), 0);	/* 15 */
	CHECK_INT(hx_ifname_check("abcdefghijklmnop"), -EINVAL);	/* 16 */
	CHECK_INT(hx_ifname_check(""), -EINVAL);
	CHECK_INT(hx_ifname_check("."), -EINVAL);
	CHECK_INT(hx_ifname_check(".."), -EINVAL);
	CHECK_INT(hx_ifname_check("a/b"), -EINVAL);
	CHECK_INT(hx_ifname_check("a:b"), -EINVAL);
	CHECK_INT(hx_ifname_check("a b"), -EINVAL);
	CHECK_INT(hx_ifname_check("a\tb"), -EINVAL);
}

TEST(xenvm_domain_uuid)
{
	struct hx_xen *x = fake_open();
	char err[256] = "";
	uint8_t u[16];

	if (!x)
		return;
	APPLY(x, "domain new 5 " UUID_A " vm");
	CHECK_INT(hx_domain_uuid(x, 5, u, err, sizeof(err)), 0) && CHECK_MEM(u, uuid_a, 16);
	CHECK_INT(hx_domain_uuid(x, 6, u, err, sizeof(err)), -ENOENT) &&
		CHECK(strstr(err, "/local/domain/6/vm"));
	APPLY(x, "write /local/domain/5/vm /vm/not-a-uuid");
	CHECK_INT(hx_domain_uuid(x, 5, u, err, sizeof(err)), -EINVAL) &&
		CHECK(strstr(err, "/local/domain/5/vm")) && CHECK(strstr(err, "not-a-uuid"));
	APPLY(x, "write /local/domain/5/vm " UUID_A);
	CHECK_INT(hx_domain_uuid(x, 5, u, err, sizeof(err)), -EINVAL);
	APPLY(x, "write /local/domain/5/vm /vm/" UUID_A "-1");
	CHECK_INT(hx_domain_uuid(x, 5, u, NULL, 0), -EINVAL);
	hx_xen_close(x);
}

TEST(xenvm_domain_by_name)
{
	struct hx_xen *x = fake_open();
	char err[256] = "";
	uint32_t id = 0;

	if (!x)
		return;
	APPLY(x, "domain new 5 " UUID_A " web");
	APPLY(x, "domain new 6 " UUID_A " web--incoming");
	CHECK_INT(hx_domain_by_name(x, "web", &id, err, sizeof(err)), 0) && CHECK_INT(id, 5);
	CHECK_INT(hx_domain_by_name(x, "web--incoming", &id, err, sizeof(err)), 0) &&
		CHECK_INT(id, 6);
	CHECK_INT(hx_domain_by_name(x, "Domain-0", &id, err, sizeof(err)), 0) && CHECK_INT(id, 0);
	CHECK_INT(hx_domain_by_name(x, "we", &id, err, sizeof(err)), -ENOENT) &&
		CHECK(strstr(err, "\"we\""));
	APPLY(x, "write /local/domain/6/name web");
	CHECK_INT(hx_domain_by_name(x, "web", &id, err, sizeof(err)), -EEXIST) &&
		CHECK(strstr(err, "2 domains"));
	/* Entries that are not domids are not domains. */
	APPLY(x, "write /local/domain/junk/name db");
	CHECK_INT(hx_domain_by_name(x, "db", &id, err, sizeof(err)), -ENOENT);
	hx_xen_close(x);
}

TEST(xenvm_domain_by_uuid)
{
	struct hx_xen *x = fake_open();
	char err[256] = "";
	uint32_t id = 0;
	uint8_t ub[16];

	if (!x)
		return;
	APPLY(x, "domain new 5 " UUID_A " web");
	APPLY(x, "domain new 9 " UUID_B " other");
	CHECK_INT(hx_domain_by_uuid(x, uuid_a, HX_DOMID_NONE, &id, err, sizeof(err)), 0) &&
		CHECK_INT(id, 5);
	CHECK_INT(hx_domain_by_uuid(x, uuid_a, 5, &id, err, sizeof(err)), -ENOENT) &&
		CHECK(strstr(err, UUID_A));
	/* The incoming domain of a localhost migration. */
	APPLY(x, "domain create 7 " UUID_A " web--incoming");
	CHECK_INT(hx_domain_by_uuid(x, uuid_a, 5, &id, err, sizeof(err)), 0) && CHECK_INT(id, 7);
	CHECK_INT(hx_domain_by_uuid(x, uuid_a, 7, &id, err, sizeof(err)), 0) && CHECK_INT(id, 5);
	CHECK_INT(hx_domain_by_uuid(x, uuid_a, HX_DOMID_NONE, &id, err, sizeof(err)), 0) &&
		CHECK_INT(id, 7);
	CHECK_INT(hx_uuid_parse(UUID_B, ub), 0);
	CHECK_INT(hx_domain_by_uuid(x, ub, 5, &id, err, sizeof(err)), 0) && CHECK_INT(id, 9);

	/* Leftover nodes of a domain the hypervisor no longer has are skipped. */
	APPLY(x, "write /local/domain/12/vm /vm/" UUID_A);
	CHECK_INT(hx_domain_by_uuid(x, uuid_a, 5, &id, err, sizeof(err)), 0) && CHECK_INT(id, 7);
	/* So are other domains' malformed vm nodes and non-domid entries. */
	APPLY(x, "write /local/domain/11/vm garbage");
	APPLY(x, "write /local/domain/x1/vm /vm/" UUID_A);
	CHECK_INT(hx_domain_by_uuid(x, uuid_a, 5, &id, err, sizeof(err)), 0) && CHECK_INT(id, 7);
	/* A dying domain (a destroyed zombie whose nodes linger) is skipped. */
	APPLY(x, "domain destroy 7 dying");
	APPLY(x, "write /local/domain/7/vm /vm/" UUID_A);
	CHECK_INT(hx_domain_by_uuid(x, uuid_a, 5, &id, err, sizeof(err)), -ENOENT);
	CHECK_INT(hx_domain_by_uuid(x, uuid_a, HX_DOMID_NONE, &id, err, sizeof(err)), 0) &&
		CHECK_INT(id, 5);
	hx_xen_close(x);
}

TEST(xenvm_domain_vifs)
{
	struct hx_xen *x = fake_open();
	static const uint8_t mac0[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x01 };
	static const uint8_t mac2[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x03 };
	struct hx_vif v[HX_MAX_VIFS];
	char err[256] = "";
	unsigned int n = 99;

	if (!x)
		return;
	APPLY(x, "domain new 5 " UUID_A " web");
	CHECK_INT(hx_domain_vifs(x, 5, v, HX_MAX_VIFS, &n, err, sizeof(err)), 0) &&
		CHECK_INT(n, 0);
	/* No device/ at all (e.g. gone): no vifs either. */
	CHECK_INT(hx_domain_vifs(x, 44, v, HX_MAX_VIFS, &n, err, sizeof(err)), 0) &&
		CHECK_INT(n, 0);

	APPLY(x, "vif 5 10 00:16:3e:00:00:03 web.ten");
	APPLY(x, "vif 5 0 00:16:3e:00:00:01");
	APPLY(x, "vif 5 2 00:16:3e:00:00:02");
	APPLY(x, "write /local/domain/0/backend/vif/5/0/ip 10.0.0.5 fd00::5");
	if (CHECK_INT(hx_domain_vifs(x, 5, v, HX_MAX_VIFS, &n, err, sizeof(err)), 0) &&
	    CHECK_INT(n, 3)) {
		CHECK_INT(v[0].devid, 0);
		CHECK_INT(v[0].backend_id, 0);
		CHECK_MEM(v[0].mac, mac0, 6);
		CHECK_STR(v[0].ifname, "vif5.0");
		CHECK_STR(v[0].kname, "vif5.0");
		CHECK_STR(v[0].backend, "/local/domain/0/backend/vif/5/0");
		CHECK_STR(v[0].ip, "10.0.0.5 fd00::5");
		CHECK_INT(v[1].devid, 2);
		CHECK_STR(v[1].ifname, "vif5.2");
		CHECK_STR(v[1].ip, "");
		CHECK_INT(v[2].devid, 10);
		CHECK_STR(v[2].ifname, "web.ten");
		CHECK_STR(v[2].kname, "vif5.10");
		CHECK_MEM(v[2].mac, mac2, 6);
	}
	CHECK_INT(hx_domain_vifs(x, 5, v, 2, &n, err, sizeof(err)), -E2BIG) && CHECK_INT(n, 0) &&
		CHECK(strstr(err, "3 vifs"));
	hx_xen_close(x);
}

TEST(xenvm_vif_name_as_netback_makes_it)
{
	struct hx_xen *x = fake_open();
	struct hx_vif v[1];
	char err[256] = "";
	unsigned int n = 0;

	if (!x)
		return;
	/* netback: snprintf(name, IFNAMSIZ - 1, "vif%u.%u", domid, handle): 14 characters. */
	APPLY(x, "domain new 32751 " UUID_A " web");
	APPLY(x, "vif 32751 0 00:16:3e:00:00:01");
	APPLY(x, "write /local/domain/0/backend/vif/32751/0/handle 123456");
	CHECK_INT(hx_domain_vifs(x, 32751, v, 1, &n, err, sizeof(err)), 0) &&
		CHECK_STR(v[0].ifname, "vif32751.12345") && CHECK_STR(v[0].kname, "vif32751.12345");
	APPLY(x, "rm /local/domain/0/backend/vif/32751/0/handle");
	CHECK_INT(hx_domain_vifs(x, 32751, v, 1, &n, err, sizeof(err)), -ENOENT) &&
		CHECK(strstr(err, "handle"));
	APPLY(x, "write /local/domain/0/backend/vif/32751/0/handle 01");
	CHECK_INT(hx_domain_vifs(x, 32751, v, 1, &n, err, sizeof(err)), -EINVAL);
	hx_xen_close(x);
}

struct bad_vif {
	const char *cmd;	/* applied to a fresh domain 5 with vif 0 (and domain 6, vif 0) */
	int ret;
	const char *msg;	/* part of the error message */
};

static const struct bad_vif bad_vifs[] = {
	/* The frontend is the guest's: its backend node may point anywhere. */
	{ "write /local/domain/5/device/vif/0/backend /local/domain/0/backend/vif/6/0", -EINVAL,
	  "not /local/domain/<id>/backend/vif/5/0" },
	{ "write /local/domain/5/device/vif/0/backend /local/domain/0/backend/vbd/5/0", -EINVAL,
	  "backend/vbd" },
	{ "write /local/domain/5/device/vif/0/backend /local/domain/0/backend/vif/5/0/x", -EINVAL,
	  "not /local/domain" },
	{ "write /local/domain/5/device/vif/0/backend /local/domainx/0/backend/vif/5/0", -EINVAL,
	  "not /local/domain" },
	{ "write /local/domain/5/device/vif/0/backend /local/domain/00/backend/vif/5/0", -EINVAL,
	  "not /local/domain" },
	{ "write /local/domain/5/device/vif/0/backend /local/domain//backend/vif/5/0", -EINVAL,
	  "not /local/domain" },
	{ "write /local/domain/5/device/vif/0/backend", -EINVAL, "not /local/domain" },
	{ "rm /local/domain/5/device/vif/0/backend", -ENOENT, "device/vif/0/backend" },
	/* A backend directory that does not point back at this frontend. */
	{ "write /local/domain/0/backend/vif/5/0/frontend /local/domain/6/device/vif/0", -EINVAL,
	  "/frontend is" },
	{ "write /local/domain/0/backend/vif/5/0/frontend-id 6", -EINVAL, "frontend-id" },
	{ "write /local/domain/0/backend/vif/5/0/frontend-id 5x", -EINVAL, "frontend-id" },
	{ "rm /local/domain/0/backend/vif/5/0", -ENOENT, "/frontend" },
	{ "rm /local/domain/0/backend/vif/5/0/frontend-id", -ENOENT, "frontend-id" },
	/* Contents. */
	{ "write /local/domain/0/backend/vif/5/0/mac 00:16:3e:00:00", -EINVAL, "not a unicast MAC" },
	{ "write /local/domain/0/backend/vif/5/0/mac 01:00:5e:00:00:01", -EINVAL, "unicast" },
	{ "write /local/domain/0/backend/vif/5/0/mac 00:00:00:00:00:00", -EINVAL, "unicast" },
	{ "rm /local/domain/0/backend/vif/5/0/mac", -ENOENT, "/mac" },
	{ "rm /local/domain/0/backend/vif/5/0/handle", -ENOENT, "/handle" },
	{ "write /local/domain/0/backend/vif/5/0/handle -1", -EINVAL, "not a number" },
	{ "write /local/domain/0/backend/vif/5/0/vifname abcdefghijklmnop", -EINVAL,
	  "not a netdev name" },
	{ "write /local/domain/0/backend/vif/5/0/vifname a/b", -EINVAL, "vifname" },
	{ "write /local/domain/0/backend/vif/5/0/vifname", -EINVAL, "vifname" },
	{ "write /local/domain/0/backend/vif/5/0/ip 10.0.0.1;reboot", -EINVAL, "addresses" },
	{ "write /local/domain/0/backend/vif/5/0/ip "
	  "1111:2222:3333:4444:5555:6666:7777:8888 1111:2222:3333:4444:5555:6666:7777:8888 "
	  "1111:2222:3333:4444:5555:6666:7777:8888 1111:2222:3333:4444:5555:6666:7777:8888",
	  -EINVAL, "too long" },
	{ "write /local/domain/5/device/vif/zero/backend /local/domain/0/backend/vif/5/0", -EINVAL,
	  "not a device id" },
	{ "write /local/domain/5/device/vif/01/backend /local/domain/0/backend/vif/5/1", -EINVAL,
	  "not a device id" },
};

TEST(xenvm_domain_vifs_refuses_malformed)
{
	struct hx_vif v[HX_MAX_VIFS];
	unsigned int i, n;
	char err[256];

	for (i = 0; i < ARRAY_SIZE(bad_vifs); i++) {
		const struct bad_vif *b = &bad_vifs[i];
		struct hx_xen *x = fake_open();
		int r;

		if (!x)
			return;
		APPLY(x, "domain new 5 " UUID_A " web");
		APPLY(x, "domain new 6 " UUID_B " other");
		APPLY(x, "vif 5 0 00:16:3e:00:00:01");
		APPLY(x, "vif 6 0 00:16:3e:00:00:02");
		CHECK_INT(hx_domain_vifs(x, 5, v, HX_MAX_VIFS, &n, err, sizeof(err)), 0);
		APPLY(x, b->cmd);
		err[0] = '\0';
		n = 99;
		r = hx_domain_vifs(x, 5, v, HX_MAX_VIFS, &n, err, sizeof(err));
		if (r != b->ret || !strstr(err, b->msg) || n != 0)
			hc_check_fail(__FILE__, __LINE__, "after \"%s\": %d \"%s\" n=%u, want %d \"%s\"",
				      b->cmd, r, err, n, b->ret, b->msg);
		hx_xen_close(x);
	}
}

TEST(xenvm_shutdown_request)
{
	struct hx_xen *x = fake_open();
	char val[16], err[256] = "";

	if (!x)
		return;
	APPLY(x, "domain new 5 " UUID_A " web");
	strcpy(val, "junk");
	CHECK_INT(hx_shutdown_request(x, 5, val, sizeof(val), err, sizeof(err)), 0) &&
		CHECK_STR(val, "");
	APPLY(x, "write /local/domain/5/control/shutdown suspend");
	CHECK_INT(hx_shutdown_request(x, 5, val, sizeof(val), err, sizeof(err)), 0) &&
		CHECK_STR(val, "suspend");
	CHECK_INT(hx_shutdown_request(x, 5, val, 7, err, sizeof(err)), -ENAMETOOLONG) &&
		CHECK(strstr(err, "control/shutdown"));
	CHECK_INT(hx_shutdown_request(x, 5, val, 8, err, sizeof(err)), 0);
	APPLY(x, "rm /local/domain/5/control/shutdown");
	strcpy(val, "junk");
	CHECK_INT(hx_shutdown_request(x, 5, val, sizeof(val), err, sizeof(err)), 0) &&
		CHECK_STR(val, "");
	CHECK_INT(hx_shutdown_request(x, 6, val, sizeof(val), err, sizeof(err)), -ESRCH) &&
		CHECK(strstr(err, "/local/domain/6"));
	hx_xen_close(x);
}
