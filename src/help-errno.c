/*
 * help ERRNO: what an error means, which calls return it (read from the
 * call table in help-calls.c, so the two never disagree), its usual causes
 * and what to do. help errors lists them. The man page's ERRORS section
 * says the same; tests/t_docs.py checks that each errno here has an entry
 * there. To explain another errno, add a row.
 */
#include <errno.h>
#include <string.h>

#include "sockrepl.h"

struct errno_help {
	int		 err;
	const char	*meaning;
	const char	*causes;
	const char	*todo;
};

static const struct errno_help errno_help[] = {
	{ EACCES, "permission denied for what the call asked",
	  "binding a port below 1024 without CAP_NET_BIND_SERVICE; an "
	  "AF_UNIX path in a directory you cannot write; a broadcast "
	  "address without SO_BROADCAST; SOCK_RAW without CAP_NET_RAW",
	  "bind a port above 1023 (or port 0 for any free one), or give the "
	  "program the capability (setcap cap_net_bind_service=ep); choose "
	  "a writable directory; setsockopt SO_BROADCAST 1" },
	{ EADDRINUSE, "the local address is taken",
	  "a server still running on that port; connections of an old "
	  "server in TIME_WAIT; a socket file left at an AF_UNIX path",
	  "stop the other server, or setsockopt SO_REUSEADDR 1 before bind "
	  "to restart at once; remove a stale socket file; or bind port 0" },
	{ EADDRNOTAVAIL, "the address is not available here",
	  "binding an address that is not one of this machine's; no "
	  "ephemeral port left to connect from",
	  "bind 127.0.0.1, * or an address ip addr shows; close sockets you "
	  "no longer need" },
	{ EAFNOSUPPORT, "the address family does not fit",
	  "an IPv6 address on an AF_INET socket or the other way round; "
	  "socketpair with a family other than AF_UNIX",
	  "make the socket in the address's family (socket stream inet6), or "
	  "give an address of the socket's family" },
	{ EAGAIN, "the call would have to wait, and the socket does not wait",
	  "a non-blocking socket (setblocking false) with nothing to read, "
	  "no connection to accept or a full send buffer; a timeout "
	  "(settimeout, SO_RCVTIMEO) that ran out; MSG_DONTWAIT",
	  "try again later, or wait for the socket first: poll in, or "
	  "settimeout SECONDS; EWOULDBLOCK is the same error" },
	{ EALREADY, "a non-blocking connect is already under way",
	  "connect called again before the first one finished",
	  "wait with poll out, then getsockopt SO_ERROR tells how it ended" },
	{ EBADF, "the fd is not an open file descriptor",
	  "the socket was closed already",
	  "list shows the sockets that are open" },
	{ ECONNABORTED, "a connection was aborted before accept took it",
	  "the client reset the connection while it waited in the "
	  "listener's queue",
	  "call accept again: the next connection is unaffected" },
	{ ECONNREFUSED, "the peer refused the connection",
	  "nothing listens at that address and port (TCP answers with a "
	  "RST); for an AF_UNIX path, a socket file whose server has gone; "
	  "for UDP, an ICMP port unreachable came back for an earlier "
	  "datagram",
	  "start the server or check the port; remove a stale socket file "
	  "and start the server again; for UDP, make sure the peer is "
	  "bound" },
	{ ECONNRESET, "the peer reset the connection",
	  "the peer closed with data it had not read, crashed, or set "
	  "SO_LINGER to 0; data already sent may be lost",
	  "close the socket; the connection cannot be used again" },
	{ EDESTADDRREQ, "the socket has no destination",
	  "send on an unconnected datagram socket",
	  "use sendto with an address, or connect the socket first" },
	{ EHOSTUNREACH, "no route to the host",
	  "the host is down or a router said it cannot be reached",
	  "check the address and the network" },
	{ EINPROGRESS, "the connection is being made in the background",
	  "connect on a non-blocking socket (or with a timeout of 0)",
	  "poll out waits until it is done; then getsockopt SO_ERROR gives "
	  "0 or why it failed" },
	{ EINTR, "a signal interrupted the call",
	  "Ctrl-C while a call waited",
	  "nothing was lost: run the command again" },
	{ EINVAL, "an argument is not valid for this socket now",
	  "accept on a socket that is not listening; bind on a socket that "
	  "is already bound; listen on a connected socket; a bad option "
	  "value",
	  "list shows the socket's state; the call's errors in help CMD say "
	  "which case applies" },
	{ EISCONN, "the socket is already connected",
	  "connect twice on one socket; connect on a listening socket",
	  "make a new socket for another connection (socket, then connect)" },
	{ EMFILE, "the process has as many open files as it may",
	  "many sockets left open; a low ulimit -n",
	  "close sockets you no longer need, or raise ulimit -n" },
	{ EMSGSIZE, "the message is too big to send at once",
	  "a datagram larger than the socket can send (about 64 KiB for UDP, "
	  "less for a SOCK_SEQPACKET or a small SO_SNDBUF)",
	  "send less per datagram" },
	{ ENETUNREACH, "no route to that network",
	  "no interface or route for the address (IPv6 without IPv6 "
	  "connectivity, say)",
	  "check the address; try 127.0.0.1 or ::1 to stay on this machine" },
	{ ENFILE, "the system has as many open files as it may",
	  "the whole machine is out of file descriptors",
	  "close sockets; ask the administrator" },
	{ ENOBUFS, "the kernel is out of buffer space",
	  "memory pressure, or an interface queue that is full",
	  "try again a little later; send less at once" },
	{ ENOENT, "no such file",
	  "connect or sendto an AF_UNIX path where no socket file exists; "
	  "bind under a directory that does not exist",
	  "check the path; start the server that binds it" },
	{ ENOPROTOOPT, "the option is not known here",
	  "a TCP_* option on a UDP socket, IPV6_* on AF_INET, or an option "
	  "this kernel lacks",
	  "help setsockopt lists the options and what they apply to" },
	{ ENOTCONN, "the socket is not connected",
	  "send or recv before connect; getpeername on an unconnected "
	  "socket; shutdown of a socket never connected",
	  "connect first (or accept, and use the socket accept returns)" },
	{ ENOTSOCK, "the fd is not a socket",
	  "a file descriptor of some other kind",
	  "list shows the sockets" },
	{ EOPNOTSUPP, "the operation is not supported on this socket",
	  "listen or accept on a UDP socket; a flag the protocol does not "
	  "take",
	  "a datagram socket just receives: bind, then recvfrom" },
	{ EPERM, "not permitted",
	  "a firewall rule; an option value that needs a privilege",
	  "check the firewall rules, or run with the privilege" },
	{ EPIPE, "the connection is closed for writing",
	  "the peer closed the connection (send after its FIN and RST), or "
	  "you ran shutdown wr; a C program would also have been killed by "
	  "SIGPIPE",
	  "stop sending and close; in C pass MSG_NOSIGNAL to send, or "
	  "signal(SIGPIPE, SIG_IGN), to get EPIPE instead of dying (Python "
	  "ignores SIGPIPE for you)" },
	{ EPROTONOSUPPORT, "the protocol is not supported",
	  "a protocol the family and type do not have (SOCK_SEQPACKET over "
	  "AF_INET needs SCTP)",
	  "use the default protocol, or load the protocol's module" },
	{ EPROTOTYPE, "the socket at the address is of another type",
	  "a SOCK_STREAM client connecting to a SOCK_DGRAM AF_UNIX socket, "
	  "or the other way round",
	  "make the socket of the same type as the server's" },
	{ ETIMEDOUT, "the peer did not answer in time",
	  "a SYN with no answer (a firewall dropping it, a host that is "
	  "down); an established connection whose peer stopped "
	  "acknowledging",
	  "check the address, the route and the firewall; a shorter "
	  "settimeout makes sockrepl give up sooner" },
};

