// SPDX-License-Identifier: GPL-2.0
/* The fake Xen: command parsing, xenstore semantics, watches, the domain table, the FIFO. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "xen.h"
#include "xenfake.h"

#define UUID_A "6f1e3a52-0c4b-4d8e-9a7f-2b3c4d5e6f70"

static char *rd(struct hx_xen *x, const char *path)
{
	static char buf[256];
	char *v = x->ops->read(x, path, NULL);

	if (!v)
		return NULL;
	snprintf(buf, sizeof(buf), "%s", v);
	free(v);
	return buf;
}

static bool absent(struct hx_xen *x, const char *path)
{
	char *v = x->ops->read(x, path, NULL);

	free(v);
	return !v && errno == ENOENT;
}

static bool pollin(struct hx_xen *x)
{
	struct pollfd p = { .fd = x->ops->fd(x), .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* Applies a command that must fail with code; err must say something. */
static bool apply_fails(struct hx_xen *x, const char *line, int code, const char *file, int ln)
{
	char err[256] = "";
	int r = hx_fake_apply(x, line, err, sizeof(err));

	if (r != code)
		return hc_check_fail(file, ln, "\"%s\" returned %d (%s), want %d", line, r, err,
				     code);
	if (!err[0])
		return hc_check_fail(file, ln, "\"%s\" failed without a message", line);
	return true;
}

#define FAILS(x, line, code) apply_fails((x), (line), (code), __FILE__, __LINE__)

TEST(xen_fake_starts_with_dom0)
{
	struct hx_xen *x = fake_open();
	struct hx_dominfo di;

	if (!x)
		return;
	CHECK_STR(rd(x, "/local/domain/0/name"), "Domain-0");
	CHECK_STR(rd(x, "/local/domain/0/domid"), "0");
	CHECK_INT(x->ops->domain_info(x, 0, &di), 0) && CHECK(di.running) && CHECK(!di.shutdown);
	CHECK_INT(x->ops->domain_info(x, 1, &di), -ESRCH);
	hx_xen_close(x);
}

TEST(xen_fake_write_read_rm_directory)
{
	struct hx_xen *x = fake_open();
	char **d;
	unsigned int n = 99;
	size_t len = 0;
	char *v;

	if (!x)
		return;
	APPLY(x, "write /a/b/c hello  world ");
	v = x->ops->read(x, "/a/b/c", &len);
	CHECK(v) && CHECK_STR(v, "hello  world ") && CHECK_INT(len, 13);
	free(v);
	/* Missing parents are created empty, as xenstored does. */
	CHECK_STR(rd(x, "/a/b"), "") && CHECK_STR(rd(x, "/a"), "");
	APPLY(x, "write /a/e");
	CHECK_STR(rd(x, "/a/e"), "");
	APPLY(x, "write /a/e again\r\n");
	CHECK_STR(rd(x, "/a/e"), "again");
	d = x->ops->directory(x, "/a", &n);
	if (CHECK(d) && CHECK_INT(n, 2)) {
		CHECK((!strcmp(d[0], "b") && !strcmp(d[1], "e")) ||
		      (!strcmp(d[0], "e") && !strcmp(d[1], "b")));
	}
	free(d);
	d = x->ops->directory(x, "/a/b/c", &n);
	CHECK(d) && CHECK_INT(n, 0);
	free(d);
	d = x->ops->directory(x, "/", &n);
	CHECK(d) && CHECK(n >= 3);	/* a, local, vm */
	free(d);
	d = x->ops->directory(x, "/nope", &n);
	CHECK(!d) && CHECK_INT(errno, ENOENT);
	CHECK(absent(x, "/a/x"));
	v = x->ops->read(x, "relative", NULL);
	CHECK(!v) && CHECK_INT(errno, EINVAL);

	APPLY(x, "rm /a/b");
	CHECK(absent(x, "/a/b")) && CHECK(absent(x, "/a/b/c")) && CHECK_STR(rd(x, "/a/e"), "again");
	hx_xen_close(x);
}

