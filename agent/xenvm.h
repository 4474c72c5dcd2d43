/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What handoffd reads about a VM from xenstore, on top of struct hx_xen (xen.h): its UUID,
 * its domain by name or UUID, its vifs and their dom0 netdevs, its suspend request.
 *
 * Xenstore contents are checked, not trusted: a guest may write anything under its own
 * device/ and control/ directories, so a vif's frontend `backend` node is only believed when
 * the backend directory it names points back at that frontend (frontend, frontend-id), and
 * malformed values give -EINVAL with a message (err, errlen; err may be NULL) to log.
 * All functions return 0 or a negative errno.
 */
#ifndef HX_XENVM_H
#define HX_XENVM_H

#include <stddef.h>
#include <stdint.h>

#include "xen.h"

#define HX_MAX_VIFS 8

struct hx_vif {
	uint32_t devid;		/* /local/domain/DOMID/device/vif/DEVID */
	uint32_t backend_id;	/* the domain holding the backend (0: dom0, else a driver domain) */
	uint8_t mac[6];		/* the guest's MAC, from the backend's `mac` */
	char ifname[16];	/* its final name: backend `vifname`, else kname */
	char kname[16];		/* vif<domid>.<handle>: netback's name for it, before the
				 * hotplug script renames it to vifname */
	char backend[128];	/* /local/domain/BACKEND_ID/backend/vif/DOMID/DEVID */
	char ip[128];		/* backend `ip` (space-separated addresses, as libxl writes), "" if none */
};

/* From /local/domain/DOMID/vm = "/vm/<uuid>". -ENOENT when there is no such node. */
int hx_domain_uuid(struct hx_xen *x, uint32_t domid, uint8_t uuid[16], char *err, size_t errlen);

/*
 * The domain whose /local/domain/ * /name is name. -ENOENT when none, -EEXIST when several.
 * Names are toolstack conventions (xl's "<name>--incoming"): prefer hx_domain_by_uuid.
 */
int hx_domain_by_name(struct hx_xen *x, const char *name, uint32_t *domid, char *err,
		      size_t errlen);

/*
 * The newest (highest domid) live domain other than exclude (HX_DOMID_NONE: none) whose
 * vm node names this UUID. Domains that are dying or gone by domain_info are skipped, as
 * are /local/domain entries that are not domids or have no or a malformed vm node (other
 * VMs' business). -ENOENT when there is none.
 */
int hx_domain_by_uuid(struct hx_xen *x, const uint8_t uuid[16], uint32_t exclude,
		      uint32_t *domid, char *err, size_t errlen);

/*
 * The domain's vifs, sorted by devid, following each frontend's `backend` node. *n = 0
 * when the domain has no vif (yet). -E2BIG with more than max vifs, -EINVAL when one is
 * malformed (bad devid, backend path not /local/domain/<backend-id>/backend/vif/DOMID/DEVID,
 * backend not pointing back at the frontend, bad MAC, vifname not a valid netdev name,
 * ip too long...), -ENOENT when the backend directory is gone.
 */
int hx_domain_vifs(struct hx_xen *x, uint32_t domid, struct hx_vif *vifs, unsigned int max,
		   unsigned int *n, char *err, size_t errlen);

/*
 * The control/shutdown value ("suspend", "poweroff", ...; "" when absent or empty: the
 * guest clears it when it acknowledges). -ESRCH when /local/domain/DOMID does not exist,
 * -ENAMETOOLONG when val (len bytes) is too small.
 */
int hx_shutdown_request(struct hx_xen *x, uint32_t domid, char *val, size_t len, char *err,
			size_t errlen);

/* Canonical 8-4-4-4-12 hex (either case): 0 or -EINVAL. */
int hx_uuid_parse(const char *s, uint8_t uuid[16]);
/* Lowercase canonical form. */
void hx_uuid_format(const uint8_t uuid[16], char out[37]);
/* xx:xx:xx:xx:xx:xx (either case, two digits each): 0 or -EINVAL. */
int hx_mac_parse(const char *s, uint8_t mac[6]);
/* A valid Linux netdev name (dev_valid_name): 0 or -EINVAL. */
int hx_ifname_check(const char *name);

/* Formats the reason into err (when given) and returns code: the layer's error idiom. */
int hx_fail(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
