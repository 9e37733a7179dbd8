/*
 * A sockrepl session, exported by sockrepl 0.1 (export c).
 * Build: cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -o prog prog.c
 * Received data is written to stdout; errors go to stderr and end the
 * program with status 1.
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <net/if.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Report a failed call as perror does, and give up. */
static void
fail(const char *call)
{
	perror(call);
	exit(1);
}

/* Received bytes go to stdout as they are. */
static void
show(const char *p, ssize_t n)
{
	if (n > 0 && fwrite(p, 1, (size_t)n, stdout) != (size_t)n)
		fail("stdout");
	fflush(stdout);
}

/* send may take fewer bytes than given: say so, as sockrepl does. */
static void
sent(const char *call, ssize_t n, size_t len)
{
	if ((size_t)n < len)
		fprintf(stderr, "%s: sent %zd of %zu bytes (sendall sends them "
		    "all)\n", call, n, len);
}

/* An IPv4 address and port in ss; returns its length. */
static socklen_t
in4(struct sockaddr_storage *ss, const char *host, int port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof *ss);
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
		fprintf(stderr, "%s: not an IPv4 address\n", host);
		exit(1);
	}
	return sizeof *sin;
}

static char buf[200];

int
main(void)
{
	int			 client;
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
	ssize_t			 n;

	/* socket tcp */
	if ((client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) == -1)
		fail("socket");

	/* connect 127.0.0.1 58321 */
	salen = in4(&sa, "127.0.0.1", 58321);
	if (connect(client, (struct sockaddr *)&sa, salen) == -1)
		fail("connect");

	/*
	 * send "AB\\\"CD, EF, GH, IJ, KL, MN, OP, QR, ST, UV, WX, YZ, 12, 34,
	 * 56"
	 */
	if ((n = send(client,
	    "AB\\\"CD, EF, GH, IJ, KL, MN, OP, QR, ST, UV, WX, YZ, 12"
		    ", 34, 56", 62, 0)) == -1)
		fail("send");
	sent("send", n, 62);

	/* recv 100 */
	if ((n = recv(client, buf, 100, 0)) == -1)
		fail("recv");
	show(buf, n);

	/*
	 * send aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ?
	 * ?/ bbbb cccc dddd eeee ffff
	 */
	if ((n = send(client,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaa \?\?/ bbbb cccc dddd eeee ffff", 89, 0)) == -1)
		fail("send");
	sent("send", n, 89);

	/* recv 200 */
	if ((n = recv(client, buf, 200, 0)) == -1)
		fail("recv");
	show(buf, n);

	return 0;
}
