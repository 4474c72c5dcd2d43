// SPDX-License-Identifier: GPL-2.0
/*
 * handoffd: the agent. One poll loop over the module (requests and events),
 * rtnetlink (new netdevs), xenstore watches, the agent-to-agent channels,
 * the control socket and signals; the decisions are mig.c's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "channel.h"
#include "config.h"
#include "ctl.h"
#include "decode.h"
#include "genl.h"
#include "json.h"
#include "keyfile.h"
#include "kreq.h"
#include "mig.h"
#include "parse.h"
#include "rtnl.h"
#include "state.h"
#include "status.h"
#include "xen.h"

#ifndef HANDOFF_VERSION
#define HANDOFF_VERSION "unknown"
#endif

#define MAX_CONNS 64
#define MAX_CLIENTS 16
/* A channel no migration uses is closed after this long without traffic. */
#define IDLE_MS 30000

struct conn {
	struct conn *next;
	struct hd_chan *ch;
	struct sockaddr_storage addr;
	socklen_t len;
	char name[HC_SOCKADDR_STRLEN];
	uint64_t last_ms;	/* last traffic */
};

struct client {
	struct client *next;
	int fd;
	bool busy;		/* its request is being served: no more input */
	size_t len;
	char buf[HD_CTL_LINE_MAX + 1];
};

struct daemon {
	struct hd_config cfg;
	struct hd_engine e;
	struct hc_genl req, ev;
	struct hd_rtnl *rtnl;
	struct hx_xen *xen;
	int lfd, cfd, sfd;
	struct conn *conns;
	unsigned int nconns;
	struct client *clients;
	unsigned int nclients;
	const char *state_dir;
	bool journal;
	bool stop;
};

static struct daemon *the;	/* for logging from helpers without a daemon at hand */

static const char *const level_names[] = {
	[LOG_ERR] = "error", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

static void vlog(int level, const char *fmt, va_list ap)
{
	if (the && level > the->cfg.log_level)
		return;
	/* Under systemd stderr is the journal: "<N>" sets each line's priority. */
	if (the && the->journal)
		fprintf(stderr, "<%d>", level);
	else
		fprintf(stderr, "handoffd: %s: ",
			level >= LOG_ERR && level <= LOG_DEBUG && level_names[level] ?
			level_names[level] : "log");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void __attribute__((format(printf, 2, 3))) dlog(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct daemon *D(struct hd_engine *e)
{
	return e->ctx;
}

/* --- sd_notify, without libsystemd ------------------------------------------ */

static void notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sun.sun_path))
		return;
	memcpy(sun.sun_path, path, strlen(path));
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sun, len) < 0)
		dlog(LOG_WARNING, "sd_notify: %s", strerror(errno));
	close(fd);
}

/* --- engine ops --------------------------------------------------------------- */

static int op_k_new(struct hd_engine *e, const struct hc_req *req, const uint8_t tx[32],
		    const uint8_t rx[32], char *err, size_t errlen)
{
	struct hc_result res;
	int r = hc_session_new(&D(e)->req, req, tx, rx, &res);

	if (r)
		snprintf(err, errlen, "%s", res.text);
	return r;
}

static int op_k_cmd(struct hd_engine *e, uint8_t cmd, uint64_t id, uint8_t role,
		    const char *ifname, char *err, size_t errlen)
{
	struct hc_result res;
	int r = hc_session_cmd(&D(e)->req, cmd, id, role, ifname, &res);

	if (r)
		snprintf(err, errlen, "%s", res.text);
	return r;
}

static int op_k_get(struct hd_engine *e, uint64_t id, uint8_t role, struct hc_session *s)
{
	struct hc_result res;
	int r = hc_session_get(&D(e)->req, id, role, s, &res);

	if (r)
		dlog(LOG_DEBUG, "session %llx: %s", (unsigned long long)id, res.text);
	return r;
}

static struct conn *conn_add(struct daemon *d, int fd, enum hd_chan_role role,
			     const struct sockaddr *sa, socklen_t len)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c || d->nconns >= MAX_CONNS) {
		free(c);
		close(fd);
		return NULL;
	}
	c->ch = hd_chan_new(fd, role, d->e.psk);
	if (!c->ch) {
		free(c);
		close(fd);
		return NULL;
	}
	memcpy(&c->addr, sa, len);
	c->len = len;
	if (hc_fmt_sockaddr(c->name, sa, len))
		snprintf(c->name, sizeof(c->name), "?");
	c->last_ms = now_ms();
	c->next = d->conns;
	d->conns = c;
	d->nconns++;
	return c;
}

