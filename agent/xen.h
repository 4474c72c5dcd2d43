/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What handoffd needs from Xen, behind one small interface: xenstore (watches, reads,
 * directories) and the hypervisor's view of a domain (shutdown reason, paused, dying).
 *
 * Two backends:
 *   hx_xen_open()       libxenstore + libxenctrl (xen_real.c), only in handoffd;
 *   hx_xen_open_fake()  an in-memory xenstore and domain table driven by text commands
 *                       (xen_fake.c), for the unit tests and the QEMU lab.
 *
 * Watches behave like xenstored's: a watch fires once when it is set (path = the watched
 * path), then for every write or removal at or below its path (path = the node written or
 * removed; a removal also fires watches set on nodes below the removed one, with their own
 * path). "@introduceDomain" fires when a domain is introduced to xenstored (libxl does that
 * at the end of building or restoring it, before adding its devices), "@releaseDomain"
 * when a domain shuts down (any reason, once until it is resumed) or is destroyed.
 * Nothing fires when a domain is resumed, paused or unpaused: poll domain_info for those.
 * Paths are absolute. Use distinct tokens for a path and a path below it (the real backend
 * opens xenstore with XS_UNWATCH_FILTER, which relies on that).
 *
 * Every call returns 0 or a negative errno unless said otherwise; none blocks.
 */
#ifndef HX_XEN_H
#define HX_XEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* XENSTORE_ABS_PATH_MAX of xen/io/xs_wire.h: size watch path buffers HX_XS_PATH_MAX + 1. */
#define HX_XS_PATH_MAX 3072
/* No domain: for hx_domain_by_uuid's exclude. Real domids stop at DOMID_FIRST_RESERVED. */
#define HX_DOMID_NONE UINT32_MAX

struct hx_dominfo {
	uint32_t domid;
	bool dying, shutdown, paused, running;
	unsigned int shutdown_reason;	/* SHUTDOWN_* from xen/sched.h, valid when shutdown */
};

struct hx_xen;

struct hx_xen_ops {
	void (*close)(struct hx_xen *x);
	/* Poll for POLLIN: a watch fired. Then call read_watch until -EAGAIN. */
	int (*fd)(struct hx_xen *x);
	/* -EEXIST when this path and token are already watched, -EINVAL for a bad path. */
	int (*watch)(struct hx_xen *x, const char *path, const char *token);
	/* Also drops this watch's pending events. -ENOENT when not watched. */
	int (*unwatch)(struct hx_xen *x, const char *path, const char *token);
	/*
	 * Next fired watch: 0 with path and token filled, -EAGAIN when none is pending.
	 * -ENAMETOOLONG when a buffer is too small: that event is consumed (lost).
	 * -ECONNRESET (or another error): the xenstore connection is gone; reopen.
	 */
	int (*read_watch)(struct hx_xen *x, char *path, size_t plen, char *token, size_t tlen);
	/* malloc'd, NUL-terminated, *len (may be NULL) without the NUL; NULL + errno (ENOENT). */
	char *(*read)(struct hx_xen *x, const char *path, size_t *len);
	/* Names of the children; one free() frees all, like xs_directory. NULL + errno. */
	char **(*directory)(struct hx_xen *x, const char *path, unsigned int *num);
	/* -ESRCH when the domain does not exist (any more). */
	int (*domain_info)(struct hx_xen *x, uint32_t domid, struct hx_dominfo *info);
};

struct hx_xen {
	const struct hx_xen_ops *ops;
};

/*
 * libxenstore + libxenctrl (xen_real.c, link -lxenstore -lxenctrl). Needs dom0 (or a
 * domain with xenstore and domctl privileges). NULL with err filled on failure.
 */
struct hx_xen *hx_xen_open(char *err, size_t errlen);

/*
 * The scripted fake (xen_fake.c). ctl_path: a FIFO created there (mode 0600; an existing
 * FIFO is reused) from which command lines are read whenever read_watch is called, so
 * `echo 'domain new 5 UUID vm' > ctl_path` drives it from a shell; NULL for none (unit
 * tests use hx_fake_apply). The commands are documented at the top of xen_fake.c and in
 * agent/README.md. Starts with dom0 (/local/domain/0, name Domain-0) running.
 */
struct hx_xen *hx_xen_open_fake(const char *ctl_path, char *err, size_t errlen);

/*
 * Applies one command line to a fake (x must come from hx_xen_open_fake). Blank lines and
 * lines starting with '#' do nothing. Returns 0, or a negative errno with err filled; a
 * failed command changes nothing.
 */
int hx_fake_apply(struct hx_xen *x, const char *line, char *err, size_t errlen);

static inline void hx_xen_close(struct hx_xen *x)
{
	if (x)
		x->ops->close(x);
}

#endif
