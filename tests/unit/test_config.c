// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>

#include "check.h"
#include "config.h"

static char err[4096];

static int parse(struct hd_config *c, const char *text)
{
	hd_config_defaults(c);
	return hd_config_parse(c, "t.conf", text, strlen(text), err, sizeof(err));
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static bool is_v4(const struct sockaddr_storage *ss, const char *addr)
{
	struct in_addr a;

	return ss->ss_family == AF_INET && inet_pton(AF_INET, addr, &a) == 1 &&
	       ((const struct sockaddr_in *)ss)->sin_addr.s_addr == a.s_addr;
}

static bool is_v6(const struct sockaddr_storage *ss, const char *addr)
{
	struct in6_addr a;

	return ss->ss_family == AF_INET6 && inet_pton(AF_INET6, addr, &a) == 1 &&
	       !memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr, &a, sizeof(a));
}

TEST(config_defaults)
{
	struct hd_config c;

	hd_config_defaults(&c);
	CHECK(is_v4(&c.listen, "0.0.0.0")) && CHECK_INT(port_of(&c.listen), HD_DEFAULT_PORT);
	CHECK_INT(c.listen_len, sizeof(struct sockaddr_in));
	CHECK_INT(c.npeers, 0);
	CHECK_STR(c.key_file, "/etc/handoff/psk");
	CHECK_STR(c.control_socket, "/run/handoff/handoffd.sock");
	CHECK_INT(c.log_level, LOG_INFO);
	CHECK_INT(c.arm_point, HD_ARM_REQUEST);
	CHECK_INT(c.divert, 0);
}

TEST(config_parses_every_key)
{
	struct hd_config c;

	CHECK_INT(parse(&c, "# handoffd\n\n"
			    "listen = [2001:db8::1]:7000\n"
			    "  peer=192.0.2.2  \n"
			    "peer = 192.0.2.3:7001\r\n"
			    "peer = 2001:db8::2\n"
			    "peer = [2001:db8::3]\n"
			    "peer = [2001:db8::4]:7002\n"
			    "\t# indented comment\n"
			    "key-file = /etc/handoff/other key\n"
			    "control-socket = /run/h.sock\n"
			    "log-level = debug\n"
			    "arm-point = suspended\n"
			    "divert = yes"), 0) || printf("%s", err);
	CHECK_STR(err, "");
	CHECK(is_v6(&c.listen, "2001:db8::1")) && CHECK_INT(port_of(&c.listen), 7000);
	CHECK_INT(c.listen_len, sizeof(struct sockaddr_in6));
	if (!CHECK_INT(c.npeers, 5))
		return;
	CHECK_STR(c.peers[0].text, "192.0.2.2");
	CHECK(is_v4(&c.peers[0].addr, "192.0.2.2")) && CHECK_INT(port_of(&c.peers[0].addr), 6658);
	CHECK(is_v4(&c.peers[1].addr, "192.0.2.3")) && CHECK_INT(port_of(&c.peers[1].addr), 7001);
	CHECK(is_v6(&c.peers[2].addr, "2001:db8::2")) && CHECK_INT(port_of(&c.peers[2].addr), 6658);
	CHECK(is_v6(&c.peers[3].addr, "2001:db8::3")) && CHECK_INT(port_of(&c.peers[3].addr), 6658);
	CHECK(is_v6(&c.peers[4].addr, "2001:db8::4")) && CHECK_INT(port_of(&c.peers[4].addr), 7002);
	CHECK_INT(c.peers[4].addrlen, sizeof(struct sockaddr_in6));
	CHECK_STR(c.key_file, "/etc/handoff/other key");
	CHECK_STR(c.control_socket, "/run/h.sock");
	CHECK_INT(c.log_level, LOG_DEBUG);
	CHECK_INT(c.arm_point, HD_ARM_SUSPENDED);
	CHECK_INT(c.divert, 1);
	CHECK_INT(parse(&c, "peer = 10.0.0.1\ndivert = no\n"), 0) &&
		CHECK_INT(c.divert, 0);
}