static void conn_close(struct daemon *d, struct conn *c, const char *why)
{
	struct conn **pp;

	dlog(why ? LOG_INFO : LOG_DEBUG, "peer %s: channel closed%s%s", c->name,
	     why ? ": " : "", why ? why : "");
	hd_on_chan_closed(&d->e, c);
	for (pp = &d->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	d->nconns--;
	hd_chan_free(c->ch);
	free(c);
}

static void *op_connect(struct hd_engine *e, const struct sockaddr *sa, socklen_t len,
			char *err, size_t errlen)
{
	struct daemon *d = D(e);
	struct conn *c;
	int fd, one = 1;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return NULL;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, sa, len) && errno != EINPROGRESS) {
		snprintf(err, errlen, "connecting to the peer agent: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	c = conn_add(d, fd, HD_CHAN_CLIENT, sa, len);
	if (!c)
		snprintf(err, errlen, "too many peer channels");
	return c;
}

static int op_send(struct hd_engine *e, void *chan, const struct hd_msg *m)
{
	struct conn *c = chan;

	(void)e;
	return hd_chan_send(c->ch, m);
}

static unsigned int op_ifindex(struct hd_engine *e, const char *ifname)
{
	(void)e;
	return if_nametoindex(ifname);
}

static void client_close(struct daemon *d, struct client *c);

static struct client *find_client(struct daemon *d, int fd)
{
	struct client *c;

	for (c = d->clients; c; c = c->next)
		if (c->fd == fd)
			return c;
	return NULL;
}

static void client_write(struct daemon *d, int fd, const char *text)
{
	size_t len = strlen(text), off = 0;
	ssize_t n;

	(void)d;
	/* Answers are one short line: a blocking write to a local client. */
	while (off < len) {
		n = send(fd, text + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		off += (size_t)n;
	}
}

static void op_reply(struct hd_engine *e, int client, int err, const char *text)
{
	struct daemon *d = D(e);
	struct client *c = find_client(d, client);
	char line[HD_CTL_LINE_MAX + 64];

	if (!c)
		return;
	if (err)
		snprintf(line, sizeof(line), "error %d %s\n", err, text);
	else
		snprintf(line, sizeof(line), "ok %s\n", text);
	client_write(d, c->fd, line);
	client_close(d, c);
}

static void op_log(struct hd_engine *e, int level, const char *fmt, ...)
{
	va_list ap;

	(void)e;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

static uint64_t op_now_ms(struct hd_engine *e)
{
	(void)e;
	return now_ms();
}

static void op_random(struct hd_engine *e, void *buf, size_t len)
{
	(void)e;
	randombytes_buf(buf, len);
}

static void op_saved(struct hd_engine *e, const struct hd_mig *m, bool gone)
{
	int r = hd_state_save(D(e)->state_dir, m, gone);

	if (r)
		dlog(LOG_WARNING, "vm %s: saving its record in %s: %s (a restart would lose it)",
		     m->name, D(e)->state_dir, strerror(-r));
}

static const struct hd_ops ops = {
	.k_new = op_k_new,
	.k_cmd = op_k_cmd,
	.k_get = op_k_get,
	.connect = op_connect,
	.send = op_send,
	.ifindex = op_ifindex,
	.reply = op_reply,
	.log = op_log,
	.now_ms = op_now_ms,
	.random = op_random,
	.saved = op_saved,
};

/* --- control socket --------------------------------------------------------- */

static void client_close(struct daemon *d, struct client *c)
{
	struct client **pp;

	hd_on_client_gone(&d->e, c->fd);
	for (pp = &d->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	d->nclients--;
	close(c->fd);
	free(c);
}

static void answer_status(struct daemon *d, struct client *c, bool json)
{
	struct hc_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		client_write(d, c->fd, "error 12 out of memory\n");
		return;
	}
	if (json) {
		hc_json_init(&j, f, false);
		hd_status_json(&j, &d->e, now_ms());
		hc_json_end(&j);
	} else {
		hd_status_text(f, &d->e, now_ms());
	}
	fclose(f);
	client_write(d, c->fd, buf);
	free(buf);
}

static void on_request(struct daemon *d, struct client *c, const char *line)
{
	struct hd_ctl_req req;
	char err[256], out[320];
	int fd = c->fd;

	if (hd_ctl_parse(line, &req, err, sizeof(err))) {
		snprintf(out, sizeof(out), "error %d %s\n", EINVAL, err);
		client_write(d, fd, out);
		client_close(d, c);
		return;
	}
	switch (req.verb) {
	case HD_CTL_STATUS:
		answer_status(d, c, req.json);
		client_close(d, c);
		return;
	case HD_CTL_BEGIN:
		dlog(LOG_INFO, "control: migrate-begin %s %s", req.vm, req.dest);
		hd_begin(&d->e, fd, req.vm, req.dest);	/* answers when ready */
		return;
	case HD_CTL_EXPECT:
		dlog(LOG_INFO, "control: migrate-expect %s", req.vm);
		hd_expect(&d->e, fd, req.vm);	/* answers when offered */
		return;
	case HD_CTL_END:
		dlog(LOG_INFO, "control: migrate-end %s %s", req.vm, req.ok ? "ok" : "failed");
		hd_end(&d->e, fd, req.vm, req.ok);
		return;
	}
}

static void on_client(struct daemon *d, struct client *c)
{
	char *nl;
	ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(d, c);
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	nl = memchr(c->buf, '\n', c->len);
	if (!nl) {
		if (c->len == sizeof(c->buf) - 1) {
			client_write(d, c->fd, "error 7 request too long\n");
			client_close(d, c);
		}
		return;
	}
	*nl = '\0';
	/* The client may half-close now: its EOF must not drop the answer. */
	c->busy = true;
	on_request(d, c, c->buf);
}

static void on_control_accept(struct daemon *d)
{
	struct client *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = accept4(d->cfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	/* The socket is 0600 root's; check anyway: only root drives migrations. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.uid != 0 ||
	    d->nclients >= MAX_CLIENTS) {
		client_write(d, fd, "error 1 only root may talk to handoffd (or too many clients)\n");
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->next = d->clients;
	d->clients = c;
	d->nclients++;
}

static int open_control(struct daemon *d, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = d->cfg.control_socket;
	char dir[sizeof(sun.sun_path)], *slash;
	mode_t old;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			snprintf(err, errlen, "control socket directory %s: %s", dir,
				 strerror(errno));
			return -errno;
		}
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	d->cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->cfd < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return -errno;
	}
	unlink(path);	/* a stale one from a crash */
	old = umask(0077);
	if (bind(d->cfd, (struct sockaddr *)&sun, sizeof(sun)) || listen(d->cfd, 8)) {
		umask(old);
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		return -errno;
	}
	umask(old);
	return 0;
}

/* --- peers -------------------------------------------------------------------- */

static int open_listen(struct daemon *d, char *err, size_t errlen)
{
	int one = 1;

	d->lfd = socket(d->cfg.listen.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->lfd < 0 ||
	    setsockopt(d->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(d->lfd, (struct sockaddr *)&d->cfg.listen, d->cfg.listen_len) ||
	    listen(d->lfd, 16)) {
		char where[HC_SOCKADDR_STRLEN];

		hc_fmt_sockaddr(where, &d->cfg.listen, d->cfg.listen_len);
		snprintf(err, errlen, "listening on %s: %s", where, strerror(errno));
		return -errno;
	}
	return 0;
}

static void on_peer_accept(struct daemon *d)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char name[HC_SOCKADDR_STRLEN];
	int fd = accept4(d->lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int one = 1;

	if (fd < 0)
		return;
	if (hc_fmt_sockaddr(name, &ss, len))
		snprintf(name, sizeof(name), "?");
	if (!hd_config_peer(&d->cfg, (struct sockaddr *)&ss, len)) {
		dlog(LOG_WARNING, "refused a connection from %s: not a configured peer", name);
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (!conn_add(d, fd, HD_CHAN_SERVER, (struct sockaddr *)&ss, len))
		dlog(LOG_WARNING, "refused a connection from %s: too many channels", name);
	else
		dlog(LOG_DEBUG, "peer %s: connected", name);
}

static struct conn *find_conn(struct daemon *d, int fd)
{
	struct conn *c;

	for (c = d->conns; c; c = c->next)
		if (hd_chan_fd(c->ch) == fd)
			return c;
	return NULL;
}

static int on_peer_msg(struct hd_chan *ch, const struct hd_msg *m, void *arg);

static void on_conn(struct daemon *d, struct conn *c, short revents)
{
	const char *why = NULL;
	int r = 0;

	c->last_ms = now_ms();
	if (revents & (POLLIN | POLLHUP | POLLERR))
		r = hd_chan_on_readable(c->ch, on_peer_msg, c, &why);
	if (!r && (revents & POLLOUT))
		r = hd_chan_on_writable(c->ch, &why);
	if (r)
		conn_close(d, c, why ? why : strerror(-r));
}

static int on_peer_msg(struct hd_chan *ch, const struct hd_msg *m, void *arg)
{
	struct daemon *d = the;
	struct conn *c = arg;

	(void)ch;
	dlog(LOG_DEBUG, "peer %s: %s", c->name, hd_msg_type_name(m->type));
	hd_on_msg(&d->e, c, (struct sockaddr *)&c->addr, c->len, m);
	return 0;
}

/* --- kernel, rtnetlink, xenstore -------------------------------------------- */

static int on_kernel_event(const void *attrs, size_t len, uint8_t cmd, void *arg)
{
	struct daemon *d = arg;
	struct hc_event ev;
	const char *why;

	if (cmd != HANDOFF_CMD_EVENT)
		return 0;
	if (hc_decode_event(attrs, len, &ev, &why)) {
		dlog(LOG_WARNING, "malformed event from the module: %s", why);
		return 0;
	}
	hd_on_event(&d->e, &ev);
	return 0;
}

static void on_link(const char *ifname, void *arg)
{
	struct daemon *d = arg;

	hd_on_link(&d->e, ifname);
}

static void on_xen(struct daemon *d)
{
	char path[512], token[64];
	int r;

	while (!(r = d->xen->ops->read_watch(d->xen, path, sizeof(path), token, sizeof(token))))
		hd_on_watch(&d->e, path, token);
	if (r != -EAGAIN)
		dlog(LOG_WARNING, "reading xenstore watches: %s", strerror(-r));
}

static void on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			dlog(LOG_NOTICE, "SIGHUP: configuration reload is not supported; restart "
			     "handoffd (sessions in flight survive a restart)");
			continue;
		}
		d->stop = true;
	}
}

/* --- startup ------------------------------------------------------------------ */

static void warn_record(const char *file, const char *why, void *arg)
{
	(void)arg;
	dlog(LOG_WARNING, "state record %s: %s", file, why);
}

struct adopt_arg {
	struct daemon *d;
	struct hd_mig *saved;
	unsigned int n;
};

static int adopt_one(const struct hc_session *s, void *arg)
{
	struct adopt_arg *a = arg;

	hd_adopt(&a->d->e, hd_state_find(a->saved, s->id, s->role), s);
	a->n++;
	return 0;
}

/* Takes over the module's sessions (a restart mid-migration). */
static int take_over(struct daemon *d, char *err, size_t errlen)
{
	struct adopt_arg a = { .d = d };
	struct hc_result res;
	struct hd_mig *m;
	int r;

	if (mkdir(d->state_dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "state directory %s: %s", d->state_dir, strerror(errno));
		return -errno;
	}
	a.saved = hd_state_load(d->state_dir, warn_record, NULL);
	r = hc_session_dump(&d->req, adopt_one, &a, &res);
	/* Records whose sessions the module no longer has are stale. */
	for (m = a.saved; m; m = m->next)
		if (!hd_mig_find(&d->e, m->uuid, m->role))
			hd_state_save(d->state_dir, m, true);
	hd_state_free(a.saved);
	if (r) {
		snprintf(err, errlen, "dumping the module's sessions: %s", res.text);
		return r;
	}
	if (a.n)
		dlog(LOG_NOTICE, "took over %u session(s) from the module", a.n);
	return 0;
}

static void usage(FILE *f)
{
	fputs("Usage: handoffd [-c FILE] [--check-config] [--xen fake:CTL] [--state-dir DIR]\n"
	      "                [-v] [--version]\n"
	      "  -c, --config FILE   configuration (default /etc/handoff/handoffd.conf)\n"
	      "  --check-config      validate the configuration and the key file, then exit\n"
	      "  --xen fake:CTL      a scripted Xen for tests (see handoffd(8)), not libxenstore\n"
	      "  --state-dir DIR     migration records for a restart (default /run/handoff/state)\n"
	      "  -v, --verbose       log at debug level\n", f);
}

static int check_key(const struct hd_config *cfg, uint8_t psk[32])
{
	const char *why;

	if (hc_key_read(cfg->key_file, psk, &why)) {
		dlog(LOG_ERR, "key-file %s: %s", cfg->key_file, why);
		return -1;
	}
	return 0;
}

static int open_all(struct daemon *d, const char *xen, char *err, size_t errlen)
{
	struct hc_result res;
	struct hc_info info;
	sigset_t mask;
	int r;

	r = hc_genl_open(&d->req, HANDOFF_GENL_NAME, NULL, HANDOFF_GENL_VERSION, &res);
	if (!r)
		r = hc_genl_open(&d->ev, HANDOFF_GENL_NAME, HANDOFF_MCGRP_EVENTS,
				 HANDOFF_GENL_VERSION, &res);
	if (!r)
		r = hc_genl_subscribe(&d->ev, on_kernel_event, d, &res);
	memset(&info, 0, sizeof(info));
	if (!r)
		r = hc_get_info(&d->req, &info, &res);
	if (r) {
		snprintf(err, errlen, "the handoff module: %s", res.text);
		return r;
	}
	if (!info.has_port) {
		snprintf(err, errlen, "the handoff module did not report its tunnel port");
		return -EPROTO;
	}
	d->e.tunnel_port = info.port;
	d->rtnl = hd_rtnl_open(err, errlen);
	if (!d->rtnl)
		return -EIO;
	if (xen && !strncmp(xen, "fake:", 5))
		d->xen = hx_xen_open_fake(xen + 5, err, errlen);
	else if (xen)
		return snprintf(err, errlen, "--xen: expected fake:CTL, not \"%s\"", xen), -EINVAL;
	else
		d->xen = hx_xen_open(err, errlen);
	if (!d->xen)
		return -EIO;
	d->e.xen = d->xen;
	r = open_listen(d, err, errlen);
	if (!r)
		r = open_control(d, err, errlen);
	if (r)
		return r;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sfd < 0) {
		snprintf(err, errlen, "signalfd: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* Channels opened for a WANT or left by ended migrations. */
static void close_idle(struct daemon *d)
{
	struct conn *c, *next;
	uint64_t now = now_ms();

	for (c = d->conns; c; c = next) {
		next = c->next;
		if (now - c->last_ms > IDLE_MS && !hd_chan_used(&d->e, c))
			conn_close(d, c, NULL);
	}
}

enum { P_SIG, P_LISTEN, P_CONTROL, P_EVENTS, P_RTNL, P_XEN, P_FIXED };

static void run(struct daemon *d)
{
	struct pollfd pfd[P_FIXED + MAX_CONNS + MAX_CLIENTS];
	struct hc_result res;
	unsigned int n, i;
	int timeout, r;

	while (!d->stop) {
		struct conn *conn;
		struct client *cl;
		unsigned int npeers;
		uint64_t t = hd_next_timer(&d->e), now = now_ms();

		pfd[P_SIG] = (struct pollfd){ .fd = d->sfd, .events = POLLIN };
		pfd[P_LISTEN] = (struct pollfd){ .fd = d->lfd, .events = POLLIN };
		pfd[P_CONTROL] = (struct pollfd){ .fd = d->cfd, .events = POLLIN };
		pfd[P_EVENTS] = (struct pollfd){ .fd = hc_genl_fd(&d->ev), .events = POLLIN };
		pfd[P_RTNL] = (struct pollfd){ .fd = hd_rtnl_fd(d->rtnl), .events = POLLIN };
		pfd[P_XEN] = (struct pollfd){ .fd = d->xen->ops->fd(d->xen), .events = POLLIN };
		n = P_FIXED;
		for (conn = d->conns; conn; conn = conn->next)
			pfd[n++] = (struct pollfd){ .fd = hd_chan_fd(conn->ch), .events = POLLIN |
						    (hd_chan_wants_write(conn->ch) ? POLLOUT : 0) };
		npeers = n - P_FIXED;
		for (cl = d->clients; cl; cl = cl->next)
			if (!cl->busy)
				pfd[n++] = (struct pollfd){ .fd = cl->fd, .events = POLLIN };
		timeout = !t ? -1 : t <= now ? 0 : (int)(t - now);
		if (d->conns && (timeout < 0 || timeout > 5000))
			timeout = 5000;	/* for close_idle() */
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			dlog(LOG_ERR, "poll: %s", strerror(errno));
			return;
		}
		if (pfd[P_SIG].revents)
			on_signal(d);
		if (pfd[P_EVENTS].revents) {
			r = hc_genl_receive(&d->ev, &res);
			if (r == -ENOBUFS)
				dlog(LOG_WARNING, "module events: %s", res.text);
			else if (r)
				dlog(LOG_ERR, "module events: %s", res.text);
		}
		if (pfd[P_RTNL].revents) {
			r = hd_rtnl_receive(d->rtnl, on_link, d);
			if (r)
				dlog(LOG_WARNING, "rtnetlink: %s", strerror(-r));
		}
		if (pfd[P_XEN].revents)
			on_xen(d);
		/* By fd: handling one may close or open others. */
		for (i = P_FIXED; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (i < P_FIXED + npeers) {
				conn = find_conn(d, pfd[i].fd);
				if (conn)
					on_conn(d, conn, pfd[i].revents);
			} else {
				cl = find_client(d, pfd[i].fd);
				if (cl)
					on_client(d, cl);
			}
		}
		if (pfd[P_LISTEN].revents)
			on_peer_accept(d);
		if (pfd[P_CONTROL].revents)
			on_control_accept(d);
		hd_on_timer(&d->e);
		close_idle(d);
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "xen", required_argument, NULL, 'x' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct daemon d = { .lfd = -1, .cfd = -1, .sfd = -1 };
	const char *config = "/etc/handoff/handoffd.conf", *xen = NULL;
	bool check = false, verbose = false;
	char err[2048];
	int opt, r;

	d.state_dir = "/run/handoff/state";
	while ((opt = getopt_long(argc, argv, "c:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'C': check = true; break;
		case 'x': xen = optarg; break;
		case 's': d.state_dir = optarg; break;
		case 'v': verbose = true; break;
		case 'V': printf("handoffd %s\n", HANDOFF_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "handoffd: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	d.journal = getenv("JOURNAL_STREAM") != NULL;
	hd_config_defaults(&d.cfg);
	the = &d;
	r = hd_config_load(&d.cfg, config, err, sizeof(err));
	if (!r && !d.cfg.npeers) {
		snprintf(err, sizeof(err), "%s: no peer configured: handoffd would refuse every "
			 "migration", config);
		r = -EINVAL;
	}
	if (r) {
		fprintf(stderr, "%s%s", err, err[0] && err[strlen(err) - 1] == '\n' ? "" : "\n");
		return 1;
	}
	if (verbose)
		d.cfg.log_level = LOG_DEBUG;
	if (sodium_init() < 0) {
		dlog(LOG_ERR, "libsodium failed to initialise");
		return 1;
	}
	if (check_key(&d.cfg, d.e.psk))
		return 1;
	if (check) {
		printf("%s: ok (%u peer(s), key-file %s)\n", config, d.cfg.npeers,
		       d.cfg.key_file);
		return 0;
	}
	d.e.ops = &ops;
	d.e.ctx = &d;
	d.e.cfg = &d.cfg;
	r = open_all(&d, xen, err, sizeof(err));
	if (!r)
		r = take_over(&d, err, sizeof(err));
	if (!r)
		r = hd_engine_start(&d.e, err, sizeof(err));
	if (r) {
		dlog(LOG_ERR, "%s", err);
		return 1;
	}
	dlog(LOG_NOTICE, "handoffd %s ready: tunnel port %u, %u peer(s), arm point %s%s",
	     HANDOFF_VERSION, d.e.tunnel_port, d.cfg.npeers,
	     d.cfg.arm_point == HD_ARM_REQUEST ? "request" : "suspended",
	     d.cfg.divert ? " (divert)" : "");
	notify("READY=1");
	run(&d);
	notify("STOPPING=1");
	dlog(LOG_NOTICE, "stopping; the module completes the sessions in flight");
	hd_engine_stop(&d.e);
	while (d.conns)
		conn_close(&d, d.conns, NULL);
	while (d.clients)
		client_close(&d, d.clients);
	unlink(d.cfg.control_socket);
	hc_genl_close(&d.req);
	hc_genl_close(&d.ev);
	hd_rtnl_close(d.rtnl);
	d.xen->ops->close(d.xen);
	sodium_memzero(d.e.psk, sizeof(d.e.psk));
	return 0;
}
