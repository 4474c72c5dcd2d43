// SPDX-License-Identifier: GPL-2.0
#include "kreq.h"

#include <errno.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"

int hc_put_id_role(struct nl_msg *msg, uint64_t id, uint8_t role)
{
	if (nla_put_u64(msg, HANDOFF_A_SESSION_ID, id) < 0)
		return -1;
	if (role && nla_put_u8(msg, HANDOFF_A_ROLE, role) < 0)
		return -1;
	return 0;
}

static int put_addrs(struct nl_msg *msg, const struct hc_req *req)
{
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(msg, HANDOFF_A_ADDRS | NLA_F_NESTED);
	if (!nest)
		return -1;
	for (i = 0; i < req->naddrs; i++) {
		const struct hc_addr *a = &req->addrs[i];
		int r = a->family == AF_INET ?
			nla_put(msg, HANDOFF_A_ADDR_IN, sizeof(a->in), &a->in) :
			nla_put(msg, HANDOFF_A_ADDR_IN6, sizeof(a->in6), &a->in6);

		if (r < 0)
			return -1;
	}
	nla_nest_end(msg, nest);
	return 0;
}

int hc_put_session_new(struct nl_msg *msg, const struct hc_req *req,
		       const uint8_t tx[HANDOFF_KEY_LEN], const uint8_t rx[HANDOFF_KEY_LEN])
{
	struct nlattr *nest;
	unsigned int i;

	if (hc_put_id_role(msg, req->id, req->role))
		return -1;
	if ((req->have & HC_HAVE_DEV) && nla_put_string(msg, HANDOFF_A_IFNAME, req->dev) < 0)
		return -1;
	/* Strict kernel policies want NLA_F_NESTED on nests. */
	nest = nla_nest_start(msg, HANDOFF_A_MACS | NLA_F_NESTED);
	if (!nest)
		return -1;
	for (i = 0; i < req->nmacs; i++)
		if (nla_put(msg, HANDOFF_A_MAC, HC_ETH_ALEN, req->macs[i]) < 0)
			return -1;
	nla_nest_end(msg, nest);
	if (req->naddrs && put_addrs(msg, req))
		return -1;
	if (nla_put(msg, HANDOFF_A_PEER, (int)req->peer_len, &req->peer) < 0 ||
	    nla_put(msg, HANDOFF_A_TX_KEY, HANDOFF_KEY_LEN, tx) < 0 ||
	    nla_put(msg, HANDOFF_A_RX_KEY, HANDOFF_KEY_LEN, rx) < 0)
		return -1;
	if (req->flags && nla_put_u32(msg, HANDOFF_A_FLAGS, req->flags) < 0)
		return -1;
	return 0;
}

static int no_memory(struct nl_msg *msg, struct hc_result *res)
{
	if (msg) {
		struct nlmsghdr *nlh = nlmsg_hdr(msg);

		explicit_bzero(nlh, nlh->nlmsg_len);	/* may hold keys */
		nlmsg_free(msg);
	}
	memset(res, 0, sizeof(*res));
	snprintf(res->text, sizeof(res->text), "building the request failed (out of memory)");
	return -ENOMEM;
}

int hc_session_new(struct hc_genl *g, const struct hc_req *req,
		   const uint8_t tx[HANDOFF_KEY_LEN], const uint8_t rx[HANDOFF_KEY_LEN],
		   struct hc_result *res)
{
	struct nl_msg *msg = hc_genl_msg(g, HANDOFF_CMD_SESSION_NEW, 0);

	if (!msg || hc_put_session_new(msg, req, tx, rx))
		return no_memory(msg, res);
	return hc_genl_request(g, msg, NULL, NULL, res);
}

int hc_session_cmd(struct hc_genl *g, uint8_t cmd, uint64_t id, uint8_t role,
		   const char *ifname, struct hc_result *res)
{
	bool with_role = cmd == HANDOFF_CMD_SESSION_DEL || cmd == HANDOFF_CMD_SESSION_ABORT;
	struct nl_msg *msg = hc_genl_msg(g, cmd, 0);

	if (!msg || hc_put_id_role(msg, id, with_role ? role : 0))
		return no_memory(msg, res);
	if (ifname && nla_put_string(msg, HANDOFF_A_IFNAME, ifname) < 0)
		return no_memory(msg, res);
	return hc_genl_request(g, msg, NULL, NULL, res);
}

struct get_arg {
	struct hc_session *one;
	hc_session_fn fn;
	void *arg;
	const char *why;
	bool got;
};

static int on_session(const void *attrs, size_t len, uint8_t cmd, void *arg)
{
	struct get_arg *ga = arg;
	struct hc_session s, *dst = ga->one ? ga->one : &s;

	(void)cmd;
	if (hc_decode_session(attrs, len, dst, &ga->why))
		return -EPROTO;
	ga->got = true;
	return ga->fn ? ga->fn(dst, ga->arg) : 0;
}

static int finish_get(int r, struct get_arg *ga, struct hc_result *res)
{
	if (r == -EPROTO && ga->why)
		snprintf(res->text, sizeof(res->text), "malformed reply from the kernel: %s",
			 ga->why);
	return r;
}

int hc_session_get(struct hc_genl *g, uint64_t id, uint8_t role, struct hc_session *s,
		   struct hc_result *res)
{
	struct get_arg ga = { .one = s };
	struct nl_msg *msg = hc_genl_msg(g, HANDOFF_CMD_SESSION_GET, 0);
	int r;

	if (!msg || hc_put_id_role(msg, id, role))
		return no_memory(msg, res);
	r = finish_get(hc_genl_request(g, msg, on_session, &ga, res), &ga, res);
	if (!r && !ga.got) {
		snprintf(res->text, sizeof(res->text), "the kernel acknowledged but sent no session");
		return -EPROTO;
	}
	return r;
}

int hc_session_dump(struct hc_genl *g, hc_session_fn fn, void *arg, struct hc_result *res)
{
	struct get_arg ga = { .fn = fn, .arg = arg };
	struct nl_msg *msg = hc_genl_msg(g, HANDOFF_CMD_SESSION_GET, NLM_F_DUMP);

	if (!msg)
		return no_memory(msg, res);
	return finish_get(hc_genl_request(g, msg, on_session, &ga, res), &ga, res);
}

struct info_arg {
	struct hc_info *info;
	const char *why;
	bool got;
};

static int on_info(const void *attrs, size_t len, uint8_t cmd, void *arg)
{
	struct info_arg *ia = arg;

	(void)cmd;
	if (hc_decode_info(attrs, len, ia->info, &ia->why))
		return -EPROTO;
	ia->got = true;
	return 0;
}

int hc_get_info(struct hc_genl *g, struct hc_info *info, struct hc_result *res)
{
	struct info_arg ia = { .info = info };
	struct nl_msg *msg = hc_genl_msg(g, HANDOFF_CMD_GET_INFO, 0);
	int r;

	if (!msg)
		return no_memory(msg, res);
	r = hc_genl_request(g, msg, on_info, &ia, res);
	info->genl_version = g->fam.version;
	if (r == -EPROTO && ia.why)
		snprintf(res->text, sizeof(res->text), "malformed reply from the kernel: %s", ia.why);
	if (!r && !ia.got) {
		snprintf(res->text, sizeof(res->text), "the kernel acknowledged but sent no reply");
		return -EPROTO;
	}
	return r;
}
