/*
 * Live socket events: while a person sits at the prompt, tell them what
 * happened on their sockets (a connection waiting, data arrived, the peer
 * closed or reset, a background connect ended, a datagram came).
 *
 * The prompt's poll(2) watches standard input and one epoll descriptor
 * holding every socket, edge-triggered. Edge-triggered is the point: an
 * event comes once per change (each arrival of data, each new connection),
 * so unread data is never reported again and the loop never spins on it;
 * idle, the program sleeps in poll. What was announced is kept per socket
 * (ev_said, ev_mark) so that each change is told once.
 */
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <linux/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "sockrepl.h"

/* Conditions already announced (struct sock's ev_said). */
#define EVS_ACCEPT	0x1	/* a connection is waiting on a listener */
#define EVS_DGRAM	0x2	/* a datagram is waiting */
#define EVS_EOF		0x4	/* the peer closed its end */
#define EVS_ERROR	0x8	/* an error was seen */

/* -1 until someone says: the prompt turns it on, a script off. */
int		events_enabled = -1;
static int	epfd = -1;

/*
 * Returns the epoll descriptor, or -1 with errno set. It is moved out of the
 * way, high up, so the first socket is still fd 3 as every tutorial says.
 */
int
events_init(void)
{
	if (epfd >= 0)
		return epfd;
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	epfd = fd_move_high(epfd);
	return epfd;
}

void
events_end(void)
{
	if (epfd >= 0)
		close(epfd);
	epfd = -1;
}

static int
is_dgram(const struct sock *sk)
{
	return sk->type == SOCK_DGRAM || sk->type == SOCK_RAW;
}

/* What to watch on a socket in its present state; 0 for nothing. */
static int
interest(const struct sock *sk)
{
	if (is_dgram(sk))
		return EPOLLIN;
	if (sk->shut_rd)
		return 0;
	switch (sk->state) {
	case ST_LISTENING:
		return EPOLLIN;
	case ST_CONNECTING:
		return EPOLLOUT;
	case ST_CONNECTED:
		return EPOLLIN | EPOLLRDHUP;
	default:
		/* New, bound, failed or at EOF: nothing more will happen. */
		return 0;
	}
}

/*
 * Bring the epoll set in line with the table: new sockets added, sockets
 * whose state changed re-registered. (A closed fd leaves the set by
 * itself.) Returns the epoll descriptor to poll, or -1 if there is none.
 */
int
events_sync(void)
{
	struct epoll_event	 ev;
	struct sock		*sk;
	int			 fd, want, op;

	if (epfd < 0)
		return -1;
	for (fd = sock_first(); fd >= 0; fd = sock_next(fd)) {
		sk = sock_get(fd);
		want = interest(sk);
		if (want == sk->ev_armed)
			continue;
		memset(&ev, 0, sizeof ev);
		ev.events = (uint32_t)want | EPOLLET;
		ev.data.fd = fd;
		if (want == 0)
			op = EPOLL_CTL_DEL;
		else
			op = sk->ev_armed == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
		if (epoll_ctl(epfd, op, fd, &ev) != 0 && op == EPOLL_CTL_ADD &&
		    errno == EEXIST)
			(void)epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
		sk->ev_armed = want;
	}
	return epfd;
}

