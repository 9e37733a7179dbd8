/*
 * The floor for the sendfile benchmark: a file sent to 127.0.0.1:PORT the
 * two ways sockrepl sends one, made directly with nothing around them:
 * one sendfile(2) call for the whole file (looping only if it sends less),
 * as "sendfile FILE" does; or read(2) of 256 KiB and send(2) of it, as
 * "sendall < FILE" does. What sockrepl takes beyond this is its own cost;
 * what this takes is the kernel's.
 *
 * usage: sendfloor sendfile|readsend FILE PORT
 */
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <err.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK	(256 * 1024)	/* sockrepl's DATA_CHUNK */

static void
send_all(int s, const char *p, size_t n)
{
	ssize_t	w;

	for (; n > 0; p += w, n -= (size_t)w)
		if ((w = send(s, p, n, 0)) < 0)
			err(1, "send");
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 sin;
	struct stat		 st;
	static char		 buf[CHUNK];
	off_t			 off = 0;
	ssize_t			 r;
	int			 s, fd;

	if (argc != 4 || (strcmp(argv[1], "sendfile") != 0 &&
	    strcmp(argv[1], "readsend") != 0))
		errx(2, "usage: sendfloor sendfile|readsend FILE PORT");
	if ((fd = open(argv[2], O_RDONLY)) < 0 || fstat(fd, &st) != 0)
		err(1, "%s", argv[2]);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short)atoi(argv[3]));
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(s, (struct sockaddr *)&sin, sizeof sin) != 0)
		err(1, "connect");
	if (strcmp(argv[1], "sendfile") == 0) {
		while (off < st.st_size)
			if ((r = sendfile(s, fd, &off,
			    (size_t)(st.st_size - off))) <= 0)
				err(1, "sendfile");
	} else {
		while ((r = read(fd, buf, sizeof buf)) > 0)
			send_all(s, buf, (size_t)r);
		if (r < 0)
			err(1, "read");
	}
	close(s);
	return 0;
}
