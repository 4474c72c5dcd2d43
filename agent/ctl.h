/* SPDX-License-Identifier: GPL-2.0 */
/*
 * handoffd's control socket protocol, spoken by handoffctl and the toolstack
 * hooks: one request line, one answer line, then the daemon closes.
 *
 *   migrate-begin VM DEST       VM: name, domid or uuid; DEST: peer ADDR[:PORT]
 *   migrate-end VM ok|failed    what the toolstack saw (failed aborts)
 *   migrate-expect UUID         on the destination: ask the peers to offer it
 *   status [json]               the daemon's view: text lines, or one JSON line
 *
 * Answers: "ok TEXT", "error ERRNO TEXT", or for status the text / JSON
 * (a status answer ends when the daemon closes the connection).
 * Pure: no I/O.
 */
#ifndef HD_CTL_H
#define HD_CTL_H

#include <stdbool.h>
#include <stddef.h>

#define HD_CTL_LINE_MAX 512

enum hd_ctl_verb { HD_CTL_BEGIN, HD_CTL_END, HD_CTL_EXPECT, HD_CTL_STATUS };

struct hd_ctl_req {
	enum hd_ctl_verb verb;
	char vm[128];
	char dest[128];
	bool ok;		/* migrate-end */
	bool json;		/* status */
};

/* Parses one line (without its newline). 0, or -EINVAL with err set. */
int hd_ctl_parse(const char *line, struct hd_ctl_req *req, char *err, size_t errlen);

/* Splits an answer line: returns 0 for ok, the errno for an error, -1 if malformed. */
int hd_ctl_answer(const char *line, const char **text);

#endif
