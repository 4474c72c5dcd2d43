// SPDX-License-Identifier: GPL-2.0
/*
 * The migration engine (see mig.h). Everything the module must do in time
 * is done by the module; the engine only sets sessions up, arms, attaches,
 * aborts and cleans up, so a slow or dead agent never loses a frame that the
 * module already holds.
 */
#include "mig.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "kdf.h"
#include "names.h"
#include "parse.h"
#include "xenvm.h"

/* xen/sched.h's SHUTDOWN_suspend: a stable ABI value, without Xen's GNU C headers. */
#define HD_SHUTDOWN_SUSPEND 2

static const char *shutdown_reason_name(unsigned int reason)
{
	static const char *const names[] = {
		"poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset",
	};

	return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : "unknown reason";
}

#define TOKEN_INTRO "intro"
#define TOKEN_RELEASE "release"
#define TOKEN_SHUTDOWN "shutdown"
#define TOKEN_VIFS "vifs"

#define LOG(e, lvl, ...) (e)->ops->log((e), (lvl), __VA_ARGS__)

static const char *const state_names[] = {
	[HD_MIG_OFFERED] = "offered",
	[HD_MIG_READY] = "ready",
	[HD_MIG_ARMED] = "armed",
	[HD_MIG_WAITING] = "waiting",
	[HD_MIG_ATTACHED] = "attached",
	[HD_MIG_ACTIVE] = "active",
	[HD_MIG_ENDING] = "ending",
	[HD_MIG_ABORTING] = "aborting",
};

const char *hd_mig_state_name(enum hd_mig_state s)
{
	return (unsigned int)s < sizeof(state_names) / sizeof(state_names[0]) ?
	       state_names[s] : "?";
}

static const char *role_str(const struct hd_mig *m)
{
	return hc_role_name(m->role);
}

static void set_state(struct hd_engine *e, struct hd_mig *m, enum hd_mig_state s)
{
	if (m->state != s)
		LOG(e, LOG_DEBUG, "vm %s (%s): %s -> %s", m->name, role_str(m),
		    hd_mig_state_name(m->state), hd_mig_state_name(s));
	m->state = s;
	if (e->ops->saved)
		e->ops->saved(e, m, false);
}

struct hd_mig *hd_mig_find(struct hd_engine *e, const uint8_t uuid[16], uint8_t role)
{
	struct hd_mig *m;

	for (m = e->migs; m; m = m->next)
		if (m->role == role && !memcmp(m->uuid, uuid, 16))
			return m;
	return NULL;
}

bool hd_chan_used(const struct hd_engine *e, const void *chan)
{
	const struct hd_mig *m;

	for (m = e->migs; m; m = m->next)
		if (m->chan == chan)
			return true;
	return false;
}

struct hd_mig *hd_mig_find_session(struct hd_engine *e, uint64_t id, uint8_t role)
{
	struct hd_mig *m;
	unsigned int i;

	for (m = e->migs; m; m = m->next)
		for (i = 0; m->role == role && i < m->nvifs; i++)
			if (m->vifs[i].id == id)
				return m;
	return NULL;
}

static struct hd_mig *mig_new(struct hd_engine *e, uint8_t role)
{
	struct hd_mig *m;

	if (e->nmigs >= HD_MAX_MIGS)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->role = role;
	m->client = -1;
	m->t_begin_ms = e->ops->now_ms(e);
	m->next = e->migs;
	e->migs = m;
	e->nmigs++;
	return m;
}

/* forget: the daemon stops, the record stays on disk for the next one. */
static void mig_release(struct hd_engine *e, struct hd_mig *m, bool forget)
{
	struct hd_mig **pp;
	char path[64];

	for (pp = &e->migs; *pp; pp = &(*pp)->next) {
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	}
	e->nmigs--;
	if (m->has_domid) {
		snprintf(path, sizeof(path), m->role == HANDOFF_ROLE_SOURCE ?
			 "/local/domain/%u/control/shutdown" : "/local/domain/%u/device/vif",
			 m->domid);
		e->xen->ops->unwatch(e->xen, path, m->role == HANDOFF_ROLE_SOURCE ?
				     TOKEN_SHUTDOWN : TOKEN_VIFS);
	}
	if (m->client >= 0)
		e->ops->reply(e, m->client, ECANCELED, "the migration record ended");
	if (e->ops->saved && !forget)
		e->ops->saved(e, m, true);
	explicit_bzero(m, sizeof(*m));
	free(m);
}

static void mig_free(struct hd_engine *e, struct hd_mig *m)
{
	mig_release(e, m, false);
}

static void answer(struct hd_engine *e, struct hd_mig *m, int err, const char *text)
{
	if (m->client < 0)
		return;
	e->ops->reply(e, m->client, err, text);
	m->client = -1;
}

static void send_msg(struct hd_engine *e, struct hd_mig *m, struct hd_msg *msg)
{
	if (!m->chan) {
		LOG(e, LOG_WARNING, "vm %s (%s): no channel to the peer agent, %s not sent",
		    m->name, role_str(m), hd_msg_type_name(msg->type));
		return;
	}
	memcpy(msg->uuid, m->uuid, 16);
	if (e->ops->send(e, m->chan, msg))
		LOG(e, LOG_WARNING, "vm %s (%s): sending %s failed", m->name, role_str(m),
		    hd_msg_type_name(msg->type));
}

static void send_simple(struct hd_engine *e, struct hd_mig *m, uint8_t type, int status,
			const char *reason)
{
	struct hd_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.type = type;
	msg.status = status;
	snprintf(msg.reason, sizeof(msg.reason), "%s", reason ? reason : "");
	send_msg(e, m, &msg);
}

