/* SPDX-License-Identifier: GPL-2.0 */
/*
 * New netdevs, from rtnetlink (libmnl): the destination vif appears (or is
 * renamed by the hotplug script) after the incoming domain's xenstore nodes,
 * and a session can only be attached to a device that exists.
 */
#ifndef HD_RTNL_H
#define HD_RTNL_H

#include <stddef.h>

struct hd_rtnl;

/* Joins RTNLGRP_LINK. NULL with err set. */
struct hd_rtnl *hd_rtnl_open(char *err, size_t errlen);
void hd_rtnl_close(struct hd_rtnl *r);
int hd_rtnl_fd(const struct hd_rtnl *r);

/*
 * Reads what is pending; fn gets the name of each new or renamed device.
 * 0; -ENOBUFS when the kernel dropped notifications (rescan); else -errno.
 */
int hd_rtnl_receive(struct hd_rtnl *r, void (*fn)(const char *ifname, void *arg), void *arg);

#endif
