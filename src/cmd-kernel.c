/*
 * info: the kernel's view of one socket. Each thing the kernel is asked
 * goes through the call layer, so the trace shows the calls a C program
 * would make to learn the same (getsockopt TCP_INFO, ioctl SIOCINQ, ...),
 * then a readable block says what they returned.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <linux/sock_diag.h>

#include <errno.h>
#include <string.h>

#include "sockrepl.h"

/* The kernel's numbers for two TCP states (include/net/tcp_states.h). */
#define KTCP_CLOSE	7
#define KTCP_LISTEN	10

/* The kernel's ssthresh before the first loss: not set yet. */
#define SSTHRESH_NONE	0x7fffffff

/*
 * The block is gathered while the calls are made and shown after them, so
 * the trace comes first and the block reads in one piece.
 */
static struct buf	block;

static void
head(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
line(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A line of its own: "fd 4: TCP ESTABLISHED ...". */
static void
head(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(&block, fmt, ap);
	va_end(ap);
	buf_addc(&block, '\n');
}

/* One line of the block: "  name         text". */
static void
line(const char *name, const char *fmt, ...)
{
	va_list	ap;

	buf_printf(&block, "  %-13s", name);
	va_start(ap, fmt);
	buf_vprintf(&block, fmt, ap);
	va_end(ap);
	buf_addc(&block, '\n');
}

/* Show the block, a result line at a time. */
static void
block_show(void)
{
	char	*p, *nl;

	for (p = block.data; p != NULL && p < block.data + block.len;
	    p = nl + 1) {
		nl = strchr(p, '\n');
		*nl = '\0';
		result("%s", p);
	}
	buf_reset(&block);
}

static const struct sockopt *
option(const char *name)
{
	return sockopt_find(name);
}

/* An int option, or -1 when the call failed (the trace said why). */
static int
int_opt(struct sock *sk, const char *name)
{
	union optval	v;
	socklen_t	len;

	if (call_getsockopt(sk, option(name), &v, &len, CF_INSPECT) < 0)
		return -1;
	return v.i;
}

/* An ioctl that reads a byte count; -1 when it failed. */
static int
count_ioctl(struct sock *sk, unsigned long req)
{
	int	n;

	if (call_ioctl_int(sk, req, &n, CF_INSPECT) < 0)
		return -1;
	return n;
}

static const char *
plural(long n)
{
	return n == 1 ? "" : "s";
}

/* Buffers and the pending error: the last lines for every socket. */
static void
common_tail(struct sock *sk)
{
	int	rcv, snd, e;

	rcv = int_opt(sk, "SO_RCVBUF");
	snd = int_opt(sk, "SO_SNDBUF");
	if (rcv >= 0 && snd >= 0)
		line("buffers", "receive %d, send %d bytes (SO_RCVBUF, "
		    "SO_SNDBUF)", rcv, snd);
	e = int_opt(sk, "SO_ERROR");
	if (e == 0)
		line("error", "none pending (SO_ERROR)");
	else if (e > 0)
		line("error", "%s pending (%s); reading SO_ERROR took it, so "
		    "the next call will not report it", errno_name(e),
		    strerror(e));
}

static void
tcp_listener(const struct tcp_info *ti)
{
	/* Linux puts a listener's queue and backlog in these two fields. */
	line("accept queue", "%u connection%s waiting, backlog %u (TCP_INFO "
	    "unacked, sacked)%s", ti->tcpi_unacked, plural(ti->tcpi_unacked),
	    ti->tcpi_sacked, ti->tcpi_unacked > ti->tcpi_sacked ?
	    ": full, new connections are dropped until accept takes one" : "");
}

static void
tcp_options(struct buf *b, const struct tcp_info *ti)
{
	if (ti->tcpi_options & TCPI_OPT_SACK)
		buf_adds(b, "sack ");
	if (ti->tcpi_options & TCPI_OPT_TIMESTAMPS)
		buf_adds(b, "timestamps ");
	if (ti->tcpi_options & TCPI_OPT_WSCALE)
		buf_printf(b, "wscale %u/%u ", ti->tcpi_snd_wscale,
		    ti->tcpi_rcv_wscale);
	if (ti->tcpi_options & TCPI_OPT_ECN)
		buf_adds(b, "ecn ");
	if (b->len == 0)
		buf_adds(b, "none");
	else
		b->data[--b->len] = '\0';
}

static void
tcp_connection(struct sock *sk, const struct tcp_info *ti, size_t len)
{
	struct buf	b = { 0 };
	int		inq, outq, nsd;

	line("rtt", "%.3f ms, rttvar %.3f ms", ti->tcpi_rtt / 1000.0,
	    ti->tcpi_rttvar / 1000.0);
	if (ti->tcpi_snd_ssthresh >= SSTHRESH_NONE)
		line("cwnd", "%u segments, ssthresh none yet (slow start)",
		    ti->tcpi_snd_cwnd);
	else
		line("cwnd", "%u segments, ssthresh %u", ti->tcpi_snd_cwnd,
		    ti->tcpi_snd_ssthresh);
	line("mss", "%u bytes", ti->tcpi_snd_mss);
	line("retransmits", "%u now, %u in all; %u segment%s lost",
	    ti->tcpi_retransmits, ti->tcpi_total_retrans, ti->tcpi_lost,
	    plural(ti->tcpi_lost));
	tcp_options(&b, ti);
	line("options", "%s", buf_str(&b));
	buf_free(&b);
	if (len >= offsetof(struct tcp_info, tcpi_bytes_received) + 8)
		line("bytes", "%llu acked by the peer, %llu received",
		    (unsigned long long)ti->tcpi_bytes_acked,
		    (unsigned long long)ti->tcpi_bytes_received);
	inq = count_ioctl(sk, SIOCINQ);
	outq = count_ioctl(sk, SIOCOUTQ);
	nsd = count_ioctl(sk, SIOCOUTQNSD);
	if (inq >= 0)
		line("unread", "%d byte%s waiting for recv (SIOCINQ)", inq,
		    plural(inq));
	if (nsd >= 0)
		line("unsent", "%d byte%s not yet sent (SIOCOUTQNSD)", nsd,
		    plural(nsd));
	if (outq >= 0 && nsd >= 0)
		line("unacked", "%d byte%s sent, not yet acknowledged "
		    "(SIOCOUTQ - SIOCOUTQNSD)", outq - nsd, plural(outq - nsd));
}

static void
info_tcp(struct sock *sk)
{
	static struct tcp_info ti;	/* the record points at it */
	socklen_t	len = sizeof ti;

	if (call_getsockopt_buf(sk, option("TCP_INFO"), &ti, &len,
	    CF_INSPECT) < 0) {
		head("fd %d: TCP (sockrepl: %s)", sk->fd,
		    sock_state_name(sk));
		common_tail(sk);
		return;
	}
	head("fd %d: TCP %s (sockrepl: %s)", sk->fd,
	    tcp_state_name(ti.tcpi_state), sock_state_name(sk));
	head("  %s", tcp_state_meaning(ti.tcpi_state));
	if (ti.tcpi_state == KTCP_LISTEN)
		tcp_listener(&ti);
	else if (ti.tcpi_state != KTCP_CLOSE)
		tcp_connection(sk, &ti, len);
	common_tail(sk);
}

static void
info_udp(struct sock *sk, const char *what)
{
	static uint32_t	mem[16];	/* the record points at it */
	socklen_t	len = sizeof mem;
	long		inuse;
	int		next, outq;

	head("fd %d: %s (sockrepl: %s)", sk->fd, what, sock_state_name(sk));
	next = count_ioctl(sk, SIOCINQ);
	if (call_getsockopt_buf(sk, option("SO_MEMINFO"), mem, &len,
	    CF_INSPECT) != 0 || len < sizeof(uint32_t))
		inuse = -1;
	else
		inuse = (long)mem[SK_MEMINFO_RMEM_ALLOC];
	if (next > 0)
		line("next", "a datagram of %d byte%s waits (SIOCINQ)", next,
		    plural(next));
	else if (next == 0 && inuse == 0)
		line("next", "no datagram waits (SIOCINQ, SO_MEMINFO)");
	else if (next == 0 && inuse > 0)
		line("next", "an empty datagram waits (SIOCINQ)");
	if (inuse > 0)
		line("queued", "%ld bytes of receive buffer in use: all "
		    "waiting datagrams, each with the kernel's overhead "
		    "(SO_MEMINFO)", inuse);
	outq = count_ioctl(sk, SIOCOUTQ);
	if (outq >= 0)
		line("unsent", "%d byte%s (SIOCOUTQ)", outq, plural(outq));
}

/* A UNIX listener's queue, which only sock_diag tells. */
static void
unix_listener(struct sock *sk)
{
	const struct kstate	*k;

	if (kernel_load(KV_UNIX) != 0 || (k = kernel_find(sk->ino)) == NULL)
		return;
	line("accept queue", "%u connection%s waiting, backlog %u "
	    "(sock_diag)%s", k->rqueue, plural(k->rqueue), k->wqueue,
	    k->rqueue > k->wqueue ? ": full, connect waits (or fails with "
	    "EAGAIN when non-blocking) until accept takes one" : "");
}

static void
info_unix(struct sock *sk)
{
	union optval	v;
	socklen_t	len;
	int		inq, outq, stream = sk->type != SOCK_DGRAM;

	head("fd %d: UNIX %s (sockrepl: %s)", sk->fd,
	    sock_type_short(sk->family, sk->type), sock_state_name(sk));
	if (sk->state == ST_LISTENING) {
		unix_listener(sk);
		common_tail(sk);
		return;
	}
	if (sk->state == ST_CONNECTED || sk->state == ST_CLOSED_PEER ||
	    sk->state == ST_FAILED) {
		if (call_getsockopt(sk, option("SO_PEERCRED"), &v, &len,
		    CF_INSPECT) == 0 && v.cred.pid != 0)
			line("peer", "pid %ld, uid %lu, gid %lu (SO_PEERCRED)",
			    (long)v.cred.pid, (unsigned long)v.cred.uid,
			    (unsigned long)v.cred.gid);
	}
	inq = count_ioctl(sk, SIOCINQ);
	if (inq >= 0 && stream)
		line("unread", "%d byte%s waiting for recv (SIOCINQ)", inq,
		    plural(inq));
	else if (inq > 0)
		line("next", "a datagram of %d byte%s waits (SIOCINQ)", inq,
		    plural(inq));
	else if (inq == 0)
		line("next", "no datagram waits (SIOCINQ)");
	outq = count_ioctl(sk, SIOCOUTQ);
	if (outq >= 0)
		line("unsent", "%d byte%s sent, not yet read by the peer "
		    "(SIOCOUTQ)", outq, plural(outq));
}

static enum cmd_retval
cmd_info_exec(struct cmd_ctx *ctx)
{
	struct sock	*sk = ctx->sk;
	int		 inet;

	if (ctx->argc > 0) {
		if ((sk = sock_arg("info", ctx->argv[0].s)) == NULL)
			return CMD_ERROR;
	} else if (sk == NULL) {
		diag("info: %s", sock_count() == 0 ? "no socket yet (make one "
		    "with socket, or bind or connect an address)" :
		    "no current socket (info FD names one; list shows them)");
		return CMD_ERROR;
	}
	inet = sk->family == AF_INET || sk->family == AF_INET6;
	if (inet && sk->type == SOCK_STREAM)
		info_tcp(sk);
	else if (inet && sk->type == SOCK_DGRAM) {
		info_udp(sk, "UDP");
		common_tail(sk);
	} else if (sk->family == AF_UNIX) {
		info_unix(sk);
		common_tail(sk);
	} else {
		head("fd %d: %s %s (sockrepl: %s)", sk->fd,
		    sock_family_short(sk->family),
		    sock_type_short(sk->family, sk->type),
		    sock_state_name(sk));
		common_tail(sk);
	}
	block_show();
	return CMD_OK;
}

const struct cmd_entry cmd_info_entry = {
	.name = "info",
	.group = GROUP_INSPECTION,
	.usage = "[FD]",
	.minargs = 0,
	.maxargs = 1,
	.args = { ARG_FD },
	.summary = "show the kernel's view of the socket: TCP state, rtt, "
	    "queues, buffers",
	.calls = "getsockopt(2) TCP_INFO, ioctl(2) SIOCINQ, SIOCOUTQ",
	.exec = cmd_info_exec,
	.help = "Asks the kernel about the current socket (or FD) and shows "
	    "each call, then what it said. TCP: the kernel's state by name "
	    "(LISTEN, SYN_SENT, ESTABLISHED, CLOSE_WAIT, FIN_WAIT1, FIN_WAIT2, "
	    "LAST_ACK, CLOSING, TIME_WAIT) and what it means, rtt and rttvar, "
	    "cwnd and ssthresh, mss, retransmits and lost segments, the options "
	    "both ends agreed (sack, timestamps, window scale), bytes acked and "
	    "received (TCP_INFO), bytes unread (SIOCINQ), not yet sent "
	    "(SIOCOUTQNSD) and sent but not yet acknowledged (SIOCOUTQ); for a "
	    "listener, the connections waiting in the accept queue and the "
	    "backlog. UDP: the size of the next datagram and the receive "
	    "buffer in use (SO_MEMINFO). AF_UNIX: the peer's pid, uid and gid "
	    "(SO_PEERCRED) and the bytes waiting each way. Then SO_RCVBUF, "
	    "SO_SNDBUF and a pending error (SO_ERROR; reading it clears it, "
	    "and list keeps it)."
};

/*
 * Hints that need the kernel's view, for cmd-life.c: they ask behind the
 * user's back (shown with -v), after the call that failed.
 */

/* A TCP listener's queue and backlog from TCP_INFO; -1 if not known. */
static int
queue_of(struct sock *sk, int *waiting, int *backlog)
{
	static struct tcp_info ti;	/* the record points at it */
	socklen_t	len = sizeof ti;

	if ((sk->family != AF_INET && sk->family != AF_INET6) ||
	    sk->type != SOCK_STREAM || sk->state != ST_LISTENING ||
	    call_getsockopt_buf(sk, option("TCP_INFO"), &ti, &len,
	    CF_BEHIND) != 0 || ti.tcpi_state != KTCP_LISTEN)
		return -1;
	*waiting = (int)ti.tcpi_unacked;
	*backlog = (int)ti.tcpi_sacked;
	return 0;
}

/* Does listener sk take connections to a? */
static int
listens_at(struct sock *sk, const struct addr *a)
{
	struct addr	mine;
	const struct sockaddr_in *m4 = (const void *)&mine.ss,
				 *a4 = (const void *)&a->ss;

	if (call_getname(sk, 0, &mine, CF_BEHIND) != 0 ||
	    addr_port((struct sockaddr *)&mine.ss) !=
	    addr_port((const struct sockaddr *)&a->ss))
		return 0;
	if (mine.ss.ss_family == AF_INET && a->ss.ss_family == AF_INET)
		return m4->sin_addr.s_addr == INADDR_ANY ||
		    m4->sin_addr.s_addr == a4->sin_addr.s_addr;
	return 1;
}

/* A connect to a timed out: was it a listener of ours with a full queue? */
void
hint_connect_timeout(const struct addr *a)
{
	struct sock	*sk;
	int		 fd, n, backlog;

	for (fd = sock_first(); fd >= 0; fd = sock_next(fd)) {
		sk = sock_get(fd);
		if (queue_of(sk, &n, &backlog) != 0 || n <= backlog ||
		    !listens_at(sk, a))
			continue;
		diag("connect: listener %d's backlog (%d) is full: %d "
		    "connection%s wait%s for accept, and the kernel drops new "
		    "connection requests (SYN) until one is taken (on %d "
		    "accept)", fd, backlog, n, plural(n), n == 1 ? "s" : "",
		    fd);
		return;
	}
	if (a->ss.ss_family == AF_INET || a->ss.ss_family == AF_INET6)
		diag("connect: no answer to the connection request (SYN): a "
		    "listener whose backlog is full drops it, and so does a "
		    "firewall; info on the listener shows its queue");
}

/*
 * accept timed out on listener lsk: is a connect of ours to it still
 * waiting, its SYN dropped while the backlog was full?
 */
void
hint_accept_timeout(struct sock *lsk)
{
	const struct kstate	*k, *me;
	struct sock		*sk;
	int			 fd;

	if (lsk->family != AF_INET && lsk->family != AF_INET6)
		return;
	for (fd = sock_first(); fd >= 0; fd = sock_next(fd)) {
		if (sock_get(fd)->state == ST_CONNECTING)
			break;
	}
	if (fd < 0 || kernel_load(KV_TCP) != 0 ||
	    (me = kernel_find(lsk->ino)) == NULL)
		return;
	for (; fd >= 0; fd = sock_next(fd)) {
		sk = sock_get(fd);
		if (sk->state != ST_CONNECTING ||
		    (k = kernel_find(sk->ino)) == NULL || k->state != 2 ||
		    addr_port((const struct sockaddr *)&k->peer.ss) !=
		    addr_port((const struct sockaddr *)&me->local.ss))
			continue;
		diag("accept: fd %d's connection request (SYN) was dropped "
		    "while this listener's backlog was full; its kernel sends "
		    "it again after 1, 3, 7, ... seconds, and then accept "
		    "takes it", fd);
		return;
	}
}

/*
 * accept on a socket that does not listen (EINVAL): a listener in the
 * table with a connection waiting is probably what was meant.
 */
void
hint_accept_elsewhere(struct sock *sk)
{
	struct pollfd	 pfd;
	struct sock	*l;
	int		 fd;

	if (sk->state == ST_LISTENING)
		return;
	for (fd = sock_first(); fd >= 0; fd = sock_next(fd)) {
		l = sock_get(fd);
		if (l->state != ST_LISTENING)
			continue;
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (call_ppoll(&pfd, 1, 0, CF_BEHIND) <= 0 ||
		    !(pfd.revents & POLLIN))
			continue;
		diag("accept: fd %d is the listener, and a connection is "
		    "waiting there: on %d accept takes it (or use %d, then "
		    "accept)", fd, fd, fd);
		return;
	}
}