/* Tells the module to end every live session of m; the records go with the events. */
static void end_sessions(struct hd_engine *e, struct hd_mig *m, uint8_t cmd)
{
	char err[256];
	unsigned int i;

	for (i = 0; i < m->nvifs; i++) {
		struct hd_mig_vif *v = &m->vifs[i];

		if (!v->made || (cmd == HANDOFF_CMD_SESSION_ABORT && v->ended))
			continue;
		if (e->ops->k_cmd(e, cmd, v->id, m->role, NULL, err, sizeof(err)) &&
		    cmd != HANDOFF_CMD_SESSION_DEL)
			LOG(e, LOG_WARNING, "vm %s (%s): session %" PRIx64 ": %s", m->name,
			    role_str(m), v->id, err);
		if (cmd == HANDOFF_CMD_SESSION_DEL)
			v->made = false;
	}
}

static bool all_gone(const struct hd_mig *m)
{
	unsigned int i;

	for (i = 0; i < m->nvifs; i++)
		if (m->vifs[i].made)
			return false;
	return true;
}

static void mig_abort(struct hd_engine *e, struct hd_mig *m, int status, const char *why,
		      bool tell_peer)
{
	LOG(e, LOG_WARNING, "vm %s (%s): aborting: %s", m->name, role_str(m), why);
	answer(e, m, status, why);
	end_sessions(e, m, HANDOFF_CMD_SESSION_ABORT);
	if (tell_peer)
		send_simple(e, m, HD_MSG_ABORT, status, why);
	set_state(e, m, HD_MIG_ABORTING);
	m->t_next_ms = 0;
	if (all_gone(m))
		mig_free(e, m);
}

/* --- source ------------------------------------------------------------- */

static int resolve_vm(struct hd_engine *e, const char *vm, uint32_t *domid, char *err,
		      size_t errlen)
{
	uint8_t uuid[16];
	char *end;
	unsigned long v;
	int r;

	if (!*vm) {
		snprintf(err, errlen, "no VM given");
		return -EINVAL;
	}
	if (isdigit((unsigned char)vm[0])) {
		errno = 0;
		v = strtoul(vm, &end, 10);
		if (!*end && !errno && v < 0x7ff0) {
			*domid = (uint32_t)v;
			return 0;
		}
	}
	if (!hx_uuid_parse(vm, uuid))
		r = hx_domain_by_uuid(e->xen, uuid, HX_DOMID_NONE, domid, err, errlen);
	else
		r = hx_domain_by_name(e->xen, vm, domid, err, errlen);
	if (r == -ENOENT)
		snprintf(err, errlen, "no domain \"%s\"", vm);
	else if (r == -EEXIST)
		snprintf(err, errlen, "\"%s\" names more than one domain: give its domid", vm);
	return r;
}

/* "10.0.0.2" or "10.0.0.2:6658" or "[fd00::2]:6658", a configured peer. */
static int resolve_peer(struct hd_engine *e, const char *dest, struct sockaddr_storage *ss,
			socklen_t *len, char *err, size_t errlen)
{
	struct hc_addr a;
	char buf[128];

	if (!hc_parse_peer(dest, ss, len)) {
		/* with a port */
	} else if (!hc_parse_addr(dest, &a)) {
		memset(ss, 0, sizeof(*ss));
		if (a.family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)ss;

			sin->sin_family = AF_INET;
			sin->sin_addr = a.in;
			sin->sin_port = htons(HD_DEFAULT_PORT);
			*len = sizeof(*sin);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = a.in6;
			sin6->sin6_port = htons(HD_DEFAULT_PORT);
			*len = sizeof(*sin6);
		}
	} else {
		snprintf(err, errlen, "destination \"%s\" is not an address (ADDR or ADDR:PORT)",
			 dest);
		return -EINVAL;
	}
	if (!hd_config_peer(e->cfg, (struct sockaddr *)ss, *len)) {
		snprintf(buf, sizeof(buf), "%s", dest);
		snprintf(err, errlen, "destination %s is not a configured peer", buf);
		return -EPERM;
	}
	return 0;
}

/* The vif's "ip" node: addresses separated by spaces; bad ones are logged and skipped. */
static void add_vif_addrs(struct hd_engine *e, struct hd_mig *m, const char *ips)
{
	char buf[sizeof(((struct hx_vif *)0)->ip)], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", ips);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *slash = strchr(tok, '/');

		if (slash)
			*slash = '\0';
		if (m->naddrs >= HD_MAX_MSG_ADDRS) {
			LOG(e, LOG_WARNING, "vm %s: more than %d addresses, %s left out", m->name,
			    HD_MAX_MSG_ADDRS, tok);
			continue;
		}
		if (hc_parse_addr(tok, &m->addrs[m->naddrs]))
			LOG(e, LOG_WARNING, "vm %s: vif ip \"%s\" is not an address", m->name, tok);
		else
			m->naddrs++;
	}
}

static uint64_t new_session_id(struct hd_engine *e)
{
	uint64_t id = 0;

	while (!id)
		e->ops->random(e, &id, sizeof(id));
	return id;
}

/*
 * Offers domid's vifs to the agent at peer, over chan (the channel a WANT
 * came on) or a new one. client (or -1) hears when the sessions exist.
 */
