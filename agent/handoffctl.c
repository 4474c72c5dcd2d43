// SPDX-License-Identifier: GPL-2.0
/*
 * handoffctl: the command line of the handoff module, iproute2-style.
 * Exit status: 0 ok, 1 the kernel refused (or another runtime failure),
 * 2 usage error, 3 the module is not loaded.
 */
#include <errno.h>
#include <linux/handoff.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "ctl.h"
#include "ctlclient.h"
#include "decode.h"
#include "genl.h"
#include "json.h"
#include "keyfile.h"
#include "kreq.h"
#include "names.h"
#include "print.h"

#ifndef HANDOFF_VERSION
#define HANDOFF_VERSION "unknown"
#endif


enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_NO_MODULE = 3,
	EXIT_NO_DAEMON = 4,
};

static struct {
	bool json, pretty;
	unsigned int print_flags;	/* HC_PRINT_* */
	const char *socket;		/* handoffd's, -S */
} opt;

static const char usage_info[] =
	"Usage: handoffctl [-j] [-p] [-s] info\n";
static const char usage_show[] =
	"Usage: handoffctl [-j] [-p] [-s] session show [id ID] [role ROLE]\n";
static const char usage_add[] =
	"Usage: handoffctl session add id ID role ROLE [dev IFNAME] mac MAC [mac MAC]...\n"
	"                              [addr ADDR]... peer PEER tx-key FILE rx-key FILE\n"
	"                              [no-announce] [no-carrier-activate] [divert]\n";
static const char usage_del[] =
	"Usage: handoffctl session del id ID role ROLE\n";
static const char usage_arm[] =
	"Usage: handoffctl session arm id ID\n";
static const char usage_attach[] =
	"Usage: handoffctl session attach id ID dev IFNAME\n";
static const char usage_activate[] =
	"Usage: handoffctl session activate id ID\n";
static const char usage_abort[] =
	"Usage: handoffctl session abort id ID role ROLE\n";
static const char usage_begin[] =
	"Usage: handoffctl [-S SOCKET] migrate-begin VM DEST\n"
	"  Tells handoffd that VM (name, domid or uuid) is about to migrate to the host\n"
	"  whose handoffd listens at DEST (ADDR or ADDR:PORT, a configured peer). Returns\n"
	"  once both hosts have their sessions: run it before `xl migrate`.\n";
static const char usage_end[] =
	"Usage: handoffctl [-S SOCKET] migrate-end VM { ok | failed }\n"
	"  What the toolstack saw: `failed` aborts the cutover (the source resumed).\n";
static const char usage_expect[] =
	"Usage: handoffctl [-S SOCKET] migrate-expect UUID\n"
	"  On the destination: asks every configured peer to offer the VM of this uuid\n"
	"  if it runs there (for hooks that run on the destination only, like\n"
	"  libvirt's). Returns once a source offered and the sessions exist.\n";
static const char usage_status[] =
	"Usage: handoffctl [-S SOCKET] [-j] status\n"
	"  handoffd's migrations, their state and sessions.\n";
static const char usage_monitor[] =
	"Usage: handoffctl [-j] monitor\n";

static const char *const usage_verb[HC_VERB_COUNT] = {
	[HC_VERB_SHOW] = usage_show,
	[HC_VERB_ADD] = usage_add,
	[HC_VERB_DEL] = usage_del,
	[HC_VERB_ARM] = usage_arm,
	[HC_VERB_ATTACH] = usage_attach,
	[HC_VERB_ACTIVATE] = usage_activate,
	[HC_VERB_ABORT] = usage_abort,
};

static const char usage_values[] =
	"\n"
	"ID     := decimal or 0x-hex 64-bit number, non-zero\n"
	"ROLE   := source | dest\n"
	"IFNAME := the dom0 device of the VM's vif (required for role source)\n"
	"MAC    := xx:xx:xx:xx:xx:xx, a unicast MAC of the VM (1 to 16)\n"
	"ADDR   := an IPv4 or IPv6 address of the VM (up to 32)\n"
	"PEER   := IPV4:PORT | [IPV6]:PORT, the peer host's tunnel endpoint\n"
	"FILE   := a key file: one base64 32-byte key (as from `wg genkey`),\n"
	"          not accessible to group or others (chmod 600)\n";

