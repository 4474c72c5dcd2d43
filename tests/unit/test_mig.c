// SPDX-License-Identifier: GPL-2.0
/*
 * The migration engine (agent/mig.c) against the scripted Xen and recording
 * fakes of the module, the peer channel and the control socket: two engines
 * (a source host and a destination host) talk through those fakes, so a
 * whole migration plays out without a kernel, a network or Xen.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "check.h"
#include "mig.h"
#include "xenvm.h"

#define UUID "6f1d2c3b-4a59-4e8d-9c0b-1a2b3c4d5e6f"
#define MAC "00:16:3e:00:00:10"
#define MAX_CALLS 64

struct call {
	uint8_t cmd;			/* HANDOFF_CMD_* */
	uint64_t id;
	uint8_t role;
	char ifname[16];
	struct hc_req req;		/* SESSION_NEW */
	uint8_t tx[32], rx[32];
};

struct host {
	struct hd_engine e;
	struct hd_config cfg;
	struct host *peer;		/* where sent messages go */
	struct call calls[MAX_CALLS];
	unsigned int ncalls;
	struct hd_msg sent[MAX_CALLS];
	unsigned int nsent;
	int reply_client, reply_err;
	char reply_text[256];
	unsigned int nreplies;
	uint64_t now;
	uint32_t rnd;
	bool refuse_new;
	const char *ifnames[4];		/* netdevs that exist */
};

static struct host *H(struct hd_engine *e)
{
	return e->ctx;
}

static struct call *record(struct hd_engine *e, uint8_t cmd, uint64_t id, uint8_t role)
{
	struct host *h = H(e);
	struct call *c = &h->calls[h->ncalls < MAX_CALLS ? h->ncalls++ : MAX_CALLS - 1];

	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	c->id = id;
	c->role = role;
	return c;
}

static int f_new(struct hd_engine *e, const struct hc_req *req, const uint8_t tx[32],
		 const uint8_t rx[32], char *err, size_t errlen)
{
	struct call *c;

	if (H(e)->refuse_new) {
		snprintf(err, errlen, "Device not found");
		return -ENODEV;
	}
	c = record(e, HANDOFF_CMD_SESSION_NEW, req->id, req->role);
	c->req = *req;
	memcpy(c->tx, tx, 32);
	memcpy(c->rx, rx, 32);
	return 0;
}

static int f_cmd(struct hd_engine *e, uint8_t cmd, uint64_t id, uint8_t role, const char *ifname,
		 char *err, size_t errlen)
{
	struct call *c = record(e, cmd, id, role);

	(void)err;
	(void)errlen;
	snprintf(c->ifname, sizeof(c->ifname), "%s", ifname ? ifname : "");
	return 0;
}

static int f_get(struct hd_engine *e, uint64_t id, uint8_t role, struct hc_session *s)
{
	(void)e;
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->role = role;
	return 0;
}

static void *f_connect(struct hd_engine *e, const struct sockaddr *sa, socklen_t len, char *err,
		       size_t errlen)
{
	(void)sa;
	(void)len;
	(void)err;
	(void)errlen;
	return H(e)->peer;	/* the channel is the peer host itself */
}

static int f_send(struct hd_engine *e, void *chan, const struct hd_msg *m)
{
	struct host *h = H(e);

	(void)chan;
	if (h->nsent < MAX_CALLS)
		h->sent[h->nsent++] = *m;
	return 0;
}

static unsigned int f_ifindex(struct hd_engine *e, const char *ifname)
{
	unsigned int i;

	for (i = 0; i < 4 && H(e)->ifnames[i]; i++)
		if (!strcmp(H(e)->ifnames[i], ifname))
			return 10 + i;
	return 0;
}

static void f_reply(struct hd_engine *e, int client, int err, const char *text)
{
	struct host *h = H(e);

	h->reply_client = client;
	h->reply_err = err;
	snprintf(h->reply_text, sizeof(h->reply_text), "%s", text);
	h->nreplies++;
}

static void f_log(struct hd_engine *e, int level, const char *fmt, ...)
{
	va_list ap;

	(void)e;
	if (!getenv("HC_TEST_VERBOSE") || level > LOG_DEBUG)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static uint64_t f_now(struct hd_engine *e)
{
	return H(e)->now;
}

static void f_random(struct hd_engine *e, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len--)
		*p++ = (uint8_t)(++H(e)->rnd * 37);
}

