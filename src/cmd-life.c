/*
 * A socket's life: socket, socketpair, bind, listen, accept, connect,
 * connect_ex, shutdown, close.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/if_ether.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sockrepl.h"

static int
lookup_word(const struct name *words, const struct name *cnames,
    const char *s, int *out)
{
	const struct name *n;

	for (n = words; n->name != NULL; n++) {
		if (strcasecmp(n->name, s) == 0) {
			*out = n->value;
			return 0;
		}
	}
	for (n = cnames; n->name != NULL; n++) {
		if (strcasecmp(n->name, s) == 0) {
			*out = n->value;
			return 0;
		}
	}
	return -1;
}

static int
default_protocol(int family, int type)
{
	if (family == AF_PACKET)
		return htons(ETH_P_ALL);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	if (type == SOCK_STREAM)
		return IPPROTO_TCP;
	if (type == SOCK_DGRAM)
		return IPPROTO_UDP;
	return 0;
}

/*
 * Make a socket, show the call, enter it in the table and make it current.
 * Returns the new socket, or NULL after reporting the error.
 */
struct sock *
make_socket(int family, int type)
{
	return make_socket_proto(family, type, default_protocol(family, type));
}

/* The same with a protocol given (-1: the default for family and type). */
struct sock *
make_socket_proto(int family, int type, int protocol)
{
	struct sock	*sk;

	if (protocol < 0)
		protocol = default_protocol(family, type);
	if (call_socket(family, type, protocol, &sk) < 0) {
		call_report(call_last());
		return NULL;
	}
	if (sk->type != type)
		trace_note("(the kernel made it a %s: that is what list shows)",
		    name_of(type_names, sk->type) != NULL ?
		    name_of(type_names, sk->type) : "socket of another type");
	set_current(sk->fd);
	return sk;
}

/*
 * A protocol word implies what it is made with when the rest is not given:
 * icmp a raw IPv4 socket, icmpv6 a raw IPv6 one, udplite a datagram one.
 */
static void
proto_implies(int proto, int *family, int *type)
{
	switch (proto) {
	case IPPROTO_ICMPV6:
		if (*family < 0)
			*family = AF_INET6;
		/* FALLTHROUGH */
	case IPPROTO_ICMP:
	case IPPROTO_IGMP:
	case IPPROTO_RAW:
		if (*type < 0)
			*type = SOCK_RAW;
		break;
	case IPPROTO_UDPLITE:
	case IPPROTO_UDP:
		if (*type < 0)
			*type = SOCK_DGRAM;
		break;
	default:
		break;
	}
}

/*
 * socket's words, in any order: a type, a family and a protocol by name,
 * and numbers, each taking the first slot of socket(2)'s arguments (family,
 * type, protocol) that no word has filled. Returns 0, or -1 after a
 * message.
 */
static int
socket_words(struct cmd_ctx *ctx, int *family, int *type, int *proto)
{
	const char	*a, *errstr;
	long long	 n;
	int		 i, v;

	*family = *type = *proto = -1;
	for (i = 0; i < ctx->argc; i++) {
		a = ctx->argv[i].s;
		if (*type < 0 && lookup_word(type_words, type_names, a,
		    &v) == 0) {
			*type = v;
			continue;
		}
		/* "4" and "6" are families only while no family is given. */
		if (*family < 0 && lookup_word(family_words, family_names, a,
		    &v) == 0 && v != AF_UNSPEC) {
			*family = v;
			continue;
		}
		if (*proto < 0 && lookup_word(proto_words, proto_names, a,
		    &v) == 0 && strcmp(a, "0") != 0) {
			*proto = v;
			continue;
		}
		n = num_parse(a, 0, INT32_MAX, &errstr);
		if (errstr == NULL) {
			if (*family < 0)
				*family = (int)n;
			else if (*type < 0)
				*type = (int)n;
			else if (*proto < 0)
				*proto = (int)n;
			else
				goto bad;
			continue;
		}
	bad:
		diag("socket: \"%s\" is not a socket type (tcp, udp, raw, "
		    "seqpacket), family (inet, inet6, unix, packet) or protocol "
		    "(icmp, icmpv6, udplite, a number), or gives one twice",
		    printable(a));
		return -1;
	}
	proto_implies(*proto, family, type);
	if (*family < 0)
		*family = AF_INET;
	if (*type < 0)
		*type = *family == AF_PACKET ? SOCK_RAW : SOCK_STREAM;
	return 0;
}