static void offer(struct hd_engine *e, int client, const char *vm, uint32_t domid,
		  const struct sockaddr_storage *peer, socklen_t peer_len, void *chan)
{
	struct hx_vif vifs[HX_MAX_VIFS];
	struct hd_msg msg;
	struct hd_mig *m;
	uint8_t uuid[16];
	unsigned int i, n;
	char err[256], path[HC_SOCKADDR_STRLEN], *name, *p;
	int r;

	r = hx_domain_uuid(e->xen, domid, uuid, err, sizeof(err));
	if (!r && hd_mig_find(e, uuid, HANDOFF_ROLE_SOURCE)) {
		snprintf(err, sizeof(err), "%s is already migrating", vm);
		r = -EBUSY;
	}
	if (!r) {
		r = hx_domain_vifs(e->xen, domid, vifs, HX_MAX_VIFS, &n, err, sizeof(err));
		if (!r && !n) {
			snprintf(err, sizeof(err), "domain %u has no vif", domid);
			r = -ENODEV;
		}
	}
	if (r) {
		e->ops->reply(e, client, -r, err);
		return;
	}
	m = mig_new(e, HANDOFF_ROLE_SOURCE);
	if (!m) {
		e->ops->reply(e, client, ENOSPC, "too many migrations in progress");
		return;
	}
	memcpy(m->uuid, uuid, 16);
	m->domid = domid;
	m->has_domid = true;
	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	name = e->xen->ops->read(e->xen, path, NULL);
	snprintf(m->name, sizeof(m->name), "%s", name ? name : vm);
	free(name);
	/* The guest's name goes to logs and to the peer: printable only. */
	for (p = m->name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	memcpy(&m->peer, peer, peer_len);
	m->peer_len = peer_len;
	m->nvifs = n;
	for (i = 0; i < n; i++) {
		m->vifs[i].id = new_session_id(e);
		m->vifs[i].devid = vifs[i].devid;
		memcpy(m->vifs[i].mac, vifs[i].mac, 6);
		snprintf(m->vifs[i].ifname, sizeof(m->vifs[i].ifname), "%s", vifs[i].ifname);
		add_vif_addrs(e, m, vifs[i].ip);
	}
	e->ops->random(e, m->src_nonce, sizeof(m->src_nonce));
	m->client = client;
	m->state = HD_MIG_OFFERED;
	m->t_next_ms = e->ops->now_ms(e) + HD_OFFER_TIMEOUT_MS;

	m->chan = chan ? chan : e->ops->connect(e, (const struct sockaddr *)peer, peer_len, err,
						sizeof(err));
	if (!m->chan) {
		answer(e, m, EHOSTUNREACH, err);
		mig_free(e, m);
		return;
	}
	memset(&msg, 0, sizeof(msg));
	msg.type = HD_MSG_OFFER;
	snprintf(msg.name, sizeof(msg.name), "%s", m->name);
	memcpy(msg.nonce, m->src_nonce, sizeof(msg.nonce));
	msg.tunnel_port = e->tunnel_port;
	msg.nvifs = m->nvifs;
	for (i = 0; i < m->nvifs; i++) {
		msg.vifs[i].session_id = m->vifs[i].id;
		msg.vifs[i].devid = m->vifs[i].devid;
		memcpy(msg.vifs[i].mac, m->vifs[i].mac, 6);
	}
	msg.naddrs = m->naddrs;
	for (i = 0; i < m->naddrs; i++) {
		msg.addrs[i].family = (uint8_t)m->addrs[i].family;
		memcpy(msg.addrs[i].addr, &m->addrs[i].in6,
		       m->addrs[i].family == AF_INET ? 4 : 16);
	}
	hc_fmt_sockaddr(path, peer, peer_len);
	LOG(e, LOG_INFO, "vm %s (domain %u): offering %u vif(s) to %s", m->name, domid, n, path);
	send_msg(e, m, &msg);
	explicit_bzero(&msg, sizeof(msg));
}

void hd_begin(struct hd_engine *e, int client, const char *vm, const char *dest)
{
	struct sockaddr_storage peer;
	socklen_t peer_len;
	uint32_t domid;
	char err[256];
	int r;

	r = resolve_peer(e, dest, &peer, &peer_len, err, sizeof(err));
	if (!r)
		r = resolve_vm(e, vm, &domid, err, sizeof(err));
	if (r) {
		e->ops->reply(e, client, -r, err);
		return;
	}
	offer(e, client, vm, domid, &peer, peer_len, NULL);
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

/* Fills req with what both roles send in SESSION_NEW, and derives the keys. */
static void session_req(struct hd_engine *e, const struct hd_mig *m, const struct hd_mig_vif *v,
			struct hc_req *req, uint8_t tx[32], uint8_t rx[32])
{
	uint8_t s2d[32], d2s[32];

	memset(req, 0, sizeof(*req));
	req->id = v->id;
	req->role = m->role;
	req->nmacs = 1;
	memcpy(req->macs[0], v->mac, 6);
	req->naddrs = m->naddrs;
	memcpy(req->addrs, m->addrs, m->naddrs * sizeof(m->addrs[0]));
	memcpy(&req->peer, &m->peer, m->peer_len);
	req->peer_len = m->peer_len;
	set_port(&req->peer, m->peer_tunnel_port);
	hd_tunnel_keys(e->psk, v->id, m->src_nonce, m->dst_nonce, s2d, d2s);
	memcpy(tx, m->role == HANDOFF_ROLE_SOURCE ? s2d : d2s, 32);
	memcpy(rx, m->role == HANDOFF_ROLE_SOURCE ? d2s : s2d, 32);
	explicit_bzero(s2d, sizeof(s2d));
	explicit_bzero(d2s, sizeof(d2s));
}

/* SESSION_NEW for every vif of m; on failure the made ones are deleted again. */
static int make_sessions(struct hd_engine *e, struct hd_mig *m, char *err, size_t errlen)
{
	uint8_t tx[32], rx[32];
	struct hc_req req;
	unsigned int i;
	int r = 0;

	for (i = 0; i < m->nvifs && !r; i++) {
		struct hd_mig_vif *v = &m->vifs[i];

		session_req(e, m, v, &req, tx, rx);
		if (m->role == HANDOFF_ROLE_SOURCE) {
			req.have |= HC_HAVE_DEV;
			snprintf(req.dev, sizeof(req.dev), "%s", v->ifname);
			if (e->cfg->divert)
				req.flags |= HANDOFF_F_DIVERT;
		}
		r = e->ops->k_new(e, &req, tx, rx, err, errlen);
		if (!r)
			v->made = true;
	}
	explicit_bzero(tx, sizeof(tx));
	explicit_bzero(rx, sizeof(rx));
	if (r)
		end_sessions(e, m, HANDOFF_CMD_SESSION_DEL);
	return r;
}

static void arm(struct hd_engine *e, struct hd_mig *m, const char *why)
{
	char err[256];
	unsigned int i;

	for (i = 0; i < m->nvifs; i++)
		if (e->ops->k_cmd(e, HANDOFF_CMD_SESSION_ARM, m->vifs[i].id, m->role, NULL,
				  err, sizeof(err)))
			LOG(e, LOG_ERR, "vm %s: arming session %" PRIx64 ": %s", m->name,
			    m->vifs[i].id, err);
	LOG(e, LOG_INFO, "vm %s: armed at %s", m->name, why);
	set_state(e, m, HD_MIG_ARMED);
	m->t_next_ms = e->ops->now_ms(e) + HD_POLL_MS;
}

static void watch_domain(struct hd_engine *e, struct hd_mig *m)
{
	char path[64];
	const char *fmt = m->role == HANDOFF_ROLE_SOURCE ?
			  "/local/domain/%u/control/shutdown" : "/local/domain/%u/device/vif";

	snprintf(path, sizeof(path), fmt, m->domid);
	if (e->xen->ops->watch(e->xen, path, m->role == HANDOFF_ROLE_SOURCE ?
			       TOKEN_SHUTDOWN : TOKEN_VIFS))
		LOG(e, LOG_ERR, "vm %s: cannot watch %s", m->name, path);
}

static void on_accept(struct hd_engine *e, struct hd_mig *m, const struct hd_msg *msg)
{
	char err[256], text[64 + HD_MAX_VIFS * 20];
	unsigned int i;
	size_t off;

	if (m->state != HD_MIG_OFFERED) {
		LOG(e, LOG_WARNING, "vm %s: unexpected accept in state %s", m->name,
		    hd_mig_state_name(m->state));
		return;
	}
	if (msg->nvifs != m->nvifs) {
		mig_abort(e, m, EPROTO, "the destination accepted another set of vifs", true);
		return;
	}
	memcpy(m->dst_nonce, msg->nonce, sizeof(m->dst_nonce));
	m->peer_tunnel_port = msg->tunnel_port;
	if (make_sessions(e, m, err, sizeof(err))) {
		mig_abort(e, m, EIO, err, true);
		return;
	}
	m->t_next_ms = 0;
	set_state(e, m, HD_MIG_READY);
	watch_domain(e, m);	/* fires once at once: a pending request arms */
	off = (size_t)snprintf(text, sizeof(text), "vm %s ready:", m->name);
	for (i = 0; i < m->nvifs && off < sizeof(text); i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, " %s=%" PRIx64,
					m->vifs[i].ifname, m->vifs[i].id);
	LOG(e, LOG_INFO, "%s", text);
	answer(e, m, 0, text);
}

/* What became of the source domain: suspended, resumed or gone. */
static void check_source(struct hd_engine *e, struct hd_mig *m)
{
	struct hx_dominfo di;
	int r;

	if (m->state != HD_MIG_READY && m->state != HD_MIG_ARMED)
		return;
	r = e->xen->ops->domain_info(e->xen, m->domid, &di);
	if (r == -ESRCH || (!r && di.dying)) {
		/*
		 * xl destroys the source only after the destination runs, and the
		 * source was suspended until then. Gone without a suspend seen, it
		 * crashed or rebooted (a PVH guest that triple-faults while
		 * suspending reboots: a new domain): nothing migrated.
		 */
		if (!m->suspended) {
			mig_abort(e, m, ESRCH, "the domain went away before it suspended", true);
			return;
		}
		LOG(e, LOG_INFO, "vm %s: domain %u gone, the migration completed", m->name,
		    m->domid);
		send_simple(e, m, HD_MSG_DONE, 0, NULL);
		m->sent_done = true;
		m->t_next_ms = 0;
		set_state(e, m, HD_MIG_ENDING);
		return;
	}
	if (r) {
		LOG(e, LOG_WARNING, "vm %s: domain %u: %s", m->name, m->domid, strerror(-r));
		return;
	}
	if (di.shutdown && di.shutdown_reason != HD_SHUTDOWN_SUSPEND) {
		char why[96];

		snprintf(why, sizeof(why), "the source domain shut down (%s): the migration failed",
			 shutdown_reason_name(di.shutdown_reason));
		mig_abort(e, m, ECANCELED, why, true);
		return;
	}
	if (di.shutdown) {
		if (!m->suspended)
			LOG(e, LOG_INFO, "vm %s: domain %u suspended", m->name, m->domid);
		m->suspended = true;
		if (m->state == HD_MIG_READY)
			arm(e, m, e->cfg->arm_point == HD_ARM_SUSPENDED ?
				  "the suspend (arm-point suspended)" :
				  "the suspend (the request was not seen)");
		return;
	}
	/* Armed at the request, the guest runs on until it suspends: not a resume. */
	if (m->state == HD_MIG_ARMED && m->suspended && !di.shutdown && di.running)
		mig_abort(e, m, ECANCELED, "the source domain resumed: the migration failed",
			  true);
}

static void on_shutdown_node(struct hd_engine *e, struct hd_mig *m)
{
	char val[32], err[256];

	if (m->state != HD_MIG_READY || e->cfg->arm_point != HD_ARM_REQUEST)
		return;
	/* Read at once: the guest clears the node when it acknowledges the request. */
	if (!hx_shutdown_request(e->xen, m->domid, val, sizeof(val), err, sizeof(err)) &&
	    !strcmp(val, "suspend"))
		arm(e, m, "the suspend request");
}

void hd_end(struct hd_engine *e, int client, const char *vm, bool ok)
{
	char err[256];
	uint32_t domid;
	struct hd_mig *m;

	for (m = e->migs; m; m = m->next)
		if (m->role == HANDOFF_ROLE_SOURCE && !strcmp(m->name, vm))
			break;
	if (!m && !resolve_vm(e, vm, &domid, err, sizeof(err)))
		for (m = e->migs; m; m = m->next)
			if (m->role == HANDOFF_ROLE_SOURCE && m->domid == domid)
				break;
	if (!m) {
		e->ops->reply(e, client, ENOENT, "no migration of that VM in progress");
		return;
	}
	if (ok) {
		check_source(e, m);
		e->ops->reply(e, client, 0, "noted");
		return;
	}
	/*
	 * Also after DONE went out: the toolstack knows better than a vanished
	 * domain does, and the destination must not keep what it holds.
	 */
	mig_abort(e, m, ECANCELED, "the toolstack reported a failed migration", true);
	e->ops->reply(e, client, 0, "aborted");
}

/* --- destination -------------------------------------------------------- */

static void try_attach(struct hd_engine *e, struct hd_mig *m)
{
	struct hx_vif vifs[HX_MAX_VIFS];
	char err[256];
	unsigned int i, j, n, attached = 0;

	if (!m->has_domid || m->state != HD_MIG_WAITING)
		return;
	if (hx_domain_vifs(e->xen, m->domid, vifs, HX_MAX_VIFS, &n, err, sizeof(err))) {
		LOG(e, LOG_DEBUG, "vm %s: domain %u vifs: %s", m->name, m->domid, err);
		return;
	}
	for (i = 0; i < m->nvifs; i++) {
		struct hd_mig_vif *v = &m->vifs[i];

		for (j = 0; j < n && !v->ifname[0]; j++)
			if (!memcmp(vifs[j].mac, v->mac, 6))
				snprintf(v->ifname, sizeof(v->ifname), "%s", vifs[j].ifname);
		if (!v->attached && v->ifname[0] && e->ops->ifindex(e, v->ifname)) {
			if (e->ops->k_cmd(e, HANDOFF_CMD_SESSION_ATTACH, v->id, m->role,
					  v->ifname, err, sizeof(err)))
				LOG(e, LOG_ERR, "vm %s: attaching session %" PRIx64 " to %s: %s",
				    m->name, v->id, v->ifname, err);
			else
				v->attached = true;
		}
		attached += v->attached;
	}
	if (attached == m->nvifs) {
		LOG(e, LOG_INFO, "vm %s: attached to domain %u", m->name, m->domid);
		set_state(e, m, HD_MIG_ATTACHED);
	}
}

static void try_find(struct hd_engine *e, struct hd_mig *m)
{
	uint32_t domid;
	char err[256];

	if (m->has_domid || m->state != HD_MIG_WAITING)
		return;
	if (hx_domain_by_uuid(e->xen, m->uuid, m->has_exclude ? m->exclude : HX_DOMID_NONE,
			      &domid, err, sizeof(err)))
		return;
	m->domid = domid;
	m->has_domid = true;
	LOG(e, LOG_INFO, "vm %s: incoming domain %u", m->name, domid);
	watch_domain(e, m);	/* fires at once: vifs already there attach */
	try_attach(e, m);
}

/*
 * The incoming domain before it ran at its new home: gone or shut down (a
 * failed restore, a guest that crashes as it resumes: seen on real Xen) means
 * the cutover will never come, and both halves must let go of what they hold.
 */
static void check_dest(struct hd_engine *e, struct hd_mig *m)
{
	struct hx_dominfo di;
	char why[112];
	int r;

	if (!m->has_domid || (m->state != HD_MIG_WAITING && m->state != HD_MIG_ATTACHED))
		return;
	r = e->xen->ops->domain_info(e->xen, m->domid, &di);
	if (r == -ESRCH || (!r && di.dying))
		snprintf(why, sizeof(why), "the incoming domain %u went away", m->domid);
	else if (!r && di.shutdown)
		snprintf(why, sizeof(why), "the incoming domain %u shut down (%s)", m->domid,
			 shutdown_reason_name(di.shutdown_reason));
	else
		return;
	mig_abort(e, m, ECANCELED, why, true);
}

/* The client waiting for this uuid's offer, if any, hears of it. */
static void expect_met(struct hd_engine *e, const uint8_t uuid[16], int err, const char *text)
{
	unsigned int i;

	for (i = 0; i < HD_MAX_EXPECTS; i++) {
		struct hd_expect *x = &e->expects[i];

		if (x->used && !memcmp(x->uuid, uuid, 16)) {
			x->used = false;
			e->ops->reply(e, x->client, err, text);
		}
	}
}

static void reject(struct hd_engine *e, void *chan, const uint8_t uuid[16], int status,
		   const char *why)
{
	struct hd_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.type = HD_MSG_REJECT;
	memcpy(msg.uuid, uuid, 16);
	msg.status = status;
	snprintf(msg.reason, sizeof(msg.reason), "%s", why);
	LOG(e, LOG_WARNING, "rejecting an offer: %s", why);
	e->ops->send(e, chan, &msg);
}

static void on_offer(struct hd_engine *e, void *chan, const struct sockaddr *from,
		     socklen_t fromlen, const struct hd_msg *msg)
{
	struct hd_msg acc;
	struct hd_mig *m;
	char err[256];
	uint32_t domid;
	unsigned int i;

	if (hd_mig_find(e, msg->uuid, HANDOFF_ROLE_DEST)) {
		reject(e, chan, msg->uuid, EBUSY, "this VM is already migrating here");
		return;
	}
	if (!msg->nvifs) {
		reject(e, chan, msg->uuid, EINVAL, "an offer without vifs");
		return;
	}
	m = mig_new(e, HANDOFF_ROLE_DEST);
	if (!m) {
		reject(e, chan, msg->uuid, ENOSPC, "too many migrations in progress");
		return;
	}
	m->state = HD_MIG_WAITING;
	memcpy(m->uuid, msg->uuid, 16);
	snprintf(m->name, sizeof(m->name), "%s", msg->name);
	m->chan = chan;
	memcpy(&m->peer, from, fromlen);
	m->peer_len = fromlen;
	m->peer_tunnel_port = msg->tunnel_port;
	memcpy(m->src_nonce, msg->nonce, sizeof(m->src_nonce));
	e->ops->random(e, m->dst_nonce, sizeof(m->dst_nonce));
	m->nvifs = msg->nvifs;
	for (i = 0; i < msg->nvifs; i++) {
		m->vifs[i].id = msg->vifs[i].session_id;
		m->vifs[i].devid = msg->vifs[i].devid;
		memcpy(m->vifs[i].mac, msg->vifs[i].mac, 6);
	}
	for (i = 0; i < msg->naddrs; i++) {
		m->addrs[i].family = msg->addrs[i].family;
		memcpy(&m->addrs[i].in6, msg->addrs[i].addr,
		       msg->addrs[i].family == AF_INET ? 4 : 16);
	}
	m->naddrs = msg->naddrs;
	/* On localhost the source domain has the same uuid: it is not the incoming one. */
	if (!hx_domain_by_uuid(e->xen, m->uuid, HX_DOMID_NONE, &domid, err, sizeof(err))) {
		m->exclude = domid;
		m->has_exclude = true;
	}
	if (make_sessions(e, m, err, sizeof(err))) {
		reject(e, chan, msg->uuid, EIO, err);
		expect_met(e, msg->uuid, EIO, err);
		m->chan = NULL;
		mig_free(e, m);
		return;
	}
	set_state(e, m, HD_MIG_WAITING);
	memset(&acc, 0, sizeof(acc));
	acc.type = HD_MSG_ACCEPT;
	memcpy(acc.nonce, m->dst_nonce, sizeof(acc.nonce));
	acc.tunnel_port = e->tunnel_port;
	acc.nvifs = m->nvifs;
	memcpy(acc.vifs, msg->vifs, m->nvifs * sizeof(acc.vifs[0]));
	send_msg(e, m, &acc);
	LOG(e, LOG_INFO, "vm %s: accepted %u vif(s), waiting for the incoming domain", m->name,
	    m->nvifs);
	expect_met(e, m->uuid, 0, "offered and accepted");
	try_find(e, m);
}

/* --- the destination asks (WANT) ------------------------------------------ */

/* Source side: a peer expects a VM; offer it if it runs here. */
static void on_want(struct hd_engine *e, void *chan, const struct sockaddr *from,
		    socklen_t fromlen, const struct hd_msg *msg)
{
	const struct hd_peer_cfg *pc = hd_config_peer(e->cfg, from, fromlen);
	char uuid[37], err[256];
	uint32_t domid;

	hx_uuid_format(msg->uuid, uuid);
	if (!pc || hd_mig_find(e, msg->uuid, HANDOFF_ROLE_SOURCE))
		return;
	if (hx_domain_by_uuid(e->xen, msg->uuid, HX_DOMID_NONE, &domid, err, sizeof(err))) {
		LOG(e, LOG_DEBUG, "a peer wants vm %s: not here", uuid);
		return;
	}
	LOG(e, LOG_INFO, "a peer wants vm %s (domain %u): offering", uuid, domid);
	offer(e, -1, uuid, domid, &pc->addr, pc->addrlen, chan);
}

void hd_expect(struct hd_engine *e, int client, const char *vm)
{
	struct hd_expect *x = NULL;
	struct hd_msg msg;
	unsigned int i, sent = 0;
	uint8_t uuid[16];
	char err[256];

	if (hx_uuid_parse(vm, uuid)) {
		e->ops->reply(e, client, EINVAL, "migrate-expect takes the VM's uuid");
		return;
	}
	if (hd_mig_find(e, uuid, HANDOFF_ROLE_DEST)) {
		e->ops->reply(e, client, 0, "already offered");
		return;
	}
	for (i = 0; i < HD_MAX_EXPECTS && !x; i++)
		if (!e->expects[i].used)
			x = &e->expects[i];
	if (!x) {
		e->ops->reply(e, client, ENOSPC, "too many migrations expected at once");
		return;
	}
	memset(&msg, 0, sizeof(msg));
	msg.type = HD_MSG_WANT;
	memcpy(msg.uuid, uuid, 16);
	for (i = 0; i < e->cfg->npeers; i++) {
		const struct hd_peer_cfg *pc = &e->cfg->peers[i];
		void *chan = e->ops->connect(e, (const struct sockaddr *)&pc->addr, pc->addrlen,
					     err, sizeof(err));

		if (!chan)
			LOG(e, LOG_WARNING, "asking %s for vm %s: %s", pc->text, vm, err);
		else if (!e->ops->send(e, chan, &msg))
			sent++;
	}
	if (!sent) {
		e->ops->reply(e, client, EHOSTUNREACH, "no peer agent could be asked");
		return;
	}
	memcpy(x->uuid, uuid, 16);
	x->client = client;
	x->deadline_ms = e->ops->now_ms(e) + HD_EXPECT_TIMEOUT_MS;
	x->used = true;
	LOG(e, LOG_INFO, "asked %u peer(s) for vm %s", sent, vm);
}

/* --- events --------------------------------------------------------------- */

void hd_on_msg(struct hd_engine *e, void *chan, const struct sockaddr *from, socklen_t fromlen,
	       const struct hd_msg *msg)
{
	struct hd_mig *m;

	switch (msg->type) {
	case HD_MSG_OFFER:
		on_offer(e, chan, from, fromlen, msg);
		return;
	case HD_MSG_ACCEPT:
	case HD_MSG_REJECT:
		m = hd_mig_find(e, msg->uuid, HANDOFF_ROLE_SOURCE);
		if (!m || m->chan != chan)
			break;
		if (msg->type == HD_MSG_ACCEPT) {
			on_accept(e, m, msg);
		} else {
			char why[200];

			snprintf(why, sizeof(why), "the destination refused: %s", msg->reason);
			mig_abort(e, m, msg->status > 0 ? msg->status : EPROTO, why, false);
		}
		return;
	case HD_MSG_ABORT:
		m = hd_mig_find(e, msg->uuid, HANDOFF_ROLE_DEST);
		if (!m)
			m = hd_mig_find(e, msg->uuid, HANDOFF_ROLE_SOURCE);
		if (!m || m->chan != chan)
			break;
		mig_abort(e, m, msg->status > 0 ? msg->status : ECANCELED,
			  msg->reason[0] ? msg->reason : "the peer aborted", false);
		return;
	case HD_MSG_WANT:
		on_want(e, chan, from, fromlen, msg);
		return;
	case HD_MSG_DONE:
		m = hd_mig_find(e, msg->uuid, HANDOFF_ROLE_DEST);
		if (!m || m->chan != chan)
			break;
		LOG(e, LOG_INFO, "vm %s: the source domain is gone", m->name);
		/*
		 * xl destroys the source after the destination domain was restored
		 * and unpaused: long after it was introduced. Still none here means
		 * it never came (a restore that failed): nothing will attach.
		 */
		try_find(e, m);
		if (m->state == HD_MIG_WAITING)
			mig_abort(e, m, ESRCH, "the source is gone and no incoming domain appeared",
				  false);
		return;
	default:
		break;
	}
	LOG(e, LOG_WARNING, "ignoring %s for a VM with no matching migration",
	    hd_msg_type_name(msg->type));
}

void hd_on_chan_closed(struct hd_engine *e, void *chan)
{
	struct hd_mig *m, *next;

	for (m = e->migs; m; m = next) {
		next = m->next;
		if (m->chan != chan)
			continue;
		m->chan = NULL;
		if (m->state == HD_MIG_OFFERED)
			mig_abort(e, m, ECONNRESET, "the peer agent closed the channel", false);
	}
}

void hd_on_client_gone(struct hd_engine *e, int client)
{
	struct hd_mig *m;

	unsigned int i;

	for (m = e->migs; m; m = m->next)
		if (m->client == client)
			m->client = -1;
	for (i = 0; i < HD_MAX_EXPECTS; i++)
		if (e->expects[i].used && e->expects[i].client == client)
			e->expects[i].used = false;
}

static uint32_t path_domid(const char *path)
{
	unsigned int d;

	return sscanf(path, "/local/domain/%u/", &d) == 1 ? d : UINT32_MAX;
}

void hd_on_watch(struct hd_engine *e, const char *path, const char *token)
{
	struct hd_mig *m, *next;
	uint32_t domid = path_domid(path);

	for (m = e->migs; m; m = next) {
		next = m->next;	/* check_source may free m */
		if (!strcmp(token, TOKEN_INTRO) && m->role == HANDOFF_ROLE_DEST)
			try_find(e, m);
		else if (!strcmp(token, TOKEN_RELEASE) && m->role == HANDOFF_ROLE_SOURCE)
			check_source(e, m);
		else if (!strcmp(token, TOKEN_RELEASE))
			check_dest(e, m);
		else if (!strcmp(token, TOKEN_SHUTDOWN) && m->role == HANDOFF_ROLE_SOURCE &&
			 m->domid == domid)
			on_shutdown_node(e, m);
		else if (!strcmp(token, TOKEN_VIFS) && m->role == HANDOFF_ROLE_DEST &&
			 m->has_domid && m->domid == domid)
			try_attach(e, m);
	}
}

void hd_on_link(struct hd_engine *e, const char *ifname)
{
	struct hd_mig *m;
	unsigned int i;

	for (m = e->migs; m; m = m->next)
		for (i = 0; m->role == HANDOFF_ROLE_DEST && i < m->nvifs; i++)
			if (!m->vifs[i].attached && !strcmp(m->vifs[i].ifname, ifname)) {
				try_attach(e, m);
				break;
			}
}

static long long since(uint64_t t, uint64_t t0)
{
	return t && t0 ? (long long)(t - t0) / 1000 : -1;
}

/* One line per cutover, with the module's own timings (us from activation). */
static void log_cutover(struct hd_engine *e, struct hd_mig *m, const struct hd_mig_vif *v)
{
	struct hc_session s;
	uint64_t act;

	if (e->ops->k_get(e, v->id, m->role, &s))
		return;
	act = s.times[HANDOFF_TIME_ACTIVATED];
	LOG(e, LOG_NOTICE,
	    "cutover vm %s vif %s session %" PRIx64 ": first delivery +%lldus, last held "
	    "+%lldus, first announce +%lldus, source stopped +%lldus, vif ready +%lldus; held %"
	    PRIu64 ", delivered %" PRIu64 ", dropped %" PRIu64 ", vif dropped %" PRIu64,
	    m->name, v->ifname, v->id,
	    since(s.times[HANDOFF_TIME_FIRST_DELIVERED], act),
	    since(s.times[HANDOFF_TIME_LAST_DELIVERED], act),
	    since(s.times[HANDOFF_TIME_FIRST_ANNOUNCE], act),
	    since(s.times[HANDOFF_TIME_SOURCE_STOPPED], act),
	    since(s.times[HANDOFF_TIME_VIF_READY], act),
	    s.ctr[HANDOFF_CTR_HELD], s.ctr[HANDOFF_CTR_DELIVERED],
	    s.ctr[HANDOFF_CTR_DROP_OVERFLOW] + s.ctr[HANDOFF_CTR_DROP_AGED],
	    s.ctr[HANDOFF_CTR_VIF_DROPPED]);
}

void hd_on_event(struct hd_engine *e, const struct hc_event *ev)
{
	struct hd_mig *m;
	struct hd_mig_vif *v = NULL;
	unsigned int i;
	char err[256];
	int r;

	if (!ev->has_role)
		return;
	m = hd_mig_find_session(e, ev->id, ev->role);
	if (!m)
		return;
	for (i = 0; i < m->nvifs; i++)
		if (m->vifs[i].id == ev->id)
			v = &m->vifs[i];
	if (ev->has_state)
		v->kstate = ev->state;
	switch (ev->event) {
	case HANDOFF_EVENT_ACTIVATED:
		if (m->state == HD_MIG_ATTACHED || m->state == HD_MIG_WAITING)
			set_state(e, m, HD_MIG_ACTIVE);
		break;
	case HANDOFF_EVENT_DELIVERED:
		log_cutover(e, m, v);
		break;
	case HANDOFF_EVENT_DONE:
	case HANDOFF_EVENT_ABORTED:
		v->ended = true;
		/* Not waiting for DELETED: events can be lost, the answer cannot. */
		r = e->ops->k_cmd(e, HANDOFF_CMD_SESSION_DEL, v->id, m->role, NULL, err,
				  sizeof(err));
		if (!r || r == -ENOENT)
			v->made = false;
		else
			LOG(e, LOG_WARNING, "vm %s: deleting session %" PRIx64 ": %s", m->name,
			    v->id, err);
		break;
	case HANDOFF_EVENT_EXPIRED:
		LOG(e, LOG_WARNING, "vm %s: session %" PRIx64 " expired before activation",
		    m->name, v->id);
		v->ended = true;
		break;
	case HANDOFF_EVENT_DELETED:
		v->ended = true;
		v->made = false;
		break;
	default:
		return;
	}
	if (ev->event == HANDOFF_EVENT_EXPIRED)
		v->made = false;	/* the module unlinked it itself */
	if (all_gone(m)) {
		LOG(e, LOG_INFO, "vm %s (%s): finished", m->name, role_str(m));
		mig_free(e, m);
	}
}

void hd_on_timer(struct hd_engine *e)
{
	uint64_t now = e->ops->now_ms(e);
	struct hd_mig *m, *next;
	unsigned int i;

	for (i = 0; i < HD_MAX_EXPECTS; i++) {
		struct hd_expect *x = &e->expects[i];

		if (x->used && x->deadline_ms <= now) {
			x->used = false;
			e->ops->reply(e, x->client, ETIMEDOUT,
				      "no peer agent offered this VM (is it running there?)");
		}
	}

	for (m = e->migs; m; m = next) {
		next = m->next;
		if (!m->t_next_ms || m->t_next_ms > now)
			continue;
		if (m->state == HD_MIG_OFFERED) {
			mig_abort(e, m, ETIMEDOUT, "the destination agent did not answer", true);
			continue;
		}
		m->t_next_ms = now + HD_POLL_MS;
		check_source(e, m);
	}
}

uint64_t hd_next_timer(const struct hd_engine *e)
{
	const struct hd_mig *m;
	uint64_t t = 0;
	unsigned int i;

	for (i = 0; i < HD_MAX_EXPECTS; i++)
		if (e->expects[i].used && (!t || e->expects[i].deadline_ms < t))
			t = e->expects[i].deadline_ms;

	for (m = e->migs; m; m = m->next)
		if (m->t_next_ms && (!t || m->t_next_ms < t))
			t = m->t_next_ms;
	return t;
}

int hd_engine_start(struct hd_engine *e, char *err, size_t errlen)
{
	if (e->xen->ops->watch(e->xen, "@introduceDomain", TOKEN_INTRO) ||
	    e->xen->ops->watch(e->xen, "@releaseDomain", TOKEN_RELEASE)) {
		snprintf(err, errlen, "cannot watch xenstore's domain events");
		return -EIO;
	}
	e->watching = true;
	return 0;
}

void hd_engine_stop(struct hd_engine *e)
{
	while (e->migs) {
		e->migs->client = -1;
		mig_release(e, e->migs, true);
	}
	if (e->watching) {
		e->xen->ops->unwatch(e->xen, "@introduceDomain", TOKEN_INTRO);
		e->xen->ops->unwatch(e->xen, "@releaseDomain", TOKEN_RELEASE);
	}
	e->watching = false;
}

/*
 * Takeover after a restart: a session the module has. With its saved record
 * (first session of that record) the migration goes on where it was;
 * without one, the session is followed until it ends and then deleted.
 */
void hd_adopt(struct hd_engine *e, struct hd_mig *saved, const struct hc_session *s)
{
	struct hd_mig *m = hd_mig_find_session(e, s->id, s->role);
	unsigned int i;

	if (!m && saved) {
		struct hd_mig *next;

		m = mig_new(e, saved->role);
		if (!m)
			return;
		next = m->next;
		*m = *saved;
		m->next = next;
		m->chan = NULL;
		m->client = -1;
		for (i = 0; i < m->nvifs; i++)
			m->vifs[i].made = false;
		if (m->has_domid)
			watch_domain(e, m);
		if (m->state == HD_MIG_ARMED)
			m->t_next_ms = e->ops->now_ms(e) + HD_POLL_MS;
		LOG(e, LOG_INFO, "vm %s (%s): taken over in state %s", m->name, role_str(m),
		    hd_mig_state_name(m->state));
	}
	if (!m) {
		m = mig_new(e, s->role);
		if (!m)
			return;
		snprintf(m->name, sizeof(m->name), "session-%" PRIx64, s->id);
		m->nvifs = 1;
		m->vifs[0].id = s->id;
		m->state = HD_MIG_ENDING;
		LOG(e, LOG_WARNING, "session %" PRIx64 " (%s) has no saved record: following "
		    "it until it ends", s->id, role_str(m));
	}
	for (i = 0; i < m->nvifs; i++) {
		struct hd_mig_vif *v = &m->vifs[i];

		if (v->id != s->id)
			continue;
		v->made = true;
		v->kstate = s->state;
		v->attached = s->has_ifname;
		if (s->has_ifname)
			snprintf(v->ifname, sizeof(v->ifname), "%s", s->ifname);
		if (s->state >= HANDOFF_STATE_DONE) {
			struct hc_event ev = { .event = HANDOFF_EVENT_DONE, .id = s->id,
					       .has_role = true, .role = s->role };

			if (s->state == HANDOFF_STATE_ABORTED)
				ev.event = HANDOFF_EVENT_ABORTED;
			hd_on_event(e, &ev);
			return;
		}
	}
	if (m->role == HANDOFF_ROLE_DEST) {
		try_find(e, m);
		try_attach(e, m);
	}
}