static const struct hd_ops fake_ops = {
	.k_new = f_new, .k_cmd = f_cmd, .k_get = f_get, .connect = f_connect, .send = f_send,
	.ifindex = f_ifindex, .reply = f_reply, .log = f_log, .now_ms = f_now,
	.random = f_random,
};

static void xen(struct host *h, const char *line)
{
	char err[256];

	if (hx_fake_apply(h->e.xen, line, err, sizeof(err)))
		hc_check_fail(__FILE__, __LINE__, "fake xen \"%s\": %s", line, err);
}

/* Delivers the pending xenstore watches to the engine, as handoffd's loop does. */
static void watches(struct host *h)
{
	char path[256], token[64];

	while (!h->e.xen->ops->read_watch(h->e.xen, path, sizeof(path), token, sizeof(token)))
		hd_on_watch(&h->e, path, token);
}

static void host_init(struct host *h, const char *self, const char *peer, uint32_t seed)
{
	char err[256];
	int r;

	memset(h, 0, sizeof(*h));
	hd_config_defaults(&h->cfg);
	r = hd_config_parse(&h->cfg, "test", peer, strlen(peer), err, sizeof(err));
	if (r)
		hc_check_fail(__FILE__, __LINE__, "config: %s", err);
	(void)self;
	h->rnd = seed;
	h->now = 1000;
	h->reply_client = -1;
	h->e.ops = &fake_ops;
	h->e.ctx = h;
	h->e.cfg = &h->cfg;
	memset(h->e.psk, 0x42, sizeof(h->e.psk));
	h->e.tunnel_port = 6657;
	h->e.xen = hx_xen_open_fake(NULL, err, sizeof(err));
	if (!h->e.xen)
		hc_check_fail(__FILE__, __LINE__, "fake xen: %s", err);
	else if (hd_engine_start(&h->e, err, sizeof(err)))
		hc_check_fail(__FILE__, __LINE__, "start: %s", err);
	watches(h);
}

static void host_fini(struct host *h)
{
	hd_engine_stop(&h->e);
	hx_xen_close(h->e.xen);
}

static struct sockaddr_in addr_of(const char *ip)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(40000) };

	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

/* Hands the messages h sent to its peer (as if over the channel). */
static void deliver(struct host *h, const char *from_ip)
{
	struct sockaddr_in from = addr_of(from_ip);
	unsigned int i, n = h->nsent;

	h->nsent = 0;
	for (i = 0; i < n; i++)
		hd_on_msg(&h->peer->e, h, (struct sockaddr *)&from, sizeof(from), &h->sent[i]);
}

static const struct call *find_call(const struct host *h, uint8_t cmd, unsigned int nth)
{
	unsigned int i;

	for (i = 0; i < h->ncalls; i++)
		if (h->calls[i].cmd == cmd && !nth--)
			return &h->calls[i];
	return NULL;
}

static void event(struct host *h, uint8_t ev, uint64_t id, uint8_t role)
{
	struct hc_event e = { .event = ev, .id = id, .has_role = true, .role = role };

	hd_on_event(&h->e, &e);
}

/* Source host 192.0.2.1 with domain 3 "web" and its vif; destination 192.0.2.2. */
static void two_hosts(struct host *src, struct host *dst)
{
	host_init(src, "192.0.2.1", "peer = 192.0.2.2\n", 1);
	host_init(dst, "192.0.2.2", "peer = 192.0.2.1\n", 100);
	src->peer = dst;
	dst->peer = src;
	xen(src, "domain new 3 " UUID " web");
	xen(src, "vif 3 0 " MAC " vif3.0");
	xen(src, "write /local/domain/0/backend/vif/3/0/ip 10.0.0.5");
	xen(src, "domain unpause 3");
	watches(src);
}

/* migrate-begin through the accept: both hosts have their sessions. */
static bool begin(struct host *src, struct host *dst)
{
	hd_begin(&src->e, 7, "web", "192.0.2.2");
	if (!CHECK_INT(src->nsent, 1) || !CHECK_INT(src->sent[0].type, HD_MSG_OFFER))
		return false;
	deliver(src, "192.0.2.1");
	if (!CHECK_INT(dst->nsent, 1) || !CHECK_INT(dst->sent[0].type, HD_MSG_ACCEPT))
		return false;
	deliver(dst, "192.0.2.2");
	return CHECK_INT(src->nreplies, 1) && CHECK_INT(src->reply_client, 7) &&
	       CHECK_INT(src->reply_err, 0);
}

