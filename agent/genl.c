// SPDX-License-Identifier: GPL-2.0
#include "genl.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decode.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

struct req_ctx {
	hc_reply_fn fn;
	void *arg;
	int fn_err;		/* fn's negative return */
	bool done, refused, malformed;
	struct hc_extack ext;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct req_ctx *ctx = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	const struct genlmsghdr *gh;
	int r;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
		ctx->malformed = true;
		return NL_STOP;
	}
	gh = nlmsg_data(nlh);
	if (!ctx->fn)
		return NL_OK;
	r = ctx->fn((const char *)gh + GENL_HDRLEN, nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN,
		    gh->cmd, ctx->arg);
	if (r < 0) {
		ctx->fn_err = r;
		return NL_STOP;
	}
	return NL_OK;
}

/* libnl hands us the nlmsgerr; the TLVs need the whole message around it. */
static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct req_ctx *ctx = arg;
	const struct nlmsghdr *nlh = (const void *)((const char *)e - NLMSG_HDRLEN);

	(void)nla;
	if (hc_extack_parse(nlh, nlh->nlmsg_len, &ctx->ext)) {
		memset(&ctx->ext, 0, sizeof(ctx->ext));
		ctx->ext.error = e->error < 0 ? -e->error : e->error;
	}
	ctx->refused = ctx->ext.error != 0;
	ctx->done = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct req_ctx *ctx = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	hc_extack_parse(nlh, nlh->nlmsg_len, &ctx->ext);	/* for a warning */
	ctx->done = true;
	return NL_STOP;
}

/* A dump ends with NLMSG_DONE, which carries the dump's error, if any. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct req_ctx *ctx = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (!hc_extack_parse(nlh, nlh->nlmsg_len, &ctx->ext))
		ctx->refused = ctx->ext.error != 0;
	ctx->done = true;
	return NL_STOP;
}

static int on_seq_any(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static void set_callbacks(struct hc_genl *g, struct req_ctx *ctx)
{
	nl_cb_set(g->cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, ctx);
	nl_cb_set(g->cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, ctx);
	nl_cb_set(g->cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, ctx);
	nl_cb_err(g->cb, NL_CB_CUSTOM, on_error, ctx);
}

static int local_error(struct hc_result *res, int nlerr, const char *what)
{
	res->from_kernel = false;
	snprintf(res->text, sizeof(res->text), "%s: %s", what, nl_geterror(nlerr));
	return -EIO;
}

static void wipe_free(struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	explicit_bzero(nlh, nlh->nlmsg_len);
	nlmsg_free(msg);
}

struct nl_msg *hc_genl_msg(struct hc_genl *g, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, g->fam.id, 0, flags, cmd, g->version)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int hc_genl_request(struct hc_genl *g, struct nl_msg *msg, hc_reply_fn fn, void *arg,
		    struct hc_result *res)
{
	struct req_ctx ctx = { .fn = fn, .arg = arg };
	const struct nlmsghdr *req;
	int r;

	memset(res, 0, sizeof(*res));
	set_callbacks(g, &ctx);
	r = nl_send_auto(g->sk, msg);
	if (r < 0) {
		wipe_free(msg);
		return local_error(res, r, "sending the request");
	}
	req = nlmsg_hdr(msg);

	while (!ctx.done && !ctx.fn_err && !ctx.malformed) {
		r = nl_recvmsgs(g->sk, g->cb);
		if (ctx.done || ctx.fn_err || ctx.malformed)
			break;
		if (r < 0) {
			wipe_free(msg);
			return local_error(res, r, "receiving the reply");
		}
	}

	r = 0;
	if (ctx.refused) {
		res->from_kernel = true;
		res->ext = ctx.ext;
		/*
		 * With NETLINK_CAP_ACK the kernel does not echo the request: use
		 * ours. Attribute names are handoff's; the controller's are not.
		 */
		if (req->nlmsg_type == GENL_ID_CTRL)
			hc_extack_format(&ctx.ext, NULL, 0, GENL_HDRLEN, res->text,
					 sizeof(res->text));
		else
			hc_extack_format(&ctx.ext, req, req->nlmsg_len, GENL_HDRLEN, res->text,
					 sizeof(res->text));
		r = -ctx.ext.error;
	} else if (ctx.malformed) {
		snprintf(res->text, sizeof(res->text), "malformed reply from the kernel");
		r = -EPROTO;
	} else if (ctx.fn_err) {
		r = ctx.fn_err;	/* fn filled res->text through its arg, if it wants */
	} else if (ctx.ext.has_msg) {
		snprintf(res->warning, sizeof(res->warning), "%s", ctx.ext.msg);
	}
	wipe_free(msg);
	return r;
}

struct family_arg {
	const char *group;
	struct hc_family fam;
	bool found;
	const char *why;
};

static int on_family(const void *attrs, size_t len, uint8_t cmd, void *arg)
{
	struct family_arg *fa = arg;

	(void)cmd;
	if (hc_decode_family(attrs, len, fa->group, &fa->fam, &fa->why))
		return -EPROTO;
	fa->found = true;
	return 0;
}

int hc_genl_open(struct hc_genl *g, const char *family, const char *group, uint8_t version,
		 struct hc_result *res)
{
	struct family_arg fa = { .group = group };
	struct nl_msg *msg;
	int one = 1, r;