static const char usage_full[] =
	"Usage: handoffctl [OPTIONS] info\n"
	"       handoffctl [OPTIONS] session show [id ID] [role ROLE]\n"
	"       handoffctl session add id ID role ROLE [dev IFNAME] mac MAC [mac MAC]...\n"
	"                      [addr ADDR]... peer PEER tx-key FILE rx-key FILE\n"
	"                      [no-announce] [no-carrier-activate] [divert]\n"
	"       handoffctl session del id ID role ROLE\n"
	"       handoffctl session arm id ID\n"
	"       handoffctl session attach id ID dev IFNAME\n"
	"       handoffctl session activate id ID\n"
	"       handoffctl session abort id ID role ROLE\n"
	"       handoffctl [OPTIONS] monitor\n"
	"       handoffctl [-S SOCKET] migrate-begin VM DEST\n"
	"       handoffctl [-S SOCKET] migrate-end VM { ok | failed }\n"
	"       handoffctl [-S SOCKET] migrate-expect UUID\n"
	"       handoffctl [-S SOCKET] [-j] status\n"
	"       handoffctl help | --help | COMMAND --help\n"
	"\n"
	"OPTIONS := -j, --json     JSON output\n"
	"           -p, --pretty   indented JSON (implies -j; monitor keeps one line per event)\n"
	"           -s, --stats    plain output lists all counters, not only non-zero ones\n"
	"           -S, --socket SOCKET  handoffd's control socket (default $HANDOFFD_SOCKET,\n"
	"                          else " HD_DEFAULT_CONTROL_SOCKET ")\n"
	"           -V, --version  print the version\n";

static const char usage_exit[] =
	"\n"
	"Exit status: 0 success, 1 the kernel or handoffd refused, or another failure,\n"
	"             2 usage error, 3 handoff module not loaded, 4 handoffd not reachable.\n";

static void print_session_usage(FILE *f)
{
	int v;

	for (v = 0; v < HC_VERB_COUNT; v++)
		fputs(usage_verb[v], f);
	fputs(usage_values, f);
}