TEST(xen_fake_rejects_bad_lines)
{
	struct hx_xen *x = fake_open();
	char err[64];

	if (!x)
		return;
	/* Comments and blank lines are fine. */
	APPLY(x, "");
	APPLY(x, "   ");
	APPLY(x, "# domain destroy 5");
	FAILS(x, "frobnicate", -EINVAL);
	FAILS(x, "write", -EINVAL);
	FAILS(x, "write relative v", -EINVAL);
	FAILS(x, "write /a//b v", -EINVAL);
	FAILS(x, "write /a/ v", -EINVAL);
	FAILS(x, "write /a.b v", -EINVAL);
	FAILS(x, "rm", -EINVAL);
	FAILS(x, "rm /", -EINVAL);
	FAILS(x, "rm /no/such", -ENOENT);
	FAILS(x, "rm /a b", -EINVAL);
	FAILS(x, "a b c d e f g h i", -EINVAL);
	FAILS(x, "write /a x\ny", -EINVAL);
	FAILS(x, "domain", -EINVAL);
	FAILS(x, "domain new", -EINVAL);
	FAILS(x, "domain new 5 " UUID_A, -EINVAL);
	FAILS(x, "domain new 5 " UUID_A " vm extra", -EINVAL);
	FAILS(x, "domain new 0 " UUID_A " vm", -EINVAL);
	FAILS(x, "domain new 32752 " UUID_A " vm", -EINVAL);
	FAILS(x, "domain new 5x " UUID_A " vm", -EINVAL);
	FAILS(x, "domain new -5 " UUID_A " vm", -EINVAL);
	FAILS(x, "domain new 99999999999999999999 " UUID_A " vm", -EINVAL);
	FAILS(x, "domain new 5 6f1e3a52-0c4b-4d8e-9a7f-2b3c4d5e6f7 vm", -EINVAL);
	FAILS(x, "domain new 5 6f1e3a52x0c4b-4d8e-9a7f-2b3c4d5e6f70 vm", -EINVAL);
	FAILS(x, "domain new 5 6f1e3a52-0c4b-4d8e-9a7f-2b3c4d5e6g70 vm", -EINVAL);
	CHECK(absent(x, "/local/domain/5"));
	FAILS(x, "domain frob 5", -EINVAL);
	FAILS(x, "domain pause 5", -ESRCH);
	FAILS(x, "domain destroy 0", -EINVAL);
	FAILS(x, "domain shutdown 5", -EINVAL);
	FAILS(x, "vif 5 0 00:16:3e:00:00:01", -ESRCH);

	APPLY(x, "domain new 5 " UUID_A " vm");
	FAILS(x, "domain new 5 " UUID_A " other", -EEXIST);
	FAILS(x, "domain introduce 5", -EALREADY);
	FAILS(x, "domain shutdown 5 sleepy", -EINVAL);
	FAILS(x, "domain shutdown 5 256", -EINVAL);
	FAILS(x, "domain shutdown 5 -1", -EINVAL);
	FAILS(x, "domain resume 5", -EINVAL);
	FAILS(x, "domain pause 5 6", -EINVAL);
	FAILS(x, "vif 5", -EINVAL);
	FAILS(x, "vif 5 0 00:16:3e:00:00", -EINVAL);
	FAILS(x, "vif 5 0 00:16:3e:00:00:0g", -EINVAL);
	FAILS(x, "vif 5 x 00:16:3e:00:00:01", -EINVAL);
	FAILS(x, "vif 5 65536 00:16:3e:00:00:01", -EINVAL);
	FAILS(x, "vif 5 0 00:16:3e:00:00:01 abcdefghijklmnop", -EINVAL);
	FAILS(x, "vif 5 0 00:16:3e:00:00:01 a/b", -EINVAL);
	FAILS(x, "vif 5 0 00:16:3e:00:00:01 v x", -EINVAL);
	CHECK(absent(x, "/local/domain/5/device/vif/0"));
	CHECK(absent(x, "/local/domain/0/backend/vif/5"));
	APPLY(x, "vif 5 0 00:16:3e:00:00:01");
	FAILS(x, "vif 5 0 00:16:3e:00:00:02", -EEXIST);
	APPLY(x, "domain shutdown 5 suspend");
	FAILS(x, "domain shutdown 5 poweroff", -EALREADY);

	/* A NULL err is allowed; only a fake can be driven. */
	CHECK_INT(hx_fake_apply(x, "frobnicate", NULL, 0), -EINVAL);
	{
		struct hx_xen other = { .ops = x->ops + 1 };

		CHECK_INT(hx_fake_apply(&other, "rm /a", err, sizeof(err)), -EINVAL);
	}
	hx_xen_close(x);
}