TEST(mig_begin_sets_up_both_halves_with_matching_keys)
{
	static struct host src, dst;
	const struct call *s, *d;
	char ip[32];

	two_hosts(&src, &dst);
	if (!begin(&src, &dst))
		goto out;
	s = find_call(&src, HANDOFF_CMD_SESSION_NEW, 0);
	d = find_call(&dst, HANDOFF_CMD_SESSION_NEW, 0);
	if (!CHECK(s) || !CHECK(d))
		goto out;
	CHECK_INT(s->role, HANDOFF_ROLE_SOURCE);
	CHECK_INT(d->role, HANDOFF_ROLE_DEST);
	CHECK(s->id && s->id == d->id);
	CHECK_STR(s->req.dev, "vif3.0");
	CHECK(!(d->req.have & HC_HAVE_DEV));
	CHECK_INT(s->req.flags, 0);
	CHECK_INT(d->req.flags, 0);
	/* Each direction its own key, the same on both ends. */
	CHECK_MEM(s->tx, d->rx, 32);
	CHECK_MEM(s->rx, d->tx, 32);
	CHECK(memcmp(s->tx, s->rx, 32));
	/* The tunnel goes to the peer's address at the peer module's port. */
	inet_ntop(AF_INET, &((const struct sockaddr_in *)&s->req.peer)->sin_addr, ip, sizeof(ip));
	CHECK_STR(ip, "192.0.2.2");
	CHECK_INT(ntohs(((const struct sockaddr_in *)&s->req.peer)->sin_port), 6657);
	inet_ntop(AF_INET, &((const struct sockaddr_in *)&d->req.peer)->sin_addr, ip, sizeof(ip));
	CHECK_STR(ip, "192.0.2.1");
	/* The vif's configured address travels with the offer. */
	CHECK_INT(d->req.naddrs, 1);
	CHECK_INT(d->req.addrs[0].family, AF_INET);
	CHECK(strstr(src.reply_text, "vif3.0="));
	CHECK_STR(hd_mig_state_name(src.e.migs->state), "ready");
	CHECK_STR(hd_mig_state_name(dst.e.migs->state), "waiting");
out:
	host_fini(&src);
	host_fini(&dst);
}

/* divert = yes: the source session diverts; a destination cannot (EINVAL). */
TEST(mig_divert_flags_only_the_source_session)
{
	static struct host src, dst;
	const struct call *s, *d;

	two_hosts(&src, &dst);
	src.cfg.divert = 1;
	dst.cfg.divert = 1;
	if (!begin(&src, &dst))
		goto out;
	s = find_call(&src, HANDOFF_CMD_SESSION_NEW, 0);
	d = find_call(&dst, HANDOFF_CMD_SESSION_NEW, 0);
	if (CHECK(s) && CHECK(d)) {
		CHECK_INT(s->req.flags, HANDOFF_F_DIVERT);
		CHECK_INT(d->req.flags, 0);
	}
out:
	host_fini(&src);
	host_fini(&dst);
}

