/*
 * One line of explanation for the errors a learner meets most, chosen from
 * the record of the call that failed: which call, which errno, and the
 * socket's state after it. The errno name is printed beside it by
 * call_report.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netdb.h>

#include "sockrepl.h"

static int
is_send(enum call_id c)
{
	return c == CALL_SEND || c == CALL_SENDTO || c == CALL_SENDMSG;
}

static int
is_recv(enum call_id c)
{
	return c == CALL_RECV || c == CALL_RECVFROM || c == CALL_RECVMSG;
}

/* EINTR: what the interruption (Ctrl-C or SIGTERM...) did to the call. */
static const char *
eintr_hint(const struct call_rec *r, const struct sock *sk, enum call_id call)
{
	static char	 b[128];
	const char	*rest;

	if (sk == NULL)
		rest = "";
	else if (is_send(call))
		rest = "; what was sent before it stays sent";
	else if (r->flags & CF_NOTMADE)	/* it came first: no call made */
		rest = " before the call; the socket is as it was";
	else if (call == CALL_CONNECT)
		rest = "; the connection goes on in the background (list "
		    "shows when it is made)";
	else
		rest = "; the socket is as it was";
	snprintf(b, sizeof b, "interrupted (%s)%s", interrupt_name(), rest);
	return b;
}

/* What a getaddrinfo or getnameinfo error (kept as EAI_ERR) means. */
const char *
eai_hint(int e)
{
	switch (EAI_ERRBASE - e) {
	case EAI_NONAME:
		return "no such name: neither /etc/hosts nor DNS knows that "
		    "host, or the service is not in /etc/services (check the "
		    "spelling; a number needs no lookup)";
	case EAI_AGAIN:
		return "the name server did not answer for now (no network, "
		    "or DNS down): a temporary failure, try again later";
	case EAI_FAIL:
		return "the name server failed for good on that name";
	case EAI_NODATA:
		return "the name exists but has no address";
	case EAI_ADDRFAMILY:
		return "the host has no address of that family (try the "
		    "other of inet and inet6, or none)";
	case EAI_FAMILY:
		return "that family is not one getaddrinfo knows (inet, "
		    "inet6, or none for both)";
	case EAI_SOCKTYPE:
		return "that socket type does not go with the service";
	case EAI_SERVICE:
		return "the service is not known for that socket type (see "
		    "/etc/services), or give a port number";
	case EAI_BADFLAGS:
		return "those flags do not go together (AI_CANONNAME needs a "
		    "host)";
	case EAI_OVERFLOW:
		return "the answer did not fit the buffer";
	case EAI_MEMORY:
		return "out of memory";
	default:
		return NULL;
	}
}

/* Hints for the calls that are not on a socket's life (call-names.c). */
static const char *
other_hint(const struct call_rec *r, int err)
{
	switch (r->call) {
	case CALL_EPOLL_CTL:
		if (err == EEXIST)
			return "that fd is in the epoll set already (epoll_ctl "
			    "mod changes its events)";
		if (err == ENOENT)
			return "that fd is not in the epoll set (epoll_ctl add "
			    "it first)";
		if (err == EPERM)
			return "epoll cannot watch that kind of file (a "
			    "regular file or directory is always ready)";
		if (err == EINVAL)
			return "an epoll instance cannot watch itself, and "
			    "EPOLLEXCLUSIVE goes only with add";
		if (err == ELOOP)
			return "that would make epoll instances watch each "
			    "other in a loop";
		break;
	case CALL_SENDFILE:
		if (err == EINVAL)
			return "sendfile cannot send from that file (it must "
			    "be one mmap can map: a regular file), or the "
			    "offset is bad";
		if (err == ESPIPE)
			return "the offset is beyond what the file allows";
		break;
	case CALL_UNLINK:
		if (err == ENOENT)
			return "no file at that path (already removed?)";
		if (err == EISDIR)
			return "that is a directory; unlink removes files and "
			    "socket files";
		if (err == EACCES || err == EPERM)
			return "the directory holding the file is not "
			    "writable by you";
		break;
	default:
		break;
	}
	if (err == ENOTSOCK)
		return "that fd is not a socket (an epoll instance takes "
		    "epoll_ctl, epoll_wait and close)";
	return NULL;
}

