/* SPDX-License-Identifier: GPL-2.0 */
/* Names of the uAPI enums, for output and for error messages. Pure. */
#ifndef HC_NAMES_H
#define HC_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* Lowercase names used on the command line and in output; NULL if unknown. */
const char *hc_role_name(unsigned int role);
const char *hc_state_name(unsigned int state);
const char *hc_event_name(unsigned int event);
const char *hc_counter_name(unsigned int ctr);
const char *hc_time_name(unsigned int t);
const char *hc_flag_name(uint32_t bit);

/* Returns the enum value, or -1. */
int hc_role_parse(const char *s);
/* Returns the HANDOFF_F_* bit, or 0. */
uint32_t hc_flag_parse(const char *s);

/* "no-announce,no-carrier-activate", "none", unknown bits as hex. */
void hc_fmt_flags(char *buf, size_t len, uint32_t flags);

/*
 * The enum name of attribute type inside parent (0: top level, else the
 * HANDOFF_A_* nest it sits in), e.g. "HANDOFF_A_MAC"; NULL if unknown.
 */
const char *hc_attr_name(unsigned int parent, unsigned int type);
/* Whether the top-level attribute is a nest hc_attr_name knows about. */
int hc_attr_is_nest(unsigned int type);

#endif