TEST(mig_full_run_arms_attaches_and_cleans_up)
{
	static struct host src, dst;
	const struct call *c;
	uint64_t id;

	two_hosts(&src, &dst);
	dst.ifnames[0] = "vif9.0";
	if (!begin(&src, &dst))
		goto out;
	id = src.calls[0].id;
	/* The toolstack asks the guest to suspend: arm at the request. */
	xen(&src, "write /local/domain/3/control/shutdown suspend");
	watches(&src);
	c = find_call(&src, HANDOFF_CMD_SESSION_ARM, 0);
	CHECK(c && c->id == id);
	CHECK_STR(hd_mig_state_name(src.e.migs->state), "armed");
	/* The guest runs on until it suspends: that is no resume. */
	src.now += 5 * HD_POLL_MS;
	hd_on_timer(&src.e);
	CHECK(!find_call(&src, HANDOFF_CMD_SESSION_ABORT, 0));
	CHECK_STR(hd_mig_state_name(src.e.migs->state), "armed");
	xen(&src, "write /local/domain/3/control/shutdown");
	xen(&src, "domain shutdown 3 suspend");
	watches(&src);
	CHECK(!find_call(&src, HANDOFF_CMD_SESSION_ARM, 1));	/* once */

	/* The incoming domain: same uuid, its vif, whose netdev exists. */
	xen(&dst, "domain new 9 " UUID " web--incoming");
	watches(&dst);
	CHECK(!find_call(&dst, HANDOFF_CMD_SESSION_ATTACH, 0));	/* no vif yet */
	xen(&dst, "vif 9 0 " MAC);
	watches(&dst);
	c = find_call(&dst, HANDOFF_CMD_SESSION_ATTACH, 0);
	CHECK(c && c->id == id && !strcmp(c->ifname, "vif9.0"));
	CHECK_STR(hd_mig_state_name(dst.e.migs->state), "attached");

	/* The source domain is destroyed: the migration completed. */
	xen(&src, "domain destroy 3");
	watches(&src);
	CHECK_STR(hd_mig_state_name(src.e.migs->state), "ending");
	CHECK(src.nsent == 1 && src.sent[0].type == HD_MSG_DONE);
	deliver(&src, "192.0.2.1");

	/* The module ends both sessions: the agent deletes them and forgets. */
	event(&dst, HANDOFF_EVENT_ACTIVATED, id, HANDOFF_ROLE_DEST);
	CHECK_STR(hd_mig_state_name(dst.e.migs->state), "active");
	event(&dst, HANDOFF_EVENT_DONE, id, HANDOFF_ROLE_DEST);
	c = find_call(&dst, HANDOFF_CMD_SESSION_DEL, 0);
	CHECK(c && c->id == id && c->role == HANDOFF_ROLE_DEST);
	event(&dst, HANDOFF_EVENT_DELETED, id, HANDOFF_ROLE_DEST);
	CHECK_INT(dst.e.nmigs, 0);
	event(&src, HANDOFF_EVENT_DONE, id, HANDOFF_ROLE_SOURCE);
	event(&src, HANDOFF_EVENT_DELETED, id, HANDOFF_ROLE_SOURCE);
	CHECK_INT(src.e.nmigs, 0);
out:
	host_fini(&src);
	host_fini(&dst);
}

TEST(mig_dest_waits_for_the_netdev)
{
	static struct host src, dst;

	two_hosts(&src, &dst);
	if (!begin(&src, &dst))
		goto out;
	xen(&dst, "domain new 9 " UUID " web--incoming");
	xen(&dst, "vif 9 0 " MAC " vifweb");
	watches(&dst);
	CHECK(!find_call(&dst, HANDOFF_CMD_SESSION_ATTACH, 0));
	hd_on_link(&dst.e, "vif9.0");	/* not the name the hotplug script gives */
	CHECK(!find_call(&dst, HANDOFF_CMD_SESSION_ATTACH, 0));
	dst.ifnames[0] = "vifweb";
	hd_on_link(&dst.e, "vifweb");
	CHECK(find_call(&dst, HANDOFF_CMD_SESSION_ATTACH, 0));
out:
	host_fini(&src);
	host_fini(&dst);
}

TEST(mig_localhost_skips_the_source_domain)
{
	static struct host h;
	const struct call *c;

	/* One host, its own peer: the source domain has the VM's uuid too. */
	host_init(&h, "127.0.0.1", "peer = 127.0.0.1\n", 1);
	h.peer = &h;
	h.ifnames[0] = "vif3.0";
	h.ifnames[1] = "vif4.0";
	xen(&h, "domain new 3 " UUID " web");
	xen(&h, "vif 3 0 " MAC);
	watches(&h);
	hd_begin(&h.e, 7, "web", "127.0.0.1");
	deliver(&h, "127.0.0.1");	/* offer */
	deliver(&h, "127.0.0.1");	/* accept */
	CHECK_INT(h.reply_err, 0);
	CHECK(!find_call(&h, HANDOFF_CMD_SESSION_ATTACH, 0));
	xen(&h, "domain new 4 " UUID " web--incoming");
	xen(&h, "vif 4 0 " MAC);
	watches(&h);
	c = find_call(&h, HANDOFF_CMD_SESSION_ATTACH, 0);
	CHECK(c && !strcmp(c->ifname, "vif4.0") && c->role == HANDOFF_ROLE_DEST);
	host_fini(&h);
}

