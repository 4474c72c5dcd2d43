/* SPDX-License-Identifier: GPL-2.0 */
/* Rendering of info, sessions and events, plain (iproute2-like) or JSON. Pure. */
#ifndef HC_PRINT_H
#define HC_PRINT_H

#include <stdio.h>

#include "json.h"
#include "model.h"

/* Plain output shows non-zero counters only, unless this flag is given. */
#define HC_PRINT_ALL_COUNTERS 0x1

void hc_print_info(FILE *f, const struct hc_info *info, unsigned int flags);
void hc_print_info_json(struct hc_json *j, const struct hc_info *info);
void hc_print_session(FILE *f, const struct hc_session *s, unsigned int flags);
void hc_print_session_json(struct hc_json *j, const struct hc_session *s);
void hc_print_event(FILE *f, const struct hc_event *ev);
void hc_print_event_json(struct hc_json *j, const struct hc_event *ev);

#endif
