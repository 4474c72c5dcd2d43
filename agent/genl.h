/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink transport on libnl: socket, family resolution, one
 * request with its (extended) ack, dumps, multicast listening.
 */
#ifndef HC_GENL_H
#define HC_GENL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "extack.h"
#include "model.h"

struct nl_sock;
struct nl_cb;
struct nl_msg;

struct req_ctx;

struct hc_genl {
	struct nl_sock *sk;
	struct nl_cb *cb;
	struct req_ctx *events;	/* set by hc_genl_subscribe */
	struct hc_family fam;
	uint8_t version;	/* genl header version of our requests */
};

struct hc_result {
	bool from_kernel;	/* the kernel refused: ext is its answer */
	struct hc_extack ext;
	char text[512];		/* what went wrong, for "Error: %s" */
	char warning[256];	/* a successful ack's message, if any */
};

/* Called with the attributes after the genl header; a negative return stops. */
typedef int (*hc_reply_fn)(const void *attrs, size_t len, uint8_t cmd, void *arg);

/*
 * Connects and resolves family (and its multicast group, if group is not
 * NULL). Returns 0; -ENOENT if the kernel does not know the family;
 * another negative errno otherwise. res explains failures.
 */
int hc_genl_open(struct hc_genl *g, const char *family, const char *group, uint8_t version,
		 struct hc_result *res);
void hc_genl_close(struct hc_genl *g);

/* A request with the genl header filled in; NULL on allocation failure. */
struct nl_msg *hc_genl_msg(struct hc_genl *g, uint8_t cmd, int flags);

/*
 * Sends msg (and frees it, wiped: it may hold keys), calls fn for each
 * reply, waits for the ack or the end of the dump. Returns 0, or a negative
 * errno with res filled in.
 */
int hc_genl_request(struct hc_genl *g, struct nl_msg *msg, hc_reply_fn fn, void *arg,
		    struct hc_result *res);

/*
 * Joins the group resolved at open and makes the socket non-blocking: from
 * then on the socket only receives events. Returns 0, or a negative errno
 * with res filled in.
 */
int hc_genl_subscribe(struct hc_genl *g, hc_reply_fn fn, void *arg, struct hc_result *res);

/* The socket, for poll(). */
int hc_genl_fd(const struct hc_genl *g);

/*
 * Reads what is pending and calls fn for each event. Returns 0; -ENOBUFS
 * when the kernel dropped events (res says so; the socket stays usable);
 * fn's negative return; or another negative errno with res filled in.
 */
int hc_genl_receive(struct hc_genl *g, struct hc_result *res);

/*
 * Joins the group resolved at open and calls fn for every message until
 * *stop is set (by a signal handler). Returns 0 when stopped, or a
 * negative errno with res filled in.
 */
int hc_genl_listen(struct hc_genl *g, hc_reply_fn fn, void *arg, const volatile sig_atomic_t *stop,
		   struct hc_result *res);

#endif