TEST(mig_resumed_source_aborts_both)
{
	static struct host src, dst;
	const struct call *c;

	two_hosts(&src, &dst);
	if (!begin(&src, &dst))
		goto out;
	xen(&src, "domain shutdown 3 suspend");
	watches(&src);	/* the request was missed: arms at the suspend */
	CHECK(find_call(&src, HANDOFF_CMD_SESSION_ARM, 0));
	xen(&src, "domain resume 3");	/* xenstored fires nothing: the poll sees it */
	watches(&src);
	CHECK(!find_call(&src, HANDOFF_CMD_SESSION_ABORT, 0));
	src.now += HD_POLL_MS;
	hd_on_timer(&src.e);
	c = find_call(&src, HANDOFF_CMD_SESSION_ABORT, 0);
	CHECK(c && c->role == HANDOFF_ROLE_SOURCE);
	CHECK(src.nsent == 1 && src.sent[0].type == HD_MSG_ABORT);
	deliver(&src, "192.0.2.1");
	c = find_call(&dst, HANDOFF_CMD_SESSION_ABORT, 0);
	CHECK(c && c->role == HANDOFF_ROLE_DEST);
	CHECK_STR(hd_mig_state_name(dst.e.migs->state), "aborting");
out:
	host_fini(&src);
	host_fini(&dst);
}

/* Armed at the request, then the guest triple-faults while suspending (seen on
 * real Xen: a PVH guest reboots, its domain goes): nothing migrated. */
TEST(mig_source_crash_while_suspending_aborts_both)
{
	static struct host src, dst;
	const struct call *c;

	two_hosts(&src, &dst);
	if (!begin(&src, &dst))
		goto out;
	xen(&src, "write /local/domain/3/control/shutdown suspend");
	watches(&src);
	CHECK(find_call(&src, HANDOFF_CMD_SESSION_ARM, 0));
	xen(&src, "domain shutdown 3 reboot");
	watches(&src);
	c = find_call(&src, HANDOFF_CMD_SESSION_ABORT, 0);
	CHECK(c && c->role == HANDOFF_ROLE_SOURCE);
	CHECK(src.nsent == 1 && src.sent[0].type == HD_MSG_ABORT);
	CHECK(strstr(src.sent[0].reason, "reboot"));
	deliver(&src, "192.0.2.1");
	CHECK(find_call(&dst, HANDOFF_CMD_SESSION_ABORT, 0));
out:
	host_fini(&src);
	host_fini(&dst);
}

/* Gone without ever being seen suspended: not a completed migration. */
TEST(mig_source_gone_unsuspended_is_no_done)
{
	static struct host src, dst;

	two_hosts(&src, &dst);
	if (!begin(&src, &dst))
		goto out;
	xen(&src, "write /local/domain/3/control/shutdown suspend");
	watches(&src);
	xen(&src, "domain destroy 3");
	watches(&src);
	CHECK(find_call(&src, HANDOFF_CMD_SESSION_ABORT, 0));
	CHECK(src.nsent == 1 && src.sent[0].type == HD_MSG_ABORT);
out:
	host_fini(&src);
	host_fini(&dst);
}

/* DONE while the destination never saw its domain (the restore failed). */
TEST(mig_done_without_incoming_domain_aborts_dest)
{
	static struct host src, dst;

	two_hosts(&src, &dst);
	if (!begin(&src, &dst))
		goto out;
	xen(&src, "domain shutdown 3 suspend");
	watches(&src);
	xen(&src, "domain destroy 3");
	watches(&src);
	CHECK(src.nsent == 1 && src.sent[0].type == HD_MSG_DONE);
	deliver(&src, "192.0.2.1");
	CHECK(find_call(&dst, HANDOFF_CMD_SESSION_ABORT, 0));
	CHECK(dst.e.nmigs == 0 || dst.e.migs->state == HD_MIG_ABORTING);
	/* The toolstack then reports the failure: the source aborts too. */
	hd_end(&src.e, 8, "web", false);
	CHECK_INT(src.reply_err, 0);
	CHECK(find_call(&src, HANDOFF_CMD_SESSION_ABORT, 0));
	CHECK(src.nsent == 1 && src.sent[0].type == HD_MSG_ABORT);
out:
	host_fini(&src);
	host_fini(&dst);
}

