/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The keyword arguments of the session verbs ("id 0x12 role source ..."),
 * checked and collected into a request. Pure: key files are only named here.
 */
#ifndef HC_ARGS_H
#define HC_ARGS_H

#include <linux/handoff.h>
#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "parse.h"

enum hc_verb {
	HC_VERB_SHOW,
	HC_VERB_ADD,
	HC_VERB_DEL,
	HC_VERB_ARM,
	HC_VERB_ATTACH,
	HC_VERB_ACTIVATE,
	HC_VERB_ABORT,
	HC_VERB_COUNT
};

enum {
	HC_HAVE_ID = 1 << 0,
	HC_HAVE_ROLE = 1 << 1,
	HC_HAVE_DEV = 1 << 2,
	HC_HAVE_PEER = 1 << 3,
	HC_HAVE_TX_KEY = 1 << 4,
	HC_HAVE_RX_KEY = 1 << 5,
};

struct hc_req {
	unsigned int have;	/* HC_HAVE_* */
	uint64_t id;
	uint8_t role;
	char dev[IF_NAMESIZE];
	unsigned int nmacs, naddrs;
	uint8_t macs[HANDOFF_MAX_MACS][HC_ETH_ALEN];
	struct hc_addr addrs[HANDOFF_MAX_ADDRS];
	struct sockaddr_storage peer;
	socklen_t peer_len;
	const char *tx_key, *rx_key;	/* paths, borrowed from argv */
	uint32_t flags;
};

/* "show", "add", ...; NULL if out of range. */
const char *hc_verb_name(enum hc_verb v);
/* Returns the verb, or -1. */
int hc_verb_parse(const char *s);

/*
 * Parses argv[0..argc) for verb v. Returns 0, or -EINVAL with a message
 * naming the offending argument and the reason in err.
 */
int hc_args_parse(enum hc_verb v, int argc, char *const *argv, struct hc_req *req,
		  char *err, size_t errlen);

#endif