#define NERRNO_HELP	(sizeof errno_help / sizeof errno_help[0])

/*
 * The errno named by word: an E-name (any case) or a number. Returns it,
 * 0 if the word is no errno's form, or -1 if it has the form of one but
 * names none.
 */
static int
errno_word(const char *word)
{
	char		 up[32];
	const char	*errstr;
	long long	 v;
	size_t		 i;

	/* help -1: a number, though none names an errno. */
	if (word[0] == '-' && word[1] >= '0' && word[1] <= '9')
		return -1;
	if (word[0] >= '0' && word[0] <= '9') {
		v = num_parse(word, 1, 4095, &errstr);
		/* errno_name says E<number> for a number it does not know. */
		if (errstr != NULL || (errno_name((int)v)[1] >= '0' &&
		    errno_name((int)v)[1] <= '9'))
			return -1;
		return (int)v;
	}
	if (word[0] != 'E' && word[0] != 'e')
		return 0;
	for (i = 0; word[i] != '\0' && i < sizeof up - 1; i++)
		up[i] = word[i] >= 'a' && word[i] <= 'z' ?
		    (char)(word[i] - 'a' + 'A') : word[i];
	up[i] = '\0';
	if (strcmp(up, "EWOULDBLOCK") == 0)
		return EAGAIN;
	/* POSIX's other name for it (the same number on Linux). */
	if (strcmp(up, "ENOTSUP") == 0)
		return EOPNOTSUPP;
	if ((v = errno_by_name(up)) > 0)
		return (int)v;
	/* All capitals: meant as an errno, not a command. */
	return strcmp(up, word) == 0 ? -1 : 0;
}