static enum cmd_retval
cmd_socket_exec(struct cmd_ctx *ctx)
{
	int	family, type, proto;

	if (socket_words(ctx, &family, &type, &proto) != 0)
		return CMD_ERROR;
	return make_socket_proto(family, type, proto) != NULL ? CMD_OK :
	    CMD_ERROR;
}

const struct cmd_entry cmd_socket_entry = {
	.name = "socket",
	.group = GROUP_LIFE,
	.usage = "[TYPE] [FAMILY] [PROTOCOL]",
	.minargs = 0,
	.maxargs = 3,
	.args = { ARG_TYPE, ARG_FAMILY, ARG_PROTO },
	.summary = "make a new socket and make it current",
	.calls = "socket(2)",
	.exec = cmd_socket_exec,
	.help = "TYPE is tcp (or stream), udp (or dgram), seqpacket or raw; "
	    "FAMILY is inet, inet6, unix or packet; PROTOCOL is icmp, icmpv6, "
	    "udplite, sctp, mptcp or igmp. The C names work too, in any order: "
	    "socket AF_INET6 SOCK_DGRAM, socket SOCK_RAW AF_INET IPPROTO_ICMP. "
	    "A number takes the first of family, type and protocol not given "
	    "by name (socket 2 3 1 is socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)). "
	    "The default is tcp inet, as Python's socket.socket(). The "
	    "protocol is otherwise IPPROTO_TCP or IPPROTO_UDP for the Internet "
	    "families, htons(ETH_P_ALL) for packet and 0 otherwise; a protocol "
	    "alone implies the rest (icmp: raw inet; icmpv6: raw inet6; "
	    "udplite: dgram inet). Raw and packet sockets need CAP_NET_RAW "
	    "(root); socket dgram inet icmp is the unprivileged ping socket, "
	    "allowed to the groups in net.ipv4.ping_group_range."
};