TEST(xen_fake_domain_lifecycle)
{
	struct hx_xen *x = fake_open();
	struct hx_dominfo di;

	if (!x)
		return;
	APPLY(x, "domain new 7 " UUID_A " guest-1");
	CHECK_STR(rd(x, "/local/domain/7/name"), "guest-1");
	CHECK_STR(rd(x, "/local/domain/7/vm"), "/vm/" UUID_A);
	CHECK_STR(rd(x, "/local/domain/7/domid"), "7");
	CHECK_STR(rd(x, "/local/domain/7/control/shutdown"), "");
	CHECK_STR(rd(x, "/vm/" UUID_A "/uuid"), UUID_A);
	CHECK_INT(x->ops->domain_info(x, 7, &di), 0) && CHECK_INT(di.domid, 7) &&
		CHECK(di.paused) && CHECK(!di.running) && CHECK(!di.shutdown) && CHECK(!di.dying);
	APPLY(x, "domain unpause 7");
	CHECK_INT(x->ops->domain_info(x, 7, &di), 0) && CHECK(!di.paused) && CHECK(di.running);
	APPLY(x, "domain shutdown 7 suspend");
	CHECK_INT(x->ops->domain_info(x, 7, &di), 0) && CHECK(di.shutdown) &&
		CHECK_INT(di.shutdown_reason, 2) && CHECK(!di.running);
	APPLY(x, "domain resume 7");
	CHECK_INT(x->ops->domain_info(x, 7, &di), 0) && CHECK(!di.shutdown) && CHECK(di.running);
	APPLY(x, "domain shutdown 7 3");
	CHECK_INT(x->ops->domain_info(x, 7, &di), 0) && CHECK_INT(di.shutdown_reason, 3);
	APPLY(x, "domain resume 7");
	APPLY(x, "domain shutdown 7 soft_reset");
	CHECK_INT(x->ops->domain_info(x, 7, &di), 0) && CHECK_INT(di.shutdown_reason, 5);

	/* Two domains of one VM (localhost migration): /vm/UUID stays until the last goes. */
	APPLY(x, "domain new 8 " UUID_A " guest-1--incoming");
	APPLY(x, "vif 7 0 00:16:3e:00:00:01");
	APPLY(x, "domain destroy 7");
	CHECK_INT(x->ops->domain_info(x, 7, &di), -ESRCH);
	CHECK(absent(x, "/local/domain/7"));
	CHECK(absent(x, "/local/domain/0/backend/vif/7"));
	CHECK_STR(rd(x, "/vm/" UUID_A "/uuid"), UUID_A);
	CHECK_INT(x->ops->domain_info(x, 8, &di), 0);
	APPLY(x, "domain destroy 8");
	CHECK(absent(x, "/vm/" UUID_A));

	/* A zombie: gone from xenstore, dying in the hypervisor until reaped. */
	APPLY(x, "domain new 9 " UUID_A " z");
	FAILS(x, "domain reap 9", -EINVAL);
	FAILS(x, "domain destroy 9 undead", -EINVAL);
	APPLY(x, "domain shutdown 9 suspend");
	APPLY(x, "domain destroy 9 dying");
	CHECK(absent(x, "/local/domain/9"));
	CHECK_INT(x->ops->domain_info(x, 9, &di), 0) && CHECK(di.dying) && CHECK(!di.running) &&
		CHECK(di.shutdown) && CHECK_INT(di.shutdown_reason, 2);
	FAILS(x, "domain resume 9", -EINVAL);
	FAILS(x, "domain destroy 9", -EINVAL);
	FAILS(x, "vif 9 0 00:16:3e:00:00:01", -EINVAL);
	APPLY(x, "domain reap 9");
	CHECK_INT(x->ops->domain_info(x, 9, &di), -ESRCH);
	hx_xen_close(x);
}

