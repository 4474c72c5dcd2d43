// SPDX-License-Identifier: GPL-2.0
/* Writes one valid encoded message of each type into DIR: the fuzzer's seeds. */
#include <stdio.h>
#include <stdlib.h>

#include "../unit/msgs.h"

int main(int argc, char **argv)
{
	uint8_t buf[HD_MSG_MAX];
	char path[4096];
	struct hd_msg m;
	size_t len;
	uint8_t t;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (t = HD_MSG_AUTH; t <= HD_MSG_LAST; t++) {
		FILE *f;

		test_msg(&m, t);
		if (hd_msg_encode(&m, buf, sizeof(buf), &len)) {
			fprintf(stderr, "cannot encode %s\n", hd_msg_type_name(t));
			return 1;
		}
		snprintf(path, sizeof(path), "%s/%s", argv[1], hd_msg_type_name(t));
		f = fopen(path, "wb");
		if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
			perror(path);
			return 1;
		}
	}
	return 0;
}
