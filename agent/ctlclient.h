/* SPDX-License-Identifier: GPL-2.0 */
/* handoffctl's side of handoffd's control socket (ctl.h has the protocol). */
#ifndef HC_CTLCLIENT_H
#define HC_CTLCLIENT_H

#include <stddef.h>

#define HD_DEFAULT_CONTROL_SOCKET "/run/handoff/handoffd.sock"

/*
 * Sends line (no newline) to the daemon at path and reads the whole answer
 * into *answer (malloc'd, NUL-terminated). 0, or a negative errno with err
 * set when the daemon cannot be reached or hangs up without answering.
 */
int hc_ctl_call(const char *path, const char *line, char **answer, char *err, size_t errlen);

#endif
