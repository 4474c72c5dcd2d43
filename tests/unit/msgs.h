/* SPDX-License-Identifier: GPL-2.0 */
/* Valid agent-to-agent messages of every type, for the proto and channel tests. */
#ifndef HD_TEST_MSGS_H
#define HD_TEST_MSGS_H

#include <string.h>
#include <sys/socket.h>

#include "proto.h"

static inline void test_msg(struct hd_msg *m, uint8_t type)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->type = type;
	if (type == HD_MSG_AUTH) {
		memset(m->nonce, 0xa5, sizeof(m->nonce));
		return;
	}
	for (i = 0; i < 16; i++)
		m->uuid[i] = (uint8_t)(0x10 + i);
	switch (type) {
	case HD_MSG_OFFER:
		strcpy(m->name, "guest-1");
		m->naddrs = 2;
		m->addrs[0].family = AF_INET;
		memcpy(m->addrs[0].addr, "\xc0\x00\x02\x07", 4);
		m->addrs[1].family = AF_INET6;
		memcpy(m->addrs[1].addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07", 16);
		/* fallthrough */
	case HD_MSG_ACCEPT:
		for (i = 0; i < sizeof(m->nonce); i++)
			m->nonce[i] = (uint8_t)(type * 7 + i);
		m->tunnel_port = 51820;
		m->nvifs = 2;
		m->vifs[0] = (struct hd_vif_offer){ 0x1122334455667788ull, 0, { 0, 0x16, 0x3e, 1, 2, 3 } };
		m->vifs[1] = (struct hd_vif_offer){ 42, 1, { 0, 0x16, 0x3e, 1, 2, 4 } };
		break;
	case HD_MSG_REJECT:
	case HD_MSG_ABORT:
		m->status = 95;
		strcpy(m->reason, "no such VM here");
		break;
	case HD_MSG_DONE:
		m->status = 0;
		break;
	case HD_MSG_WANT:
		break;	/* the uuid only */
	}
}

#endif