/* The incoming domain crashes as it resumes, before its carrier came on. */
TEST(mig_incoming_domain_crash_aborts_both)
{
	static struct host src, dst;
	const struct call *c;

	two_hosts(&src, &dst);
	dst.ifnames[0] = "vif9.0";
	if (!begin(&src, &dst))
		goto out;
	xen(&src, "domain shutdown 3 suspend");
	watches(&src);
	xen(&dst, "domain new 9 " UUID " web--incoming");
	xen(&dst, "vif 9 0 " MAC);
	watches(&dst);
	CHECK_STR(hd_mig_state_name(dst.e.migs->state), "attached");
	xen(&dst, "domain shutdown 9 reboot");
	watches(&dst);
	c = find_call(&dst, HANDOFF_CMD_SESSION_ABORT, 0);
	CHECK(c && c->role == HANDOFF_ROLE_DEST);
	CHECK(dst.nsent == 1 && dst.sent[0].type == HD_MSG_ABORT);
	deliver(&dst, "192.0.2.2");
	CHECK(find_call(&src, HANDOFF_CMD_SESSION_ABORT, 0));
out:
	host_fini(&src);
	host_fini(&dst);
}

TEST(mig_migrate_end_failed_aborts)
{
	static struct host src, dst;

	two_hosts(&src, &dst);
	if (!begin(&src, &dst))
		goto out;
	hd_end(&src.e, 8, "web", false);
	CHECK_INT(src.reply_client, 8);
	CHECK_INT(src.reply_err, 0);
	CHECK(find_call(&src, HANDOFF_CMD_SESSION_ABORT, 0));
	hd_end(&src.e, 9, "nosuchvm", false);
	CHECK_INT(src.reply_err, ENOENT);
out:
	host_fini(&src);
	host_fini(&dst);
}

TEST(mig_begin_refusals)
{
	static struct host src, dst;

	two_hosts(&src, &dst);
	hd_begin(&src.e, 7, "web", "192.0.2.99");
	CHECK_INT(src.reply_err, EPERM);
	hd_begin(&src.e, 7, "nosuch", "192.0.2.2");
	CHECK_INT(src.reply_err, ENOENT);
	hd_begin(&src.e, 7, "web", "not-an-address");
	CHECK_INT(src.reply_err, EINVAL);
	xen(&src, "domain new 4 6f1d2c3b-4a59-4e8d-9c0b-000000000000 novif");
	hd_begin(&src.e, 7, "novif", "192.0.2.2");
	CHECK_INT(src.reply_err, ENODEV);
	CHECK_INT(src.nsent, 0);
	CHECK_INT(src.e.nmigs, 0);
	/* The same VM twice. */
	hd_begin(&src.e, 7, "web", "192.0.2.2");
	hd_begin(&src.e, 8, "3", "192.0.2.2");
	CHECK_INT(src.reply_client, 8);
	CHECK_INT(src.reply_err, EBUSY);
	host_fini(&src);
	host_fini(&dst);
}

TEST(mig_offer_timeout_and_reject)
{
	static struct host src, dst;

	two_hosts(&src, &dst);
	hd_begin(&src.e, 7, "web", "192.0.2.2");
	src.now += HD_OFFER_TIMEOUT_MS;
	hd_on_timer(&src.e);
	CHECK_INT(src.reply_err, ETIMEDOUT);
	CHECK_INT(src.e.nmigs, 0);
	/* The destination cannot make its session: it refuses, the source reports it. */
	src.nsent = 0;
	dst.refuse_new = true;
	hd_begin(&src.e, 7, "web", "192.0.2.2");
	deliver(&src, "192.0.2.1");
	CHECK(dst.nsent == 1 && dst.sent[0].type == HD_MSG_REJECT);
	deliver(&dst, "192.0.2.2");
	CHECK_INT(src.reply_err, EIO);
	CHECK(strstr(src.reply_text, "Device not found"));
	CHECK_INT(src.e.nmigs, 0);
	CHECK_INT(dst.e.nmigs, 0);
	host_fini(&src);
	host_fini(&dst);
}

TEST(mig_adopt_follows_sessions_without_records)
{
	static struct host h;
	struct hc_session s = { .id = 0x77, .role = HANDOFF_ROLE_DEST,
				.state = HANDOFF_STATE_ACTIVE };
	const struct call *c;

	host_init(&h, "192.0.2.2", "peer = 192.0.2.1\n", 1);
	hd_adopt(&h.e, NULL, &s);
	CHECK_INT(h.e.nmigs, 1);
	event(&h, HANDOFF_EVENT_DONE, 0x77, HANDOFF_ROLE_DEST);
	c = find_call(&h, HANDOFF_CMD_SESSION_DEL, 0);
	CHECK(c && c->id == 0x77);
	event(&h, HANDOFF_EVENT_DELETED, 0x77, HANDOFF_ROLE_DEST);
	CHECK_INT(h.e.nmigs, 0);
	host_fini(&h);
}

