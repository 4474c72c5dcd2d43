/* SPDX-License-Identifier: GPL-2.0 */
/* Reading a tunnel key file (`wg genkey` format). POSIX only, no libnl. */
#ifndef HC_KEYFILE_H
#define HC_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include <linux/handoff.h>

/* Base64 of HANDOFF_KEY_LEN bytes. */
#define HC_KEY_B64_LEN ((size_t)4 * ((HANDOFF_KEY_LEN + 2) / 3))

/*
 * Decodes a base64 key from text (one line, optional trailing newline).
 * Returns 0, or -EINVAL with *why set. Never quotes the text.
 */
int hc_key_decode(const char *text, size_t len, uint8_t key[HANDOFF_KEY_LEN], const char **why);

/*
 * Reads path: a regular file not readable or writable by group or others,
 * holding one key. Returns 0, or a negative errno with *why set.
 */
int hc_key_read(const char *path, uint8_t key[HANDOFF_KEY_LEN], const char **why);

#endif