TEST(xen_fake_vif_nodes_as_libxl)
{
	struct hx_xen *x = fake_open();

	if (!x)
		return;
	APPLY(x, "domain new 3 " UUID_A " g");
	APPLY(x, "vif 3 1 00:16:3E:0a:0b:0c vifg.1");
	CHECK_STR(rd(x, "/local/domain/3/device/vif/1/backend"),
		  "/local/domain/0/backend/vif/3/1");
	CHECK_STR(rd(x, "/local/domain/3/device/vif/1/backend-id"), "0");
	CHECK_STR(rd(x, "/local/domain/3/device/vif/1/mac"), "00:16:3E:0a:0b:0c");
	CHECK_STR(rd(x, "/local/domain/3/device/vif/1/handle"), "1");
	CHECK_STR(rd(x, "/local/domain/3/device/vif/1/state"), "1");
	CHECK_STR(rd(x, "/local/domain/0/backend/vif/3/1/frontend"),
		  "/local/domain/3/device/vif/1");
	CHECK_STR(rd(x, "/local/domain/0/backend/vif/3/1/frontend-id"), "3");
	CHECK_STR(rd(x, "/local/domain/0/backend/vif/3/1/mac"), "00:16:3E:0a:0b:0c");
	CHECK_STR(rd(x, "/local/domain/0/backend/vif/3/1/handle"), "1");
	CHECK_STR(rd(x, "/local/domain/0/backend/vif/3/1/vifname"), "vifg.1");
	APPLY(x, "vif 3 0 00:16:3e:0a:0b:0d");
	CHECK(absent(x, "/local/domain/0/backend/vif/3/0/vifname"));
	hx_xen_close(x);
}

TEST(xen_fake_watch_fires_once_when_set_and_on_prefix)
{
	struct hx_xen *x = fake_open();
	char ev[512];

	if (!x)
		return;
	CHECK(!pollin(x));
	CHECK_INT(x->ops->watch(x, "/a/b", "t1"), 0);
	CHECK(pollin(x));
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 1) && CHECK_STR(ev, "/a/b t1");
	CHECK(!pollin(x));

	APPLY(x, "write /a/b 1");
	APPLY(x, "write /a/b/c/d 2");
	APPLY(x, "write /a/bc 3");	/* not below /a/b */
	APPLY(x, "write /a 4");		/* above */
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 2) && CHECK_STR(ev, "/a/b t1;/a/b/c/d t1");

	/* Removing an ancestor fires watches on removed nodes below it, with their path. */
	CHECK_INT(x->ops->watch(x, "/a", "t2"), 0);
	CHECK_INT(x->ops->watch(x, "/a/b/c/d", "t3"), 0);
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 2) && CHECK_STR(ev, "/a t2;/a/b/c/d t3");
	APPLY(x, "rm /a");
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 3);
	CHECK(strstr(ev, "/a/b t1")) && CHECK(strstr(ev, "/a/b/c/d t3")) && CHECK(strstr(ev, "/a t2"));
	CHECK(!strstr(ev, "/a/b/c t"));

	/* A watch on / sees everything; "@" names are not paths. */
	CHECK_INT(x->ops->watch(x, "/", "root"), 0);
	fake_events(x, ev, sizeof(ev));
	APPLY(x, "write /z 1");
	APPLY(x, "domain new 4 " UUID_A " v");
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 8);	/* /z + 7 nodes of the domain */
	CHECK(!strstr(ev, "@introduceDomain"));
	hx_xen_close(x);
}

TEST(xen_fake_watch_errors_and_unwatch)
{
	struct hx_xen *x = fake_open();
	char ev[512], path[8], token[64];

	if (!x)
		return;
	CHECK_INT(x->ops->watch(x, "relative", "t"), -EINVAL);
	CHECK_INT(x->ops->watch(x, "@bogus", "t"), -EINVAL);
	CHECK_INT(x->ops->watch(x, "/x/", "t"), -EINVAL);
	CHECK_INT(x->ops->watch(x, "/x", "t"), 0);
	CHECK_INT(x->ops->watch(x, "/x", "t"), -EEXIST);
	CHECK_INT(x->ops->watch(x, "/x", "u"), 0);
	CHECK_INT(x->ops->unwatch(x, "/y", "t"), -ENOENT);
	CHECK_INT(x->ops->unwatch(x, "/x", "v"), -ENOENT);
	APPLY(x, "write /x/y 1");
	/* Unwatch drops the pending events of that watch only. */
	CHECK_INT(x->ops->unwatch(x, "/x", "t"), 0);
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 2) && CHECK_STR(ev, "/x u;/x/y u");
	APPLY(x, "write /x/y 2");
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 1) && CHECK_STR(ev, "/x/y u");
	/* Too small a buffer: the event is consumed with -ENAMETOOLONG. */
	APPLY(x, "write /x/longer 3");
	CHECK_INT(x->ops->read_watch(x, path, sizeof(path), token, sizeof(token)), -ENAMETOOLONG);
	CHECK_INT(x->ops->read_watch(x, path, sizeof(path), token, sizeof(token)), -EAGAIN);
	hx_xen_close(x);
}

