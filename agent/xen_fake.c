// SPDX-License-Identifier: GPL-2.0
/*
 * A scripted Xen for tests: an in-memory xenstore with xenstored's watch semantics and a
 * domain table, driven by text command lines (hx_fake_apply, or written to the control
 * FIFO given to hx_xen_open_fake and applied inside read_watch, in order).
 *
 * Commands (one per line; blank lines and lines starting with '#' are ignored):
 *   write PATH [VALUE]        write a node (VALUE: the rest of the line, may hold spaces;
 *                             none: empty), creating missing parents like xenstored
 *   rm PATH                   remove a node and everything below it (error if absent)
 *   domain new DOMID UUID NAME
 *                             domain create, then domain introduce
 *   domain create DOMID UUID NAME
 *                             a paused domain and its xenstore nodes as libxl writes them:
 *                             /local/domain/DOMID/{name,vm=/vm/UUID,domid,control/shutdown,
 *                             device}, /vm/UUID/{uuid,name}; no @introduceDomain yet (libxl
 *                             introduces a domain only once it is built or restored)
 *   domain introduce DOMID    fire @introduceDomain for it (once)
 *   domain pause|unpause DOMID
 *   domain shutdown DOMID REASON
 *                             REASON: poweroff reboot suspend crash watchdog soft_reset or a
 *                             number 0-255; fires @releaseDomain; refused if already shut
 *                             down (Xen keeps the first reason)
 *   domain resume DOMID       clear shutdown, running (xc_domain_resume); fires nothing,
 *                             as xenstored does not
 *   domain destroy DOMID [dying]
 *                             rm /local/domain/0/backend/ * /DOMID, /local/domain/DOMID and
 *                             /vm/UUID (unless another live domain has that UUID), fire
 *                             @releaseDomain, and forget the domain; with "dying" it stays
 *                             a zombie (domain_info: dying) until reaped
 *   domain reap DOMID         forget a dying domain (fires nothing)
 *   vif DOMID DEVID MAC [VIFNAME]
 *                             the nodes libxl writes for a vif with backend in dom0:
 *                             frontend /local/domain/DOMID/device/vif/DEVID/{backend,
 *                             backend-id,handle,mac,state}, backend /local/domain/0/backend/
 *                             vif/DOMID/DEVID/{frontend,frontend-id,online,state,handle,mac,
 *                             type,vifname if given}
 * DOMID: 1-32751 (dom0 exists from the start and cannot be created or destroyed).
 *
 * From a shell: `echo 'domain shutdown 5 suspend' > CTL` (the fake holds the FIFO open for
 * reading, so the write does not block while it lives; guard with `timeout` in case it is
 * dead). Lines of a write of at most PIPE_BUF bytes are never interleaved with others'.
 * Errors of FIFO lines are printed on stderr as "hx_fake: CTL:LINE: message".
 */
#include "xen.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xenvm.h"

/* DOMID_FIRST_RESERVED (xen/xen.h) - 1. */
#define FAKE_DOMID_MAX 32751
#define FAKE_LINE_MAX 4096
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct node {
	char *path, *value;
};

struct watch {
	char *path, *token;
};

struct event {
	struct event *next;
	char *path, *token;
};

struct dom {
	uint32_t domid;
	uint8_t uuid[16];
	bool introduced, shutdown, paused, dying;
	unsigned int reason;
};

struct fake {
	struct hx_xen base;
	struct node *nodes;
	size_t nnodes;
	struct watch *watches;
	size_t nwatches;
	struct event *head, **tail;
	struct dom *doms;
	size_t ndoms;
	int ctl_fd, ev_fd, ep_fd;
	char *ctl_path;
	unsigned long lineno;
	bool skipping;		/* discarding the rest of an overlong line */
	size_t buflen;
	char buf[FAKE_LINE_MAX];
};

static const struct hx_xen_ops fake_ops;

static struct fake *to_fake(struct hx_xen *x)
{
	return (struct fake *)x;
}