TEST(mig_expect_pulls_the_offer_from_the_source)
{
	static struct host src, dst;

	two_hosts(&src, &dst);
	hd_expect(&dst.e, 5, "not-a-uuid");
	CHECK_INT(dst.reply_err, EINVAL);
	dst.nreplies = 0;
	hd_expect(&dst.e, 5, UUID);
	CHECK_INT(dst.nreplies, 0);	/* waits for an offer */
	if (!CHECK_INT(dst.nsent, 1) || !CHECK_INT(dst.sent[0].type, HD_MSG_WANT))
		goto out;
	deliver(&dst, "192.0.2.2");
	/* The source runs that VM: it offers on the channel the WANT came on. */
	if (!CHECK_INT(src.nsent, 1) || !CHECK_INT(src.sent[0].type, HD_MSG_OFFER))
		goto out;
	deliver(&src, "192.0.2.1");
	CHECK_INT(dst.nreplies, 1);
	CHECK_INT(dst.reply_client, 5);
	CHECK_INT(dst.reply_err, 0);
	deliver(&dst, "192.0.2.2");	/* the accept */
	CHECK(find_call(&src, HANDOFF_CMD_SESSION_NEW, 0));
	CHECK_STR(hd_mig_state_name(src.e.migs->state), "ready");
	CHECK(hd_chan_used(&src.e, &dst));
	/* Asked again: already there. */
	hd_expect(&dst.e, 6, UUID);
	CHECK_INT(dst.reply_client, 6);
	CHECK_INT(dst.reply_err, 0);
out:
	host_fini(&src);
	host_fini(&dst);
}

TEST(mig_expect_times_out_when_no_peer_has_the_vm)
{
	static struct host src, dst;

	two_hosts(&src, &dst);
	hd_expect(&dst.e, 5, "6f1d2c3b-4a59-4e8d-9c0b-000000000001");
	deliver(&dst, "192.0.2.2");
	CHECK_INT(src.nsent, 0);	/* not here: the source stays silent */
	CHECK(hd_next_timer(&dst.e) == dst.now + HD_EXPECT_TIMEOUT_MS);
	dst.now += HD_EXPECT_TIMEOUT_MS;
	hd_on_timer(&dst.e);
	CHECK_INT(dst.reply_client, 5);
	CHECK_INT(dst.reply_err, ETIMEDOUT);
	CHECK_INT(hd_next_timer(&dst.e), 0);
	host_fini(&src);
	host_fini(&dst);
}

TEST(mig_two_vifs_migrate_together)
{
	static struct host src, dst;
	const struct call *s0, *s1, *d0, *d1;

	two_hosts(&src, &dst);
	xen(&src, "vif 3 1 00:16:3e:00:00:11 vif3.1");
	watches(&src);
	dst.ifnames[0] = "vif9.0";
	dst.ifnames[1] = "vif9.1";
	if (!begin(&src, &dst))
		goto out;
	s0 = find_call(&src, HANDOFF_CMD_SESSION_NEW, 0);
	s1 = find_call(&src, HANDOFF_CMD_SESSION_NEW, 1);
	d0 = find_call(&dst, HANDOFF_CMD_SESSION_NEW, 0);
	d1 = find_call(&dst, HANDOFF_CMD_SESSION_NEW, 1);
	if (!CHECK(s0 && s1 && d0 && d1))
		goto out;
	/* One session per vif, each with its own keys. */
	CHECK(s0->id != s1->id);
	CHECK_STR(s0->req.dev, "vif3.0");
	CHECK_STR(s1->req.dev, "vif3.1");
	CHECK(memcmp(s0->tx, s1->tx, 32));
	CHECK_MEM(s1->tx, d1->rx, 32);
	CHECK_INT(d1->req.macs[0][5], 0x11);
	/* Both vifs of the incoming domain attach, by MAC. */
	xen(&dst, "domain new 9 " UUID " web--incoming");
	xen(&dst, "vif 9 1 00:16:3e:00:00:11");
	xen(&dst, "vif 9 0 " MAC);
	watches(&dst);
	CHECK(find_call(&dst, HANDOFF_CMD_SESSION_ATTACH, 1));
	CHECK_STR(hd_mig_state_name(dst.e.migs->state), "attached");
out:
	host_fini(&src);
	host_fini(&dst);
}