TEST(xen_fake_domain_watches)
{
	struct hx_xen *x = fake_open();
	char ev[512];

	if (!x)
		return;
	CHECK_INT(x->ops->watch(x, "@introduceDomain", "intro"), 0);
	CHECK_INT(x->ops->watch(x, "@releaseDomain", "rel"), 0);
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 2) &&
		CHECK_STR(ev, "@introduceDomain intro;@releaseDomain rel");

	APPLY(x, "domain create 5 " UUID_A " vm");
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 0);
	APPLY(x, "domain introduce 5");
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 1) && CHECK_STR(ev, "@introduceDomain intro");
	APPLY(x, "domain new 6 " UUID_A " vm2");
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 1) && CHECK_STR(ev, "@introduceDomain intro");

	/* Pause, unpause and resume fire nothing; shutdown and destroy fire @releaseDomain. */
	APPLY(x, "domain unpause 5");
	APPLY(x, "domain pause 5");
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 0);
	APPLY(x, "domain shutdown 5 suspend");
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 1) && CHECK_STR(ev, "@releaseDomain rel");
	APPLY(x, "domain resume 5");
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 0);
	APPLY(x, "domain shutdown 5 suspend");
	APPLY(x, "domain destroy 5");
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 2) &&
		CHECK_STR(ev, "@releaseDomain rel;@releaseDomain rel");
	APPLY(x, "domain new 5 " UUID_A " vm");
	APPLY(x, "domain destroy 5 dying");
	APPLY(x, "domain reap 5");
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 2) &&
		CHECK_STR(ev, "@introduceDomain intro;@releaseDomain rel");

	/* A watch on a domain's directory sees its removal at destroy. */
	CHECK_INT(x->ops->watch(x, "/local/domain/6/control/shutdown", "ctl"), 0);
	APPLY(x, "write /local/domain/6/control/shutdown suspend");
	APPLY(x, "domain destroy 6");
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 4) &&
		CHECK_STR(ev, "/local/domain/6/control/shutdown ctl;"
			  "/local/domain/6/control/shutdown ctl;"
			  "/local/domain/6/control/shutdown ctl;@releaseDomain rel");
	hx_xen_close(x);
}

/* Runs read_watch until -EAGAIN with stderr captured into out (the fake's FIFO log). */
static int events_logged(struct hx_xen *x, char *ev, size_t evlen, char *out, size_t outlen)
{
	FILE *tmp = tmpfile();
	int saved, n;
	size_t got;

	out[0] = '\0';
	if (!tmp)
		return fake_events(x, ev, evlen);
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(tmp), 2);
	n = fake_events(x, ev, evlen);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	got = fread(out, 1, outlen - 1, tmp);
	out[got] = '\0';
	fclose(tmp);
	return n;
}

/* Writes text to the FIFO at path in one write. */
static bool fifo_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return hc_check_fail(__FILE__, __LINE__, "open %s: %s", path, strerror(errno));
	n = write(fd, text, strlen(text));
	close(fd);
	return CHECK_INT(n, (long long)strlen(text));
}

