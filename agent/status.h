/* SPDX-License-Identifier: GPL-2.0 */
/* handoffd's view of its migrations, as JSON (handoffctl status). Pure. */
#ifndef HD_STATUS_H
#define HD_STATUS_H

#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "mig.h"

void hd_status_json(struct hc_json *j, const struct hd_engine *e, uint64_t now_ms);
/* The same as text, iproute2-like: one block per migration. */
void hd_status_text(FILE *f, const struct hd_engine *e, uint64_t now_ms);

#endif
