/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Extended acks (NETLINK_EXT_ACK): parsing the TLVs of an NLMSG_ERROR or
 * NLMSG_DONE message, and naming the request attribute they point at. Pure.
 */
#ifndef HC_EXTACK_H
#define HC_EXTACK_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hc_extack {
	int error;		/* positive errno; 0 for a successful ack */
	bool has_msg, has_offs, has_miss_type, has_miss_nest, has_policy;
	char msg[256];		/* NLMSGERR_ATTR_MSG */
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS, from the request's nlmsghdr */
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE */
	uint32_t miss_nest;	/* NLMSGERR_ATTR_MISS_NEST, an offset like offs */
	char policy[160];	/* NLMSGERR_ATTR_POLICY, described: "u8, range 1..2" */
};

/* Parses nlh (len bytes available). Returns 0, or -EINVAL if malformed. */
int hc_extack_parse(const struct nlmsghdr *nlh, size_t len, struct hc_extack *ext);

/*
 * Names the attribute starting at (or, failing that, containing) byte offs
 * of req, a whole request with a hdrlen-byte family header, e.g.
 * "HANDOFF_A_MAC (entry 2 of HANDOFF_A_MACS)". Returns 0, or -ENOENT.
 */
int hc_extack_attr_at(const void *req, size_t reqlen, size_t hdrlen, uint32_t offs,
		      char *buf, size_t len);

/*
 * "<strerror>[: attribute NAME][: missing attribute NAME][: MSG][ (expected POLICY)]".
 * req may be NULL (offsets then print as numbers).
 */
void hc_extack_format(const struct hc_extack *ext, const void *req, size_t reqlen,
		      size_t hdrlen, char *buf, size_t len);

#endif
