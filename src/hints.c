/*
 * One line of explanation for the errors a learner meets most, in the words
 * of the call that failed. The errno name is printed beside it by the caller.
 */
#include <sys/socket.h>

#include <errno.h>
#include <string.h>

#include "sockrepl.h"

static int
is(const char *call, const char *name)
{
	return strcmp(call, name) == 0;
}

/* A hint for err from call on sk (which may be NULL), or NULL for none. */
const char *
errno_hint(const char *call, int err, const struct sock *sk)
{
	int	stream = sk == NULL || sk->type != SOCK_DGRAM;

	if (sk != NULL && sk->state == ST_LISTENING) {
		if (strncmp(call, "send", 4) == 0 ||
		    strncmp(call, "recv", 4) == 0)
			return "a listening socket only accepts connections; "
			    "send and receive on the socket accept returns";
	}

	switch (err) {
	case EADDRINUSE:
		if (is(call, "connect") || is(call, "connect_ex"))
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
		if (sk != NULL && sk->type == SOCK_DGRAM)
			return "the peer's port is closed (an ICMP port "
			    "unreachable came back for an earlier datagram)";
		return "nothing is listening at that address and port (is "
		    "the server running? is the port right?)";
	case EAGAIN:
		if (is(call, "connect") && sk != NULL && sk->family == AF_UNIX)
			return "the listener's queue of connections not yet "
			    "accepted is full (see listen BACKLOG); try again "
			    "after it accepts";
		if (is(call, "connect"))
			return "no free local port to connect from";
		/* A blocking socket: MSG_DONTWAIT, or a kernel timeout. */
		if (sk != NULL && !sk->nonblock)
			return "the call did not wait (MSG_DONTWAIT), or the "
			    "SO_RCVTIMEO or SO_SNDTIMEO timeout ran out";
		if (is(call, "accept"))
			return "no connection is waiting yet (the socket is "
			    "non-blocking); try again later";
		if (is(call, "send") || is(call, "sendall") ||
		    is(call, "sendto"))
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
		if (sk != NULL && sk->shut_wr)
			return "you shut down writing on this socket";
		if (sk != NULL && (sk->state == ST_NEW ||
		    sk->state == ST_BOUND))
			return "the socket is not connected";
		if (sk != NULL && sk->state == ST_FAILED && sk->errnum != EPIPE &&
		    sk->errnum != ECONNRESET)
			return "the socket is not connected: its connect "
			    "failed";
		return "this side can no longer send: the peer closed the "
		    "connection";
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
		if (is(call, "getpeername"))
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
		if (is(call, "accept"))
			return "the socket is not listening (call listen first)";
		if (is(call, "listen") && sk != NULL &&
		    sk->family == AF_UNIX && sk->state == ST_NEW)
			return "an AF_UNIX socket listens only once bound to a "
			    "path or @name (bind first)";
		if (is(call, "listen"))
			return "this socket cannot listen (it is connected, or "
			    "its type does not listen)";
		if (is(call, "bind"))
			return "the socket is already bound (a socket binds "
			    "once), or the address does not fit it";
		if (is(call, "shutdown"))
			return "not a valid way to shut down";
		return NULL;
	case EOPNOTSUPP:
		if (is(call, "listen") || is(call, "accept"))
			return "only stream and seqpacket sockets listen and "
			    "accept; a datagram socket just receives";
		/* FALLTHROUGH */
	case ENOPROTOOPT:
		if (is(call, "setsockopt") || is(call, "getsockopt"))
			return "this option does not apply to this kind of "
			    "socket (IPV6_* needs AF_INET6, TCP_* a TCP "
			    "socket)";
		return NULL;
	case EAFNOSUPPORT:
		return "the address is of another family than the socket "
		    "(an IPv6 address on an AF_INET socket, say)";
	case EACCES:
		if (is(call, "bind"))
			return "ports below 1024 need privileges (or the "
			    "path's directory is not writable)";
		return NULL;
	case ENOENT:
		if (is(call, "connect") || is(call, "connect_ex") ||
		    is(call, "sendto"))
			return "no socket file at that path (is the server "
			    "bound there?)";
		return "a directory in the path does not exist";
	case EPROTOTYPE:
		return "the socket at that address is of another type "
		    "(stream, dgram or seqpacket) than this one";
	case EMSGSIZE:
		return "the datagram is larger than the socket can send at once";
	case EINTR:
		if (sk == NULL)
			return "interrupted (Ctrl-C)";
		if (is(call, "connect") || is(call, "connect_ex"))
			return "interrupted (Ctrl-C); the connection goes on "
			    "in the background (list shows when it is made)";
		if (strncmp(call, "send", 4) == 0)
			return "interrupted (Ctrl-C); what was sent before it "
			    "stays sent";
		return "interrupted (Ctrl-C); the socket is as it was";
	case EBADF:
		return "that fd is no longer open";
	case ENETUNREACH:
	case EHOSTUNREACH:
		return "no route to that address from this machine";
	case EPROTONOSUPPORT:
	case ESOCKTNOSUPPORT:
		return "this system has no protocol for that family and type "
		    "(SOCK_SEQPACKET on AF_INET needs SCTP)";
	case EMFILE:
	case ENFILE:
		return "too many open files; close some sockets";
	default:
		return NULL;
	}
}
