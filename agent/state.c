// SPDX-License-Identifier: GPL-2.0
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xenvm.h"

/* The record is the struct itself behind this header: same build, same layout. */
struct record {
	char magic[8];
	uint32_t size;
	uint32_t version;
	struct hd_mig mig;
};

#define MAGIC "hdmig01"

static void record_path(char *buf, size_t len, const char *dir, const struct hd_mig *m)
{
	char uuid[37];

	hx_uuid_format(m->uuid, uuid);
	snprintf(buf, len, "%s/%s-%s", dir, m->role == HANDOFF_ROLE_SOURCE ? "source" : "dest",
		 uuid);
}

int hd_state_save(const char *dir, const struct hd_mig *m, bool gone)
{
	char path[4200], tmp[4208];
	struct record rec;
	ssize_t n;
	int fd, r = 0;

	record_path(path, sizeof(path), dir, m);
	if (gone)
		return unlink(path) && errno != ENOENT ? -errno : 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	memset(&rec, 0, sizeof(rec));
	memcpy(rec.magic, MAGIC, sizeof(MAGIC));
	rec.size = sizeof(rec);
	rec.version = HD_PROTO_VERSION;
	rec.mig = *m;
	rec.mig.next = NULL;
	rec.mig.chan = NULL;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	n = write(fd, &rec, sizeof(rec));
	if (n != (ssize_t)sizeof(rec))
		r = n < 0 ? -errno : -EIO;
	if (close(fd) && !r)
		r = -errno;
	if (!r && rename(tmp, path))
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

static int load_one(int dfd, const char *name, struct hd_mig **out)
{
	struct record rec;
	struct hd_mig *m;
	ssize_t n;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = read(fd, &rec, sizeof(rec));
	close(fd);
	if (n != (ssize_t)sizeof(rec) || memcmp(rec.magic, MAGIC, sizeof(MAGIC)) ||
	    rec.size != sizeof(rec) || rec.version != HD_PROTO_VERSION ||
	    rec.mig.nvifs > HD_MAX_VIFS || rec.mig.naddrs > HD_MAX_MSG_ADDRS)
		return -EBADMSG;
	m = malloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	*m = rec.mig;
	m->name[sizeof(m->name) - 1] = '\0';
	*out = m;
	return 0;
}

struct hd_mig *hd_state_load(const char *dir, void (*warn)(const char *file, const char *why,
							   void *arg), void *arg)
{
	struct hd_mig *list = NULL, *m;
	struct dirent *de;
	DIR *d = opendir(dir);
	int r;

	if (!d) {
		if (errno != ENOENT)
			warn(dir, strerror(errno), arg);
		return NULL;
	}
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "source-", 7) && strncmp(de->d_name, "dest-", 5))
			continue;
		if (strstr(de->d_name, ".tmp")) {
			unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		r = load_one(dirfd(d), de->d_name, &m);
		if (r) {
			warn(de->d_name, r == -EBADMSG ? "not a record of this build" :
			     strerror(-r), arg);
			unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		m->next = list;
		list = m;
	}
	closedir(d);
	return list;
}

void hd_state_free(struct hd_mig *list)
{
	while (list) {
		struct hd_mig *next = list->next;

		explicit_bzero(list, sizeof(*list));
		free(list);
		list = next;
	}
}

struct hd_mig *hd_state_find(struct hd_mig *list, uint64_t id, uint8_t role)
{
	unsigned int i;

	for (; list; list = list->next)
		for (i = 0; list->role == role && i < list->nvifs; i++)
			if (list->vifs[i].id == id)
				return list;
	return NULL;
}
