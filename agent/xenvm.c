// SPDX-License-Identifier: GPL-2.0
/* VM facts from xenstore: UUID, domain lookup, vifs, suspend request. See xenvm.h. */
#include "xenvm.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Netdev names: IFNAMSIZ of <linux/if.h>. */
#define HX_IFNAMSIZ 16


int hx_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int hx_uuid_parse(const char *s, uint8_t uuid[16])
{
	uint8_t out[16];
	unsigned int i, b = 0;
	int hi, lo;

	if (!s || strlen(s) != 36)
		return -EINVAL;
	for (i = 0; i < 36;) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i++] != '-')
				return -EINVAL;
			continue;
		}
		hi = hexval((unsigned char)s[i]);
		lo = hexval((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[b++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	memcpy(uuid, out, sizeof(out));
	return 0;
}

void hx_uuid_format(const uint8_t u[16], char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

int hx_mac_parse(const char *s, uint8_t mac[6])
{
	uint8_t out[6];
	int i, hi, lo;

	if (!s || strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		hi = hexval((unsigned char)s[3 * i]);
		lo = hexval((unsigned char)s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, out, sizeof(out));
	return 0;
}

int hx_ifname_check(const char *name)
{
	const char *p;

	if (!name || !*name || strnlen(name, HX_IFNAMSIZ) == HX_IFNAMSIZ)
		return -EINVAL;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	for (p = name; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return -EINVAL;
	return 0;
}

/* A decimal number without sign, leading zeros or junk, up to max. */
static int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s) || (s[0] == '0' && s[1]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* Printable for a log line: the first bytes, non-printable ones as '?'. */
static const char *shown(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* Reads path; *val NULL and 0 when absent. */
static int read_opt(struct hx_xen *x, const char *path, char **val, char *err, size_t errlen)
{
	*val = x->ops->read(x, path, NULL);
	if (*val || errno == ENOENT)
		return 0;
	return hx_fail(err, errlen, -errno, "reading %s: %s", path, strerror(errno));
}

static int read_req(struct hx_xen *x, const char *path, char **val, char *err, size_t errlen)
{
	int ret = read_opt(x, path, val, err, errlen);

	if (!ret && !*val)
		return hx_fail(err, errlen, -ENOENT, "%s: no such node", path);
	return ret;
}

static int parse_vm_path(const char *path, const char *vm, uint8_t uuid[16], char *err,
			 size_t errlen)
{
	char buf[64];

	if (strncmp(vm, "/vm/", 4) || hx_uuid_parse(vm + 4, uuid))
		return hx_fail(err, errlen, -EINVAL, "%s is \"%s\", not /vm/<uuid>", path,
			    shown(vm, buf, sizeof(buf)));
	return 0;
}

int hx_domain_uuid(struct hx_xen *x, uint32_t domid, uint8_t uuid[16], char *err, size_t errlen)
{
	char path[64], *vm;
	int ret;

	snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
	ret = read_req(x, path, &vm, err, errlen);
	if (ret)
		return ret;
	ret = parse_vm_path(path, vm, uuid, err, errlen);
	free(vm);
	return ret;
}

static char **list_domains(struct hx_xen *x, unsigned int *num, int *ret, char *err,
			   size_t errlen)
{
	char **ents = x->ops->directory(x, "/local/domain", num);

	if (!ents)
		*ret = hx_fail(err, errlen, errno ? -errno : -EIO, "listing /local/domain: %s",
			    strerror(errno));
	return ents;
}

int hx_domain_by_name(struct hx_xen *x, const char *name, uint32_t *domid, char *err,
		      size_t errlen)
{
	unsigned int i, num, found = 0;
	char path[64], buf[64], **ents, *val;
	uint32_t id, match = 0;
	int ret = 0;

	ents = list_domains(x, &num, &ret, err, errlen);
	if (!ents)
		return ret;
	for (i = 0; i < num && !ret; i++) {
		if (parse_u32(ents[i], UINT32_MAX - 1, &id))
			continue;
		snprintf(path, sizeof(path), "/local/domain/%u/name", id);
		ret = read_opt(x, path, &val, err, errlen);
		if (!ret && val && !strcmp(val, name)) {
			found++;
			match = id;
		}
		free(val);
	}
	free(ents);
	if (ret)
		return ret;
	if (!found)
		return hx_fail(err, errlen, -ENOENT, "no domain named \"%s\"",
			    shown(name, buf, sizeof(buf)));
	if (found > 1)
		return hx_fail(err, errlen, -EEXIST, "%u domains are named \"%s\"", found,
			    shown(name, buf, sizeof(buf)));
	*domid = match;
	return 0;
}

int hx_domain_by_uuid(struct hx_xen *x, const uint8_t uuid[16], uint32_t exclude,
		      uint32_t *domid, char *err, size_t errlen)
{
	unsigned int i, num;
	char path[64], text[37], **ents, *vm;
	struct hx_dominfo info;
	uint8_t u[16];
	uint32_t id, best = 0;
	bool found = false;
	int ret = 0, r;

	ents = list_domains(x, &num, &ret, err, errlen);
	if (!ents)
		return ret;
	for (i = 0; i < num && !ret; i++) {
		if (parse_u32(ents[i], UINT32_MAX - 1, &id) || id == exclude)
			continue;
		if (found && id < best)
			continue;
		snprintf(path, sizeof(path), "/local/domain/%u/vm", id);
		ret = read_opt(x, path, &vm, err, errlen);
		if (ret || !vm)
			continue;
		r = parse_vm_path(path, vm, u, NULL, 0);
		free(vm);
		if (r || memcmp(u, uuid, 16))
			continue;
		r = x->ops->domain_info(x, id, &info);
		if (r == -ESRCH || (!r && info.dying))
			continue;
		if (r)
			ret = hx_fail(err, errlen, r, "domain %u: %s", id, strerror(-r));
		found = true;
		best = id;
	}
	free(ents);
	if (ret)
		return ret;
	if (!found) {
		hx_uuid_format(uuid, text);
		return hx_fail(err, errlen, -ENOENT, "no live domain with UUID %s", text);
	}
	*domid = best;
	return 0;
}

/* Copies a string that must fit, or fails with the node's name. */
static int copy_fit(char *dst, size_t len, const char *src, const char *what, char *err,
		    size_t errlen)
{
	if (strlen(src) >= len)
		return hx_fail(err, errlen, -EINVAL, "%s is too long (%zu bytes, at most %zu)", what,
			    strlen(src), len - 1);
	strcpy(dst, src);
	return 0;
}

/* Addresses as libxl writes `ip`: IPv4/IPv6 characters, prefixes, spaces. */
static bool ip_chars_ok(const char *s)
{
	return strspn(s, "0123456789abcdefABCDEF.:/ ") == strlen(s);
}

/* Checks a backend path against the frontend naming it: returns the backend domid. */
static int check_backend(const char *fe, const char *be, uint32_t domid, uint32_t devid,
			 uint32_t *bid, char *err, size_t errlen)
{
	char want_tail[48], buf[96];
	const char *p = be + strlen("/local/domain/");
	char num[12];
	size_t n;

	if (strncmp(be, "/local/domain/", strlen("/local/domain/")))
		goto bad;
	n = strcspn(p, "/");
	if (!n || n >= sizeof(num))
		goto bad;
	memcpy(num, p, n);
	num[n] = '\0';
	if (parse_u32(num, UINT32_MAX - 1, bid))
		goto bad;
	snprintf(want_tail, sizeof(want_tail), "/backend/vif/%u/%u", domid, devid);
	if (strcmp(p + n, want_tail))
		goto bad;
	return 0;
bad:
	return hx_fail(err, errlen, -EINVAL,
		    "%s/backend is \"%s\", not /local/domain/<id>/backend/vif/%u/%u", fe,
		    shown(be, buf, sizeof(buf)), domid, devid);
}

static int read_vif(struct hx_xen *x, uint32_t domid, uint32_t devid, struct hx_vif *v,
		    char *err, size_t errlen)
{
	char fe[96], path[HX_XS_PATH_MAX + 1], buf[64];
	char *be = NULL, *val = NULL;
	uint32_t id, handle;
	int ret;

	memset(v, 0, sizeof(*v));
	v->devid = devid;
	snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/%u", domid, devid);
	snprintf(path, sizeof(path), "%s/backend", fe);
	ret = read_req(x, path, &be, err, errlen);
	if (ret)
		return ret;
	ret = check_backend(fe, be, domid, devid, &v->backend_id, err, errlen);
	if (!ret)
		ret = copy_fit(v->backend, sizeof(v->backend), be, path, err, errlen);
	if (ret)
		goto out;

	/* The frontend is the guest's to write: believe it only if the backend agrees. */
	snprintf(path, sizeof(path), "%s/frontend", be);
	ret = read_req(x, path, &val, err, errlen);
	if (ret)
		goto out;
	if (strcmp(val, fe)) {
		ret = hx_fail(err, errlen, -EINVAL, "%s is \"%s\", not %s", path,
			   shown(val, buf, sizeof(buf)), fe);
		goto out;
	}
	free(val);
	snprintf(path, sizeof(path), "%s/frontend-id", be);
	ret = read_req(x, path, &val, err, errlen);
	if (ret)
		goto out;
	if (parse_u32(val, UINT32_MAX, &id) || id != domid) {
		ret = hx_fail(err, errlen, -EINVAL, "%s is \"%s\", not %u", path,
			   shown(val, buf, sizeof(buf)), domid);
		goto out;
	}
	free(val);

	snprintf(path, sizeof(path), "%s/mac", be);
	ret = read_req(x, path, &val, err, errlen);
	if (ret)
		goto out;
	if (hx_mac_parse(val, v->mac) || (v->mac[0] & 1) ||
	    !(v->mac[0] | v->mac[1] | v->mac[2] | v->mac[3] | v->mac[4] | v->mac[5])) {
		ret = hx_fail(err, errlen, -EINVAL, "%s is \"%s\", not a unicast MAC", path,
			   shown(val, buf, sizeof(buf)));
		goto out;
	}
	free(val);

	/* netback names the netdev from the backend's handle (xenvif_alloc)... */
	snprintf(path, sizeof(path), "%s/handle", be);
	ret = read_req(x, path, &val, err, errlen);
	if (ret)
		goto out;
	if (parse_u32(val, UINT32_MAX, &handle)) {
		ret = hx_fail(err, errlen, -EINVAL, "%s is \"%s\", not a number", path,
			   shown(val, buf, sizeof(buf)));
		goto out;
	}
	free(val);
	snprintf(v->kname, HX_IFNAMSIZ - 1, "vif%u.%u", domid, handle);

	/* ...and the hotplug script renames it to vifname when there is one. */
	snprintf(path, sizeof(path), "%s/vifname", be);
	ret = read_opt(x, path, &val, err, errlen);
	if (ret)
		goto out;
	if (val && hx_ifname_check(val)) {
		ret = hx_fail(err, errlen, -EINVAL, "%s is \"%s\", not a netdev name", path,
			   shown(val, buf, sizeof(buf)));
		goto out;
	}
	strcpy(v->ifname, val ? val : v->kname);
	free(val);

	snprintf(path, sizeof(path), "%s/ip", be);
	ret = read_opt(x, path, &val, err, errlen);
	if (ret || !val)
		goto out;
	if (!ip_chars_ok(val))
		ret = hx_fail(err, errlen, -EINVAL, "%s is \"%s\", not a list of addresses", path,
			   shown(val, buf, sizeof(buf)));
	else
		ret = copy_fit(v->ip, sizeof(v->ip), val, path, err, errlen);
out:
	free(val);
	free(be);
	return ret;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int hx_domain_vifs(struct hx_xen *x, uint32_t domid, struct hx_vif *vifs, unsigned int max,
		   unsigned int *n, char *err, size_t errlen)
{
	uint32_t devids[HX_MAX_VIFS];
	char path[64], buf[32], **ents;
	unsigned int i, num;
	int ret = 0;

	*n = 0;
	if (max > HX_MAX_VIFS)
		max = HX_MAX_VIFS;
	snprintf(path, sizeof(path), "/local/domain/%u/device/vif", domid);
	ents = x->ops->directory(x, path, &num);
	if (!ents)
		return errno == ENOENT ? 0 : hx_fail(err, errlen, errno ? -errno : -EIO,
						  "listing %s: %s", path, strerror(errno));
	if (num > max) {
		free(ents);
		return hx_fail(err, errlen, -E2BIG, "%s has %u vifs, at most %u are handled", path,
			    num, max);
	}
	for (i = 0; i < num && !ret; i++)
		if (parse_u32(ents[i], INT32_MAX, &devids[i]))
			ret = hx_fail(err, errlen, -EINVAL, "%s/%s is not a device id", path,
				   shown(ents[i], buf, sizeof(buf)));
	free(ents);
	if (ret)
		return ret;
	qsort(devids, num, sizeof(devids[0]), cmp_u32);
	for (i = 0; i < num; i++) {
		ret = read_vif(x, domid, devids[i], &vifs[i], err, errlen);
		if (ret)
			return ret;
	}
	*n = num;
	return 0;
}

int hx_shutdown_request(struct hx_xen *x, uint32_t domid, char *val, size_t len, char *err,
			size_t errlen)
{
	char path[64], *v;
	size_t vlen;
	int ret;

	snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", domid);
	ret = read_opt(x, path, &v, err, errlen);
	if (ret)
		return ret;
	if (!v) {
		snprintf(path, sizeof(path), "/local/domain/%u", domid);
		ret = read_opt(x, path, &v, err, errlen);
		if (ret)
			return ret;
		if (!v)
			return hx_fail(err, errlen, -ESRCH, "%s does not exist", path);
		free(v);
		if (len)
			val[0] = '\0';
		return len ? 0 : -ENAMETOOLONG;
	}
	vlen = strlen(v);
	if (vlen >= len) {
		free(v);
		return hx_fail(err, errlen, -ENAMETOOLONG, "%s holds %zu bytes, more than %zu", path,
			    vlen, len ? len - 1 : 0);
	}
	memcpy(val, v, vlen + 1);
	free(v);
	return 0;
}