TEST(config_log_levels)
{
	struct hd_config c;

	CHECK_INT(parse(&c, "peer = 10.0.0.1\nlog-level = error\n"), 0) &&
		CHECK_INT(c.log_level, LOG_ERR);
	CHECK_INT(parse(&c, "peer = 10.0.0.1\nlog-level = warning\n"), 0) &&
		CHECK_INT(c.log_level, LOG_WARNING);
	CHECK_INT(parse(&c, "peer = 10.0.0.1\nlog-level = info\narm-point = request\n"), 0) &&
		CHECK_INT(c.log_level, LOG_INFO) && CHECK_INT(c.arm_point, HD_ARM_REQUEST);
	CHECK_STR(hd_log_level_name(LOG_WARNING), "warning");
	CHECK(hd_log_level_name(LOG_CRIT) == NULL);
}

TEST(config_reports_every_mistake)
{
	struct hd_config c;

	CHECK_INT(parse(&c, "peer = 10.0.0.1\n"
			    "colour = blue\n"			/* 2 */
			    "listen 0.0.0.0\n"			/* 3 */
			    "peer = 10.0.0.1:7000\n"		/* 4: same host */
			    "peer = host.example\n"		/* 5 */
			    "peer = 10.0.0.2:0\n"		/* 6 */
			    "peer = 10.0.0.3:65536\n"		/* 7 */
			    "listen = 0.0.0.0\n"		/* 8 */
			    "listen = ::\n"			/* 9: duplicate */
			    "log-level = loud\n"		/* 10 */
			    "arm-point = never\n"		/* 11 */
			    "key-file = relative\n"		/* 12 */
			    "= x\n"				/* 13 */
			    "arm-point =\n"			/* 14 */
			    "peer = [2001:db8::1\n"		/* 15 */
			    "divert = maybe\n"), -EINVAL);	/* 16 */
	CHECK_STR(err,
		  "t.conf:2: unknown key \"colour\"\n"
		  "t.conf:3: missing '=' (expected \"key = value\")\n"
		  "t.conf:4: duplicate peer \"10.0.0.1:7000\" (same host as \"10.0.0.1\")\n"
		  "t.conf:5: peer \"host.example\": not a numeric IPv4 or IPv6 address with an "
		  "optional port (host names are not resolved)\n"
		  "t.conf:6: peer \"10.0.0.2:0\": port out of range (1..65535)\n"
		  "t.conf:7: peer \"10.0.0.3:65536\": port out of range (1..65535)\n"
		  "t.conf:9: duplicate listen (first set on line 8)\n"
		  "t.conf:10: log-level \"loud\": not one of error, warning, info, debug\n"
		  "t.conf:11: arm-point \"never\": not one of request, suspended\n"
		  "t.conf:12: key-file \"relative\": not an absolute path\n"
		  "t.conf:13: missing key before '='\n"
		  "t.conf:14: empty value for arm-point\n"
		  "t.conf:15: peer \"[2001:db8::1\": not a numeric IPv4 or IPv6 address with an "
		  "optional port (host names are not resolved)\n"
		  "t.conf:16: divert \"maybe\": not yes or no\n");
}