/*
 * Why a raw, packet or ping socket was refused, and what to do instead.
 * The ping range is read from /proc, so the hint says what it is now.
 */
static const char *
raw_hint(const struct call_rec *r)
{
	static char	 hint[400];
	char		 range[64] = "";
	FILE		*f;
	size_t		 n;

	if (r->family == AF_INET && r->type == SOCK_DGRAM &&
	    r->protocol == IPPROTO_ICMP) {
		if ((f = fopen("/proc/sys/net/ipv4/ping_group_range",
		    "r")) != NULL) {
			if (fgets(range, sizeof range, f) == NULL)
				range[0] = '\0';
			fclose(f);
		}
		n = strcspn(range, "\n");
		range[n] = '\0';
		for (n = 0; range[n] != '\0'; n++)
			if (range[n] == '\t')
				range[n] = ' ';
		snprintf(hint, sizeof hint, "ping sockets are open only to the "
		    "groups in net.ipv4.ping_group_range%s%s%s (sysctl -w "
		    "net.ipv4.ping_group_range=\"0 2147483647\" opens them to "
		    "all); or, with CAP_NET_RAW, socket raw inet icmp",
		    *range ? " (now \"" : "", range, *range ? "\")" : "");
		return hint;
	}
	if (r->type == SOCK_RAW || r->family == AF_PACKET)
		return "raw and packet sockets need CAP_NET_RAW (run as root, "
		    "or setcap cap_net_raw+ep on the program); for ICMP echo "
		    "without it, use a ping socket: socket dgram inet icmp "
		    "(allowed to the groups in net.ipv4.ping_group_range)";
	return NULL;
}

/*
 * A hint for the failed call r, which failed with err (for the SO_ERROR
 * read of a connect with a timeout, the error it read), or NULL for none.
 */
