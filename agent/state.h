/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Migration records on disk (DIR/ROLE-UUID, mode 0600), so a restarted
 * handoffd takes over the migrations in flight. Records hold no key: the
 * tunnel keys live in the module only (the nonces kept here are useless
 * without the pre-shared key). A record written by another build is refused
 * and the sessions it named are then only followed until they end.
 */
#ifndef HD_STATE_H
#define HD_STATE_H

#include <stdbool.h>

#include "mig.h"

/* Writes (or, gone, removes) m's record. 0 or -errno. */
int hd_state_save(const char *dir, const struct hd_mig *m, bool gone);

/*
 * Loads every record of dir into a list (linked by next), for hd_adopt.
 * Unreadable or foreign records are reported through warn and skipped.
 */
struct hd_mig *hd_state_load(const char *dir, void (*warn)(const char *file, const char *why,
							   void *arg), void *arg);
void hd_state_free(struct hd_mig *list);

/* The record of list that has session id in role, or NULL. */
struct hd_mig *hd_state_find(struct hd_mig *list, uint64_t id, uint8_t role);

#endif