static enum cmd_retval
cmd_socketpair_exec(struct cmd_ctx *ctx)
{
	struct sock	*a, *b;
	int		 type = SOCK_STREAM;

	if (ctx->argc > 0 && lookup_word(type_words, type_names,
	    ctx->argv[0].s, &type) != 0) {
		diag("socketpair: \"%s\" is not a socket type (stream, dgram, "
		    "seqpacket)", printable(ctx->argv[0].s));
		return CMD_ERROR;
	}
	if (call_socketpair(type, 0, &a, &b) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	if (a->type != type)
		trace_note("(the kernel made them %s: that is what list shows)",
		    name_of(type_names, a->type) != NULL ?
		    name_of(type_names, a->type) : "another type");
	set_current(a->fd);
	return CMD_OK;
}

const struct cmd_entry cmd_socketpair_entry = {
	.name = "socketpair",
	.group = GROUP_LIFE,
	.usage = "[TYPE]",
	.minargs = 0,
	.maxargs = 1,
	.args = { ARG_TYPE },
	.summary = "make two connected AF_UNIX sockets; the first becomes "
	    "current",
	.calls = "socketpair(2)",
	.exec = cmd_socketpair_exec,
	.help = "TYPE is stream (the default), dgram or seqpacket. Whatever is "
	    "sent on one socket of the pair is received on the other: a whole "
	    "conversation without a network."
};

/*
 * The socket a command works on: the current one, or a new TCP socket of the
 * address's family when there is none (as Python's socket.socket() default).
 * Returns NULL after printing a message.
 */
static struct sock *
socket_for(struct cmd_ctx *ctx, const struct addr *a)
{
	if (ctx->sk != NULL)
		return ctx->sk;
	return make_socket(a->ss.ss_family, SOCK_STREAM);
}

static int
parse_addr_args(struct cmd_ctx *ctx, int passive, struct addr *a)
{
	int	family = ctx->sk != NULL ? ctx->sk->family : AF_UNSPEC;
	int	type = ctx->sk != NULL ? ctx->sk->type : SOCK_STREAM;

	/* With no socket, the TCP socket socket_for will make. */
	return addr_arg(family, type, ctx->argv, ctx->argc, passive, a);
}

static enum cmd_retval
cmd_bind_exec(struct cmd_ctx *ctx)
{
	struct addr	 a, got;
	struct sock	*sk;

	if (parse_addr_args(ctx, 1, &a) != 0)
		return CMD_ERROR;
	if ((sk = socket_for(ctx, &a)) == NULL)
		return CMD_ERROR;
	if (call_bind(sk, &a) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	/* After binding port 0, show the port the kernel chose. */
	if (addr_port((struct sockaddr *)&a.ss) == 0 &&
	    call_getname(sk, 0, &got, 0) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_bind_entry = {
	.name = "bind",
	.group = GROUP_LIFE,
	.usage = "ADDR",
	.minargs = 1,
	.maxargs = 2,
	.args = { ARG_ADDR, ARG_NUMBER },
	.summary = "give the socket a local address",
	.calls = "bind(2)",
	.exec = cmd_bind_exec,
	.help = "ADDR is HOST PORT, HOST:PORT, [IPV6]:PORT, a path with a / "
	    "(AF_UNIX) or @name (abstract AF_UNIX). HOST * (or a bare PORT) is "
	    "the wildcard address. Port 0 lets the kernel choose a free port, "
	    "and the port it chose is shown. With no current socket, a TCP "
	    "socket of the address's family is made first."
};

static enum cmd_retval
cmd_listen_exec(struct cmd_ctx *ctx)
{
	struct addr	 got;
	long long	 backlog = 128;
	int		 unbound = ctx->sk->state == ST_NEW &&
			    ctx->sk->family != AF_UNIX;

	if (ctx->argc > 0 && parse_int(ctx->argv[0].s, 0, 65535, "backlog",
	    &backlog) != 0)
		return CMD_ERROR;
	if (call_listen(ctx->sk, (int)backlog) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	/* listen bound the socket itself: show the port it chose, as bind
	 * to port 0 does. */
	if (unbound && call_getname(ctx->sk, 0, &got, 0) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_listen_entry = {
	.name = "listen",
	.group = GROUP_LIFE,
	.usage = "[BACKLOG]",
	.minargs = 0,
	.maxargs = 1,
	.flags = CMD_NEEDSOCK,
	.args = { ARG_NUMBER },
	.summary = "wait for connections on the socket",
	.calls = "listen(2)",
	.exec = cmd_listen_exec,
	.help = "BACKLOG (default 128) is how many connections the kernel may "
	    "hold completed but not yet accepted. A socket not yet bound gets "
	    "an ephemeral port."
};

static enum cmd_retval
cmd_accept_exec(struct cmd_ctx *ctx)
{
	struct sock	*sk = ctx->sk, *nsk;

	if (!wait_ready(sk, POLLIN, CALL_ACCEPT, 0)) {
		if (call_last()->call == CALL_PPOLL && call_last()->ret == 0)
			hint_accept_timeout(sk);
		return CMD_ERROR;
	}
	if (call_accept(sk, &nsk) < 0) {
		call_report(call_last());
		if (call_last()->err == EINVAL)
			hint_accept_elsewhere(sk);
		return CMD_ERROR;
	}
	set_current(nsk->fd);
	return CMD_OK;
}

const struct cmd_entry cmd_accept_entry = {
	.name = "accept",
	.group = GROUP_LIFE,
	.usage = "",
	.minargs = 0,
	.maxargs = 0,
	.flags = CMD_NEEDSOCK,
	.summary = "take the next connection; it becomes the current socket",
	.calls = "accept(2)",
	.exec = cmd_accept_exec,
	.help = "Waits for a connection on a listening socket (unless the "
	    "socket is non-blocking or has a timeout). The new connection's "
	    "socket becomes current; the listener stays in the table for the "
	    "next accept (use FD, or on FD accept)."
};

/*
 * Connect sk to a, the way Python does for its mode: blocking, non-blocking,
 * or with a timeout (a non-blocking connect, ppoll for writability, then
 * SO_ERROR). Returns 0, or -1 with the failing call the last record (for a
 * connect with a timeout that failed, the SO_ERROR read that says why), or
 * -2 when the wait ran out or was interrupted (the ppoll is the last).
 * The caller reports the failure.
 */
static int
do_connect(struct sock *sk, const struct addr *a)
{
	union optval	 v;
	socklen_t	 len;

	out_flush();
	/* A Ctrl-C that came before the call would otherwise be lost. */
	if (call_interrupted(sk, CALL_CONNECT, 0))
		return -1;
	if (call_connect(sk, a) == 0)
		return 0;
	if (errno != EINPROGRESS || sk->timeout <= 0)
		return -1;

	/*
	 * With a timeout: wait for the connection, then ask how it ended.
	 * A wait that ran out (or a Ctrl-C) is the caller's to report.
	 */
	if (!wait_ready_quiet(sk, POLLOUT, CALL_CONNECT, 0))
		return -2;
	if (call_getsockopt(sk, sockopt_find("SO_ERROR"), &v, &len,
	    CF_CONNRESULT) < 0 || v.i != 0)
		return -1;
	return 0;
}

/* Connect sk to a, reporting a failure. Returns 0, or -1. */
int
connect_socket(struct sock *sk, const struct addr *a)
{
	int	r;

	if ((r = do_connect(sk, a)) != 0)
		call_report(call_last());
	return r == 0 ? 0 : -1;
}

/*
 * Close a socket sockrepl made for a connect that failed, as Python's
 * create_connection closes each: nothing the user did not ask for stays
 * in the table. The close is traced like any call; the command's outcome
 * ($errno, expect) stays the connect's, kept in failed.
 */
static void
close_attempt(struct sock *s, const struct call_rec *failed)
{
	(void)call_close(s);
	outcome_observe(failed);
}

/* The errno a failed connect attempt ended with, whichever call said so. */
static int
attempt_errno(const struct call_rec *r)
{
	if ((r->flags & CF_CONNRESULT) && r->ret == 0)
		return r->val.i;
	if (r->call == CALL_PPOLL && r->ret == 0)
		return ETIMEDOUT;
	return r->err;
}

/*
 * Connect sk, a socket made for this connect alone (create_connection to
 * a numeric address), to a, with timeout (< 0: none) set on it first; when
 * that fails, close sk and report why. Returns 0, or -1.
 */
int
connect_own(struct sock *sk, const struct addr *a, double timeout)
{
	struct call_rec	failed;
	int		r = -1;

	if (timeout >= 0 && set_nonblock(sk, 1) != 0)
		goto fail;
	if (timeout >= 0)
		sk->timeout = timeout;
	if ((r = do_connect(sk, a)) == 0)
		return 0;
fail:
	failed = *call_last();
	close_attempt(sk, &failed);
	if (attempt_errno(&failed) == EINTR)
		diag("%s: EINTR: interrupted (%s); the attempt's socket is "
		    "closed", failed.cmd, interrupt_name());
	else
		call_report(&failed);
	return -1;
}

/*
 * Connect to a host name, as Python's create_connection does: look the name
 * up, then try each address in turn until one connects; each attempt shows
 * in the trace. sk is the socket to connect (its family and type narrow
 * the lookup), or NULL to make a new socket for each address, with the
 * given timeout (< 0: none). A failed attempt's new socket is closed, the
 * last one's too (as Python's create_connection does); the user's own sk
 * stays, failed, as after any connect. Returns 0 with the connected socket
 * current, -1 after the failure was reported (for connect_ex, only a failed
 * lookup), or, for connect_ex, the errno of the last attempt.
 */
int
connect_name(struct sock *sk, const char *host, const char *port,
    double timeout, int ex)
{
	struct addrinfo	 hints, *res, *ai;
	struct call_rec	 failed;
	struct sock	*s;
	struct addr	 a;
	struct buf	 b = { 0 };
	int		 r = -1, made = 0, stop, e = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = sk != NULL ? sk->family : AF_UNSPEC;
	hints.ai_socktype = sk != NULL ? sk->type : SOCK_STREAM;
	if (call_getaddrinfo(host, port, &hints, &res, CF_INADDR) != 0) {
		call_report(call_last());
		return -1;
	}
	failed = *call_last();
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((made = (s = sk) == NULL)) {
			if (call_socket(ai->ai_family, ai->ai_socktype,
			    ai->ai_protocol, &s) < 0) {
				failed = *call_last();
				continue;
			}
			if (timeout >= 0 && set_nonblock(s, 1) == 0)
				s->timeout = timeout;
		}
		memset(&a, 0, sizeof a);
		memcpy(&a.ss, ai->ai_addr, ai->ai_addrlen);
		a.len = ai->ai_addrlen;
		if ((r = do_connect(s, &a)) == 0) {
			set_current(s->fd);
			break;
		}
		failed = *call_last();
		e = attempt_errno(&failed);
		/*
		 * A Ctrl-C stops the whole connect, not one attempt; so does
		 * a connect that goes on (non-blocking) or had been made
		 * already: the next one would be EALREADY or EISCONN.
		 */
		stop = e == EINTR || (!made && (e == EINPROGRESS ||
		    e == EALREADY || e == EISCONN));
		if (ai->ai_next != NULL && !stop) {
			buf_reset(&b);
			addr_format_short(&b, (struct sockaddr *)&a.ss, a.len);
			/*
			 * The user's own socket is still connecting after a
			 * timeout: another connect on it would be EALREADY.
			 */
			if ((stop = !made && r == -2))
				trace_note("(%s: timed out; fd %d is still "
				    "connecting, so the next address is not "
				    "tried on it: create_connection tries each "
				    "on a new socket)", buf_str(&b), s->fd);
			else
				trace_note("(%s: %s; trying the next address)",
				    buf_str(&b), r == -2 ? "timed out" :
				    errno_name(attempt_errno(&failed)));
		}
		if (made)
			close_attempt(s, &failed);
		if (stop)
			break;
	}
	freeaddrinfo(res);
	buf_free(&b);
	if (r == 0)
		return 0;
	if (!ex && made && e == EINTR)
		/* Not "goes on in the background": its socket is closed. */
		diag("%s: EINTR: interrupted (%s); the attempt's socket is "
		    "closed", failed.cmd, interrupt_name());
	else if (!ex)
		call_report(&failed);
	if (ex)
		return attempt_errno(&failed) != 0 ? attempt_errno(&failed) :
		    ETIMEDOUT;
	return -1;
}

/*
 * The host name connect was given, kept for starttls (SNI and the name the
 * certificate must carry): "HOST PORT", "HOST:PORT" or "[V6]:PORT".
 */
static void
keep_host(struct sock *sk, const struct cmd_ctx *ctx)
{
	const char	*w = ctx->argv[0].s, *end;
	size_t		 n;

	if (ctx->argc == 2)
		n = strlen(w);
	else if (w[0] == '[' && (end = strchr(w, ']')) != NULL)
		n = (size_t)(end - ++w);
	else if (strchr(w, '/') == NULL && (end = strrchr(w, ':')) != NULL)
		n = (size_t)(end - w);
	else
		return;
	if (n == 0 || n > 253 || w[0] == '@')
		return;
	free(sk->host);
	if ((sk->host = strndup(w, n)) == NULL)
		abort();
}

static enum cmd_retval
connect_common(struct cmd_ctx *ctx, int ex)
{
	struct addr	 a;
	struct sock	*sk;
	char		*host, *port;
	int		 r, e;

	/*
	 * A name: each of its addresses in turn. Not for a raw socket,
	 * whose lookup takes no service (addr_parse's way) and whose
	 * connect only sets the peer: the first address is it.
	 */
	if (ctx->sk == NULL || (ctx->sk->family != AF_UNIX &&
	    ctx->sk->type != SOCK_RAW)) {
		if (addr_name_parts(ctx->argv, ctx->argc, &host, &port)) {
			r = connect_name(ctx->sk, host, port, -1, ex);
			/* The name, for starttls's SNI and certificate check. */
			if (r == 0 && (sk = sock_get(current_fd)) != NULL &&
			    sk->type == SOCK_STREAM) {
				free(sk->host);
				sk->host = host;
				host = NULL;
			}
			free(host);
			free(port);
			if (!ex || r < 0)
				return r == 0 ? CMD_OK : CMD_ERROR;
			/* As below: $ret is the errno, not connect's -1. */
			outcome_errno_value();
			if (r == 0)
				result("0");
			else
				result("%d %s", r, errno_name(r));
			return CMD_OK;
		}
	}
	if (parse_addr_args(ctx, 0, &a) != 0)
		return CMD_ERROR;
	if ((sk = socket_for(ctx, &a)) == NULL)
		return CMD_ERROR;
	r = do_connect(sk, &a);
	if (sk->type == SOCK_STREAM && (r == 0 || errno == EINPROGRESS))
		keep_host(sk, ctx);
	if (ex && !interrupted) {
		/*
		 * Like Python's connect_ex: the outcome is a value, not a
		 * failure. $ret is the errno, $errno its name, $status 0.
		 */
		e = r == 0 ? 0 : sess.last.err;
		outcome_errno_value();
		if (e == 0)
			result("0");
		else
			result("%d %s", e, errno_name(e));
		return CMD_OK;
	}
	if (r != 0)
		call_report(call_last());
	/* Timed out (-2), or a kernel's own timeout: the backlog? */
	if (r == -2 || (r == -1 && sess.last.err == ETIMEDOUT))
		hint_connect_timeout(&a);
	return r == 0 ? CMD_OK : CMD_ERROR;
}

static enum cmd_retval
cmd_connect_exec(struct cmd_ctx *ctx)
{
	return connect_common(ctx, 0);
}

static enum cmd_retval
cmd_connect_ex_exec(struct cmd_ctx *ctx)
{
	return connect_common(ctx, 1);
}

const struct cmd_entry cmd_connect_entry = {
	.name = "connect",
	.group = GROUP_LIFE,
	.usage = "ADDR",
	.minargs = 1,
	.maxargs = 2,
	.args = { ARG_ADDR, ARG_NUMBER },
	.summary = "connect the socket to a peer",
	.calls = "connect(2)",
	.exec = cmd_connect_exec,
	.help = "ADDR is as for bind: HOST PORT, HOST:PORT, [IPV6]:PORT, a "
	    "path or @name. With no current socket, a TCP socket of the "
	    "address's family is made first; for a host name, each address "
	    "of the name is tried in turn, as create_connection does, and "
	    "a socket made for an attempt that fails is closed (the current "
	    "socket stays, failed; after a timeout it is still connecting, so "
	    "no further address is tried on it). Blocking sockets wait for the "
	    "connection; with a timeout the connect is made non-blocking, then "
	    "ppoll waits for it and SO_ERROR tells how it ended; a non-blocking "
	    "socket fails at once with EINPROGRESS while the connection goes "
	    "on in the background. On a datagram socket, connect only sets the "
	    "default peer."
};

const struct cmd_entry cmd_connect_ex_entry = {
	.name = "connect_ex",
	.group = GROUP_LIFE,
	.usage = "ADDR",
	.minargs = 1,
	.maxargs = 2,
	.args = { ARG_ADDR, ARG_NUMBER },
	.summary = "connect, and print the error number instead of failing",
	.calls = "connect(2)",
	.exec = cmd_connect_ex_exec,
	.help = "As connect, but the command does not fail when the connect "
	    "does: it prints 0 on success or the error number and its name "
	    "(111 ECONNREFUSED), like Python's connect_ex, and that number is "
	    "$ret (expect ret 111, or expect ret 0). $errno is its name, so "
	    "expect error ECONNREFUSED holds too; $status is 0, so expect ok "
	    "holds and expect fail does not, and -e goes on. Only a Ctrl-C or "
	    "a bad argument makes it fail. Handy for probing whether a port is "
	    "open."
};

static enum cmd_retval
cmd_shutdown_exec(struct cmd_ctx *ctx)
{
	int		 how;

	if (lookup_word(how_words, shut_names, ctx->argv[0].s, &how) != 0) {
		diag("shutdown: \"%s\" is not rd, wr or rdwr",
		    printable(ctx->argv[0].s));
		return CMD_ERROR;
	}
	if (call_shutdown(ctx->sk, how) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_shutdown_entry = {
	.name = "shutdown",
	.group = GROUP_LIFE,
	.usage = "rd|wr|rdwr",
	.minargs = 1,
	.maxargs = 1,
	.flags = CMD_NEEDSOCK,
	.args = { ARG_HOW },
	.summary = "stop receiving, sending, or both, without closing",
	.calls = "shutdown(2)",
	.exec = cmd_shutdown_exec,
	.help = "shutdown wr sends the peer an end of file (its recv returns "
	    "0) while you can still receive its answer: the polite way to say "
	    "\"I am done sending\". SHUT_RD, SHUT_WR and SHUT_RDWR work too."
};

/*
 * At the prompt, with notices on: what the kernel does with a connection
 * after close, which no call returns (FIN_WAIT2, TIME_WAIT).
 */
static void
close_news(void)
{
	struct buf	news = { 0 };

	if (!opt.interactive || events_enabled <= 0)
		return;
	if (kernel_closed_news(&news) > 0)
		fputs(buf_str(&news), stdout);
	buf_free(&news);
}

/* A TCP connection that close may reset, by the table's state. */
static int
close_may_reset(const struct sock *sk)
{
	const struct sock	*o;
	int			 fd;

	if (sk->kind == SK_EPOLL || sk->type != SOCK_STREAM ||
	    (sk->family != AF_INET && sk->family != AF_INET6) ||
	    sk->protocol == IPPROTO_SCTP ||
	    (sk->state != ST_CONNECTED && sk->state != ST_CLOSED_PEER))
		return 0;
	/* Another fd on the same socket (dup) keeps it: no close yet. */
	for (fd = sock_first(); fd >= 0; fd = sock_next(fd))
		if ((o = sock_get(fd)) != NULL && o != sk && sk->ino != 0 &&
		    o->ino == sk->ino)
			return 0;
	return 1;
}

/*
 * The bytes a TCP connection has received that nobody read: closing it
 * then makes the kernel send RST, not FIN (RFC 2525, 2.17), which no call
 * returns. One ioctl behind the user's back, for the close command only
 * (not at exit, where thousands of sockets may be closed).
 */
static int
close_unread(struct sock *sk)
{
	int	n;

	if (!close_may_reset(sk) ||
	    call_ioctl_int(sk, FIONREAD, &n, CF_BEHIND) < 0)
		return 0;
	return n;
}

/*
 * Is SO_LINGER on with a timeout of 0? close then aborts the connection:
 * RST instead of FIN, unsent data dropped, no TIME_WAIT (the kernel's
 * tcp_close, "disconnect"). Asked of the kernel, behind the user's back,
 * so what an accepted socket got from its listener counts too.
 */
static int
close_linger0(struct sock *sk)
{
	union optval	v;
	socklen_t	len;

	if (!close_may_reset(sk) || call_getsockopt(sk,
	    sockopt_find("SO_LINGER"), &v, &len, CF_BEHIND) < 0)
		return 0;
	return v.l.l_onoff != 0 && v.l.l_linger == 0;
}

static enum cmd_retval
cmd_close_exec(struct cmd_ctx *ctx)
{
	struct sock	*sk = ctx->sk, *parent;
	struct buf	 b = { 0 };
	int		 fd, r, unread, abort0;

	if (ctx->argc > 0) {
		if ((sk = sock_arg("close", ctx->argv[0].s)) == NULL)
			return CMD_ERROR;
	} else if (sk == NULL) {
		diag("close: no current socket (close FD closes another)");
		return CMD_ERROR;
	}
	fd = sk->fd;
	parent = sock_parent(sk);
	unread = close_unread(sk);
	abort0 = close_linger0(sk);
	kernel_closed_note(sk);
	r = call_close(sk);
	if (current_fd == fd)
		set_current(parent != NULL ? parent->fd : -1);
	if (r < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	if (unread > 0)
		buf_printf(&b, "close discarded %d unread byte%s", unread,
		    unread == 1 ? "" : "s");
	if (abort0)
		trace_note("(%s%sSO_LINGER is on with a timeout of 0: the kernel "
		    "reset the connection (RST) instead of sending a FIN, "
		    "dropping any unsent data and keeping no TIME_WAIT; "
		    "setsockopt SO_LINGER off for an orderly close)",
		    buf_str(&b), unread > 0 ?
		    ", and " : "");
	else if (unread > 0)
		trace_note("(%s: the kernel reset the connection (RST) instead "
		    "of sending a FIN; recv them first for an orderly close)",
		    buf_str(&b));
	buf_free(&b);
	close_news();
	return CMD_OK;
}

const struct cmd_entry cmd_close_entry = {
	.name = "close",
	.group = GROUP_LIFE,
	.usage = "[FD]",
	.minargs = 0,
	.maxargs = 1,
	.args = { ARG_FD },
	.summary = "close the current socket, or socket FD",
	.calls = "close(2)",
	.exec = cmd_close_exec,
	.help = "Closing an accepted connection makes its listener current "
	    "again, ready for the next accept; closing any other current "
	    "socket leaves no current socket. Closing a TCP connection that "
	    "holds unread bytes, or one with SO_LINGER on and a timeout of "
	    "0, makes the kernel reset it (RST) instead of sending a FIN: a "
	    "note says so."
};