static const struct errno_help *
errno_row(int err)
{
	size_t	i;

	for (i = 0; i < NERRNO_HELP; i++)
		if (errno_help[i].err == err)
			return &errno_help[i];
	return NULL;
}

/*
 * help WORD for an errno. Returns 1 when it was one (explained), 0 when
 * the word is no errno (the caller tries the commands), -1 after a
 * message.
 */
int
help_errno(const char *word)
{
	const struct errno_help	*h;
	struct buf		 calls = { 0 };
	int			 err;

	if ((err = errno_word(word)) == 0)
		return 0;
	if (err < 0) {
		diag("help: %s: not a command, topic or errno (help errors "
		    "lists the errors)", printable(word));
		return -1;
	}
	result("%s (%d): %s", errno_name(err), err, strerror(err));
	result("%s", "");
	if ((h = errno_row(err)) != NULL)
		help_wrap_label("Meaning:      ", h->meaning, 2);
	if (help_calls_returning(err, &calls) > 0)
		help_wrap_label("Returned by:  ", buf_str(&calls), 2);
	buf_free(&calls);
	if (h == NULL) {
		result("  (nothing more on file: man 3 errno)");
		return 1;
	}
	help_wrap_label("Usual causes: ", h->causes, 2);
	help_wrap_label("What to do:   ", h->todo, 2);
	return 1;
}

/* The name of the i-th errno on file, or NULL past the last (completion). */
const char *
help_errno_at(int i)
{
	if (i < 0 || (size_t)i >= NERRNO_HELP)
		return NULL;
	return errno_name(errno_help[i].err);
}

/* help errors: every errno on file, with its meaning. */
void
help_errors(void)
{
	struct buf	label = { 0 };
	size_t		i;

	result("The errors sockrepl explains (help ENAME, or help NUMBER, "
	    "tells more):");
	result("%s", "");
	for (i = 0; i < NERRNO_HELP; i++) {
		buf_reset(&label);
		buf_printf(&label, "%-16s", errno_name(errno_help[i].err));
		help_wrap_label(buf_str(&label), errno_help[i].meaning, 2);
	}
	buf_free(&label);
}