static void
notice(struct buf *out, int fd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One line of news about fd, added to out. */
static void
notice(struct buf *out, int fd, const char *fmt, ...)
{
	va_list	ap;

	buf_printf(out, "%s[fd %d] ", color(C_EVENT), fd);
	va_start(ap, fmt);
	buf_vprintf(out, fmt, ap);
	va_end(ap);
	buf_printf(out, "%s\n", color(C_RESET));
}

/*
 * The calls below are made behind the user's back: the call layer records
 * them (the state machine learns from them) but shows them only with -v.
 */

/* SO_ERROR, which reading clears; the state machine records it. */
static int
take_error(struct sock *sk)
{
	union optval	v;
	socklen_t	len;

	if (call_getsockopt(sk, sockopt_find("SO_ERROR"), &v, &len,
	    CF_BEHIND) != 0)
		return errno;
	return v.i;
}

static int
bytes_waiting(struct sock *sk)
{
	int	n = 0;

	if (call_ioctl_int(sk, FIONREAD, &n, CF_BEHIND) != 0 || n < 0)
		return 0;
	return n;
}

static short
poll_now(int fd, short events)
{
	struct pollfd	pfd;

	pfd.fd = fd;
	pfd.events = events;
	pfd.revents = 0;
	if (call_ppoll(&pfd, 1, 0, CF_BEHIND) <= 0)
		return 0;
	return pfd.revents;
}

/*
 * A TCP listener's accept queue and backlog, which Linux reports in
 * TCP_INFO's unacked and sacked fields. Returns 0, or -1 for another kind
 * of listener (or a kernel that does not say).
 */
static int
listener_queue(struct sock *sk, int *waiting, int *backlog)
{
	static struct tcp_info ti;	/* the record points at it */
	socklen_t	len = sizeof ti;

	if ((sk->family != AF_INET && sk->family != AF_INET6) ||
	    call_getsockopt_buf(sk, sockopt_find("TCP_INFO"), &ti, &len,
	    CF_BEHIND) != 0 || len < offsetof(struct tcp_info, tcpi_sacked) +
	    sizeof ti.tcpi_sacked)
		return -1;
	*waiting = (int)ti.tcpi_unacked;
	*backlog = (int)ti.tcpi_sacked;
	return 0;
}

static void
check_listener(struct sock *sk, int rev, int edge, struct buf *out)
{
	int	n, backlog;

	if (!(rev & EPOLLIN))
		return;
	if (listener_queue(sk, &n, &backlog) == 0 && n > 0) {
		if ((sk->ev_said & EVS_ACCEPT) && n <= sk->ev_queue)
			return;
		if (n > backlog)
			notice(out, sk->fd, "%d connections are waiting: the "
			    "backlog (%d) is full, so new connections wait (and "
			    "may time out) until accept takes one", n, backlog);
		else if (n > 1)
			notice(out, sk->fd, "%d connections are waiting, "
			    "backlog %d", n, backlog);
		else
			notice(out, sk->fd, "a connection is waiting (accept "
			    "will not block), backlog %d", backlog);
		sk->ev_queue = n;
	} else if (!(sk->ev_said & EVS_ACCEPT))
		notice(out, sk->fd, "a connection is waiting (accept will not "
		    "block)");
	else if (edge)
		notice(out, sk->fd, "another connection is waiting");
	sk->ev_said |= EVS_ACCEPT;
}

/* A background connect has ended: say how, and record it. */
static void
check_connecting(struct sock *sk, int rev, struct buf *out)
{
	struct addr	 a;
	struct buf	 b = { 0 };
	int		 e;

	if (!(rev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
		return;
	if ((e = take_error(sk)) != 0) {
		notice(out, sk->fd, "connect failed: %s (%s)", errno_name(e),
		    strerror(e));
		return;
	}
	if (call_getname(sk, 1, &a, CF_BEHIND) != 0)
		return;		/* not yet, after all */
	addr_format_short(&b, (struct sockaddr *)&a.ss, a.len);
	notice(out, sk->fd, "connect finished: connected to %s",
	    buf_str(&b));
	buf_free(&b);
}

/* A TLS connection: plaintext waiting (SSL_pending), or its end. */
static void
check_tls(struct sock *sk, struct buf *out)
{
	uint64_t	mark;
	int		n, eof;

	n = tls_waiting(sk, &eof);
	mark = sk->bytes_in + (uint64_t)n;
	if (n > 0 && mark > sk->ev_mark) {
		notice(out, sk->fd, "%d byte%s of plaintext waiting (TLS; recv "
		    "will not block)", n, n == 1 ? "" : "s");
		sk->ev_mark = mark;
	}
	if (eof && !(sk->ev_said & EVS_EOF)) {
		sk->ev_said |= EVS_EOF;
		notice(out, sk->fd, "%s: recv returns 0%s", tls_eof_words(sk),
		    n > 0 ? " after the plaintext waiting" : "");
	}
}

static void
check_stream(struct sock *sk, int rev, struct buf *out)
{
	uint64_t	mark;
	char		c;
	int		n;
	/* TCP keeps the connection half open until our close. */
	const char	*closewait = (sk->family == AF_INET ||
			    sk->family == AF_INET6) && !sk->shut_wr ?
			    "; the connection is in CLOSE_WAIT until you close" :
			    "";

	if (rev & EPOLLERR) {
		/*
		 * Naming the error would take it (reading SO_ERROR or a peek
		 * clears it) and the user's recv would then see a plain EOF;
		 * so it is left for their next call to report.
		 */
		if (!(sk->ev_said & EVS_ERROR))
			notice(out, sk->fd, "the connection was reset or failed "
			    "(the next send or recv reports it, after any data "
			    "still waiting)");
		sk->ev_said |= EVS_ERROR;
		return;
	}
	/* Over TLS the news is plaintext, not the records in the kernel. */
	if (sk->tls != NULL) {
		check_tls(sk, out);
		return;
	}
	n = bytes_waiting(sk);
	mark = sk->bytes_in + (uint64_t)n;
	if (n > 0 && mark > sk->ev_mark) {
		if (sk->ev_mark > sk->bytes_in)
			notice(out, sk->fd, "%d bytes waiting (%llu new)", n,
			    (unsigned long long)(mark - sk->ev_mark));
		else
			notice(out, sk->fd, "%d byte%s waiting (recv will not "
			    "block)", n, n == 1 ? "" : "s");
		sk->ev_mark = mark;
	}
	if ((rev & (EPOLLRDHUP | EPOLLHUP)) && !(sk->ev_said & EVS_EOF)) {
		/* With nothing left to read, make sure it is really the end. */
		if (n == 0 && call_recv(sk, &c, 1, MSG_PEEK | MSG_DONTWAIT,
		    NULL, SHOW_ARG, FMT_AUTO, CF_BEHIND | CF_PEEKONLY) != 0)
			return;
		sk->ev_said |= EVS_EOF;
		if (n > 0)
			notice(out, sk->fd, "the peer closed its end (EOF): "
			    "recv returns 0 after the %d byte%s waiting%s", n,
			    n == 1 ? "" : "s", closewait);
		else
			notice(out, sk->fd, "the peer closed its end (EOF): "
			    "recv returns 0%s", closewait);
	}
}

static void
check_dgram(struct sock *sk, int rev, int edge, struct buf *out)
{
	struct addr	 a;
	struct buf	 b = { 0 };
	char		 c;
	ssize_t		 r;

	if ((rev & EPOLLERR) && !(sk->ev_said & EVS_ERROR)) {
		/* Left pending, so the user's next call meets it. */
		sk->ev_said |= EVS_ERROR;
		notice(out, sk->fd, "an error is pending: the next call on "
		    "this socket fails (getsockopt SO_ERROR names it)");
	}
	if (!(rev & EPOLLIN))
		return;
	r = call_recv(sk, &c, 1, MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC, &a,
	    SHOW_ARG, FMT_AUTO, CF_BEHIND | CF_PEEKONLY);
	if (r < 0)
		return;
	if (a.len > sizeof(sa_family_t))
		addr_format_short(&b, (struct sockaddr *)&a.ss, a.len);
	else
		buf_adds(&b, "an unnamed socket");
	if (!(sk->ev_said & EVS_DGRAM))
		notice(out, sk->fd, "a datagram is waiting: %zd byte%s from "
		    "%s", r, r == 1 ? "" : "s", buf_str(&b));
	else if (edge && !(rev & EPOLLERR))
		notice(out, sk->fd, "another datagram arrived (the next is "
		    "%zd bytes from %s)", r, buf_str(&b));
	sk->ev_said |= EVS_DGRAM;
	buf_free(&b);
}

/* Look at one socket: rev is what poll or epoll said; edge if epoll. */
static void
check_sock(struct sock *sk, int rev, int edge, struct buf *out)
{
	if (is_dgram(sk))
		check_dgram(sk, rev, edge, out);
	else if (sk->state == ST_LISTENING)
		check_listener(sk, rev, edge, out);
	else if (sk->state == ST_CONNECTING)
		check_connecting(sk, rev, out);
	else if (sk->state == ST_CONNECTED && !sk->shut_rd)
		check_stream(sk, rev, out);
}

/* The epoll descriptor is readable: put the news in out. */
void
events_dispatch(struct buf *out)
{
	struct epoll_event	 evs[64];
	struct sock		*sk;
	int			 n, i;

	if (epfd < 0)
		return;
	/* With -v the calls made to find out are news too: above the prompt. */
	trace_capture = out;
	n = epoll_wait(epfd, evs, 64, 0);
	for (i = 0; i < n; i++) {
		if ((sk = sock_get(evs[i].data.fd)) != NULL)
			check_sock(sk, (int)evs[i].events, 1, out);
	}
	trace_capture = NULL;
}

/*
 * After a command: forget announcements that no longer hold (the listener's
 * queue is empty, the datagram was read, the error was collected), so the
 * next such change is told again.
 */
void
events_settle(void)
{
	struct sock	*sk;
	short		 rev;
	int		 fd, n, backlog;

	for (fd = sock_first(); fd >= 0; fd = sock_next(fd)) {
		sk = sock_get(fd);
		/* Nothing told, nothing to forget: no call (a table of
		 * thousands costs no more per command). */
		if (sk->ev_said == 0) {
			if (sk->ev_mark < sk->bytes_in)
				sk->ev_mark = sk->bytes_in;
			continue;
		}
		rev = poll_now(fd, POLLIN);
		if (!(rev & POLLIN)) {
			sk->ev_said &= ~(EVS_ACCEPT | EVS_DGRAM);
			sk->ev_queue = 0;
		} else if (sk->state == ST_LISTENING &&
		    listener_queue(sk, &n, &backlog) == 0)
			sk->ev_queue = n;	/* accept took some: less is old */
		if (is_dgram(sk) && !(rev & POLLERR))
			sk->ev_said &= ~EVS_ERROR;
		/* Bytes read since are not news either. */
		if (sk->ev_mark < sk->bytes_in)
			sk->ev_mark = sk->bytes_in;
	}
}

/* Check every socket now and put what has not been told yet in out. */
static void
events_now(struct buf *out)
{
	struct epoll_event	 evs[64];
	struct sock		*sk;
	int			 fd, want;

	/*
	 * Every socket is looked at below, so the edges waiting in the epoll
	 * set are news already told: drop them, or they would be told twice
	 * ("another connection") at the prompt.
	 */
	while (epfd >= 0 && epoll_wait(epfd, evs, 64, 0) > 0)
		;
	events_settle();
	for (fd = sock_first(); fd >= 0; fd = sock_next(fd)) {
		sk = sock_get(fd);
		if ((want = interest(sk)) == 0)
			continue;
		check_sock(sk, poll_now(fd, (short)want), 0, out);
	}
}

static enum cmd_retval
cmd_events_exec(struct cmd_ctx *ctx)
{
	struct buf	out = { 0 };
	int		on;

	if (ctx->argc > 0) {
		if (parse_bool(ctx->argv[0].s, &on) != 0) {
			diag("events: \"%s\" is not on or off",
			    printable(ctx->argv[0].s));
			return CMD_ERROR;
		}
		events_enabled = on;
		if (!on)
			return CMD_OK;
	}
	events_now(&out);
	if (out.len > 0)
		fputs(buf_str(&out), stdout);
	else if (ctx->argc == 0)
		result("nothing new on any socket (live notices are %s)",
		    events_enabled > 0 && opt.interactive ? "on" : "off");
	buf_free(&out);
	return CMD_OK;
}

const struct cmd_entry cmd_events_entry = {
	.name = "events",
	.group = GROUP_SESSION,
	.usage = "[on|off]",
	.minargs = 0,
	.maxargs = 1,
	.args = { ARG_BOOL },
	.summary = "switch live socket notices at the prompt, or check for "
	    "news now",
	.exec = cmd_events_exec,
	.help = "At the prompt, sockrepl tells you as it happens when a "
	    "connection is waiting on a listener, data arrives (how many "
	    "bytes), the peer closes (EOF) or resets the connection, a "
	    "background connect ends, or a datagram arrives (its size and "
	    "sender). Each change is told once, on its own line above the "
	    "prompt; what you are typing is kept. events off stops the notices "
	    "and events on starts them again (showing anything not yet told). "
	    "events alone checks every socket now and tells what is new, even "
	    "when notices are off. A script never prints notices between its "
	    "commands, so its output stays the same from run to run; it can "
	    "ask with events where it wants to know."
};