static int usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fputs("handoffctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (usage)
		fputs(usage, stderr);
	fputs("Try 'handoffctl --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

static bool is_help(const char *s)
{
	return !strcmp(s, "help") || !strcmp(s, "--help") || !strcmp(s, "-h");
}

static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return argc > 0 && !strcmp(argv[0], "help");
}

static int fail_result(const struct hc_result *res)
{
	fprintf(stderr, "Error: %s\n", res->text);
	return EXIT_FAILED;
}

static int open_family(struct hc_genl *g, const char *group)
{
	struct hc_result res;
	int r = hc_genl_open(g, HANDOFF_GENL_NAME, group, HANDOFF_GENL_VERSION, &res);

	if (r == -ENOENT) {
		fprintf(stderr, "Error: %s\n", res.text);
		return EXIT_NO_MODULE;
	}
	if (r)
		return fail_result(&res);
	if (g->fam.version != HANDOFF_GENL_VERSION)
		fprintf(stderr,
			"Warning: the handoff module speaks genl version %u, handoffctl %d\n",
			g->fam.version, HANDOFF_GENL_VERSION);
	return EXIT_OK;
}

/* Runs one request that expects no reply. */
static int run(struct hc_genl *g, struct nl_msg *msg)
{
	struct hc_result res;

	if (hc_genl_request(g, msg, NULL, NULL, &res))
		return fail_result(&res);
	if (res.warning[0])
		fprintf(stderr, "Warning: %s\n", res.warning);
	return EXIT_OK;
}

static int finish_output(void)
{
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "Error: writing output: %s\n", strerror(errno));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* Output is composed in memory so that a failure leaves stdout untouched. */
struct output {
	char *buf;
	size_t len;
	FILE *f;
	struct hc_json j;
	const char *why;	/* decode failure */
};

static int output_open(struct output *o)
{
	memset(o, 0, sizeof(*o));
	o->f = open_memstream(&o->buf, &o->len);
	if (!o->f) {
		fprintf(stderr, "Error: %s\n", strerror(errno));
		return EXIT_FAILED;
	}
	hc_json_init(&o->j, o->f, opt.pretty);
	return EXIT_OK;
}

static int output_close(struct output *o, bool emit)
{
	int ret = EXIT_OK;

	if (fclose(o->f)) {
		fprintf(stderr, "Error: %s\n", strerror(errno));
		ret = EXIT_FAILED;
	} else if (emit) {
		fwrite(o->buf, 1, o->len, stdout);
		ret = finish_output();
	}
	free(o->buf);
	return ret;
}

static int reply_failed(struct output *o, int r, const struct hc_result *res)
{
	if (r == -EPROTO && o->why)
		fprintf(stderr, "Error: malformed reply from the kernel: %s\n", o->why);
	else
		fail_result(res);
	output_close(o, false);
	return EXIT_FAILED;
}

static int cmd_info(int argc, char **argv)
{
	struct hc_result res;
	struct hc_info info;
	struct hc_genl g;
	int ret, r;

	if (wants_help(argc, argv)) {
		fputs(usage_info, stdout);
		return EXIT_OK;
	}
	if (argc)
		return usage_error(usage_info, "info: unexpected argument \"%s\"", argv[0]);
	ret = open_family(&g, NULL);
	if (ret)
		return ret;
	memset(&info, 0, sizeof(info));
	r = hc_get_info(&g, &info, &res);
	hc_genl_close(&g);
	if (r)
		return fail_result(&res);
	if (opt.json) {
		struct hc_json j;

		hc_json_init(&j, stdout, opt.pretty);
		hc_print_info_json(&j, &info);
		hc_json_end(&j);
	} else {
		hc_print_info(stdout, &info, opt.print_flags);
	}
	return finish_output();
}

struct show_arg {
	struct output o;
	const struct hc_req *filter;
};

static int on_session(const void *attrs, size_t len, uint8_t cmd, void *arg)
{
	struct show_arg *sa = arg;
	struct hc_session s;

	(void)cmd;
	if (hc_decode_session(attrs, len, &s, &sa->o.why))
		return -EPROTO;
	if ((sa->filter->have & HC_HAVE_ID) && s.id != sa->filter->id)
		return 0;
	if ((sa->filter->have & HC_HAVE_ROLE) && s.role != sa->filter->role)
		return 0;
	if (opt.json)
		hc_print_session_json(&sa->o.j, &s);
	else
		hc_print_session(sa->o.f, &s, opt.print_flags);
	return 0;
}

static int session_show(struct hc_genl *g, const struct hc_req *req)
{
	struct show_arg sa = { .filter = req };
	struct hc_result res;
	struct nl_msg *msg;
	bool one = (req->have & (HC_HAVE_ID | HC_HAVE_ROLE)) == (HC_HAVE_ID | HC_HAVE_ROLE);
	int r;

	msg = hc_genl_msg(g, HANDOFF_CMD_SESSION_GET, one ? 0 : NLM_F_DUMP);
	if (!msg || (one && hc_put_id_role(msg, req->id, req->role)) || output_open(&sa.o)) {
		if (msg)
			nlmsg_free(msg);
		fprintf(stderr, "Error: out of memory\n");
		return EXIT_FAILED;
	}
	if (opt.json)
		hc_json_arr_begin(&sa.o.j);
	r = hc_genl_request(g, msg, on_session, &sa, &res);
	if (r)
		return reply_failed(&sa.o, r, &res);
	if (opt.json) {
		hc_json_arr_end(&sa.o.j);
		hc_json_end(&sa.o.j);
	}
	return output_close(&sa.o, true);
}

/* Reads both keys before anything is sent; they are wiped by the caller. */
static int read_keys(const struct hc_req *req, uint8_t tx[HANDOFF_KEY_LEN],
		     uint8_t rx[HANDOFF_KEY_LEN])
{
	const char *why;

	if (hc_key_read(req->tx_key, tx, &why))
		return usage_error(NULL, "session add: tx-key \"%s\": %s", req->tx_key, why);
	if (hc_key_read(req->rx_key, rx, &why))
		return usage_error(NULL, "session add: rx-key \"%s\": %s", req->rx_key, why);
	if (!memcmp(tx, rx, HANDOFF_KEY_LEN))
		return usage_error(NULL, "session add: tx-key and rx-key hold the same key; "
				   "each direction needs its own");
	return EXIT_OK;
}

static const uint8_t verb_cmd[HC_VERB_COUNT] = {
	[HC_VERB_SHOW] = HANDOFF_CMD_SESSION_GET,
	[HC_VERB_ADD] = HANDOFF_CMD_SESSION_NEW,
	[HC_VERB_DEL] = HANDOFF_CMD_SESSION_DEL,
	[HC_VERB_ARM] = HANDOFF_CMD_SESSION_ARM,
	[HC_VERB_ATTACH] = HANDOFF_CMD_SESSION_ATTACH,
	[HC_VERB_ACTIVATE] = HANDOFF_CMD_SESSION_ACTIVATE,
	[HC_VERB_ABORT] = HANDOFF_CMD_SESSION_ABORT,
};

static int cmd_session(int argc, char **argv)
{
	uint8_t tx[HANDOFF_KEY_LEN], rx[HANDOFF_KEY_LEN];
	struct hc_genl g;
	struct hc_req req;
	struct nl_msg *msg;
	char err[320];
	int verb, ret, r;

	if (argc == 0) {
		verb = HC_VERB_SHOW;	/* like `ip link` */
	} else if (is_help(argv[0])) {
		print_session_usage(stdout);
		return EXIT_OK;
	} else {
		verb = hc_verb_parse(argv[0]);
		if (verb < 0)
			return usage_error(NULL, "session: unknown command \"%s\" (try: show add del "
					   "arm attach activate abort)", argv[0]);
		argc--;
		argv++;
	}
	if (wants_help(argc, argv)) {
		fputs(usage_verb[verb], stdout);
		fputs(usage_values, stdout);
		return EXIT_OK;
	}
	if (hc_args_parse((enum hc_verb)verb, argc, argv, &req, err, sizeof(err)))
		return usage_error(usage_verb[verb], "session %s: %s", hc_verb_name(verb), err);

	if (verb == HC_VERB_ADD) {
		ret = read_keys(&req, tx, rx);
		if (ret)
			goto out_wipe;
	}
	ret = open_family(&g, NULL);
	if (ret)
		goto out_wipe;
	if (verb == HC_VERB_SHOW) {
		ret = session_show(&g, &req);
		goto out_close;
	}

	msg = hc_genl_msg(&g, verb_cmd[verb], 0);
	if (!msg) {
		r = -1;
	} else if (verb == HC_VERB_ADD) {
		r = hc_put_session_new(msg, &req, tx, rx);
	} else {
		r = hc_put_id_role(msg, req.id,
				   verb == HC_VERB_DEL || verb == HC_VERB_ABORT ? req.role : 0);
		if (!r && verb == HC_VERB_ATTACH)
			r = nla_put_string(msg, HANDOFF_A_IFNAME, req.dev) < 0 ? -1 : 0;
	}
	if (r) {
		if (msg) {
			struct nlmsghdr *nlh = nlmsg_hdr(msg);

			explicit_bzero(nlh, nlh->nlmsg_len);
			nlmsg_free(msg);
		}
		fprintf(stderr, "Error: building the request failed (out of memory)\n");
		ret = EXIT_FAILED;
		goto out_close;
	}
	ret = run(&g, msg);
out_close:
	hc_genl_close(&g);
out_wipe:
	if (verb == HC_VERB_ADD) {
		explicit_bzero(tx, sizeof(tx));
		explicit_bzero(rx, sizeof(rx));
	}
	return ret;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int on_event(const void *attrs, size_t len, uint8_t cmd, void *arg)
{
	const char **why = arg;
	struct hc_event ev;

	if (cmd != HANDOFF_CMD_EVENT)
		return 0;
	if (hc_decode_event(attrs, len, &ev, why))
		return -EPROTO;
	if (ev.has_ifindex && !if_indextoname(ev.ifindex, ev.ifname))
		ev.ifname[0] = '\0';	/* the device is already gone */
	if (opt.json) {
		struct hc_json j;

		hc_json_init(&j, stdout, false);
		hc_print_event_json(&j, &ev);
		hc_json_end(&j);
	} else {
		hc_print_event(stdout, &ev);
	}
	fflush(stdout);
	return 0;
}

static int cmd_monitor(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART: poll wakes */
	const char *why = NULL;
	struct hc_result res;
	struct hc_genl g;
	int ret, r;

	if (wants_help(argc, argv)) {
		fputs(usage_monitor, stdout);
		return EXIT_OK;
	}
	if (argc)
		return usage_error(usage_monitor, "monitor: unexpected argument \"%s\"", argv[0]);
	ret = open_family(&g, HANDOFF_MCGRP_EVENTS);
	if (ret)
		return ret;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	r = hc_genl_listen(&g, on_event, &why, &stop, &res);
	hc_genl_close(&g);
	if (r == -EPROTO && why) {
		fprintf(stderr, "Error: malformed event from the kernel: %s\n", why);
		return EXIT_FAILED;
	}
	if (r)
		return fail_result(&res);
	return finish_output();
}

static const char *control_socket(void)
{
	const char *env = getenv("HANDOFFD_SOCKET");

	if (opt.socket)
		return opt.socket;
	return env && *env ? env : HD_DEFAULT_CONTROL_SOCKET;
}

/* One request to handoffd; "ok TEXT" prints TEXT, "error N TEXT" fails. */
static int daemon_call(const char *line, bool raw)
{
	char err[512], *answer;
	const char *text;
	size_t len;
	int r = hc_ctl_call(control_socket(), line, &answer, err, sizeof(err));

	if (r) {
		fprintf(stderr, "Error: %s\n", err);
		return EXIT_NO_DAEMON;
	}
	len = strlen(answer);
	if (raw && strncmp(answer, "error ", 6)) {
		fputs(answer, stdout);
		free(answer);
		return finish_output();
	}
	while (len && answer[len - 1] == '\n')
		answer[--len] = '\0';
	r = hd_ctl_answer(answer, &text);
	if (r < 0) {
		fprintf(stderr, "Error: malformed answer from handoffd: %.100s\n", answer);
		r = EXIT_FAILED;
	} else if (r > 0) {
		fprintf(stderr, "Error: %s\n", text);
		r = EXIT_FAILED;
	} else {
		if (*text)
			printf("%s\n", text);
		r = finish_output();
	}
	free(answer);
	return r;
}

static int cmd_daemon(const char *verb, int argc, char **argv)
{
	char line[HD_CTL_LINE_MAX];
	int i;

	if (!strcmp(verb, "status")) {
		if (wants_help(argc, argv)) {
			fputs(usage_status, stdout);
			return EXIT_OK;
		}
		if (argc)
			return usage_error(usage_status, "status: unexpected argument \"%s\"",
					   argv[0]);
		return daemon_call(opt.json ? "status json" : "status", true);
	}
	if (!strcmp(verb, "migrate-expect")) {
		if (wants_help(argc, argv)) {
			fputs(usage_expect, stdout);
			return EXIT_OK;
		}
		if (argc != 1 || !*argv[0] || strpbrk(argv[0], " \t\n") ||
		    strlen(argv[0]) >= 128)
			return usage_error(usage_expect, "migrate-expect: expected one uuid");
		snprintf(line, sizeof(line), "migrate-expect %s", argv[0]);
		return daemon_call(line, false);
	}
	if (wants_help(argc, argv)) {
		fputs(!strcmp(verb, "migrate-begin") ? usage_begin : usage_end, stdout);
		return EXIT_OK;
	}
	if (argc != 2)
		return usage_error(!strcmp(verb, "migrate-begin") ? usage_begin : usage_end,
				   "%s: expected 2 arguments, got %d", verb, argc);
	if (!strcmp(verb, "migrate-end") && strcmp(argv[1], "ok") && strcmp(argv[1], "failed"))
		return usage_error(usage_end, "migrate-end: \"%s\" is neither ok nor failed",
				   argv[1]);
	for (i = 0; i < argc; i++)
		if (!*argv[i] || strpbrk(argv[i], " \t\n") || strlen(argv[i]) >= 128)
			return usage_error(NULL, "%s: \"%s\" is empty, too long or has blanks",
					   verb, argv[i]);
	snprintf(line, sizeof(line), "%s %s %s", verb, argv[0], argv[1]);
	return daemon_call(line, false);
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if ((!strcmp(a, "-S") || !strcmp(a, "--socket")) && i + 1 < argc) {
			opt.socket = argv[++i];
		} else if (!strcmp(a, "--json")) {
			opt.json = true;
		} else if (!strcmp(a, "--pretty")) {
			opt.json = opt.pretty = true;
		} else if (!strcmp(a, "--stats")) {
			opt.print_flags |= HC_PRINT_ALL_COUNTERS;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_full, stdout);
			fputs(usage_values, stdout);
			fputs(usage_exit, stdout);
			return finish_output();
		} else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			printf("handoffctl %s (genl family \"%s\" version %d)\n",
			       HANDOFF_VERSION, HANDOFF_GENL_NAME, HANDOFF_GENL_VERSION);
			return finish_output();
		} else if (a[1] != '-' && a[1] != '\0' && strspn(a + 1, "jps") == strlen(a + 1)) {
			/* Bundled short options: -j, -p, -s, -jp, ... */
			if (strchr(a, 'j'))
				opt.json = true;
			if (strchr(a, 'p'))
				opt.json = opt.pretty = true;
			if (strchr(a, 's'))
				opt.print_flags |= HC_PRINT_ALL_COUNTERS;
		} else {
			return usage_error(NULL, "unknown option \"%s\"", a);
		}
	}
	argc -= i;
	argv += i;
	if (argc == 0)
		return usage_error(usage_full, "missing command");

	if (is_help(argv[0])) {
		if (argc > 1 && !strcmp(argv[1], "session")) {
			print_session_usage(stdout);
		} else if (argc > 1 && !strcmp(argv[1], "info")) {
			fputs(usage_info, stdout);
		} else if (argc > 1 && !strcmp(argv[1], "monitor")) {
			fputs(usage_monitor, stdout);
		} else if (argc > 1 && !strcmp(argv[1], "migrate-begin")) {
			fputs(usage_begin, stdout);
		} else if (argc > 1 && !strcmp(argv[1], "migrate-end")) {
			fputs(usage_end, stdout);
		} else if (argc > 1 && !strcmp(argv[1], "migrate-expect")) {
			fputs(usage_expect, stdout);
		} else if (argc > 1 && !strcmp(argv[1], "status")) {
			fputs(usage_status, stdout);
		} else {
			fputs(usage_full, stdout);
			fputs(usage_values, stdout);
			fputs(usage_exit, stdout);
		}
		return finish_output();
	}
	if (!strcmp(argv[0], "info"))
		return cmd_info(argc - 1, argv + 1);
	if (!strcmp(argv[0], "session"))
		return cmd_session(argc - 1, argv + 1);
	if (!strcmp(argv[0], "monitor"))
		return cmd_monitor(argc - 1, argv + 1);
	if (!strcmp(argv[0], "migrate-begin") || !strcmp(argv[0], "migrate-end") ||
	    !strcmp(argv[0], "migrate-expect") || !strcmp(argv[0], "status"))
		return cmd_daemon(argv[0], argc - 1, argv + 1);
	return usage_error(NULL, "unknown command \"%s\" (try: info session monitor migrate-begin migrate-end migrate-expect status help)",
			   argv[0]);
}
