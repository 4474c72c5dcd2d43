/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding of reply attributes (the payload after the genl header) into
 * model.h structs. Pure. Each returns 0, or -EINVAL with *why set to a
 * static description of the first malformed attribute.
 */
#ifndef HC_DECODE_H
#define HC_DECODE_H

#include <stddef.h>

#include "model.h"

int hc_decode_info(const void *attrs, size_t len, struct hc_info *out, const char **why);
int hc_decode_session(const void *attrs, size_t len, struct hc_session *out, const char **why);
int hc_decode_event(const void *attrs, size_t len, struct hc_event *out, const char **why);
/* A CTRL_CMD_NEWFAMILY reply; group may be NULL. */
int hc_decode_family(const void *attrs, size_t len, const char *group,
		     struct hc_family *out, const char **why);

#endif
