/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /etc/handoff/handoffd.conf: `key = value` lines, `#` comments, blank lines.
 *   listen = ADDR             where agents connect (default 0.0.0.0:6658)
 *   peer = ADDR               repeatable: the only hosts allowed to connect or be connected to
 *   key-file = PATH           the pre-shared key (default /etc/handoff/psk)
 *   control-socket = PATH     handoffctl and hooks (default /run/handoff/handoffd.sock)
 *   log-level = error|warning|info|debug    (default info)
 *   arm-point = request|suspended           (default request; DESIGN.md "The suspend boundary")
 *   divert = yes|no           source sessions get HANDOFF_F_DIVERT (default no)
 * ADDR is numeric: 192.0.2.1, 192.0.2.1:7000, 2001:db8::1, [2001:db8::1]:7000,
 * [fe80::1%eth0]:7000; the port defaults to HD_DEFAULT_PORT. Host names are refused:
 * the daemon must never block on a resolver (nor trust one to say who a peer is).
 * Pure: no I/O except hd_config_load reading the file (and if_nametoindex for a scope).
 */
#ifndef HD_CONFIG_H
#define HD_CONFIG_H

#include <stddef.h>
#include <sys/socket.h>

#define HD_DEFAULT_PORT 6658
#define HD_MAX_PEERS 64
#define HD_CONFIG_PATH "/etc/handoff/handoffd.conf"
#define HD_CONFIG_MAX 65536		/* bytes of a configuration file */

enum hd_arm_point { HD_ARM_REQUEST, HD_ARM_SUSPENDED };

struct hd_peer_cfg {
	char text[128];			/* as written in the file */
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

struct hd_config {
	struct sockaddr_storage listen;
	socklen_t listen_len;
	unsigned int npeers;
	struct hd_peer_cfg peers[HD_MAX_PEERS];
	char key_file[4096];
	char control_socket[108];	/* sun_path */
	int log_level;			/* syslog LOG_ERR .. LOG_DEBUG */
	enum hd_arm_point arm_point;
	int divert;			/* 0 or 1 */
};

void hd_config_defaults(struct hd_config *c);
/*
 * Applies text (len bytes, the file called name) over c, which holds defaults.
 * Reports EVERY mistake, one "NAME:LINE: message" line each, into err (cut
 * short with "..." when err is full); returns 0 or -EINVAL. No peer at all
 * is a mistake: the daemon would accept nobody.
 */
int hd_config_parse(struct hd_config *c, const char *name, const char *text, size_t len, char *err,
		    size_t errlen);
/* Defaults, then the file. Returns 0 or a negative errno; err explains. */
int hd_config_load(struct hd_config *c, const char *path, char *err, size_t errlen);
/* The configured peer with this address (port ignored), or NULL. */
const struct hd_peer_cfg *hd_config_peer(const struct hd_config *c, const struct sockaddr *sa,
					 socklen_t len);
/* "error", "warning", "info", "debug" for a syslog level, or NULL. */
const char *hd_log_level_name(int level);

#endif
