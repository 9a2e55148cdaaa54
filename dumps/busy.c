// SPDX-License-Identifier: GPL-2.0
/*
 * busy: the user-space side of the `busy` trigger (guest-init.sh), built static by make-one.sh
 * with the host's gcc and put in the initramfs as /busy. busybox has no chrt and its nc no UDP.
 *
 *   busy spin NAME CPU [CGROUP]       join CGROUP (a cgroup2 folder), run only on CPU, burn it
 *                                     (each spinner appends NAME to /busy.ready once in place; an RT
 *                                     one just before it moves)
 *   busy rt fifo|rr PRIO NAME CPU     SCHED_FIFO/SCHED_RR at PRIO first (while still on the
 *                                     caller's CPU), then move to CPU and burn it
 *   busy sockets                      open sockets of several families and kinds that stay open,
 *                                     fork (the child shares them), print a kdive-busy-sockets:
 *                                     line and sleep for ever
 *
 * Each task names itself NAME (its comm) so run queues read well. Errors go to stdout as
 * "kdive-error: ..." lines, which fail the make.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what)
{
	printf("kdive-error: busy: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

static void join(const char *cgroup)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	f = fopen(path, "w");
	if (!f)
		die(path);
	fprintf(f, "%d\n", getpid());
	if (fclose(f))
		die(path);
}

/* one line NAME in /busy.ready once in place (group, CPU, policy): guest-init.sh waits for them */
static void ready(const char *name)
{
	FILE *f = fopen("/busy.ready", "a");

	if (!f)
		die("/busy.ready");
	fprintf(f, "%s\n", name);
	if (fclose(f))
		die("/busy.ready");
}

static void burn(void)
{
	volatile unsigned long n = 0;

	for (;;)
		n++;
}

static int tcp4_listener(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0)
		die("socket tcp");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4))
		die("tcp listen");
	return s;
}

static void sockets(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(7070) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(7072) };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	int listener, client, server, udp, tcp6, udp6, unixl, pair[2], netl;
	pid_t child;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listener = tcp4_listener(7070);
	client = socket(AF_INET, SOCK_STREAM, 0);
	if (client < 0 || connect(client, (struct sockaddr *)&a, sizeof(a)))
		die("tcp connect");
	server = accept(listener, NULL, NULL);
	if (server < 0)
		die("tcp accept");
	if (write(client, "kdive\n", 6) != 6)
		die("tcp write");
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = htons(7071);
	if (udp < 0 || bind(udp, (struct sockaddr *)&a, sizeof(a)))
		die("udp bind");
	a6.sin6_addr = in6addr_loopback;
	tcp6 = socket(AF_INET6, SOCK_STREAM, 0);
	if (tcp6 < 0 || bind(tcp6, (struct sockaddr *)&a6, sizeof(a6)) || listen(tcp6, 4))
		die("tcp6 listen");
	udp6 = socket(AF_INET6, SOCK_DGRAM, 0);
	a6.sin6_port = htons(7073);
	if (udp6 < 0 || bind(udp6, (struct sockaddr *)&a6, sizeof(a6)))
		die("udp6 bind");
	strcpy(un.sun_path, "/kdive.sock");
	unlink(un.sun_path);
	unixl = socket(AF_UNIX, SOCK_STREAM, 0);
	if (unixl < 0 || bind(unixl, (struct sockaddr *)&un, sizeof(un)) || listen(unixl, 4))
		die("unix listen");
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, pair))
		die("socketpair");
	netl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (netl < 0 || bind(netl, (struct sockaddr *)&nl, sizeof(nl)))
		die("netlink bind");
	fflush(stdout);
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		prctl(PR_SET_NAME, "sockets-child");
		for (;;)
			pause();
	}
	printf("kdive-busy-sockets: pid %d child %d fds tcp-listen %d tcp-client %d tcp-server %d udp %d tcp6-listen %d"
	       " udp6 %d unix-listen %d unix-pair %d %d netlink %d\n",
	       getpid(), child, listener, client, server, udp, tcp6, udp6, unixl, pair[0], pair[1], netl);
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "spin")) {
		prctl(PR_SET_NAME, argv[2]);
		if (argc >= 5)
			join(argv[4]);
		pin(atoi(argv[3]));
		ready(argv[2]);
		burn();
	}
	if (argc == 6 && !strcmp(argv[1], "rt")) {
		struct sched_param p = { .sched_priority = atoi(argv[3]) };
		int policy = !strcmp(argv[2], "fifo") ? SCHED_FIFO : SCHED_RR;

		prctl(PR_SET_NAME, argv[4]);
		if (sched_setscheduler(0, policy, &p))
			die("sched_setscheduler");
		/* before the move: one below the running RT task never runs again there */
		ready(argv[4]);
		pin(atoi(argv[5]));
		burn();
	}
	if (argc == 2 && !strcmp(argv[1], "sockets")) {
		prctl(PR_SET_NAME, "sockets");
		sockets();
	}
	fprintf(stderr, "usage: busy spin NAME CPU [CGROUP] | busy rt fifo|rr PRIO NAME CPU | busy sockets\n");
	return 2;
}