TEST(config_overlong_nul_and_no_peer)
{
	struct hd_config c;
	char text[600];
	static const char nul[] = "peer = 10.0.0.1\nlog-level = de\0bug\n";

	snprintf(text, sizeof(text), "peer = 10.0.0.1\ncontrol-socket = /%0120d\n", 0);
	CHECK_INT(parse(&c, text), -EINVAL);
	CHECK(strstr(err, "t.conf:2: control-socket \"/000") != NULL);
	CHECK(strstr(err, "path too long for a unix socket (at most 107 bytes)\n") != NULL);
	CHECK_STR(c.control_socket, "/run/handoff/handoffd.sock");

	hd_config_defaults(&c);
	CHECK_INT(hd_config_parse(&c, "t.conf", nul, sizeof(nul) - 1, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "t.conf:2: NUL byte in the line\n");

	CHECK_INT(parse(&c, "# nothing\nlog-level = info\n"), -EINVAL);
	CHECK_STR(err, "t.conf: no peer configured: the daemon would accept and reach nobody "
		       "(add \"peer = ADDRESS\" lines)\n");
}

TEST(config_too_many_peers)
{
	struct hd_config c;
	char text[64 * 24];
	size_t off = 0;
	int i;

	for (i = 0; i <= HD_MAX_PEERS; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "peer = 10.0.%d.%d\n",
					i / 200, i % 200 + 1);
	CHECK_INT(parse(&c, text), -EINVAL);
	CHECK_STR(err, "t.conf:65: too many peers (at most 64)\n");
	CHECK_INT(c.npeers, HD_MAX_PEERS);
}

TEST(config_error_buffer_is_cut_short)
{
	struct hd_config c;
	char small[100];
	const char *text = "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\nf = 6\n";

	hd_config_defaults(&c);
	CHECK_INT(hd_config_parse(&c, "t.conf", text, strlen(text), small, sizeof(small)), -EINVAL);
	CHECK_STR(small, "t.conf:1: unknown key \"a\"\nt.conf:2: unknown key \"b\"\n"
			 "t.conf:3: unknown key \"c\"\n...\n");
}

TEST(config_peer_lookup)
{
	struct hd_config c;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(1234) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(1) };
	const struct hd_peer_cfg *p;

	if (!CHECK_INT(parse(&c, "peer = 192.0.2.2:7000\npeer = 2001:db8::2\n"), 0))
		return;
	inet_pton(AF_INET, "192.0.2.2", &sin.sin_addr);
	p = hd_config_peer(&c, (struct sockaddr *)&sin, sizeof(sin));
	CHECK(p == &c.peers[0]);
	inet_pton(AF_INET, "192.0.2.3", &sin.sin_addr);
	CHECK(hd_config_peer(&c, (struct sockaddr *)&sin, sizeof(sin)) == NULL);
	inet_pton(AF_INET6, "2001:db8::2", &sin6.sin6_addr);
	CHECK(hd_config_peer(&c, (struct sockaddr *)&sin6, sizeof(sin6)) == &c.peers[1]);
	/* A short length is no address. */
	CHECK(hd_config_peer(&c, (struct sockaddr *)&sin6, sizeof(sin)) == NULL);
	/* An IPv4 peer seen on a dual-stack socket. */
	inet_pton(AF_INET6, "::ffff:192.0.2.2", &sin6.sin6_addr);
	CHECK(hd_config_peer(&c, (struct sockaddr *)&sin6, sizeof(sin6)) == &c.peers[0]);
	inet_pton(AF_INET6, "2001:db8::3", &sin6.sin6_addr);
	CHECK(hd_config_peer(&c, (struct sockaddr *)&sin6, sizeof(sin6)) == NULL);
}

TEST(config_load)
{
	char path[] = "/tmp/hd_config_XXXXXX";
	const char *text = "peer = 10.0.0.9\nlog-level = shout\n";
	struct hd_config c;
	int fd;

	CHECK_INT(hd_config_load(&c, "/nonexistent/handoffd.conf", err, sizeof(err)), -ENOENT);
	CHECK_STR(err, "/nonexistent/handoffd.conf: No such file or directory\n");
	CHECK_INT(hd_config_load(&c, "/tmp", err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "/tmp: not a regular file\n");
	fd = mkstemp(path);
	if (!CHECK(fd >= 0))
		return;
	CHECK_INT(write(fd, text, strlen(text)), (long long)strlen(text));
	close(fd);
	CHECK_INT(hd_config_load(&c, path, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, ":2: log-level \"shout\"") != NULL);
	CHECK(strncmp(err, path, strlen(path)) == 0);
	CHECK_INT(c.npeers, 1);
	unlink(path);

	/* Larger than HD_CONFIG_MAX: refused before parsing. */
	strcpy(path, "/tmp/hd_config_XXXXXX");
	fd = mkstemp(path);
	if (!CHECK(fd >= 0))
		return;
	CHECK_INT(ftruncate(fd, HD_CONFIG_MAX + 1), 0);
	close(fd);
	CHECK_INT(hd_config_load(&c, path, err, sizeof(err)), -EFBIG);
	CHECK(strstr(err, ": larger than 65536 bytes\n") != NULL);
	unlink(path);
}