	memset(g, 0, sizeof(*g));
	memset(res, 0, sizeof(*res));
	/* Our own callback set: NLCB=debug in the environment must not dump keys. */
	g->cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!g->cb)
		return local_error(res, -NLE_NOMEM, "allocating netlink callbacks");
	g->sk = nl_socket_alloc_cb(g->cb);
	if (!g->sk) {
		hc_genl_close(g);
		return local_error(res, -NLE_NOMEM, "allocating a netlink socket");
	}
	r = genl_connect(g->sk);
	if (r < 0) {
		hc_genl_close(g);
		return local_error(res, r, "opening a generic netlink socket");
	}
	nl_socket_enable_msg_peek(g->sk);
	/* Best effort: older kernels lack them and still work. */
	setsockopt(nl_socket_get_fd(g->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/* Error acks would otherwise echo the request, keys included. */
	setsockopt(nl_socket_get_fd(g->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	g->fam.id = GENL_ID_CTRL;
	g->version = 1;
	msg = hc_genl_msg(g, CTRL_CMD_GETFAMILY, 0);
	if (!msg || nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, family) < 0) {
		if (msg)
			nlmsg_free(msg);
		hc_genl_close(g);
		return local_error(res, -NLE_NOMEM, "building the family request");
	}
	r = hc_genl_request(g, msg, on_family, &fa, res);
	if (r == -ENOENT && res->from_kernel) {
		snprintf(res->text, sizeof(res->text),
			 "%s module not loaded (generic netlink family \"%s\" not found)",
			 family, family);
		hc_genl_close(g);
		return -ENOENT;
	}
	if (!r && !fa.found)
		r = -EPROTO;
	if (r) {
		if (r == -EPROTO && !res->from_kernel)
			snprintf(res->text, sizeof(res->text),
				 "malformed reply from the generic netlink controller: %s",
				 fa.why ? fa.why : "no family");
		hc_genl_close(g);
		return r;
	}
	g->fam = fa.fam;
	g->version = version;
	return 0;
}

void hc_genl_close(struct hc_genl *g)
{
	if (g->sk)
		nl_socket_free(g->sk);
	if (g->cb)
		nl_cb_put(g->cb);
	free(g->events);
	g->sk = NULL;
	g->cb = NULL;
	g->events = NULL;
}

int hc_genl_subscribe(struct hc_genl *g, hc_reply_fn fn, void *arg, struct hc_result *res)
{
	int r;

	memset(res, 0, sizeof(*res));
	if (!g->fam.group) {
		snprintf(res->text, sizeof(res->text), "the family has no such multicast group");
		return -ENOENT;
	}
	if (!g->events) {
		g->events = calloc(1, sizeof(*g->events));
		if (!g->events) {
			snprintf(res->text, sizeof(res->text), "out of memory");
			return -ENOMEM;
		}
	}
	g->events->fn = fn;
	g->events->arg = arg;
	set_callbacks(g, g->events);
	/* Events are not answers to our requests. */
	nl_cb_set(g->cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, on_seq_any, NULL);
	r = nl_socket_add_membership(g->sk, (int)g->fam.group);
	if (r < 0)
		return local_error(res, r, "joining the events group");
	/* Bursts of transitions (many sessions) should not overrun us. */
	nl_socket_set_buffer_size(g->sk, 1 << 20, 0);
	r = nl_socket_set_nonblocking(g->sk);
	if (r < 0)
		return local_error(res, r, "setting the socket non-blocking");
	return 0;
}

int hc_genl_fd(const struct hc_genl *g)
{
	return nl_socket_get_fd(g->sk);
}

int hc_genl_receive(struct hc_genl *g, struct hc_result *res)
{
	struct req_ctx *ctx = g->events;
	int r;

	memset(res, 0, sizeof(*res));
	ctx->fn_err = 0;
	ctx->malformed = false;
	r = nl_recvmsgs(g->sk, g->cb);
	if (ctx->fn_err)
		return ctx->fn_err;
	if (ctx->malformed) {
		snprintf(res->text, sizeof(res->text), "malformed event from the kernel");
		return -EPROTO;
	}
	if (r == -NLE_AGAIN || r == -NLE_INTR || r >= 0)
		return 0;
	if (r == -NLE_NOMEM) {
		/* ENOBUFS: the kernel dropped events. */
		snprintf(res->text, sizeof(res->text), "receive buffer overrun, events were lost");
		return -ENOBUFS;
	}
	return local_error(res, r, "receiving events");
}

int hc_genl_listen(struct hc_genl *g, hc_reply_fn fn, void *arg, const volatile sig_atomic_t *stop,
		   struct hc_result *res)
{
	struct pollfd pfd;
	int r;

	r = hc_genl_subscribe(g, fn, arg, res);
	if (r)
		return r;
	pfd.fd = hc_genl_fd(g);
	pfd.events = POLLIN;
	while (!*stop) {
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			snprintf(res->text, sizeof(res->text), "poll: %s", strerror(errno));
			return -errno;
		}
		r = hc_genl_receive(g, res);
		if (r == -ENOBUFS) {
			fprintf(stderr, "Warning: %s\n", res->text);
			continue;
		}
		if (r)
			return r;
	}
	return 0;
}