const char *
errno_hint(const struct call_rec *r, int err)
{
	const struct sock *sk = r->snap.fd >= 0 ? &r->snap : NULL;
	enum call_id	 call = r->call;
	int		 stream = sk == NULL || sk->type != SOCK_DGRAM;
	const char	*h;

	if (IS_EAI_ERR(err))
		return eai_hint(err);
	if ((h = other_hint(r, err)) != NULL)
		return h;

	/*
	 * A wait for a socket's timeout, and the SO_ERROR read after it,
	 * speak for the connect they are part of.
	 */
	if ((call == CALL_PPOLL && (r->flags & CF_WAIT) && sk != NULL &&
	    sk->state == ST_CONNECTING) || (r->flags & CF_CONNRESULT))
		call = CALL_CONNECT;
	if (sk != NULL && sk->state == ST_LISTENING) {
		if (is_send(call) || is_recv(call))
			return "a listening socket only accepts connections; "
			    "send and receive on the socket accept returns";
	}

	switch (err) {
	case EADDRINUSE:
		if (call == CALL_CONNECT)
			return "no free local port to connect from";
		if (sk != NULL && sk->family == AF_UNIX)
			return "a file already exists at that path (left by "
			    "an earlier server?); remove it or bind another "
			    "path";
		return "another socket has that address and port: a server "
		    "still running, or connections of an old one in "
		    "TIME_WAIT (they clear within a minute; a server that "
		    "sets SO_REUSEADDR before bind can restart at once)";
	case EADDRNOTAVAIL:
		return "that address is not one of this machine's (bind a "
		    "local address such as 127.0.0.1, or * for all)";
	case ECONNREFUSED:
		/* A path has no port: what refuses is a file nobody serves. */
		if (sk != NULL && sk->family == AF_UNIX)
			return "no server accepts at that path: the socket "
			    "file is stale, left by a server that has gone "
			    "(remove it and start the server again)";
		if (sk != NULL && sk->type == SOCK_DGRAM)
			return "the peer's port is closed (an ICMP port "
			    "unreachable came back for an earlier datagram)";
		return "nothing is listening at that address and port (is "
		    "the server running? is the port right?)";
	case EAGAIN:
		if (call == CALL_CONNECT && sk != NULL && sk->family == AF_UNIX)
			return "the listener's queue of connections not yet "
			    "accepted is full (see listen BACKLOG); try again "
			    "after it accepts";
		if (call == CALL_CONNECT)
			return "no free local port to connect from";
		/* A blocking socket: MSG_DONTWAIT, or a kernel timeout. */
		if (sk != NULL && !sk->nonblock)
			return "the call did not wait (MSG_DONTWAIT), or the "
			    "SO_RCVTIMEO or SO_SNDTIMEO timeout ran out";
		if (call == CALL_ACCEPT)
			return "no connection is waiting yet (the socket is "
			    "non-blocking); try again later";
		if (is_send(call))
			return "the send buffer is full (the socket is "
			    "non-blocking); wait until the peer reads";
		return "no data is waiting yet (the socket is non-blocking); "
		    "try again later";
	case EINPROGRESS:
		return "the connection is being made in the background (the "
		    "socket is non-blocking); getsockopt SO_ERROR tells how "
		    "it ended";
	case EALREADY:
		return "a connect is still in progress on this socket";
	case EPIPE:
		/*
		 * sockrepl ignores SIGPIPE, as Python does; the C program a
		 * learner writes next would die here without a word.
		 */
		if (sk != NULL && sk->shut_wr)
			return "you shut down writing on this socket (a C "
			    "program would have been killed by SIGPIPE: send "
			    "with MSG_NOSIGNAL, or signal(SIGPIPE, SIG_IGN), "
			    "to get EPIPE instead)";
		if (sk != NULL && (sk->state == ST_NEW ||
		    sk->state == ST_BOUND))
			return "the socket is not connected";
		if (sk != NULL && sk->state == ST_FAILED && sk->errnum != EPIPE &&
		    sk->errnum != ECONNRESET)
			return "the socket is not connected: its connect "
			    "failed";
		return "this side can no longer send: the peer closed the "
		    "connection (a C program would have been killed by "
		    "SIGPIPE: send with MSG_NOSIGNAL, or signal(SIGPIPE, "
		    "SIG_IGN), to get EPIPE instead)";
	case ECONNRESET:
		return "the peer reset the connection (it closed with unread "
		    "data or crashed); close this socket";
	case ECONNABORTED:
		return "the connection was aborted before accept took it";
	case ETIMEDOUT:
		return "the peer did not answer in time";
	case EISCONN:
		if (sk != NULL && sk->state == ST_LISTENING)
			return "a listening socket cannot connect; make a new "
			    "socket to connect from";
		return "this socket is already connected; make a new socket "
		    "to connect elsewhere";
	case ENOTCONN:
		if (call == CALL_GETPEERNAME)
			return "the socket is not connected, so it has no peer";
		if (!stream)
			return "a datagram socket needs connect, or sendto "
			    "with an address";
		return "the socket is not connected (connect first, or accept "
		    "on a listening socket)";
	case EDESTADDRREQ:
		return "the socket has no peer: use sendto with an address, "
		    "or connect first";
	case EINVAL:
		if (call == CALL_SENDMSG && r->ctllen > 0 && sk != NULL &&
		    sk->family != AF_UNIX)
			return "fds and credentials pass over AF_UNIX sockets "
			    "only";
		if (call == CALL_ACCEPT)
			return "the socket is not listening (call listen first)";
		if (call == CALL_LISTEN && sk != NULL &&
		    sk->family == AF_UNIX && sk->state == ST_NEW)
			return "an AF_UNIX socket listens only once bound to a "
			    "path or @name (bind first)";
		if (call == CALL_LISTEN)
			return "this socket cannot listen (it is connected, or "
			    "its type does not listen)";
		if (call == CALL_BIND)
			return "the socket is already bound (a socket binds "
			    "once), or the address does not fit it";
		if (call == CALL_SHUTDOWN)
			return "not a valid way to shut down";
		return NULL;
	case EOPNOTSUPP:
		if (call == CALL_LISTEN || call == CALL_ACCEPT)
			return "only stream and seqpacket sockets listen and "
			    "accept; a datagram socket just receives";
		/* FALLTHROUGH */
	case ENOPROTOOPT:
		if ((call == CALL_SETSOCKOPT || call == CALL_GETSOCKOPT) &&
		    r->opt != NULL && r->opt->kind == OPT_RAW)
			return "no option by that number at that level for this "
			    "kind of socket (see socket(7), ip(7), tcp(7))";
		if (call == CALL_SETSOCKOPT || call == CALL_GETSOCKOPT)
			return "this option does not apply to this kind of "
			    "socket (IPV6_* needs AF_INET6, TCP_* a TCP "
			    "socket)";
		return NULL;
	case EAFNOSUPPORT:
		/* socket and socketpair name a family; no address is given. */
		if ((call == CALL_SOCKET || call == CALL_SOCKETPAIR) &&
		    name_of(family_names, r->family) == NULL)
			return "this system has no address family by that "
			    "number (AF_UNIX is 1, AF_INET 2, AF_INET6 10)";
		if (call == CALL_SOCKET || call == CALL_SOCKETPAIR)
			return "this system does not support that address "
			    "family, or not for that type (the kernel lacks "
			    "it, or a sandbox forbids it)";
		return "the address is of another family than the socket "
		    "(an IPv6 address on an AF_INET socket, say)";
	case ENOTTY:
		if (call == CALL_IOCTL && r->arg == SIOCATMARK)
			return "only a TCP socket has an urgent mark";
		return NULL;
	case EPERM:
		if (call == CALL_SOCKET)
			return raw_hint(r);
		return NULL;
	case EACCES:
		if (call == CALL_SOCKET)
			return raw_hint(r);
		if (call == CALL_BIND && (r->addr.ss.ss_family == AF_INET ||
		    r->addr.ss.ss_family == AF_INET6) &&
		    addr_port((const struct sockaddr *)&r->addr.ss) > 0 &&
		    addr_port((const struct sockaddr *)&r->addr.ss) < 1024)
			return "ports below 1024 are for privileged programs: "
			    "bind a port above 1023 (or 0 for any free one), "
			    "or give the program CAP_NET_BIND_SERVICE";
		if (call == CALL_BIND && r->addr.ss.ss_family == AF_UNIX)
			return "you may not make a file in that directory "
			    "(bind a path in a directory you can write)";
		if (call == CALL_BIND)
			return "the address needs a privilege this program "
			    "lacks";
		if (call == CALL_CONNECT && r->addr.ss.ss_family == AF_UNIX)
			return "you may not write to that socket file";
		if (call == CALL_SENDTO || call == CALL_CONNECT)
			return "a broadcast address needs setsockopt "
			    "SO_BROADCAST 1 first, or a firewall forbids it";
		return NULL;
	case ENOENT:
		if (call == CALL_CONNECT || call == CALL_SENDTO)
			return "no socket file at that path (is the server "
			    "bound there?)";
		return "a directory in the path does not exist";
	case EPROTOTYPE:
		return "the socket at that address is of another type "
		    "(stream, dgram or seqpacket) than this one";
	case EMSGSIZE:
		return "the datagram is larger than the socket can send at once";
	case EINTR:
		return eintr_hint(r, sk, call);
	case EBADF:
		return "that fd is no longer open";
	case ENETUNREACH:
	case EHOSTUNREACH:
		return "no route to that address from this machine";
	case EPROTONOSUPPORT:
	case ESOCKTNOSUPPORT:
		if (call == CALL_SOCKET && r->type == SOCK_RAW &&
		    r->protocol == 0 && (r->family == AF_INET ||
		    r->family == AF_INET6))
			return "a raw socket needs a protocol: socket raw inet "
			    "icmp, socket raw inet6 icmpv6, or a number (socket "
			    "raw inet 17 for UDP)";
		if (call == CALL_SOCKET && r->type != SOCK_SEQPACKET)
			return "this system has no such protocol for that "
			    "family and type (is its kernel module loaded?)";
		return "this system has no protocol for that family and type "
		    "(SOCK_SEQPACKET on AF_INET needs SCTP)";
	case EMFILE:
	case ENFILE:
		return "too many open files; close some sockets";
	default:
		return NULL;
	}
}
