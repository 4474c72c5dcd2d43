/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's commands as calls: message builders shared by handoffctl and
 * handoffd, and the synchronous requests handoffd makes.
 */
#ifndef HC_KREQ_H
#define HC_KREQ_H

#include <stdint.h>

#include "args.h"
#include "genl.h"
#include "model.h"

/* Each put returns 0, or -1 when the message is full. */
int hc_put_id_role(struct nl_msg *msg, uint64_t id, uint8_t role);
int hc_put_session_new(struct nl_msg *msg, const struct hc_req *req,
		       const uint8_t tx[HANDOFF_KEY_LEN], const uint8_t rx[HANDOFF_KEY_LEN]);

/*
 * SESSION_NEW from req (id, role, dev if HC_HAVE_DEV, macs, addrs, peer,
 * flags) and the two keys. 0, or a negative errno with res filled in.
 */
int hc_session_new(struct hc_genl *g, const struct hc_req *req,
		   const uint8_t tx[HANDOFF_KEY_LEN], const uint8_t rx[HANDOFF_KEY_LEN],
		   struct hc_result *res);

/*
 * ARM, ATTACH (ifname), ACTIVATE, ABORT, DEL of one session: the role is sent
 * where the command takes it. 0, or a negative errno with res filled in.
 */
int hc_session_cmd(struct hc_genl *g, uint8_t cmd, uint64_t id, uint8_t role,
		   const char *ifname, struct hc_result *res);

/* One session; -ENOENT (from the kernel) when there is none. */
int hc_session_get(struct hc_genl *g, uint64_t id, uint8_t role, struct hc_session *s,
		   struct hc_result *res);

/* Every session of the netns: fn for each, in the kernel's order. */
typedef int (*hc_session_fn)(const struct hc_session *s, void *arg);
int hc_session_dump(struct hc_genl *g, hc_session_fn fn, void *arg, struct hc_result *res);

int hc_get_info(struct hc_genl *g, struct hc_info *info, struct hc_result *res);

#endif