TEST(xen_fake_fifo_drives_it_in_order)
{
	char dir[] = "/tmp/hx_fake_XXXXXX", ctl[64], err[256] = "", ev[512], log[512], want[128];
	struct hx_xen *x, *y;
	struct hx_dominfo di;
	struct stat st;

	if (!CHECK(mkdtemp(dir)))
		return;
	snprintf(ctl, sizeof(ctl), "%s/ctl", dir);
	x = hx_xen_open_fake(ctl, err, sizeof(err));
	if (!CHECK(x)) {
		printf("  %s\n", err);
		rmdir(dir);
		return;
	}
	CHECK_INT(stat(ctl, &st), 0) && CHECK(S_ISFIFO(st.st_mode)) &&
		CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(x->ops->watch(x, "@introduceDomain", "i"), 0);
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 1);
	CHECK(!pollin(x));

	/* Several lines in one write, a bad one among them, a line split across writes. */
	fifo_write(ctl, "# a comment\ndomain new 5 " UUID_A " vm\nbogus line\nwrite /t/u ");
	CHECK(pollin(x));
	CHECK_INT(events_logged(x, ev, sizeof(ev), log, sizeof(log)), 1) &&
		CHECK_STR(ev, "@introduceDomain i");
	snprintf(want, sizeof(want), "hx_fake: %s:3: unknown command \"bogus\"\n", ctl);
	CHECK_STR(log, want);
	CHECK_INT(x->ops->domain_info(x, 5, &di), 0);
	CHECK(absent(x, "/t/u"));
	fifo_write(ctl, "split value\n");
	CHECK(pollin(x));
	CHECK_INT(fake_events(x, ev, sizeof(ev)), 0);
	CHECK_STR(rd(x, "/t/u"), "split value");
	CHECK(!pollin(x));

	/* An existing FIFO is reused; a regular file is refused. */
	y = hx_xen_open_fake(ctl, err, sizeof(err));
	CHECK(y);
	hx_xen_close(y);
	hx_xen_close(x);
	unlink(ctl);
	close(open(ctl, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	err[0] = '\0';
	y = hx_xen_open_fake(ctl, err, sizeof(err));
	CHECK(!y) && CHECK(strstr(err, "not a FIFO"));
	hx_xen_close(y);
	unlink(ctl);
	rmdir(dir);
}

TEST(xen_fake_fifo_survives_an_overlong_line)
{
	char dir[] = "/tmp/hx_fake_XXXXXX", ctl[64], err[256] = "", ev[64], log[256];
	static char big[5000];
	struct hx_xen *x;

	if (!CHECK(mkdtemp(dir)))
		return;
	snprintf(ctl, sizeof(ctl), "%s/ctl", dir);
	x = hx_xen_open_fake(ctl, err, sizeof(err));
	if (!CHECK(x)) {
		rmdir(dir);
		return;
	}
	memset(big, 'w', sizeof(big) - 2);
	big[sizeof(big) - 2] = '\n';
	fifo_write(ctl, big);
	fifo_write(ctl, "write /ok 1\n");
	events_logged(x, ev, sizeof(ev), log, sizeof(log));
	CHECK(strstr(log, ":1: line longer than 4094 bytes")) && CHECK(!strstr(log, ":2:"));
	CHECK_STR(rd(x, "/ok"), "1");
	hx_xen_close(x);
	unlink(ctl);
	rmdir(dir);
}

/* Random lines from the command vocabulary: any outcome but a crash or a leak (ASan). */
TEST(xen_fake_survives_random_lines)
{
	static const char *const words[] = {
		"write", "rm", "domain", "vif", "new", "create", "introduce", "pause", "unpause",
		"shutdown", "resume", "destroy", "reap", "dying", "suspend", "5", "0", "32751",
		"x", "/", "/a", "/a/b", "/local/domain/5", "/local/domain/0/backend/vif/5",
		UUID_A, "00:16:3e:00:00:01", "vifname", "#", "", "\t", "-1", "99999999999",
	};
	struct hx_xen *x = fake_open();
	char line[256], err[128], ev[4096];
	unsigned int seed = 12345, i, j, n, ok = 0;

	if (!x)
		return;
	CHECK_INT(x->ops->watch(x, "/", "all"), 0);
	CHECK_INT(x->ops->watch(x, "@releaseDomain", "rel"), 0);
	for (i = 0; i < 5000; i++) {
		line[0] = '\0';
		n = 1 + (seed = seed * 1103515245 + 12345) % 6;
		for (j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			strcat(line, words[(seed >> 8) % (sizeof(words) / sizeof(words[0]))]);
			strcat(line, " ");
		}
		ok += !hx_fake_apply(x, line, err, sizeof(err));
		if (i % 50 == 0)
			fake_events(x, ev, sizeof(ev));
	}
	/* Some lines must have applied, or the vocabulary tests nothing. */
	CHECK(ok > 100);
	hx_xen_close(x);
}