/* xenstored's valid_chars, plus the shape checks of its canonicalisation. */
static bool path_ok(const char *p)
{
	size_t len = strlen(p);

	if (p[0] != '/' || len > HX_XS_PATH_MAX)
		return false;
	if (strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/_@") != len)
		return false;
	if (strstr(p, "//") || (len > 1 && p[len - 1] == '/'))
		return false;
	return true;
}

static bool watch_path_ok(const char *p)
{
	if (p[0] == '@')
		return !strcmp(p, "@introduceDomain") || !strcmp(p, "@releaseDomain");
	return path_ok(p);
}

/* xenstored's is_child: child is parent or below it; special '@' names match only themselves. */
static bool is_child(const char *child, const char *parent)
{
	size_t len;

	if ((parent[0] == '@') != (child[0] == '@'))
		return false;
	if (!strcmp(parent, "/"))
		return true;
	len = strlen(parent);
	return !strncmp(parent, child, len) && (child[len] == '/' || child[len] == '\0');
}

static void notify(struct fake *f)
{
	uint64_t one = 1;

	if (write(f->ev_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		fprintf(stderr, "hx_fake: eventfd: %s\n", strerror(errno));
}

static int queue_event(struct fake *f, const char *path, const char *token)
{
	struct event *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->path = strdup(path);
	e->token = strdup(token);
	if (!e->path || !e->token) {
		free(e->path);
		free(e->token);
		free(e);
		return -ENOMEM;
	}
	*f->tail = e;
	f->tail = &e->next;
	notify(f);
	return 0;
}

/* exact: fire only watches on path itself (removed descendants), else path and above. */
static void fire(struct fake *f, const char *path, bool exact)
{
	size_t i;

	for (i = 0; i < f->nwatches; i++) {
		const char *w = f->watches[i].path;

		if (exact ? !strcmp(w, path) : is_child(path, w))
			if (queue_event(f, path, f->watches[i].token))
				fprintf(stderr, "hx_fake: out of memory, event %s lost\n", path);
	}
}

static ssize_t node_find(struct fake *f, const char *path)
{
	size_t i;

	for (i = 0; i < f->nnodes; i++)
		if (!strcmp(f->nodes[i].path, path))
			return (ssize_t)i;
	return -1;
}

static int node_add(struct fake *f, const char *path, const char *value)
{
	struct node *n = realloc(f->nodes, (f->nnodes + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	f->nodes = n;
	n = &f->nodes[f->nnodes];
	n->path = strdup(path);
	n->value = strdup(value);
	if (!n->path || !n->value) {
		free(n->path);
		free(n->value);
		return -ENOMEM;
	}
	f->nnodes++;
	return 0;
}

/* Creates path's missing ancestors with empty values, as xenstored does. */
static int node_parents(struct fake *f, const char *path)
{
	char buf[HX_XS_PATH_MAX + 1];
	char *slash;
	int ret;

	snprintf(buf, sizeof(buf), "%s", path);
	for (slash = strchr(buf + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (node_find(f, buf) < 0) {
			ret = node_add(f, buf, "");
			if (ret)
				return ret;
		}
		*slash = '/';
	}
	return 0;
}

static int xs_write(struct fake *f, const char *path, const char *value)
{
	ssize_t i;
	char *v;
	int ret;

	if (!path_ok(path))
		return -EINVAL;
	ret = node_parents(f, path);
	if (ret)
		return ret;
	i = node_find(f, path);
	if (i < 0) {
		ret = node_add(f, path, value);
		if (ret)
			return ret;
	} else {
		v = strdup(value);
		if (!v)
			return -ENOMEM;
		free(f->nodes[i].value);
		f->nodes[i].value = v;
	}
	fire(f, path, false);
	return 0;
}

/* Removes path and its subtree: descendants fire exact watches, path fires its ancestors'. */
static int xs_rm(struct fake *f, const char *path)
{
	size_t i = 0;

	if (!path_ok(path) || !strcmp(path, "/"))
		return -EINVAL;
	if (node_find(f, path) < 0)
		return -ENOENT;
	while (i < f->nnodes) {
		struct node *n = &f->nodes[i];

		if (!is_child(n->path, path)) {
			i++;
			continue;
		}
		if (strcmp(n->path, path))
			fire(f, n->path, true);
		free(n->path);
		free(n->value);
		f->nodes[i] = f->nodes[--f->nnodes];
	}
	fire(f, path, false);
	return 0;
}

static struct dom *dom_find(struct fake *f, uint32_t domid)
{
	size_t i;

	for (i = 0; i < f->ndoms; i++)
		if (f->doms[i].domid == domid)
			return &f->doms[i];
	return NULL;
}

/* ---- the hx_xen_ops ---- */

static void fake_close(struct hx_xen *x)
{
	struct fake *f = to_fake(x);
	struct event *e, *next;
	size_t i;

	for (i = 0; i < f->nnodes; i++) {
		free(f->nodes[i].path);
		free(f->nodes[i].value);
	}
	for (i = 0; i < f->nwatches; i++) {
		free(f->watches[i].path);
		free(f->watches[i].token);
	}
	for (e = f->head; e; e = next) {
		next = e->next;
		free(e->path);
		free(e->token);
		free(e);
	}
	if (f->ctl_fd >= 0)
		close(f->ctl_fd);
	if (f->ev_fd >= 0)
		close(f->ev_fd);
	if (f->ep_fd >= 0)
		close(f->ep_fd);
	free(f->nodes);
	free(f->watches);
	free(f->doms);
	free(f->ctl_path);
	free(f);
}

static int fake_fd(struct hx_xen *x)
{
	return to_fake(x)->ep_fd;
}

static int fake_watch(struct hx_xen *x, const char *path, const char *token)
{
	struct fake *f = to_fake(x);
	struct watch *w;
	size_t i;

	if (!watch_path_ok(path))
		return -EINVAL;
	for (i = 0; i < f->nwatches; i++)
		if (!strcmp(f->watches[i].path, path) && !strcmp(f->watches[i].token, token))
			return -EEXIST;
	w = realloc(f->watches, (f->nwatches + 1) * sizeof(*w));
	if (!w)
		return -ENOMEM;
	f->watches = w;
	w = &f->watches[f->nwatches];
	w->path = strdup(path);
	w->token = strdup(token);
	if (!w->path || !w->token) {
		free(w->path);
		free(w->token);
		return -ENOMEM;
	}
	f->nwatches++;
	/* xenstored fires every new watch once. */
	return queue_event(f, path, token);
}

static int fake_unwatch(struct hx_xen *x, const char *path, const char *token)
{
	struct fake *f = to_fake(x);
	struct event **pe, *e;
	size_t i;

	for (i = 0; i < f->nwatches; i++)
		if (!strcmp(f->watches[i].path, path) && !strcmp(f->watches[i].token, token))
			break;
	if (i == f->nwatches)
		return -ENOENT;
	/* Like XS_UNWATCH_FILTER: no event of this watch after unwatch. */
	for (pe = &f->head; (e = *pe);) {
		if (!strcmp(e->token, token) && is_child(e->path, path)) {
			*pe = e->next;
			free(e->path);
			free(e->token);
			free(e);
		} else {
			pe = &e->next;
		}
	}
	f->tail = pe;
	free(f->watches[i].path);
	free(f->watches[i].token);
	f->watches[i] = f->watches[--f->nwatches];
	return 0;
}

static void ctl_line(struct fake *f, const char *line)
{
	char err[256];

	f->lineno++;
	if (hx_fake_apply(&f->base, line, err, sizeof(err)))
		fprintf(stderr, "hx_fake: %s:%lu: %s\n", f->ctl_path, f->lineno, err);
}

/* Applies every complete line waiting in the FIFO. */
static void ctl_drain(struct fake *f)
{
	char *nl, *start;
	ssize_t r;

	if (f->ctl_fd < 0)
		return;
	for (;;) {
		r = read(f->ctl_fd, f->buf + f->buflen, sizeof(f->buf) - 1 - f->buflen);
		if (r < 0) {
			if (errno != EAGAIN && errno != EINTR)
				fprintf(stderr, "hx_fake: %s: %s\n", f->ctl_path, strerror(errno));
			if (errno != EINTR)
				return;
			continue;
		}
		if (r == 0)
			return;
		f->buflen += (size_t)r;
		f->buf[f->buflen] = '\0';
		start = f->buf;
		while ((nl = strchr(start, '\n'))) {
			*nl = '\0';
			if (f->skipping)
				f->skipping = false;
			else
				ctl_line(f, start);
			start = nl + 1;
		}
		f->buflen -= (size_t)(start - f->buf);
		memmove(f->buf, start, f->buflen);
		if (f->buflen == sizeof(f->buf) - 1) {
			f->lineno++;
			if (!f->skipping)
				fprintf(stderr, "hx_fake: %s:%lu: line longer than %d bytes\n",
					f->ctl_path, f->lineno, FAKE_LINE_MAX - 2);
			f->skipping = true;
			f->buflen = 0;
		}
	}
}

static int fake_read_watch(struct hx_xen *x, char *path, size_t plen, char *token, size_t tlen)
{
	struct fake *f = to_fake(x);
	struct event *e;
	uint64_t cnt;
	int ret = 0;

	ctl_drain(f);
	e = f->head;
	if (!e) {
		/* Empty queue: the eventfd must stop polling readable. */
		if (read(f->ev_fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
			return -errno;
		return -EAGAIN;
	}
	f->head = e->next;
	if (!f->head)
		f->tail = &f->head;
	if (strlen(e->path) >= plen || strlen(e->token) >= tlen) {
		ret = -ENAMETOOLONG;
	} else {
		strcpy(path, e->path);
		strcpy(token, e->token);
	}
	free(e->path);
	free(e->token);
	free(e);
	return ret;
}

static char *fake_read(struct hx_xen *x, const char *path, size_t *len)
{
	struct fake *f = to_fake(x);
	ssize_t i;
	char *v;

	if (!path_ok(path)) {
		errno = EINVAL;
		return NULL;
	}
	i = node_find(f, path);
	if (i < 0) {
		errno = ENOENT;
		return NULL;
	}
	v = strdup(f->nodes[i].value);
	if (!v) {
		errno = ENOMEM;
		return NULL;
	}
	if (len)
		*len = strlen(v);
	return v;
}

/* Names of path's children in one allocation: the pointer array, then the strings. */
static char **fake_directory(struct hx_xen *x, const char *path, unsigned int *num)
{
	struct fake *f = to_fake(x);
	size_t i, plen = strlen(path), count = 0, bytes = 0;
	const char *name;
	char **out, *p;

	if (!path_ok(path)) {
		errno = EINVAL;
		return NULL;
	}
	if (node_find(f, path) < 0) {
		errno = ENOENT;
		return NULL;
	}
	if (!strcmp(path, "/"))
		plen = 0;
	for (i = 0; i < f->nnodes; i++) {
		name = f->nodes[i].path + plen + 1;
		if (!strncmp(f->nodes[i].path, path, plen) && f->nodes[i].path[plen] == '/' &&
		    *name && !strchr(name, '/')) {
			count++;
			bytes += strlen(name) + 1;
		}
	}
	out = malloc((count + 1) * sizeof(*out) + bytes);
	if (!out) {
		errno = ENOMEM;
		return NULL;
	}
	p = (char *)(out + count + 1);
	count = 0;
	for (i = 0; i < f->nnodes; i++) {
		name = f->nodes[i].path + plen + 1;
		if (!strncmp(f->nodes[i].path, path, plen) && f->nodes[i].path[plen] == '/' &&
		    *name && !strchr(name, '/')) {
			out[count++] = p;
			p = stpcpy(p, name) + 1;
		}
	}
	out[count] = NULL;
	*num = (unsigned int)count;
	return out;
}

static int fake_domain_info(struct hx_xen *x, uint32_t domid, struct hx_dominfo *info)
{
	struct dom *d = dom_find(to_fake(x), domid);

	if (!d)
		return -ESRCH;
	memset(info, 0, sizeof(*info));
	info->domid = domid;
	info->dying = d->dying;
	info->shutdown = d->shutdown;
	info->paused = d->paused;
	info->running = !d->shutdown && !d->paused && !d->dying;
	info->shutdown_reason = d->shutdown ? d->reason : 0;
	return 0;
}

static const struct hx_xen_ops fake_ops = {
	.close = fake_close,
	.fd = fake_fd,
	.watch = fake_watch,
	.unwatch = fake_unwatch,
	.read_watch = fake_read_watch,
	.read = fake_read,
	.directory = fake_directory,
	.domain_info = fake_domain_info,
};

/* ---- commands ---- */

#define MAX_ARGS 8

/*
 * Splits at blanks into at most MAX_ARGS arguments; rest[i] is the line from argument i on
 * (for write's VALUE); *more is set when arguments remain beyond MAX_ARGS.
 */
static int split(char *line, char **argv, const char **rest, const char *orig, bool *more)
{
	int argc = 0;
	char *p = line;

	*more = false;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (argc == MAX_ARGS) {
			*more = true;
			break;
		}
		rest[argc] = orig + (p - line);
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return argc;
}

static int parse_domid(const char *s, uint32_t *domid, char *err, size_t errlen)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = isdigit((unsigned char)*s) ? strtoul(s, &end, 10) : 0;
	if (!isdigit((unsigned char)*s) || errno || *end || v < 1 || v > FAKE_DOMID_MAX)
		return hx_fail(err, errlen, -EINVAL, "bad domid \"%s\" (1-%d)", s, FAKE_DOMID_MAX);
	*domid = (uint32_t)v;
	return 0;
}

static struct dom *need_dom(struct fake *f, const char *s, int *ret, char *err, size_t errlen)
{
	uint32_t domid;
	struct dom *d;

	*ret = parse_domid(s, &domid, err, errlen);
	if (*ret)
		return NULL;
	d = dom_find(f, domid);
	if (!d)
		*ret = hx_fail(err, errlen, -ESRCH, "no domain %u", domid);
	return d;
}

/* Writes a list of name/value pairs under dir; stops at the first failure. */
static int write_nodes(struct fake *f, const char *dir, const char *const *kv, size_t n)
{
	char path[HX_XS_PATH_MAX + 1];
	size_t i;
	int ret = 0;

	for (i = 0; i + 1 < n && !ret; i += 2) {
		snprintf(path, sizeof(path), "%s/%s", dir, kv[i]);
		ret = xs_write(f, path, kv[i + 1]);
	}
	return ret;
}

static int cmd_domain_create(struct fake *f, char **argv, char *err, size_t errlen)
{
	char dir[64], vm[48], id[16], text[37];
	uint8_t uuid[16];
	uint32_t domid;
	struct dom *d;
	const char *p;
	int ret;

	ret = parse_domid(argv[2], &domid, err, errlen);
	if (ret)
		return ret;
	if (dom_find(f, domid))
		return hx_fail(err, errlen, -EEXIST, "domain %u exists", domid);
	if (hx_uuid_parse(argv[3], uuid))
		return hx_fail(err, errlen, -EINVAL, "bad UUID \"%s\"", argv[3]);
	for (p = argv[4]; *p; p++)
		if (!isgraph((unsigned char)*p))
			return hx_fail(err, errlen, -EINVAL, "bad name \"%s\"", argv[4]);
	d = realloc(f->doms, (f->ndoms + 1) * sizeof(*d));
	if (!d)
		return hx_fail(err, errlen, -ENOMEM, "out of memory");
	f->doms = d;
	d = &f->doms[f->ndoms++];
	memset(d, 0, sizeof(*d));
	d->domid = domid;
	memcpy(d->uuid, uuid, sizeof(uuid));
	d->paused = true;

	hx_uuid_format(uuid, text);
	snprintf(dir, sizeof(dir), "/local/domain/%u", domid);
	snprintf(vm, sizeof(vm), "/vm/%s", text);
	snprintf(id, sizeof(id), "%u", domid);
	{
		const char *const dom_kv[] = {
			"vm", vm, "name", argv[4], "domid", id, "control/shutdown", "",
			"device", "",
		};
		const char *const vm_kv[] = { "uuid", text, "name", argv[4] };

		ret = write_nodes(f, dir, dom_kv, ARRAY_SIZE(dom_kv));
		if (!ret)
			ret = write_nodes(f, vm, vm_kv, ARRAY_SIZE(vm_kv));
	}
	return ret ? hx_fail(err, errlen, ret, "writing the domain's nodes: %s", strerror(-ret)) : 0;
}

static int cmd_introduce(struct fake *f, struct dom *d, char *err, size_t errlen)
{
	if (d->introduced)
		return hx_fail(err, errlen, -EALREADY, "domain %u is already introduced", d->domid);
	d->introduced = true;
	fire(f, "@introduceDomain", false);
	return 0;
}

static const char *const reasons[] = {
	"poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset",
};

static int cmd_shutdown(struct fake *f, struct dom *d, const char *why, char *err, size_t errlen)
{
	unsigned long v;
	size_t i;
	char *end;

	for (i = 0; i < ARRAY_SIZE(reasons); i++)
		if (!strcmp(why, reasons[i]))
			break;
	if (i < ARRAY_SIZE(reasons)) {
		v = i;
	} else {
		errno = 0;
		v = isdigit((unsigned char)*why) ? strtoul(why, &end, 10) : 256;
		if (v > 255 || errno || *end)
			return hx_fail(err, errlen, -EINVAL, "bad shutdown reason \"%s\"", why);
	}
	if (d->shutdown)
		return hx_fail(err, errlen, -EALREADY, "domain %u is already shut down (reason %u)",
			    d->domid, d->reason);
	d->shutdown = true;
	d->reason = (unsigned int)v;
	fire(f, "@releaseDomain", false);
	return 0;
}

/*
 * dying: keep the domain as a zombie (dying) until `domain reap`, as Xen does while its
 * pages (e.g. netback's grant mappings) are still held.
 */
static int cmd_destroy(struct fake *f, struct dom *d, bool dying)
{
	char path[HX_XS_PATH_MAX + 1], text[37], **types;
	uint32_t domid = d->domid;
	uint8_t uuid[16];
	unsigned int i, n;
	bool shared = false;
	size_t k;

	memcpy(uuid, d->uuid, sizeof(uuid));
	if (dying) {
		d->dying = true;
		d = NULL;
	} else {
		f->doms[d - f->doms] = f->doms[--f->ndoms];
	}
	for (k = 0; k < f->ndoms; k++)
		shared |= !f->doms[k].dying && !memcmp(f->doms[k].uuid, uuid, sizeof(uuid));

	types = fake_directory(&f->base, "/local/domain/0/backend", &n);
	for (i = 0; types && i < n; i++) {
		snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%u", types[i], domid);
		if (node_find(f, path) >= 0)
			xs_rm(f, path);
	}
	free(types);
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	if (node_find(f, path) >= 0)
		xs_rm(f, path);
	hx_uuid_format(uuid, text);
	snprintf(path, sizeof(path), "/vm/%s", text);
	if (!shared && node_find(f, path) >= 0)
		xs_rm(f, path);
	fire(f, "@releaseDomain", false);
	return 0;
}

static int cmd_domain(struct fake *f, int argc, char **argv, char *err, size_t errlen)
{
	const char *op = argc > 1 ? argv[1] : "";
	bool create = !strcmp(op, "create"), new = !strcmp(op, "new");
	struct dom *d;
	int ret;

	if (create || new) {
		if (argc != 5)
			return hx_fail(err, errlen, -EINVAL, "usage: domain %s DOMID UUID NAME", op);
		ret = cmd_domain_create(f, argv, err, errlen);
		if (ret || create)
			return ret;
		return cmd_introduce(f, &f->doms[f->ndoms - 1], err, errlen);
	}
	if (strcmp(op, "introduce") && strcmp(op, "pause") && strcmp(op, "unpause") &&
	    strcmp(op, "shutdown") && strcmp(op, "resume") && strcmp(op, "destroy") &&
	    strcmp(op, "reap"))
		return hx_fail(err, errlen, -EINVAL, "unknown domain operation \"%s\"", op);
	if (!strcmp(op, "shutdown") ? argc != 4 :
	    !strcmp(op, "destroy") ? argc != 3 && (argc != 4 || strcmp(argv[3], "dying")) :
	    argc != 3)
		return hx_fail(err, errlen, -EINVAL,
			    "usage: domain new|create DOMID UUID NAME, domain introduce|pause|"
			    "unpause|resume|reap DOMID, domain shutdown DOMID REASON, "
			    "domain destroy DOMID [dying]");
	d = need_dom(f, argv[2], &ret, err, errlen);
	if (!d)
		return ret;
	if (!strcmp(op, "reap")) {
		if (!d->dying)
			return hx_fail(err, errlen, -EINVAL, "domain %u is not dying", d->domid);
		f->doms[d - f->doms] = f->doms[--f->ndoms];
		return 0;
	}
	if (d->dying)
		return hx_fail(err, errlen, -EINVAL, "domain %u is dying", d->domid);
	if (!strcmp(op, "introduce"))
		return cmd_introduce(f, d, err, errlen);
	if (!strcmp(op, "pause") || !strcmp(op, "unpause")) {
		d->paused = !strcmp(op, "pause");
		return 0;
	}
	if (!strcmp(op, "shutdown"))
		return cmd_shutdown(f, d, argv[3], err, errlen);
	if (!strcmp(op, "resume")) {
		if (!d->shutdown)
			return hx_fail(err, errlen, -EINVAL, "domain %u is not shut down", d->domid);
		d->shutdown = false;
		d->paused = false;
		return 0;
	}
	return cmd_destroy(f, d, argc == 4);
}

static int cmd_vif(struct fake *f, int argc, char **argv, char *err, size_t errlen)
{
	char fe[96], be[96], devid_s[16], domid_s[16];
	uint8_t mac[6];
	unsigned long devid;
	struct dom *d;
	char *end;
	int ret;

	if (argc != 4 && argc != 5)
		return hx_fail(err, errlen, -EINVAL, "usage: vif DOMID DEVID MAC [VIFNAME]");
	d = need_dom(f, argv[1], &ret, err, errlen);
	if (!d)
		return ret;
	if (d->dying)
		return hx_fail(err, errlen, -EINVAL, "domain %u is dying", d->domid);
	errno = 0;
	devid = isdigit((unsigned char)*argv[2]) ? strtoul(argv[2], &end, 10) : 0;
	if (!isdigit((unsigned char)*argv[2]) || errno || *end || devid > 65535)
		return hx_fail(err, errlen, -EINVAL, "bad vif devid \"%s\" (0-65535)", argv[2]);
	if (hx_mac_parse(argv[3], mac))
		return hx_fail(err, errlen, -EINVAL, "bad MAC \"%s\"", argv[3]);
	if (argc == 5 && hx_ifname_check(argv[4]))
		return hx_fail(err, errlen, -EINVAL, "bad vifname \"%s\"", argv[4]);

	snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/%lu", d->domid, devid);
	snprintf(be, sizeof(be), "/local/domain/0/backend/vif/%u/%lu", d->domid, devid);
	snprintf(devid_s, sizeof(devid_s), "%lu", devid);
	snprintf(domid_s, sizeof(domid_s), "%u", d->domid);
	if (node_find(f, fe) >= 0 || node_find(f, be) >= 0)
		return hx_fail(err, errlen, -EEXIST, "vif %u/%lu exists", d->domid, devid);
	{
		const char *const be_kv[] = {
			"frontend", fe, "frontend-id", domid_s, "online", "1", "state", "1",
			"handle", devid_s, "mac", argv[3], "type", "vif",
			"vifname", argc == 5 ? argv[4] : "",
		};
		const char *const fe_kv[] = {
			"backend", be, "backend-id", "0", "handle", devid_s, "mac", argv[3],
			"state", "1",
		};
		size_t nbe = ARRAY_SIZE(be_kv) - (argc == 5 ? 0 : 2);

		ret = write_nodes(f, be, be_kv, nbe);
		if (!ret)
			ret = write_nodes(f, fe, fe_kv, ARRAY_SIZE(fe_kv));
	}
	return ret ? hx_fail(err, errlen, ret, "writing the vif's nodes: %s", strerror(-ret)) : 0;
}

int hx_fake_apply(struct hx_xen *x, const char *line, char *err, size_t errlen)
{
	struct fake *f = to_fake(x);
	char buf[FAKE_LINE_MAX], *argv[MAX_ARGS];
	const char *rest[MAX_ARGS];
	size_t len;
	bool more;
	int argc, ret;

	if (x->ops != &fake_ops)
		return hx_fail(err, errlen, -EINVAL, "not a fake Xen");
	len = strlen(line);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len >= sizeof(buf))
		return hx_fail(err, errlen, -E2BIG, "line longer than %zu bytes", sizeof(buf) - 1);
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (memchr(buf, '\n', len) || strlen(buf) != len)
		return hx_fail(err, errlen, -EINVAL, "one line at a time, no NUL bytes");
	argc = split(buf, argv, rest, line, &more);
	if (argc == 0 || argv[0][0] == '#')
		return 0;

	if (!strcmp(argv[0], "write")) {
		char value[FAKE_LINE_MAX];

		if (argc < 2)
			return hx_fail(err, errlen, -EINVAL, "usage: write PATH [VALUE]");
		/* VALUE: the rest of the line as given, trailing CR/LF removed. */
		snprintf(value, sizeof(value), "%.*s",
			 argc > 2 ? (int)(len - (size_t)(rest[2] - line)) : 0, argc > 2 ? rest[2] : "");
		if (!path_ok(argv[1]))
			return hx_fail(err, errlen, -EINVAL, "bad path \"%s\"", argv[1]);
		ret = xs_write(f, argv[1], value);
		return ret ? hx_fail(err, errlen, ret, "write %s: %s", argv[1], strerror(-ret)) : 0;
	}
	if (more)
		return hx_fail(err, errlen, -EINVAL, "too many arguments");
	if (!strcmp(argv[0], "rm")) {
		if (argc != 2)
			return hx_fail(err, errlen, -EINVAL, "usage: rm PATH");
		ret = xs_rm(f, argv[1]);
		if (ret == -EINVAL)
			return hx_fail(err, errlen, ret, "bad path \"%s\"", argv[1]);
		return ret ? hx_fail(err, errlen, ret, "rm %s: %s", argv[1], strerror(-ret)) : 0;
	}
	if (!strcmp(argv[0], "domain"))
		return cmd_domain(f, argc, argv, err, errlen);
	if (!strcmp(argv[0], "vif"))
		return cmd_vif(f, argc, argv, err, errlen);
	return hx_fail(err, errlen, -EINVAL, "unknown command \"%s\"", argv[0]);
}

/* ---- opening ---- */

static int open_ctl(struct fake *f, const char *ctl_path, char *err, size_t errlen)
{
	struct stat st;

	if (mkfifo(ctl_path, 0600) && errno != EEXIST)
		return hx_fail(err, errlen, -errno, "mkfifo %s: %s", ctl_path, strerror(errno));
	/* O_RDWR: a writer always exists, so the FIFO never reads EOF between writers. */
	f->ctl_fd = open(ctl_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (f->ctl_fd < 0)
		return hx_fail(err, errlen, -errno, "open %s: %s", ctl_path, strerror(errno));
	if (fstat(f->ctl_fd, &st))
		return hx_fail(err, errlen, -errno, "fstat %s: %s", ctl_path, strerror(errno));
	if (!S_ISFIFO(st.st_mode))
		return hx_fail(err, errlen, -EINVAL, "%s exists and is not a FIFO", ctl_path);
	f->ctl_path = strdup(ctl_path);
	if (!f->ctl_path)
		return hx_fail(err, errlen, -ENOMEM, "out of memory");
	return 0;
}

static int add_epoll(struct fake *f, int fd, char *err, size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (epoll_ctl(f->ep_fd, EPOLL_CTL_ADD, fd, &ev))
		return hx_fail(err, errlen, -errno, "epoll_ctl: %s", strerror(errno));
	return 0;
}

struct hx_xen *hx_xen_open_fake(const char *ctl_path, char *err, size_t errlen)
{
	struct fake *f = calloc(1, sizeof(*f));
	int ret = -ENOMEM;

	if (!f) {
		hx_fail(err, errlen, -ENOMEM, "out of memory");
		return NULL;
	}
	f->base.ops = &fake_ops;
	f->tail = &f->head;
	f->ctl_fd = -1;
	f->ev_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	f->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	if (f->ev_fd < 0 || f->ep_fd < 0) {
		hx_fail(err, errlen, -errno, "eventfd/epoll: %s", strerror(errno));
		goto bad;
	}
	/* One pollable fd: readable while an event is queued or a command line waits. */
	if (add_epoll(f, f->ev_fd, err, errlen))
		goto bad;
	if (ctl_path && (open_ctl(f, ctl_path, err, errlen) || add_epoll(f, f->ctl_fd, err, errlen)))
		goto bad;
	ret = node_add(f, "/", "");
	if (!ret)
		ret = xs_write(f, "/local/domain/0/name", "Domain-0");
	if (!ret)
		ret = xs_write(f, "/local/domain/0/domid", "0");
	if (!ret)
		ret = xs_write(f, "/vm", "");
	if (ret) {
		hx_fail(err, errlen, ret, "initial tree: %s", strerror(-ret));
		goto bad;
	}
	f->doms = calloc(1, sizeof(*f->doms));
	if (!f->doms) {
		hx_fail(err, errlen, -ENOMEM, "out of memory");
		goto bad;
	}
	f->ndoms = 1;
	f->doms[0].introduced = true;
	return &f->base;
bad:
	fake_close(&f->base);
	return NULL;
}
