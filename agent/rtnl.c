// SPDX-License-Identifier: GPL-2.0
#include "rtnl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct hd_rtnl {
	struct mnl_socket *nl;
	char buf[16384];	/* >= MNL_SOCKET_BUFFER_SIZE (a page, capped at 8 KiB) */
};

struct hd_rtnl *hd_rtnl_open(char *err, size_t errlen)
{
	struct hd_rtnl *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!r->nl || mnl_socket_bind(r->nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "rtnetlink: %s", strerror(errno));
		hd_rtnl_close(r);
		return NULL;
	}
	return r;
}

void hd_rtnl_close(struct hd_rtnl *r)
{
	if (!r)
		return;
	if (r->nl)
		mnl_socket_close(r->nl);
	free(r);
}

int hd_rtnl_fd(const struct hd_rtnl *r)
{
	return mnl_socket_get_fd(r->nl);
}

struct link_cb {
	void (*fn)(const char *ifname, void *arg);
	void *arg;
};

static int on_attr(const struct nlattr *a, void *data)
{
	const char **name = data;

	if (mnl_attr_get_type(a) == IFLA_IFNAME &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0 &&
	    mnl_attr_get_payload_len(a) <= IFNAMSIZ)
		*name = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	struct link_cb *cb = data;
	const char *name = NULL;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(struct ifinfomsg), on_attr, &name) < 0)
		return MNL_CB_OK;	/* malformed: not ours to judge */
	if (name)
		cb->fn(name, cb->arg);
	return MNL_CB_OK;
}

int hd_rtnl_receive(struct hd_rtnl *r, void (*fn)(const char *ifname, void *arg), void *arg)
{
	struct link_cb cb = { .fn = fn, .arg = arg };
	ssize_t n;

	for (;;) {
		n = mnl_socket_recvfrom(r->nl, r->buf, sizeof(r->buf));
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		if (mnl_cb_run(r->buf, (size_t)n, 0, 0, on_msg, &cb) < 0 && errno != ESRCH)
			return -errno;
	}
}
