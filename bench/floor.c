/*
 * The floor for the send/recv benchmark: the same calls sockrepl makes for
 * "on A send x" and "on B recv 16", made directly, each followed by a trace
 * line like sockrepl's, printed through stdio. Nothing is parsed.
 *
 * usage: floor PAIRS
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	char			buf[16];
	long			i, pairs;
	ssize_t			r;
	int			l, c, a;

	pairs = argc > 1 ? atol(argv[1]) : 50000;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((l = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(l, (struct sockaddr *)&sin, sizeof sin) < 0 ||
	    listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&sin, &len) < 0 ||
	    (c = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(c, (struct sockaddr *)&sin, sizeof sin) < 0 ||
	    (a = accept(l, NULL, NULL)) < 0)
		err(1, "setup");
	for (i = 0; i < pairs; i++) {
		r = send(c, "x", 1, 0);
		printf("send(%d, \"x\", 1, 0) = %zd\n", c, r);
		r = recv(a, buf, sizeof buf, 0);
		if (r <= 0)
			errx(1, "recv returned %zd", r);
		printf("recv(%d, \"%.*s\", %zu, 0) = %zd\n", a, (int)r, buf,
		    sizeof buf, r);
	}
	return 0;
}
