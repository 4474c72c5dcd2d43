// SPDX-License-Identifier: GPL-2.0
/*
 * struct hx_xen on libxenstore and libxenctrl (Xen 4.17's headers; link -lxenstore
 * -lxenctrl). Only handoffd links this: the unit tests and the lab use xen_fake.c.
 *
 * Untested here: the build machine runs no Xen, so this is written from xenstore.h,
 * xenctrl.h and xen/domctl.h and from how libxl waits for a suspend
 * (tools/libs/light/libxl_dom_suspend.c: watch @releaseDomain, then read the domain's
 * flags with xc_domain_getinfolist). Exercise it on a real dom0 (tests/xen).
 */
#include "xen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>
#include <xenstore.h>
#include <xen/io/xs_wire.h>
#include <xen/sched.h>

_Static_assert(HX_XS_PATH_MAX == XENSTORE_ABS_PATH_MAX, "xenstore path limit changed");

struct real {
	struct hx_xen base;
	struct xs_handle *xs;
	xc_interface *xc;
};

static struct real *to_real(struct hx_xen *x)
{
	return (struct real *)x;
}

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

static void real_close(struct hx_xen *x)
{
	struct real *r = to_real(x);

	xs_close(r->xs);
	if (r->xc)
		xc_interface_close(r->xc);
	free(r);
}

static int real_fd(struct hx_xen *x)
{
	/* libxenstore's watch pipe: readable when events are queued. */
	int fd = xs_fileno(to_real(x)->xs);

	return fd < 0 ? neg_errno() : fd;
}

static int real_watch(struct hx_xen *x, const char *path, const char *token)
{
	return xs_watch(to_real(x)->xs, path, token) ? 0 : neg_errno();
}

static int real_unwatch(struct hx_xen *x, const char *path, const char *token)
{
	return xs_unwatch(to_real(x)->xs, path, token) ? 0 : neg_errno();
}

static int real_read_watch(struct hx_xen *x, char *path, size_t plen, char *token, size_t tlen)
{
	/*
	 * Never blocks; NULL with EAGAIN once the queue is empty. With the queue empty and
	 * the connection to xenstored lost, libxenstore says EINVAL (read_watch_internal).
	 */
	char **v = xs_check_watch(to_real(x)->xs);
	int ret = 0;

	if (!v) {
		if (errno == EAGAIN)
			return -EAGAIN;
		return errno == EINVAL ? -ECONNRESET : neg_errno();
	}
	if (strlen(v[XS_WATCH_PATH]) >= plen || strlen(v[XS_WATCH_TOKEN]) >= tlen) {
		ret = -ENAMETOOLONG;
	} else {
		strcpy(path, v[XS_WATCH_PATH]);
		strcpy(token, v[XS_WATCH_TOKEN]);
	}
	free(v);
	return ret;
}

static char *real_read(struct hx_xen *x, const char *path, size_t *len)
{
	unsigned int n = 0;
	char *v = xs_read(to_real(x)->xs, XBT_NULL, path, &n);

	if (v && len)
		*len = n;
	return v;
}

static char **real_directory(struct hx_xen *x, const char *path, unsigned int *num)
{
	return xs_directory(to_real(x)->xs, XBT_NULL, path, num);
}

static int real_domain_info(struct hx_xen *x, uint32_t domid, struct hx_dominfo *info)
{
	xc_domaininfo_t di;
	int n;

	/* Lists domains from domid on: another domid back means ours is gone. */
	n = xc_domain_getinfolist(to_real(x)->xc, domid, 1, &di);
	if (n < 0)
		return neg_errno();
	if (n != 1 || di.domain != domid)
		return -ESRCH;
	memset(info, 0, sizeof(*info));
	info->domid = domid;
	info->dying = di.flags & XEN_DOMINF_dying;
	info->shutdown = di.flags & XEN_DOMINF_shutdown;
	info->paused = di.flags & XEN_DOMINF_paused;
	info->running = di.flags & XEN_DOMINF_running;
	if (info->shutdown)
		info->shutdown_reason = (di.flags >> XEN_DOMINF_shutdownshift) &
					XEN_DOMINF_shutdownmask;
	return 0;
}

static const struct hx_xen_ops real_ops = {
	.close = real_close,
	.fd = real_fd,
	.watch = real_watch,
	.unwatch = real_unwatch,
	.read_watch = real_read_watch,
	.read = real_read,
	.directory = real_directory,
	.domain_info = real_domain_info,
};

struct hx_xen *hx_xen_open(char *err, size_t errlen)
{
	struct real *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->base.ops = &real_ops;
	/* Filtered: no event of a watch after its xs_unwatch returns. */
	r->xs = xs_open(XS_UNWATCH_FILTER);
	if (!r->xs) {
		snprintf(err, errlen, "cannot connect to xenstored: %s (is this dom0?)",
			 strerror(errno));
		goto bad;
	}
	/*
	 * The watch pipe now, before any watch: libxenstore kicks it for events queued
	 * before it existed, but a failure here is better reported at start.
	 */
	if (xs_fileno(r->xs) < 0) {
		snprintf(err, errlen, "xenstore watch pipe: %s", strerror(errno));
		goto bad;
	}
	r->xc = xc_interface_open(NULL, NULL, 0);
	if (!r->xc) {
		snprintf(err, errlen, "cannot open the hypervisor interface: %s (is this dom0?)",
			 strerror(errno));
		goto bad;
	}
	return &r->base;
bad:
	real_close(&r->base);
	return NULL;
}
