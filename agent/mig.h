/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The migration engine of handoffd: one record per migrating VM and role,
 * driven by events (a control request, an agent message, a xenstore watch,
 * a netdev appearing, a module event, the clock) and acting through
 * struct hd_ops, so the unit tests can drive it with fakes.
 *
 * Source:  OFFERED --accept--> READY --suspend--> ARMED --domain gone--> ENDING
 *          (any) --resumed / migrate-end failed / reject--> ABORTING
 * Dest:    WAITING (sessions made, domain not seen) --vifs attached--> ATTACHED
 *          --module activates--> ACTIVE; --abort--> ABORTING
 * A record ends when the module has ended (DONE/ABORTED/EXPIRED) and deleted
 * every session of it.
 */
#ifndef HD_MIG_H
#define HD_MIG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "args.h"
#include "config.h"
#include "model.h"
#include "proto.h"
#include "xen.h"

enum hd_mig_state {
	HD_MIG_OFFERED,
	HD_MIG_READY,
	HD_MIG_ARMED,
	HD_MIG_WAITING,
	HD_MIG_ATTACHED,
	HD_MIG_ACTIVE,
	HD_MIG_ENDING,
	HD_MIG_ABORTING,
};

struct hd_mig_vif {
	uint64_t id;			/* the session id */
	uint32_t devid;
	uint8_t mac[6];
	char ifname[16];		/* "" until known (dest) */
	bool made;			/* the module has the session */
	bool attached;			/* dest: attached to ifname */
	bool ended;			/* the module ended it (done/aborted/expired) */
	uint8_t kstate;			/* last state the module reported */
};

struct hd_mig {
	struct hd_mig *next;
	uint8_t role;			/* HANDOFF_ROLE_* */
	enum hd_mig_state state;
	uint8_t uuid[16];
	char name[64];
	uint32_t domid;			/* dest: 0 until the incoming domain is found */
	uint32_t exclude;		/* dest: a domain of this uuid present at offer (localhost) */
	bool has_domid, has_exclude;
	bool sent_done;
	bool suspended;			/* source: the domain was seen suspended */
	void *chan;			/* the channel to the peer agent (may be NULL) */
	struct sockaddr_storage peer;	/* the peer agent's address */
	socklen_t peer_len;
	uint16_t peer_tunnel_port;
	uint8_t src_nonce[HD_NONCE_LEN], dst_nonce[HD_NONCE_LEN];
	unsigned int nvifs;
	struct hd_mig_vif vifs[HD_MAX_VIFS];
	unsigned int naddrs;
	struct hc_addr addrs[HD_MAX_MSG_ADDRS];
	int client;			/* control client awaiting migrate-begin, or -1 */
	uint64_t t_begin_ms, t_next_ms;	/* created; next timer (0: none) */
};

struct hd_engine;

/* Side effects. Each returning int gives 0 or a negative errno, with err set. */
struct hd_ops {
	int (*k_new)(struct hd_engine *e, const struct hc_req *req, const uint8_t tx[32],
		     const uint8_t rx[32], char *err, size_t errlen);
	int (*k_cmd)(struct hd_engine *e, uint8_t cmd, uint64_t id, uint8_t role,
		     const char *ifname, char *err, size_t errlen);
	int (*k_get)(struct hd_engine *e, uint64_t id, uint8_t role, struct hc_session *s);
	/* A channel to the peer agent at sa (connecting); NULL with err set. */
	void *(*connect)(struct hd_engine *e, const struct sockaddr *sa, socklen_t len,
			 char *err, size_t errlen);
	int (*send)(struct hd_engine *e, void *chan, const struct hd_msg *m);
	/* The netdev's ifindex, 0 if there is none of that name. */
	unsigned int (*ifindex)(struct hd_engine *e, const char *ifname);
	/* Answers a control client: err 0 and text, or a positive errno and why. */
	void (*reply)(struct hd_engine *e, int client, int err, const char *text);
	void (*log)(struct hd_engine *e, int level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
	uint64_t (*now_ms)(struct hd_engine *e);
	void (*random)(struct hd_engine *e, void *buf, size_t len);
	/* The record changed (persist it for a restart); NULL-safe when gone. */
	void (*saved)(struct hd_engine *e, const struct hd_mig *m, bool gone);
};

/* A destination waiting for a source to offer a VM (migrate-expect). */
struct hd_expect {
	bool used;
	uint8_t uuid[16];
	int client;
	uint64_t deadline_ms;
};

#define HD_MAX_EXPECTS 16
/* How long migrate-expect waits for a peer to offer. */
#define HD_EXPECT_TIMEOUT_MS 10000

struct hd_engine {
	const struct hd_ops *ops;
	void *ctx;			/* the caller's */
	struct hx_xen *xen;
	const struct hd_config *cfg;
	uint8_t psk[32];
	uint16_t tunnel_port;		/* our module's UDP port */
	struct hd_mig *migs;
	unsigned int nmigs;
	bool watching;			/* the global watches are set */
	struct hd_expect expects[HD_MAX_EXPECTS];
};

#define HD_MAX_MIGS 256
/* How often a suspended source domain is checked for a resume. */
#define HD_POLL_MS 100
/* An offer unanswered this long fails the begin. */
#define HD_OFFER_TIMEOUT_MS 5000

const char *hd_mig_state_name(enum hd_mig_state s);

/* Sets the global watches (@introduceDomain, @releaseDomain). */
int hd_engine_start(struct hd_engine *e, char *err, size_t errlen);
/* Frees the records in memory; those on disk stay for the next daemon. */
void hd_engine_stop(struct hd_engine *e);

/*
 * migrate-begin: vm is a name, a domid or a uuid; dest the peer agent
 * (configured peer address, port optional). Answers client when the source
 * sessions exist (or on failure).
 */
void hd_begin(struct hd_engine *e, int client, const char *vm, const char *dest);
/*
 * migrate-expect, on the destination: asks every peer to offer the VM of this
 * uuid if it runs there (WANT); answers client once one did, or after
 * HD_EXPECT_TIMEOUT_MS.
 */
void hd_expect(struct hd_engine *e, int client, const char *vm);
/* migrate-end from the toolstack hook: ok false aborts. */
void hd_end(struct hd_engine *e, int client, const char *vm, bool ok);

void hd_on_msg(struct hd_engine *e, void *chan, const struct sockaddr *from, socklen_t fromlen,
	       const struct hd_msg *m);
void hd_on_chan_closed(struct hd_engine *e, void *chan);
void hd_on_client_gone(struct hd_engine *e, int client);
void hd_on_watch(struct hd_engine *e, const char *path, const char *token);
void hd_on_link(struct hd_engine *e, const char *ifname);
void hd_on_event(struct hd_engine *e, const struct hc_event *ev);
void hd_on_timer(struct hd_engine *e);
/* The earliest timer, in ms of now_ms(); 0 if none. */
uint64_t hd_next_timer(const struct hd_engine *e);

/* A session found in the module at start (takeover), with its saved record if any. */
void hd_adopt(struct hd_engine *e, struct hd_mig *saved, const struct hc_session *s);

/* Whether a record still uses this channel (handoffd closes idle unused ones). */
bool hd_chan_used(const struct hd_engine *e, const void *chan);
struct hd_mig *hd_mig_find(struct hd_engine *e, const uint8_t uuid[16], uint8_t role);
struct hd_mig *hd_mig_find_session(struct hd_engine *e, uint64_t id, uint8_t role);

#endif
